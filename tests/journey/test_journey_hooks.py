"""The journey's own hooks (outcome kinds and report figures from other plugins) and the core hooks it implements."""

from __future__ import annotations

import types
from datetime import date

import pytest

import plugins.journey as journey_plugin
from hub import hookimpl, rights
from plugins.journey import model, service, storage
from plugins.journey.report import Period

PERIOD = Period(date(2025, 1, 1), date(2025, 3, 31))


def plugin(name, **hooks):
    namespace = types.SimpleNamespace(name=name)
    for hook_name, function in hooks.items():
        setattr(namespace, hook_name, hookimpl(optionalhook=True)(function))
    return namespace


def test_the_plugin_registers_its_hookspecs_and_hooks(jhub):
    assert hasattr(jhub.plugins.pm.hook, "journey_outcome_kinds")
    assert hasattr(jhub.plugins.pm.hook, "journey_report_figures")
    status = jhub.plugins.status["journey"]
    assert status.enabled and status.error is None
    assert {"config_schema", "register_hookspecs", "register_migrations", "register_tabs", "register_cli_commands",
            "resident_registered", "record_saved", "export_resident_data", "erase_resident_data",
            "seed_demo_data", "register_palette_commands"} <= set(jhub.plugins._hooks_of("journey"))
    assert [t.value.id for t in jhub.plugins.call_flat("register_tabs", hub=jhub)] == ["journey", "engagement", "reports"]
    assert [c.value.name for c in jhub.plugins.call_flat("register_cli_commands", hub=jhub)] == ["report"]
    assert len(jhub.plugins.call_flat("register_palette_commands", hub=jhub)) == 2


def test_hook_journey_outcome_kinds(hub_factory, helpers):
    good = plugin("apprenticeships", journey_outcome_kinds=lambda: [
        model.OutcomeKind("apprenticeship_start", "Started an apprenticeship", "Level 2 or above"),
        {"id": "esol_entry", "label": "Started an ESOL course"},
        {"id": "job_start", "label": "A second job start"},  # taken: skipped
        {"id": "Bad Id!", "label": "Bad"},  # malformed: skipped
    ])
    hub = hub_factory(("journey", journey_plugin), good)
    hub.open_storage()
    kinds = service.outcome_kinds(hub)
    assert kinds["apprenticeship_start"].plugin == "apprenticeships"
    assert kinds["esol_entry"].label == "Started an ESOL course"
    assert kinds["job_start"].plugin == "journey"
    assert "bad id!" not in {k.lower() for k in kinds}
    resident = helpers.add_resident(hub.db, registered_on="2024-12-01")
    service.record_outcome(hub, resident, "apprenticeship_start", "2025-02-01", "contract", today=date(2025, 6, 1))
    report = service.run_report(hub, PERIOD, today=date(2025, 6, 1))
    figure = report.figure("outcome.apprenticeship_start")
    assert figure.label == "Started an apprenticeship" and figure.residents == {resident}
    assert report.figure("outcome.esol_entry").value == 0
    assert report.figure("outcome.any").residents == {resident}


def test_merge_kinds_reports_what_it_skipped():
    kinds, problems = model.merge_kinds([("p", {"id": "x1", "label": ""}), ("p", 42), ("p", {"id": "ok_kind", "label": "OK",
                                                                                              "colour": "red"})])
    assert set(kinds) == set(model.BUILTIN_OUTCOME_KINDS)
    assert len(problems) == 3 and all(problem.startswith("p: ") for problem in problems)


