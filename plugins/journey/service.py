"""What the tabs and the command line call: every journey action with its permission check,
access-log line and ``record_saved`` event, and the report with other plugins' contributions.

Staff actions need ``residents.use``; reports need ``reports.view``; the de-identified export also
needs ``data.export``. Refusals raise ``hub.staff.PermissionDenied`` (and are logged by the core).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hub.api import ValidationError
from plugins.journey import model, spells, storage
from plugins.journey.report import Period, Report, build_report, residents_behind

if TYPE_CHECKING:
    from sqlite_utils import Database

    from hub.api import Hub

log = logging.getLogger("hub.journey")


def settings(hub: "Hub"):
    from plugins.journey import JourneySettings

    return hub.plugin_config("journey") or JourneySettings()


def _emit(hub: "Hub", resident_id: int, thing: str, record_id: int) -> None:
    hub.emit("record_saved", resident_id=resident_id, kind=f"journey.{thing}", record_id=record_id)


# -- outcome kinds and plugin figures --------------------------------------------------------------


def outcome_kinds(hub: "Hub") -> dict[str, model.OutcomeKind]:
    """Built-in outcome kinds plus those other plugins add (a bad one is skipped and logged)."""
    extra = [(result.plugin, result.value) for result in hub.plugins.call_flat("journey_outcome_kinds", hub=hub)]
    kinds, problems = model.merge_kinds(extra)
    for problem in problems:
        log.warning("journey_outcome_kinds: skipped %s", problem)
    return kinds


def plugin_figures(hub: "Hub", period: Period) -> list[tuple[str, Any]]:
    return [(result.plugin, result.value)
            for result in hub.plugins.call_flat("journey_report_figures", hub=hub, start=period.start, end=period.end)]


# -- assessment ------------------------------------------------------------------------------------


def record_assessment(hub: "Hub", resident_id: int, assessed_on: str, items: list[model.ItemForm], note: str = "",
                      *, today: date | None = None) -> int:
    hub.require("residents.use")
    day, rows, note = model.validate_assessment(assessed_on, items, note, today=today)
    assessment_id = storage.add_assessment(hub.db, resident_id, day, rows, note, staff=hub.staff, terminal=hub.terminal)
    _emit(hub, resident_id, "assessment", assessment_id)
    return assessment_id


# -- the action plan -------------------------------------------------------------------------------


def add_goal(hub: "Hub", resident_id: int, title: str) -> int:
    hub.require("residents.use")
    goal_id = storage.add_goal(hub.db, resident_id, model.validate_goal(title), staff=hub.staff, terminal=hub.terminal)
    _emit(hub, resident_id, "goal", goal_id)
    return goal_id


def add_step(hub: "Hub", goal_id: int, description: str, owner: str, due_on: str = "", *, owner_staff: str = "",
             link_kind: str = "", link_id: str = "") -> int:
    hub.require("residents.use")
    row = model.validate_step(description, owner, due_on, owner_staff=owner_staff, link_kind=link_kind, link_id=link_id)
    goal = hub.db.execute("select resident_id from journey_goals where id = ?", [goal_id]).fetchone()
    if goal is not None:
        check_link(hub, goal[0], row.get("link_kind"), row.get("link_id"))
    step_id = storage.add_step(hub.db, goal_id, row, staff=hub.staff, terminal=hub.terminal)
    resident_id = hub.db.execute("select resident_id from journey_steps where id = ?", [step_id]).fetchone()[0]
    _emit(hub, resident_id, "step", step_id)
    return step_id


def change_step(hub: "Hub", step_id: int, status: str, note: str = "", *, today: date | None = None) -> dict[str, Any]:
    hub.require("residents.use")
    step = storage.change_step_status(hub.db, step_id, status, staff=hub.staff, terminal=hub.terminal, note=note, today=today)
    _emit(hub, step["resident_id"], "step", step_id)
    return step


def change_goal(hub: "Hub", goal_id: int, status: str, note: str = "") -> dict[str, Any]:
    hub.require("residents.use")
    goal = storage.change_goal_status(hub.db, goal_id, status, staff=hub.staff, terminal=hub.terminal, note=note)
    _emit(hub, goal["resident_id"], "goal", goal_id)
    return goal


def linkable(hub: "Hub", resident_id: int) -> list:
    """The resident's records other plugins offer to link a step to (hub.records.LinkableRecord), newest first."""
    return [result.value for result in hub.plugins.call_flat("linkable_records", hub=hub, resident_id=resident_id)]


