"""Residents' data rights: subject access, erasure and retention (UK GDPR Articles 15, 17, 5(1)(e)).

Every plugin contributes through two hooks, so one command covers all of a resident's data:
``export_resident_data`` (what it holds) and ``erase_resident_data`` (remove it, keeping
only what must be kept, de-identified, with the reason). Erasure is one transaction: if
any plugin fails, nothing is erased. The access log keeps a tombstone (an id and the
word "erase"), never the person's details.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from hub.plugins import describe_error
from hub.residents import address_history, now_iso
from hub.storage import write_transaction

ERASED = "[erased]"
PERSONAL_COLUMNS = ("name", "preferred_name", "date_of_birth", "phone", "email", "address", "postcode", "referred_by")


class RightsError(Exception):
    """A rights request could not be completed; nothing was changed."""


def rights_migration(db) -> None:
    """Core migration: remember when a resident was erased (the row stays, de-identified)."""
    db["residents"].add_column("erased_at", str)


def _resident_or_error(hub, resident_id: int) -> dict:
    row = hub.db.execute("SELECT * FROM residents WHERE id = ?", [resident_id]).fetchone()
    if row is None:
        raise RightsError(f"There is no resident with id {resident_id}.")
    columns = [c[0] for c in hub.db.execute("SELECT * FROM residents LIMIT 0").description]
    return dict(zip(columns, row))


def subject_access(hub, resident_id: int) -> dict[str, Any]:
    """Everything held about a resident, from the core and every plugin (site leads only)."""
    hub.require("data.export")
    resident = _resident_or_error(hub, resident_id)
    export: dict[str, Any] = {
        "generated_at": now_iso(),
        "site": hub.config.hub.site_name,
        "resident_id": resident_id,
        "core": {
            "resident": resident,
            "consents": list(hub.db.query("SELECT purpose, given, recorded_at, recorded_by FROM consents WHERE resident_id = ? ORDER BY id", [resident_id])),
            "contacts": list(hub.db.query("SELECT contact_date, kind, note, staff, recorded_at FROM contacts WHERE resident_id = ? ORDER BY contact_date", [resident_id])),
            "addresses": address_history(hub.db, resident_id),
            "access_log": list(hub.db.query("SELECT at, staff, terminal, action FROM access_log WHERE resident_id = ? ORDER BY id", [resident_id])),
        },
        "plugins": {},
        "incomplete": [],
    }
    for impl in _impls(hub, "export_resident_data"):
        try:
            section = impl.function(*[{"hub": hub, "resident_id": resident_id}[a] for a in impl.argnames])
        except Exception as exc:  # an export missing a plugin's part must say so, not pretend to be whole
            export["incomplete"].append(f"{impl.plugin_name}: {describe_error(exc)}")
            continue
        if section is not None:
            export["plugins"][impl.plugin_name] = section
    hub.log_event(resident_id, "subject-access-export")
    return export


def _impls(hub, hook_name: str):
    caller = getattr(hub.plugins.pm.hook, hook_name)
    rank = {name: index for index, name in enumerate(hub.plugins.order)}
    return sorted(caller.get_hookimpls(), key=lambda impl: rank.get(impl.plugin_name, -1))


def write_export(export: dict, folder: Path, *, fmt: str) -> Path:
    """Save an export as JSON or a readable PDF, readable only by its owner."""
    import os

    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    path = folder / f"subject-access-{export['resident_id']}-{stamp}.{fmt}"
    if fmt == "json":
        path.write_text(json.dumps(export, indent=2, default=str), encoding="utf-8")
    else:
        _export_pdf(export).output(str(path))
    os.chmod(path, 0o600)
    return path


def _export_pdf(export: dict):
    from fpdf import FPDF

    def text(value: Any) -> str:
        return str(value).encode("latin-1", "replace").decode("latin-1")

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.cell(0, 9, "The information we hold about you", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(0, 5, text(f"{export['site']}. Prepared {export['generated_at'][:10]} in answer to your request under "
                              "UK GDPR Article 15. Ask us if anything is wrong: you can have it corrected."),
                   new_x="LMARGIN", new_y="NEXT")

    def section(title: str, rows: Any) -> None:
        pdf.ln(2)
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(0, 7, text(title), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 8.5)
        if isinstance(rows, dict):
            rows = [rows]
        if not rows:
            pdf.cell(0, 5, "Nothing held.", new_x="LMARGIN", new_y="NEXT")
        for row in rows if isinstance(rows, list) else [rows]:
            if isinstance(row, dict):
                line = "; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in row.items() if v not in (None, ""))
            else:
                line = str(row)
            pdf.multi_cell(0, 4.5, text(line), new_x="LMARGIN", new_y="NEXT")

    core = export["core"]
    section("Your details", core["resident"])
    section("What you agreed to", core["consents"])
    section("Where you have lived while we knew you", core["addresses"])
    section("Times we were in touch", core["contacts"])
    section("Who looked at or changed your record", core["access_log"])
    for plugin, data in export["plugins"].items():
        if isinstance(data, dict):
            for name, rows in data.items():
                section(f"{plugin}: {name.replace('_', ' ')}", rows)
        else:
            section(plugin, data)
    if export["incomplete"]:
        section("Parts we could not include yet (we will send them)", export["incomplete"])
    return pdf


@dataclass
class ErasureReport:
    resident_id: int
    kept: list[str] = field(default_factory=list)


def erase(hub, resident_id: int) -> ErasureReport:
    """Erase a resident from the core and every plugin in one transaction (site leads only).

    Plugins keep what the law or a funder requires (a paid bonus, say), de-identified, and
    say so in their return value. If any plugin raises, everything is rolled back.
    """
    hub.require("residents.erase")
    resident = _resident_or_error(hub, resident_id)
    if resident.get("erased_at"):
        raise RightsError(f"Resident {resident_id} was already erased on {resident['erased_at'][:10]}.")
    report = ErasureReport(resident_id)
    db = hub.db
    with write_transaction(db):
        for impl in _impls(hub, "erase_resident_data"):
            try:
                kept = impl.function(*[{"hub": hub, "resident_id": resident_id}[a] for a in impl.argnames])
            except Exception as exc:
                raise RightsError(f"Nothing was erased: the {impl.plugin_name} plugin failed ({describe_error(exc)}).") from None
            report.kept.extend(f"{impl.plugin_name}: {item}" for item in (kept or []))
        db.execute("DELETE FROM contacts WHERE resident_id = ?", [resident_id])
        db.execute("DELETE FROM resident_addresses WHERE resident_id = ?", [resident_id])
        db.execute("DELETE FROM consents WHERE resident_id = ?", [resident_id])
        assignments = ", ".join(f"{column} = NULL" for column in PERSONAL_COLUMNS if column != "name")
        db.execute(
            f"UPDATE residents SET name = ?, {assignments}, in_area = 0, erased_at = ?, updated_at = ? WHERE id = ?",
            [ERASED, now_iso(), now_iso(), resident_id],
        )
        hub.log_event(resident_id, "erase")
    report.kept.append("core: the resident's id, registration date and status, de-identified, so counts stay right")
    from hub.erasure import reach_the_bytes  # security: FTS rebuilt, WAL emptied, exported files removed, ledger

    report.bytes_notes = reach_the_bytes(hub, resident)
    if hub.current_resident_id == resident_id:
        hub.current_resident_id = None
    return report


@dataclass
class RetentionCandidate:
    resident_id: int
    last_contact: str
    registered_at: str


def retention_candidates(hub, years: int, today: date | None = None) -> list[RetentionCandidate]:
    """Residents with no contact (or registration) in ``years`` years, not yet erased: the dry run."""
    today = today or datetime.now(timezone.utc).date()
    cutoff = today.replace(year=today.year - years).isoformat()
    rows = hub.db.query(
        """
        SELECT r.id, r.registered_at, max(coalesce(max(c.contact_date), ''), substr(r.registered_at, 1, 10)) AS last_contact
        FROM residents r LEFT JOIN contacts c ON c.resident_id = r.id
        WHERE r.erased_at IS NULL
        GROUP BY r.id
        HAVING last_contact < ?
        ORDER BY last_contact
        """,
        [cutoff],
    )
    return [RetentionCandidate(row["id"], row["last_contact"], row["registered_at"]) for row in rows]
