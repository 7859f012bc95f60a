"""Households across issue 13's new inputs: incomes by kind, LCW, childcare per child, weekly rent,
non-dependants, worked-out bedrooms, plausibility, cannot-answer, cliffs, marginal split, passported help."""

import datetime as dt

import pytest

from plugins.benefits_calc.engine import InputError, calculate

TODAY = dt.date(2026, 12, 1)
BEFORE_SEPTEMBER = dt.date(2026, 6, 1)


def income(kind, monthly, adult=0):
    return {"adult": adult, "kind": kind, "monthly": monthly}


def run(data, **options):
    options.setdefault("today", TODAY)
    return calculate(data, **options)


def social(build, rent=500, **extra):
    home = build.housing("social_rent", rent=rent)
    home.update(extra)
    return home


# --- incomes by kind -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["spousal_maintenance", "other_unearned", "state_pension", "other_pension",
                                  "maternity_allowance", "new_style_jsa", "new_style_esa", "carers_allowance"])
def test_counted_kinds_reduce_uc_pound_for_pound_now(build, kind):
    """Single 30, social rent 500, no job: UC = 924.90 - 150 for every kind UC counts (reg 66)."""
    result = run(build.household(home=social(build), incomes=[income(kind, 150)]))
    assert result["now"]["universal_credit"] == 774.90
    assert result["now"]["other_income"] == 150.0


def test_monthly_unearned_income_keeps_its_meaning_alongside_incomes(build):
    """The old box still counts in full, stays with the job, and adds to the kinds: 924.90 - 100 - 50."""
    data = build.household(home=social(build), unearned=100, incomes=[income("spousal_maintenance", 50)],
                           with_job=build.job(hours=10))
    result = run(data)
    assert result["now"]["universal_credit"] == 774.90
    assert result["with_job"]["other_income"] == 150.0


def test_income_for_the_partner_not_taking_the_job_is_unchanged(build):
    """JSA belongs to adult 1; adult 0 takes a 20 h job: JSA carries on (contribution-based)."""
    data = build.household(adults=[build.adult(), build.adult()], home=social(build),
                           incomes=[income("new_style_jsa", 414.05, adult=1)], with_job=build.job(adult=0, hours=20))
    result = run(data)
    assert result["with_job"]["other_income"] == 414.05
    assert result["incomes"][0]["changed_by"] is None


def test_jsa_under_16_hours_is_reduced_by_earnings_over_5_a_week(build):
    """4 h at 12.71 = 50.84 a week (no tax/NI); (50.84 - 5) x 52 / 12 = 198.64 off 414.05 = 215.41."""
    data = build.household(home=social(build), incomes=[income("new_style_jsa", 414.05)], with_job=build.job(hours=4))
    result = run(data)
    assert result["with_job"]["other_income"] == pytest.approx(215.41, abs=0.01)
    assert result["incomes"][0]["with_job"] == pytest.approx(215.41, abs=0.01)


def test_jsa_stops_at_exactly_16_hours(build):
    data = build.household(home=social(build), incomes=[income("new_style_jsa", 414.05)],
                           with_job=build.job(hours=16, wage=5.0))  # low pay: it is the hours that stop it
    assert run(data)["with_job"]["other_income"] == 0.0


def test_esa_continues_within_permitted_work(build):
    """14 h at 12.71 = 177.94 a week: under 16 h and under 16 x 12.71 = 203.36, ESA carries on."""
    data = build.household(home=social(build), incomes=[income("new_style_esa", 400)], with_job=build.job(hours=14))
    result = run(data)
    assert result["with_job"]["other_income"] == 400.0


def test_esa_stops_above_permitted_work(build):
    data = build.household(home=social(build), incomes=[income("new_style_esa", 400)], with_job=build.job(hours=16))
    result = run(data)
    assert result["with_job"]["other_income"] == 0.0
    assert result["incomes"][0]["changed_by"] == "esa_permitted_work"


