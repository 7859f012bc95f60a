"""Passport tables, and writes that never destroy history.

Every entry is a chain of versions in ``passport_entries``. A correction, a verification or a
withdrawal adds a new version that ``supersedes`` the one before (which gets ``superseded_by``);
nothing an entry said is ever updated in place. A trigger enforces it: an UPDATE that touches
any content column is refused by SQLite itself. ``root_id`` is the entry's stable id (the id
of its first version); the current version is the one with no ``superseded_by``.

Issued documents (PDF and signed JSON) are registered in ``passport_documents`` with their
verification code and fingerprints, so staff can confirm a code or a file later.

Each write is one ``write_transaction`` with its access-log line (ids and actions only).
Emitting ``record_saved`` after the commit is the caller's job (``service.py``), since it needs
the ``hub``.
"""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Any, Iterable

from hub.api import ValidationError, log_access, now_iso
from hub.api import write_transaction
from plugins.passport.model import CONTENT_FIELDS, VERIFICATION_FIELDS

if TYPE_CHECKING:
    from sqlite_utils import Database

    from hub.api import LinkableRecord, RecordChanges

IMMUTABLE_COLUMNS = (
    "resident_id", "kind", "title", "description", "provider", "role", "start_date", "end_date", "ongoing",
    "hours_total", "hours_per_week", "pay_amount", "pay_period", "result", "qualification_level", "skills",
    "activity", "evidence", "verification_level", "verified_by", "verified_at", "verification_note",
    "verification_recorded_by", "paid_work", "bucket", "withdrawn", "version", "supersedes", "change",
    "change_reason", "recorded_at", "recorded_by", "terminal",
)
JSON_COLUMNS = ("skills", "evidence")
CHANGES = {"added": "Added", "corrected": "Corrected", "verified": "Verified", "withdrawn": "Withdrawn"}
ACTIONS = {"added": "add", "corrected": "correct", "verified": "verify", "withdrawn": "withdraw"}
"""Access-log actions: ``passport:<action>:<entry id>`` (ids only)."""


class StaleEntry(ValidationError):
    """The entry was changed (at another kiosk) since it was shown; nothing was saved."""


def migrations():
    from sqlite_utils import Migrations

    passport = Migrations("hub_passport")

    @passport(name="0001_entries_and_documents")
    def entries(db: "Database") -> None:
        db["passport_entries"].create(
            {
                "id": int, "root_id": int, "version": int, "resident_id": int,
                "kind": str, "title": str, "description": str, "provider": str, "role": str,
                "start_date": str, "end_date": str, "ongoing": int,
                "hours_total": float, "hours_per_week": float, "pay_amount": float, "pay_period": str,
                "result": str, "qualification_level": str, "skills": str, "activity": str, "evidence": str,
                "verification_level": str, "verified_by": str, "verified_at": str, "verification_note": str,
                "verification_recorded_by": str, "paid_work": int, "bucket": str, "withdrawn": int,
                "supersedes": int, "superseded_by": int, "superseded_at": str,
                "change": str, "change_reason": str, "recorded_at": str, "recorded_by": str, "terminal": str,
            },
            pk="id",
            foreign_keys=[("resident_id", "residents", "id")],
            not_null={"version", "resident_id", "kind", "title", "start_date", "ongoing", "skills", "activity",
                      "evidence", "verification_level", "paid_work", "withdrawn", "change", "recorded_at", "recorded_by"},
        )
        db["passport_entries"].create_index(["resident_id", "superseded_by"])
        db["passport_entries"].create_index(["root_id"])
        changed = " OR ".join(f"NEW.{column} IS NOT OLD.{column}" for column in IMMUTABLE_COLUMNS)
        db.execute(
            f"""
            CREATE TRIGGER passport_entries_never_overwritten
            BEFORE UPDATE ON passport_entries
            WHEN {changed}
              OR (OLD.root_id IS NOT NULL AND NEW.root_id IS NOT OLD.root_id)
              OR (OLD.superseded_by IS NOT NULL AND NEW.superseded_by IS NOT OLD.superseded_by)
            BEGIN
              SELECT RAISE(ABORT, 'passport entries are never overwritten: save a correcting version instead');
            END
            """
        )
        db["passport_documents"].create(
            {
                "id": int, "code": str, "resident_id": int, "format": str, "entry_versions": str, "entries": int,
                "payload_sha256": str, "file_sha256": str, "signer": str,
                "issued_at": str, "issued_by": str, "terminal": str,
            },
            pk="id",
            foreign_keys=[("resident_id", "residents", "id")],
            not_null={"code", "resident_id", "format", "entry_versions", "entries", "payload_sha256", "issued_at", "issued_by"},
        )
        db["passport_documents"].create_index(["code"], unique=True)
        db["passport_documents"].create_index(["file_sha256"])

    @passport(name="0002_change_log")
    def change_log(db: "Database") -> None:
        # Which residents' passports changed, in order, for the core's employment_changes hook. AUTOINCREMENT:
        # a sequence number is never handed out twice, even after an erasure deletes the newest entries.
        db.execute("CREATE TABLE passport_changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, "
                   "resident_id INTEGER NOT NULL REFERENCES residents(id))")
        db.execute("CREATE INDEX idx_passport_changes_resident ON passport_changes (resident_id)")
        db.execute("CREATE TRIGGER passport_entries_changed AFTER INSERT ON passport_entries "
                   "BEGIN INSERT INTO passport_changes (resident_id) VALUES (NEW.resident_id); END")
        db.execute("INSERT INTO passport_changes (resident_id) SELECT DISTINCT resident_id FROM passport_entries ORDER BY resident_id")

    return passport


