"""HSDS tabular data packages (``datapackage.json`` and one CSV per table): joined into the
nested JSON shape and parsed like an API page."""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from .fields import FORMAT_HSDS_CSV, FieldWarning, PageInfo, ParseResult
from .hsds import _parse_services

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

