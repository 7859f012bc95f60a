"""Issue 13's measured examples, each worked by hand in its docstring (2026-27 rates, £ a month).

Shared figures: Child Benefit eldest 27.05/wk, others 17.90/wk (x 52 / 12); family benefit cap
outside London 22,020 / 12 = 1,835; work allowance with housing 427; taper 55%; NLW 12.71.
"""

import datetime as dt
import json

import pytest

from plugins.benefits_calc.engine import calculate

TODAY = dt.date(2026, 12, 1)
CARERS_ALLOWANCE = 374.62  # 86.45 a week x 52 / 12 = 374.6167


def income(kind, monthly, adult=0):
    return {"adult": adult, "kind": kind, "monthly": monthly}


def run(data, **options):
    return calculate(data, today=TODAY, **options)


def test_child_maintenance_is_disregarded(build):
    """Lone parent 30, child 4, social rent 600, child maintenance 200, no job.

    Maximum UC = 424.90 + 303.94 + 600 = 1,328.84. Child maintenance is not unearned income
    (UC Regs reg 66), so UC = 1,328.84, not 1,328.84 - 200 = 1,128.84 (the old single box: £200 too
    low). Net = 1,328.84 + Child Benefit 117.2167 + 200 = 1,646.0567 -> 1,646.06.
    """
    base = dict(children=[build.child(age=4)], home=build.housing("social_rent", rent=600))
    kinds = run(build.household(**base, incomes=[income("child_maintenance", 200)]))
    one_box = run(build.household(**base, unearned=200))
    assert kinds["now"]["universal_credit"] == 1328.84
    assert one_box["now"]["universal_credit"] == 1128.84
    assert kinds["now"]["net_income"] == 1646.06
    assert kinds["now"]["net_income"] - one_box["now"]["net_income"] == pytest.approx(200.00)
    assert kinds["now"]["other_income"] == 200.00


def capped_family(build, **options):
    """Couple 30 and 30, children 2, 5, 8 and 11, council rent 750; partner 1 on new-style JSA."""
    return build.household(
        adults=[build.adult(), build.adult()],
        children=[build.child(age=age) for age in (2, 5, 8, 11)],
        home=build.housing("social_rent", rent=750),
        **options,
    )


def test_capped_family_with_new_style_jsa(build):
    """JSA 95.55 a week = 414.05 a month is a welfare benefit inside the cap (reg 79(4)).

    Maximum = 666.97 + 351.88 (eldest born before 2017) + 3 x 303.94 + 750 = 2,680.67.
    Child Benefit = (27.05 + 3 x 17.90) x 52 / 12 = 349.9167.
    Now: UC before the cap = 2,680.67 - 414.05 = 2,266.62; cap excess = 2,266.62 + 349.9167 + 414.05
    - 1,835 = 1,195.5867, so UC = 1,071.0333 -> 1,071.03 and net = 1,071.0333 + 349.9167 + 414.05 =
    1,835.00 exactly the cap. With the old box JSA sat outside the cap: UC 1,835 - 349.9167 =
    1,485.0833, net 2,249.05: £414.05 too well off now.
    16 h at 12.71 = 881.2267 gross, no tax or NI, >= 881 so the cap is lifted; JSA stops at 16 h.
    UC = 2,680.67 - 0.55 x (881.2267 - 427) = 2,430.8453 -> 2,430.85; net = 881.2267 + 2,430.8453 +
    349.9167 = 3,661.9887 -> 3,661.99; better off 3,661.99 - 1,835.00 = 1,826.99.
    """
    result = run(capped_family(build, with_job=build.job(adult=1, hours=16), incomes=[income("new_style_jsa", 414.05, 1)]))
    old = run(capped_family(build, with_job=build.job(adult=1, hours=16), unearned=414.05))
    assert result["now"]["universal_credit"] == 1071.03
    assert result["now"]["net_income"] == 1835.00
    assert old["now"]["net_income"] == 2249.05
    assert old["now"]["net_income"] - result["now"]["net_income"] == pytest.approx(414.05)
    assert result["with_job"]["universal_credit"] == 2430.85
    assert result["with_job"]["other_income"] == 0.0  # JSA ended by the 16-hour job
    assert result["with_job"]["net_income"] == 3661.99
    assert result["better_off"] == 1826.99
    assert result["incomes"][0]["changed_by"] == "jsa_remunerative_work"
    assert "rules_applied" in result and "benefit_cap" in result["rules_applied"]["now"]


def test_capped_family_with_new_style_esa_counts_in_the_cap(build):
    """New-style ESA (not the support group) is in the cap like JSA: the capped net is the cap, 1,835."""
    result = run(capped_family(build, incomes=[income("new_style_esa", 414.05, 1)]))
    assert result["now"]["net_income"] == 1835.00


