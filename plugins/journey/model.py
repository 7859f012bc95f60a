"""The journey's vocabulary and rules: assessment areas and scale, action-plan states, engagement
kinds and outcomes, outcome kinds, and the validation of what staff type. Pure: no Textual, no
database, so the screens, the command line, the reports and the tests share one set of rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable, Mapping

from hub.api import ValidationError, clean_text, parse_date

# -- assessment ------------------------------------------------------------------------------------

BARRIERS: dict[str, str] = {
    "debt": "Debt or money worries",
    "childcare": "Childcare",
    "health": "Physical health",
    "mental_health": "Mental health and wellbeing",
    "skills": "Skills and qualifications",
    "confidence": "Confidence",
    "transport": "Transport and getting about",
    "housing": "Housing",
    "digital": "Digital (devices, internet, online forms)",
    "caring": "Caring for someone",
    "english": "English language",
    "convictions": "Criminal record",
    "substance": "Drugs or alcohol",
    "work_history": "Gaps in work history",
}
"""What can stand between a resident and work. Scored 0 (not a barrier) to 4 (stops me)."""

STRENGTHS: dict[str, str] = {
    "experience": "Work experience",
    "skills": "Skills and qualifications",
    "motivation": "Motivation",
    "reliability": "Reliability and time-keeping",
    "people": "Getting on with people",
    "support": "Family, friends and support",
    "digital": "Digital skills",
    "languages": "Languages",
    "resilience": "Coping when things go wrong",
    "interests": "Interests and hobbies that could lead to work",
}
"""What a resident brings. Scored 0 (not yet) to 4 (a real strength)."""

ITEM_TYPES = {"barrier": BARRIERS, "strength": STRENGTHS}

BARRIER_SCALE = {0: "Not a barrier", 1: "A little", 2: "Some", 3: "A lot", 4: "Stops me"}
STRENGTH_SCALE = {0: "Not yet", 1: "A little", 2: "Some", 3: "Good", 4: "A real strength"}
SCALES = {"barrier": BARRIER_SCALE, "strength": STRENGTH_SCALE}
MAX_SCORE = 4
WORDS_LIMIT = 500
"""The resident's own words about one area, kept as they said them."""


@dataclass(frozen=True)
class ItemForm:
    """One area as staff typed it: a score (0-4, blank when not talked about) and the resident's words."""

    type: str
    area: str
    score: str = ""
    words: str = ""


def validate_assessment(assessed_on: str, items: Iterable[ItemForm], note: str = "", *,
                        today: date | None = None) -> tuple[str, list[dict[str, Any]], str]:
    """Return (date ISO, clean item rows, clean note) or raise ValidationError naming each bad field.

    Field names in errors are ``assessed_on``, ``items`` and ``<type>.<area>``.
    """
    today = today or date.today()
    errors: dict[str, str] = {}
    when = parse_date(assessed_on) if assessed_on.strip() else today
    if when is None:
        errors["assessed_on"] = "Not a date: write it as day/month/year."
    elif when > today:
        errors["assessed_on"] = "The assessment date is in the future."
    rows: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for item in items:
        key = f"{item.type}.{item.area}"
        if item.type not in ITEM_TYPES or item.area not in ITEM_TYPES[item.type]:
            errors[key] = f"Unknown {item.type or 'area'} {item.area!r}."
            continue
        if (item.type, item.area) in seen:
            errors[key] = "This area appears twice."
            continue
        seen.add((item.type, item.area))
        words = clean_text(item.words, limit=WORDS_LIMIT)
        text = str(item.score).strip()
        if not text:
            if words:
                errors[key] = "Give a score (0 to 4) for what the resident said."
            continue
        if not re.fullmatch(r"[0-4]", text):
            errors[key] = f"Score 0 to 4 ({', '.join(f'{k} {v.lower()}' for k, v in SCALES[item.type].items())})."
            continue
        rows.append({"type": item.type, "area": item.area, "score": int(text), "words": words or None})
    if not rows and not any(k.count(".") for k in errors):
        errors["items"] = "Score at least one barrier or strength."
    if errors:
        raise ValidationError(errors)
    return when.isoformat(), rows, clean_text(note, limit=2000)


@dataclass(frozen=True)
class AreaChange:
    """How one area moved between two assessments; ``better`` is positive when things improved."""

    type: str
    area: str
    before: int
    after: int

    @property
    def better(self) -> int:
        return self.before - self.after if self.type == "barrier" else self.after - self.before

    @property
    def label(self) -> str:
        return ITEM_TYPES[self.type].get(self.area, self.area)


