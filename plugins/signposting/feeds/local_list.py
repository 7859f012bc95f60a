"""The site's own list of local services, a TOML file kept by the site lead (format in
``docs/signposting.md`` and ``data/local_services.example.toml``)."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path
from typing import Any, Iterable, Mapping

from ..model import (
    SERVICE_STATUSES,
    STALE_AFTER_DAYS,
    Address,
    Location,
    Organization,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    record_key,
)
from .areas import area_codes
from .fields import (
    FORMAT_LOCAL,
    FieldWarning,
    PageInfo,
    ParseResult,
    SkippedRecord,
    _coordinates,
    _date,
    _email,
    _id,
    _phones,
    _postcode,
    _Record,
    _suggest,
    _url,
)
from .hours import _local_hours
from .text import clean_field

LOCAL_SERVICE_FIELDS = (
    "id", "name", "organisation", "description", "address", "postcode", "phone", "email", "url",
    "needs", "hours", "hours_note", "last_checked", "access", "delivery", "national", "notes",
    "latitude", "longitude", "minimum_age", "maximum_age", "status", "areas",
)
_LOCAL_ACCESS = ("drop-in", "appointment", "referral", "membership")
_LOCAL_DELIVERY = ("venue", "phone", "online", "home visit")

def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "service"


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
        from ..needs import load_needs

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
    name = clean_field("name", name)
    if not name:
        result.skipped.append(SkippedRecord(index, None, f"{where} has no name"))
        return None
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
        return clean_field(key, value) or None

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
    areas_raw = entry.get("areas") or []
    if isinstance(areas_raw, str):
        areas_raw = [areas_raw]
    areas = []
    for item in areas_raw if isinstance(areas_raw, list) else []:
        name = clean_field("name", str(item)) if isinstance(item, (str, int)) else ""
        if name:
            areas.append(ServiceArea(name=name))
    if not isinstance(areas_raw, list):
        rec.warn(f"{where}: areas should be a list such as [\"Manchester\", \"M40\"]")

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
        postcode = _postcode(rec, postcode_text, f"{where}: ")
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
        service_areas=areas,
        area_codes=(["national"] if national else []) + [c for c in area_codes(areas) if not (national and c == "national")],
    )
    service.warnings = rec.messages
    return service


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

