"""Jobs and training from the work passport: job starts, sustainment at 4, 13 and 26 weeks, the
checks due, and "into training or education".

Nobody re-keys a job or a course: the passport's ``employment_spells(db, resident_id)`` and
``training_entries(db, resident_id)`` are the source. To keep reports fast, the journey keeps a
copy of each resident's spells in ``journey_spells`` and of their courses and qualifications (dates
only) in ``journey_training``, refreshed for exactly the residents whose passport changed. Passport
entries are never overwritten (every change is a new row with a higher id), so "entries with an id
above the last one we read" finds every change; ``sync_spells`` does that before anything reads
the copies.

Sustainment (see docs/journey.md): the N-week milestone of a job is the day its Nth week is
complete (start + 7N - 1 days). It counts once we know the resident was still in that job on
that day: the job ended on or after it, or the passport entry was saved or verified on or after
it while ongoing, or a sustainment check recorded them still in work on or after it. Until then
the milestone is on the follow-up list. Jobs that started before registration are not programme
outcomes and are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from hub.residents import now_iso
from hub.storage import write_transaction
from plugins.journey.model import SUSTAINMENT_WEEKS
from plugins.journey.storage import get_state, set_state

if TYPE_CHECKING:
    from sqlite_utils import Database

WATERMARK = "passport_watermark"
"""journey_state key: the highest passport_entries id already copied."""


def passport_available(db: "Database") -> bool:
    return "passport_entries" in db.table_names()


def _passport_views():
    try:
        from plugins.passport import views
    except ImportError:  # the passport is not installed on this site
        return None
    return views


def sync_spells(db: "Database") -> int:
    """Copy the passport's employment spells and training for residents whose entries changed; return how many residents."""
    if not passport_available(db):
        return 0
    views = _passport_views()
    if views is None:
        return 0
    top = db.execute("select max(id) from passport_entries").fetchone()[0] or 0
    if top <= int(get_state(db, WATERMARK) or 0):
        return 0
    with write_transaction(db):
        mark = int(get_state(db, WATERMARK) or 0)  # again, under the write lock: another kiosk may have synced
        top = db.execute("select max(id) from passport_entries").fetchone()[0] or 0
        if top <= mark:
            return 0
        changed = [row[0] for row in db.execute(
            "select distinct p.resident_id from passport_entries p join residents r on r.id = p.resident_id "
            "where p.id > ? and r.erased_at is null", [mark])]
        stamp = now_iso()
        rows: list[dict[str, Any]] = []
        training: list[dict[str, Any]] = []
        for resident_id in changed:
            db.execute("delete from journey_spells where resident_id = ?", [resident_id])
            db.execute("delete from journey_training where resident_id = ?", [resident_id])
            training += [
                {"entry_id": entry.entry_id, "resident_id": resident_id, "kind": entry.kind,
                 "start_date": entry.start.isoformat(), "synced_at": stamp}
                for entry in views.training_entries(db, resident_id)
            ]
            for spell in views.employment_spells(db, resident_id):
                confirmed = max(filter(None, [spell.recorded_at[:10], spell.verified_at.isoformat() if spell.verified_at else None]))
                rows.append({
                    "entry_id": spell.entry_id, "resident_id": resident_id, "kind": spell.kind, "employer": spell.employer,
                    "role": spell.role, "start_date": spell.start.isoformat(),
                    "end_date": spell.end.isoformat() if spell.end else None, "ongoing": int(spell.ongoing),
                    "hours_per_week": spell.hours_per_week, "verification_level": spell.verification_level,
                    "confirmed_on": confirmed, "synced_at": stamp,
                })
        if rows:
            db["journey_spells"].insert_all(rows)
        if training:
            db["journey_training"].insert_all(training)
        set_state(db, WATERMARK, str(top))
    return len(changed)


def forget_for_erasure(db: "Database", resident_id: int) -> None:
    """Inside an erasure: lower the watermark below the erased resident's entries.

    The passport deletes their rows; SQLite may then hand the same ids to someone else's new
    entries, which a watermark above them would miss. Re-reading a resident is harmless.
    """
    if not passport_available(db):
        return
    mark = int(get_state(db, WATERMARK) or 0)
    others = db.execute("select max(id) from passport_entries where resident_id != ?", [resident_id]).fetchone()[0] or 0
    own = db.execute("select min(id) from passport_entries where resident_id = ?", [resident_id]).fetchone()[0]
    lowest = min(mark, others) if own is None else min(mark, others, own - 1)
    set_state(db, WATERMARK, str(max(lowest, 0)))


