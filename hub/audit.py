"""The access log as a keyed hash chain: who viewed or changed whose record, when, from which kiosk.

Each row carries an HMAC-SHA256, made with the site's audit key, over the row before it and
its own fields (its id included). The key lives outside the database (``audit.key`` beside
it, 0600, like the passport signing key), so someone who can write the database file can
neither edit a row nor recompute the chain after deleting rows: `hub audit verify` finds it.
The newest row's id and MAC are also recorded outside the database (``audit-head.json``,
itself MACed), so a deleted tail (truncation) shows up too. SQLite triggers refuse UPDATE and
DELETE on the table, against accidents. Rows hold ids and action names only, never personal data.

Chains from before the key (plain SHA-256) are checked once and re-chained with the key by
the ``hub_audit`` migration; what that check found is kept in ``hub_meta`` and reported.

What this does not stop: someone holding both the key and the database. Keep the key's
backup apart from the database's backups.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

GENESIS = "0" * 64
HEAD_KEY = "audit_head"
KEY_FILE = "audit.key"
HEAD_FILE = "audit-head.json"
KEY_ENV = "HUB_AUDIT_KEY_FILE"
"""Set to keep the audit key somewhere other than beside the database (recommended for live sites)."""
LEGACY_CHECK_META = "audit_legacy_check"
CHAINED_FIELDS = ("at", "staff", "terminal", "resident_id", "action")


class AuditKeyError(Exception):
    """The audit key is missing or unreadable; the log cannot be verified or extended."""


# -- where the key and the head live -------------------------------------------------------

_KEYS: dict[str, bytes] = {}
_KEY_PATHS: dict[str, Path] = {}


def database_file(db: "Database") -> str:
    """The main database file's path ('' for an in-memory database)."""
    for _seq, name, file in db.execute("PRAGMA database_list").fetchall():
        if name == "main":
            return file or ""
    return ""


def use_key_file(database_path: Path | str, key_path: Path | str) -> None:
    """Keep this database's audit key at ``key_path`` (else beside the database, or $HUB_AUDIT_KEY_FILE)."""
    resolved = str(Path(database_path).resolve())
    _KEY_PATHS[resolved] = Path(key_path)
    _KEYS.pop(resolved, None)


def key_path_for(database_path: str) -> Path:
    resolved = str(Path(database_path).resolve())
    if resolved in _KEY_PATHS:
        return _KEY_PATHS[resolved]
    if os.environ.get(KEY_ENV):
        return Path(os.environ[KEY_ENV]).expanduser()
    return Path(resolved).parent / KEY_FILE


def head_path_for(database_path: str) -> Path:
    return Path(database_path).resolve().parent / HEAD_FILE


