"""Is a service open now, or on a given day?  From HSDS schedules, with UK bank holidays.

HSDS schedules are a subset of iCalendar RRULEs: ``freq`` WEEKLY or MONTHLY,
``byday`` ("MO,TH", or with ordinals for MONTHLY: "2MO", "-1FR"),
``bymonthday``, ``interval`` counted from ``dtstart``, bounded by
``valid_from``/``valid_to``/``until``, with ``opens_at``/``closes_at``.
HSDS has no bank-holiday exceptions (openreferral/specification#440), so we
bring our own list (``data/bank_holidays.toml``).

Four answers, never "closed" without evidence:

* ``OPEN`` - a current schedule covers the time;
* ``CLOSED`` - current schedules exist and none covers it (or the service is
  closed / a holiday closure covers the day);
* ``UNKNOWN`` - "hours unknown, call first": no schedule, only free text, only
  expired schedules, or days without times;
* ``BANK_HOLIDAY`` - the usual hours would be open but it is a bank holiday
  and the publisher did not say whether they open: call first.

Where each part of opening hours lives (this module is the one place for the rules):

* **parsing a feed's hours** (``regular_schedules``/``schedules``/``holiday_schedules``,
  "9am"-style times, UTC offsets dropped): the feed parsers, ``feeds`` (``_schedule``,
  ``_schedules``, ``_holiday_schedule``; the local list's ``_local_hours``), which
  build the :class:`~.model.Schedule` records used here;
* **answering "open now / on that day"** from those records: :func:`opening_at`,
  :func:`opening_on` (below);
* **the week as integers** the search index keeps for each service
  (:func:`weekly_hours`, :func:`week_bitmap`, :func:`opening_from_weekly_hours`):
  plain weekly hours stored compactly so a search answers from the index row and
  only reads schedules for irregular services (monthly, dated, holiday closures,
  hours that differ between sites, times off the quarter-hour);
* **the slip's readable hours**: :func:`describe_hours`.

All times are UK wall-clock time.  Feeds' UTC offsets on ``opens_at`` and the
``timezone`` field are ignored on purpose: UK publishers mean local time.
RRULE ``count``, ``byweekno`` and ``byyearday`` are not supported (HSDS only
allows the last two with YEARLY rules, which it does not have).
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from .model import HolidaySchedule, Schedule, Service, ServiceAtLocation

NATIONS = ("england-and-wales", "scotland", "northern-ireland")
DEFAULT_NATION = "england-and-wales"
UK_TIMEZONE = "Europe/London"
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_BANK_HOLIDAYS_FILE = Path(__file__).parent / "data" / "bank_holidays.toml"
_ORDINALS = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 5: "5th", -1: "last", -2: "second-last"}


class OpenState(str, enum.Enum):
    OPEN = "open"
    CLOSED = "closed"
    UNKNOWN = "unknown"
    BANK_HOLIDAY = "bank_holiday"


#: What to show for each state when there is nothing more specific to say.
STATE_LABELS = {
    OpenState.OPEN: "Open",
    OpenState.CLOSED: "Closed",
    OpenState.UNKNOWN: "Hours unknown, call first",
    OpenState.BANK_HOLIDAY: "Bank holiday: may be closed, call first",
}


@dataclass(frozen=True, slots=True)
class Period:
    """One opening on one day.  Times are None when the schedule gave none.

    ``closes`` earlier than ``opens`` runs past midnight; equal times mean all day.
    """

    opens: dt.time | None
    closes: dt.time | None

    @property
    def has_times(self) -> bool:
        return self.opens is not None and self.closes is not None

    @property
    def overnight(self) -> bool:
        return self.has_times and self.closes < self.opens

    def contains(self, moment: dt.time) -> bool:
        """Whether a time on the period's own day falls inside it."""
        if not self.has_times:
            return False
        if self.opens == self.closes:
            return True
        if self.overnight:
            return moment >= self.opens
        return self.opens <= moment < self.closes

    def spills_over(self, moment: dt.time) -> bool:
        """Whether a time on the *next* day is still inside this overnight period."""
        return self.overnight and moment < self.closes

    def __str__(self) -> str:
        if not self.has_times:
            return "times not given"
        if self.opens == self.closes:
            return "all day"
        return f"{self.opens:%H:%M}-{self.closes:%H:%M}"


