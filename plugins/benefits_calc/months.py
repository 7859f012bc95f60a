"""The first year in work, one Universal Credit assessment period at a time (issue 13).

UC is worked out per monthly assessment period on the wages actually received in it
(UC Regs reg 21, 54 and 61): paid weekly, some periods hold 4 paydays and some 5; paid
four-weekly, one period a year holds 2. So a steady-month figure can be hundreds of pounds
out, most of all near the benefit cap's earnings exception (reg 82(1)(a), 881 a month).

This module lays out the paydays from the job's start, counts them in each of the 12
assessment periods starting with the one that holds the first wage, works out tax, NI and
pension per pay period (pay.py), then each period's UC through the engine's single-period
calculation (``engine.scenario_from_pay``: every household rule applies), the benefit cap
with the grace period (reg 82(1)(b), (2), (3)), and the net income. The headline is the
average over those 12 periods, with the worst and best named; the first three periods from
the start are shown as cash flow (wages in arrears, UC paid after each period ends).

Pure: dates and numbers only; no Textual, nothing from ``hub``.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
from dataclasses import dataclass, field

from . import pay
from .engine import Context, Scenario, pension_monthly, scenario_from_pay, to_penny
from .explain import gbp
from .tax import MONTHS_PER_YEAR, income_tax_annual, national_insurance_annual

YEAR_PERIODS = 12
CASH_FLOW_PERIODS = 3
DEFAULT_ASSESSMENT_PERIOD_DAY = 1
DAYS_PER_PERIOD = {"weekly": 7, "fortnightly": 14, "four_weekly": 28}
FREQUENCY_WORDS = {"monthly": "monthly", "four_weekly": "every four weeks", "fortnightly": "every two weeks", "weekly": "weekly"}

# Where to get help with a gap before the first wage or after a reduced UC payment. Not rates:
# discretionary or loan schemes, so no amounts are promised.
HELP_WITH_A_GAP = (
    "Ask your work coach about the Flexible Support Fund before you start: it can pay travel, work clothes "
    "and the first month's childcare until your first wage (DWP Flexible Support Fund guidance; discretionary).",
    "If a Universal Credit payment drops before your wages catch up, you can ask for a change of circumstances "
    "or budgeting advance: a loan, repaid from later payments (Social Security (Payments on Account of "
    "Benefit) Regulations 2013, SI 2013/383).",
    "Childcare paid up front: report it in the same assessment period and Universal Credit pays back 85% with "
    "that period's payment (UC Regs reg 33-34).",
)

HELP_IN_ONE_SENTENCE = (
    "For a gap before your first wage or after a smaller Universal Credit payment: ask your work coach about the "
    "Flexible Support Fund (travel, work clothes, the first month's childcare; discretionary) or a Universal Credit "
    "advance (a loan repaid from later payments, SI 2013/383); childcare paid up front and reported in the same "
    "assessment period is paid back at 85% (UC Regs reg 33-34)."
)


@dataclass(frozen=True)
class AssessmentPeriod:
    starts: dt.date
    ends: dt.date

    def holds(self, day: dt.date) -> bool:
        return self.starts <= day <= self.ends

    @property
    def length(self) -> int:
        return (self.ends - self.starts).days + 1


@dataclass(frozen=True)
class PeriodResult:
    period: AssessmentPeriod
    paydays: tuple[dt.date, ...]
    scenario: Scenario
    take_home_per_payday: float
    cap_status: str  # applies, grace_period, lifted_by_earnings, under_cap, exempt
    better_off: float
    in_year: bool  # one of the 12 periods from the first wage (else before it)


@dataclass
class FirstYear:
    frequency: str
    start: dt.date
    first_pay: dt.date
    period_day: int
    period_pay: float
    pension_per_period: float
    employer_pension_per_period: float
    periods: list[PeriodResult]
    now: Scenario
    steady: Scenario
    steady_better_off: float
    sentences: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)

    @property
    def year(self) -> list[PeriodResult]:
        return [result for result in self.periods if result.in_year]

    @property
    def average_net_income(self) -> float:
        return sum(result.scenario.net_income for result in self.year) / len(self.year)

    @property
    def average_better_off(self) -> float:
        return self.average_net_income - self.now.net_income

    @property
    def uniform(self) -> bool:
        """Every month of the year the same as the steady month (to the penny)."""
        return all(abs(result.better_off - self.steady_better_off) < 0.005 for result in self.year)


# -- dates ---------------------------------------------------------------------------------------


def day_in_month(year: int, month: int, day: int) -> dt.date:
    """The ``day``th of the month, or its last day when the month is shorter (UC Regs reg 21(3))."""
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def add_months(year: int, month: int, count: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + count
    return index // 12, index % 12 + 1


def period_containing(day: dt.date, period_day: int) -> AssessmentPeriod:
    starts = day_in_month(day.year, day.month, period_day)
    if day < starts:
        starts = day_in_month(*add_months(day.year, day.month, -1), period_day)
    return AssessmentPeriod(starts, next_period_start(starts, period_day) - dt.timedelta(days=1))


def next_period_start(starts: dt.date, period_day: int) -> dt.date:
    return day_in_month(*add_months(starts.year, starts.month, 1), period_day)


def following(period: AssessmentPeriod, period_day: int) -> AssessmentPeriod:
    starts = period.ends + dt.timedelta(days=1)
    return AssessmentPeriod(starts, next_period_start(starts, period_day) - dt.timedelta(days=1))


def default_first_pay(start: dt.date, frequency: str) -> dt.date:
    """Paid in arrears: one pay period after the first day of work."""
    if frequency == "monthly":
        return day_in_month(*add_months(start.year, start.month, 1), start.day)
    return start + dt.timedelta(days=DAYS_PER_PERIOD[frequency])


def previous_payday(first: dt.date, frequency: str) -> dt.date:
    """The payday one period before ``first``: where a full pay period's wages would have come."""
    if frequency == "monthly":
        return day_in_month(*add_months(first.year, first.month, -1), first.day)
    return first - dt.timedelta(days=DAYS_PER_PERIOD[frequency])


