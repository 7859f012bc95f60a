"""Passport entries as staff type them, and the rules that turn them into a clean record.

No Textual and no database here: the tab, the CLI and the tests all validate through
``validate_entry``, which raises ``hub.residents.ValidationError`` with a message per
field (the same error the core's forms use, so ``show_errors`` puts each on its field).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Mapping

from hub.api import ValidationError, clean_text, parse_date
from plugins.passport.kinds import ACTIVITIES, BUILTIN_KINDS, EntryKind
from plugins.passport.skills import SKILLS


@dataclass(frozen=True)
class VerificationLevel:
    id: str
    rank: int
    label: str
    meaning: str


VERIFICATION_LEVELS: dict[str, VerificationLevel] = {
    level.id: level
    for level in [
        VerificationLevel("self_declared", 0, "Self-declared",
                          "The resident told us about it; we have not seen anything else."),
        VerificationLevel("staff_witnessed", 1, "Staff witnessed",
                          "Hub staff saw it happen, e.g. it took place at the hub or is on our register."),
        VerificationLevel("document_seen", 2, "Document seen",
                          "Staff saw a document such as a certificate, payslip, contract or letter."),
        VerificationLevel("provider_confirmed", 3, "Provider/employer confirmed",
                          "The provider or employer confirmed it to us directly (we record who and when)."),
    ]
}
"""The trust ladder, lowest first. An entry starts self-declared; only staff raise it."""

EVIDENCE_TYPES: dict[str, str] = {
    "certificate": "Certificate",
    "payslip": "Payslip",
    "contract": "Contract of employment",
    "offer_letter": "Job offer or employer letter",
    "provider_letter": "Letter or email from the provider",
    "attendance_register": "Attendance register",
    "timesheet": "Timesheet or rota",
    "reference": "Reference",
    "application_confirmation": "Application confirmation email or screenshot",
    "other": "Other document",
}
"""What staff saw. The hub records that a document was seen; it does not keep a copy."""

PAY_PERIODS: dict[str, str] = {"hour": "an hour", "week": "a week", "month": "a month", "year": "a year"}

QUALIFICATION_LEVELS: dict[str, str] = {
    "entry": "Entry level",
    **{str(n): f"Level {n}" for n in range(1, 9)},
    "other": "Other or not known",
}
"""Levels of the Regulated Qualifications Framework (England and Northern Ireland), which
CQFW levels in Wales match; Scottish (SCQF) levels are numbered differently: use "other"
and put the SCQF level in the result."""

HOURS_IN_A_WEEK = 168
TEXT_LIMITS = {"title": 120, "provider": 120, "role": 120, "description": 1000, "result": 80,
               "verified_by": 120, "verification_note": 300, "change_reason": 200}


@dataclass
class EntryForm:
    """One entry as typed (text, as on the form; numbers are accepted too)."""

    kind: str = ""
    title: str = ""
    provider: str = ""
    role: str = ""
    description: str = ""
    start_date: str = ""
    end_date: str = ""
    ongoing: bool = False
    hours_total: str = ""
    hours_per_week: str = ""
    pay_amount: str = ""
    pay_period: str = ""
    result: str = ""
    qualification_level: str = ""
    skills: list[str] = field(default_factory=list)
    activity: str = ""
    """work_search, work_preparation or none; empty takes the kind's usual answer."""
    evidence: list[str] = field(default_factory=list)
    verification_level: str = "self_declared"
    verified_by: str = ""
    """Who vouched. Empty for staff_witnessed/document_seen means the member of staff saving it."""
    verified_at: str = ""
    """When it was verified; empty means today."""
    verification_note: str = ""


CONTENT_FIELDS = ("kind", "title", "provider", "role", "description", "start_date", "end_date", "ongoing",
                  "hours_total", "hours_per_week", "pay_amount", "pay_period", "result", "qualification_level",
                  "skills", "activity", "evidence")
