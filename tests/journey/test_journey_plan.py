"""Assessments revisited over time (distance travelled) and action-plan steps through their states."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from hub.residents import ValidationError
from hub.staff import PermissionDenied, Session
from plugins.journey import model, service, storage

TODAY = date(2025, 6, 30)


def items(**scores):
    """barrier_debt="3", strength_motivation="1:I want to work" -> ItemForms."""
    out = []
    for key, value in scores.items():
        type_, area = key.split("_", 1)
        score, _, words = value.partition(":")
        out.append(model.ItemForm(type_, area, score, words))
    return out


def test_assessment_history_and_distance_travelled(jhub, helpers):
    resident = helpers.add_resident(jhub.db)
    first = service.record_assessment(jhub, resident, "10/01/2025", items(
        barrier_debt="4:The bailiffs keep writing", barrier_confidence="3", strength_motivation="2:I want my kids to see me work",
        barrier_transport="1"), today=TODAY)
    second = service.record_assessment(jhub, resident, "14/03/2025", items(
        barrier_debt="2:Payment plan agreed", barrier_confidence="3", strength_motivation="4", barrier_childcare="2"), today=TODAY)
    third = service.record_assessment(jhub, resident, "2025-06-01", items(
        barrier_debt="1", barrier_confidence="1:Did my first interview", strength_motivation="3"), "Ready for applications",
        today=TODAY)
    history = storage.assessments_for(jhub.db, resident)
    assert [a["id"] for a in history] == [first, second, third]
    assert [a["assessed_on"] for a in history] == ["2025-01-10", "2025-03-14", "2025-06-01"]
    assert history[0]["items"][0]["words"] == "The bailiffs keep writing"  # the resident's own words, kept
    assert history[2]["note"] == "Ready for applications"

    step = model.distance(history[0]["items"], history[1]["items"])
    assert {(c.area, c.before, c.after, c.better) for c in step.changes} == {
        ("debt", 4, 2, 2), ("confidence", 3, 3, 0), ("motivation", 2, 4, 2)}  # transport and childcare: scored once
    assert step.total == 4 and step.improved == 2 and step.worse == 0
    overall = model.distance(history[0]["items"], history[2]["items"])
    assert overall.total == (4 - 1) + (3 - 1) + (3 - 2) == 6
    back = model.distance(history[1]["items"], history[2]["items"])
    assert back.worse == 1 and back.total == 1 + 2 - 1  # motivation dipped from 4 to 3
    assert back.describe() == "+2 across 3 areas (2 better, 1 worse)"
    assert jhub.db["access_log"].count_where("action like 'journey:assessment:add:%' and resident_id = ?", [resident]) == 3


@pytest.mark.parametrize(
    "scores, field",
    [({"barrier_debt": "5"}, "barrier.debt"), ({"barrier_debt": ":words but no score"}, "barrier.debt"),
     ({}, "items"), ({"barrier_flying": "2"}, "barrier.flying")],
)
def test_assessment_errors_name_the_area(jhub, helpers, scores, field):
    resident = helpers.add_resident(jhub.db)
    with pytest.raises(ValidationError) as caught:
        service.record_assessment(jhub, resident, "", items(**scores), today=TODAY)
    assert field in caught.value.errors
    assert jhub.db["journey_assessments"].count == 0


def test_assessment_date_cannot_be_in_the_future(jhub, helpers):
    resident = helpers.add_resident(jhub.db)
    with pytest.raises(ValidationError) as caught:
        service.record_assessment(jhub, resident, (TODAY + timedelta(days=1)).isoformat(), items(barrier_debt="1"), today=TODAY)
    assert "assessed_on" in caught.value.errors


def test_a_step_goes_through_its_states_and_refused_changes_say_what_is_allowed(jhub, helpers):
    resident = helpers.add_resident(jhub.db)
    goal = service.add_goal(jhub, resident, "A job in a warehouse by summer")
    step = service.add_step(jhub, goal, "Send CV to three agencies", "resident", "20/06/2025")
    assert storage.plan_for(jhub.db, resident)[0]["steps"][0]["status"] == "not_started"

    assert service.change_step(jhub, step, "in_progress", today=TODAY)["status"] == "in_progress"
    assert service.change_step(jhub, step, "stuck", "No email address yet", today=TODAY)["status"] == "stuck"
    with pytest.raises(model.RefusedTransition) as caught:
        service.change_step(jhub, step, "done", today=TODAY)
    assert "Stuck" in str(caught.value) and "In progress, Dropped" in str(caught.value)
    assert service.change_step(jhub, step, "in_progress", today=TODAY)["status"] == "in_progress"
    done = service.change_step(jhub, step, "done", today=TODAY)
    assert done["status"] == "done" and done["done_on"] == "2025-06-30"
    reopened = service.change_step(jhub, step, "in_progress", "Agency lost the CV", today=TODAY)
    assert reopened["status"] == "in_progress" and reopened["done_on"] is None
    dropped = service.change_step(jhub, step, "dropped", today=TODAY)
    with pytest.raises(model.RefusedTransition):
        service.change_step(jhub, step, "done", today=TODAY)
    assert dropped["status"] == "dropped"
    with pytest.raises(ValidationError):
        service.change_step(jhub, step, "finished", today=TODAY)

    history = [(h["from_status"], h["to_status"], h["note"]) for h in storage.plan_history(jhub.db, resident) if h["step_id"] == step]
    assert history == [(None, "not_started", "step added"), ("not_started", "in_progress", None),
                       ("in_progress", "stuck", "No email address yet"), ("stuck", "in_progress", None),
                       ("in_progress", "done", None), ("done", "in_progress", "Agency lost the CV"), ("in_progress", "dropped", None)]


def test_goal_states(jhub, helpers):
    resident = helpers.add_resident(jhub.db)
    goal = service.add_goal(jhub, resident, "Sort out my debts")
    assert service.change_goal(jhub, goal, "achieved")["status"] == "achieved"
    with pytest.raises(model.RefusedTransition):
        service.change_goal(jhub, goal, "dropped")
    assert service.change_goal(jhub, goal, "open")["status"] == "open"
    with pytest.raises(ValidationError):
        service.add_goal(jhub, resident, "   ")


def test_step_owners_due_dates_and_validation(jhub, helpers):
    resident = helpers.add_resident(jhub.db)
    goal = service.add_goal(jhub, resident, "Get online")
    staff_step = service.add_step(jhub, goal, "Book a digital skills session", "staff", "01/07/2025")
    named = service.add_step(jhub, goal, "Phone the college", "staff", "", owner_staff="kim.lee")
    steps = {s["id"]: s for s in storage.plan_for(jhub.db, resident)[0]["steps"]}
    assert steps[staff_step]["owner_staff"] == "test.staff"  # staff-owned: whoever added it, unless named
    assert steps[named]["owner_staff"] == "kim.lee" and steps[named]["due_on"] is None
    with pytest.raises(ValidationError) as caught:
        service.add_step(jhub, goal, "", "someone", "31/02/2025")
    assert set(caught.value.errors) == {"description", "owner", "due_on"}


def test_steps_link_to_referrals_passport_entries_and_calculations(full_hub, helpers):
    hub = full_hub
    resident = helpers.add_resident(hub.db)
    other = helpers.add_resident(hub.db, "Someone Else")
    goal = service.add_goal(hub, resident, "Debt advice")
    referral = helpers.referral(hub.db, resident, "2025-02-01")
    step = service.add_step(hub, goal, "See the debt adviser", "resident", "", link_kind="signposting.referral",
                            link_id=str(referral))
    [row] = storage.plan_for(hub.db, resident)[0]["steps"]
    assert (row["link_kind"], row["link_id"]) == ("signposting.referral", referral)
    assert service.describe_link(hub, row["link_kind"], row["link_id"]) == f"Referral {referral}: Test Debt Advice (sent)"
    entry = helpers.job(hub, resident, "01/03/2025")
    service.add_step(hub, goal, "Keep payslips", "resident", "", link_kind="passport.entry", link_id=f"#{entry}")
    with pytest.raises(ValidationError) as caught:
        service.add_step(hub, goal, "Someone else's", "resident", "", link_kind="signposting.referral",
                         link_id=str(helpers.referral(hub.db, other, "2025-02-01")))
    assert "another resident" in caught.value.errors["link_id"]
    with pytest.raises(ValidationError) as caught:
        service.add_step(hub, goal, "Missing", "resident", "", link_kind="passport.entry", link_id="999")
    assert "no passport entry number 999" in caught.value.errors["link_id"]
    with pytest.raises(ValidationError) as caught:  # the calculator is not running on this site
        service.add_step(hub, goal, "Calc", "staff", "", link_kind="benefits_calc.scenario", link_id="1")
    assert "is that plugin enabled" in caught.value.errors["link_kind"]
    assert step


def test_steps_due_list_for_staff(jhub, helpers):
    today = date.today()
    ann = helpers.add_resident(jhub.db, "Ann Example")
    bob = helpers.add_resident(jhub.db, "Bob Example")
    goal = service.add_goal(jhub, ann, "Work")
    overdue = service.add_step(jhub, goal, "Overdue step", "staff", (today - timedelta(days=3)).isoformat())
    soon = service.add_step(jhub, goal, "Soon step", "resident", (today + timedelta(days=5)).isoformat())
    service.add_step(jhub, goal, "Later step", "resident", (today + timedelta(days=30)).isoformat())
    done = service.add_step(jhub, goal, "Done step", "staff", (today - timedelta(days=1)).isoformat())
    service.change_step(jhub, done, "done")
    service.add_step(jhub, service.add_goal(jhub, bob, "Work"), "No date", "staff", "")
    due = service.due_list(jhub)
    assert [(item.what, item.ref) for item in due] == [("step", overdue), ("step", soon)]
    assert due[0].resident == "Ann Example" and "(test.staff)" in due[0].text and "(resident)" in due[1].text


def test_plan_and_assessment_need_a_signed_in_member_of_staff(jhub, helpers):
    resident = helpers.add_resident(jhub.db)
    jhub.session = None
    with pytest.raises(PermissionDenied):
        service.add_goal(jhub, resident, "Anything")
    jhub.session = Session(None, "sam", "Sam", "staff")
    assert service.add_goal(jhub, resident, "Plain staff may")


def test_erased_residents_get_no_new_records(jhub, helpers):
    from hub import rights

    resident = helpers.add_resident(jhub.db)
    rights.erase(jhub, resident)
    with pytest.raises(ValidationError) as caught:
        service.add_goal(jhub, resident, "Too late")
    assert "erased" in caught.value.errors["resident_id"]
