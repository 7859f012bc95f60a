"""Claims on a real SQLite file: the state machine, who may approve, the budget, rule versions,
re-checks when the passport changes, the due list, the monthly report and residents' rights."""

from __future__ import annotations

import csv
import json
import sqlite3
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from hub import rights
from hub.staff import PermissionDenied
from plugins.bonus import service, storage
from plugins.bonus.report import monthly_report

DAY = datetime(2027, 1, 20, 11, 0, tzinfo=timezone.utc)
"""Eight days after 4 weeks in work (12 January 2027): the claim is eligible."""


def eligible_claim(hub, b, proposer="staff.one", **resident):
    rid = b.add_resident(hub, **resident)
    b.add_job(hub, rid)
    b.sign_in(hub, proposer, "staff")
    result = service.propose(hub, rid, "jobsplus", reason="started at Example Care", now=DAY)
    assert result.status == "eligible"
    return rid, result.claim_id


def statuses(hub, claim_id):
    return [(e["action"], e["from_status"], e["to_status"]) for e in storage.events_for(hub.db, claim_id)]


# -- the happy path and each step's record -----------------------------------------------------------


def test_propose_approve_pay_records_who_when_why_and_the_rules(bonus_hub, b):
    rid, claim_id = eligible_claim(bonus_hub, b)
    b.sign_in(bonus_hub, "lead.two")
    approved = service.approve(bonus_hub, claim_id, reason="payslip seen", now=DAY + timedelta(days=1))
    assert approved.status == "approved"
    paid = service.mark_paid(bonus_hub, claim_id, paid_on=date(2027, 1, 25), reference="BACS 123", now=DAY + timedelta(days=6))
    assert paid.status == "paid"
    claim = storage.get_claim(bonus_hub.db, claim_id)
    assert (claim["proposed_by"], claim["approved_by"], claim["paid_on"], claim["payment_reference"]) == \
        ("staff.one", "lead.two", "2027-01-25", "BACS 123")
    assert statuses(bonus_hub, claim_id) == [("propose", None, "eligible"), ("approve", "eligible", "approved"),
                                             ("pay", "approved", "paid")]
    events = storage.events_for(bonus_hub.db, claim_id)
    assert [e["by_staff"] for e in events] == ["staff.one", "lead.two", "lead.two"]
    assert [e["reason"] for e in events][:2] == ["started at Example Care", "payslip seen"]
    assert events[2]["on_date"] == "2027-01-25"
    version = service.version_for(bonus_hub, service.scheme_by_id(bonus_hub, "jobsplus"))[0]
    for event in events:
        assert event["rule_version"] == version
        assert event["facts"]["jobs"][0]["hours_per_week"] == 20
        assert event["checks"]["status"] == "eligible"
    actions = [row["action"] for row in bonus_hub.db.query("select action from access_log where resident_id = ?", [rid])]
    assert {f"bonus:propose:{claim_id}", f"bonus:approve:{claim_id}", f"bonus:pay:{claim_id}"} <= set(actions)


def test_a_claim_waiting_for_time_or_evidence_starts_as_potential_or_evidence_pending(bonus_hub, b):
    early = b.add_resident(bonus_hub, name="Early Bird")
    b.add_job(bonus_hub, early)
    assert service.propose(bonus_hub, early, "jobsplus", now=datetime(2027, 1, 1, tzinfo=timezone.utc)).status == "potential"
    no_payslip = b.add_resident(bonus_hub, name="No Payslip")
    b.add_job(bonus_hub, no_payslip, evidence=())
    assert service.propose(bonus_hub, no_payslip, "jobsplus", now=DAY).status == "evidence_pending"


def test_proposing_for_someone_who_fails_a_rule_is_refused_with_the_reason(bonus_hub, b):
    rid = b.add_resident(bonus_hub)
    b.add_job(bonus_hub, rid, hours="15.5")
    with pytest.raises(service.ClaimError, match="15.5 hours a week"):
        service.propose(bonus_hub, rid, "jobsplus", now=DAY)
    assert bonus_hub.db["bonus_claims"].count == 0