def _write_private(path: Path, data: bytes) -> None:
    """Write a file readable by its owner only, whole or not at all (temporary name, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o600)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise


def site_key(db: "Database", *, create: bool = True) -> bytes:
    """The audit key for this database: read from its file, created (0600) the first time."""
    file = database_file(db)
    cache_key = str(Path(file).resolve()) if file else f"memory:{id(db.conn)}"
    if cache_key in _KEYS:
        return _KEYS[cache_key]
    if not file:
        key = _KEYS.setdefault(cache_key, secrets.token_bytes(32))
        return key
    path = key_path_for(file)
    try:
        text = path.read_text(encoding="ascii").strip()
        key = bytes.fromhex(text)
        if len(key) < 32:
            raise ValueError("too short")
    except FileNotFoundError:
        if not create:
            raise AuditKeyError(f"The access log's key {path} is missing: the log cannot be checked without it.") from None
        key = secrets.token_bytes(32)
        _create_key(path, key)
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())  # another kiosk may have won the race
    except (OSError, ValueError) as exc:
        raise AuditKeyError(f"The access log's key {path} cannot be read ({exc}): restore it from its backup.") from None
    _KEYS[cache_key] = key
    return key


def _create_key(path: Path, key: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key.hex() + "\n")


# -- the chain -----------------------------------------------------------------------------


def row_mac(key: bytes, prev_hash: str, row_id: int, row: dict) -> str:
    """HMAC-SHA256 over the previous row's MAC, this row's id and its fields, as canonical JSON."""
    payload = json.dumps([prev_hash, row_id, *[row.get(name) for name in CHAINED_FIELDS]], separators=(",", ":"),
                         ensure_ascii=False)
    return hmac.new(key, payload.encode("utf-8"), hashlib.sha256).hexdigest()


def legacy_row_hash(prev_hash: str, row: dict) -> str:
    """The unkeyed SHA-256 the chain used before it had a key (kept to check and migrate old logs)."""
    payload = json.dumps([prev_hash, *[row.get(name) for name in CHAINED_FIELDS]], separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


row_hash = legacy_row_hash  # the old name


def append(db: "Database", row: dict) -> int:
    """Add one row to the chain. Call inside a write transaction so kiosks append in turn."""
    key = site_key(db)
    last = db.execute("SELECT id, hash FROM access_log ORDER BY id DESC LIMIT 1").fetchone()
    if last is not None:
        _record_head(db, key, int(last[0]), last[1])  # catch up: every earlier row is committed by now
    prev = last[1] if last and last[1] else GENESIS
    new_id = (int(last[0]) if last else 0) + 1
    digest = row_mac(key, prev, new_id, row)
    db.execute(
        "INSERT INTO access_log (id, at, staff, terminal, resident_id, action, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [new_id, row.get("at"), row.get("staff"), row.get("terminal"), row.get("resident_id"), row.get("action"), prev, digest],
    )
    db.execute(
        "INSERT INTO hub_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [HEAD_KEY, f"{new_id}:{digest}"],
    )
    from hub.storage import after_commit

    after_commit(db, lambda: _record_head(db, key, new_id, digest))
    return new_id


def _head_mac(key: bytes, row_id: int, digest: str) -> str:
    return hmac.new(key, f"head:{row_id}:{digest}".encode(), hashlib.sha256).hexdigest()


def recorded_head(db: "Database") -> dict | None:
    """The head recorded outside the database: {"row": id, "hash": mac}, or None if there is none."""
    file = database_file(db)
    if not file:
        return _MEMORY_HEADS.get(id(db.conn))
    try:
        data = json.loads(head_path_for(file).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {"row": None, "hash": None, "bad": True}
    return data if isinstance(data, dict) else {"row": None, "hash": None, "bad": True}


_MEMORY_HEADS: dict[int, dict] = {}


def _record_head(db: "Database", key: bytes, row_id: int, digest: str, *, force: bool = False) -> None:
    """Move the recorded head forward (never back, unless ``force``: a restore)."""
    file = database_file(db)
    entry = {"row": row_id, "hash": digest, "mac": _head_mac(key, row_id, digest)}
    if not file:
        current = _MEMORY_HEADS.get(id(db.conn))
        if force or not current or (current.get("row") or 0) < row_id:
            _MEMORY_HEADS[id(db.conn)] = entry
        return
    path = head_path_for(file)
    with _locked(path.with_name(HEAD_FILE + ".lock")):
        if not force:
            current = recorded_head(db)
            if current and not current.get("bad") and isinstance(current.get("row"), int) and current["row"] >= row_id:
                return
        _write_private(path, json.dumps(entry).encode("utf-8"))


@contextlib.contextmanager
def _locked(lock_path: Path):
    import fcntl

    lock_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def reset_head(db: "Database") -> None:
    """After a restore: the database's own newest row becomes the recorded head."""
    key = site_key(db)
    last = db.execute("SELECT id, hash FROM access_log ORDER BY id DESC LIMIT 1").fetchone()
    if last is None:
        file = database_file(db)
        if file:
            head_path_for(file).unlink(missing_ok=True)
        return
    _record_head(db, key, int(last[0]), last[1], force=True)


def last_row(db: "Database") -> tuple[int, str] | None:
    row = db.execute("SELECT id, hash FROM access_log ORDER BY id DESC LIMIT 1").fetchone()
    return (int(row[0]), row[1]) if row else None


# -- checking ------------------------------------------------------------------------------

EDITED = "edited"
DELETED = "deleted"
TRUNCATED = "truncated"
REBUILT = "rebuilt"
HEAD = "head"


