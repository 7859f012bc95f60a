"""The passport's actions with the ``hub``: validate, save with the access log, tell other plugins.

The tab and the CLI both come through here, so every rule holds whichever way in:
validation (``model``), history-keeping writes (``storage``), the access log (ids only), and
``hub.emit("record_saved", kind="passport.entry", ...)`` after each commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from hub.api import ValidationError, get_resident, log_access
from plugins.passport import storage
from plugins.passport.kinds import EntryKind, merge_kinds
from plugins.passport.model import EntryForm, validate_entry, validate_evidence, validate_verification

if TYPE_CHECKING:
    from hub.api import Hub
    from plugins.passport import PassportSettings
    from plugins.passport.export import PassportData
    from plugins.passport.signing import SigningKey

log = logging.getLogger("hub.passport")
RECORD_KIND = "passport.entry"
KEY_FILE_NAME = "passport-signing-key.pem"


def settings(hub: "Hub") -> "PassportSettings":
    from plugins.passport import PassportSettings

    return hub.plugin_config("passport") or PassportSettings()


def kinds_for(hub: "Hub") -> dict[str, EntryKind]:
    """The built-in kinds plus those other plugins add through ``passport_entry_kinds``."""
    kinds, _ = kind_report(hub)
    return kinds


def kind_report(hub: "Hub") -> tuple[dict[str, EntryKind], list[str]]:
    results = hub.plugins.call_flat("passport_entry_kinds", hub=hub)
    return merge_kinds((result.plugin, result.value) for result in results)


def _born(hub: "Hub", resident_id: int) -> date | None:
    resident = get_resident(hub.db, resident_id)
    if resident is None:
        raise ValidationError({"resident": f"There is no resident with id {resident_id}."})
    return date.fromisoformat(resident["date_of_birth"]) if resident.get("date_of_birth") else None


def permission_errors() -> tuple[type[Exception], ...]:
    """The core's PermissionDenied (as a tuple for ``except``), or () on a core without roles."""
    try:
        from hub.api import PermissionDenied
    except ImportError:
        return ()
    return (PermissionDenied,)


def require(hub: "Hub", permission: str) -> None:
    """Check the signed-in role through the core (``hub.require``), which logs refusals.

    Entries and exports need ``residents.use`` (every role); creating or rotating the
    signing key needs ``config.manage`` (site leads)."""
    check = getattr(hub, "require", None)
    if check is not None:
        check(permission)


def _emit(hub: "Hub", resident_id: int, record_id: int) -> None:
    hub.emit("record_saved", resident_id=resident_id, kind=RECORD_KIND, record_id=record_id)


def log_view(hub: "Hub", resident_id: int, what: str = "view") -> None:
    """Record that staff looked at a resident's passport (ids and the action only)."""
    log_access(hub.db, staff=hub.staff, terminal=hub.terminal, resident_id=resident_id, action=f"passport:{what}")


# -- entries ---------------------------------------------------------------------------------------


def add(hub: "Hub", resident_id: int, form: EntryForm, *, today: date | None = None) -> int:
    """Validate and save a new entry; return its id. Raises ValidationError per field."""
    require(hub, "residents.use")
    row = validate_entry(form, kinds_for(hub), today=today, born=_born(hub, resident_id))
    entry_id = storage.add_entry(hub.db, resident_id, row, staff=hub.staff, terminal=hub.terminal)
    _emit(hub, resident_id, entry_id)
    return entry_id


def correct(hub: "Hub", version_id: int, form: EntryForm, *, reason: str, keep_verification: bool = False,
            today: date | None = None) -> int:
    """Save a correction as a new version of ``version_id``; return the new version's id."""
    require(hub, "residents.use")
    old = _version(hub, version_id)
    kinds = kinds_for(hub)
    try:
        row = validate_entry(form, kinds, today=today, born=_born(hub, old["resident_id"]))
    except ValidationError as exc:
        if not (reason or "").strip():
            exc.errors.setdefault("change_reason", "Say why it is being corrected, e.g. wrong end date.")
        raise
    new_id = storage.correct_entry(hub.db, version_id, row, reason=reason, keep_verification=keep_verification,
                                   staff=hub.staff, terminal=hub.terminal)
    _emit(hub, old["resident_id"], new_id)
    return new_id


