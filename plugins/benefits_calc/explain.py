"""Plain-English explanation, warnings and assumptions for a calculation.

Written for a resident reading the kiosk screen or a printed summary: short sentences,
amounts per month, the rule named in everyday words. Only rules that changed the
answer are explained; the warnings and assumptions are what a resident and the staff
must know before relying on the figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only for type hints: engine imports this module
    from .engine import Context, Scenario

NOW, WITH_JOB = "Now", "With the job"


def gbp(amount: float) -> str:
    """£1,835 for whole pounds, £1,640.22 otherwise."""
    pennies = round(amount * 100)
    if pennies % 100 == 0:
        return f"£{pennies // 100:,}"
    return f"£{pennies / 100:,.2f}"


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
    ) -> Notes:
        scenarios = [(NOW, now, now_keep)] + ([(WITH_JOB, with_job, job_keep)] if with_job else [])
        explanation = headline(context, now, with_job)
        explanation += award_sentences(context, scenarios)
        explanation += element_sentences(context, now)
        explanation += earnings_sentences(context, scenarios)
        explanation += benefit_cap_sentences(context, now, with_job)
        explanation += marginal_sentences(context, scenarios)
        explanation += council_tax_sentences(context, now, with_job)
        return cls(
            explanation=explanation,
            warnings=warnings(context, now, with_job),
            assumptions=assumptions(context, now, with_job),
        )


def headline(context: Context, now: Scenario, with_job: Scenario | None) -> list[str]:
    after = "after tax, National Insurance, pension contributions and the costs of working"
    if with_job is None:
        return [f"Your household has {gbp(now.net_income)} a month to live on now, {after}."]
    job = context.household.job
    difference = round(with_job.net_income - now.net_income, 2)
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
                f"{label}: the benefit cap limits Universal Credit and Child Benefit together to {cap} a month "
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


def marginal_sentences(context: Context, scenarios: list) -> list[str]:
    sentences = []
    for label, scenario, keep in scenarios:
        if keep is None:
            continue
        kept = round(keep * 100)
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
    notes = [
        "The first Universal Credit payment comes about five weeks after you claim. You can ask for an "
        "advance, but it is a loan taken back from later payments.",
        "This is an estimate. Universal Credit is worked out each monthly assessment period on what you are "
        "actually paid in it: pay dates and weekly or four-weekly pay can make some months higher or lower.",
        "Transitional protection (for people moved to Universal Credit from older benefits) is not included.",
        "Self-employment is not included (nor the minimum income floor): the figures are for employed work only.",
        "Deductions from Universal Credit (advance repayments, debts, sanctions) are not included.",
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
        if worker.carer:
            notes.append(
                f"If you get Carer's Allowance, earning more than {gbp(rates.carers_allowance.earnings_limit_weekly)} "
                "a week (after some deductions) stops it. The figures keep your other income the same with the job, "
                "so check this before accepting."
            )
        if worker.has_lcwra:
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
        "in a couple both working, or one working and the other a carer or with LCWRA), for children under "
        f"{rates.universal_credit.childcare_child_age_limit}; the same monthly amount is used in both scenarios.",
        "The earnings test for the benefit cap uses earnings after tax, National Insurance and pension "
        f"({gbp(rates.benefit_cap.earnings_exception_monthly)} a month: 16 hours at the National Living Wage).",
        "Amounts are rounded to the penny only at the end; DWP rounds at each step (UC Regs reg 6), so an award "
        "can differ by a penny or two.",
    ]
    if household.housing.non_dependants > 0:
        notes.append(
            "Each non-dependant is taken to be 21 or over and not exempt from a deduction (for example not on "
            "Pension Credit, Carer's Allowance or PIP daily living, and not caring for a child under 5)."
        )
    if any(adult.disability_benefit for adult in household.adults):
        notes.append(
            "'disability_benefit' is taken as PIP daily living, DLA care (middle or highest) or Attendance "
            "Allowance: it exempts the household from the benefit cap and from non-dependant deductions."
        )
    if any(adult.carer for adult in household.adults):
        notes.append(
            "'carer' means caring 35 hours a week or more for a severely disabled person; a couple who are both "
            "carers are taken to care for different people. Any Carer's Allowance must be entered as other income."
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