@dataclass
class ChainProblem:
    row_id: int | None
    message: str
    kind: str = EDITED
    """edited, deleted, truncated, rebuilt or head (the record outside the database)."""

    def __str__(self) -> str:
        return f"row {self.row_id}: {self.message}" if self.row_id is not None else self.message


def verify(db: "Database", *, notes: list[str] | None = None) -> tuple[int, list[ChainProblem]]:
    """Walk the chain; return (rows checked, problems). No problems: nothing was edited, removed or rebuilt.

    ``notes`` (if given) receives facts that are not problems, such as the result of checking
    a pre-key chain when it was migrated."""
    key = site_key(db, create=False) if database_file(db) else site_key(db)
    problems: list[ChainProblem] = []
    expected_prev = GENESIS
    previous_id = 0
    count = 0
    forged = 0
    last_id, last_hash = None, None
    macs: dict[int, str] = {}
    for row in _rows(db):
        count += 1
        if row["id"] != previous_id + 1:
            problems.append(ChainProblem(row["id"], f"rows {previous_id + 1} to {row['id'] - 1} are missing (deleted)", DELETED))
        if row["prev_hash"] != expected_prev:
            problems.append(ChainProblem(row["id"], "does not follow the row before it (a row before it was changed or removed)",
                                         DELETED if row["id"] != previous_id + 1 else EDITED))
        if not hmac.compare_digest(row_mac(key, row["prev_hash"] or "", row["id"], row), row["hash"] or ""):
            if row["hash"] == legacy_row_hash(row["prev_hash"] or "", row):
                forged += 1
            else:
                problems.append(ChainProblem(row["id"], "its contents were changed after it was written", EDITED))
        expected_prev = row["hash"]
        previous_id = row["id"]
        last_id, last_hash = row["id"], row["hash"]
        macs[row["id"]] = row["hash"]
    # Two or more rows in a row whose MACs fail while their links agree were recomputed, not
    # merely edited: someone rebuilt that stretch of the chain without the site's key.
    failing = [p for p in problems if p.kind == EDITED and p.message.startswith("its contents")]
    runs: list[list[ChainProblem]] = []
    for problem in failing:
        if runs and runs[-1][-1].row_id == problem.row_id - 1:
            runs[-1].append(problem)
        else:
            runs.append([problem])
    for run in runs:
        if len(run) >= 2:
            problems = [p for p in problems if p not in run]
            problems.append(ChainProblem(run[0].row_id, f"rows {run[0].row_id} to {run[-1].row_id} were rewritten with a key "
                                                        "that is not the site's: the chain was rebuilt", REBUILT))
    if forged:
        problems.append(ChainProblem(None, f"{forged} row(s) were rewritten without the site's key: the chain was rebuilt "
                                           "(rows deleted or changed, then the hashes recomputed)", REBUILT))
    head = recorded_head(db)
    if head is None:
        if count:
            problems.append(ChainProblem(None, "the record of the newest row, kept outside the database, is missing "
                                               f"({HEAD_FILE}): it was deleted, or the log was copied from elsewhere", HEAD))
    elif head.get("bad") or not hmac.compare_digest(
        _head_mac(key, int(head.get("row") or 0), str(head.get("hash"))), str(head.get("mac") or "")
    ):
        problems.append(ChainProblem(None, f"the record of the newest row ({HEAD_FILE}) was altered", HEAD))
    else:
        head_id, head_hash = int(head["row"]), head["hash"]
        if last_id is None or last_id < head_id:
            problems.append(ChainProblem(None, f"the newest rows are missing (truncated): the log should reach row {head_id}, "
                                               f"it ends at row {last_id or 0}", TRUNCATED))
        elif head_id in macs and macs[head_id] != head_hash:
            problems.append(ChainProblem(head_id, "is not the row that was written there: the chain was rebuilt", REBUILT))
        elif head_id not in macs:
            problems.append(ChainProblem(head_id, "the row recorded as the newest is missing (deleted)", DELETED))
    if notes is not None:
        legacy = db.execute("SELECT value FROM hub_meta WHERE key = ?", [LEGACY_CHECK_META]).fetchone()
        if legacy:
            notes.append(legacy[0])
    return count, problems


