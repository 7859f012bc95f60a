"""Erasure that reaches the bytes: what happens after the rows are gone (UK GDPR Article 17).

``hub.rights.erase`` removes or de-identifies the rows; then it calls ``reach_the_bytes`` once,
which makes sure nothing of the person is left where a copy of the files would show it:

- every connection has ``secure_delete`` on (``hub.storage``), so freed cells and pages are zeroed;
- the full-text indexes over residents' rows are rebuilt, so no name token or postcode survives
  in ``*_fts_data`` segments (FTS5 keeps deleted tokens until its segments merge);
- a TRUNCATE checkpoint copies the WAL into the database and empties it, retried while
  another kiosk is reading; if it still cannot, the report says so;
- files written about the resident (subject-access exports, passports, printouts) were listed in
  a manifest when written (``record_export``) and are overwritten and removed; files in
  ``exports/`` and ``printouts/`` that the manifest missed but that name the resident are
  removed too; anything that cannot be removed is reported;
- the erasure goes into a ledger kept outside the database, so a restore of an older backup
  applies it again (``hub.restore``).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import re
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

if TYPE_CHECKING:
    from sqlite_utils import Database

MANIFEST = "exports-manifest.jsonl"
LEDGER = "erasure-ledger.jsonl"
EXPORT_FOLDERS = ("exports", "printouts")
CHECKPOINT_TRIES = 20
PERSONAL_FIELDS = ("name", "preferred_name", "phone", "email", "address", "postcode")


# -- the manifest of files written about a resident -------------------------------------------------


def record_export(data_dir: Path, resident_id: int, path: Path | str, *, kind: str = "export") -> None:
    """Note a file written about a resident, so erasing them removes it. Call it after writing."""
    if str(path) == "-":
        return
    entry = {"resident_id": int(resident_id), "path": str(Path(path).resolve()), "kind": kind,
             "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    _append_line(Path(data_dir) / MANIFEST, json.dumps(entry))


def exported_files(data_dir: Path, resident_id: int) -> list[Path]:
    return [Path(entry["path"]) for entry in _read_lines(Path(data_dir) / MANIFEST) if entry.get("resident_id") == resident_id]


def _append_line(path: Path, line: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def _read_lines(path: Path) -> list[dict]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    entries = []
    for line in text.splitlines():
        with contextlib.suppress(ValueError):
            entry = json.loads(line)
            if isinstance(entry, dict):
                entries.append(entry)
    return entries


def _rewrite_manifest(data_dir: Path, keep: Iterable[dict]) -> None:
    from hub.audit import _write_private

    _write_private(Path(data_dir) / MANIFEST, "".join(json.dumps(entry) + "\n" for entry in keep).encode("utf-8"))


def shred(path: Path) -> None:
    """Overwrite a file with zeros, then remove it (best effort on journaling/SSD storage)."""
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.write(b"\0" * size)
        handle.flush()
        os.fsync(handle.fileno())
    path.unlink()


def _names_resident(path: Path, needles: list[bytes]) -> bool:
    """Whether a file holds one of the resident's strings (PDF streams are decompressed first)."""
    try:
        data = path.read_bytes()
    except OSError:
        return False
    haystacks = [data]
    if data.startswith(b"%PDF"):
        for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
            with contextlib.suppress(zlib.error):
                haystacks.append(zlib.decompress(stream))
    lowered = [h.lower() for h in haystacks]
    return any(needle in h for needle in needles for h in lowered)


def _needles(resident: dict[str, Any]) -> list[bytes]:
    """The resident's strings worth finding in a file (short or common ones are left out)."""
    found = []
    for name in PERSONAL_FIELDS:
        value = str(resident.get(name) or "").strip()
        if len(value) < 5:
            continue
        for encoding in ("utf-8", "latin-1", "utf-16-be"):
            with contextlib.suppress(UnicodeEncodeError):
                found.append(value.lower().encode(encoding))
        found.append(json.dumps(value.lower())[1:-1].encode("ascii"))
    return sorted(set(found))


def remove_exported_files(data_dir: Path, resident: dict[str, Any]) -> tuple[list[Path], list[str]]:
    """Remove the manifest's files for the resident and any others in exports/ and printouts/
    naming them; return (removed, problems)."""
    resident_id = int(resident["id"])
    entries = _read_lines(Path(data_dir) / MANIFEST)
    listed = [Path(e["path"]) for e in entries if e.get("resident_id") == resident_id]
    needles = _needles(resident)
    candidates: list[Path] = list(listed)
    for folder in EXPORT_FOLDERS:
        base = Path(data_dir) / folder
        if base.is_dir():
            for path in sorted(base.rglob("*")):
                if path.is_file() and path not in candidates and needles and _names_resident(path, needles):
                    candidates.append(path)
    removed: list[Path] = []
    problems: list[str] = []
    for path in candidates:
        try:
            shred(path)
        except FileNotFoundError:
            continue  # already gone (moved or deleted by hand)
        except OSError as exc:
            problems.append(f"could not remove {path}: {exc.strerror}")
            continue
        removed.append(path)
    still = [e for e in entries if e.get("resident_id") != resident_id
             or any(str(Path(e["path"])) in problem for problem in problems)]
    if len(still) != len(entries):
        _rewrite_manifest(Path(data_dir), still)
    return removed, problems


