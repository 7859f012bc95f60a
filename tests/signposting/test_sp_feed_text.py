"""Feed text as people write it, against recorded pages: HTML, whitespace, phones, postcode
districts, "9am", service areas, HSDS 3.0 details for list entries without sites, and the
data-quality summary."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import httpx
import pytest

from plugins.signposting import feeds, store
from plugins.signposting.feeds.quality import summarise, warning_kind
from plugins.signposting.search import search
from plugins.signposting.sync import iter_service_pages
from sptest import OPENREFERRAL, TODAY, FakeGazetteer, filler, signposting_hub

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"


@pytest.fixture
def page():
    result = feeds.parse_page(json.loads((FEEDS / "oruk_v1_as_people_write.json").read_text()), "gm", today=TODAY)
    return {service.source_id: service for service in result.services}


# -- HTML and whitespace ----------------------------------------------------------------------


def test_html_entities_and_tags_become_plain_text_with_paragraphs_kept(page):
    advice = page["101"]
    assert advice.name == "Citizens Advice Manchester & Salford"
    assert advice.description == (
        "Free, confidential advice on debt, benefits & housing.\n\nWe're open to everyone.\nNo appointment needed."
    )
    assert page["102"].description == "Budgeting help — bring a recent bill."
    assert page["105"].name == "Warm Space & Café"


def test_whitespace_is_collapsed_in_names_addresses_and_descriptions(page):
    assert page["102"].name == "Money Matters Drop-in"
    assert page["105"].description == "A warm room,\n\ntea and company."
    location = page["101"].service_at_locations[0].location
    assert location.name == "Harpurhey Library"
    assert location.addresses[0].address_1 == "Moston Lane"


# -- phones ---------------------------------------------------------------------------------------


def test_phones_keep_their_extension_label_and_second_number(page):
    shown = {s: [p.display for p in service.all_phones()] for s, service in page.items()}
    assert shown["101"] == ["0800 144 8848 (Freephone)"]
    assert shown["102"] == ["0161 496 0000 ext 12", "+441614960001"]
    assert shown["103"] == ["0300 330 1313", "0161 496 0002", "0800 138 1111 (Helpline (Mon-Fri))"]
    assert shown["105"] == []
    assert any("is not a phone number" in w for w in page["105"].warnings)
    assert not any("phone" in w for w in page["101"].warnings + page["102"].warnings + page["103"].warnings)


def test_shared_fixture_phone_keeps_its_extension():
    [service] = feeds.parse_json_text((OPENREFERRAL / "hsds-3.0/service_full.json").read_bytes(), "m", today=TODAY).services
    assert "+44 1234 234567 ext 100" in [p.display for p in service.all_phones()]


# -- postcode districts ------------------------------------------------------------------------------


def test_a_postcode_district_alone_is_placed_approximately(page, hub_factory):
    advice = page["101"]
    assert advice.service_at_locations[0].location.postcode == "M40"
    assert any(w.startswith("approximate location: only the postcode district M40") for w in advice.warnings)
    assert not any("is not a UK postcode" in w for w in advice.warnings)

    hub = signposting_hub(hub_factory)
    store.write_services(hub.db, [*page.values(), *filler()], geocode=FakeGazetteer().geocode)
    position = hub.db.execute("select position, latitude from directory_locations where key = 'gm:loc-101'").fetchone()
    assert position[0] == "outcode" and position[1] is not None
    results = search(hub.db, "citizens advice", near="M40 7AB", gazetteer=FakeGazetteer(), today=TODAY)
    [found] = [r for r in results.local if r.key == "gm:101"]
    assert found.distance_text.startswith("about ")
    assert any("approximate" in w for w in found.warnings)


def test_local_list_district_postcode_is_kept_too():
    result = feeds.parse_local_services_toml('[[service]]\nname = "Pantry"\npostcode = "m40"\nlast_checked = 2026-11-01\n',
                                             today=TODAY, known_needs=["food"])
    [service] = result.services
    assert service.service_at_locations[0].location.postcode == "M40"
    assert any("approximate location" in w for w in service.warnings)


# -- times ---------------------------------------------------------------------------------------


def test_nine_am_style_times_are_understood(page):
    [weekday] = page["101"].schedules
    assert (weekday.opens_at, weekday.closes_at) == (dt.time(9, 0), dt.time(17, 30))
    [tuesday] = page["102"].schedules
    assert (tuesday.opens_at, tuesday.closes_at) == (dt.time(10, 0), dt.time(12, 0))
    assert not any("is not a time" in w for s in page.values() for w in s.warnings)


# -- service areas -----------------------------------------------------------------------------------


def test_service_areas_become_area_codes_and_bounds(page):
    assert page["103"].area_codes == ["nation:england"]
    wirral = page["104"]
    assert wirral.area_codes == ["la:E08000015", "name:wirral"]
    assert wirral.service_areas[0].bounds == [53.3, -3.2, 53.45, -2.9]
    assert page["101"].area_codes == []  # the feed did not say


def test_shared_fixture_service_area_sentence_gives_its_postcode_districts():
    [service] = feeds.parse_json_text((OPENREFERRAL / "hsds-3.0/service_full.json").read_bytes(), "m", today=TODAY).services
    assert service.area_codes == ["district:AB1", "district:AB2", "district:AB3"]


def test_area_codes_survive_storage(hub_factory, page):
    hub = signposting_hub(hub_factory)
    store.write_services(hub.db, [page["104"], *filler()])
    assert store.get_service(hub.db, "gm:104").area_codes == ["la:E08000015", "name:wirral"]


# -- HSDS / ORUK 3.0 details for list entries without sites -------------------------------------------------


def _transport(routes: dict[str, object], seen: list[str]):
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        body = routes.get(request.url.path)
        return httpx.Response(404, json={"error": "not found"}) if body is None else httpx.Response(200, json=body)

    return httpx.MockTransport(handler)


def test_oruk_3_list_entries_without_sites_get_their_detail():
    listing = json.loads((OPENREFERRAL / "oruk-3.0/service_list.json").read_text())
    full = json.loads((OPENREFERRAL / "oruk-3.0/service_full.json").read_text())
    seen: list[str] = []
    routes = {"/api/services": listing, f"/api/services/{full['id']}": full}
    with httpx.Client(transport=_transport(routes, seen)) as client:
        page = next(iter_service_pages(client, "https://feed.example/api", source="uk", sleep=lambda s: None,
                                       today=TODAY, fetch_missing_details=True))
    [service] = page.result.services
    assert service.service_at_locations and service.service_at_locations[0].location is not None
    assert f"/api/services/{full['id']}" in seen


def test_detail_fetch_is_bounded_and_a_missing_detail_keeps_the_list_entry():
    from plugins.signposting.fetch import FetchLimits

    listing = json.loads((FEEDS / "hsds3_list_without_sites.json").read_text())
    detail = json.loads((FEEDS / "hsds3_service_job_club.json").read_text())
    routes = {"/services": listing, f"/services/{detail['id']}": detail}

    seen: list[str] = []
    with httpx.Client(transport=_transport(routes, seen)) as client:
        [page] = list(iter_service_pages(client, "https://feed.example", source="f", sleep=lambda s: None, today=TODAY,
                                         fetch_missing_details=True))
    job_club, cv_clinic = page.result.services
    assert job_club.service_at_locations[0].location.postcode == "M40 8JD"
    assert job_club.description == "Weekly help with CVs & applications."
    assert not cv_clinic.service_at_locations
    assert any("full details could not be fetched: HTTP 404" in w for w in cv_clinic.warnings)

    seen.clear()
    with httpx.Client(transport=_transport(routes, seen)) as client:
        [page] = list(iter_service_pages(client, "https://feed.example", source="f", sleep=lambda s: None, today=TODAY,
                                         fetch_missing_details=True, limits=FetchLimits(max_detail_requests=1)))
    assert seen.count("/services") == 1 and len([p for p in seen if p.startswith("/services/")]) == 1
    assert any("detail-request limit" in w for w in page.result.services[1].warnings)


def test_api_feed_source_fetches_missing_details_for_hsds3_only():
    from plugins.signposting.sources import ApiFeedSource, FetchContext

    listing = json.loads((FEEDS / "hsds3_list_without_sites.json").read_text())
    detail = json.loads((FEEDS / "hsds3_service_job_club.json").read_text())
    seen: list[str] = []
    routes = {"/services": listing, f"/services/{detail['id']}": detail}
    context = FetchContext(client_factory=lambda **kw: httpx.Client(transport=_transport(routes, seen), **kw),
                           sleep=lambda s: None, today=TODAY)
    [batch] = list(ApiFeedSource("f", "https://feed.example", kind="hsds3").fetch(context))
    assert batch.services[0].service_at_locations
    seen.clear()
    listing_v1 = {"content": listing["contents"], "last": True}
    routes["/services"] = listing_v1
    [batch] = list(ApiFeedSource("f", "https://feed.example", kind="oruk_v1").fetch(context))
    assert seen == ["/services"]


# -- the data-quality summary ------------------------------------------------------------------------------


def test_warnings_are_grouped_by_kind_with_counts_and_three_examples():
    listings = [(f"Service {i}", [f"not checked recently: last checked 2024-0{i % 9 + 1}-01"]) for i in range(8)]
    listings += [("Odd one", ["'ABC 1234' is not a UK postcode", "not checked recently: no 'last checked' date was published"]),
                 ("Fine", [])]
    summary = summarise(listings)
    stale, postcode = summary.groups
    assert (stale.kind, stale.listings, stale.widespread) == ("not checked recently", 9, True)
    assert len(stale.examples) == 3
    assert (postcode.kind, postcode.listings, postcode.widespread) == ("postcode is not a UK postcode", 1, False)
    lines = summary.lines()
    assert lines[0] == "9 of 10 listings have data-quality warnings, 2 kind(s):"
    assert "not checked recently: 9 of 10 listings (90%: true of most of this source" in lines[1]
    assert sum(line.strip().startswith("e.g.") for line in lines) == 4


def test_the_same_problem_with_different_values_is_one_kind():
    assert warning_kind("'ABC 1234' is not a UK postcode") == warning_kind("service #3 'X': 'ZZ' is not a UK postcode")
    assert warning_kind("minimum_age 'x' is not a number and was ignored") == warning_kind(
        "minimum_age 'y' is not a number and was ignored")


def test_status_command_summarises_a_widespread_warning(hub_factory, capsys):
    import argparse

    from plugins.signposting import cli

    hub = signposting_hub(hub_factory)
    stale = filler(10, source="synthetic")
    for service in stale[:8]:
        service.warnings = [f"not checked recently: last checked 2024-01-0{service.source_id[-1:] or 1}"]
    store.write_services(hub.db, stale)
    assert cli.run(hub, argparse.Namespace(directory_command="status", json=False)) == 0
    out = capsys.readouterr().out
    assert "not checked recently: 8 of 10 listings (80%: true of most of this source" in out
    assert out.count("e.g.") == 3
    assert cli.run(hub, argparse.Namespace(directory_command="status", json=True)) == 0
    data = json.loads(capsys.readouterr().out)
    [source] = [s for s in data["sources"] if s["name"] == "synthetic"]
    assert source["data_quality"]["groups"][0]["listings"] == 8 and source["data_quality"]["groups"][0]["widespread"]


def test_web_addresses_have_entities_decoded_but_are_never_read_as_html():
    from plugins.signposting.feeds.text import clean_field

    assert clean_field("url", "https://x.org/find?a=1&amp;copy=2") == "https://x.org/find?a=1&copy=2"
    assert clean_field("url", "https://x.org/find?a=1&copy=2") == "https://x.org/find?a=1&copy=2"
    assert clean_field("description", "Fish&chips, a=1&copy=2, caf&eacute;") == "Fish&chips, a=1&copy=2, café"
