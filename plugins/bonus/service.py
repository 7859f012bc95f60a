"""The bonus plugin's actions with the ``hub``: schemes and rule versions, checks, the due list,
claims and their state machine, the budget, and the calculator's one-off payments.

The tab, the CLI and the hooks all come through here, so every rule holds whichever way in:
permissions (``hub.require``, which logs refusals), an approver who is not the proposer, the
allowed transitions, a fresh check before approval, the budget warning, and a snapshot of the
rule version and facts on every step, each step in one transaction with its access-log line.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any

from hub.api import clean_text, log_access
from hub.api import DB_ERRORS, StorageError, write_transaction
from plugins.bonus import SchemeSettings, settings
from plugins.bonus import storage
from plugins.bonus.facts import gather, gather_many, jobs_from_hooks
from plugins.bonus.rules import (
    BLOCKING_CLAIM_STATUSES,
    BUILTIN_IDS,
    ELIGIBLE,
    NOT_ELIGIBLE,
    WAITING,
    ClaimFact,
    RuleType,
    SchemeCheck,
    conditions_words,
    evaluate,
    if_starting_work,
    long_date,
    money,
    rule_payload,
    rule_version,
)

if TYPE_CHECKING:
    from hub.api import Hub

log = logging.getLogger("hub.bonus")
RECORD_KIND = "bonus.claim"

OPEN_STATUSES = ("potential", "evidence_pending", "eligible")
"""Before approval: the claim follows the current rules and facts, re-checked as they change."""
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "potential": ("evidence_pending", "eligible", "rejected", "withdrawn"),
    "evidence_pending": ("potential", "eligible", "rejected", "withdrawn"),
    "eligible": ("potential", "evidence_pending", "approved", "rejected", "withdrawn"),
    "approved": ("paid", "rejected", "withdrawn"),
    "paid": ("reversed",),
    "rejected": (),
    "withdrawn": (),
    "reversed": (),
}
"""Every move a claim may make. Anything else is refused with a TransitionRefused."""
STATUS_LABELS = {
    "potential": "potential", "evidence_pending": "evidence pending", "eligible": "eligible", "approved": "approved",
    "paid": "paid", "rejected": "rejected", "withdrawn": "withdrawn", "reversed": "reversed",
}
ACTION_WORDS = {"propose": "proposed", "recheck": "re-checked", "approve": "approved", "pay": "marked paid",
                "reject": "rejected", "withdraw": "withdrawn", "reverse": "reversed"}


class BonusError(Exception):
    """Bad input or a refused action; ``field`` names what to fix (for forms and the CLI)."""

    def __init__(self, message: str, field: str = "claim"):
        self.field = field
        super().__init__(message)


class ClaimError(BonusError):
    """A claim action was refused; nothing was saved."""


class TransitionRefused(ClaimError):
    """The claim's status does not allow this step."""


class SameApprover(ClaimError):
    """The person approving is the person who proposed the claim."""


class OverBudget(ClaimError):
    """Approving would take the scheme over its budget; approve again with allow_over_budget to go ahead."""

    def __init__(self, message: str, budget: "Budget"):
        self.budget = budget
        super().__init__(message, "budget")


# -- schemes, rule types and rule versions ---------------------------------------------------------


def rule_types(hub: "Hub") -> dict[str, RuleType]:
    """Extra rule types other plugins offer through ``bonus_rule_types`` (an id already taken is skipped)."""
    found: dict[str, RuleType] = {}
    for result in hub.plugins.call_flat("bonus_rule_types", hub=hub):
        rule = result.value
        if not isinstance(rule, RuleType) or rule.id in BUILTIN_IDS or rule.id in found:
            log.warning("bonus: skipped a rule type from %s (not a RuleType, or its id is taken)", result.plugin)
            continue
        found[rule.id] = RuleType(rule.id, rule.label, rule.check, rule.description, rule.version, rule.evidence,
                                  rule.plugin or result.plugin)
    return found


def schemes_and_problems(hub: "Hub") -> tuple[list[SchemeSettings], list[str]]:
    """The site's schemes, then those other plugins add through ``bonus_schemes``; problems say what was skipped."""
    from hub.api import validate_table

    schemes = list(settings(hub).schemes)
    problems: list[str] = []
    for result in hub.plugins.call_flat("bonus_schemes", hub=hub):
        value = result.value
        if isinstance(value, dict):
            value, issues = validate_table(SchemeSettings, value, f"bonus_schemes from {result.plugin}", result.plugin)
            if issues:
                problems.append("; ".join(str(issue) for issue in issues))
                continue
        if not isinstance(value, SchemeSettings):
            problems.append(f"{result.plugin}: bonus_schemes returned {type(value).__name__}, not a SchemeSettings")
            continue
        if any(s.id == value.id for s in schemes):
            problems.append(f"{result.plugin}: a scheme with id {value.id!r} already exists; the site's settings win")
            continue
        schemes.append(value)
    return schemes, problems


