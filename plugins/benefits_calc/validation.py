"""Check a ``hub calc`` input and turn it into a ``Household``.

Every problem is an ``InputError`` naming the field (``adults[0].health``) and what is
allowed, so staff at the kiosk and the CLI (exit 2) can say exactly what to fix.
Strict on purpose: an unknown key is usually a typo that would otherwise be ignored
and give a wrong answer.
"""

from __future__ import annotations

import datetime as dt
import dataclasses
import math
import re
from typing import Any

from .household import (
    CHILD_DISABILITY_VALUES,
    CHILD_SEX_VALUES,
    HEALTH_VALUES,
    PAY_FREQUENCIES,
    PENSION_CHOICES,
    NON_DEPENDANT_EXEMPTIONS,
    TENURE_VALUES,
    Adult,
    Child,
    Household,
    Housing,
    Income,
    Job,
    NonDependant,
)
from .incomes import INCOME_KINDS

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
    "self_employed": False,
}
CHILD_FIELDS = {
    "age": True,
    "born_before_2017_04_06": True,
    "disability": True,
    "monthly_childcare_costs": False,
    "sex": False,
}
HOUSING_FIELDS = {
    "tenure": True,
    "monthly_rent": False,  # required unless weekly_rent is given
    "monthly_service_charges": False,  # required unless weekly_service_charges is given
    "lha_monthly_cap": True,
    "spare_bedrooms": True,
    "non_dependants": True,
    "weekly_rent": False,
    "weekly_service_charges": False,
    "rent_free_weeks": False,
    "bedrooms": False,
    "extra_bedrooms": False,
}
NON_DEPENDANT_FIELDS = {"age": True, "exemption": False}
INCOME_FIELDS = {"adult": True, "kind": True, "monthly": True}
WORK_OUT = "work_out"
WEEKS_PER_YEAR = 52
MAX_RENT_FREE_WEEKS = 8
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
    "incomes": False,
    "childcare_costs_fixed": False,
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
        self_employed=boolean(raw.get("self_employed", False), f"{path}.self_employed"),
    )


def parse_child(value: Any, path: str) -> Child:
    raw = require_object(value, path, CHILD_FIELDS)
    return Child(
        age=whole_number(raw["age"], f"{path}.age", "years", 0, 19),
        born_before_2017_04_06=boolean(raw["born_before_2017_04_06"], f"{path}.born_before_2017_04_06"),
        disability=choice(raw["disability"], f"{path}.disability", CHILD_DISABILITY_VALUES),
        monthly_childcare_costs=None
        if raw.get("monthly_childcare_costs") is None
        else money(raw["monthly_childcare_costs"], f"{path}.monthly_childcare_costs"),
        sex=None if raw.get("sex") is None else choice(raw["sex"], f"{path}.sex", CHILD_SEX_VALUES),
    )


def parse_non_dependants(value: Any, path: str) -> tuple[int, tuple[NonDependant, ...] | None]:
    """A count (today's meaning: each 21+ and not exempt) or a list of {"age", "exemption"}."""
    if isinstance(value, list):
        people = []
        for index, item in enumerate(listed(value, path, 0, 20, "non-dependants")):
            where = f"{path}[{index}]"
            raw = require_object(item, where, NON_DEPENDANT_FIELDS)
            people.append(
                NonDependant(
                    age=whole_number(raw["age"], f"{where}.age", "years", 16, 120),
                    exemption=choice(raw.get("exemption", "none"), f"{where}.exemption", NON_DEPENDANT_EXEMPTIONS),
                )
            )
        return len(people), tuple(people)
    return whole_number(value, path, "people, or a list of {\"age\", \"exemption\"}", 0, 20), None