# -- who may approve -----------------------------------------------------------------------------------


def test_the_proposer_cannot_approve_their_own_claim(bonus_hub, b):
    _, claim_id = eligible_claim(bonus_hub, b, proposer="lead.one")
    b.sign_in(bonus_hub, "lead.one")  # a site lead, but the one who proposed it
    with pytest.raises(service.SameApprover, match="another site lead must approve it"):
        service.approve(bonus_hub, claim_id, now=DAY)
    b.sign_in(bonus_hub, "LEAD.ONE ")  # not fooled by case or spaces
    with pytest.raises(service.SameApprover):
        service.approve(bonus_hub, claim_id, now=DAY)
    assert storage.get_claim(bonus_hub.db, claim_id)["status"] == "eligible"
    assert bonus_hub.db["access_log"].count_where("action = ?", [f"denied:bonus:approve-own:{claim_id}"]) == 2


def test_the_database_itself_refuses_an_approver_who_proposed(bonus_hub, b):
    _, claim_id = eligible_claim(bonus_hub, b, proposer="staff.one")
    with pytest.raises(sqlite3.IntegrityError):
        with bonus_hub.db.conn:
            bonus_hub.db.execute("UPDATE bonus_claims SET approved_by = 'Staff.One', status = 'approved' WHERE id = ?", [claim_id])


def test_a_staff_role_cannot_approve_pay_reject_or_reverse(bonus_hub, b):
    _, claim_id = eligible_claim(bonus_hub, b, proposer="lead.one")
    b.sign_in(bonus_hub, "staff.two", "staff")
    for action in (lambda: service.approve(bonus_hub, claim_id, now=DAY),
                   lambda: service.mark_paid(bonus_hub, claim_id, now=DAY),
                   lambda: service.reject(bonus_hub, claim_id, reason="no", now=DAY),
                   lambda: service.reverse(bonus_hub, claim_id, reason="no", now=DAY)):
        with pytest.raises(PermissionDenied, match="bonus.approve"):
            action()
    assert storage.get_claim(bonus_hub.db, claim_id)["status"] == "eligible"
    assert bonus_hub.db["access_log"].count_where("action = 'denied:bonus.approve'") == 4


# -- refused transitions ------------------------------------------------------------------------------


def test_refused_transitions_say_what_the_claim_is_and_what_can_be_done(bonus_hub, b):
    rid, claim_id = eligible_claim(bonus_hub, b)
    b.sign_in(bonus_hub, "lead.two")
    with pytest.raises(service.TransitionRefused, match="cannot be marked paid"):
        service.mark_paid(bonus_hub, claim_id, now=DAY)
    with pytest.raises(service.TransitionRefused, match="cannot be reversed"):
        service.reverse(bonus_hub, claim_id, reason="x", now=DAY)
    service.approve(bonus_hub, claim_id, now=DAY)
    with pytest.raises(service.TransitionRefused, match="is approved, so it cannot be approved"):
        service.approve(bonus_hub, claim_id, now=DAY)
    service.mark_paid(bonus_hub, claim_id, now=DAY)
    for action, words in [(lambda: service.approve(bonus_hub, claim_id, now=DAY), "it can only be reversed"),
                          (lambda: service.reject(bonus_hub, claim_id, reason="x", now=DAY), "cannot be rejected"),
                          (lambda: service.withdraw(bonus_hub, claim_id, reason="x", now=DAY), "cannot be withdrawn")]:
        with pytest.raises(service.TransitionRefused, match=words):
            action()
    service.reverse(bonus_hub, claim_id, reason="paid twice by the finance team", now=DAY)
    with pytest.raises(service.TransitionRefused, match="nothing more can be done"):
        service.reverse(bonus_hub, claim_id, reason="again", now=DAY)
    assert [s[2] for s in statuses(bonus_hub, claim_id)] == ["eligible", "approved", "paid", "reversed"]


