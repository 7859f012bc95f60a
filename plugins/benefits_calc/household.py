"""The household described by a ``hub calc`` input, after validation.

Plain frozen dataclasses so the calculation never has to re-check types or defaults.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

HEALTH_VALUES = ("none", "lcw", "lcwra_new", "lcwra_protected")
CHILD_DISABILITY_VALUES = ("none", "lower", "higher")
TENURE_VALUES = ("social_rent", "private_rent", "owner", "none")
PAY_FREQUENCIES = ("monthly", "four_weekly", "fortnightly", "weekly")
PENSION_CHOICES = ("auto_enrolment", "none")
# owner_leaseholder: an owner paying service charges as a leaseholder (e.g. a flat bought under
# the right to buy). temporary/supported accommodation: rent is met by Housing Benefit, not UC,
# so the calculator says it cannot answer (see scope.py).
TENURE_VALUES = (
    "social_rent",
    "private_rent",
    "owner",
    "owner_leaseholder",
    "none",
    "temporary_accommodation",
    "supported_accommodation",
)
CHILD_SEX_VALUES = ("female", "male")
# Why a non-dependant attracts no housing cost contribution: UC Regs Sch 4 para 16(2).
NON_DEPENDANT_EXEMPTIONS = (
    "none",
    "pension_credit",
    "disability_benefit",  # DLA care middle/highest, AA or PIP daily living (or entitled, in hospital)
    "carers_allowance",
    "prisoner",
    "child_under_5",  # responsible for a child under 5
    "armed_forces_away",
    "exempt",  # one of the Sch 4 para 16(2) groups, checked by staff (the kiosk form's count)
)


@dataclass(frozen=True)
class Adult:
    age: int
    monthly_earnings: float
    pension_contribution_percent: float
    health: str
    carer: bool
    disability_benefit: bool
    pension_stated: bool = True  # False when the input leaves pension_contribution_percent out
    self_employed: bool = False

    @property
    def has_lcwra(self) -> bool:
        """The LCWRA element and its benefit cap exemption (reg 27, 83(1)(a))."""
        return self.health in ("lcwra_new", "lcwra_protected")

    @property
    def has_lcw_or_lcwra(self) -> bool:
        """Work allowance (reg 22(2)) and the childcare work condition (reg 32(2)) treat both alike."""
        return self.health != "none"


@dataclass(frozen=True)
class Child:
    age: int
    born_before_2017_04_06: bool
    disability: str
    monthly_childcare_costs: float | None = None  # None: not given per child
    sex: str | None = None  # only needed to work out bedrooms


@dataclass(frozen=True)
class NonDependant:
    age: int
    exemption: str = "none"

    @property
    def contributes(self) -> bool:
        """Sch 4 para 16(2): under 21s and the listed groups pay no housing cost contribution."""
        return self.age >= 21 and self.exemption == "none"


@dataclass(frozen=True)
class Income:
    """One entry of ``incomes``: who gets it, what it is, how much a month (as now)."""

    adult: int
    kind: str
    monthly: float


@dataclass(frozen=True)
class Housing:
    tenure: str
    monthly_rent: float
    monthly_service_charges: float
    lha_monthly_cap: float | None
    spare_bedrooms: int
    non_dependants: int
    # Optional extras (issue 13); the defaults give today's meaning.
    non_dependant_details: tuple[NonDependant, ...] | None = None  # None: the count above, all contributing
    weekly_rent: float | None = None  # given weekly: monthly_rent is the Sch 4 para 7 monthly equivalent
    rent_free_weeks: int = 0
    bedrooms: int | None = None
    extra_bedrooms: int = 0
    spare_bedrooms_worked_out: bool = False  # staff asked us to work out spare_bedrooms (Sch 4 para 10)


@dataclass(frozen=True)
class Job:
    adult: int
    hours_per_week: float
    hourly_wage: float
    monthly_travel_costs: float
    # The first year in work, month by month (issue 13; see months.py). All optional.
    pay_frequency: str = "monthly"  # one of PAY_FREQUENCIES
    start_date: dt.date | None = None  # None: the day of the calculation
    first_pay_date: dt.date | None = None  # None: one pay period after the start (paid in arrears)
    assessment_period_day: int | None = None  # None: 1 (assessment periods are calendar months)
    pension: str | None = None  # "auto_enrolment", "none", "percent_of_pay"; None: not stated
    pension_percent: float = 0.0  # with pension == "percent_of_pay"
    earned_above_cap_threshold_last_12_months: bool | None = None  # benefit cap grace period (reg 82(3))

    @property
    def monthly_earnings(self) -> float:
        """hours x wage x 52 / 12, as the issue fixes."""
        return self.hours_per_week * self.hourly_wage * 52 / 12


@dataclass(frozen=True)
class Household:
    london: bool
    adults: tuple[Adult, ...]
    children: tuple[Child, ...]
    housing: Housing
    monthly_childcare_costs: float
    capital: float
    monthly_unearned_income: float
    job: Job | None
    tax_year: str | None = None
    scottish_taxpayer: bool | None = None
    council_tax_monthly: float | None = None
    incomes: tuple[Income, ...] = ()
    childcare_costs_fixed: bool = False  # sweep: childcare does not scale with the hours worked

    @property
    def childcare_given_per_child(self) -> bool:
        return any(child.monthly_childcare_costs is not None for child in self.children)

    @property
    def is_couple(self) -> bool:
        return len(self.adults) == 2
