"""The directory store: HSDS-shaped tables, exact round trips, upserts, the needs index and the weekly pattern."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from plugins.signposting import feeds, needs, schedules, store
from plugins.signposting.model import Schedule, Service, from_dict, to_dict
from sptest import OPENREFERRAL, TODAY, FakeGazetteer, make_service, signposting_hub, weekly

LOCAL_EXAMPLE = Path(store.__file__).parent / "data" / "local_services.example.toml"
FIXTURES = Path(__file__).parent / "fixtures"


def fixture_services():
    """Every service the shared Open Referral fixtures and our own examples give (defects kept)."""
    services = []
    for path in ("hsds-3.0/service_full.json", "oruk-3.0/service_full.json"):
        services += feeds.parse_json_text((OPENREFERRAL / path).read_text(), path.split("/")[0], today=TODAY).services
    services += feeds.parse_hsds_datapackage(feeds.load_datapackage(OPENREFERRAL / "hsds-3.0" / "csv"), "csv", today=TODAY).services
    services += feeds.load_local_services(LOCAL_EXAMPLE, today=TODAY).services
    services += feeds.parse_json_text((FIXTURES / "oruk_v1_services_page1.json").read_text(), "v1", today=TODAY).services
    return services


@pytest.fixture
def hub(hub_factory):
    return signposting_hub(hub_factory)


def test_migrations_create_hsds_shaped_tables_with_fts(hub):
    tables = set(hub.db.table_names())
    for table in ("directory_services", "directory_records", "directory_organizations", "directory_locations", "directory_service_at_location",
                  "directory_schedules", "directory_contacts", "directory_phones", "directory_taxonomy_terms",
                  "directory_service_terms", "directory_service_needs", "directory_sources", "directory_sync_runs",
                  "referrals", "referral_history", "listing_problems", "directory_search_fts", "directory_search_rank"):
        assert table in tables, table
    # The first FTS table (kept by a trigger per row) is gone: the search index is written per batch.
    assert "directory_services_fts" not in tables
    assert not hub.db["directory_services"].triggers
    config = dict(hub.db.execute("select k, v from directory_search_fts_config").fetchall())
    assert config["rank"] == "bm25(10.0, 4.0, 1.0, 0.0, 0.0)"
    indexes = {tuple(i.columns) for i in hub.db["directory_locations"].indexes}
    assert ("latitude", "longitude") in indexes


def test_every_fixture_service_reads_back_exactly(hub):
    services = fixture_services()
    assert len(services) >= 6
    counts = store.write_services(hub.db, services, geocode=FakeGazetteer().geocode)
    assert counts.added == len(services)
    for service in services:
        assert to_dict(store.get_service(hub.db, service.key)) == to_dict(service)


def test_the_compact_record_reads_back_exactly():
    for service in fixture_services() + [make_service("a", "A", schedules=weekly("MO", "09:00", "12:00"), terms=["X"])]:
        compact = store.plain(service)
        assert from_dict(Service, json.loads(json.dumps(compact))) == service
        assert len(json.dumps(compact)) < len(json.dumps(to_dict(service)))


def test_child_rows_follow_the_hsds_shape(hub):
    [service] = feeds.parse_json_text((OPENREFERRAL / "hsds-3.0/service_full.json").read_text(), "hsds", today=TODAY).services
    store.write_services(hub.db, [service])
    service_id = hub.db.execute("select id from directory_services where key = ?", [service.key]).fetchone()[0]
    assert hub.db.execute("select count(*) from directory_service_at_location where service_id = ?", [service_id]).fetchone()[0] == len(service.service_at_locations)
    assert hub.db.execute("select count(*) from directory_phones where service_id = ?", [service_id]).fetchone()[0] == len(service.all_phones())
    assert hub.db.execute("select count(*) from directory_service_terms where service_id = ?", [service_id]).fetchone()[0] == len(service.taxonomy_terms)
    org = hub.db.execute("select key, name from directory_organizations").fetchone()
    assert org == (service.organization.key, service.organization.name)
    # The example's latitude 100 / longitude 101 were rejected by the parser: no position is stored.
    assert hub.db.execute("select latitude, longitude from directory_locations").fetchall() == [(None, None)]


def test_the_same_service_twice_in_one_write_is_refused_before_anything_is_written(hub):
    with pytest.raises(ValueError, match="given twice: t:1"):
        store.write_services(hub.db, [make_service("1", "A"), make_service("2", "B"), make_service("1", "A again")])
    assert hub.db["directory_services"].count == 0


def test_ids_are_kept_per_source(hub):
    store.write_services(hub.db, [make_service("1", "Food Bank", source="north"), make_service("1", "Job Club", source="south")])
    rows = hub.db.execute("select key, source, source_id, name from directory_services order by key").fetchall()
    assert rows == [("north:1", "north", "1", "Food Bank"), ("south:1", "south", "1", "Job Club")]


def test_unchanged_records_are_left_alone_and_changes_replace_children(hub):
    original = make_service("1", "Chess Club", schedules=weekly("MO,TU", "09:00", "12:00"))
    first = store.write_services(hub.db, [original], now=dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc))
    assert (first.added, first.updated, first.unchanged) == (1, 0, 0)
    again = store.write_services(hub.db, [original], now=dt.datetime(2026, 11, 2, tzinfo=dt.timezone.utc))
    assert (again.added, again.updated, again.unchanged) == (0, 0, 1)
    assert hub.db.execute("select updated_at from directory_services").fetchone()[0].startswith("2026-11-01")

    changed = dataclasses.replace(original, name="Knitting Circle", schedules=weekly("FR", "10:00", "11:00"))
    counts = store.write_services(hub.db, [changed])
    assert counts.updated == 1
    assert hub.db.execute("select byday from directory_schedules").fetchall() == [("FR",)]
    assert hub.db.execute("select count(*) from directory_service_at_location").fetchone()[0] == 1
    # The search index follows the update: the old name is gone.
    assert hub.db.execute("select count(*) from directory_search_fts where directory_search_fts match 'knitting'").fetchone()[0] == 1
    assert hub.db.execute("select count(*) from directory_search_fts where directory_search_fts match 'chess'").fetchone()[0] == 0


def test_a_postcode_without_coordinates_is_placed_offline_and_labelled(hub):
    service = make_service("1", "Pantry", postcode="M40 8JD", position=None)
    store.write_services(hub.db, [service], geocode=FakeGazetteer().geocode)
    row = hub.db.execute("select latitude, longitude, position, postcode from directory_locations").fetchone()
    assert row == (53.4918, -2.2069, "postcode", "M40 8JD")
    assert hub.db.execute("select has_position from directory_services").fetchone()[0] == 1


def test_geocoding_failure_never_fails_a_write(hub):
    def broken(postcode):
        raise RuntimeError("no postcode data installed")

    store.write_services(hub.db, [make_service("1", "Pantry", position=None)], geocode=broken)
    assert hub.db.execute("select has_position from directory_services").fetchone()[0] == 0


def test_need_matches_are_stored_with_their_reasons(hub):
    service = make_service("1", "Kestrel Food Bank", description="Emergency food parcels.", needs=["food"], terms=["Credit Counseling"])
    store.write_services(hub.db, [service])
    rows = dict(hub.db.execute("select need, score from directory_service_needs").fetchall())
    assert rows["food"] == 4 + 2 + 1  # site lead, 'food bank' in the name, 'food parcel' in the description
    assert rows["debt"] == 3  # tagged with an Open Eligibility category
    labels = hub.db.execute("select need_labels from directory_services").fetchone()[0]
    assert "Food" in labels and "Debt and money worries" in labels


def test_the_fast_need_matcher_agrees_with_match_needs():
    catalogue = needs.load_needs()
    matcher = store.NeedMatcher(catalogue)
    samples = fixture_services() + [
        make_service("a", "Jobseeker's Allowance help", description="PIP and ESA appeals; food banks; self-employed CVs"),
        make_service("b", "SEND support", description="send us a message", terms=["Welfare benefits advice", "Care at home"]),
        make_service("c", "Bailiffs and arrears", description="Debts, loan sharks and a breathing space"),
    ]
    for service in samples:
        expected = [(m.need.key, m.score, m.explain()) for m in needs.match_needs(service, catalogue=catalogue)]
        assert [(m.need.key, m.score, m.explain()) for m in matcher.match(service)] == expected


def test_reindex_needs_after_the_mapping_changes(hub):
    store.write_services(hub.db, [make_service("1", "Dog walking buddies", description="Walk a dog with a neighbour.")])
    base = needs.load_needs()
    assert store.needs_index_is_current(hub.db, base)
    extended = base.extended({"pets": {"label": "Pets", "keywords": ["dog"]}})
    assert not store.needs_index_is_current(hub.db, extended)
    assert store.reindex_needs(hub.db, extended) == 1
    assert store.needs_index_is_current(hub.db, extended)
    assert hub.db.execute("select need from directory_service_needs").fetchall() == [("pets",)]
    assert hub.db.execute("select count(*) from directory_search_fts where directory_search_fts match 'pets'").fetchone()[0] == 1


def test_forget_source_removes_its_listings_and_orphans_only(hub):
    store.write_services(hub.db, [make_service("1", "A", source="old"), make_service("2", "B", source="kept")])
    assert store.forget_source(hub.db, "old") == 1
    assert hub.db.execute("select source from directory_services").fetchall() == [("kept",)]
    assert hub.db.execute("select source from directory_locations").fetchall() == [("kept",)]
    assert hub.db.execute("select count(*) from directory_schedules where service_id not in (select id from directory_services)").fetchone()[0] == 0


# -- the weekly pattern the search uses to skip certainly-closed services --------------------


def test_weekly_pattern_marks_quarter_hours_and_days():
    slots, days = store.weekly_pattern(make_service("1", "A", schedules=weekly("TU", "09:10", "10:00")))
    tuesday = store.SLOTS_PER_DAY
    assert days == "0100000"
    assert slots[tuesday + 36] == "1"  # 09:00-09:15 holds 09:10 onwards: open for part of it
    assert slots[tuesday + 39] == "1" and slots[tuesday + 40] == "0"  # closes at 10:00
    assert slots.count("1") == 4


def test_weekly_pattern_runs_past_midnight_into_the_next_day_and_wraps_the_week():
    slots, _ = store.weekly_pattern(make_service("1", "A", schedules=weekly("SU", "22:00", "02:00")))
    assert slots[:8] == "1" * 8 and slots[8] == "0"  # Monday 00:00-02:00
    assert slots[-8:] == "1" * 8  # Sunday 22:00-24:00


@pytest.mark.parametrize(
    "schedule",
    [
        Schedule(freq="MONTHLY", byday=["2MO"], opens_at=dt.time(9), closes_at=dt.time(12)),
        Schedule(freq="WEEKLY", byday=["MO"], opens_at=dt.time(9), closes_at=dt.time(12), valid_to=dt.date(2027, 1, 1)),
        Schedule(freq="WEEKLY", byday=["MO"], interval=2, dtstart=dt.date(2026, 1, 5), opens_at=dt.time(9), closes_at=dt.time(12)),
        Schedule(freq="WEEKLY", byday=["MO"]),
        Schedule(description="Ring for times"),
    ],
)
def test_weekly_pattern_gives_up_on_anything_unusual(schedule):
    assert store.weekly_pattern(make_service("1", "A", schedules=[schedule])) == (None, None)


def test_weekly_pattern_never_calls_an_open_or_unknown_service_closed():
    """Every quarter-hour the pattern calls closed, schedules.opening_at must call closed too."""
    cases = [
        weekly("MO,WE,FR", "09:00", "17:00"),
        weekly("TU", "22:00", "02:00") + weekly("SA", "10:00", "10:00"),
        weekly("TH", "09:10", "09:50"),
    ]
    monday = dt.datetime(2026, 11, 23)
    for case in cases:
        service = make_service("1", "A", schedules=case)
        slots, days = store.weekly_pattern(service)
        for slot in range(7 * store.SLOTS_PER_DAY):
            for minute in (0, 7, 14):
                moment = monday + dt.timedelta(minutes=slot * store.SLOT_MINUTES + minute)
                state = schedules.service_opening_at(service, moment).state.value
                if slots[slot] == "0":
                    assert state == "closed", (moment, state)
        for weekday in range(7):
            if days[weekday] == "0":
                assert schedules.service_opening_on(service, (monday + dt.timedelta(days=weekday)).date()).state.value == "closed"


def test_temporarily_closed_is_closed_all_week_and_holiday_closures_give_up():
    assert store.weekly_pattern(make_service("1", "A", status="temporarily closed")) == ("0" * 672, "0" * 7)
    service = make_service("1", "A", schedules=weekly("MO", "09:00", "12:00"))
    service.holiday_schedules = [schedules.HolidaySchedule(dt.date(2026, 12, 24), dt.date(2026, 12, 26))]
    assert store.weekly_pattern(service) == (None, None)
