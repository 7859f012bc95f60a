"""The directory's local copy, in the site database, and the sync writer that keeps it safe.

Where things are: the tables and their migrations in ``schema.py``; the search index
(what each service puts in it, shared by this writer and ``search.py``) in ``index.py``;
opening hours (parsed by the feed parsers, answered and stored as the week in integers) in
``schedules.py``; need matching in ``needs.py``. Names that used to live here are still
importable from here (third-party sources written against the tutorial use them).

``directory_records`` keeps each service's whole parsed record (``model.to_dict``
without the fields left at their defaults), so a service reads back exactly as it
was parsed (referral snapshots, the detail view).

The sync writer (:func:`sync_source`) never damages what is stored:

* each batch a source yields is saved in its own ``write_transaction`` as it
  arrives (kiosks wait a moment, never minutes), so a sync that fails on page 3
  keeps pages 1 and 2 and leaves everything else as it was;
* records are only ever upserted, except after a *complete, non-incremental*
  sync, which removes the source's listings it no longer mentions (and never
  all of them: an empty answer keeps what is stored);
* bad records are skipped and counted with their reasons; a record whose
  source name is not the source's own is refused, so one source cannot
  overwrite another's listings;
* the last good sync time per source only moves when a sync completes;
* a record whose raw upstream form is unchanged (:func:`known_hashes`, compared by the
  source before parsing) is not parsed or written again (:func:`touch_unchanged` counts it
  as seen); the search index is written per batch in rowid order and merged once per sync.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Sequence

from hub.api import write_transaction

from . import index
from .index import CELL_DEGREES, cells_around, fold_accents, grid_cell, word_text  # noqa: F401 (old import paths)
from .model import HolidaySchedule, Schedule, Service, to_dict
from .needs import NeedMatcher, need_matcher  # noqa: F401 (old import path)
from .schedules import SLOT_MINUTES, SLOTS_PER_DAY, weekly_pattern  # noqa: F401 (old import paths)
from .schema import FTS_COLUMNS, FTS_TOKENIZER, FTS_WEIGHTS, MIGRATIONS_NAME, create_directory_tables, migrations  # noqa: F401

if TYPE_CHECKING:
    from sqlite_utils import Database

    from .geo import GeoPoint
    from .needs import NeedsCatalogue
    from .sources import FetchContext, Source

MAX_SKIP_DETAILS = 1000
"""Skipped records kept per sync run (all are counted; the first ones are listed)."""

OPTIMIZE_AFTER_ROWS = 2000
"""A sync that re-indexed at least this many services merges the index's segments at its end."""

Geocoder = Callable[[str], "GeoPoint | None"]


# --------------------------------------------------------------------------
# Turning a Service into rows
# --------------------------------------------------------------------------


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _join(values: Iterable[Any], separator: str = ", ") -> str | None:
    text = separator.join(str(v) for v in values if v not in (None, ""))
    return text or None


@dataclass
class _PreparedService:
    """Everything one service writes, worked out before the transaction opens."""

    service: Service
    row: dict[str, Any]
    content_hash: str
    needs: list[tuple[str, int, str]]  # (need key, score, explanation)
    record_json: str
    matches: list = field(default_factory=list)
    raw_hash: str | None = None
    """The hash of the upstream record the service was parsed from (when the source gave one)."""


_FIELDS: dict[type, tuple[tuple[str, Any], ...]] = {}
_NO_DEFAULT = object()


def _fields_of(kind: type) -> tuple[tuple[str, Any], ...] | None:
    """(name, default) for each field of a dataclass type (the default made fresh for factories)."""
    found = _FIELDS.get(kind)
    if found is None and dataclasses.is_dataclass(kind):
        found = _FIELDS[kind] = tuple(
            (
                f.name,
                f.default if f.default is not dataclasses.MISSING
                else f.default_factory() if f.default_factory is not dataclasses.MISSING
                else _NO_DEFAULT,
            )
            for f in dataclasses.fields(kind)
        )
    return found


def plain(value: Any) -> Any:
    """``model.to_dict`` without the fields left at their defaults: ``model.from_dict`` restores
    them, so the record reads back exactly, from about half the JSON and in a fraction of the time."""
    kind = type(value)
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return value
    fields = _fields_of(kind)
    if fields is not None:
        out = {}
        for name, default in fields:
            item = getattr(value, name)
            if default is not _NO_DEFAULT and item == default and type(item) is type(default):
                continue
            out[name] = plain(item)
        return out
    if kind is list or kind is tuple:
        return [plain(item) for item in value]
    return to_dict(value)


def _other_words(service: Service, matches: list) -> str:
    """Words that score as strongly as an organisation name: other names, categories, and the labels of
    needs the listing fits on strong evidence (the site lead's list, or a category). A need found only
    through a keyword in the description adds nothing here: that word already scores as description."""
    strong = index.strong_need_labels(matches)
    return word_text(
        service.alternate_name,
        service.organization.name if service.organization else None,
        *(t.name for t in service.taxonomy_terms),
        *strong,
    )