# -- reading -------------------------------------------------------------------------------------


def _decode(row: dict[str, Any]) -> dict[str, Any]:
    for column in JSON_COLUMNS:
        value = row.get(column)
        row[column] = json.loads(value) if isinstance(value, str) else (value or [])
    return row


def get_version(db: "Database", version_id: int) -> dict[str, Any] | None:
    rows = list(db.query("select * from passport_entries where id = ?", [version_id]))
    return _decode(rows[0]) if rows else None


def current_entries(db: "Database", resident_id: int, *, include_withdrawn: bool = False) -> list[dict[str, Any]]:
    """A resident's entries as they stand now (latest version of each), newest activity first."""
    sql = "select * from passport_entries where resident_id = ? and superseded_by is null"
    if not include_withdrawn:
        sql += " and withdrawn = 0"
    sql += " order by start_date desc, root_id desc"
    return [_decode(row) for row in db.query(sql, [resident_id])]


def versions_of(db: "Database", root_id: int) -> list[dict[str, Any]]:
    """Every version of one entry, oldest first."""
    return [_decode(row) for row in db.query("select * from passport_entries where root_id = ? order by version", [root_id])]


def count_entries(db: "Database", resident_id: int) -> int:
    return db.execute(
        "select count(*) from passport_entries where resident_id = ? and superseded_by is null and withdrawn = 0",
        [resident_id],
    ).fetchone()[0]


# -- writing -------------------------------------------------------------------------------------


def _stored(row: dict[str, Any]) -> dict[str, Any]:
    """Lists (skills, evidence) are stored as JSON text."""
    return {key: (json.dumps(value) if isinstance(value, list) else value) for key, value in row.items()}


def _resident_exists(db: "Database", resident_id: int) -> bool:
    return db.execute("select 1 from residents where id = ?", [resident_id]).fetchone() is not None


def _default_verifier(row: dict[str, Any], staff: str) -> dict[str, Any]:
    if row["verification_level"] != "self_declared":
        row["verification_recorded_by"] = staff
        if not row.get("verified_by") and row["verification_level"] in ("staff_witnessed", "document_seen"):
            row["verified_by"] = staff
    else:
        row["verification_recorded_by"] = None
    return row


def add_entry(db: "Database", resident_id: int, row: dict[str, Any], *, staff: str, terminal: str) -> int:
    """Save a validated entry (from ``validate_entry``) as version 1; return its id (also its root id)."""
    if not _resident_exists(db, resident_id):
        raise ValidationError({"resident_id": f"There is no resident with id {resident_id}."})
    row = _default_verifier(dict(row), staff)
    with write_transaction(db):
        entry_id = db["passport_entries"].insert(
            _stored({
                **row, "resident_id": resident_id, "version": 1, "withdrawn": 0, "change": "added",
                "change_reason": None, "supersedes": None, "recorded_at": now_iso(), "recorded_by": staff,
                "terminal": terminal,
            })
        ).last_pk
        db.execute("update passport_entries set root_id = id where id = ? and root_id is null", [entry_id])
        log_access(db, staff=staff, terminal=terminal, resident_id=resident_id, action=f"passport:add:{entry_id}")
    return int(entry_id)


