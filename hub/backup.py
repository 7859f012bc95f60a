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

    An encrypted site's backups are encrypted with the same key."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        raise StorageError(f"{target} already exists: choose another name.")
    dest = connect(target, key)
    try:
        live.backup(dest)
        problems = integrity_problems(dest)
    except DB_ERRORS as exc:
        dest.close()
        target.unlink(missing_ok=True)
        raise StorageError(explain_sqlite_error(exc, target)) from None
    dest.close()
    os.chmod(target, 0o600)  # it holds residents' personal data
    if problems:
        raise StorageError(f"The backup {target} failed its integrity check: {problems[0]}")
    return target


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
    """Replace the live database's contents with the backup; keep a safety copy of what was there."""
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