def carer(build, hours, wage, **options):
    """Single carer 30 (carer element), social rent 480, Carer's Allowance 374.62."""
    return build.household(
        adults=[build.adult(carer=True)],
        home=build.housing("social_rent", rent=480),
        with_job=build.job(hours=hours, wage=wage, travel=options.pop("travel", 0.0)),
        incomes=[income("carers_allowance", CARERS_ALLOWANCE)],
        **options,
    )


def test_carer_taking_30_hours_at_15_loses_carers_allowance(build):
    """Maximum = 424.90 + carer element 209.34 + rent 480 = 1,114.24. Now UC = 1,114.24 - 374.62 =
    739.62; net 1,114.24 (CA is under the personal allowance: no tax).
    Job 30 h at 15.00 = 1,950 gross; tax (23,400 - 12,570) x 20% / 12 = 180.50; NI x 8% = 72.20;
    take-home 1,697.30 = 391.68 a week, over the 204 limit, so CA stops.
    UC = 1,114.24 - 0.55 x 1,697.30 (no work allowance) = 180.725; with travel 30:
    net = 1,697.30 + 180.725 - 30 = 1,848.025; better off 1,848.025 - 1,114.24 = 733.785, shown as
    733.79 (a half penny rounds up, as UC Regs reg 6 does; the issue's 733.78 is the same figure).
    Holding CA constant (the old single box) made UC nil and said 2,071.92 - 30 - 1,114.24 = 927.68.
    """
    result = run(carer(build, 30, 15.00, travel=30))
    old = run(build.household(adults=[build.adult(carer=True)], home=build.housing("social_rent", rent=480),
                              with_job=build.job(hours=30, wage=15.00, travel=30), unearned=CARERS_ALLOWANCE))
    assert old["better_off"] == 927.68
    assert result["better_off"] == pytest.approx(733.785, abs=0.006)
    assert result["with_job"]["universal_credit"] == pytest.approx(180.73, abs=0.005)
    assert result["with_job"]["other_income"] == 0.0
    warning = next(w for w in result["warnings"] if "Carer's Allowance" in w)
    assert "£193.90" in warning and "£180.73" in warning  # lost 374.62, UC makes up 180.73


def test_carer_20_hours_below_the_limit_keeps_carers_allowance_without_alarm(build):
    """Lone parent carer, child 4, childcare 300 a month while at work, 20 h at the NLW.

    Gross 20 x 12.71 = 254.20 a week; tax (13,218.40 - 12,570) x 20% / 52 = 2.49; NI x 8% / 52 = 1.00;
    net 250.71; care costs 300 x 12 / 52 = 69.23 (under half of net) come off: 181.48 <= 204, so
    Carer's Allowance carries on. No warning about it.
    """
    data = carer(build, 20, 12.71, children=[build.child(age=4)], childcare=300)
    result = run(data)
    assert result["with_job"]["other_income"] == CARERS_ALLOWANCE
    assert not any("Carer's Allowance" in warning for warning in result["warnings"])
    assert any("Carer's Allowance carries on" in sentence for sentence in result["explanation"])


def test_carer_20_hours_over_the_limit_loses_nothing_and_gets_no_warning(build):
    """20 h at the NLW, no care costs: 250.71 a week, over 204, so CA stops; but UC before it
    (1,114.24 - 0.55 x 1,086.40 = 516.72) is more than the 374.62 lost, and UC counts CA pound for
    pound, so UC rises by exactly 374.62: nothing lost, so no warning, a calm sentence instead."""
    result = run(carer(build, 20, 12.71))
    assert result["with_job"]["universal_credit"] == pytest.approx(516.72, abs=0.01)
    assert not any("Carer's Allowance" in warning for warning in result["warnings"])
    assert any("you lose nothing from it" in sentence for sentence in result["explanation"])


def test_lcw_gets_the_work_allowance(build):
    """Single 30 with LCW (no LCWRA element), social rent 500, 20 h at 12.71.

    Gross 1,101.53; tax (13,218.40 - 12,570) x 20% / 12 = 10.81; NI 4.32; take-home 1,086.40.
    Without a work allowance UC = 924.90 - 0.55 x 1,086.40 = 327.38. LCW gives the 427 work
    allowance (reg 22(2)): 0.55 x 427 = 234.85 more: 562.23. No LCWRA element, no cap exemption.
    """
    base = dict(home=build.housing("social_rent", rent=500), with_job=build.job(hours=20))
    lcw = run(build.household(adults=[build.adult(health="lcw")], **base))
    plain = run(build.household(adults=[build.adult()], **base))
    assert plain["with_job"]["universal_credit"] == 327.38
    assert lcw["with_job"]["universal_credit"] == 562.23
    assert lcw["with_job"]["universal_credit"] - plain["with_job"]["universal_credit"] == pytest.approx(234.85)
    assert lcw["universal_credit_breakdown"]["now"]["lcwra"] == 0.0
    assert lcw["details"]["with_job"]["work_allowance"] == 427.0


