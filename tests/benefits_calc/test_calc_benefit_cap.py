"""The benefit cap (UC Regs reg 78-83), 2026-27: 22,020 / 14,753 a year outside London,
25,323 / 16,967 in Greater London; monthly = annual / 12 (reg 80A)."""

import pytest

from plugins.benefits_calc.engine import calculate

# Child Benefit for 4 children: (27.05 + 3 x 17.90) x 52 / 12 = 80.75 x 52 / 12 = 349.9167 a month.
CHILD_BENEFIT_FOUR = 80.75 * 52 / 12


def big_family(build, earnings=0.0, london=False, **adult_overrides):
    """Lone parent, four children born after April 2017, social rent 1200:
    maximum = 424.90 + 4 x 303.94 + 1200 = 2840.66, far above the cap."""
    return build.household(
        adults=[build.adult(earnings=earnings, **adult_overrides)],
        children=[build.child(age=a) for a in (1, 3, 5, 7)],
        home=build.housing("social_rent", rent=1200),
        london=london,
    )


def test_reference_household_is_capped(build):
    # Lone parent, children 4 and 7, HA rent 700: maximum 1732.78; CB (27.05 + 17.90) x 52/12 = 194.78;
    # 1732.78 + 194.78 > 1835.00, so UC = 1835.00 - 194.78 = 1640.22 (as PolicyEngine gives).
    data = build.household(children=[build.child(age=4), build.child(age=7)], home=build.housing("social_rent", rent=700))
    result = calculate(data)
    assert result["now"]["universal_credit"] == 1640.22
    assert result["universal_credit_breakdown"]["now"]["benefit_cap_reduction"] == 92.56


def test_earnings_just_below_threshold_leave_the_cap_in_place(build):
    # Earnings 880.99 (no tax or NI), below 881: reduction 0.55 x (880.99 - 427) = 249.6945;
    # pre-cap 2840.66 - 249.6945 = 2590.9655; capped UC = 1835 - 349.9167 = 1485.0833 -> 1485.08
    result = calculate(big_family(build, earnings=880.99))
    assert result["now"]["universal_credit"] == 1485.08
    assert "benefit_cap" in result["rules_applied"]["now"]


def test_earnings_at_threshold_lift_the_cap(build):
    # reg 82(1)(a): earned income 881 >= 881: no cap. 2840.66 - 0.55 x (881 - 427) = 2590.96
    result = calculate(big_family(build, earnings=881.00))
    assert result["now"]["universal_credit"] == 2590.96
    assert result["universal_credit_breakdown"]["now"]["benefit_cap_reduction"] == 0.0
    assert "benefit_cap_earnings_exception" in result["rules_applied"]["now"]


def test_earnings_test_uses_earnings_after_pension(build):
    # Gross 900 with 5% pension = 855 earned income (no tax, no NI): below 881, so still capped.
    result = calculate(big_family(build, earnings=900, pension=5))
    assert result["now"]["universal_credit"] == round(1835 - CHILD_BENEFIT_FOUR, 2)


def test_london_family_cap(build):
    # 25,323 / 12 = 2110.25; UC = 2110.25 - 349.9167 = 1760.3333 -> 1760.33
    result = calculate(big_family(build, london=True))
    assert result["now"]["universal_credit"] == 1760.33


@pytest.mark.parametrize("london, cap", [(False, 1229.42), (True, 1413.92)])
def test_single_person_cap(build, london, cap):
    # Single, no children, social rent 1000: maximum 1424.90. Cap 14,753/12 = 1229.4167 or 16,967/12 = 1413.9167
    data = build.household(home=build.housing("social_rent", rent=1000), london=london)
    assert calculate(data)["now"]["universal_credit"] == cap


@pytest.mark.parametrize(
    "overrides",
    [{"health": "lcwra_new"}, {"carer": True}, {"disability_benefit": True}],
)
def test_exemptions_for_the_claimant(build, overrides):
    # reg 83: LCWRA, carer element, PIP/DLA/AA: no cap at all
    result = calculate(big_family(build, **overrides))
    now = result["universal_credit_breakdown"]["now"]
    assert now["benefit_cap_reduction"] == 0.0
    assert result["now"]["universal_credit"] == now["maximum_amount"]


def test_partner_over_pension_age_exempts_mixed_age_couple(build):
    # reg 83 exceptions: a joint claimant over State Pension age (taken as 66) exempts the couple
    data = big_family(build)
    data["adults"].append(build.adult(age=66))
    result = calculate(data)
    assert result["universal_credit_breakdown"]["now"]["benefit_cap_reduction"] == 0.0
    younger = big_family(build)
    younger["adults"].append(build.adult(age=65))
    assert calculate(younger)["universal_credit_breakdown"]["now"]["benefit_cap_reduction"] > 0


def test_disabled_child_exempts_household(build):
    # reg 83(1)(f): a child getting DLA exempts the household
    data = big_family(build)
    data["children"][0]["disability"] = "lower"
    result = calculate(data)
    assert result["universal_credit_breakdown"]["now"]["benefit_cap_reduction"] == 0.0


def test_childcare_element_sits_outside_the_cap(build):
    # reg 81: the cap reduction is itself reduced by the childcare element.
    # Earnings 500 (below 881), childcare 400 -> element 340. Max 2840.66 + 340 = 3180.66;
    # pre-cap 3180.66 - 0.55 x 73 = 3140.51; UC = 1835 - 349.9167 + 340 = 1825.0833 -> 1825.08
    data = big_family(build, earnings=500)
    data["monthly_childcare_costs"] = 400
    assert calculate(data)["now"]["universal_credit"] == 1825.08


def test_job_that_lifts_the_cap_is_explained(build):
    data = big_family(build)
    data["job"] = build.job(hours=16, wage=12.71)  # 16 x 12.71 x 52 / 12 = 881.23 >= 881
    result = calculate(data)
    assert result["universal_credit_breakdown"]["with_job"]["benefit_cap_reduction"] == 0.0
    text = " ".join(result["explanation"])
    assert "benefit cap does not apply" in text and "£881" in text


def test_capped_household_keeps_all_of_extra_earnings(build):
    # Under the cap, earnings only cut UC the cap was taking anyway: keep £1 of each £1 (no tax at 600/month)
    data = big_family(build)
    data["job"] = build.job(hours=10, wage=12.71)  # 550.77 a month, below 881
    result = calculate(data)
    assert result["details"]["with_job"]["keep_per_extra_pound"] == 1.0
    assert any("you keep all of it" in sentence for sentence in result["explanation"])
