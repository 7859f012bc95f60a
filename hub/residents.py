"""Residents: the core record every plugin attaches to, with consent, contacts and an access log.

Pure domain and storage functions, no Textual: the screens and the CLI call these,
so every rule (validation, consent, logging of access) holds whichever way in.
Personal data never goes to the log: only ids and actions do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any

from hub.postcodes import in_area, normalise_postcode
from hub.storage import DB_ERRORS, write_transaction

if TYPE_CHECKING:
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

ENGAGEMENT_KINDS = {
    "door_knock": "Door knock",
    "drop_in": "Came to a drop-in",
    "outreach_event": "Outreach event",
    "jobcentre_referral": "Referred by Jobcentre Plus",
    "agency_referral": "Referred by another agency",
    "word_of_mouth": "Friend, neighbour or word of mouth",
}
"""How a resident first engaged; JobsPlus reporting counts these."""

STATUSES = {
    "unemployed": "Unemployed (looking for work)",
    "economically_inactive": "Economically inactive (not looking: caring, health, study...)",
    "employed": "Employed (in work, wanting more or better work)",
}
"""Status when registered, in the ONS/Labour Force Survey sense."""

CONSENT_PURPOSES = {
    "record": "Keep my details and a record of the help I get (needed to register)",
    "share_with_services": "Share my details with services I am referred to",
    "contact": "Contact me by phone, text or email",
    "outcomes_reporting": "Use my de-identified information in reports to funders",
}
"""What a resident can consent to; each is recorded separately, with its history."""

CONTACT_KINDS = {
    "drop_in": "Drop-in visit",
    "appointment": "Appointment",
    "phone": "Phone call",
    "text_or_email": "Text or email",
    "home_visit": "Home visit",
    "door_knock": "Door knock",
    "other": "Other",
}

MIN_AGE = 16
"""Younger people are referred to youth services; the hub's programmes start at 16."""

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x1b]")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{8,18}[0-9]$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class ValidationError(Exception):
    """Bad input: ``errors`` maps each field to a message a member of staff understands."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def parse_date(text: str) -> date | None:
    """Dates as staff type them: 31/01/1990, 31-1-1990, 31.01.90 or 1990-01-31."""
    text = (text or "").strip()
    if not text:
        return None
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    try:
        if match:
            return date(int(match[1]), int(match[2]), int(match[3]))
        match = re.fullmatch(r"(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{2}|\d{4})", text)
        if match:
            year = int(match[3])
            if year < 100:  # two-digit years: birth dates are in the past
                year += 2000 if year <= date.today().year % 100 else 1900
            return date(year, int(match[2]), int(match[1]))
    except ValueError:
        return None
    return None


def clean_text(value: Any, *, limit: int) -> str:
    """Strip control and escape characters (they could repaint a terminal) and trim."""
    return _CONTROL.sub("", str(value or "")).strip()[:limit]


def age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@dataclass
class ResidentDetails:
    """A resident's personal details as staff type them: what registering and editing share."""

    name: str = ""
    preferred_name: str = ""
    date_of_birth: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    postcode: str = ""


@dataclass
class NewResident(ResidentDetails):
    """What staff fill in to register a resident (raw text, as typed)."""

    engagement: str = ""
    referred_by: str = ""
    status_at_registration: str = ""
    consents: dict[str, bool] = field(default_factory=dict)


def validate_resident(form: NewResident, area: list[str], today: date | None = None) -> dict[str, Any]:
    """Return a clean row for ``residents`` or raise ValidationError naming every bad field."""
    today = today or date.today()
    errors: dict[str, str] = {}
    row = _validate_details(form, area, today, errors)

    if form.engagement not in ENGAGEMENT_KINDS:
        errors["engagement"] = "Choose how the resident came to us."
    row["engagement"] = form.engagement or None
    referred_by = clean_text(form.referred_by, limit=120)
    if form.engagement == "agency_referral" and not referred_by:
        errors["referred_by"] = "Name the agency that referred them."
    row["referred_by"] = referred_by or ("Jobcentre Plus" if form.engagement == "jobcentre_referral" else None)

    if form.status_at_registration not in STATUSES:
        errors["status_at_registration"] = "Choose their work status today."
    row["status_at_registration"] = form.status_at_registration or None

    unknown = set(form.consents) - set(CONSENT_PURPOSES)
    if unknown:
        errors["consents"] = f"Unknown consent purpose: {', '.join(sorted(unknown))}."
    elif not form.consents.get("record"):
        errors["consents"] = "The resident must agree to us keeping their record before we can register them."

    if errors:
        raise ValidationError(errors)
    return row