def test_hook_journey_report_figures(hub_factory, helpers):
    seen = {}

    def figures(hub, start, end):
        seen["period"] = (start, end)
        ids = [row[0] for row in hub.db.execute("select id from residents order by id")]
        return [
            model.ReportFigure("bonuses_paid", "Into-work bonuses paid", [ids[0], ids[0], ids[1]], amount=800.0,
                               note="£400 each, paid in the period"),
            {"key": "claims_pending", "label": "Bonus claims waiting for approval", "resident_ids": [ids[1]],
             "section": "Bonuses"},
            {"key": "no_people", "label": "A figure about people without ids"},  # refused: counts must be people
        ]

    bonus = plugin("bonus_fake", journey_report_figures=figures)
    hub = hub_factory(("journey", journey_plugin), bonus)
    hub.open_storage()
    young = helpers.add_resident(hub.db, "Young Person", "01/01/2004", registered_on="2025-01-10")
    older = helpers.add_resident(hub.db, "Older Person", "01/01/1970", registered_on="2025-01-10")
    report = service.run_report(hub, PERIOD)
    assert seen["period"] == (date(2025, 1, 1), date(2025, 3, 31))
    paid = report.figure("bonuses_paid")
    assert (paid.value, paid.amount, paid.residents, paid.section, paid.plugin) == (2, 800.0, {young, older}, "Bonuses", "bonus_fake")
    assert paid.shown() == "2 (£800.00)"
    assert report.figure("claims_pending").residents == {older}
    assert report.figure("youth.bonuses_paid").residents == {young} and report.figure("youth.bonuses_paid").amount is None
    assert report.problems == ["bonus_fake: figure 'no_people': a figure about people must give resident_ids (counted once each)"]
    assert service.open_figure(hub, report, "bonuses_paid")[0]["name"] == "Young Person"
    assert report.keys().index("bonuses_paid") < report.keys().index("youth.engaged")


def test_a_figures_plugin_that_raises_is_disabled_and_the_report_still_runs(hub_factory):
    def broken(hub, start, end):
        raise RuntimeError("bonus table missing")

    hub = hub_factory(("journey", journey_plugin), plugin("broken_bonus", journey_report_figures=broken))
    hub.open_storage()
    report = service.run_report(hub, PERIOD)
    assert report.figure("bonuses_paid").value is None
    assert not hub.plugins.is_enabled("broken_bonus") and hub.plugins.is_enabled("journey")


def test_hook_record_saved_brings_passport_jobs_in(full_hub, helpers):
    resident = helpers.add_resident(full_hub.db, registered_on="2025-01-01")
    assert full_hub.db["journey_spells"].count == 0
    helpers.job(full_hub, resident, "06/01/2025")
    [spell] = full_hub.db["journey_spells"].rows
    assert (spell["resident_id"], spell["start_date"], spell["ongoing"]) == (resident, "2025-01-06", 1)


def test_hook_export_resident_data_includes_the_residents_own_words(full_hub, helpers):
    hub = full_hub
    resident = helpers.add_resident(hub.db, address="12 Kestrel Walk")
    service.record_assessment(hub, resident, "", [model.ItemForm("barrier", "debt", "3", "Council tax arrears since May")])
    goal = service.add_goal(hub, resident, "Clear the arrears")
    service.add_step(hub, goal, "Phone the council", "staff", "")
    service.record_outcome(hub, resident, "financial_inclusion", "01/03/2025", "letter", note="Payment plan")
    service.log_engagement(hub, "", "door_knock", "12 Kestrel Walk", "talked", resident_id=resident)
    export = rights.subject_access(hub, resident)
    assert export["incomplete"] == []
    mine = export["plugins"]["journey"]
    assert mine["assessments"][0]["items"][0]["words"] == "Council tax arrears since May"
    assert mine["goals_and_steps"][0]["steps"][0]["description"] == "Phone the council"
    assert mine["outcomes"][0]["note"] == "Payment plan"
    assert mine["engagement_contacts_before_registering"][0]["home_ref"] == "12 Kestrel Walk"
    assert len(mine["action_plan_history"]) == 2


