"""Jobs and training from the work passport: job starts, sustainment at 4, 13 and 26 weeks, the
checks due, and "into training or education".

Nobody re-keys a job or a course: the core's ``resident_employment`` and ``resident_training``
hooks (the passport implements them) are the source. To keep reports fast, the journey keeps a
copy of each resident's spells in ``journey_spells`` and of their courses and qualifications (dates
only) in ``journey_training``, refreshed for exactly the residents whose records changed, as each
provider's ``employment_changes`` says; ``sync_spells`` does that before anything reads the copies.

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

from hub.api import now_iso
from hub.api import write_transaction
from plugins.journey.model import SUSTAINMENT_WEEKS
from plugins.journey.storage import get_state, set_state

if TYPE_CHECKING:
    from sqlite_utils import Database

    from hub.api import Hub

TOKEN_KEY = "employment_token:{plugin}"
"""journey_state key: each provider's ``employment_changes`` token, as it last answered."""


def sync_spells(hub: "Hub") -> int:
    """Copy the jobs and training of residents whose records changed, from every plugin that provides them
    (the core's ``employment_changes``, ``resident_employment`` and ``resident_training`` hooks); return how many
    residents. ``hub.db`` may be a worker's own connection (``hub.using_database``)."""
    providers = hub.plugins.implementers("employment_changes")
    if not providers:
        return 0
    db = hub.db
    with write_transaction(db):  # under the write lock: another kiosk may be syncing too
        changed: set[int] = set()
        tokens: dict[str, str] = {}
        for plugin in providers:
            key = TOKEN_KEY.format(plugin=plugin)
            since = get_state(db, key)
            answers = hub.plugins.call("employment_changes", only=plugin, hub=hub, since=since)
            if not answers:
                continue
            changes = answers[0].value
            if changes.token == since and not changes.resident_ids:
                continue
            changed.update(int(rid) for rid in changes.resident_ids)
            if changes.everything:  # the provider cannot say what changed: what we copied may be stale too
                changed.update(row[0] for row in db.execute("select resident_id from journey_spells union "
                                                            "select resident_id from journey_training"))
            tokens[key] = changes.token
        if not changed and not tokens:
            return 0
        marks = ", ".join("?" for _ in changed)
        live = [row[0] for row in db.execute(
            f"select id from residents where id in ({marks}) and erased_at is null order by id", sorted(changed))] if changed else []
        stamp = now_iso()
        rows: list[dict[str, Any]] = []
        training: list[dict[str, Any]] = []
        for resident_id in live:
            db.execute("delete from journey_spells where resident_id = ?", [resident_id])
            db.execute("delete from journey_training where resident_id = ?", [resident_id])
            training += [
                {"entry_id": entry.entry_id, "resident_id": resident_id, "kind": entry.kind,
                 "start_date": entry.start.isoformat(), "synced_at": stamp}
                for entry in (result.value for result in hub.plugins.call_flat("resident_training", hub=hub, resident_id=resident_id))
            ]
            for spell in (result.value for result in hub.plugins.call_flat("resident_employment", hub=hub, resident_id=resident_id)):
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
        for key, token in tokens.items():
            set_state(db, key, token)
    return len(live)


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
