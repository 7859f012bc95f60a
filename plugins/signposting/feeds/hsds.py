"""Open Referral UK v1 and HSDS / ORUK 3.0 JSON: ``/services`` pages (either envelope) and single
``/services/{id}`` objects, parsed into :class:`~..model.Service` records."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Mapping, Sequence

from ..model import (
    SERVICE_STATUSES,
    STALE_AFTER_DAYS,
    CostOption,
    Location,
    Organization,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
    record_key,
)
from .fields import (
    FORMAT_HSDS3,
    FORMAT_LIST,
    FORMAT_ORUK_V1,
    PageInfo,
    ParseResult,
    SkippedRecord,
    _address,
    _contact,
    _coordinates,
    _date,
    _datetime,
    _email,
    _float,
    _id,
    _int,
    _is_blank,
    _list,
    _phones,
    _Record,
    _text,
    _url,
)
from .areas import area_codes, geojson_bounds
from .hours import _holiday_schedule, _schedules
from .text import LINE_LIMIT

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
        extent_raw = item.get("extent")
        if isinstance(extent_raw, (Mapping, list)):  # GeoJSON given as an object, not a string
            extent_raw = json.dumps(extent_raw)
        bounds = []
        extent = None
        if isinstance(extent_raw, str) and extent_raw.strip():
            # A polygon can be large: its bounds are kept, its text only when short.
            bounds = geojson_bounds(extent_raw) if len(extent_raw) <= _MAX_EXTENT_CHARS else None
            if bounds is None and len(extent_raw) > _MAX_EXTENT_CHARS:
                rec.warn("service area extent was too large to read and was ignored")
            bounds = bounds or []
            if not bounds or len(extent_raw) <= LINE_LIMIT:
                extent = _text(rec, {"extent": extent_raw}, "extent", label="service area extent")
        area = ServiceArea(
            name=_text(rec, item, "name", label="service area") or _text(rec, item, "service_area"),
            description=_text(rec, item, "description", label="service area description"),
            extent=extent,
            extent_type=_text(rec, item, "extent_type"),
            uri=_url(rec, item, "uri"),
            bounds=bounds,
        )
        if area.name or area.description or area.extent or area.uri or area.bounds:
            areas.append(area)
    return areas


#: Largest GeoJSON extent read for its bounds (a detailed council boundary is a few MB).
_MAX_EXTENT_CHARS = 8_000_000


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
        service_areas=(service_areas := _service_areas(rec, raw)),
        area_codes=area_codes(service_areas),
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