def paydays_until(first: dt.date, frequency: str, last: dt.date) -> list[dt.date]:
    """Every payday from ``first`` to ``last``: the same date each month (the last day of a shorter
    month), or every 7, 14 or 28 days. Weekend and bank-holiday moves are not modelled."""
    days = []
    if frequency == "monthly":
        count = 0
        while (day := day_in_month(*add_months(first.year, first.month, count), first.day)) <= last:
            days.append(day)
            count += 1
        return days
    step = dt.timedelta(days=DAYS_PER_PERIOD[frequency])
    day = first
    while day <= last:
        days.append(day)
        day += step
    return days


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def period_words(period: AssessmentPeriod) -> str:
    """'July 2027' for a calendar month, else '15 June to 14 July 2027'."""
    if period.starts.day == 1 and period.ends.month == period.starts.month and period.ends.day == calendar.monthrange(
        period.ends.year, period.ends.month
    )[1]:
        return f"{period.starts:%B %Y}"
    first = f"{period.starts.day} {period.starts:%B}" + ("" if period.starts.year == period.ends.year else f" {period.starts.year}")
    return f"{first} to {long_date(period.ends)}"


# -- the model -----------------------------------------------------------------------------------


def first_year(context: Context, now: Scenario, with_job: Scenario, today: dt.date) -> FirstYear:
    """The 12 assessment periods from the first wage, and the periods before it, for the job."""
    household, rates = context.household, context.rates
    job = household.job
    frequency = job.pay_frequency
    start = job.start_date or today
    first_pay = job.first_pay_date or default_first_pay(start, frequency)
    period_day = job.assessment_period_day or DEFAULT_ASSESSMENT_PERIOD_DAY
    periods_per_year = rates.pay_periods.periods_per_year(frequency)
    worker = household.adults[job.adult]

    period_pay = pay.period_pay_from_monthly(job.monthly_earnings, frequency, rates)
    pension = pay.pension_for_period(context.pension_rule, worker.age, period_pay, frequency, rates)
    tax, ni = pay.tax_and_ni_for_period(period_pay, pension, periods_per_year, rates, context.scottish)
    employer = 0.0
    if context.pension_rule.kind == pay.AUTO_ENROLMENT and pension > 0:
        _, lower, upper = rates.workplace_pension.per_period(frequency)
        employer = rates.workplace_pension.employer_minimum_rate * max(0.0, min(period_pay, upper) - lower)

    # The other adult keeps their steady monthly pay and deductions in every period.
    others = {}
    for index, adult in enumerate(household.adults):
        if index != job.adult:
            gross = with_job.gross_by_adult[index]
            own_pension = gross * adult.pension_contribution_percent / 100
            others[index] = (
                gross,
                income_tax_annual((gross - own_pension) * MONTHS_PER_YEAR, rates.income_tax, context.scottish) / MONTHS_PER_YEAR,
                national_insurance_annual(gross * MONTHS_PER_YEAR, rates.national_insurance) / MONTHS_PER_YEAR,
                own_pension,
            )
    now_job_adult = now.gross_by_adult[job.adult]
    now_own_pension = now_job_adult * worker.pension_contribution_percent / 100
    now_own = (
        now_job_adult,
        income_tax_annual((now_job_adult - now_own_pension) * MONTHS_PER_YEAR, rates.income_tax, context.scottish) / MONTHS_PER_YEAR,
        national_insurance_annual(now_job_adult * MONTHS_PER_YEAR, rates.national_insurance) / MONTHS_PER_YEAR,
        now_own_pension,
    )

    # The year starts with the first period in which wages arrive in full: it starts on or after
    # the start date and after the payday before the first (which never came), and holds a wage.
    # A period the job starts inside, or one missing that payday, is shown in the cash flow only.
    before_first = previous_payday(first_pay, frequency)
    first_full = period_containing(max(start, before_first + dt.timedelta(days=1)), period_day)
    if first_full.starts < start or first_full.starts <= before_first:
        first_full = following(first_full, period_day)
    year_starts = max(period_containing(first_pay, period_day).starts, first_full.starts)
    period = period_containing(start, period_day)
    layout: list[tuple[AssessmentPeriod, bool]] = []
    while period.starts < year_starts:
        layout.append((period, False))
        period = following(period, period_day)
    for _ in range(YEAR_PERIODS):
        layout.append((period, True))
        period = following(period, period_day)
    all_paydays = paydays_until(first_pay, frequency, layout[-1][0].ends)

    threshold = rates.benefit_cap.earnings_exception_monthly
    grace_months = rates.pay_periods.benefit_cap_grace_period_months
    qualifying = rates.pay_periods.benefit_cap_grace_qualifying_months
    months_at_threshold = qualifying if job.earned_above_cap_threshold_last_12_months else 0
    grace_left = 0
    working = with_job.gross_by_adult
    on_job = (job.adult, job.hours_per_week)
    # Yearly pay after pension per adult, for tax on other taxable income and the HICBC: the steady month's.
    steady_yearly = tuple(
        (gross - pension) * MONTHS_PER_YEAR for gross, pension in zip(with_job.gross_by_adult, steady_pensions(context, with_job))
    )
    now_yearly = tuple((gross - pension) * MONTHS_PER_YEAR for gross, pension in zip(now.gross_by_adult, steady_pensions(context, now)))
    results: list[PeriodResult] = []
    computed: dict[tuple, Scenario] = {}
    for assessment_period, in_year in layout:
        days = tuple(
            all_paydays[bisect.bisect_left(all_paydays, assessment_period.starts) : bisect.bisect_right(all_paydays, assessment_period.ends)]
        )
        count = len(days)
        worked = (assessment_period.ends - max(start, assessment_period.starts)).days + 1
        share = 1.0 if in_year else max(0.0, worked / assessment_period.length)  # costs from the start
        if count or in_year:
            own = (count * period_pay, count * tax, count * ni, count * pension)
            yearly = steady_yearly
        else:  # before the first wage: current pay (if any) continues
            own = now_own
            yearly = now_yearly
        columns = [others.get(index) or own for index in range(len(household.adults))]
        gross, taxes, insurance, pensions = (tuple(column[part] for column in columns) for part in range(4))
        arguments = (context, gross, taxes, insurance, pensions, yearly, job.monthly_travel_costs * share)
        options = {"working": on_job, "in_paid_work": working, "childcare_share": share}
        key = (gross, taxes, insurance, pensions, yearly, share)
        scenario = computed.get(key)
        if scenario is None:  # months with the same paydays are the same calculation
            scenario = computed[key] = scenario_from_pay(*arguments, **options)
        award = scenario.universal_credit
        reaches_threshold = award.earned_income >= threshold
        in_grace = False
        if context.fixed.benefit_cap_exemption is None and not reaches_threshold:
            if grace_left > 0:
                in_grace = True
            elif months_at_threshold >= qualifying:
                in_grace, grace_left = True, grace_months  # reg 82(2)(a): starts with this period
        if grace_left > 0:
            grace_left -= 1
        months_at_threshold = months_at_threshold + 1 if reaches_threshold else 0
        if in_grace and award.benefit_cap_reduction > 0:
            scenario = scenario_from_pay(*arguments, **options, benefit_cap_grace=True)
        results.append(
            PeriodResult(
                period=assessment_period,
                paydays=days,
                scenario=scenario,
                take_home_per_payday=period_pay - tax - ni - pension,
                cap_status=cap_status(context, scenario, in_grace),
                better_off=scenario.net_income - now.net_income,
                in_year=in_year,
            )
        )
    model = FirstYear(
        frequency=frequency,
        start=start,
        first_pay=first_pay,
        period_day=period_day,
        period_pay=period_pay,
        pension_per_period=pension,
        employer_pension_per_period=employer,
        periods=results,
        now=now,
        steady=with_job,
        steady_better_off=with_job.net_income - now.net_income,
    )
    model.sentences = year_sentences(context, model)
    model.warnings = year_warnings(context, model)
    model.assumptions = year_assumptions(context, model)
    return model


