"""Better-off-in-work calculator: the public entry point ``calculate``.

Pure Python (no Textual, nothing from ``hub``) so the CLI, the screen and the tests all
run the same arithmetic. A calculation compares two scenarios, "now" and "with the
job", built by ``compute_scenario``; money is monthly throughout and rounded to the
penny only when the result dict is built.

    from plugins.benefits_calc.engine import calculate, InputError
    result = calculate(data, sweep=False, council_tax_scheme=None, scottish_taxpayer=None)

See docs/benefits-calc.md for the input and output fields.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from . import cliffs, explain, passported, scope
from .council_tax import CouncilTaxScheme, council_tax_reduction, liability_for, parse_scheme
from .household import Household
from .pay import PensionRule, job_pension_rule, pension_monthly_equivalent
from .incomes import NO_INCOMES, ScenarioIncomes, benefit_earnings_weekly, scenario_incomes
from .rate_tables import Rates, RatesFileError, rates_for
from .tax import (
    MONTHS_PER_YEAR,
    child_benefit_charge_annual,
    income_tax_annual,
    national_insurance_annual,
)
from .uc import FixedElements, UniversalCreditResult, fixed_elements, meets_childcare_work_condition, universal_credit
from .validation import InputError, check_children_against_tax_year, parse_household

__all__ = ["calculate", "InputError", "RatesFileError", "SWEEP_HOURS"]

WEEKS_PER_YEAR = 52
SWEEP_HOURS = tuple(step / 2 for step in range(0, 97))  # 0, 0.5, ... 48: 97 points
MARGINAL_STEP = 1.0  # "of each extra £1 you earn": one more pound of gross pay a month


@dataclass(frozen=True)
class Context:
    """Everything that stays the same between the scenarios of one calculation."""

    household: Household
    rates: Rates
    fixed: FixedElements
    scheme: CouncilTaxScheme | None
    council_tax_liability: float | None
    scottish: bool
    child_benefit_monthly: float
    child_benefit_annual: float
    pension_rule: PensionRule | None = None  # the job's pension (pay.py); None without a job


@dataclass(frozen=True)
class Scenario:
    gross_by_adult: tuple[float, ...]
    earnings: float
    income_tax: float  # includes the High Income Child Benefit Charge
    child_benefit_charge: float
    national_insurance: float
    pension_contributions: float
    universal_credit: UniversalCreditResult
    child_benefit: float
    council_tax_reduction: float
    childcare_paid: float
    travel_costs: float
    costs_of_work: float
    other_income: float
    net_income: float
    work_condition_met: bool
    # issue 13 (calc-rules): other income by kind, and what the scenario was asked for
    incomes: ScenarioIncomes = NO_INCOMES
    working: tuple[int, float] | None = None
    childcare_costs: float | None = None


def child_benefit_weekly(household: Household, rates: Rates) -> float:
    """The eldest child's rate plus the other-child rate for each of the rest."""
    count = len(household.children)
    if count == 0:
        return 0.0
    benefit = rates.child_benefit
    return benefit.eldest_child_weekly + (count - 1) * benefit.each_other_child_weekly


def build_context(
    household: Household, rates: Rates, scheme: CouncilTaxScheme | None, scottish_site_option: bool | None
) -> Context:
    weekly = child_benefit_weekly(household, rates)
    scottish = household.scottish_taxpayer if household.scottish_taxpayer is not None else bool(scottish_site_option)
    return Context(
        household=household,
        rates=rates,
        fixed=fixed_elements(household, rates),
        scheme=scheme,
        council_tax_liability=liability_for(scheme, household.council_tax_monthly),
        scottish=scottish,
        child_benefit_monthly=weekly * WEEKS_PER_YEAR / MONTHS_PER_YEAR,
        child_benefit_annual=weekly * WEEKS_PER_YEAR,
        pension_rule=job_pension_rule(household),
    )