def test_a_potential_claim_cannot_be_approved_and_the_reason_says_why(bonus_hub, b):
    rid = b.add_resident(bonus_hub)
    b.add_job(bonus_hub, rid)
    claim_id = service.propose(bonus_hub, rid, "jobsplus", now=datetime(2027, 1, 1, tzinfo=timezone.utc)).claim_id
    b.sign_in(bonus_hub, "lead.two")
    with pytest.raises(service.TransitionRefused, match="not eligible yet: .*due on 12 January 2027"):
        service.approve(bonus_hub, claim_id, now=datetime(2027, 1, 11, tzinfo=timezone.utc))
    # the day four weeks are met, approval re-checks it first and goes ahead
    assert service.approve(bonus_hub, claim_id, now=datetime(2027, 1, 12, 9, tzinfo=timezone.utc)).status == "approved"
    assert statuses(bonus_hub, claim_id) == [("propose", None, "potential"), ("recheck", "potential", "eligible"),
                                             ("approve", "eligible", "approved")]


def test_reject_withdraw_and_reverse_need_a_reason(bonus_hub, b):
    _, claim_id = eligible_claim(bonus_hub, b)
    b.sign_in(bonus_hub, "lead.two")
    for action in (service.reject, service.withdraw):
        with pytest.raises(service.ClaimError) as caught:
            action(bonus_hub, claim_id, reason="   ", now=DAY)
        assert caught.value.field == "reason"
    service.withdraw(bonus_hub, claim_id, reason="resident asked", now=DAY)
    assert storage.get_claim(bonus_hub.db, claim_id)["status"] == "withdrawn"


def test_staff_may_withdraw_an_open_claim_but_not_an_approved_one(bonus_hub, b):
    _, first = eligible_claim(bonus_hub, b, name="Ann One")
    service.withdraw(bonus_hub, first, reason="entered for the wrong person", now=DAY)
    _, second = eligible_claim(bonus_hub, b, name="Bea Two")
    b.sign_in(bonus_hub, "lead.two")
    service.approve(bonus_hub, second, now=DAY)
    b.sign_in(bonus_hub, "staff.three", "staff")
    with pytest.raises(PermissionDenied):
        service.withdraw(bonus_hub, second, reason="no", now=DAY)


def test_payment_dates_are_checked(bonus_hub, b):
    _, claim_id = eligible_claim(bonus_hub, b)
    b.sign_in(bonus_hub, "lead.two")
    service.approve(bonus_hub, claim_id, now=DAY)
    with pytest.raises(service.ClaimError) as future:
        service.mark_paid(bonus_hub, claim_id, paid_on=DAY.date() + timedelta(days=1), now=DAY)
    assert future.value.field == "paid_on"
    with pytest.raises(service.ClaimError, match="before the approval"):
        service.mark_paid(bonus_hub, claim_id, paid_on=DAY.date() - timedelta(days=1), now=DAY)


# -- one per person ---------------------------------------------------------------------------------


def test_a_second_claim_is_refused_by_the_rules_and_by_the_database(bonus_hub, b):
    rid, claim_id = eligible_claim(bonus_hub, b)
    with pytest.raises(service.ClaimError, match="already have claim #"):
        service.propose(bonus_hub, rid, "jobsplus", now=DAY)
    row = dict(storage.get_claim(bonus_hub.db, claim_id))
    row = {k: v for k, v in row.items() if k not in ("id", "facts", "checks")}
    with pytest.raises(sqlite3.IntegrityError):
        with bonus_hub.db.conn:
            bonus_hub.db["bonus_claims"].insert(row)
    # after a withdrawal a new claim may be proposed
    service.withdraw(bonus_hub, claim_id, reason="wrong scheme", now=DAY)
    assert service.propose(bonus_hub, rid, "jobsplus", now=DAY).claim_id != claim_id