def steady_pensions(context: Context, scenario: Scenario) -> tuple[float, ...]:
    """Each adult's pension in a steady scenario (the job's rule for the job's adult when working)."""
    job_adult = scenario.working[0] if scenario.working is not None else None
    return tuple(
        pension_monthly(context, index, gross, on_job=index == job_adult) for index, gross in enumerate(scenario.gross_by_adult)
    )


def cap_status(context: Context, scenario: Scenario, in_grace: bool) -> str:
    award = scenario.universal_credit
    if context.fixed.benefit_cap_exemption is not None:
        return "exempt"
    if award.benefit_cap_reduction > 0:
        return "applies"
    if in_grace and "benefit_cap_grace_period" in award.rules:
        return "grace_period"
    if award.benefit_cap_lifted_by_earnings > 0:
        return "lifted_by_earnings"
    return "under_cap"


# -- words ---------------------------------------------------------------------------------------


def paydays_words(count: int) -> str:
    return "no payday" if count == 0 else "1 payday" if count == 1 else f"{count} paydays"


def months_words(count: int) -> str:
    return "1 month" if count == 1 else f"{count} months"


def amount_words(better_off: float) -> str:
    rounded = round(better_off)
    if rounded >= 0:
        return f"£{rounded:,} better off"
    return f"£{-rounded:,} worse off"


