"""Into training or education from the passport's courses and qualifications, without re-keying."""

from __future__ import annotations

from datetime import date

import pytest

import plugins.journey as journey_plugin
import plugins.passport as passport_plugin
from plugins.journey import export, service, spells, storage
from plugins.journey.report import Period

Q1 = Period(date(2025, 1, 1), date(2025, 3, 31))
TODAY = date(2025, 9, 30)


def entry(hub, resident_id: int, kind: str, start: str, end: str = "", *, title="Level 2 Food Hygiene", ongoing=False) -> int:
    """A passport entry saved through the passport's own service, so record_saved fires as at the kiosk."""
    from plugins.passport import service as passport_service
    from plugins.passport.model import EntryForm

    form = EntryForm(kind=kind, title=title, provider="Northside College", start_date=start, end_date=end, ongoing=ongoing)
    return passport_service.add(hub, resident_id, form, today=TODAY)


def training_people(hub) -> frozenset[int]:
    return service.run_report(hub, Q1, today=TODAY).figure("outcome.training_education").residents


def training_events(hub, report=None):
    report = report or service.run_report(hub, Q1, today=TODAY)
    return sorted((e.resident_id, e.on.isoformat(), e.source) for e in report.events if e.kind == "training_education")


def test_a_course_started_after_registering_counts_once_in_the_quarterly_report(full_hub, helpers):
    hub = full_hub
    resident = helpers.add_resident(hub.db, registered_on="2025-01-01")
    course = entry(hub, resident, "training", "03/02/2025", "28/03/2025")
    entry(hub, resident, "qualification", "28/03/2025", title="Food Hygiene certificate")
    entry(hub, resident, "volunteering", "10/02/2025", "20/03/2025", title="Food bank")
    entry(hub, resident, "work_experience", "01/03/2025", "07/03/2025", title="Kitchen taster")
    assert hub.db["journey_training"].count == 2  # copied on record_saved: the course and the qualification only

    report = service.run_report(hub, Q1, today=TODAY)
    figure = report.figure("outcome.training_education")
    assert figure.residents == {resident} and figure.value == 1  # two passport entries, one person
    assert training_events(hub, report) == [(resident, "2025-02-03", "passport"), (resident, "2025-03-28", "passport")]
    assert report.figure("outcome.volunteering").value == 0  # volunteering is not training, and is not derived
    assert report.figure("outcome.any").residents == {resident}
    events = service.resident_outcomes(hub, resident, today=TODAY)
    assert [(e.kind, e.on, e.source) for e in events][-1] == ("training_education", date(2025, 2, 3), "passport")
    assert course in {e.ref for e in events}
    assert service.run_report(hub, Q1.shift_quarters(1), today=TODAY).figure("outcome.training_education").value == 0


def test_a_course_started_before_registering_is_history(full_hub, helpers):
    hub = full_hub
    resident = helpers.add_resident(hub.db, registered_on="2025-02-01")
    entry(hub, resident, "training", "10/01/2025", ongoing=True, title="ESOL Entry 3")  # before registering
    entry(hub, resident, "training", "01/02/2025", "14/02/2025", title="CSCS card course")  # the day they registered
    assert training_events(full_hub) == [(resident, "2025-02-01", "passport")]
    assert [e.on for e in service.resident_outcomes(hub, resident, today=TODAY)] == [date(2025, 2, 1)]


def test_a_corrected_or_withdrawn_course_stops_counting(full_hub, helpers):
    from plugins.passport import service as passport_service
    from plugins.passport.model import EntryForm

    hub = full_hub
    resident = helpers.add_resident(hub.db, registered_on="2025-01-01")
    course = entry(hub, resident, "training", "03/02/2025", "28/02/2025")
    corrected = passport_service.correct(
        hub, course, EntryForm(kind="training", title="Level 2 Food Hygiene", provider="Northside College",
                               start_date="10/04/2025", end_date="30/04/2025"),
        reason="wrong dates", today=TODAY)
    assert training_people(hub) == frozenset()  # the superseded version's February start is gone
    assert [e.on for e in service.resident_outcomes(hub, resident, today=TODAY)] == [date(2025, 4, 10)]
    assert hub.db["journey_training"].count == 1

    passport_service.withdraw(hub, corrected, reason="entered for the wrong resident")
    assert service.resident_outcomes(hub, resident, today=TODAY) == []
    assert hub.db["journey_training"].count == 0


