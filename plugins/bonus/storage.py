"""Bonus tables: rule versions, claims, and every step of every claim.

* ``bonus_rule_versions``: one row per distinct set of rules (a hash of the scheme's settings and
  the site's area). A changed rule is a new row; old rows are never changed.
* ``bonus_claims``: one row per claim, with the rule version and the facts of its latest step.
  SQLite itself refuses an approver who is the proposer (a CHECK) and a second open or paid claim
  for the same person and scheme (a partial unique index), whichever kiosk tries.
* ``bonus_claim_events``: who moved a claim from what to what, when and why, with the rule version
  and a snapshot of the facts and rule results used. Append-only: a trigger refuses changes to who,
  when and what; only the erasure may blank the reason and the snapshot (de-identification).

Writes are the service's job (it checks permissions and the state machine first); this module
holds the SQL. Everything here runs inside the caller's ``write_transaction``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from hub.api import now_iso

if TYPE_CHECKING:
    from sqlite_utils import Database

CLAIM_STATUSES = ("potential", "evidence_pending", "eligible", "approved", "paid", "rejected", "withdrawn", "reversed")
KEPT_ON_ERASURE = ("paid", "reversed")
"""Claims where money moved: kept, de-identified, when a resident's data is erased."""
ERASED = "[erased]"


def migrations():
    from sqlite_utils import Migrations

    bonus = Migrations("hub_bonus")

    @bonus(name="0001_rules_claims_events")
    def tables(db: "Database") -> None:
        db["bonus_rule_versions"].create(
            {"hash": str, "scheme_id": str, "version": int, "scheme_name": str, "rules_json": str,
             "first_used_at": str, "first_used_by": str},
            pk="hash",
            not_null={"scheme_id", "version", "scheme_name", "rules_json", "first_used_at"},
        )
        db["bonus_rule_versions"].create_index(["scheme_id", "version"], unique=True)
        statuses = ", ".join(f"'{status}'" for status in CLAIM_STATUSES)
        db.execute(
            f"""
            CREATE TABLE bonus_claims (
                id INTEGER PRIMARY KEY,
                resident_id INTEGER NOT NULL REFERENCES residents(id),
                scheme_id TEXT NOT NULL,
                scheme_name TEXT NOT NULL,
                amount REAL NOT NULL CHECK (amount > 0),
                status TEXT NOT NULL CHECK (status IN ({statuses})),
                job_entry_id INTEGER,
                job_start TEXT,
                eligible_on TEXT,
                rule_version TEXT NOT NULL REFERENCES bonus_rule_versions(hash),
                facts_json TEXT NOT NULL,
                checks_json TEXT NOT NULL,
                proposed_by TEXT NOT NULL,
                proposed_at TEXT NOT NULL,
                approved_by TEXT,
                approved_at TEXT,
                paid_on TEXT,
                payment_reference TEXT,
                updated_at TEXT NOT NULL,
                erased_at TEXT,
                CHECK (approved_by IS NULL OR lower(approved_by) <> lower(proposed_by))
            )
            """
        )
        db.execute("CREATE INDEX idx_bonus_claims_resident ON bonus_claims(resident_id, scheme_id)")
        db.execute(
            "CREATE UNIQUE INDEX idx_bonus_claims_one_per_person ON bonus_claims(resident_id, scheme_id) "
            "WHERE status IN ('potential', 'evidence_pending', 'eligible', 'approved', 'paid')"
        )
        db["bonus_claim_events"].create(
            {"id": int, "claim_id": int, "resident_id": int, "action": str, "from_status": str, "to_status": str,
             "at": str, "on_date": str, "by_staff": str, "role": str, "terminal": str, "automatic": int,
             "reason": str, "rule_version": str, "facts_json": str, "checks_json": str},
            pk="id",
            foreign_keys=[("claim_id", "bonus_claims", "id"), ("resident_id", "residents", "id")],
            not_null={"claim_id", "resident_id", "action", "to_status", "at", "on_date", "by_staff", "automatic",
                      "rule_version"},
        )
        db["bonus_claim_events"].create_index(["claim_id"])
        db["bonus_claim_events"].create_index(["on_date"])
        db.execute(
            """
            CREATE TRIGGER bonus_claim_events_append_only
            BEFORE UPDATE OF claim_id, resident_id, action, from_status, to_status, at, on_date, by_staff, role,
                             terminal, automatic, rule_version ON bonus_claim_events
            BEGIN SELECT RAISE(ABORT, 'bonus claim events cannot be changed'); END
            """
        )
        db.execute(
            """
            CREATE TRIGGER bonus_claim_events_no_delete
            BEFORE DELETE ON bonus_claim_events
            WHEN (SELECT status FROM bonus_claims WHERE id = OLD.claim_id) IN ('paid', 'reversed')
            BEGIN SELECT RAISE(ABORT, 'the history of a paid claim cannot be deleted'); END
            """
        )
        db.execute(
            """
            CREATE TRIGGER bonus_rule_versions_fixed
            BEFORE UPDATE ON bonus_rule_versions
            BEGIN SELECT RAISE(ABORT, 'a rule version cannot be changed: a changed rule is a new version'); END
            """
        )

    return bonus


