"""Bonus rules: from facts about a resident to pass, fail or not yet, in plain words.

Pure: no database, no Textual, no clock (``today`` is always passed in), so the rules are
tested directly and the tab, the CLI and the calculator all get the same answer. The facts are
gathered by ``facts.py`` from the resident record and the passport's employment spells.

Words: every rule says what it found ("In work 4 weeks on 12 January 2027"), what is missing
("a payslip, contract or employer letter"), and, when it is only a matter of time, the date
it will be met.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

if TYPE_CHECKING:
    from plugins.bonus import SchemeSettings

PASS, FAIL, NOT_YET = "pass", "fail", "not_yet"
RULE_STATUSES = (PASS, FAIL, NOT_YET)
RANK = {PASS: 0, NOT_YET: 1, FAIL: 2}
STATUS_WORDS = {PASS: "pass", FAIL: "fail", NOT_YET: "not yet"}

ELIGIBLE, WAITING, NOT_ELIGIBLE = "eligible", "not_yet", "not_eligible"
OVERALL_WORDS = {ELIGIBLE: "Eligible", WAITING: "Not yet", NOT_ELIGIBLE: "Not eligible"}

BLOCKING_CLAIM_STATUSES = ("potential", "evidence_pending", "eligible", "approved", "paid")
"""A claim in one of these stops a second claim for the same scheme (one bonus per person per scheme)."""

EVIDENCE_WORDS = {
    "payslip": "payslip",
    "contract": "contract",
    "offer_letter": "employer letter",
    "reference": "reference",
    "timesheet": "timesheet",
    "provider_letter": "letter from the employer",
    "other": "other document",
}
"""How the passport's evidence ids read in a sentence."""

STATUS_AT_REGISTRATION_WORDS = {
    "unemployed": "unemployed",
    "economically_inactive": "economically inactive (not looking for work)",
    "employed": "in work",
}


# -- words --------------------------------------------------------------------------------------


def long_date(day: date) -> str:
    """12 January 2027."""
    return f"{day.day} {day:%B %Y}"


def money(amount: float) -> str:
    """£400 or £412.50."""
    return f"£{amount:,.0f}" if float(amount).is_integer() else f"£{amount:,.2f}"


def hours(value: float) -> str:
    return f"{value:g}"


def weeks_between(start: date, last: date) -> float:
    """Weeks from ``start`` to ``last``, counting both days (the passport's weeks_in_work)."""
    return max((last - start).days + 1, 0) / 7


def plural(count: int | float, word: str) -> str:
    return f"{count:g} {word}" + ("" if count == 1 else "s")


def either(words: list[str]) -> str:
    """["payslip", "contract", "employer letter"] -> "payslip, contract or employer letter"."""
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " or " + words[-1]


def evidence_words(ids: Iterable[str]) -> list[str]:
    return [EVIDENCE_WORDS.get(item, item.replace("_", " ")) for item in ids]


# -- facts --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """One paid job from the passport (an EmploymentSpell, reduced to what the rules read)."""

    entry_id: int
    kind: str
    start: date
    end: date | None = None
    """The last day; None while the job is ongoing."""
    employer: str | None = None
    hours_per_week: float | None = None
    monthly_pay: float | None = None
    """Pay a month before tax, worked out from the passport's amount and period; None if unknown."""
    evidence_seen: tuple[str, ...] = ()

    def where(self) -> str:
        return f"at {self.employer}" if self.employer else f"started {long_date(self.start)}"

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["start"] = self.start.isoformat()
        data["end"] = self.end.isoformat() if self.end else None
        data["evidence_seen"] = list(self.evidence_seen)
        return data


@dataclass(frozen=True)
class ClaimFact:
    """A claim as the rules see it."""

    id: int
    scheme_id: str
    status: str
    proposed_on: date
    resident_id: int
    job_entry_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "proposed_on": self.proposed_on.isoformat()}


@dataclass(frozen=True)
class Address:
    """One entry of the resident's address history (kept by the core), as the rules read it."""

    from_date: date
    postcode: str | None
    in_area: bool
    """The postcode against the site's area now."""
    in_area_when_recorded: bool
    """The core's flag, set against the site's area when the entry was recorded."""

    def as_dict(self) -> dict[str, Any]:
        return {"from_date": self.from_date.isoformat(), "postcode": self.postcode, "in_area": self.in_area}