# -- outcomes from spells --------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeEvent:
    """One outcome for one resident on one day, from wherever it came."""

    resident_id: int
    kind: str
    on: date
    source: str
    """"recorded" (staff recorded it), "passport" (a passport job or course), "check" (a sustainment check) or a
    plugin's name."""
    ref: int | None = None
    """The outcome's id (recorded) or the passport entry's id (passport, check)."""
    evidence: str | None = None


def milestone(start: date, weeks: int) -> date:
    """The day a job's ``weeks``th week is complete."""
    return start + timedelta(days=7 * weeks - 1)


def _confirmed_until(spell: Mapping[str, Any], checks: Iterable[Mapping[str, Any]]) -> tuple[date | None, bool]:
    """(The last day we know they were in this job, whether a check says they left)."""
    if spell["end_date"]:
        return date.fromisoformat(spell["end_date"]), True
    days = [date.fromisoformat(spell["confirmed_on"])] if spell.get("confirmed_on") else []
    left = False
    for check in checks:
        if check["result"] == "in_work":
            days.append(date.fromisoformat(check["checked_on"]))
        elif check["result"] == "left":
            left = True
    return (max(days) if days else None), left


def spell_events(spells: Iterable[Mapping[str, Any]], checks: Mapping[tuple[int, int], list[Mapping[str, Any]]],
                 registered: Mapping[int, date], today: date, *,
                 sustained_within: tuple[date, date] | None = None) -> list[OutcomeEvent]:
    """Job starts and sustainment milestones from the cached spells (jobs begun before registration left out).

    Every job start is returned; with ``sustained_within`` (first, last) only the sustainment
    milestones reached in that window are worked out (what a report needs, and much quicker)."""
    events: list[OutcomeEvent] = []
    longest = timedelta(days=7 * max(SUSTAINMENT_WEEKS) - 1)
    shortest = timedelta(days=7 * min(SUSTAINMENT_WEEKS) - 1)
    for spell in spells:
        resident_id = spell["resident_id"]
        start = date.fromisoformat(spell["start_date"])
        joined = registered.get(resident_id)
        if joined is None or start < joined or start > today:
            continue
        events.append(OutcomeEvent(resident_id, "job_start", start, "passport", spell["entry_id"]))
        if sustained_within and (start + shortest > sustained_within[1] or start + longest < sustained_within[0]):
            continue
        entry_checks = checks.get((resident_id, spell["entry_id"]), [])
        until, _ = _confirmed_until(spell, entry_checks)
        for weeks in SUSTAINMENT_WEEKS:
            day = milestone(start, weeks)
            if day > today or until is None or until < day:
                break
            if sustained_within and not sustained_within[0] <= day <= sustained_within[1]:
                continue
            by_check = not spell["end_date"] and not (spell.get("confirmed_on") and spell["confirmed_on"] >= day.isoformat())
            events.append(OutcomeEvent(resident_id, f"job_sustained_{weeks}", day, "check" if by_check else "passport",
                                       spell["entry_id"]))
    return events


TRAINING_KIND = "training_education"
"""The outcome kind the passport's courses and qualifications give."""


def training_events(courses: Iterable[Mapping[str, Any]], registered: Mapping[int, date], today: date, *,
                    recorded: Iterable[OutcomeEvent] = ()) -> list[OutcomeEvent]:
    """"Into training or education" from the copied passport courses: one on each course's start day.

    Courses begun before the resident registered are history, not programme outcomes, and are left
    out (as jobs are). A course starting on a day for which staff also recorded the outcome by hand
    (``recorded``, not withdrawn) is left to the recorded one, so one course is one event, not two."""
    by_hand = {(event.resident_id, event.on) for event in recorded
               if event.kind == TRAINING_KIND and event.source == "recorded"}
    events: list[OutcomeEvent] = []
    seen: set[tuple[int, date]] = set()
    for course in courses:
        resident_id = course["resident_id"]
        start = date.fromisoformat(course["start_date"])
        joined = registered.get(resident_id)
        if joined is None or start < joined or start > today:
            continue
        if (resident_id, start) in by_hand or (resident_id, start) in seen:
            continue  # one event per person per day: a course and its certificate on one day are one start
        seen.add((resident_id, start))
        events.append(OutcomeEvent(resident_id, TRAINING_KIND, start, "passport", course["entry_id"]))
    return events