def compute_scenario(
    context: Context,
    gross_by_adult: tuple[float, ...],
    travel_costs: float,
    *,
    working: tuple[int, float] | None = None,
    childcare_costs: float | None = None,
) -> Scenario:
    """Income for one scenario, given each adult's gross monthly pay.

    ``working`` = (adult, hours a week) when that adult works the job in this scenario: the
    ``incomes`` rules that depend on the job (Carer's Allowance earnings limit, JSA 16 hours, ESA
    permitted work) apply to that adult's incomes; None = every income as entered.
    ``childcare_costs`` replaces the household's monthly childcare (the sweep scales it).
    """
    household, rates = context.household, context.rates
    taxes, insurance, pensions = [], [], []
    pay_after_pension = []
    job_adult = working[0] if working is not None else None
    for index, gross in enumerate(gross_by_adult):
        pension = pension_monthly(context, index, gross, on_job=index == job_adult)
        pay_after_pension_annual = (gross - pension) * MONTHS_PER_YEAR
        tax = income_tax_annual(pay_after_pension_annual, rates.income_tax, context.scottish) / MONTHS_PER_YEAR
        ni = national_insurance_annual(gross * MONTHS_PER_YEAR, rates.national_insurance) / MONTHS_PER_YEAR
        taxes.append(tax)
        insurance.append(ni)
        pensions.append(pension)
        pay_after_pension.append(pay_after_pension_annual)
    return scenario_from_pay(
        context,
        gross_by_adult,
        tuple(taxes),
        tuple(insurance),
        tuple(pensions),
        tuple(pay_after_pension),
        travel_costs,
        working=working,
        childcare_costs=childcare_costs,
    )


def pension_monthly(context: Context, adult_index: int, gross: float, *, on_job: bool) -> float:
    """A month's employee pension contribution: the job's rule on the job's pay, else the adult's percentage."""
    adult = context.household.adults[adult_index]
    if on_job and context.pension_rule is not None:
        job = context.household.job
        return pension_monthly_equivalent(context.pension_rule, adult.age, gross, job.pay_frequency, context.rates)
    return gross * adult.pension_contribution_percent / 100


def scenario_from_pay(
    context: Context,
    gross_by_adult: tuple[float, ...],
    base_taxes: tuple[float, ...],
    insurance: tuple[float, ...],
    pensions: tuple[float, ...],
    pay_after_pension: tuple[float, ...],
    travel_costs: float,
    *,
    working: tuple[int, float] | None = None,
    childcare_costs: float | None = None,
    in_paid_work: tuple[float, ...] | None = None,
    childcare_share: float = 1.0,
    benefit_cap_grace: bool = False,
) -> Scenario:
    """One assessment period's income from each adult's pay and its income tax (on earnings alone),
    NI and pension; ``pay_after_pension`` is each adult's yearly pay after pension, for the tax on
    other taxable income and the High Income Child Benefit Charge.

    The steady month (``compute_scenario``) and each month of the first year (months.py) both come
    here, so every household rule applies to both. ``in_paid_work`` is the pay that decides the
    childcare work condition when a month has no payday but the adult works; ``childcare_share``
    scales childcare paid in a part month; ``benefit_cap_grace`` lifts the cap in a grace period
    (UC Regs reg 82(1)(b)).
    """
    household, rates = context.household, context.rates
    taxes = list(base_taxes)
    net_earnings = []
    work_condition = meets_childcare_work_condition(household, in_paid_work or gross_by_adult)
    childcare = household.monthly_childcare_costs if childcare_costs is None else childcare_costs
    childcare_paid = childcare * childcare_share if work_condition else 0.0
    incomes = scenario_incomes(
        household,
        rates,
        working=working,
        earnings_weekly_by_adult=tuple(
            benefit_earnings_weekly(gross, tax, ni, pension)
            for gross, tax, ni, pension in zip(gross_by_adult, taxes, insurance, pensions)
        ),
        care_costs_monthly=childcare_paid,
    )
    benefit_tax = 0.0
    highest_adjusted_net_income = 0.0
    for index, pay_annual in enumerate(pay_after_pension):
        taxable_other_annual = incomes.taxable_by_adult[index] * MONTHS_PER_YEAR if household.incomes else 0.0
        if taxable_other_annual > 0:
            # Taxable benefits and pensions use the personal allowance first (PAYE codes them in), so
            # the tax on earnings is the tax on everything less the tax on that income alone.
            # Added to this period's tax on earnings as the year's share (months.py passes per-period tax).
            total = income_tax_annual(pay_annual + taxable_other_annual, rates.income_tax, context.scottish)
            alone = income_tax_annual(taxable_other_annual, rates.income_tax, context.scottish)
            on_earnings_alone = income_tax_annual(pay_annual, rates.income_tax, context.scottish)
            taxes[index] += (total - alone - on_earnings_alone) / MONTHS_PER_YEAR
            benefit_tax += alone / MONTHS_PER_YEAR
        highest_adjusted_net_income = max(highest_adjusted_net_income, pay_annual + taxable_other_annual)
        gross = gross_by_adult[index]
        net_earnings.append(max(0.0, gross - taxes[index] - insurance[index] - pensions[index]))  # reg 55(5)
    charge = (
        child_benefit_charge_annual(highest_adjusted_net_income, context.child_benefit_annual, rates.child_benefit)
        / MONTHS_PER_YEAR
    )
    award = universal_credit(
        household,
        context.fixed,
        rates,
        gross_earnings=gross_by_adult,
        net_earnings=tuple(net_earnings),
        child_benefit_monthly=context.child_benefit_monthly,
        childcare_costs_paid=childcare_paid,
        other_unearned_income=incomes.counted_by_uc,
        other_capped_benefits=incomes.in_benefit_cap,
        carers_allowance_paid=incomes.carers_allowance_paid,
    )
    if benefit_cap_grace and award.benefit_cap_reduction > 0:
        award = lift_benefit_cap(award)
    reduction = council_tax_reduction(
        context.scheme,
        context.council_tax_liability,
        earned_income=award.earned_income,
        unearned_income=household.monthly_unearned_income + incomes.counted_by_uc,
        universal_credit=award.universal_credit,
        capital=household.capital,
    )
    earnings = sum(gross_by_adult)
    income_tax = sum(taxes) + benefit_tax + charge
    national_insurance = sum(insurance)
    pension_contributions = sum(pensions)
    costs_of_work = childcare_paid + travel_costs
    other_income = household.monthly_unearned_income + incomes.total
    net_income = (
        earnings
        - income_tax
        - national_insurance
        - pension_contributions
        + other_income
        + award.universal_credit
        + context.child_benefit_monthly
        + reduction
        - costs_of_work
    )
    return Scenario(
        gross_by_adult=gross_by_adult,
        earnings=earnings,
        income_tax=income_tax,
        child_benefit_charge=charge,
        national_insurance=national_insurance,
        pension_contributions=pension_contributions,
        universal_credit=award,
        child_benefit=context.child_benefit_monthly,
        council_tax_reduction=reduction,
        childcare_paid=childcare_paid,
        travel_costs=travel_costs,
        costs_of_work=costs_of_work,
        other_income=other_income,
        net_income=net_income,
        work_condition_met=work_condition,
        incomes=incomes,
        working=working,
        childcare_costs=childcare_costs,
    )


