"""The site database: real SQLite files, WAL, foreign keys, migrations, and clear messages."""

from __future__ import annotations

import os
import sqlite3
import threading

import pytest

from hub.storage import BUSY_TIMEOUT_MS, StorageError, open_database, write_transaction


def test_database_uses_wal_foreign_keys_and_a_busy_timeout(tmp_path):
    db = open_database(tmp_path / "site" / "hub.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == BUSY_TIMEOUT_MS


def test_core_migrations_create_the_resident_tables_once(open_hub):
    tables = set(open_hub.db.table_names())
    assert {"residents", "consents", "contacts", "access_log", "hub_meta", "_sqlite_migrations"} <= tables
    assert open_hub.open_storage() == []


def test_foreign_keys_refuse_a_contact_for_a_missing_resident(open_hub):
    with pytest.raises(sqlite3.IntegrityError):
        open_hub.db["contacts"].insert(
            {"resident_id": 999, "contact_date": "2026-01-01", "kind": "phone", "staff": "x", "recorded_at": "now"}
        )


def test_a_file_that_is_not_a_database_gets_advice_not_a_traceback(tmp_path):
    path = tmp_path / "hub.db"
    path.write_bytes(b"this is not an sqlite file at all" * 100)
    with pytest.raises(StorageError) as caught:
        open_database(path)
    message = str(caught.value)
    assert "damaged or is not a hub database" in message and "restore the latest backup" in message


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_an_unwritable_folder_is_explained(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(StorageError) as caught:
            open_database(folder / "sub" / "hub.db")
        assert "Cannot create the data folder" in str(caught.value)
    finally:
        folder.chmod(0o700)


def test_a_data_dir_that_is_a_file_is_explained(tmp_path):
    blocker = tmp_path / "data"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(StorageError) as caught:
        open_database(blocker / "hub.db")
    assert "Cannot create the data folder" in str(caught.value)


def test_a_write_lock_held_too_long_is_reported_as_busy(tmp_path, monkeypatch):
    import hub.storage as storage

    monkeypatch.setattr(storage, "BUSY_TIMEOUT_MS", 200)
    path = tmp_path / "hub.db"
    first = open_database(path)
    first["t"].create({"id": int}, pk="id")
    holder = sqlite3.connect(path)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        second = sqlite3.connect(path, timeout=0.2)
        with pytest.raises(sqlite3.OperationalError) as caught:
            second.execute("INSERT INTO t (id) VALUES (1)")
        assert "busy" in storage.explain_sqlite_error(caught.value, path)
    finally:
        holder.rollback()


def test_two_connections_write_without_losing_rows(tmp_path):
    """Two kiosks on one file: WAL plus the busy timeout serialise writers; nothing is lost."""
    path = tmp_path / "hub.db"
    setup = open_database(path)
    setup["counts"].create({"id": int, "writer": str}, pk="id")

    def write(writer: str) -> None:
        db = open_database(path)
        for _ in range(200):
            with write_transaction(db):
                db["counts"].insert({"writer": writer})
        db.close()

    threads = [threading.Thread(target=write, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert setup["counts"].count == 400
    assert setup.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_failed_transaction_leaves_earlier_data_intact(open_hub):
    from hub.residents import NewResident, register_resident, validate_resident

    row = validate_resident(NewResident("Ann Example", "", "01/01/1990", engagement="drop_in",
                                        status_at_registration="unemployed", consents={"record": True}), [])
    register_resident(open_hub.db, row, {"record": True}, staff="s", terminal="t")
    with pytest.raises(sqlite3.IntegrityError):
        # a consent row for a resident that is not there breaks the transaction half-way
        with write_transaction(open_hub.db):
            open_hub.db["residents"].insert({**row, "registered_at": "x", "registered_by": "s"})
            open_hub.db["consents"].insert({"resident_id": 12345, "purpose": "record", "given": 1, "recorded_at": "x", "recorded_by": "s"})
    assert open_hub.db["residents"].count == 1


def test_no_alter_true_in_app_code():
    """A mistyped key must never grow a column on a kiosk database: schema changes are migrations."""
    from pathlib import Path

    root = Path(__file__).parent.parent
    offenders = [str(p) for folder in ("hub", "plugins") for p in (root / folder).rglob("*.py") if "alter=True" in p.read_text()]
    assert offenders == []