def test_the_same_person_registered_twice_cannot_claim_twice(bonus_hub, b):
    eligible_claim(bonus_hub, b, name="Sam Patel")
    twin = b.add_resident(bonus_hub, name="sam  patel")
    b.add_job(bonus_hub, twin)
    with pytest.raises(service.ClaimError, match="same name and date of birth"):
        service.propose(bonus_hub, twin, "jobsplus", now=DAY)


# -- re-checks when the passport changes ----------------------------------------------------------------


def test_hook_record_saved_rechecks_open_claims_when_the_passport_changes(bonus_hub, b, pin_today):
    from plugins.passport import service as passport

    pin_today(DAY.date())
    rid = b.add_resident(bonus_hub)
    entry = b.add_job(bonus_hub, rid, evidence=())
    claim_id = service.propose(bonus_hub, rid, "jobsplus", now=DAY).claim_id
    assert storage.get_claim(bonus_hub.db, claim_id)["status"] == "evidence_pending"
    passport.verify(bonus_hub, entry, level="document_seen", evidence=["payslip"], verified_at="20/01/2027",
                    today=date(2027, 6, 30))
    claim = storage.get_claim(bonus_hub.db, claim_id)
    assert claim["status"] == "eligible"
    last = storage.events_for(bonus_hub.db, claim_id)[-1]
    assert last["action"] == "recheck" and last["automatic"] == 1 and "passport.entry" in last["reason"]
    # a correction that makes the job too short leaves the status but approval is refused
    version = claim["facts"]["jobs"][0]["entry_id"]
    current = [r for r in bonus_hub.db.query("select id from passport_entries where root_id = ? and superseded_by is null", [version])][0]
    from plugins.passport.model import EntryForm, form_from_row
    from plugins.passport.storage import get_version

    form = form_from_row(get_version(bonus_hub.db, current["id"]))
    passport.correct(bonus_hub, current["id"], EntryForm(**{**form.__dict__, "hours_per_week": "10"}), reason="fewer hours",
                     keep_verification=True, today=date(2027, 6, 30))
    assert storage.get_claim(bonus_hub.db, claim_id)["status"] == "eligible"
    b.sign_in(bonus_hub, "lead.two")
    with pytest.raises(service.ClaimError, match="no longer passes"):
        service.approve(bonus_hub, claim_id, now=DAY)


def test_the_hook_is_cheap_and_harmless_without_claims(bonus_hub, b):
    rid = b.add_resident(bonus_hub)
    b.add_job(bonus_hub, rid)
    assert bonus_hub.plugins.is_enabled("bonus")
    assert bonus_hub.db["bonus_claim_events"].count == 0


# -- budget ---------------------------------------------------------------------------------------------


def test_budget_warns_before_it_is_exceeded_and_needs_confirming_to_go_over(make_bonus_hub, b):
    hub = make_bonus_hub(b.scheme_body(budget=1000, budget_warning_percent=75))
    claims = [eligible_claim(hub, b, name=name)[1] for name in ("Ann One", "Bea Two", "Cal Three")]
    b.sign_in(hub, "lead.two")
    first = service.approve(hub, claims[0], now=DAY)
    assert first.warnings == []
    second = service.approve(hub, claims[1], now=DAY)
    assert second.warnings and "Budget warning: £800 of the JobsPlus into-work bonus's £1,000 is committed" in second.warnings[0]
    with pytest.raises(service.OverBudget, match="£1,200 of its £1,000 budget, £200 over"):
        service.approve(hub, claims[2], now=DAY)
    assert storage.get_claim(hub.db, claims[2])["status"] == "eligible"
    over = service.approve(hub, claims[2], allow_over_budget=True, now=DAY)
    assert over.status == "approved"
    assert "[approved over budget: £1,200 of £1,000]" in storage.events_for(hub.db, claims[2])[-1]["reason"]
    status = service.budget_status(hub, service.scheme_by_id(hub, "jobsplus"))
    assert (status.committed, status.remaining) == (1200, -200)


