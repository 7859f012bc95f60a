"""What the passport shows: a timeline, totals, a weekly work-search summary, history, and the
employment spells the bonus plugin reads. Read-only; no Textual.

``employment_spells(db, resident_id)`` and ``training_entries(db, resident_id)`` answer the core's
``resident_employment`` and ``resident_training`` hooks, which other plugins (the bonus checks, the
journey's outcomes) call: paid jobs, and courses and qualifications, as the passport records them, so
nobody re-keys them. Their shapes are the core's (``hub.records``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Mapping

from hub.api import EmploymentSpell, TrainingRecord
from plugins.passport.kinds import ACTIVITIES, BUILTIN_KINDS, EntryKind, label_for
from plugins.passport.model import (
    CONTENT_FIELDS,
    EVIDENCE_TYPES,
    PAY_PERIODS,
    QUALIFICATION_LEVELS,
    VERIFICATION_FIELDS,
    VERIFICATION_LEVELS,
    entry_hours,
    uk_date,
    weekly_pay,
)
from plugins.passport.skills import skill_label
from plugins.passport.storage import CHANGES, current_entries, versions_of

if TYPE_CHECKING:
    from sqlite_utils import Database


def timeline(db: "Database", resident_id: int, *, include_withdrawn: bool = False) -> list[dict[str, Any]]:
    """The resident's entries as they stand now, newest activity first (dicts, lists decoded)."""
    return current_entries(db, resident_id, include_withdrawn=include_withdrawn)


# -- employment spells (for the bonus plugin) ----------------------------------------------------


# The shapes are the core's (hub.records), so other plugins read them through the core's
# resident_employment / resident_training hooks without importing the passport.
TrainingEntry = TrainingRecord  # the older name; EmploymentSpell is re-exported by the import above


def employment_spells(db: "Database", resident_id: int) -> list[EmploymentSpell]:
    """Paid jobs from the resident's passport, oldest start first; withdrawn entries and old
    versions are left out. Safe to call from any plugin with the hub's ``db``."""
    if "passport_entries" not in db.table_names():
        return []
    spells = []
    for row in current_entries(db, resident_id):
        if not row["paid_work"]:
            continue
        spells.append(
            EmploymentSpell(
                entry_id=row["root_id"], version_id=row["id"], kind=row["kind"], employer=row["provider"], role=row["role"],
                start=date.fromisoformat(row["start_date"]),
                end=date.fromisoformat(row["end_date"]) if row["end_date"] and not row["ongoing"] else None,
                ongoing=bool(row["ongoing"]), hours_per_week=row["hours_per_week"], pay_amount=row["pay_amount"],
                pay_period=row["pay_period"], weekly_pay=weekly_pay(row["pay_amount"], row["pay_period"], row["hours_per_week"]),
                evidence_seen=tuple(row["evidence"]), verification_level=row["verification_level"],
                verified_by=row["verified_by"],
                verified_at=date.fromisoformat(row["verified_at"]) if row["verified_at"] else None,
                recorded_at=row["recorded_at"], recorded_by=row["recorded_by"],
            )
        )
    return sorted(spells, key=lambda spell: (spell.start, spell.entry_id))


def training_entries(db: "Database", resident_id: int) -> list[TrainingEntry]:
    """Training and education from the resident's passport, oldest start first: entries whose kind counts
    its hours as training (courses and qualifications, and any unpaid kind a plugin puts in that bucket).

    Volunteering, work experience and paid work are not training. Withdrawn entries and old versions
    are left out, as in ``employment_spells``, so the journey can count "into training or education"
    without staff re-keying it. Returns ``[]`` on a site without the passport's tables."""
    if "passport_entries" not in db.table_names():
        return []
    entries = [
        TrainingEntry(
            entry_id=row["root_id"], version_id=row["id"], kind=row["kind"], title=row["title"], provider=row["provider"],
            start=date.fromisoformat(row["start_date"]),
            end=date.fromisoformat(row["end_date"]) if row["end_date"] and not row["ongoing"] else None,
            ongoing=bool(row["ongoing"]), qualification_level=row["qualification_level"], result=row["result"],
            verification_level=row["verification_level"], recorded_at=row["recorded_at"],
        )
        for row in current_entries(db, resident_id)
        if row["bucket"] == "training" and not row["paid_work"]
    ]
    return sorted(entries, key=lambda entry: (entry.start, entry.entry_id))


# -- totals --------------------------------------------------------------------------------------


@dataclass
class Totals:
    training_hours: float = 0.0
    volunteering_hours: float = 0.0
    work_experience_hours: float = 0.0
    jobs_held: int = 0
    """Paid jobs and self-employment, past and present."""
    current_jobs: int = 0
    entries: int = 0
    without_hours: int = 0
    """Training, volunteering and work-experience entries with no hours recorded (not in the sums)."""
    by_level: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def lines(self) -> list[str]:
        parts = [
            f"Training {self.training_hours:g} h",
            f"Volunteering {self.volunteering_hours:g} h",
            f"Work experience {self.work_experience_hours:g} h",
            f"Jobs held {self.jobs_held}" + (f" ({self.current_jobs} now)" if self.current_jobs else ""),
        ]
        out = ["  ·  ".join(parts)]
        if self.without_hours:
            out.append(f"{self.without_hours} entr{'y has' if self.without_hours == 1 else 'ies have'} no hours recorded.")
        return out