# -- rule versions ---------------------------------------------------------------------------------


def ensure_rule_version(db: "Database", *, scheme_id: str, scheme_name: str, version_hash: str, payload: dict,
                        staff: str) -> int:
    """Record a rule version the first time it is used; return its number (1, 2, ... per scheme)."""
    row = db.execute("SELECT version FROM bonus_rule_versions WHERE hash = ?", [version_hash]).fetchone()
    if row:
        return int(row[0])
    number = db.execute("SELECT coalesce(max(version), 0) + 1 FROM bonus_rule_versions WHERE scheme_id = ?",
                        [scheme_id]).fetchone()[0]
    db["bonus_rule_versions"].insert({
        "hash": version_hash, "scheme_id": scheme_id, "version": number, "scheme_name": scheme_name,
        "rules_json": json.dumps(payload, sort_keys=True, default=str), "first_used_at": now_iso(), "first_used_by": staff,
    })
    return int(number)


def rule_versions(db: "Database", scheme_id: str | None = None) -> list[dict[str, Any]]:
    where, params = ("WHERE scheme_id = ?", [scheme_id]) if scheme_id else ("", [])
    rows = db.query(f"SELECT * FROM bonus_rule_versions {where} ORDER BY scheme_id, version", params)
    return [{**row, "rules": json.loads(row["rules_json"])} for row in rows]


def version_number(db: "Database", version_hash: str) -> int | None:
    row = db.execute("SELECT version FROM bonus_rule_versions WHERE hash = ?", [version_hash]).fetchone()
    return int(row[0]) if row else None


# -- claims ----------------------------------------------------------------------------------------