def _prepare(service: Service, catalogue: "NeedsCatalogue", raw_hash: str | None = None) -> _PreparedService:
    record = plain(service)
    record_json = json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    organization = service.organization
    other_names = _join([service.alternate_name, organization.name if organization else None], " ; ")
    matches = need_matcher(catalogue).match(service)
    row = {
        "key": service.key,
        "source": service.source,
        "source_id": service.source_id,
        "name": service.name,
        "alternate_name": service.alternate_name,
        "organization_name": organization.name if organization else None,
        "other_names": other_names,
        "description": service.description,
        "terms": _join((t.name for t in service.taxonomy_terms), " ; "),
        "need_labels": _join(index.searchable_need_labels(matches), " ; "),
        "name_words": word_text(service.name),
        "other_words": _other_words(service, matches),
        "url": service.url,
        "email": service.email,
        "phones": json.dumps([p.display for p in service.all_phones()]),
        "status": service.status or "active",
        "attending_access": service.attending_access,
        "attending_types": _join(service.attending_types),
        "minimum_age": service.minimum_age,
        "maximum_age": service.maximum_age,
        "fees_description": service.fees_description,
        "eligibility_description": service.eligibility_description,
        "alert": service.alert,
        "assured_date": _iso(service.assured_date),
        "last_modified": _iso(service.last_modified),
        "last_checked": _iso(service.last_checked),
        "bank_holiday_opening": service.bank_holiday_opening,
        "is_remote": int(service.is_remote_only),
        "week_slots": None,  # the week now lives in the search index, as integers
        "week_days": None,
        "warnings": json.dumps(service.warnings, ensure_ascii=False),
    }
    digest = hashlib.sha1(record_json.encode("utf-8")).hexdigest()
    needs = [(m.need.key, m.score, m.explain()) for m in matches]
    return _PreparedService(service, row, digest, needs, record_json, matches, raw_hash)


_SERVICE_COLUMNS = (
    "key", "source", "source_id", "organization_id", "name", "alternate_name", "organization_name", "other_names",
    "name_words", "other_words",
    "description", "terms", "need_labels", "url", "email", "phones", "status", "attending_access", "attending_types",
    "minimum_age", "maximum_age", "fees_description", "eligibility_description", "alert", "assured_date",
    "last_modified", "last_checked", "bank_holiday_opening", "week_slots", "week_days", "is_remote", "has_position", "warnings",
    "content_hash", "raw_hash", "updated_at",
)