def test_esa_stops_on_earnings_under_16_hours(build):
    """15 h at 15.00 = 225 a week, over the 203.36 permitted work limit."""
    data = build.household(home=social(build), incomes=[income("new_style_esa", 400)],
                           with_job=build.job(hours=15, wage=15.0))
    assert run(data)["with_job"]["other_income"] == 0.0


def test_maternity_allowance_stops_with_work(build):
    data = build.household(children=[build.child(age=0)], home=social(build),
                           incomes=[income("maternity_allowance", 800)], with_job=build.job(hours=10))
    result = run(data)
    assert result["now"]["other_income"] == 800.0
    assert result["with_job"]["other_income"] == 0.0


def test_maternity_allowance_counts_in_the_benefit_cap(build):
    """Lone parent, children 1, 3, 5, 7, rent 1,200, MA 700: capped, net = the cap 1,835."""
    data = build.household(children=[build.child(age=a) for a in (1, 3, 5, 7)], home=social(build, rent=1200),
                           incomes=[income("maternity_allowance", 700)])
    assert run(data)["now"]["net_income"] == 1835.00


def test_carers_allowance_exempts_from_the_cap_without_the_carer_flag(build):
    """Same capped family with Carer's Allowance entered: exempt (reg 83(1)), so not capped."""
    data = build.household(children=[build.child(age=a) for a in (1, 3, 5, 7)], home=social(build, rent=1200),
                           incomes=[income("carers_allowance", CA := 374.62)])
    result = run(data)
    assert result["details"]["now"]["benefit_cap_exemption"] == "carers_allowance"
    assert result["now"]["net_income"] > 1835.00 + CA - 1


def test_state_pension_is_taxed_with_earnings(build):
    """Mixed-age couple, partner 67 with State Pension 1,000 a month (12,000 a year, under the 12,570
    allowance: no tax alone). Adult 0 earns 1,000 a month: 12,000 + 12,000 = 24,000, but each person
    has their own allowance, so adult 0's tax is (12,000 - 12,570 -> 0) = 0 and the pension is untaxed;
    then the pensioner takes a job of 500 a month: (12,000 + 6,000 - 12,570) x 20% / 12 = 90.50."""
    data = build.household(adults=[build.adult(earnings=1000), build.adult(age=67)], home=social(build),
                           incomes=[income("state_pension", 1000, adult=1)],
                           with_job=build.job(adult=1, hours=9.07, wage=12.71))
    result = run(data)
    assert result["now"]["income_tax"] == 0.0
    gross_job = 9.07 * 12.71 * 52 / 12
    assert result["with_job"]["income_tax"] == pytest.approx((12000 + gross_job * 12 - 12570) * 0.2 / 12, abs=0.01)


def test_child_maintenance_is_left_out_of_the_cap_and_tax(build):
    data = build.household(children=[build.child(age=a) for a in (1, 3, 5, 7)], home=social(build, rent=1200),
                           incomes=[income("child_maintenance", 300)])
    result = run(data)
    assert result["now"]["net_income"] == 1835.00 + 300.00  # capped UC + CB = the cap, maintenance on top
    assert result["now"]["income_tax"] == 0.0


# --- LCW and the labels ------------------------------------------------------------------------


def test_lcw_partner_meets_the_childcare_work_condition(build):
    """Couple: adult 0 works, adult 1 has LCW: the childcare element is paid (reg 32)."""
    data = build.household(adults=[build.adult(), build.adult(health="lcw")], children=[build.child(age=3)],
                           home=social(build), childcare=400, with_job=build.job(hours=20))
    result = run(data)
    assert result["universal_credit_breakdown"]["with_job"]["childcare"] == 340.0


def test_lcw_does_not_exempt_from_the_benefit_cap(build):
    data = build.household(adults=[build.adult(health="lcw")], children=[build.child(age=a) for a in (1, 3, 5, 7)],
                           home=social(build, rent=1200))
    result = run(data)
    assert result["details"]["now"]["benefit_cap_applies"] is True


