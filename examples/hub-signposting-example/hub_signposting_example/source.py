"""Services from a shared spreadsheet, saved as CSV, as signposting directory records.

Columns (the first row names them; order does not matter):
id, name, organisation, description, address, postcode, phone, days, opens, closes, needs, checked

``days`` is like "Mon, Wed"; ``opens``/``closes`` are 24-hour times ("09:30");
``needs`` are need keys such as "food; debt"; ``checked`` is the date the row
was last checked (2026-11-01 or 01/11/2026).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from plugins.signposting.feeds import SkippedRecord
from plugins.signposting.geo import normalise_postcode
from plugins.signposting.model import Address, Location, Organization, Phone, Schedule, Service, ServiceAtLocation
from plugins.signposting.sources import Batch, FetchContext, Source, SourceError

DAYS = {"mon": "MO", "tue": "TU", "wed": "WE", "thu": "TH", "fri": "FR", "sat": "SA", "sun": "SU"}
REQUIRED_COLUMNS = {"id", "name"}


def parse_date(text: str) -> dt.date | None:
    for form in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text.strip(), form).date()
        except ValueError:
            pass
    return None


def parse_time(text: str) -> dt.time | None:
    try:
        return dt.time.fromisoformat(text.strip())
    except ValueError:
        return None


def row_to_service(row: dict[str, str], source: str) -> Service:
    """One spreadsheet row as a Service. Raises ValueError (with a reason) for a row to skip."""
    service_id = (row.get("id") or "").strip()
    name = (row.get("name") or "").strip()
    if not service_id:
        raise ValueError("no id")
    if not name:
        raise ValueError("no name")
    service = Service(source=source, source_id=service_id, name=name, description=(row.get("description") or "").strip() or None)

    organisation = (row.get("organisation") or "").strip()
    if organisation:
        service.organization = Organization(source=source, source_id=f"org:{organisation.lower()}", name=organisation)
    phone = (row.get("phone") or "").strip()
    if phone:
        service.phones.append(Phone(phone))

    postcode_text = (row.get("postcode") or "").strip()
    address = (row.get("address") or "").strip()
    if address or postcode_text:
        postcode = normalise_postcode(postcode_text)
        if postcode_text and postcode is None:
            service.warnings.append(f"'{postcode_text}' is not a UK postcode")
        location = Location(
            source=source,
            source_id=f"{service_id}:site",
            name=organisation or name,
            addresses=[Address(address_1=address or None, postal_code=postcode_text or None, postcode=postcode, country="GB")],
        )
        service.service_at_locations.append(ServiceAtLocation(source=source, source_id=f"{service_id}:site", location=location))

    days = [DAYS.get(day.strip().lower()[:3]) for day in (row.get("days") or "").split(",") if day.strip()]
    opens, closes = parse_time(row.get("opens") or ""), parse_time(row.get("closes") or "")
    if days and None not in days and opens and closes:
        service.schedules = [Schedule(source_id=f"{service_id}:{code}", freq="WEEKLY", byday=[code], opens_at=opens, closes_at=closes)
                             for code in days]
    elif days or opens or closes:
        service.warnings.append("opening hours could not be read; shown as 'call first'")

    service.needs = [need.strip() for need in (row.get("needs") or "").replace(",", ";").split(";") if need.strip()]
    service.last_checked = service.assured_date = parse_date(row.get("checked") or "")
    if service.last_checked is None:
        service.warnings.append("no 'checked' date: shown as not checked recently")
    return service


class SpreadsheetSource(Source):
    """A CSV file of services; the whole file is one batch, so a sync is all or nothing."""

    kind = "spreadsheet"

    def __init__(self, path: Path, *, name: str = "example", label: str = "Community network spreadsheet") -> None:
        self.path = Path(path)
        self.name = name
        self.label = label

    def describe(self) -> str:
        return str(self.path)

    def fetch(self, context: FetchContext):
        try:
            text = self.path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise SourceError(f"the spreadsheet {self.path} could not be opened: {exc.strerror}") from None
        reader = csv.DictReader(io.StringIO(text))
        missing = REQUIRED_COLUMNS - set(reader.fieldnames or [])
        if missing:
            raise SourceError(f"the spreadsheet has no {', '.join(sorted(missing))} column")
        services, skipped = [], []
        for index, row in enumerate(reader):
            try:
                services.append(row_to_service(row, self.name))
            except ValueError as exc:
                skipped.append(SkippedRecord(index, (row.get("id") or "").strip() or None, str(exc)))
        yield Batch(services, skipped, sum(len(s.warnings) for s in services), label=self.path.name)