@dataclass(frozen=True)
class Facts:
    """Everything the rules know about one resident, as it stands (also the snapshot a claim keeps)."""

    resident_id: int
    date_of_birth: date | None = None
    registered_on: date | None = None
    status_at_registration: str | None = None
    postcode: str | None = None
    in_area_at_registration: bool = False
    """The core's flag, set against the site's area when they registered."""
    in_area_now: bool = False
    """The postcode on the record now, against the site's area now."""
    record_consent_on: date | None = None
    """When they first agreed to us keeping their record."""
    record_consent_now: bool = False
    contact_dates: tuple[date, ...] = ()
    jobs: tuple[Job, ...] = ()
    claims: tuple[ClaimFact, ...] = ()
    """This resident's claims, every scheme and status."""
    duplicate_claims: tuple[ClaimFact, ...] = ()
    """Claims held by other records with the same name and date of birth."""
    passport_available: bool = True
    addresses: tuple[Address, ...] = ()
    """Where they have lived while known to the hub, oldest first (empty: only ``postcode`` is known)."""

    def address_on(self, day: date) -> Address | None:
        """The address they lived at on a day (None before the first one we hold)."""
        found = None
        for address in self.addresses:
            if address.from_date <= day:
                found = address
        return found

    def as_dict(self) -> dict[str, Any]:
        def iso(value: date | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "resident_id": self.resident_id,
            "date_of_birth": iso(self.date_of_birth),
            "registered_on": iso(self.registered_on),
            "status_at_registration": self.status_at_registration,
            "postcode": self.postcode,
            "in_area_at_registration": self.in_area_at_registration,
            "in_area_now": self.in_area_now,
            "record_consent_on": iso(self.record_consent_on),
            "record_consent_now": self.record_consent_now,
            "contacts": len(self.contact_dates),
            "contact_dates": [iso(d) for d in self.contact_dates],
            "jobs": [job.as_dict() for job in self.jobs],
            "claims": [claim.as_dict() for claim in self.claims],
            "duplicate_claims": [claim.as_dict() for claim in self.duplicate_claims],
            "passport_available": self.passport_available,
            "addresses": [address.as_dict() for address in self.addresses],
        }


@dataclass(frozen=True)
class Stint:
    """Qualifying jobs one after another with no break longer than the scheme allows."""

    jobs: tuple[Job, ...]
    start: date
    end: date | None
    """The last day worked; None while still in work."""

    @property
    def first(self) -> Job:
        return self.jobs[0]

    def where(self) -> str:
        return self.first.where()

    def as_dict(self) -> dict[str, Any]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat() if self.end else None,
                "entry_ids": [job.entry_id for job in self.jobs]}


def build_stints(jobs: Iterable[Job], max_break_days: int) -> list[Stint]:
    """Join jobs whose gaps are no longer than ``max_break_days`` (overlaps join too)."""
    stints: list[Stint] = []
    for job in sorted(jobs, key=lambda j: (j.start, j.entry_id)):
        if stints:
            last = stints[-1]
            if last.end is None or (job.start - last.end).days - 1 <= max_break_days:
                end = None if last.end is None or job.end is None else max(last.end, job.end)
                stints[-1] = Stint(last.jobs + (job,), last.start, end)
                continue
        stints.append(Stint((job,), job.start, job.end))
    return stints


# -- results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleResult:
    """One rule's answer for one resident and scheme."""

    rule: str
    label: str
    status: str
    """"pass", "fail" or "not_yet"."""
    words: str
    """What was found, in a sentence staff can read out."""
    missing: tuple[str, ...] = ()
    """What needs recording before it can pass (evidence, hours, a date of birth)."""
    met_on: date | None = None
    """When a "not yet" will be met by time alone (or when a "pass" was met)."""
    evidence: bool = False
    """True for rules met by recording evidence: a claim waiting only on these is "evidence pending"."""

    def line(self) -> str:
        return f"{STATUS_WORDS[self.status]:<8} {self.label}: {self.words}"

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "label": self.label, "status": self.status, "words": self.words,
                "missing": list(self.missing), "met_on": self.met_on.isoformat() if self.met_on else None,
                "evidence": self.evidence}


@dataclass(frozen=True)
class RuleContext:
    """What a rule's check reads: the facts, the scheme, today, and the job being checked."""

    facts: Facts
    scheme: "SchemeSettings"
    today: date
    site_area: tuple[str, ...] = ()
    stint: Stint | None = None
    """The run of qualifying jobs being checked; None when there is none."""
    jobs_checked: tuple[tuple[Job, str, str], ...] = ()
    """Every paid job with its own (status, words) against the job rule."""
    claim: ClaimFact | None = None
    """The claim being checked, if any."""
    eligible_on: date | None = None
    """When the sustainment is (or will be) met, for the claim window."""
    params: Mapping[str, Any] = field(default_factory=dict)
    """The scheme's ``rule_options`` for the rule being run."""

    @property
    def job_start(self) -> date | None:
        return self.stint.start if self.stint else None


