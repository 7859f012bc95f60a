"""Parsers from decoded feed data to :mod:`model` records, with reasons for every skip.

Pure functions, no I/O beyond the two small loaders for files on disk
(:func:`load_datapackage`, :func:`load_local_services`).  Supported inputs:

* Open Referral UK v1 ``/services`` pages (Spring paging: ``content``,
  ``totalElements``, ``totalPages``, ``number``, ``first``, ``last``);
* HSDS 3.0 and ORUK 3.0 ``/services`` pages (``contents``, ``total_items``,
  ``total_pages``, ``page_number``, ``first_page``, ``last_page``) and single
  ``/services/{id}`` objects;
* an HSDS tabular data package (``datapackage.json`` and one CSV per table);
* the site's own list of local services, in TOML (format in ``docs/signposting.md``
  and ``data/local_services.example.toml``);
* the ORUK validator dashboard, as a list of known feeds.

Validation is forgiving about shape and strict about meaning: a record without
an id or a name is skipped (and counted, with the reason); a bad field is
dropped with a warning kept on the service (coordinates out of range, a
postcode that is not a UK postcode, placeholder text, expired hours, an old
"last checked" date ...).  Nothing here raises on bad feed data.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import json
import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from . import geo
from .model import (
    SERVICE_STATUSES,
    STALE_AFTER_DAYS,
    Address,
    Contact,
    CostOption,
    HolidaySchedule,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
    record_key,
)

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
_BYDAY_CODE = re.compile(r"^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$")
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$")
_UK_COUNTRIES = {
    "gb", "uk", "united kingdom", "great britain", "england", "scotland", "wales",
    "northern ireland", "gbr", "cymru",
}
_WEEKDAY_WORDS = re.compile(r"\b(weekdays?|monday\s*(?:to|-|–)\s*friday|mon\s*(?:to|-|–)\s*fri)\b", re.I)
_QUOTES = "\"'“”‘’"


class _Record:
    """Collects warnings for one record, into the result and onto the service."""

    def __init__(self, result: ParseResult, record_id: str | None, today: dt.date):
        self.result = result
        self.record_id = record_id
        self.today = today
        self.messages: list[str] = []

    def warn(self, message: str) -> None:
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
    value = value.strip()
    if _is_placeholder(value, field_name):
        rec.warn(f"{label or field_name} holds placeholder text '{value}' and was ignored")
        return None
    return value


def _id(value: Any) -> str | None:
    if isinstance(value, bool) or _is_blank(value):
        return None
    if isinstance(value, (int, str)):
        return str(value).strip() or None
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


def parse_time(value: Any) -> dt.time | None:
    """"10:00:00", "9:30", "10:00Z", "18:00+01:00", "24:00" -> a wall-clock time.

    UTC offsets are dropped (UK feeds mean local time); "24:00" means midnight
    at the end of the day and becomes 00:00, which reads as "until midnight".
    """
    if isinstance(value, dt.time):
        return value.replace(tzinfo=None)
    if not isinstance(value, str):
        return None
    match = _TIME.match(value.strip())
    if not match:
        return None
    hour, minute, second = int(match.group(1)), int(match.group(2) or 0), int(match.group(3) or 0)
    if hour == 24 and minute == 0 and second == 0:
        return dt.time(0, 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return dt.time(hour, minute, second)


def _time(rec: _Record, raw: Mapping, field_name: str) -> dt.time | None:
    value = raw.get(field_name)
    if _is_blank(value):
        return None
    parsed = parse_time(value)
    if parsed is None:
        rec.warn(f"{field_name} '{value}' is not a time (HH:MM) and was ignored")
    return parsed


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


def _phone(rec: _Record, raw: Any) -> Phone | None:
    if isinstance(raw, str):
        raw = {"number": raw}
    if not isinstance(raw, Mapping):
        return None
    number = raw.get("number")
    if _is_blank(number):
        return None
    number = str(number)
    cleaned = clean_phone_number(number)
    if any(q in number for q in _QUOTES) and cleaned != number.strip():
        rec.warn(f"phone number {number!r} had stray quote marks (cleaned)")
    digits = sum(ch.isdigit() for ch in cleaned)
    if digits < 3 or not re.fullmatch(r"[+0-9()\s\-.]+", cleaned):
        rec.warn(f"phone number {number!r} is not a phone number and was ignored")
        return None
    languages = [
        lang_name
        for lang in raw.get("languages") or []
        if isinstance(lang, Mapping) and (lang_name := _text(rec, lang, "name", label="language"))
    ]
    extension = raw.get("extension")
    return Phone(
        number=cleaned,
        source_id=_id(raw.get("id")),
        extension=None if _is_blank(extension) else str(extension).strip(),
        type=_text(rec, raw, "type", label="phone type"),
        description=_text(rec, raw, "description", label="phone description"),
        languages=languages,
    )


def _phones(rec: _Record, items: Any) -> list[Phone]:
    return [p for p in (_phone(rec, item) for item in _list(items)) if p is not None]


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


def _address(rec: _Record, raw: Any) -> Address | None:
    if not isinstance(raw, Mapping):
        return None
    postal_code = _text(rec, raw, "postal_code", label="postcode")
    postcode = geo.normalise_postcode(postal_code)
    if postal_code and postcode is None:
        rec.warn(f"'{postal_code}' is not a UK postcode")
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


def _split_codes(value: Any) -> list[str]:
    if isinstance(value, list):
        items = value
    elif isinstance(value, str):
        items = value.split(",")
    else:
        return []
    return [str(i).strip().upper() for i in items if str(i).strip()]


def _schedule(rec: _Record, raw: Any) -> Schedule | None:
    if not isinstance(raw, Mapping):
        return None
    byday: list[str] = []
    for code in _split_codes(raw.get("byday")):
        if _BYDAY_CODE.match(code):
            byday.append(code.lstrip("+"))
        else:
            rec.warn(f"schedule day '{code}' is not an iCalendar day code and was ignored")
    bymonthday: list[int] = []
    for part in _split_codes(raw.get("bymonthday")):
        try:
            day = int(part)
        except ValueError:
            day = 0
        if day == 0 or not -31 <= day <= 31:
            rec.warn(f"schedule day of month '{part}' is not valid and was ignored")
        else:
            bymonthday.append(day)
    interval = _int(rec, raw, "interval") or 1
    if interval < 1:
        rec.warn(f"schedule interval {interval} is not valid; taken as 1")
        interval = 1
    schedule = Schedule(
        source_id=_id(raw.get("id")),
        freq=(_text(rec, raw, "freq") or "").upper() or None,
        interval=interval,
        byday=byday,
        bymonthday=bymonthday,
        opens_at=_time(rec, raw, "opens_at"),
        closes_at=_time(rec, raw, "closes_at"),
        valid_from=_date(rec, raw, "valid_from"),
        valid_to=_date(rec, raw, "valid_to"),
        dtstart=_date(rec, raw, "dtstart"),
        until=_date(rec, raw, "until"),
        description=_text(rec, raw, "description", label="schedule description"),
        notes=_text(rec, raw, "notes", label="schedule notes"),
        attending_type=_text(rec, raw, "attending_type"),
    )
    _check_schedule(rec, raw, schedule)
    return schedule


def _check_schedule(rec: _Record, raw: Mapping, schedule: Schedule) -> None:
    """Warnings that staff and the site lead should see about a schedule."""
    if schedule.freq and schedule.freq not in ("WEEKLY", "MONTHLY", "DAILY"):
        rec.warn(f"schedule frequency '{schedule.freq}' is not supported; hours unknown")
    ends = [d for d in (schedule.valid_to, schedule.until) if d is not None]
    if ends and min(ends) < rec.today:
        rec.warn(f"opening hours ended on {min(ends).isoformat()} and are ignored")
    if schedule.valid_from and schedule.valid_to and schedule.valid_from > schedule.valid_to:
        rec.warn("schedule valid_from is after valid_to")
    if (schedule.opens_at is None) != (schedule.closes_at is None):
        rec.warn("schedule has an opening time without a closing time (or the reverse)")
    for unsupported in ("byweekno", "byyearday", "count"):
        if not _is_blank(raw.get(unsupported)):
            rec.warn(f"schedule {unsupported} is not supported and was ignored")
    if schedule.bymonthday and schedule.freq == "WEEKLY":
        rec.warn("schedule bymonthday does not apply to a WEEKLY rule and was ignored")
    offset = raw.get("timezone")
    if not _is_blank(offset):
        try:
            hours = float(offset)
        except (TypeError, ValueError):
            hours = None
        if hours not in (0.0, 1.0):
            rec.warn(f"schedule timezone '{offset}' is not a UK offset; times read as UK local time")
    weekly_days = {c for c in schedule.byday if len(c) == 2}
    if schedule.description and weekly_days and _WEEKDAY_WORDS.search(schedule.description):
        if weekly_days != {"MO", "TU", "WE", "TH", "FR"}:
            rec.warn(
                f"schedule text says '{_WEEKDAY_WORDS.search(schedule.description).group(0)}' "
                f"but its days are {','.join(schedule.byday)}"
            )


def _holiday_schedule(rec: _Record, raw: Any) -> HolidaySchedule | None:
    if not isinstance(raw, Mapping):
        return None
    start, end = _date(rec, raw, "start_date"), _date(rec, raw, "end_date")
    if start is None or end is None:
        rec.warn("holiday schedule without start_date/end_date was ignored")
        return None
    closed = raw.get("closed")
    if isinstance(closed, str):
        closed = closed.strip().lower() in ("true", "1", "yes")
    return HolidaySchedule(
        start_date=start,
        end_date=end,
        closed=bool(closed) if closed is not None else True,
        opens_at=_time(rec, raw, "opens_at"),
        closes_at=_time(rec, raw, "closes_at"),
        source_id=_id(raw.get("id")),
    )


def _schedules(rec: _Record, raw: Mapping) -> list[Schedule]:
    items = _list(raw.get("schedules")) + _list(raw.get("regular_schedules"))
    return [s for s in (_schedule(rec, item) for item in items) if s is not None]


def _location(rec: _Record, source: str, raw: Any, fallback_id: str | None) -> Location | None:
    if not isinstance(raw, Mapping):
        return None
    location_id = _id(raw.get("id")) or fallback_id
    if location_id is None:
        rec.warn("a location without an id was ignored")
        return None
    latitude, longitude = _coordinates(rec, raw)
    addresses = [
        a
        for a in (
            _address(rec, item)
            for key in ("addresses", "physical_addresses", "postal_addresses")
            for item in _list(raw.get(key))
        )
        if a is not None
    ]
    accessibility: list[str] = []
    for item in _list(raw.get("accessibility")) + _list(raw.get("accessibility_for_disabilities")):
        if isinstance(item, Mapping):
            text = _text(rec, item, "description", label="accessibility") or _text(
                rec, item, "accessibility", label="accessibility"
            )
            details = _text(rec, item, "details", label="accessibility details")
            if text or details:
                accessibility.append(" ".join(t for t in (text, details) if t))
    location_type = (_text(rec, raw, "location_type") or "physical").lower()
    if location_type not in ("physical", "postal", "virtual"):
        rec.warn(f"location type '{location_type}' is not physical/postal/virtual; taken as physical")
        location_type = "physical"
    return Location(
        source=source,
        source_id=location_id,
        name=_text(rec, raw, "name", label="location name"),
        location_type=location_type,
        description=_text(rec, raw, "description", label="location description"),
        latitude=latitude,
        longitude=longitude,
        addresses=addresses,
        phones=_phones(rec, raw.get("phones")),
        accessibility=accessibility,
        transportation=_text(rec, raw, "transportation"),
        external_identifier=_text(rec, raw, "external_identifier"),
        external_identifier_type=_text(rec, raw, "external_identifier_type"),
        url=_url(rec, raw),
    )


def _service_at_location(rec: _Record, source: str, raw: Any, service_id: str, index: int) -> ServiceAtLocation | None:
    if not isinstance(raw, Mapping):
        return None
    sal_id = _id(raw.get("id")) or f"{service_id}:site{index + 1}"
    location_raw = raw.get("location")
    location = _location(rec, source, location_raw, _id(raw.get("location_id"))) if location_raw else None
    return ServiceAtLocation(
        source=source,
        source_id=sal_id,
        location=location,
        description=_text(rec, raw, "description", label="site description"),
        phones=_phones(rec, raw.get("phones")),
        contacts=[c for c in (_contact(rec, i) for i in _list(raw.get("contacts"))) if c is not None],
        schedules=_schedules(rec, raw),
    )


def _organization(rec: _Record, source: str, raw: Any) -> Organization | None:
    if not isinstance(raw, Mapping):
        return None
    org_id = _id(raw.get("id"))
    name = _text(rec, raw, "name", label="organisation name")
    if org_id is None or name is None:
        rec.warn("organisation without an id or a name was ignored")
        return None
    identifiers = []
    for item in _list(raw.get("organization_identifiers")):
        if isinstance(item, Mapping):
            scheme = _text(rec, item, "identifier_scheme") or _text(rec, item, "identifier_type")
            value = _text(rec, item, "identifier")
            if scheme and value:
                identifiers.append((scheme, value))
    return Organization(
        source=source,
        source_id=org_id,
        name=name,
        description=_text(rec, raw, "description", label="organisation description"),
        email=_email(rec, raw),
        website=_url(rec, raw, "website") or _url(rec, raw, "url"),
        phones=_phones(rec, raw.get("phones")),
        identifiers=identifiers,
    )


def _taxonomy_terms(rec: _Record, source: str, raw: Mapping) -> list[TaxonomyTerm]:
    terms: list[TaxonomyTerm] = []
    # HSDS 3.0: attributes[].taxonomy_term
    for attribute in _list(raw.get("attributes")):
        if not isinstance(attribute, Mapping):
            continue
        _text(rec, attribute, "link_type", label="attribute link_type")
        term = attribute.get("taxonomy_term")
        if isinstance(term, Mapping):
            parsed = _hsds3_term(rec, source, term)
            if parsed is not None:
                terms.append(parsed)
    # ORUK v1: service_taxonomys[].taxonomy
    for link in _list(raw.get("service_taxonomys")):
        taxonomy = link.get("taxonomy") if isinstance(link, Mapping) else None
        if isinstance(taxonomy, Mapping):
            term_id = _id(taxonomy.get("id"))
            name = _text(rec, taxonomy, "name", label="taxonomy term name")
            if term_id and name:
                parent = taxonomy.get("parent")
                terms.append(
                    TaxonomyTerm(
                        source=source,
                        source_id=term_id,
                        name=name,
                        vocabulary=_text(rec, taxonomy, "vocabulary"),
                        parent_id=_id(parent.get("id")) if isinstance(parent, Mapping) else _id(parent),
                    )
                )
    unique: dict[str, TaxonomyTerm] = {}
    for term in terms:
        unique.setdefault(term.source_id, term)
    return list(unique.values())


def _hsds3_term(rec: _Record, source: str, term: Mapping) -> TaxonomyTerm | None:
    term_id = _id(term.get("id"))
    name = _text(rec, term, "name", label="taxonomy term name")
    if term_id is None or name is None:
        rec.warn(f"taxonomy term {term_id or '(no id)'} has no usable name and was ignored")
        return None
    detail = term.get("taxonomy_detail")
    vocabulary = None
    if isinstance(detail, Mapping):
        vocabulary = _text(rec, detail, "name", label="taxonomy name")
    vocabulary = vocabulary or _text(rec, term, "taxonomy") or _id(term.get("taxonomy_id"))
    return TaxonomyTerm(
        source=source,
        source_id=term_id,
        name=name,
        vocabulary=vocabulary,
        code=_text(rec, term, "code"),
        term_uri=_url(rec, term, "term_uri"),
        parent_id=_id(term.get("parent_id")),
        description=_text(rec, term, "description", label="taxonomy term description"),
    )


def _cost_options(rec: _Record, raw: Mapping) -> list[CostOption]:
    options = []
    for item in _list(raw.get("cost_options")):
        if not isinstance(item, Mapping):
            continue
        option = CostOption(
            option=_text(rec, item, "option"),
            amount=_float(rec, item, "amount"),
            currency=(_text(rec, item, "currency") or "").upper() or None,
            amount_description=_text(rec, item, "amount_description"),
            valid_from=_date(rec, item, "valid_from"),
            valid_to=_date(rec, item, "valid_to"),
        )
        if option.option or option.amount is not None or option.amount_description:
            options.append(option)
    return options


def _languages(rec: _Record, raw: Mapping) -> list[str]:
    names = []
    for item in _list(raw.get("languages")):
        if isinstance(item, str) and item.strip():
            names.append(item.strip())
        elif isinstance(item, Mapping):
            name = _text(rec, item, "name", label="language") or _text(rec, item, "language")
            if name:
                names.append(name)
    return list(dict.fromkeys(names))


def _service_areas(rec: _Record, raw: Mapping) -> list[ServiceArea]:
    areas = []
    for item in _list(raw.get("service_areas")):
        if not isinstance(item, Mapping):
            continue
        area = ServiceArea(
            name=_text(rec, item, "name", label="service area") or _text(rec, item, "service_area"),
            description=_text(rec, item, "description", label="service area description"),
            extent=_text(rec, item, "extent", label="service area extent"),
            extent_type=_text(rec, item, "extent_type"),
            uri=_url(rec, item, "uri"),
        )
        if area.name or area.description or area.extent or area.uri:
            areas.append(area)
    return areas


def _ages_from_eligibility(rec: _Record, raw: Mapping) -> tuple[int | None, int | None, str | None]:
    """ORUK v1 ``eligibilitys``: the widest age range and the eligibility words."""
    minimums, maximums, words = [], [], []
    for item in _list(raw.get("eligibilitys")):
        if not isinstance(item, Mapping):
            continue
        low, high = _int(rec, item, "minimum_age"), _int(rec, item, "maximum_age")
        if low is not None:
            minimums.append(low)
        if high is not None:
            maximums.append(high)
        word = _text(rec, item, "eligibility")
        if word:
            words.append(word)
    return (
        min(minimums) if minimums else None,
        max(maximums) if maximums else None,
        ", ".join(dict.fromkeys(words)) or None,
    )


def _attending_types(rec: _Record, raw: Mapping) -> list[str]:
    value = raw.get("attending_type")
    if _is_blank(value):
        return []
    items = value if isinstance(value, list) else str(value).split(",")
    known = ("phone", "online", "venue", "home visit")
    types_found = []
    for item in items:
        word = str(item).strip().lower()
        if word in known:
            types_found.append(word)
        elif word:
            rec.warn(f"attending_type '{word}' is not one of {', '.join(known)}")
    return types_found


def _service(
    result: ParseResult,
    source: str,
    raw: Any,
    index: int,
    today: dt.date,
    seen: set[str],
) -> Service | None:
    """One service object, in either ORUK v1 or HSDS 3.0 shape (the field names barely clash)."""
    if not isinstance(raw, Mapping):
        result.skipped.append(SkippedRecord(index, None, "not a JSON object"))
        return None
    service_id = _id(raw.get("id"))
    if service_id is None:
        result.skipped.append(SkippedRecord(index, None, "no id"))
        return None
    rec = _Record(result, record_key(source, service_id), today)
    name = _text(rec, raw, "name")
    if name is None:
        result.skipped.append(SkippedRecord(index, service_id, "no name"))
        return None
    if service_id in seen:
        result.skipped.append(SkippedRecord(index, service_id, "duplicate id"))
        return None
    seen.add(service_id)

    status = (_text(rec, raw, "status") or "").lower()
    if not status:
        rec.warn("no status given; taken as active")
        status = "active"
    elif status not in SERVICE_STATUSES:
        rec.warn(f"status '{status}' is not one of {', '.join(SERVICE_STATUSES)}; taken as active")
        status = "active"

    v1_min, v1_max, v1_eligibility = _ages_from_eligibility(rec, raw)
    minimum_age = _int(rec, raw, "minimum_age")
    maximum_age = _int(rec, raw, "maximum_age")
    minimum_age = minimum_age if minimum_age is not None else v1_min
    maximum_age = maximum_age if maximum_age is not None else v1_max
    for label, age in (("minimum_age", minimum_age), ("maximum_age", maximum_age)):
        if age is not None and not 0 <= age <= 130:
            rec.warn(f"{label} {age} is not a plausible age and was ignored")
    minimum_age = minimum_age if minimum_age is not None and 0 <= minimum_age <= 130 else None
    maximum_age = maximum_age if maximum_age is not None and 0 <= maximum_age <= 130 else None
    if minimum_age is not None and maximum_age is not None and minimum_age > maximum_age:
        rec.warn(f"minimum age {minimum_age} is above maximum age {maximum_age}; ages ignored")
        minimum_age = maximum_age = None

    sals = [
        sal
        for i, item in enumerate(_list(raw.get("service_at_locations")))
        if (sal := _service_at_location(rec, source, item, service_id, i)) is not None
    ]
    holiday_schedules = [
        h for h in (_holiday_schedule(rec, item) for item in _list(raw.get("holiday_schedules"))) if h
    ]
    for sal_raw in _list(raw.get("service_at_locations")):
        if isinstance(sal_raw, Mapping):
            holiday_schedules += [
                h for h in (_holiday_schedule(rec, item) for item in _list(sal_raw.get("holiday_schedules"))) if h
            ]

    assured_date = _date(rec, raw, "assured_date")
    last_modified = _datetime(rec, raw, "last_modified")
    last_checked = assured_date or (last_modified.date() if last_modified else None)
    if last_checked is None:
        rec.warn("not checked recently: no 'last checked' date was published")
    elif (today - last_checked).days > STALE_AFTER_DAYS:
        rec.warn(f"not checked recently: last checked {last_checked.isoformat()}")

    fees = _text(rec, raw, "fees_description", label="fees") or _text(rec, raw, "fees")
    service = Service(
        source=source,
        source_id=service_id,
        name=name,
        description=_text(rec, raw, "description"),
        alternate_name=_text(rec, raw, "alternate_name"),
        url=_url(rec, raw),
        email=_email(rec, raw),
        status=status,
        organization=_organization(rec, source, raw.get("organization")) if raw.get("organization") else None,
        phones=_phones(rec, raw.get("phones")),
        contacts=[c for c in (_contact(rec, i) for i in _list(raw.get("contacts"))) if c is not None],
        schedules=_schedules(rec, raw),
        holiday_schedules=holiday_schedules,
        service_at_locations=sals,
        service_areas=_service_areas(rec, raw),
        taxonomy_terms=_taxonomy_terms(rec, source, raw),
        cost_options=_cost_options(rec, raw),
        languages=_languages(rec, raw),
        fees_description=fees,
        eligibility_description=_text(rec, raw, "eligibility_description", label="eligibility") or v1_eligibility,
        minimum_age=minimum_age,
        maximum_age=maximum_age,
        attending_types=_attending_types(rec, raw),
        attending_access=(_text(rec, raw, "attending_access") or "").lower() or None,
        alert=_text(rec, raw, "alert"),
        assured_date=assured_date,
        last_modified=last_modified,
        last_checked=last_checked,
    )
    for unused in ("fees", "wait_time", "licenses"):
        _text(rec, raw, unused)  # flags placeholder filler, even in fields we do not keep
    service.warnings = rec.messages
    return service


# --------------------------------------------------------------------------
# JSON pages
# --------------------------------------------------------------------------


def detect_format(payload: Any) -> str | None:
    """Which envelope a decoded ``/services`` response uses, by its keys."""
    if isinstance(payload, list):
        return FORMAT_LIST
    if not isinstance(payload, Mapping):
        return None
    if "contents" in payload or "total_items" in payload or "page_number" in payload:
        return FORMAT_HSDS3
    if "content" in payload or "totalElements" in payload:
        return FORMAT_ORUK_V1
    return None


def _page_info(payload: Mapping, fmt: str, item_count: int) -> PageInfo:
    def number(key: str) -> int | None:
        value = payload.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def flag(key: str) -> bool | None:
        value = payload.get(key)
        return value if isinstance(value, bool) else None

    if fmt == FORMAT_ORUK_V1:
        return PageInfo(
            number("number"), number("size"), number("totalElements"), number("totalPages"),
            flag("first"), flag("last"), flag("empty"), item_count,
        )
    return PageInfo(
        number("page_number"), number("size"), number("total_items"), number("total_pages"),
        flag("first_page"), flag("last_page"), flag("empty"), item_count,
    )


def _parse_services(source: str, items: Sequence, fmt: str, today: dt.date | None) -> ParseResult:
    today = today or dt.date.today()
    result = ParseResult(source=source, format=fmt)
    seen: set[str] = set()
    for index, item in enumerate(items):
        service = _service(result, source, item, index, today, seen)
        if service is not None:
            result.services.append(service)
    return result


def parse_page(payload: Any, source: str, *, today: dt.date | None = None, fmt: str | None = None) -> ParseResult:
    """Parse one decoded ``/services`` page, whichever envelope it uses.

    ``fmt`` forces FORMAT_ORUK_V1 or FORMAT_HSDS3; by default it is detected.
    """
    fmt = fmt or detect_format(payload)
    if fmt is None:
        return ParseResult(source, "unknown", fatal="not a services page: no 'content' or 'contents' list")
    if fmt == FORMAT_LIST:
        if not isinstance(payload, list):
            return ParseResult(source, fmt, fatal="expected a JSON array of services")
        result = _parse_services(source, payload, fmt, today)
        result.page = PageInfo(is_last=True, item_count=len(payload))
        return result
    if not isinstance(payload, Mapping):
        return ParseResult(source, fmt, fatal="expected a JSON object")
    key = "content" if fmt == FORMAT_ORUK_V1 else "contents"
    items = payload.get(key)
    if items is None:
        items = []
    if not isinstance(items, list):
        return ParseResult(source, fmt, fatal=f"'{key}' is not a list")
    result = _parse_services(source, items, fmt, today)
    result.page = _page_info(payload, fmt, len(items))
    return result


def parse_oruk_v1_page(payload: Any, source: str, *, today: dt.date | None = None) -> ParseResult:
    """An ORUK v1 ``/services`` page (``content``, ``totalElements``, ``last`` ...)."""
    return parse_page(payload, source, today=today, fmt=FORMAT_ORUK_V1)


def parse_hsds3_page(payload: Any, source: str, *, today: dt.date | None = None) -> ParseResult:
    """An HSDS / ORUK 3.0 ``/services`` page (``contents``, ``total_items``, ``last_page`` ...)."""
    return parse_page(payload, source, today=today, fmt=FORMAT_HSDS3)


def parse_service(obj: Any, source: str, *, today: dt.date | None = None) -> ParseResult:
    """A single ``/services/{id}`` object (v1 or 3.0 shape)."""
    fmt = FORMAT_HSDS3 if isinstance(obj, Mapping) and ("attributes" in obj or "schedules" in obj) else FORMAT_ORUK_V1
    return _parse_services(source, [obj], fmt, today)


def parse_json_text(text: str | bytes, source: str, *, today: dt.date | None = None) -> ParseResult:
    """Decode and parse a response body; a body that is not JSON is a fatal result, not an exception."""
    try:
        payload = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        return ParseResult(source, "unknown", fatal=f"response is not JSON: {exc}")
    if isinstance(payload, Mapping) and detect_format(payload) is None and "id" in payload:
        return parse_service(payload, source, today=today)
    return parse_page(payload, source, today=today)


# --------------------------------------------------------------------------
# HSDS tabular data package (datapackage.json + CSVs)
# --------------------------------------------------------------------------

# File names used when a package has no datapackage.json.
_CSV_RESOURCE_NAMES = {
    "organizations": "organization", "services": "service", "locations": "location",
    "service_at_location": "service_at_location", "service_at_locations": "service_at_location",
    "addresses": "address", "phones": "phone", "contacts": "contact", "schedules": "schedule",
    "attributes": "attribute", "taxonomy_terms": "taxonomy_term", "taxonomies": "taxonomy",
    "service_areas": "service_area", "languages": "language", "cost_options": "cost_option",
    "accessibility": "accessibility", "organization_identifiers": "organization_identifier",
    "funding": "funding", "programs": "program", "required_documents": "required_document",
    "metadata": "metadata",
}


@dataclass(slots=True)
class DataPackage:
    """A tabular data package: its descriptor and each resource's rows (blank cells are None)."""

    descriptor: dict
    tables: dict[str, list[dict]]


