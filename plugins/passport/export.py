"""The passport for the resident to take away: a printable PDF and signed Open Badges 3.0 JSON.

Both carry a short **document code** (``ABCDE-FGHJK``) derived from what the document says;
the site registers every issued document (``passport_documents``) so staff can confirm a code
or a file later (``hub passport check-code``, ``hub passport verify``). The JSON is one
``OpenBadgeCredential`` per entry, each signed on its own, bundled in a
``VerifiablePresentation`` that is signed as a whole (so a removed or added entry shows).

Only what the resident would show an employer goes in: their name, the entries, how each was
verified. No date of birth, address, contact details, or pay (pay is for the bonus checks).
No Textual; ``fpdf`` and ``cryptography`` are imported when a document is made.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from hub.api import ValidationError, get_resident
from plugins.passport.kinds import ACTIVITIES, BUILTIN_KINDS, EntryKind, label_for
from plugins.passport.model import EVIDENCE_TYPES, QUALIFICATION_LEVELS, VERIFICATION_LEVELS
from plugins.passport.signing import canonical_json
from plugins.passport.skills import FRAMEWORKS, SKILLS
from plugins.passport.storage import current_entries
from plugins.passport.views import Totals, dates_text, hours_text, totals, verification_text

if TYPE_CHECKING:
    from sqlite_utils import Database

    from plugins.passport.signing import SigningKey

OB3_CONTEXT = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
VC_CONTEXT = ["https://www.w3.org/ns/credentials/v2"]
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_NAMESPACE = uuid.UUID("6b0f4a52-4a4e-4f0e-9d0f-5a7d3f1c2b10")  # this plugin's uuid5 namespace


@dataclass
class PassportData:
    """Everything a document shows, read once from the database."""

    resident_id: int
    name: str
    entries: list[dict[str, Any]]
    totals: Totals
    kinds: Mapping[str, EntryKind]


def collect(db: "Database", resident_id: int, *, kinds: Mapping[str, EntryKind] | None = None,
            min_level: str | None = None, today: date | None = None) -> PassportData:
    """The resident's current entries (optionally only those verified at ``min_level`` or above)."""
    resident = get_resident(db, resident_id)
    if resident is None:
        raise ValidationError({"resident": f"There is no resident with id {resident_id}."})
    entries = current_entries(db, resident_id)
    if min_level:
        if min_level not in VERIFICATION_LEVELS:
            raise ValidationError({"min_level": f"Unknown verification level {min_level!r}."})
        rank = VERIFICATION_LEVELS[min_level].rank
        entries = [e for e in entries if VERIFICATION_LEVELS[e["verification_level"]].rank >= rank]
    return PassportData(resident_id, resident["name"], entries, totals(entries, today), kinds or BUILTIN_KINDS)


def document_code(payload: bytes) -> str:
    """A short code for a document: 50 bits of its SHA-256 in Crockford base 32, as ``XXXXX-XXXXX``."""
    number = int.from_bytes(hashlib.sha256(payload).digest()[:7], "big") >> 6
    chars = "".join(_CROCKFORD[(number >> (5 * i)) & 31] for i in reversed(range(10)))
    return f"{chars[:5]}-{chars[5:]}"


def normalise_code(text: str) -> str:
    """Codes as people read them out: case, spaces and O/I/L mix-ups forgiven."""
    raw = "".join(ch for ch in text.upper() if ch.isalnum()).replace("O", "0").replace("I", "1").replace("L", "1")
    return f"{raw[:5]}-{raw[5:]}" if len(raw) == 10 else text.strip().upper()


def iso_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- PDF -------------------------------------------------------------------------------------------