def year_sentences(context: Context, model: FirstYear) -> list[str]:
    """The headline for a year whose months differ, in the issue's words:
    "in 8 months with 4 paydays you will be capped: £773 better off; in the 4 months ..."."""
    if model.uniform:
        return []
    year = model.year
    groups: dict[tuple[int, str], list[PeriodResult]] = {}
    for result in year:
        groups.setdefault((len(result.paydays), result.cap_status), []).append(result)
    parts = []
    for (count, status), members in sorted(groups.items(), key=lambda item: (item[0][0], item[0][1])):
        average = sum(member.better_off for member in members) / len(members)
        capped = {
            "applies": " the benefit cap applies:",
            "grace_period": " the benefit cap's grace period protects you:",
        }.get(status, "")
        parts.append(f"in {months_words(len(members))} with {paydays_words(count)}{capped} {amount_words(average)}")
    worst = min(year, key=lambda result: result.better_off)
    best = max(year, key=lambda result: result.better_off)
    paid = FREQUENCY_WORDS[model.frequency]
    verdict = model.average_better_off
    average = (
        f"on average {gbp(to_penny(verdict))} a month better off"
        if verdict >= 0.005
        else f"on average {gbp(to_penny(-verdict))} a month worse off"
        if verdict <= -0.005
        else "on average no better and no worse off"
    )
    sentences = [
        f"Paid {paid}, over your first year in work (the 12 Universal Credit assessment periods from your first "
        f"wage) you would be {average}: " + "; ".join(parts) + ".",
        f"The worst month is {period_words(worst.period)} ({amount_words(worst.better_off)}), the best "
        f"{period_words(best.period)} ({amount_words(best.better_off)}). Universal Credit counts the wages paid "
        "in each assessment period (UC Regs reg 54 and 61), so the number of paydays in it matters.",
    ]
    if model.steady_better_off != verdict:
        sentences.append(
            f"If every month had the same pay ({gbp(to_penny(model.steady.earnings))}) you would be "
            f"{amount_words(model.steady_better_off)} a month, but wages do not arrive that way."
        )
    return sentences


