"""Universal Credit for one monthly assessment period (UC Regs 2013, SI 2013/376).

Split in two so a 97-point hours sweep stays cheap: ``fixed_elements`` works out the
parts that do not depend on earnings (allowance, child/LCWRA/carer/housing elements,
tariff income) once; ``universal_credit`` adds what does (childcare, work allowance,
taper, benefit cap) for one scenario.

Every amount is monthly and unrounded; rounding to the penny happens only at output.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .household import Household
from .rate_tables import Rates


@dataclass(frozen=True)
class HousingElement:
    amount: float
    eligible_costs: float  # rent + service charges (owner/none: 0)
    lha_cap_reduction: float  # private rent above the LHA rate given
    bedroom_reduction: float  # social sector size criteria
    bedroom_reduction_rate: float
    non_dependant_deductions: float
    non_dependants_exempt: bool  # a claimant's disability benefit stops the deductions


@dataclass(frozen=True)
class FixedElements:
    """The parts of the award that earnings do not change."""

    standard_allowance: float
    child_elements: float
    children_with_element: int
    higher_first_child_element: bool
    disabled_child_elements: float
    lcwra: float
    lcwra_rate_name: str | None  # "new claim" / "protected"
    carer: float
    carer_elements: int
    carer_lost_to_lcwra: bool  # reg 29(4)
    housing: HousingElement
    childcare_eligible_children: int
    tariff_income: float
    capital_over_limit: bool
    all_over_pension_age: bool
    benefit_cap_monthly: float
    benefit_cap_exemption: str | None  # reason not based on earnings, or None
    # Share of the childcare paid that is relevant childcare (reg 33: for a child under the age
    # limit); below 1 only when costs are given per child and some are for older children.
    childcare_relevant_share: float = 1.0


@dataclass(frozen=True)
class UniversalCreditResult:
    """One scenario's award and its breakdown (the issue's ``universal_credit_breakdown`` keys first)."""

    standard_allowance: float
    child_elements: float
    disabled_child_elements: float
    lcwra: float
    carer: float
    housing: float
    childcare: float
    maximum_amount: float
    earnings_reduction: float
    unearned_income_reduction: float
    tariff_income: float
    benefit_cap_reduction: float
    universal_credit: float
    # Details for the explanation and the extra ``details`` output key.
    work_allowance: float
    work_allowance_eligible: bool
    earned_income: float
    childcare_costs_counted: float
    childcare_uncapped: float
    childcare_cap: float
    award_before_cap: float
    benefit_cap_applies: bool
    benefit_cap_exemption: str | None  # this scenario's reason other than earnings (adds Carer's Allowance)
    benefit_cap_lifted_by_earnings: float  # reduction the earnings exception avoided
    rules: tuple[str, ...] = field(default=())

    BREAKDOWN_KEYS = (
        "standard_allowance",
        "child_elements",
        "disabled_child_elements",
        "lcwra",
        "carer",
        "housing",
        "childcare",
        "maximum_amount",
        "earnings_reduction",
        "unearned_income_reduction",
        "tariff_income",
        "benefit_cap_reduction",
    )


def standard_allowance(household: Household, rates: Rates) -> float:
    """Reg 36: single or couple; a couple gets the 25+ rate if either partner is 25 or over."""
    uc = rates.universal_credit
    any_25_plus = any(adult.age >= 25 for adult in household.adults)
    if household.is_couple:
        return (
            uc.standard_allowance_couple_one_or_both_25_plus_monthly
            if any_25_plus
            else uc.standard_allowance_couple_both_under_25_monthly
        )
    return uc.standard_allowance_single_25_plus_monthly if any_25_plus else uc.standard_allowance_single_under_25_monthly


def child_elements(household: Household, rates: Rates) -> tuple[float, int, bool]:
    """Reg 24/36: the first child gets the higher amount if born before 6 April 2017.

    Reg 24A (two-child limit) applies only where the rates file has a finite limit; for
    2026-27 it is ``inf`` (abolished). With a finite limit only the basic rule is modelled:
    children born before the cutoff always count, later children only up to the limit.
    Returns (amount, children counted, higher first-child amount used).
    """
    uc = rates.universal_credit
    children = household.children
    if not children:
        return 0.0, 0, False
    higher_first = any(child.born_before_2017_04_06 for child in children)
    born_before = sum(1 for child in children if child.born_before_2017_04_06)
    born_after = len(children) - born_before
    limit = uc.child_element_limit
    counted_after = born_after if math.isinf(limit) else min(born_after, max(0, int(limit) - born_before))
    counted = born_before + counted_after
    amount = counted * uc.child_element_monthly
    if higher_first:
        amount += uc.child_element_first_child_born_before_2017_04_06_monthly - uc.child_element_monthly
    return amount, counted, higher_first


def disabled_child_elements(household: Household, rates: Rates) -> float:
    """Reg 24(2): lower or higher addition for each disabled child (not subject to any child limit)."""
    uc = rates.universal_credit
    per_level = {
        "none": 0.0,
        "lower": uc.disabled_child_addition_lower_monthly,
        "higher": uc.disabled_child_addition_higher_monthly,
    }
    return sum(per_level[child.disability] for child in household.children)


def health_and_carer_elements(household: Household, rates: Rates) -> tuple[float, str | None, float, int, bool]:
    """Reg 27-29: one LCWRA element per award; a carer element per caring claimant, except
    that a claimant to whom the LCWRA element is attributed gets no carer element (reg 29(4)).

    For a couple we attribute the LCWRA element to whichever partner gives the larger award
    (the regulations let DWP attribute it; we assume the favourable one).
    Returns (lcwra amount, rate name, carer amount, carer elements, carer element lost).
    """
    uc = rates.universal_credit
    rate_of = {
        "lcwra_new": (uc.lcwra_element_new_claim_monthly, "new claim"),
        "lcwra_protected": (uc.lcwra_element_protected_monthly, "protected"),
    }
    carers = [index for index, adult in enumerate(household.adults) if adult.carer]
    holders = [index for index, adult in enumerate(household.adults) if adult.has_lcwra]
    if not holders:
        return 0.0, None, len(carers) * uc.carer_element_monthly, len(carers), False
    best = None
    for holder in holders:
        lcwra_amount, rate_name = rate_of[household.adults[holder].health]
        carer_count = sum(1 for index in carers if index != holder)
        total = lcwra_amount + carer_count * uc.carer_element_monthly
        if best is None or total > best[0]:
            best = (total, lcwra_amount, rate_name, carer_count)
    _, lcwra_amount, rate_name, carer_count = best
    return lcwra_amount, rate_name, carer_count * uc.carer_element_monthly, carer_count, carer_count < len(carers)


def housing_element(household: Household, rates: Rates) -> HousingElement:
    """Reg 25-26 and Sch 4: renters only.

    Social rent: rent + service charges, less 14%/25% for one/two+ spare bedrooms (Sch 4 para 36).
    Private rent: the lesser of rent + service charges and the LHA rate given (Sch 4 para 31-32).
    Then, for both, a housing cost contribution for each non-dependant (Sch 4 para 13-14), none
    if a claimant gets PIP daily living / DLA care / AA (para 15), never below nil.
    """
    uc = rates.universal_credit
    housing = household.housing
    if housing.tenure == "owner_leaseholder":
        return leaseholder_service_charges(housing)
    if housing.tenure not in ("social_rent", "private_rent"):
        return HousingElement(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, False)
    eligible = housing.monthly_rent + housing.monthly_service_charges
    lha_cap_reduction = bedroom_reduction = bedroom_rate = 0.0
    if housing.tenure == "private_rent":
        lha_cap_reduction = max(0.0, eligible - housing.lha_monthly_cap)
    elif housing.spare_bedrooms >= 2:
        bedroom_rate = uc.bedroom_reduction_two_or_more_spare
    elif housing.spare_bedrooms == 1:
        bedroom_rate = uc.bedroom_reduction_one_spare
    bedroom_reduction = eligible * bedroom_rate
    before_contributions = eligible - lha_cap_reduction - bedroom_reduction
    exempt = any(adult.disability_benefit for adult in household.adults)
    contributions = 0.0 if exempt else contributing_non_dependants(housing) * uc.non_dependant_deduction_monthly
    contributions = min(contributions, before_contributions)
    return HousingElement(
        amount=before_contributions - contributions,
        eligible_costs=eligible,
        lha_cap_reduction=lha_cap_reduction,
        bedroom_reduction=bedroom_reduction,
        bedroom_reduction_rate=bedroom_rate,
        non_dependant_deductions=contributions,
        non_dependants_exempt=exempt and housing.non_dependants > 0,
    )


def contributing_non_dependants(housing) -> int:
    """Sch 4 para 13, 16: a count means each is 21+ and not exempt; a list is checked person by person."""
    if housing.non_dependant_details is None:
        return housing.non_dependants
    return sum(1 for person in housing.non_dependant_details if person.contributes)


def leaseholder_service_charges(housing) -> HousingElement:
    """Reg 26(3), Sch 5: an owner-occupier's eligible service charges (e.g. a right-to-buy
    leaseholder's). The zero-earnings rule (Sch 5 para 4) no longer applies (removed in spring
    2023), so earnings do not stop them; the qualifying period (Sch 5 Part 3) is taken as served
    and no housing cost contribution is taken (Sch 4 para 13 is for renters)."""
    charges = housing.monthly_service_charges
    return HousingElement(charges, charges, 0.0, 0.0, 0.0, 0.0, False)


def tariff_income(capital: float, rates: Rates) -> float:
    """Reg 72: 4.35 a month for each 250, or part of 250, over 6,000 (worked in pence to avoid float slips)."""
    uc = rates.universal_credit
    excess_pence = round(capital * 100) - round(uc.capital_lower_limit * 100)
    if excess_pence <= 0:
        return 0.0
    step_pence = round(uc.tariff_income_step * 100)
    steps = -(-excess_pence // step_pence)
    return steps * uc.tariff_income_per_step_monthly


def benefit_cap_monthly(household: Household, rates: Rates) -> float:
    """Reg 80A: the annual cap / 12; the family rate for a couple or anyone with a child."""
    cap = rates.benefit_cap
    family = household.is_couple or bool(household.children)
    if household.london:
        annual = cap.family_london_annual if family else cap.single_london_annual
    else:
        annual = cap.family_outside_london_annual if family else cap.single_outside_london_annual
    return annual / 12


def benefit_cap_exemption(household: Household, rates: Rates, carer_elements: int) -> str | None:
    """Reg 82-83 exemptions that do not depend on earnings (the earnings one is per scenario)."""
    if any(adult.age >= rates.state_pension.pension_age for adult in household.adults):
        return "pension_age"
    if any(adult.has_lcwra for adult in household.adults):
        return "lcwra"
    if carer_elements > 0:
        return "carer"
    if any(adult.disability_benefit for adult in household.adults):
        return "disability_benefit"
    if any(child.disability != "none" for child in household.children):
        return "disabled_child"
    return None


def fixed_elements(household: Household, rates: Rates) -> FixedElements:
    children_amount, children_counted, higher_first = child_elements(household, rates)
    lcwra, lcwra_rate_name, carer, carer_count, carer_lost = health_and_carer_elements(household, rates)
    age_limit = rates.universal_credit.childcare_child_age_limit
    capital_over = round(household.capital * 100) > round(rates.universal_credit.capital_upper_limit * 100)
    return FixedElements(
        standard_allowance=standard_allowance(household, rates),
        child_elements=children_amount,
        children_with_element=children_counted,
        higher_first_child_element=higher_first,
        disabled_child_elements=disabled_child_elements(household, rates),
        lcwra=lcwra,
        lcwra_rate_name=lcwra_rate_name,
        carer=carer,
        carer_elements=carer_count,
        carer_lost_to_lcwra=carer_lost,
        housing=housing_element(household, rates),
        childcare_eligible_children=childcare_children(household, age_limit),
        tariff_income=tariff_income(household.capital, rates),
        capital_over_limit=capital_over,
        all_over_pension_age=all(adult.age >= rates.state_pension.pension_age for adult in household.adults),
        benefit_cap_monthly=benefit_cap_monthly(household, rates),
        benefit_cap_exemption=benefit_cap_exemption(household, rates, carer_count),
        childcare_relevant_share=childcare_relevant_share(household, age_limit),
    )


def childcare_children(household: Household, age_limit: int) -> int:
    """Reg 34(1), 36: the cap is for the number of children for whom childcare is paid. With costs
    per child, count those under the age limit with costs; with only a household total, every
    child under the limit (the old rule, stated as an assumption)."""
    young = [child for child in household.children if child.age < age_limit]
    if household.childcare_given_per_child:
        return sum(1 for child in young if (child.monthly_childcare_costs or 0) > 0)
    return len(young)


def childcare_relevant_share(household: Household, age_limit: int) -> float:
    if not household.childcare_given_per_child or household.monthly_childcare_costs <= 0:
        return 1.0
    relevant = sum(child.monthly_childcare_costs or 0 for child in household.children if child.age < age_limit)
    return relevant / household.monthly_childcare_costs


def meets_childcare_work_condition(household: Household, gross_earnings: tuple[float, ...]) -> bool:
    """Reg 32: a single claimant in paid work; a couple both in paid work, or one in paid work
    and the other with LCW/LCWRA or caring for a severely disabled person."""
    working = [earnings > 0 for earnings in gross_earnings]
    if not household.is_couple:
        return working[0]
    if all(working):
        return True
    for worker, other in ((0, 1), (1, 0)):
        partner = household.adults[other]
        if working[worker] and (partner.has_lcw_or_lcwra or partner.carer):
            return True
    return False


def childcare_element(
    fixed: FixedElements, childcare_costs: float, rates: Rates
) -> tuple[float, float, float]:
    """Reg 34: 85% of the charges paid, capped by the number of children (1, or 2+).

    Returns (element, 85% before the cap, the cap).
    """
    uc = rates.universal_credit
    if fixed.childcare_eligible_children == 0 or childcare_costs <= 0:
        return 0.0, 0.0, 0.0
    cap = (
        uc.childcare_cap_one_child_monthly
        if fixed.childcare_eligible_children == 1
        else uc.childcare_cap_two_or_more_children_monthly
    )
    uncapped = childcare_costs * fixed.childcare_relevant_share * uc.childcare_costs_rate
    return min(uncapped, cap), uncapped, cap


def work_allowance(household: Household, fixed: FixedElements, rates: Rates) -> tuple[float, bool]:
    """Reg 22(1)(b), (2): only with a child or LCW/LCWRA; the lower amount if the award has housing costs."""
    eligible = bool(household.children) or any(adult.has_lcw_or_lcwra for adult in household.adults)
    if not eligible:
        return 0.0, False
    uc = rates.universal_credit
    if fixed.housing.amount > 0:
        return uc.work_allowance_with_housing_monthly, True
    return uc.work_allowance_without_housing_monthly, True


def universal_credit(
    household: Household,
    fixed: FixedElements,
    rates: Rates,
    *,
    gross_earnings: tuple[float, ...],
    net_earnings: tuple[float, ...],
    child_benefit_monthly: float,
    childcare_costs_paid: float,
    other_unearned_income: float = 0.0,
    other_capped_benefits: float = 0.0,
    carers_allowance_paid: bool = False,
) -> UniversalCreditResult:
    """The award for one assessment period, given each adult's gross pay and UC earned income
    (gross - income tax - employee NI - pension contributions, reg 55(5)).

    ``other_unearned_income``: the ``incomes`` UC counts (reg 66), on top of
    ``monthly_unearned_income``; ``other_capped_benefits``: welfare benefits in the cap besides
    UC and Child Benefit (reg 79(4)); ``carers_allowance_paid``: exempts from the cap (reg 83(1))."""
    uc = rates.universal_credit
    rules: list[str] = []
    childcare, childcare_uncapped, childcare_cap = childcare_element(fixed, childcare_costs_paid, rates)
    maximum_amount = (
        fixed.standard_allowance
        + fixed.child_elements
        + fixed.disabled_child_elements
        + fixed.lcwra
        + fixed.carer
        + fixed.housing.amount
        + childcare
    )
    allowance, allowance_eligible = work_allowance(household, fixed, rates)
    earned_income = sum(net_earnings)
    earnings_reduction = uc.taper_rate * max(0.0, earned_income - allowance)
    unearned_reduction = household.monthly_unearned_income + other_unearned_income
    tariff = fixed.tariff_income
    if fixed.all_over_pension_age or fixed.capital_over_limit:
        award_before_cap = 0.0
    else:
        award_before_cap = max(0.0, maximum_amount - earnings_reduction - unearned_reduction - tariff)

    # Benefit cap, reg 79-83: the excess of UC + Child Benefit over the cap, less any childcare
    # element (reg 81), comes off UC; exempt if earned income reaches the threshold (reg 82).
    excess = max(
        0.0, award_before_cap + child_benefit_monthly + other_capped_benefits - fixed.benefit_cap_monthly - childcare
    )
    would_reduce = min(award_before_cap, excess)
    earnings_exempt = earned_income >= rates.benefit_cap.earnings_exception_monthly
    exemption = fixed.benefit_cap_exemption or ("carers_allowance" if carers_allowance_paid else None)
    cap_applies = exemption is None and not earnings_exempt
    cap_reduction = would_reduce if cap_applies else 0.0
    lifted_by_earnings = would_reduce if exemption is None and earnings_exempt else 0.0
    award = award_before_cap - cap_reduction

    if fixed.all_over_pension_age:
        rules.append("pension_age")
    if earned_income > 0:
        rules.append("work_allowance" if allowance_eligible else "no_work_allowance")
    if earnings_reduction > 0:
        rules.append("taper")
    if unearned_reduction > 0:
        rules.append("unearned_income")
    if tariff > 0:
        rules.append("tariff_income")
    if fixed.capital_over_limit:
        rules.append("capital_limit")
    if cap_reduction > 0:
        rules.append("benefit_cap")
    if exemption is None and earnings_exempt:
        rules.append("benefit_cap_earnings_exception")
    if fixed.housing.lha_cap_reduction > 0:
        rules.append("lha_cap")
    if fixed.housing.bedroom_reduction > 0:
        rules.append("bedroom_reduction")
    if fixed.housing.non_dependant_deductions > 0:
        rules.append("non_dependant_deduction")
    if childcare > 0:
        rules.append("childcare")
    if childcare_uncapped > childcare:
        rules.append("childcare_cap")
    if fixed.higher_first_child_element:
        rules.append("higher_first_child_element")
    if fixed.children_with_element < len(household.children):
        rules.append("child_limit")
    if fixed.carer_lost_to_lcwra:
        rules.append("lcwra_instead_of_carer")

    return UniversalCreditResult(
        standard_allowance=fixed.standard_allowance,
        child_elements=fixed.child_elements,
        disabled_child_elements=fixed.disabled_child_elements,
        lcwra=fixed.lcwra,
        carer=fixed.carer,
        housing=fixed.housing.amount,
        childcare=childcare,
        maximum_amount=maximum_amount,
        earnings_reduction=earnings_reduction,
        unearned_income_reduction=unearned_reduction,
        tariff_income=tariff,
        benefit_cap_reduction=cap_reduction,
        universal_credit=award,
        work_allowance=allowance,
        work_allowance_eligible=allowance_eligible,
        earned_income=earned_income,
        childcare_costs_counted=childcare_costs_paid,
        childcare_uncapped=childcare_uncapped,
        childcare_cap=childcare_cap,
        award_before_cap=award_before_cap,
        benefit_cap_applies=cap_applies,
        benefit_cap_exemption=exemption,
        benefit_cap_lifted_by_earnings=lifted_by_earnings,
        rules=tuple(rules),
    )