_REPLACEMENTS = {"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "•": "-", "→": "->", "·": "-"}


def latin1(text: str) -> str:
    """fpdf2's built-in fonts are Latin-1 only (which has £ and é); replace the rest."""
    for old, new in _REPLACEMENTS.items():
        text = text.replace(old, new)
    return text.encode("latin-1", "replace").decode("latin-1")


def pdf_payload(data: PassportData, *, site_name: str, issued_at: str) -> bytes:
    """What the PDF says, canonicalised: its code is derived from this and registered with it."""
    return canonical_json({
        "format": "pdf", "site": site_name, "resident_id": data.resident_id, "name": data.name, "issued_at": issued_at,
        "entries": [[e["id"], e["kind"], e["title"], e.get("provider"), e["start_date"], e.get("end_date"), e["ongoing"],
                     e.get("hours_total"), e.get("hours_per_week"), e["verification_level"], e.get("verified_by"),
                     e.get("verified_at")] for e in data.entries],
    })


def render_pdf(data: PassportData, *, site_name: str, code: str, issued_at: str, contact: str = "") -> bytes:
    """The printable passport as PDF bytes: every entry with its verification level, and the code on every page."""
    from fpdf import FPDF  # only when a passport is printed

    issued = datetime.strptime(issued_at, "%Y-%m-%dT%H:%M:%SZ")
    footer_text = latin1(f"Work passport - {site_name} - document code {code}")

    class PassportPDF(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("Helvetica", "", 7.5)
            self.set_text_color(90)
            self.cell(0, 5, footer_text, align="L")
            self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="R")

    pdf = PassportPDF(format="A4")
    pdf.set_compression(True)
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.set_title("Work passport")
    pdf.set_author(latin1(site_name))
    pdf.set_subject(f"Work passport, document code {code}")
    pdf.set_keywords(f"passport-code:{code}")
    pdf.set_creator("Drop-in Hub")
    pdf.set_creation_date(issued.replace(tzinfo=timezone.utc))
    pdf.add_page()
    width = pdf.epw

    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 9, "Work passport", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 7, latin1(data.name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    pdf.cell(0, 5, latin1(f"Issued by {site_name} on {issued.strftime('%d %B %Y')}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 11)
    pdf.set_fill_color(235)
    pdf.cell(width, 8, f"  Document code: {code}", fill=True, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 8.5)
    check = f"To check this passport, contact {site_name}{' (' + contact + ')' if contact else ''} and quote the code."
    pdf.multi_cell(width, 4.2, latin1(check), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)

    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(0, 6, "Totals", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    for line in data.totals.lines():
        pdf.cell(0, 5, latin1(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(0, 6, "How each entry was checked", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 8)
    for level in VERIFICATION_LEVELS.values():
        pdf.cell(0, 4.2, latin1(f"{level.label}: {level.meaning}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)

    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(0, 6, f"Entries ({len(data.entries)})", new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(180)
    if not data.entries:
        pdf.set_font("Helvetica", "I", 9)
        pdf.cell(0, 6, "No entries yet.", new_x="LMARGIN", new_y="NEXT")
    for entry in data.entries:
        if pdf.will_page_break(18):
            pdf.add_page()
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + width, pdf.get_y())
        pdf.ln(0.8)
        pdf.set_font("Helvetica", "B", 9.5)
        heading = latin1(f"{label_for(entry['kind'], data.kinds)}: {entry['title']}")
        if pdf.get_string_width(heading) < width:
            pdf.cell(width, 5, heading, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.multi_cell(width, 5, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 8.5)
        facts = [entry.get("provider") or "", entry.get("role") or "", dates_text(entry), hours_text(entry),
                 entry.get("result") or "", QUALIFICATION_LEVELS.get(entry.get("qualification_level") or "", ""),
                 ACTIVITIES[entry["activity"]] if entry["activity"] != "none" else ""]
        _line(pdf, width, " - ".join(f for f in facts if f))
        if entry.get("skills"):
            _line(pdf, width, "Skills: " + ", ".join(SKILLS[s].name for s in entry["skills"] if s in SKILLS))
        pdf.set_font("Helvetica", "B" if entry["verification_level"] != "self_declared" else "", 8.5)
        _line(pdf, width, "Verification: " + verification_text(entry))
        pdf.ln(0.8)
    return bytes(pdf.output())


def _line(pdf: Any, width: float, text: str) -> None:
    text = latin1(text)
    if pdf.get_string_width(text) < width:
        pdf.cell(width, 4.4, text, new_x="LMARGIN", new_y="NEXT")
    else:
        pdf.multi_cell(width, 4.4, text, new_x="LMARGIN", new_y="NEXT")


# -- Open Badges 3.0 credentials -------------------------------------------------------------------


def _urn(*parts: Any) -> str:
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, '/'.join(map(str, parts)))}"


def _datetime(iso_date: str) -> str:
    return f"{iso_date}T00:00:00Z"


def recipient_identity(data: PassportData, issuer_id: str, *, hashed: bool) -> dict[str, Any]:
    """The resident as an OB3 IdentityObject: their name, or a salted SHA-256 of it."""
    if not hashed:
        return {"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": data.name}
    salt = hashlib.sha256(f"{issuer_id}/{data.resident_id}".encode()).hexdigest()[:16]
    digest = hashlib.sha256((data.name + salt).encode("utf-8")).hexdigest()
    return {"type": "IdentityObject", "identityType": "name", "hashed": True, "identityHash": f"sha256${digest}", "salt": salt}


def credential_for(entry: Mapping[str, Any], *, issuer: Mapping[str, Any], identity: Mapping[str, Any],
                   issued_at: str, site_name: str, kinds: Mapping[str, EntryKind]) -> dict[str, Any]:
    """One entry as an unsigned OpenBadgeCredential (Open Badges 3.0)."""
    kind = kinds.get(entry["kind"])
    kind_label = label_for(entry["kind"], kinds)
    level = VERIFICATION_LEVELS[entry["verification_level"]]
    achievement_id = _urn(issuer["id"], "achievement", entry["id"])
    provider = entry.get("provider")
    description = entry.get("description") or f"{kind_label}: {entry['title']}" + (f", {provider}" if provider else "") + "."
    achievement: dict[str, Any] = {
        "id": achievement_id,
        "type": ["Achievement"],
        "achievementType": kind.achievement_type if kind else "ext:Activity",
        "name": entry["title"],
        "description": description,
        "criteria": {"narrative": f"{kind_label} recorded in the resident's work passport at {site_name}, "
                                  f"{dates_text(entry)}. How it was checked: {level.label.lower()}."},
    }
    if entry.get("skills"):
        achievement["alignment"] = [
            {"type": ["Alignment"], "targetType": "ceasn:Competency", "targetCode": skill,
             "targetName": SKILLS[skill].name, "targetDescription": SKILLS[skill].description,
             "targetFramework": FRAMEWORKS[SKILLS[skill].framework].name,
             "targetUrl": f"{FRAMEWORKS[SKILLS[skill].framework].url}#{skill}"}
            for skill in entry["skills"] if skill in SKILLS
        ]
    if entry.get("qualification_level"):
        achievement["tag"] = [f"RQF {QUALIFICATION_LEVELS[entry['qualification_level']]}"]
    results: list[dict[str, Any]] = []
    descriptions: list[dict[str, Any]] = []
    for key, name, value in (("hours", "Hours in total", entry.get("hours_total")),
                             ("hours-per-week", "Hours a week", entry.get("hours_per_week")),
                             ("result", "Result", entry.get("result"))):
        if value is None:
            continue
        result_id = f"{achievement_id}#{key}"
        descriptions.append({"id": result_id, "type": ["ResultDescription"], "name": name,
                             "resultType": "Status" if key == "result" else "ext:Hours"})
        results.append({"type": ["Result"], "resultDescription": result_id,
                        "value": value if isinstance(value, str) else f"{value:g}"})
    if descriptions:
        achievement["resultDescription"] = descriptions
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "identifier": [dict(identity)],
        "achievement": achievement,
        "activityStartDate": _datetime(entry["start_date"]),
        "passportVerification": {
            "level": entry["verification_level"], "label": level.label, "meaning": level.meaning,
            **({"verifiedBy": entry["verified_by"]} if entry.get("verified_by") else {}),
            **({"verifiedOn": entry["verified_at"]} if entry.get("verified_at") else {}),
        },
    }
    if entry.get("end_date") and not entry.get("ongoing"):
        subject["activityEndDate"] = _datetime(entry["end_date"])
    if entry.get("role"):
        subject["role"] = entry["role"]
    if results:
        subject["result"] = results
    evidence = [
        {"type": ["Evidence"], "genre": kind_id, "name": EVIDENCE_TYPES[kind_id],
         "narrative": f"Seen by {site_name} staff; the hub keeps no copy."}
        for kind_id in entry.get("evidence") or [] if kind_id in EVIDENCE_TYPES
    ]
    evidence.append({"type": ["Evidence"], "genre": "Verification", "name": level.label,
                     "narrative": verification_text(entry) + "."})
    return {
        "@context": OB3_CONTEXT,
        "id": _urn(issuer["id"], "credential", entry["id"], issued_at),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": dict(issuer),
        "validFrom": issued_at,
        "name": entry["title"],
        "credentialSubject": subject,
        "evidence": evidence,
    }


def signed_passport(data: PassportData, key: "SigningKey", *, site_name: str, issued_at: str, issuer_url: str = "",
                    hash_name: bool = False) -> tuple[dict[str, Any], str, str]:
    """The signed JSON passport: (bundle, document code, payload sha256).

    Each entry is an OpenBadgeCredential with its own eddsa-jcs-2022 proof; the bundle (a
    VerifiablePresentation holding them, the code and the issue time) is signed as a whole.
    """
    issuer: dict[str, Any] = {"id": key.did, "type": ["Profile"], "name": site_name}
    if issuer_url:
        issuer["url"] = issuer_url
    identity = recipient_identity(data, key.did, hashed=hash_name)
    credentials = [
        key.sign(credential_for(entry, issuer=issuer, identity=identity, issued_at=issued_at, site_name=site_name,
                                kinds=data.kinds), created=issued_at)
        for entry in data.entries
    ]
    payload = canonical_json({"format": "json", "signer": key.did, "issued_at": issued_at, "credentials": credentials})
    code = document_code(payload)
    bundle = {
        "@context": VC_CONTEXT,
        "id": _urn(key.did, "passport", data.resident_id, issued_at),
        "type": ["VerifiablePresentation", "WorkPassport"],
        "name": f"Work passport from {site_name}",
        "passportCode": code,
        "issued": issued_at,
        "verifiableCredential": credentials,
    }
    return key.sign(bundle, created=issued_at), code, hashlib.sha256(payload).hexdigest()


def passport_json_bytes(bundle: Mapping[str, Any]) -> bytes:
    """The file: top-level fields one per line and one credential per line, so it stays readable
    without the slow pure-Python indenting encoder. Whitespace does not affect the signatures."""
    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))

    lines = []
    for key, value in bundle.items():
        if key == "verifiableCredential" and isinstance(value, list) and value:
            items = ",\n".join(f"    {dump(item)}" for item in value)
            lines.append(f'  "{key}": [\n{items}\n  ]')
        else:
            lines.append(f"  {dump(key)}: {dump(value)}")
    return ("{\n" + ",\n".join(lines) + "\n}\n").encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def default_file_name(resident_id: int, fmt: str, issued_at: str) -> str:
    stamp = issued_at.replace("-", "").replace(":", "").replace("T", "-").rstrip("Z")
    return f"passport-{resident_id}-{stamp}.{fmt}"


def write_bytes(path: Path, data: bytes) -> None:
    """Write a document; readable by its owner only, since it holds personal data."""
    import os

    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def pdf_code_in(data: bytes) -> str | None:
    """The document code written into a passport PDF's metadata, if any."""
    import re

    match = re.search(rb"passport-code:([0-9A-Z]{5}-[0-9A-Z]{5})", data)
    return match.group(1).decode("ascii") if match else None


def entry_version_ids(data: PassportData) -> list[int]:
    return [entry["id"] for entry in data.entries]

