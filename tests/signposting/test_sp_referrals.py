"""Referrals: consent, the status lifecycle and its refusals, history, follow-ups, snapshots, listing problems."""

from __future__ import annotations

import datetime as dt
import types

import pytest

from hub import hookimpl
from hub.residents import NewResident, record_consent, register_resident, validate_resident
from plugins.signposting import referrals as R
from plugins.signposting import store
from sptest import TODAY, make_service, signposting_hub, weekly

STAFF = dict(staff="worker.one", terminal="kiosk-1")


def add_resident(hub, *, share: bool, name="Aisha Rahman", preferred="Aish") -> int:
    form = NewResident(name, preferred, "14/03/1991", "07700 900101", "", "12 Kestrel Walk", "M40 7AB",
                       "drop_in", "", "unemployed", consents={"record": True, "share_with_services": share})
    row = validate_resident(form, ["M40 7"], today=TODAY)
    return register_resident(hub.db, row, form.consents, **STAFF)


@pytest.fixture
def saved_events():
    return []


@pytest.fixture
def hub(hub_factory, saved_events):
    listener = types.SimpleNamespace(
        name="listener",
        record_saved=hookimpl(lambda resident_id, kind, record_id: saved_events.append((resident_id, kind, record_id))),
    )
    hub = signposting_hub(hub_factory, listener)
    store.write_services(hub.db, [make_service("debt", "Debt Advice Drop-in", schedules=weekly("TU,TH", "10:00", "13:00"),
                                               phones=["0161 496 0100"], organisation="Northside Advice")])
    return hub


KEY = "t:debt"


def test_a_signpost_needs_no_sharing_consent_and_snapshots_the_listing(hub, saved_events):
    resident = add_resident(hub, share=False)
    referral_id = R.create_referral(hub.db, resident, KEY, kind="signpost", needs=["debt"], today=TODAY, hub=hub, **STAFF)
    referral = R.get_referral(hub.db, referral_id)
    assert referral["status"] == "new" and referral["kind"] == "signpost"
    assert referral["follow_up_on"] == "2026-12-06"  # 14 days
    snapshot = referral["snapshot"]
    assert snapshot["name"] == "Debt Advice Drop-in" and snapshot["organisation"] == "Northside Advice"
    assert snapshot["hours"] == ["Tuesday and Thursday 10:00-13:00"]
    assert snapshot["phones"] == ["0161 496 0100"] and snapshot["postcode"] == "M40 7AB"
    assert snapshot["last_checked"] == "2026-11-12"
    assert referral["needs"] == ["debt"]
    assert saved_events == [(resident, "signposting.referral", referral_id)]


@pytest.mark.parametrize("kind", ["warm_handover", "formal_referral"])
def test_sharing_kinds_need_the_residents_current_consent(hub, kind):
    resident = add_resident(hub, share=False)
    with pytest.raises(R.ConsentRequired, match="Record their consent first, or give a signpost instead"):
        R.create_referral(hub.db, resident, KEY, kind=kind, **STAFF)
    assert hub.db["referrals"].count == 0
    record_consent(hub.db, resident, "share_with_services", True, **STAFF)
    assert R.create_referral(hub.db, resident, KEY, kind=kind, **STAFF)


def test_consent_withdrawn_before_sending_stops_the_referral_being_sent(hub):
    resident = add_resident(hub, share=True)
    referral_id = R.create_referral(hub.db, resident, KEY, kind="formal_referral", **STAFF)
    record_consent(hub.db, resident, "share_with_services", False, **STAFF)
    with pytest.raises(R.ConsentRequired):
        R.change_status(hub.db, referral_id, "sent", **STAFF)
    assert R.get_referral(hub.db, referral_id)["status"] == "new"