def test_proposing_warns_when_the_budget_is_nearly_spent(make_bonus_hub, b):
    hub = make_bonus_hub(b.scheme_body(budget=400))
    rid = b.add_resident(hub)
    b.add_job(hub, rid)
    result = service.propose(hub, rid, "jobsplus", now=DAY)
    assert result.warnings and "Budget warning" in result.warnings[0]


# -- rule versions ---------------------------------------------------------------------------------------


def test_a_changed_rule_does_not_change_a_past_claims_snapshot(hub_factory, b, tmp_path):
    import plugins.bonus as bonus_plugin
    import plugins.passport as passport_plugin

    hub = hub_factory(("passport", passport_plugin), ("bonus", bonus_plugin))
    hub.open_storage()
    rid, claim_id = eligible_claim(hub, b)
    b.sign_in(hub, "lead.two")
    service.approve(hub, claim_id, now=DAY)
    before = storage.get_claim(hub.db, claim_id)
    events_before = storage.events_for(hub.db, claim_id)
    hub.close()

    # the site lead changes the rules: 13 weeks and £500
    changed = hub_factory(("passport", passport_plugin), ("bonus", bonus_plugin),
                          body=b.scheme_body(sustain_weeks=13, amount=500))
    changed.open_storage()
    versions = storage.rule_versions(changed.db, "jobsplus")
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[1]["rules"]["scheme"]["sustain_weeks"] == 13
    after = storage.get_claim(changed.db, claim_id)
    assert after["rule_version"] == before["rule_version"] == versions[0]["hash"]
    assert (after["amount"], after["facts"], after["checks"]) == (400, before["facts"], before["checks"])
    assert storage.events_for(changed.db, claim_id) == events_before
    [check] = service.check_resident(changed, rid, today=DAY.date())
    assert check.rule_version == versions[1]["hash"]
    assert next(r for r in check.rules if r.rule == "sustained").status == "not_yet"
    b.sign_in(changed, "lead.three")
    service.mark_paid(changed, claim_id, now=DAY)  # paid under the rules it was approved on
    assert storage.events_for(changed.db, claim_id)[-1]["rule_version"] == versions[0]["hash"]
    with pytest.raises(sqlite3.DatabaseError, match="cannot be changed"):
        with changed.db.conn:
            changed.db.execute("UPDATE bonus_rule_versions SET rules_json = '{}'")
    with pytest.raises(sqlite3.DatabaseError, match="cannot be changed"):
        with changed.db.conn:
            changed.db.execute("UPDATE bonus_claim_events SET by_staff = 'someone.else'")


# -- the due list and the report ----------------------------------------------------------------------


def test_due_list_shows_who_is_eligible_and_who_will_be_soon(bonus_hub, b):
    eligible = b.add_resident(bonus_hub, name="Ann Eligible")
    b.add_job(bonus_hub, eligible, start=date(2026, 12, 1))
    soon = b.add_resident(bonus_hub, name="Bea Soon")
    b.add_job(bonus_hub, soon, start=date(2027, 1, 1))   # 4 weeks on 28 January
    later = b.add_resident(bonus_hub, name="Cal Later")
    b.add_job(bonus_hub, later, start=date(2027, 1, 19))
    short = b.add_resident(bonus_hub, name="Dee Short")
    b.add_job(bonus_hub, short, hours="10")
    items = service.due_list(bonus_hub, today=date(2027, 1, 20))
    assert [(i.resident_id, i.due, i.on) for i in items] == [(eligible, "eligible", date(2026, 12, 28)),
                                                               (soon, "soon", date(2027, 1, 28))]
    assert "due on 28 January 2027; no claim yet" in items[1].words()
    wider = service.due_list(bonus_hub, today=date(2027, 1, 20), within_days=30)
    assert later in [i.resident_id for i in wider]
    # once approved, they leave the list
    claim = service.propose(bonus_hub, eligible, "jobsplus", now=DAY).claim_id
    assert service.due_list(bonus_hub, today=date(2027, 1, 20))[0].claim_id == claim
    b.sign_in(bonus_hub, "lead.two")
    service.approve(bonus_hub, claim, now=DAY)
    assert eligible not in [i.resident_id for i in service.due_list(bonus_hub, today=date(2027, 1, 20))]


