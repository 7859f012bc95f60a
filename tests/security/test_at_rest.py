"""Closed at rest: 0600 files in 0700 folders, new live sites encrypted, backups whole or not at all."""

from __future__ import annotations

import os
import stat
import sqlite3

import pytest

from hub import cli, rights
from hub.config import load_site_config
from hubtest import write_site
from security.conftest import register


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_database_wal_keys_backups_and_exports_are_private(site, run_cli, tmp_path):
    os.umask(0o022)  # as a login shell leaves it: the hub must close files itself
    hub = site.hub(signed_in_as="lee.lead")
    resident_id = register(hub.db, "Private Person")
    path = rights.write_export(rights.subject_access(hub, resident_id), site.data / "exports", fmt="json")
    hub.close()
    assert run_cli(site, "backup", as_user="lee.lead")[0] == 0
    hub = site.hub()
    files = [site.db_path, site.data / "hub.db-wal", site.data / "audit.key", site.data / "audit-head.json", path,
             *(site.data / "backups").iterdir()]
    for file in files:
        assert file.exists(), file
        assert mode(file) == 0o600, (file, oct(mode(file)))
    for folder in (site.data, site.data / "exports", site.data / "backups"):
        assert mode(folder) == 0o700, (folder, oct(mode(folder)))
    hub.close()


def test_a_new_live_site_is_encrypted_by_default_with_a_private_key_file(tmp_path, monkeypatch):
    monkeypatch.delenv("HUB_DB_KEY", raising=False)
    keys = tmp_path / "keys"
    monkeypatch.setenv("HUB_KEY_DIR", str(keys))
    site = write_site(tmp_path, encrypted=None)
    config = load_site_config(site)
    assert config.hub.encrypted is True
    hub = cli.build_hub(config)
    hub.open_storage()
    register(hub.db, "Sealed Person")
    hub.close()
    raw = (tmp_path / "data" / "hub.db").read_bytes()
    assert not raw.startswith(b"SQLite format 3") and b"Sealed Person" not in raw
    [key_file] = list(keys.iterdir())
    assert mode(key_file) == 0o600 and mode(keys) == 0o700
    assert tmp_path / "data" not in key_file.parents  # outside the data folder
    again = cli.build_hub(load_site_config(site))  # opens again with the same key file
    again.open_storage()
    assert again.db.execute("SELECT name FROM residents").fetchone()[0] == "Sealed Person"
    again.close()


def test_the_demo_and_an_existing_plain_database_stay_plain(tmp_path):
    demo = write_site(tmp_path, demo=True, encrypted=None, name="demo.toml")
    assert load_site_config(demo).hub.encrypted is False
    other = tmp_path / "old"
    other.mkdir()
    site = write_site(other, encrypted=None)
    (other / "data").mkdir()
    sqlite3.connect(other / "data" / "hub.db").execute("CREATE TABLE t (x)")
    assert load_site_config(site).hub.encrypted is False


def test_a_killed_backup_leaves_no_file_that_looks_like_a_backup(site, monkeypatch, tmp_path):
    from hub import backup
    from hub.storage import StorageError

    hub = site.hub()
    register(hub.db, "Some One")
    target = tmp_path / "out" / "b.db"

    class Killed(Exception):
        pass

    live = hub.db.conn

    class LiveProxy:
        """The copy dies half-way (as a killed process would stop it)."""

        def backup(self, dest):
            live.backup(dest, pages=1, progress=lambda *a: (_ for _ in ()).throw(Killed()))

    with pytest.raises(Killed):
        backup.backup_database(LiveProxy(), target)
    assert not target.exists()
    assert list(target.parent.iterdir()) == []  # the partial copy is gone too
    written = backup.backup_database(live, target)
    assert written == target and mode(target) == 0o600
    assert not [p for p in target.parent.iterdir() if p != target]
    hub.close()
    with pytest.raises(StorageError, match="already exists"):
        hub = site.hub()
        backup.backup_database(hub.db.conn, target)
    hub.close()


def test_an_encrypted_connection_has_the_math_functions_plugins_use(tmp_path):
    """SQLCipher's build lacks sqrt, cos, ln...: signposting's distances failed on an encrypted site."""
    from hub.storage import connect

    conn = connect(tmp_path / "e.db", "a test passphrase")
    row = conn.execute("SELECT sqrt(16), round(cos(0)), round(ln(1)), atan2(0, 1), floor(2.5), radians(180) > 3.14, sqrt(NULL)").fetchone()
    conn.close()
    assert row == (4.0, 1.0, 0.0, 0.0, 2, 1, None)