def totals(entries: list[Mapping[str, Any]], today: date | None = None) -> Totals:
    """Hours of training, volunteering and work experience (per-week hours count to the end, or
    to today while ongoing), and jobs held. Withdrawn entries are not counted."""
    today = today or date.today()
    result = Totals(by_level={level: 0 for level in VERIFICATION_LEVELS})
    for entry in entries:
        if entry.get("withdrawn"):
            continue
        result.entries += 1
        level = entry["verification_level"]
        result.by_level[level] = result.by_level.get(level, 0) + 1
        bucket = entry.get("bucket")
        if bucket == "jobs":
            result.jobs_held += 1
            result.current_jobs += 1 if entry["ongoing"] else 0
            continue
        if bucket not in ("training", "volunteering", "work_experience"):
            continue
        hours = entry_hours(entry, today)
        if hours is None:
            result.without_hours += 1
            continue
        name = f"{bucket}_hours"
        setattr(result, name, round(getattr(result, name) + hours, 2))
    return result


# -- the weekly work search and preparation summary ----------------------------------------------


@dataclass
class WeekItem:
    entry_id: int
    kind: str
    title: str
    provider: str | None
    activity: str
    start: date
    end: date | None
    hours: float | None
    """Hours in this week: per-week hours pro rata, or the total spread over the days it ran."""
    verification_level: str


@dataclass
class WeekSummary:
    week_start: date
    week_end: date
    items: list[WeekItem]
    work_search_hours: float
    work_preparation_hours: float
    without_hours: int

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("week_start", "week_end"):
            data[key] = data[key].isoformat()
        for item in data["items"]:
            item["start"] = item["start"].isoformat()
            item["end"] = item["end"].isoformat() if item["end"] else None
        return data


def week_of(day: date) -> tuple[date, date]:
    """Monday to Sunday around ``day``."""
    start = day - timedelta(days=day.weekday())
    return start, start + timedelta(days=6)


def weekly_summary(entries: list[Mapping[str, Any]], day: date, today: date | None = None) -> WeekSummary:
    """Work search and work preparation in the week (Monday to Sunday) holding ``day``."""
    today = today or date.today()
    week_start, week_end = week_of(day)
    items: list[WeekItem] = []
    sums = {"work_search": 0.0, "work_preparation": 0.0}
    without = 0
    for entry in entries:
        if entry.get("withdrawn") or entry["activity"] not in sums:
            continue
        start = date.fromisoformat(entry["start_date"])
        end = date.fromisoformat(entry["end_date"]) if entry.get("end_date") else None
        last = end or max(today, start)
        overlap = (min(last, week_end) - max(start, week_start)).days + 1
        if overlap <= 0:
            continue
        if entry.get("hours_per_week") is not None:
            hours = round(entry["hours_per_week"] * overlap / 7, 2)
        elif entry.get("hours_total") is not None:
            span = (last - start).days + 1
            hours = round(entry["hours_total"] * overlap / span, 2)
        else:
            hours = None
            without += 1
        if hours is not None:
            sums[entry["activity"]] += hours
        items.append(WeekItem(entry["root_id"], entry["kind"], entry["title"], entry.get("provider"), entry["activity"],
                              start, end, hours, entry["verification_level"]))
    items.sort(key=lambda item: (item.start, item.entry_id))
    return WeekSummary(week_start, week_end, items, round(sums["work_search"], 2), round(sums["work_preparation"], 2), without)


def format_week(summary: WeekSummary, kinds: Mapping[str, EntryKind] | None = None) -> list[str]:
    """The weekly summary as lines a work coach can read (on screen or printed)."""
    lines = [
        f"Work search and preparation, week of {uk_date(summary.week_start)} to {uk_date(summary.week_end)}",
        f"Work search: {summary.work_search_hours:g} h   Work preparation: {summary.work_preparation_hours:g} h",
    ]
    if not summary.items:
        lines.append("Nothing recorded this week.")
        return lines
    for item in summary.items:
        when = uk_date(item.start) if item.end == item.start else f"{uk_date(item.start)} to {uk_date(item.end) if item.end else 'now'}"
        hours = f"{item.hours:g} h" if item.hours is not None else "hours not recorded"
        at = f", {item.provider}" if item.provider else ""
        lines.append(
            f"- {ACTIVITIES[item.activity]}: {label_for(item.kind, kinds)}: {item.title}{at} ({when}; {hours}; "
            f"{VERIFICATION_LEVELS[item.verification_level].label.lower()})"
        )
    if summary.without_hours:
        lines.append(f"{summary.without_hours} activit{'y has' if summary.without_hours == 1 else 'ies have'} no hours recorded.")
    return lines


# -- one entry, described ------------------------------------------------------------------------