def test_hook_erase_resident_data_keeps_only_de_identified_figures(full_hub, helpers):
    hub = full_hub
    resident = helpers.add_resident(hub.db, registered_on="2025-01-01")
    other = helpers.add_resident(hub.db, "Someone Else")
    service.record_assessment(hub, resident, "", [model.ItemForm("barrier", "debt", "3", "Private words")])
    service.add_step(hub, service.add_goal(hub, resident, "A goal"), "A step", "resident", "")
    service.record_outcome(hub, resident, "volunteering", "01/03/2025", "staff_witnessed", "At the food bank", "Tuesdays")
    service.withdraw_outcome(hub, service.record_outcome(hub, resident, "job_start", "01/03/2025", "resident_said"), "mistake")
    helpers.job(hub, resident, "01/02/2025")
    service.log_engagement(hub, "", "door_knock", "12 Kestrel Walk", "talked", resident_id=resident)
    service.add_goal(hub, other, "Untouched")
    report = rights.erase(hub, resident)
    kept = [line for line in report.kept if line.startswith("journey:")]
    assert len(kept) == 2 and "de-identified" in kept[0] and "unlinked" in kept[1]
    db = hub.db
    for table in ("journey_assessments", "journey_assessment_items", "journey_goals", "journey_steps", "journey_plan_history"):
        assert db[table].count_where("resident_id = ?", [resident]) == 0, table
    [outcome] = db["journey_outcomes"].rows_where("resident_id = ?", [resident])
    assert (outcome["kind"], outcome["outcome_date"], outcome["evidence_detail"], outcome["note"], outcome["recorded_by"]) == (
        "volunteering", "2025-03-01", None, None, "[erased]")
    assert db["journey_engagements"].count_where("resident_id is null") == 1
    assert db["journey_goals"].count_where("resident_id = ?", [other]) == 1
    assert storage.resident_data(db, resident)["assessments"] == []


def test_settings_are_checked(hub_factory):
    hub = hub_factory(("journey", journey_plugin), body="[plugins.journey]\nhomes_in_area = -5\n")
    assert not hub.plugins.is_enabled("journey")
    assert "homes_in_area" in hub.plugins.status["journey"].error
    hub = hub_factory(("journey", journey_plugin), body="[plugins.journey]\nyouth_min_age = 18\nyouth_max_age = 17\n")
    assert not hub.plugins.is_enabled("journey")


def test_the_subgroup_ages_come_from_the_settings(hub_factory, helpers):
    hub = hub_factory(("journey", journey_plugin), body="[plugins.journey]\nyouth_min_age = 18\nyouth_max_age = 29\n")
    hub.open_storage()
    helpers.add_resident(hub.db, "Aged Seventeen", "01/06/2007", registered_on="2025-01-10")
    twenty_eight = helpers.add_resident(hub.db, "Aged Twenty-eight", "01/06/1996", registered_on="2025-01-10")
    report = service.run_report(hub, PERIOD)
    assert report.figure("youth.registered").residents == {twenty_eight}
    assert report.figure("youth.registered").section == "Aged 18-29 at registration"


def test_hook_seed_demo_data_seeds_a_journey(hub_factory):
    import plugins.passport as passport_plugin

    hub = hub_factory(("passport", passport_plugin), ("journey", journey_plugin), demo=True)
    hub.open_storage()
    assert hub.db["journey_assessments"].count == 2
    assert hub.db["journey_engagements"].count >= 8
    assert hub.db["journey_engagements"].count_where("resident_id is not null") == 2
    assert service.due_list(hub)  # an overdue step, for training


@pytest.mark.parametrize("kind", ["journey.assessment", "journey.goal", "journey.step", "journey.outcome"])
def test_the_journey_tells_other_plugins_what_it_saved(hub_factory, helpers, kind):
    heard = []
    listener = plugin("listener", record_saved=lambda resident_id, kind, record_id: heard.append((resident_id, kind)))
    hub = hub_factory(("journey", journey_plugin), listener)
    hub.open_storage()
    resident = helpers.add_resident(hub.db)
    goal = service.add_goal(hub, resident, "Goal")
    service.add_step(hub, goal, "Step", "resident", "")
    service.record_assessment(hub, resident, "", [model.ItemForm("strength", "people", "3")])
    service.record_outcome(hub, resident, "volunteering", "01/03/2025", "resident_said")
    assert (resident, kind) in heard