def check_link(hub: "Hub", resident_id: int, link_kind: str | None, link_id: int | None) -> None:
    """A linked record must exist and belong to the same resident (asked of the plugin holding it)."""
    if not link_kind:
        return
    label = model.LINK_KINDS.get(link_kind, link_kind)
    if any(record.kind == link_kind and record.record_id == link_id for record in linkable(hub, resident_id)):
        return
    provider = link_kind.partition(".")[0]
    exists = hub.plugins.call("describe_record", hub=hub, kind=link_kind, record_id=link_id)
    if not exists and not hub.plugins.is_enabled(provider):
        raise ValidationError({"link_kind": f"This site has no {label.lower()}s (is that plugin enabled?)."})
    if not exists:
        raise ValidationError({"link_id": f"There is no {label.lower()} number {link_id}."})
    raise ValidationError({"link_id": f"{label} {link_id} belongs to another resident."})


def describe_link(hub: "Hub", link_kind: str | None, link_id: int | None) -> str:
    """A short description of what a step is linked to, e.g. "Referral 12: Attended"."""
    if not link_kind:
        return ""
    text = f"{model.LINK_KINDS.get(link_kind, link_kind)} {link_id}"
    answer = hub.plugins.call("describe_record", hub=hub, kind=link_kind, record_id=link_id)
    return f"{text}: {answer[0].value}" if answer else text


# -- outcomes and checks ---------------------------------------------------------------------------


def record_outcome(hub: "Hub", resident_id: int, kind: str, outcome_date: str, evidence: str, evidence_detail: str = "",
                   note: str = "", *, today: date | None = None) -> int:
    hub.require("residents.use")
    row = model.validate_outcome(kind, outcome_date, evidence, evidence_detail, note, kinds=outcome_kinds(hub), today=today)
    outcome_id = storage.add_outcome(hub.db, resident_id, row, staff=hub.staff, terminal=hub.terminal)
    _emit(hub, resident_id, "outcome", outcome_id)
    return outcome_id


def withdraw_outcome(hub: "Hub", outcome_id: int, reason: str) -> dict[str, Any]:
    hub.require("residents.use")
    outcome = storage.withdraw_outcome(hub.db, outcome_id, reason, staff=hub.staff, terminal=hub.terminal)
    _emit(hub, outcome["resident_id"], "outcome", outcome_id)
    return outcome


def record_check(hub: "Hub", resident_id: int, entry_id: int, weeks: int, result: str, checked_on: str, evidence: str,
                 note: str = "", *, today: date | None = None) -> int:
    hub.require("residents.use")
    row = model.validate_check(result, checked_on, evidence, note, today=today)
    spells.sync_spells(hub)
    check_id = storage.add_check(hub.db, resident_id, entry_id, weeks, row, staff=hub.staff, terminal=hub.terminal)
    _emit(hub, resident_id, "check", check_id)
    return check_id


def resident_outcomes(hub: "Hub", resident_id: int, *, today: date | None = None) -> list[spells.OutcomeEvent]:
    """The resident's outcomes as the reports count them (recorded and from the passport), newest first."""
    spells.sync_spells(hub)
    return spells.outcome_events_for(hub.db, resident_id, today,
                                     training_from_passport=settings(hub).training_from_passport)


# -- the engagement log ----------------------------------------------------------------------------


def log_engagement(hub: "Hub", engaged_on: str, kind: str, home_ref: str, outcome: str, *,
                   resident_id: int | None = None, today: date | None = None) -> int:
    hub.require("residents.use")
    row = model.validate_engagement(engaged_on, kind, home_ref, outcome, today=today)
    engagement_id = storage.add_engagement(hub.db, row, staff=hub.staff, terminal=hub.terminal, resident_id=resident_id)
    if resident_id is not None:
        _emit(hub, resident_id, "engagement", engagement_id)
    return engagement_id


def link_engagements(hub: "Hub", resident_id: int, *, engagement_ids: list[int] | None = None,
                     home: str | None = None) -> int:
    hub.require("residents.use")
    return storage.link_engagements(hub.db, resident_id, engagement_ids=engagement_ids, home=home,
                                    staff=hub.staff, terminal=hub.terminal)


def unlink_engagement(hub: "Hub", engagement_id: int) -> None:
    hub.require("residents.use")
    storage.unlink_engagement(hub.db, engagement_id, staff=hub.staff, terminal=hub.terminal)


def on_registration(hub: "Hub", resident_id: int) -> int:
    """The resident_registered hook: link earlier contacts logged at the new resident's address."""
    return storage.link_on_registration(hub.db, resident_id, window_days=settings(hub).link_window_days,
                                        staff=hub.staff, terminal=hub.terminal)


# -- what is due -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueItem:
    """A step or a sustainment check due, for the staff list."""

    what: str
    """"step" or "check"."""
    resident_id: int
    resident: str
    due_on: date
    text: str
    ref: int
    """The step's id, or the passport entry's id for a check."""
    weeks: int | None = None


