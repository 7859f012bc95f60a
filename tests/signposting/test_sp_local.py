"""The site lead's own list of local services (TOML)."""

import datetime as dt
from pathlib import Path

from plugins.signposting import feeds, schedules

EXAMPLE = Path(schedules.__file__).parent / "data" / "local_services.example.toml"
TODAY = dt.date(2026, 11, 22)


def parse(text: str) -> feeds.ParseResult:
    return feeds.parse_local_services_toml(text, today=TODAY)


def test_example_file_parses_cleanly():
    result = feeds.load_local_services(EXAMPLE, today=TODAY)
    assert result.fatal is None
    assert result.skipped == []
    assert result.warnings == []
    assert [s.source_id for s in result.services] == [
        "stmarks-job-club", "community-pantry", "debt-helpline", "baby-bank",
    ]


def test_example_job_club_fields():
    job_club = feeds.load_local_services(EXAMPLE, today=TODAY).services[0]
    assert job_club.key == "local:stmarks-job-club"
    assert job_club.organization.name == "St Mark's Community Centre"
    assert job_club.needs == ["employment", "digital"]
    assert job_club.last_checked == dt.date(2026, 11, 1)
    assert job_club.attending_access == "drop-in"
    assert job_club.bank_holiday_opening == "closed"
    location = job_club.locations()[0]
    assert location.postcode == "BS1 1AD"
    assert location.addresses[0].address_1 == "St Mark's Hall"
    assert location.addresses[0].address_2 == "12 High Street, Bristol"
    assert [p.number for p in job_club.phones] == ["0117 000 0000"]


def test_hours_become_weekly_schedules():
    pantry = feeds.load_local_services(EXAMPLE, today=TODAY).services[1]
    assert [(s.byday, str(s.opens_at), str(s.closes_at)) for s in pantry.schedules] == [
        (["MO"], "09:00:00", "12:00:00"),
        (["WE"], "09:00:00", "12:00:00"),
        (["WE"], "17:00:00", "19:00:00"),
        (["SA"], "10:00:00", "13:00:00"),
    ]
    wednesday_evening = dt.datetime(2026, 11, 25, 18, 0)
    assert schedules.service_opening_at(pantry, wednesday_evening).state is schedules.OpenState.OPEN
    # days not listed are closed, because the site lead gave the week's hours
    tuesday = dt.datetime(2026, 11, 24, 10, 0)
    assert schedules.service_opening_at(pantry, tuesday).state is schedules.OpenState.CLOSED


def test_national_phone_service_has_no_location():
    helpline = feeds.load_local_services(EXAMPLE, today=TODAY).services[2]
    assert helpline.service_at_locations == []
    assert helpline.is_remote_only
    assert helpline.attending_types == ["phone", "online"]
    assert helpline.schedules[-1].opens_at == dt.time(9, 0)  # "9am-3pm"


def test_hours_note_only_means_hours_unknown():
    baby_bank = feeds.load_local_services(EXAMPLE, today=TODAY).services[3]
    assert baby_bank.source_id == "baby-bank"  # made from the name
    opening = schedules.service_opening_at(baby_bank, dt.datetime(2026, 12, 5, 11, 0))
    assert opening.state is schedules.OpenState.UNKNOWN
    assert "First Saturday of every month" in opening.reason


def test_mistakes_are_explained_for_the_site_lead():
    result = parse(
        """
[[service]]
name = "Food Club"
postcod = "BS1 1AD"
needs = ["food", "fod", "Mental health"]
last_checked = "2026-11-01"

[service.hours]
monday = "09:00-12:00"
tue = "9-5"
wed = "9am-1pm"
"""
    )
    service = result.services[0]
    assert "service #1 'Food Club': unknown field 'postcod' ignored (did you mean 'postcode'?)" in service.warnings
    assert any("need 'fod' is not known (did you mean 'food'?)" in m for m in service.warnings)
    assert service.needs == ["food", "mental_health"]  # a need's label is accepted too
    assert any("hours key 'monday' is not a day (did you mean 'mon'?)" in m for m in service.warnings)
    assert any("hours tue = '9-5' is not readable" in m for m in service.warnings)
    assert [s.byday for s in service.schedules] == [["WE"]]
    assert service.last_checked == dt.date(2026, 11, 1)
    assert any("no address or postcode" in m for m in service.warnings)


def test_entries_without_name_or_with_repeated_ids_are_skipped():
    result = parse(
        """
[[service]]
description = "no name here"

[[service]]
id = "a"
name = "First"

[[service]]
id = "a"
name = "Second"
"""
    )
    assert [s.name for s in result.services] == ["First"]
    assert [r.reason for r in result.skipped] == [
        "service #1 has no name",
        "service #3 'Second': id 'a' is used twice (give each service its own id)",
    ]


def test_missing_last_checked_and_bad_postcode_warn():
    service = parse('[[service]]\nname = "X"\npostcode = "ABC 1234"\n').services[0]
    assert any("no last_checked date" in m for m in service.warnings)
    assert any("'ABC 1234' is not a UK postcode" in m for m in service.warnings)
    assert service.last_checked is None


def test_syntax_error_is_fatal_and_names_the_line():
    result = parse('[[service]]\nname = "Unclosed\n')
    assert result.fatal is not None
    assert "line 2" in result.fatal
    assert result.services == []


def test_missing_file_is_fatal_not_an_exception(tmp_path):
    result = feeds.load_local_services(tmp_path / "nope.toml")
    assert result.fatal and "could not be opened" in result.fatal


def test_opening_ranges_forms():
    assert feeds.parse_opening_ranges("closed") == []
    assert feeds.parse_opening_ranges("09:00-12:30, 13:30-17:00") == [
        (dt.time(9), dt.time(12, 30)),
        (dt.time(13, 30), dt.time(17)),
    ]
    assert feeds.parse_opening_ranges("9am to 5.30pm") == [(dt.time(9), dt.time(17, 30))]
    assert feeds.parse_opening_ranges("22:00-02:00") == [(dt.time(22), dt.time(2))]
    assert feeds.parse_opening_ranges("9-5") is None
    assert feeds.parse_opening_ranges("13pm-2pm") is None