@dataclass(frozen=True)
class RuleType:
    """A rule a scheme can apply. Built-in rules have this shape; plugins add more through the
    ``bonus_rule_types`` hook, and a site turns them on per scheme with ``extra_rules``."""

    id: str
    label: str
    """Short, e.g. "Attended 3 sessions"."""
    check: Callable[[RuleContext], Any]
    """Called with a RuleContext; returns a RuleResult, or a tuple (status, words) or
    (status, words, missing) or (status, words, missing, met_on). Return None to skip the rule."""
    description: str = ""
    version: str = "1"
    """Change it when the check's logic changes: it is part of the scheme's rule version."""
    evidence: bool = False
    """Met by recording evidence (claims waiting only on such rules are "evidence pending")."""
    plugin: str = ""


# -- the job rule -------------------------------------------------------------------------------


def job_test(job: Job, scheme: "SchemeSettings") -> tuple[str, str]:
    """Whether one job qualifies on its kind and its hours or pay: (status, words)."""
    if job.kind not in scheme.job_kinds:
        return FAIL, f"the {job.kind.replace('_', ' ')} {job.where()} does not count for this scheme"
    need_hours, need_pay = scheme.min_hours_per_week, scheme.min_monthly_pay
    if not need_hours and not need_pay:
        return PASS, f"paid work {job.where()}"
    parts = []  # what the job is, in the terms the scheme counts
    if need_hours and job.hours_per_week is not None:
        parts.append(f"{hours(job.hours_per_week)} hours a week")
    if need_pay and job.monthly_pay is not None:
        parts.append(f"{money(job.monthly_pay)} a month")
    found = " and ".join(parts)
    if need_hours and job.hours_per_week is not None and job.hours_per_week >= need_hours:
        return PASS, f"{hours(job.hours_per_week)} hours a week {job.where()}"
    if need_pay and job.monthly_pay is not None and round(job.monthly_pay, 2) >= need_pay:
        return PASS, f"{money(job.monthly_pay)} a month {job.where()}"
    unknown_hours = need_hours and job.hours_per_week is None
    unknown_pay = need_pay and job.monthly_pay is None
    if unknown_hours or unknown_pay:
        what = either([w for w, unknown in (("hours a week", unknown_hours), ("pay", unknown_pay)) if unknown])
        return NOT_YET, f"the {what} for the job {job.where()} {'is' if ' or ' not in what else 'are'} not recorded"
    return FAIL, f"the job {job.where()} is {found}; {needs_words(scheme)}"


def needs_words(scheme: "SchemeSettings") -> str:
    needs = []
    if scheme.min_hours_per_week:
        needs.append(f"{hours(scheme.min_hours_per_week)} or more hours a week")
    if scheme.min_monthly_pay:
        needs.append(f"{money(scheme.min_monthly_pay)} or more a month")
    return "the scheme needs " + (" or ".join(needs) if needs else "any paid work")


# -- the built-in rules ------------------------------------------------------------------------


def _area_at_registration(ctx: RuleContext):
    if not ctx.scheme.check_area_at_registration:
        return None
    facts = ctx.facts
    if facts.in_area_at_registration:
        return PASS, "Lived in the site's area when they registered."
    postcode = facts.addresses[0].postcode if facts.addresses else facts.postcode
    if not postcode:
        return FAIL, "No postcode was recorded when they registered, so they were not counted as living in the area."
    return FAIL, f"Did not live in the site's area when they registered (postcode {postcode})."