def lift_benefit_cap(award: UniversalCreditResult) -> UniversalCreditResult:
    """The award with the cap not applied: the assessment period is in a grace period (reg 82(1)(b))."""
    rules = tuple(rule for rule in award.rules if rule != "benefit_cap") + ("benefit_cap_grace_period",)
    return dataclasses.replace(
        award,
        universal_credit=award.award_before_cap,
        benefit_cap_reduction=0.0,
        benefit_cap_applies=False,
        benefit_cap_lifted_by_earnings=0.0,
        rules=rules,
    )


def with_earnings(gross_by_adult: tuple[float, ...], adult: int, monthly: float) -> tuple[float, ...]:
    return tuple(monthly if index == adult else gross for index, gross in enumerate(gross_by_adult))


def keep_per_pound(context: Context, scenario: Scenario, adult: int) -> float:
    """How much of one more pound of gross pay the household keeps, at this scenario's pay."""
    return (raised_scenario(context, scenario, adult).net_income - scenario.net_income) / MARGINAL_STEP


def raised_scenario(context: Context, scenario: Scenario, adult: int) -> Scenario:
    """The same scenario with one more pound of gross pay a month for ``adult``."""
    raised = with_earnings(scenario.gross_by_adult, adult, scenario.gross_by_adult[adult] + MARGINAL_STEP)
    return compute_scenario(
        context, raised, scenario.travel_costs, working=scenario.working, childcare_costs=scenario.childcare_costs
    )


def to_penny(amount: float) -> float:
    """Round half up (away from zero) to the penny. The tiny nudge makes a float such as
    2.675, stored as 2.67499999..., round up as it would on paper."""
    pennies = math.floor(abs(amount) * 100 + 0.5 + 1e-7)
    return math.copysign(pennies, amount) / 100 if pennies else 0.0


SCENARIO_KEYS = (
    "earnings",
    "income_tax",
    "national_insurance",
    "pension_contributions",
    "universal_credit",
    "child_benefit",
    "council_tax_reduction",
    "costs_of_work",
    "other_income",
    "net_income",
)