def schemes(hub: "Hub") -> list[SchemeSettings]:
    return schemes_and_problems(hub)[0]


def scheme_by_id(hub: "Hub", scheme_id: str) -> SchemeSettings:
    for scheme in schemes(hub):
        if scheme.id == scheme_id:
            return scheme
    known = ", ".join(s.id for s in schemes(hub)) or "none"
    raise BonusError(f"There is no scheme {scheme_id!r} at this site (schemes: {known}).", "scheme")


def version_for(hub: "Hub", scheme: SchemeSettings, types: dict[str, RuleType] | None = None) -> tuple[str, dict]:
    payload = rule_payload(scheme, hub.config.hub.area, types if types is not None else rule_types(hub))
    return rule_version(payload), payload


def record_rule_versions(hub: "Hub") -> dict[str, str]:
    """Make sure each scheme's current rules are recorded as a version; return scheme id -> version hash."""
    types = rule_types(hub)
    found: dict[str, str] = {}
    with write_transaction(hub.db):
        for scheme in schemes(hub):
            version_hash, payload = version_for(hub, scheme, types)
            storage.ensure_rule_version(hub.db, scheme_id=scheme.id, scheme_name=scheme.name, version_hash=version_hash,
                                        payload=payload, staff=hub.staff)
            found[scheme.id] = version_hash
    return found


def rule_settings_lines(scheme: SchemeSettings) -> list[str]:
    """A scheme's rules in words, for the CLI and the tab."""
    lines = [f"{scheme.name} ({scheme.id}): {money(scheme.amount)}, paid once",
             f"  paid work: {conditions_words(scheme)}"]
    if scheme.check_area_at_registration or scheme.check_area_at_job_start:
        when = " and ".join(w for w, on in (("when they registered", scheme.check_area_at_registration),
                                            ("at the job start", scheme.check_area_at_job_start)) if on)
        lines.append(f"  lives in the site's area {when}")
    lines.append(f"  aged {scheme.min_age} to {scheme.state_pension_age - 1} at the job start")
    if scheme.require_registration_before_start:
        lines.append("  registered, with consent, on or before the day the job started")
    lines.append("  out of work when registered" + (" (or a move to a new job)" if scheme.allow_in_work_progression else ""))
    if scheme.job_start_from or scheme.job_start_to:
        lines.append(f"  jobs starting {scheme.job_start_from or 'any time'} to {scheme.job_start_to or 'any time'}")
    if scheme.min_contacts_before_start:
        lines.append(f"  at least {scheme.min_contacts_before_start} contact(s) logged before the job starts")
    lines.append("  one bonus per person")
    if scheme.budget:
        lines.append(f"  budget {money(scheme.budget)} (warning at {scheme.budget_warning_percent:g}%)")
    for rule_id in scheme.extra_rules:
        lines.append(f"  extra rule: {rule_id}")
    return lines


# -- checks ------------------------------------------------------------------------------------------


def current_date() -> date:
    """Today, for checks and steps given no date (one place, so tests can pin the clock)."""
    return date.today()


def _today(today: date | None) -> date:
    return today or current_date()


def _open_claim(facts, scheme_id: str) -> ClaimFact | None:
    mine = [c for c in facts.claims if c.scheme_id == scheme_id and c.status in BLOCKING_CLAIM_STATUSES]
    return mine[-1] if mine else None


def check_facts(hub: "Hub", facts, *, today: date, types=None, versions=None, only: str | None = None,
                scheme_list: list[SchemeSettings] | None = None) -> list[SchemeCheck]:
    types = types if types is not None else rule_types(hub)
    checks = []
    for scheme in scheme_list if scheme_list is not None else schemes(hub):
        if only is not None and scheme.id != only:
            continue
        check = evaluate(facts, scheme, today, site_area=hub.config.hub.area, rule_types=types,
                         claim=_open_claim(facts, scheme.id))
        check.rule_version = (versions or {}).get(scheme.id) or version_for(hub, scheme, types)[0]
        checks.append(check)
    return checks


def require_resident(hub: "Hub", resident_id: int):
    facts = gather(hub.db, resident_id, hub.config.hub.area, jobs_from_hooks(hub))
    if facts is None:
        raise BonusError(f"There is no resident with id {resident_id} (or their record was erased).", "resident")
    return facts