class _Writer:
    """Writes prepared services inside an open transaction."""

    def __init__(self, db: "Database", geocode: Geocoder | None):
        self.db = db
        self.conn = db.conn
        self.geocode = geocode
        self._geocoded: dict[str, Any] = {}
        self.index_entries: list[index.IndexEntry] = []
        self.removed: list[int] = []

    def _upsert_keyed(self, table: str, key: str, values: dict[str, Any]) -> int:
        """Insert or update a row found by its unique ``key``; return its id (rowid kept on update)."""
        found = self.conn.execute(f"select id from {table} where key = ?", [key]).fetchone()
        columns = list(values)
        if found:
            assignments = ", ".join(f"[{c}] = ?" for c in columns)
            self.conn.execute(f"update {table} set {assignments} where id = ?", [*values.values(), found[0]])
            return int(found[0])
        placeholders = ", ".join("?" for _ in columns)
        names = ", ".join(f"[{c}]" for c in ["key", *columns])
        cursor = self.conn.execute(f"insert into {table} ({names}) values (?, {placeholders})", [key, *values.values()])
        return int(cursor.lastrowid)

    def _position(self, location) -> tuple[float | None, float | None, str | None]:
        if location.has_coordinates:
            return location.latitude, location.longitude, "feed"
        postcode = location.postcode
        if not postcode or self.geocode is None or location.location_type != "physical":
            return None, None, None
        if postcode not in self._geocoded:
            try:
                self._geocoded[postcode] = self.geocode(postcode)
            except Exception:  # no postcode data installed: no distance, never a failed sync
                self._geocoded[postcode] = None
        point = self._geocoded[postcode]
        if point is None:
            return None, None, None
        return point.latitude, point.longitude, point.precision

    def write(self, prepared: _PreparedService, existing_id: int | None, now: str) -> int:
        service = prepared.service
        organization_id = None
        if service.organization is not None:
            org = service.organization
            organization_id = self._upsert_keyed(
                "directory_organizations",
                org.key,
                {
                    "source": org.source,
                    "source_id": org.source_id,
                    "name": org.name,
                    "description": org.description,
                    "email": org.email,
                    "website": org.website,
                },
            )
        # Positions first, so the service row is written once (every update re-indexes its text).
        sites = []
        has_position = False
        for sal in service.service_at_locations:
            location_values = None
            if sal.location is not None:
                loc = sal.location
                latitude, longitude, position = self._position(loc)
                has_position = has_position or (latitude is not None and loc.location_type == "physical")
                address = loc.addresses[0].one_line() if loc.addresses else None
                location_values = {
                    "source": loc.source,
                    "source_id": loc.source_id,
                    "name": loc.name,
                    "location_type": loc.location_type,
                    "address": address or None,
                    "postcode": loc.postcode,
                    "latitude": latitude,
                    "longitude": longitude,
                    "position": position,
                    "description": loc.description,
                    "transportation": loc.transportation,
                    "external_identifier": loc.external_identifier,
                    "external_identifier_type": loc.external_identifier_type,
                }
            sites.append((sal, location_values))
        row = {
            **prepared.row,
            "organization_id": organization_id,
            "has_position": int(has_position),
            "content_hash": prepared.content_hash,
            "raw_hash": prepared.raw_hash,
            "updated_at": now,
        }
        values = [row[c] for c in _SERVICE_COLUMNS]
        if existing_id is not None:
            self._delete_children([existing_id])
            assignments = ", ".join(f"[{c}] = ?" for c in _SERVICE_COLUMNS)
            self.conn.execute(f"update directory_services set {assignments} where id = ?", [*values, existing_id])
            service_id = existing_id
        else:
            names = ", ".join(f"[{c}]" for c in (*_SERVICE_COLUMNS, "first_seen_at"))
            placeholders = ", ".join("?" for _ in range(len(_SERVICE_COLUMNS) + 1))
            cursor = self.conn.execute(f"insert into directory_services ({names}) values ({placeholders})", [*values, now])
            service_id = int(cursor.lastrowid)
        self.conn.execute(
            "insert or replace into directory_records (service_id, record_json) values (?, ?)", [service_id, prepared.record_json]
        )

        cells = []
        for sal, location_values in sites:
            location_id = None
            latitude = longitude = cell = None
            if location_values is not None:
                location_id = self._upsert_keyed("directory_locations", sal.location.key, location_values)
                if location_values["latitude"] is not None and location_values["location_type"] == "physical":
                    latitude, longitude = location_values["latitude"], location_values["longitude"]
                    cell = grid_cell(latitude, longitude)
                    cells.append(cell)
            cursor = self.conn.execute(
                "insert into directory_service_at_location (key, service_id, location_id, description, latitude, "
                "longitude, cell) values (?, ?, ?, ?, ?, ?, ?)",
                [sal.key, service_id, location_id, sal.description, latitude, longitude, cell],
            )
            self._insert_schedules(service_id, int(cursor.lastrowid), sal.schedules)
        self._insert_schedules(service_id, None, service.schedules)

        self.conn.executemany(
            "insert into directory_holiday_schedules (service_id, start_date, end_date, closed, opens_at, closes_at) "
            "values (?, ?, ?, ?, ?, ?)",
            [
                (service_id, h.start_date.isoformat(), h.end_date.isoformat(), int(h.closed), _iso(h.opens_at), _iso(h.closes_at))
                for h in service.holiday_schedules
            ],
        )
        contacts = list(service.contacts) + [c for sal in service.service_at_locations for c in sal.contacts]
        self.conn.executemany(
            "insert into directory_contacts (service_id, name, title, department, email) values (?, ?, ?, ?, ?)",
            [(service_id, c.name, c.title, c.department, c.email) for c in contacts],
        )
        self.conn.executemany(
            "insert into directory_phones (service_id, number, extension, type, description) values (?, ?, ?, ?, ?)",
            [(service_id, p.number, p.extension, p.type, p.description) for p in service.all_phones()],
        )
        for term in service.taxonomy_terms:
            term_id = self._upsert_keyed(
                "directory_taxonomy_terms",
                term.key,
                {
                    "source": term.source,
                    "source_id": term.source_id,
                    "name": term.name,
                    "vocabulary": term.vocabulary,
                    "code": term.code,
                    "term_uri": term.term_uri,
                    "parent_id": term.parent_id,
                    "description": term.description,
                },
            )
            self.conn.execute(
                "insert or ignore into directory_service_terms (service_id, term_id) values (?, ?)", [service_id, term_id]
            )
        self.conn.executemany(
            "insert into directory_service_needs (service_id, need, score, reasons) values (?, ?, ?, ?)",
            [(service_id, need, score, reasons) for need, score, reasons in prepared.needs],
        )
        self.index_entries.append(
            index.entry_for(service_id, service, prepared.matches, cells, has_position, row["name_words"], row["other_words"])
        )
        return service_id

    def flush_index(self) -> int:
        """Write the index rows collected so far (end of a batch); return how many services changed."""
        changed = len(self.index_entries) + len(self.removed)
        if changed:
            index.apply(self.conn, self.index_entries, self.removed)
        self.index_entries, self.removed = [], []
        return changed

    def _insert_schedules(self, service_id: int, sal_id: int | None, schedules: Sequence[Schedule]) -> None:
        self.conn.executemany(
            "insert into directory_schedules (service_id, service_at_location_id, source_id, freq, interval, byday, "
            "bymonthday, opens_at, closes_at, valid_from, valid_to, dtstart, until, description, notes, attending_type) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    service_id, sal_id, s.source_id, s.freq, s.interval, _join(s.byday, ","),
                    _join(s.bymonthday, ","), _iso(s.opens_at), _iso(s.closes_at), _iso(s.valid_from),
                    _iso(s.valid_to), _iso(s.dtstart), _iso(s.until), s.description, s.notes, s.attending_type,
                )
                for s in schedules
            ],
        )

    def _delete_children(self, service_ids: Sequence[int]) -> None:
        for chunk in _chunks(list(service_ids), 500):
            marks = ", ".join("?" for _ in chunk)
            for table in (
                "directory_schedules", "directory_holiday_schedules", "directory_contacts", "directory_phones",
                "directory_service_terms", "directory_service_needs", "directory_service_at_location",
            ):
                self.conn.execute(f"delete from {table} where service_id in ({marks})", chunk)

    def delete_services(self, service_ids: Sequence[int]) -> None:
        self._delete_children(service_ids)
        self.removed.extend(service_ids)
        for chunk in _chunks(list(service_ids), 500):
            marks = ", ".join("?" for _ in chunk)
            self.conn.execute(f"delete from directory_records where service_id in ({marks})", chunk)
            self.conn.execute(f"delete from directory_services where id in ({marks})", chunk)

    def delete_orphans(self, source: str) -> None:
        """Locations, organisations and terms of a source that no service uses any more."""
        self.conn.execute(
            "delete from directory_locations where source = ? and id not in "
            "(select location_id from directory_service_at_location where location_id is not null)",
            [source],
        )
        self.conn.execute(
            "delete from directory_organizations where source = ? and id not in "
            "(select organization_id from directory_services where organization_id is not null)",
            [source],
        )
        self.conn.execute(
            "delete from directory_taxonomy_terms where source = ? and id not in "
            "(select term_id from directory_service_terms)",
            [source],
        )


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


