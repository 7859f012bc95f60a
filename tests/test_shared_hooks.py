"""The core hooks through which plugins share what they know, each tried with a third party's plugin
standing in for ours on one side, so neither side depends on the other's code or tables."""

from __future__ import annotations

import types
from datetime import date

import pytest

import plugins.benefits_calc as calc_plugin
import plugins.bonus as bonus_plugin
import plugins.journey as journey_plugin
import plugins.passport as passport_plugin
import plugins.signposting as signposting_plugin
from hub import hookimpl, rights
from hub.records import EmploymentSpell, LinkableRecord, RecordChanges, ReferralRecord, TrainingRecord
from hub.residents import NewResident, register_resident, validate_resident

AREA = ["M40 7", "M40 8"]


def add_resident(db, name="Sam Patel", *, registered_on="2025-01-01") -> int:
    form = NewResident(name, "", "02/02/1992", postcode="M40 7AB", engagement="drop_in", status_at_registration="unemployed",
                       consents={"record": True, "outcomes_reporting": True, "share_with_services": True})
    resident_id = register_resident(db, validate_resident(form, AREA), form.consents, staff="test.staff", terminal="t")
    with db.conn:
        db.execute("update residents set registered_at = ? where id = ?", [f"{registered_on}T10:00:00+00:00", resident_id])
    return resident_id


def spell(entry_id: int, start: date, **changes) -> EmploymentSpell:
    values = dict(entry_id=entry_id, version_id=entry_id, kind="employment", employer="Acme Ltd", role="Picker", start=start,
                  end=None, ongoing=True, hours_per_week=20.0, pay_amount=12.5, pay_period="hour", weekly_pay=250.0,
                  evidence_seen=("payslip",), verification_level="document_seen", verified_by="kim",
                  verified_at=start, recorded_at=f"{start.isoformat()}T10:00:00+00:00", recorded_by="kim")
    values.update(changes)
    return EmploymentSpell(**values)


class StandInPassport:
    """A third party's work record standing in for the passport: jobs and training in a dict."""

    name = "other_records"

    def __init__(self) -> None:
        self.jobs: dict[int, list[EmploymentSpell]] = {}
        self.courses: dict[int, list[TrainingRecord]] = {}
        self.changes: list[int] = []

    @hookimpl
    def resident_employment(self, resident_id):
        return self.jobs.get(resident_id, [])

    @hookimpl
    def resident_training(self, resident_id):
        return self.courses.get(resident_id, [])

    @hookimpl
    def employment_changes(self, since):
        start = int(since) if since else 0
        return RecordChanges(str(len(self.changes)), tuple(sorted(set(self.changes[start:]))))


def journey_hub(hub_factory, *plugins):
    hub = hub_factory(("journey", journey_plugin), *plugins)
    hub.open_storage()
    return hub


def test_hook_resident_employment_reaches_the_bonus_checks_and_the_journey_without_the_passport(hub_factory):
    from plugins.bonus import service as bonus_service
    from plugins.journey import spells

    stand_in = StandInPassport()
    hub = hub_factory(("bonus", bonus_plugin), ("journey", journey_plugin), stand_in)
    hub.open_storage()
    resident = add_resident(hub.db)
    stand_in.jobs[resident] = [spell(7, date(2025, 3, 3))]
    stand_in.changes.append(resident)
    facts = bonus_service.require_resident(hub, resident)
    assert [(job.entry_id, job.employer, job.hours_per_week) for job in facts.jobs] == [(7, "Acme Ltd", 20.0)]
    assert facts.passport_available
    assert spells.sync_spells(hub) == 1
    [copied] = list(hub.db.query("select entry_id, employer, start_date from journey_spells"))
    assert copied == {"entry_id": 7, "employer": "Acme Ltd", "start_date": "2025-03-03"}


def test_hook_resident_employment_absent_means_no_jobs_known(hub_factory):
    from plugins.bonus import service as bonus_service

    hub = hub_factory(("bonus", bonus_plugin))
    hub.open_storage()
    facts = bonus_service.require_resident(hub, add_resident(hub.db))
    assert facts.jobs == () and not facts.passport_available


