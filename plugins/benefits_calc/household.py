"""The household described by a ``hub calc`` input, after validation.

Plain frozen dataclasses so the calculation never has to re-check types or defaults.
"""

from __future__ import annotations

from dataclasses import dataclass

HEALTH_VALUES = ("none", "lcwra_new", "lcwra_protected")
CHILD_DISABILITY_VALUES = ("none", "lower", "higher")
TENURE_VALUES = ("social_rent", "private_rent", "owner", "none")


@dataclass(frozen=True)
class Adult:
    age: int
    monthly_earnings: float
    pension_contribution_percent: float
    health: str
    carer: bool
    disability_benefit: bool

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