def cash_flow(context: Context, model: FirstYear) -> dict:
    """The first three assessment periods from the start as money arriving: wages on their paydays,
    and each UC payment 7 days after the period it is for (it reflects that period's wages)."""
    rates = context.rates
    delay = dt.timedelta(days=rates.pay_periods.universal_credit_paid_days_after_period)
    rows = []
    previous_uc = model.now.universal_credit.universal_credit
    for result in model.periods[:CASH_FLOW_PERIODS]:
        scenario = result.scenario
        wages = scenario.earnings - scenario.income_tax - scenario.national_insurance - scenario.pension_contributions
        wages += scenario.child_benefit_charge  # the charge is paid through Self Assessment, not from wages
        cash = (
            wages
            + previous_uc
            + scenario.child_benefit
            + scenario.council_tax_reduction
            + scenario.other_income
            - scenario.costs_of_work
        )
        rows.append(
            {
                "starts": result.period.starts.isoformat(),
                "ends": result.period.ends.isoformat(),
                "paydays": [day.isoformat() for day in result.paydays],
                "wages_take_home": to_penny(wages),
                "universal_credit_received": to_penny(previous_uc),
                "universal_credit_received_on": (result.period.starts - dt.timedelta(days=1) + delay).isoformat(),
                "universal_credit_for_this_period": to_penny(scenario.universal_credit.universal_credit),
                "universal_credit_for_this_period_paid_on": (result.period.ends + delay).isoformat(),
                "costs_of_work": to_penny(scenario.costs_of_work),
                "money_in": to_penny(cash),
                "compared_with_now": to_penny(cash - model.now.net_income),
            }
        )
        previous_uc = scenario.universal_credit.universal_credit
    first = next(result for result in model.periods if result.paydays)
    first_uc = first.scenario.universal_credit.universal_credit
    paid_on = first.period.ends + delay
    sentences = [
        f"You start on {long_date(model.start)}. Wages are paid in arrears: your first wage "
        f"({gbp(to_penny(model.period_pay))} before deductions, {gbp(to_penny(first.take_home_per_payday))} take-home) "
        f"should arrive on {long_date(model.first_pay)}.",
        first_wage_effect(first, model.now.universal_credit.universal_credit, first_uc, paid_on),
    ]
    gap = min(row["compared_with_now"] for row in rows)
    if gap < 0:
        worst = min(rows, key=lambda row: row["compared_with_now"])
        index = rows.index(worst)
        result = model.periods[index]
        why = (
            "you pay the costs of work before the first wage arrives"
            if not result.paydays
            else "the Universal Credit paid in it was cut by the previous period's wages"
            if worst["universal_credit_received"] < model.now.universal_credit.universal_credit
            else "of the costs of work"
        )
        sentences.append(
            f"In the assessment period {period_words(result.period)} you would have {gbp(-gap)} less to live on "
            f"than now, because {why}."
        )
    else:
        sentences.append("In none of the first three months would you have less money coming in than now.")
    return {
        "periods": rows,
        "first_wage": {
            "date": model.first_pay.isoformat(),
            "gross": to_penny(model.period_pay),
            "take_home": to_penny(first.take_home_per_payday),
            "counts_in_period_starting": first.period.starts.isoformat(),
            "reduces_universal_credit_paid_on": paid_on.isoformat(),
        },
        "largest_gap": to_penny(-gap) if gap < 0 else 0.0,
        "summary": sentences,
        "help": list(HELP_WITH_A_GAP) if gap < 0 or any(row["costs_of_work"] > 0 for row in rows) else [],
    }