# --------------------------------------------------------------------------
# Writing services (used by the sync, the demo seed and tests)
# --------------------------------------------------------------------------


@dataclass
class WriteCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    indexed: int = 0
    """Services whose search index rows were written (added or changed)."""


def write_services(
    db: "Database",
    services: Sequence[Service],
    *,
    catalogue: "NeedsCatalogue | None" = None,
    geocode: Geocoder | None = None,
    now: dt.datetime | None = None,
) -> WriteCounts:
    """Upsert services (all or nothing, in one write transaction); unchanged records are left alone."""
    from .needs import load_needs

    catalogue = catalogue or load_needs()
    keys = [service.key for service in services]
    if len(set(keys)) != len(keys):
        repeated = sorted({key for key in keys if keys.count(key) > 1})
        raise ValueError(f"the same service is given twice: {', '.join(repeated)}")
    index_was_current = needs_index_is_current(db, catalogue)
    prepared = [_prepare(service, catalogue) for service in services]
    counts = _write_prepared(db, prepared, geocode, (now or _now()).isoformat())
    if index_was_current:
        mark_needs_index(db, catalogue)
    return counts


def _write_prepared(db: "Database", prepared: Sequence[_PreparedService], geocode: Geocoder | None, stamp: str) -> WriteCounts:
    counts = WriteCounts()
    writer = _Writer(db, geocode)
    with write_transaction(db):
        existing: dict[str, tuple[int, str, str | None]] = {}
        keys = [p.row["key"] for p in prepared]
        for chunk in _chunks(keys, 500):
            marks = ", ".join("?" for _ in chunk)
            sql = f"select key, id, content_hash, raw_hash from directory_services where key in ({marks})"
            for row in db.conn.execute(sql, chunk):
                existing[row[0]] = (row[1], row[2], row[3])
        new_raw_hashes = []
        for item in prepared:
            found = existing.get(item.row["key"])
            if found is not None and found[1] == item.content_hash:
                counts.unchanged += 1  # not touched: an update would re-index its text for nothing
                if item.raw_hash is not None and item.raw_hash != found[2]:
                    new_raw_hashes.append((item.raw_hash, found[0]))
                continue
            writer.write(item, found[0] if found else None, stamp)
            if found:
                counts.updated += 1
            else:
                counts.added += 1
        if new_raw_hashes:  # same record, written differently upstream: skip it next time
            db.conn.executemany("update directory_services set raw_hash = ? where id = ?", new_raw_hashes)
        counts.indexed = writer.flush_index()
    return counts


def optimize_index(db: "Database") -> None:
    """Merge the search index into one segment (after a large load; a sync does it itself)."""
    with write_transaction(db):
        index.optimize(db.conn)


def known_hashes(db: "Database", source: str) -> dict[str, str]:
    """Source id -> hash of the raw upstream record each stored listing was parsed from.

    A source (``sync.iter_service_pages``) compares a record's raw hash before parsing it and
    reports the ids that match as unchanged (``Batch.unchanged``) instead of parsing them.
    """
    return {
        row[0]: row[1]
        for row in db.conn.execute(
            "select source_id, raw_hash from directory_services where source = ? and raw_hash is not null", [source]
        )
    }


def touch_unchanged(db: "Database", source: str, source_ids: Iterable[str]) -> list[str]:
    """The keys of the stored listings among ``source_ids`` (records a source found unchanged
    before parsing): they count as seen by the sync, so a complete sync keeps them. Ids that are
    not stored (a source that got it wrong) are left out, and the caller parses nothing for them."""
    from .model import record_key

    keys = [record_key(source, str(source_id)) for source_id in source_ids]
    found: list[str] = []
    for chunk in _chunks(keys, 500):
        marks = ", ".join("?" for _ in chunk)
        found += [row[0] for row in db.conn.execute(f"select key from directory_services where key in ({marks})", chunk)]
    return found


