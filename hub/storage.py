"""The site database: one SQLite file per site, shared safely by several kiosks.

WAL lets readers carry on while one kiosk writes; the busy timeout makes a
second writer wait instead of failing; foreign keys are on so a contact can never
point at a resident who does not exist. Each plugin owns a sqlite-utils
``Migrations`` set, applied at startup, each migration in its own transaction.
Every low-level failure is turned into a StorageError whose message tells a
site lead what to do.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

if TYPE_CHECKING:  # sqlite_utils costs ~90 ms to import; callers import it in a worker
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

BUSY_TIMEOUT_MS = 5000
"""How long a write waits for another kiosk's write to finish before giving up."""


class StorageError(Exception):
    """The database cannot be used; the message says why and what to do, without a traceback."""


def explain_sqlite_error(exc: sqlite3.Error, path: Path | str) -> str:
    """Turn SQLite's terse errors into advice a site lead can act on."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return (
            f"The database {path} is busy: another kiosk or program has held it for more than "
            f"{BUSY_TIMEOUT_MS // 1000} seconds. Try again; if it persists, close other copies of the hub."
        )
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return (
            f"The database {path} is damaged or is not a hub database ({exc}). "
            "Do not delete it: move it aside and restore the latest backup (see docs/site-config.md)."
        )
    if "readonly" in text or "read-only" in text:
        return f"The database {path} is read-only: give the hub permission to write to it and its folder."
    if "unable to open" in text or "disk i/o" in text:
        return f"The database {path} cannot be opened ({exc}): check the folder exists and is writable."
    if "full" in text:
        return f"The disk holding {path} is full: free some space; nothing was saved."
    return f"The database {path} reported an error: {exc}"


def open_database(path: Path | str) -> "Database":
    """Open (creating if needed) the site database with WAL, a busy timeout and foreign keys."""
    from sqlite_utils import Database

    path = Path(path)
    if str(path) != ":memory:":
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"Cannot create the data folder {path.parent}: {exc.strerror}.") from None
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        # Reading the schema is the cheapest way to find a file that is not a database.
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        if str(path) != ":memory:":
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise StorageError(f"The database {path} could not switch to WAL mode (it reports {mode!r}).")
        conn.execute("PRAGMA synchronous = NORMAL")  # safe with WAL; a power cut loses at most the last commit
    except sqlite3.Error as exc:
        raise StorageError(explain_sqlite_error(exc, path)) from None
    return Database(conn, execute_plugins=False)


def apply_migrations(db: "Database", migration_sets: Iterable["Migrations"], path: Path | str = "") -> list[str]:
    """Apply every pending migration; return the names applied. A failing migration leaves no trace."""
    applied: list[str] = []
    for migrations in migration_sets:
        pending = [m.name for m in migrations.pending(db)]
        try:
            migrations.apply(db)
        except sqlite3.Error as exc:
            raise StorageError(explain_sqlite_error(exc, path or "site database")) from None
        applied.extend(f"{migrations.name}:{name}" for name in pending)
    return applied



@contextlib.contextmanager
def write_transaction(db: "Database") -> Iterator["Database"]:
    """All-or-nothing writes that wait their turn behind other kiosks.

    ``BEGIN IMMEDIATE`` takes the write lock up front, so the busy timeout applies. A plain
    ``BEGIN`` (what ``db.atomic()`` uses) can read first and then fail at once with
    "database is locked" when another kiosk wrote in between. Nested calls use savepoints.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    else:
        try:
            db.conn.execute("COMMIT")
        except BaseException:
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
            raise
