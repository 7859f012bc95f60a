"""The calculator's short form as plain values, turned into the engine's input. No Textual here.

Staff type text; this module turns it into the fixed `hub calc` input shape and maps
any problem back to the form field to show it on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from datetime import date


HEALTH_CHOICES = {
    "none": "No health condition affecting work",
    "lcwra_new": "Limited capability for work and work-related activity (LCWRA)",
    "lcwra_protected": "LCWRA, claimed before April 2026 (protected rate)",
}
TENURE_CHOICES = {
    "social_rent": "Council or housing association tenant",
    "private_rent": "Private tenant",
    "owner": "Owner (mortgage or outright)",
    "none": "No housing costs (lives with family, etc.)",
}
LHA_ENTITLEMENTS = {
    "shared": "Shared accommodation rate (single, under 35)",
    "1": "1 bedroom",
    "2": "2 bedrooms",
    "3": "3 bedrooms",
    "4": "4 bedrooms",
}


class FormError(ValueError):
    """A form field is wrong: ``field`` is the form's field name."""

    def __init__(self, field_name: str, message: str):
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


@dataclass
class CalcForm:
    """What staff enter, as typed. Defaults give a single adult in social housing."""

    couple: bool = False
    age: str = ""
    earnings: str = "0"
    health: str = "none"
    carer: bool = False
    disability_benefit: bool = False
    partner_age: str = ""
    partner_earnings: str = "0"
    partner_health: str = "none"
    partner_carer: bool = False
    partner_disability_benefit: bool = False
    children_ages: str = ""
    nine_year_old_born_before_april_2017: bool = False
    disabled_children_lower: str = "0"
    disabled_children_higher: str = "0"
    tenure: str = "social_rent"
    rent: str = "0"
    service_charges: str = "0"
    spare_bedrooms: str = "0"
    non_dependants: str = "0"
    lha_entitlement: str = "1"
    lha_cap: str = ""
    childcare: str = "0"
    capital: str = "0"
    unearned: str = "0"
    council_tax: str = ""
    job_adult: str = "0"
    hours: str = "16"
    wage: str = "12.71"
    travel: str = "0"
    london: bool = False
    extras: dict = field(default_factory=dict)


# Where an engine error about an input path should be shown on the form.
ENGINE_FIELD_TO_FORM = {
    r"adults\[0\]\.age": "age",
    r"adults\[0\]\.monthly_earnings": "earnings",
    r"adults\[0\]\.health": "health",
    r"adults\[1\]\.age": "partner_age",
    r"adults\[1\]\.monthly_earnings": "partner_earnings",
    r"adults\[1\]\.health": "partner_health",
    r"adults\[0\]\.carer|adults\[1\]\.carer": "carer",
    r"children.*": "children_ages",
    r"housing\.monthly_rent": "rent",
    r"housing\.monthly_service_charges": "service_charges",
    r"housing\.lha_monthly_cap": "lha_cap",
    r"housing\.spare_bedrooms": "spare_bedrooms",
    r"housing\.non_dependants": "non_dependants",
    r"housing.*": "tenure",
    r"monthly_childcare_costs": "childcare",
    r"capital": "capital",
    r"monthly_unearned_income": "unearned",
    r"council_tax_monthly": "council_tax",
    r"job\.hours_per_week": "hours",
    r"job\.hourly_wage": "wage",
    r"job\.monthly_travel_costs": "travel",
    r"job.*": "job_adult",
}


def form_field_for(engine_field: str) -> str:
    for pattern, form_field in ENGINE_FIELD_TO_FORM.items():
        if re.fullmatch(pattern, engine_field):
            return form_field
    return "age"


def _money(value: str, field_name: str, label: str) -> float:
    text = (value or "").strip().replace("£", "").replace(",", "")
    if not text:
        return 0.0
    try:
        amount = float(text)
    except ValueError:
        raise FormError(field_name, f"{label}: write an amount in pounds, e.g. 450 or 450.50") from None
    if amount < 0:
        raise FormError(field_name, f"{label} cannot be negative")
    return amount


def _whole(value: str, field_name: str, label: str, *, low: int = 0, high: int = 120) -> int:
    text = (value or "").strip()
    if not (text.isascii() and text.isdigit()):  # "²" and other Unicode digits pass isdigit() but not int()
        raise FormError(field_name, f"{label}: write a whole number")
    number = int(text)
    if not low <= number <= high:
        raise FormError(field_name, f"{label} must be between {low} and {high}")
    return number


def age_from_birth(date_of_birth: str | None, on: date | None = None) -> str:
    """Prefill the age from the resident's record (empty when unknown)."""
    if not date_of_birth:
        return ""
    born = date.fromisoformat(date_of_birth)
    on = on or date.today()
    return str(on.year - born.year - ((on.month, on.day) < (born.month, born.day)))