def first_wage_effect(first: PeriodResult, now_uc: float, first_uc: float, paid_on: dt.date) -> str:
    where = f"It counts in the assessment period {period_words(first.period)}"
    when = f"the Universal Credit paid about {long_date(paid_on)}"
    if first_uc < now_uc - 0.005:
        return f"{where}, so it reduces {when} to {gbp(to_penny(first_uc))} (from {gbp(to_penny(now_uc))} now)."
    if first_uc > now_uc + 0.005:
        return f"{where} and lifts the benefit cap, so {when} rises to {gbp(to_penny(first_uc))} (from {gbp(to_penny(now_uc))} now)."
    reason = (
        "the benefit cap was already taking more than the wages take off"
        if first.cap_status == "applies"
        else "the wages are within the work allowance"
    )
    return f"{where}, but {when} stays {gbp(to_penny(first_uc))}: {reason}."


def year_warnings(context: Context, model: FirstYear) -> list[str]:
    household, rates = context.household, context.rates
    notes = []
    threshold = rates.benefit_cap.earnings_exception_monthly
    capped = [result for result in model.year if result.cap_status == "applies"]
    if (
        capped
        and household.job.earned_above_cap_threshold_last_12_months is None
        and model.now.universal_credit.earned_income >= threshold
    ):
        notes.append(
            f"If your household has earned at least {gbp(threshold)} a month (after tax, National Insurance and "
            "pension) in each of the last 12 months, a 9-month grace period stops the benefit cap when earnings "
            "fall below that (UC Regs reg 82(1)(b)-(3)): tell staff, as the figures here assume it does not apply."
        )
    tipped = [
        result for result in capped
        if result.scenario.pension_contributions > 0
        and result.scenario.universal_credit.earned_income + result.scenario.pension_contributions >= threshold
    ]
    if tipped:
        notes.append(
            f"The pension contribution is what takes earnings under {gbp(threshold)} in {months_words(len(tipped))}, "
            "so the benefit cap applies there: without it (or with a little more pay) the cap would not. Weigh the "
            "employer's contribution you would lose before opting out."
        )
    if capped and not model.uniform:
        notes.append(
            f"In {months_words(len(capped))} of your first year the benefit cap comes back because the wages paid "
            f"in that assessment period come to less than {gbp(threshold)} after deductions. A few more hours, or "
            "pay that falls the same in each month, would avoid it."
        )
    return notes


def year_assumptions(context: Context, model: FirstYear) -> list[str]:
    household, rates = context.household, context.rates
    job = household.job
    rule = context.pension_rule
    notes = [] if model.uniform else [
        f"The first year is the 12 Universal Credit assessment periods from the first one in which wages "
        "arrive in full (the months before it are shown as cash flow); "
        f"assessment periods start on day {model.period_day} of each month"
        + ("" if job.assessment_period_day else " (not given: the claim's own day changes which months get extra paydays)")
        + f". The job starts on {long_date(model.start)}"
        + ("" if job.start_date else " (not given: today)")
        + f" and pays {FREQUENCY_WORDS[model.frequency]} from {long_date(model.first_pay)}"
        + ("" if job.first_pay_date else " (not given: one pay period after the start, in arrears)")
        + "; every wage is a full pay period's pay. Weekend and bank-holiday payday moves are not modelled (a "
        "monthly payday moved earlier can put two wages in one assessment period and none in the next).",
        "Income tax and National Insurance are worked per pay period, on that period's share of the yearly "
        "thresholds (HMRC's tables round them to the pound: pennies); a 53rd weekly payday in a tax year "
        f"(week 53) is not modelled. {rates.tax_year} rates are used for the whole year (uprating each April is not included).",
    ]
    if model.now.earnings > 0 and model.now.gross_by_adult[job.adult] > 0:
        notes.append("Current pay of the person taking the job is taken to continue until the first wage of the new job.")
    trigger, lower, upper = rates.workplace_pension.per_period(model.frequency)
    assumed = "No pension was entered, so the" if rule.source == "default" else "The"
    if rule.kind == pay.AUTO_ENROLMENT:
        worker = household.adults[job.adult]
        if model.pension_per_period > 0:
            notes.append(
                f"{assumed} legal minimum workplace pension is assumed (automatic enrolment, Pensions Act 2008): "
                f"{percent_words(rates.workplace_pension.employee_minimum_rate)} of pay between {gbp(lower)} and "
                f"{gbp(upper)}, {gbp(to_penny(model.pension_per_period))} a payday, before tax (net pay arrangement; "
                f"under relief at source it costs less below the tax threshold); the employer adds "
                f"{gbp(to_penny(model.employer_pension_per_period))}. Opting out (pension \"none\") raises take-home "
                "pay but loses the employer's money."
            )
        else:
            why = (
                f"pay of {gbp(to_penny(model.period_pay))} a pay period is not over the {gbp(trigger)} trigger"
                if rates.workplace_pension.auto_enrolment_minimum_age <= worker.age < rates.state_pension.pension_age
                else f"automatic enrolment is for workers aged {rates.workplace_pension.auto_enrolment_minimum_age} "
                "to State Pension age"
            )
            notes.append(f"No workplace pension contribution is assumed because {why} (the worker can still ask to join).")
    elif rule.source == "adult":
        notes.append(
            "The job's pension is the pension_contribution_percent given for that adult, as a percentage of the job's pay."
        )
    if context.fixed.benefit_cap_exemption is None and any(result.cap_status == "grace_period" for result in model.year):
        notes.append(
            "The benefit cap grace period is applied because the household earned at least the threshold in each "
            "of the 12 months before earnings fell (as entered)."
        )
    return notes