def read_csv_rows(text: str) -> list[dict]:
    """CSV text -> rows, with empty cells as None."""
    reader = csv.DictReader(text.splitlines())
    return [{k: (v if v != "" else None) for k, v in row.items() if k is not None} for row in reader]


def load_datapackage(directory: Path | str) -> DataPackage:
    """Read a data package folder (read-only).  Missing CSVs are simply absent tables."""
    directory = Path(directory)
    descriptor_path = directory / "datapackage.json"
    tables: dict[str, list[dict]] = {}
    if descriptor_path.exists():
        descriptor = json.loads(descriptor_path.read_text(encoding="utf-8-sig"))
        for resource in descriptor.get("resources", []):
            path = resource.get("path")
            if isinstance(path, str) and (directory / path).exists():
                tables[resource["name"]] = read_csv_rows((directory / path).read_text(encoding="utf-8-sig"))
    else:
        descriptor = {}
        for csv_path in sorted(directory.glob("*.csv")):
            name = _CSV_RESOURCE_NAMES.get(csv_path.stem, csv_path.stem)
            tables[name] = read_csv_rows(csv_path.read_text(encoding="utf-8-sig"))
    return DataPackage(descriptor, tables)


def _foreign_key_warnings(package: DataPackage) -> list[FieldWarning]:
    """Rows that point at ids which do not exist, from the descriptor's foreignKeys."""
    warnings: list[FieldWarning] = []
    ids = {name: {row.get("id") for row in rows} for name, rows in package.tables.items()}
    for resource in package.descriptor.get("resources", []):
        rows = package.tables.get(resource.get("name"), [])
        for fk in resource.get("schema", {}).get("foreignKeys", []):
            column = fk.get("fields")
            if isinstance(column, list) and len(column) == 1:
                column = column[0]
            target = fk.get("reference", {}).get("resource")
            if not isinstance(column, str) or target not in ids:
                continue
            for row in rows:
                value = row.get(column)
                if value is not None and value not in ids[target]:
                    warnings.append(
                        FieldWarning(
                            row.get("id"),
                            f"{resource['name']} {row.get('id')}: {column} {value} matches no {target}",
                        )
                    )
    return warnings