def _validate_details(form: ResidentDetails, area: list[str], today: date, errors: dict[str, str]) -> dict[str, Any]:
    """The personal details shared by registering and editing: a clean row, errors added per field."""
    row: dict[str, Any] = {}
    row["name"] = clean_text(form.name, limit=120)
    if not row["name"]:
        errors["name"] = "Enter the resident's full name."
    elif len(str(form.name).strip()) > 120:
        errors["name"] = "Keep the name under 120 characters."
    row["preferred_name"] = clean_text(form.preferred_name, limit=60) or None

    born = parse_date(form.date_of_birth)
    if not form.date_of_birth.strip():
        errors["date_of_birth"] = "Enter the date of birth, e.g. 31/01/1990."
    elif born is None:
        errors["date_of_birth"] = "Not a date: write it as day/month/year, e.g. 31/01/1990."
    elif born > today:
        errors["date_of_birth"] = "The date of birth is in the future."
    elif born.year < 1900:
        errors["date_of_birth"] = "The date of birth is before 1900: check the year."
    elif age_on(born, today) < MIN_AGE:
        errors["date_of_birth"] = f"The hub is for residents aged {MIN_AGE} or over; signpost to youth services."
    row["date_of_birth"] = born.isoformat() if born else None

    phone = clean_text(form.phone, limit=30)
    if phone and not _PHONE.match(phone):
        errors["phone"] = "Not a phone number: use digits, e.g. 07700 900123."
    row["phone"] = phone or None

    email = clean_text(form.email, limit=200)
    if email and not _EMAIL.match(email):
        errors["email"] = "Not an email address, e.g. name@example.com."
    row["email"] = email or None

    row["address"] = clean_text(form.address, limit=300) or None
    postcode_text = clean_text(form.postcode, limit=12)
    postcode = normalise_postcode(postcode_text) if postcode_text else None
    if postcode_text and postcode is None:
        errors["postcode"] = "Not a UK postcode, e.g. M40 7AB. Leave it empty if they have none."
    row["postcode"] = postcode
    row["in_area"] = 1 if postcode and in_area(postcode, area) else 0
    return row


# -- changing a resident's details (UK GDPR Article 16: rectification) ---------------------------

DETAIL_FIELDS = ("name", "preferred_name", "date_of_birth", "phone", "email", "address", "postcode")
"""What staff can change after registering someone. How they came to us and their status
when registered are facts about that day, reported to funders: they are not edited."""

ADDRESS_CHANGES = {
    "moved": "They moved",
    "correction": "Correcting a mistake",
}
"""Why an address changes: a move starts a new entry in the address history from the day
they moved in; a correction rewrites the current entry (it was never their address)."""


@dataclass
class ResidentChanges(ResidentDetails):
    """The edit form: a resident's details as staff leave them (raw text, prefilled from the record)."""

    address_change: str = ""
    """"moved" or "correction" (ADDRESS_CHANGES); asked only when the address or postcode changes."""
    moved_on: str = ""
    """The day they moved in, as typed; empty means today. Only for a move."""


def changes_from(resident: dict[str, Any]) -> ResidentChanges:
    """The edit form filled in from a resident's record."""
    born = resident.get("date_of_birth")
    return ResidentChanges(
        name=resident.get("name") or "",
        preferred_name=resident.get("preferred_name") or "",
        date_of_birth=f"{born[8:10]}/{born[5:7]}/{born[0:4]}" if born else "",
        phone=resident.get("phone") or "",
        email=resident.get("email") or "",
        address=resident.get("address") or "",
        postcode=resident.get("postcode") or "",
    )


