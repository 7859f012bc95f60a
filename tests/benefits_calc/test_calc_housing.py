"""The UC housing costs element (UC Regs reg 25-26, Sch 4), 2026-27."""

import pytest

from plugins.benefits_calc.engine import calculate


def housing_result(build, home, **household):
    result = calculate(build.household(home=home, **household))
    return result["universal_credit_breakdown"]["now"]["housing"], result


def test_social_rent_is_rent_plus_service_charges(build):
    # Sch 4 para 3-4: core rent 500 + eligible service charges 20 = 520
    amount, _ = housing_result(build, build.housing("social_rent", rent=500, service=20))
    assert amount == 520.00


def test_one_spare_bedroom_cuts_14_percent(build):
    # Sch 4 para 36: 520 x (1 - 0.14) = 447.20
    amount, result = housing_result(build, build.housing("social_rent", rent=500, service=20, spare=1))
    assert amount == 447.20
    assert "bedroom_reduction" in result["rules_applied"]["now"]
    assert any("14%" in sentence and "£72.80" in sentence for sentence in result["explanation"])


@pytest.mark.parametrize("spare", [2, 3])
def test_two_or_more_spare_bedrooms_cut_25_percent(build, spare):
    # Sch 4 para 36: 520 x (1 - 0.25) = 390.00, the same for 2 or more
    amount, _ = housing_result(build, build.housing("social_rent", rent=500, service=20, spare=spare))
    assert amount == 390.00


def test_non_dependant_deductions(build):
    # Sch 4 para 13-14: 520 - 2 x 96.55 = 326.90
    amount, result = housing_result(build, build.housing("social_rent", rent=500, service=20, non_dependants=2))
    assert amount == 326.90
    assert result["details"]["now"]["non_dependant_deductions"] == 193.10


def test_bedroom_cut_comes_before_non_dependant_deductions(build):
    # Sch 4 para 14(2): contributions come off last: 520 x 0.86 = 447.20, - 96.55 = 350.65
    amount, _ = housing_result(build, build.housing("social_rent", rent=500, service=20, spare=1, non_dependants=1))
    assert amount == 350.65


def test_non_dependant_deductions_never_make_housing_negative(build):
    # Sch 4 para 14(3): reduced to nil, no further: 150 - 2 x 96.55 < 0 -> 0
    amount, result = housing_result(build, build.housing("social_rent", rent=150, non_dependants=2))
    assert amount == 0.0
    assert result["now"]["universal_credit"] == 424.90


def test_no_non_dependant_deduction_when_claimant_gets_disability_benefit(build):
    # Sch 4 para 15: renter in receipt of PIP daily living / DLA care / AA is exempt
    amount, result = housing_result(
        build, build.housing("social_rent", rent=500, service=20, non_dependants=2),
        adults=[build.adult(disability_benefit=True)],
    )
    assert amount == 520.00
    assert any("No deduction is made" in sentence for sentence in result["explanation"])


def test_private_rent_capped_at_lha(build):
    # Sch 4 para 31-32: lesser of rent + service (900) and the LHA rate (750) = 750
    amount, result = housing_result(build, build.housing("private_rent", rent=900, lha=750))
    assert amount == 750.00
    assert "lha_cap" in result["rules_applied"]["now"]
    assert any("Local Housing Allowance" in sentence and "£150" in sentence for sentence in result["explanation"])


def test_private_rent_below_lha_is_paid_in_full_with_service_charges(build):
    # 700 + 30 = 730 < 750
    amount, result = housing_result(build, build.housing("private_rent", rent=700, service=30, lha=750))
    assert amount == 730.00
    assert "lha_cap" not in result["rules_applied"]["now"]


def test_private_rent_spare_bedrooms_do_not_cut(build):
    amount, _ = housing_result(build, build.housing("private_rent", rent=700, lha=750, spare=2))
    assert amount == 700.00


def test_private_rent_non_dependant_deduction(build):
    # Sch 4 para 13 applies to private renters too: 750 - 96.55 = 653.45
    amount, _ = housing_result(build, build.housing("private_rent", rent=900, lha=750, non_dependants=1))
    assert amount == 653.45


@pytest.mark.parametrize("tenure", ["owner", "none"])
def test_owner_or_no_housing_costs_get_nothing(build, tenure):
    amount, result = housing_result(build, build.housing(tenure, rent=500))
    assert amount == 0.0
    assert any("ignored" in note for note in result["assumptions"])


def test_young_single_private_renter_is_warned_about_shared_rate(build):
    _, result = housing_result(build, build.housing("private_rent", rent=700, lha=650), adults=[build.adult(age=30)])
    assert any("shared accommodation rate" in warning for warning in result["warnings"])
    _, older = housing_result(build, build.housing("private_rent", rent=700, lha=650), adults=[build.adult(age=35)])
    assert not any("shared accommodation rate" in warning for warning in older["warnings"])
