"""Residents' data rights: subject access, erasure and retention (UK GDPR Articles 15, 17, 5(1)(e)).

Every plugin contributes through two hooks, so one command covers all of a resident's data:
``export_resident_data`` (what it holds) and ``erase_resident_data`` (remove it, keeping
only what must be kept, de-identified, with the reason). Erasure is one transaction: if
any plugin fails, nothing is erased. The access log keeps a tombstone (an id and the
word "erase"), never the person's details.

Both fail closed, from one gate (``check_every_holder_is_ready``): the hub records which
plugins' migrations made tables that hold residents' data (hub.ownership), and an export or
erasure is refused, naming the plugin, unless each of them is loaded, healthy and implements
both hooks. A busy database makes the whole request wait and start again; a plugin is never
switched off part-way and the rest carried on without it.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Callable, TypeVar

from hub.errors import describe_error
from hub.plugins import LOAD_PLUGINS_ENV, PluginHookError
from hub.residents import address_history, now_iso
from hub.storage import DB_ERRORS, StorageError, write_transaction

T = TypeVar("T")

RIGHTS_HOOKS = ("export_resident_data", "erase_resident_data")
BUSY_RETRY_SECONDS = 60.0
"""How long an export or erasure keeps retrying, from the start, while another kiosk holds the database."""

ERASED = "[erased]"
PERSONAL_COLUMNS = ("name", "preferred_name", "date_of_birth", "phone", "email", "address", "postcode", "referred_by")


class RightsError(Exception):
    """A rights request could not be completed; nothing was changed."""


class RightsRefused(RightsError):
    """A plugin that holds residents' data is not ready, so the request would be incomplete."""

    def __init__(self, message: str, plugins: list[str]) -> None:
        super().__init__(message)
        self.plugins = plugins


def check_every_holder_is_ready(hub, action: str) -> None:
    """The gate, for export and erasure alike: raise RightsRefused unless every plugin whose
    tables hold residents' data is loaded, healthy and implements both rights hooks."""
    from hub import ownership

    problems: dict[str, str] = {}
    for plugin, tables in sorted(ownership.plugins_holding_resident_data(hub.db).items()):
        reason = _not_ready(hub, plugin)
        if reason:
            problems[plugin] = f"the {plugin} plugin holds residents' data ({', '.join(tables)}) but {reason}"
    unowned = [item.table for item in ownership.resident_tables(hub.db) if item.owner is None]
    if unowned:
        many = len(unowned) > 1
        problems["?"] = (f"the table{'s' if many else ''} {', '.join(unowned)} {'hold' if many else 'holds'} "
                         "residents' data but no plugin's migrations made "
                         f"{'them' if many else 'it'} (start the hub once with the plugin that owns {'them' if many else 'it'})")
    if problems:
        raise RightsRefused(
            f"Nothing was {action}: " + "; ".join(problems.values())
            + ". Fix that (see `hub plugins`) and try again, so no one's data is left out.",
            [name for name in problems if name != "?"],
        )


def _not_ready(hub, plugin: str) -> str | None:
    host = hub.plugins
    status = host.status.get(plugin)
    if not host.is_enabled(plugin):
        if status is not None and status.error:
            return f"is disabled ({status.error})"
        if LOAD_PLUGINS_ENV in os.environ:
            return f"is not loaded ({LOAD_PLUGINS_ENV}={os.environ[LOAD_PLUGINS_ENV]!r} leaves it out)"
        return "is not loaded (it is not in this site's plugin list, or not installed)"
    if status is not None and status.error:
        return f"is not healthy ({status.error})"
    implemented = {caller.name for caller in host.pm.get_hookcallers(host.pm.get_plugin(plugin)) or []}
    missing = [hook for hook in RIGHTS_HOOKS if hook not in implemented]
    if missing:
        return f"does not implement {' or '.join(missing)}"
    return None


def _is_busy(exc: BaseException) -> bool:
    error = exc.error if isinstance(exc, PluginHookError) else exc
    text = str(error).lower()
    return isinstance(error, (*DB_ERRORS, StorageError)) and ("locked" in text or "busy" in text)