def test_a_hand_recorded_outcome_for_the_same_course_does_not_double_count(full_hub, helpers, tmp_path):
    hub = full_hub
    same_day = helpers.add_resident(hub.db, "Sam Sameday", registered_on="2025-01-01")
    other_day = helpers.add_resident(hub.db, "Olu Otherday", registered_on="2025-01-01")
    for resident in (same_day, other_day):
        entry(hub, resident, "training", "03/02/2025", "28/03/2025")
    service.record_outcome(hub, same_day, "training_education", "2025-02-03", "certificate", today=TODAY)
    service.record_outcome(hub, other_day, "training_education", "2025-02-05", "certificate", today=TODAY)

    report = service.run_report(hub, Q1, today=TODAY)
    assert report.figure("outcome.training_education").value == 2  # two people, not four
    # the same day is one event (the recorded one, with its evidence); a different day shows both, each saying where from
    assert training_events(hub, report) == sorted([
        (same_day, "2025-02-03", "recorded"), (other_day, "2025-02-03", "passport"), (other_day, "2025-02-05", "recorded"),
    ])
    assert [e.source for e in service.resident_outcomes(hub, same_day, today=TODAY)] == ["recorded"]
    assert sorted(e.source for e in service.resident_outcomes(hub, other_day, today=TODAY)) == ["passport", "recorded"]

    built = export.build_export(hub.db, report, b"k" * 32, site_name="Test")
    rows = [row for row in built.tables["outcomes"] if row["kind"] == "training_education"]
    assert sorted(row["source"] for row in rows) == ["passport", "recorded", "recorded"]


def test_the_site_can_switch_training_from_the_passport_off(hub_factory, helpers):
    hub = hub_factory(("passport", passport_plugin), ("journey", journey_plugin),
                      body="[plugins.journey]\ntraining_from_passport = false\n")
    hub.open_storage()
    assert service.settings(hub).training_from_passport is False
    derived = helpers.add_resident(hub.db, "Dee Derived", registered_on="2025-01-01")
    recorded = helpers.add_resident(hub.db, "Rae Recorded", registered_on="2025-01-01")
    entry(hub, derived, "training", "03/02/2025", "28/03/2025")
    service.record_outcome(hub, recorded, "training_education", "2025-02-10", "certificate", today=TODAY)
    assert training_people(hub) == {recorded}  # staff-recorded outcomes still count
    assert service.resident_outcomes(hub, derived, today=TODAY) == []


def test_training_is_on_by_default(full_hub):
    assert journey_plugin.JourneySettings().training_from_passport is True
    assert service.settings(full_hub).training_from_passport is True


def test_erasure_keeps_course_dates_de_identified_so_past_figures_stay(full_hub, helpers):
    from hub import rights

    hub = full_hub
    erased = helpers.add_resident(hub.db, "Erin Erased", registered_on="2025-01-01")
    kept = helpers.add_resident(hub.db, "Kit Kept", registered_on="2025-01-01")
    entry(hub, kept, "training", "03/02/2025", "28/02/2025")
    entry(hub, erased, "training", "05/02/2025", "28/02/2025")  # the highest id
    mine = rights.subject_access(hub, erased)["plugins"]["journey"]["training_from_the_passport"]
    assert [row["start_date"] for row in mine] == ["2025-02-05"]

    report = rights.erase(hub, erased)
    assert [(row["kind"], row["start_date"]) for row in hub.db.query(
        "select kind, start_date from journey_training where resident_id = ?", [erased])] == [("training", "2025-02-05")]
    assert any("1 course date(s)" in line for line in report.kept)
    assert training_people(hub) == {kept, erased}  # the quarter's figure does not change
    later = entry(hub, kept, "qualification", "01/03/2025", title="Certificate")  # may reuse the erased row's id
    assert later in {row["entry_id"] for row in hub.db.query("select entry_id from journey_training where resident_id = ?", [kept])}


def test_courses_saved_before_the_upgrade_are_copied_after_it(full_hub, helpers):
    """A site that ran the journey before this copy existed: its change token is already past the courses."""
    hub = full_hub
    resident = helpers.add_resident(hub.db, registered_on="2025-01-01")
    entry(hub, resident, "training", "03/02/2025", "28/02/2025")
    with hub.db.conn:  # back to how the site was: no copy of training, watermark past every entry
        hub.db.execute("drop table journey_training")
        hub.db.execute("delete from _sqlite_migrations where migration_set = 'hub_journey' "
                       "and name = '0002_training_from_the_passport'")
    assert storage.get_state(hub.db, "employment_token:passport")  # already up to date with the passport

    storage.migrations().apply(hub.db)
    assert training_people(hub) == {resident}


@pytest.mark.parametrize("kind", ["volunteering", "work_experience", "job_search"])
def test_other_unpaid_kinds_are_not_training(full_hub, helpers, kind):
    from plugins.passport.views import training_entries

    hub = full_hub
    resident = helpers.add_resident(hub.db, registered_on="2025-01-01")
    entry(hub, resident, kind, "03/02/2025", "28/02/2025")
    entry(hub, resident, "training", "04/02/2025", "28/02/2025")
    assert [e.kind for e in training_entries(hub.db, resident)] == ["training"]


def test_a_course_and_its_qualification_on_one_day_are_one_outcome():
    courses = [{"resident_id": 1, "entry_id": 10, "start_date": "2025-02-03"},
               {"resident_id": 1, "entry_id": 11, "start_date": "2025-02-03"},
               {"resident_id": 2, "entry_id": 12, "start_date": "2025-02-03"}]
    events = spells.training_events(courses, {1: date(2025, 1, 1), 2: date(2025, 1, 1)}, TODAY)
    assert [(e.resident_id, e.ref) for e in events] == [(1, 10), (2, 12)]