def test_kiosk_labels_name_lcw_and_the_protected_routes():
    from plugins.benefits_calc.form import HEALTH_CHOICES

    assert "lcw" in HEALTH_CHOICES
    protected = HEALTH_CHOICES["lcwra_protected"].lower()
    assert "severe conditions" in protected and "terminal" in protected


# --- childcare per child and in the sweep -----------------------------------------------------------


def test_per_child_costs_for_an_older_child_are_not_relevant_childcare(build):
    """Child 16 with 200 (over the age limit) and child 3 with 400: only 400 counts, 85% = 340."""
    older, younger = build.child(age=16), build.child(age=3)
    older["monthly_childcare_costs"], younger["monthly_childcare_costs"] = 200.0, 400.0
    result = run(build.household(children=[older, younger], home=social(build), with_job=build.job(hours=20)))
    assert result["universal_credit_breakdown"]["with_job"]["childcare"] == 340.0
    assert result["with_job"]["costs_of_work"] == 600.0  # all of it is still paid


def test_two_children_in_childcare_get_the_two_child_cap(build):
    first, second = build.child(age=1), build.child(age=3)
    first["monthly_childcare_costs"], second["monthly_childcare_costs"] = 1200.0, 1200.0
    result = run(build.household(children=[first, second], home=social(build), with_job=build.job(hours=37.5, wage=16)))
    assert result["universal_credit_breakdown"]["with_job"]["childcare"] == 1836.16


def test_household_total_must_match_the_per_child_costs(build):
    first = build.child(age=1)
    first["monthly_childcare_costs"] = 500.0
    with pytest.raises(InputError) as error:
        run(build.household(children=[first], childcare=300))
    assert error.value.field == "monthly_childcare_costs"


def test_sweep_childcare_scales_with_hours_unless_fixed(build):
    """600 a month for the 20 h job: at 10 h the sweep counts 300 (85% back: 255)."""
    data = build.household(children=[build.child(age=3)], home=social(build), childcare=600,
                           with_job=build.job(hours=20))
    scaled = {p["hours"]: p for p in run(data, sweep=True)["sweep"]}
    fixed = {p["hours"]: p for p in run(dict(data, childcare_costs_fixed=True), sweep=True)["sweep"]}
    assert scaled[20.0] == fixed[20.0]
    assert scaled[10.0]["universal_credit"] == pytest.approx(fixed[10.0]["universal_credit"] - 255.0, abs=0.01)
    assert scaled[10.0]["net_income"] == pytest.approx(fixed[10.0]["net_income"] + 300 - 255, abs=0.01)


# --- rent, non-dependants, bedrooms -----------------------------------------------------------------


def test_weekly_rent_with_rent_free_weeks(build):
    """150 a week with 4 rent-free weeks: 150 x 48 / 12 = 600 a month (UC Regs Sch 4 para 7(3A))."""
    home = {"tenure": "social_rent", "weekly_rent": 150.0, "rent_free_weeks": 4, "lha_monthly_cap": None,
            "spare_bedrooms": 0, "non_dependants": 0}
    weekly = run(build.household(home=home))
    monthly = run(build.household(home=social(build, rent=600)))
    assert weekly["universal_credit_breakdown"]["now"]["housing"] == 600.0
    assert weekly["now"] == monthly["now"]
    assert any("x 48 / 12" in note for note in weekly["assumptions"])


def test_weekly_rent_and_service_charges_without_free_weeks(build):
    """(100 + 15) a week x 52 / 12 = 498.33."""
    home = {"tenure": "social_rent", "weekly_rent": 100.0, "weekly_service_charges": 15.0, "lha_monthly_cap": None,
            "spare_bedrooms": 0, "non_dependants": 0}
    assert run(build.household(home=home))["details"]["now"]["eligible_housing_costs"] == 498.33


def test_rent_given_twice_is_refused(build):
    home = social(build, weekly_rent=150.0)
    with pytest.raises(InputError) as error:
        run(build.household(home=home))
    assert error.value.field == "housing.weekly_rent"


