"""`hub report --from DATE --to DATE [--json | --csv DIR] [--open KEY]`: the outcomes report.

Prints the figures and the monthly chart; ``--json`` prints the de-identified export (figures,
tables and data dictionary) as one JSON document; ``--csv DIR`` writes it as CSV files with a
data dictionary; ``--open KEY`` lists the residents behind one figure. Site leads only: run with
``HUB_STAFF`` and ``HUB_PASSWORD``. Bad input exits with code 2 and one line naming the option.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

USAGE_ERROR = 2


class UsageError(Exception):
    pass


def configure(parser) -> None:
    parser.add_argument("--from", dest="start", metavar="DATE",
                        help="first day of the period (2026-01-01 or 01/01/2026); default: the last complete quarter")
    parser.add_argument("--to", dest="end", metavar="DATE", help="last day of the period (included)")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true",
                        help="print the de-identified export (figures, tables, data dictionary) as JSON")
    output.add_argument("--csv", metavar="DIR", help="write the de-identified export as CSV files into DIR")
    output.add_argument("--open", metavar="KEY", help="list the residents behind one figure (see the keys with --keys)")
    output.add_argument("--keys", action="store_true", help="list every figure's key")


def _date(value: str | None, option: str) -> date | None:
    from hub.api import parse_date

    if value is None:
        return None
    day = parse_date(value)
    if day is None:
        raise UsageError(f"{option}: {value!r} is not a date; write 2026-01-31 or 31/01/2026")
    return day


def period_from(args, today: date | None = None):
    from plugins.journey.report import Period

    start, end = _date(args.start, "--from"), _date(args.end, "--to")
    if start is None and end is None:
        return Period.last_quarter(today)
    if start is None or end is None:
        raise UsageError("give both --from and --to (or neither, for the last complete quarter)")
    if end < start:
        raise UsageError("--to is before --from")
    return Period(start, end)


def run(hub, args) -> int:
    from plugins.journey import service
    from plugins.journey.chart import trend_chart
    from plugins.journey.report import format_report

    try:
        period = period_from(args)
    except UsageError as exc:
        print(f"hub report: {exc}", file=sys.stderr)
        return USAGE_ERROR
    hub.authenticate("reports.view")  # site leads: HUB_STAFF + HUB_PASSWORD, or a prompt; exit 3 if not
    report = service.run_report(hub, period)
    if args.keys:
        for figure in report.figures:
            print(f"{figure.key}\t{figure.label}" + ("" if figure.openable else "\t(not about residents)"))
        return 0
    if args.open:
        if args.open not in report.keys():
            print(f"hub report: --open: no figure {args.open!r}; see `hub report --keys`", file=sys.stderr)
            return USAGE_ERROR
        figure = report.figure(args.open)
        if not figure.openable:
            print(f"hub report: --open: {figure.label!r} is not about residents", file=sys.stderr)
            return USAGE_ERROR
        rows = service.open_figure(hub, report, args.open)
        print(f"{figure.label}, {period.label}: {len(rows)} resident{'s' if len(rows) != 1 else ''}")
        for row in rows:
            status = (row["status_at_registration"] or "").replace("_", " ")
            print(f"{row['id']:>6}  {row['name']:<40}  registered {row['registered_on']}  {status}")
        return 0
    if args.json:
        from plugins.journey.export import as_json

        json.dump(as_json(service.export_data(hub, report)), sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    if args.csv:
        folder = Path(args.csv)
        if folder.exists() and not folder.is_dir():
            print(f"hub report: --csv: {folder} is a file, not a folder", file=sys.stderr)
            return USAGE_ERROR
        service.export_report(hub, report, "csv", folder)
        print(f"De-identified export for {period.label} written to {folder} (see data_dictionary.csv).")
        return 0
    for line in format_report(report):
        print(line)
    print()
    print("People engaged and job starts by month")
    for line in trend_chart(report.trend):
        print(line)
    return 0
