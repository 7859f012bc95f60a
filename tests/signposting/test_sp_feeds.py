"""Feed parsers against the Open Referral fixtures (used in place, read-only) and our v1 fixture."""

import datetime as dt
import json
from pathlib import Path

from plugins.signposting import feeds
from plugins.signposting.model import Service

HERE = Path(__file__).resolve().parent
OPENREFERRAL = HERE.parent / "fixtures" / "openreferral"
V1_PAGE = HERE / "fixtures" / "oruk_v1_services_page1.json"
TODAY = dt.date(2026, 11, 22)


def load(relative: str):
    return json.loads((OPENREFERRAL / relative).read_text(encoding="utf-8"))


def warnings_of(result: feeds.ParseResult) -> list[str]:
    return [w.message for w in result.warnings]


def only_service(result: feeds.ParseResult) -> Service:
    assert result.fatal is None
    assert len(result.services) == 1, result.skipped
    return result.services[0]


# --- HSDS 3.0 and ORUK 3.0 list pages -------------------------------------


def test_hsds3_list_page_envelope_and_service():
    result = feeds.parse_page(load("hsds-3.0/service_list.json"), "mycity", today=TODAY)
    assert result.format == feeds.FORMAT_HSDS3
    assert result.page.total_items == 10
    assert result.page.total_pages == 10
    assert result.page.number == 1
    assert result.page.is_last is False
    service = only_service(result)
    assert service.key == "mycity:ac148810-d857-441c-9679-408f346de14b"
    assert service.name == "Community Counselling"
    assert service.organization.name == "Example Organization Inc."
    assert service.minimum_age == 12 and service.maximum_age == 100
    assert service.last_modified == dt.datetime(2023, 3, 15, 10, 30, 45, 123000, tzinfo=dt.timezone.utc)


def test_oruk3_list_page_tolerates_fields_the_uk_profile_removes():
    service = only_service(feeds.parse_page(load("oruk-3.0/service_list.json"), "uk", today=TODAY))
    assert service.alternate_name is None
    assert service.eligibility_description is None
    assert service.status == "active"


def test_old_assured_date_is_flagged_not_checked_recently():
    result = feeds.parse_page(load("hsds-3.0/service_list.json"), "mycity", today=TODAY)
    service = only_service(result)
    assert service.assured_date == dt.date(2005, 1, 1)
    assert service.last_checked == dt.date(2005, 1, 1)
    assert any(m.startswith("not checked recently") for m in service.warnings)


def test_placeholder_values_are_dropped_and_flagged():
    result = feeds.parse_page(load("hsds-3.0/service_list.json"), "mycity", today=TODAY)
    service = only_service(result)
    # "fees": "fees_description" and "wait_time": "wait_time" are template filler
    assert "fees holds placeholder text 'fees_description' and was ignored" in service.warnings
    assert "wait_time holds placeholder text 'wait_time' and was ignored" in service.warnings
    # the real fees text is kept
    assert service.fees_description.startswith("Non-NHS patients")


# --- HSDS 3.0 full service -------------------------------------------------


def test_hsds3_full_service_nested_records():
    service = only_service(feeds.parse_json_text((OPENREFERRAL / "hsds-3.0/service_full.json").read_bytes(), "mycity", today=TODAY))
    assert len(service.service_at_locations) == 1
    location = service.locations()[0]
    assert location.key == "mycity:3a19ff88-4620-4d17-9830-ac1d859eb5d5"
    assert location.external_identifier_type == "UPRN"
    assert location.accessibility and "induction loops" in location.accessibility[0]
    assert service.languages == ["Urdu"]
    assert service.cost_options[0].amount == 35
    assert service.organization.identifiers == [("GB-COH", "1234567")]


def test_out_of_range_coordinates_are_rejected():
    service = only_service(feeds.parse_json_text((OPENREFERRAL / "hsds-3.0/service_full.json").read_bytes(), "mycity", today=TODAY))
    location = service.locations()[0]
    assert location.latitude is None and location.longitude is None
    assert not location.has_coordinates
    assert "latitude 100 / longitude 101 are not valid coordinates and were ignored" in service.warnings


def test_non_uk_postcode_and_country_are_flagged():
    service = only_service(feeds.parse_json_text((OPENREFERRAL / "hsds-3.0/service_full.json").read_bytes(), "mycity", today=TODAY))
    address = service.locations()[0].addresses[0]
    assert address.postal_code == "ABC 1234"  # what the feed said is kept
    assert address.postcode is None  # but it is not a UK postcode
    assert "'ABC 1234' is not a UK postcode" in service.warnings
    assert "address country 'US' is not the UK" in service.warnings