def _area_at_job_start(ctx: RuleContext):
    """Where they lived on the day the job started, from the core's address history."""
    if not ctx.scheme.check_area_at_job_start:
        return None
    facts = ctx.facts
    if ctx.stint is None or not facts.addresses:  # no job yet (or no history): their address now
        if not facts.in_area_now:
            where = f"The postcode on their record, {facts.postcode}, is" if facts.postcode else "No postcode on their record, so they are"
            return FAIL, f"{where} outside the site's area."
        if ctx.stint is None:
            return NOT_YET, f"Checked when a job starts; the postcode on their record ({facts.postcode}) is in the area."
        return PASS, f"The postcode on their record ({facts.postcode}) is in the site's area."
    start = ctx.stint.start
    address, note = facts.address_on(start), ""
    if address is None:  # the job started before the first address we hold: the earliest we know
        address = facts.addresses[0]
        note = f" (the first address we hold, from {long_date(address.from_date)})"
    when = f"when the job started on {long_date(start)}"
    if not address.postcode:
        return FAIL, f"No postcode is recorded for where they lived {when}{note}."
    if address.in_area:
        return PASS, f"Lived at {address.postcode}, in the site's area, {when}{note}."
    return FAIL, f"Lived at {address.postcode}, outside the site's area, {when}{note}."


def _age(ctx: RuleContext):
    from hub.api import age_on

    scheme, facts = ctx.scheme, ctx.facts
    if facts.date_of_birth is None:
        return NOT_YET, "No date of birth on the record.", ("date of birth",)
    on = ctx.stint.start if ctx.stint else ctx.today
    age = age_on(facts.date_of_birth, on)
    when = "when the job started" if ctx.stint else "today"
    span = f"the scheme is for ages {scheme.min_age} to {scheme.state_pension_age - 1}"
    if age < scheme.min_age:
        if ctx.stint is None:
            turns = _birthday(facts.date_of_birth, scheme.min_age)
            return NOT_YET, f"Turns {scheme.min_age} on {long_date(turns)}.", (), turns
        return FAIL, f"Aged {age} {when}; {span}."
    if age >= scheme.state_pension_age:
        return FAIL, f"Aged {age} {when}, State Pension age ({scheme.state_pension_age}) or over; {span}."
    return PASS, f"Aged {age} {when}."


def _birthday(born: date, age: int) -> date:
    try:
        return born.replace(year=born.year + age)
    except ValueError:  # 29 February
        return date(born.year + age, 3, 1)


def _registered_before_start(ctx: RuleContext):
    if not ctx.scheme.require_registration_before_start:
        return None
    facts = ctx.facts
    if facts.registered_on is None:
        return FAIL, "No registration date on the record."
    if not facts.record_consent_now:
        return FAIL, "They have not agreed (or no longer agree) to us keeping their record."
    consented = max(facts.registered_on, facts.record_consent_on or facts.registered_on)
    if ctx.stint is None:
        return PASS, f"Registered with consent on {long_date(consented)}; a job must start on or after that day."
    if ctx.stint.start >= consented:
        return PASS, f"Registered with consent on {long_date(consented)}, by the job's start on {long_date(ctx.stint.start)}."
    return FAIL, f"The job {ctx.stint.where()} started on {long_date(ctx.stint.start)}, before they registered with consent on {long_date(consented)}."


def _out_of_work(ctx: RuleContext):
    status = ctx.facts.status_at_registration
    if status is None:
        return FAIL, "No work status was recorded when they registered."
    words = STATUS_AT_REGISTRATION_WORDS.get(status, status)
    if status != "employed":
        return PASS, f"They were {words} when they registered."
    if ctx.scheme.allow_in_work_progression:
        return PASS, "They were in work when they registered; this scheme counts a move to a new job."
    return FAIL, "They were in work when they registered; this scheme is for residents who were out of work."


def _qualifying_job(ctx: RuleContext):
    if ctx.stint is not None:
        status, words = job_test(ctx.stint.first, ctx.scheme)
        return PASS, f"A paid job: {words}, from {long_date(ctx.stint.start)}."
    if not ctx.facts.passport_available:
        return NOT_YET, "The passport is not running at this site, so no jobs can be read.", ("a job in the passport",)
    registered = ctx.facts.registered_on
    relevant = [(job, status, words) for job, status, words in ctx.jobs_checked
                if registered is None or job.end is None or job.end >= registered]
    if not relevant:
        before = " since they registered (earlier jobs ended before)" if ctx.jobs_checked else " in the passport yet"
        return NOT_YET, f"No paid job{before}; {needs_words(ctx.scheme)}.", ("a paid job in the passport",)
    waiting = [(job, words) for job, status, words in relevant if status == NOT_YET]
    if waiting:
        job, words = waiting[-1]
        missing = tuple(f"hours a week for the job {job.where()}" if "hours" in words else f"pay for the job {job.where()}"
                        for job, words in waiting)
        return NOT_YET, words[0].upper() + words[1:] + ": record it on the passport entry.", missing
    job, status, words = relevant[-1]
    return FAIL, words[0].upper() + words[1:] + "."