def test_hook_resident_training_is_copied_for_into_training_outcomes(hub_factory):
    from plugins.journey import service

    stand_in = StandInPassport()
    hub = journey_hub(hub_factory, stand_in)
    resident = add_resident(hub.db)
    stand_in.courses[resident] = [TrainingRecord(3, 3, "training", "Forklift licence", "College", date(2025, 2, 3),
                                                 date(2025, 2, 28), False, None, "pass", "document_seen", "2025-03-01T10:00:00+00:00")]
    stand_in.changes.append(resident)
    events = service.resident_outcomes(hub, resident, today=date(2025, 9, 30))
    assert [(event.kind, event.on, event.ref) for event in events] == [("training_education", date(2025, 2, 3), 3)]


def test_hook_employment_changes_never_repeats_a_token_after_an_erasure(hub_factory):
    """The passport's change log is AUTOINCREMENT: erasing the newest entries cannot make a later entry
    of someone else's look already seen (the journey's erasure no longer has to know passport row ids)."""
    from plugins.passport import service as passport_service
    from plugins.passport.model import EntryForm

    hub = journey_hub(hub_factory, ("passport", passport_plugin))
    first, second = add_resident(hub.db, "First"), add_resident(hub.db, "Second")

    def job(resident, start):
        form = EntryForm(kind="employment", title="Job", provider="Acme", role="Picker", start_date=start, ongoing=True,
                         hours_per_week="20", pay_amount="12", pay_period="hour", verification_level="self_declared")
        return passport_service.add(hub, resident, form)

    def changes(since):
        [answer] = hub.plugins.call("employment_changes", hub=hub, since=since)
        return answer.value

    everyone = changes(None)
    assert everyone.resident_ids == () and everyone.token == "0"
    job(second, "01/02/2025")
    job(first, "03/02/2025")
    token = changes(None).token
    assert changes(None).resident_ids == (first, second)
    rights.erase(hub, first)
    later = job(second, "01/04/2025")  # may reuse the erased entry's row id
    assert changes(token).resident_ids == (second,)
    assert later in {row["entry_id"] for row in hub.db.query("select entry_id from journey_spells where resident_id = ?", [second])}
    assert changes(str(10 ** 6)).everything  # a token from the future: a restored database; re-read everyone


@pytest.fixture
def referred(hub_factory):
    """Two residents referred to a service in February 2025; the first attended on 1 March."""
    hub = journey_hub(hub_factory, ("signposting", signposting_plugin))
    db = hub.db
    first, second = add_resident(db, "Ann First"), add_resident(db, "Bo Second")
    ids = []
    for resident in (first, second):
        with db.conn:
            ids.append(db["referrals"].insert({
                "resident_id": resident, "service_key": "t:1", "service_name": "Debt Advice", "snapshot": "{}",
                "kind": "warm_handover", "status": "sent", "note": "rent arrears", "created_at": "2025-02-10T11:00:00+00:00",
                "created_by": "s", "updated_at": "2025-02-10T11:00:00+00:00"}).last_pk)
    with db.conn:
        db["referral_history"].insert({"referral_id": ids[0], "at": "2025-03-01T11:00:00+00:00", "staff": "s",
                                       "from_status": "sent", "to_status": "attended", "detail": "went with her sister"})
        db.execute("update referrals set status = 'attended' where id = ?", [ids[0]])
    return types.SimpleNamespace(hub=hub, first=first, second=second, referrals=ids)


QUARTER = (date(2025, 1, 1), date(2025, 3, 31))