def scenario_output(scenario: Scenario) -> dict[str, float]:
    values = {
        "earnings": scenario.earnings,
        "income_tax": scenario.income_tax,
        "national_insurance": scenario.national_insurance,
        "pension_contributions": scenario.pension_contributions,
        "universal_credit": scenario.universal_credit.universal_credit,
        "child_benefit": scenario.child_benefit,
        "council_tax_reduction": scenario.council_tax_reduction,
        "costs_of_work": scenario.costs_of_work,
        "other_income": scenario.other_income,
        "net_income": scenario.net_income,
    }
    return {key: to_penny(values[key]) for key in SCENARIO_KEYS}


def breakdown_output(award: UniversalCreditResult) -> dict[str, float]:
    return {key: to_penny(getattr(award, key)) for key in UniversalCreditResult.BREAKDOWN_KEYS}


def details_output(context: Context, scenario: Scenario, keep: float | None) -> dict[str, Any]:
    """Figures behind the explanation, for the screen and for checking by hand."""
    award, housing = scenario.universal_credit, context.fixed.housing
    return {
        "earnings_by_adult": [to_penny(gross) for gross in scenario.gross_by_adult],
        "uc_earned_income": to_penny(award.earned_income),
        "work_allowance": to_penny(award.work_allowance),
        "universal_credit_before_benefit_cap": to_penny(award.award_before_cap),
        "benefit_cap_monthly": to_penny(context.fixed.benefit_cap_monthly),
        "benefit_cap_applies": award.benefit_cap_applies,
        "benefit_cap_exemption": award.benefit_cap_exemption or (None if award.benefit_cap_applies else "earnings"),
        "eligible_housing_costs": to_penny(housing.eligible_costs),
        "lha_cap_reduction": to_penny(housing.lha_cap_reduction),
        "bedroom_reduction": to_penny(housing.bedroom_reduction),
        "non_dependant_deductions": to_penny(housing.non_dependant_deductions),
        "childcare_costs_counted": to_penny(award.childcare_costs_counted),
        "childcare_work_condition_met": scenario.work_condition_met,
        "travel_costs": to_penny(scenario.travel_costs),
        "child_benefit_charge": to_penny(scenario.child_benefit_charge),
        "keep_per_extra_pound": None if keep is None else to_penny(keep),
        "rules_applied": list(award.rules),
    }


def sweep_childcare(household: Household, hours: float) -> float | None:
    """Childcare at ``hours`` of the job in the sweep: the costs entered are for the job's hours,
    so they scale with the hours worked, unless staff fixed them (``childcare_costs_fixed``) or
    the job's adult already works now (the childcare is not only for the job)."""
    job = household.job
    if (
        household.childcare_costs_fixed
        or job is None
        or job.hours_per_week <= 0
        or household.adults[job.adult].monthly_earnings > 0
    ):
        return None
    return household.monthly_childcare_costs * hours / job.hours_per_week


def sweep_scenario(context: Context, base: tuple[float, ...], hours: float) -> Scenario:
    """The job at ``hours`` a week (no job, no travel, at 0), as the sweep and the cliffs see it."""
    job = context.household.job
    monthly = hours * job.hourly_wage * WEEKS_PER_YEAR / MONTHS_PER_YEAR
    return compute_scenario(
        context,
        with_earnings(base, job.adult, monthly),
        job.monthly_travel_costs if hours > 0 else 0.0,
        working=(job.adult, hours),
        childcare_costs=sweep_childcare(context.household, hours),
    )


def sweep_points(context: Context, base: tuple[float, ...], job_adult: int, hourly_wage: float, travel: float) -> list[dict]:
    """Income at 0 to 48 hours a week in half-hour steps at the job's wage (no job, no travel, at 0)."""
    points = []
    for hours in SWEEP_HOURS:
        scenario = sweep_scenario(context, base, hours)
        points.append(
            {
                "hours": hours,
                "earnings": to_penny(scenario.earnings),
                "net_income": to_penny(scenario.net_income),
                "universal_credit": to_penny(scenario.universal_credit.universal_credit),
            }
        )
    return points