@dataclass(frozen=True, slots=True)
class Opening:
    """The answer for a time or a day, with the reason in plain words."""

    state: OpenState
    reason: str
    periods: tuple[Period, ...] = ()
    bank_holiday: str | None = None

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def is_open(self) -> bool:
        return self.state is OpenState.OPEN


# --------------------------------------------------------------------------
# Bank holidays
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BankHoliday:
    date: dt.date
    title: str
    notes: str | None = None


class BankHolidayCalendar:
    """Bank holidays per GOV.UK division, with the span of years it covers."""

    def __init__(self, holidays: Mapping[str, Iterable[BankHoliday]], first_year: int, last_year: int):
        self._by_nation = {nation: {h.date: h for h in items} for nation, items in holidays.items()}
        self.first_year = first_year
        self.last_year = last_year

    def holiday_on(self, day: dt.date, nation: str = DEFAULT_NATION) -> BankHoliday | None:
        if nation not in self._by_nation:
            raise ValueError(f"unknown nation {nation!r}; expected one of {', '.join(NATIONS)}")
        return self._by_nation[nation].get(day)

    def covers(self, day: dt.date) -> bool:
        """Whether the list runs to this date (beyond it, holidays are not known)."""
        return self.first_year <= day.year <= self.last_year

    def holidays(self, nation: str = DEFAULT_NATION) -> list[BankHoliday]:
        return sorted(self._by_nation.get(nation, {}).values(), key=lambda h: h.date)


def bank_holidays_from_toml(data: Mapping) -> BankHolidayCalendar:
    """Read our data-file shape (see ``data/bank_holidays.toml``)."""
    holidays = {
        nation: [BankHoliday(e["date"], e["title"], e.get("notes")) for e in data.get(nation, [])]
        for nation in NATIONS
    }
    return BankHolidayCalendar(holidays, int(data["first_year"]), int(data["last_year"]))


def bank_holidays_from_govuk_json(data: Mapping) -> BankHolidayCalendar:
    """Read GOV.UK's bank-holidays.json as published, to refresh the list when online."""
    holidays: dict[str, list[BankHoliday]] = {}
    years: set[int] = set()
    for nation in NATIONS:
        events = data.get(nation, {}).get("events", [])
        parsed = [
            BankHoliday(dt.date.fromisoformat(e["date"]), e["title"], e.get("notes") or None)
            for e in events
        ]
        holidays[nation] = parsed
        years.update(h.date.year for h in parsed)
    if not years:
        raise ValueError("no bank holidays found in the GOV.UK data")
    return BankHolidayCalendar(holidays, min(years), max(years))


@functools.cache
def load_bank_holidays(path: Path | str | None = None) -> BankHolidayCalendar:
    """The shipped bank-holiday list (read once)."""
    with open(path or _BANK_HOLIDAYS_FILE, "rb") as handle:
        return bank_holidays_from_toml(tomllib.load(handle))


# --------------------------------------------------------------------------
# When does a schedule recur?
# --------------------------------------------------------------------------


def _parse_byday(code: str) -> tuple[int | None, int] | None:
    """"2MO" -> (2, 0); "TH" -> (None, 3); junk -> None."""
    code = code.strip().upper()
    if len(code) < 2 or code[-2:] not in WEEKDAY_CODES:
        return None
    prefix = code[:-2]
    weekday = WEEKDAY_CODES.index(code[-2:])
    if not prefix:
        return None, weekday
    try:
        ordinal = int(prefix)
    except ValueError:
        return None
    return (ordinal, weekday) if ordinal != 0 else None


def _freq(schedule: Schedule) -> str | None:
    freq = (schedule.freq or "").strip().upper()
    if freq:
        return freq
    # Many feeds give byday without freq: read it as weekly.
    if schedule.byday and all((p := _parse_byday(c)) and p[0] is None for c in schedule.byday):
        return "WEEKLY"
    return None


def is_structured(schedule: Schedule) -> bool:
    """Whether the days a schedule recurs on can be worked out (not free text only)."""
    freq = _freq(schedule)
    interval = schedule.interval or 1
    if interval > 1 and schedule.dtstart is None:
        return False
    if freq == "DAILY":
        return True
    if freq == "WEEKLY":
        return bool(schedule.byday) or schedule.dtstart is not None
    if freq == "MONTHLY":
        return bool(schedule.byday or schedule.bymonthday) or schedule.dtstart is not None
    return False