def _supersede(db: "Database", version_id: int, new_values: dict[str, Any], *, change: str, reason: str | None,
               staff: str, terminal: str) -> int:
    """Add the next version of an entry (inside the caller's transaction) and mark the old one."""
    rows = list(db.query("select * from passport_entries where id = ?", [version_id]))
    if not rows:
        raise ValidationError({"entry": f"There is no passport entry with id {version_id}."})
    old = rows[0]
    if old["superseded_by"] is not None:
        raise StaleEntry({"entry": f"This entry was changed by {old_changer(db, old)} since it was opened: "
                                   "reload it and make the change again."})
    if old["withdrawn"]:
        raise ValidationError({"entry": "This entry was withdrawn; add a new entry instead."})
    carried = {column: old[column] for column in IMMUTABLE_COLUMNS}
    stamp = now_iso()
    new = {
        **carried, **new_values, "root_id": old["root_id"], "version": old["version"] + 1, "supersedes": old["id"],
        "change": change, "change_reason": reason, "recorded_at": stamp, "recorded_by": staff, "terminal": terminal,
    }
    new_id = db["passport_entries"].insert(_stored(new)).last_pk
    db.execute("update passport_entries set superseded_by = ?, superseded_at = ? where id = ?", [new_id, stamp, old["id"]])
    log_access(db, staff=staff, terminal=terminal, resident_id=old["resident_id"], action=f"passport:{ACTIONS[change]}:{old['root_id']}")
    return int(new_id)


def old_changer(db: "Database", old: dict[str, Any]) -> str:
    newer = list(db.query("select recorded_by, recorded_at from passport_entries where id = ?", [old["superseded_by"]]))
    if not newer:
        return "someone else"
    return f"{newer[0]['recorded_by']} at {newer[0]['recorded_at'][11:16]} UTC"


def correct_entry(db: "Database", version_id: int, row: dict[str, Any], *, reason: str, staff: str, terminal: str,
                  keep_verification: bool = False) -> int:
    """Save a corrected entry as a new version of ``version_id``; return the new version's id.

    If what the entry *says* changes, a verification no longer vouches for it: unless the
    correction sets the verification itself, or ``keep_verification`` (staff re-checked it),
    the new version goes back to self-declared. The change and its reason are kept.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"change_reason": "Say why it is being corrected, e.g. wrong end date."})
    if len(reason) > 200:
        raise ValidationError({"change_reason": "Keep the reason under 200 characters."})
    old = get_version(db, version_id)
    if old is None:
        raise ValidationError({"entry": f"There is no passport entry with id {version_id}."})
    row = dict(row)
    content_changed = any(_norm(row.get(f)) != _norm(old.get(f)) for f in CONTENT_FIELDS)
    verification_changed = any(_norm(row.get(f)) != _norm(old.get(f)) for f in VERIFICATION_FIELDS)
    if not content_changed and not verification_changed:
        raise ValidationError({"change_reason": "Nothing was changed: edit the field that is wrong first."})
    if verification_changed:
        row = _default_verifier(row, staff)  # staff set the verification themselves in this correction
    elif keep_verification or old["verification_level"] == "self_declared":
        row.update({f: old[f] for f in VERIFICATION_FIELDS}, verification_recorded_by=old["verification_recorded_by"])
    else:  # what it says changed, so the old verification no longer vouches for it
        row.update(verification_level="self_declared", verified_by=None, verified_at=None, verification_note=None,
                   verification_recorded_by=None)
    with write_transaction(db):
        return _supersede(db, version_id, row, change="corrected", reason=reason, staff=staff, terminal=terminal)


def _norm(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value if value not in ("", []) else None


def verify_entry(db: "Database", version_id: int, *, level: str, verified_by: str | None, verified_at: date,
                 evidence: Iterable[str] | None = None, note: str | None = None, staff: str, terminal: str) -> int:
    """Record a verification (level, who, when, documents seen) as a new version; return its id.

    Callers validate first (``service.verify``); this only stores.
    """
    values: dict[str, Any] = {
        "verification_level": level,
        "verified_by": verified_by,
        "verified_at": verified_at.isoformat() if verified_at else None,
        "verification_note": note,
        "verification_recorded_by": staff,
    }
    if evidence is not None:
        values["evidence"] = list(evidence)
    if level in ("staff_witnessed", "document_seen") and not verified_by:
        values["verified_by"] = staff
    with write_transaction(db):
        return _supersede(db, version_id, values, change="verified", reason=None, staff=staff, terminal=terminal)


def withdraw_entry(db: "Database", version_id: int, *, reason: str, staff: str, terminal: str) -> int:
    """Withdraw an entry made in error: a new version marked withdrawn (the history stays)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"change_reason": "Say why it is being withdrawn, e.g. entered for the wrong resident."})
    with write_transaction(db):
        return _supersede(db, version_id, {"withdrawn": 1}, change="withdrawn", reason=reason[:200], staff=staff, terminal=terminal)


