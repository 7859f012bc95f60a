"""The directory's tables and their migrations (the store writes them, the search reads them).

Tables are shaped on HSDS 3.0 (services, organizations, locations,
service_at_location, schedules, contacts, phones, taxonomy terms) and prefixed
``directory_`` so they never clash with the core's tables (the core already has
a ``contacts`` table for residents). Every record keeps the source it came from
and that source's own id; ``key`` ("manchester:1234") is unique across sources.
``directory_records`` keeps each service's whole parsed record, apart from the
service rows so those stay small. The search index's own tables are described
in ``index.py`` (migration 0003); referrals' in ``referrals.py`` (0002).

Migrations never change once released: 0001 still creates the first FTS table
with its triggers, and 0003 removes it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

MIGRATIONS_NAME = "hub_signposting"

FTS_COLUMNS = ("name", "other_names", "terms", "need_labels", "description")
FTS_WEIGHTS = (10.0, 4.0, 4.0, 4.0, 1.0)
"""The first FTS table's columns and weights (0001; removed by 0003, see index.py for today's)."""
FTS_TOKENIZER = "porter unicode61 remove_diacritics 2"


def migrations() -> "Migrations":
    """The plugin's tables: the directory (0001), referrals (0002), the search index (0003)."""
    from sqlite_utils import Migrations

    from . import referrals

    migrations = Migrations(MIGRATIONS_NAME)

    @migrations(name="0001_directory")
    def directory(db: "Database") -> None:
        create_directory_tables(db)

    @migrations(name="0002_referrals")
    def referral_tables(db: "Database") -> None:
        referrals.create_tables(db)

    @migrations(name="0003_search_index")
    def search_index(db: "Database") -> None:
        add_search_index(db)

    return migrations


def add_search_index(db: "Database") -> None:
    """0003: the search index (``index.py``) replaces the FTS table kept by triggers on
    ``directory_services`` (one index segment written per row during a load); the raw upstream
    record's hash is kept so an unchanged record is skipped before it is parsed."""
    from . import index
    from .store import rebuild_index

    if "directory_services_fts" in db.table_names():
        db["directory_services"].disable_fts()
    if "raw_hash" not in db["directory_services"].columns_dict:
        db.execute("alter table directory_services add column raw_hash text")
    db.execute("create index if not exists directory_services_source_id on directory_services(source, source_id)")
    index.create_tables(db)
    rebuild_index(db)


