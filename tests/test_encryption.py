"""Optional encryption at rest with SQLCipher: the file is unreadable without the key, a wrong key
is a clear message, and backups stay encrypted."""

from __future__ import annotations

import sqlite3

import pytest

from hub import cli
from hub.config import load_site_config
from hub.residents import NewResident, register_resident, validate_resident
from hub.storage import StorageError
from hubtest import write_site

pytest.importorskip("sqlcipher3", reason="sqlcipher3 is part of the test extras")


@pytest.fixture
def encrypted_site(tmp_path, monkeypatch):
    site = write_site(tmp_path, encrypted=True)
    monkeypatch.setenv("HUB_DB_KEY", "correct horse battery staple")
    return site


def add_resident(hub, name="Enc Rypted"):
    form = NewResident(name, "", "01/01/1990", engagement="drop_in", status_at_registration="unemployed", consents={"record": True})
    return register_resident(hub.db, validate_resident(form, []), form.consents, staff="s", terminal="t")


def test_encrypted_database_is_unreadable_without_the_key(encrypted_site, tmp_path):
    hub = cli.build_hub(load_site_config(encrypted_site))
    hub.open_storage()
    add_resident(hub)
    hub.close()
    raw = (tmp_path / "data" / "hub.db").read_bytes()
    assert not raw.startswith(b"SQLite format 3") and b"Enc Rypted" not in raw
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(tmp_path / "data" / "hub.db").execute("SELECT * FROM residents").fetchall()
    again = cli.build_hub(load_site_config(encrypted_site))
    again.open_storage()
    assert [row["name"] for row in again.db["residents"].rows] == ["Enc Rypted"]
    again.close()


def test_a_wrong_key_is_a_clear_message(encrypted_site, monkeypatch):
    hub = cli.build_hub(load_site_config(encrypted_site))
    hub.open_storage()
    hub.close()
    monkeypatch.setenv("HUB_DB_KEY", "not the key")
    hub = cli.build_hub(load_site_config(encrypted_site))
    with pytest.raises(StorageError, match="key for the encrypted database .* is wrong"):
        hub.open_storage()


def test_a_missing_key_says_where_to_put_it(encrypted_site, monkeypatch):
    first = cli.build_hub(load_site_config(encrypted_site))
    first.open_storage()  # the database exists, made with HUB_DB_KEY (a new one would get a key file made for it)
    first.close()
    monkeypatch.delenv("HUB_DB_KEY")
    hub = cli.build_hub(load_site_config(encrypted_site))
    with pytest.raises(StorageError, match="HUB_DB_KEY"):
        hub.open_storage()


def test_backups_of_an_encrypted_site_are_encrypted_and_restore(encrypted_site, tmp_path, capsys, monkeypatch):
    from hub.staff import create_account

    hub = cli.build_hub(load_site_config(encrypted_site))
    hub.open_storage()
    add_resident(hub)
    create_account(hub.db, username="ada.admin", display_name="Ada", role="admin", password="an admin long phrase", created_by="t")
    hub.close()
    monkeypatch.setenv("HUB_STAFF", "ada.admin")  # backup, restore and audit verify sign in
    monkeypatch.setenv("HUB_PASSWORD", "an admin long phrase")
    out = tmp_path / "backup.db"
    assert cli.main(["--site", str(encrypted_site), "backup", "--out", str(out)]) == 0
    assert b"Enc Rypted" not in out.read_bytes()
    assert cli.main(["--site", str(encrypted_site), "restore", str(out), "--yes"]) == 0
    assert cli.main(["--site", str(encrypted_site), "audit", "verify"]) == 0


def test_the_passphrase_can_come_from_the_system_keyring(encrypted_site, tmp_path, monkeypatch):
    """No HUB_DB_KEY: the hub asks the keyring for service drop-in-hub, user the database's full path."""
    import keyring
    from keyring.backend import KeyringBackend

    class MemoryKeyring(KeyringBackend):
        priority = 1

        def __init__(self) -> None:
            super().__init__()
            self.passwords: dict[tuple[str, str], str] = {}

        def get_password(self, service, username):
            return self.passwords.get((service, username))

        def set_password(self, service, username, password):
            self.passwords[(service, username)] = password

        def delete_password(self, service, username):
            del self.passwords[(service, username)]

    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        hub = cli.build_hub(load_site_config(encrypted_site))
        hub.open_storage()  # made with HUB_DB_KEY
        add_resident(hub)
        hub.close()
        monkeypatch.delenv("HUB_DB_KEY")
        database = str((tmp_path / "data" / "hub.db").resolve())
        keyring.set_password("drop-in-hub", database, "correct horse battery staple")
        again = cli.build_hub(load_site_config(encrypted_site))
        again.open_storage()
        assert [row["name"] for row in again.db["residents"].rows] == ["Enc Rypted"]
        again.close()
        keyring.set_password("drop-in-hub", database, "a wrong one")
        wrong = cli.build_hub(load_site_config(encrypted_site))
        with pytest.raises(StorageError, match="is wrong"):
            wrong.open_storage()
    finally:
        keyring.set_keyring(previous)
