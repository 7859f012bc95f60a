"""Residents: validation naming each field, consent, contacts, search, and an access log without personal data."""

from __future__ import annotations

from datetime import date

import pytest

from hub import residents
from hub.postcodes import in_area, normalise_postcode
from hub.residents import NewResident, ValidationError, validate_resident

AREA = ["M40 7", "M40 8"]
TODAY = date(2026, 11, 22)


def good_form(**changes) -> NewResident:
    form = NewResident(
        name="Aisha Rahman", preferred_name="", date_of_birth="14/03/1991", phone="07700 900101", email="",
        address="12 Kestrel Walk", postcode="m407ab", engagement="door_knock", referred_by="",
        status_at_registration="economically_inactive", consents={"record": True, "contact": False},
    )
    for key, value in changes.items():
        setattr(form, key, value)
    return form


def errors_for(form: NewResident) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        validate_resident(form, AREA, today=TODAY)
    return caught.value.errors


def test_a_good_form_is_cleaned():
    row = validate_resident(good_form(), AREA, today=TODAY)
    assert row["postcode"] == "M40 7AB"
    assert row["in_area"] == 1
    assert row["date_of_birth"] == "1991-03-14"
    assert row["preferred_name"] is None


@pytest.mark.parametrize(
    "changes, field, words",
    [
        ({"name": "  "}, "name", "full name"),
        ({"date_of_birth": ""}, "date_of_birth", "Enter the date of birth"),
        ({"date_of_birth": "31/02/1990"}, "date_of_birth", "Not a date"),
        ({"date_of_birth": "01/01/2030"}, "date_of_birth", "in the future"),
        ({"date_of_birth": "01/01/1850"}, "date_of_birth", "before 1900"),
        ({"date_of_birth": "23/11/2010"}, "date_of_birth", "aged 16 or over"),
        ({"phone": "call me"}, "phone", "Not a phone number"),
        ({"email": "aisha@"}, "email", "Not an email address"),
        ({"postcode": "ABC 1234"}, "postcode", "Not a UK postcode"),
        ({"engagement": ""}, "engagement", "how the resident came"),
        ({"engagement": "agency_referral", "referred_by": ""}, "referred_by", "Name the agency"),
        ({"status_at_registration": "retired"}, "status_at_registration", "work status"),
        ({"consents": {"record": False}}, "consents", "must agree"),
        ({"consents": {"record": True, "sell_data": True}}, "consents", "Unknown consent purpose"),
    ],
)
def test_each_bad_field_gets_a_message_naming_it(changes, field, words):
    errors = errors_for(good_form(**changes))
    assert field in errors
    assert words in errors[field]


def test_all_bad_fields_are_reported_together():
    errors = errors_for(good_form(name="", phone="x", postcode="nope"))
    assert set(errors) == {"name", "phone", "postcode"}


def test_sixteenth_birthday_is_the_first_day_allowed():
    assert validate_resident(good_form(date_of_birth="22/11/2010"), AREA, today=TODAY)
    assert "date_of_birth" in errors_for(good_form(date_of_birth="23/11/2010"))


def test_control_and_escape_characters_are_stripped():
    row = validate_resident(good_form(name="Ai\x1b[31msha\x07 Rahman"), AREA, today=TODAY)
    assert row["name"] == "Ai[31msha Rahman"


def test_outside_the_area_is_flagged_not_refused():
    row = validate_resident(good_form(postcode="M9 4AA"), AREA, today=TODAY)
    assert row["in_area"] == 0


@pytest.mark.parametrize(
    "postcode, area, expected",
    [
        ("M40 7AB", ["M40 7"], True),
        ("M40 7AB", ["M40 8"], False),
        ("M40 7AB", ["M40"], True),
        ("M4 7AB", ["M40"], False),
        ("M40 7AB", ["M40 7AB"], True),
        ("m407ab", ["m40 7"], True),
        ("SW1A 1AA", ["SW1A 1"], True),
        ("not one", ["M40"], False),
    ],
)
def test_in_area_by_postcode_sector_and_district(postcode, area, expected):
    assert in_area(postcode, area) is expected


def test_postcodes_are_normalised():
    assert normalise_postcode(" sw1a1aa ") == "SW1A 1AA"
    assert normalise_postcode("EC1A 1BB") == "EC1A 1BB"
    assert normalise_postcode("12345") is None


