"""The access log as a hash chain: who viewed or changed whose record, when, from which kiosk.

Each row carries the hash of the row before it, so changing or deleting any row breaks
the chain, and `hub audit verify` says where. SQLite triggers refuse UPDATE and DELETE
on the table. The latest hash is also kept in ``hub_meta`` so a deleted tail shows up.
Rows hold ids and action names only, never personal data.

What this does not stop: someone who can write the database file directly and rewrites
the whole chain and the head together. Keep backups (their chain heads can be compared).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:
    from sqlite_utils import Database

GENESIS = "0" * 64
HEAD_KEY = "audit_head"
CHAINED_FIELDS = ("at", "staff", "terminal", "resident_id", "action")


def row_hash(prev_hash: str, row: dict) -> str:
    """SHA-256 over the previous hash and this row's fields, as canonical JSON."""
    payload = json.dumps([prev_hash, *[row.get(name) for name in CHAINED_FIELDS]], separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def append(db: "Database", row: dict) -> int:
    """Add one row to the chain. Call inside a write transaction so kiosks append in turn."""
    last = db.execute("SELECT id, hash FROM access_log ORDER BY id DESC LIMIT 1").fetchone()
    prev = last[1] if last and last[1] else GENESIS
    digest = row_hash(prev, row)
    cursor = db.execute(
        "INSERT INTO access_log (at, staff, terminal, resident_id, action, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [row.get("at"), row.get("staff"), row.get("terminal"), row.get("resident_id"), row.get("action"), prev, digest],
    )
    new_id = cursor.lastrowid
    db.execute(
        "INSERT INTO hub_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [HEAD_KEY, f"{new_id}:{digest}"],
    )
    return int(new_id)


@dataclass
class ChainProblem:
    row_id: int | None
    message: str

    def __str__(self) -> str:
        return f"row {self.row_id}: {self.message}" if self.row_id is not None else self.message


def verify(db: "Database") -> tuple[int, list[ChainProblem]]:
    """Walk the chain; return (rows checked, problems). No problems means nothing was edited or removed."""
    problems: list[ChainProblem] = []
    expected_prev = GENESIS
    previous_id = 0
    count = 0
    last_id, last_hash = None, None
    for row in _rows(db):
        count += 1
        if row["id"] != previous_id + 1:
            problems.append(ChainProblem(row["id"], f"rows {previous_id + 1} to {row['id'] - 1} are missing (deleted)"))
        if row["prev_hash"] != expected_prev:
            problems.append(ChainProblem(row["id"], "does not follow the row before it (a row before it was changed or removed)"))
        if row_hash(row["prev_hash"] or "", row) != row["hash"]:
            problems.append(ChainProblem(row["id"], "its contents were changed after it was written"))
        expected_prev = row["hash"]
        previous_id = row["id"]
        last_id, last_hash = row["id"], row["hash"]
    head = db.execute("SELECT value FROM hub_meta WHERE key = ?", [HEAD_KEY]).fetchone()
    if head is not None:
        head_id, _, head_hash = head[0].partition(":")
        if last_id is None or int(head_id) != last_id or head_hash != last_hash:
            problems.append(ChainProblem(None, f"the newest rows are missing: the log should end at row {head_id}, it ends at row {last_id}"))
    elif count:
        problems.append(ChainProblem(None, "the record of the newest row is missing"))
    return count, problems


def _rows(db: "Database") -> Iterator[dict]:
    cursor = db.execute("SELECT id, at, staff, terminal, resident_id, action, prev_hash, hash FROM access_log ORDER BY id")
    names = [column[0] for column in cursor.description]
    for values in cursor:
        yield dict(zip(names, values))


def chain_migration(db: "Database") -> None:
    """Core migration 0002: add the chain to an existing access log and make it append-only."""
    db["access_log"].add_column("prev_hash", str)
    db["access_log"].add_column("hash", str)
    prev = GENESIS
    head = None
    for row in list(_rows(db)):
        digest = row_hash(prev, row)
        db.execute("UPDATE access_log SET prev_hash = ?, hash = ? WHERE id = ?", [prev, digest, row["id"]])
        prev, head = digest, f"{row['id']}:{digest}"
    if head:
        db.execute("INSERT OR REPLACE INTO hub_meta (key, value) VALUES (?, ?)", [HEAD_KEY, head])
    db.execute(
        "CREATE TRIGGER access_log_append_only_update BEFORE UPDATE ON access_log "
        "BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END"
    )
    db.execute(
        "CREATE TRIGGER access_log_append_only_delete BEFORE DELETE ON access_log "
        "BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END"
    )