def check_resident(hub: "Hub", resident_id: int, *, today: date | None = None, log_view: bool = True) -> list[SchemeCheck]:
    """Every scheme's check for one resident, in words. Raises BonusError (field "resident") if unknown."""
    hub.require("residents.use")
    facts = require_resident(hub, resident_id)
    if log_view:
        log_access(hub.db, staff=hub.staff, terminal=hub.terminal, resident_id=resident_id, action="bonus:check")
    return check_facts(hub, facts, today=_today(today))


@dataclass
class DueItem:
    """A resident who is eligible (and not yet approved), or will be within the site's due window."""

    resident_id: int
    scheme_id: str
    scheme_name: str
    amount: float
    due: str
    """"eligible" (now) or "soon"."""
    on: date
    """Eligible since, or due on."""
    claim_id: int | None
    claim_status: str | None
    missing: list[str]
    summary: str

    def as_dict(self) -> dict[str, Any]:
        return {"resident_id": self.resident_id, "scheme": self.scheme_id, "scheme_name": self.scheme_name,
                "amount": self.amount, "due": self.due, "on": self.on.isoformat(), "claim_id": self.claim_id,
                "claim_status": self.claim_status, "missing": self.missing, "summary": self.summary}

    def words(self) -> str:
        when = f"eligible since {long_date(self.on)}" if self.due == "eligible" else f"due on {long_date(self.on)}"
        claim = f"; claim #{self.claim_id} {STATUS_LABELS[self.claim_status]}" if self.claim_id else "; no claim yet"
        missing = f"; missing {', '.join(self.missing)}" if self.missing else ""
        return f"{self.scheme_name}: {when}{claim}{missing}"


@dataclass(frozen=True)
class DueRequest:
    """What the due list needs from the hub, gathered on the main thread (plugin hooks run there), so the
    list itself can be worked out in a thread worker with its own database connection."""

    schemes: tuple[SchemeSettings, ...]
    types: dict[str, RuleType]
    versions: dict[str, str]
    within_days: int
    today: date


def due_request(hub: "Hub", *, today: date | None = None, within_days: int | None = None) -> DueRequest:
    """Check the permission and read the rules (main thread)."""
    hub.require("residents.use")
    types = rule_types(hub)
    scheme_list = tuple(schemes(hub))
    versions = {s.id: version_for(hub, s, types)[0] for s in scheme_list}
    within = settings(hub).due_soon_days if within_days is None else within_days
    return DueRequest(scheme_list, types, versions, within, _today(today))


def due_items(hub: "Hub", request: DueRequest, db) -> list[DueItem]:
    """The due list from ``db`` (read only; any thread with its own connection). No writes; jobs come from
    ``resident_employment`` called with a hub bound to ``db``, so the provider reads this thread's connection."""
    ids = [row["id"] for row in db.query("SELECT id FROM residents WHERE erased_at IS NULL ORDER BY id")]
    items: list[DueItem] = []
    jobs_of = jobs_from_hooks(hub.using_database(db))  # the providers read through this thread's connection
    for chunk in range(0, len(ids), 400):
        for facts in gather_many(db, ids[chunk:chunk + 400], hub.config.hub.area, jobs_of).values():
            if not facts.jobs:
                continue
            for check in check_facts(hub, facts, today=request.today, types=request.types, versions=request.versions,
                                     scheme_list=list(request.schemes)):
                item = _due_item(check, facts.resident_id, request.today, request.within_days)
                if item is not None:
                    items.append(item)
    order = {"eligible": 0, "soon": 1}
    return sorted(items, key=lambda item: (order[item.due], item.on, item.resident_id))


def due_list(hub: "Hub", *, today: date | None = None, within_days: int | None = None) -> list[DueItem]:
    """Who has become eligible (with no approved or paid claim yet) or will within ``within_days``
    (default: the site's due_soon_days). Eligible first, longest waiting first; then soonest."""
    items = due_items(hub, due_request(hub, today=today, within_days=within_days), hub.db)
    hub.log_event(None, "bonus:due")
    return items


def _due_item(check: SchemeCheck, resident_id: int, today: date, within: int) -> DueItem | None:
    claim = check.claim
    if claim is not None and claim.status not in OPEN_STATUSES:
        return None
    sustained = next((rule for rule in check.rules if rule.rule == "sustained"), None)
    if check.status == ELIGIBLE:
        due, on = "eligible", check.eligible_on or today
    elif check.status == WAITING and sustained is not None and sustained.met_on is not None:
        if (sustained.met_on - today).days > within:
            return None
        due, on = ("eligible" if sustained.met_on <= today else "soon"), sustained.met_on
    else:
        return None
    return DueItem(resident_id, check.scheme_id, check.scheme_name, check.amount, due, on,
                   claim.id if claim else None, claim.status if claim else None, check.missing, check.summary())