@pytest.mark.parametrize(
    "text, expected",
    [("31/01/1990", date(1990, 1, 31)), ("1990-01-31", date(1990, 1, 31)), ("31.1.90", date(1990, 1, 31)),
     ("31-01-1990", date(1990, 1, 31)), ("30/02/1990", None), ("tomorrow", None)],
)
def test_dates_as_staff_type_them(text, expected):
    assert residents.parse_date(text) == expected


def register(db, **changes) -> int:
    form = good_form(**changes)
    row = validate_resident(form, AREA, today=TODAY)
    return residents.register_resident(db, row, form.consents, staff="kim", terminal="kiosk-1")


def test_registering_records_consent_and_the_access_log(open_hub):
    resident_id = register(open_hub.db)
    assert residents.get_resident(open_hub.db, resident_id)["registered_by"] == "kim"
    assert residents.current_consents(open_hub.db, resident_id) == {"record": True, "contact": False}
    [entry] = open_hub.db["access_log"].rows
    assert (entry["resident_id"], entry["action"], entry["staff"], entry["terminal"]) == (resident_id, "register", "kim", "kiosk-1")


def test_consent_history_is_kept_and_latest_wins(open_hub):
    resident_id = register(open_hub.db)
    residents.record_consent(open_hub.db, resident_id, "contact", True, staff="kim", terminal="k")
    residents.record_consent(open_hub.db, resident_id, "contact", False, staff="lee", terminal="k")
    assert residents.current_consents(open_hub.db, resident_id)["contact"] is False
    history = [row["given"] for row in open_hub.db["consents"].rows_where("purpose = 'contact'", order_by="id")]
    assert history == [0, 1, 0]


def test_contacts_are_validated_and_listed_newest_first(open_hub):
    resident_id = register(open_hub.db)
    residents.add_contact(open_hub.db, resident_id, kind="phone", note="first", contact_date="01/10/2026", staff="kim", terminal="k")
    residents.add_contact(open_hub.db, resident_id, kind="drop_in", note="second", contact_date="05/10/2026", staff="kim", terminal="k")
    assert [c["note"] for c in residents.contacts_for(open_hub.db, resident_id)] == ["second", "first"]
    with pytest.raises(ValidationError) as caught:
        residents.add_contact(open_hub.db, resident_id, kind="carrier pigeon", note="", contact_date="99/99/2026", staff="kim", terminal="k")
    assert set(caught.value.errors) == {"kind", "contact_date"}


def test_search_by_name_prefix_postcode_and_date_of_birth(open_hub):
    aisha = register(open_hub.db)
    maggie = register(open_hub.db, name="Margaret O'Brien", preferred_name="Maggie", date_of_birth="21/06/1969", postcode="M40 8QT")

    def ids(text):
        return [row["id"] for row in residents.search_residents(open_hub.db, text)]

    assert ids("ais") == [aisha]
    assert ids("o'bri") == [maggie]
    assert ids("maggie") == [maggie]
    assert ids("m40 8qt") == [maggie]
    assert set(ids("M40")) == {aisha, maggie}
    assert ids("21/06/1969") == [maggie]
    assert ids("1969-06-21") == [maggie]
    assert ids("zzz") == []
    assert ids("") == [maggie, aisha]  # newest first


@pytest.mark.parametrize("hostile", ['"', "'; DROP TABLE residents; --", "NEAR(", "*", "a AND OR NOT", "\x00\x1b[2J", "(((", "^"])
def test_any_text_typed_is_safe_in_search(open_hub, hostile):
    register(open_hub.db)
    residents.search_residents(open_hub.db, hostile)
    assert open_hub.db["residents"].count == 1


def test_access_log_holds_no_personal_data(open_hub):
    resident_id = register(open_hub.db)
    open_hub.select_resident(resident_id)
    text = " ".join(str(value) for row in open_hub.db["access_log"].rows for value in row.values())
    for personal in ("Aisha", "Rahman", "07700", "Kestrel", "M40 7AB", "1991"):
        assert personal not in text
    assert [row["action"] for row in open_hub.db["access_log"].rows] == ["register", "view"]