def verify(hub: "Hub", version_id: int, *, level: str, verified_by: str = "", verified_at: str = "",
           evidence: list[str] | None = None, note: str = "", today: date | None = None) -> int:
    """Record how an entry was verified (a new version); return its id. Raises ValidationError."""
    require(hub, "residents.use")
    old = _version(hub, version_id)
    errors: dict[str, str] = {}
    seen = validate_evidence(evidence if evidence is not None else old["evidence"], errors)
    values = validate_verification(level, verified_by, verified_at, note, seen, errors, today=today)
    if level == "self_declared":
        errors["verification_level"] = "Choose the level it was verified at (self-declared is not a verification)."
    if errors:
        raise ValidationError(errors)
    new_id = storage.verify_entry(
        hub.db, version_id, level=values["verification_level"], verified_by=values["verified_by"],
        verified_at=date.fromisoformat(values["verified_at"]), evidence=seen, note=values["verification_note"],
        staff=hub.staff, terminal=hub.terminal,
    )
    _emit(hub, old["resident_id"], new_id)
    return new_id


def withdraw(hub: "Hub", version_id: int, *, reason: str) -> int:
    require(hub, "residents.use")
    old = _version(hub, version_id)
    new_id = storage.withdraw_entry(hub.db, version_id, reason=reason, staff=hub.staff, terminal=hub.terminal)
    _emit(hub, old["resident_id"], new_id)
    return new_id


def _version(hub: "Hub", version_id: int) -> dict[str, Any]:
    old = storage.get_version(hub.db, version_id)
    if old is None:
        raise ValidationError({"entry": f"There is no passport entry with id {version_id}."})
    return old


# -- keys ------------------------------------------------------------------------------------------


def key_path(hub: "Hub") -> Path:
    """The site's private key: ``key_file`` from the settings (relative to the site file), else
    ``passport-signing-key.pem`` in the site's data folder."""
    configured = settings(hub).key_file
    if configured:
        path = Path(configured).expanduser()
        return path if path.is_absolute() else (hub.config.path.parent / path).resolve()
    return hub.config.data_dir / KEY_FILE_NAME


def load_signing_key(hub: "Hub") -> "SigningKey":
    from plugins.passport.signing import load_key_file

    return load_key_file(key_path(hub), settings(hub).key_passphrase or None)


def retired_key_files(hub: "Hub") -> list[Path]:
    path = key_path(hub)
    return sorted(path.parent.glob(f"{path.stem}.retired-*.pub.pem"))


def trusted_signers(hub: "Hub", extra: list[str] = ()) -> dict[str, str]:
    """did:key -> label for every key whose signature this site accepts: its own key, its
    retired keys, the ``trusted_keys`` setting, and ``extra`` (files or did:keys from --trust)."""
    from plugins.passport.signing import KeyFileError, did_key, read_public_key

    trusted: dict[str, str] = {}
    try:
        trusted[load_signing_key(hub).did] = f"this site's key, {hub.config.hub.site_name}"
    except KeyFileError:
        pass
    for path in retired_key_files(hub):
        try:
            trusted.setdefault(did_key(read_public_key(path.read_text())), f"a retired key of this site ({path.name})")
        except (OSError, ValueError):
            log.warning("passport: cannot read retired public key %s", path.name)
    base = hub.config.path.parent
    for source, label in [(item, "trusted_keys in the site file") for item in settings(hub).trusted_keys] + [
        (item, "given with --trust") for item in extra
    ]:
        did = _did_from(source, base)
        trusted.setdefault(did, f"{label}: {source}")
    return trusted


def _did_from(source: str, base: Path) -> str:
    from plugins.passport.signing import did_key, read_public_key

    text = source.strip()
    if not (text.startswith("did:key:") or text.startswith("z6Mk") or text.startswith("-----") or text.startswith("{")):
        path = Path(text).expanduser()
        path = path if path.is_absolute() else base / path
        try:
            text = path.read_text()
        except OSError as exc:
            raise ValidationError({"trust": f"cannot read the public key file {source}: {exc.strerror}"}) from None
    try:
        return did_key(read_public_key(text))
    except ValueError as exc:
        raise ValidationError({"trust": f"{source}: {exc}"}) from None


# -- exports ---------------------------------------------------------------------------------------


@dataclass
class Prepared:
    """What an export needs, read on the calling thread (the database is not shared with workers)."""

    fmt: str
    data: "PassportData"
    site_name: str
    contact: str
    key: "SigningKey | None"
    issuer_url: str
    hash_name: bool


@dataclass
class Built:
    content: bytes
    code: str
    payload_sha256: str
    signer: str | None
    file_sha256: str


@dataclass
class ExportResult:
    path: Path | None
    code: str
    entries: int
    document_id: int
    signer: str | None


