"""Pay per pay period: the job's pension contribution, PAYE income tax and employee NI.

Issue 13: a job is paid monthly, four-weekly, fortnightly or weekly, and tax, NI and an
automatic-enrolment pension are worked per pay period on that period's thresholds. The
thresholds are the annual ones divided by the periods in a year (rates file ``[pay_periods]``),
so twelve monthly pay periods give exactly the annual figures the steady-month engine uses;
the auto-enrolment trigger and qualifying-earnings band use DWP's published per-period
figures (``[workplace_pension]``).

Pure functions of numbers and rates: no dates here (months.py lays out the paydays).
"""

from __future__ import annotations

from dataclasses import dataclass

from .household import Household
from .rate_tables import Rates
from .tax import MONTHS_PER_YEAR, income_tax_annual, national_insurance_annual

AUTO_ENROLMENT, NO_PENSION, PERCENT_OF_PAY = "auto_enrolment", "none", "percent_of_pay"


@dataclass(frozen=True)
class PensionRule:
    """How the job's employee pension contribution is worked out, and why."""

    kind: str  # AUTO_ENROLMENT, NO_PENSION or PERCENT_OF_PAY
    percent: float  # with PERCENT_OF_PAY
    source: str  # "job" (job.pension), "adult" (adults[i].pension_contribution_percent) or "default"


def job_pension_rule(household: Household) -> PensionRule | None:
    """``job.pension`` if given; else the adult's own percentage if the input gives one (its
    meaning before issue 13: a percentage of whatever they are paid); else auto-enrolment."""
    job = household.job
    if job is None:
        return None
    if job.pension is not None:
        return PensionRule(job.pension, job.pension_percent, "job")
    adult = household.adults[job.adult]
    if adult.pension_stated:
        return PensionRule(PERCENT_OF_PAY, adult.pension_contribution_percent, "adult")
    return PensionRule(AUTO_ENROLMENT, 0.0, "default")


def auto_enrolled(age: int, period_pay: float, frequency: str, rates: Rates) -> bool:
    """Pensions Act 2008 s.3: aged 22 to State Pension age and paid more than the period's trigger."""
    pension = rates.workplace_pension
    trigger, _, _ = pension.per_period(frequency)
    return pension.auto_enrolment_minimum_age <= age < rates.state_pension.pension_age and period_pay > trigger


def pension_for_period(rule: PensionRule, age: int, period_pay: float, frequency: str, rates: Rates) -> float:
    """The employee's contribution from one pay period's gross pay (net pay arrangement)."""
    if rule.kind == PERCENT_OF_PAY:
        return period_pay * rule.percent / 100
    if rule.kind == NO_PENSION or not auto_enrolled(age, period_pay, frequency, rates):
        return 0.0
    _, lower, upper = rates.workplace_pension.per_period(frequency)
    qualifying = max(0.0, min(period_pay, upper) - lower)  # Pensions Act 2008 s.13
    return rates.workplace_pension.employee_minimum_rate * qualifying


def period_pay_from_monthly(monthly: float, frequency: str, rates: Rates) -> float:
    """One pay period's gross pay for a job paying ``monthly`` on average (hours x wage x 52 / 12)."""
    return monthly * MONTHS_PER_YEAR / rates.pay_periods.periods_per_year(frequency)


def pension_monthly_equivalent(rule: PensionRule, age: int, monthly: float, frequency: str, rates: Rates) -> float:
    """The contribution per period times the periods in a year / 12: a steady month's share."""
    periods = rates.pay_periods.periods_per_year(frequency)
    period_pay = period_pay_from_monthly(monthly, frequency, rates)
    return pension_for_period(rule, age, period_pay, frequency, rates) * periods / MONTHS_PER_YEAR


def tax_and_ni_for_period(
    period_pay: float, pension: float, periods_per_year: int, rates: Rates, scottish: bool
) -> tuple[float, float]:
    """PAYE income tax (after the net-pay pension) and employee Class 1 NI on one pay period,
    on that period's thresholds (annual / periods). Steady pay, so cumulative PAYE gives the same."""
    tax = income_tax_annual((period_pay - pension) * periods_per_year, rates.income_tax, scottish) / periods_per_year
    ni = national_insurance_annual(period_pay * periods_per_year, rates.national_insurance) / periods_per_year
    return tax, ni