def test_rent_free_weeks_need_weekly_rent(build):
    with pytest.raises(InputError) as error:
        run(build.household(home=social(build, rent_free_weeks=2)))
    assert error.value.field == "housing.rent_free_weeks"


def test_non_dependants_with_ages_and_exemptions(build):
    """Three non-dependants: 25 (pays), 19 (under 21), 30 on Carer's Allowance (Sch 4 para 16):
    one housing cost contribution of 96.55."""
    people = [{"age": 25}, {"age": 19}, {"age": 30, "exemption": "carers_allowance"}]
    result = run(build.household(adults=[build.adult(age=50)], home=social(build, rent=600, non_dependants=people)))
    assert result["details"]["now"]["non_dependant_deductions"] == 96.55
    assert not any("taken to be 21 or over" in note for note in result["assumptions"])


def test_non_dependant_exemption_is_checked(build):
    with pytest.raises(InputError) as error:
        run(build.household(home=social(build, non_dependants=[{"age": 30, "exemption": "student"}])))
    assert error.value.field == "housing.non_dependants[0].exemption"


def girl(build, age):
    person = build.child(age=age)
    person["sex"] = "female"
    return person


def boy(build, age):
    person = build.child(age=age)
    person["sex"] = "male"
    return person


def test_bedrooms_worked_out_same_sex_children_share(build):
    """Couple, girls 12 and 8, boy 6, 3 bedrooms: couple 1 + girls share 1 + boy 1 = 3: none spare."""
    home = social(build, rent=600, spare_bedrooms="work_out", bedrooms=3)
    result = run(build.household(adults=[build.adult(), build.adult()], children=[girl(build, 12), girl(build, 8),
                                                                                 boy(build, 6)], home=home))
    assert result["details"]["now"]["bedroom_reduction"] == 0.0
    assert any("worked out from the household" in note for note in result["assumptions"])


def test_bedrooms_worked_out_one_spare_is_cut_by_14_percent(build):
    """Lone parent, boys 11 and 6 (share: same sex, under 16), 3 bedrooms: needs 2, one spare: 14% of 600."""
    home = social(build, rent=600, spare_bedrooms="work_out", bedrooms=3)
    result = run(build.household(children=[boy(build, 11), boy(build, 6)], home=home))
    assert result["details"]["now"]["bedroom_reduction"] == 84.0


def test_bedrooms_worked_out_counts_young_people_and_non_dependants(build):
    """Single, child 17 (own room), one non-dependant (own room), 4 bedrooms: needs 3, one spare."""
    home = social(build, rent=600, spare_bedrooms="work_out", bedrooms=4, non_dependants=1)
    result = run(build.household(adults=[build.adult(age=45)], children=[build.child(age=17)], home=home))
    assert result["details"]["now"]["bedroom_reduction"] == 84.0


def test_bedrooms_under_10_share_whatever_their_sex(build):
    """Boy 7 and girl 4 share; 2 bedrooms: none spare (no need to know more)."""
    home = social(build, rent=600, spare_bedrooms="work_out", bedrooms=2)
    result = run(build.household(children=[boy(build, 7), girl(build, 4)], home=home))
    assert result["details"]["now"]["bedroom_reduction"] == 0.0


def test_working_out_bedrooms_needs_the_sex_of_older_children(build):
    home = social(build, rent=600, spare_bedrooms="work_out", bedrooms=3)
    with pytest.raises(InputError) as error:
        run(build.household(children=[build.child(age=12), girl(build, 11)], home=home))
    assert error.value.field == "children[0].sex"


def test_working_out_bedrooms_needs_the_bedroom_count(build):
    with pytest.raises(InputError) as error:
        run(build.household(home=social(build, spare_bedrooms="work_out")))
    assert error.value.field == "housing.bedrooms"


# --- plausibility, cannot answer ----------------------------------------------------------------