def load_checks(db: "Database", resident_id: int | None = None) -> dict[tuple[int, int], list[dict[str, Any]]]:
    """Sustainment checks by (resident id, passport entry id), oldest first."""
    sql = "select resident_id, entry_id, weeks, result, checked_on from journey_checks"
    params: list[Any] = []
    if resident_id is not None:
        sql += " where resident_id = ?"
        params.append(resident_id)
    checks: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for row in db.query(sql + " order by id", params):
        checks.setdefault((row["resident_id"], row["entry_id"]), []).append(row)
    return checks


def registration_dates(db: "Database", resident_id: int | None = None) -> dict[int, date]:
    sql = "select id, substr(registered_at, 1, 10) as day from residents"
    params: list[Any] = []
    if resident_id is not None:
        sql += " where id = ?"
        params.append(resident_id)
    return {row[0]: date.fromisoformat(row[1]) for row in db.execute(sql, params)}


def outcome_events_for(db: "Database", resident_id: int, today: date | None = None, *,
                       training_from_passport: bool = True) -> list[OutcomeEvent]:
    """Every outcome of one resident: recorded ones (not withdrawn) and those from passport jobs and
    (unless the site switched it off) passport courses, newest first."""
    today = today or date.today()
    events = [
        OutcomeEvent(resident_id, row["kind"], date.fromisoformat(row["outcome_date"]), "recorded", row["id"], row["evidence"])
        for row in db.query("select * from journey_outcomes where resident_id = ? and withdrawn = 0", [resident_id])
    ]
    registered = registration_dates(db, resident_id)
    spells = list(db.query("select * from journey_spells where resident_id = ?", [resident_id]))
    derived = spell_events(spells, load_checks(db, resident_id), registered, today)
    if training_from_passport:
        courses = db.query("select * from journey_training where resident_id = ? order by start_date, entry_id", [resident_id])
        derived += training_events(courses, registered, today, recorded=events)
    events += derived
    return sorted(events, key=lambda event: (event.on, event.kind), reverse=True)


# -- the follow-up list ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckDue:
    resident_id: int
    entry_id: int
    weeks: int
    due_on: date
    start: date
    employer: str | None
    role: str | None

    def days_overdue(self, today: date) -> int:
        return (today - self.due_on).days


def checks_due(db: "Database", *, today: date | None = None, within_days: int = 7,
               resident_id: int | None = None) -> list[CheckDue]:
    """Ongoing passport jobs whose next sustainment milestone is past (or within ``within_days``) and not yet
    confirmed: one line per job, earliest first. A check recording that they left ends the job's checks."""
    today = today or date.today()
    horizon = today + timedelta(days=within_days)
    sql = ("select s.* from journey_spells s join residents r on r.id = s.resident_id "
           "where s.end_date is null and r.erased_at is null")
    params: list[Any] = []
    if resident_id is not None:
        sql += " and s.resident_id = ?"
        params.append(resident_id)
    spells = list(db.query(sql, params))
    if not spells:
        return []
    registered = registration_dates(db, resident_id)
    checks = load_checks(db, resident_id)
    due: list[CheckDue] = []
    for spell in spells:
        start = date.fromisoformat(spell["start_date"])
        joined = registered.get(spell["resident_id"])
        if joined is None or start < joined:
            continue
        until, left = _confirmed_until(spell, checks.get((spell["resident_id"], spell["entry_id"]), []))
        if left:
            continue
        for weeks in SUSTAINMENT_WEEKS:
            day = milestone(start, weeks)
            if until is not None and until >= day:
                continue
            if day <= horizon:
                due.append(CheckDue(spell["resident_id"], spell["entry_id"], weeks, day, start, spell["employer"], spell["role"]))
            break
    return sorted(due, key=lambda item: (item.due_on, item.resident_id, item.entry_id))