# -- issued documents ----------------------------------------------------------------------------


def register_document(db: "Database", *, code: str, resident_id: int, fmt: str, entry_versions: list[int],
                      payload_sha256: str, file_sha256: str | None, signer: str | None, staff: str, terminal: str) -> int:
    """Register an issued PDF or JSON (and log the export); an identical re-export keeps its first row."""
    with write_transaction(db):
        existing = list(db.query("select id, payload_sha256 from passport_documents where code = ?", [code]))
        if existing:
            document_id = existing[0]["id"]
        else:
            document_id = db["passport_documents"].insert({
                "code": code, "resident_id": resident_id, "format": fmt, "entry_versions": json.dumps(entry_versions),
                "entries": len(entry_versions), "payload_sha256": payload_sha256, "file_sha256": file_sha256,
                "signer": signer, "issued_at": now_iso(), "issued_by": staff, "terminal": terminal,
            }).last_pk
        log_access(db, staff=staff, terminal=terminal, resident_id=resident_id, action=f"passport:export:{fmt}:{document_id}")
    return int(document_id)


def find_document(db: "Database", *, code: str | None = None, file_sha256: str | None = None) -> dict[str, Any] | None:
    if code is not None:
        rows = list(db.query("select * from passport_documents where code = ?", [code]))
    else:
        rows = list(db.query("select * from passport_documents where file_sha256 = ?", [file_sha256]))
    if not rows:
        return None
    row = rows[0]
    row["entry_versions"] = json.loads(row["entry_versions"])
    return row


# -- residents' data rights ------------------------------------------------------------------------


def resident_data(db: "Database", resident_id: int) -> dict[str, Any]:
    """Everything the passport holds about a resident, every version included (subject access)."""
    if "passport_entries" not in db.table_names():
        return {"entries": [], "documents_issued": []}
    entries = [_decode(row) for row in db.query(
        "select * from passport_entries where resident_id = ? order by root_id, version", [resident_id])]
    documents = list(db.query(
        "select code, format, entries, issued_at, issued_by, terminal from passport_documents where resident_id = ? order by id",
        [resident_id]))
    return {"entries": entries, "documents_issued": documents}


def erase_resident(db: "Database", resident_id: int) -> list[str]:
    """Delete a resident's passport (every version) and the register of documents issued to them.

    Runs inside the core's erasure transaction. Returns what could not be erased, and why."""
    if "passport_entries" not in db.table_names():
        return []
    issued = db.execute("select count(*) from passport_documents where resident_id = ?", [resident_id]).fetchone()[0]
    db.execute("delete from passport_documents where resident_id = ?", [resident_id])
    db.execute("delete from passport_entries where resident_id = ?", [resident_id])
    if "passport_changes" in db.table_names():
        db.execute("delete from passport_changes where resident_id = ?", [resident_id])
    if not issued:
        return []
    return [f"{issued} passport document(s) already handed to the resident stay with them; "
            "their codes no longer check out at this site"]


# -- what changed, for the core's employment_changes hook ----------------------------------------


def changes_since(db: "Database", since: str | None) -> "RecordChanges":
    """Residents whose passport gained an entry (a new job, a correction, a verification, a withdrawal)
    after the change numbered ``since``; every resident with entries when ``since`` is None."""
    from hub.api import RecordChanges

    top = db.execute("select coalesce(max(seq), 0) from passport_changes").fetchone()[0]
    if since is None or not str(since).isdigit() or int(since) > top:  # first look, or a restored older database
        ids = [row[0] for row in db.execute("select distinct resident_id from passport_entries order by resident_id")]
        return RecordChanges(str(top), tuple(ids), everything=since is not None)
    ids = [row[0] for row in db.execute(
        "select distinct resident_id from passport_changes where seq > ? order by resident_id", [int(since)])]
    return RecordChanges(str(top), tuple(ids))


def linkable(db: "Database", resident_id: int) -> list["LinkableRecord"]:
    """The resident's current entries, as records other plugins may link to (stable root ids)."""
    from hub.api import LinkableRecord

    rows = db.query("select root_id, title from passport_entries where resident_id = ? and superseded_by is null "
                    "and withdrawn = 0 order by start_date desc, root_id desc", [resident_id])
    return [LinkableRecord("passport.entry", row["root_id"], "Passport", row["title"]) for row in rows]


def describe_entry(db: "Database", root_id: int) -> str | None:
    row = db.execute("select title from passport_entries where root_id = ? or id = ? order by id desc limit 1",
                     [root_id, root_id]).fetchone()
    return row[0] if row else None
