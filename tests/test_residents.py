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


# -- changing a resident's details, and the address history -----------------------------------

def edit(db, resident_id, today=TODAY, **changes):
    form = residents.changes_from(residents.get_resident(db, resident_id))
    for key, value in changes.items():
        setattr(form, key, value)
    return residents.update_resident(db, resident_id, form, area=AREA, staff="lee", terminal="kiosk-2", today=today)


def registered_on(db, resident_id, day: str) -> None:
    """Pretend a resident registered on an earlier day (the registration entry starts then)."""
    db.execute("update residents set registered_at = ? where id = ?", [f"{day}T10:00:00+00:00", resident_id])
    db.execute("update resident_addresses set from_date = ? where resident_id = ?", [day, resident_id])


def test_the_edit_form_is_prefilled_from_the_record(open_hub):
    resident_id = register(open_hub.db, preferred_name="Ash")
    form = residents.changes_from(residents.get_resident(open_hub.db, resident_id))
    assert (form.name, form.preferred_name, form.date_of_birth, form.phone, form.postcode) == (
        "Aisha Rahman", "Ash", "14/03/1991", "07700 900101", "M40 7AB")
    assert edit(open_hub.db, resident_id) == []  # nothing changed, nothing written
    assert [row["action"] for row in open_hub.db["access_log"].rows] == ["register"]


def test_correcting_details_logs_which_fields_changed_but_not_their_values(open_hub):
    resident_id = register(open_hub.db)
    changed = edit(open_hub.db, resident_id, name="Aisha Rahmann", phone="07700 900999", email="aisha@example.com")
    assert changed == ["name", "phone", "email"]
    resident = residents.get_resident(open_hub.db, resident_id)
    assert (resident["name"], resident["phone"], resident["email"]) == ("Aisha Rahmann", "07700 900999", "aisha@example.com")
    last = list(open_hub.db["access_log"].rows)[-1]
    assert (last["action"], last["staff"], last["terminal"]) == ("edit:name,phone,email", "lee", "kiosk-2")
    assert [row["id"] for row in residents.search_residents(open_hub.db, "rahmann")] == [resident_id]


def test_edits_are_validated_field_by_field_and_nothing_is_saved_on_error(open_hub):
    resident_id = register(open_hub.db)
    with pytest.raises(ValidationError) as caught:
        edit(open_hub.db, resident_id, name=" ", date_of_birth="31/02/1990", email="nope", postcode="ZZ")
    assert set(caught.value.errors) == {"name", "date_of_birth", "email", "postcode"}
    assert residents.get_resident(open_hub.db, resident_id)["name"] == "Aisha Rahman"


def test_a_changed_address_must_say_whether_they_moved(open_hub):
    resident_id = register(open_hub.db)
    with pytest.raises(ValidationError) as caught:
        edit(open_hub.db, resident_id, address="3 Heron Court", postcode="M9 4AA")
    assert caught.value.errors == {"address_change": "The address changed: say whether they moved or this corrects a mistake."}


def test_a_move_keeps_the_old_address_in_the_history(open_hub):
    resident_id = register(open_hub.db)
    registered_on(open_hub.db, resident_id, "2026-01-10")
    edit(open_hub.db, resident_id, address="3 Heron Court", postcode="m9 4aa", address_change="moved", moved_on="01/06/2026")
    resident = residents.get_resident(open_hub.db, resident_id)
    assert (resident["postcode"], resident["in_area"]) == ("M9 4AA", 0)
    history = residents.address_history(open_hub.db, resident_id)
    assert [(row["postcode"], row["from_date"], row["in_area"]) for row in history] == [
        ("M40 7AB", "2026-01-10", 1), ("M9 4AA", "2026-06-01", 0)]
    assert residents.address_on(open_hub.db, resident_id, date(2026, 5, 31))["postcode"] == "M40 7AB"
    assert residents.address_on(open_hub.db, resident_id, date(2026, 6, 1))["postcode"] == "M9 4AA"
    assert residents.address_on(open_hub.db, resident_id, date(2026, 1, 9)) is None  # before we knew them
    assert list(open_hub.db["access_log"].rows)[-1]["action"] == "edit:address,postcode"


def test_a_correction_rewrites_the_current_address(open_hub):
    resident_id = register(open_hub.db)
    registered_on(open_hub.db, resident_id, "2026-01-10")
    edit(open_hub.db, resident_id, postcode="M40 7AD", address_change="correction")
    history = residents.address_history(open_hub.db, resident_id)
    assert [(row["postcode"], row["from_date"], row["recorded_by"]) for row in history] == [("M40 7AD", "2026-01-10", "lee")]


@pytest.mark.parametrize(
    "moved_on, words",
    [("31/02/2026", "Not a date"), ("23/11/2026", "in the future"), ("10/01/2026", "recorded from 10/01/2026"),
     ("01/01/2026", "a move must be later")],
)
def test_a_move_date_is_checked(open_hub, moved_on, words):
    resident_id = register(open_hub.db)
    registered_on(open_hub.db, resident_id, "2026-01-10")
    with pytest.raises(ValidationError) as caught:
        edit(open_hub.db, resident_id, postcode="M9 4AA", address_change="moved", moved_on=moved_on)
    assert words in caught.value.errors["moved_on"]
    assert len(residents.address_history(open_hub.db, resident_id)) == 1


def test_an_empty_move_date_means_today(open_hub):
    resident_id = register(open_hub.db)
    registered_on(open_hub.db, resident_id, "2026-01-10")
    edit(open_hub.db, resident_id, postcode="M9 4AA", address_change="moved")
    assert residents.current_address(open_hub.db, resident_id)["from_date"] == TODAY.isoformat()


def test_an_erased_record_cannot_be_edited(open_hub):
    resident_id = register(open_hub.db)
    open_hub.db.execute("update residents set erased_at = '2026-11-01' where id = ?", [resident_id])
    with pytest.raises(ValidationError) as caught:
        edit(open_hub.db, resident_id, phone="07700 900999")
    assert "erased" in caught.value.errors["name"]


def test_residents_registered_before_the_history_get_their_address_from_registration(tmp_path):
    """Migration 0005 on a database made before it: one history entry per resident, none for the erased."""
    from hub.context import _meta_migrations
    from hub.storage import apply_migrations, open_database

    path = tmp_path / "old.db"
    db = open_database(path)
    full = residents.core_migrations()
    old = type(full)("hub_core")
    old._migrations = [m for m in full._migrations if m.name != "0005_address_history"]
    apply_migrations(db, [_meta_migrations(), old], path)
    assert "resident_addresses" not in db.table_names()
    with db.conn:
        db.execute("insert into residents (id, name, address, postcode, in_area, registered_at, registered_by) values "
                   "(1, 'Kept', '12 Kestrel Walk', 'M40 7AB', 1, '2025-04-02T09:00:00+00:00', 'kim'), "
                   "(2, '[erased]', null, null, 0, '2025-05-02T09:00:00+00:00', 'kim')")
        db.execute("update residents set erased_at = '2026-01-01' where id = 2")
    apply_migrations(db, [full], path)
    assert [(row["resident_id"], row["postcode"], row["in_area"], row["from_date"], row["recorded_by"])
            for row in db["resident_addresses"].rows] == [(1, "M40 7AB", 1, "2025-04-02", "kim")]
    assert residents.address_on(db, 1, date(2025, 4, 2))["address"] == "12 Kestrel Walk"
    db.close()