"""What an entry says. Correcting any of these on a verified entry needs the verification re-confirmed."""
VERIFICATION_FIELDS = ("verification_level", "verified_by", "verified_at", "verification_note")


def form_from_row(row: Mapping[str, Any]) -> EntryForm:
    """The form pre-filled from a stored entry (for a correction)."""

    def text(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, float):
            return f"{value:g}"
        return str(value)

    def uk(iso: str | None) -> str:
        return f"{iso[8:10]}/{iso[5:7]}/{iso[:4]}" if iso else ""

    return EntryForm(
        kind=row["kind"], title=text(row["title"]), provider=text(row["provider"]), role=text(row["role"]),
        description=text(row["description"]), start_date=uk(row["start_date"]), end_date=uk(row["end_date"]),
        ongoing=bool(row["ongoing"]), hours_total=text(row["hours_total"]), hours_per_week=text(row["hours_per_week"]),
        pay_amount=text(row["pay_amount"]), pay_period=text(row["pay_period"]), result=text(row["result"]),
        qualification_level=text(row["qualification_level"]), skills=list(row["skills"]), activity=row["activity"],
        evidence=list(row["evidence"]), verification_level=row["verification_level"],
        verified_by=text(row["verified_by"]), verified_at=uk(row["verified_at"]),
        verification_note=text(row["verification_note"]),
    )


def _number(value: Any) -> tuple[float | None, bool]:
    """(number, ok): blank is (None, True); text that is not a finite number is (None, False)."""
    if value is None:
        return None, True
    if isinstance(value, bool):
        return None, False
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = str(value).strip().replace(",", "").replace("£", "")
        if not text:
            return None, True
        try:
            number = float(text)
        except ValueError:
            return None, False
    if not math.isfinite(number):
        return None, False
    return number, True


def _text(form: EntryForm, name: str, errors: dict[str, str]) -> str | None:
    raw = getattr(form, name)
    limit = TEXT_LIMITS[name]
    if raw is not None and len(str(raw).strip()) > limit:
        errors[name] = f"Keep this under {limit} characters."
    return clean_text(raw, limit=limit) or None


