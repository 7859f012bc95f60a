"""Passported help: help that comes with Universal Credit (or with earnings) and may stop or
start with the job. These are the cliff edges residents fear, so the result lists each one
that applies to the household, now and with the job, with the rule and its source.

Only what the household could get is listed (no children, no school-meals line). Where the
calculator cannot tell (pregnancy, a child's exact age in months, the nation's own scheme),
the answer is "check" with what to check. Thresholds are in the rates file.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # engine imports this module
    from .engine import Context, Scenario

YES, NO, CHECK = "yes", "no", "check"
WEEKS_PER_YEAR = 52


def on_uc(scenario: Scenario | None) -> bool:
    return scenario is not None and scenario.universal_credit.universal_credit > 0


def change(now: str, with_job: str | None) -> str:
    if with_job is None:
        return "no job"
    if now == with_job:
        return "same"
    if CHECK in (now, with_job):
        return "check"
    return "stops" if now == YES else "starts"


def item(code, name, now, with_job, rule, source, threshold_monthly=None, value_monthly=None) -> dict:
    return {
        "code": code,
        "name": name,
        "now": now,
        "with_job": with_job,
        "change": change(now, with_job),
        "rule": rule,
        "threshold_monthly": None if threshold_monthly is None else round(threshold_monthly, 2),
        "value_monthly": None if value_monthly is None else round(value_monthly, 2),
        "source": source,
    }


def passported_help(context: Context, now: Scenario, with_job: Scenario | None, today: dt.date | None) -> list[dict]:
    household, rates = context.household, context.rates
    help_rates = rates.passported_help
    sources = rates.sources
    scotland = context.scottish
    ages = [child.age for child in household.children]
    items = []

    def each(test) -> tuple[str, str | None]:
        return test(now), None if with_job is None else test(with_job)

    # Free school meals (England; Scotland and Wales run their own schemes).
    school_age = [age for age in ages if 4 <= age <= 18]
    if school_age:
        if scotland:
            items.append(
                item(
                    "free_school_meals",
                    "Free school meals",
                    CHECK,
                    None if with_job is None else CHECK,
                    "In Scotland all children in P1 to P5 get free school meals; older children through Universal "
                    "Credit with an earnings limit set by the Scottish Government: check with the council.",
                    "Education (Scotland) Act 1980 s.53 and the council's scheme",
                )
            )
        else:
            on = today or dt.date.today()
            any_uc = on >= help_rates.free_school_meals_any_uc_from
            limit = help_rates.free_school_meals_net_earnings_limit_annual / 12

            def school_meals(scenario):
                if not on_uc(scenario):
                    return NO
                return YES if any_uc or scenario.universal_credit.earned_income <= limit else NO

            now_answer, job_answer = each(school_meals)
            rule = (
                "Every child in a household getting Universal Credit, whatever the earnings, from "
                f"{help_rates.free_school_meals_any_uc_from:%-d %B %Y}"
                if any_uc
                else f"Universal Credit with earnings after tax of {limit * 12:,.0f} a year or less "
                f"(every child in a UC household from {help_rates.free_school_meals_any_uc_from:%-d %B %Y})"
            )
            items.append(
                item(
                    "free_school_meals",
                    "Free school meals (England)",
                    now_answer,
                    job_answer,
                    rule + ". It stops if Universal Credit stops.",
                    sources["passported_help.free_school_meals_net_earnings_limit_annual"]
                    + "; "
                    + sources["passported_help.free_school_meals_any_uc_from"],
                    threshold_monthly=None if any_uc else limit,
                )
            )

    # Healthy Start (England, Wales, NI; Scotland has Best Start Foods).
    if any(age < 4 for age in ages):
        limit = help_rates.healthy_start_take_home_limit_monthly
        if scotland:
            items.append(
                item(
                    "best_start_foods",
                    "Best Start Foods (Scotland)",
                    CHECK,
                    None if with_job is None else CHECK,
                    "Help to buy healthy food for children under 3 in Scotland, through Universal Credit with an "
                    "earnings limit: check with Social Security Scotland.",
                    "Best Start Foods (Scotland) Regulations 2019 (SSI 2019/193)",
                )
            )
        else:

            def healthy_start(scenario):
                return YES if on_uc(scenario) and scenario.universal_credit.earned_income <= limit else NO

            now_answer, job_answer = each(healthy_start)
            items.append(
                item(
                    "healthy_start",
                    "Healthy Start vouchers",
                    now_answer,
                    job_answer,
                    f"Universal Credit with take-home pay from work of £{limit:,.0f} a month or less, and a child "
                    "under 4 (or pregnant).",
                    sources["passported_help.healthy_start_take_home_limit_monthly"],
                    threshold_monthly=limit,
                )
            )

    # Help with NHS costs (England): prescriptions, dental, sight tests, travel to hospital.
    if not scotland:
        higher = bool(household.children) or any(adult.has_lcw_or_lcwra for adult in household.adults)
        limit = (
            help_rates.nhs_costs_take_home_limit_with_child_or_lcw_monthly
            if higher
            else help_rates.nhs_costs_take_home_limit_monthly
        )

        def nhs(scenario):
            return YES if on_uc(scenario) and scenario.universal_credit.earned_income <= limit else NO

        now_answer, job_answer = each(nhs)
        key = "with_child_or_lcw_monthly" if higher else "monthly"
        items.append(
            item(
                "nhs_costs",
                "Free prescriptions, dental treatment and eye tests (England)",
                now_answer,
                job_answer,
                f"Universal Credit with take-home pay of £{limit:,.0f} or less in the last assessment period"
                + (" (the limit for an award with a child or limited capability for work)." if higher else "."),
                sources[f"passported_help.nhs_costs_take_home_limit_{key}"],
                threshold_monthly=limit,
            )
        )

    # Scottish Child Payment: any Universal Credit, each child under 16.
    under_16 = sum(1 for age in ages if age < 16)
    if scotland and under_16:
        value = help_rates.scottish_child_payment_weekly * WEEKS_PER_YEAR / 12 * under_16
        now_answer, job_answer = each(lambda scenario: YES if on_uc(scenario) else NO)
        items.append(
            item(
                "scottish_child_payment",
                "Scottish Child Payment",
                now_answer,
                job_answer,
                f"£{help_rates.scottish_child_payment_weekly:.2f} a week for each child under 16 while any "
                f"Universal Credit is paid: £{value:,.2f} a month for this household. It stops when Universal "
                "Credit stops (not counted in the figures above).",
                sources["passported_help.scottish_child_payment_weekly"],
                value_monthly=value,
            )
        )

    # Warm Home Discount (England and Wales): any means-tested benefit.
    if not scotland:
        now_answer, job_answer = each(lambda scenario: YES if on_uc(scenario) else NO)
        items.append(
            item(
                "warm_home_discount",
                "Warm Home Discount",
                now_answer,
                job_answer,
                f"£{help_rates.warm_home_discount_annual:,.0f} off the electricity bill each winter for households "
                "getting Universal Credit (any amount) on the qualifying date.",
                sources["passported_help.warm_home_discount_annual"],
                value_monthly=help_rates.warm_home_discount_annual / 12,
            )
        )

    # Funded childcare (England): 2-year-olds through UC; working parents from 9 months.
    if not scotland and any(age == 2 for age in ages):
        limit = help_rates.funded_hours_two_year_olds_take_home_limit_annual / 12

        def two_year_old(scenario):
            return YES if on_uc(scenario) and scenario.universal_credit.earned_income <= limit else NO

        now_answer, job_answer = each(two_year_old)
        items.append(
            item(
                "funded_hours_two_year_olds",
                "15 hours' free childcare for a 2-year-old (Universal Credit route)",
                now_answer,
                job_answer,
                f"Universal Credit with take-home pay of £{limit * 12:,.0f} a year or less. Working parents may get "
                "hours through the working-parents route instead (below).",
                sources["passported_help.funded_hours_two_year_olds_take_home_limit_annual"],
                threshold_monthly=limit,
            )
        )
    if not scotland and any(age <= 4 for age in ages):
        hours = help_rates.working_parents_hours_minimum_weekly_hours
        minimum = rates.minimum_wage

        def floor_for(age):
            wage = minimum.age_21_plus_hourly if age >= 21 else (
                minimum.age_18_to_20_hourly if age >= 18 else minimum.age_under_18_hourly
            )
            return hours * wage * WEEKS_PER_YEAR / 12

        def working_parents(scenario):
            earning = [
                gross >= floor_for(adult.age) and gross * 12 <= help_rates.working_parents_income_limit_annual
                for adult, gross in zip(household.adults, scenario.gross_by_adult)
            ]
            if all(earning):
                return YES
            if household.is_couple and any(earning):
                other = household.adults[earning.index(False)]
                if other.carer or other.has_lcw_or_lcwra or other.disability_benefit:
                    return CHECK  # a partner caring or unable to work can still qualify (reg 9)
            return NO

        now_answer, job_answer = each(working_parents)
        items.append(
            item(
                "funded_hours_working_parents",
                "Up to 30 hours' funded childcare for working parents (9 months to school age, England)",
                now_answer,
                job_answer,
                f"Each parent expects to earn at least {hours:g} hours a week at the minimum wage "
                f"(£{floor_for(25):,.2f} a month at 21 or over) and under £{help_rates.working_parents_income_limit_annual:,.0f} "
                "a year. Apply through the Childcare Service before the term starts; all 3 and 4 year olds get "
                "15 hours whatever the earnings.",
                sources["passported_help.working_parents_hours_minimum_weekly_hours"],
                threshold_monthly=floor_for(25),
            )
        )

    # Flexible Support Fund: upfront costs of starting work (childcare first month, travel, clothes).
    if with_job is not None and (on_uc(now) or on_uc(with_job)):
        upfront = "the first month's childcare, " if with_job.childcare_paid > 0 else ""
        items.append(
            item(
                "flexible_support_fund",
                "Flexible Support Fund (Jobcentre)",
                NO,
                CHECK,
                f"A work coach can pay upfront costs of starting the job ({upfront}travel until the first wage, "
                "work clothes) from the Flexible Support Fund; ask before the job starts. Universal Credit "
                "pays childcare back only after it is paid (UC Regs reg 33, 34A).",
                "DWP Flexible Support Fund guidance (discretionary, for UC claimants moving into work)",
            )
        )
    return items
