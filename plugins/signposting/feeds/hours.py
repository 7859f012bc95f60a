"""Opening hours as feeds write them, parsed into the :class:`~..model.Schedule` and
:class:`~..model.HolidaySchedule` records that :mod:`..schedules` answers "open now?" from.

HSDS / ORUK ``schedules`` and ``regular_schedules`` (an iCalendar RRULE subset), v1
``holiday_schedules``, and the site's own list (``hours = { mon = "9am-5pm" }``).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Mapping

from ..model import HolidaySchedule, Schedule
from .fields import _date, _id, _int, _is_blank, _list, _Record, _suggest, _text

_BYDAY_CODE = re.compile(r"^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$")
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$")
_WEEKDAY_WORDS = re.compile(r"\b(weekdays?|monday\s*(?:to|-|–)\s*friday|mon\s*(?:to|-|–)\s*fri)\b", re.I)

def parse_time(value: Any) -> dt.time | None:
    """"10:00:00", "9:30", "10:00Z", "18:00+01:00", "24:00", "9am", "5.30 pm", "noon" -> a wall-clock time.

    UTC offsets are dropped (UK feeds mean local time); "24:00" means midnight
    at the end of the day and becomes 00:00, which reads as "until midnight".
    """
    if isinstance(value, dt.time):
        return value.replace(tzinfo=None)
    if not isinstance(value, str):
        return None
    match = _TIME.match(value.strip())
    if not match:
        return parse_clock(value) if _MERIDIEM_OR_WORD.search(value) else None  # "9am", "5.30pm", "noon"
    hour, minute, second = int(match.group(1)), int(match.group(2) or 0), int(match.group(3) or 0)
    if hour == 24 and minute == 0 and second == 0:
        return dt.time(0, 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return dt.time(hour, minute, second)


def _time(rec: _Record, raw: Mapping, field_name: str) -> dt.time | None:
    value = raw.get(field_name)
    if _is_blank(value):
        return None
    parsed = parse_time(value)
    if parsed is None:
        rec.warn(f"{field_name} '{value}' is not a time (HH:MM) and was ignored")
    return parsed


def _split_codes(value: Any) -> list[str]:
    if isinstance(value, list):
        items = value
    elif isinstance(value, str):
        items = value.split(",")
    else:
        return []
    return [str(i).strip().upper() for i in items if str(i).strip()]


def _schedule(rec: _Record, raw: Any) -> Schedule | None:
    if not isinstance(raw, Mapping):
        return None
    byday: list[str] = []
    for code in _split_codes(raw.get("byday")):
        if _BYDAY_CODE.match(code):
            byday.append(code.lstrip("+"))
        else:
            rec.warn(f"schedule day '{code}' is not an iCalendar day code and was ignored")
    bymonthday: list[int] = []
    for part in _split_codes(raw.get("bymonthday")):
        try:
            day = int(part)
        except ValueError:
            day = 0
        if day == 0 or not -31 <= day <= 31:
            rec.warn(f"schedule day of month '{part}' is not valid and was ignored")
        else:
            bymonthday.append(day)
    interval = _int(rec, raw, "interval") or 1
    if interval < 1:
        rec.warn(f"schedule interval {interval} is not valid; taken as 1")
        interval = 1
    schedule = Schedule(
        source_id=_id(raw.get("id")),
        freq=(_text(rec, raw, "freq") or "").upper() or None,
        interval=interval,
        byday=byday,
        bymonthday=bymonthday,
        opens_at=_time(rec, raw, "opens_at"),
        closes_at=_time(rec, raw, "closes_at"),
        valid_from=_date(rec, raw, "valid_from"),
        valid_to=_date(rec, raw, "valid_to"),
        dtstart=_date(rec, raw, "dtstart"),
        until=_date(rec, raw, "until"),
        description=_text(rec, raw, "description", label="schedule description"),
        notes=_text(rec, raw, "notes", label="schedule notes"),
        attending_type=_text(rec, raw, "attending_type"),
    )
    _check_schedule(rec, raw, schedule)
    return schedule


def _check_schedule(rec: _Record, raw: Mapping, schedule: Schedule) -> None:
    """Warnings that staff and the site lead should see about a schedule."""
    if schedule.freq and schedule.freq not in ("WEEKLY", "MONTHLY", "DAILY"):
        rec.warn(f"schedule frequency '{schedule.freq}' is not supported; hours unknown")
    ends = [d for d in (schedule.valid_to, schedule.until) if d is not None]
    if ends and min(ends) < rec.today:
        rec.warn(f"opening hours ended on {min(ends).isoformat()} and are ignored")
    if schedule.valid_from and schedule.valid_to and schedule.valid_from > schedule.valid_to:
        rec.warn("schedule valid_from is after valid_to")
    if (schedule.opens_at is None) != (schedule.closes_at is None):
        rec.warn("schedule has an opening time without a closing time (or the reverse)")
    for unsupported in ("byweekno", "byyearday", "count"):
        if not _is_blank(raw.get(unsupported)):
            rec.warn(f"schedule {unsupported} is not supported and was ignored")
    if schedule.bymonthday and schedule.freq == "WEEKLY":
        rec.warn("schedule bymonthday does not apply to a WEEKLY rule and was ignored")
    offset = raw.get("timezone")
    if not _is_blank(offset):
        try:
            hours = float(offset)
        except (TypeError, ValueError):
            hours = None
        if hours not in (0.0, 1.0):
            rec.warn(f"schedule timezone '{offset}' is not a UK offset; times read as UK local time")
    weekly_days = {c for c in schedule.byday if len(c) == 2}
    if schedule.description and weekly_days and _WEEKDAY_WORDS.search(schedule.description):
        if weekly_days != {"MO", "TU", "WE", "TH", "FR"}:
            rec.warn(
                f"schedule text says '{_WEEKDAY_WORDS.search(schedule.description).group(0)}' "
                f"but its days are {','.join(schedule.byday)}"
            )


def _holiday_schedule(rec: _Record, raw: Any) -> HolidaySchedule | None:
    if not isinstance(raw, Mapping):
        return None
    start, end = _date(rec, raw, "start_date"), _date(rec, raw, "end_date")
    if start is None or end is None:
        rec.warn("holiday schedule without start_date/end_date was ignored")
        return None
    closed = raw.get("closed")
    if isinstance(closed, str):
        closed = closed.strip().lower() in ("true", "1", "yes")
    return HolidaySchedule(
        start_date=start,
        end_date=end,
        closed=bool(closed) if closed is not None else True,
        opens_at=_time(rec, raw, "opens_at"),
        closes_at=_time(rec, raw, "closes_at"),
        source_id=_id(raw.get("id")),
    )


def _schedules(rec: _Record, raw: Mapping) -> list[Schedule]:
    items = _list(raw.get("schedules")) + _list(raw.get("regular_schedules"))
    return [s for s in (_schedule(rec, item) for item in items) if s is not None]


LOCAL_DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_LOCAL_DAY_CODES = dict(zip(LOCAL_DAY_KEYS, ("MO", "TU", "WE", "TH", "FR", "SA", "SU"), strict=True))
_CLOCK_WORDS = {"noon": dt.time(12, 0), "midday": dt.time(12, 0), "12 noon": dt.time(12, 0),
                "12 midday": dt.time(12, 0), "midnight": dt.time(0, 0), "12 midnight": dt.time(0, 0)}
_MERIDIEM_OR_WORD = re.compile(r"[ap]\.?m\.?\s*$|noon|midday|midnight", re.I)
_CLOCK = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$", re.I)


def parse_clock(text: str) -> dt.time | None:
    """"09:00", "9:30", "9am", "9 a.m.", "5.30pm", "noon", "midnight", "24:00" -> a time; None if unclear."""
    text = " ".join(text.strip().lower().replace("a.m.", "am").replace("p.m.", "pm").replace("a.m", "am")
                    .replace("p.m", "pm").split())
    if text in _CLOCK_WORDS:
        return _CLOCK_WORDS[text]
    text = re.sub(r"^(\d{1,2}(?:[:.]\d{2})?)\s*(?:o'?clock)?\s*(am|pm)?$", r"\1\2", text)
    match = _CLOCK.match(text)
    if not match:
        return None
    hour, minute, meridiem = int(match.group(1)), int(match.group(2) or 0), (match.group(3) or "").lower()
    if meridiem:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    elif match.group(2) is None:
        return None  # "9-5" is ambiguous: ask for 09:00-17:00 or 9am-5pm
    if hour == 24 and minute == 0:
        return dt.time(0, 0)
    if hour > 23 or minute > 59:
        return None
    return dt.time(hour, minute)


def parse_opening_ranges(text: str) -> list[tuple[dt.time, dt.time]] | None:
    """"09:00-12:30, 13:30-17:00" -> two (opens, closes) pairs; "closed" -> []; None if unreadable."""
    text = text.strip().lower()
    if text in ("closed", "shut", "-", ""):
        return []
    ranges = []
    for part in re.split(r"[,;&]|\band\b", text):
        part = part.strip()
        if not part:
            continue
        bits = re.split(r"\s*(?:-|–|—|\bto\b)\s*", part)
        if len(bits) != 2:
            return None
        opens, closes = parse_clock(bits[0]), parse_clock(bits[1])
        if opens is None or closes is None:
            return None
        ranges.append((opens, closes))
    return ranges


def _local_hours(rec: _Record, where: str, entry: Mapping) -> tuple[list[Schedule], str | None]:
    hours = entry.get("hours")
    if hours is None:
        return [], None
    if not isinstance(hours, Mapping):
        rec.warn(f"{where}: hours should be a table like hours = {{ mon = \"09:00-17:00\" }}")
        return [], None
    schedules: list[Schedule] = []
    bank_holidays = None
    for key, value in hours.items():
        key = str(key).strip().lower()
        if key == "bank_holidays":
            choice = str(value).strip().lower()
            if choice in ("open", "closed"):
                bank_holidays = choice
            elif choice not in ("call", "unknown"):
                rec.warn(f"{where}: hours.bank_holidays should be \"open\", \"closed\" or \"call\"")
            continue
        if key not in _LOCAL_DAY_CODES:
            rec.warn(f"{where}: hours key '{key}' is not a day{_suggest(key, LOCAL_DAY_KEYS)}; use mon, tue ... sun")
            continue
        ranges = parse_opening_ranges(str(value)) if isinstance(value, str) else None
        if ranges is None:
            rec.warn(
                f"{where}: hours {key} = {value!r} is not readable; write 24-hour times like "
                f"\"09:00-17:00\", several as \"09:00-12:00, 13:00-16:00\", or \"closed\""
            )
            continue
        for opens, closes in ranges:
            schedules.append(
                Schedule(
                    source_id=f"{key}-{opens:%H%M}",
                    freq="WEEKLY",
                    byday=[_LOCAL_DAY_CODES[key]],
                    opens_at=opens,
                    closes_at=closes,
                )
            )
    return schedules, bank_holidays

