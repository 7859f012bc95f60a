"""The core's own tables, as sqlite-utils migration sets: ``hub_meta`` (the hub's bookkeeping) and
``hub_core`` (residents and what hangs off them).

Plugins own their tables through ``register_migrations``; the hub records which tables each
plugin's migrations created in ``hub_table_owners`` (see hub.ownership), so data rights know
whose tables hold residents' data even when that plugin is not loaded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # sqlite_utils costs ~90 ms to import; migrations run in a worker
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

CORE_SETS = ("hub_meta", "hub_core")
"""Migration set names the core uses; a plugin may not reuse them."""


def meta_migrations() -> "Migrations":
    """The hub's bookkeeping: settings such as ``demo_seeded``, and who owns which table."""
    from sqlite_utils.migrations import Migrations

    migrations = Migrations("hub_meta")

    @migrations(name="0001_meta")
    def meta_table(db: "Database") -> None:
        db["hub_meta"].create({"key": str, "value": str}, pk="key")

    @migrations(name="0002_table_owners")
    def table_owners(db: "Database") -> None:
        # Which plugin's migrations created each table: recorded as they run, kept when the plugin is
        # not loaded, so a resident's export or erasure can refuse rather than silently skip its rows.
        db["hub_table_owners"].create(
            {"table_name": str, "plugin": str, "migration_set": str, "recorded_at": str}, pk="table_name",
        )

    return migrations


def core_migrations() -> "Migrations":
    """The core's tables. Plugins reference ``residents.id`` with foreign keys."""
    from sqlite_utils.migrations import Migrations

    migrations = Migrations("hub_core")

    @migrations(name="0001_residents")
    def residents_tables(db: "Database") -> None:
        db["residents"].create(
            {
                "id": int,
                "name": str,
                "preferred_name": str,
                "date_of_birth": str,
                "phone": str,
                "email": str,
                "address": str,
                "postcode": str,
                "in_area": int,
                "engagement": str,
                "referred_by": str,
                "status_at_registration": str,
                "registered_at": str,
                "registered_by": str,
                "updated_at": str,
            },
            pk="id",
            not_null={"name", "registered_at", "registered_by"},
        )
        db["residents"].create_index(["date_of_birth"])
        db["residents"].create_index(["postcode"])
        db["residents"].enable_fts(
            ["name", "preferred_name", "postcode"], create_triggers=True, tokenize="unicode61 remove_diacritics 2"
        )
        db["consents"].create(
            {
                "id": int,
                "resident_id": int,
                "purpose": str,
                "given": int,
                "recorded_at": str,
                "recorded_by": str,
            },
            pk="id",
            foreign_keys=[("resident_id", "residents", "id")],
            not_null={"resident_id", "purpose", "given", "recorded_at", "recorded_by"},
        )
        db["consents"].create_index(["resident_id", "purpose"])
        db["contacts"].create(
            {
                "id": int,
                "resident_id": int,
                "contact_date": str,
                "kind": str,
                "note": str,
                "staff": str,
                "recorded_at": str,
            },
            pk="id",
            foreign_keys=[("resident_id", "residents", "id")],
            not_null={"resident_id", "contact_date", "kind", "staff", "recorded_at"},
        )
        db["contacts"].create_index(["resident_id", "contact_date"])
        # Who looked at or changed which record: ids and actions only, never personal data.
        db["access_log"].create(
            {"id": int, "at": str, "staff": str, "terminal": str, "resident_id": int, "action": str},
            pk="id",
            not_null={"at", "staff", "action"},
        )
        db["access_log"].create_index(["resident_id"])

    @migrations(name="0002_access_log_hash_chain")
    def access_log_chain(db: "Database") -> None:
        from hub.audit import chain_migration

        chain_migration(db)

    @migrations(name="0003_staff_accounts")
    def staff_accounts(db: "Database") -> None:
        from hub.staff import staff_migration

        staff_migration(db)

    @migrations(name="0004_erasure")
    def erasure(db: "Database") -> None:
        db["residents"].add_column("erased_at", str)  # when a resident was erased (the row stays, de-identified)

    @migrations(name="0005_address_history")
    def address_history_table(db: "Database") -> None:
        db["resident_addresses"].create(
            {
                "id": int,
                "resident_id": int,
                "address": str,
                "postcode": str,
                "in_area": int,
                "from_date": str,
                "recorded_at": str,
                "recorded_by": str,
            },
            pk="id",
            foreign_keys=[("resident_id", "residents", "id")],
            not_null={"resident_id", "in_area", "from_date", "recorded_at", "recorded_by"},
        )
        db["resident_addresses"].create_index(["resident_id", "from_date"])
        # Everyone registered so far: the address on their record, from the day they registered.
        db.execute(
            "insert into resident_addresses (resident_id, address, postcode, in_area, from_date, recorded_at, recorded_by) "
            "select id, address, postcode, coalesce(in_area, 0), substr(registered_at, 1, 10), registered_at, registered_by "
            "from residents where erased_at is null"
        )

    @migrations(name="0006_background_jobs")
    def background_jobs(db: "Database") -> None:
        # One row per background job: its last run (hub.jobs).
        db["hub_jobs"].create(
            {"name": str, "plugin": str, "last_started": str, "last_finished": str, "last_ok": int, "last_summary": str},
            pk="name",
        )

    return migrations