@dataclass(frozen=True)
class Distance:
    """Distance travelled between two assessments: the sum of every area's improvement."""

    changes: tuple[AreaChange, ...]

    @property
    def total(self) -> int:
        return sum(change.better for change in self.changes)

    @property
    def improved(self) -> int:
        return sum(1 for change in self.changes if change.better > 0)

    @property
    def worse(self) -> int:
        return sum(1 for change in self.changes if change.better < 0)

    def describe(self) -> str:
        if not self.changes:
            return "no area scored both times"
        sign = "+" if self.total > 0 else ""
        return (f"{sign}{self.total} across {len(self.changes)} area{'s' if len(self.changes) != 1 else ''} "
                f"({self.improved} better, {self.worse} worse)")


def distance(before: Iterable[Mapping[str, Any]], after: Iterable[Mapping[str, Any]]) -> Distance:
    """Compare two assessments' items (dicts with type, area, score); areas scored in both count."""
    earlier = {(item["type"], item["area"]): item["score"] for item in before}
    changes = [
        AreaChange(item["type"], item["area"], earlier[(item["type"], item["area"])], item["score"])
        for item in after
        if (item["type"], item["area"]) in earlier
    ]
    changes.sort(key=lambda change: (change.type, list(ITEM_TYPES[change.type]).index(change.area)
                                     if change.area in ITEM_TYPES[change.type] else 99))
    return Distance(tuple(changes))


# -- action plan -----------------------------------------------------------------------------------

GOAL_STATUSES = {"open": "Working on it", "achieved": "Achieved", "dropped": "Dropped"}
GOAL_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "open": ("achieved", "dropped"),
    "achieved": ("open",),
    "dropped": ("open",),
}

STEP_STATUSES = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "stuck": "Stuck",
    "done": "Done",
    "dropped": "Dropped",
}
STEP_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "not_started": ("in_progress", "done", "dropped"),
    "in_progress": ("stuck", "done", "dropped"),
    "stuck": ("in_progress", "dropped"),
    "done": ("in_progress",),
    "dropped": ("not_started",),
}
"""A step moves along these; ``done`` and ``dropped`` can be reopened. Anything else is refused."""
OPEN_STEP_STATUSES = frozenset({"not_started", "in_progress", "stuck"})

OWNERS = {"resident": "The resident", "staff": "Staff"}

LINK_KINDS = {
    "signposting.referral": "Referral",
    "passport.entry": "Passport entry",
    "benefits_calc.scenario": "Better-off calculation",
}
"""What a step can be linked to, by the ``kind`` other plugins use in ``record_saved`` and ``linkable_records``:
its label. The plugins holding them answer the core's ``linkable_records`` and ``describe_record``."""


class RefusedTransition(ValidationError):
    """A status change the lifecycle does not allow; the message says what is allowed next."""


def check_transition(statuses: Mapping[str, str], transitions: Mapping[str, tuple[str, ...]], current: str,
                     new: str, what: str) -> None:
    if new not in statuses:
        raise ValidationError({"status": f"Unknown status {new!r}; choose from: {', '.join(statuses)}."})
    allowed = transitions.get(current, ())
    if new not in allowed:
        nexts = ", ".join(statuses[s] for s in allowed) or "nothing"
        raise RefusedTransition({"status": f"A {what} that is '{statuses[current]}' cannot become '{statuses[new]}'. "
                                           f"Allowed next: {nexts}."})


def validate_goal(title: str) -> str:
    title = clean_text(title, limit=200)
    if not title:
        raise ValidationError({"title": "Say what the goal is, in the resident's words if you can."})
    return title


def validate_step(description: str, owner: str, due_on: str, *, owner_staff: str = "", link_kind: str = "",
                  link_id: str = "", today: date | None = None) -> dict[str, Any]:
    """A clean step row (without ids and stamps) or ValidationError naming each bad field."""
    errors: dict[str, str] = {}
    description = clean_text(description, limit=300)
    if not description:
        errors["description"] = "Say what the step is."
    if owner not in OWNERS:
        errors["owner"] = "Choose who does it: the resident or staff."
    due = None
    if due_on.strip():
        due = parse_date(due_on)
        if due is None:
            errors["due_on"] = "Not a date: write it as day/month/year."
    link_kind = (link_kind or "").strip()
    link_value: int | None = None
    if link_kind:
        if link_kind not in LINK_KINDS:
            errors["link_kind"] = f"Link to one of: {', '.join(LINK_KINDS.values())}."
        text = str(link_id).strip().lstrip("#")
        if not text.isdigit():
            errors["link_id"] = "Give the number of the record to link (e.g. the referral's number)."
        else:
            link_value = int(text)
    elif str(link_id).strip():
        errors["link_kind"] = "Choose what kind of record the number is."
    if errors:
        raise ValidationError(errors)
    return {
        "description": description,
        "owner": owner,
        "owner_staff": clean_text(owner_staff, limit=60) or None if owner == "staff" else None,
        "due_on": due.isoformat() if due else None,
        "link_kind": link_kind or None,
        "link_id": link_value,
    }


