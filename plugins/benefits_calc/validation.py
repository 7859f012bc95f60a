"""Check a ``hub calc`` input and turn it into a ``Household``.

Every problem is an ``InputError`` naming the field (``adults[0].health``) and what is
allowed, so staff at the kiosk and the CLI (exit 2) can say exactly what to fix.
Strict on purpose: an unknown key is usually a typo that would otherwise be ignored
and give a wrong answer.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from .household import (
    CHILD_DISABILITY_VALUES,
    HEALTH_VALUES,
    PAY_FREQUENCIES,
    PENSION_CHOICES,
    TENURE_VALUES,
    Adult,
    Child,
    Household,
    Housing,
    Job,
)

TAX_YEAR_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
MAX_ADULTS = 2
MAX_CHILDREN = 20
MAX_HOURS_PER_WEEK = 168


class InputError(ValueError):
    """An input field is wrong; ``field`` is its path, ``message`` says what is allowed."""

    def __init__(self, field: str, message: str):
        super().__init__(field, message)
        self.field = field
        self.message = message

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


MISSING = object()


def describe(value: Any) -> str:
    """Show the offending value briefly (long strings would flood a kiosk screen)."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def require_object(value: Any, path: str, allowed: dict[str, bool]) -> dict:
    """A JSON object whose keys are all in ``allowed`` (key -> required?)."""
    if not isinstance(value, dict):
        raise InputError(path or "input", f"must be an object {{...}}, got {describe(value)}")
    prefix = f"{path}." if path else ""
    for key in value:
        if key not in allowed:
            raise InputError(
                f"{prefix}{key}", f"unknown field; allowed fields here are: {', '.join(allowed)}"
            )
    for key, required in allowed.items():
        if required and key not in value:
            raise InputError(f"{prefix}{key}", "missing; this field is required")
    return value


def number(value: Any, path: str, what: str, minimum: float = 0.0, maximum: float = math.inf) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InputError(path, f"must be a number ({what}), got {describe(value)}")
    if value < minimum or value > maximum:
        limits = f"at least {minimum:g}" if maximum == math.inf else f"from {minimum:g} to {maximum:g}"
        raise InputError(path, f"must be {limits} ({what}), got {describe(value)}")
    return float(value)


def money(value: Any, path: str, what: str = "pounds per month") -> float:
    return number(value, path, f"{what}, 0 or more")


def whole_number(value: Any, path: str, what: str, minimum: int, maximum: int) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(path, f"must be a whole number ({what}), got {describe(value)}")
    if not minimum <= value <= maximum:
        raise InputError(path, f"must be from {minimum} to {maximum} ({what}), got {value}")
    return value