def calculate(
    data: dict,
    *,
    sweep: bool = False,
    council_tax_scheme: dict | None = None,
    scottish_taxpayer: bool | None = None,
    today: dt.date | None = None,
) -> dict:
    """Compare income now and with the job offer; see docs/benefits-calc.md for the shapes.

    ``council_tax_scheme`` is the site's local scheme (see council_tax.py), ``scottish_taxpayer``
    the site's default (the input's own ``scottish_taxpayer`` wins), ``today`` picks the tax
    year when the input has none (default: today's date). Raises ``InputError`` for bad input.
    """
    household = parse_household(data)
    rates = rates_for(household.tax_year, today)
    check_children_against_tax_year(
        household, rates.starts.year, rates.universal_credit.child_element_born_before_cutoff.year
    )
    scheme = None if council_tax_scheme is None else parse_scheme(council_tax_scheme)
    if scottish_taxpayer is not None and not isinstance(scottish_taxpayer, bool):
        raise InputError("scottish_taxpayer", "the site option must be true, false or None")
    context = build_context(household, rates, scheme, scottish_taxpayer)

    job = household.job
    focus_adult = job.adult if job else max(range(len(household.adults)), key=lambda i: household.adults[i].monthly_earnings)
    now_gross = tuple(adult.monthly_earnings for adult in household.adults)
    now = compute_scenario(context, now_gross, 0.0)
    now_keep = keep_per_pound(context, now, focus_adult) if now_gross[focus_adult] > 0 else None

    with_job = job_keep = None
    if job:
        job_gross = with_earnings(now_gross, job.adult, job.monthly_earnings)
        with_job = compute_scenario(
            context, job_gross, job.monthly_travel_costs, working=(job.adult, job.hours_per_week)
        )
        job_keep = keep_per_pound(context, with_job, job.adult) if job_gross[job.adult] > 0 else None
    splits = {
        "now": None if now_keep is None else explain.marginal_split(now, raised_scenario(context, now, focus_adult)),
        "with_job": None
        if job_keep is None
        else explain.marginal_split(with_job, raised_scenario(context, with_job, job.adult)),
    }
    out_of_scope = scope.out_of_scope(household, rates)
    notes = explain.Notes.build(context, now, with_job, now_keep, job_keep, focus_adult, splits=splits, out_of_scope=out_of_scope)
    year = None
    if with_job is not None and not out_of_scope:
        from . import months  # months imports this module

        model = months.first_year(context, now, with_job, today or dt.date.today())
        year = months.year_output(context, model)
        flow = year["cash_flow"]
        if model.sentences:  # the months differ: the year's average is the headline
            notes.explanation[0:1] = model.sentences
        # The first months as money arriving: said when the months differ or the start date is known.
        if model.sentences or (job.start_date and flow["largest_gap"] > 0):
            notes.explanation[len(model.sentences) or 1 : len(model.sentences) or 1] = flow["summary"]
            if flow["largest_gap"] > 0:
                notes.warnings.append(months.HELP_IN_ONE_SENTENCE)
        notes.warnings += model.warnings
        notes.assumptions += model.assumptions
    result: dict[str, Any] = {
        "tax_year": rates.tax_year,
        "now": scenario_output(now),
        "with_job": None if with_job is None else scenario_output(with_job),
        # The headline: the average over the first year in work, month by month (issue 13).
        "better_off": None if year is None else year["average"]["better_off"],
        "better_off_steady_month": None if with_job is None else to_penny(with_job.net_income - now.net_income),
        "universal_credit_breakdown": {
            "now": breakdown_output(now.universal_credit),
            "with_job": None if with_job is None else breakdown_output(with_job.universal_credit),
        },
        "explanation": notes.explanation,
        "warnings": notes.warnings,
        "assumptions": notes.assumptions,
        "rules_applied": {
            "now": list(now.universal_credit.rules),
            "with_job": None if with_job is None else list(with_job.universal_credit.rules),
        },
        "details": {
            "now": details_output(context, now, now_keep),
            "with_job": None if with_job is None else details_output(context, with_job, job_keep),
        },
        "council_tax_scheme": None if scheme is None else {"name": scheme.name, "local": True, "source": scheme.source},
        "scottish_taxpayer": context.scottish,
        # issue 13 (calc-rules)
        "cannot_answer": " ".join(reason.reason for reason in out_of_scope) or None,
        "cannot_answer_codes": [reason.code for reason in out_of_scope],
        "marginal_split": splits,
        "passported_help": passported.passported_help(context, now, with_job, today),
        "incomes": explain.incomes_output(now, with_job),
        # issue 13 (calc-months): the first year in work, month by month
        "year": year,
    }
    if out_of_scope:
        result["better_off"] = result["better_off_steady_month"] = None
    if sweep:
        if job is None:
            raise InputError("job", "is needed for a sweep: the sweep varies the hours of the job at its hourly wage")
        result["sweep"] = sweep_points(context, now_gross, job.adult, job.hourly_wage, job.monthly_travel_costs)
        result["cliffs"], offer = cliffs.find_cliffs(
            lambda hours: sweep_scenario(context, now_gross, hours), SWEEP_HOURS, job.hours_per_week, context
        )
        result["explanation"] += offer
    return result