def test_a_formal_referral_goes_through_its_lifecycle_with_history(hub, saved_events):
    resident = add_resident(hub, share=True)
    referral_id = R.create_referral(hub.db, resident, KEY, kind="formal_referral", today=TODAY, **STAFF)
    steps = [("sent", {}), ("accepted", {}), ("attended", {}), ("outcome", {"outcome": "Debt relief order agreed"})]
    for day, (status, extra) in enumerate(steps, start=1):
        referral = R.change_status(hub.db, referral_id, status, today=TODAY + dt.timedelta(days=day), hub=hub,
                                   staff=f"worker.{day}", terminal="kiosk-2", **extra)
        assert referral["status"] == status
    assert referral["outcome"] == "Debt relief order agreed"
    assert referral["follow_up_on"] is None and referral["allowed_next"] == []
    history = R.referral_history(hub.db, referral_id)
    assert [(h["from_status"], h["to_status"]) for h in history] == [
        (None, "new"), ("new", "sent"), ("sent", "accepted"), ("accepted", "attended"), ("attended", "outcome"),
    ]
    assert [h["staff"] for h in history] == ["worker.one", "worker.1", "worker.2", "worker.3", "worker.4"]
    assert history[1]["follow_up_on"] == "2026-12-07" and history[-1]["detail"] == "Debt relief order agreed"
    assert len(saved_events) == 4


@pytest.mark.parametrize(
    "kind, path, refused",
    [
        ("formal_referral", [], "attended"),
        ("formal_referral", [], "accepted"),
        ("formal_referral", ["sent"], "attended"),  # someone must accept a formal referral first
        ("warm_handover", ["sent"], "did_not_attend"),
        ("formal_referral", ["sent", "declined"], "attended"),
        ("signpost", ["sent", "attended"], "sent"),
        ("signpost", ["sent", "attended", "outcome"], "new"),
        ("signpost", [], "new"),
    ],
)
def test_changes_the_lifecycle_does_not_allow_are_refused_clearly(hub, kind, path, refused):
    resident = add_resident(hub, share=True)
    referral_id = R.create_referral(hub.db, resident, KEY, kind=kind, **STAFF)
    for status in path:
        R.change_status(hub.db, referral_id, status, reason="full", outcome="done", **STAFF)
    before = R.get_referral(hub.db, referral_id)
    with pytest.raises(R.RefusedTransition, match="cannot become .*Allowed next"):
        R.change_status(hub.db, referral_id, refused, reason="x", outcome="x", **STAFF)
    after = R.get_referral(hub.db, referral_id)
    assert after["status"] == before["status"] and after["updated_at"] == before["updated_at"]
    assert len(R.referral_history(hub.db, referral_id)) == len(path) + 1


def test_a_signpost_can_go_from_sent_straight_to_attended(hub):
    resident = add_resident(hub, share=False)
    referral_id = R.create_referral(hub.db, resident, KEY, kind="signpost", **STAFF)
    assert R.get_referral(hub.db, referral_id)["allowed_next"] == ["sent"]
    R.change_status(hub.db, referral_id, "sent", **STAFF)
    assert R.get_referral(hub.db, referral_id)["allowed_next"] == ["accepted", "declined", "attended", "did_not_attend"]
    assert R.change_status(hub.db, referral_id, "did_not_attend", **STAFF)["status"] == "did_not_attend"


def test_declined_needs_a_reason_and_outcome_needs_words(hub):
    resident = add_resident(hub, share=True)
    referral_id = R.create_referral(hub.db, resident, KEY, kind="formal_referral", **STAFF)
    R.change_status(hub.db, referral_id, "sent", **STAFF)
    with pytest.raises(R.ReferralError, match="Say why"):
        R.change_status(hub.db, referral_id, "declined", reason="  ", **STAFF)
    referral = R.change_status(hub.db, referral_id, "declined", reason="Outside their area", **STAFF)
    assert referral["decline_reason"] == "Outside their area"
    with pytest.raises(R.ReferralError, match="Describe the outcome"):
        R.change_status(hub.db, referral_id, "outcome", **STAFF)
    with pytest.raises(R.ReferralError, match="unknown status"):
        R.change_status(hub.db, referral_id, "lost", **STAFF)


def test_unknown_kind_resident_or_service_are_clear_errors(hub):
    resident = add_resident(hub, share=True)
    with pytest.raises(R.ReferralError, match="unknown kind"):
        R.create_referral(hub.db, resident, KEY, kind="email", **STAFF)
    with pytest.raises(R.NotFound, match="no resident with id 999"):
        R.create_referral(hub.db, 999, KEY, kind="signpost", **STAFF)
    with pytest.raises(R.NotFound, match="not in the directory"):
        R.create_referral(hub.db, resident, "t:nope", kind="signpost", **STAFF)


