"""Saving entries: corrections and verifications supersede, never overwrite; who changed what is kept;
the access log has ids and actions only; other plugins hear about every save."""

from __future__ import annotations

import sqlite3
import types
from dataclasses import replace

import pytest

import plugins.passport as passport_plugin
from hub import hookimpl
from hub.residents import ValidationError
from plugins.passport import service, storage
from plugins.passport.model import EntryForm, form_from_row
from plugins.passport.views import history, history_lines, timeline

COURSE = EntryForm(kind="training", title="First aid at work", provider="St John Ambulance",
                   start_date="02/03/2025", end_date="04/03/2025", hours_total="18", skills=["work:teamwork"])


def listener(received: list):
    plugin = types.SimpleNamespace(name="listener")
    plugin.record_saved = hookimpl(lambda resident_id, kind, record_id: received.append((resident_id, kind, record_id)))
    return plugin


@pytest.fixture
def heard(hub_factory):
    received: list = []
    hub = hub_factory(("passport", passport_plugin), listener(received))
    hub.open_storage()
    return hub, received


def corrected(hub, version_id: int, **changes) -> EntryForm:
    return replace(form_from_row(storage.get_version(hub.db, version_id)), **changes)


def test_a_correction_adds_a_version_and_keeps_the_old_one_untouched(heard, make_resident):
    hub, received = heard
    resident = make_resident(hub.db)
    first = service.add(hub, resident, COURSE)
    before = storage.get_version(hub.db, first)
    second = service.correct(hub, first, corrected(hub, first, hours_total="16"), reason="It was two days")

    old, new = storage.get_version(hub.db, first), storage.get_version(hub.db, second)
    assert {k: v for k, v in old.items() if k not in ("superseded_by", "superseded_at")} == \
           {k: v for k, v in before.items() if k not in ("superseded_by", "superseded_at")}
    assert old["hours_total"] == 18 and old["superseded_by"] == second
    assert new["hours_total"] == 16 and new["root_id"] == first and new["version"] == 2 and new["supersedes"] == first
    assert new["change"] == "corrected" and new["change_reason"] == "It was two days" and new["recorded_by"] == "test.staff"
    assert [e["id"] for e in timeline(hub.db, resident)] == [second]
    assert received == [(resident, "passport.entry", first), (resident, "passport.entry", second)]


def test_the_database_refuses_to_overwrite_an_entry(pp_hub, resident):
    entry = service.add(pp_hub, resident, COURSE)
    with pytest.raises(sqlite3.IntegrityError, match="never overwritten"):
        pp_hub.db.execute("update passport_entries set hours_total = 99 where id = ?", [entry])
    second = service.correct(pp_hub, entry, corrected(pp_hub, entry, title="First aid"), reason="typo")
    with pytest.raises(sqlite3.IntegrityError, match="never overwritten"):  # superseded_by cannot be moved on either
        pp_hub.db.execute("update passport_entries set superseded_by = ? where id = ?", [entry, entry])
    assert storage.get_version(pp_hub.db, entry)["superseded_by"] == second


def test_correcting_an_old_version_is_refused_and_nothing_is_saved(pp_hub, resident):
    entry = service.add(pp_hub, resident, COURSE)
    service.correct(pp_hub, entry, corrected(pp_hub, entry, hours_total="16"), reason="kiosk one")
    count = pp_hub.db["passport_entries"].count
    with pytest.raises(storage.StaleEntry) as caught:  # a second kiosk still showing version 1
        service.correct(pp_hub, entry, corrected(pp_hub, entry, hours_total="17"), reason="kiosk two")
    assert "changed by test.staff" in caught.value.errors["entry"]
    assert pp_hub.db["passport_entries"].count == count


def test_a_correction_needs_a_reason_and_a_change(pp_hub, resident):
    entry = service.add(pp_hub, resident, COURSE)
    with pytest.raises(ValidationError) as caught:
        service.correct(pp_hub, entry, corrected(pp_hub, entry, hours_total="16"), reason=" ")
    assert "Say why" in caught.value.errors["change_reason"]
    with pytest.raises(ValidationError) as caught:
        service.correct(pp_hub, entry, corrected(pp_hub, entry), reason="no change")
    assert "Nothing was changed" in caught.value.errors["change_reason"]
    with pytest.raises(ValidationError) as caught:  # a bad value and no reason: both reported
        service.correct(pp_hub, entry, corrected(pp_hub, entry, hours_total="-1"), reason="")
    assert set(caught.value.errors) == {"hours_total", "change_reason"}