def test_monthly_report_counts_proposed_approved_and_paid_and_writes_csv(bonus_hub, b, tmp_path):
    _, one = eligible_claim(bonus_hub, b, name="Ann One")
    _, two = eligible_claim(bonus_hub, b, name="Bea Two")
    b.sign_in(bonus_hub, "lead.two")
    service.approve(bonus_hub, one, now=DAY)
    service.mark_paid(bonus_hub, one, paid_on=date(2027, 2, 3), reference="V-1", now=datetime(2027, 2, 4, tzinfo=timezone.utc))
    january = monthly_report(bonus_hub, "2027-01")
    [scheme] = january.schemes
    assert (scheme.counts["propose"], scheme.counts["approve"], scheme.counts["pay"]) == (2, 1, 0)
    assert scheme.amounts["propose"] == 800
    assert "proposed 2 (£800), approved 1 (£400), paid 0 (£0)" in "\n".join(january.lines())
    february = monthly_report(bonus_hub, "2027-02")
    assert february.schemes[0].counts["pay"] == 1
    path = february.write_csv(tmp_path / "out" / "feb.csv")
    rows = list(csv.DictReader(path.open()))
    assert rows == [{"date": "2027-02-03", "scheme": "jobsplus", "scheme_name": "JobsPlus into-work bonus",
                     "claim_id": str(one), "resident_id": str(storage.get_claim(bonus_hub.db, one)["resident_id"]),
                     "action": "paid", "from_status": "approved", "to_status": "paid", "amount": "400.00",
                     "by": "lead.two", "payment_reference": "V-1", "rule_version": rows[0]["rule_version"]}]
    assert path.stat().st_mode & 0o777 == 0o600
    assert bonus_hub.db["access_log"].count_where("action = 'bonus:report:2027-02'") == 1


def test_the_report_needs_reports_view_and_a_real_month(bonus_hub, b):
    with pytest.raises(service.BonusError) as bad:
        monthly_report(bonus_hub, "2027-13")
    assert bad.value.field == "month"
    b.sign_in(bonus_hub, "staff.one", "staff")
    with pytest.raises(PermissionDenied, match="reports.view"):
        monthly_report(bonus_hub, "2027-01")


# -- residents' rights -----------------------------------------------------------------------------


def test_hook_export_resident_data_bonus_gives_claims_steps_and_facts(bonus_hub, b):
    rid, claim_id = eligible_claim(bonus_hub, b)
    b.sign_in(bonus_hub, "lead.two")
    export = rights.subject_access(bonus_hub, rid)
    section = export["plugins"]["bonus"]
    assert [c["id"] for c in section["bonus_claims"]] == [claim_id]
    assert section["bonus_claims"][0]["facts"]["postcode"] == "M40 7AB"
    assert section["bonus_claim_events"][0]["reason"] == "started at Example Care"
    assert "facts_json" not in section["bonus_claims"][0]
    assert export["incomplete"] == []