def _decode(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    for name in ("facts_json", "checks_json"):
        if name in row:
            value = row[name]
            row[name.removesuffix("_json")] = json.loads(value) if value and value != ERASED else None
    return row


def get_claim(db: "Database", claim_id: int) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM bonus_claims WHERE id = ?", [claim_id]))
    return _decode(rows[0]) if rows else None


def claims_for(db: "Database", resident_id: int) -> list[dict[str, Any]]:
    return [_decode(row) for row in db.query(
        "SELECT * FROM bonus_claims WHERE resident_id = ? ORDER BY proposed_at DESC, id DESC", [resident_id])]


def claims_with_status(db: "Database", statuses: tuple[str, ...]) -> list[dict[str, Any]]:
    marks = ", ".join("?" for _ in statuses)
    return [_decode(row) for row in db.query(
        f"SELECT * FROM bonus_claims WHERE status IN ({marks}) ORDER BY id", list(statuses))]


def events_for(db: "Database", claim_id: int) -> list[dict[str, Any]]:
    return [_decode(row) for row in db.query("SELECT * FROM bonus_claim_events WHERE claim_id = ? ORDER BY id", [claim_id])]


def insert_claim(db: "Database", row: dict[str, Any]) -> int:
    return int(db["bonus_claims"].insert(row).last_pk)


def update_claim(db: "Database", claim_id: int, values: dict[str, Any]) -> None:
    db["bonus_claims"].update(claim_id, values)


def add_event(db: "Database", row: dict[str, Any]) -> int:
    return int(db["bonus_claim_events"].insert(row).last_pk)


def scheme_totals(db: "Database", scheme_id: str) -> dict[str, float]:
    """Money by stage for one scheme: approved (not yet paid), paid, and proposed (not yet approved)."""
    totals = {"proposed": 0.0, "approved": 0.0, "paid": 0.0}
    for row in db.query("SELECT status, sum(amount) AS total FROM bonus_claims WHERE scheme_id = ? GROUP BY status",
                        [scheme_id]):
        if row["status"] in ("potential", "evidence_pending", "eligible"):
            totals["proposed"] += row["total"] or 0.0
        elif row["status"] in ("approved", "paid"):
            totals[row["status"]] += row["total"] or 0.0
    return totals


def events_between(db: "Database", first_day: str, last_day: str) -> list[dict[str, Any]]:
    """Claim events whose date (the day paid, for payments) falls in the range, with the claim's scheme."""
    return list(db.query(
        """
        SELECT e.id, e.on_date, e.at, e.action, e.from_status, e.to_status, e.by_staff, e.automatic, e.rule_version,
               c.id AS claim_id, c.resident_id, c.scheme_id, c.scheme_name, c.amount, c.payment_reference
        FROM bonus_claim_events e JOIN bonus_claims c ON c.id = e.claim_id
        WHERE e.on_date BETWEEN ? AND ? ORDER BY e.on_date, e.id
        """,
        [first_day, last_day],
    ))


# -- residents' rights ---------------------------------------------------------------------------


def resident_data(db: "Database", resident_id: int) -> dict[str, Any] | None:
    """Every claim about the resident and every step of each, with the facts used (subject access)."""
    if "bonus_claims" not in db.table_names():
        return None
    claims = claims_for(db, resident_id)
    if not claims:
        return None
    events = [_decode(row) for row in db.query(
        "SELECT * FROM bonus_claim_events WHERE resident_id = ? ORDER BY claim_id, id", [resident_id])]
    for row in claims + events:
        row.pop("facts_json", None)
        row.pop("checks_json", None)
        _without_other_residents(row)
    return {"bonus_claims": claims, "bonus_claim_events": events}


def _without_other_residents(row: dict[str, Any]) -> None:
    """A snapshot may name another record with the same name and date of birth: leave it out of an export."""
    facts = row.get("facts")
    if isinstance(facts, dict) and facts.get("duplicate_claims"):
        facts["duplicate_claims"] = [{"scheme_id": c.get("scheme_id"), "status": c.get("status")}
                                     for c in facts["duplicate_claims"]]
    checks = row.get("checks")
    if not isinstance(checks, dict):
        return
    twin = "Another record with the same name and date of birth has a claim for this scheme."
    for rule in checks.get("rules") or []:
        if isinstance(rule, dict) and rule.get("rule") == "one_per_person" and "Resident #" in (rule.get("words") or ""):
            rule["words"] = twin
            if "Resident #" in (checks.get("summary") or "") or "resident #" in (checks.get("summary") or ""):
                checks["summary"] = checks["summary"].split(":")[0] + ": " + twin[0].lower() + twin[1:]


def erase_resident(db: "Database", resident_id: int, *, kept_for: str) -> list[str]:
    """Delete claims where no money moved; keep paid (and reversed) ones de-identified.

    A kept claim keeps its scheme, amount, status, dates, rule version and the staff who acted;
    the facts snapshots (postcode, date of birth, employer...) and the reasons typed by staff are
    blanked. Runs inside the core's erasure transaction."""
    if "bonus_claims" not in db.table_names():
        return []
    kept: list[str] = []
    for claim in db.query("SELECT id, status, amount, paid_on, scheme_name FROM bonus_claims WHERE resident_id = ?",
                          [resident_id]):
        if claim["status"] in KEPT_ON_ERASURE:
            db.execute(
                "UPDATE bonus_claims SET facts_json = ?, checks_json = ?, payment_reference = NULL, erased_at = ?, "
                "job_entry_id = NULL WHERE id = ?",
                [json.dumps({"erased": True}), json.dumps({"erased": True}), now_iso(), claim["id"]],
            )
            db.execute("UPDATE bonus_claim_events SET reason = ?, facts_json = ?, checks_json = ? WHERE claim_id = ?",
                       [ERASED, ERASED, ERASED, claim["id"]])
            paid = f" on {claim['paid_on']}" if claim["paid_on"] else ""
            kept.append(
                f"bonus claim {claim['id']}: {claim['status']} ({claim['scheme_name']}, £{claim['amount']:,.2f}{paid}); "
                f"amount, dates and who approved it kept for {kept_for}, without the resident's details or notes"
            )
        else:
            db.execute("DELETE FROM bonus_claim_events WHERE claim_id = ?", [claim["id"]])
            db.execute("DELETE FROM bonus_claims WHERE id = ?", [claim["id"]])
    return kept