def uk_date(value: date | str | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return value.strftime("%d/%m/%Y")


def validate_entry(
    form: EntryForm,
    kinds: Mapping[str, EntryKind] | None = None,
    *,
    today: date | None = None,
    born: date | None = None,
) -> dict[str, Any]:
    """Return a clean entry (a dict) or raise ValidationError naming every bad field.

    ``kinds`` defaults to the built-in kinds; pass ``hub``'s kinds (``service.kinds_for``)
    to accept kinds from other plugins. ``born`` (the resident's date of birth) catches
    dates before they were born.
    """
    kinds = kinds if kinds is not None else BUILTIN_KINDS
    today = today or date.today()
    errors: dict[str, str] = {}
    row: dict[str, Any] = {}

    kind = kinds.get(form.kind or "")
    if not form.kind:
        errors["kind"] = "Choose what kind of entry this is."
    elif kind is None:
        errors["kind"] = f"Unknown kind {form.kind!r}: choose one of {', '.join(sorted(kinds))}."
    row["kind"] = form.kind or None

    def shows(name: str) -> bool:
        return kind is None or kind.shows(name)

    row["title"] = _text(form, "title", errors)
    if not row["title"] and "title" not in errors:
        errors["title"] = "Enter a title, e.g. Food hygiene level 2, or the job title."
    row["description"] = _text(form, "description", errors)
    row["provider"] = _text(form, "provider", errors) if shows("provider") else None
    row["role"] = _text(form, "role", errors) if shows("role") else None
    row["result"] = _text(form, "result", errors) if shows("result") else None

    # -- dates ------------------------------------------------------------------------------
    start = parse_date(str(form.start_date or ""))
    if not str(form.start_date or "").strip():
        errors["start_date"] = "Enter the start date, e.g. 31/01/2026."
    elif start is None:
        errors["start_date"] = "Not a date: write it as day/month/year, e.g. 31/01/2026."
    elif start > today:
        errors["start_date"] = "The start date is in the future: the passport records what has happened."
    elif start.year < 1940:
        errors["start_date"] = "The start date is before 1940: check the year."
    elif born is not None and start < born:
        errors["start_date"] = "The start date is before the resident was born: check the year."

    ongoing = bool(form.ongoing)
    end_text = str(form.end_date or "").strip()
    end = parse_date(end_text)
    if end_text and end is None:
        errors["end_date"] = "Not a date: write it as day/month/year, e.g. 31/01/2026."
    elif end_text and ongoing:
        errors["end_date"] = "Leave the end date empty while it is still going on (or untick 'Still going on')."
    elif end is not None and start is not None and end < start:
        errors["end_date"] = f"The end date is before the start date ({uk_date(start)})."
    elif end is not None and end > today:
        errors["end_date"] = "The end date is in the future: if it is still going on, tick 'Still going on' instead."
    elif not end_text and not ongoing:
        if kind is not None and kind.needs_end:
            errors["end_date"] = "Enter the end date, or tick 'Still going on'."
        else:
            end = start  # a single day
    row["start_date"] = start.isoformat() if start else None
    row["end_date"] = None if ongoing or end is None else end.isoformat()
    row["ongoing"] = int(ongoing)

    # -- hours ------------------------------------------------------------------------------
    span_days = None
    if start is not None and "start_date" not in errors and "end_date" not in errors:
        span_days = ((today if ongoing else (end or start)) - start).days + 1
    for name in ("hours_total", "hours_per_week"):
        row[name] = None
        if not shows(name):
            continue
        hours, ok = _number(getattr(form, name))
        if not ok:
            errors[name] = "Not a number of hours, e.g. 7.5."
        elif hours is None:
            continue
        elif hours < 0:
            errors[name] = "Hours cannot be negative."
        elif name == "hours_per_week" and hours > HOURS_IN_A_WEEK:
            errors[name] = f"There are only {HOURS_IN_A_WEEK} hours in a week."
        elif name == "hours_total" and span_days is not None and hours > 24 * span_days:
            days = "1 day" if span_days == 1 else f"{span_days} days"
            errors[name] = f"{hours:g} hours in {days} is more than 24 hours a day: check the hours or the dates."
        else:
            row[name] = round(hours, 2)

    # -- pay --------------------------------------------------------------------------------
    row["pay_amount"] = row["pay_period"] = None
    if shows("pay"):
        pay, ok = _number(form.pay_amount)
        period = str(form.pay_period or "").strip()
        if not ok:
            errors["pay_amount"] = "Not an amount of money, e.g. 12.71."
        elif pay is not None and pay < 0:
            errors["pay_amount"] = "Pay cannot be negative."
        elif pay is not None and period not in PAY_PERIODS:
            errors["pay_period"] = "Choose whether the pay is an hour, a week, a month or a year."
        elif pay is not None:
            row["pay_amount"], row["pay_period"] = round(pay, 2), period

    level_text = str(form.qualification_level or "").strip()
    row["qualification_level"] = None
    if shows("qualification_level") and level_text:
        if level_text not in QUALIFICATION_LEVELS:
            errors["qualification_level"] = "Choose a level from the list (Entry, 1 to 8, or other)."
        else:
            row["qualification_level"] = level_text

    # -- tags -------------------------------------------------------------------------------
    skills = list(dict.fromkeys(form.skills or []))
    unknown = [s for s in skills if s not in SKILLS]
    if unknown:
        errors["skills"] = f"Unknown skill {unknown[0]!r}: choose from the list."
    row["skills"] = [s for s in SKILLS if s in skills]

    activity = form.activity or (kind.default_activity if kind else "none")
    if activity not in ACTIVITIES:
        errors["activity"] = "Choose work search, work preparation or neither."
    row["activity"] = activity

    row["evidence"] = validate_evidence(form.evidence, errors)

    # -- verification -----------------------------------------------------------------------
    row.update(validate_verification(form.verification_level, form.verified_by, form.verified_at,
                                     form.verification_note, row["evidence"], errors, today=today))

    row["paid_work"] = int(bool(kind and kind.paid_work))
    row["bucket"] = kind.bucket if kind else None
    if errors:
        raise ValidationError(errors)
    return row


def validate_verification(level: str | None, verified_by: Any, verified_at: Any, note: Any, evidence: list[str],
                          errors: dict[str, str] | None = None, *, today: date | None = None) -> dict[str, Any]:
    """Check a verification (level, who, when, note; ``evidence`` already checked) and return its
    fields. Adds messages to ``errors``; when called without ``errors`` it raises ValidationError."""
    raise_now = errors is None
    errors = {} if errors is None else errors
    today = today or date.today()
    level = level or "self_declared"
    row: dict[str, Any] = {"verification_level": level, "verified_by": None, "verified_at": None, "verification_note": None}
    if level not in VERIFICATION_LEVELS:
        errors["verification_level"] = f"Unknown verification level {level!r}: choose one from the list."
    elif level != "self_declared":
        holder = EntryForm(verified_by=verified_by or "", verification_note=note or "")
        row["verified_by"] = _text(holder, "verified_by", errors)
        row["verification_note"] = _text(holder, "verification_note", errors)
        when_text = str(verified_at or "").strip()
        when = parse_date(when_text) if when_text else today
        if when is None:
            errors["verified_at"] = "Not a date: write it as day/month/year, e.g. 31/01/2026."
        elif when > today:
            errors["verified_at"] = "The verification date is in the future."
        else:
            row["verified_at"] = when.isoformat()
        if level == "provider_confirmed" and not row["verified_by"] and "verified_by" not in errors:
            errors["verified_by"] = "Name who confirmed it: the person and the provider or employer."
        if level == "document_seen" and not evidence and "evidence" not in errors:
            errors["evidence"] = "Tick the document you saw (certificate, payslip, contract...)."
    if raise_now and errors:
        raise ValidationError(errors)
    return row


def validate_evidence(evidence: list[str] | None, errors: dict[str, str]) -> list[str]:
    evidence = list(dict.fromkeys(evidence or []))
    unknown = [e for e in evidence if e not in EVIDENCE_TYPES]
    if unknown:
        errors["evidence"] = f"Unknown kind of document {unknown[0]!r}: choose from the list."
    return [e for e in EVIDENCE_TYPES if e in evidence]


def entry_hours(entry: Mapping[str, Any], today: date | None = None) -> float | None:
    """Hours an entry adds up to: its total, else hours a week over its weeks (to today if ongoing)."""
    if entry.get("hours_total") is not None:
        return float(entry["hours_total"])
    per_week = entry.get("hours_per_week")
    if per_week is None or not entry.get("start_date"):
        return None
    start = date.fromisoformat(entry["start_date"])
    end = date.fromisoformat(entry["end_date"]) if entry.get("end_date") else (today or date.today())
    days = max((end - start).days + 1, 0)
    return round(float(per_week) * days / 7, 2)


def weekly_pay(pay_amount: float | None, pay_period: str | None, hours_per_week: float | None) -> float | None:
    """Pay per week: an hourly rate needs the hours; a month is 12/52 of a year."""
    if pay_amount is None or pay_period is None:
        return None
    if pay_period == "hour":
        return None if hours_per_week is None else round(pay_amount * hours_per_week, 2)
    if pay_period == "week":
        return pay_amount
    if pay_period == "month":
        return round(pay_amount * 12 / 52, 2)
    if pay_period == "year":
        return round(pay_amount / 52, 2)
    return None