def test_hook_erase_resident_data_keeps_paid_claims_de_identified_with_the_reason(bonus_hub, b):
    paid_rid, paid = eligible_claim(bonus_hub, b, name="Ann Paid")
    open_rid, open_claim = eligible_claim(bonus_hub, b, name="Bea Open")
    b.sign_in(bonus_hub, "lead.two")
    service.approve(bonus_hub, paid, now=DAY)
    service.mark_paid(bonus_hub, paid, paid_on=date(2027, 1, 21), reference="BACS 9", now=DAY + timedelta(days=2))

    report = rights.erase(bonus_hub, paid_rid)
    kept = [line for line in report.kept if line.startswith("bonus:")]
    assert len(kept) == 1 and f"bonus claim {paid}: paid" in kept[0] and "the funder's audit" in kept[0]
    claim = storage.get_claim(bonus_hub.db, paid)
    assert (claim["status"], claim["amount"], claim["paid_on"], claim["approved_by"]) == ("paid", 400, "2027-01-21", "lead.two")
    assert claim["facts"] == {"erased": True} and claim["payment_reference"] is None and claim["erased_at"]
    text = json.dumps([dict(r) for r in bonus_hub.db.query("select * from bonus_claim_events where claim_id = ?", [paid])])
    assert "M40 7AB" not in text and "Example Care" not in text and "started at Example Care" not in text
    assert len(storage.events_for(bonus_hub.db, paid)) == 3  # who and when stay

    rights.erase(bonus_hub, open_rid)
    assert storage.get_claim(bonus_hub.db, open_claim) is None
    assert bonus_hub.db["bonus_claim_events"].count_where("claim_id = ?", [open_claim]) == 0


# -- a property: whatever anyone tries, the approver is never the proposer -----------------------------

ACTORS = [("lead.one", "site_lead"), ("lead.two", "site_lead"), ("admin.one", "admin"), ("staff.one", "staff"),
          ("staff.two", "staff")]
