"""Kinds of passport entry: the seven built in, plus any other plugins add through a hook.

A kind says which fields its form shows, how its hours count in the totals, whether it is
paid work (and so feeds ``employment_spells`` and the bonus checks), and how it maps onto
an Open Badges 3.0 ``achievementType``. Pure data: no Textual, no database.

Other plugins add kinds by implementing ``passport_entry_kinds(hub)`` (see
``plugins/passport/hookspecs.py`` and docs/passport.md), returning ``EntryKind`` objects
or plain dicts with the same keys.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, fields
from typing import Any, Iterable, Mapping

log = logging.getLogger("hub.passport")

OPTIONAL_FIELDS = ("provider", "role", "hours_total", "hours_per_week", "pay", "result", "qualification_level")
"""Fields a kind may show; title, dates, skills, evidence and verification are always shown."""

BUCKETS = ("training", "volunteering", "work_experience", "jobs")
"""Where a kind counts in the totals: hours of training, volunteering, work experience; jobs held."""

ACTIVITIES = {
    "work_search": "Work search",
    "work_preparation": "Work preparation",
    "none": "Neither",
}
"""Whether an entry counts as work search or work preparation (the DWP's two activity types a
work coach asks about). The hub records what was done; it never decides conditionality."""

_KIND_ID = re.compile(r"^[a-z][a-z0-9_.-]{1,39}$")


@dataclass(frozen=True)
class EntryKind:
    """One kind of passport entry."""

    id: str
    """Stored with each entry: lowercase letters, digits, ``_``, ``.`` or ``-`` (e.g. ``apprenticeship``)."""
    label: str
    """What staff see, e.g. "Apprenticeship"."""
    fields: frozenset[str] = frozenset()
    """Which of OPTIONAL_FIELDS the form shows for this kind; others are not stored."""
    bucket: str | None = None
    """Where its hours count: one of BUCKETS, or None (not in the totals)."""
    paid_work: bool = False
    """Paid work: listed by ``employment_spells`` for the bonus checks."""
    default_activity: str = "none"
    """The usual answer to "work search or work preparation?" (staff can change it)."""
    achievement_type: str = "ext:Activity"
    """The Open Badges 3.0 achievementType (an OB3 term, or ``ext:Something``)."""
    provider_label: str = "Provider"
    """What the provider field is called on the form, e.g. "Employer"."""
    needs_end: bool = True
    """True: an entry needs an end date or "ongoing". False: a blank end means a single day."""
    help: str = ""
    """One line shown on the form under the kind."""
    plugin: str = "passport"
    """Which plugin added it (filled in by the passport)."""

    def shows(self, name: str) -> bool:
        return name in self.fields


BUILTIN_KINDS: dict[str, EntryKind] = {
    kind.id: kind
    for kind in [
        EntryKind(
            "training", "Training",
            frozenset({"provider", "hours_total", "hours_per_week", "result", "qualification_level"}),
            bucket="training", default_activity="work_preparation", achievement_type="Course",
            needs_end=False, help="A course, workshop or session (one day: leave the end date empty).",
        ),
        EntryKind(
            "qualification", "Qualification",
            frozenset({"provider", "hours_total", "result", "qualification_level"}),
            bucket="training", default_activity="work_preparation", achievement_type="Certificate",
            provider_label="Awarding body or college", needs_end=False,
            help="A certificate or qualification gained (the date it was awarded as the start).",
        ),
        EntryKind(
            "work_experience", "Work experience",
            frozenset({"provider", "role", "hours_total", "hours_per_week", "result"}),
            bucket="work_experience", default_activity="work_preparation", achievement_type="Fieldwork",
            provider_label="Employer or host", help="An unpaid placement, taster or work trial.",
        ),
        EntryKind(
            "volunteering", "Volunteering",
            frozenset({"provider", "role", "hours_total", "hours_per_week"}),
            bucket="volunteering", default_activity="work_preparation", achievement_type="CommunityService",
            provider_label="Organisation", help="Unpaid work for a charity, group or community.",
        ),
        EntryKind(
            "employment", "Employment",
            frozenset({"provider", "role", "hours_per_week", "pay"}),
            bucket="jobs", paid_work=True, achievement_type="ext:Employment",
            provider_label="Employer", help="A paid job (any hours, any contract).",
        ),
        EntryKind(
            "self_employment", "Self-employment",
            frozenset({"provider", "role", "hours_per_week", "pay"}),
            bucket="jobs", paid_work=True, achievement_type="ext:SelfEmployment",
            provider_label="Business name", help="Working for themselves (pay: average earnings).",
        ),
        EntryKind(
            "job_search", "Job-search activity",
            frozenset({"provider", "role", "hours_total", "result"}),
            default_activity="work_search", achievement_type="ext:JobSearchActivity",
            provider_label="Employer or agency", needs_end=False,
            help="An application, interview, job fair or CV sent (one day: leave the end date empty).",
        ),
    ]
}


def kind_from(value: Any, plugin: str) -> EntryKind:
    """Turn what a plugin returned (an EntryKind or a dict) into a checked EntryKind; raise ValueError."""
    if isinstance(value, EntryKind):
        data = {spec.name: getattr(value, spec.name) for spec in fields(EntryKind)}
    elif isinstance(value, Mapping):
        known = {spec.name for spec in fields(EntryKind)}
        unknown = set(value) - known
        if unknown:
            raise ValueError(f"unknown keys {sorted(unknown)}")
        data = dict(value)
    else:
        raise ValueError(f"expected an EntryKind or a dict, got {type(value).__name__}")
    data["plugin"] = plugin
    kind_id = data.get("id")
    if not isinstance(kind_id, str) or not _KIND_ID.match(kind_id):
        raise ValueError(f"id {kind_id!r} must be 2-40 lowercase letters, digits, _ . or - and start with a letter")
    if not isinstance(data.get("label"), str) or not data["label"].strip():
        raise ValueError(f"kind {kind_id!r} needs a label")
    data["fields"] = frozenset(data.get("fields") or ())
    bad_fields = data["fields"] - set(OPTIONAL_FIELDS)
    if bad_fields:
        raise ValueError(f"kind {kind_id!r}: unknown fields {sorted(bad_fields)}; choose from {list(OPTIONAL_FIELDS)}")
    if data.get("bucket") is not None and data["bucket"] not in BUCKETS:
        raise ValueError(f"kind {kind_id!r}: bucket must be one of {list(BUCKETS)} or None")
    if data.get("default_activity", "none") not in ACTIVITIES:
        raise ValueError(f"kind {kind_id!r}: default_activity must be one of {list(ACTIVITIES)}")
    return EntryKind(**data)


def merge_kinds(contributed: Iterable[tuple[str, Any]]) -> tuple[dict[str, EntryKind], list[str]]:
    """The built-in kinds plus (plugin, value) pairs from the hook; returns (kinds, problems).

    A kind that is malformed or reuses an id already taken is skipped, and the reason is
    returned (and logged, with no personal data) so ``hub passport kinds`` can show it.
    """
    kinds = dict(BUILTIN_KINDS)
    problems: list[str] = []
    for plugin, value in contributed:
        try:
            kind = kind_from(value, plugin)
        except (ValueError, TypeError) as exc:
            problems.append(f"{plugin}: {exc}")
            continue
        if kind.id in kinds:
            problems.append(f"{plugin}: kind id {kind.id!r} is already used by {kinds[kind.id].plugin}")
            continue
        kinds[kind.id] = kind
    for problem in problems:
        log.warning("passport entry kind skipped: %s", problem)
    return kinds, problems


def label_for(kind_id: str, kinds: Mapping[str, EntryKind] | None = None) -> str:
    """A kind's label; an entry whose plugin is gone still shows its id."""
    kind = (kinds or BUILTIN_KINDS).get(kind_id)
    return kind.label if kind else kind_id.replace("_", " ").capitalize()