# -- engagement log --------------------------------------------------------------------------------

ENGAGEMENT_KINDS = {
    "door_knock": "Door knock",
    "drop_in": "Drop-in",
    "event": "Event",
    "phone": "Phone",
}
ENGAGEMENT_OUTCOMES = {
    "not_in": "Not in",
    "talked": "Talked",
    "leaflet_left": "Leaflet left",
    "interested": "Interested",
    "signed_up": "Signed up",
}
ENGAGED_OUTCOMES = frozenset({"talked", "interested", "signed_up"})
"""A household counts as engaged when someone there talked with us (not a leaflet or nobody in)."""

HOME_REF_LIMIT = 60
_PHONE_LIKE = re.compile(r"^(\+44|0)[\d\s()-]{9,15}$")
_POSTCODE_ONLY = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}$", re.I)


def home_key(text: str) -> str:
    """The normalised form used to match and count homes: upper case, punctuation and spacing folded."""
    words = re.findall(r"[A-Za-z0-9/]+", text or "")
    return " ".join(words).upper()


def validate_home_ref(text: str) -> str:
    """A home's address reference (estate property code, UPRN or house and street); never a person."""
    ref = clean_text(text, limit=HOME_REF_LIMIT + 1)
    if not ref:
        raise ValidationError({"home_ref": "Give the home's reference (e.g. 12 Kestrel Walk, or the property code)."})
    if len(ref) > HOME_REF_LIMIT:
        raise ValidationError({"home_ref": f"Keep the reference under {HOME_REF_LIMIT} characters."})
    if "@" in ref or _PHONE_LIKE.match(ref):
        raise ValidationError({"home_ref": "That looks like an email or phone number: record the home, not the person."})
    if _POSTCODE_ONLY.match(ref):
        raise ValidationError({"home_ref": "A postcode covers many homes: add the house number or property code."})
    if not home_key(ref):
        raise ValidationError({"home_ref": "Give the home's reference in letters and numbers."})
    return ref


def validate_engagement(engaged_on: str, kind: str, home_ref: str, outcome: str, *,
                        today: date | None = None) -> dict[str, Any]:
    today = today or date.today()
    errors: dict[str, str] = {}
    when = parse_date(engaged_on) if engaged_on.strip() else today
    if when is None:
        errors["engaged_on"] = "Not a date: write it as day/month/year."
    elif when > today:
        errors["engaged_on"] = "The date is in the future."
    if kind not in ENGAGEMENT_KINDS:
        errors["kind"] = f"Choose one of: {', '.join(ENGAGEMENT_KINDS.values())}."
    if outcome not in ENGAGEMENT_OUTCOMES:
        errors["outcome"] = f"Choose what happened: {', '.join(ENGAGEMENT_OUTCOMES.values())}."
    ref = ""
    try:
        ref = validate_home_ref(home_ref)
    except ValidationError as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationError(errors)
    return {"engaged_on": when.isoformat(), "kind": kind, "home_ref": ref, "home_key": home_key(ref), "outcome": outcome}


# -- outcomes --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeKind:
    """One kind of outcome; plugins add more through ``journey_outcome_kinds``."""

    id: str
    """Stored with each outcome: 2 to 40 lowercase letters, digits, ``_``, ``.`` or ``-``."""
    label: str
    """What staff and reports show."""
    help: str = ""
    """One line shown on the form."""
    plugin: str = "journey"
    """Which plugin added it (filled in by the journey)."""


SUSTAINMENT_WEEKS = (4, 13, 26)

BUILTIN_OUTCOME_KINDS: dict[str, OutcomeKind] = {
    kind.id: kind
    for kind in [
        OutcomeKind("training_education", "Into training or education", "Started a course, apprenticeship or education."),
        OutcomeKind("job_start", "Job start", "Started paid work. Jobs in the passport count without recording them here."),
        *[
            OutcomeKind(f"job_sustained_{weeks}", f"Job sustained {weeks} weeks",
                        f"Still in work {weeks} weeks after starting. From the passport and sustainment checks where it holds the job.")
            for weeks in SUSTAINMENT_WEEKS
        ],
        OutcomeKind("actively_looking", "Actively looking for work", "Moved from not looking to looking for work."),
        OutcomeKind("volunteering", "Volunteering", "Started volunteering."),
        OutcomeKind("financial_inclusion", "Financial inclusion support",
                    "Helped with debt, benefits, banking or budgeting (e.g. a better-off calculation acted on)."),
    ]
}