def parse_hsds_datapackage(package: DataPackage, source: str, *, today: dt.date | None = None) -> ParseResult:
    """Join an HSDS 3.0 data package's tables into services, then parse them like JSON.

    Child rows attach to the most specific known owner (contact, then site,
    then location, then service, then organisation); rows that point at ids
    which exist nowhere are reported as warnings.
    """
    t = package.tables

    def by(table: str, column: str) -> dict[str, list[dict]]:
        index: dict[str, list[dict]] = {}
        for row in t.get(table, []):
            if row.get(column) is not None:
                index.setdefault(row[column], []).append(row)
        return index

    orgs = {r["id"]: dict(r) for r in t.get("organization", []) if r.get("id")}
    locations = {r["id"]: dict(r) for r in t.get("location", []) if r.get("id")}
    sals = {r["id"]: dict(r) for r in t.get("service_at_location", []) if r.get("id")}
    services = [dict(r) for r in t.get("service", [])]
    service_ids = {s.get("id") for s in services}
    contacts = {r["id"]: dict(r) for r in t.get("contact", []) if r.get("id")}
    terms = {r["id"]: dict(r) for r in t.get("taxonomy_term", []) if r.get("id")}
    taxonomies = {r["id"]: r for r in t.get("taxonomy", []) if r.get("id")}

    for org in orgs.values():
        org["organization_identifiers"] = by("organization_identifier", "organization_id").get(org["id"], [])
        org["phones"] = []
    for location in locations.values():
        location["addresses"] = by("address", "location_id").get(location["id"], [])
        location["accessibility"] = by("accessibility", "location_id").get(location["id"], [])
        location["phones"] = []
    for contact in contacts.values():
        contact["phones"] = []
    for sal in sals.values():
        sal.update(phones=[], contacts=[], schedules=[], location=locations.get(sal.get("location_id")))
    for service in services:
        service.update(phones=[], contacts=[], schedules=[])
    services_by_id = {s["id"]: s for s in services if s.get("id")}

    def owner(row: dict, chain: Sequence[tuple[str, dict]]) -> dict | None:
        for column, table in chain:
            target = table.get(row.get(column)) if row.get(column) else None
            if target is not None:
                return target
        return None

    for phone in t.get("phone", []):
        target = owner(phone, [("contact_id", contacts), ("service_at_location_id", sals),
                               ("location_id", locations), ("service_id", services_by_id),
                               ("organization_id", orgs)])
        if target is not None:
            target["phones"].append(phone)
    for contact in contacts.values():
        target = owner(contact, [("service_at_location_id", sals), ("service_id", services_by_id)])
        if target is not None:
            target["contacts"].append(contact)
    for schedule in t.get("schedule", []):
        target = owner(schedule, [("service_at_location_id", sals), ("service_id", services_by_id)])
        if target is not None:
            target["schedules"].append(schedule)

    attributes = by("attribute", "link_id")
    sal_by_service = by("service_at_location", "service_id")
    areas, languages, costs = by("service_area", "service_id"), by("language", "service_id"), by("cost_option", "service_id")
    for service in services:
        sid = service.get("id")
        service["organization"] = orgs.get(service.get("organization_id"))
        service["service_at_locations"] = [sals[r["id"]] for r in sal_by_service.get(sid, []) if r.get("id") in sals]
        service["service_areas"] = areas.get(sid, [])
        service["languages"] = languages.get(sid, [])
        service["cost_options"] = costs.get(sid, [])
        service["attributes"] = []
        for attribute in attributes.get(sid, []):
            term = terms.get(attribute.get("taxonomy_term_id"))
            if term is not None:
                term = dict(term)
                taxonomy = taxonomies.get(term.get("taxonomy_id"))
                if taxonomy is not None:
                    term["taxonomy_detail"] = taxonomy
                service["attributes"].append({**attribute, "taxonomy_term": term})

    result = _parse_services(source, services, FORMAT_HSDS_CSV, today)
    result.page = PageInfo(is_last=True, item_count=len(services))
    result.warnings.extend(_foreign_key_warnings(package))
    linked = service_ids | set(orgs) | set(locations) | set(sals)
    for attribute in t.get("attribute", []):
        if attribute.get("link_id") not in linked:
            result.warnings.append(
                FieldWarning(attribute.get("id"), f"attribute {attribute.get('id')} links to unknown record {attribute.get('link_id')}; ignored")
            )
    return result