# --------------------------------------------------------------------------
# Sync
# --------------------------------------------------------------------------


@dataclass
class SkippedListing:
    record_id: str | None
    reason: str


@dataclass
class SyncReport:
    """What one sync of one source did. ``complete`` is False when the source failed part-way."""

    source: str
    label: str = ""
    run_id: int | None = None
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    complete: bool = False
    incremental: bool = False
    batches: int = 0
    received: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    skipped: list[SkippedListing] = field(default_factory=list)
    warning_count: int = 0
    error: str | None = None
    notes: list[str] = field(default_factory=list)

    def skipped_reasons(self) -> Counter:
        return Counter(s.reason for s in self.skipped)

    def summary(self) -> str:
        """One line for the CLI and the screen's status line."""
        parts = [
            f"{self.received} received",
            f"{self.added} new",
            f"{self.updated} changed",
            f"{self.unchanged} unchanged",
            f"{self.removed} removed",
        ]
        skipped = f"{len(self.skipped)} skipped"
        if self.skipped:
            skipped += " (" + ", ".join(f"{n} {reason}" for reason, n in self.skipped_reasons().most_common(5)) + ")"
        parts.append(skipped)
        parts.append(f"{self.warning_count} warnings")
        state = "complete" if self.complete else f"INCOMPLETE: {self.error}; stored listings were kept"
        kind = " (changes only)" if self.incremental else ""
        return f"{self.source}{kind}: " + ", ".join(parts) + f"; {state}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "label": self.label,
            "run_id": self.run_id,
            "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at),
            "complete": self.complete,
            "incremental": self.incremental,
            "batches": self.batches,
            "received": self.received,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "skipped": len(self.skipped),
            "skipped_reasons": dict(self.skipped_reasons()),
            "warnings": self.warning_count,
            "error": self.error,
            "notes": self.notes,
        }