ACTIONS = ["approve", "pay", "reject", "withdraw", "reverse", "recheck"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(proposer=st.sampled_from(ACTORS), steps=st.lists(st.tuples(st.sampled_from(ACTORS), st.sampled_from(ACTIONS)), max_size=8))
def test_property_approver_is_never_the_proposer_and_steps_follow_the_machine(bonus_hub, b, proposer, steps):
    rid = b.add_resident(bonus_hub, name=f"Resident {bonus_hub.db['residents'].count}")
    b.add_job(bonus_hub, rid)
    b.sign_in(bonus_hub, *proposer)
    claim_id = service.propose(bonus_hub, rid, "jobsplus", now=DAY).claim_id
    for (who, role), action in steps:
        b.sign_in(bonus_hub, who, role)
        try:
            if action == "approve":
                service.approve(bonus_hub, claim_id, allow_over_budget=True, now=DAY)
            elif action == "pay":
                service.mark_paid(bonus_hub, claim_id, now=DAY)
            elif action == "recheck":
                service.recheck_claim(bonus_hub, claim_id, now=DAY)
            else:
                getattr(service, action)(bonus_hub, claim_id, reason="testing", now=DAY)
        except (service.ClaimError, PermissionDenied):
            pass
    claim = storage.get_claim(bonus_hub.db, claim_id)
    if claim["approved_by"] is not None:
        assert claim["approved_by"] != claim["proposed_by"]
        approver_role = dict(ACTORS)[claim["approved_by"]]
        assert approver_role in ("site_lead", "admin")
    for event in storage.events_for(bonus_hub.db, claim_id):
        if event["from_status"] is not None:
            assert event["to_status"] in service.TRANSITIONS[event["from_status"]]
        if event["action"] in ("approve", "pay", "reject", "reverse"):
            assert event["role"] in ("site_lead", "admin")


def move(hub, resident_id, postcode: str, moved_on: date) -> None:
    """Staff record a move through the core, as the kiosk's Edit details does."""
    from hub.residents import changes_from, get_resident, update_resident

    changes = changes_from(get_resident(hub.db, resident_id))
    changes.postcode, changes.address_change, changes.moved_on = postcode, "moved", moved_on.strftime("%d/%m/%Y")
    update_resident(hub.db, resident_id, changes, area=hub.config.hub.area, staff="test.staff", terminal="t",
                    today=DAY.date())


def test_moving_out_of_the_area_before_the_job_started_fails_the_area_rule(bonus_hub, b):
    rid = b.add_resident(bonus_hub)
    b.add_job(bonus_hub, rid)
    [before] = service.check_resident(bonus_hub, rid, today=DAY.date())
    assert before.status == "eligible"
    move(bonus_hub, rid, "M9 4AA", date(2026, 12, 1))
    [after] = service.check_resident(bonus_hub, rid, today=DAY.date())
    assert after.status == "not_eligible"
    assert after.summary().endswith(
        ": lived at M9 4AA, outside the site's area, when the job started on 16 December 2026.")
    assert next(r for r in after.rules if r.rule == "area_at_registration").status == "pass"  # they did live here
    with pytest.raises(service.ClaimError, match="outside the site's area"):
        service.propose(bonus_hub, rid, "jobsplus", now=DAY)


def test_moving_out_of_the_area_after_the_job_started_keeps_the_bonus(bonus_hub, b):
    rid = b.add_resident(bonus_hub)
    b.add_job(bonus_hub, rid)
    move(bonus_hub, rid, "M9 4AA", date(2027, 1, 5))
    [result] = service.check_resident(bonus_hub, rid, today=DAY.date())
    assert result.status == "eligible"
    rule = next(r for r in result.rules if r.rule == "area_at_job_start")
    assert rule.words == "Lived at M40 7AB, in the site's area, when the job started on 16 December 2026."


def test_a_job_before_the_first_address_we_hold_reads_that_address(bonus_hub, b):
    """The job started before they registered (a scheme may allow it): the earliest address is used, and said so."""
    from plugins.bonus import rules

    rid = b.add_resident(bonus_hub)
    facts = rules.Facts(rid, addresses=(rules.Address(date(2026, 11, 2), "M40 7AB", True, True),))
    stint = rules.Stint((rules.Job(1, "employment", date(2026, 10, 1)),), date(2026, 10, 1), None)
    scheme = bonus_hub.plugin_config("bonus").schemes[0]
    status, words = rules._area_at_job_start(rules.RuleContext(facts, scheme, DAY.date(), stint=stint))
    assert status == rules.PASS
    assert words.endswith("(the first address we hold, from 2 November 2026).")


def test_two_kiosks_a_recheck_never_undoes_an_approval_made_meanwhile(hub_factory, b, monkeypatch):
    import plugins.bonus as bonus_plugin
    import plugins.passport as passport_plugin

    kiosk_a = hub_factory(("passport", passport_plugin), ("bonus", bonus_plugin))
    kiosk_a.open_storage()
    kiosk_b = hub_factory(("passport", passport_plugin), ("bonus", bonus_plugin))  # same site file and database
    kiosk_b.open_storage()
    rid = b.add_resident(kiosk_a)
    b.add_job(kiosk_a, rid)
    b.sign_in(kiosk_a, "staff.one", "staff")
    claim_id = service.propose(kiosk_a, rid, "jobsplus", now=datetime(2027, 1, 1, tzinfo=timezone.utc)).claim_id
    original = service._check_claim

    def slow_check(hub, claim, today):  # while kiosk A re-checks, kiosk B approves
        result = original(hub, claim, today)
        if hub is kiosk_a:
            monkeypatch.setattr(service, "_check_claim", original)
            b.sign_in(kiosk_b, "lead.two")
            service.approve(kiosk_b, claim_id, now=DAY)
        return result

    monkeypatch.setattr(service, "_check_claim", slow_check)
    assert service.recheck_claim(kiosk_a, claim_id, now=DAY) is None
    assert storage.get_claim(kiosk_a.db, claim_id)["status"] == "approved"
    assert [s[2] for s in statuses(kiosk_a, claim_id)] == ["potential", "eligible", "approved"]