# --------------------------------------------------------------------------
# The site's own list of local services (TOML)
# --------------------------------------------------------------------------

LOCAL_DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_LOCAL_DAY_CODES = dict(zip(LOCAL_DAY_KEYS, ("MO", "TU", "WE", "TH", "FR", "SA", "SU"), strict=True))
LOCAL_SERVICE_FIELDS = (
    "id", "name", "organisation", "description", "address", "postcode", "phone", "email", "url",
    "needs", "hours", "hours_note", "last_checked", "access", "delivery", "national", "notes",
    "latitude", "longitude", "minimum_age", "maximum_age", "status",
)
_LOCAL_ACCESS = ("drop-in", "appointment", "referral", "membership")
_LOCAL_DELIVERY = ("venue", "phone", "online", "home visit")
_CLOCK = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$", re.I)


def parse_clock(text: str) -> dt.time | None:
    """"09:00", "9:30", "9am", "5.30pm", "24:00" -> a time; None if unclear."""
    match = _CLOCK.match(text.strip())
    if not match:
        return None
    hour, minute, meridiem = int(match.group(1)), int(match.group(2) or 0), (match.group(3) or "").lower()
    if meridiem:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    elif match.group(2) is None:
        return None  # "9-5" is ambiguous: ask for 09:00-17:00 or 9am-5pm
    if hour == 24 and minute == 0:
        return dt.time(0, 0)
    if hour > 23 or minute > 59:
        return None
    return dt.time(hour, minute)


