"""The household described by a ``hub calc`` input, after validation.

Plain frozen dataclasses so the calculation never has to re-check types or defaults.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

HEALTH_VALUES = ("none", "lcwra_new", "lcwra_protected")
CHILD_DISABILITY_VALUES = ("none", "lower", "higher")
TENURE_VALUES = ("social_rent", "private_rent", "owner", "none")
PAY_FREQUENCIES = ("monthly", "four_weekly", "fortnightly", "weekly")
PENSION_CHOICES = ("auto_enrolment", "none")


@dataclass(frozen=True)
class Adult:
    age: int
    monthly_earnings: float
    pension_contribution_percent: float
    health: str
    carer: bool
    disability_benefit: bool
    pension_stated: bool = True  # False when the input leaves pension_contribution_percent out

    @property
    def has_lcwra(self) -> bool:
        return self.health != "none"


@dataclass(frozen=True)
class Child:
    age: int
    born_before_2017_04_06: bool
    disability: str


@dataclass(frozen=True)
class Housing:
    tenure: str
    monthly_rent: float
    monthly_service_charges: float
    lha_monthly_cap: float | None
    spare_bedrooms: int
    non_dependants: int


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

    @property
    def is_couple(self) -> bool:
        return len(self.adults) == 2