def _job_start_window(ctx: RuleContext):
    scheme = ctx.scheme
    if not scheme.job_start_from and not scheme.job_start_to:
        return None
    first = date.fromisoformat(scheme.job_start_from) if scheme.job_start_from else None
    last = date.fromisoformat(scheme.job_start_to) if scheme.job_start_to else None
    window = " to ".join(long_date(d) for d in (first, last) if d)
    window = f"from {window}" if first and last else (f"from {long_date(first)}" if first else f"by {long_date(last)}")
    if ctx.stint is None:
        if last and ctx.today > last:
            return FAIL, f"Jobs had to start {window}; that has passed."
        return NOT_YET, f"The job must start {window}."
    start = ctx.stint.start
    if (first and start < first) or (last and start > last):
        return FAIL, f"The job started on {long_date(start)}; jobs must start {window}."
    return PASS, f"The job started on {long_date(start)}, {window}."


def _min_contacts(ctx: RuleContext):
    need = ctx.scheme.min_contacts_before_start
    if not need:
        return None
    on = ctx.stint.start if ctx.stint else ctx.today
    count = sum(1 for day in ctx.facts.contact_dates if day <= on)
    if count >= need:
        when = f"by the job's start on {long_date(on)}" if ctx.stint else "so far"
        return PASS, f"{plural(count, 'contact')} logged {when}; the scheme needs {need}."
    if ctx.stint is None:
        return NOT_YET, f"{plural(count, 'contact')} logged so far; the scheme needs {need} before the job starts.", (
            f"{need - count} more contact{'s' if need - count > 1 else ''} before the job starts",)
    return FAIL, f"Only {plural(count, 'contact')} logged by the job's start on {long_date(on)}; the scheme needs {need}."


def sustainment_date(stint: Stint, weeks: int) -> date:
    """The day they have been in work ``weeks`` weeks, counting the first day (day 28 for 4 weeks)."""
    return stint.start + timedelta(days=max(weeks * 7 - 1, 0))


def _sustained(ctx: RuleContext):
    scheme = ctx.scheme
    weeks, gap = scheme.sustain_weeks, scheme.max_break_days
    rule = f"{plural(weeks, 'week')} in work" + (f", breaks of up to {plural(gap, 'day')} allowed" if gap else "")
    if ctx.stint is None:
        return NOT_YET, f"Counts from the first day of a qualifying job: {rule}."
    stint, today = ctx.stint, ctx.today
    met = sustainment_date(stint, weeks)
    if stint.end is None or stint.end >= met:
        if today >= met:
            return PASS, f"In work {plural(weeks, 'week')} on {long_date(met)} (from {long_date(stint.start)}).", (), met
        so_far = weeks_between(stint.start, today) if today >= stint.start else 0
        return NOT_YET, f"In work {plural(weeks, 'week')} on {long_date(met)} ({so_far:.1f} weeks so far).", (), met
    done = weeks_between(stint.start, stint.end)
    carry_on_by = stint.end + timedelta(days=gap + 1)
    if stint.end >= today:
        return NOT_YET, (f"The job is due to end on {long_date(stint.end)}, {done:.1f} weeks in, before {plural(weeks, 'week')}; "
                         f"a new qualifying job starting by {long_date(carry_on_by)} keeps the count going.")
    if today <= carry_on_by:
        return NOT_YET, (f"The job ended on {long_date(stint.end)} after {done:.1f} weeks; if a new qualifying job starts by "
                         f"{long_date(carry_on_by)}, the weeks carry on.")
    return FAIL, (f"The job ended on {long_date(stint.end)} after {done:.1f} weeks, short of {plural(weeks, 'week')}, "
                  f"and no new job started within {plural(gap, 'day')}.")


def _evidence(ctx: RuleContext):
    required = list(ctx.scheme.evidence_required)
    if not required:
        return None
    wanted = either(evidence_words(required))
    if ctx.stint is None:
        return NOT_YET, f"Once a job starts, record a {wanted} on its passport entry.", (f"a {wanted} for the job",)
    for job in ctx.stint.jobs:
        seen = [item for item in job.evidence_seen if item in required]
        if seen:
            names = either(evidence_words(seen))
            return PASS, f"{names[0].upper() + names[1:]} seen for the job {job.where()}."
    return NOT_YET, (f"No {wanted} recorded for the job {ctx.stint.where()}: record it on the passport entry "
                     "(Passport tab, Verify)."), (f"a {wanted} for the job {ctx.stint.where()}",)