def prepare_export(hub: "Hub", resident_id: int, fmt: str, *, min_level: str | None = None) -> Prepared:
    """Read the passport (and, for JSON, the signing key); raises ValidationError or KeyFileError."""
    from plugins.passport.export import collect

    require(hub, "residents.use")
    if fmt not in ("pdf", "json"):
        raise ValidationError({"format": f"Unknown format {fmt!r}: choose pdf or json."})
    data = collect(hub.db, resident_id, kinds=kinds_for(hub), min_level=min_level)
    site = settings(hub)
    key = load_signing_key(hub) if fmt == "json" else None
    return Prepared(fmt, data, site.issuer_name or hub.config.hub.site_name, site.contact, key, site.issuer_url,
                    site.hash_recipient_name)


def build_document(prepared: Prepared, issued_at: str) -> Built:
    """Render the PDF or sign the JSON: pure work with no database, safe in a thread worker."""
    from plugins.passport import export

    if prepared.fmt == "pdf":
        payload = export.pdf_payload(prepared.data, site_name=prepared.site_name, issued_at=issued_at)
        code = export.document_code(payload)
        content = export.render_pdf(prepared.data, site_name=prepared.site_name, code=code, issued_at=issued_at,
                                    contact=prepared.contact)
        return Built(content, code, export.sha256_hex(payload), None, export.sha256_hex(content))
    assert prepared.key is not None
    bundle, code, payload_sha = export.signed_passport(
        prepared.data, prepared.key, site_name=prepared.site_name, issued_at=issued_at,
        issuer_url=prepared.issuer_url, hash_name=prepared.hash_name,
    )
    content = export.passport_json_bytes(bundle)
    return Built(content, code, payload_sha, prepared.key.did, export.sha256_hex(content))


def default_export_path(hub: "Hub", prepared: Prepared, issued_at: str) -> Path:
    from plugins.passport.export import default_file_name

    folder = "printouts" if prepared.fmt == "pdf" else "exports"
    return hub.config.data_dir / folder / default_file_name(prepared.data.resident_id, prepared.fmt, issued_at)


def register(hub: "Hub", prepared: Prepared, built: Built) -> int:
    """Register the issued document and log the export (on the thread that owns the database)."""
    from plugins.passport.export import entry_version_ids

    return storage.register_document(
        hub.db, code=built.code, resident_id=prepared.data.resident_id, fmt=prepared.fmt,
        entry_versions=entry_version_ids(prepared.data), payload_sha256=built.payload_sha256,
        file_sha256=built.file_sha256, signer=built.signer, staff=hub.staff, terminal=hub.terminal,
    )


def export(hub: "Hub", resident_id: int, fmt: str, *, out: Path | None = None, min_level: str | None = None,
           issued_at: str | None = None) -> tuple[ExportResult, bytes]:
    """Make, write and register a passport document in one go (the CLI's path).

    ``out=None`` writes into the site's data folder (printouts/ or exports/). Returns the result
    and the document's bytes (for writing to standard output)."""
    from plugins.passport.export import iso_now, write_bytes

    issued_at = issued_at or iso_now()
    prepared = prepare_export(hub, resident_id, fmt, min_level=min_level)
    built = build_document(prepared, issued_at)
    path = out if out is not None else default_export_path(hub, prepared, issued_at)
    if str(path) != "-":
        write_bytes(path, built.content)
    document_id = register(hub, prepared, built)
    return ExportResult(None if str(path) == "-" else path, built.code, len(prepared.data.entries), document_id,
                        built.signer), built.content


def document_report(hub: "Hub", document: Mapping[str, Any]) -> list[str]:
    """What an issued document held, and whether its entries have changed since (for staff)."""
    from plugins.passport.model import uk_date
    from plugins.passport.views import dates_text, verification_text

    lines = [
        f"Document {document['code']}: a {document['format'].upper()} work passport for resident #{document['resident_id']}, "
        f"issued {uk_date(document['issued_at'][:10])} {document['issued_at'][11:16]} UTC by {document['issued_by']}, "
        f"{document['entries']} entr{'y' if document['entries'] == 1 else 'ies'}."
    ]
    for version_id in document["entry_versions"]:
        entry = storage.get_version(hub.db, version_id)
        if entry is None:
            lines.append(f"- entry version {version_id}: no longer in this database")
            continue
        state = ""
        if entry["superseded_by"] is not None:
            latest = storage.versions_of(hub.db, entry["root_id"])[-1]
            state = "  [since withdrawn]" if latest["withdrawn"] else f"  [since changed: now v{latest['version']}]"
        lines.append(f"- {entry['title']} ({dates_text(entry)}): {verification_text(entry)}{state}")
    return lines