def describe_source_error(exc: BaseException) -> str:
    """A one-line reason for a failed sync (no traceback, no secrets: keys travel in headers)."""
    from .sources import SourceError

    if isinstance(exc, SourceError):
        return str(exc)
    try:
        from .sync import FeedError
    except ImportError:  # pragma: no cover - httpx is a core dependency
        FeedError = ()  # type: ignore[assignment]
    if FeedError and isinstance(exc, FeedError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def sync_source(
    db: "Database",
    source: "Source",
    *,
    context: "FetchContext | None" = None,
    full: bool = False,
    catalogue: "NeedsCatalogue | None" = None,
    geocode: Geocoder | None = None,
    clock: Callable[[], dt.datetime] = _now,
    progress: Callable[[SyncReport], None] | None = None,
) -> SyncReport:
    """Fetch one source and save what arrives, batch by batch; see the module docstring for the rules.

    ``full`` ignores the last good sync time (no incremental fetch). ``progress`` is
    called after each saved batch (the screen shows counts as they grow). Source
    errors end up in the report, not raised; database errors are raised.
    """
    from .needs import load_needs
    from .sources import FetchContext

    catalogue = catalogue or load_needs()
    index_was_current = needs_index_is_current(db, catalogue)
    name = getattr(source, "name", "")
    report = SyncReport(source=name, label=getattr(source, "label", "") or name)
    if not name or ":" in name:
        report.error = f"a source needs a name without ':' (got {name!r})"
        return report
    report.started_at = clock()
    since = None if full else last_good_sync(db, name)
    if context is None:
        context = FetchContext(since=since)
    else:
        context.since = since
    describe = getattr(source, "describe", None)
    location = describe() if callable(describe) else ""
    with write_transaction(db):
        db["directory_sources"].upsert(
            {
                "name": name,
                "label": report.label,
                "kind": getattr(source, "kind", "custom"),
                "location": location,
                "last_attempt_at": report.started_at.isoformat(),
            },
            pk="name",
        )
        report.run_id = int(
            db["directory_sync_runs"].insert({"source": name, "started_at": report.started_at.isoformat()}).last_pk
        )

    if hasattr(context, "known_hashes"):
        context.known_hashes = known_hashes(db, name)
    seen: set[str] = set()
    protected: set[str] = set()  # records that arrived broken: keep their last good copy
    indexed = 0
    try:
        for batch in source.fetch(context):
            report.batches += 1
            report.warning_count += int(getattr(batch, "warning_count", 0) or 0)
            report.incremental = report.incremental or bool(getattr(batch, "incremental", False))
            for skip in getattr(batch, "skipped", []) or []:
                record_id = getattr(skip, "source_id", None)
                report.skipped.append(SkippedListing(record_id, getattr(skip, "reason", "skipped")))
                if record_id is not None:
                    protected.add(f"{name}:{record_id}")
            unchanged = getattr(batch, "unchanged", None) or []
            if unchanged:  # the source found their raw records unchanged and did not parse them
                for key in touch_unchanged(db, name, unchanged):
                    if key not in seen:
                        seen.add(key)
                        report.received += 1
                        report.unchanged += 1
            raw_hashes: Mapping[str, str] = getattr(batch, "raw_hashes", None) or {}
            prepared: list[_PreparedService] = []
            for service in getattr(batch, "services", []) or []:
                report.received += 1
                problem = _refuse(service, name, seen)
                if problem:
                    record_id = getattr(service, "source_id", None)
                    report.skipped.append(SkippedListing(record_id, problem))
                    continue
                try:
                    prepared.append(_prepare(service, catalogue, raw_hashes.get(service.source_id)))
                except Exception as exc:  # a record our code cannot store: skip it, keep the rest
                    report.skipped.append(SkippedListing(service.source_id, f"could not be stored ({type(exc).__name__})"))
                    protected.add(service.key)
                    continue
                seen.add(service.key)
            counts = _write_prepared(db, prepared, geocode, clock().isoformat()) if prepared else WriteCounts()
            report.added += counts.added
            report.updated += counts.updated
            report.unchanged += counts.unchanged
            indexed += counts.indexed
            if progress is not None:
                progress(report)
    except (sqlite3.Error, KeyboardInterrupt):
        try:
            _finish_run(db, report, clock, error="the sync stopped while saving (database error or interrupted)")
        except Exception:  # the database itself is the problem: the original error says more
            pass
        raise
    except Exception as exc:  # the source failed: keep what arrived, move nothing else
        report.error = describe_source_error(exc)
    else:
        report.complete = True

    removed_before = report.removed
    _finish_run(db, report, clock, seen=seen, protected=protected)
    if indexed + report.removed - removed_before >= OPTIMIZE_AFTER_ROWS:
        optimize_index(db)  # once per sync, not a merge per batch
    if index_was_current:
        mark_needs_index(db, catalogue)
    return report


def _refuse(service: Any, source_name: str, seen: set[str]) -> str | None:
    """Why a record from a source cannot be stored, or None."""
    if not isinstance(service, Service):
        return f"not a Service record ({type(service).__name__})"
    if service.source != source_name:
        return f"its source is {service.source!r}, not {source_name!r}"
    if not str(service.source_id or "").strip():
        return "no id"
    if not str(service.name or "").strip():
        return "no name"
    if service.key in seen:
        return "duplicate id (already received in this sync)"
    return None


def _finish_run(
    db: "Database",
    report: SyncReport,
    clock: Callable[[], dt.datetime],
    *,
    seen: set[str] | None = None,
    protected: set[str] | None = None,
    error: str | None = None,
) -> None:
    report.error = report.error or error
    writer = _Writer(db, None)
    with write_transaction(db):
        if report.complete and not report.incremental and seen is not None:
            stored = {
                row[0]: row[1]
                for row in db.conn.execute("select key, id from directory_services where source = ?", [report.source])
            }
            gone = [service_id for key, service_id in stored.items() if key not in seen and key not in (protected or set())]
            if stored and not seen:
                report.notes.append(
                    f"the source sent no services, so its {len(stored)} stored listings were kept "
                    f"(to remove them: hub directory forget {report.source})"
                )
            elif gone:
                writer.delete_services(gone)
                writer.delete_orphans(report.source)
                writer.flush_index()
                report.removed = len(gone)
        if report.incremental:
            report.notes.append("changes only: listings the feed has removed stay until the next full sync")
        report.finished_at = clock()
        finished = report.finished_at.isoformat()
        db["directory_sync_runs"].update(
            report.run_id,
            {
                "finished_at": finished,
                "complete": int(report.complete),
                "incremental": int(report.incremental),
                "batches": report.batches,
                "received": report.received,
                "added": report.added,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "removed": report.removed,
                "skipped": len(report.skipped),
                "warnings": report.warning_count,
                "error": report.error,
                "skipped_reasons": json.dumps(dict(report.skipped_reasons()), ensure_ascii=False),
                "notes": json.dumps(report.notes, ensure_ascii=False),
            },
        )
        db.conn.executemany(
            "insert into directory_sync_skips (run_id, record_id, reason) values (?, ?, ?)",
            [(report.run_id, s.record_id, s.reason) for s in report.skipped[:MAX_SKIP_DETAILS]],
        )
        source_row = {
            "last_attempt_complete": int(report.complete),
            "last_error": report.error,
            "last_run_id": report.run_id,
        }
        if report.complete:
            # A sync that finished is the new baseline for incremental fetches: its start time,
            # so changes made while it ran are fetched again next time.
            source_row["last_good_sync_at"] = report.started_at.isoformat()
        db["directory_sources"].update(report.source, source_row)


# --------------------------------------------------------------------------
# Reading back
# --------------------------------------------------------------------------


def last_good_sync(db: "Database", source: str) -> dt.datetime | None:
    """When the source last synced completely (UTC), or None."""
    row = db.conn.execute("select last_good_sync_at from directory_sources where name = ?", [source]).fetchone()
    return dt.datetime.fromisoformat(row[0]) if row and row[0] else None


@dataclass
class SourceStatus:
    """A source's state for the status screen and ``hub directory status``."""

    name: str
    label: str
    kind: str
    location: str
    services: int
    last_good_sync_at: dt.datetime | None
    last_attempt_at: dt.datetime | None
    last_attempt_complete: bool | None
    last_error: str | None
    last_run: dict[str, Any] | None

    def describe(self) -> str:
        """"Last good sync 22 Nov 2026 14:03 UTC; 120 listings" plus any problem with the latest try."""
        when = f"{self.last_good_sync_at:%d %b %Y %H:%M} UTC" if self.last_good_sync_at else "never"
        text = f"last good sync {when}; {self.services} listings"
        if self.last_attempt_complete is False:
            text += f"; the latest sync did not finish: {self.last_error or 'stopped'}"
        elif self.last_attempt_at and self.last_attempt_complete is None:
            text += "; the latest sync did not finish (interrupted)"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "kind": self.kind,
            "location": self.location,
            "services": self.services,
            "last_good_sync_at": _iso(self.last_good_sync_at),
            "last_attempt_at": _iso(self.last_attempt_at),
            "last_attempt_complete": self.last_attempt_complete,
            "last_error": self.last_error,
            "last_run": self.last_run,
        }


