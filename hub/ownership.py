"""Who owns which table, and which tables hold residents' data: what the data-rights gate reads.

The hub records, as each migration set runs, the tables it created (``hub_table_owners``, a core
table). The record stays when a plugin is later switched off, fails to import or is left out by
``HUB_LOAD_PLUGINS``, so a subject access export or an erasure can refuse, naming that plugin,
instead of silently skipping its rows. A table "holds residents' data" when it has a
``resident_id`` column or a foreign key to ``residents``.

Pure storage functions: no Textual, no plugin imports.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

log = logging.getLogger("hub.ownership")

CORE_OWNER = "hub"
"""The owner recorded for the core's own tables (residents, consents, contacts, the access log...)."""

RESIDENT_COLUMN = "resident_id"


def table_names(db: "Database") -> set[str]:
    """The database's tables, SQLite's own (sqlite_sequence, sqlite_stat1) left out."""
    return {row[0] for row in db.execute("select name from sqlite_master where type = 'table' and name not like 'sqlite\\_%' escape '\\'")}


def owners(db: "Database") -> dict[str, str]:
    """Table -> the plugin (or CORE_OWNER) whose migrations created it."""
    if "hub_table_owners" not in table_names(db):
        return {}
    return {row[0]: row[1] for row in db.execute("select table_name, plugin from hub_table_owners")}


def record_owner(db: "Database", plugin: str, migration_set: str, tables: Iterable[str]) -> None:
    """Record ``plugin`` as the owner of ``tables`` (a table already owned keeps its first owner)."""
    from hub.storage import write_transaction

    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    with write_transaction(db):
        for table in sorted(tables):
            db.execute(
                "insert or ignore into hub_table_owners (table_name, plugin, migration_set, recorded_at) values (?, ?, ?, ?)",
                [table, plugin, migration_set, stamp],
            )


def recorded_sets(db: "Database") -> set[str]:
    if "hub_table_owners" not in table_names(db):
        return set()
    return {row[0] for row in db.execute("select distinct migration_set from hub_table_owners")}


def applied_sets(db: "Database") -> set[str]:
    if "_sqlite_migrations" not in table_names(db):
        return set()
    return {row[0] for row in db.execute("select distinct migration_set from _sqlite_migrations")}


def tables_made_by(migrations: "Migrations", prerequisites: Iterable["Migrations"] = ()) -> set[str]:
    """The tables a migration set creates, found by running it on a scratch in-memory database.

    For a database whose plugin migrations ran before the hub recorded owners: the site's
    database is not touched. ``prerequisites`` (the core's sets) run first, for foreign keys.
    """
    from sqlite_utils import Database

    scratch = Database(memory=True, execute_plugins=False)
    try:
        for earlier in prerequisites:
            earlier.apply(scratch)
        before = table_names(scratch)
        migrations.apply(scratch)
        return table_names(scratch) - before - {"_sqlite_migrations"}
    finally:
        scratch.close()


def holds_resident_data(db: "Database", table: str) -> bool:
    """A ``resident_id`` column, or a foreign key to ``residents``."""
    quoted = table.replace('"', '""')
    try:
        columns = [row[1] for row in db.execute(f'pragma table_info("{quoted}")')]
        references = [row[2] for row in db.execute(f'pragma foreign_key_list("{quoted}")')]
    except Exception:  # a virtual table whose module this connection lacks
        return False
    return RESIDENT_COLUMN in columns or "residents" in references


@dataclass(frozen=True)
class ResidentTable:
    table: str
    owner: str | None
    """The plugin (or CORE_OWNER) that owns it; None when nothing recorded it."""


def resident_tables(db: "Database") -> list[ResidentTable]:
    """Every table holding residents' data, with its recorded owner."""
    known = owners(db)
    return [
        ResidentTable(table, known.get(table))
        for table in sorted(table_names(db))
        if table != "residents" and not table.startswith("sqlite_") and holds_resident_data(db, table)
    ]


def plugins_holding_resident_data(db: "Database") -> dict[str, list[str]]:
    """Plugin -> its tables that hold residents' data (the core's own left out)."""
    held: dict[str, list[str]] = {}
    for item in resident_tables(db):
        if item.owner and item.owner != CORE_OWNER:
            held.setdefault(item.owner, []).append(item.table)
    return held
