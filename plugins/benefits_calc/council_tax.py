"""Council Tax Reduction from a scheme the site configures. A LOCAL estimate, not a national rule.

In England every council sets its own working-age scheme (Local Government Finance Act
2012); Scotland and Wales have national schemes. Real schemes differ (income bands,
minimum payments, capital limits, non-dependant deductions), so this module offers one
simple, documented shape a site can fill in to approximate its council's scheme:

    support = maximum_percent% x liability
              - taper_percent% x max(0, assessed income - applicable_amount_monthly)
    (never below 0; nil if capital is over capital_limit)
    assessed income = max(0, UC earned income - earnings_disregard_monthly)
                      + other (unearned) income
                      + Universal Credit, if count_universal_credit

The liability is the input's ``council_tax_monthly`` when given, else the scheme's
``default_monthly_liability`` (0 counts as not set); with neither there is no estimate
(and a warning says so).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .validation import InputError, boolean, money, number, require_object

SCHEME_PATH = "council_tax_scheme"
SCHEME_FIELDS = {
    "name": True,
    "maximum_percent": True,
    "applicable_amount_monthly": True,
    "taper_percent": True,
    "earnings_disregard_monthly": False,
    "count_universal_credit": False,
    "capital_limit": False,
    "default_monthly_liability": False,
    "source": False,
}


@dataclass(frozen=True)
class CouncilTaxScheme:
    name: str
    maximum_percent: float
    applicable_amount_monthly: float
    taper_percent: float
    earnings_disregard_monthly: float = 0.0
    count_universal_credit: bool = False
    capital_limit: float = 16000.0
    default_monthly_liability: float | None = None
    source: str = ""


def parse_scheme(raw: Any) -> CouncilTaxScheme:
    """Check a site's scheme dict; errors name ``council_tax_scheme.<field>``."""
    raw = require_object(raw, SCHEME_PATH, SCHEME_FIELDS)
    name = raw["name"]
    if not isinstance(name, str) or not name.strip():
        raise InputError(f"{SCHEME_PATH}.name", "must be the scheme's name as residents know it (text)")
    source = raw.get("source", "")
    if not isinstance(source, str):
        raise InputError(f"{SCHEME_PATH}.source", "must be text (where the scheme's figures come from)")
    liability = raw.get("default_monthly_liability")
    return CouncilTaxScheme(
        name=name.strip(),
        maximum_percent=number(raw["maximum_percent"], f"{SCHEME_PATH}.maximum_percent", "percent of the council tax", 0, 100),
        applicable_amount_monthly=money(raw["applicable_amount_monthly"], f"{SCHEME_PATH}.applicable_amount_monthly"),
        taper_percent=number(raw["taper_percent"], f"{SCHEME_PATH}.taper_percent", "percent of excess income", 0, 100),
        earnings_disregard_monthly=money(
            raw.get("earnings_disregard_monthly", 0.0), f"{SCHEME_PATH}.earnings_disregard_monthly"
        ),
        count_universal_credit=boolean(raw.get("count_universal_credit", False), f"{SCHEME_PATH}.count_universal_credit"),
        capital_limit=money(raw.get("capital_limit", 16000.0), f"{SCHEME_PATH}.capital_limit", "pounds"),
        default_monthly_liability=None
        if liability is None
        else money(liability, f"{SCHEME_PATH}.default_monthly_liability"),
        source=source,
    )


def council_tax_reduction(
    scheme: CouncilTaxScheme | None,
    liability_monthly: float | None,
    *,
    earned_income: float,
    unearned_income: float,
    universal_credit: float,
    capital: float,
) -> float:
    """Monthly reduction under the site's scheme; 0 when no scheme or no liability is known."""
    if scheme is None or liability_monthly is None or capital > scheme.capital_limit:
        return 0.0
    assessed = max(0.0, earned_income - scheme.earnings_disregard_monthly) + unearned_income
    if scheme.count_universal_credit:
        assessed += universal_credit
    excess = max(0.0, assessed - scheme.applicable_amount_monthly)
    support = liability_monthly * scheme.maximum_percent / 100 - excess * scheme.taper_percent / 100
    return max(0.0, support)


def liability_for(scheme: CouncilTaxScheme | None, input_liability: float | None) -> float | None:
    """The household's own bill if given; else the scheme's default, where a default of 0
    means "not set" (a site config may carry 0 rather than leave the key out)."""
    if input_liability is not None:
        return input_liability
    if scheme and scheme.default_monthly_liability:
        return scheme.default_monthly_liability
    return None