OUTCOME_EVIDENCE = {
    "payslip": "Payslip",
    "contract": "Contract or offer letter",
    "employer": "Employer confirmed",
    "provider": "College or provider confirmed",
    "certificate": "Certificate or enrolment",
    "letter": "Letter or statement",
    "staff_witnessed": "Staff saw it happen",
    "resident_said": "The resident told us",
}
"""What backs an outcome. ``resident_said`` is self-declared; every other kind was seen or confirmed."""

_KIND_ID = re.compile(r"^[a-z][a-z0-9_.-]{1,39}$")


def kind_from(value: Any, plugin: str) -> OutcomeKind:
    """An OutcomeKind from a plugin's hook result (an OutcomeKind or a dict with the same keys)."""
    if isinstance(value, OutcomeKind):
        data = {"id": value.id, "label": value.label, "help": value.help}
    elif isinstance(value, Mapping):
        data = dict(value)
    else:
        raise ValueError(f"expected an OutcomeKind or a dict, got {type(value).__name__}")
    unknown = set(data) - {"id", "label", "help"}
    if unknown:
        raise ValueError(f"unknown keys {sorted(unknown)}")
    kind_id, label = data.get("id"), data.get("label")
    if not isinstance(kind_id, str) or not _KIND_ID.match(kind_id):
        raise ValueError(f"id {kind_id!r} must be 2 to 40 lowercase letters, digits, _ . or -, starting with a letter")
    if not isinstance(label, str) or not label.strip():
        raise ValueError(f"kind {kind_id!r} needs a label")
    return OutcomeKind(kind_id, label.strip(), str(data.get("help") or ""), plugin)


def merge_kinds(extra: Iterable[tuple[str, Any]]) -> tuple[dict[str, OutcomeKind], list[str]]:
    """Built-in kinds plus (plugin, value) pairs from the hook; returns (kinds, problems skipped)."""
    kinds = dict(BUILTIN_OUTCOME_KINDS)
    problems: list[str] = []
    for plugin, value in extra:
        try:
            kind = kind_from(value, plugin)
        except ValueError as exc:
            problems.append(f"{plugin}: {exc}")
            continue
        if kind.id in kinds:
            problems.append(f"{plugin}: outcome kind {kind.id!r} is already defined by {kinds[kind.id].plugin}")
            continue
        kinds[kind.id] = kind
    return kinds, problems


def validate_outcome(kind: str, outcome_date: str, evidence: str, evidence_detail: str = "", note: str = "", *,
                     kinds: Mapping[str, OutcomeKind] = BUILTIN_OUTCOME_KINDS, today: date | None = None) -> dict[str, Any]:
    today = today or date.today()
    errors: dict[str, str] = {}
    if kind not in kinds:
        errors["kind"] = "Choose the kind of outcome."
    when = parse_date(outcome_date) if outcome_date.strip() else None
    if not outcome_date.strip():
        errors["outcome_date"] = "Give the date it happened (day/month/year)."
    elif when is None:
        errors["outcome_date"] = "Not a date: write it as day/month/year."
    elif when > today:
        errors["outcome_date"] = "The date is in the future: record it once it has happened."
    if evidence not in OUTCOME_EVIDENCE:
        errors["evidence"] = "Choose what backs it up (the resident telling us is allowed)."
    if errors:
        raise ValidationError(errors)
    return {
        "kind": kind,
        "outcome_date": when.isoformat(),
        "evidence": evidence,
        "evidence_detail": clean_text(evidence_detail, limit=300) or None,
        "note": clean_text(note, limit=2000) or None,
    }


CHECK_RESULTS = {"in_work": "Still in work", "left": "Has left the job"}


def validate_check(result: str, checked_on: str, evidence: str, note: str = "", *, today: date | None = None) -> dict[str, Any]:
    today = today or date.today()
    errors: dict[str, str] = {}
    if result not in CHECK_RESULTS:
        errors["result"] = "Choose: still in work, or has left the job."
    when = parse_date(checked_on) if checked_on.strip() else today
    if when is None:
        errors["checked_on"] = "Not a date: write it as day/month/year."
    elif when > today:
        errors["checked_on"] = "The date is in the future."
    if evidence not in OUTCOME_EVIDENCE:
        errors["evidence"] = "Choose how you know."
    if errors:
        raise ValidationError(errors)
    return {"result": result, "checked_on": when.isoformat(), "evidence": evidence, "note": clean_text(note, limit=1000) or None}


# -- reports ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFigure:
    """One figure a plugin adds to the report through ``journey_report_figures``.

    ``resident_ids`` are the people behind it: the figure counts them once each, and staff with
    ``reports.view`` can open it to see who they are. ``amount`` is an extra total (e.g. pounds paid).
    """

    key: str
    label: str
    resident_ids: frozenset[int] | tuple[int, ...] | list[int] = field(default_factory=frozenset)
    amount: float | None = None
    unit: str = "people"
    note: str = ""
    section: str = "Other"
