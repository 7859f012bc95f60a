"""Erasure reaches the bytes: the resident's strings are gone from the database file, its WAL and the exports."""

from __future__ import annotations

import json
import sqlite3

from hub import rights
from security.conftest import register

NAME = "Quillon Vexworthy"
PREFERRED = "Quilly"
EMAIL = "quillon.vexworthy@example.org"
PHONE = "07700 900456"
ADDRESS = "17 Zanzibar Crescent"
STRINGS = [NAME, "Quillon", "Vexworthy", "quillon", "vexworthy", PREFERRED, EMAIL, ADDRESS, "Zanzibar"]


def files_bytes(site) -> dict[str, bytes]:
    found = {}
    for path in site.data.rglob("*"):
        if path.is_file() and "backups" not in path.parts:
            found[str(path.relative_to(site.data))] = path.read_bytes()
    return found


def leaks(site) -> list[str]:
    out = []
    for name, data in files_bytes(site).items():
        lowered = data.lower()
        for text in STRINGS:
            for encoded in (text.lower().encode("utf-8"), text.lower().encode("utf-16-le")):
                if encoded in lowered:
                    out.append(f"{name}: {text}")
    return sorted(set(out))


def test_every_connection_has_secure_delete_on(site):
    from hub.storage import connect, open_database

    db = open_database(site.db_path)
    assert db.execute("PRAGMA secure_delete").fetchone()[0] == 1
    db.close()
    conn = connect(site.db_path)
    assert conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
    conn.close()


def test_after_erasure_no_string_of_the_resident_is_left_in_the_db_the_wal_or_the_exports(site):
    hub = site.hub(signed_in_as="lee.lead")
    other = register(hub.db, "Someone Else Entirely")
    resident_id = register(hub.db, NAME, preferred_name=PREFERRED, email=EMAIL, phone=PHONE, address=ADDRESS, postcode="M40 7AB")
    from hub.residents import add_contact, search_residents

    add_contact(hub.db, resident_id, kind="drop_in", note=f"{PREFERRED} asked about CVs", contact_date="", staff="x", terminal="y")
    assert search_residents(hub.db, "Vexworthy")  # the FTS index holds the tokens now
    export = rights.subject_access(hub, resident_id)
    for fmt in ("json", "pdf"):
        hub.record_export(resident_id, rights.write_export(export, site.data / "exports", fmt=fmt))
    stray = site.data / "printouts" / "slip.txt"  # a file the manifest never heard of
    stray.parent.mkdir(exist_ok=True)
    stray.write_text(f"Slip for {NAME}\n")
    assert leaks(site)  # the test can see the strings before erasure

    report = rights.erase(hub, resident_id)
    assert any("removed 3 exported file" in line for line in report.bytes_notes), report.bytes_notes
    assert leaks(site) == []
    assert not list((site.data / "exports").iterdir()) and not stray.exists()
    assert search_residents(hub.db, "Someone")[0]["id"] == other  # the rebuilt index still finds the others
    assert search_residents(hub.db, "Vexworthy") == []
    wal = site.data / "hub.db-wal"
    assert not wal.exists() or wal.stat().st_size < 200_000
    hub.close()
    assert leaks(site) == []


def test_the_fts_index_has_no_token_of_the_erased_resident(site):
    hub = site.hub(signed_in_as="lee.lead")
    resident_id = register(hub.db, NAME, postcode="M40 7AB")
    rights.erase(hub, resident_id)
    vocab_rows = hub.db.execute(
        "SELECT name FROM sqlite_master WHERE name = 'residents_fts_data'"
    ).fetchall()
    assert vocab_rows
    blob = b"".join(row[0] or b"" for row in hub.db.execute("SELECT block FROM residents_fts_data"))
    assert b"vexworthy" not in blob and b"quillon" not in blob and b"m40" not in blob.lower()
    hub.close()


def test_erasure_is_recorded_in_a_ledger_outside_the_database(site):
    hub = site.hub(signed_in_as="lee.lead")
    resident_id = register(hub.db, NAME)
    rights.erase(hub, resident_id)
    hub.close()
    ledger = site.data / "erasure-ledger.jsonl"
    entries = [json.loads(line) for line in ledger.read_text().splitlines()]
    assert [e["resident_id"] for e in entries] == [resident_id]
    assert NAME.encode() not in ledger.read_bytes()
    assert (ledger.stat().st_mode & 0o777) == 0o600


def test_a_file_that_cannot_be_removed_is_reported(site, monkeypatch):
    hub = site.hub(signed_in_as="lee.lead")
    resident_id = register(hub.db, NAME)
    path = site.data / "exports" / "passport-x.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text("{}")
    hub.record_export(resident_id, path)
    from hub import erasure

    def refuse(target):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(erasure, "shred", refuse)
    report = rights.erase(hub, resident_id)
    assert any("could not remove" in line and "passport-x.json" in line for line in report.bytes_notes)
    hub.close()


def test_restoring_a_backup_from_before_an_erasure_erases_them_again(site, run_cli, tmp_path):
    hub = site.hub(signed_in_as="lee.lead")
    resident_id = register(hub.db, NAME, email=EMAIL)
    hub.close()
    backup = tmp_path / "before.db"
    assert run_cli(site, "backup", "--out", str(backup), as_user="lee.lead")[0] == 0
    assert run_cli(site, "resident", "erase", str(resident_id), "--yes", as_user="lee.lead")[0] == 0
    code, out, err = run_cli(site, "restore", str(backup), "--yes", as_user="ada.admin")
    assert code == 0, err
    assert f"erasures applied again (recorded since the backup): resident(s) {resident_id}" in out
    assert "access log: the live log had reached row" in out
    conn = sqlite3.connect(site.db_path)
    assert conn.execute("SELECT name, email, erased_at IS NOT NULL FROM residents WHERE id = ?", [resident_id]).fetchone() == (
        "[erased]", None, 1)
    actions = [row[0] for row in conn.execute("SELECT action FROM access_log WHERE resident_id = ?", [resident_id])]
    conn.close()
    assert "erase" in actions
    assert run_cli(site, "audit", "verify", as_user="lee.lead")[0] == 0
    assert not [leak for leak in leaks(site) if leak.startswith("hub.db")]


def test_a_new_resident_who_reuses_an_erased_id_is_not_erased_by_a_restore(site, run_cli, tmp_path):
    hub = site.hub(signed_in_as="lee.lead")
    first = register(hub.db, "First Person")
    rights.erase(hub, first)
    hub.db.execute("PRAGMA foreign_keys = OFF")
    hub.close()
    conn = sqlite3.connect(site.db_path)  # as if the id had been reused (sqlite reuses the highest rowid)
    conn.execute("UPDATE residents SET registered_at = '2030-01-01T00:00:00+00:00', name = 'Second Person', erased_at = NULL WHERE id = ?", [first])
    conn.commit()
    conn.close()
    backup = tmp_path / "b.db"
    hub = site.hub(signed_in_as="lee.lead")
    from hub.backup import backup_database

    backup_database(hub.db.conn, backup)
    hub.close()
    code, out, err = run_cli(site, "restore", str(backup), "--yes", as_user="ada.admin")
    assert "erasures: none to apply again" in out, (out, err)
