"""Outcomes: recorded by staff, or from passport jobs without re-keying; sustainment checks come due."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from hub.residents import ValidationError
from plugins.journey import model, service, spells


def kinds_of(events):
    return sorted((event.kind, event.on.isoformat(), event.source) for event in events)


def test_job_starts_and_sustainment_come_from_the_passport(full_hub, helpers):
    hub = full_hub
    resident = helpers.add_resident(hub.db, registered_on="2025-01-01")
    entry = helpers.job(hub, resident, "06/01/2025", "30/04/2025")  # ended after 16 weeks
    assert hub.db["journey_spells"].count == 1  # copied when the passport said record_saved
    events = service.resident_outcomes(hub, resident, today=date(2025, 9, 30))
    assert kinds_of(events) == [
        ("job_start", "2025-01-06", "passport"),
        ("job_sustained_13", "2025-04-06", "passport"),
        ("job_sustained_4", "2025-02-02", "passport"),
    ]
    assert {event.ref for event in events} == {entry}


def test_a_correction_in_the_passport_changes_the_outcomes(full_hub, helpers):
    from plugins.passport import service as passport_service
    from plugins.passport.model import EntryForm

    hub = full_hub
    resident = helpers.add_resident(hub.db, registered_on="2025-01-01")
    entry = helpers.job(hub, resident, "06/01/2025", "30/04/2025")
    form = EntryForm(kind="employment", title="Warehouse operative", provider="Example Logistics Ltd", role="Operative",
                     start_date="06/01/2025", end_date="20/01/2025", hours_per_week="20", pay_amount="12.71",
                     pay_period="hour", evidence=["payslip"], verification_level="document_seen")
    passport_service.correct(hub, entry, form, reason="left after two weeks")
    events = service.resident_outcomes(hub, resident, today=date(2025, 9, 30))
    assert kinds_of(events) == [("job_start", "2025-01-06", "passport")]
    passport_service.withdraw(hub, hub.db.execute("select max(id) from passport_entries").fetchone()[0], reason="entered in error")
    assert service.resident_outcomes(hub, resident, today=date(2025, 9, 30)) == []


def test_jobs_that_began_before_registration_are_not_programme_outcomes(full_hub, helpers):
    resident = helpers.add_resident(full_hub.db, registered_on="2025-03-01", status="employed")
    helpers.job(full_hub, resident, "01/09/2024")
    assert service.resident_outcomes(full_hub, resident, today=date(2025, 9, 30)) == []


def test_sustainment_checks_come_due_and_confirm_milestones(full_hub, helpers):
    hub = full_hub
    today = date.today()
    resident = helpers.add_resident(hub.db, "Kim Check", registered_on=(today - timedelta(days=60)).isoformat())
    start = today - timedelta(days=10)
    entry = helpers.job(hub, resident, start.strftime("%d/%m/%Y"))  # ongoing, recorded today
    assert service.due_list(hub) == []  # 4 weeks is 17 days away: not due yet
    later = today + timedelta(days=30)  # time passes: 4 weeks reached, nobody has checked
    [due] = spells.checks_due(hub.db, today=later)
    assert (due.resident_id, due.entry_id, due.weeks, due.due_on) == (resident, entry, 4, start + timedelta(days=27))
    assert [e.kind for e in spells.outcome_events_for(hub.db, resident, later)] == ["job_start"]  # not counted unchecked

    service.record_check(hub, resident, entry, 4, "in_work", later.isoformat(), "payslip", today=later)
    events = spells.outcome_events_for(hub.db, resident, later)
    assert kinds_of(events) == [("job_start", start.isoformat(), "passport"),
                                ("job_sustained_4", (start + timedelta(days=27)).isoformat(), "check")]
    assert spells.checks_due(hub.db, today=later) == []  # next is 13 weeks
    much_later = start + timedelta(days=7 * 13 + 3)
    [due] = spells.checks_due(hub.db, today=much_later)
    assert due.weeks == 13
    service.record_check(hub, resident, entry, 13, "left", much_later.isoformat(), "resident_said", today=much_later)
    assert spells.checks_due(hub.db, today=start + timedelta(days=7 * 30)) == []  # they left: no more checks
    assert "job_sustained_13" not in [e.kind for e in spells.outcome_events_for(hub.db, resident, much_later)]


def test_a_check_is_for_a_job_in_the_residents_passport(full_hub, helpers):
    resident = helpers.add_resident(full_hub.db)
    other = helpers.add_resident(full_hub.db, "Other Person")
    entry = helpers.job(full_hub, other, "01/03/2025")
    with pytest.raises(ValidationError):
        service.record_check(full_hub, resident, entry, 4, "in_work", "", "payslip")


def test_recorded_outcomes_are_validated_and_can_be_withdrawn(jhub, helpers):
    resident = helpers.add_resident(jhub.db)
    with pytest.raises(ValidationError) as caught:
        service.record_outcome(jhub, resident, "lottery_win", "", "hearsay")
    assert set(caught.value.errors) == {"kind", "outcome_date", "evidence"}
    with pytest.raises(ValidationError) as caught:
        service.record_outcome(jhub, resident, "volunteering", (date.today() + timedelta(days=2)).isoformat(), "resident_said")
    assert "future" in caught.value.errors["outcome_date"]
    outcome = service.record_outcome(jhub, resident, "volunteering", "01/03/2025", "staff_witnessed", "Food bank, Tuesdays")
    [event] = service.resident_outcomes(jhub, resident)
    assert (event.kind, event.on, event.source, event.evidence) == ("volunteering", date(2025, 3, 1), "recorded", "staff_witnessed")
    with pytest.raises(ValidationError):
        service.withdraw_outcome(jhub, outcome, "")
    withdrawn = service.withdraw_outcome(jhub, outcome, "Wrong resident")
    assert withdrawn["withdrawn"] == 1 and withdrawn["withdrawn_by"] == "test.staff"
    assert service.resident_outcomes(jhub, resident) == []
    with pytest.raises(ValidationError):
        service.withdraw_outcome(jhub, outcome, "again")


def test_milestones():
    assert spells.milestone(date(2025, 1, 6), 4) == date(2025, 2, 2)  # four full weeks: the 28th day
    assert spells.milestone(date(2025, 1, 6), 13) == date(2025, 4, 6)
    assert model.SUSTAINMENT_WEEKS == (4, 13, 26)


def test_the_passport_copy_survives_an_erasure_without_losing_anyone_elses_jobs(full_hub, helpers):
    """Erasure deletes passport rows, so SQLite may hand their ids out again: the copy must not miss them."""
    from hub import rights

    hub = full_hub
    first = helpers.add_resident(hub.db, "First Person", registered_on="2025-01-01")
    second = helpers.add_resident(hub.db, "Second Person", registered_on="2025-01-01")
    helpers.job(hub, second, "01/02/2025")
    helpers.job(hub, first, "03/02/2025")  # the highest id
    rights.erase(hub, first)
    reused = helpers.job(hub, second, "01/04/2025", title="Second job")  # may reuse the erased row's id
    assert reused in {row["entry_id"] for row in hub.db.query("select entry_id from journey_spells where resident_id = ?", [second])}
    starts = [e.on for e in service.resident_outcomes(hub, second, today=date(2025, 9, 30)) if e.kind == "job_start"]
    assert sorted(starts) == [date(2025, 2, 1), date(2025, 4, 1)]
    # the erased resident's job is kept as dates only, so past figures stay right
    [kept] = list(hub.db.query("select * from journey_spells where resident_id = ?", [first]))
    assert kept["start_date"] == "2025-02-03" and kept["employer"] is None and kept["role"] is None


def test_no_passport_means_no_passport_outcomes(jhub, helpers):
    resident = helpers.add_resident(jhub.db)
    assert spells.sync_spells(jhub) == 0
    assert service.resident_outcomes(jhub, resident) == []
