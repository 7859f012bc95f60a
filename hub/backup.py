"""Backups and restores with SQLite's online backup API: safe while kiosks are using the database.

The backup API copies a consistent snapshot page by page and takes the locks it needs,
so neither command needs the kiosks closed; a restore is still best done with them closed,
because open kiosks keep showing what they had on screen.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path

from hub.storage import DB_ERRORS, StorageError, connect, explain_sqlite_error


def integrity_problems(conn: sqlite3.Connection) -> list[str]:
    rows = [row[0] for row in conn.execute("PRAGMA integrity_check").fetchall()]
    return [] if rows == ["ok"] else rows


def backup_database(live, target: Path, key: str | None = None) -> Path:
    """Copy the live database to ``target`` (readable only by its owner) and check the copy.

    The copy is written under a temporary name beside ``target`` and renamed only once it is
    complete and checked, so a killed backup never leaves a partial file that looks like a
    backup. An encrypted site's backups are encrypted with the same key."""
    from hub.storage import make_private, private_folder

    private_folder(target.parent)
    if target.exists():
        raise StorageError(f"{target} already exists: choose another name.")
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    _clear_partial(partial)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # 0600 before a byte is written
    os.close(fd)
    try:
        dest = connect(partial, key)
        try:
            live.backup(dest)
            problems = integrity_problems(dest)
            dest.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
        finally:
            dest.close()
    except DB_ERRORS as exc:
        _clear_partial(partial)
        raise StorageError(explain_sqlite_error(exc, target)) from None
    except BaseException:
        _clear_partial(partial)
        raise
    if problems:
        _clear_partial(partial)
        raise StorageError(f"The backup {target} failed its integrity check: {problems[0]}")
    make_private(partial)
    os.replace(partial, target)
    return target


def _clear_partial(partial: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)


def default_backup_path(data_dir: Path) -> Path:
    return data_dir / "backups" / f"hub-{datetime.now().strftime('%Y%m%d-%H%M%S')}.db"


def check_backup_file(path: Path, key: str | None = None):
    """Open a backup and make sure it is a sound hub database (nothing is written to it)."""
    if not path.is_file():
        raise StorageError(f"No backup file at {path}.")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True) if key is None else connect(path, key)
        problems = integrity_problems(conn)
        has_core = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlite_migrations'"
        ).fetchone()[0] and conn.execute(
            "SELECT count(*) FROM _sqlite_migrations WHERE migration_set = 'hub_core'"
        ).fetchone()[0]
    except DB_ERRORS as exc:
        raise StorageError(explain_sqlite_error(exc, path)) from None
    if problems:
        conn.close()
        raise StorageError(f"The backup {path} is damaged ({problems[0]}): choose an older backup.")
    if not has_core:
        conn.close()
        raise StorageError(f"{path} is not a hub database backup.")
    return conn


def restore_database(backup_path: Path, live, data_dir: Path, key: str | None = None) -> Path:
    """Replace the live database's contents with the backup; keep a safety copy of what was there.

    The low-level copy only: ``hub restore`` goes through hub.restore, which also keeps the
    live accounts, applies the erasure ledger again and compares the access log's heads."""
    source = check_backup_file(backup_path, key)
    safety = data_dir / "backups" / f"before-restore-{datetime.now().strftime('%Y%m%d-%H%M%S')}.db"
    backup_database(live, safety, key)
    try:
        source.backup(live)
    except DB_ERRORS as exc:
        raise StorageError(explain_sqlite_error(exc, backup_path)) from None
    finally:
        source.close()
    return safety
