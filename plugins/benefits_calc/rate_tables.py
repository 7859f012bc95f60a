"""Load a tax year's rates from ``rates/<year>.toml``.

Rates live in data files, each value beside its source, so that a new tax year is a
new file, not a code change. This module turns a file into typed, frozen dataclasses
and refuses a file with a missing, unknown or unsourced value: a silent default here
would be a wrong benefit figure at the kiosk.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.resources
import math
import re
import tomllib
from dataclasses import dataclass, fields

from .validation import InputError

RATES_PACKAGE = __name__.rpartition(".")[0] + ".rates"
TAX_YEAR_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


class RatesFileError(RuntimeError):
    """A rates file is malformed: a fault in the shipped data, not in the user's input."""


@dataclass(frozen=True)
class UniversalCreditRates:
    standard_allowance_single_under_25_monthly: float
    standard_allowance_single_25_plus_monthly: float
    standard_allowance_couple_both_under_25_monthly: float
    standard_allowance_couple_one_or_both_25_plus_monthly: float
    child_element_first_child_born_before_2017_04_06_monthly: float
    child_element_monthly: float
    child_element_born_before_cutoff: dt.date
    child_element_limit: float
    disabled_child_addition_lower_monthly: float
    disabled_child_addition_higher_monthly: float
    lcwra_element_new_claim_monthly: float
    lcwra_element_protected_monthly: float
    carer_element_monthly: float
    childcare_costs_rate: float
    childcare_cap_one_child_monthly: float
    childcare_cap_two_or_more_children_monthly: float
    childcare_child_age_limit: int
    work_allowance_with_housing_monthly: float
    work_allowance_without_housing_monthly: float
    taper_rate: float
    non_dependant_deduction_monthly: float
    bedroom_reduction_one_spare: float
    bedroom_reduction_two_or_more_spare: float
    capital_lower_limit: float
    capital_upper_limit: float
    tariff_income_per_step_monthly: float
    tariff_income_step: float


@dataclass(frozen=True)
class BenefitCapRates:
    single_outside_london_annual: float
    family_outside_london_annual: float
    single_london_annual: float
    family_london_annual: float
    earnings_exception_monthly: float


@dataclass(frozen=True)
class IncomeTaxRates:
    personal_allowance_annual: float
    personal_allowance_taper_threshold_annual: float
    personal_allowance_taper_rate: float
    uk_band_limits_annual: tuple[float, ...]
    uk_band_rates: tuple[float, ...]
    scottish_band_limits_annual: tuple[float, ...]
    scottish_band_rates: tuple[float, ...]


@dataclass(frozen=True)
class NationalInsuranceRates:
    primary_threshold_annual: float
    upper_earnings_limit_annual: float
    main_rate: float
    additional_rate: float


@dataclass(frozen=True)
class ChildBenefitRates:
    eldest_child_weekly: float
    each_other_child_weekly: float
    high_income_charge_threshold_annual: float
    high_income_charge_step_annual: float


@dataclass(frozen=True)
class MinimumWageRates:
    age_21_plus_hourly: float
    age_18_to_20_hourly: float
    age_under_18_hourly: float


@dataclass(frozen=True)
class StatePensionRates:
    pension_age: int


@dataclass(frozen=True)
class CarersAllowanceRates:
    earnings_limit_weekly: float


# --- issue 13, calc-rules: incomes by kind, passported help, plausibility checks ---------------
@dataclass(frozen=True)
class IncomeRulesRates:
    jsa_remunerative_work_hours: float
    jsa_earnings_disregard_weekly: float
    esa_permitted_work_hours: float
    esa_permitted_work_limit_weekly: float


@dataclass(frozen=True)
class PassportedHelpRates:
    free_school_meals_net_earnings_limit_annual: float
    free_school_meals_any_uc_from: dt.date
    healthy_start_take_home_limit_monthly: float
    nhs_costs_take_home_limit_monthly: float
    nhs_costs_take_home_limit_with_child_or_lcw_monthly: float
    scottish_child_payment_weekly: float
    warm_home_discount_annual: float
    funded_hours_two_year_olds_take_home_limit_annual: float
    working_parents_hours_minimum_weekly_hours: float
    working_parents_income_limit_annual: float


@dataclass(frozen=True)
class PlausibilityRates:
    rent_monthly_warning_above: float
    hourly_wage_warning_above: float


# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PayPeriodRates:
    """Issue 13: pay periods for PAYE/NI per period, UC payment timing and the cap's grace period."""

    weekly_periods_per_year: int
    fortnightly_periods_per_year: int
    four_weekly_periods_per_year: int
    monthly_periods_per_year: int
    universal_credit_paid_days_after_period: int
    assessment_period_months: int
    benefit_cap_grace_period_months: int
    benefit_cap_grace_qualifying_months: int

    def periods_per_year(self, frequency: str) -> int:
        return getattr(self, f"{frequency}_periods_per_year")


@dataclass(frozen=True)
class WorkplacePensionRates:
    """Issue 13: automatic enrolment thresholds per pay reference period and the minimum rates."""

    auto_enrolment_minimum_age: int
    earnings_trigger_annual: float
    earnings_trigger_weekly: float
    earnings_trigger_fortnightly: float
    earnings_trigger_four_weekly: float
    earnings_trigger_monthly: float
    qualifying_earnings_lower_weekly: float
    qualifying_earnings_lower_fortnightly: float
    qualifying_earnings_lower_four_weekly: float
    qualifying_earnings_lower_monthly: float
    qualifying_earnings_upper_weekly: float
    qualifying_earnings_upper_fortnightly: float
    qualifying_earnings_upper_four_weekly: float
    qualifying_earnings_upper_monthly: float
    employee_minimum_rate: float
    employer_minimum_rate: float

    def per_period(self, frequency: str) -> tuple[float, float, float]:
        """(trigger, lower limit, upper limit) for one pay reference period of ``frequency``."""
        return (
            getattr(self, f"earnings_trigger_{frequency}"),
            getattr(self, f"qualifying_earnings_lower_{frequency}"),
            getattr(self, f"qualifying_earnings_upper_{frequency}"),
        )


@dataclass(frozen=True)
class Rates:
    """All rates for one tax year. ``sources`` maps ``"section.key"`` to its source text."""

    tax_year: str
    starts: dt.date
    ends: dt.date
    universal_credit: UniversalCreditRates
    benefit_cap: BenefitCapRates
    income_tax: IncomeTaxRates
    national_insurance: NationalInsuranceRates
    child_benefit: ChildBenefitRates
    minimum_wage: MinimumWageRates
    state_pension: StatePensionRates
    carers_allowance: CarersAllowanceRates
    pay_periods: PayPeriodRates
    workplace_pension: WorkplacePensionRates
    # issue 13, calc-rules
    income_rules: IncomeRulesRates
    passported_help: PassportedHelpRates
    plausibility: PlausibilityRates
    sources: dict[str, str]


SECTIONS = {
    "universal_credit": UniversalCreditRates,
    "benefit_cap": BenefitCapRates,
    "income_tax": IncomeTaxRates,
    "national_insurance": NationalInsuranceRates,
    "child_benefit": ChildBenefitRates,
    "minimum_wage": MinimumWageRates,
    "state_pension": StatePensionRates,
    "carers_allowance": CarersAllowanceRates,
    "pay_periods": PayPeriodRates,
    "workplace_pension": WorkplacePensionRates,
    # issue 13, calc-rules
    "income_rules": IncomeRulesRates,
    "passported_help": PassportedHelpRates,
    "plausibility": PlausibilityRates,
}


def tax_year_for_date(day: dt.date) -> str:
    """UK tax years run 6 April to 5 April: 2026-04-06 is in "2026-27"."""
    first_year = day.year if (day.month, day.day) >= (4, 6) else day.year - 1
    return f"{first_year}-{(first_year + 1) % 100:02d}"


@functools.lru_cache(maxsize=1)
def available_tax_years() -> tuple[str, ...]:
    """Tax years that have a rates file, oldest first (cached: shipped files do not change)."""
    folder = importlib.resources.files(RATES_PACKAGE)
    names = (entry.name for entry in folder.iterdir() if entry.name.endswith(".toml"))
    return tuple(sorted(name.removesuffix(".toml") for name in names if TAX_YEAR_PATTERN.match(name.removesuffix(".toml"))))