# -- the budget --------------------------------------------------------------------------------------


@dataclass
class Budget:
    scheme_id: str
    scheme_name: str
    budget: float
    warning_percent: float
    approved: float
    paid: float
    proposed: float
    adding: float = 0.0

    @property
    def committed(self) -> float:
        return self.approved + self.paid

    @property
    def after(self) -> float:
        return self.committed + self.adding

    @property
    def would_exceed(self) -> bool:
        return bool(self.budget) and self.after > self.budget + 0.005

    @property
    def remaining(self) -> float | None:
        return self.budget - self.committed if self.budget else None

    def warning(self) -> str | None:
        if not self.budget:
            return None
        if self.would_exceed:
            return (f"Over budget: approving {money(self.adding)} takes the {self.scheme_name} to {money(self.after)} "
                    f"of its {money(self.budget)} budget, {money(self.after - self.budget)} over.")
        share = self.after / self.budget * 100
        if share >= self.warning_percent:
            with_this = " with this claim" if self.adding else ""
            return (f"Budget warning: {money(self.after)} of the {self.scheme_name}'s {money(self.budget)} is committed"
                    f"{with_this} ({share:.0f}%); {money(self.budget - self.after)} left.")
        return None

    def line(self) -> str:
        if not self.budget:
            return f"{self.scheme_name}: no budget set; {money(self.paid)} paid, {money(self.approved)} approved, " \
                   f"{money(self.proposed)} proposed."
        return (f"{self.scheme_name}: {money(self.committed)} of {money(self.budget)} committed "
                f"({money(self.paid)} paid, {money(self.approved)} approved); {money(self.proposed)} more proposed.")

    def as_dict(self) -> dict[str, Any]:
        return {"scheme": self.scheme_id, "budget": self.budget or None, "paid": self.paid, "approved": self.approved,
                "proposed": self.proposed, "committed": self.committed, "remaining": self.remaining,
                "warning": self.warning()}


def budget_status(hub: "Hub", scheme: SchemeSettings, *, adding: float = 0.0) -> Budget:
    totals = storage.scheme_totals(hub.db, scheme.id)
    return Budget(scheme.id, scheme.name, scheme.budget, scheme.budget_warning_percent, totals["approved"],
                  totals["paid"], totals["proposed"], adding)


# -- claims ------------------------------------------------------------------------------------------


@dataclass
class ActionResult:
    claim_id: int
    status: str
    warnings: list[str] = field(default_factory=list)


def _clock(now: datetime | None) -> tuple[str, date]:
    if now is None:
        return datetime.now(timezone.utc).isoformat(timespec="seconds"), current_date()
    return now.isoformat(timespec="seconds"), now.date()


def _reason(reason: str, *, required: bool) -> str | None:
    text = clean_text(reason, limit=300)
    if required and not text:
        raise ClaimError("Say why, in a few words (it is kept with the claim).", "reason")
    return text or None


def _same_person(a: str | None, b: str | None) -> bool:
    return (a or "").strip().lower() == (b or "").strip().lower()


def get_claim(hub: "Hub", claim_id: int) -> dict[str, Any]:
    claim = storage.get_claim(hub.db, claim_id)
    if claim is None:
        raise BonusError(f"There is no bonus claim {claim_id}.", "claim")
    return claim


def _claim_fact(claim: dict[str, Any]) -> ClaimFact:
    return ClaimFact(claim["id"], claim["scheme_id"], claim["status"], date.fromisoformat(claim["proposed_at"][:10]),
                     claim["resident_id"], claim["job_entry_id"])


def _claim_status_for(check: SchemeCheck) -> str | None:
    """The open status a check supports (None: it fails a rule)."""
    if check.status == ELIGIBLE:
        return "eligible"
    if check.status == WAITING:
        return "evidence_pending" if check.only_evidence_missing else "potential"
    return None


def _check_claim(hub: "Hub", claim: dict[str, Any], today: date) -> tuple[SchemeSettings, SchemeCheck, Any]:
    scheme = scheme_by_id(hub, claim["scheme_id"])
    facts = require_resident(hub, claim["resident_id"])
    types = rule_types(hub)
    check = evaluate(facts, scheme, today, site_area=hub.config.hub.area, rule_types=types, claim=_claim_fact(claim))
    check.rule_version, payload = version_for(hub, scheme, types)
    return scheme, check, (facts, payload)