def _one_per_person(ctx: RuleContext):
    scheme_id, current = ctx.scheme.id, ctx.claim
    others = [c for c in ctx.facts.claims
              if c.scheme_id == scheme_id and c.status in BLOCKING_CLAIM_STATUSES and (current is None or c.id != current.id)]
    if others:
        other = others[0]
        return FAIL, f"They already have claim #{other.id} for this scheme ({other.status.replace('_', ' ')}); one bonus per person."
    twins = [c for c in ctx.facts.duplicate_claims if c.scheme_id == scheme_id and c.status in BLOCKING_CLAIM_STATUSES]
    if twins:
        twin = twins[0]
        return FAIL, (f"Resident #{twin.resident_id} has the same name and date of birth and claim #{twin.id} for this "
                      "scheme: check they are not the same person registered twice.")
    if current is not None:
        return PASS, f"This is their only claim for this scheme (#{current.id})."
    return PASS, "No claim for this scheme yet."


def _claim_window(ctx: RuleContext):
    days = ctx.scheme.claim_window_days
    if not days:
        return None
    eligible_on = ctx.eligible_on
    if ctx.claim is not None:
        proposed = ctx.claim.proposed_on
        if eligible_on is None:
            return PASS, f"Proposed on {long_date(proposed)}."
        if proposed <= eligible_on:
            return PASS, f"Proposed on {long_date(proposed)}, ahead of becoming eligible on {long_date(eligible_on)}."
        if proposed <= eligible_on + timedelta(days=days):
            return PASS, f"Proposed on {long_date(proposed)}, within {plural(days, 'day')} of becoming eligible on {long_date(eligible_on)}."
        return FAIL, (f"Proposed on {long_date(proposed)}, more than {plural(days, 'day')} after they became eligible "
                      f"on {long_date(eligible_on)}.")
    if eligible_on is None:
        return PASS, f"Propose the claim within {plural(days, 'day')} of them becoming eligible."
    deadline = eligible_on + timedelta(days=days)
    if ctx.today <= deadline:
        return PASS, f"Propose the claim by {long_date(deadline)} ({plural(days, 'day')} from {long_date(eligible_on)})."
    return FAIL, f"The claim window closed on {long_date(deadline)}, {plural(days, 'day')} after they became eligible on {long_date(eligible_on)}."


BUILTIN_RULES: tuple[RuleType, ...] = (
    RuleType("area_at_registration", "In the area when registered", _area_at_registration),
    RuleType("area_at_job_start", "In the area at the job start", _area_at_job_start),
    RuleType("age", "Age", _age),
    RuleType("registered_before_start", "Registered before the job", _registered_before_start),
    RuleType("out_of_work_at_registration", "Out of work when registered", _out_of_work),
    RuleType("qualifying_job", "Paid job", _qualifying_job),
    RuleType("job_start_window", "Job start dates", _job_start_window),
    RuleType("min_contacts", "Engaged before the job", _min_contacts),
    RuleType("sustained", "Stayed in work", _sustained),
    RuleType("evidence", "Job evidence", _evidence, evidence=True),
    RuleType("one_per_person", "One bonus per person", _one_per_person),
    RuleType("claim_window", "Claim window", _claim_window),
)
BUILTIN_IDS = {rule.id for rule in BUILTIN_RULES}


def _result(rule: RuleType, value: Any) -> RuleResult | None:
    """A check's answer as a RuleResult; anything malformed fails closed, saying so."""
    if value is None or isinstance(value, RuleResult):
        return value
    if isinstance(value, tuple) and 2 <= len(value) <= 4 and value[0] in RULE_STATUSES:
        status, words, *rest = value
        missing = tuple(rest[0]) if rest else ()
        met_on = rest[1] if len(rest) > 1 else None
        return RuleResult(rule.id, rule.label, status, str(words), missing, met_on, rule.evidence)
    return RuleResult(rule.id, rule.label, FAIL, f"The rule gave an answer the hub does not understand ({value!r:.60}).")


def run_rule(rule: RuleType, ctx: RuleContext) -> RuleResult | None:
    try:
        result = _result(rule, rule.check(ctx))
    except Exception as exc:  # a plugin's rule that breaks must never make someone look eligible
        return RuleResult(rule.id, rule.label, FAIL, f"Could not be checked ({type(exc).__name__}); nothing is assumed.")
    if result is not None and (result.rule != rule.id or result.label != rule.label or result.evidence != rule.evidence):
        result = replace(result, rule=rule.id, label=result.label or rule.label, evidence=rule.evidence)
    return result


