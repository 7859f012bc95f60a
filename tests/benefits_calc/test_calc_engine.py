"""The whole calculation: output shape, better-off figure, explanation, warnings, council tax, sweep."""

import json

import pytest

from plugins.benefits_calc.engine import calculate

SCENARIO_KEYS = {
    "earnings", "income_tax", "national_insurance", "pension_contributions", "universal_credit",
    "child_benefit", "council_tax_reduction", "costs_of_work", "net_income",
}
BREAKDOWN_KEYS = {
    "standard_allowance", "child_elements", "disabled_child_elements", "lcwra", "carer", "housing",
    "childcare", "maximum_amount", "earnings_reduction", "unearned_income_reduction", "tariff_income",
    "benefit_cap_reduction",
}
SCHEME = {
    "name": "Anytown Council Tax Support (example)",
    "maximum_percent": 80,
    "applicable_amount_monthly": 400,
    "taper_percent": 20,
}


def lone_parent(build, **job):
    """Lone parent 30, children 4 and 7, social rent 700: the research note's reference household."""
    return build.household(
        children=[build.child(age=4), build.child(age=7)],
        home=build.housing("social_rent", rent=700),
        with_job=build.job(**job) if job else None,
    )


def test_output_has_the_issues_keys(build):
    result = calculate(lone_parent(build, hours=16))
    assert SCENARIO_KEYS <= set(result["now"]) and SCENARIO_KEYS <= set(result["with_job"])
    assert set(result["universal_credit_breakdown"]["now"]) == BREAKDOWN_KEYS
    assert set(result["universal_credit_breakdown"]["with_job"]) == BREAKDOWN_KEYS
    assert isinstance(result["better_off"], float)
    assert all(isinstance(s, str) and s for s in result["explanation"] + result["warnings"] + result["assumptions"])
    json.dumps(result)  # serialisable as the CLI prints it


def test_money_is_rounded_to_the_penny(build):
    result = calculate(lone_parent(build, hours=17.3, wage=13.33))
    for scenario in ("now", "with_job"):
        for value in result[scenario].values():
            assert round(value, 2) == value


def test_reference_household_better_off_matches_policyengine(build):
    # Research note section 4.5 (PolicyEngine UK 2.162.10): 0 h -> 1835.00 cash, 16 h -> 2558.97; +723.97
    result = calculate(lone_parent(build, hours=16))
    assert result["now"]["net_income"] == 1835.00
    assert result["with_job"]["net_income"] == 2558.97
    assert result["with_job"]["universal_credit"] == 1482.96
    assert result["better_off"] == 723.97
    assert "£723.97 a month better off" in result["explanation"][0]


def test_net_income_adds_up(build):
    data = lone_parent(build, hours=30, wage=14.10, travel=60)
    data["adults"][0]["pension_contribution_percent"] = 3
    data["monthly_unearned_income"] = 50
    data["council_tax_monthly"] = 120
    result = calculate(data, council_tax_scheme=SCHEME)
    for scenario in (result["now"], result["with_job"]):
        total = (
            scenario["earnings"] - scenario["income_tax"] - scenario["national_insurance"]
            - scenario["pension_contributions"] + scenario["other_income"] + scenario["universal_credit"]
            + scenario["child_benefit"] + scenario["council_tax_reduction"] - scenario["costs_of_work"]
        )
        assert scenario["net_income"] == pytest.approx(total, abs=0.03)  # components rounded separately
    assert result["better_off"] == pytest.approx(result["with_job"]["net_income"] - result["now"]["net_income"], abs=0.01)


def test_travel_costs_are_costs_of_work(build):
    without = calculate(lone_parent(build, hours=16, travel=0))
    with_travel = calculate(lone_parent(build, hours=16, travel=75))
    assert with_travel["with_job"]["costs_of_work"] == 75.00
    assert with_travel["now"]["costs_of_work"] == 0.0
    assert with_travel["better_off"] == round(without["better_off"] - 75, 2)


def test_childcare_is_a_cost_of_work_net_of_the_element(build):
    # With the job: pays 400 childcare, UC childcare element 85% = 340, so it costs 60 net
    data = lone_parent(build, hours=16)
    data["monthly_childcare_costs"] = 400
    result = calculate(data)
    assert result["with_job"]["costs_of_work"] == 400.00
    assert result["universal_credit_breakdown"]["with_job"]["childcare"] == 340.00
    assert result["now"]["costs_of_work"] == 0.0  # not working now: no childcare counted
    assert any("arrears" in warning for warning in result["warnings"])