def test_plausibility_warnings_come_first_and_only_where_they_apply(build):
    data = build.household(home=social(build, rent=3200), with_job=build.job(hours=16, wage=120))
    warnings = run(data)["warnings"]
    assert warnings[0].startswith("Check the rent: £3,200")
    assert warnings[1].startswith("Check the wage: £120")
    ordinary = run(build.household(home=social(build), with_job=build.job()))["warnings"]
    assert not any(w.startswith("Check the") for w in ordinary)


def test_lha_of_zero_is_flagged(build):
    data = build.household(home=build.housing("private_rent", rent=700, lha=0))
    assert run(data)["warnings"][0].startswith("Check the Local Housing Allowance rate: it is £0")


def test_self_employment_cannot_be_answered(build):
    worker = build.adult()
    worker["self_employed"] = True
    result = run(build.household(adults=[worker], home=social(build), with_job=build.job()))
    assert result["better_off"] is None
    assert result["cannot_answer_codes"] == ["self_employment"]
    assert "minimum income floor" in result["cannot_answer"]


def test_mixed_age_couple_is_still_answered(build):
    result = run(build.household(adults=[build.adult(age=68), build.adult(age=40)], home=social(build),
                                 with_job=build.job(adult=1)))
    assert result["better_off"] is not None and result["cannot_answer"] is None


# --- cliffs, marginal split, passported help ---------------------------------------------------


def test_marginal_split_basic_rate_taxpayer(build):
    """37.5 h at 15: 20p tax, 8p NI, 0.55 x 0.72 = 39.6p less UC, keep 32.4p."""
    data = build.household(children=[build.child(age=4)], home=social(build, rent=700),
                           with_job=build.job(hours=37.5, wage=15.0))
    split = run(data)["marginal_split"]["with_job"]
    assert split["income_tax"] == pytest.approx(0.20, abs=0.001)
    assert split["national_insurance"] == pytest.approx(0.08, abs=0.001)
    assert split["universal_credit"] == pytest.approx(0.396, abs=0.001)
    assert split["keep"] == pytest.approx(0.324, abs=0.001)


def test_cliffs_name_tax_ni_work_allowance_and_uc_ending(build):
    """Single 30, social rent 400 (no work allowance), NLW: tax and NI from 12,570 / (12.71 x 52) = 19.02 h;
    UC ends where 0.55 x take-home = 824.90."""
    data = build.household(home=social(build, rent=400), with_job=build.job(hours=20))
    cliffs = {cliff["rule"]: cliff for cliff in run(data, sweep=True)["cliffs"]}
    assert cliffs["tax_starts"]["hours"] == pytest.approx(19.02, abs=0.01)
    assert cliffs["ni_starts"]["hours"] == pytest.approx(19.02, abs=0.01)
    assert "uc_ends" in cliffs and cliffs["uc_ends"]["hours"] > 20
    assert "work_allowance_used_up" not in cliffs


def test_cliff_for_carers_allowance_says_how_much_it_costs(build):
    """The 30 h carer: CA stops between 0 and 48 hours, and the cliff is a fall in income."""
    data = build.household(adults=[build.adult(carer=True)], home=social(build, rent=480),
                           incomes=[income("carers_allowance", 374.62)], with_job=build.job(hours=30, wage=15.0))
    cliffs = run(data, sweep=True)["cliffs"]
    stop = next(cliff for cliff in cliffs if cliff["rule"] == "carers_allowance_earnings_limit")
    # 204 a week after tax and NI: 204 / 15 = 13.6 h (no tax or NI at that pay)
    assert stop["hours"] == pytest.approx(13.6, abs=0.01)
    assert "Carer's Allowance stops" in stop["text"]