def _rows(db: "Database") -> Iterator[dict]:
    cursor = db.execute("SELECT id, at, staff, terminal, resident_id, action, prev_hash, hash FROM access_log ORDER BY id")
    names = [column[0] for column in cursor.description]
    for values in cursor:
        yield dict(zip(names, values))


# -- migrations ----------------------------------------------------------------------------

_TRIGGERS = (
    "CREATE TRIGGER access_log_append_only_update BEFORE UPDATE ON access_log "
    "BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END",
    "CREATE TRIGGER access_log_append_only_delete BEFORE DELETE ON access_log "
    "BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END",
)


def chain_migration(db: "Database") -> None:
    """Core migration 0002: add the (then unkeyed) chain to an existing access log, append-only."""
    db["access_log"].add_column("prev_hash", str)
    db["access_log"].add_column("hash", str)
    prev = GENESIS
    head = None
    for row in list(_rows(db)):
        digest = legacy_row_hash(prev, row)
        db.execute("UPDATE access_log SET prev_hash = ?, hash = ? WHERE id = ?", [prev, digest, row["id"]])
        prev, head = digest, f"{row['id']}:{digest}"
    if head:
        db.execute("INSERT OR REPLACE INTO hub_meta (key, value) VALUES (?, ?)", [HEAD_KEY, head])
    for sql in _TRIGGERS:
        db.execute(sql)


def legacy_problems(db: "Database") -> list[str]:
    """Problems in a chain from before the key (plain SHA-256): rows missing or changed."""
    problems = []
    prev, previous_id = GENESIS, 0
    for row in _rows(db):
        if row["id"] != previous_id + 1:
            problems.append(f"row {row['id']}: rows before it missing")
        if row["prev_hash"] != prev or row["hash"] != legacy_row_hash(row["prev_hash"] or "", row):
            problems.append(f"row {row['id']}: changed")
        prev, previous_id = row["hash"], row["id"]
    return problems


def keyed_chain_migration(db: "Database") -> None:
    """Check the unkeyed chain as it stands, then re-chain every row with the site's key.

    What the check found is kept (``hub audit verify`` reports it): rows altered before the
    key existed cannot be told apart afterwards, so the migration says what it saw."""
    from datetime import datetime, timezone

    def now_iso() -> str:  # as hub.residents.now_iso; not imported, so the core keeps no import circle
        return datetime.now(timezone.utc).isoformat(timespec="seconds")

    key = site_key(db)
    rows = list(_rows(db))
    problems = legacy_problems(db)
    db.execute("DROP TRIGGER IF EXISTS access_log_append_only_update")
    db.execute("DROP TRIGGER IF EXISTS access_log_append_only_delete")
    prev = GENESIS
    for row in rows:
        digest = row_mac(key, prev, row["id"], row)
        db.execute("UPDATE access_log SET prev_hash = ?, hash = ? WHERE id = ?", [prev, digest, row["id"]])
        prev = digest
    for sql in _TRIGGERS:
        db.execute(sql)
    verdict = (f"{len(rows)} row(s) written before the log had a key were checked and re-keyed on {now_iso()[:10]}: "
               + ("the old chain was intact." if not problems else f"the old chain had {len(problems)} problem(s) then: "
                  + "; ".join(problems[:5])))
    db.execute("INSERT OR REPLACE INTO hub_meta (key, value) VALUES (?, ?)", [LEGACY_CHECK_META, verdict])
    if rows:
        db.execute("INSERT OR REPLACE INTO hub_meta (key, value) VALUES (?, ?)", [HEAD_KEY, f"{rows[-1]['id']}:{prev}"])
        last_id = rows[-1]["id"]
        from hub.storage import after_commit

        after_commit(db, lambda: _record_head(db, key, last_id, prev, force=True))


def audit_migrations() -> "Migrations":
    """The ``hub_audit`` migration set (applied after the core's)."""
    from sqlite_utils.migrations import Migrations

    migrations = Migrations("hub_audit")

    @migrations(name="0001_keyed_chain")
    def keyed(db: "Database") -> None:
        keyed_chain_migration(db)

    return migrations