def test_job_replaces_current_earnings_of_that_adult(build):
    data = build.household(
        adults=[build.adult(earnings=300), build.adult(earnings=1000)], with_job=build.job(adult=0, hours=20, wage=12)
    )
    result = calculate(data)
    # 20 x 12 x 52 / 12 = 1040 replaces 300; partner keeps 1000
    assert result["with_job"]["earnings"] == 2040.00
    assert result["details"]["with_job"]["earnings_by_adult"] == [1040.00, 1000.00]


def test_without_job_only_now(build):
    result = calculate(lone_parent(build))
    assert result["with_job"] is None and result["better_off"] is None
    assert result["universal_credit_breakdown"]["with_job"] is None
    assert result["now"]["universal_credit"] == 1640.22


def test_marginal_rate_in_words_basic_rate_taxpayer(build):
    # 37.5 h at 15.00 = 2437.50/month: basic-rate tax 20% + NI 8%, then the taper 55% of what is left:
    # keep 0.72 x 0.45 = 0.324 -> "32p"
    result = calculate(lone_parent(build, hours=37.5, wage=15.00))
    assert result["with_job"]["universal_credit"] > 0
    assert result["details"]["with_job"]["keep_per_extra_pound"] == pytest.approx(0.32, abs=0.005)
    assert (
        "With the job, of each extra £1 you earn: 20p tax, 8p National Insurance and 40p less Universal Credit; "
        "you keep 32p." in result["explanation"]
    )


def test_marginal_rate_below_tax_threshold(build):
    # One child, rent 600 (not capped). 10 h at 12.71 = 550.77/month: no tax or NI, above the
    # work allowance of 427: keep 1 - 0.55 = 45p
    data = build.household(
        children=[build.child(age=4)], home=build.housing("social_rent", rent=600), with_job=build.job(hours=10)
    )
    result = calculate(data)
    assert "keep 45p" in " ".join(result["explanation"])


def test_warnings_residents_must_hear(build):
    result = calculate(lone_parent(build, hours=16))
    warnings = " ".join(result["warnings"])
    assert "five weeks" in warnings
    assert "Council tax reduction was not estimated" in warnings
    # Not about this household: stated once among the assumptions instead (issue 13)
    assumptions = " ".join(result["assumptions"])
    assert "Transitional protection" in assumptions and "self-employment" in assumptions


def test_minimum_wage_warning(build):
    warnings = " ".join(calculate(lone_parent(build, hours=16, wage=9.00))["warnings"])
    assert "below the legal minimum of £12.71" in warnings


def test_council_tax_reduction_from_site_scheme(build):
    # Single, no income, liability 150: assessed income 0 -> 80% of 150 = 120.
    # With 1200 gross earnings (no tax: 14,400 - 12,570 = 1,830 x 20% = 366 -> 30.50; NI 146.40 -> 12.20):
    # earned 1157.30; excess over 400 = 757.30 x 20% = 151.46; 120 - 151.46 < 0 -> 0.
    data = build.household(council_tax_monthly=150, with_job=build.job(hours=20, wage=13.85))  # 1200.33
    result = calculate(data, council_tax_scheme=SCHEME)
    assert result["now"]["council_tax_reduction"] == 120.00
    assert result["with_job"]["council_tax_reduction"] == 0.0
    assert result["council_tax_scheme"]["local"] is True
    assert any("local scheme" in w for w in result["warnings"])


def test_council_tax_reduction_tapers(build):
    # Earnings 600 (no tax/NI): excess 200 x 20% = 40; 120 - 40 = 80
    data = build.household(adults=[build.adult(earnings=600)], council_tax_monthly=150)
    assert calculate(data, council_tax_scheme=SCHEME)["now"]["council_tax_reduction"] == 80.00


def test_council_tax_scheme_counting_universal_credit_and_default_liability(build):
    # UC 424.90 counted: excess 24.90 x 20% = 4.98; 80% of default liability 100 = 80 -> 75.02
    scheme = dict(SCHEME, count_universal_credit=True, default_monthly_liability=100)
    assert calculate(build.household(), council_tax_scheme=scheme)["now"]["council_tax_reduction"] == 75.02