def test_passported_help_for_a_family_in_england(build):
    """Lone parent, children 2 and 7, rent 700: now on UC with no earnings: free school meals,
    Healthy Start, NHS costs, Warm Home Discount, 2-year-old hours. With a 30 h job (take-home
    1,482.96, over 408): Healthy Start stops; working-parent hours start; FSM stays (any UC from
    September 2026)."""
    data = build.household(children=[build.child(age=2), build.child(age=7)], home=social(build, rent=700),
                           with_job=build.job(hours=30))
    help_by_code = {item["code"]: item for item in run(data)["passported_help"]}
    assert help_by_code["free_school_meals"]["change"] == "same"
    assert help_by_code["healthy_start"]["change"] == "stops"
    assert help_by_code["funded_hours_working_parents"]["change"] == "starts"
    assert help_by_code["nhs_costs"]["change"] == "stops"
    assert help_by_code["warm_home_discount"]["change"] == "same"
    assert help_by_code["flexible_support_fund"]["with_job"] == "check"
    assert all(item["source"] for item in help_by_code.values())


def test_free_school_meals_threshold_before_september_2026(build):
    """In June 2026 the 7,400 a year (616.67 a month) take-home limit still applies: a 30 h job stops FSM."""
    data = build.household(children=[build.child(age=7)], home=social(build, rent=700), with_job=build.job(hours=30))
    meals = next(i for i in run(data, today=BEFORE_SEPTEMBER)["passported_help"] if i["code"] == "free_school_meals")
    assert meals["change"] == "stops" and meals["threshold_monthly"] == pytest.approx(616.67)


def test_passported_help_in_scotland_lists_scottish_child_payment(build):
    data = build.household(children=[build.child(age=5)], home=social(build, rent=700), scottish_taxpayer=True,
                           with_job=build.job(hours=16))
    codes = {item["code"]: item for item in run(data)["passported_help"]}
    assert codes["scottish_child_payment"]["value_monthly"] == pytest.approx(28.20 * 52 / 12, abs=0.01)
    assert "warm_home_discount" not in codes and "healthy_start" not in codes


def test_no_children_no_school_meals(build):
    codes = {item["code"] for item in run(build.household(home=social(build), with_job=build.job()))["passported_help"]}
    assert "free_school_meals" not in codes and "healthy_start" not in codes
    assert "nhs_costs" in codes


# --- the kiosk form's new fields ------------------------------------------------------------------


def test_form_builds_incomes_childcare_per_child_weekly_rent_and_bedrooms():
    from plugins.benefits_calc.form import CalcForm, form_from_input, to_input

    form = CalcForm(age="30", couple=True, partner_age="32", partner_jsa="414.05", carers_allowance="374.62",
                    child_maintenance="150", children_ages="2, 14", childcare_per_child="900, 0",
                    children_sexes="f, m", rent="150", rent_period="week", rent_free_weeks="4", bedrooms="3",
                    non_dependant_ages="25, 19", non_dependants_exempt="1", health="lcw")
    data = to_input(form)
    assert {(i["adult"], i["kind"], i["monthly"]) for i in data["incomes"]} == {
        (1, "new_style_jsa", 414.05), (0, "carers_allowance", 374.62), (0, "child_maintenance", 150.0)}
    by_age = {child["age"]: child for child in data["children"]}
    assert by_age[2]["monthly_childcare_costs"] == 900.0 and by_age[2]["sex"] == "female"
    assert by_age[14]["monthly_childcare_costs"] == 0.0 and by_age[14]["sex"] == "male"
    assert data["housing"]["weekly_rent"] == 150.0 and data["housing"]["rent_free_weeks"] == 4
    assert data["housing"]["spare_bedrooms"] == "work_out" and data["housing"]["bedrooms"] == 3
    assert data["housing"]["non_dependants"] == [{"age": 25, "exemption": "exempt"}, {"age": 19}]
    result = calculate(data, today=TODAY)  # the engine takes what the form builds
    assert result["universal_credit_breakdown"]["now"]["housing"] == 600.0
    again = form_from_input(data)
    assert to_input(again) == data


def test_form_errors_name_the_new_fields():
    from plugins.benefits_calc.form import CalcForm, FormError, form_field_for, to_input

    with pytest.raises(FormError) as error:
        to_input(CalcForm(age="30", children_ages="2, 5", childcare_per_child="900"))
    assert error.value.field == "childcare_per_child"
    with pytest.raises(FormError) as error:
        to_input(CalcForm(age="30", children_ages="2, 5", children_sexes="f, x"))
    assert error.value.field == "children_sexes"
    assert form_field_for("children[1].sex") == "children_sexes"
    assert form_field_for("housing.non_dependants[0].age") == "non_dependant_ages"
    assert form_field_for("incomes[0].monthly") == "carers_allowance"