def parse_opening_ranges(text: str) -> list[tuple[dt.time, dt.time]] | None:
    """"09:00-12:30, 13:30-17:00" -> two (opens, closes) pairs; "closed" -> []; None if unreadable."""
    text = text.strip().lower()
    if text in ("closed", "shut", "-", ""):
        return []
    ranges = []
    for part in re.split(r"[,;&]|\band\b", text):
        part = part.strip()
        if not part:
            continue
        bits = re.split(r"\s*(?:-|–|—|\bto\b)\s*", part)
        if len(bits) != 2:
            return None
        opens, closes = parse_clock(bits[0]), parse_clock(bits[1])
        if opens is None or closes is None:
            return None
        ranges.append((opens, closes))
    return ranges


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "service"


def _suggest(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def parse_local_services(
    data: Mapping,
    source: str = "local",
    *,
    today: dt.date | None = None,
    known_needs: Iterable[str] | None = None,
) -> ParseResult:
    """The site's own list, decoded from TOML: ``[[service]]`` tables (see the docs).

    ``known_needs`` are the valid need keys (default: those in ``needs.toml``).
    """
    today = today or dt.date.today()
    if known_needs is None:
        from .needs import load_needs

        catalogue = load_needs()
    else:
        catalogue = None
    need_keys = list(known_needs) if known_needs is not None else catalogue.keys()
    result = ParseResult(source=source, format=FORMAT_LOCAL, page=PageInfo(is_last=True))
    entries = data.get("service", [])
    unknown_top = set(data) - {"service"}
    for key in sorted(unknown_top):
        result.warnings.append(FieldWarning(None, f"unknown section '{key}' ignored{_suggest(key, ['service'])}"))
    if not isinstance(entries, list):
        result.fatal = "services must be written as [[service]] tables"
        return result
    result.page.item_count = len(entries)
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        service = _local_service(result, source, entry, index, today, need_keys, catalogue, seen)
        if service is not None:
            result.services.append(service)
    return result


def _local_service(
    result: ParseResult,
    source: str,
    entry: Any,
    index: int,
    today: dt.date,
    need_keys: list[str],
    catalogue,
    seen: set[str],
) -> Service | None:
    where = f"service #{index + 1}"
    if not isinstance(entry, Mapping):
        result.skipped.append(SkippedRecord(index, None, f"{where} is not a [[service]] table"))
        return None
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        result.skipped.append(SkippedRecord(index, None, f"{where} has no name"))
        return None
    name = name.strip()
    where = f"{where} '{name}'"
    service_id = _id(entry.get("id")) or _slug(name)
    if service_id in seen:
        result.skipped.append(
            SkippedRecord(index, service_id, f"{where}: id '{service_id}' is used twice (give each service its own id)")
        )
        return None
    seen.add(service_id)
    rec = _Record(result, record_key(source, service_id), today)

    for key in entry:
        if key not in LOCAL_SERVICE_FIELDS:
            rec.warn(f"{where}: unknown field '{key}' ignored{_suggest(key, LOCAL_SERVICE_FIELDS)}")

    def text(key: str) -> str | None:
        value = entry.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            rec.warn(f"{where}: {key} should be text in quotes")
            return None
        return value.strip() or None

    phones_raw = entry.get("phone")
    phone_items = phones_raw if isinstance(phones_raw, list) else [phones_raw] if phones_raw else []
    phones = _phones(rec, [str(p) for p in phone_items])

    needs: list[str] = []
    for raw_need in entry.get("needs") or []:
        key = str(raw_need).strip()
        if key in need_keys:
            needs.append(key)
            continue
        resolved = catalogue.resolve(key) if catalogue is not None else None
        if resolved is not None:
            needs.append(resolved.key)
        else:
            rec.warn(f"{where}: need '{key}' is not known{_suggest(key, need_keys)}; known needs: {', '.join(need_keys)}")

    last_checked = _date(rec, entry, "last_checked")
    if last_checked is None:
        rec.warn(f"{where}: no last_checked date (it will show as not checked recently)")
    elif last_checked > today:
        rec.warn(f"{where}: last_checked {last_checked.isoformat()} is in the future")
    elif (today - last_checked).days > STALE_AFTER_DAYS:
        rec.warn(f"not checked recently: last checked {last_checked.isoformat()}")

    access = (text("access") or "").lower() or None
    if access and access not in _LOCAL_ACCESS:
        rec.warn(f"{where}: access '{access}' should be one of {', '.join(_LOCAL_ACCESS)}")
        access = None
    delivery_raw = entry.get("delivery") or []
    delivery_items = delivery_raw if isinstance(delivery_raw, list) else [delivery_raw]
    delivery = []
    for item in delivery_items:
        word = str(item).strip().lower()
        if word in _LOCAL_DELIVERY:
            delivery.append(word)
        else:
            rec.warn(f"{where}: delivery '{word}' should be one of {', '.join(_LOCAL_DELIVERY)}")
    national = entry.get("national") is True

    status = (text("status") or "active").lower()
    if status not in SERVICE_STATUSES:
        rec.warn(f"{where}: status '{status}' should be one of {', '.join(SERVICE_STATUSES)}")
        status = "active"

    schedules, bank_holidays = _local_hours(rec, where, entry)
    hours_note = text("hours_note")
    if hours_note:
        schedules.append(Schedule(source_id=f"{service_id}:note", description=hours_note))

    sals: list[ServiceAtLocation] = []
    address_text, postcode_text = text("address"), text("postcode")
    latitude, longitude = _coordinates(rec, entry)
    if address_text or postcode_text or latitude is not None:
        postcode = geo.normalise_postcode(postcode_text)
        if postcode_text and postcode is None:
            rec.warn(f"{where}: '{postcode_text}' is not a UK postcode")
        lines = [line.strip() for line in re.split(r"[\n,]", address_text or "") if line.strip()]
        address = Address(
            address_1=lines[0] if lines else None,
            address_2=", ".join(lines[1:]) or None,
            postal_code=postcode_text,
            postcode=postcode,
            country="GB",
        )
        location = Location(
            source=source,
            source_id=f"{service_id}:site",
            name=(text("organisation") or name),
            latitude=latitude,
            longitude=longitude,
            addresses=[address],
        )
        sals.append(ServiceAtLocation(source=source, source_id=f"{service_id}:site", location=location))
    elif not national and "phone" not in delivery and "online" not in delivery:
        rec.warn(f"{where}: no address or postcode, so no distance can be shown")

    organisation_name = text("organisation")
    organisation = (
        Organization(source=source, source_id=f"org:{_slug(organisation_name)}", name=organisation_name)
        if organisation_name
        else None
    )
    ages = {}
    for key in ("minimum_age", "maximum_age"):
        value = entry.get(key)
        if value is not None:
            if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 130:
                ages[key] = value
            else:
                rec.warn(f"{where}: {key} should be a whole number of years")

    service = Service(
        source=source,
        source_id=service_id,
        name=name,
        description=text("description"),
        url=_url(rec, {"url": text("url")}),
        email=_email(rec, {"email": text("email")}),
        status=status,
        organization=organisation,
        phones=phones,
        schedules=schedules,
        service_at_locations=sals,
        attending_types=delivery or (["phone"] if national and phones else []),
        attending_access=access,
        minimum_age=ages.get("minimum_age"),
        maximum_age=ages.get("maximum_age"),
        assured_date=last_checked,
        last_checked=last_checked,
        bank_holiday_opening=bank_holidays,
        needs=list(dict.fromkeys(needs)),
        notes=text("notes"),
    )
    service.warnings = rec.messages
    return service


def _local_hours(rec: _Record, where: str, entry: Mapping) -> tuple[list[Schedule], str | None]:
    hours = entry.get("hours")
    if hours is None:
        return [], None
    if not isinstance(hours, Mapping):
        rec.warn(f"{where}: hours should be a table like hours = {{ mon = \"09:00-17:00\" }}")
        return [], None
    schedules: list[Schedule] = []
    bank_holidays = None
    for key, value in hours.items():
        key = str(key).strip().lower()
        if key == "bank_holidays":
            choice = str(value).strip().lower()
            if choice in ("open", "closed"):
                bank_holidays = choice
            elif choice not in ("call", "unknown"):
                rec.warn(f"{where}: hours.bank_holidays should be \"open\", \"closed\" or \"call\"")
            continue
        if key not in _LOCAL_DAY_CODES:
            rec.warn(f"{where}: hours key '{key}' is not a day{_suggest(key, LOCAL_DAY_KEYS)}; use mon, tue ... sun")
            continue
        ranges = parse_opening_ranges(str(value)) if isinstance(value, str) else None
        if ranges is None:
            rec.warn(
                f"{where}: hours {key} = {value!r} is not readable; write 24-hour times like "
                f"\"09:00-17:00\", several as \"09:00-12:00, 13:00-16:00\", or \"closed\""
            )
            continue
        for opens, closes in ranges:
            schedules.append(
                Schedule(
                    source_id=f"{key}-{opens:%H%M}",
                    freq="WEEKLY",
                    byday=[_LOCAL_DAY_CODES[key]],
                    opens_at=opens,
                    closes_at=closes,
                )
            )
    return schedules, bank_holidays


def parse_local_services_toml(
    text: str, source: str = "local", *, today: dt.date | None = None, known_needs: Iterable[str] | None = None
) -> ParseResult:
    """Parse the local services file's text; a syntax error is a fatal result naming the line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return ParseResult(source, FORMAT_LOCAL, fatal=f"the local services file could not be read: {exc}")
    return parse_local_services(data, source, today=today, known_needs=known_needs)


def load_local_services(
    path: Path | str, source: str = "local", *, today: dt.date | None = None
) -> ParseResult:
    """Read the local services file from disk (a missing file is fatal, not an exception)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        return ParseResult(source, FORMAT_LOCAL, fatal=f"the local services file could not be opened: {exc}")
    return parse_local_services_toml(text, source, today=today)


# --------------------------------------------------------------------------
# The ORUK validator dashboard: a list of known public feeds
# --------------------------------------------------------------------------


@dataclass(slots=True)
class KnownFeed:
    """A published ORUK feed and what the validator last found."""

    url: str
    label: str
    organisation: str | None = None
    developer: str | None = None
    last_check: dt.datetime | None = None
    is_up: bool | None = None
    services_valid: bool | None = None
    failed_tests: list[str] = field(default_factory=list)


def parse_oruk_dashboard(payload: Any) -> list[KnownFeed]:
    """The ORUK dashboard response -> known feeds (entries without a URL are left out)."""
    feeds = []
    for item in payload if isinstance(payload, list) else []:
        if not isinstance(item, Mapping) or not isinstance(item.get("url"), str):
            continue
        failed = [
            str(test.get("testName"))
            for test in item.get("searchResults") or []
            if isinstance(test, Mapping) and test.get("success") is False
        ]
        last_check = None
        if isinstance(item.get("lastCheck"), str):
            try:
                last_check = dt.datetime.fromisoformat(item["lastCheck"])
            except ValueError:
                last_check = None
        feeds.append(
            KnownFeed(
                url=item["url"].rstrip("/"),
                label=str(item.get("label") or item["url"]),
                organisation=item.get("organisationLabel"),
                developer=item.get("developerLabel"),
                last_check=last_check,
                is_up=item.get("isUp") if isinstance(item.get("isUp"), bool) else None,
                services_valid=item.get("isServicesValid") if isinstance(item.get("isServicesValid"), bool) else None,
                failed_tests=failed,
            )
        )
    return feeds
