"""Normalised directory records, shaped on HSDS 3.0 and kept per source.

Every feed we read (ORUK v1, HSDS / ORUK 3.0, the HSDS CSV data package, the
site's own TOML list) is parsed into these dataclasses, so search, ranking,
opening hours and referral snapshots only ever deal with one shape.

Ids are never trusted to be globally unique: each record keeps the name of the
source it came from and the id that source gave it; ``key`` joins the two
("bristol:ac1488...") and is what storage should use as the primary key.

This module has no dependencies beyond the standard library.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import types
import typing
from dataclasses import dataclass, field

#: Listings whose last check is older than this are "not checked recently"
#: (the ORUK richness rule and the reference implementation both use 90 days).
STALE_AFTER_DAYS = 90

#: HSDS service.status values.
SERVICE_STATUSES = ("active", "inactive", "defunct", "temporarily closed")

#: ORUK v1 attending_type values that mean "you do not have to go anywhere".
REMOTE_ATTENDING_TYPES = ("phone", "online")


def record_key(source: str, source_id: str) -> str:
    """The storage key for a record: the source name and the source's own id."""
    return f"{source}:{source_id}"


@dataclass(slots=True)
class Phone:
    """A phone number as published, cleaned of stray quotes and spaces."""

    number: str
    source_id: str | None = None
    extension: str | None = None
    type: str | None = None  # HSDS: voice, text, fax, cell, video, pager, textphone
    description: str | None = None
    languages: list[str] = field(default_factory=list)

    @property
    def display(self) -> str:
        """The number as a resident would read it: "0800 123 4567 ext 12 (Freephone)"."""
        text = self.number
        if self.extension:
            text += f" ext {self.extension}"
        if self.description and len(self.description) <= 60:
            text += f" ({self.description})"
        return text


@dataclass(slots=True)
class Contact:
    """A named contact (a person or a desk) with their own phones."""

    source_id: str | None = None
    name: str | None = None
    title: str | None = None
    department: str | None = None
    email: str | None = None
    phones: list[Phone] = field(default_factory=list)


@dataclass(slots=True)
class Address:
    """A street or postal address.

    ``postal_code`` is what the feed said; ``postcode`` is the normalised UK
    postcode ("BS1 1AD"), or the district alone ("M40") when only that was given
    (placed approximately, at the district's middle, with a warning saying so), or
    None when the feed's value is not a UK postcode.
    """

    source_id: str | None = None
    address_1: str | None = None
    address_2: str | None = None
    city: str | None = None
    region: str | None = None
    state_province: str | None = None
    postal_code: str | None = None
    postcode: str | None = None
    country: str | None = None
    address_type: str | None = None  # physical / postal / virtual

    def one_line(self) -> str:
        """The address on one line, for lists and referral slips."""
        parts = [self.address_1, self.address_2, self.city, self.postcode or self.postal_code]
        return ", ".join(p for p in parts if p)


@dataclass(slots=True)
class Schedule:
    """One HSDS schedule row: a recurring opening period (an RRULE subset).

    ``byday`` holds the RRULE codes as given ("MO", "TH", or with an ordinal
    for MONTHLY rules: "2MO", "-1FR").  ``opens_at``/``closes_at`` are UK
    wall-clock times; a ``closes_at`` earlier than ``opens_at`` means the
    period runs past midnight.
    """

    source_id: str | None = None
    freq: str | None = None  # WEEKLY / MONTHLY
    interval: int = 1
    byday: list[str] = field(default_factory=list)
    bymonthday: list[int] = field(default_factory=list)
    opens_at: dt.time | None = None
    closes_at: dt.time | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    dtstart: dt.date | None = None
    until: dt.date | None = None
    description: str | None = None
    notes: str | None = None
    attending_type: str | None = None


@dataclass(slots=True)
class HolidaySchedule:
    """An ORUK v1 holiday_schedule: a date range that overrides the regular hours."""

    start_date: dt.date
    end_date: dt.date
    closed: bool = True
    opens_at: dt.time | None = None
    closes_at: dt.time | None = None
    source_id: str | None = None


@dataclass(slots=True)
class TaxonomyTerm:
    """A category a service is tagged with, in some vocabulary.

    ``vocabulary`` is the taxonomy's name or CURIE prefix as the feed gave it
    (e.g. "esdServiceType", "openEligibility", "bccservicetype").
    """

    source: str
    source_id: str
    name: str
    vocabulary: str | None = None
    code: str | None = None
    term_uri: str | None = None
    parent_id: str | None = None
    description: str | None = None

    @property
    def key(self) -> str:
        return record_key(self.source, self.source_id)


