"""The elements of the Universal Credit maximum amount, 2026-27 (UC Regs 2013, SI 2013/376).

Each test is a hand-worked example; the comment shows the sum and the regulation.
Households have no income and no housing unless stated, so UC = the maximum amount.
"""

import pytest

from plugins.benefits_calc.engine import calculate


def breakdown(data):
    return calculate(data)["universal_credit_breakdown"]["now"]


@pytest.mark.parametrize(
    "ages, expected",
    [
        ((24,), 338.58),  # reg 36: single under 25
        ((25,), 424.90),  # reg 36: single 25 or over (the birthday counts)
        ((24, 24), 528.34),  # reg 36: joint claimants both under 25
        ((24, 25), 666.97),  # reg 36: joint claimants, one or both 25 or over
        ((40, 50), 666.97),
    ],
)
def test_standard_allowance_by_age_and_couple(build, ages, expected):
    data = build.household(adults=[build.adult(age=age) for age in ages])
    result = calculate(data)
    assert result["universal_credit_breakdown"]["now"]["standard_allowance"] == expected
    assert result["now"]["universal_credit"] == expected  # no income, no housing: UC = maximum


def test_one_child_born_after_april_2017_gets_standard_child_element(build):
    # reg 24, reg 36: 303.94
    assert breakdown(build.household(children=[build.child(age=4)]))["child_elements"] == 303.94


def test_first_child_born_before_april_2017_gets_higher_amount(build):
    # reg 36: first child born before 6 April 2017 = 351.88
    assert breakdown(build.household(children=[build.child(age=12)]))["child_elements"] == 351.88


def test_higher_amount_only_for_the_first_child(build):
    # 351.88 (eldest, born before 6 April 2017) + 303.94 (other) = 655.82
    data = build.household(children=[build.child(age=12), build.child(age=4)])
    assert breakdown(data)["child_elements"] == 655.82


def test_two_older_children_get_one_higher_and_one_standard(build):
    # both born before 6 April 2017: 351.88 + 303.94 = 655.82 (only the first gets the higher amount)
    data = build.household(children=[build.child(age=12), build.child(age=14)])
    assert breakdown(data)["child_elements"] == 655.82


def test_child_born_5_april_2017_vs_6_april_2017(build):
    # Both are aged 9 during 2026-27. Born 5 April 2017 = before the cutoff -> 351.88;
    # born 6 April 2017 = not before it -> 303.94 (reg 36 table, "born prior to 6th April 2017").
    born_5th = build.household(children=[build.child(age=9, born_before_2017_04_06=True)])
    born_6th = build.household(children=[build.child(age=9, born_before_2017_04_06=False)])
    assert breakdown(born_5th)["child_elements"] == 351.88
    assert breakdown(born_6th)["child_elements"] == 303.94


def test_no_two_child_limit_from_april_2026(build):
    # Two-child limit abolished from 6 April 2026: 4 x 303.94 = 1215.76
    data = build.household(children=[build.child(age=a) for a in (1, 3, 5, 7)])
    result = calculate(data)
    assert result["universal_credit_breakdown"]["now"]["child_elements"] == 1215.76
    assert any("no two-child limit" in sentence for sentence in result["explanation"])


@pytest.mark.parametrize(
    "levels, expected",
    [
        (("lower",), 164.79),  # reg 24(2)(a)
        (("higher",), 514.71),  # reg 24(2)(b)
        (("lower", "higher"), 679.50),  # 164.79 + 514.71
        (("none",), 0.0),
    ],
)
def test_disabled_child_additions(build, levels, expected):
    data = build.household(children=[build.child(age=3 + i, disability=level) for i, level in enumerate(levels)])
    assert breakdown(data)["disabled_child_elements"] == expected


@pytest.mark.parametrize("health, expected", [("lcwra_new", 217.26), ("lcwra_protected", 429.80), ("none", 0.0)])
def test_lcwra_element_new_claim_vs_protected(build, health, expected):
    # reg 27 as amended by the Universal Credit Act 2025: 217.26 new claims, 429.80 protected
    assert breakdown(build.household(adults=[build.adult(health=health)]))["lcwra"] == expected