def update_resident(
    db: "Database", resident_id: int, changes: ResidentChanges, *, area: list[str], staff: str, terminal: str,
    today: date | None = None, expected_version: int | None = None, base: dict[str, Any] | None = None,
) -> list[str]:
    """Validate and save changes to a resident's details, all or nothing; returns the fields changed.

    ``expected_version`` (the record's ``version`` when the form opened) and ``base`` (the record
    then) make a save over someone else's newer save fail with hub.versions.StaleEdit, naming
    what they changed, instead of silently undoing it. The access log records which fields
    changed (their names, never the values).
    """
    today = today or date.today()
    resident = get_resident(db, resident_id)
    if resident is None:
        raise ValidationError({"name": f"There is no resident with id {resident_id}."})
    if resident.get("erased_at"):
        raise ValidationError({"name": "This resident's record was erased; it cannot be changed."})
    errors: dict[str, str] = {}
    row = _validate_details(changes, area, today, errors)
    changed = [name for name in DETAIL_FIELDS if row[name] != resident.get(name)]
    address_changed = ("address" in changed or "postcode" in changed) and "postcode" not in errors
    current = current_address(db, resident_id)
    moved_on = None
    if address_changed:
        if changes.address_change not in ADDRESS_CHANGES:
            errors["address_change"] = "The address changed: say whether they moved or this corrects a mistake."
        elif changes.address_change == "moved":
            moved_on = parse_date(changes.moved_on) if changes.moved_on.strip() else today
            since = date.fromisoformat(current["from_date"]) if current else None
            if moved_on is None:
                errors["moved_on"] = "Not a date: write it as day/month/year, e.g. 31/01/2026."
            elif moved_on > today:
                errors["moved_on"] = "The day they moved in is in the future: change the address once they have moved."
            elif since is not None and moved_on <= since:
                errors["moved_on"] = (
                    f"Their current address is recorded from {since:%d/%m/%Y}: a move must be later "
                    "(or choose 'Correcting a mistake')."
                )
    if errors:
        raise ValidationError(errors)
    if not changed and expected_version is None:
        return []
    stamp = now_iso()
    address_row = {"address": row["address"], "postcode": row["postcode"], "in_area": row["in_area"]}
    with write_transaction(db):
        from hub.versions import bump

        bump(db, "residents", resident_id, expected_version, what="this resident's details", base=base, fields=DETAIL_FIELDS)
        if not changed:
            return []
        db["residents"].update(resident_id, {**{name: row[name] for name in DETAIL_FIELDS}, "in_area": row["in_area"], "updated_at": stamp})
        if address_changed and (moved_on is not None or current is None):
            start = moved_on or date.fromisoformat(resident["registered_at"][:10])
            db["resident_addresses"].insert(
                {"resident_id": resident_id, **address_row, "from_date": start.isoformat(), "recorded_at": stamp, "recorded_by": staff}
            )
        elif address_changed:
            db["resident_addresses"].update(current["id"], {**address_row, "recorded_at": stamp, "recorded_by": staff})
        log_access(db, staff=staff, terminal=terminal, resident_id=resident_id, action="edit:" + ",".join(changed))
    return changed


def current_address(db: "Database", resident_id: int) -> dict[str, Any] | None:
    """The latest entry of a resident's address history."""
    rows = list(db.query(
        "select * from resident_addresses where resident_id = ? order by from_date desc, id desc limit 1", [resident_id]
    ))
    return rows[0] if rows else None


def address_on(db: "Database", resident_id: int, day: date) -> dict[str, Any] | None:
    """Where a resident lived on a day, from their address history (None before the first entry).

    Rows have ``address``, ``postcode``, ``in_area`` (against the site's area when recorded)
    and ``from_date``. Plugins use it for rules such as "lived in the area when the job started".
    """
    rows = list(db.query(
        "select * from resident_addresses where resident_id = ? and from_date <= ? order by from_date desc, id desc limit 1",
        [resident_id, day.isoformat()],
    ))
    return rows[0] if rows else None


def address_history(db: "Database", resident_id: int) -> list[dict[str, Any]]:
    """Every address a resident has had while known to the hub, oldest first."""
    return list(db.query(
        "select address, postcode, in_area, from_date, recorded_at, recorded_by from resident_addresses "
        "where resident_id = ? order by from_date, id", [resident_id]
    ))


# -- storage ---------------------------------------------------------------------------------


def core_migrations() -> "Migrations":
    """The core's tables (moved to hub.migrations; this name keeps working)."""
    from hub.migrations import core_migrations

    return core_migrations()


def log_access(db: "Database", *, staff: str, terminal: str, resident_id: int | None, action: str) -> None:
    """Append to the hash-chained access log (ids and action names only, never personal data)."""
    from hub import audit

    with write_transaction(db):
        audit.append(db, {"at": now_iso(), "staff": staff, "terminal": terminal, "resident_id": resident_id, "action": action})


def register_resident(db: "Database", row: dict[str, Any], consents: dict[str, bool], *, staff: str, terminal: str) -> int:
    """Save a validated resident with their consents and the access-log line, all or nothing."""
    stamp = now_iso()
    with write_transaction(db):
        resident_id = db["residents"].insert(
            {**row, "registered_at": stamp, "registered_by": staff, "updated_at": stamp}
        ).last_pk
        db["consents"].insert_all(
            {"resident_id": resident_id, "purpose": purpose, "given": int(bool(given)), "recorded_at": stamp, "recorded_by": staff}
            for purpose, given in consents.items()
        )
        db["resident_addresses"].insert(
            {"resident_id": resident_id, "address": row.get("address"), "postcode": row.get("postcode"),
             "in_area": int(bool(row.get("in_area"))), "from_date": stamp[:10], "recorded_at": stamp, "recorded_by": staff}
        )
        log_access(db, staff=staff, terminal=terminal, resident_id=resident_id, action="register")
    return int(resident_id)


