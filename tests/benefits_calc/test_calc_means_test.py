"""Work allowance, taper, unearned income, capital and childcare (UC Regs 2013), 2026-27."""

import pytest

from plugins.benefits_calc.engine import calculate


def now_breakdown(result):
    return result["universal_credit_breakdown"]["now"]


def test_no_work_allowance_for_childless_healthy_single(build):
    # reg 22(1)(a): no work allowance without a child or LCW/LCWRA; 500 earnings (no tax, no NI:
    # 6,000 a year is below 12,570) -> reduction 0.55 x 500 = 275; UC = 424.90 - 275 = 149.90
    result = calculate(build.household(adults=[build.adult(earnings=500)]))
    assert now_breakdown(result)["earnings_reduction"] == 275.00
    assert result["now"]["universal_credit"] == 149.90
    assert result["details"]["now"]["work_allowance"] == 0.0
    assert "no_work_allowance" in result["rules_applied"]["now"]


def test_lower_work_allowance_with_housing(build):
    # reg 22(2): lone parent with housing costs: lower WA 427. Earnings 500 -> 0.55 x 73 = 40.15
    result = calculate(
        build.household(
            adults=[build.adult(earnings=500)], children=[build.child()],
            home=build.housing("social_rent", rent=600),
        )
    )
    assert result["details"]["now"]["work_allowance"] == 427.00
    assert now_breakdown(result)["earnings_reduction"] == 40.15


def test_higher_work_allowance_without_housing(build):
    # reg 22(2): no housing costs: higher WA 710. Earnings 500 < 710 -> no reduction
    result = calculate(build.household(adults=[build.adult(earnings=500)], children=[build.child()]))
    assert result["details"]["now"]["work_allowance"] == 710.00
    assert now_breakdown(result)["earnings_reduction"] == 0.0
    assert result["now"]["universal_credit"] == round(424.90 + 303.94, 2)


def test_work_allowance_for_lcwra_without_children(build):
    # reg 22(1)(b)(ii): LCWRA gives a work allowance; 800 earnings - 710 = 90 x 0.55 = 49.50
    result = calculate(build.household(adults=[build.adult(earnings=800, health="lcwra_new")]))
    assert result["details"]["now"]["work_allowance"] == 710.00
    assert now_breakdown(result)["earnings_reduction"] == 49.50


def test_taper_is_on_earnings_after_tax_and_ni(build):
    # Lone parent, one child, social rent 600: maximum = 424.90 + 303.94 + 600 = 1328.84.
    # Gross 1601/month = 19,212 a year. Tax (19,212 - 12,570) x 20% = 1,328.40 -> 110.70/month.
    # NI (19,212 - 12,570) x 8% = 531.36 -> 44.28/month. Net 1601 - 110.70 - 44.28 = 1446.02.
    # Reduction (reg 22): 0.55 x (1446.02 - 427) = 560.461; UC = 1328.84 - 560.461 = 768.379 -> 768.38
    result = calculate(
        build.household(
            adults=[build.adult(earnings=1601)], children=[build.child()],
            home=build.housing("social_rent", rent=600),
        )
    )
    assert result["now"]["income_tax"] == 110.70
    assert result["now"]["national_insurance"] == 44.28
    assert result["details"]["now"]["uc_earned_income"] == 1446.02
    assert now_breakdown(result)["earnings_reduction"] == 560.46
    assert result["now"]["universal_credit"] == 768.38


def test_pension_contributions_come_off_before_tax_and_in_full_for_uc(build):
    # Same household, 5% pension (net pay arrangement): pension 80.05.
    # Tax on (1601 - 80.05) x 12 = 18,251.40: (18,251.40 - 12,570) x 20% = 1,136.28 -> 94.69.
    # NI on gross, unchanged: 44.28. Earned income (reg 55(5)) = 1601 - 94.69 - 44.28 - 80.05 = 1381.98.
    # Reduction 0.55 x (1381.98 - 427) = 525.239; UC = 1328.84 - 525.239 = 803.601 -> 803.60
    result = calculate(
        build.household(
            adults=[build.adult(earnings=1601, pension=5)], children=[build.child()],
            home=build.housing("social_rent", rent=600),
        )
    )
    assert result["now"]["pension_contributions"] == 80.05
    assert result["now"]["income_tax"] == 94.69
    assert result["now"]["national_insurance"] == 44.28
    assert result["now"]["universal_credit"] == 803.60


