"""``hub directory ...``: sync, search, status, follow-ups, listing problems and forgetting a source.

Bad input (an unknown need, source or date) exits with code 2 and one line naming it;
a sync that could not finish exits with 1 after saying what was kept. Only the
argparse setup runs when the ``hub`` command starts; the rest is imported by ``run``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hub.api import Hub

USAGE_ERROR = 2
FAILED = 1


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="directory_command", metavar="ACTION", required=True)

    sync = sub.add_parser("sync", help="fetch the latest listings from every source, or one")
    sync.add_argument("source", nargs="?", metavar="SOURCE", help="a source name from `hub directory status`")
    sync.add_argument("--full", action="store_true", help="fetch everything, not only changes since the last sync")
    sync.add_argument("--json", action="store_true", help="print JSON")

    search = sub.add_parser("search", help="find services by words, need, postcode and opening hours")
    search.add_argument("text", nargs="?", default="", metavar="TEXT", help="words to look for (quote several)")
    search.add_argument("--near", metavar="POSTCODE", help='measure distances from here, e.g. "M40 7AB" or M40')
    search.add_argument("--need", action="append", default=[], metavar="NEED", help="a need such as debt or food (repeatable)")
    when = search.add_mutually_exclusive_group()
    when.add_argument("--open-now", action="store_true", help="leave out services that are closed now")
    when.add_argument("--day", metavar="DATE", help="say whether services open on this day (2026-12-01, 1/12/2026, today, tomorrow)")
    search.add_argument("--limit", type=int, default=10, metavar="N", help="local services to list (default 10)")
    search.add_argument("--json", action="store_true", help="print JSON")

    status = sub.add_parser("status", help="each source's last good sync, listings and problems")
    status.add_argument("--json", action="store_true", help="print JSON")

    followups = sub.add_parser("followups", help="referrals whose follow-up date has come")
    followups.add_argument("--date", metavar="DATE", help="as if today were DATE")
    followups.add_argument("--json", action="store_true", help="print JSON")

    problems = sub.add_parser("problems", help='listings staff reported with "report a problem"')
    problems.add_argument("--json", action="store_true", help="print JSON")

    forget = sub.add_parser("forget", help="remove every listing of a source taken out of the site file")
    forget.add_argument("source", metavar="SOURCE")


def run(hub: "Hub", args: argparse.Namespace) -> int:
    handlers = {
        "sync": _sync,
        "search": _search,
        "status": _status,
        "followups": _followups,
        "problems": _problems,
        "forget": _forget,
    }
    return handlers[args.directory_command](hub, args)


def _fail(message: str, code: int = USAGE_ERROR) -> int:
    print(f"hub directory: {message}", file=sys.stderr)
    return code


def _print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def parse_day(text: str, today: dt.date | None = None) -> dt.date | None:
    """"today", "tomorrow", 2026-12-01 or 1/12/2026; None if unreadable."""
    from hub.api import parse_date

    today = today or dt.date.today()
    word = text.strip().lower()
    if word == "today":
        return today
    if word == "tomorrow":
        return today + dt.timedelta(days=1)
    return parse_date(text)


# --------------------------------------------------------------------------


def _sync(hub: "Hub", args: argparse.Namespace) -> int:
    from plugins.signposting import directory

    try:
        reports = directory.sync(hub, args.source, full=args.full)
    except directory.UnknownSource as exc:
        return _fail(str(exc))
    if args.json:
        _print_json([report.to_dict() for report in reports])
    elif not reports:
        print("No sources to sync: add feeds or local_services to [plugins.signposting] (docs/signposting.md).")
    else:
        quality = directory.data_quality(hub) if any(report.warning_count for report in reports) else {}
        for report in reports:
            print(report.summary())
            for note in report.notes:
                print(f"  note: {note}")
            summary = quality.get(report.source)
            if report.warning_count and summary is not None and summary.groups:
                kinds = "; ".join(group.describe(summary.listings) for group in summary.groups[:5])
                more = f" (+{len(summary.groups) - 5} more kinds)" if len(summary.groups) > 5 else ""
                print(f"  data quality: {kinds}{more}; examples: hub directory status")
    return 0 if all(report.complete for report in reports) else FAILED


def _search(hub: "Hub", args: argparse.Namespace) -> int:
    from plugins.signposting import directory
    from plugins.signposting.search import SearchError, origin_phrase

    day = None
    if args.day:
        day = parse_day(args.day)
        if day is None:
            return _fail(f"--day: {args.day!r} is not a date; write 2026-12-01, 1/12/2026, today or tomorrow")
    if args.limit < 1:
        return _fail("--limit must be 1 or more")
    open_at = dt.datetime.now(dt.timezone.utc) if args.open_now else None
    try:
        results = directory.search(
            hub, args.text, near=args.near, needs=args.need, open_at=open_at, day=day, open_only=args.open_now,
            limit=args.limit,
        )
    except SearchError as exc:
        return _fail(f"--need: {exc}")
    if args.json:
        _print_json(results.to_dict())
        return 0
    for note in results.notes:
        print(f"Note: {note}")
    where = f" near {origin_phrase(results.origin)}" if results.origin else ""
    print(f"Local services{where}: {len(results.local) or 'none found'}")
    for number, result in enumerate(results.local, start=1):
        _print_result(number, result)
    print(f"Phone, online and national services: {len(results.remote) or 'none found'}")
    for number, result in enumerate(results.remote, start=1):
        _print_result(number, result)
    return 0


def _print_result(number: int, result) -> None:
    organisation = f" - {result.organisation}" if result.organisation else ""
    print(f"{number:>3}. {result.name}{organisation}")
    facts = [result.distance_text]
    if result.opening is not None:
        facts.append(f"{result.opening.label}: {result.opening.reason}")
    facts.append(result.freshness)
    print("     " + " | ".join(facts))
    contact = [part for part in (result.address, ", ".join(result.phones), result.url) if part]
    if contact:
        print("     " + " | ".join(contact))
    if result.reasons:
        print("     Why: " + "; ".join(result.reasons))
    parts = " + ".join(f"{name} {value:g}" for name, value in result.score_parts.items() if value)
    print(f"     Score {result.score:g}" + (f" = {parts}" if parts else ""))


def _status(hub: "Hub", args: argparse.Namespace) -> int:
    from plugins.signposting import directory

    statuses = directory.sync_status(hub)
    _sources, problems = directory.sources(hub)
    quality = directory.data_quality(hub)
    if args.json:
        sources_json = []
        for status in statuses:
            entry = status.to_dict()
            summary = quality.get(status.name)
            entry["data_quality"] = summary.to_dict() if summary else None
            sources_json.append(entry)
        _print_json({"sources": sources_json, "problems": problems})
        return 0
    if not statuses:
        print("No sources yet: add feeds or local_services to [plugins.signposting] (docs/signposting.md).")
    for status in statuses:
        print(f"{status.name} ({status.label}): {status.describe()}")
        if status.location:
            print(f"  from {status.location}")
        run = status.last_run
        if run and run.get("skipped"):
            reasons = ", ".join(f"{n} {reason}" for reason, n in run["skipped_reasons"].items())
            print(f"  skipped in the latest sync: {run['skipped']} ({reasons})")
        summary = quality.get(status.name)
        if summary is not None and summary.groups:
            for line in summary.lines():
                print(f"  {line}")
    for problem in problems:
        print(f"Problem: {problem}")
    return 0


def _followups(hub: "Hub", args: argparse.Namespace) -> int:
    from plugins.signposting.referrals import followups_due

    today = dt.date.today()
    if args.date:
        today = parse_day(args.date)
        if today is None:
            return _fail(f"--date: {args.date!r} is not a date; write 2026-12-01 or 1/12/2026")
    hub.authenticate("residents.use")  # referrals name residents
    due = followups_due(hub.db, today)
    if args.json:
        _print_json(due)
        return 0
    if not due:
        print(f"No follow-ups due on {today.isoformat()}.")
    for item in due:
        late = f"{item['days_overdue']} days overdue" if item["days_overdue"] else "due today"
        print(
            f"#{item['id']} {item['resident']}: {item['kind_label']} to {item['service_name']} - "
            f"{item['status_label']}, follow-up {item['follow_up_on']} ({late})"
        )
    return 0


def _problems(hub: "Hub", args: argparse.Namespace) -> int:
    from plugins.signposting.referrals import listing_problems

    problems = listing_problems(hub.db)
    if args.json:
        _print_json(problems)
        return 0
    if not problems:
        print("No open problem reports.")
    for problem in problems:
        print(f"#{problem['id']} {problem['service_name']} ({problem['service_key']}), {problem['reported_at']}: {problem['problem']}")
    return 0


def _forget(hub: "Hub", args: argparse.Namespace) -> int:
    from plugins.signposting import store

    hub.authenticate("config.manage")
    removed = store.forget_source(hub.db, args.source)
    if not removed:
        return _fail(f"no listings from a source called {args.source!r} (see hub directory status)")
    print(f"Removed {removed} listings from {args.source}. Referrals keep their own copy of the details.")
    return 0