def weekly_or_monthly(raw: dict, path: str, name: str, free_weeks: int) -> tuple[float, float | None]:
    """Rent (or service charges) given monthly, or weekly: UC Regs Sch 4 para 7(2)(a), (3), (3A)(a):
    weekly x 52 / 12, or with rent-free weeks x (52 - rent-free weeks) / 12."""
    monthly_key, weekly_key = f"monthly_{name}", f"weekly_{name}"
    has_monthly, has_weekly = raw.get(monthly_key) is not None, raw.get(weekly_key) is not None
    if has_monthly and has_weekly:
        raise InputError(f"{path}.{weekly_key}", f"give {monthly_key} or {weekly_key}, not both")
    if has_weekly:
        weekly = money(raw[weekly_key], f"{path}.{weekly_key}", "pounds per week")
        return weekly * (WEEKS_PER_YEAR - free_weeks) / 12, weekly
    if not has_monthly:
        raise InputError(f"{path}.{monthly_key}", f"missing; give {monthly_key} (a month) or {weekly_key} (a week)")
    return money(raw[monthly_key], f"{path}.{monthly_key}"), None


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
    free_weeks = whole_number(raw.get("rent_free_weeks", 0), f"{path}.rent_free_weeks", "weeks a year", 0, MAX_RENT_FREE_WEEKS)
    if free_weeks and raw.get("weekly_rent") is None:
        raise InputError(f"{path}.rent_free_weeks", "needs weekly_rent: rent-free weeks are counted on weekly rent")
    monthly_rent, weekly_rent = weekly_or_monthly(raw, path, "rent", free_weeks)
    if raw.get("monthly_service_charges") is None and raw.get("weekly_service_charges") is None and weekly_rent is not None:
        monthly_service = 0.0  # weekly rent given, no service charges: none
    else:
        monthly_service, _ = weekly_or_monthly(raw, path, "service_charges", free_weeks)
    bedrooms = raw.get("bedrooms")
    if bedrooms is not None:
        bedrooms = whole_number(bedrooms, f"{path}.bedrooms", "bedrooms in the home", 0, 20)
    spare = raw["spare_bedrooms"]
    worked_out = spare == WORK_OUT
    if worked_out:
        if bedrooms is None:
            raise InputError(
                f"{path}.bedrooms", 'is needed when spare_bedrooms is "work_out": how many bedrooms the home has'
            )
        spare = 0  # filled in by parse_household once the whole household is known
    else:
        spare = whole_number(spare, f"{path}.spare_bedrooms", 'bedrooms, or "work_out"', 0, 20)
    count, details = parse_non_dependants(raw["non_dependants"], f"{path}.non_dependants")
    return Housing(
        tenure=tenure,
        monthly_rent=monthly_rent,
        monthly_service_charges=monthly_service,
        lha_monthly_cap=lha_cap,
        spare_bedrooms=spare,
        non_dependants=count,
        non_dependant_details=details,
        weekly_rent=weekly_rent,
        rent_free_weeks=free_weeks,
        bedrooms=bedrooms,
        extra_bedrooms=whole_number(raw.get("extra_bedrooms", 0), f"{path}.extra_bedrooms", "bedrooms", 0, 5),
        spare_bedrooms_worked_out=worked_out,
    )


def parse_incomes(value: Any, adult_count: int) -> tuple[Income, ...]:
    entries = []
    for index, item in enumerate(listed(value, "incomes", 0, 20, "incomes")):
        path = f"incomes[{index}]"
        raw = require_object(item, path, INCOME_FIELDS)
        adult_index = raw["adult"]
        if isinstance(adult_index, bool) or not isinstance(adult_index, int) or not 0 <= adult_index < adult_count:
            allowed = "0" if adult_count == 1 else "0 or 1"
            raise InputError(f"{path}.adult", f"must be {allowed} (who gets this income), got {describe(adult_index)}")
        entries.append(
            Income(
                adult=adult_index,
                kind=choice(raw["kind"], f"{path}.kind", tuple(INCOME_KINDS)),
                monthly=money(raw["monthly"], f"{path}.monthly"),
            )
        )
    return tuple(entries)


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
    housing = parse_housing(raw["housing"], "housing")
    if housing.spare_bedrooms_worked_out:
        from .bedrooms import spare_bedrooms  # the size criteria need the whole household

        housing = dataclasses.replace(housing, spare_bedrooms=spare_bedrooms(adults, children, housing))
    childcare = money(raw["monthly_childcare_costs"], "monthly_childcare_costs")
    per_child = [child.monthly_childcare_costs for child in children if child.monthly_childcare_costs is not None]
    if per_child:
        total = sum(per_child)
        if childcare and abs(childcare - total) > 0.005:
            raise InputError(
                "monthly_childcare_costs",
                f"is {childcare:g} but the children's monthly_childcare_costs add up to {total:g}; "
                "give 0 here (or the same total) when costs are given per child",
            )
        childcare = total
    return Household(
        london=boolean(raw["london"], "london"),
        adults=adults,
        children=children,
        housing=housing,
        monthly_childcare_costs=childcare,
        capital=money(raw["capital"], "capital", "pounds of savings and capital"),
        monthly_unearned_income=money(raw["monthly_unearned_income"], "monthly_unearned_income"),
        job=None if job is None else parse_job(job, "job", len(adults)),
        tax_year=tax_year,
        scottish_taxpayer=None if scottish is None else boolean(scottish, "scottish_taxpayer"),
        council_tax_monthly=None if council_tax is None else money(council_tax, "council_tax_monthly"),
        incomes=() if raw.get("incomes") is None else parse_incomes(raw["incomes"], len(adults)),
        childcare_costs_fixed=boolean(raw.get("childcare_costs_fixed", False), "childcare_costs_fixed"),
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
