"""The monthly bonus report: claims proposed, approved and paid (and rejected, withdrawn, reversed)
in a month, per scheme, with each scheme's budget; as lines, JSON or CSV. Site leads only
(``reports.view``). Dates are those of each step; for payments, the day it was paid.
"""

from __future__ import annotations

import calendar
import csv
import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plugins.bonus import storage
from plugins.bonus.rules import money
from plugins.bonus.service import BonusError, Budget, budget_status, schemes

if TYPE_CHECKING:
    from hub.api import Hub

COUNTED = ("propose", "approve", "pay", "reject", "withdraw", "reverse")
HEADINGS = {"propose": "proposed", "approve": "approved", "pay": "paid", "reject": "rejected", "withdraw": "withdrawn",
            "reverse": "reversed"}
CSV_COLUMNS = ("date", "scheme", "scheme_name", "claim_id", "resident_id", "action", "from_status", "to_status",
               "amount", "by", "payment_reference", "rule_version")


def parse_month(text: str) -> tuple[date, date]:
    """"2027-01" -> (1 January 2027, 31 January 2027); BonusError naming --month otherwise."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", (text or "").strip())
    if not match or not 1 <= int(match[2]) <= 12:
        raise BonusError(f"{text!r} is not a month: write it as YYYY-MM, e.g. 2027-01.", "month")
    year, month = int(match[1]), int(match[2])
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


@dataclass
class SchemeMonth:
    scheme_id: str
    scheme_name: str
    counts: dict[str, int] = field(default_factory=lambda: {action: 0 for action in COUNTED})
    amounts: dict[str, float] = field(default_factory=lambda: {action: 0.0 for action in COUNTED})

    def line(self) -> str:
        parts = [f"{HEADINGS[a]} {self.counts[a]} ({money(self.amounts[a])})" for a in ("propose", "approve", "pay")]
        others = [f"{HEADINGS[a]} {self.counts[a]}" for a in ("reject", "withdraw", "reverse") if self.counts[a]]
        return f"{self.scheme_name}: " + ", ".join(parts + others)

    def as_dict(self) -> dict[str, Any]:
        return {"scheme": self.scheme_id, "name": self.scheme_name,
                **{HEADINGS[a]: {"count": self.counts[a], "amount": round(self.amounts[a], 2)} for a in COUNTED}}


@dataclass
class MonthlyReport:
    month: str
    first_day: date
    last_day: date
    schemes: list[SchemeMonth]
    rows: list[dict[str, Any]]
    budgets: list[Budget]

    def lines(self) -> list[str]:
        out = [f"Bonus claims, {self.first_day:%B %Y}"]
        if not self.rows:
            out.append("Nothing was proposed, approved or paid this month.")
        out += [scheme.line() for scheme in self.schemes]
        out += ["Budgets now:"] + [f"  {budget.line()}" for budget in self.budgets]
        return out

    def as_dict(self) -> dict[str, Any]:
        return {"month": self.month, "schemes": [s.as_dict() for s in self.schemes],
                "budgets": [b.as_dict() for b in self.budgets], "rows": [_csv_row(row) for row in self.rows]}

    def write_csv(self, path: Path) -> Path:
        """One row per step in the month; readable by its owner only (it holds resident ids)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
            writer.writeheader()
            for row in self.rows:
                writer.writerow(_csv_row(row))
        os.chmod(path, 0o600)
        return path


def _csv_row(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "date": row["on_date"], "scheme": row["scheme_id"], "scheme_name": row["scheme_name"], "claim_id": row["claim_id"],
        "resident_id": row["resident_id"], "action": HEADINGS[row["action"]], "from_status": row["from_status"] or "",
        "to_status": row["to_status"], "amount": f"{row['amount']:.2f}", "by": row["by_staff"],
        "payment_reference": (row["payment_reference"] or "") if row["action"] == "pay" else "",
        "rule_version": row["rule_version"],
    }


def monthly_report(hub: "Hub", month: str) -> MonthlyReport:
    """Claims proposed, approved and paid in ``month`` (YYYY-MM), per scheme. Needs reports.view."""
    hub.require("reports.view")
    first, last = parse_month(month)
    rows = [row for row in storage.events_between(hub.db, first.isoformat(), last.isoformat()) if row["action"] in COUNTED]
    by_scheme: dict[str, SchemeMonth] = {s.id: SchemeMonth(s.id, s.name) for s in schemes(hub)}
    for row in rows:
        entry = by_scheme.setdefault(row["scheme_id"], SchemeMonth(row["scheme_id"], row["scheme_name"]))
        entry.counts[row["action"]] += 1
        entry.amounts[row["action"]] += row["amount"]
    hub.log_event(None, f"bonus:report:{first:%Y-%m}")
    return MonthlyReport(f"{first:%Y-%m}", first, last, list(by_scheme.values()), rows,
                         [budget_status(hub, scheme) for scheme in schemes(hub)])
