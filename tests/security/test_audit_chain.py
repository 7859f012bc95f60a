"""The keyed access log: deletion, truncation and rebuilding are each detected and named."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sqlite3

import pytest

from hub import audit
from security.conftest import register


def chain_of(site, n=4):
    hub = site.hub(signed_in_as="lee.lead")
    ids = [register(hub.db, f"Person {chr(65 + i)}") for i in range(n)]
    for resident_id in ids:
        hub.select_resident(resident_id)
    hub.close()
    return ids


def raw(site):
    conn = sqlite3.connect(site.db_path)
    conn.execute("DROP TRIGGER IF EXISTS access_log_append_only_update")
    conn.execute("DROP TRIGGER IF EXISTS access_log_append_only_delete")
    return conn


def rows(conn):
    return conn.execute("SELECT id, at, staff, terminal, resident_id, action FROM access_log ORDER BY id").fetchall()


def rechain(conn, digest):
    """What an attacker with the file does after deleting rows: recompute every hash and the head."""
    prev = audit.GENESIS
    for row_id, at, staff, terminal, resident_id, action in rows(conn):
        fields = {"at": at, "staff": staff, "terminal": terminal, "resident_id": resident_id, "action": action}
        value = digest(prev, row_id, fields)
        conn.execute("UPDATE access_log SET prev_hash = ?, hash = ? WHERE id = ?", [prev, value, row_id])
        prev = value
    last = rows(conn)[-1][0]
    conn.execute("UPDATE hub_meta SET value = ? WHERE key = 'audit_head'", [f"{last}:{prev}"])
    conn.commit()


def problems_of(site):
    hub = site.hub()
    try:
        return audit.verify(hub.db)[1]
    finally:
        hub.close()


def test_intact_chain_verifies(site, run_cli):
    chain_of(site)
    code, out, err = run_cli(site, "audit", "verify", as_user="lee.lead")
    assert code == 0 and "chain intact" in out, err


def test_the_key_is_outside_the_database_and_private(site):
    chain_of(site, 1)
    key = site.data / audit.KEY_FILE
    head = site.data / audit.HEAD_FILE
    assert (key.stat().st_mode & 0o777) == 0o600 and (head.stat().st_mode & 0o777) == 0o600
    assert key.read_text().strip() not in site.db_path.read_bytes().decode("latin-1")


@pytest.mark.parametrize("how", ["sha256", "another key"])
def test_deleting_a_residents_rows_and_recomputing_the_chain_is_detected_as_rebuilt(site, run_cli, how):
    ids = chain_of(site)
    conn = raw(site)
    conn.execute("DELETE FROM access_log WHERE resident_id = ?", [ids[1]])
    # renumber so there is no gap either
    for new_id, (old_id, *_rest) in enumerate(rows(conn), start=1):
        conn.execute("UPDATE access_log SET id = ? WHERE id = ?", [new_id, old_id])
    other = secrets.token_bytes(32)
    if how == "sha256":
        rechain(conn, lambda prev, row_id, fields: audit.legacy_row_hash(prev, fields))
    else:
        rechain(conn, lambda prev, row_id, fields: audit.row_mac(other, prev, row_id, fields))
    conn.close()
    kinds = {p.kind for p in problems_of(site)}
    assert audit.REBUILT in kinds
    code, out, err = run_cli(site, "audit", "verify", as_user="lee.lead")
    assert code == 1 and "rebuilt" in err


def test_deleting_the_tail_is_detected_as_truncation(site, run_cli):
    chain_of(site)
    conn = raw(site)
    last = rows(conn)[-1][0]
    conn.execute("DELETE FROM access_log WHERE id >= ?", [last - 2])
    new_last = conn.execute("SELECT id, hash FROM access_log ORDER BY id DESC LIMIT 1").fetchone()
    conn.execute("UPDATE hub_meta SET value = ? WHERE key = 'audit_head'", [f"{new_last[0]}:{new_last[1]}"])
    conn.commit()
    conn.close()
    problems = problems_of(site)
    assert [p.kind for p in problems] == [audit.TRUNCATED]
    code, out, err = run_cli(site, "audit", "verify", as_user="lee.lead")
    assert code == 1 and "truncated" in err


def test_deleting_a_row_in_the_middle_is_detected_as_deletion(site):
    chain_of(site)
    conn = raw(site)
    conn.execute("DELETE FROM access_log WHERE id = 3")
    conn.commit()
    conn.close()
    assert audit.DELETED in {p.kind for p in problems_of(site)}


def test_an_edited_row_is_detected_as_edited(site):
    chain_of(site)
    conn = raw(site)
    conn.execute("UPDATE access_log SET staff = 'somebody else' WHERE id = 2")
    conn.commit()
    conn.close()
    problems = problems_of(site)
    assert [(p.kind, p.row_id) for p in problems] == [(audit.EDITED, 2)]


def test_removing_or_forging_the_recorded_head_is_detected(site):
    chain_of(site)
    head = site.data / audit.HEAD_FILE
    saved = head.read_text()
    head.unlink()
    assert audit.HEAD in {p.kind for p in problems_of(site)}
    data = json.loads(saved)
    data["row"] = 2
    head.write_text(json.dumps(data))
    assert audit.HEAD in {p.kind for p in problems_of(site)}


def test_a_missing_key_is_reported_not_passed(site, run_cli):
    chain_of(site, 1)
    (site.data / audit.KEY_FILE).unlink()
    audit._KEYS.clear()
    code, out, err = run_cli(site, "audit", "verify", as_user="lee.lead")
    assert code != 0 and "key" in (out + err)


def test_an_unkeyed_chain_from_before_is_checked_and_re_keyed(tmp_path):
    """A database made before the key: its SHA-256 chain is checked, then carried on with the key."""
    from hub import cli
    from hub.config import load_site_config
    from hubtest import write_site

    site = write_site(tmp_path)
    hub = cli.build_hub(load_site_config(site))
    hub.open_storage()
    register(hub.db, "Old Person")
    hub.close()
    conn = sqlite3.connect(tmp_path / "data" / "hub.db")  # roll it back to how the old code left it
    conn.execute("DROP TRIGGER access_log_append_only_update")
    prev = audit.GENESIS
    for row_id, at, staff, terminal, resident_id, action in rows(conn):
        fields = {"at": at, "staff": staff, "terminal": terminal, "resident_id": resident_id, "action": action}
        value = audit.legacy_row_hash(prev, fields)
        conn.execute("UPDATE access_log SET prev_hash = ?, hash = ? WHERE id = ?", [prev, value, row_id])
        prev = value
    conn.execute("DELETE FROM _sqlite_migrations WHERE migration_set = 'hub_audit'")
    conn.execute("DELETE FROM hub_meta WHERE key = ?", [audit.LEGACY_CHECK_META])
    conn.commit()
    conn.close()
    (tmp_path / "data" / audit.HEAD_FILE).unlink()
    hub = cli.build_hub(load_site_config(site))
    hub.open_storage()
    notes: list[str] = []
    count, problems = audit.verify(hub.db, notes=notes)
    hub.close()
    assert problems == [] and count >= 1
    assert notes and "the old chain was intact" in notes[0]