def percent_words(rate: float) -> str:
    return f"{rate * 100:g}%"


def year_output(context: Context, model: FirstYear) -> dict:
    """The ``year`` key of the result: the months, the average, the worst and best, the cash flow."""
    rule = context.pension_rule
    year = model.year
    months = []
    for number, result in enumerate(year, start=1):
        scenario = result.scenario
        months.append(
            {
                "month": number,
                "starts": result.period.starts.isoformat(),
                "ends": result.period.ends.isoformat(),
                "paydays": [day.isoformat() for day in result.paydays],
                "earnings": to_penny(scenario.earnings),
                "income_tax": to_penny(scenario.income_tax),
                "national_insurance": to_penny(scenario.national_insurance),
                "pension_contributions": to_penny(scenario.pension_contributions),
                "uc_earned_income": to_penny(scenario.universal_credit.earned_income),
                "universal_credit": to_penny(scenario.universal_credit.universal_credit),
                "benefit_cap_reduction": to_penny(scenario.universal_credit.benefit_cap_reduction),
                "benefit_cap": result.cap_status,
                "child_benefit": to_penny(scenario.child_benefit),
                "council_tax_reduction": to_penny(scenario.council_tax_reduction),
                "costs_of_work": to_penny(scenario.costs_of_work),
                "other_income": to_penny(scenario.other_income),
                "net_income": to_penny(scenario.net_income),
                "better_off": to_penny(result.better_off),
            }
        )
    count = len(year)

    def average(key: str) -> float:
        return to_penny(sum(month[key] for month in months) / count)  # of the rounded months: they add up

    worst = min(range(count), key=lambda index: year[index].better_off)
    best = max(range(count), key=lambda index: year[index].better_off)
    return {
        "pay_frequency": model.frequency,
        "pay_per_period": to_penny(model.period_pay),
        "start_date": model.start.isoformat(),
        "first_pay_date": model.first_pay.isoformat(),
        "assessment_period_day": model.period_day,
        "pension": {
            "rule": rule.kind,
            "percent_of_pay": rule.percent if rule.kind == pay.PERCENT_OF_PAY else None,
            "from": rule.source,
            "employee_per_period": to_penny(model.pension_per_period),
            "employer_minimum_per_period": to_penny(model.employer_pension_per_period),
        },
        "months": months,
        "average": {
            "earnings": average("earnings"),
            "income_tax": average("income_tax"),
            "national_insurance": average("national_insurance"),
            "pension_contributions": average("pension_contributions"),
            "universal_credit": average("universal_credit"),
            "net_income": to_penny(model.average_net_income),
            "better_off": to_penny(model.average_better_off),
        },
        "months_capped": sum(1 for result in year if result.cap_status == "applies"),
        "months_in_grace_period": sum(1 for result in year if result.cap_status == "grace_period"),
        "worst_month": {"month": worst + 1, **period_dict(year[worst])},
        "best_month": {"month": best + 1, **period_dict(year[best])},
        "same_every_month": model.uniform,
        "summary": list(model.sentences),
        "cash_flow": cash_flow(context, model),
    }


def period_dict(result: PeriodResult) -> dict:
    return {
        "starts": result.period.starts.isoformat(),
        "ends": result.period.ends.isoformat(),
        "in_words": period_words(result.period),
        "paydays": len(result.paydays),
        "better_off": to_penny(result.better_off),
    }
