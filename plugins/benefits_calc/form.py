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
    "lcw": "Limited capability for work (LCW), no work-related activity",
    "lcwra_new": "LCWRA (limited capability for work and work-related activity), claim from April 2026",
    "lcwra_protected": "LCWRA protected rate: claim before April 2026, severe conditions criteria, or terminally ill",
}
TENURE_CHOICES = {
    "social_rent": "Council or housing association tenant",
    "private_rent": "Private tenant",
    "owner": "Owner (mortgage or outright)",
    "owner_leaseholder": "Owner paying service charges (e.g. bought under right to buy)",
    "none": "No housing costs (lives with family, etc.)",
    "temporary_accommodation": "Temporary accommodation from the council",
    "supported_accommodation": "Supported (exempt) accommodation",
}
RENT_PERIODS = {"month": "a month", "week": "a week"}
# Per-adult incomes on the form: form field suffix -> `incomes` kind (issue 13).
ADULT_INCOME_FIELDS = {
    "carers_allowance": "carers_allowance",
    "jsa": "new_style_jsa",
    "esa": "new_style_esa",
    "maternity_allowance": "maternity_allowance",
    "pension": "state_pension",
}
HOUSEHOLD_INCOME_FIELDS = {"child_maintenance": "child_maintenance", "spousal_maintenance": "spousal_maintenance"}
LHA_ENTITLEMENTS = {
    "shared": "Shared accommodation rate (single, under 35)",
    "1": "1 bedroom",
    "2": "2 bedrooms",
    "3": "3 bedrooms",
    "4": "4 bedrooms",
}