def test_expired_and_contradictory_schedule_is_flagged():
    service = only_service(feeds.parse_json_text((OPENREFERRAL / "hsds-3.0/service_full.json").read_bytes(), "mycity", today=TODAY))
    schedule = service.schedules[0]
    assert schedule.byday == ["TH", "FR"]
    assert schedule.valid_to == dt.date(2005, 1, 1)
    assert schedule.opens_at == dt.time(10, 0) and schedule.closes_at == dt.time(18, 0)
    assert "opening hours ended on 2005-01-01 and are ignored" in service.warnings
    assert "schedule text says 'weekdays' but its days are TH,FR" in service.warnings
    assert "schedule byweekno is not supported and was ignored" in service.warnings
    assert "schedule timezone '3' is not a UK offset; times read as UK local time" in service.warnings


def test_phone_with_stray_quotes_is_cleaned_and_found_under_contacts():
    service = only_service(feeds.parse_json_text((OPENREFERRAL / "hsds-3.0/service_full.json").read_bytes(), "mycity", today=TODAY))
    numbers = [p.number for p in service.all_phones()]
    assert numbers == ["+44 1234 234567"]
    assert service.phones[0].extension == "100"
    assert service.phones[0].languages == ["Urdu"]
    assert any("stray quote marks" in m for m in service.warnings)


def test_placeholder_taxonomy_term_is_ignored():
    service = only_service(feeds.parse_json_text((OPENREFERRAL / "hsds-3.0/service_full.json").read_bytes(), "mycity", today=TODAY))
    assert service.taxonomy_terms == []
    assert "attribute link_type holds placeholder text 'link_type' and was ignored" in service.warnings
    assert "service area extent holds placeholder text 'extent' and was ignored" in service.warnings
    assert service.service_areas[0].extent is None


def test_oruk3_full_service_has_no_reachable_phone():
    service = only_service(feeds.parse_json_text((OPENREFERRAL / "oruk-3.0/service_full.json").read_bytes(), "uk", today=TODAY))
    assert service.all_phones() == []  # the UK profile removes every phones array
    assert service.locations()[0].latitude is None
    assert service.contacts[0].name == "Ann Persona"
    assert service.languages == []  # languages carry ids only in the profile example


# --- HSDS CSV data package --------------------------------------------------


def test_csv_datapackage_joins_tables_into_one_service():
    package = feeds.load_datapackage(OPENREFERRAL / "hsds-3.0/csv")
    assert len(package.tables) == 21
    result = feeds.parse_hsds_datapackage(package, "csv", today=TODAY)
    service = only_service(result)
    assert service.organization.name == "Example Organization Inc."
    sal = service.service_at_locations[0]
    assert sal.source_id == "e94c9f38-1e8f-4564-91d4-d53501ab1765"
    assert sal.location.name == "MyCity Civic Center"
    assert len(sal.schedules) == 1 and sal.schedules[0].byday == ["TH", "FR"]
    assert [p.number for p in service.all_phones()] == ["+44 1234 234567"]
    assert service.contacts[0].name == "Ann Persona"


def test_csv_datapackage_reports_dangling_references():
    result = feeds.parse_hsds_datapackage(feeds.load_datapackage(OPENREFERRAL / "hsds-3.0/csv"), "csv", today=TODAY)
    messages = warnings_of(result)
    assert any("organization_id 985e4a42-bd9f-4edc-911d-0243a4640aca matches no organization" in m for m in messages)
    assert any("service_at_location_id 93eaf18d-1cd2-4ec7-bffb-3c9172ee5070 matches no service_at_location" in m for m in messages)
    assert any("links to unknown record f28dd44b-0c4d-479f-8e90-4c52219a8b3c" in m for m in messages)
    # and the same field defects as the JSON form
    assert "latitude 100 / longitude 101 are not valid coordinates and were ignored" in messages
    assert "'ABC 1234' is not a UK postcode" in messages


def test_csv_folder_without_descriptor_still_loads(tmp_path):
    for name in ("services.csv", "organizations.csv"):
        (tmp_path / name).write_bytes((OPENREFERRAL / "hsds-3.0/csv" / name).read_bytes())
    package = feeds.load_datapackage(tmp_path)
    assert set(package.tables) == {"service", "organization"}
    service = only_service(feeds.parse_hsds_datapackage(package, "csv", today=TODAY))
    assert service.organization.source_id == "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"


# --- ORUK v1 (our hand-made page) -------------------------------------------


def v1_result() -> feeds.ParseResult:
    return feeds.parse_page(json.loads(V1_PAGE.read_text()), "bristol", today=TODAY)