def test_five_week_wait_only_where_universal_credit_is_paid(build):
    earner = run(build.household(adults=[build.adult(earnings=4000)], home=social(build), with_job=build.job(hours=37.5, wage=30)))
    assert earner["now"]["universal_credit"] == 0 and earner["with_job"]["universal_credit"] == 0
    assert not any("five weeks" in w for w in earner["warnings"])


def test_hub_calc_exits_0_with_null_for_a_household_it_cannot_answer(tmp_path):
    import json
    import subprocess
    import sys

    site = tmp_path / "site.toml"
    site.write_text('[hub]\nsite_name = "Calc Site"\nplugins = ["benefits_calc"]\ndata_dir = "data"\n')
    data = {
        "tax_year": "2026-27", "london": False,
        "adults": [{"age": 70, "monthly_earnings": 0.0, "pension_contribution_percent": 0.0, "health": "none",
                    "carer": False, "disability_benefit": False}],
        "children": [],
        "housing": {"tenure": "private_rent", "monthly_rent": 650.0, "monthly_service_charges": 0.0,
                    "lha_monthly_cap": 650.0, "spare_bedrooms": 0, "non_dependants": 0},
        "monthly_childcare_costs": 0.0, "capital": 0.0, "monthly_unearned_income": 0.0,
        "incomes": [{"adult": 0, "kind": "state_pension", "monthly": 1000.0}],
        "job": {"adult": 0, "hours_per_week": 10, "hourly_wage": 12.71, "monthly_travel_costs": 0.0},
    }
    done = subprocess.run([sys.executable, "-m", "hub.cli", "--site", str(site), "calc", "-"],
                          input=json.dumps(data), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["better_off"] is None
    assert "Pension Credit" in out["cannot_answer"]


async def test_kiosk_tab_reads_the_new_fields_and_says_when_it_cannot_answer(hub_factory):
    """The one block of new widgets feeds the form; a Carer's Allowance typed in shows in the figures,
    and temporary accommodation gives no headline figure."""
    import plugins.benefits_calc as calc_plugin
    from textual.widgets import Input, Select, Static

    from hub.app import HubApp
    from plugins.benefits_calc.form import to_input

    hub = hub_factory(("benefits_calc", calc_plugin))
    app = HubApp(hub)
    async with app.run_test(size=(150, 50)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("f2")
        await pilot.pause()
        tab = app.query_one("#calculator")
        tab.query_one("#calc-age", Input).value = "30"
        tab.query_one("#calc-rent", Input).value = "480"
        tab.query_one("#calc-carers_allowance", Input).value = "374.62"
        await pilot.pause()
        data = to_input(tab.form())
        assert data["incomes"] == [{"adult": 0, "kind": "carers_allowance", "monthly": 374.62}]
        assert tab.query_one("#partner-income-fields").has_class("hidden")
        tab.query_one("#calc-tenure", Select).value = "temporary_accommodation"
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        assert "No better-off figure" in str(tab.query_one("#calc-headline", Static).render())


@pytest.mark.parametrize(
    ("incomes", "field"),
    [
        ({}, "incomes"),
        ([{"adult": 0, "kind": "lottery", "monthly": 10}], "incomes[0].kind"),
        ([{"adult": 1, "kind": "state_pension", "monthly": 10}], "incomes[0].adult"),
        ([{"adult": 0, "kind": "state_pension", "monthly": -1}], "incomes[0].monthly"),
        ([{"adult": 0, "kind": "state_pension"}], "incomes[0].monthly"),
    ],
)
def test_bad_incomes_name_the_field(build, incomes, field):
    with pytest.raises(InputError) as error:
        run(build.household(incomes=incomes))
    assert error.value.field == field