def get_resident(db: "Database", resident_id: int) -> dict[str, Any] | None:
    rows = list(db.query("select * from residents where id = ?", [resident_id]))
    return rows[0] if rows else None


def display_name(resident: dict[str, Any]) -> str:
    preferred = resident.get("preferred_name")
    return f"{preferred} ({resident['name']})" if preferred and preferred != resident["name"] else resident["name"]


def current_consents(db: "Database", resident_id: int) -> dict[str, bool]:
    """The latest answer per purpose (the full history stays in ``consents``)."""
    latest: dict[str, bool] = {}
    for row in db.query("select purpose, given from consents where resident_id = ? order by id", [resident_id]):
        latest[row["purpose"]] = bool(row["given"])
    return latest


def record_consent(db: "Database", resident_id: int, purpose: str, given: bool, *, staff: str, terminal: str) -> None:
    if purpose not in CONSENT_PURPOSES:
        raise ValidationError({"purpose": f"Unknown consent purpose {purpose!r}."})
    with write_transaction(db):
        db["consents"].insert(
            {"resident_id": resident_id, "purpose": purpose, "given": int(given), "recorded_at": now_iso(), "recorded_by": staff}
        )
        log_access(db, staff=staff, terminal=terminal, resident_id=resident_id, action=f"consent:{purpose}")


def add_contact(
    db: "Database", resident_id: int, *, kind: str, note: str, contact_date: str, staff: str, terminal: str
) -> int:
    """Record a contact (validated) and its access-log line together."""
    errors = {}
    if kind not in CONTACT_KINDS:
        errors["kind"] = "Choose what kind of contact it was."
    when = parse_date(contact_date) if contact_date else date.today()
    if when is None:
        errors["contact_date"] = "Not a date: write it as day/month/year."
    elif when > date.today():
        errors["contact_date"] = "The contact date is in the future."
    note = clean_text(note, limit=4000)
    if errors:
        raise ValidationError(errors)
    with write_transaction(db):
        contact_id = db["contacts"].insert(
            {
                "resident_id": resident_id,
                "contact_date": when.isoformat(),
                "kind": kind,
                "note": note,
                "staff": staff,
                "recorded_at": now_iso(),
            }
        ).last_pk
        log_access(db, staff=staff, terminal=terminal, resident_id=resident_id, action="contact:add")
    return int(contact_id)


def contacts_for(db: "Database", resident_id: int) -> list[dict[str, Any]]:
    return list(
        db.query(
            "select * from contacts where resident_id = ? order by contact_date desc, id desc", [resident_id]
        )
    )


def _fts_query(text: str) -> str:
    """Each word becomes a quoted prefix term, so anything typed is safe FTS5 syntax."""
    words = re.findall(r"\w+", text.lower())
    return " ".join(f'"{word}"*' for word in words)


SEARCH_COLUMNS = "r.id, r.name, r.preferred_name, r.date_of_birth, r.postcode, r.in_area"


def search_residents(db: "Database", text: str, limit: int = 50) -> list[dict[str, Any]]:
    """As-you-type search by name, postcode or date of birth; newest first when empty."""
    text = (text or "").strip()
    if not text:
        return list(db.query(f"select {SEARCH_COLUMNS} from residents r where r.erased_at is null order by r.id desc limit ?", [limit]))
    born = parse_date(text)
    if born is not None:
        return list(
            db.query(f"select {SEARCH_COLUMNS} from residents r where r.date_of_birth = ? and r.erased_at is null order by r.name limit ?", [born.isoformat(), limit])
        )
    postcode = normalise_postcode(text)
    if postcode is not None:
        return list(
            db.query(f"select {SEARCH_COLUMNS} from residents r where r.postcode = ? and r.erased_at is null order by r.name limit ?", [postcode, limit])
        )
    query = _fts_query(text)
    if not query:
        return []
    try:
        return list(
            db.query(
                f"select {SEARCH_COLUMNS} from residents r join residents_fts f on f.rowid = r.id "
                "where residents_fts match ? and r.erased_at is null order by f.rank, r.name limit ?",
                [query, limit],
            )
        )
    except DB_ERRORS:  # belt and braces: a query FTS still rejects finds nothing
        return []