@dataclass(slots=True)
class Organization:
    """The organisation that runs a service."""

    source: str
    source_id: str
    name: str
    description: str | None = None
    email: str | None = None
    website: str | None = None
    phones: list[Phone] = field(default_factory=list)
    #: (scheme, identifier) pairs such as ("GB-CHC", "1234567"), for de-duplication.
    identifiers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def key(self) -> str:
        return record_key(self.source, self.source_id)


@dataclass(slots=True)
class Location:
    """A place: a building with an address, or a virtual location.

    ``latitude``/``longitude`` are WGS84 degrees, and are None whenever the feed
    gave none or gave values that failed validation (out of range, outside the
    UK): a warning on the service says which.
    """

    source: str
    source_id: str
    name: str | None = None
    location_type: str = "physical"  # physical / postal / virtual
    description: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    addresses: list[Address] = field(default_factory=list)
    phones: list[Phone] = field(default_factory=list)
    accessibility: list[str] = field(default_factory=list)
    transportation: str | None = None
    external_identifier: str | None = None
    external_identifier_type: str | None = None  # e.g. UPRN
    url: str | None = None

    @property
    def key(self) -> str:
        return record_key(self.source, self.source_id)

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def postcode(self) -> str | None:
        """The first valid UK postcode among this location's addresses."""
        for address in self.addresses:
            if address.postcode:
                return address.postcode
        return None


@dataclass(slots=True)
class ServiceAtLocation:
    """A service delivered at one location: the unit to rank by distance."""

    source: str
    source_id: str
    location: Location | None = None
    description: str | None = None
    phones: list[Phone] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    schedules: list[Schedule] = field(default_factory=list)

    @property
    def key(self) -> str:
        return record_key(self.source, self.source_id)


@dataclass(slots=True)
class ServiceArea:
    """Where a service is available, as published (text, GeoJSON or a URI)."""

    name: str | None = None
    description: str | None = None
    extent: str | None = None
    extent_type: str | None = None
    uri: str | None = None
    #: (south, west, north, east) in WGS84 degrees, from a GeoJSON ``extent``; empty when none.
    bounds: list[float] = field(default_factory=list)


@dataclass(slots=True)
class CostOption:
    """A price, or a note that something is free."""

    option: str | None = None
    amount: float | None = None
    currency: str | None = None
    amount_description: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


@dataclass(slots=True)
class Service:
    """A service as the resident would be told about it.

    Freshness: ``assured_date`` is the publisher's own "information last
    checked" date, ``last_modified`` the feed's change timestamp, and
    ``last_checked`` the date we show and rank on: the site lead's date for the
    local list, otherwise ``assured_date``, otherwise the date of
    ``last_modified``.

    ``warnings`` are data-quality notes found while parsing (shown to staff
    and to the site lead, never hidden).
    """

    source: str
    source_id: str
    name: str
    description: str | None = None
    alternate_name: str | None = None
    url: str | None = None
    email: str | None = None
    status: str = "active"
    organization: Organization | None = None
    phones: list[Phone] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    schedules: list[Schedule] = field(default_factory=list)
    holiday_schedules: list[HolidaySchedule] = field(default_factory=list)
    service_at_locations: list[ServiceAtLocation] = field(default_factory=list)
    service_areas: list[ServiceArea] = field(default_factory=list)
    #: Codes of the areas a service says it serves, when the feed says so: GSS codes
    #: ("E08000003"), postcode areas/districts/sectors ("CH", "CH41", "CH41 1"), "England",
    #: "UK"/"national". The search limits phone/online services to them (``index.area_tokens``).
    served_areas: list[str] = field(default_factory=list)
    taxonomy_terms: list[TaxonomyTerm] = field(default_factory=list)
    cost_options: list[CostOption] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    fees_description: str | None = None
    eligibility_description: str | None = None
    minimum_age: int | None = None
    maximum_age: int | None = None
    #: ORUK v1: phone / online / venue / home visit (several allowed).
    attending_types: list[str] = field(default_factory=list)
    #: ORUK v1: referral / appointment / membership / drop-in.
    attending_access: str | None = None
    alert: str | None = None
    assured_date: dt.date | None = None
    last_modified: dt.datetime | None = None
    last_checked: dt.date | None = None
    #: On bank holidays: "open", "closed", or None when unknown (call first).
    bank_holiday_opening: str | None = None
    #: Needs the site lead assigned directly (keys of needs.toml), local list only.
    needs: list[str] = field(default_factory=list)
    #: Where the service says it is available, as tokens (``feeds/areas.py``): "national",
    #: "nation:england", "la:E08000003", "district:M40", "name:wirral". Empty: the feed did not say.
    area_codes: list[str] = field(default_factory=list)
    notes: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return record_key(self.source, self.source_id)

    def locations(self) -> list[Location]:
        """Every location this service is delivered at."""
        return [sal.location for sal in self.service_at_locations if sal.location is not None]

    def physical_locations(self) -> list[Location]:
        """Locations a resident can go to (not postal or virtual)."""
        return [loc for loc in self.locations() if loc.location_type == "physical"]

    def all_phones(self) -> list[Phone]:
        """Every distinct phone number, wherever the feed put it.

        ORUK 3.0 removed service-level phones, so numbers may only be found
        under contacts, locations or the organisation.
        """
        found: list[Phone] = []
        seen: set[str] = set()
        groups: list[list[Phone]] = [self.phones]
        groups += [c.phones for c in self.contacts]
        for sal in self.service_at_locations:
            groups.append(sal.phones)
            groups += [c.phones for c in sal.contacts]
            if sal.location is not None:
                groups.append(sal.location.phones)
        if self.organization is not None:
            groups.append(self.organization.phones)
        for group in groups:
            for phone in group:
                digits = "".join(ch for ch in phone.number if ch.isdigit())
                if digits and digits not in seen:
                    seen.add(digits)
                    found.append(phone)
        return found

    @property
    def is_remote_only(self) -> bool:
        """True for phone/online services with no building to visit.

        Such services are listed apart from local ones, never mixed into a
        nearest-first list.
        """
        if self.physical_locations():
            return False
        if any(t in REMOTE_ATTENDING_TYPES for t in self.attending_types):
            return True
        return bool(self.phones or self.url or self.email)

    def schedules_for(self, service_at_location: ServiceAtLocation | None = None) -> list[Schedule]:
        """The schedules that apply at one site: its own if it has any, else the service's."""
        if service_at_location is not None and service_at_location.schedules:
            return service_at_location.schedules
        return self.schedules