def create_directory_tables(db: "Database") -> None:
    db["directory_sources"].create(
        {
            "name": str,
            "label": str,
            "kind": str,
            "location": str,
            "last_attempt_at": str,
            "last_attempt_complete": int,
            "last_good_sync_at": str,
            "last_error": str,
            "last_run_id": int,
        },
        pk="name",
    )
    db["directory_sync_runs"].create(
        {
            "id": int,
            "source": str,
            "started_at": str,
            "finished_at": str,
            "complete": int,
            "incremental": int,
            "batches": int,
            "received": int,
            "added": int,
            "updated": int,
            "unchanged": int,
            "removed": int,
            "skipped": int,
            "warnings": int,
            "error": str,
            "skipped_reasons": str,
            "notes": str,
        },
        pk="id",
        not_null={"source", "started_at"},
    )
    db["directory_sync_runs"].create_index(["source", "id"])
    db["directory_sync_skips"].create(
        {"id": int, "run_id": int, "record_id": str, "reason": str},
        pk="id",
        foreign_keys=[("run_id", "directory_sync_runs", "id")],
    )
    db["directory_sync_skips"].create_index(["run_id"])

    db["directory_organizations"].create(
        {
            "id": int,
            "key": str,
            "source": str,
            "source_id": str,
            "name": str,
            "description": str,
            "email": str,
            "website": str,
        },
        pk="id",
        not_null={"key", "source", "source_id", "name"},
    )
    db["directory_organizations"].create_index(["key"], unique=True)
    db["directory_organizations"].create_index(["source"])

    db["directory_services"].create(
        {
            "id": int,
            "key": str,
            "source": str,
            "source_id": str,
            "organization_id": int,
            "name": str,
            "alternate_name": str,
            "organization_name": str,
            "other_names": str,
            "name_words": str,
            "other_words": str,
            "description": str,
            "terms": str,
            "need_labels": str,
            "url": str,
            "email": str,
            "phones": str,
            "status": str,
            "attending_access": str,
            "attending_types": str,
            "minimum_age": int,
            "maximum_age": int,
            "fees_description": str,
            "eligibility_description": str,
            "alert": str,
            "assured_date": str,
            "last_modified": str,
            "last_checked": str,
            "bank_holiday_opening": str,
            "week_slots": str,
            "week_days": str,
            "is_remote": int,
            "has_position": int,
            "warnings": str,
            "content_hash": str,
            "first_seen_at": str,
            "updated_at": str,
        },
        pk="id",
        foreign_keys=[("organization_id", "directory_organizations", "id")],
        not_null={"key", "source", "source_id", "name", "status"},
    )
    db["directory_services"].create_index(["key"], unique=True)
    db["directory_services"].create_index(["source"])
    db["directory_services"].create_index(["is_remote", "has_position"])
    db["directory_records"].create(
        {"service_id": int, "record_json": str},
        pk="service_id",
        foreign_keys=[("service_id", "directory_services", "id")],
        not_null={"record_json"},
    )
    db["directory_services"].enable_fts(list(FTS_COLUMNS), create_triggers=True, tokenize=FTS_TOKENIZER)
    weights = ", ".join(f"{w:.1f}" for w in FTS_WEIGHTS)
    db.execute(
        "insert into directory_services_fts(directory_services_fts, rank) values('rank', ?)", [f"bm25({weights})"]
    )

    db["directory_locations"].create(
        {
            "id": int,
            "key": str,
            "source": str,
            "source_id": str,
            "name": str,
            "location_type": str,
            "address": str,
            "postcode": str,
            "latitude": float,
            "longitude": float,
            "position": str,
            "description": str,
            "transportation": str,
            "external_identifier": str,
            "external_identifier_type": str,
        },
        pk="id",
        not_null={"key", "source", "source_id"},
    )
    db["directory_locations"].create_index(["key"], unique=True)
    db["directory_locations"].create_index(["latitude", "longitude"])
    db["directory_locations"].create_index(["source"])

    # latitude/longitude repeat the location's (physical sites only) so a search reads one index:
    # (service_id, ...) to place a text match, (cell, ...) to find what is near a postcode.
    db["directory_service_at_location"].create(
        {"id": int, "key": str, "service_id": int, "location_id": int, "description": str,
         "latitude": float, "longitude": float, "cell": int},
        pk="id",
        foreign_keys=[("service_id", "directory_services", "id"), ("location_id", "directory_locations", "id")],
        not_null={"key", "service_id"},
    )
    db["directory_service_at_location"].create_index(["service_id", "latitude", "longitude"])
    db["directory_service_at_location"].create_index(["cell", "latitude", "longitude", "service_id"])
    db["directory_service_at_location"].create_index(["location_id"])

    db["directory_schedules"].create(
        {
            "id": int,
            "service_id": int,
            "service_at_location_id": int,
            "source_id": str,
            "freq": str,
            "interval": int,
            "byday": str,
            "bymonthday": str,
            "opens_at": str,
            "closes_at": str,
            "valid_from": str,
            "valid_to": str,
            "dtstart": str,
            "until": str,
            "description": str,
            "notes": str,
            "attending_type": str,
        },
        pk="id",
        foreign_keys=[
            ("service_id", "directory_services", "id"),
            ("service_at_location_id", "directory_service_at_location", "id"),
        ],
        not_null={"service_id"},
    )
    db["directory_schedules"].create_index(["service_id"])
    db["directory_holiday_schedules"].create(
        {
            "id": int,
            "service_id": int,
            "start_date": str,
            "end_date": str,
            "closed": int,
            "opens_at": str,
            "closes_at": str,
        },
        pk="id",
        foreign_keys=[("service_id", "directory_services", "id")],
        not_null={"service_id", "start_date", "end_date"},
    )
    db["directory_holiday_schedules"].create_index(["service_id"])

    db["directory_contacts"].create(
        {"id": int, "service_id": int, "name": str, "title": str, "department": str, "email": str},
        pk="id",
        foreign_keys=[("service_id", "directory_services", "id")],
        not_null={"service_id"},
    )
    db["directory_contacts"].create_index(["service_id"])
    db["directory_phones"].create(
        {"id": int, "service_id": int, "number": str, "extension": str, "type": str, "description": str},
        pk="id",
        foreign_keys=[("service_id", "directory_services", "id")],
        not_null={"service_id", "number"},
    )
    db["directory_phones"].create_index(["service_id"])

    db["directory_taxonomy_terms"].create(
        {
            "id": int,
            "key": str,
            "source": str,
            "source_id": str,
            "name": str,
            "vocabulary": str,
            "code": str,
            "term_uri": str,
            "parent_id": str,
            "description": str,
        },
        pk="id",
        not_null={"key", "name"},
    )
    db["directory_taxonomy_terms"].create_index(["key"], unique=True)
    db["directory_service_terms"].create(
        {"service_id": int, "term_id": int},
        pk=("service_id", "term_id"),
        foreign_keys=[("service_id", "directory_services", "id"), ("term_id", "directory_taxonomy_terms", "id")],
    )
    db["directory_service_terms"].create_index(["term_id"])
    db["directory_service_needs"].create(
        {"service_id": int, "need": str, "score": int, "reasons": str},
        pk=("service_id", "need"),
        foreign_keys=[("service_id", "directory_services", "id")],
        not_null={"score"},
    )
    db["directory_service_needs"].create_index(["need", "service_id"])
    db["directory_meta"].create({"key": str, "value": str}, pk="key")