def to_input(form: CalcForm, *, with_job: bool = True) -> dict:
    """Build the engine's input (the fixed `hub calc` shape) or raise FormError on the first bad field."""
    adults = [
        {
            "age": _whole(form.age, "age", "Age", low=16, high=120),
            "monthly_earnings": _money(form.earnings, "earnings", "Earnings now"),
            "pension_contribution_percent": 0.0,
            "health": form.health,
            "carer": form.carer,
            "disability_benefit": form.disability_benefit,
        }
    ]
    if form.couple:
        adults.append(
            {
                "age": _whole(form.partner_age, "partner_age", "Partner's age", low=16, high=120),
                "monthly_earnings": _money(form.partner_earnings, "partner_earnings", "Partner's earnings now"),
                "pension_contribution_percent": 0.0,
                "health": form.partner_health,
                "carer": form.partner_carer,
                "disability_benefit": form.partner_disability_benefit,
            }
        )
    ages = [part.strip() for part in re.split(r"[,\s]+", form.children_ages or "") if part.strip()]
    children_ages = [_whole(age, "children_ages", "Each child's age", low=0, high=19) for age in ages]
    lower = _whole(form.disabled_children_lower or "0", "disabled_children_lower", "Disabled children (lower)", high=len(children_ages))
    higher = _whole(form.disabled_children_higher or "0", "disabled_children_higher", "Disabled children (higher)", high=len(children_ages))
    if lower + higher > len(children_ages):
        raise FormError("disabled_children_higher", "more disabled children than children")
    children = []
    for index, child_age in enumerate(sorted(children_ages, reverse=True)):
        disability = "higher" if index < higher else "lower" if index < higher + lower else "none"
        born_before = child_age >= 10 or (child_age == 9 and form.nine_year_old_born_before_april_2017)
        children.append({"age": child_age, "born_before_2017_04_06": born_before, "disability": disability})

    tenure = form.tenure
    housing = {
        "tenure": tenure,
        "monthly_rent": _money(form.rent, "rent", "Rent") if tenure in ("social_rent", "private_rent") else 0.0,
        "monthly_service_charges": _money(form.service_charges, "service_charges", "Service charges") if tenure in ("social_rent", "private_rent") else 0.0,
        "lha_monthly_cap": _money(form.lha_cap, "lha_cap", "LHA rate") if tenure == "private_rent" and form.lha_cap.strip() else None,
        "spare_bedrooms": _whole(form.spare_bedrooms or "0", "spare_bedrooms", "Spare bedrooms", high=10) if tenure == "social_rent" else 0,
        "non_dependants": _whole(form.non_dependants or "0", "non_dependants", "Other adults in the home", high=10),
    }
    if tenure == "private_rent" and housing["lha_monthly_cap"] is None:
        raise FormError("lha_cap", "enter the Local Housing Allowance rate for their bedroom entitlement")
    data = {
        "london": form.london,
        "adults": adults,
        "children": children,
        "housing": housing,
        "monthly_childcare_costs": _money(form.childcare, "childcare", "Childcare costs") if children else 0.0,
        "capital": _money(form.capital, "capital", "Savings"),
        "monthly_unearned_income": _money(form.unearned, "unearned", "Other income"),
    }
    if form.council_tax.strip():
        data["council_tax_monthly"] = _money(form.council_tax, "council_tax", "Council tax")
    if with_job:
        hours = (form.hours or "").strip()
        try:
            hours_value = float(hours)
        except ValueError:
            raise FormError("hours", "Hours a week: write a number, e.g. 16 or 22.5") from None
        if not 0 < hours_value <= 80:
            raise FormError("hours", "Hours a week must be more than 0 and at most 80")
        data["job"] = {
            "adult": 1 if form.couple and form.job_adult == "1" else 0,
            "hours_per_week": hours_value,
            "hourly_wage": _money(form.wage, "wage", "Hourly wage"),
            "monthly_travel_costs": _money(form.travel, "travel", "Travel and other costs of the job"),
        }
        if data["job"]["hourly_wage"] <= 0:
            raise FormError("wage", "Hourly wage must be more than £0")
    return data


def form_from_input(data: dict) -> CalcForm:
    """Fill the form back from a saved input, to reopen a saved calculation."""
    adults = data.get("adults", [{}])
    form = CalcForm()
    first = adults[0]
    form.age = str(first.get("age", ""))
    form.earnings = _plain(first.get("monthly_earnings", 0))
    form.health = first.get("health", "none")
    form.carer = bool(first.get("carer"))
    form.disability_benefit = bool(first.get("disability_benefit"))
    if len(adults) > 1:
        second = adults[1]
        form.couple = True
        form.partner_age = str(second.get("age", ""))
        form.partner_earnings = _plain(second.get("monthly_earnings", 0))
        form.partner_health = second.get("health", "none")
        form.partner_carer = bool(second.get("carer"))
        form.partner_disability_benefit = bool(second.get("disability_benefit"))
    children = data.get("children", [])
    form.children_ages = ", ".join(str(child["age"]) for child in children)
    form.nine_year_old_born_before_april_2017 = any(c["age"] == 9 and c.get("born_before_2017_04_06") for c in children)
    form.disabled_children_lower = str(sum(1 for c in children if c.get("disability") == "lower"))
    form.disabled_children_higher = str(sum(1 for c in children if c.get("disability") == "higher"))
    housing = data.get("housing", {})
    form.tenure = housing.get("tenure", "none")
    form.rent = _plain(housing.get("monthly_rent", 0))
    form.service_charges = _plain(housing.get("monthly_service_charges", 0))
    form.lha_cap = "" if housing.get("lha_monthly_cap") is None else _plain(housing["lha_monthly_cap"])
    form.spare_bedrooms = str(housing.get("spare_bedrooms", 0))
    form.non_dependants = str(housing.get("non_dependants", 0))
    form.childcare = _plain(data.get("monthly_childcare_costs", 0))
    form.capital = _plain(data.get("capital", 0))
    form.unearned = _plain(data.get("monthly_unearned_income", 0))
    form.council_tax = _plain(data["council_tax_monthly"]) if "council_tax_monthly" in data else ""
    form.london = bool(data.get("london"))
    job = data.get("job")
    if job:
        form.job_adult = str(job.get("adult", 0))
        form.hours = _plain(job.get("hours_per_week", 16))
        form.wage = _plain(job.get("hourly_wage", 0))
        form.travel = _plain(job.get("monthly_travel_costs", 0))
    return form


def _plain(number) -> str:
    return f"{number:g}" if isinstance(number, (int, float)) else str(number)


FORM_FIELDS = [f.name for f in fields(CalcForm) if f.name != "extras"]