def test_oruk_v1_envelope_detected_and_bad_records_skipped_with_reasons():
    result = v1_result()
    assert result.format == feeds.FORMAT_ORUK_V1
    assert result.page.total_items == 5 and result.page.is_last is True
    assert [s.name for s in result.services] == [
        "Money Matters Debt Advice",
        "Stay and Play",
        "Mental Health Support Line",
    ]
    assert result.skipped_reasons() == {"no name": 1, "duplicate id": 1}


def test_oruk_v1_service_fields():
    money = v1_result().services[0]
    assert money.url == "https://www.example.org/money-matters"
    assert money.organization.website == "https://example.org"
    assert money.attending_types == ["venue"] and money.attending_access == "drop-in"
    assert money.minimum_age == 18 and money.maximum_age is None
    assert money.eligibility_description == "adult"
    assert money.fees_description is None  # "" means absent
    assert money.languages == ["English", "Polish"]
    assert [(t.vocabulary, t.name) for t in money.taxonomy_terms] == [
        ("esdServiceType", "Debt advice"),
        ("openEligibility", "Credit Counseling"),
    ]
    location = money.locations()[0]
    assert (location.latitude, location.longitude) == (51.45846, -2.57417)
    assert location.postcode == "BS1 1AD"
    assert location.accessibility == ["Step-free entrance"]
    assert money.schedules[0].byday == ["MO", "TU", "WE", "TH", "FR"]
    assert money.holiday_schedules[0].start_date == dt.date(2026, 12, 24)
    assert [p.number for p in money.all_phones()] == ["0117 496 0000"]


def test_oruk_v1_integer_id_and_swapped_coordinates():
    stay = v1_result().services[1]
    assert stay.source_id == "6378" and stay.key == "bristol:6378"
    assert stay.locations()[0].latitude is None
    assert any("look swapped" in m for m in stay.warnings)
    assert stay.schedules[0].byday == ["2WE"] and stay.schedules[0].freq == "MONTHLY"


def test_oruk_v1_remote_service_and_status():
    line = v1_result().services[2]
    assert line.status == "temporarily closed"
    assert line.is_remote_only
    assert not v1_result().services[0].is_remote_only


# --- Robustness ----------------------------------------------------------------


def test_unusable_payloads_are_fatal_results_not_exceptions():
    assert feeds.parse_page({"hello": 1}, "x").fatal
    assert feeds.parse_page({"content": "nope"}, "x").fatal
    assert feeds.parse_json_text(b"<html>Service Unavailable</html>", "x").fatal.startswith("response is not JSON")


def test_records_that_are_not_objects_or_lack_ids_are_skipped():
    result = feeds.parse_page({"contents": [42, {"name": "No id"}, {"id": "ok", "name": "Fine", "status": "active"}]}, "x", today=TODAY)
    assert [s.source_id for s in result.services] == ["ok"]
    assert result.skipped_reasons() == {"not a JSON object": 1, "no id": 1}


def test_bare_list_payload_is_one_final_page():
    result = feeds.parse_page([{"id": "1", "name": "A", "status": "active"}], "x", today=TODAY)
    assert result.format == feeds.FORMAT_LIST and result.page.is_last is True


def test_missing_status_and_bad_values_warn_but_keep_the_service():
    result = feeds.parse_page(
        {"contents": [{"id": "s1", "name": "Svc", "email": "not-an-email", "url": "ftp://x", "minimum_age": 40, "maximum_age": 20}]},
        "x",
        today=TODAY,
    )
    service = only_service(result)
    assert service.status == "active"
    assert service.email is None and service.url is None
    assert service.minimum_age is None and service.maximum_age is None
    assert "no status given; taken as active" in service.warnings
    assert any("minimum age 40 is above maximum age 20" in m for m in service.warnings)


def test_parse_time_forms():
    assert feeds.parse_time("10:00:00") == dt.time(10, 0)
    assert feeds.parse_time("9:30") == dt.time(9, 30)
    assert feeds.parse_time("18:00+01:00") == dt.time(18, 0)
    assert feeds.parse_time("10:00Z") == dt.time(10, 0)
    assert feeds.parse_time("24:00") == dt.time(0, 0)
    assert feeds.parse_time("25:00") is None
    assert feeds.parse_time("teatime") is None
    assert feeds.parse_time("9am") == dt.time(9, 0) and feeds.parse_time("5.30 pm") == dt.time(17, 30)
    assert feeds.parse_time("noon") == dt.time(12, 0)


def test_dashboard_lists_known_feeds_with_failed_tests():
    known = feeds.parse_oruk_dashboard(load("oruk-dashboard/V1_DashboardResponse.json"))
    assert len(known) == 11
    bristol = next(f for f in known if f.label == "Bristol Council")
    assert bristol.developer == "Placecube"
    assert bristol.failed_tests == ["Postcode Search"]
    assert bristol.last_check == dt.datetime(2024, 7, 17, 18, 0, 7)
