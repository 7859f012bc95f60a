"""The hash-chained access log, backups and restores, and the startup integrity check."""

from __future__ import annotations

import sqlite3

import pytest

from hub import audit, cli
from hub.residents import NewResident, register_resident, validate_resident
from hubtest import write_site


def register(db, name="Ann Example"):
    form = NewResident(name, "", "01/01/1990", engagement="drop_in", status_at_registration="unemployed", consents={"record": True})
    return register_resident(db, validate_resident(form, []), form.consents, staff="kim", terminal="k1")


def test_chain_is_intact_after_normal_use(open_hub):
    for name in ("A One", "B Two", "C Three"):
        resident_id = register(open_hub.db, name)
        open_hub.select_resident(resident_id)
    count, problems = audit.verify(open_hub.db)
    assert count == 6 and problems == []


def test_updates_and_deletes_are_refused_by_the_database(open_hub):
    register(open_hub.db)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        open_hub.db.execute("UPDATE access_log SET staff = 'someone else'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        open_hub.db.execute("DELETE FROM access_log")


def tamper(db, sql, params=()):
    """What an attacker with the file could do: drop the guard, edit, put it back."""
    db.execute("DROP TRIGGER access_log_append_only_update")
    db.execute("DROP TRIGGER access_log_append_only_delete")
    db.execute(sql, params)
    db.conn.commit()


def test_an_edited_row_is_found(open_hub):
    for name in ("A One", "B Two", "C Three"):
        register(open_hub.db, name)
    tamper(open_hub.db, "UPDATE access_log SET staff = 'nobody' WHERE id = 2")
    _, problems = audit.verify(open_hub.db)
    assert [p.row_id for p in problems] == [2]
    assert "changed" in problems[0].message


def test_a_deleted_row_is_found(open_hub):
    for name in ("A One", "B Two", "C Three"):
        register(open_hub.db, name)
    tamper(open_hub.db, "DELETE FROM access_log WHERE id = 2")
    _, problems = audit.verify(open_hub.db)
    assert any("missing" in p.message for p in problems)


def test_a_deleted_tail_is_found(open_hub):
    for name in ("A One", "B Two"):
        register(open_hub.db, name)
    tamper(open_hub.db, "DELETE FROM access_log WHERE id = 2")
    _, problems = audit.verify(open_hub.db)
    assert problems and "newest rows are missing" in str(problems[-1])


ADMIN_PASSWORD = "an admin long phrase"


def site_with_data(tmp_path, monkeypatch=None):
    """A site with one resident and an admin account the CLI signs in as (backup, restore, audit need one)."""
    site = write_site(tmp_path)
    from hub.config import load_site_config
    from hub.staff import create_account

    hub = cli.build_hub(load_site_config(site))
    hub.open_storage()
    register(hub.db, "Before Backup")
    create_account(hub.db, username="ada.admin", display_name="Ada", role="admin", password=ADMIN_PASSWORD, created_by="t")
    hub.close()
    if monkeypatch is not None:
        monkeypatch.setenv("HUB_STAFF", "ada.admin")
        monkeypatch.setenv("HUB_PASSWORD", ADMIN_PASSWORD)
    return site


def test_audit_verify_command(tmp_path, capsys, monkeypatch):
    site = site_with_data(tmp_path, monkeypatch)
    assert cli.main(["--site", str(site), "audit", "verify"]) == 0
    assert "chain intact" in capsys.readouterr().out
    db = sqlite3.connect(tmp_path / "data" / "hub.db")
    db.execute("DROP TRIGGER access_log_append_only_update")
    db.execute("UPDATE access_log SET action = 'view' WHERE id = 1")
    db.commit()
    assert cli.main(["--site", str(site), "audit", "verify"]) == 1
    assert "tampered" in capsys.readouterr().err


def test_backup_then_restore_brings_back_the_data_and_keeps_a_safety_copy(tmp_path, capsys, monkeypatch):
    site = site_with_data(tmp_path, monkeypatch)
    out = tmp_path / "b.db"
    assert cli.main(["--site", str(site), "backup", "--out", str(out)]) == 0
    assert (out.stat().st_mode & 0o777) == 0o600
    live = sqlite3.connect(tmp_path / "data" / "hub.db")
    live.execute("DELETE FROM consents")
    live.execute("DELETE FROM residents")
    live.commit()
    live.close()
    assert cli.main(["--site", str(site), "restore", str(out), "--yes"]) == 0
    live = sqlite3.connect(tmp_path / "data" / "hub.db")
    assert live.execute("SELECT name FROM residents").fetchall() == [("Before Backup",)]
    safety = list((tmp_path / "data" / "backups").glob("before-restore-*.db"))
    assert len(safety) == 1
    assert sqlite3.connect(safety[0]).execute("SELECT count(*) FROM residents").fetchone()[0] == 0


def test_restore_refuses_without_confirmation_when_not_interactive(tmp_path, capsys, monkeypatch):
    import io

    site = site_with_data(tmp_path, monkeypatch)
    out = tmp_path / "b.db"
    cli.main(["--site", str(site), "backup", "--out", str(out)])
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert cli.main(["--site", str(site), "restore", str(out)]) == 2
    assert "--yes" in capsys.readouterr().err


def test_restore_refuses_a_file_that_is_not_a_hub_backup(tmp_path, capsys, monkeypatch):
    site = site_with_data(tmp_path, monkeypatch)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE x (y)")
    assert cli.main(["--site", str(site), "restore", str(other), "--yes"]) == 2
    assert "not a hub database backup" in capsys.readouterr().err


def test_startup_integrity_check_stops_on_a_damaged_database(tmp_path):
    from hub.config import load_site_config
    from hub.storage import StorageError

    site = site_with_data(tmp_path)
    path = tmp_path / "data" / "hub.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    for offset in range(page_size * 2, min(len(data), page_size * 6)):
        data[offset] = 0xFF  # scribble over a few pages, as a failing disk would
    path.write_bytes(bytes(data))
    hub = cli.build_hub(load_site_config(site))
    with pytest.raises(StorageError) as caught:
        hub.open_storage()
    assert "restore" in str(caught.value)
