"""Bonus plugin: per-site rules for into-work bonuses (the JobsPlus £400 and others), checked in
plain words from the resident record and the passport, with claims a different site lead approves.

Only settings and hookimpls live here; the rules (``rules.py``, pure), the database
(``storage.py``), the actions (``service.py``), the CLI and the tab are imported when first
needed, so the hub starts fast. See docs/bonus.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from hub import CliCommand, TabSpec, hookimpl

STATUSES_AT_REGISTRATION = ("unemployed", "economically_inactive", "employed")


@dataclass
class SchemeSettings:
    """One bonus scheme: a [[plugins.bonus.schemes]] table. Every rule is a setting with a default."""

    id: str
    """A short fixed name for the scheme, e.g. "jobsplus" (letters, digits, _ and -). Claims refer to it: do not
    rename it once claims exist; change `name` instead."""
    name: str = "JobsPlus into-work bonus"
    """What staff and residents see."""
    amount: float = 400.0
    """The bonus in pounds, paid once."""
    check_area_at_registration: bool = True
    """The resident lived in the site's area ([hub] area) when they registered."""
    check_area_at_job_start: bool = True
    """The resident lived in the site's area on the day the job started (from the address history the hub keeps
    when staff record a move; before a job starts, their address now)."""
    min_age: int = 16
    """The youngest age at the job start."""
    state_pension_age: int = 66
    """Residents this age or older at the job start do not qualify (State Pension age: 66, rising to 67 from 2026)."""
    require_registration_before_start: bool = True
    """The resident registered, and consented to us keeping their record, on or before the day the job started."""
    allow_in_work_progression: bool = False
    """Also count residents who were in work when they registered and moved to a new job. Off: only residents
    who were unemployed or economically inactive when they registered."""
    job_kinds: list[str] = field(default_factory=lambda: ["employment", "self_employment"])
    """Passport entry kinds that count as the job. Volunteering and work experience are unpaid and never count."""
    min_hours_per_week: float = 16.0
    """A job of at least this many hours a week qualifies. 0: hours do not count (only pay, below)."""
    min_monthly_pay: float = 0.0
    """A job paying at least this much a month (before tax) qualifies whatever its hours. 0: pay does not count."""
    sustain_weeks: int = 4
    """Weeks in work, counted from the first day of the job, before the bonus is due."""
    max_break_days: int = 14
    """A gap of up to this many days between qualifying jobs does not restart the count of weeks."""
    evidence_required: list[str] = field(default_factory=lambda: ["payslip", "contract", "offer_letter"])
    """Any one of these documents must be recorded as seen on the passport entry for the job (passport
    evidence ids: payslip, contract, offer_letter = job offer or employer letter, ...). Empty: no evidence needed."""
    min_contacts_before_start: int = 0
    """Contacts logged with the resident on or before the job start (showing they engaged with us). 0: not checked."""
    claim_window_days: int = 90
    """Propose the claim within this many days of the resident becoming eligible. 0: no limit."""
    job_start_from: str = ""
    """The earliest job start that counts (YYYY-MM-DD), e.g. the programme's first day. Empty: no limit."""
    job_start_to: str = ""
    """The latest job start that counts (YYYY-MM-DD), e.g. the programme's last day. Empty: no limit."""
    budget: float = 0.0
    """The scheme's budget in pounds (approved and paid claims count against it). 0: no budget."""
    budget_warning_percent: float = 80.0
    """Warn once approved and paid claims reach this share of the budget."""
    extra_rules: list[str] = field(default_factory=list)
    """Extra rule types, by id, that other plugins offer through the `bonus_rule_types` hook."""
    rule_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Settings for the extra rules, one table per rule id, e.g. { min_sessions = { count = 3 } }."""

    def __post_init__(self) -> None:
        import re

        problems = []
        if not re.fullmatch(r"[a-z][a-z0-9_-]{0,39}", self.id or ""):
            problems.append(f"id {self.id!r}: use 1 to 40 lower-case letters, digits, _ or -, starting with a letter")
        if not self.name.strip():
            problems.append("name: give the scheme a name")
        if self.amount <= 0:
            problems.append("amount: must be more than 0")
        if self.min_age < 0 or self.state_pension_age <= self.min_age:
            problems.append("state_pension_age: must be more than min_age")
        if self.min_hours_per_week < 0 or self.min_hours_per_week > 168:
            problems.append("min_hours_per_week: between 0 and 168")
        if self.min_monthly_pay < 0:
            problems.append("min_monthly_pay: cannot be negative")
        if self.sustain_weeks < 0 or self.sustain_weeks > 260:
            problems.append("sustain_weeks: between 0 and 260")
        for name in ("max_break_days", "claim_window_days", "min_contacts_before_start"):
            if getattr(self, name) < 0:
                problems.append(f"{name}: cannot be negative")
        if self.budget < 0:
            problems.append("budget: cannot be negative")
        if not 0 < self.budget_warning_percent <= 100:
            problems.append("budget_warning_percent: between 1 and 100")
        if not self.job_kinds:
            problems.append("job_kinds: name at least one kind of paid work, e.g. employment")
        for name in ("job_start_from", "job_start_to"):
            value = getattr(self, name)
            if value:
                try:
                    date.fromisoformat(value)
                except ValueError:
                    problems.append(f"{name}: {value!r} is not a date; write it as YYYY-MM-DD")
        if self.job_start_from and self.job_start_to and not problems and self.job_start_to < self.job_start_from:
            problems.append("job_start_to: is before job_start_from")
        unknown = set(self.rule_options) - set(self.extra_rules)
        if unknown:
            problems.append(f"rule_options: {sorted(unknown)} not in extra_rules")
        if problems:
            raise ValueError(f"scheme {self.id!r}: " + "; ".join(problems))


@dataclass
class BonusSettings:
    """The [plugins.bonus] table."""

    schemes: list[SchemeSettings] = field(default_factory=lambda: [SchemeSettings(id="jobsplus")])
    """The site's bonus schemes, one [[plugins.bonus.schemes]] table each. Without any: the JobsPlus £400
    into-work bonus with the defaults below."""
    due_soon_days: int = 14
    """The due list shows residents who will become eligible within this many days."""
    paid_claims_kept_for: str = "the funder's audit"
    """Why a paid claim is kept (de-identified) when a resident's data is erased; said in the erasure report."""

    def __post_init__(self) -> None:
        ids = [scheme.id for scheme in self.schemes]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"schemes: the id {duplicates[0]!r} is used twice; each scheme needs its own id")
        if self.due_soon_days < 0:
            raise ValueError("due_soon_days: cannot be negative")


