"""`hub calc INPUT [--sweep]`: a household as JSON in, the calculation as JSON out.

Bad input exits with code 2 and one line naming the field and what is allowed; never a traceback.
"""

from __future__ import annotations

import json
import sys

from plugins.benefits_calc import scheme_dict, settings
from plugins.benefits_calc.engine import InputError, calculate

USAGE_ERROR = 2


def read_input(source: str) -> object:
    """Parse INPUT (a path, or - for standard input) as JSON; raise InputError when it is not."""
    try:
        text = sys.stdin.read() if source == "-" else open(source, encoding="utf-8").read()
    except OSError as exc:
        raise InputError("INPUT", f"cannot read {source}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise InputError("INPUT", f"{source} is not UTF-8 text") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError("INPUT", f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None


def run_calc(hub, args) -> int:
    site = settings(hub)
    try:
        data = read_input(args.input)
        if not isinstance(data, dict):
            raise InputError("INPUT", "must be a JSON object describing the household (see docs/benefits-calc.md)")
        result = calculate(data, sweep=args.sweep, council_tax_scheme=scheme_dict(site), scottish_taxpayer=site.scottish_taxpayer)
    except InputError as exc:
        print(f"hub calc: {exc}", file=sys.stderr)
        return USAGE_ERROR
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0