def is_expired(schedule: Schedule, today: dt.date) -> bool:
    """A schedule whose ``valid_to`` or ``until`` is before today is ignored."""
    end = _end_date(schedule)
    return end is not None and end < today


def _end_date(schedule: Schedule) -> dt.date | None:
    ends = [d for d in (schedule.valid_to, schedule.until) if d is not None]
    return min(ends) if ends else None


def _start_date(schedule: Schedule) -> dt.date | None:
    starts = [d for d in (schedule.valid_from, schedule.dtstart) if d is not None]
    return max(starts) if starts else None


def is_in_force(schedule: Schedule, day: dt.date) -> bool:
    """Whether the day is inside the schedule's valid range."""
    start, end = _start_date(schedule), _end_date(schedule)
    return (start is None or start <= day) and (end is None or day <= end)


def _days_in_month(day: dt.date) -> int:
    next_month = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return (next_month - dt.timedelta(days=1)).day


def _nth_weekday_matches(day: dt.date, ordinal: int, weekday: int) -> bool:
    if day.weekday() != weekday:
        return False
    if ordinal > 0:
        return (day.day - 1) // 7 + 1 == ordinal
    return (_days_in_month(day) - day.day) // 7 + 1 == -ordinal


def recurs_on(schedule: Schedule, day: dt.date) -> bool:
    """Whether a structured schedule has an opening on this day (ignoring validity)."""
    freq = _freq(schedule)
    interval = max(1, schedule.interval or 1)
    if freq == "DAILY":
        return interval == 1 or (day - schedule.dtstart).days % interval == 0
    if freq == "WEEKLY":
        if interval > 1:
            start_week = schedule.dtstart - dt.timedelta(days=schedule.dtstart.weekday())
            this_week = day - dt.timedelta(days=day.weekday())
            if ((this_week - start_week).days // 7) % interval != 0:
                return False
        if not schedule.byday:
            return schedule.dtstart is not None and day.weekday() == schedule.dtstart.weekday()
        weekdays = {p[1] for c in schedule.byday if (p := _parse_byday(c))}
        return day.weekday() in weekdays
    if freq == "MONTHLY":
        if interval > 1:
            months = (day.year - schedule.dtstart.year) * 12 + day.month - schedule.dtstart.month
            if months % interval != 0:
                return False
        by_day_ok = by_monthday_ok = True
        if schedule.byday:
            by_day_ok = False
            for code in schedule.byday:
                parsed = _parse_byday(code)
                if parsed is None:
                    continue
                ordinal, weekday = parsed
                if ordinal is None and day.weekday() == weekday:
                    by_day_ok = True
                elif ordinal is not None and _nth_weekday_matches(day, ordinal, weekday):
                    by_day_ok = True
        if schedule.bymonthday:
            length = _days_in_month(day)
            wanted = {d if d > 0 else length + d + 1 for d in schedule.bymonthday}
            by_monthday_ok = day.day in wanted
        if not schedule.byday and not schedule.bymonthday:
            return schedule.dtstart is not None and day.day == schedule.dtstart.day
        return by_day_ok and by_monthday_ok
    return False


def _period_of(schedule: Schedule) -> Period:
    return Period(schedule.opens_at, schedule.closes_at)


# --------------------------------------------------------------------------
# Open on a day / at a time
# --------------------------------------------------------------------------


def _fmt_date(day: dt.date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def _join_periods(periods: Sequence[Period]) -> str:
    return ", ".join(str(p) for p in periods)


def opening_on(
    schedules: Sequence[Schedule],
    day: dt.date,
    *,
    nation: str = DEFAULT_NATION,
    holiday_schedules: Sequence[HolidaySchedule] = (),
    status: str | None = "active",
    bank_holiday_opening: str | None = None,
    calendar: BankHolidayCalendar | None = None,
) -> Opening:
    """Whether a service opens at all on a day, and when.

    ``bank_holiday_opening`` is "open", "closed" or None (unknown: call first).
    """
    calendar = calendar or load_bank_holidays()
    status_answer = _status_opening(status)
    if status_answer is not None:
        return status_answer

    for holiday in holiday_schedules:
        if holiday.start_date <= day <= holiday.end_date:
            span = f"{_fmt_date(holiday.start_date)} to {_fmt_date(holiday.end_date)}"
            if holiday.closed or holiday.opens_at is None:
                return Opening(OpenState.CLOSED, f"closed for the holiday, {span}")
            period = Period(holiday.opens_at, holiday.closes_at)
            return Opening(OpenState.OPEN, f"holiday hours {period} ({span})", (period,))

    if not schedules:
        return Opening(OpenState.UNKNOWN, "no opening hours published; call first")

    structured = [s for s in schedules if is_structured(s)]
    if not structured:
        text = "; ".join(s.description for s in schedules if s.description)
        reason = "opening hours are only given as text"
        return Opening(OpenState.UNKNOWN, f"{reason}: {text}" if text else f"{reason}; call first")

    in_force = [s for s in structured if is_in_force(s, day)]
    if not in_force:
        ended = [e for s in structured if (e := _end_date(s)) is not None and e < day]
        if ended and len(ended) == len(structured):
            return Opening(
                OpenState.UNKNOWN,
                f"published hours ended on {max(ended).isoformat()}; call first",
            )
        return Opening(OpenState.UNKNOWN, f"no published hours cover {_fmt_date(day)}; call first")

    periods = tuple(_period_of(s) for s in in_force if recurs_on(s, day))
    if not periods:
        return Opening(OpenState.CLOSED, f"not open on {WEEKDAY_NAMES[day.weekday()]}s")

    holiday = calendar.holiday_on(day, nation) if calendar.covers(day) else None
    if holiday is not None:
        if bank_holiday_opening == "closed":
            return Opening(OpenState.CLOSED, f"closed on bank holidays ({holiday.title})", bank_holiday=holiday.title)
        if bank_holiday_opening != "open":
            return Opening(
                OpenState.BANK_HOLIDAY,
                f"{holiday.title} is a bank holiday; usually open {_join_periods(periods)}; call first",
                periods,
                bank_holiday=holiday.title,
            )
    reason = f"open {_join_periods(periods)}"
    if not calendar.covers(day):
        reason += f" (bank holidays after {calendar.last_year} are not known)"
    return Opening(OpenState.OPEN, reason, periods, bank_holiday=holiday.title if holiday else None)


def _status_opening(status: str | None) -> Opening | None:
    status = (status or "active").strip().lower()
    if status == "temporarily closed":
        return Opening(OpenState.CLOSED, "the service is temporarily closed")
    if status in ("inactive", "defunct"):
        return Opening(OpenState.CLOSED, f"the service is not running (status: {status})")
    return None


def to_uk_local(moment: dt.datetime) -> dt.datetime:
    """UK wall-clock time for a moment; naive datetimes are taken as UK time already."""
    if moment.tzinfo is None:
        return moment
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(UK_TIMEZONE)).replace(tzinfo=None)


def opening_at(
    schedules: Sequence[Schedule],
    moment: dt.datetime,
    *,
    nation: str = DEFAULT_NATION,
    holiday_schedules: Sequence[HolidaySchedule] = (),
    status: str | None = "active",
    bank_holiday_opening: str | None = None,
    calendar: BankHolidayCalendar | None = None,
) -> Opening:
    """Whether a service is open at a moment (aware, or naive UK time)."""
    local = to_uk_local(moment)
    now = local.time()
    options = dict(
        nation=nation,
        holiday_schedules=holiday_schedules,
        status=status,
        bank_holiday_opening=bank_holiday_opening,
        calendar=calendar,
    )
    today = opening_on(schedules, local.date(), **options)

    # An overnight opening that started yesterday may still be running.
    yesterday = opening_on(schedules, local.date() - dt.timedelta(days=1), **options)
    if yesterday.state in (OpenState.OPEN, OpenState.BANK_HOLIDAY):
        for period in yesterday.periods:
            if period.spills_over(now):
                state = yesterday.state
                return Opening(state, f"open until {period.closes:%H:%M} (from last night)", (period,), yesterday.bank_holiday)

    if today.state not in (OpenState.OPEN, OpenState.BANK_HOLIDAY):
        return today
    for period in today.periods:
        if period.contains(now):
            if today.state is OpenState.BANK_HOLIDAY:
                return Opening(
                    OpenState.BANK_HOLIDAY,
                    f"{today.bank_holiday} is a bank holiday; usually open now until {period.closes:%H:%M}; call first",
                    (period,),
                    today.bank_holiday,
                )
            until = "all day" if period.opens == period.closes else f"until {period.closes:%H:%M}"
            return Opening(OpenState.OPEN, f"open now {until}", (period,), today.bank_holiday)
    untimed = [p for p in today.periods if not p.has_times]
    if untimed:
        return Opening(OpenState.UNKNOWN, "open today but no times were given; call first", today.periods)
    later = sorted(p.opens for p in today.periods if p.opens > now)
    if later:
        return Opening(OpenState.CLOSED, f"closed now; opens at {later[0]:%H:%M} today", today.periods)
    return Opening(OpenState.CLOSED, f"closed now; today's hours were {_join_periods(today.periods)}", today.periods)


def is_open_at(schedules: Sequence[Schedule], moment: dt.datetime, **options) -> bool:
    """True only when the schedules say open (not unknown, not bank-holiday maybe)."""
    return opening_at(schedules, moment, **options).is_open


def service_opening_at(
    service: Service,
    moment: dt.datetime,
    *,
    nation: str = DEFAULT_NATION,
    service_at_location: ServiceAtLocation | None = None,
    calendar: BankHolidayCalendar | None = None,
) -> Opening:
    """:func:`opening_at` for a service (at one of its sites, if given)."""
    return opening_at(
        service.schedules_for(service_at_location),
        moment,
        nation=nation,
        holiday_schedules=service.holiday_schedules,
        status=service.status,
        bank_holiday_opening=service.bank_holiday_opening,
        calendar=calendar,
    )


def service_opening_on(
    service: Service,
    day: dt.date,
    *,
    nation: str = DEFAULT_NATION,
    service_at_location: ServiceAtLocation | None = None,
    calendar: BankHolidayCalendar | None = None,
) -> Opening:
    """:func:`opening_on` for a service (at one of its sites, if given)."""
    return opening_on(
        service.schedules_for(service_at_location),
        day,
        nation=nation,
        holiday_schedules=service.holiday_schedules,
        status=service.status,
        bank_holiday_opening=service.bank_holiday_opening,
        calendar=calendar,
    )


def _day_names(weekdays: Iterable[int]) -> str:
    """{0,1,2,3,4} -> "Monday to Friday"; {0,2} -> "Monday and Wednesday"."""
    days = sorted(set(weekdays))
    runs: list[list[int]] = []
    for day in days:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{WEEKDAY_NAMES[run[0]]} to {WEEKDAY_NAMES[run[-1]]}")
        else:
            parts.extend(WEEKDAY_NAMES[d] for d in run)
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def describe_hours(schedules: Sequence[Schedule], today: dt.date) -> list[str]:
    """Readable lines for a referral slip: "Monday to Friday 09:00-17:00", "2nd Tuesday of the month 10:00-12:00".

    Plain weekly schedules with the same hours are merged into one line; expired
    schedules are left out; free-text-only schedules give their text.
    """
    weekly: dict[tuple, set[int]] = {}
    lines: list[tuple[int, str]] = []  # (sort key, text)
    for schedule in schedules:
        if is_expired(schedule, today):
            continue
        period = _period_of(schedule)
        times = str(period) if period.has_times else ""
        if not is_structured(schedule):
            if schedule.description:
                lines.append((99, schedule.description))
            continue
        freq = _freq(schedule)
        parsed = [p for p in (_parse_byday(c) for c in schedule.byday) if p is not None]
        if freq == "WEEKLY" and (schedule.interval or 1) == 1 and parsed and all(o is None for o, _ in parsed):
            weekly.setdefault((schedule.opens_at, schedule.closes_at, times), set()).update(d for _, d in parsed)
            continue
        days: list[str] = []
        for ordinal, weekday in parsed:
            name = WEEKDAY_NAMES[weekday]
            if ordinal is not None:
                days.append(f"{_ORDINALS.get(ordinal, f'{ordinal}th')} {name} of the month")
            elif freq == "MONTHLY":
                days.append(f"every {name}")
            else:
                days.append(name)
        if schedule.bymonthday and freq == "MONTHLY":
            days.append("day " + ", ".join(str(d) for d in schedule.bymonthday) + " of the month")
        if freq == "DAILY":
            days.append("every day")
        if not days and schedule.dtstart is not None:
            days.append(WEEKDAY_NAMES[schedule.dtstart.weekday()])
        when = " and ".join(days)
        if (schedule.interval or 1) > 1:
            unit = "weeks" if freq == "WEEKLY" else "months" if freq == "MONTHLY" else "days"
            when += f" (every {schedule.interval} {unit})"
        first_day = min((d for _, d in parsed), default=7)
        lines.append((10 + first_day, f"{when} {times}".strip()))
    for (opens, _closes, times), weekdays in weekly.items():
        sort_key = min(weekdays) + (opens.hour / 24 if opens else 0) / 10
        lines.append((sort_key, f"{_day_names(weekdays)} {times}".strip()))
    return [text for _, text in sorted(lines, key=lambda item: item[0])]


# --------------------------------------------------------------------------
# The week as integers (what the search index stores)
# --------------------------------------------------------------------------

SLOT_MINUTES = 15
SLOTS_PER_DAY = 24 * 60 // SLOT_MINUTES
HALF_DAY_SLOTS = SLOTS_PER_DAY // 2
"""A day is two integers of 48 quarter-hour bits (SQLite integers hold 64), so the week is 14."""

WeeklyHours = tuple[tuple[tuple[int, ...], int, int], ...]
"""Plain weekly hours, one entry per schedule in the feed's order: (weekdays, opens, closes),
times in minutes after midnight."""


def _chosen_schedules(service: Service) -> list[Schedule] | None:
    """The one set of schedules that applies at every site of a service, or None if sites differ."""
    site_sets = [sal.schedules for sal in service.service_at_locations if sal.schedules]
    if service.schedules and not site_sets:
        return list(service.schedules)
    if not service.schedules and len(service.service_at_locations) == 1 and site_sets:
        return list(site_sets[0])
    if not service.schedules and not site_sets:
        return []
    return None



def _plain_weekly_days(schedule) -> list | None:
    """The parsed BYDAY codes of a schedule that repeats every week, all year, at fixed times;
    None for anything else (intervals, month days, date ranges, nth weekdays), which the week
    as integers cannot hold."""
    parsed = [_parse_byday(code) for code in schedule.byday]
    plain = (
        _freq(schedule) == "WEEKLY"
        and (schedule.interval or 1) == 1
        and not schedule.bymonthday
        and schedule.valid_from is None and schedule.valid_to is None
        and schedule.dtstart is None and schedule.until is None
        and parsed and all(p is not None and p[0] is None for p in parsed)
        and schedule.opens_at is not None and schedule.closes_at is not None
    )
    return parsed if plain else None

def weekly_hours(service: Service) -> WeeklyHours | None:
    """A service's hours as plain weekly ones, exact to the quarter-hour, or None when they are not.

    None for anything :func:`opening_at` would treat differently from a weekly timetable:
    holiday closures, monthly/dated/interval rules, days without times, times off the
    quarter-hour, hours that differ between sites. An empty tuple means no hours published.
    """
    if service.holiday_schedules:
        return None
    chosen = _chosen_schedules(service)
    if chosen is None:
        return None
    found = []
    for schedule in chosen:
        parsed = _plain_weekly_days(schedule)
        if parsed is None:
            return None
        times = []
        for moment in (schedule.opens_at, schedule.closes_at):
            if moment.second or moment.microsecond or moment.minute % SLOT_MINUTES:
                return None
            times.append(moment.hour * 60 + moment.minute)
        found.append((tuple(weekday for _ordinal, weekday in parsed), times[0], times[1]))
    return tuple(found)


def encode_weekly_hours(hours: WeeklyHours) -> str:
    """"0,2:540-1020;5:600-720": compact text for the index row (read back by decode_weekly_hours)."""
    return ";".join(f"{','.join(map(str, days))}:{opens}-{closes}" for days, opens, closes in hours)


def decode_weekly_hours(text: str | None) -> WeeklyHours:
    found = []
    for part in (text or "").split(";"):
        if part:
            days, times = part.split(":")
            opens, closes = times.split("-")
            found.append((tuple(int(d) for d in days.split(",")), int(opens), int(closes)))
    return tuple(found)


def week_bitmap(hours: WeeklyHours) -> tuple[int, list[int]]:
    """(days bitmask, 14 half-day integers): bit d of the mask is set when the service opens on
    weekday d; bit s of integer 2*d + s//48 when it is open for the whole quarter-hour s of day d.
    Exact (not just "may be open") because :func:`weekly_hours` only accepts quarter-hour times."""
    week_slots = 7 * SLOTS_PER_DAY
    bits = 0  # one bit per quarter-hour of the week, Monday 00:00 first
    days_mask = 0

    def mark(start: int, end: int) -> None:  # minutes from Monday 00:00, end exclusive
        nonlocal bits
        first, last = start // SLOT_MINUTES, end // SLOT_MINUTES
        if last > first:
            bits |= ((1 << (last - first)) - 1) << first

    for days, opens, closes in hours:
        for weekday in days:
            days_mask |= 1 << weekday
            base = weekday * 24 * 60
            if opens == closes:
                mark(base, base + 24 * 60)
            elif closes > opens:
                mark(base + opens, base + closes)
            else:  # past midnight: into the next day (Sunday night runs into Monday)
                mark(base + opens, base + 24 * 60)
                nxt = (base + 24 * 60) % (7 * 24 * 60)
                mark(nxt, nxt + closes)
    bits &= (1 << week_slots) - 1
    half_mask = (1 << HALF_DAY_SLOTS) - 1
    return days_mask, [(bits >> (half * HALF_DAY_SLOTS)) & half_mask for half in range(14)]


def week_slot(moment: dt.datetime) -> tuple[int, int]:
    """(which of the 14 integers, which bit) holds a UK local moment's quarter-hour."""
    slot = moment.weekday() * SLOTS_PER_DAY + (moment.hour * 60 + moment.minute) // SLOT_MINUTES
    return slot // HALF_DAY_SLOTS, slot % HALF_DAY_SLOTS


def schedules_from_weekly_hours(hours: WeeklyHours) -> list[Schedule]:
    """The weekly hours back as schedules (same order), so every answer comes from :func:`opening_at`."""
    return [
        Schedule(
            freq="WEEKLY",
            byday=[WEEKDAY_CODES[d] for d in days],
            opens_at=dt.time(opens // 60, opens % 60),
            closes_at=dt.time(closes // 60, closes % 60),
        )
        for days, opens, closes in hours
    ]


def weekly_pattern(service: Service) -> tuple[str | None, str | None]:
    """The older, conservative form of the week ("1" = may be open for part of the quarter-hour,
    672 characters) kept for callers of ``store.weekly_pattern``; the index uses :func:`week_bitmap`.
    Temporarily closed or not running: closed all week. Anything unusual: (None, None)."""
    status = (service.status or "active").strip().lower()
    if status in ("temporarily closed", "inactive", "defunct"):
        return "0" * (7 * SLOTS_PER_DAY), "0" * 7
    if service.holiday_schedules:
        return None, None
    chosen = _chosen_schedules(service)
    if not chosen:
        return None, None
    minutes_per_week = 7 * 24 * 60
    slots = bytearray(b"0" * (7 * SLOTS_PER_DAY))
    days = bytearray(b"0" * 7)

    def mark(start: int, end: int) -> None:
        for slot in range(start // SLOT_MINUTES, (end - 1) // SLOT_MINUTES + 1):
            slots[slot % len(slots)] = ord("1")

    for schedule in chosen:
        parsed = _plain_weekly_days(schedule)
        if parsed is None:
            return None, None
        opens = schedule.opens_at.hour * 60 + schedule.opens_at.minute
        closes = schedule.closes_at.hour * 60 + schedule.closes_at.minute
        for _ordinal, weekday in parsed:
            days[weekday] = ord("1")
            base = weekday * 24 * 60
            if opens == closes:
                mark(base, base + 24 * 60)
            elif closes > opens:
                mark(base + opens, base + closes)
            else:
                mark(base + opens, base + 24 * 60)
                mark((base + 24 * 60) % minutes_per_week, (base + 24 * 60) % minutes_per_week + closes)
    return slots.decode(), days.decode()