# -- the ledger of erasures, outside the database ---------------------------------------------


def _ledger_mac(key: bytes, entry: dict) -> str:
    body = json.dumps({k: entry[k] for k in ("resident_id", "registered_at", "erased_at")}, sort_keys=True)
    return hmac.new(key, body.encode("utf-8"), hashlib.sha256).hexdigest()


def record_erasure(db: "Database", data_dir: Path, resident: dict[str, Any], erased_at: str) -> None:
    """Append to the erasure ledger: the id and registration time (to tell a reused id apart), MACed."""
    from hub.audit import site_key

    entry = {"resident_id": int(resident["id"]), "registered_at": resident.get("registered_at"), "erased_at": erased_at}
    entry["mac"] = _ledger_mac(site_key(db), entry)
    _append_line(Path(data_dir) / LEDGER, json.dumps(entry))


def ledger(db: "Database", data_dir: Path) -> tuple[list[dict], list[str]]:
    """Every erasure recorded (entries whose MAC fails are left out and reported)."""
    from hub.audit import site_key

    key = site_key(db)
    good, bad = [], []
    for entry in _read_lines(Path(data_dir) / LEDGER):
        try:
            ok = hmac.compare_digest(_ledger_mac(key, entry), str(entry.get("mac")))
        except (KeyError, TypeError):
            ok = False
        (good if ok else bad).append(entry)
    return good, [f"ignored a ledger line that was not written by this site: {json.dumps(e)[:80]}" for e in bad]


# -- the database file ---------------------------------------------------------------------


def resident_fts_tables(db: "Database") -> list[str]:
    """FTS tables over rows about residents: residents_fts and any whose content table has resident_id."""
    tables = []
    for (name, sql) in db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'"):
        match = re.search(r"content\s*=\s*\[?\"?'?(\w+)", sql or "", re.I)
        if not match or "fts" not in (sql or "").lower():
            continue
        content = match.group(1)
        columns = {row[1] for row in db.execute(f"PRAGMA table_info([{content}])")}
        if content == "residents" or "resident_id" in columns:
            tables.append(name)
    return tables


def rebuild_indexes(db: "Database") -> list[str]:
    """Rebuild the FTS indexes over residents' rows from their content, so no deleted token survives."""
    from hub.storage import write_transaction

    rebuilt = []
    with write_transaction(db):
        for table in resident_fts_tables(db):
            db.execute(f"INSERT INTO [{table}]([{table}]) VALUES('rebuild')")
            rebuilt.append(table)
    return rebuilt


def checkpoint(db: "Database", tries: int = CHECKPOINT_TRIES) -> bool:
    """Copy the WAL into the database file and empty it; False if another kiosk kept it busy."""
    for attempt in range(tries):
        busy, _log, _done = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if not busy:
            return True
        time.sleep(min(0.05 * (attempt + 1), 0.5))
    return False


@dataclass
class BytesReport:
    indexes: list[str]
    checkpointed: bool
    removed: list[Path]
    problems: list[str]

    def lines(self) -> list[str]:
        out = [f"files: removed {len(self.removed)} exported file(s) about them"
               + (f" ({', '.join(p.name for p in self.removed)})" if self.removed else "")]
        if not self.checkpointed:
            out.append("database: another kiosk is reading, so the write-ahead log could not be emptied yet; "
                       "it will be at the next checkpoint (close the kiosks, or run the erasure's checkpoint again)")
        out.extend(f"files: {problem}" for problem in self.problems)
        return out


def reach_the_bytes(hub, resident: dict[str, Any]) -> list[str]:
    """After the rows are erased (committed): ledger, indexes, checkpoint, files. Returns report lines."""
    from hub.residents import now_iso

    db = hub.db
    data_dir = hub.config.data_dir
    record_erasure(db, data_dir, resident, now_iso())
    indexes = rebuild_indexes(db)
    checkpointed = checkpoint(db)
    removed, problems = remove_exported_files(data_dir, resident)
    report = BytesReport(indexes, checkpointed, removed, problems)
    if removed or problems:
        hub.log_event(int(resident["id"]), f"erase:files:{len(removed)}-removed:{len(problems)}-failed")
        checkpoint(db, tries=3)
    return report.lines()
