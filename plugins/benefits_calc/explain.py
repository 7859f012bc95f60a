"""Plain-English explanation, warnings and assumptions for a calculation.

Written for a resident reading the kiosk screen or a printed summary: short sentences,
amounts per month, the rule named in everyday words. Only rules that changed the
answer are explained; the warnings and assumptions are what a resident and the staff
must know before relying on the figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .incomes import CA_EARNINGS_LIMIT, ESA_PERMITTED_WORK, INCOME_KINDS, JSA_HOURS, STOPS_WITH_WORK

if TYPE_CHECKING:  # only for type hints: engine imports this module
    from .engine import Context, Scenario

NOW, WITH_JOB = "Now", "With the job"


def gbp(amount: float) -> str:
    """£1,835 for whole pounds, £1,640.22 otherwise (a half penny up, as in the figures)."""
    pennies = round(half_up(amount) * 100)
    if pennies % 100 == 0:
        return f"£{pennies // 100:,}"
    return f"£{pennies / 100:,.2f}"


def half_up(amount: float) -> float:
    """To the penny, a half penny up, as the result's figures are (engine.to_penny)."""
    pennies = math.floor(abs(amount) * 100 + 0.5 + 1e-7)
    return math.copysign(pennies, amount) / 100 if pennies else 0.0


def percent(rate: float) -> str:
    return f"{rate * 100:g}%"


def pence(rate: float) -> str:
    return f"{round(rate * 100)}p"


