"""``hub bonus ...``: check a resident, the due list, the monthly report, the rules in force.

Bad input exits 2 with one line naming the argument; never a traceback. Output holds ids, not
names: look a resident up in the kiosk.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

USAGE_ERROR = 2
ARGUMENT_NAMES = {"resident": "RESIDENT", "month": "--month", "on": "--on", "within": "--within", "csv": "--csv",
                  "scheme": "--scheme"}


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="bonus_command", metavar="ACTION", required=True)
    check = sub.add_parser("check", help="each scheme's rules for a resident: pass, fail or not yet, in words")
    check.add_argument("resident", metavar="RESIDENT", type=int, help="the resident's id")
    check.add_argument("--on", metavar="DATE", help="check as on this day (default: today), e.g. 2027-01-12")
    check.add_argument("--json", action="store_true", help="print JSON")

    due = sub.add_parser("due", help="who has become eligible, or will soon")
    due.add_argument("--within", metavar="DAYS", type=int, help="how far ahead (default: the site's due_soon_days)")
    due.add_argument("--on", metavar="DATE", help="as on this day (default: today)")
    due.add_argument("--json", action="store_true", help="print JSON")

    report = sub.add_parser("report", help="claims proposed, approved and paid in a month (site leads)")
    report.add_argument("--month", metavar="YYYY-MM", required=True, help="e.g. 2027-01")
    report.add_argument("--csv", metavar="FILE", help="also write one row per step to this CSV file")
    report.add_argument("--json", action="store_true", help="print JSON")

    rules = sub.add_parser("rules", help="each scheme's rules in words, with its rule versions")
    rules.add_argument("--json", action="store_true", help="print JSON")


def run(hub, args: argparse.Namespace) -> int:
    from plugins.bonus.service import BonusError

    handler = {"check": _check, "due": _due, "report": _report, "rules": _rules}[args.bonus_command]
    try:
        return handler(hub, args)
    except BonusError as exc:
        print(f"hub bonus {args.bonus_command}: {ARGUMENT_NAMES.get(exc.field, exc.field)}: {exc}", file=sys.stderr)
        return USAGE_ERROR


def _on(args) -> date | None:
    from hub.api import parse_date
    from plugins.bonus.service import BonusError

    if not getattr(args, "on", None):
        return None
    day = parse_date(args.on)
    if day is None:
        raise BonusError(f"{args.on!r} is not a date: write it as YYYY-MM-DD or DD/MM/YYYY.", "on")
    return day


def _check(hub, args) -> int:
    from plugins.bonus.service import check_resident, claims_for, recheck_resident

    hub.authenticate("residents.use")
    today = _on(args)
    checks = check_resident(hub, args.resident, today=today)
    if today is None:
        recheck_resident(hub, args.resident, why="re-checked from the command line")
    claims = claims_for(hub, args.resident)
    if args.json:
        out = {"resident_id": args.resident, "checks": [c.as_dict() for c in checks],
               "claims": [{k: v for k, v in c.items() if k not in ("facts", "checks", "facts_json", "checks_json")}
                          for c in claims]}
        print(json.dumps(out, indent=2, default=str))
        return 0
    print(f"Bonus checks for resident #{args.resident}" + (f", as on {today.isoformat()}" if today else ""))
    if not checks:
        print("This site runs no bonus schemes (see [plugins.bonus] in the site file).")
    for check in checks:
        print()
        for line in check.lines():
            print(line)
    for claim in claims:
        print(f"\nClaim #{claim['id']}: {claim['scheme_name']}, £{claim['amount']:,.2f}, {claim['status'].replace('_', ' ')}"
              f" (proposed by {claim['proposed_by']} on {claim['proposed_at'][:10]})")
    return 0


def _due(hub, args) -> int:
    from plugins.bonus.service import BonusError, due_list

    if args.within is not None and args.within < 0:
        raise BonusError("cannot be negative.", "within")
    hub.authenticate("residents.use")
    items = due_list(hub, today=_on(args), within_days=args.within)
    if args.json:
        print(json.dumps([item.as_dict() for item in items], indent=2))
        return 0
    if not items:
        print("Nobody is due a bonus now or soon.")
    for item in items:
        print(f"resident #{item.resident_id}: {item.words()}")
    return 0


def _report(hub, args) -> int:
    from plugins.bonus.report import monthly_report
    from plugins.bonus.service import BonusError

    hub.authenticate("reports.view")
    report = monthly_report(hub, args.month)
    if args.csv:
        try:
            written = report.write_csv(Path(args.csv))
        except OSError as exc:
            raise BonusError(f"cannot write {args.csv}: {exc.strerror}.", "csv") from None
    if args.json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        for line in report.lines():
            print(line)
    if args.csv:
        print(f"Wrote {len(report.rows)} row(s) to {written} (readable only by you).", file=sys.stderr if args.json else sys.stdout)
    return 0


def _rules(hub, args) -> int:
    from plugins.bonus import storage
    from plugins.bonus.service import record_rule_versions, rule_settings_lines, schemes_and_problems

    current = record_rule_versions(hub)
    schemes, problems = schemes_and_problems(hub)
    if args.json:
        print(json.dumps({
            "schemes": [{"id": s.id, "name": s.name, "rule_version": current.get(s.id),
                         "versions": [{k: v for k, v in row.items() if k != "rules_json"}
                                      for row in storage.rule_versions(hub.db, s.id)]} for s in schemes],
            "problems": problems,
        }, indent=2, default=str))
        return 0
    for scheme in schemes:
        number = storage.version_number(hub.db, current[scheme.id])
        for line in rule_settings_lines(scheme):
            print(line)
        print(f"  rule version {number} ({current[scheme.id]})\n")
    for problem in problems:
        print(f"skipped: {problem}", file=sys.stderr)
    return 0