ACTION_TARGETS = {"approve": "approved", "pay": "paid", "reject": "rejected", "withdraw": "withdrawn", "reverse": "reversed"}


def refusal(claim: dict[str, Any], action: str) -> str | None:
    """Why the state machine refuses ``action`` on this claim, or None if the step is allowed."""
    if ACTION_TARGETS[action] in TRANSITIONS[claim["status"]]:
        return None
    allowed = [ACTION_WORDS.get(_action_for(s), s) for s in TRANSITIONS[claim["status"]] if _action_for(s)]
    can = f"; it can only be {', '.join(dict.fromkeys(allowed))}" if allowed else "; nothing more can be done with it"
    return f"Claim {claim['id']} is {STATUS_LABELS[claim['status']]}, so it cannot be {ACTION_WORDS[action]}{can}."


def _refuse(claim: dict[str, Any], action: str, to_status: str) -> None:
    message = refusal(claim, action)
    if message:
        raise TransitionRefused(message)


def _action_for(status: str) -> str | None:
    return {"approved": "approve", "paid": "pay", "rejected": "reject", "withdrawn": "withdraw",
            "reversed": "reverse"}.get(status)


def _write_step(hub: "Hub", claim_id: int, *, resident_id: int, action: str, from_status: str | None, to_status: str,
                at: str, on_date: date, reason: str | None, version: str, facts: dict, checks: dict,
                claim_values: dict[str, Any], automatic: bool = False) -> None:
    """One step: the claim's new state and its event, inside the caller's transaction."""
    facts_json, checks_json = json.dumps(facts, sort_keys=True), json.dumps(checks, sort_keys=True)
    storage.update_claim(hub.db, claim_id, {"status": to_status, "updated_at": at, **claim_values})
    storage.add_event(hub.db, {
        "claim_id": claim_id, "resident_id": resident_id, "action": action, "from_status": from_status,
        "to_status": to_status, "at": at, "on_date": on_date.isoformat(), "by_staff": hub.staff,
        "role": hub.role or "", "terminal": hub.terminal, "automatic": int(automatic), "reason": reason,
        "rule_version": version, "facts_json": facts_json, "checks_json": checks_json,
    })
    log_access(hub.db, staff=hub.staff, terminal=hub.terminal, resident_id=resident_id, action=f"bonus:{action}:{claim_id}")


def _emit(hub: "Hub", resident_id: int, claim_id: int) -> None:
    hub.emit("record_saved", resident_id=resident_id, kind=RECORD_KIND, record_id=claim_id)


def propose(hub: "Hub", resident_id: int, scheme_id: str, *, reason: str = "", now: datetime | None = None) -> ActionResult:
    """Open a claim for a resident under a scheme. Any member of staff may propose; the claim starts as
    potential, evidence pending or eligible, as the check says. Refused if any rule fails."""
    hub.require("residents.use")
    at, today = _clock(now)
    scheme = scheme_by_id(hub, scheme_id)
    facts = require_resident(hub, resident_id)
    types = rule_types(hub)
    check = evaluate(facts, scheme, today, site_area=hub.config.hub.area, rule_types=types)
    version, payload = version_for(hub, scheme, types)
    check.rule_version = version
    status = _claim_status_for(check)
    if status is None:
        raise ClaimError("Cannot propose a claim: " + " ".join(rule.words for rule in check.failing), "scheme")
    note = _reason(reason, required=False)
    try:
        with write_transaction(hub.db):
            storage.ensure_rule_version(hub.db, scheme_id=scheme.id, scheme_name=scheme.name, version_hash=version,
                                        payload=payload, staff=hub.staff)
            claim_id = storage.insert_claim(hub.db, {
                "resident_id": resident_id, "scheme_id": scheme.id, "scheme_name": scheme.name, "amount": scheme.amount,
                "status": status, "job_entry_id": check.stint.first.entry_id if check.stint else None,
                "job_start": check.stint.start.isoformat() if check.stint else None,
                "eligible_on": check.eligible_on.isoformat() if check.eligible_on else None,
                "rule_version": version, "facts_json": json.dumps(facts.as_dict(), sort_keys=True),
                "checks_json": json.dumps(check.as_dict(), sort_keys=True), "proposed_by": hub.staff,
                "proposed_at": at, "updated_at": at,
            })
            _write_step(hub, claim_id, resident_id=resident_id, action="propose", from_status=None, to_status=status,
                        at=at, on_date=today, reason=note, version=version, facts=facts.as_dict(),
                        checks=check.as_dict(), claim_values={})
    except DB_ERRORS as exc:
        if "unique" not in str(exc).lower():
            raise
        raise ClaimError("They already have an open or paid claim for this scheme: one bonus per person.", "scheme") from None
    _emit(hub, resident_id, claim_id)
    warning = budget_status(hub, scheme, adding=scheme.amount).warning()
    return ActionResult(claim_id, status, [warning] if warning else [])