def sync_status(db: "Database") -> list[SourceStatus]:
    """Every source that has ever synced (or been seeded), with counts and its last good sync."""
    counts = dict(db.conn.execute("select source, count(*) from directory_services group by source").fetchall())
    statuses = []
    rows = list(db.query("select * from directory_sources order by name"))
    named = {row["name"] for row in rows}
    for source in sorted(set(counts) - named):  # seeded without a sync (demo data)
        rows.append({"name": source, "label": source, "kind": "seeded", "location": ""})
    for row in rows:
        run = None
        if row.get("last_run_id"):
            found = list(db.query("select * from directory_sync_runs where id = ?", [row["last_run_id"]]))
            if found:
                run = dict(found[0])
                run["skipped_reasons"] = json.loads(run["skipped_reasons"] or "{}")
                run["notes"] = json.loads(run["notes"] or "[]")
        complete = row.get("last_attempt_complete")
        statuses.append(
            SourceStatus(
                name=row["name"],
                label=row.get("label") or row["name"],
                kind=row.get("kind") or "",
                location=row.get("location") or "",
                services=int(counts.get(row["name"], 0)),
                last_good_sync_at=_parse_dt(row.get("last_good_sync_at")),
                last_attempt_at=_parse_dt(row.get("last_attempt_at")),
                last_attempt_complete=None if complete is None else bool(complete),
                last_error=row.get("last_error"),
                last_run=run,
            )
        )
    return statuses


def skipped_records(db: "Database", run_id: int) -> list[dict[str, Any]]:
    """The skipped records of one sync run, for the site lead (first MAX_SKIP_DETAILS)."""
    return list(db.query("select record_id, reason from directory_sync_skips where run_id = ? order by id", [run_id]))