def test_couple_gets_one_lcwra_element_at_the_better_rate(build):
    # reg 27(4): one LCWRA element per award; attributed to the protected partner: 429.80
    data = build.household(adults=[build.adult(health="lcwra_new"), build.adult(health="lcwra_protected")])
    assert breakdown(data)["lcwra"] == 429.80


def test_carer_element_per_caring_claimant(build):
    # reg 29: 209.34 each; a couple caring for different people gets two (2 x 209.34 = 418.68)
    assert breakdown(build.household(adults=[build.adult(carer=True)]))["carer"] == 209.34
    both = build.household(adults=[build.adult(carer=True), build.adult(carer=True)])
    assert breakdown(both)["carer"] == 418.68


def test_lcwra_and_carer_same_person_gets_only_lcwra(build):
    # reg 29(4): a claimant with LCWRA who also cares gets only the LCWRA element
    data = build.household(adults=[build.adult(health="lcwra_new", carer=True)])
    result = calculate(data)
    assert result["universal_credit_breakdown"]["now"]["lcwra"] == 217.26
    assert result["universal_credit_breakdown"]["now"]["carer"] == 0.0
    assert "lcwra_instead_of_carer" in result["rules_applied"]["now"]


def test_couple_lcwra_attributed_so_carer_element_is_kept(build):
    # A: LCWRA (new) and carer; B: LCWRA (protected). Attributing the element to B gives
    # 429.80 + A's carer element 209.34 = 639.14, more than attributing to A (217.26 only).
    data = build.household(
        adults=[build.adult(health="lcwra_new", carer=True), build.adult(health="lcwra_protected")]
    )
    now = breakdown(data)
    assert (now["lcwra"], now["carer"]) == (429.80, 209.34)


def test_maximum_amount_adds_every_element(build):
    # Couple 30 & 28, one protected LCWRA, the other a carer, children 12 (higher first child,
    # lower disability) and 4; social rent 600 + 20 service, no spare rooms:
    # 666.97 + 351.88 + 303.94 + 164.79 + 429.80 + 209.34 + 620.00 = 2746.72
    data = build.household(
        adults=[build.adult(age=30, health="lcwra_protected"), build.adult(age=28, carer=True)],
        children=[build.child(age=12, disability="lower"), build.child(age=4)],
        home=build.housing("social_rent", rent=600, service=20),
    )
    now = breakdown(data)
    assert now["maximum_amount"] == 2746.72
    assert calculate(data)["now"]["universal_credit"] == 2746.72


def test_everyone_over_pension_age_gets_no_universal_credit(build):
    # Pension-age households claim Pension Credit, not UC (State Pension age taken as 66)
    result = calculate(build.household(adults=[build.adult(age=70), build.adult(age=67)]))
    assert result["now"]["universal_credit"] == 0.0
    assert "pension_age" in result["rules_applied"]["now"]


def test_mixed_age_couple_still_gets_universal_credit(build):
    result = calculate(build.household(adults=[build.adult(age=70), build.adult(age=60)]))
    assert result["now"]["universal_credit"] == 666.97


def test_a_finite_child_limit_in_a_rates_file_is_applied():
    # For a year with the two-child limit (reg 24A), e.g. a 2025-26 file: children born after
    # 6 April 2017 beyond the second get no child element; those born before always count.
    import dataclasses

    from plugins.benefits_calc.household import Child, Household, Housing, Adult
    from plugins.benefits_calc.rate_tables import load_rates
    from plugins.benefits_calc.uc import child_elements

    rates = load_rates("2026-27")
    limited = dataclasses.replace(
        rates, universal_credit=dataclasses.replace(rates.universal_credit, child_element_limit=2)
    )
    household = Household(
        london=False,
        adults=(Adult(30, 0.0, 0.0, "none", False, False),),
        children=(Child(12, True, "none"), Child(5, False, "none"), Child(3, False, "none")),
        housing=Housing("none", 0.0, 0.0, None, 0, 0),
        monthly_childcare_costs=0.0, capital=0.0, monthly_unearned_income=0.0, job=None,
    )
    amount, counted, higher = child_elements(household, limited)
    assert (counted, higher) == (2, True)
    assert amount == pytest.approx(351.88 + 303.94)  # the third child gets nothing
    assert child_elements(household, rates)[1] == 3  # 2026-27: no limit
