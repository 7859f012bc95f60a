"""Other income by kind (``incomes``): how UC, the benefit cap and income tax treat each kind,
and what happens to it when its owner takes the job.

Each kind is described once, in ``INCOME_KINDS``, with the rule behind each treatment; the
amounts the rules use (the Carer's Allowance earnings limit, the 16-hour JSA rule, the ESA
permitted work limit) are in the rates file with their sources. ``monthly_unearned_income``
keeps its old meaning (UC counts it, the cap does not, no tax, unchanged with the job) and
is handled by the engine, not here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # rate_tables imports validation, which imports this module
    from .rate_tables import Rates

WEEKS_PER_YEAR = 52
MONTHS_PER_YEAR = 12

# What happens to the income when its owner takes the job.
UNCHANGED = "unchanged"
CA_EARNINGS_LIMIT = "carers_allowance_earnings_limit"
JSA_HOURS = "jsa_remunerative_work"
ESA_PERMITTED_WORK = "esa_permitted_work"
STOPS_WITH_WORK = "stops_with_work"


@dataclass(frozen=True)
class IncomeKind:
    label: str
    counted_by_uc: bool  # reg 66: unearned income counted pound for pound (else disregarded)
    benefit_cap: str  # "counted" (a welfare benefit in reg 79(4)), "exempts" (reg 83) or "not_counted"
    taxable: bool
    with_job: str
    rule: str  # the sources, in words, for the docs and the explanation


INCOME_KINDS: dict[str, IncomeKind] = {
    "carers_allowance": IncomeKind(
        "Carer's Allowance",
        counted_by_uc=True,
        benefit_cap="exempts",
        taxable=True,
        with_job=CA_EARNINGS_LIMIT,
        rule="UC Regs reg 66(1)(b) (counted in full); benefit cap exemption reg 83(1) (entitled to Carer's "
        "Allowance, or the award has the carer element); taxable (ITEPA 2003 s.660 Table A); stops when net weekly "
        "earnings pass the earnings limit (Social Security Benefit (Computation of Earnings) Regulations "
        "1996, regs 13 to 13C: after tax, NI, half of pension contributions and care costs up to half of "
        "net earnings)",
    ),
    "new_style_jsa": IncomeKind(
        "new-style Jobseeker's Allowance",
        counted_by_uc=True,
        benefit_cap="counted",
        taxable=True,
        with_job=JSA_HOURS,
        rule="UC Regs reg 66(1)(b); a welfare benefit in the cap (Welfare Reform Act 2012 s.96(10), UC Regs "
        "reg 79(4)); taxable (ITEPA 2003 s.660); ends with remunerative work of 16 hours a week or more "
        "(Jobseekers Act 1995 s.1(2)(e), JSA Regulations 2013 reg 42); below that, earnings above a small "
        "weekly disregard reduce it (Jobseekers Act 1995 s.4(1)(b))",
    ),
    "new_style_esa": IncomeKind(
        "new-style Employment and Support Allowance",
        counted_by_uc=True,
        benefit_cap="counted",
        taxable=True,
        with_job=ESA_PERMITTED_WORK,
        rule="UC Regs reg 66(1)(b); a welfare benefit in the cap unless the household is exempt (LCWRA, reg "
        "83(1)); taxable (ITEPA 2003 s.660, except the support component in practice); stops above the "
        "permitted work limits (ESA Regulations 2013 reg 39: under 16 hours and earnings at most 16 x the "
        "National Living Wage a week)",
    ),
    "child_maintenance": IncomeKind(
        "child maintenance",
        counted_by_uc=False,
        benefit_cap="not_counted",
        taxable=False,
        with_job=UNCHANGED,
        rule="not unearned income in UC Regs reg 66 (child maintenance is disregarded in full); not a welfare "
        "benefit for the cap; not taxable",
    ),
    "spousal_maintenance": IncomeKind(
        "maintenance from a former partner",
        counted_by_uc=True,
        benefit_cap="not_counted",
        taxable=False,
        with_job=UNCHANGED,
        rule="UC Regs reg 66(1)(d) (maintenance payments from a spouse or civil partner, or former one, "
        "counted in full); not a welfare benefit for the cap; not taxable (ITTOIA 2005 s.727)",
    ),
    "state_pension": IncomeKind(
        "State Pension",
        counted_by_uc=True,
        benefit_cap="not_counted",
        taxable=True,
        with_job=UNCHANGED,
        rule="retirement pension income, UC Regs reg 66(1)(a) and reg 67 (counted in full); not in the cap's "
        "list of welfare benefits; taxable (ITEPA 2003 s.577)",
    ),
    "other_pension": IncomeKind(
        "occupational or personal pension",
        counted_by_uc=True,
        benefit_cap="not_counted",
        taxable=True,
        with_job=UNCHANGED,
        rule="retirement pension income, UC Regs reg 66(1)(a) and reg 67 (counted in full); not a welfare "
        "benefit for the cap; taxable (ITEPA 2003 Part 9)",
    ),
    "maternity_allowance": IncomeKind(
        "Maternity Allowance",
        counted_by_uc=True,
        benefit_cap="counted",
        taxable=False,
        with_job=STOPS_WITH_WORK,
        rule="UC Regs reg 66(1)(b); a welfare benefit in the cap (Welfare Reform Act 2012 s.96(10)); not "
        "taxable (ITEPA 2003 s.677 Table B); not paid for weeks of work beyond 10 keeping-in-touch days "
        "(SSCBA 1992 s.35, Social Security (Maternity Allowance) Regulations 1987)",
    ),
    "other_unearned": IncomeKind(
        "other income",
        counted_by_uc=True,
        benefit_cap="not_counted",
        taxable=False,
        with_job=UNCHANGED,
        rule="as monthly_unearned_income: counted in full (UC Regs reg 66), not in the cap, not taxed, the "
        "same with the job",
    ),
}


@dataclass(frozen=True)
class PaidIncome:
    adult: int
    kind: str
    entered: float  # monthly, as now
    paid: float  # monthly, in this scenario
    stopped: str | None  # why it stops or falls in this scenario (a with_job rule id), else None


@dataclass(frozen=True)
class ScenarioIncomes:
    paid: tuple[PaidIncome, ...]
    counted_by_uc: float
    in_benefit_cap: float
    taxable_by_adult: tuple[float, ...]
    total: float
    carers_allowance_paid: bool

    @property
    def changed(self) -> tuple[PaidIncome, ...]:
        return tuple(item for item in self.paid if item.stopped)


NO_INCOMES = ScenarioIncomes((), 0.0, 0.0, (0.0, 0.0), 0.0, False)


def weekly(monthly: float) -> float:
    return monthly * MONTHS_PER_YEAR / WEEKS_PER_YEAR


def monthly(weekly_amount: float) -> float:
    return weekly_amount * WEEKS_PER_YEAR / MONTHS_PER_YEAR


def benefit_earnings_weekly(gross: float, tax: float, ni: float, pension: float) -> float:
    """Net earnings as the contributory benefits count them: gross less tax, NI and half of pension
    contributions (Computation of Earnings Regs 1996 reg 13), per week."""
    return weekly(max(0.0, gross - tax - ni - pension / 2))


def paid_amount(
    income, kind: IncomeKind, rates: Rates, works: bool, hours: float, earnings_weekly: float, care_costs_weekly: float
) -> tuple[float, str | None]:
    """What the income pays a month in a scenario where its owner works ``hours`` a week."""
    if not works or kind.with_job == UNCHANGED:
        return income.monthly, None
    rules = rates.income_rules
    if kind.with_job == CA_EARNINGS_LIMIT:
        counted = earnings_weekly - min(care_costs_weekly, earnings_weekly / 2)
        if counted > rates.carers_allowance.earnings_limit_weekly:
            return 0.0, CA_EARNINGS_LIMIT
        return income.monthly, None
    if kind.with_job == JSA_HOURS:
        if hours >= rules.jsa_remunerative_work_hours:
            return 0.0, JSA_HOURS
        reduction = monthly(max(0.0, earnings_weekly - rules.jsa_earnings_disregard_weekly))
        if reduction <= 0:
            return income.monthly, None
        return max(0.0, income.monthly - reduction), JSA_HOURS
    if kind.with_job == ESA_PERMITTED_WORK:
        if hours >= rules.esa_permitted_work_hours or earnings_weekly > rules.esa_permitted_work_limit_weekly:
            return 0.0, ESA_PERMITTED_WORK
        return income.monthly, None
    if kind.with_job == STOPS_WITH_WORK:
        return 0.0, STOPS_WITH_WORK
    raise AssertionError(kind.with_job)


def scenario_incomes(
    household,
    rates: Rates,
    *,
    working: tuple[int, float] | None,
    earnings_weekly_by_adult: tuple[float, ...],
    care_costs_monthly: float,
) -> ScenarioIncomes:
    """Each entered income as paid in one scenario. ``working`` = (adult, hours a week) of the job
    in this scenario, or None for "as now" (everything as entered)."""
    if not household.incomes:
        return NO_INCOMES
    paid = []
    taxable = [0.0] * len(household.adults)
    counted = capped = total = 0.0
    carers_allowance = False
    for income in household.incomes:
        kind = INCOME_KINDS[income.kind]
        works = working is not None and working[0] == income.adult and working[1] > 0
        hours = working[1] if works else 0.0
        amount, stopped = paid_amount(
            income, kind, rates, works, hours, earnings_weekly_by_adult[income.adult], weekly(care_costs_monthly)
        )
        paid.append(PaidIncome(income.adult, income.kind, income.monthly, amount, stopped))
        total += amount
        if kind.counted_by_uc:
            counted += amount
        if kind.benefit_cap == "counted":
            capped += amount
        if kind.taxable:
            taxable[income.adult] += amount
        if income.kind == "carers_allowance" and amount > 0:
            carers_allowance = True
    return ScenarioIncomes(tuple(paid), counted, capped, tuple(taxable), total, carers_allowance)