def settings(hub) -> BonusSettings:
    """The site's bonus settings (the defaults when the site file has no [plugins.bonus] table)."""
    return hub.plugin_config("bonus") or BonusSettings()


@hookimpl
def seed_demo_data(hub, db):
    from plugins.bonus.demo import seed

    seed(hub, db)


@hookimpl
def config_schema():
    return BonusSettings


@hookimpl
def register_hookspecs():
    from plugins.bonus import hookspecs

    return hookspecs


@hookimpl
def register_migrations():
    from plugins.bonus.storage import migrations

    return migrations()


@hookimpl
def startup(hub):
    from plugins.bonus.service import record_rule_versions

    record_rule_versions(hub)


@hookimpl
def record_saved(hub, resident_id, kind, record_id):
    if kind in ("passport.entry", "hub.contact", "hub.consent", "hub.resident"):
        from plugins.bonus.service import recheck_resident

        recheck_resident(hub, resident_id, why=f"{kind} {record_id} saved")


@hookimpl(optionalhook=True)
def calc_one_off_payments(hub, resident_id):
    from plugins.bonus.service import one_off_payments

    return one_off_payments(hub, resident_id)


@hookimpl
def export_resident_data(hub, resident_id):
    from plugins.bonus.storage import resident_data

    return resident_data(hub.db, resident_id)


@hookimpl
def erase_resident_data(hub, resident_id):
    from plugins.bonus.storage import erase_resident

    return erase_resident(hub.db, resident_id, kept_for=settings(hub).paid_claims_kept_for)


def _make_tab(hub):
    from plugins.bonus.tab import BonusTab

    return BonusTab(hub)


@hookimpl
def register_tabs():
    return [TabSpec(id="bonus", title="Bonus", factory=_make_tab)]


def _configure(parser) -> None:
    from plugins.bonus.cli import configure

    configure(parser)


def _run(hub, args) -> int:
    from plugins.bonus.cli import run

    return run(hub, args)


@hookimpl
def register_cli_commands():
    return [CliCommand("bonus", "Bonus eligibility: check a resident, who is due, the monthly report (docs/bonus.md)",
                       _configure, _run)]


@hookimpl(optionalhook=True)
def journey_report_figures(hub, start, end):
    """The journey report's "Bonuses paid" figure: people paid in the period, and the total."""
    rows = hub.db.execute(
        "SELECT resident_id, amount FROM bonus_claims WHERE status = 'paid' AND paid_on BETWEEN ? AND ?",
        [start.isoformat(), end.isoformat()],
    ).fetchall()
    return [
        {
            "key": "bonuses_paid",
            "label": "Bonuses paid",
            "resident_ids": sorted({row[0] for row in rows}),
            "amount": sum(row[1] or 0 for row in rows),
            "note": "claims marked paid in the period",
        }
    ]