def test_the_snapshot_outlives_the_listing(hub):
    resident = add_resident(hub, share=True)
    referral_id = R.create_referral(hub.db, resident, KEY, kind="signpost", **STAFF)
    store.forget_source(hub.db, "t")
    referral = R.get_referral(hub.db, referral_id)
    assert referral["snapshot"]["phones"] == ["0161 496 0100"]
    assert R.referrals_for(hub.db, resident)[0]["service_name"] == "Debt Advice Drop-in"


def test_follow_ups_due_today_or_overdue_and_not_finished(hub):
    first = add_resident(hub, share=True, name="Ann Example", preferred="")
    second = add_resident(hub, share=True, name="Bob Example", preferred="Bobby")
    due_today = R.create_referral(hub.db, first, KEY, kind="signpost", today=TODAY - dt.timedelta(days=14), **STAFF)
    overdue = R.create_referral(hub.db, second, KEY, kind="signpost", today=TODAY - dt.timedelta(days=20), **STAFF)
    R.create_referral(hub.db, first, KEY, kind="signpost", today=TODAY - dt.timedelta(days=3), **STAFF)  # not yet
    finished = R.create_referral(hub.db, second, KEY, kind="signpost", today=TODAY - dt.timedelta(days=30), **STAFF)
    for status, extra in (("sent", {}), ("attended", {}), ("outcome", {"outcome": "helped"})):
        R.change_status(hub.db, finished, status, today=TODAY - dt.timedelta(days=30), **extra, **STAFF)
    due = R.followups_due(hub.db, TODAY)
    assert [(d["id"], d["days_overdue"]) for d in due] == [(overdue, 6), (due_today, 0)]
    assert due[0]["resident"] == "Bobby (Bob Example)" and due[1]["resident"] == "Ann Example"
    moved = R.set_follow_up(hub.db, overdue, TODAY + dt.timedelta(days=7), **STAFF)
    assert moved["follow_up_on"] == "2026-11-29"
    assert [d["id"] for d in R.followups_due(hub.db, TODAY)] == [due_today]


def test_the_follow_up_period_is_configurable(hub):
    resident = add_resident(hub, share=True)
    referral_id = R.create_referral(hub.db, resident, KEY, kind="signpost", today=TODAY, follow_up_days=7, **STAFF)
    assert R.get_referral(hub.db, referral_id)["follow_up_on"] == "2026-11-29"


def test_every_change_is_in_the_access_log_with_ids_only(hub):
    resident = add_resident(hub, share=True, name="Zebedee Unusualname", preferred="Zeb")
    referral_id = R.create_referral(hub.db, resident, KEY, kind="warm_handover", note="Owes Zeb's landlord £900", **STAFF)
    R.change_status(hub.db, referral_id, "sent", **STAFF)
    R.report_problem(hub.db, KEY, "Phone number rings out", **STAFF)
    rows = list(hub.db.query("select * from access_log order by id"))
    actions = [r["action"] for r in rows if r["action"].startswith("signposting:")]
    assert actions == ["signposting:referral:create", "signposting:referral:sent", "signposting:listing_problem"]
    flat = " ".join(str(value) for row in rows for value in row.values())
    for personal in ("Zebedee", "Unusualname", "Zeb's", "landlord", "07700", "Kestrel", "Phone number rings out"):
        assert personal not in flat


def test_report_a_problem_with_a_listing_for_the_site_lead(hub):
    problem_id = R.report_problem(hub.db, KEY, "  Moved to the library  ", **STAFF)
    [problem] = R.listing_problems(hub.db)
    assert problem["id"] == problem_id and problem["problem"] == "Moved to the library"
    assert problem["service_name"] == "Debt Advice Drop-in" and problem["reported_by"] == "worker.one"
    with pytest.raises(R.ReferralError, match="Say what is wrong"):
        R.report_problem(hub.db, KEY, "", **STAFF)
    with pytest.raises(R.NotFound):
        R.report_problem(hub.db, "t:gone", "x", **STAFF)
    R.resolve_problem(hub.db, problem_id, "Updated our local list", **STAFF)
    assert R.listing_problems(hub.db) == []
    assert R.listing_problems(hub.db, include_resolved=True)[0]["resolution"] == "Updated our local list"
    with pytest.raises(R.NotFound):
        R.resolve_problem(hub.db, problem_id, "again", **STAFF)