def rates_for(tax_year: str | None, today: dt.date | None = None) -> Rates:
    """Rates for ``tax_year`` ("2026-27"), or for the year containing ``today`` when None.

    An unknown year is an ``InputError`` on ``tax_year`` naming the years we have, because
    guessing another year's rates would give a confidently wrong answer.
    """
    if tax_year is None:
        today = today or dt.date.today()
        tax_year = tax_year_for_date(today)
        if tax_year not in available_tax_years():
            raise InputError(
                "tax_year",
                f"today ({today.isoformat()}) is in tax year {tax_year}, which has no rates file; "
                f"give tax_year as one of: {', '.join(available_tax_years())}",
            )
    if tax_year not in available_tax_years():
        raise InputError(
            "tax_year", f"no rates for {tax_year!r}; rates exist for: {', '.join(available_tax_years())}"
        )
    return load_rates(tax_year)


@functools.lru_cache(maxsize=None)
def load_rates(tax_year: str) -> Rates:
    """Parse and check one rates file (cached: the files do not change while running)."""
    resource = importlib.resources.files(RATES_PACKAGE).joinpath(f"{tax_year}.toml")
    try:
        document = tomllib.loads(resource.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise RatesFileError(f"rates file {tax_year}.toml cannot be read: {error}") from error
    return parse_rates(document, f"{tax_year}.toml")


def parse_rates(document: dict, file_name: str) -> Rates:
    """Build ``Rates`` from a parsed TOML document; every key must be present, known and sourced."""
    header = document.get("tax_year", {})
    for key in ("name", "starts", "ends"):
        if key not in header:
            raise RatesFileError(f"{file_name}: [tax_year] needs {key!r}")
    if f"{header['name']}.toml" != file_name:
        raise RatesFileError(f"{file_name}: [tax_year] name {header['name']!r} does not match the file name")
    unknown_sections = set(document) - set(SECTIONS) - {"tax_year"}
    if unknown_sections:
        raise RatesFileError(f"{file_name}: unknown sections {sorted(unknown_sections)}")
    sources: dict[str, str] = {}
    sections = {}
    for section_name, section_class in SECTIONS.items():
        table = document.get(section_name)
        if not isinstance(table, dict):
            raise RatesFileError(f"{file_name}: missing section [{section_name}]")
        expected = {field.name for field in fields(section_class)}
        missing, unknown = expected - set(table), set(table) - expected
        if missing or unknown:
            raise RatesFileError(
                f"{file_name}: [{section_name}] missing {sorted(missing)}, unknown {sorted(unknown)}"
            )
        values = {}
        for key in expected:
            entry = table[key]
            where = f"{section_name}.{key}"
            if not isinstance(entry, dict) or "value" not in entry or not str(entry.get("source", "")).strip():
                raise RatesFileError(f"{file_name}: {where} must be {{ value = ..., source = \"...\" }}")
            if set(entry) - {"value", "source"}:
                raise RatesFileError(f"{file_name}: {where} has unknown keys {sorted(set(entry) - {'value', 'source'})}")
            values[key] = checked_value(entry["value"], where, file_name)
            sources[where] = entry["source"]
        sections[section_name] = section_class(**values)
    rates = Rates(
        tax_year=header["name"], starts=header["starts"], ends=header["ends"], sources=sources, **sections
    )
    check_consistency(rates, file_name)
    return rates


def checked_value(value, where: str, file_name: str):
    """Numbers must be finite and not negative (``inf`` only for a limit); lists become tuples."""
    if isinstance(value, list):
        return tuple(checked_value(item, where, file_name) for item in value)
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RatesFileError(f"{file_name}: {where} value must be a number, a date or a list of numbers")
    if math.isnan(value) or value < 0 or (math.isinf(value) and not where.endswith("_limit")):
        raise RatesFileError(f"{file_name}: {where} value {value!r} is not allowed")
    return value


def check_consistency(rates: Rates, file_name: str) -> None:
    """Catch slips a typo would cause (band lists out of step, limits in the wrong order)."""
    for name in ("uk", "scottish"):
        limits = getattr(rates.income_tax, f"{name}_band_limits_annual")
        band_rates = getattr(rates.income_tax, f"{name}_band_rates")
        if len(band_rates) != len(limits) + 1 or list(limits) != sorted(limits):
            raise RatesFileError(f"{file_name}: income_tax {name} bands need ascending limits and one more rate")
    uc = rates.universal_credit
    if not uc.capital_lower_limit < uc.capital_upper_limit:
        raise RatesFileError(f"{file_name}: capital_lower_limit must be below capital_upper_limit")
    if rates.starts >= rates.ends:
        raise RatesFileError(f"{file_name}: tax year starts after it ends")