def recheck_claim(hub: "Hub", claim_id: int, *, why: str = "re-checked", now: datetime | None = None) -> str | None:
    """Move an open claim to the status its check now supports (recorded as an automatic step).
    Returns the new status, or None if nothing changed. A claim that now fails a rule keeps its status:
    the check shows why, and approval is refused until a site lead rejects it or the facts change."""
    at, today = _clock(now)
    claim = get_claim(hub, claim_id)
    if claim["status"] not in OPEN_STATUSES:
        return None
    try:
        scheme, check, (facts, payload) = _check_claim(hub, claim, today)
    except BonusError:  # the scheme was removed from the settings, or the resident erased: nothing to move
        return None
    status = _claim_status_for(check)
    if status is None or status == claim["status"]:
        return None
    with write_transaction(hub.db):
        if storage.get_claim(hub.db, claim_id)["status"] != claim["status"]:
            return None  # another kiosk moved it meanwhile (perhaps approved it): leave it be
        storage.ensure_rule_version(hub.db, scheme_id=scheme.id, scheme_name=scheme.name, version_hash=check.rule_version,
                                    payload=payload, staff=hub.staff)
        _write_step(hub, claim_id, resident_id=claim["resident_id"], action="recheck", from_status=claim["status"],
                    to_status=status, at=at, on_date=today, reason=clean_text(why, limit=300), version=check.rule_version,
                    facts=facts.as_dict(), checks=check.as_dict(), automatic=True,
                    claim_values=_open_values(check, facts))
    _emit(hub, claim["resident_id"], claim_id)
    return status


def _open_values(check: SchemeCheck, facts) -> dict[str, Any]:
    return {
        "rule_version": check.rule_version, "facts_json": json.dumps(facts.as_dict(), sort_keys=True),
        "checks_json": json.dumps(check.as_dict(), sort_keys=True),
        "job_entry_id": check.stint.first.entry_id if check.stint else None,
        "job_start": check.stint.start.isoformat() if check.stint else None,
        "eligible_on": check.eligible_on.isoformat() if check.eligible_on else None,
    }


def recheck_resident(hub: "Hub", resident_id: int, *, why: str = "re-checked", now: datetime | None = None) -> list[int]:
    """Re-check a resident's open claims (cheap: nothing happens without one). Returns the claims that moved."""
    try:
        if "bonus_claims" not in hub.db.table_names():
            return []
        ids = [row[0] for row in hub.db.execute(
            "SELECT id FROM bonus_claims WHERE resident_id = ? AND status IN ('potential', 'evidence_pending', 'eligible')",
            [resident_id]).fetchall()]
        return [claim_id for claim_id in ids if recheck_claim(hub, claim_id, why=why, now=now)]
    except (StorageError, *DB_ERRORS) as exc:  # a busy database must not switch the plugin off; the next view re-checks
        log.warning("bonus: re-check of resident %s skipped: %s", resident_id, type(exc).__name__)
        return []