def test_changing_a_verified_entry_drops_the_verification_unless_rechecked(pp_hub, resident):
    entry = service.add(pp_hub, resident, COURSE)
    verified = service.verify(pp_hub, entry, level="document_seen", evidence=["certificate"], verified_at="10/03/2025")
    row = storage.get_version(pp_hub.db, verified)
    assert (row["verification_level"], row["verified_by"], row["verified_at"]) == ("document_seen", "test.staff", "2025-03-10")
    assert row["evidence"] == ["certificate"] and row["hours_total"] == 18  # what it says is carried over

    dropped = service.correct(pp_hub, verified, corrected(pp_hub, verified, hours_total="20"), reason="more hours")
    assert storage.get_version(pp_hub.db, dropped)["verification_level"] == "self_declared"

    verified = service.verify(pp_hub, dropped, level="provider_confirmed", verified_by="A. Tutor, St John", note="email")
    kept = service.correct(pp_hub, verified, corrected(pp_hub, verified, title="First aid at work (3 days)"),
                           reason="fuller title", keep_verification=True)
    row = storage.get_version(pp_hub.db, kept)
    assert (row["verification_level"], row["verified_by"], row["verification_note"]) == ("provider_confirmed", "A. Tutor, St John", "email")


def test_verify_validates_and_refuses_self_declared(pp_hub, resident):
    entry = service.add(pp_hub, resident, COURSE)
    with pytest.raises(ValidationError) as caught:
        service.verify(pp_hub, entry, level="provider_confirmed")
    assert "Name who confirmed it" in caught.value.errors["verified_by"]
    with pytest.raises(ValidationError) as caught:
        service.verify(pp_hub, entry, level="document_seen", evidence=[])
    assert "Tick the document" in caught.value.errors["evidence"]
    with pytest.raises(ValidationError) as caught:
        service.verify(pp_hub, entry, level="self_declared")
    assert "verification_level" in caught.value.errors
    assert pp_hub.db["passport_entries"].count == 1


def test_withdrawing_keeps_the_history_and_hides_the_entry(pp_hub, resident):
    entry = service.add(pp_hub, resident, COURSE)
    with pytest.raises(ValidationError):
        service.withdraw(pp_hub, entry, reason="")
    gone = service.withdraw(pp_hub, entry, reason="wrong resident")
    assert timeline(pp_hub.db, resident) == []
    assert [e["id"] for e in timeline(pp_hub.db, resident, include_withdrawn=True)] == [gone]
    with pytest.raises(ValidationError, match="withdrawn"):
        service.correct(pp_hub, gone, corrected(pp_hub, gone, hours_total="1"), reason="too late")


def test_history_says_who_changed_what(pp_hub, resident):
    entry = service.add(pp_hub, resident, COURSE)
    second = service.correct(pp_hub, entry, corrected(pp_hub, entry, end_date="03/03/2025", hours_total="12"), reason="left early")
    service.verify(pp_hub, second, level="staff_witnessed")
    changes = history(pp_hub.db, entry)
    assert [c.change for c in changes] == ["added", "corrected", "verified"]
    assert [c.by for c in changes] == ["test.staff"] * 3
    assert {f for f, _, _ in changes[1].fields} == {"end_date", "hours_total"}
    assert ("hours_total", 18.0, 12.0) in changes[1].fields
    lines = history_lines(changes)
    assert any("left early" in line for line in lines) and any("total hours: 18 → 12" in line for line in lines)


def test_the_access_log_has_ids_and_actions_only(pp_hub, make_resident):
    resident = make_resident(pp_hub.db, name="Zebedee Quixote")
    entry = service.add(pp_hub, resident, COURSE)
    second = service.correct(pp_hub, entry, corrected(pp_hub, entry, hours_total="16"), reason="Zebedee said so")
    service.verify(pp_hub, second, level="staff_witnessed")
    rows = list(pp_hub.db.query("select * from access_log where action like 'passport:%' order by id"))
    assert [r["action"] for r in rows] == [f"passport:add:{entry}", f"passport:correct:{entry}", f"passport:verify:{entry}"]
    assert all(r["resident_id"] == resident and r["staff"] == "test.staff" for r in rows)
    text = " ".join(str(v) for r in pp_hub.db.query("select * from access_log") for v in r.values())
    for personal in ("Zebedee", "Quixote", "First aid", "St John"):
        assert personal not in text


def test_a_missing_resident_or_entry_is_a_field_error(pp_hub):
    with pytest.raises(ValidationError) as caught:
        service.add(pp_hub, 999, COURSE)
    assert "no resident with id 999" in caught.value.errors["resident"]
    with pytest.raises(ValidationError) as caught:
        service.verify(pp_hub, 999, level="staff_witnessed")
    assert "no passport entry" in caught.value.errors["entry"]
