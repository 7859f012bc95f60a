"""Field parsing shared by every feed format: the result types, and cleaners that turn one raw
value into a typed one or drop it with a warning kept on the record.

Nothing here raises on bad feed data. Text fields pass through :mod:`.text` (control
characters, escape sequences, HTML and length caps) before anything else sees them.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from .. import geo
from ..model import Address, Contact, Phone, Service
from .text import ID_LIMIT, LINE_LIMIT, clean_field, clean_text, limit_for

#: Longest data-quality message kept (they quote feed values).
WARNING_LIMIT = 300

FORMAT_ORUK_V1 = "oruk-v1"
FORMAT_HSDS3 = "hsds-3"
FORMAT_HSDS_CSV = "hsds-csv"
FORMAT_LOCAL = "local-toml"
FORMAT_LIST = "list"  # a bare JSON array of services, no paging


@dataclass(slots=True)
class SkippedRecord:
    """A record we could not use, and why (counted and shown after a sync)."""

    index: int
    source_id: str | None
    reason: str


@dataclass(slots=True)
class FieldWarning:
    """A data-quality note on a record we kept."""

    record_id: str | None
    message: str


@dataclass(slots=True)
class PageInfo:
    """Paging facts as the feed stated them (``number`` as given: v1 may count from 0)."""

    number: int | None = None
    size: int | None = None
    total_items: int | None = None
    total_pages: int | None = None
    is_first: bool | None = None
    is_last: bool | None = None
    is_empty: bool | None = None
    item_count: int = 0


@dataclass(slots=True)
class ParseResult:
    """What one page (or file) gave us.

    ``fatal`` is set when the input as a whole was unusable (not JSON of the
    expected shape, a TOML syntax error ...): nothing in it should replace
    what is already stored.
    """

    source: str
    format: str
    services: list[Service] = field(default_factory=list)
    skipped: list[SkippedRecord] = field(default_factory=list)
    warnings: list[FieldWarning] = field(default_factory=list)
    page: PageInfo | None = None
    fatal: str | None = None

    def skipped_reasons(self) -> Counter:
        """Skips counted by reason, for the sync summary."""
        return Counter(s.reason for s in self.skipped)


# --------------------------------------------------------------------------
# Field cleaning, with warnings collected per record
# --------------------------------------------------------------------------

# HSDS / ORUK field names: a value equal to one of these is template filler
# ("fees": "fees_description", "wait_time": "wait_time"), not data.
_HSDS_FIELD_NAMES = frozenset(
    """
    id name alternate_name description url email status interpretation_services application_process
    fees_description wait_time fees accreditations eligibility_description minimum_age maximum_age
    assured_date assurer_email licenses alert last_modified organization_id program_id
    location_type transportation latitude longitude external_identifier external_identifier_type
    address_1 address_2 city region state_province postal_code country address_type attention
    number extension type link_type link_entity link_id value code parent_id taxonomy taxonomy_id
    term_uri taxonomy_term taxonomy_term_id taxonomy_detail version uri extent extent_type
    tax_status tax_id year_incorporated legal_status logo website valid_from valid_to dtstart until
    wkst freq interval byday byweekno bymonthday byyearday opens_at closes_at schedule_link
    attending_type attending_access deliverable_type notes option currency amount amount_description
    title department source identifier identifier_scheme identifier_type service_area
    """.split()
)
_SNAKE_CASE = re.compile(r"^[a-z]+(?:_[a-z]+)+$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_UK_COUNTRIES = {
    "gb", "uk", "united kingdom", "great britain", "england", "scotland", "wales",
    "northern ireland", "gbr", "cymru",
}
_QUOTES = "\"'“”‘’"


class _Record:
    """Collects warnings for one record, into the result and onto the service."""

    def __init__(self, result: ParseResult, record_id: str | None, today: dt.date):
        self.result = result
        self.record_id = record_id
        self.today = today
        self.messages: list[str] = []

    def warn(self, message: str) -> None:
        message = clean_text(message, limit=WARNING_LIMIT)  # warnings quote feed values
        if message not in self.messages:
            self.messages.append(message)
            self.result.warnings.append(FieldWarning(self.record_id, message))


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == [] or value == {}


def _is_placeholder(value: str, field_name: str) -> bool:
    token = re.sub(r"[\s\-]+", "_", value.strip().lower())
    if token == field_name.lower():
        return True
    return bool(_SNAKE_CASE.match(token)) and token in _HSDS_FIELD_NAMES


def _text(rec: _Record, raw: Mapping, field_name: str, *, label: str | None = None) -> str | None:
    value = raw.get(field_name)
    if _is_blank(value):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        rec.warn(f"{label or field_name} is not text and was ignored")
        return None
    raw_length = len(value)
    value = clean_field(field_name, value)
    if not value:
        return None
    if raw_length > limit_for(field_name)[1] and value.endswith("…"):
        rec.warn(f"{label or field_name} was {raw_length:,} characters long and was cut short")
    if _is_placeholder(value, field_name):
        rec.warn(f"{label or field_name} holds placeholder text '{value}' and was ignored")
        return None
    return value


def _id(value: Any) -> str | None:
    if isinstance(value, bool) or _is_blank(value):
        return None
    if isinstance(value, (int, str)):
        return clean_text(str(value), limit=ID_LIMIT, markup=False).strip() or None
    return None


def _int(rec: _Record, raw: Mapping, field_name: str) -> int | None:
    value = raw.get(field_name)
    if _is_blank(value):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        rec.warn(f"{field_name} '{value}' is not a number and was ignored")
        return None
    if number != int(number):
        rec.warn(f"{field_name} '{value}' is not a whole number and was ignored")
        return None
    return int(number)


def _float(rec: _Record, raw: Mapping, field_name: str) -> float | None:
    value = raw.get(field_name)
    if _is_blank(value) or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        rec.warn(f"{field_name} '{value}' is not a number and was ignored")
        return None


def _date(rec: _Record, raw: Mapping, field_name: str) -> dt.date | None:
    value = raw.get(field_name)
    if _is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return dt.date.fromisoformat(text[:10])
        except ValueError:
            pass
    rec.warn(f"{field_name} '{value}' is not a date (YYYY-MM-DD) and was ignored")
    return None


def _datetime(rec: _Record, raw: Mapping, field_name: str) -> dt.datetime | None:
    value = raw.get(field_name)
    if _is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.strip())
        except ValueError:
            pass
    rec.warn(f"{field_name} '{value}' is not a date-time and was ignored")
    return None


def _email(rec: _Record, raw: Mapping, field_name: str = "email") -> str | None:
    value = _text(rec, raw, field_name)
    if value is None:
        return None
    if not _EMAIL.match(value):
        rec.warn(f"email '{value}' does not look like an email address and was ignored")
        return None
    return value


def _url(rec: _Record, raw: Mapping, field_name: str = "url") -> str | None:
    value = _text(rec, raw, field_name)
    if value is None:
        return None
    if value.lower().startswith(("http://", "https://")):
        return value
    if value.lower().startswith("www."):
        return "https://" + value
    rec.warn(f"{field_name} '{value}' is not a web address and was ignored")
    return None


def clean_phone_number(raw: str) -> str:
    """Strip stray quotes and squeeze spaces: '"+44 1234 234567"' -> '+44 1234 234567'."""
    return " ".join(raw.strip().strip(_QUOTES).strip().split())


_PHONE_PREFIX = re.compile(r"^\s*(?:tel|callto|sms)\s*:\s*(?://)?", re.I)
_PHONE_RUN = re.compile(r"\+?\(?\d[\d\s().\-]*\d|\d")
_PHONE_EXTENSION = re.compile(r"^[\s,;(\-]*(?:ext(?:ension)?\.?|x)\s*[:.#]?\s*(\d{1,6})\)?", re.I)
_PHONE_SPLIT = re.compile(r"\s*(?:/|;|,|\bor\b|\band\b|\|)\s*", re.I)
_PHONE_FILLER = frozenset({"tel", "telephone", "phone", "t", "call", "call us", "call us on", "ring", "contact",
                           "number", "no", "tel no", "phone number", "telephone number", "on"})


def _digit_count(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def split_phone_text(text: str) -> list[tuple[str, str | None, str | None]]:
    """Phone text as people write it -> (number, extension, label) for each number in it.

    "0161 496 0000 ext 12", "Freephone 0800 123 4567", "tel:+441614960000",
    "0161 496 0000 / 07700 900123", "Helpline: 0300 123 1234 (Mon-Fri)". The number keeps
    its spacing; words around it become the label, so nothing the publisher wrote is lost.
    """
    from urllib.parse import unquote

    text = " ".join(unquote(_PHONE_PREFIX.sub("", text.strip().strip(_QUOTES))).split())
    parts: list[str] = []
    for part in _PHONE_SPLIT.split(text):
        if not part:
            continue
        if parts and _digit_count(part) < 6 and (_digit_count(parts[-1]) >= 6 or not _digit_count(part)):
            parts[-1] = f"{parts[-1]} {part}"  # "ext 12" or a note after a comma belongs to the number before
        else:
            parts.append(part)
    found = []
    for part in parts:
        match = _PHONE_RUN.search(part)
        if match is None:
            continue
        number = " ".join(match.group(0).replace("( ", "(").split()).strip(" -.")
        before, after = part[: match.start()], part[match.end():]
        extension = None
        ext = _PHONE_EXTENSION.match(after)
        if ext:
            extension, after = ext.group(1), after[ext.end():]
        lead = before.strip(" :-–(").strip()
        if re.sub(r"[^a-z ]", "", lead.lower()).strip() in _PHONE_FILLER:
            lead = ""
        tail = after.strip(" ,;:-–").strip()
        if tail.startswith("(") and tail.endswith(")"):
            tail = tail[1:-1].strip()
        label = f"{lead} ({tail})" if lead and tail else lead or tail or None
        found.append((number, extension, label))
    return found


def _phone_items(rec: _Record, raw: Any) -> list[Phone]:
    if isinstance(raw, (str, int)) and not isinstance(raw, bool):
        raw = {"number": str(raw)}
    if not isinstance(raw, Mapping):
        return []
    number = raw.get("number")
    if _is_blank(number):
        return []
    written = clean_text(str(number), limit=LINE_LIMIT)
    if any(q in written for q in _QUOTES) and clean_phone_number(written) != written.strip():
        rec.warn(f"phone number {written!r} had stray quote marks (cleaned)")
    parsed = [(n, e, label) for n, e, label in split_phone_text(written) if 3 <= _digit_count(n) <= 15]
    if not parsed:
        rec.warn(f"phone number {written!r} is not a phone number and was ignored")
        return []
    languages = [
        lang_name
        for lang in _list(raw.get("languages"))
        if isinstance(lang, Mapping) and (lang_name := _text(rec, lang, "name", label="language"))
    ]
    given_extension = raw.get("extension")
    given_extension = None if _is_blank(given_extension) else clean_text(str(given_extension), limit=20) or None
    description = _text(rec, raw, "description", label="phone description")
    phones = []
    for index, (cleaned, extension, label) in enumerate(parsed):
        phones.append(
            Phone(
                number=cleaned,
                source_id=_id(raw.get("id")) if index == 0 else f"{_id(raw.get('id')) or 'phone'}:{index + 1}",
                extension=given_extension if index == 0 and given_extension else extension,
                type=_text(rec, raw, "type", label="phone type"),
                description="; ".join(d for d in (label, description) if d) or None,
                languages=languages,
            )
        )
    return phones


def _phone(rec: _Record, raw: Any) -> Phone | None:
    """The first phone in one raw phone item (kept for callers of the older single-number parser)."""
    phones = _phone_items(rec, raw)
    return phones[0] if phones else None


def _phones(rec: _Record, items: Any) -> list[Phone]:
    return [phone for item in _list(items) for phone in _phone_items(rec, item)]


def _list(value: Any) -> list:
    if isinstance(value, list):
        return value
    if isinstance(value, Mapping):
        return [value]
    return []


def _contact(rec: _Record, raw: Any) -> Contact | None:
    if not isinstance(raw, Mapping):
        return None
    contact = Contact(
        source_id=_id(raw.get("id")),
        name=_text(rec, raw, "name", label="contact name"),
        title=_text(rec, raw, "title", label="contact title"),
        department=_text(rec, raw, "department", label="contact department"),
        email=_email(rec, raw),
        phones=_phones(rec, raw.get("phones")),
    )
    if not (contact.name or contact.email or contact.phones or contact.title):
        return None
    return contact


def approximate_postcode_note(district: str) -> str:
    """The warning kept on a listing placed at its postcode district's middle."""
    return (f"approximate location: only the postcode district {district} was given, so it is placed "
            "at the district's middle and its distance is approximate")