def approve(hub: "Hub", claim_id: int, *, reason: str = "", allow_over_budget: bool = False,
            now: datetime | None = None) -> ActionResult:
    """Approve an eligible claim: a site lead (bonus.approve) who did not propose it, on a fresh check that
    passes every rule. The claim keeps this rule version and these facts from now on."""
    hub.require("bonus.approve")
    at, today = _clock(now)
    claim = get_claim(hub, claim_id)
    if _same_person(claim["proposed_by"], hub.staff):
        hub.log_event(claim["resident_id"], f"denied:bonus:approve-own:{claim_id}")
        raise SameApprover(f"You proposed claim {claim_id}; another site lead must approve it.", "approver")
    if claim["status"] in OPEN_STATUSES:
        recheck_claim(hub, claim_id, why="re-checked before approval", now=now)
        claim = get_claim(hub, claim_id)
    if claim["status"] in ("potential", "evidence_pending"):
        _, waiting, _ = _check_claim(hub, claim, today)
        raise TransitionRefused(f"Claim {claim_id} is {STATUS_LABELS[claim['status']]}, not eligible yet: {waiting.summary()}")
    _refuse(claim, "approve", "approved")
    scheme, check, (facts, payload) = _check_claim(hub, claim, today)
    if check.status != ELIGIBLE:
        raise ClaimError(f"Claim {claim_id} no longer passes every rule: " + " ".join(r.words for r in check.failing or check.waiting))
    budget = budget_status(hub, scheme, adding=scheme.amount)
    if budget.would_exceed and not allow_over_budget:
        raise OverBudget(budget.warning() + " Approve again to go ahead anyway.", budget)
    note = _reason(reason, required=False)
    if budget.would_exceed:
        note = ((note + " ") if note else "") + f"[approved over budget: {money(budget.after)} of {money(budget.budget)}]"
    with write_transaction(hub.db):
        storage.ensure_rule_version(hub.db, scheme_id=scheme.id, scheme_name=scheme.name, version_hash=check.rule_version,
                                    payload=payload, staff=hub.staff)
        current = storage.get_claim(hub.db, claim_id)
        if current["status"] != "eligible":  # another kiosk moved it meanwhile
            raise TransitionRefused(f"Claim {claim_id} was changed at another kiosk; look again.")
        _write_step(hub, claim_id, resident_id=claim["resident_id"], action="approve", from_status="eligible",
                    to_status="approved", at=at, on_date=today, reason=note, version=check.rule_version,
                    facts=facts.as_dict(), checks=check.as_dict(),
                    claim_values={**_open_values(check, facts), "approved_by": hub.staff, "approved_at": at,
                                  "amount": scheme.amount, "scheme_name": scheme.name})
    _emit(hub, claim["resident_id"], claim_id)
    warning = budget.warning()
    return ActionResult(claim_id, "approved", [warning] if warning else [])


def _decided_step(hub: "Hub", claim: dict[str, Any], *, action: str, to_status: str, reason: str | None, at: str,
                  today: date, on_date: date | None = None, values: dict[str, Any] | None = None) -> None:
    """A step after (or instead of) approval: it records the claim's own rule version and snapshot."""
    with write_transaction(hub.db):
        current = storage.get_claim(hub.db, claim["id"])
        if current["status"] != claim["status"]:
            raise TransitionRefused(f"Claim {claim['id']} was changed at another kiosk; look again.")
        _write_step(hub, claim["id"], resident_id=claim["resident_id"], action=action, from_status=claim["status"],
                    to_status=to_status, at=at, on_date=on_date or today, reason=reason, version=claim["rule_version"],
                    facts=claim["facts"] or {}, checks=claim["checks"] or {}, claim_values=values or {})
    _emit(hub, claim["resident_id"], claim["id"])


def mark_paid(hub: "Hub", claim_id: int, *, paid_on: date | None = None, reference: str = "", reason: str = "",
              now: datetime | None = None) -> ActionResult:
    """Record that an approved claim was paid (site leads): the day it was paid and a payment reference."""
    hub.require("bonus.approve")
    at, today = _clock(now)
    claim = get_claim(hub, claim_id)
    _refuse(claim, "pay", "paid")
    paid_on = paid_on or today
    if paid_on > today:
        raise ClaimError("The payment date is in the future: record it once it is paid.", "paid_on")
    approved_on = date.fromisoformat(claim["approved_at"][:10])
    if paid_on < approved_on:
        raise ClaimError(f"The payment date is before the approval on {long_date(approved_on)}.", "paid_on")
    ref = clean_text(reference, limit=60) or None
    _decided_step(hub, claim, action="pay", to_status="paid", reason=_reason(reason, required=False), at=at,
                  today=today, on_date=paid_on, values={"paid_on": paid_on.isoformat(), "payment_reference": ref})
    return ActionResult(claim_id, "paid")


def reject(hub: "Hub", claim_id: int, *, reason: str, now: datetime | None = None) -> ActionResult:
    """Turn a claim down (site leads), with the reason."""
    hub.require("bonus.approve")
    at, today = _clock(now)
    claim = get_claim(hub, claim_id)
    _refuse(claim, "reject", "rejected")
    _decided_or_open(hub, claim, "reject", "rejected", _reason(reason, required=True), at, today)
    return ActionResult(claim_id, "rejected")


def withdraw(hub: "Hub", claim_id: int, *, reason: str, now: datetime | None = None) -> ActionResult:
    """Withdraw a claim (made in error, or the resident asked). Any staff before approval; site leads after."""
    claim = get_claim(hub, claim_id)
    hub.require("bonus.approve" if claim["status"] == "approved" else "residents.use")
    at, today = _clock(now)
    _refuse(claim, "withdraw", "withdrawn")
    _decided_or_open(hub, claim, "withdraw", "withdrawn", _reason(reason, required=True), at, today)
    return ActionResult(claim_id, "withdrawn")