def _retrying_while_busy(hub, action: str, attempt: Callable[[], T]) -> T:
    """Run the whole request again (never part of it) while the database is busy, up to BUSY_RETRY_SECONDS."""
    deadline = time.monotonic() + BUSY_RETRY_SECONDS
    pause = 0.25
    while True:
        try:
            return attempt()
        except Exception as exc:
            if not _is_busy(exc):
                raise
            if time.monotonic() + pause > deadline:
                raise RightsError(
                    f"Nothing was {action}: the database stayed busy (another kiosk or program is writing) for "
                    f"{BUSY_RETRY_SECONDS:.0f} seconds. Try again in a minute."
                ) from None
            time.sleep(pause)
            pause = min(pause * 2, 4.0)


def _plugin_failed(action: str, exc: PluginHookError) -> RightsError:
    return RightsError(f"Nothing was {action}: the {exc.plugin} plugin failed ({describe_error(exc.error)}).")


def _resident_or_error(hub, resident_id: int) -> dict:
    row = hub.db.execute("SELECT * FROM residents WHERE id = ?", [resident_id]).fetchone()
    if row is None:
        raise RightsError(f"There is no resident with id {resident_id}.")
    columns = [c[0] for c in hub.db.execute("SELECT * FROM residents LIMIT 0").description]
    return dict(zip(columns, row))


def subject_access(hub, resident_id: int) -> dict[str, Any]:
    """Everything held about a resident, from the core and every plugin (site leads only).

    Refused (RightsRefused) unless every plugin holding residents' data can answer; a plugin that
    fails part-way refuses the whole export (RightsError) rather than hand over part of it.
    """
    hub.require("data.export")
    return _retrying_while_busy(hub, "exported", lambda: _subject_access(hub, resident_id))


def _subject_access(hub, resident_id: int) -> dict[str, Any]:
    resident = _resident_or_error(hub, resident_id)
    check_every_holder_is_ready(hub, "exported")
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
        "incomplete": [],  # kept for readers of older exports: always empty, as a partial export is refused
    }
    try:
        sections = hub.plugins.call("export_resident_data", errors="raise", hub=hub, resident_id=resident_id)
    except PluginHookError as exc:
        if _is_busy(exc):
            raise
        raise _plugin_failed("exported", exc) from None
    for section in sections:
        export["plugins"][section.plugin] = section.value
    hub.log_event(resident_id, "subject-access-export")
    return export


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
    bytes_notes: list[str] = field(default_factory=list)
    """What reached past the rows: indexes rebuilt, the WAL emptied, exported files removed."""
    _erased: dict = field(default_factory=dict, repr=False, compare=False)
    """The resident's record as it was, for after_erasure only (never printed)."""


def erase(hub, resident_id: int) -> ErasureReport:
    """Erase a resident from the core and every plugin in one transaction (site leads only).

    Plugins keep what the law or a funder requires (a paid bonus, say), de-identified, and
    say so in their return value. If any plugin raises, everything is rolled back. Refused
    (RightsRefused) unless every plugin holding residents' data is loaded and healthy.
    """
    hub.require("residents.erase")
    from hub import events

    report = _retrying_while_busy(hub, "erased", lambda: _erase(hub, resident_id))
    after_erasure(hub, resident_id, report)
    if hub.current_resident_id == resident_id:
        hub.select_resident(None)
    hub.events.emit(events.ResidentEvent(resident_id, events.ERASED))
    return report


def _erase(hub, resident_id: int) -> ErasureReport:
    resident = _resident_or_error(hub, resident_id)
    if resident.get("erased_at"):
        raise RightsError(f"Resident {resident_id} was already erased on {resident['erased_at'][:10]}.")
    check_every_holder_is_ready(hub, "erased")
    report = ErasureReport(resident_id)
    db = hub.db
    with write_transaction(db):
        try:
            kept_lists = hub.plugins.call("erase_resident_data", errors="raise", hub=hub, resident_id=resident_id)
        except PluginHookError as exc:
            if _is_busy(exc):
                raise
            raise _plugin_failed("erased", exc) from None
        for kept in kept_lists:
            report.kept.extend(f"{kept.plugin}: {item}" for item in (kept.value or []))
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
    report._erased = resident
    return report


def after_erasure(hub, resident_id: int, report: ErasureReport) -> None:
    """The one place erasure reaches past the rows, once they are committed: the full-text index,
    ``secure_delete``, a checkpoint and exported files (issue #14's byte-level erasure lives in its
    own module, hub.erasure, and is called from here), and the erasure ledger that survives a restore."""
    from hub.erasure import reach_the_bytes

    resident, report._erased = report._erased, {}
    report.bytes_notes = reach_the_bytes(hub, resident)


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