def join_words(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


@dataclass
class Notes:
    explanation: list[str]
    warnings: list[str]
    assumptions: list[str]

    @classmethod
    def build(
        cls,
        context: Context,
        now: Scenario,
        with_job: Scenario | None,
        now_keep: float | None,
        job_keep: float | None,
        focus_adult: int,
        *,
        splits: dict | None = None,
        out_of_scope: list | None = None,
    ) -> Notes:
        scenarios = [(NOW, now, now_keep)] + ([(WITH_JOB, with_job, job_keep)] if with_job else [])
        if out_of_scope:
            explanation = [
                "We cannot give a better-off figure for this household. " + " ".join(r.reason for r in out_of_scope)
            ]
        else:
            explanation = headline(context, now, with_job)
        explanation += income_sentences(context, now, with_job)
        explanation += award_sentences(context, scenarios)
        explanation += element_sentences(context, now)
        explanation += earnings_sentences(context, scenarios)
        explanation += benefit_cap_sentences(context, now, with_job)
        explanation += marginal_sentences(context, scenarios, splits or {})
        explanation += council_tax_sentences(context, now, with_job)
        return cls(
            explanation=explanation,
            warnings=household_warnings(context, now, with_job) + warnings(context, now, with_job),
            assumptions=assumptions(context, now, with_job),
        )


def headline(context: Context, now: Scenario, with_job: Scenario | None) -> list[str]:
    after = "after tax, National Insurance, pension contributions and the costs of working"
    if with_job is None:
        return [f"Your household has {gbp(now.net_income)} a month to live on now, {after}."]
    job = context.household.job
    difference = half_up(with_job.net_income - now.net_income)
    if difference > 0:
        verdict = f"you would be {gbp(difference)} a month better off"
    elif difference < 0:
        verdict = f"you would be {gbp(-difference)} a month worse off"
    else:
        verdict = "you would be no better and no worse off"
    return [
        f"With the job ({job.hours_per_week:g} hours a week at {gbp(job.hourly_wage)} an hour, "
        f"{gbp(job.monthly_earnings)} a month before tax) your household would have "
        f"{gbp(with_job.net_income)} a month to live on, against {gbp(now.net_income)} now, {after}: {verdict}."
    ]


def award_sentences(context: Context, scenarios: list) -> list[str]:
    fixed, uc_rates = context.fixed, context.rates.universal_credit
    if fixed.all_over_pension_age:
        return [
            "You would get no Universal Credit: everyone in your household is over State Pension age, "
            "so Pension Credit (not worked out here) is the benefit to ask about."
        ]
    if fixed.capital_over_limit:
        return [
            f"You would get no Universal Credit: your savings of {gbp(context.household.capital)} are over "
            f"the {gbp(uc_rates.capital_upper_limit)} limit."
        ]
    sentences = []
    for label, scenario, _ in scenarios:
        award = scenario.universal_credit
        less = []
        if award.earnings_reduction > 0:
            less.append(f"{gbp(award.earnings_reduction)} because of earnings")
        if award.unearned_income_reduction > 0:
            less.append(f"{gbp(award.unearned_income_reduction)} for other income")
        if award.tariff_income > 0:
            less.append(f"{gbp(award.tariff_income)} counted from savings")
        if award.benefit_cap_reduction > 0:
            less.append(f"{gbp(award.benefit_cap_reduction)} for the benefit cap")
        verb = "is" if label == NOW else "would be"
        text = (
            f"{label} your Universal Credit {verb} {gbp(award.universal_credit)} a month: "
            f"the most you could get is {gbp(award.maximum_amount)}"
        )
        if less:
            text += ", less " + join_words(less)
        if award.universal_credit <= 0 and less:
            text += ", which leaves nothing to pay"
        sentences.append(text + ".")
    parts = [f"standard allowance {gbp(scenarios[0][1].universal_credit.standard_allowance)}"]
    for name, amount in (
        ("child elements", fixed.child_elements),
        ("disabled child additions", fixed.disabled_child_elements),
        ("health (LCWRA) element", fixed.lcwra),
        ("carer element", fixed.carer),
        ("help with housing costs", fixed.housing.amount),
    ):
        if amount > 0:
            parts.append(f"{name} {gbp(amount)}")
    childcare = [s.universal_credit.childcare for _, s, _ in scenarios if s.universal_credit.childcare > 0]
    tail = " plus any childcare costs element" if childcare else ""
    sentences.append(f"That maximum is made up of {join_words(parts)}{tail}.")
    return sentences


def element_sentences(context: Context, now: Scenario) -> list[str]:
    """Rules about the elements and housing; the same in both scenarios, so said once."""
    household, fixed, uc_rates = context.household, context.fixed, context.rates.universal_credit
    housing = fixed.housing
    sentences = []
    if fixed.higher_first_child_element:
        sentences.append(
            "Your eldest child was born before 6 April 2017, so their child element is the higher "
            f"{gbp(uc_rates.child_element_first_child_born_before_2017_04_06_monthly)} rather than "
            f"{gbp(uc_rates.child_element_monthly)}."
        )
    if fixed.children_with_element < len(household.children):
        sentences.append(
            f"Because of the two-child limit, Universal Credit includes {fixed.children_with_element} of your "
            f"{len(household.children)} children (exceptions such as twins or adoption are not checked here)."
        )
    elif len(household.children) >= 3:
        sentences.append(
            f"There is no two-child limit from 6 April 2026, so Universal Credit includes all "
            f"{len(household.children)} of your children."
        )
    if fixed.lcwra > 0:
        which = (
            "the rate for claims made from 6 April 2026"
            if fixed.lcwra_rate_name == "new claim"
            else "the protected rate for claims made before 6 April 2026, or for severe conditions or terminal illness"
        )
        sentences.append(f"It includes the health element (LCWRA) of {gbp(fixed.lcwra)} a month, {which}.")
    if fixed.carer_lost_to_lcwra:
        sentences.append(
            "Someone who gets the health element cannot also get the carer element, "
            "so only the health element is included for them."
        )
    if housing.lha_cap_reduction > 0:
        sentences.append(
            f"Your rent and service charges ({gbp(housing.eligible_costs)}) are more than the Local Housing "
            f"Allowance rate ({gbp(household.housing.lha_monthly_cap)}), so Universal Credit covers only "
            f"{gbp(household.housing.lha_monthly_cap)} and you pay the other {gbp(housing.lha_cap_reduction)} yourself."
        )
    if housing.bedroom_reduction > 0:
        rooms = "one spare bedroom" if household.housing.spare_bedrooms == 1 else (
            f"{household.housing.spare_bedrooms} spare bedrooms"
        )
        sentences.append(
            f"You have {rooms}, so help with your rent is cut by {percent(housing.bedroom_reduction_rate)} "
            f"({gbp(housing.bedroom_reduction)} a month): the social sector size rules, or 'bedroom tax'."
        )
    if housing.non_dependant_deductions > 0:
        count = round(housing.non_dependant_deductions / uc_rates.non_dependant_deduction_monthly)
        if household.housing.non_dependant_details is None:
            count = household.housing.non_dependants
        who = "another adult lives" if count == 1 else f"{count} other adults live"
        sentences.append(
            f"Because {who} with you, {gbp(housing.non_dependant_deductions)} a month "
            f"({gbp(uc_rates.non_dependant_deduction_monthly)} for each) is taken off the help with your rent: "
            "they are expected to contribute."
        )
    if housing.non_dependants_exempt:
        sentences.append(
            "No deduction is made for the other adults who live with you, because someone in your claim "
            "gets a disability benefit (PIP daily living, DLA care or Attendance Allowance)."
        )
    if household.housing.tenure == "owner":
        sentences.append(
            "You own your home, so Universal Credit includes no help with housing costs "
            "(help with mortgage interest is a separate loan, not included here)."
        )
    if fixed.tariff_income > 0 and not fixed.capital_over_limit:
        sentences.append(
            f"Universal Credit counts {gbp(uc_rates.tariff_income_per_step_monthly)} a month of income for each "
            f"{gbp(uc_rates.tariff_income_step)} (or part of {gbp(uc_rates.tariff_income_step)}) of savings over "
            f"{gbp(uc_rates.capital_lower_limit)}: your savings of {gbp(household.capital)} count as "
            f"{gbp(fixed.tariff_income)} a month."
        )
    if household.monthly_childcare_costs > 0 and fixed.childcare_eligible_children == 0:
        sentences.append(
            f"Help with childcare is only for children under {uc_rates.childcare_child_age_limit}, "
            "so your childcare costs get no help from Universal Credit."
        )
    return sentences


def earnings_sentences(context: Context, scenarios: list) -> list[str]:
    """Work allowance, taper and childcare: these depend on who works in each scenario."""
    household, uc_rates = context.household, context.rates.universal_credit
    sentences = []
    awards = [(label, s, s.universal_credit) for label, s, _ in scenarios]
    if not (context.fixed.all_over_pension_age or context.fixed.capital_over_limit):
        earning = [award for _, _, award in awards if award.earned_income > 0]
        if earning and earning[0].work_allowance_eligible:
            reason = (
                "you are responsible for a child"
                if household.children
                else "of limited capability for work and work-related activity"
                if any(adult.has_lcwra for adult in household.adults)
                else "of limited capability for work"
            )
            allowance = earning[0].work_allowance
            which = (
                f"It is {gbp(allowance)} rather than {gbp(uc_rates.work_allowance_without_housing_monthly)} "
                "because your Universal Credit includes help with housing costs."
                if allowance == uc_rates.work_allowance_with_housing_monthly
                else "It is the higher amount because your Universal Credit has no help with housing costs."
            )
            sentences.append(
                f"The first {gbp(allowance)} a month of earnings after tax, National Insurance and pension "
                f"does not reduce Universal Credit: this is the work allowance, which you get because {reason}. {which}"
            )
        elif earning:
            sentences.append(
                "You get no work allowance (it is only for people responsible for a child or with limited "
                "capability for work and work-related activity), so Universal Credit falls from the first pound earned."
            )
        for label, _, award in awards:
            if award.earnings_reduction > 0:
                above = award.earned_income - award.work_allowance
                sentences.append(
                    f"{label}: earnings after tax, National Insurance and pension are {gbp(award.earned_income)} a month; "
                    f"Universal Credit goes down by {pence(uc_rates.taper_rate)} for each £1 of the {gbp(above)} "
                    f"above the work allowance, which is {gbp(award.earnings_reduction)} a month (the taper)."
                )
    for label, scenario, award in awards:
        if award.childcare > 0:
            text = (
                f"{label}: Universal Credit pays back {percent(uc_rates.childcare_costs_rate)} of childcare costs "
                f"of {gbp(scenario.childcare_paid)}"
            )
            if award.childcare_uncapped > award.childcare:
                children = "one child" if context.fixed.childcare_eligible_children == 1 else "two or more children"
                text += (
                    f", up to {gbp(award.childcare_cap)} a month for {children}: {percent(uc_rates.childcare_costs_rate)} "
                    f"would be {gbp(award.childcare_uncapped)}, so the cap applies and it pays {gbp(award.childcare)}."
                )
            else:
                text += f": {gbp(award.childcare)} a month."
            sentences.append(text)
        elif household.monthly_childcare_costs > 0 and not scenario.work_condition_met and context.fixed.childcare_eligible_children:
            needed = (
                "you are in paid work"
                if not household.is_couple
                else "both of you are in paid work (or one works and the other is a carer or has limited capability for work)"
            )
            sentences.append(
                f"{label}: Universal Credit helps with childcare only when {needed}, so no childcare costs are counted here."
            )
    return sentences


def benefit_cap_sentences(context: Context, now: Scenario, with_job: Scenario | None) -> list[str]:
    threshold = gbp(context.rates.benefit_cap.earnings_exception_monthly)
    cap = gbp(context.fixed.benefit_cap_monthly)
    sentences = []
    for label, scenario in ((NOW, now), (WITH_JOB, with_job)):
        if scenario is None:
            continue
        award = scenario.universal_credit
        if award.benefit_cap_reduction > 0:
            sentences.append(
                f"{label}: the benefit cap limits Universal Credit and Child Benefit"
                + (" (with other benefits such as new-style JSA)" if scenario.incomes.in_benefit_cap > 0 else "")
                + f" together to {cap} a month "
                f"for your household, so {gbp(award.benefit_cap_reduction)} is taken off your Universal Credit."
            )
        elif award.benefit_cap_lifted_by_earnings > 0:
            sentences.append(
                f"{label}: your household's earnings after tax, National Insurance and pension "
                f"({gbp(award.earned_income)}) are at least {threshold} a month, so the benefit cap does not apply; "
                f"otherwise it would take {gbp(award.benefit_cap_lifted_by_earnings)} off your Universal Credit."
            )
    if now.universal_credit.benefit_cap_reduction <= 0:
        return sentences
    if with_job is None or with_job.universal_credit.benefit_cap_reduction > 0:
        earning = "" if with_job is None else f"; with this job it would be {gbp(with_job.universal_credit.earned_income)}"
        sentences.append(
            f"The benefit cap stops applying once your household earns at least {threshold} a month "
            f"after tax, National Insurance and pension{earning}."
        )
    elif with_job.universal_credit.benefit_cap_lifted_by_earnings <= 0:
        award = with_job.universal_credit
        if award.earned_income >= context.rates.benefit_cap.earnings_exception_monthly:
            sentences.append(
                f"With the job your household's earnings after tax, National Insurance and pension "
                f"({gbp(award.earned_income)}) reach {threshold} a month, so the benefit cap no longer applies."
            )
        else:
            sentences.append(
                "With the job your Universal Credit and Child Benefit together fall below the benefit cap, "
                "so it no longer takes anything off."
            )
    return sentences


def marginal_split(scenario: Scenario, raised: Scenario) -> dict[str, float]:
    """Where one more pound of gross pay goes: tax, NI, pension, less UC, less other help; the rest is kept."""
    parts = {
        "income_tax": raised.income_tax - scenario.income_tax,
        "national_insurance": raised.national_insurance - scenario.national_insurance,
        "pension_contributions": raised.pension_contributions - scenario.pension_contributions,
        "universal_credit": scenario.universal_credit.universal_credit - raised.universal_credit.universal_credit,
        "council_tax_reduction": scenario.council_tax_reduction - raised.council_tax_reduction,
        "other_income": scenario.other_income - raised.other_income,
        "costs_of_work": raised.costs_of_work - scenario.costs_of_work,
    }
    parts["keep"] = raised.net_income - scenario.net_income
    return {key: round(value, 4) for key, value in parts.items()}


SPLIT_WORDS = (
    ("income_tax", "tax"),
    ("national_insurance", "National Insurance"),
    ("pension_contributions", "pension"),
    ("universal_credit", "less Universal Credit"),
    ("council_tax_reduction", "less council tax reduction"),
    ("other_income", "less other income"),
    ("costs_of_work", "more costs of work"),
)


def split_words(split: dict[str, float]) -> str:
    """"20p tax, 8p National Insurance, 40p less Universal Credit" (parts under a halfpenny left out)."""
    parts = [f"{round(split[key] * 100)}p {words}" for key, words in SPLIT_WORDS if round(split[key] * 100) > 0]
    return join_words(parts)


def marginal_sentences(context: Context, scenarios: list, splits: dict) -> list[str]:
    sentences = []
    for label, scenario, keep in scenarios:
        if keep is None:
            continue
        kept = round(keep * 100)
        split = splits.get("now" if label == NOW else "with_job")
        if split and 0 <= kept < 100 and split_words(split):
            sentences.append(f"{label}, of each extra £1 you earn: {split_words(split)}; you keep {kept}p.")
            continue
        if kept > 100:
            sentences.append(
                f"{label}, earning slightly more would raise your income by more than the extra pay "
                f"(for example by taking your earnings past {gbp(context.rates.benefit_cap.earnings_exception_monthly)}, "
                "which lifts the benefit cap)."
            )
        elif kept < 0:
            sentences.append(f"{label}, earning slightly more would leave you slightly worse off.")
        elif kept == 100:
            why = (
                " (the benefit cap was already taking away more Universal Credit than the extra pay would)"
                if scenario.universal_credit.benefit_cap_reduction > 0
                else ""
            )
            sentences.append(f"{label}, of each extra £1 you earn you keep all of it{why}.")
        else:
            sentences.append(
                f"{label}, of each extra £1 you earn you keep {kept}p; the rest goes in tax, National Insurance, "
                "pension contributions and lower benefits."
            )
    return sentences


def council_tax_sentences(context: Context, now: Scenario, with_job: Scenario | None) -> list[str]:
    if context.scheme is None or context.council_tax_liability is None:
        return []
    amounts = f"{gbp(now.council_tax_reduction)} a month now"
    if with_job is not None:
        amounts += f" and {gbp(with_job.council_tax_reduction)} with the job"
    return [
        f"Council tax reduction is estimated at {amounts}, on a council tax bill of "
        f"{gbp(context.council_tax_liability)} a month, using this hub's settings for the local scheme "
        f"\"{context.scheme.name}\": your council decides the real amount."
    ]


def warnings(context: Context, now: Scenario, with_job: Scenario | None) -> list[str]:
    household, rates = context.household, context.rates
    scenarios = [now] + ([with_job] if with_job else [])
    notes = []
    if any(scenario.universal_credit.universal_credit > 0 for scenario in scenarios):
        notes.append(
            "The first Universal Credit payment comes about five weeks after you claim. You can ask for an "
            "advance, but it is a loan taken back from later payments."
        )
    notes += [
        "This is an estimate. Universal Credit is worked out each monthly assessment period on what you are "
        "actually paid in it; the year month by month shows how your pay dates change it. Paydays that move "
        "for weekends or bank holidays are not modelled.",
    ]
    if any(s.universal_credit.childcare > 0 for s in scenarios):
        notes.append(
            "Childcare costs are paid back in arrears: you pay the provider first, report the costs to "
            "Universal Credit, and get 85% back in a later payment."
        )
    if context.scheme is None:
        notes.append(
            "Council tax reduction was not estimated: no local scheme is set up at this hub. It is a local "
            "scheme run by your council, so ask them; it may lower your council tax bill."
        )
    elif context.council_tax_liability is None:
        notes.append(
            "Council tax reduction was not estimated because no council tax amount was given. It is a local "
            "scheme run by your council, so ask them."
        )
    else:
        notes.append(
            f"Council tax reduction is a local scheme run by your council; the estimate uses this hub's settings "
            f"for \"{context.scheme.name}\" and is not a decision."
        )
    job = household.job
    if job and job.hours_per_week > 0:
        worker = household.adults[job.adult]
        minimum = minimum_wage_for(worker.age, rates)
        if job.hourly_wage < minimum:
            notes.append(
                f"The offered wage {gbp(job.hourly_wage)} an hour is below the legal minimum of {gbp(minimum)} "
                f"for someone aged {worker.age}: check the offer."
            )
        if worker.has_lcw_or_lcwra:
            notes.append(
                "Tell DWP about the job: working does not by itself end the health element, but it can lead to "
                "a new work capability assessment."
            )
    if (
        household.housing.tenure == "private_rent"
        and not household.is_couple
        and not household.children
        and household.adults[0].age < 35
    ):
        notes.append(
            "Single people under 35 renting privately usually get only the shared accommodation rate of Local "
            "Housing Allowance: check that the LHA rate used is that rate."
        )
    if context.scottish and household.children:
        notes.append("Scottish Child Payment is not included.")
    if any(s.child_benefit_charge > 0 for s in scenarios):
        notes.append(
            "The High Income Child Benefit Charge is included in income tax; it is paid through Self Assessment "
            "or your tax code, not taken from Child Benefit."
        )
    if any(adult.age >= rates.state_pension.pension_age for adult in household.adults):
        notes.append(
            f"Someone in your household is {rates.state_pension.pension_age} or over: State Pension and Pension "
            "Credit are not included."
        )
    if any(adult.age < 18 for adult in household.adults):
        notes.append("People aged 16 or 17 can claim Universal Credit only in some situations; check eligibility.")
    return notes


def minimum_wage_for(age: int, rates) -> float:
    wages = rates.minimum_wage
    if age >= 21:
        return wages.age_21_plus_hourly
    if age >= 18:
        return wages.age_18_to_20_hourly
    return wages.age_under_18_hourly


def assumptions(context: Context, now: Scenario, with_job: Scenario | None) -> list[str]:
    household, rates = context.household, context.rates
    notes = [
        f"Rates are for tax year {rates.tax_year}.",
        "Money is per calendar month: weekly amounts x 52 / 12, yearly amounts / 12; the job pays "
        "hours x hourly wage x 52 / 12.",
        "Income tax and National Insurance are worked out on the yearly equivalent of steady monthly pay; "
        "a payslip can differ by pennies.",
        "Pension contributions are taken as a net pay arrangement: off pay before income tax but not before "
        "National Insurance, and taken off earnings in full for Universal Credit (UC Regs reg 55(5)).",
        "Other income reduces Universal Credit pound for pound, stays the same with the job, and is not itself "
        "a benefit counted in the benefit cap (for example maintenance).",
        "Everyone in 'children' counts for Universal Credit and Child Benefit (under 16, or 16 to 19 in approved "
        "education or training), and Child Benefit is claimed.",
        "A couple claims Universal Credit together; Marriage Allowance is not included.",
        "Childcare costs are counted only in a scenario where the work condition is met (a single adult working; "
        "in a couple both working, or one working and the other a carer or with LCW or LCWRA), for children under "
        f"{rates.universal_credit.childcare_child_age_limit}; the same monthly amount is used in both scenarios.",
        "The earnings test for the benefit cap uses earnings after tax, National Insurance and pension "
        f"({gbp(rates.benefit_cap.earnings_exception_monthly)} a month: 16 hours at the National Living Wage).",
        "Amounts are rounded to the penny only at the end; DWP rounds at each step (UC Regs reg 6), so an award "
        "can differ by a penny or two.",
    ]
    if household.housing.non_dependants > 0 and household.housing.non_dependant_details is None:
        notes.append(
            "Each non-dependant is taken to be 21 or over and not exempt from a deduction (for example not on "
            "Pension Credit, Carer's Allowance or PIP daily living, and not caring for a child under 5); give "
            "their ages and exemptions to check (UC Regs Sch 4 para 16)."
        )
    notes += rules_assumptions(context, now, with_job)
    if any(adult.disability_benefit for adult in household.adults):
        notes.append(
            "'disability_benefit' is taken as PIP daily living, DLA care (middle or highest) or Attendance "
            "Allowance: it exempts the household from the benefit cap and from non-dependant deductions."
        )
    if any(adult.carer for adult in household.adults):
        notes.append(
            "'carer' means caring 35 hours a week or more for a severely disabled person; a couple who are both "
            "carers are taken to care for different people."
            + (
                ""
                if any(income.kind == "carers_allowance" for income in household.incomes)
                else " If they get Carer's Allowance, enter it under incomes (kind carers_allowance) so that its "
                "earnings limit is checked with the job."
            )
        )
    if any(adult.has_lcwra for adult in household.adults) and household.is_couple:
        notes.append(
            "Only one health (LCWRA) element is paid to a couple; it is given to whichever partner makes the "
            "award larger (UC Regs reg 27(4), 29(4))."
        )
    if household.housing.tenure in ("owner", "none") and (
        household.housing.monthly_rent > 0 or household.housing.monthly_service_charges > 0
    ):
        notes.append(f"Rent and service charges were ignored because tenure is '{household.housing.tenure}'.")
    if household.housing.tenure == "private_rent" and household.housing.spare_bedrooms > 0:
        notes.append(
            "Spare bedrooms do not cut help for private renters: the Local Housing Allowance rate given is used instead."
        )
    if household.housing.tenure == "social_rent" and household.housing.spare_bedrooms > 0:
        notes.append(
            "The spare-bedroom cut is applied as given; exemptions (for example shared ownership or temporary "
            "accommodation) are not checked."
        )
    if any(adult.age >= rates.state_pension.pension_age for adult in household.adults):
        notes.append(
            f"State Pension age is taken as {rates.state_pension.pension_age} for everyone (it is rising to 67 for "
            "people born after 5 April 1960)."
        )
    if context.scottish:
        notes.append(
            "Scottish income tax bands are used. They were not cross-checked against the Scottish Government's "
            "published rates."
        )
    if now.child_benefit_charge > 0 or (with_job is not None and with_job.child_benefit_charge > 0):
        notes.append(
            "The High Income Child Benefit Charge uses the higher earner's pay after pension contributions as "
            "their adjusted net income (other income is left out)."
        )
    return notes


# --- issue 13 (calc-rules): incomes by kind, household-specific warnings, new assumptions ------


def incomes_output(now: Scenario, with_job: Scenario | None) -> list[dict]:
    """Each entered income, now and with the job, and the rule that changes it."""
    rows = []
    job_paid = with_job.incomes.paid if with_job is not None else ()
    for index, paid in enumerate(now.incomes.paid):
        after = job_paid[index] if job_paid else None
        rows.append(
            {
                "adult": paid.adult,
                "kind": paid.kind,
                "label": INCOME_KINDS[paid.kind].label,
                "now": round(paid.paid, 2),
                "with_job": None if after is None else round(after.paid, 2),
                "changed_by": None if after is None else after.stopped,
                "rule": INCOME_KINDS[paid.kind].rule,
            }
        )
    return rows


def lost_income(now: Scenario, with_job: Scenario) -> list[tuple]:
    """(paid now, paid with the job, rule) for each income the job stops or reduces."""
    return [
        (before, after)
        for before, after in zip(now.incomes.paid, with_job.incomes.paid)
        if after.stopped and after.paid < before.paid
    ]


def why_it_changes(after, rates) -> str:
    if after.stopped == CA_EARNINGS_LIMIT:
        return (
            f"your earnings would be over the Carer's Allowance limit of {gbp(rates.carers_allowance.earnings_limit_weekly)} "
            "a week (after tax, National Insurance and half of pension contributions)"
        )
    if after.stopped == JSA_HOURS:
        if after.paid > 0:
            return (
                f"earnings above {gbp(rates.income_rules.jsa_earnings_disregard_weekly)} a week are taken off "
                "new-style JSA"
            )
        return f"new-style JSA stops with work of {rates.income_rules.jsa_remunerative_work_hours:g} hours a week or more"
    if after.stopped == ESA_PERMITTED_WORK:
        return (
            f"ESA stops with work of {rates.income_rules.esa_permitted_work_hours:g} hours a week or more, or "
            f"earnings over {gbp(rates.income_rules.esa_permitted_work_limit_weekly)} a week (permitted work)"
        )
    if after.stopped == STOPS_WITH_WORK:
        return "it is not paid for weeks you work (beyond 10 keeping-in-touch days)"
    return "of the job"


def made_up_by_uc(after, loss: float, with_job: Scenario) -> float:
    """How much of a lost income Universal Credit makes up: UC counts it pound for pound, so it
    rises by the loss, but only as far as the award before it went (ignoring the tax on it)."""
    if not INCOME_KINDS[after.kind].counted_by_uc or with_job.universal_credit.benefit_cap_reduction > 0:
        return 0.0
    return min(loss, with_job.universal_credit.award_before_cap)


def income_sentences(context: Context, now: Scenario, with_job: Scenario | None) -> list[str]:
    """What the job does to each income; calm when Universal Credit makes the loss up."""
    if with_job is None or not context.household.incomes:
        return []
    sentences = []
    household = context.household
    for before, after in lost_income(now, with_job):
        label = INCOME_KINDS[after.kind].label
        loss = before.paid - after.paid
        made_up = made_up_by_uc(after, loss, with_job)
        verb = "would stop" if after.paid <= 0 else f"would fall to {gbp(after.paid)} a month"
        text = f"With the job {label} ({gbp(before.paid)} a month) {verb}: {why_it_changes(after, context.rates)}."
        if made_up >= loss - 0.005:
            text += " Universal Credit goes up by the same amount, so you lose nothing from it."
        elif made_up > 0:
            text += f" Universal Credit goes up by {gbp(made_up)} to make part of it up; the figures include this."
        sentences.append(text)
    job = household.job
    for after in with_job.incomes.paid:
        if after.kind == "carers_allowance" and after.adult == job.adult and not after.stopped and job.hours_per_week > 0:
            sentences.append(
                f"Carer's Allowance carries on with the job: earnings after deductions stay within its limit of "
                f"{gbp(context.rates.carers_allowance.earnings_limit_weekly)} a week."
            )
    return sentences


def household_warnings(context: Context, now: Scenario, with_job: Scenario | None) -> list[str]:
    """Warnings specific to this household, the most important first (before the general ones)."""
    household, rates = context.household, context.rates
    notes = []
    housing = household.housing
    limit = rates.plausibility
    rent = housing.monthly_rent + housing.monthly_service_charges
    if housing.tenure in ("social_rent", "private_rent") and rent > limit.rent_monthly_warning_above:
        notes.append(
            f"Check the rent: {gbp(rent)} a month is more than {gbp(limit.rent_monthly_warning_above)}. Was a yearly "
            "or a weekly figure typed as monthly?"
        )
    job = household.job
    if job and job.hourly_wage > limit.hourly_wage_warning_above:
        notes.append(
            f"Check the wage: {gbp(job.hourly_wage)} an hour is more than {gbp(limit.hourly_wage_warning_above)}. "
            "Was a weekly or yearly figure typed as hourly?"
        )
    if housing.tenure == "private_rent" and housing.lha_monthly_cap == 0:
        notes.append(
            "Check the Local Housing Allowance rate: it is £0, so no help with the rent is counted. Enter the LHA "
            "rate for the household's bedroom entitlement in its area."
        )
    if with_job is not None:
        for before, after in lost_income(now, with_job):
            lost = before.paid - after.paid
            made_up = made_up_by_uc(after, lost, with_job)
            if made_up >= lost - 0.005:
                continue  # Universal Credit makes it all up: explained calmly, no warning
            label = INCOME_KINDS[after.kind].label
            notes.append(
                f"With the job {label} ({gbp(lost)} a month) {'stops' if after.paid <= 0 else 'goes down'} because "
                f"{why_it_changes(after, rates)}; Universal Credit makes up {gbp(made_up)} of it, so you lose "
                f"{gbp(lost - made_up)} a month of it (already in the figures). Tell the office that pays it when "
                "the job starts."
            )
    return notes


def rules_assumptions(context: Context, now: Scenario, with_job: Scenario | None) -> list[str]:
    household, rates = context.household, context.rates
    uc_rates = rates.universal_credit
    housing = household.housing
    notes = [
        "Transitional protection (for people moved to Universal Credit from older benefits) is not included.",
        "Employed work only: self-employment (and the minimum income floor) is not modelled.",
        "Deductions from Universal Credit (advance repayments, debts, sanctions) are not included.",
    ]
    young = [child for child in household.children if child.age < uc_rates.childcare_child_age_limit]
    if household.monthly_childcare_costs > 0 and not household.childcare_given_per_child and len(young) >= 2:
        notes.append(
            f"Childcare costs were given for the household, so the cap for two or more children "
            f"({gbp(uc_rates.childcare_cap_two_or_more_children_monthly)}) is used because {len(young)} children are "
            f"under {uc_rates.childcare_child_age_limit}. If only one child is in paid childcare, give costs per child: "
            f"the one-child cap ({gbp(uc_rates.childcare_cap_one_child_monthly)}) applies (UC Regs reg 34(1), 36)."
        )
    if household.monthly_childcare_costs > 0 and household.job and not household.childcare_costs_fixed:
        notes.append(
            "In the hours chart, childcare costs grow in step with the hours worked (the costs given are for the "
            "job's hours), unless they are marked as fixed."
        )
    if housing.weekly_rent is not None:
        weeks = 52 - housing.rent_free_weeks
        notes.append(
            f"Weekly rent of {gbp(housing.weekly_rent)} is {gbp(housing.monthly_rent)} a month: x {weeks} / 12"
            + (f" ({housing.rent_free_weeks} rent-free weeks)" if housing.rent_free_weeks else "")
            + " (UC Regs Sch 4 para 7)."
        )
    if housing.spare_bedrooms_worked_out:
        rooms = housing.bedrooms - housing.spare_bedrooms
        notes.append(
            f"Spare bedrooms worked out from the household: {housing.bedrooms} bedrooms, {rooms} or more needed "
            f"(one for the claimant or couple, one for each other person 16 or over, children under 16 sharing in "
            f"pairs of the same sex or both under 10, plus {housing.extra_bedrooms} additional): UC Regs Sch 4 "
            "para 10, 12. A couple among the non-dependants is taken to need a room each."
        )
    if housing.tenure == "owner_leaseholder":
        notes.append(
            "The owner's service charges (e.g. a right-to-buy leaseholder's) are met by Universal Credit whatever "
            "the earnings (UC Regs Sch 5; the zero-earnings rule ended in 2023), taking the qualifying period as "
            "served; ground rent and mortgage payments are not included."
        )
    if any(adult.health == "lcw" for adult in household.adults):
        notes.append(
            "Limited capability for work (LCW) gives the work allowance but no extra amount (the LCW element is "
            "only for some claims made before 3 April 2017, not modelled), and does not exempt from the benefit cap."
        )
    if household.incomes:
        notes.append(
            "Taxable incomes (Carer's Allowance, new-style JSA and ESA, pensions) are taxed with the earnings: "
            "they use up the personal allowance first, as a tax code would."
        )
    return notes