def boolean(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise InputError(path, f"must be true or false, got {describe(value)}")
    return value


def choice(value: Any, path: str, allowed: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in allowed:
        options = ", ".join(f'"{option}"' for option in allowed)
        raise InputError(path, f"must be one of {options}; got {describe(value)}")
    return value


def listed(value: Any, path: str, minimum: int, maximum: int, what: str) -> list:
    if not isinstance(value, list):
        raise InputError(path, f"must be a list [...] of {what}, got {describe(value)}")
    if not minimum <= len(value) <= maximum:
        raise InputError(path, f"must list {minimum} to {maximum} {what}, got {len(value)}")
    return value


def tax_year_name(value: Any, path: str) -> str:
    match = TAX_YEAR_PATTERN.match(value) if isinstance(value, str) else None
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise InputError(path, f'must be a tax year like "2026-27", got {describe(value)}')
    return value


ADULT_FIELDS = {
    "age": True,
    "monthly_earnings": True,
    # Optional since issue 13: left out, the job's pension defaults to auto-enrolment (job.pension).
    "pension_contribution_percent": False,
    "health": True,
    "carer": True,
    "disability_benefit": True,
}
CHILD_FIELDS = {"age": True, "born_before_2017_04_06": True, "disability": True}
HOUSING_FIELDS = {
    "tenure": True,
    "monthly_rent": True,
    "monthly_service_charges": True,
    "lha_monthly_cap": True,
    "spare_bedrooms": True,
    "non_dependants": True,
}
JOB_FIELDS = {
    "adult": True,
    "hours_per_week": True,
    "hourly_wage": True,
    "monthly_travel_costs": True,
    # The first year in work, month by month (issue 13): all optional.
    "pay_frequency": False,
    "start_date": False,
    "first_pay_date": False,
    "assessment_period_day": False,
    "pension": False,
    "earned_above_cap_threshold_last_12_months": False,
}
TOP_FIELDS = {
    "tax_year": False,
    "london": True,
    "adults": True,
    "children": True,
    "housing": True,
    "monthly_childcare_costs": True,
    "capital": True,
    "monthly_unearned_income": True,
    "job": False,
    # Optional extras: leaving them out gives the same result as before they existed.
    "scottish_taxpayer": False,
    "council_tax_monthly": False,
}


def parse_adult(value: Any, path: str) -> Adult:
    raw = require_object(value, path, ADULT_FIELDS)
    pension_stated = raw.get("pension_contribution_percent") is not None
    return Adult(
        age=whole_number(raw["age"], f"{path}.age", "years", 16, 120),
        monthly_earnings=money(raw["monthly_earnings"], f"{path}.monthly_earnings", "gross pounds per month"),
        pension_contribution_percent=number(
            raw["pension_contribution_percent"], f"{path}.pension_contribution_percent", "percent of pay", 0, 100
        )
        if pension_stated
        else 0.0,
        pension_stated=pension_stated,
        health=choice(raw["health"], f"{path}.health", HEALTH_VALUES),
        carer=boolean(raw["carer"], f"{path}.carer"),
        disability_benefit=boolean(raw["disability_benefit"], f"{path}.disability_benefit"),
    )


def parse_child(value: Any, path: str) -> Child:
    raw = require_object(value, path, CHILD_FIELDS)
    return Child(
        age=whole_number(raw["age"], f"{path}.age", "years", 0, 19),
        born_before_2017_04_06=boolean(raw["born_before_2017_04_06"], f"{path}.born_before_2017_04_06"),
        disability=choice(raw["disability"], f"{path}.disability", CHILD_DISABILITY_VALUES),
    )


def parse_housing(value: Any, path: str) -> Housing:
    raw = require_object(value, path, HOUSING_FIELDS)
    tenure = choice(raw["tenure"], f"{path}.tenure", TENURE_VALUES)
    lha_cap = raw["lha_monthly_cap"]
    if lha_cap is not None:
        lha_cap = money(lha_cap, f"{path}.lha_monthly_cap", "pounds per month, or null")
    elif tenure == "private_rent":
        raise InputError(
            f"{path}.lha_monthly_cap",
            "is required when tenure is \"private_rent\": the monthly Local Housing Allowance rate "
            "for the household's bedroom entitlement (a number, 0 or more)",
        )
    return Housing(
        tenure=tenure,
        monthly_rent=money(raw["monthly_rent"], f"{path}.monthly_rent"),
        monthly_service_charges=money(raw["monthly_service_charges"], f"{path}.monthly_service_charges"),
        lha_monthly_cap=lha_cap,
        spare_bedrooms=whole_number(raw["spare_bedrooms"], f"{path}.spare_bedrooms", "bedrooms", 0, 20),
        non_dependants=whole_number(raw["non_dependants"], f"{path}.non_dependants", "people", 0, 20),
    )


def parse_job(value: Any, path: str, adult_count: int) -> Job:
    raw = require_object(value, path, JOB_FIELDS)
    adult_index = raw["adult"]
    if isinstance(adult_index, bool) or not isinstance(adult_index, int) or not 0 <= adult_index < adult_count:
        allowed = "0" if adult_count == 1 else "0 or 1"
        raise InputError(
            f"{path}.adult", f"must be {allowed} (the position of the adult in adults), got {describe(adult_index)}"
        )
    return Job(
        adult=adult_index,
        hours_per_week=number(raw["hours_per_week"], f"{path}.hours_per_week", "hours", 0, MAX_HOURS_PER_WEEK),
        hourly_wage=money(raw["hourly_wage"], f"{path}.hourly_wage", "pounds per hour"),
        monthly_travel_costs=money(raw["monthly_travel_costs"], f"{path}.monthly_travel_costs"),
        **parse_job_timing(raw, path),
    )


# -- the job's pay dates and pension (issue 13, the month-by-month first year; see months.py) --------


def iso_date(value: Any, path: str) -> dt.date:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise InputError(path, f'must be a date written "YYYY-MM-DD", got {describe(value)}')


def parse_job_timing(raw: dict, path: str) -> dict:
    """The optional job fields of the first-year model, as ``Job`` keyword arguments."""
    timing: dict[str, Any] = {}
    if raw.get("pay_frequency") is not None:
        timing["pay_frequency"] = choice(raw["pay_frequency"], f"{path}.pay_frequency", PAY_FREQUENCIES)
    for key in ("start_date", "first_pay_date"):
        if raw.get(key) is not None:
            timing[key] = iso_date(raw[key], f"{path}.{key}")
    if timing.get("start_date") and timing.get("first_pay_date") and timing["first_pay_date"] < timing["start_date"]:
        raise InputError(f"{path}.first_pay_date", "must be on or after the job's start_date (wages are paid in arrears)")
    if raw.get("assessment_period_day") is not None:
        timing["assessment_period_day"] = whole_number(
            raw["assessment_period_day"], f"{path}.assessment_period_day", "day of the month the UC assessment period starts", 1, 31
        )
    pension = raw.get("pension")
    if isinstance(pension, dict):
        where = f"{path}.pension"
        require_object(pension, where, {"percent_of_pay": True})
        timing["pension"] = "percent_of_pay"
        timing["pension_percent"] = number(pension["percent_of_pay"], f"{where}.percent_of_pay", "percent of pay", 0, 100)
    elif pension is not None:
        if pension not in PENSION_CHOICES:
            raise InputError(
                f"{path}.pension", f'must be "auto_enrolment", "none" or {{"percent_of_pay": x}}; got {describe(pension)}'
            )
        timing["pension"] = pension
    if raw.get("earned_above_cap_threshold_last_12_months") is not None:
        timing["earned_above_cap_threshold_last_12_months"] = boolean(
            raw["earned_above_cap_threshold_last_12_months"], f"{path}.earned_above_cap_threshold_last_12_months"
        )
    return timing


def parse_household(data: Any) -> Household:
    """Validate the whole input; the first problem found is raised."""
    raw = require_object(data, "", TOP_FIELDS)
    tax_year = raw.get("tax_year")
    if tax_year is not None:
        tax_year = tax_year_name(tax_year, "tax_year")
    adults = tuple(
        parse_adult(adult, f"adults[{index}]")
        for index, adult in enumerate(listed(raw["adults"], "adults", 1, MAX_ADULTS, "adults (one, or two for a couple)"))
    )
    children = tuple(
        parse_child(child, f"children[{index}]")
        for index, child in enumerate(listed(raw["children"], "children", 0, MAX_CHILDREN, "children"))
    )
    job = raw.get("job")
    scottish = raw.get("scottish_taxpayer")
    council_tax = raw.get("council_tax_monthly")
    return Household(
        london=boolean(raw["london"], "london"),
        adults=adults,
        children=children,
        housing=parse_housing(raw["housing"], "housing"),
        monthly_childcare_costs=money(raw["monthly_childcare_costs"], "monthly_childcare_costs"),
        capital=money(raw["capital"], "capital", "pounds of savings and capital"),
        monthly_unearned_income=money(raw["monthly_unearned_income"], "monthly_unearned_income"),
        job=None if job is None else parse_job(job, "job", len(adults)),
        tax_year=tax_year,
        scottish_taxpayer=None if scottish is None else boolean(scottish, "scottish_taxpayer"),
        council_tax_monthly=None if council_tax is None else money(council_tax, "council_tax_monthly"),
    )


def check_children_against_tax_year(household: Household, tax_year_start_year: int, cutoff_year: int) -> None:
    """A child born before 6 April 2017 is at least N in the tax year, and one born after at most N.

    With the cutoff on 6 April and tax years starting 6 April, N = start year - 2017 (9 in 2026-27).
    Catches the flag and the age disagreeing, which would change the child element.
    """
    boundary_age = tax_year_start_year - cutoff_year
    for index, child in enumerate(household.children):
        path = f"children[{index}].born_before_2017_04_06"
        if child.born_before_2017_04_06 and child.age < boundary_age:
            raise InputError(
                path,
                f"a child aged {child.age} cannot have been born before 6 April 2017 "
                f"(such a child is at least {boundary_age} this tax year); set false or check the age",
            )
        if not child.born_before_2017_04_06 and child.age > boundary_age:
            raise InputError(
                path,
                f"a child aged {child.age} was born before 6 April 2017 "
                f"(a child born later is at most {boundary_age} this tax year); set true or check the age",
            )
