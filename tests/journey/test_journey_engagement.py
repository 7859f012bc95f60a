"""The engagement log: contacts with homes (no personal data), linked to residents once they register."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

import plugins.journey as journey_plugin
from hub.residents import NewResident, ValidationError, register_resident, validate_resident
from plugins.journey import model, service, storage


def log(hub, home, outcome="talked", days_ago=3, kind="door_knock"):
    return service.log_engagement(hub, (date.today() - timedelta(days=days_ago)).isoformat(), kind, home, outcome)


@pytest.mark.parametrize(
    "home, problem",
    [("", "Give the home's reference"), ("07700 900123", "phone number"), ("someone@example.com", "email"),
     ("M40 7AB", "postcode covers many homes"), ("x" * 61, "under 60")],
)
def test_home_references_refuse_people_and_vague_places(jhub, home, problem):
    with pytest.raises(ValidationError) as caught:
        service.log_engagement(jhub, "", "door_knock", home, "not_in")
    assert problem in caught.value.errors["home_ref"]


def test_engagement_fields_are_checked(jhub):
    with pytest.raises(ValidationError) as caught:
        service.log_engagement(jhub, "tomorrow", "carrier_pigeon", "12 Kestrel Walk", "maybe")
    assert set(caught.value.errors) == {"engaged_on", "kind", "outcome"}


def test_homes_are_matched_however_they_are_typed(jhub):
    assert model.home_key("12, Kestrel  Walk.") == model.home_key("12 kestrel walk") == "12 KESTREL WALK"
    assert model.home_key("Flat 3/12 Heron Ct") == "FLAT 3/12 HERON CT"
    log(jhub, "12 Kestrel Walk", "not_in", days_ago=9)
    log(jhub, "12, kestrel walk", "leaflet_left", days_ago=5)
    log(jhub, "14 Kestrel Walk", "talked", days_ago=2)
    rows = storage.recent_engagements(jhub.db, home="12 kestrel")
    assert [row["outcome"] for row in rows] == ["leaflet_left", "not_in"]
    assert len(storage.recent_engagements(jhub.db)) == 3
    assert jhub.db["access_log"].count_where("action like 'journey:engagement:add:%' and resident_id is null") == 3


def test_hook_resident_registered_links_earlier_contacts_at_the_address(jhub):
    log(jhub, "12 Kestrel Walk", "not_in", days_ago=40)
    log(jhub, "12 kestrel walk, M40 7AB", "interested", days_ago=20)
    log(jhub, "14 Kestrel Walk", "talked", days_ago=20)
    log(jhub, "12 Kestrel Walk", "talked", days_ago=800)  # older than link_window_days
    form = NewResident("Aisha Example", "", "14/03/1991", address="12 Kestrel Walk", postcode="M40 7AB",
                       engagement="door_knock", status_at_registration="unemployed", consents={"record": True})
    resident = register_resident(jhub.db, validate_resident(form, []), form.consents, staff="kim", terminal="k1")
    jhub.emit("resident_registered", resident_id=resident)
    linked = storage.engagements_for(jhub.db, resident)
    assert [row["outcome"] for row in linked] == ["not_in", "interested"]
    assert jhub.db["journey_engagements"].count_where("resident_id is null") == 2
    assert jhub.db["access_log"].count_where("action = 'journey:engagement:link:2' and resident_id = ?", [resident]) == 1


def test_registering_without_an_address_links_nothing(jhub, helpers):
    log(jhub, "12 Kestrel Walk")
    resident = helpers.add_resident(jhub.db)
    jhub.emit("resident_registered", resident_id=resident)
    assert storage.engagements_for(jhub.db, resident) == []


def test_explicit_link_and_unlink(jhub, helpers):
    first = log(jhub, "UPRN 10012345678", "talked", days_ago=30)
    second = log(jhub, "UPRN 10012345678", "signed_up", days_ago=2)
    ann = helpers.add_resident(jhub.db, "Ann Example")
    bob = helpers.add_resident(jhub.db, "Bob Example")
    assert service.link_engagements(jhub, ann, engagement_ids=[first]) == 1
    assert service.link_engagements(jhub, bob, home="uprn 10012345678") == 1  # the other one; Ann's stays hers
    assert [row["id"] for row in storage.engagements_for(jhub.db, ann)] == [first]
    assert [row["id"] for row in storage.engagements_for(jhub.db, bob)] == [second]
    service.unlink_engagement(jhub, second)
    assert storage.engagements_for(jhub.db, bob) == []
    with pytest.raises(ValidationError):
        service.unlink_engagement(jhub, second)
    with pytest.raises(ValidationError):
        service.link_engagements(jhub, ann)


def test_the_engagement_log_has_no_column_for_people(jhub):
    columns = set(jhub.db["journey_engagements"].columns_dict)
    assert columns == {"id", "engaged_on", "kind", "home_ref", "home_key", "outcome", "resident_id", "linked_at",
                       "linked_by", "recorded_at", "recorded_by", "terminal"}
    assert journey_plugin  # loaded as ("journey", module), as the entry point will