def _parse_dt(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def get_service(db: "Database", key: str) -> Service | None:
    """A stored service exactly as it was parsed, or None."""
    from .model import from_dict

    row = db.conn.execute(
        "select r.record_json from directory_services s join directory_records r on r.service_id = s.id where s.key = ?", [key]
    ).fetchone()
    return from_dict(Service, json.loads(row[0])) if row else None


def count_services(db: "Database", source: str | None = None) -> int:
    if source is None:
        return int(db.conn.execute("select count(*) from directory_services").fetchone()[0])
    return int(db.conn.execute("select count(*) from directory_services where source = ?", [source]).fetchone()[0])


def forget_source(db: "Database", source: str) -> int:
    """Remove every listing of a source (one taken out of the site file); return how many."""
    writer = _Writer(db, None)
    with write_transaction(db):
        ids = [row[0] for row in db.conn.execute("select id from directory_services where source = ?", [source])]
        writer.delete_services(ids)
        writer.delete_orphans(source)
        writer.flush_index()
        db.conn.execute("delete from directory_sources where name = ?", [source])
    return len(ids)


def schedules_for_services(
    db: "Database", service_ids: Sequence[int]
) -> dict[int, tuple[list[Schedule], dict[int, list[Schedule]], list[HolidaySchedule]]]:
    """For each service id: (service-level schedules, schedules by service-at-location id, holiday schedules)."""
    found: dict[int, tuple[list[Schedule], dict[int, list[Schedule]], list[HolidaySchedule]]] = {
        service_id: ([], {}, []) for service_id in service_ids
    }
    for chunk in _chunks(list(service_ids), 500):
        marks = ", ".join("?" for _ in chunk)
        for row in db.conn.execute(
            "select service_id, service_at_location_id, source_id, freq, interval, byday, bymonthday, opens_at, "
            "closes_at, valid_from, valid_to, dtstart, until, description, notes, attending_type "
            f"from directory_schedules where service_id in ({marks}) order by id",
            chunk,
        ):
            schedule = Schedule(
                source_id=row[2],
                freq=row[3],
                interval=row[4] if row[4] is not None else 1,
                byday=row[5].split(",") if row[5] else [],
                bymonthday=[int(d) for d in row[6].split(",")] if row[6] else [],
                opens_at=dt.time.fromisoformat(row[7]) if row[7] else None,
                closes_at=dt.time.fromisoformat(row[8]) if row[8] else None,
                valid_from=dt.date.fromisoformat(row[9]) if row[9] else None,
                valid_to=dt.date.fromisoformat(row[10]) if row[10] else None,
                dtstart=dt.date.fromisoformat(row[11]) if row[11] else None,
                until=dt.date.fromisoformat(row[12]) if row[12] else None,
                description=row[13],
                notes=row[14],
                attending_type=row[15],
            )
            service_level, by_site, _ = found[row[0]]
            if row[1] is None:
                service_level.append(schedule)
            else:
                by_site.setdefault(row[1], []).append(schedule)
        for row in db.conn.execute(
            "select service_id, start_date, end_date, closed, opens_at, closes_at "
            f"from directory_holiday_schedules where service_id in ({marks}) order by id",
            chunk,
        ):
            found[row[0]][2].append(
                HolidaySchedule(
                    start_date=dt.date.fromisoformat(row[1]),
                    end_date=dt.date.fromisoformat(row[2]),
                    closed=bool(row[3]),
                    opens_at=dt.time.fromisoformat(row[4]) if row[4] else None,
                    closes_at=dt.time.fromisoformat(row[5]) if row[5] else None,
                )
            )
    return found


# --------------------------------------------------------------------------
# The needs index
# --------------------------------------------------------------------------


def catalogue_fingerprint(catalogue: "NeedsCatalogue") -> str:
    """Changes whenever a need, keyword or term is added (by needs.toml or a plugin)."""
    parts = [to_dict(need) for need in catalogue]
    return hashlib.sha1(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()


def needs_index_is_current(db: "Database", catalogue: "NeedsCatalogue") -> bool:
    """Whether the stored need matches were worked out with this catalogue."""
    row = db.conn.execute("select value from directory_meta where key = 'needs_fingerprint'").fetchone()
    if row is None:
        return count_services(db) == 0
    return row[0] == catalogue_fingerprint(catalogue)


def mark_needs_index(db: "Database", catalogue: "NeedsCatalogue") -> None:
    with write_transaction(db):
        db["directory_meta"].upsert({"key": "needs_fingerprint", "value": catalogue_fingerprint(catalogue)}, pk="key")


def reindex_needs(db: "Database", catalogue: "NeedsCatalogue", batch_size: int = 500) -> int:
    """Work out every service's need matches again (after the mapping changed), with its search
    index rows; return how many services."""
    done = _reindex(db, catalogue, batch_size)
    mark_needs_index(db, catalogue)
    return done


def rebuild_index(db: "Database", catalogue: "NeedsCatalogue | None" = None, batch_size: int = 500) -> int:
    """Write every service's search index rows again from its stored record (migration 0003;
    repairs). The need matches are worked out again with the catalogue given (or the shipped one)."""
    from .needs import load_needs

    return _reindex(db, catalogue or load_needs(), batch_size)


def _reindex(db: "Database", catalogue: "NeedsCatalogue", batch_size: int) -> int:
    from .model import from_dict

    matcher = need_matcher(catalogue)
    done = 0
    last_id = 0
    while True:
        rows = db.conn.execute(
            "select r.service_id, r.record_json, s.has_position from directory_records r "
            "join directory_services s on s.id = r.service_id where r.service_id > ? order by r.service_id limit ?",
            [last_id, batch_size],
        ).fetchall()
        if not rows:
            break
        ids = [row[0] for row in rows]
        marks = ", ".join("?" for _ in ids)
        cells: dict[int, list[int]] = {}
        for service_id, cell in db.conn.execute(
            f"select service_id, cell from directory_service_at_location where service_id in ({marks}) "
            "and cell is not null order by id",
            ids,
        ):
            cells.setdefault(service_id, []).append(cell)
        entries = []
        with write_transaction(db):
            for service_id, record_json, has_position in rows:
                service = from_dict(Service, json.loads(record_json))
                matches = matcher.match(service)
                db.conn.execute("delete from directory_service_needs where service_id = ?", [service_id])
                db.conn.executemany(
                    "insert into directory_service_needs (service_id, need, score, reasons) values (?, ?, ?, ?)",
                    [(service_id, m.need.key, m.score, m.explain()) for m in matches],
                )
                labels = _join(index.searchable_need_labels(matches), " ; ")
                name_words = word_text(service.name)
                other_words = _other_words(service, matches)
                db.conn.execute(
                    "update directory_services set need_labels = ?, name_words = ?, other_words = ? where id = ?",
                    [labels, name_words, other_words, service_id],
                )
                entries.append(
                    index.entry_for(service_id, service, matches, cells.get(service_id, []), bool(has_position),
                                    name_words, other_words)
                )
            index.apply(db.conn, entries)
        done += len(rows)
        last_id = rows[-1][0]
    if done >= OPTIMIZE_AFTER_ROWS:
        optimize_index(db)
    return done
