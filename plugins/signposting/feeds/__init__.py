"""Parsers from decoded feed data to :mod:`..model` records, with reasons for every skip.

Pure functions, no I/O beyond the two small loaders for files on disk
(:func:`load_datapackage`, :func:`load_local_services`); fetching over HTTP is
:mod:`..fetch`, running a sync is :mod:`..sync`. One module per job:

* :mod:`.text` - feed text made safe and plain (control characters, escape
  sequences, HTML entities and tags, whitespace, length caps);
* :mod:`.fields` - the result types and the cleaners for single fields (text,
  numbers, dates, emails, web addresses, phones, addresses, coordinates);
* :mod:`.hours` - opening hours, into the ``Schedule`` records :mod:`..schedules` reads;
* :mod:`.hsds` - Open Referral UK v1 and HSDS / ORUK 3.0 ``/services`` pages and
  single ``/services/{id}`` objects;
* :mod:`.datapackage` - an HSDS tabular data package (``datapackage.json`` + CSVs);
* :mod:`.local_list` - the site's own list of local services, in TOML;
* :mod:`.dashboard` - the ORUK validator dashboard, as a list of known feeds;
* :mod:`.quality` - data-quality warnings grouped by kind, for the site lead.

Validation is forgiving about shape and strict about meaning: a record without
an id or a name is skipped (and counted, with the reason); a bad field is
dropped with a warning kept on the service (coordinates out of range, a
postcode that is not a UK postcode, placeholder text, expired hours, an old
"last checked" date ...).  Nothing here raises on bad feed data.

Every name that used to live in the single ``feeds.py`` is importable from
here unchanged (``from plugins.signposting.feeds import SkippedRecord``).
"""

from __future__ import annotations

from .dashboard import KnownFeed, parse_oruk_dashboard
from .datapackage import DataPackage, load_datapackage, parse_hsds_datapackage, read_csv_rows
from .fields import (
    FORMAT_HSDS3,
    FORMAT_HSDS_CSV,
    FORMAT_LIST,
    FORMAT_LOCAL,
    FORMAT_ORUK_V1,
    FieldWarning,
    PageInfo,
    ParseResult,
    SkippedRecord,
    clean_phone_number,
)
from .hours import LOCAL_DAY_KEYS, parse_clock, parse_opening_ranges, parse_time
from .hsds import (
    detect_format,
    parse_hsds3_page,
    parse_json_text,
    parse_oruk_v1_page,
    parse_page,
    parse_service,
)
from .local_list import (
    LOCAL_SERVICE_FIELDS,
    load_local_services,
    parse_local_services,
    parse_local_services_toml,
)

__all__ = [
    "FORMAT_HSDS3", "FORMAT_HSDS_CSV", "FORMAT_LIST", "FORMAT_LOCAL", "FORMAT_ORUK_V1", "LOCAL_DAY_KEYS",
    "LOCAL_SERVICE_FIELDS", "DataPackage", "FieldWarning", "KnownFeed", "PageInfo", "ParseResult", "SkippedRecord",
    "clean_phone_number", "detect_format", "load_datapackage", "load_local_services", "parse_clock",
    "parse_hsds3_page", "parse_hsds_datapackage", "parse_json_text", "parse_local_services",
    "parse_local_services_toml", "parse_opening_ranges", "parse_oruk_dashboard", "parse_oruk_v1_page",
    "parse_page", "parse_service", "parse_time", "read_csv_rows",
]