def dates_text(entry: Mapping[str, Any]) -> str:
    start = uk_date(entry["start_date"])
    if entry.get("ongoing"):
        return f"{start} to now"
    if not entry.get("end_date") or entry["end_date"] == entry["start_date"]:
        return start
    return f"{start} to {uk_date(entry['end_date'])}"


def hours_text(entry: Mapping[str, Any]) -> str:
    parts = []
    if entry.get("hours_total") is not None:
        parts.append(f"{entry['hours_total']:g} h")
    if entry.get("hours_per_week") is not None:
        parts.append(f"{entry['hours_per_week']:g} h/week")
    return ", ".join(parts)


def verification_text(entry: Mapping[str, Any]) -> str:
    level = VERIFICATION_LEVELS[entry["verification_level"]]
    if entry["verification_level"] == "self_declared":
        return level.label
    seen = ", ".join(EVIDENCE_TYPES[e].lower() for e in entry.get("evidence") or [])
    text = level.label + (f" ({seen})" if seen and entry["verification_level"] == "document_seen" else "")
    if entry.get("verified_by"):
        text += f" by {entry['verified_by']}"
    if entry.get("verified_at"):
        text += f" on {uk_date(entry['verified_at'])}"
    return text


def pay_text(entry: Mapping[str, Any]) -> str:
    if entry.get("pay_amount") is None:
        return ""
    return f"£{entry['pay_amount']:,.2f} {PAY_PERIODS.get(entry['pay_period'], '')}".strip()


def describe(entry: Mapping[str, Any], kinds: Mapping[str, EntryKind] | None = None) -> list[tuple[str, str]]:
    """(label, value) pairs for showing one entry; empty values are left out."""
    kinds = kinds or BUILTIN_KINDS
    kind = kinds.get(entry["kind"])
    rows = [
        ("Kind", label_for(entry["kind"], kinds)),
        ("Title", entry["title"]),
        ((kind.provider_label if kind else "Provider"), entry.get("provider") or ""),
        ("Role", entry.get("role") or ""),
        ("Dates", dates_text(entry)),
        ("Hours", hours_text(entry)),
        ("Pay", pay_text(entry)),
        ("Result", entry.get("result") or ""),
        ("Level", QUALIFICATION_LEVELS.get(entry.get("qualification_level") or "", "")),
        ("Counts as", ACTIVITIES[entry["activity"]] if entry["activity"] != "none" else ""),
        ("Skills", ", ".join(skill_label(s) for s in entry.get("skills") or [])),
        ("Documents seen", ", ".join(EVIDENCE_TYPES[e] for e in entry.get("evidence") or [])),
        ("Verification", verification_text(entry)),
        ("Note", entry.get("verification_note") or ""),
        ("Description", entry.get("description") or ""),
    ]
    return [(label, value) for label, value in rows if value]


# -- history ---------------------------------------------------------------------------------------

FIELD_LABELS = {
    "kind": "kind", "title": "title", "provider": "provider", "role": "role", "description": "description",
    "start_date": "start", "end_date": "end", "ongoing": "ongoing", "hours_total": "total hours",
    "hours_per_week": "hours a week", "pay_amount": "pay", "pay_period": "pay period", "result": "result",
    "qualification_level": "level", "skills": "skills", "activity": "work search/preparation", "evidence": "documents seen",
    "verification_level": "verification", "verified_by": "verified by", "verified_at": "verified on",
    "verification_note": "verification note", "withdrawn": "withdrawn",
}


@dataclass
class Change:
    version: int
    version_id: int
    change: str
    """"added", "corrected", "verified" or "withdrawn"."""
    by: str
    at: str
    terminal: str | None
    reason: str | None
    fields: list[tuple[str, Any, Any]]
    """(field, before, after) for each field this version changed."""

    def summary(self) -> str:
        head = f"v{self.version} {CHANGES[self.change].lower()} by {self.by} on {uk_date(self.at[:10])} {self.at[11:16]} UTC"
        if self.reason:
            head += f": {self.reason}"
        return head


def history(db: "Database", entry_id: int) -> list[Change]:
    """Who changed what in one entry (by its stable id), oldest first."""
    versions = versions_of(db, entry_id)
    changes: list[Change] = []
    previous: dict[str, Any] | None = None
    for version in versions:
        changed: list[tuple[str, Any, Any]] = []
        if previous is not None:
            for name in (*CONTENT_FIELDS, *VERIFICATION_FIELDS, "withdrawn"):
                if version.get(name) != previous.get(name):
                    changed.append((name, previous.get(name), version.get(name)))
        changes.append(Change(version["version"], version["id"], version["change"], version["recorded_by"], version["recorded_at"],
                              version.get("terminal"), version.get("change_reason"), changed))
        previous = version
    return changes


def history_lines(changes: list[Change]) -> list[str]:
    lines = []
    for change in changes:
        lines.append(change.summary())
        for name, before, after in change.fields:
            lines.append(f"    {FIELD_LABELS.get(name, name)}: {_short(before)} → {_short(after)}")
    return lines


def _short(value: Any) -> str:
    if value is None or value == [] or value == "":
        return "(none)"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, float):
        return f"{value:g}"
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"
