"""Search over the index (issue 16): several sites and open now, remote services and the areas they
serve, the same service from two feeds, weak need keywords, and the week stored as integers."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from plugins.signposting import index, schedules, store
from plugins.signposting.model import Location, Phone, ServiceArea, ServiceAtLocation
from plugins.signposting.search import search
from plugins.signposting.sources import Batch
from sptest import PLACES, TODAY, TUESDAY_11AM, FakeGazetteer, filler, make_service, signposting_hub, weekly


@pytest.fixture
def hub(hub_factory):
    return signposting_hub(hub_factory)


def load(hub, *services):
    store.write_services(hub.db, [*services, *filler()], geocode=FakeGazetteer().geocode)


def find(hub, text="", **kwargs):
    kwargs.setdefault("today", TODAY)
    return search(hub.db, text, gazetteer=FakeGazetteer(), **kwargs)


def names(results):
    return [r.name for r in results]


def two_sites(near_hours, far_hours, name="Debt Advice Network"):
    """A service at M40 8JD (0.1 miles) and at M40 5BB (1.4 miles), each with its own hours."""
    service = make_service("net", name, postcode="M40 8JD")
    far = Location(source="t", source_id="net-far", name="Far site", latitude=PLACES["M40 5BB"][0],
                   longitude=PLACES["M40 5BB"][1])
    service.service_at_locations[0].schedules = near_hours
    service.service_at_locations.append(ServiceAtLocation(source="t", source_id="net-sal2", location=far,
                                                          schedules=far_hours))
    return service


# -- several sites and "open now" -------------------------------------------------------------


def test_a_service_is_open_when_a_site_in_reach_is_open_and_that_site_is_shown(hub):
    # Nearest site opens Mondays only; the other one, 1.4 miles away, is open on Tuesday at 11:00.
    load(hub, two_sites(weekly("MO", "09:00", "17:00"), weekly("TU", "09:00", "17:00")))
    results = find(hub, "debt advice", near="M40 7AB", open_at=TUESDAY_11AM, open_only=True)
    [result] = results.local
    assert result.name == "Debt Advice Network"
    assert result.opening.state == "open" and result.opening.reason == "open now until 17:00"
    assert result.service_at_location_key == "t:net-sal2"  # the open site, not the nearest closed one
    assert 1.0 < result.distance_miles < 2.0
    assert not any("all of your words" in note for note in results.notes)


def test_without_a_postcode_any_open_site_counts(hub):
    load(hub, two_sites(weekly("MO", "09:00", "17:00"), weekly("TU", "09:00", "17:00")))
    [result] = find(hub, "debt", open_at=TUESDAY_11AM, open_only=True).local
    assert result.opening.state == "open"


def test_when_the_matching_services_are_closed_the_words_are_not_loosened(hub):
    load(hub, make_service("a", "Debt Advice", schedules=weekly("MO", "09:00", "17:00")),
         make_service("b", "Advice Cafe", schedules=weekly("TU", "09:00", "17:00")),
         make_service("c", "Debt Counselling", schedules=weekly("TU", "09:00", "17:00")))
    results = find(hub, "debt advice", near="M40 7AB", open_at=TUESDAY_11AM, open_only=True)
    assert results.local == []
    assert not any("No service has all of your words" in note for note in results.notes)
    assert any("1 service matches but it is closed at that time" in note for note in results.notes)


def test_a_site_beyond_the_radius_does_not_make_a_service_open(hub):
    service = two_sites(weekly("MO", "09:00", "17:00"), weekly("TU", "09:00", "17:00"))
    load(hub, service)
    results = find(hub, "debt", near="M40 7AB", open_at=TUESDAY_11AM, open_only=True, radius_miles=1.0)
    assert results.local == []


# -- phone and online services, and the areas they serve ---------------------------------------


def remote(source_id, name, areas=None, served=None):
    service = make_service(source_id, name, remote=True)
    service.service_areas = [ServiceArea(name=a) for a in (areas or [])]
    service.served_areas = list(served or [])
    return service


def test_remote_services_are_limited_to_the_areas_they_serve(hub):
    load(hub,
         remote("wirral", "Wirral Debt Line", served=["E08000015", "CH41"]),
         remote("manc", "Manchester Debt Line", areas=["M"]),
         remote("any", "Debt Line Anywhere"),
         remote("uk", "National Debt Line", areas=["National"]),
         make_service("local", "Debt Advice Local", postcode="M40 8JD"))
    results = find(hub, "debt", near="M40 7AB")
    # Those serving the resident's area first (by score), then those that do not say; never Wirral's.
    assert names(results.remote) == ["Manchester Debt Line", "National Debt Line", "Debt Line Anywhere"]
    assert names(find(hub, "debt").remote) == sorted(
        ["Wirral Debt Line", "Manchester Debt Line", "Debt Line Anywhere", "National Debt Line"],
        key=names(find(hub, "debt").remote).index)
    assert len(find(hub, "debt").remote) == 4  # without a postcode nothing is left out


def test_area_tokens_understand_codes_postcodes_and_nations():
    assert index.area_tokens(["E08000003", "http://statistics.data.gov.uk/id/statistical-geography/E08000015",
                              "M40", "ch41 1", "England", "UK", "Wirral", ""]) == [
        "zse08000003", "zse08000015", "zsm40", "zsch411", "zsneng", "zsuk"]
    assert set(index.origin_area_tokens("M40 7AB", "E08000003")) >= {"zsuk", "zse08000003", "zsneng", "zsm", "zsm40", "zsm407"}


# -- the same service from two feeds ----------------------------------------------------------


class ListSource:
    def __init__(self, name, label, services):
        self.name, self.label, self.services = name, label, services

    def fetch(self, context):
        yield Batch([dataclasses.replace(s, source=self.name) for s in self.services])


def pantry(source_id, phone, name="Kestrel Food Bank"):
    service = make_service(source_id, name, postcode="M40 8JD")
    service.phones = [Phone(number=phone)]
    return service


def test_the_same_service_from_a_second_feed_is_one_result_naming_both_sources(hub):
    load(hub)
    first = ListSource("council", "City Council", [pantry("1", "0161 496 0000"), pantry("2", "0161 496 0001", "Job Club")])
    second = ListSource("charity", "Food Charity Network",
                        [pantry("x9", "+44 161 496 0000", "KESTREL FOOD-BANK"), pantry("x10", "0161 496 0002", "Job Club")])
    for source in (first, second):
        assert store.sync_source(hub.db, source).complete
    results = find(hub, "food bank", near="M40 7AB")
    [result] = results.local
    assert result.source in ("council", "charity")
    other = {"council": "Food Charity Network", "charity": "City Council"}[result.source]
    assert result.also_listed_by == [other]
    assert any(reason.startswith(f"also listed by {other}") for reason in result.reasons)
    # Same name, different phone: two services.
    assert names(find(hub, "job club", near="M40 7AB").local) == ["Job Club", "Job Club"]


def test_the_duplicate_rule_needs_name_postcode_and_phone():
    assert index.dedupe_key(pantry("1", "0161 496 0000")) == index.dedupe_key(pantry("2", "+441614960000"))
    no_phone = make_service("3", "Kestrel Food Bank", postcode="M40 8JD")
    no_phone.phones, no_phone.contacts = [], []
    assert index.dedupe_key(no_phone) is None  # no phone
    assert index.dedupe_key(pantry("4", "0161 496 0000", "Kestrel Food & Bank")) == index.dedupe_key(
        pantry("5", "0161 496 0000", "kestrel food and bank"))


# -- weak need keywords -----------------------------------------------------------------------


def test_a_weak_keyword_counts_for_the_need_but_typing_the_need_does_not_find_it(hub):
    load(hub, make_service("cafe", "Community Cafe", description="Free wifi available."),
         make_service("dig", "Get Online Hub", description="Help to get online and use a computer."))
    assert names(find(hub, "digital").local) == ["Get Online Hub"]
    chosen = find(hub, needs=["digital"]).local
    assert names(chosen) == ["Get Online Hub", "Community Cafe"]
    assert chosen[1].reasons == ["Digital access and skills: mentions 'free wifi' in its description"]


# -- the week as integers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "hours",
    [
        weekly("MO,WE,FR", "09:00", "17:00"),
        weekly("TU", "22:00", "02:00") + weekly("SA", "10:00", "10:00"),
        weekly("SU", "23:00", "01:30") + weekly("TH", "09:15", "12:45"),
    ],
)
def test_the_week_bitmap_agrees_with_opening_at_at_every_minute_that_matters(hours):
    service = make_service("1", "A", schedules=hours)
    week = schedules.weekly_hours(service)
    assert week is not None
    days, halves = schedules.week_bitmap(week)
    monday = dt.datetime(2026, 11, 23)
    calendar = schedules.load_bank_holidays()
    for slot in range(7 * schedules.SLOTS_PER_DAY):
        for minute in (0, 14):
            moment = monday + dt.timedelta(minutes=slot * schedules.SLOT_MINUTES + minute)
            half, bit = schedules.week_slot(moment)
            expected = schedules.service_opening_at(service, moment, calendar=calendar).state.value == "open"
            assert bool(halves[half] >> bit & 1) == expected, moment
            rebuilt = schedules.opening_at(schedules.schedules_from_weekly_hours(week), moment, calendar=calendar)
            assert rebuilt == schedules.service_opening_at(service, moment, calendar=calendar)
    for weekday in range(7):
        day = monday.date() + dt.timedelta(days=weekday)
        expected = schedules.service_opening_on(service, day, calendar=calendar).state.value == "open"
        assert bool(days >> weekday & 1) == expected


def test_times_off_the_quarter_hour_and_differing_sites_are_not_plain_weeks():
    assert schedules.weekly_hours(make_service("1", "A", schedules=weekly("MO", "09:10", "10:00"))) is None
    assert schedules.weekly_hours(two_sites(weekly("MO", "09:00", "17:00"), weekly("TU", "09:00", "17:00"))) is None
    assert schedules.weekly_hours(make_service("1", "A")) == ()


def test_the_index_follows_changes_and_removals(hub):
    load(hub, make_service("k", "Zither Circle"))
    assert names(find(hub, "zither").local) == ["Zither Circle"]
    store.write_services(hub.db, [make_service("k", "Quokka Club")])
    assert find(hub, "zither").local == [] and names(find(hub, "quokka").local) == ["Quokka Club"]
    store.write_services(hub.db, [make_service("k", "Quokka Club", status="defunct")])
    assert find(hub, "quokka").local == []
    assert store.forget_source(hub.db, "t") >= 1
    assert hub.db.execute("select count(*) from directory_search_rank").fetchone()[0] == 0


def test_rebuilding_the_index_from_stored_records_finds_the_same(hub):
    load(hub, make_service("k", "Zither Circle", schedules=weekly("TU", "09:00", "17:00")),
         remote("manc", "Manchester Debt Line", areas=["M"]))
    before = find(hub, "zither", near="M40 7AB", open_at=TUESDAY_11AM, open_only=True).to_dict()
    hub.db.execute("delete from directory_search_fts")
    hub.db.execute("delete from directory_search_rank")
    assert find(hub, "zither").local == []
    assert store.rebuild_index(hub.db) >= 2
    assert find(hub, "zither", near="M40 7AB", open_at=TUESDAY_11AM, open_only=True).to_dict() == before
    assert names(find(hub, "debt", near="M40 7AB").remote) == ["Manchester Debt Line"]
