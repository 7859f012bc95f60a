"""Helpers for the signposting tests: hubs with the plugin, hand-made services, a fake postcode lookup."""

from __future__ import annotations

import datetime as dt
import re
import zlib
from pathlib import Path

from plugins.signposting import geo
from plugins.signposting.model import (
    Address,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)

OPENREFERRAL = Path(__file__).resolve().parent / "fixtures" / "openreferral"
TODAY = dt.date(2026, 11, 22)  # a Sunday
TUESDAY_11AM = dt.datetime(2026, 11, 24, 11, 0)
TUESDAY_9PM = dt.datetime(2026, 11, 24, 21, 0)

# Real-ish positions around the demo estate (Manchester M40), and one far away.
PLACES = {
    "M40 7AB": (53.49094, -2.20520),
    "M40 8JD": (53.49180, -2.20690),  # about 0.1 miles
    "M40 5BB": (53.51000, -2.19000),  # about 1.4 miles
    "M9 4HA": (53.52500, -2.20000),   # about 2.4 miles
    "M11 3PP": (53.48000, -2.16000),  # about 2 miles
    "M1 1AE": (53.47900, -2.24300),   # about 1.8 miles
    "BS1 1AD": (51.45846, -2.57417),  # Bristol: about 140 miles
}


class FakeGazetteer:
    """A postcode lookup over PLACES only: deterministic, and no data package needed."""

    def __init__(self, places: dict[str, tuple[float, float]] | None = None):
        self.places = dict(PLACES if places is None else places)
        self.lookups: list[str] = []

    def lookup(self, text: str) -> geo.GeocodeResult:
        self.lookups.append(text)
        postcode = geo.normalise_postcode(text)
        if postcode is None:
            outcode = geo.normalise_outcode(text)
            if outcode == "M40":
                return geo.GeocodeResult(geo.GeoPoint(53.4950, -2.2050, text, "M40", "outcode"))
            return geo.GeocodeResult(None, f"'{text}' is not a UK postcode")
        if postcode in self.places:
            lat, lon = self.places[postcode]
            return geo.GeocodeResult(geo.GeoPoint(lat, lon, text, postcode, "postcode"))
        return geo.GeocodeResult(None, f"'{text}' was not found in the postcode data")

    def geocode(self, text: str):
        return self.lookup(text).point


def weekly(days: str, opens: str, closes: str) -> list[Schedule]:
    """One weekly schedule per day code: weekly("MO,TU", "09:00", "17:00")."""
    return [
        Schedule(source_id=f"{code}-{opens}", freq="WEEKLY", byday=[code],
                 opens_at=dt.time.fromisoformat(opens), closes_at=dt.time.fromisoformat(closes))
        for code in days.split(",")
    ]


def make_service(
    source_id: str,
    name: str,
    *,
    source: str = "t",
    description: str = "",
    postcode: str | None = "M40 7AB",
    position: tuple[float, float] | None | str = "postcode",
    schedules: list[Schedule] | None = None,
    needs: list[str] | None = None,
    terms: list[str] | None = None,
    last_checked: dt.date | None = TODAY - dt.timedelta(days=10),
    status: str = "active",
    phones: list[str] | None = None,
    remote: bool = False,
    organisation: str | None = None,
    bank_holidays: str | None = None,
) -> Service:
    """A service at one site (or none, when ``remote``), positioned at its postcode by default."""
    sals = []
    if not remote:
        if position == "postcode":
            position = PLACES.get(postcode) if postcode else None
        lat, lon = position if position else (None, None)
        location = Location(
            source=source,
            source_id=f"{source_id}-site",
            name=name,
            latitude=lat,
            longitude=lon,
            addresses=[Address(address_1=f"{len(name)} Test Street", city="Manchester", postal_code=postcode,
                               postcode=postcode, country="GB")] if postcode else [],
        )
        sals.append(ServiceAtLocation(source=source, source_id=f"{source_id}-sal", location=location))
    return Service(
        source=source,
        source_id=source_id,
        name=name,
        description=description or None,
        status=status,
        organization=Organization(source=source, source_id=f"org-{organisation}", name=organisation) if organisation else None,
        phones=[Phone(number) for number in (phones if phones is not None else ["0161 496 0999"])],
        schedules=schedules or [],
        service_at_locations=sals,
        taxonomy_terms=[TaxonomyTerm(source=source, source_id=f"term-{t}", name=t, vocabulary="test") for t in terms or []],
        attending_types=["phone"] if remote else [],
        needs=needs or [],
        last_checked=last_checked,
        assured_date=last_checked,
        bank_holiday_opening=bank_holidays,
    )


def filler(count: int = 12, *, source: str = "t") -> list[Service]:
    """Unrelated services, so bm25 has a corpus to rank against (tiny corpora score 0)."""
    topics = ["Gardening club", "Chess group", "Choir practice", "Walking group", "Book club", "Knitting circle",
              "Table tennis", "Art class", "Film night", "Repair cafe", "Bingo", "Tea dance", "Yoga", "Quiz night"]
    return [
        make_service(f"filler-{i}", f"{topics[i % len(topics)]} {i}", source=source,
                     description="A friendly weekly session for local people.", postcode="M40 5BB")
        for i in range(count)
    ]


def signposting_hub(hub_factory, *extra, body: str = "", demo: bool = False):
    """A hub with the signposting plugin (as its entry point would name it) and its database open."""
    import plugins.signposting as signposting

    hub = hub_factory(("signposting", signposting), *extra, body=body, demo=demo)
    hub.open_storage()
    return hub


def pdf_text(pdf: bytes) -> str:
    """The text drawn in a PDF made by fpdf2 (its content streams, inflated), for assertions."""
    chunks = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, flags=re.S):
        data = match.group(1)
        try:
            data = zlib.decompress(data)
        except zlib.error:
            pass
        chunks.extend(part.decode("latin-1") for part in re.findall(rb"\((.*?)(?<!\\)\)\s*Tj", data, flags=re.S))
    return "\n".join(chunks).replace("\\(", "(").replace("\\)", ")").replace("\\\\", "\\")