# -- a whole scheme -----------------------------------------------------------------------------


@dataclass
class SchemeCheck:
    """One scheme's answer for one resident: every rule, the overall status, and the job checked."""

    scheme_id: str
    scheme_name: str
    amount: float
    status: str
    """"eligible", "not_yet" or "not_eligible"."""
    rules: list[RuleResult]
    today: date
    stint: Stint | None = None
    eligible_on: date | None = None
    """When the sustainment was (or will be) met."""
    due_on: date | None = None
    """For "not yet": when every rule still waiting will be met by time alone (None if something must be recorded)."""
    claim: ClaimFact | None = None
    rule_version: str = ""
    """The scheme's rule version (a hash of its settings), filled in by the service."""

    @property
    def missing(self) -> list[str]:
        return [item for rule in self.rules for item in rule.missing]

    @property
    def failing(self) -> list[RuleResult]:
        return [rule for rule in self.rules if rule.status == FAIL]

    @property
    def waiting(self) -> list[RuleResult]:
        return [rule for rule in self.rules if rule.status == NOT_YET]

    @property
    def only_evidence_missing(self) -> bool:
        return self.status == WAITING and bool(self.waiting) and all(rule.evidence for rule in self.waiting)

    def summary(self) -> str:
        name = f"{self.scheme_name} ({money(self.amount)})"
        if self.status == ELIGIBLE:
            since = f" since {long_date(self.eligible_on)}" if self.eligible_on else ""
            return f"Eligible for the {name}{since}."
        if self.status == NOT_ELIGIBLE:
            return f"Not eligible for the {name}: {_lower_first(self.failing[0].words)}"
        if self.due_on is not None:
            text = f"Not yet eligible for the {name}: due on {long_date(self.due_on)} if they stay in work."
        else:
            first = sorted(self.waiting, key=lambda rule: SUMMARY_ORDER.get(rule.rule, 2))[0]
            text = f"Not yet eligible for the {name}: {_lower_first(first.words)}"
        if self.missing:
            text += " Missing: " + "; ".join(self.missing) + "."
        return text

    def lines(self) -> list[str]:
        return [self.summary()] + [f"  {rule.line()}" for rule in self.rules]

    def as_dict(self) -> dict[str, Any]:
        return {
            "scheme": self.scheme_id, "name": self.scheme_name, "amount": self.amount, "status": self.status,
            "summary": self.summary(), "rule_version": self.rule_version, "today": self.today.isoformat(),
            "eligible_on": self.eligible_on.isoformat() if self.eligible_on else None,
            "due_on": self.due_on.isoformat() if self.due_on else None,
            "missing": self.missing, "job": self.stint.as_dict() if self.stint else None,
            "claim": self.claim.as_dict() if self.claim else None,
            "rules": [rule.as_dict() for rule in self.rules],
        }


SUMMARY_ORDER = {"qualifying_job": 0, "sustained": 1, "evidence": 3}
"""Which waiting rule a "not yet" summary leads with (others: 2)."""


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def candidate_stints(jobs: list[Job], scheme: "SchemeSettings", registered_on: date | None) -> list[Stint]:
    """Every run of qualifying jobs that could be "the job": each stint, and each stint restarted at a later
    job (a new job after registering counts on its own). Stints that ended before registering are history."""
    found: dict[tuple[date, int], Stint] = {}
    for stint in build_stints(jobs, scheme.max_break_days):
        if registered_on is not None and stint.end is not None and stint.end < registered_on:
            continue
        for index in range(len(stint.jobs)):
            sub = build_stints(stint.jobs[index:], scheme.max_break_days)[0]
            found.setdefault((sub.start, sub.first.entry_id), sub)
    return list(found.values())


def evaluate(
    facts: Facts,
    scheme: "SchemeSettings",
    today: date,
    *,
    site_area: Iterable[str] = (),
    rule_types: Mapping[str, RuleType] | None = None,
    claim: ClaimFact | None = None,
) -> SchemeCheck:
    """Check one resident against one scheme. ``claim``: the claim being checked (its job is preferred)."""
    area = tuple(site_area)
    rule_types = rule_types or {}
    checked = tuple((job, *job_test(job, scheme)) for job in sorted(facts.jobs, key=lambda j: (j.start, j.entry_id)))
    qualifying = [job for job, status, _ in checked if status == PASS]
    candidates: list[Stint | None] = list(candidate_stints(qualifying, scheme, facts.registered_on)) or [None]
    if claim is not None and claim.job_entry_id is not None:
        own = [stint for stint in candidates if stint is not None and stint.first.entry_id == claim.job_entry_id]
        candidates = own or candidates
    rules = list(BUILTIN_RULES) + [
        rule_types.get(rule_id) or RuleType(rule_id, rule_id.replace("_", " ").capitalize(), _unavailable(rule_id))
        for rule_id in scheme.extra_rules
    ]
    best: SchemeCheck | None = None
    for stint in candidates:
        check = _evaluate_stint(facts, scheme, today, area, rules, checked, stint, claim)
        if best is None or _better(check, best):
            best = check
    return best