def test_childcare_cap_counts_the_children_in_childcare(build):
    """Lone parent, toddler 2 in nursery at 1,500 a month, a 14-year-old with no childcare; rent 700;
    30 h at 12.71.

    85% of 1,500 = 1,275.00. Only one child has childcare, so the one-child cap 1,071.09 applies
    (UC Regs reg 34(1) and the reg 36 table: the cap is for the number of children for whom the
    charges are paid). With only a household total both children under 16 counted: the two-child
    cap 1,836.16 let all 1,275.00 through, 203.91 too much. Earnings 1,652.30 are over 881 (no cap).
    """
    children_costs = [build.child(age=2), build.child(age=14)]
    children_costs[0]["monthly_childcare_costs"] = 1500.0
    children_costs[1]["monthly_childcare_costs"] = 0.0
    base = dict(home=build.housing("social_rent", rent=700), with_job=build.job(hours=30))
    per_child = run(build.household(children=children_costs, **base))
    total = run(build.household(children=[build.child(age=2), build.child(age=14)], childcare=1500, **base))
    assert per_child["universal_credit_breakdown"]["with_job"]["childcare"] == 1071.09
    assert total["universal_credit_breakdown"]["with_job"]["childcare"] == 1275.00
    assert total["better_off"] - per_child["better_off"] == pytest.approx(203.91, abs=0.01)
    assert any("two or more children" in note for note in total["assumptions"])
    assert not any("two or more children" in note for note in per_child["assumptions"])


def test_single_pensioner_renting_cannot_be_answered(build):
    """Everyone over State Pension age: Pension Credit and pension-age Housing Benefit, not UC, so no
    headline (the old answer was "£550.77 better off, you keep all of it")."""
    data = build.household(adults=[build.adult(age=70)], home=build.housing("private_rent", rent=650, lha=650),
                           with_job=build.job(hours=10))
    result = run(data)
    assert result["better_off"] is None
    assert result["cannot_answer_codes"] == ["pension_age"]
    assert "Pension Credit" in result["cannot_answer"] and "Housing Benefit" in result["cannot_answer"]
    assert result["explanation"][0].startswith("We cannot give a better-off figure")
    json.dumps(result)


@pytest.mark.parametrize("tenure", ["temporary_accommodation", "supported_accommodation"])
def test_temporary_and_supported_accommodation_cannot_be_answered(build, tenure):
    result = run(build.household(home=build.housing(tenure, rent=900), with_job=build.job()))
    assert result["better_off"] is None
    assert result["cannot_answer_codes"] == [tenure]
    assert "Housing Benefit" in result["cannot_answer"]


def test_right_to_buy_leaseholder_keeps_service_charges_with_earnings(build):
    """Owner-leaseholder, child 6, service charges 120: housing element 120 now AND with a 30 h job
    (UC Regs Sch 5; no zero-earnings rule). The housing element means the lower work allowance 427.
    With the job: gross 1,652.30, take-home 1,482.956; UC = 424.90 + 303.94 + 120 - 0.55 x
    (1,482.956 - 427) = 848.84 - 580.7758 = 268.0642 -> 268.06."""
    data = build.household(children=[build.child(age=6)], home=build.housing("owner_leaseholder", service=120),
                           with_job=build.job(hours=30))
    result = run(data)
    assert result["universal_credit_breakdown"]["now"]["housing"] == 120.0
    assert result["universal_credit_breakdown"]["with_job"]["housing"] == 120.0
    assert result["details"]["with_job"]["work_allowance"] == 427.0
    assert result["with_job"]["universal_credit"] == 268.06


def test_half_an_hour_more_lifts_the_cap(build):
    """The capped JSA family at 15.5 h: take-home 15.5 x 12.71 x 52 / 12 = 853.69, under 881, so the
    cap still applies; at 16 h (881.23) it is lifted. The cliff is named with its rule and the
    offer sentence says what half an hour more a week is worth."""
    data = capped_family(build, with_job=build.job(adult=1, hours=15.5), incomes=[income("new_style_jsa", 414.05, 1)])
    result = run(data, sweep=True)
    lifted = next(cliff for cliff in result["cliffs"] if cliff["rule"] == "benefit_cap_lifted")
    assert 15.9 < lifted["hours"] <= 16.0
    assert lifted["net_income_change"] > 900
    at_16 = next(point for point in result["sweep"] if point["hours"] == 16.0)
    gain = round(at_16["net_income"] - result["with_job"]["net_income"])
    assert any(s.startswith(f"Half an hour more a week (16 hours) would make you about £{gain:,} a month better off")
               for s in result["explanation"])
