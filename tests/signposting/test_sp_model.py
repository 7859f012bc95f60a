"""The normalised records: keys, phones, freshness, and the dict round trip storage relies on."""

import datetime as dt
import json
from pathlib import Path

from plugins.signposting import feeds
from plugins.signposting.model import (
    Contact,
    Location,
    Phone,
    Service,
    ServiceAtLocation,
    Schedule,
    freshness_warning,
    from_dict,
    is_stale,
    record_key,
    to_dict,
)

OPENREFERRAL = Path(__file__).resolve().parents[1] / "fixtures" / "openreferral"
V1_PAGE = Path(__file__).resolve().parent / "fixtures" / "oruk_v1_services_page1.json"
TODAY = dt.date(2026, 11, 22)


def test_keys_are_namespaced_by_source():
    assert record_key("bristol", "6378") == "bristol:6378"
    assert Service(source="a", source_id="1", name="x").key != Service(source="b", source_id="1", name="x").key


def test_round_trip_through_json_keeps_everything():
    originals = feeds.parse_page(json.loads(V1_PAGE.read_text()), "bristol", today=TODAY).services
    originals += feeds.parse_json_text((OPENREFERRAL / "hsds-3.0/service_full.json").read_bytes(), "m", today=TODAY).services
    for original in originals:
        stored = json.dumps(to_dict(original))
        assert from_dict(Service, json.loads(stored)) == original


def test_to_dict_uses_iso_strings():
    service = Service(source="s", source_id="1", name="x", last_checked=dt.date(2026, 1, 2),
                      schedules=[Schedule(opens_at=dt.time(9, 30))])
    data = to_dict(service)
    assert data["last_checked"] == "2026-01-02"
    assert data["schedules"][0]["opens_at"] == "09:30:00"


def test_all_phones_deduplicates_across_places():
    same = Phone(number="0117 496 0000")
    service = Service(
        source="s", source_id="1", name="x",
        phones=[same],
        contacts=[Contact(phones=[Phone(number="0117-496-0000"), Phone(number="0800 000 1111")])],
        service_at_locations=[ServiceAtLocation(source="s", source_id="sal", location=Location(source="s", source_id="l", phones=[same]))],
    )
    assert [p.number for p in service.all_phones()] == ["0117 496 0000", "0800 000 1111"]


def test_freshness():
    fresh = Service(source="s", source_id="1", name="x", last_checked=dt.date(2026, 10, 1))
    old = Service(source="s", source_id="2", name="y", last_checked=dt.date(2005, 1, 1))
    undated = Service(source="s", source_id="3", name="z")
    assert freshness_warning(fresh, TODAY) is None and not is_stale(fresh, TODAY)
    assert freshness_warning(old, TODAY).startswith("not checked recently: last checked 2005-01-01")
    assert is_stale(undated, TODAY)


def test_site_schedules_win_over_service_schedules():
    site = ServiceAtLocation(source="s", source_id="sal", schedules=[Schedule(byday=["MO"])])
    bare_site = ServiceAtLocation(source="s", source_id="sal2")
    service = Service(source="s", source_id="1", name="x", schedules=[Schedule(byday=["TU"])], service_at_locations=[site, bare_site])
    assert service.schedules_for(site)[0].byday == ["MO"]
    assert service.schedules_for(bare_site)[0].byday == ["TU"]
    assert service.schedules_for(None)[0].byday == ["TU"]