def test_couple_earnings_are_combined_with_one_work_allowance(build):
    # Couple with a child, no housing: WA 710 once. Earnings 400 + 600 = 1000 (no tax, no NI).
    # Reduction 0.55 x (1000 - 710) = 159.50; max 666.97 + 303.94 = 970.91; UC = 811.41
    result = calculate(
        build.household(adults=[build.adult(earnings=400), build.adult(earnings=600)], children=[build.child()])
    )
    assert now_breakdown(result)["earnings_reduction"] == 159.50
    assert result["now"]["universal_credit"] == 811.41


def test_unearned_income_reduces_pound_for_pound(build):
    # reg 66: 100 of unearned income -> UC 424.90 - 100 = 324.90
    result = calculate(build.household(unearned=100))
    assert now_breakdown(result)["unearned_income_reduction"] == 100.00
    assert result["now"]["universal_credit"] == 324.90
    assert result["now"]["other_income"] == 100.00


@pytest.mark.parametrize(
    "capital, tariff",
    [
        (0, 0.0),
        (6000.00, 0.0),  # reg 72: nothing up to 6,000
        (6000.01, 4.35),  # one penny over: a part of 250 counts as a whole 250
        (6250.00, 4.35),
        (6250.01, 8.70),
        (16000.00, 174.00),  # 10,000 / 250 = 40 steps x 4.35
    ],
)
def test_tariff_income_from_capital(build, capital, tariff):
    result = calculate(build.household(capital=capital, home=build.housing("social_rent", rent=500)))
    assert now_breakdown(result)["tariff_income"] == tariff
    assert result["now"]["universal_credit"] == round(924.90 - tariff, 2)


def test_capital_over_16000_means_no_universal_credit(build):
    # reg 18(1)(a): 16,000 is allowed (UC 924.90 - 174 = 750.90); 16,000.01 is not
    at_limit = calculate(build.household(capital=16000.00, home=build.housing("social_rent", rent=500)))
    over = calculate(build.household(capital=16000.01, home=build.housing("social_rent", rent=500)))
    assert at_limit["now"]["universal_credit"] == 750.90
    assert over["now"]["universal_credit"] == 0.0
    assert "capital_limit" in over["rules_applied"]["now"]
    assert any("£16,000 limit" in sentence for sentence in over["explanation"])


def test_childcare_element_is_85_percent(build):
    # reg 34: 85% of 500 = 425.00; single in paid work (reg 32)
    result = calculate(build.household(adults=[build.adult(earnings=1000)], children=[build.child(age=3)], childcare=500))
    assert now_breakdown(result)["childcare"] == 425.00
    assert result["now"]["costs_of_work"] == 500.00


def test_childcare_element_capped_for_one_child(build):
    # reg 34(2): 85% of 1500 = 1275 > cap 1071.09 -> 1071.09
    result = calculate(build.household(adults=[build.adult(earnings=1000)], children=[build.child(age=3)], childcare=1500))
    assert now_breakdown(result)["childcare"] == 1071.09
    assert "childcare_cap" in result["rules_applied"]["now"]


def test_childcare_element_capped_for_two_or_more_children(build):
    # 85% of 2500 = 2125 > cap 1836.16 for two or more children
    result = calculate(
        build.household(adults=[build.adult(earnings=1000)], children=[build.child(age=3), build.child(age=6)], childcare=2500)
    )
    assert now_breakdown(result)["childcare"] == 1836.16


def test_no_childcare_element_without_paid_work(build):
    # reg 32: no earnings, no childcare element; and no childcare is paid when not working
    result = calculate(build.household(children=[build.child(age=3)], childcare=500))
    assert now_breakdown(result)["childcare"] == 0.0
    assert result["now"]["costs_of_work"] == 0.0


def test_couple_needs_both_working_for_childcare(build):
    kids = [build.child(age=3)]
    one_works = build.household(adults=[build.adult(earnings=1000), build.adult()], children=kids, childcare=500)
    both_work = build.household(adults=[build.adult(earnings=1000), build.adult(earnings=200)], children=kids, childcare=500)
    partner_lcwra = build.household(
        adults=[build.adult(earnings=1000), build.adult(health="lcwra_new")], children=kids, childcare=500
    )
    assert now_breakdown(calculate(one_works))["childcare"] == 0.0
    assert now_breakdown(calculate(both_work))["childcare"] == 425.00
    assert now_breakdown(calculate(partner_lcwra))["childcare"] == 425.00  # reg 32(1)(b)(ii)


def test_no_childcare_element_for_children_16_or_over(build):
    result = calculate(build.household(adults=[build.adult(earnings=1000)], children=[build.child(age=16)], childcare=300))
    assert now_breakdown(result)["childcare"] == 0.0
    assert any("only for children under 16" in sentence for sentence in result["explanation"])