def _unavailable(rule_id: str):
    def check(ctx: RuleContext):
        return FAIL, f"The rule {rule_id!r} is not available: is the plugin that offers it enabled?"

    return check


def _better(check: SchemeCheck, best: SchemeCheck) -> bool:
    order = {ELIGIBLE: 0, WAITING: 1, NOT_ELIGIBLE: 2}
    if order[check.status] != order[best.status]:
        return order[check.status] < order[best.status]
    if check.status == NOT_ELIGIBLE:  # the most recent job says most about where they are now
        return (check.stint.start if check.stint else date.min) > (best.stint.start if best.stint else date.min)
    return (check.eligible_on or date.max) < (best.eligible_on or date.max)


def _evaluate_stint(facts, scheme, today, area, rules, checked, stint, claim) -> SchemeCheck:
    eligible_on = sustainment_date(stint, scheme.sustain_weeks) if stint else None
    results: list[RuleResult] = []
    for rule in rules:
        ctx = RuleContext(facts, scheme, today, area, stint, checked, claim, eligible_on,
                          scheme.rule_options.get(rule.id, {}))
        result = run_rule(rule, ctx)
        if result is not None:
            results.append(result)
    if any(r.status == FAIL for r in results):
        status = NOT_ELIGIBLE
    elif any(r.status == NOT_YET for r in results):
        status = WAITING
    else:
        status = ELIGIBLE
    due_on = None
    waiting = [r for r in results if r.status == NOT_YET]
    if status == WAITING and all(r.met_on is not None for r in waiting):
        due_on = max(r.met_on for r in waiting)
    return SchemeCheck(scheme.id, scheme.name, scheme.amount, status, results, today, stint,
                       eligible_on if stint else None, due_on, claim)


def if_starting_work(facts: Facts, scheme: "SchemeSettings", today: date, **kwargs) -> SchemeCheck:
    """The check as it would be if they started a qualifying job today (hours and evidence as the scheme asks)."""
    job = Job(
        entry_id=0, kind=scheme.job_kinds[0], start=today, end=None, employer=None,
        hours_per_week=scheme.min_hours_per_week or None,
        monthly_pay=None if scheme.min_hours_per_week else (scheme.min_monthly_pay or None),
        evidence_seen=tuple(scheme.evidence_required[:1]),
    )
    return evaluate(replace(facts, jobs=facts.jobs + (job,)), scheme, today, **kwargs)


def conditions_words(scheme: "SchemeSettings") -> str:
    """What a resident must do once in work, e.g. "after 4 weeks in work of 16 or more hours a week, with a payslip..."."""
    parts = [f"after {plural(scheme.sustain_weeks, 'week')} in work"]
    needs = needs_words(scheme).replace("the scheme needs ", "")
    parts[0] += f" ({needs})"
    if scheme.evidence_required:
        parts.append(f"with a {either(evidence_words(scheme.evidence_required))}")
    if scheme.claim_window_days:
        parts.append(f"claimed within {plural(scheme.claim_window_days, 'day')}")
    return ", ".join(parts)


# -- rule versions ------------------------------------------------------------------------------


def rule_payload(scheme: "SchemeSettings", site_area: Iterable[str], rule_types: Mapping[str, RuleType] | None = None) -> dict:
    """Everything that decides the answer, apart from the facts: the scheme's settings, the site's
    area, and the version of each extra rule it uses."""
    rule_types = rule_types or {}
    return {
        "scheme": asdict(scheme),
        "site_area": sorted(" ".join(entry.upper().split()) for entry in site_area),
        "extra_rules": {rule_id: (rule_types[rule_id].plugin, rule_types[rule_id].version) if rule_id in rule_types else None
                        for rule_id in scheme.extra_rules},
    }


def rule_version(payload: Mapping[str, Any]) -> str:
    """A short, stable hash of a rule payload: the same settings always give the same version."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