# The job's pay dates and pension (issue 13: the first year in work, month by month).
PAY_FREQUENCY_CHOICES = {
    "monthly": "Monthly",
    "four_weekly": "Every four weeks",
    "fortnightly": "Every two weeks",
    "weekly": "Weekly",
}
PENSION_FORM_CHOICES = {
    "auto_enrolment": "Workplace pension, legal minimum (auto-enrolment)",
    "none": "No pension (opted out)",
    "percent": "Pension: a percentage of pay",
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
    pay_frequency: str = "monthly"
    start_date: str = ""  # optional: today
    first_pay_date: str = ""  # optional: one pay period after the start
    assessment_period_day: str = ""  # optional: 1
    job_pension: str = "auto_enrolment"
    job_pension_percent: str = ""
    london: bool = False
    # issue 13 (calc-rules): incomes by kind, childcare per child, weekly rent, bedrooms, non-dependants
    carers_allowance: str = "0"
    jsa: str = "0"
    esa: str = "0"
    maternity_allowance: str = "0"
    pension: str = "0"
    partner_carers_allowance: str = "0"
    partner_jsa: str = "0"
    partner_esa: str = "0"
    partner_maternity_allowance: str = "0"
    partner_pension: str = "0"
    child_maintenance: str = "0"
    spousal_maintenance: str = "0"
    self_employed: bool = False
    partner_self_employed: bool = False
    childcare_per_child: str = ""
    childcare_fixed: bool = False
    children_sexes: str = ""
    rent_period: str = "month"
    rent_free_weeks: str = "0"
    bedrooms: str = ""
    non_dependant_ages: str = ""
    non_dependants_exempt: str = "0"
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
    r"children\[\d+\]\.sex": "children_sexes",
    r"children\[\d+\]\.monthly_childcare_costs": "childcare_per_child",
    r"children.*": "children_ages",
    r"incomes.*": "carers_allowance",
    r"housing\.weekly_rent": "rent",
    r"housing\.weekly_service_charges": "service_charges",
    r"housing\.rent_free_weeks": "rent_free_weeks",
    r"housing\.bedrooms": "bedrooms",
    r"housing\.non_dependants\[.*": "non_dependant_ages",
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
    r"job\.pay_frequency": "pay_frequency",
    r"job\.start_date": "start_date",
    r"job\.first_pay_date": "first_pay_date",
    r"job\.assessment_period_day": "assessment_period_day",
    r"job\.pension.*": "job_pension_percent",
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
    per_child_costs = _per_child(form.childcare_per_child, len(children_ages), "childcare_per_child",
                                 "Childcare per child", lambda text: _money(text, "childcare_per_child", "Childcare per child"))
    sexes = _per_child(form.children_sexes, len(children_ages), "children_sexes", "Children's sexes", _sex)
    lower = _whole(form.disabled_children_lower or "0", "disabled_children_lower", "Disabled children (lower)", high=len(children_ages))
    higher = _whole(form.disabled_children_higher or "0", "disabled_children_higher", "Disabled children (higher)", high=len(children_ages))
    if lower + higher > len(children_ages):
        raise FormError("disabled_children_higher", "more disabled children than children")
    children = []
    typed = sorted(range(len(children_ages)), key=lambda position: -children_ages[position])
    for index, position in enumerate(typed):
        child_age = children_ages[position]
        disability = "higher" if index < higher else "lower" if index < higher + lower else "none"
        born_before = child_age >= 10 or (child_age == 9 and form.nine_year_old_born_before_april_2017)
        child = {"age": child_age, "born_before_2017_04_06": born_before, "disability": disability}
        if per_child_costs is not None:
            child["monthly_childcare_costs"] = per_child_costs[position]
        if sexes is not None:
            child["sex"] = sexes[position]
        children.append(child)

    tenure = form.tenure
    renting = tenure in ("social_rent", "private_rent", "temporary_accommodation", "supported_accommodation")
    charges_counted = renting or tenure == "owner_leaseholder"
    housing = {
        "tenure": tenure,
        "monthly_rent": _money(form.rent, "rent", "Rent") if renting else 0.0,
        "monthly_service_charges": _money(form.service_charges, "service_charges", "Service charges") if charges_counted else 0.0,
        "lha_monthly_cap": _money(form.lha_cap, "lha_cap", "LHA rate") if tenure == "private_rent" and form.lha_cap.strip() else None,
        "spare_bedrooms": _whole(form.spare_bedrooms or "0", "spare_bedrooms", "Spare bedrooms", high=10) if tenure == "social_rent" else 0,
        "non_dependants": _whole(form.non_dependants or "0", "non_dependants", "Other adults in the home", high=10),
    }
    _housing_details(form, housing, renting)
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
    incomes = _incomes(form)
    if incomes:
        data["incomes"] = incomes
    if per_child_costs is not None:
        data["monthly_childcare_costs"] = 0.0  # given per child
    if form.childcare_fixed and children:
        data["childcare_costs_fixed"] = True
    if form.self_employed:
        adults[0]["self_employed"] = True
    if form.couple and form.partner_self_employed:
        adults[1]["self_employed"] = True
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
        data["job"].update(job_timing_input(form))
    return data


def _date(value: str, field_name: str, label: str) -> str | None:
    """An optional date typed as 11/01/2027 or 2027-01-11, as ISO text for the engine."""
    text = (value or "").strip()
    if not text:
        return None
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    try:
        day = date(int(match[3]), int(match[2]), int(match[1])) if match else date.fromisoformat(text)
    except ValueError:
        raise FormError(field_name, f"{label}: write a date, e.g. 11/01/2027") from None
    return day.isoformat()


def job_timing_input(form: CalcForm) -> dict:
    """The job's pay frequency, dates and pension from the form (issue 13)."""
    if form.pay_frequency not in PAY_FREQUENCY_CHOICES:
        raise FormError("pay_frequency", "How often paid: choose one of the options")
    timing: dict = {"pay_frequency": form.pay_frequency}
    for name, label in (("start_date", "Start date"), ("first_pay_date", "First payday")):
        day = _date(getattr(form, name), name, label)
        if day:
            timing[name] = day
    if (form.assessment_period_day or "").strip():
        timing["assessment_period_day"] = _whole(
            form.assessment_period_day, "assessment_period_day", "Assessment period starts on day", low=1, high=31
        )
    if form.job_pension == "percent":
        text = (form.job_pension_percent or "").strip().rstrip("%")
        try:
            percent = float(text)
        except ValueError:
            raise FormError("job_pension_percent", "Pension: write the percentage of pay, e.g. 5") from None
        if not 0 <= percent <= 100:
            raise FormError("job_pension_percent", "Pension must be between 0% and 100% of pay")
        timing["pension"] = {"percent_of_pay": percent}
    elif form.job_pension in ("auto_enrolment", "none"):
        timing["pension"] = form.job_pension
    else:
        raise FormError("job_pension", "Pension: choose one of the options")
    return timing
def _per_child(text: str, count: int, field_name: str, label: str, parse) -> list | None:
    """A list typed in the same order as the children's ages ("900, 0"), or None when left empty."""
    parts = [part.strip() for part in re.split(r"[,\s]+", text or "") if part.strip()]
    if not parts:
        return None
    if len(parts) != count:
        raise FormError(field_name, f"{label}: give one for each child, in the order of the ages ({count})")
    return [parse(part) for part in parts]


def _sex(text: str) -> str:
    value = text.strip().lower()
    if value in ("f", "female", "girl", "g"):
        return "female"
    if value in ("m", "male", "boy", "b"):
        return "male"
    raise FormError("children_sexes", "Children's sexes: write f or m for each child, e.g. f, m")


def _incomes(form: CalcForm) -> list[dict]:
    """The income boxes as `incomes` entries (empty and 0 boxes left out)."""
    entries = []
    prefixes = [("", 0)] + ([("partner_", 1)] if form.couple else [])
    for prefix, adult in prefixes:
        for suffix, kind in ADULT_INCOME_FIELDS.items():
            name = prefix + suffix
            amount = _money(getattr(form, name), name, kind.replace("_", " ").capitalize())
            if amount > 0:
                entries.append({"adult": adult, "kind": kind, "monthly": amount})
    for name, kind in HOUSEHOLD_INCOME_FIELDS.items():
        amount = _money(getattr(form, name), name, kind.replace("_", " ").capitalize())
        if amount > 0:
            entries.append({"adult": 0, "kind": kind, "monthly": amount})
    return entries


def _housing_details(form: CalcForm, housing: dict, renting: bool) -> None:
    """Weekly rent with rent-free weeks, bedrooms to work out, non-dependants' ages (issue 13)."""
    if renting and form.rent_period == "week":
        housing["weekly_rent"] = housing.pop("monthly_rent")
        housing["weekly_service_charges"] = housing.pop("monthly_service_charges")
        housing["rent_free_weeks"] = _whole(form.rent_free_weeks or "0", "rent_free_weeks", "Rent-free weeks", high=8)
    if form.tenure == "social_rent" and form.bedrooms.strip():
        housing["bedrooms"] = _whole(form.bedrooms, "bedrooms", "Bedrooms", high=20)
        housing["spare_bedrooms"] = "work_out"
    ages = [part.strip() for part in re.split(r"[,\s]+", form.non_dependant_ages or "") if part.strip()]
    if ages:
        people = [{"age": _whole(age, "non_dependant_ages", "Other adults' ages", low=16, high=120)} for age in ages]
        exempt = _whole(form.non_dependants_exempt or "0", "non_dependants_exempt", "Exempt adults", high=len(people))
        for person in people[:exempt]:
            person["exemption"] = "exempt"
        housing["non_dependants"] = people


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
    _details_from_input(form, data, housing, children)
    job = data.get("job")
    if job:
        form.job_adult = str(job.get("adult", 0))
        form.hours = _plain(job.get("hours_per_week", 16))
        form.wage = _plain(job.get("hourly_wage", 0))
        form.travel = _plain(job.get("monthly_travel_costs", 0))
        form.pay_frequency = job.get("pay_frequency", "monthly")
        form.start_date = job.get("start_date") or ""
        form.first_pay_date = job.get("first_pay_date") or ""
        form.assessment_period_day = str(job.get("assessment_period_day") or "")
        pension = job.get("pension")
        worker = adults[job.get("adult", 0)] if job.get("adult", 0) < len(adults) else first
        if isinstance(pension, dict):
            form.job_pension, form.job_pension_percent = "percent", _plain(pension.get("percent_of_pay", 0))
        elif pension in ("auto_enrolment", "none"):
            form.job_pension = pension
        elif worker.get("pension_contribution_percent"):  # saved before issue 13: the adult's percentage
            form.job_pension, form.job_pension_percent = "percent", _plain(worker["pension_contribution_percent"])
        else:
            form.job_pension = "none" if "pension_contribution_percent" in worker else "auto_enrolment"
    return form


def _details_from_input(form: CalcForm, data: dict, housing: dict, children: list) -> None:
    for entry in data.get("incomes", []):
        prefix = "partner_" if entry.get("adult") == 1 else ""
        for suffix, kind in ADULT_INCOME_FIELDS.items():
            if entry.get("kind") == kind:
                setattr(form, prefix + suffix, _plain(entry.get("monthly", 0)))
        for name, kind in HOUSEHOLD_INCOME_FIELDS.items():
            if entry.get("kind") == kind:
                setattr(form, name, _plain(entry.get("monthly", 0)))
        if entry.get("kind") == "other_pension":
            setattr(form, prefix + "pension", _plain(entry.get("monthly", 0)))
    adults = data.get("adults", [])
    form.self_employed = bool(adults and adults[0].get("self_employed"))
    form.partner_self_employed = bool(len(adults) > 1 and adults[1].get("self_employed"))
    if any("monthly_childcare_costs" in child for child in children):
        form.childcare_per_child = ", ".join(_plain(child.get("monthly_childcare_costs") or 0) for child in children)
    if any(child.get("sex") for child in children):
        form.children_sexes = ", ".join({"female": "f", "male": "m"}.get(child.get("sex"), "") for child in children)
    form.childcare_fixed = bool(data.get("childcare_costs_fixed"))
    if "weekly_rent" in housing:
        form.rent_period = "week"
        form.rent = _plain(housing["weekly_rent"])
        form.service_charges = _plain(housing.get("weekly_service_charges") or 0)
        form.rent_free_weeks = str(housing.get("rent_free_weeks", 0))
    if housing.get("spare_bedrooms") == "work_out":
        form.spare_bedrooms = "0"
        form.bedrooms = str(housing.get("bedrooms", ""))
    if isinstance(housing.get("non_dependants"), list):
        people = housing["non_dependants"]
        form.non_dependants = str(len(people))
        form.non_dependant_ages = ", ".join(str(person.get("age", "")) for person in people)
        form.non_dependants_exempt = str(sum(1 for person in people if person.get("exemption", "none") != "none"))


def _plain(number) -> str:
    return f"{number:g}" if isinstance(number, (int, float)) else str(number)


FORM_FIELDS = [f.name for f in fields(CalcForm) if f.name != "extras"]
