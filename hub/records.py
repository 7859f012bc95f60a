"""Plain data that plugins share through the core's hooks: a resident's jobs and training, their
referrals, records that can be linked to them, and the changes since a consumer last looked.

Whoever provides these (the passport, the signposting directory, or a third party's plugin standing
in for either) returns these types; whoever consumes them (the bonus checks, the journey) imports
them from here, never from the plugin that made them. Nothing here imports Textual or a database.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

VERIFICATION_RANKS = {"self_declared": 0, "staff_witnessed": 1, "document_seen": 2, "provider_confirmed": 3}
"""How strongly a record is verified, weakest first (the passport's four levels, docs/passport.md)."""


@dataclass(frozen=True)
class EmploymentSpell:
    """One paid job (or self-employment), as the plugin that records it has it now (``resident_employment``)."""

    entry_id: int
    """The record's stable id (the same across corrections), unique within its provider."""
    version_id: int
    """The current version's id: the ``record_id`` of the latest ``record_saved`` about it."""
    kind: str
    """"employment", "self_employment", or another paid kind."""
    employer: str | None
    role: str | None
    start: date
    end: date | None
    """None while the job is ongoing."""
    ongoing: bool
    hours_per_week: float | None
    pay_amount: float | None
    pay_period: str | None
    """"hour", "week", "month" or "year" (None when no pay was recorded)."""
    weekly_pay: float | None
    """Pay per week worked out from the amount and period (hourly pay needs the hours); None if unknown."""
    evidence_seen: tuple[str, ...]
    """Documents staff saw, e.g. ("payslip", "contract")."""
    verification_level: str
    """"self_declared", "staff_witnessed", "document_seen" or "provider_confirmed"."""
    verified_by: str | None
    verified_at: date | None
    recorded_at: str
    """When this version was saved (ISO 8601, UTC)."""
    recorded_by: str

    @property
    def verification_rank(self) -> int:
        """0 (self-declared) to 3 (provider/employer confirmed): compare levels with this."""
        return VERIFICATION_RANKS.get(self.verification_level, 0)

    def weeks_in_work(self, on: date) -> float:
        """Weeks from the start to ``on`` (or to the end, if it ended earlier); 0 before it starts."""
        last = min(self.end, on) if self.end else on
        return max((last - self.start).days + 1, 0) / 7

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("start", "end", "verified_at"):
            data[key] = data[key].isoformat() if data[key] else None
        data["evidence_seen"] = list(self.evidence_seen)
        return data


@dataclass(frozen=True)
class TrainingRecord:
    """One course or qualification, as the plugin that records it has it now (``resident_training``)."""

    entry_id: int
    """The record's stable id (the same across corrections), unique within its provider."""
    version_id: int
    """The current version's id."""
    kind: str
    """"training", "qualification", or another training kind."""
    title: str
    provider: str | None
    """The training provider, college or awarding body."""
    start: date
    """The first day (for a qualification, the day it was awarded)."""
    end: date | None
    """The last day; None while ongoing."""
    ongoing: bool
    qualification_level: str | None
    result: str | None
    verification_level: str
    recorded_at: str
    """When this version was saved (ISO 8601, UTC)."""


@dataclass(frozen=True)
class RecordChanges:
    """Which residents' jobs or training changed since a consumer's last look (``employment_changes``)."""

    token: str
    """Pass this back as ``since`` next time. Opaque: only its provider reads it."""
    resident_ids: tuple[int, ...]
    """Residents whose records changed after ``since`` (every resident with records when ``since`` is None)."""
    everything: bool = False
    """True when the provider cannot tell what changed: re-read every resident."""


@dataclass(frozen=True)
class ReferralRecord:
    """One referral or signposting of a resident to a service, for reports (``referral_records``).

    Kept the same after the resident is erased (the provider de-identifies its own rows), so a
    period's figures do not change when someone asks to be forgotten."""

    resident_id: int
    made_on: date
    kind: str
    """"signpost", "warm_handover" or "formal_referral" (or the provider's own kinds)."""
    status: str
    """Where it stands now, e.g. "sent", "attended", "declined"."""
    attended_on: date | None
    """The first day the resident was recorded as attending the service; None if never."""


@dataclass(frozen=True)
class LinkableRecord:
    """A record of a resident's that another plugin may link to (``linkable_records``), e.g. an action
    step carried out by a referral."""

    kind: str
    """Namespaced by plugin, like ``record_saved``'s kinds: "signposting.referral", "passport.entry"."""
    record_id: int
    """Stable across corrections (for the passport: the entry's first version's id)."""
    label: str
    """What kind of thing it is, in a word or two: "Referral", "Passport", "Calculation"."""
    description: str
    """What ``describe_record`` says of it: a short line staff recognise, e.g. "Northside Debt Advice (sent)"."""