def test_scheme_default_liability_of_zero_means_not_set(build):
    scheme = dict(SCHEME, default_monthly_liability=0.0)
    result = calculate(build.household(), council_tax_scheme=scheme)
    assert result["now"]["council_tax_reduction"] == 0.0
    assert any("no council tax amount was given" in w for w in result["warnings"])


def test_council_tax_scheme_capital_limit(build):
    scheme = dict(SCHEME, capital_limit=6000)
    data = build.household(capital=6000.01, council_tax_monthly=150)
    assert calculate(data, council_tax_scheme=scheme)["now"]["council_tax_reduction"] == 0.0


def test_no_scheme_means_no_reduction_but_same_results(build):
    data = build.household(council_tax_monthly=150)
    plain = build.household()
    assert calculate(data)["now"] == calculate(plain)["now"]
    assert calculate(data)["now"]["council_tax_reduction"] == 0.0


def test_optional_fields_left_out_give_identical_results(build):
    data = lone_parent(build, hours=16)
    explicit = dict(data, scottish_taxpayer=False, council_tax_monthly=None)
    assert calculate(explicit) == calculate(data)


class TestSweep:
    def test_has_97_points_from_0_to_48_hours(self, build):
        sweep = calculate(lone_parent(build, hours=16), sweep=True)["sweep"]
        assert len(sweep) == 97
        assert [p["hours"] for p in sweep] == [i / 2 for i in range(97)]
        assert set(sweep[0]) == {"hours", "earnings", "net_income", "universal_credit"}

    def test_point_at_the_offer_matches_with_job(self, build):
        result = calculate(lone_parent(build, hours=16), sweep=True)
        point = next(p for p in result["sweep"] if p["hours"] == 16)
        assert point["net_income"] == result["with_job"]["net_income"]
        assert point["universal_credit"] == result["with_job"]["universal_credit"]

    def test_zero_hours_is_no_job(self, build):
        result = calculate(lone_parent(build, hours=16, travel=50), sweep=True)
        assert result["sweep"][0]["earnings"] == 0.0
        assert result["sweep"][0]["net_income"] == result["now"]["net_income"]

    @pytest.mark.parametrize(
        "variant",
        ["plain", "capped", "childcare", "travel", "couple", "high_wage", "private_rent"],
    )
    def test_net_income_never_falls_as_hours_rise(self, build, variant):
        # Every marginal rate is below 100%, so after the first half hour (when travel and
        # childcare costs start) net income must not fall as hours rise.
        data = lone_parent(build, hours=16, wage=12.71)
        if variant == "capped":
            data["children"] += [build.child(age=1), build.child(age=2)]
            data["housing"]["monthly_rent"] = 1200
        elif variant == "childcare":
            data["monthly_childcare_costs"] = 900
            data["childcare_costs_fixed"] = True  # scaled with the hours, 900 for 16 h passes the cap (issue 13)
        elif variant == "travel":
            data["job"]["monthly_travel_costs"] = 120
        elif variant == "couple":
            data["adults"].append(build.adult(age=35, earnings=900))
        elif variant == "high_wage":
            data["job"]["hourly_wage"] = 60.0
        elif variant == "private_rent":
            data["housing"] = build.housing("private_rent", rent=950, lha=800)
        sweep = calculate(data, sweep=True)["sweep"]
        incomes = [p["net_income"] for p in sweep[1:]]
        assert all(later >= earlier - 0.01 for earlier, later in zip(incomes, incomes[1:]))
        assert incomes[-1] > incomes[0]

    def test_universal_credit_never_rises_with_hours_when_uncapped(self, build):
        data = build.household(
            children=[build.child(age=4)], home=build.housing("social_rent", rent=600), with_job=build.job()
        )
        sweep = calculate(data, sweep=True)["sweep"]
        credit = [p["universal_credit"] for p in sweep]
        assert all(later <= earlier for earlier, later in zip(credit, credit[1:]))
        assert credit[0] > credit[-1]

    def test_capped_household_jumps_when_cap_lifts(self, build):
        data = lone_parent(build, hours=16)
        data["children"] += [build.child(age=1), build.child(age=2)]
        data["housing"]["monthly_rent"] = 1200
        sweep = calculate(data, sweep=True)["sweep"]
        # 15.5 h = 853.69/month (< 881, capped); 16 h = 881.23 (cap lifted): UC jumps up
        before = next(p for p in sweep if p["hours"] == 15.5)
        after = next(p for p in sweep if p["hours"] == 16)
        assert after["universal_credit"] > before["universal_credit"] + 100