def _postcode(rec: _Record, written: str | None, where: str = "") -> str | None:
    """A full UK postcode ("M40 7AB"), or a district on its own ("M40", placed approximately), or None."""
    if not written:
        return None
    postcode = geo.normalise_postcode(written)
    if postcode is not None:
        return postcode
    district = geo.normalise_outcode(written)
    if district is not None:
        rec.warn(f"{where}{approximate_postcode_note(district)}")
        return district
    rec.warn(f"{where}'{written}' is not a UK postcode")
    return None


def _address(rec: _Record, raw: Any) -> Address | None:
    if not isinstance(raw, Mapping):
        return None
    postal_code = _text(rec, raw, "postal_code", label="postcode")
    postcode = _postcode(rec, postal_code)
    country = _text(rec, raw, "country")
    if country and country.strip().lower() not in _UK_COUNTRIES:
        rec.warn(f"address country '{country}' is not the UK")
    address = Address(
        source_id=_id(raw.get("id")),
        address_1=_text(rec, raw, "address_1", label="address"),
        address_2=_text(rec, raw, "address_2", label="address"),
        city=_text(rec, raw, "city"),
        region=_text(rec, raw, "region"),
        state_province=_text(rec, raw, "state_province", label="county"),
        postal_code=postal_code,
        postcode=postcode,
        country=country,
        address_type=_text(rec, raw, "address_type"),
    )
    if not (address.address_1 or address.postal_code or address.city):
        return None
    return address


def _coordinates(rec: _Record, raw: Mapping) -> tuple[float | None, float | None]:
    latitude = _float(rec, raw, "latitude")
    longitude = _float(rec, raw, "longitude")
    if latitude is None and longitude is None:
        return None, None
    if latitude is None or longitude is None:
        rec.warn("only one of latitude/longitude was given; location has no coordinates")
        return None, None
    pair = f"latitude {latitude:g} / longitude {longitude:g}"
    if not geo.is_valid_wgs84(latitude, longitude):
        rec.warn(f"{pair} are not valid coordinates and were ignored")
        return None, None
    if not geo.is_in_uk(latitude, longitude):
        if geo.is_in_uk(longitude, latitude):
            rec.warn(f"{pair} look swapped (latitude and longitude reversed) and were ignored")
        else:
            rec.warn(f"{pair} are outside the UK and were ignored")
        return None, None
    return latitude, longitude



def _suggest(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""