def due_list(hub: "Hub", *, today: date | None = None) -> list[DueItem]:
    """Open steps and sustainment checks due soon or overdue, across residents, earliest first."""
    from hub.api import display_name

    hub.require("residents.use")
    today = today or date.today()
    within = settings(hub).due_within_days
    items = [
        DueItem("step", row["resident_id"], row["resident"], date.fromisoformat(row["due_on"]),
                f"{row['description']} ({'resident' if row['owner'] == 'resident' else row['owner_staff'] or 'staff'})", row["id"])
        for row in storage.steps_due(hub.db, within_days=within, today=today)
    ]
    spells.sync_spells(hub)
    checks = spells.checks_due(hub.db, today=today, within_days=within)
    names: dict[int, str] = {}
    if checks:
        ids = sorted({check.resident_id for check in checks})
        for row in hub.db.query(f"select id, name, preferred_name from residents where id in ({', '.join('?' for _ in ids)})", ids):
            names[row["id"]] = display_name(row)
    for check in checks:
        job = " at ".join(filter(None, [check.role, check.employer])) or "job"
        items.append(DueItem("check", check.resident_id, names.get(check.resident_id, str(check.resident_id)), check.due_on,
                             f"{check.weeks}-week sustainment check: {job} (started {check.start.strftime('%d/%m/%Y')})",
                             check.entry_id, check.weeks))
    return sorted(items, key=lambda item: (item.due_on, item.what, item.resident_id))


# -- reports ---------------------------------------------------------------------------------------


def compute_report(hub: "Hub", period: Period, *, db: "Database", kinds: dict[str, model.OutcomeKind],
                   today: date | None = None) -> Report:
    """The journey's own figures from ``db`` (which may be a worker's own connection): no hub.db; the jobs and
    training hooks are called with a hub bound to ``db``."""
    spells.sync_spells(hub.using_database(db))
    config = settings(hub)
    return build_report(db, period, kinds=kinds, homes_in_area=config.homes_in_area,
                        youth_ages=(config.youth_min_age, config.youth_max_age), today=today,
                        training_from_passport=config.training_from_passport)


def finish_report(hub: "Hub", report: Report) -> Report:
    """Add other plugins' figures and log that a report was run (on the hub's own thread)."""
    report.add_plugin_figures(plugin_figures(hub, report.period))
    report.referrals = [result.value for result in hub.plugins.call_flat(
        "referral_records", hub=hub, start=report.period.start, end=report.period.end)]
    for problem in report.problems:
        log.warning("journey_report_figures: skipped %s", problem.split(":")[0])
    hub.log_event(None, f"journey:report:{report.period.start.isoformat()}:{report.period.end.isoformat()}")
    return report


def run_report(hub: "Hub", period: Period, *, today: date | None = None) -> Report:
    """The report for ``period`` (site leads: ``reports.view``)."""
    hub.require("reports.view")
    return finish_report(hub, compute_report(hub, period, db=hub.db, kinds=outcome_kinds(hub), today=today))


def open_figure(hub: "Hub", report: Report, key: str) -> list[dict[str, Any]]:
    """The residents behind one figure (``reports.view``); the access log records which figure was opened."""
    hub.require("reports.view")
    figure = report.figure(key)
    rows = residents_behind(hub.db, figure)
    hub.log_event(None, f"journey:report:open:{key}")
    return rows


def export_data(hub: "Hub", report: Report):
    """The de-identified export of ``report`` in memory (``reports.view`` and ``data.export``); logged."""
    from plugins.journey import export

    hub.require("reports.view")
    hub.require("data.export")
    key = export.load_or_create_key(hub.config.data_dir, settings(hub).pseudonym_secret)
    built = export.build_export(hub.db, report, key, site_name=hub.config.hub.site_name)
    hub.log_event(None, f"journey:export:{report.period.start.isoformat()}:{report.period.end.isoformat()}")
    return built


def export_report(hub: "Hub", report: Report, fmt: str, target: Path | None = None) -> Path:
    """Write the de-identified export: a folder of CSV files (``fmt="csv"``) or one JSON file.

    Without ``target`` it goes under ``<data_dir>/exports/``. Returns the folder or file written.
    """
    from plugins.journey import export

    if fmt not in ("csv", "json"):
        raise ValueError("fmt is csv or json")
    built = export_data(hub, report)
    if target is None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        name = f"journey-{report.period.start.isoformat()}-to-{report.period.end.isoformat()}-{stamp}"
        target = hub.config.data_dir / "exports" / (name if fmt == "csv" else f"{name}.json")
    if fmt == "csv":
        export.write_csv(built, Path(target))
    else:
        export.write_json(built, Path(target))
    return Path(target)
