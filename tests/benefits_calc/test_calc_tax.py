"""Income tax, employee NI, Child Benefit and its high income charge, 2026-27."""

import pytest

from plugins.benefits_calc.engine import calculate
from plugins.benefits_calc.rate_tables import load_rates
from plugins.benefits_calc.tax import (
    child_benefit_charge_annual,
    income_tax_annual,
    national_insurance_annual,
    personal_allowance,
)

RATES = load_rates("2026-27")


@pytest.mark.parametrize(
    "income, tax",
    [
        (12570, 0.0),
        (20000, 1486.0),  # (20,000 - 12,570) x 20%
        (50270, 7540.0),  # 37,700 x 20%
        (60000, 11432.0),  # 7,540 + (60,000 - 50,270) x 40% = 7,540 + 3,892
        (110000, 33432.0),  # PA 12,570 - 5,000 = 7,570; taxable 102,430: 7,540 + 64,730 x 40%
        (130000, 44703.0),  # PA 0: 7,540 + 87,440 x 40% + 4,860 x 45% = 7,540 + 34,976 + 2,187
    ],
)
def test_income_tax_rest_of_uk(income, tax):
    assert income_tax_annual(income, RATES.income_tax, scottish=False) == pytest.approx(tax)


def test_personal_allowance_taper():
    # ITA 2007 s.35: 1 for every 2 over 100,000
    assert personal_allowance(100000, RATES.income_tax) == 12570
    assert personal_allowance(110000, RATES.income_tax) == 7570
    assert personal_allowance(125140, RATES.income_tax) == 0


def test_income_tax_scottish():
    # 30,000: taxable 17,430 = 3,967 x 19% (753.73) + 12,989 x 20% (2,597.80) + 474 x 21% (99.54) = 3,451.07
    assert income_tax_annual(30000, RATES.income_tax, scottish=True) == pytest.approx(3451.07)


@pytest.mark.parametrize(
    "gross, ni",
    [
        (12570, 0.0),
        (20000, 594.40),  # (20,000 - 12,570) x 8%
        (60000, 3210.60),  # 37,700 x 8% + 9,730 x 2%
    ],
)
def test_employee_national_insurance(gross, ni):
    assert national_insurance_annual(gross, RATES.national_insurance) == pytest.approx(ni)


@pytest.mark.parametrize(
    "income, charge",
    [
        (60000, 0.0),
        (60199, 0.0),  # under one whole 200
        (60200, 20.0),  # 1% of 2,000
        (70000, 1000.0),  # 50%
        (85000, 2000.0),  # all of it from 80,000
    ],
)
def test_high_income_child_benefit_charge(income, charge):
    assert child_benefit_charge_annual(income, 2000.0, RATES.child_benefit) == pytest.approx(charge)


def test_child_benefit_monthly(build):
    # 27.05 x 52 / 12 = 117.2167 -> 117.22; two: 44.95 x 52 / 12 = 194.7833 -> 194.78
    assert calculate(build.household(children=[build.child()]))["now"]["child_benefit"] == 117.22
    two = build.household(children=[build.child(), build.child(age=6)])
    assert calculate(two)["now"]["child_benefit"] == 194.78
    assert calculate(build.household())["now"]["child_benefit"] == 0.0


def test_monthly_tax_and_ni_in_scenario(build):
    # 2500/month = 30,000 a year: tax 3,486 -> 290.50; NI 1,394.40 -> 116.20
    result = calculate(build.household(adults=[build.adult(earnings=2500)]))
    assert result["now"]["income_tax"] == 290.50
    assert result["now"]["national_insurance"] == 116.20


def test_scottish_taxpayer_from_input_or_site_option(build):
    # 2500/month: Scottish tax 3,451.07 / 12 = 287.59
    data = build.household(adults=[build.adult(earnings=2500)])
    assert calculate(data, scottish_taxpayer=True)["now"]["income_tax"] == 287.59
    assert calculate(data, scottish_taxpayer=False)["now"]["income_tax"] == 290.50
    data["scottish_taxpayer"] = True
    assert calculate(data, scottish_taxpayer=False)["now"]["income_tax"] == 287.59  # the household's own field wins


def test_high_income_charge_added_to_income_tax(build):
    # 6000/month = 72,000: charge 60% of CB. One child CB 27.05 x 52 = 1,406.60 a year -> 843.96 -> 70.33/month
    data = build.household(adults=[build.adult(earnings=6000)], children=[build.child()])
    result = calculate(data)
    plain_tax = income_tax_annual(72000, RATES.income_tax, scottish=False) / 12
    assert result["details"]["now"]["child_benefit_charge"] == 70.33
    assert result["now"]["income_tax"] == round(plain_tax + 843.96 / 12, 2)