def reverse(hub: "Hub", claim_id: int, *, reason: str, now: datetime | None = None) -> ActionResult:
    """Reverse a paid claim (paid in error, or recovered), with the reason (site leads)."""
    hub.require("bonus.approve")
    at, today = _clock(now)
    claim = get_claim(hub, claim_id)
    _refuse(claim, "reverse", "reversed")
    _decided_step(hub, claim, action="reverse", to_status="reversed", reason=_reason(reason, required=True), at=at,
                  today=today)
    return ActionResult(claim_id, "reversed")


def _decided_or_open(hub: "Hub", claim: dict[str, Any], action: str, to_status: str, reason: str, at: str,
                     today: date) -> None:
    """Rejecting or withdrawing: an open claim snapshots the current rules and facts; an approved one keeps its own."""
    if claim["status"] not in OPEN_STATUSES:
        _decided_step(hub, claim, action=action, to_status=to_status, reason=reason, at=at, today=today)
        return
    try:
        scheme, check, (facts, payload) = _check_claim(hub, claim, today)
    except BonusError:  # scheme gone from the settings: keep the claim's last snapshot
        _decided_step(hub, claim, action=action, to_status=to_status, reason=reason, at=at, today=today)
        return
    with write_transaction(hub.db):
        storage.ensure_rule_version(hub.db, scheme_id=scheme.id, scheme_name=scheme.name, version_hash=check.rule_version,
                                    payload=payload, staff=hub.staff)
        current = storage.get_claim(hub.db, claim["id"])
        if current["status"] != claim["status"]:
            raise TransitionRefused(f"Claim {claim['id']} was changed at another kiosk; look again.")
        _write_step(hub, claim["id"], resident_id=claim["resident_id"], action=action, from_status=claim["status"],
                    to_status=to_status, at=at, on_date=today, reason=reason, version=check.rule_version,
                    facts=facts.as_dict(), checks=check.as_dict(), claim_values=_open_values(check, facts))
    _emit(hub, claim["resident_id"], claim["id"])


def claims_for(hub: "Hub", resident_id: int) -> list[dict[str, Any]]:
    return storage.claims_for(hub.db, resident_id)


def history_lines(hub: "Hub", claim_id: int) -> list[str]:
    """Each step of a claim: when, who, from what to what, why, and under which rule version."""
    lines = []
    for event in storage.events_for(hub.db, claim_id):
        number = storage.version_number(hub.db, event["rule_version"])
        who = "automatically, " if event["automatic"] else ""
        change = (f"{STATUS_LABELS.get(event['from_status'], event['from_status'])} -> " if event["from_status"] else "") \
            + STATUS_LABELS[event["to_status"]]
        why = f": {event['reason']}" if event["reason"] else ""
        lines.append(f"{event['at'][:16].replace('T', ' ')}  {ACTION_WORDS[event['action']]} by {who}{event['by_staff']} "
                     f"({change}; rules v{number or '?'}){why}")
    return lines


# -- the calculator's one-off payments ---------------------------------------------------------------


def one_off_payments(hub: "Hub", resident_id: int, *, today: date | None = None) -> list:
    """What the better-off calculator shows as one-off payments on starting work: a bonus the resident is
    eligible for, is on the way to, or would be on the way to if they started a qualifying job today."""
    today = _today(today)
    facts = gather(hub.db, resident_id, hub.config.hub.area, jobs_from_hooks(hub))
    if facts is None:
        return []
    types = rule_types(hub)
    payments = []
    for scheme in schemes(hub):
        claim = _open_claim(facts, scheme.id)
        if claim is not None and claim.status in ("approved", "paid"):
            continue
        kwargs = {"site_area": hub.config.hub.area, "rule_types": types, "claim": claim}
        check = evaluate(facts, scheme, today, **kwargs)
        if check.status == ELIGIBLE:
            note = f"eligible now (since {long_date(check.eligible_on)})" if check.eligible_on else "eligible now"
        elif check.status == WAITING and check.stint is not None:
            sustained = next((r for r in check.rules if r.rule == "sustained"), None)
            when = f"due on {long_date(sustained.met_on)} if they stay in work" if sustained and sustained.met_on else \
                "if they stay in work"
            note = when + (f"; needs {', '.join(check.missing)}" if check.missing else "")
        else:
            would = if_starting_work(facts, scheme, today, **kwargs)
            if would.status == NOT_ELIGIBLE:
                continue
            note = conditions_words(scheme)
        payments.append({"label": scheme.name, "amount": scheme.amount, "note": note})  # plain data: no calculator import
    return payments