def test_hook_referral_records_stay_the_same_after_an_erasure(referred):
    hub = referred.hub

    def records():
        return sorted((r.value for r in hub.plugins.call_flat("referral_records", hub=hub, start=QUARTER[0], end=QUARTER[1])),
                      key=lambda record: record.resident_id)

    before = records()
    assert before == [
        ReferralRecord(referred.first, date(2025, 2, 10), "warm_handover", "attended", date(2025, 3, 1)),
        ReferralRecord(referred.second, date(2025, 2, 10), "warm_handover", "sent", None),
    ]
    report = rights.erase(hub, referred.first)
    assert any(line.startswith("signposting: 1 referral(s)") for line in report.kept)
    assert records() == before
    row = hub.db.execute("select service_name, note from referrals where resident_id = ?", [referred.first]).fetchone()
    assert row == ("[erased]", None)  # de-identified: which service and why are gone
    assert hub.plugins.call_flat("referral_records", hub=hub, start=date(2024, 1, 1), end=date(2024, 12, 31)) == []


def test_journey_referral_figures_come_from_signposting_and_survive_an_erasure(referred):
    from plugins.journey import service
    from plugins.journey.report import Period

    hub = referred.hub
    period = Period(*QUARTER)

    def figures():
        report = service.run_report(hub, period, today=date(2025, 9, 30))
        return {key: (report.figure(key).value, report.figure(key).plugin) for key in ("referrals.made", "referrals.completed")}

    assert figures() == {"referrals.made": (2, "signposting"), "referrals.completed": (1, "signposting")}
    rights.erase(hub, referred.first)
    assert figures() == {"referrals.made": (2, "signposting"), "referrals.completed": (1, "signposting")}


def test_journey_shows_referral_figures_as_not_reported_without_a_provider(hub_factory):
    from plugins.journey import service
    from plugins.journey.report import Period

    hub = journey_hub(hub_factory)
    report = service.run_report(hub, Period(*QUARTER), today=date(2025, 9, 30))
    made = report.figure("referrals.made")
    assert made.value is None and "no plugin reports referrals" in made.note


class Notes:
    """A third party's plugin whose notes a journey step can be linked to."""

    name = "notes"

    @hookimpl
    def linkable_records(self, resident_id):
        return [LinkableRecord("notes.note", 5, "Note", "Rent arrears letter")] if resident_id == self.owner else []

    @hookimpl
    def describe_record(self, kind, record_id):
        return "Rent arrears letter" if (kind, record_id) == ("notes.note", 5) else None


def test_hook_linkable_records_lets_a_step_link_to_a_third_partys_record(hub_factory):
    from hub.residents import ValidationError
    from plugins.journey import service
    from plugins.journey.dialogs import linkable_records

    notes = Notes()
    hub = journey_hub(hub_factory, notes)
    resident, other = add_resident(hub.db), add_resident(hub.db, "Someone Else")
    notes.owner = resident
    assert linkable_records(hub, resident) == {"notes.note:5": "Note 5: Rent arrears letter"}
    goal = service.add_goal(hub, resident, "Sort the rent")
    with pytest.raises(ValidationError):  # validate_step knows the built-in kinds only
        service.add_step(hub, goal, "Reply to the letter", "resident", link_kind="notes.note", link_id="5")
    other_goal = service.add_goal(hub, other, "Theirs")
    with pytest.raises(ValidationError) as caught:
        service.check_link(hub, other, "notes.note", 5)
    assert "belongs to another resident" in caught.value.errors["link_id"]
    service.check_link(hub, resident, "notes.note", 5)  # no error: it is theirs
    assert other_goal


def test_hook_describe_record_first_answer_wins_and_names_the_link(hub_factory):
    from plugins.journey import service

    class Shadow:
        name = "shadow"

        @hookimpl(trylast=True)
        def describe_record(self, kind, record_id):
            return "should not be asked first"

    hub = journey_hub(hub_factory, ("benefits_calc", calc_plugin), Notes(), Shadow())
    assert service.describe_link(hub, "notes.note", 5) == "notes.note 5: Rent arrears letter"
    assert service.describe_link(hub, "notes.note", 6) == "notes.note 6: should not be asked first"
    resident = add_resident(hub.db)
    from plugins.benefits_calc.storage import save_scenario

    scenario = save_scenario(hub.db, resident_id=resident, label="20 hours at Acme", data={}, result={}, staff="s", terminal="t")
    assert service.describe_link(hub, "benefits_calc.scenario", scenario) == f"Better-off calculation {scenario}: 20 hours at Acme"
