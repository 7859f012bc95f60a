"""The kinks and cliffs of the hours sweep, each named with the rule that causes it.

Walk the sweep's half-hour points, notice where a rule starts or stops biting between two
points, then narrow it down by bisection to about a hundredth of an hour. Each kink is
reported in hours and pounds; jumps in income (the benefit cap lifted, Carer's Allowance or
JSA stopping) also say what a few hours more or fewer than the offer would mean.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Callable

from .incomes import CA_EARNINGS_LIMIT, ESA_PERMITTED_WORK, INCOME_KINDS, JSA_HOURS, STOPS_WITH_WORK

if TYPE_CHECKING:
    from .engine import Scenario

BISECTIONS = 8  # a half-hour interval narrowed to 0.002 hours
JUMP = 5.0  # a change in income of more than this across a kink is a cliff, not a bend
NEAR_HOURS = 8.0  # say what a cliff means for the offer when it is this close to the job's hours
EPSILON_HOURS = 0.01


def pounds(amount: float) -> str:
    return f"£{abs(round(amount)):,}"


def hours_words(hours: float) -> str:
    if hours == 0.5:
        return "half an hour"
    if hours == 1:
        return "1 hour"
    return f"{hours:g} hours"


def states(scenario: Scenario) -> dict[str, bool]:
    """Which rule-driven states hold at one point of the sweep."""
    award = scenario.universal_credit
    found = {
        "work_allowance_used_up": award.work_allowance > 0 and award.earnings_reduction > 0,
        "benefit_cap_lifted": award.benefit_cap_reduction <= 0,
        "tax_starts": scenario.income_tax - scenario.child_benefit_charge > 0.005,
        "ni_starts": scenario.national_insurance > 0.005,
        "uc_ends": award.universal_credit <= 0,
    }
    for index, paid in enumerate(scenario.incomes.paid):
        if paid.entered > 0:
            found[f"income:{index}"] = paid.paid <= 0
    return found


def find_cliffs(
    scenario_at: Callable[[float], Scenario], hours_grid: tuple[float, ...], job_hours: float, context
) -> tuple[list[dict], list[str]]:
    """Kinks along the sweep (``scenario_at(hours)``) and sentences about the ones near the offer."""
    points = [(hours, scenario_at(hours)) for hours in hours_grid]
    cliffs = []
    seen = set()
    for (low_hours, low), (high_hours, high) in zip(points, points[1:]):
        low_states, high_states = states(low), states(high)
        for name, now_true in high_states.items():
            if name in seen or not now_true or low_states.get(name, False):
                continue  # only the first time a rule starts to bite
            seen.add(name)
            threshold = bisect(scenario_at, name, low_hours, high_hours)
            before = scenario_at(max(0.0, threshold - EPSILON_HOURS))
            after = scenario_at(threshold + EPSILON_HOURS)
            cliffs.append(describe(name, threshold, before, after, context))
    cliffs.sort(key=lambda cliff: cliff["hours"])
    return cliffs, offer_sentences(cliffs, scenario_at, job_hours)


def bisect(scenario_at, name: str, low: float, high: float) -> float:
    for _ in range(BISECTIONS):
        middle = (low + high) / 2
        if states(scenario_at(middle)).get(name, False):
            high = middle
        else:
            low = middle
    return high


def describe(name: str, hours: float, before: Scenario, after: Scenario, context) -> dict:
    rates = context.rates
    jump = after.net_income - before.net_income
    earnings = after.earnings
    at = f"{hours:.1f} hours a week (£{earnings:,.0f} a month before tax)"
    rule, text = name, ""
    if name == "work_allowance_used_up":
        text = (
            f"From {at} take-home pay passes the work allowance (£{after.universal_credit.work_allowance:,.0f}): "
            f"from there Universal Credit goes down by {round(rates.universal_credit.taper_rate * 100)}p for each "
            "extra £1 of take-home pay."
        )
    elif name == "benefit_cap_lifted":
        if after.universal_credit.benefit_cap_lifted_by_earnings > 0:
            text = (
                f"At {at} take-home pay reaches £{rates.benefit_cap.earnings_exception_monthly:,.0f} a month, so the "
                f"benefit cap stops applying: income jumps by about {pounds(jump)} a month."
            )
        else:
            rule = "benefit_cap_no_longer_reached"
            text = f"From {at} Universal Credit and Child Benefit together fall below the benefit cap, so it takes nothing off."
    elif name == "tax_starts":
        text = f"From {at} income tax starts: pay passes the personal allowance (£{rates.income_tax.personal_allowance_annual:,.0f} a year)."
    elif name == "ni_starts":
        text = (
            f"From {at} National Insurance starts at {round(rates.national_insurance.main_rate * 100)}p of each "
            f"extra £1 (pay passes £{rates.national_insurance.primary_threshold_annual:,.0f} a year)."
        )
    elif name == "uc_ends":
        text = (
            f"At {at} Universal Credit stops: it has tapered away to nothing. Help that comes with it "
            "(see the passported help) may stop too."
        )
    elif name.startswith("income:"):
        index = int(name.split(":")[1])
        paid = after.incomes.paid[index]
        label = INCOME_KINDS[paid.kind].label
        rule = paid.stopped or paid.kind
        if paid.stopped == JSA_HOURS and hours < rates.income_rules.jsa_remunerative_work_hours - 0.01:
            paid_stopped_text = (
                f"earnings above £{rates.income_rules.jsa_earnings_disregard_weekly:,.0f} a week are taken off it, "
                "so by here none is left"
            )
        else:
            paid_stopped_text = None
        why = paid_stopped_text or {
            CA_EARNINGS_LIMIT: f"earnings pass the Carer's Allowance limit of £{rates.carers_allowance.earnings_limit_weekly:,.0f} a week after deductions",
            JSA_HOURS: f"work of {rates.income_rules.jsa_remunerative_work_hours:g} hours a week or more ends new-style JSA",
            ESA_PERMITTED_WORK: "work goes past the permitted work limits for ESA",
            STOPS_WITH_WORK: "it is not paid for weeks of work",
        }.get(paid.stopped, "it stops")
        change = "income hardly changes: Universal Credit makes it up" if abs(jump) < JUMP else (
            f"income {'falls' if jump < 0 else 'rises'} by about {pounds(jump)} a month"
            + (" (Universal Credit makes up part of it)" if jump < 0 and after.universal_credit.universal_credit > 0 else "")
        )
        text = f"At {at} {label} stops ({why}): {change}."
    return {
        "rule": rule,
        "hours": round(hours, 2),
        "monthly_earnings": round(earnings, 2),
        "net_income_change": round(jump, 2),
        "text": text,
    }


def round_up_to_half(hours: float) -> float:
    return math.ceil(hours * 2 - 1e-9) / 2


def offer_sentences(cliffs: list[dict], scenario_at, job_hours: float) -> list[str]:
    """What a cliff close to the offer means: "half an hour more a week would make you about £925 better off"."""
    if job_hours <= 0:
        return []
    at_offer = scenario_at(job_hours).net_income
    sentences = []
    for cliff in cliffs:
        if abs(cliff["net_income_change"]) < JUMP:
            continue
        distance = cliff["hours"] - job_hours
        if 0 < distance <= NEAR_HOURS:
            more = round_up_to_half(distance)
            gain = scenario_at(job_hours + more).net_income - at_offer
            if cliff["net_income_change"] > 0 and gain > JUMP:
                sentences.append(
                    f"{hours_words(more).capitalize()} more a week ({job_hours + more:g} hours) would make you about "
                    f"{pounds(gain)} a month better off: {cliff['text']}"
                )
            elif cliff["net_income_change"] < 0 and gain < 0:
                sentences.append(
                    f"Take care with more hours: {hours_words(more)} more a week ({job_hours + more:g} hours) would "
                    f"leave you about {pounds(gain)} a month worse off than at {job_hours:g} hours. {cliff['text']}"
                )
        elif -NEAR_HOURS <= distance <= 0 and cliff["net_income_change"] < 0:
            fewer = round_up_to_half(-distance) or 0.5
            below = job_hours - fewer
            while below >= cliff["hours"] and below > 0:
                below -= 0.5  # step under the threshold
            if below <= 0:
                continue
            gain = scenario_at(below).net_income - at_offer
            if gain > JUMP:
                sentences.append(
                    f"{below:g} hours a week instead of {job_hours:g} would leave you about {pounds(gain)} a month "
                    f"better off: {cliff['text']}"
                )
    return sentences