def freshness_warning(service: Service, today: dt.date, stale_after_days: int = STALE_AFTER_DAYS) -> str | None:
    """A "not checked recently" note for a stale or undated listing, else None."""
    if service.last_checked is None:
        return "not checked recently: no 'last checked' date was published"
    age = (today - service.last_checked).days
    if age > stale_after_days:
        return f"not checked recently: last checked {service.last_checked.isoformat()} ({age} days ago)"
    return None


def is_stale(service: Service, today: dt.date, stale_after_days: int = STALE_AFTER_DAYS) -> bool:
    """Whether a listing should be demoted for being old or undated."""
    return freshness_warning(service, today, stale_after_days) is not None


# --------------------------------------------------------------------------
# Plain-dict conversion, for storage (a JSON column) and `--json` output.
# --------------------------------------------------------------------------


def to_dict(record: typing.Any) -> typing.Any:
    """Convert a record (or list of records) to JSON-safe dicts; dates become ISO strings."""
    if dataclasses.is_dataclass(record) and not isinstance(record, type):
        return {f.name: to_dict(getattr(record, f.name)) for f in dataclasses.fields(record)}
    if isinstance(record, (list, tuple)):
        return [to_dict(item) for item in record]
    if isinstance(record, (dt.date, dt.datetime, dt.time)):
        return record.isoformat()
    if isinstance(record, enum.Enum):
        return record.value
    return record


_T = typing.TypeVar("_T")


def from_dict(cls: type[_T], data: typing.Any) -> _T:
    """Rebuild a record from :func:`to_dict` output (the exact inverse)."""
    return _convert(cls, data)


def _convert(annotation: typing.Any, value: typing.Any) -> typing.Any:
    if value is None:
        return None
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _convert(options[0], value) if len(options) == 1 else value
    if origin is list:
        (item_type,) = typing.get_args(annotation) or (typing.Any,)
        return [_convert(item_type, item) for item in value]
    if origin is tuple:
        item_types = typing.get_args(annotation)
        return tuple(_convert(t, v) for t, v in zip(item_types, value, strict=True))
    if annotation is dt.datetime:
        return dt.datetime.fromisoformat(value)
    if annotation is dt.date:
        return dt.date.fromisoformat(value)
    if annotation is dt.time:
        return dt.time.fromisoformat(value)
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        hints = typing.get_type_hints(annotation)
        kwargs = {
            f.name: _convert(hints[f.name], value[f.name])
            for f in dataclasses.fields(annotation)
            if f.name in value
        }
        return annotation(**kwargs)
    return value
