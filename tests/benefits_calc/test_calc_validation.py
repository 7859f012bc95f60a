"""Input validation: every problem names the field and says what is allowed."""

import datetime as dt
import math

import pytest

from plugins.benefits_calc.engine import InputError, calculate


def error_for(data, **options) -> InputError:
    with pytest.raises(InputError) as caught:
        calculate(data, **options)
    return caught.value


def test_unknown_health_value_names_field_and_choices(build):
    data = build.household(adults=[build.adult(health="poorly")])
    error = error_for(data)
    assert error.field == "adults[0].health"
    assert '"none", "lcw", "lcwra_new", "lcwra_protected"' in error.message
    assert str(error).startswith("adults[0].health: ")
    assert "\n" not in str(error)


def test_unknown_child_disability(build):
    data = build.household(children=[build.child(), build.child(disability="medium")])
    error = error_for(data)
    assert error.field == "children[1].disability"
    assert '"lower"' in error.message and '"higher"' in error.message


def test_unknown_tenure(build):
    error = error_for(build.household(home=build.housing("council")))
    assert error.field == "housing.tenure"
    assert '"social_rent", "private_rent", "owner", "owner_leaseholder", "none"' in error.message


def test_negative_money(build):
    error = error_for(build.household(home=build.housing("social_rent", rent=-1)))
    assert error.field == "housing.monthly_rent"
    assert "0 or more" in error.message


@pytest.mark.parametrize(
    "mutate, field",
    [
        (lambda d: d.update(capital=-0.01), "capital"),
        (lambda d: d.update(monthly_childcare_costs="lots"), "monthly_childcare_costs"),
        (lambda d: d.update(monthly_unearned_income=True), "monthly_unearned_income"),  # a bool is not a number
        (lambda d: d.update(capital=math.nan), "capital"),
        (lambda d: d.update(capital=math.inf), "capital"),
        (lambda d: d.update(london="yes"), "london"),
        (lambda d: d["adults"][0].update(age="30"), "adults[0].age"),
        (lambda d: d["adults"][0].update(age=30.5), "adults[0].age"),
        (lambda d: d["adults"][0].update(age=15), "adults[0].age"),
        (lambda d: d["adults"][0].update(carer=1), "adults[0].carer"),
        (lambda d: d["adults"][0].update(pension_contribution_percent=101), "adults[0].pension_contribution_percent"),
        (lambda d: d["housing"].update(spare_bedrooms=-1), "housing.spare_bedrooms"),
        (lambda d: d["housing"].update(non_dependants=1.5), "housing.non_dependants"),
        (lambda d: d.update(adults=[]), "adults"),
        (lambda d: d.update(adults=[d["adults"][0]] * 3), "adults"),
        (lambda d: d.update(children={}), "children"),
        (lambda d: d.update(housing=[]), "housing"),
        (lambda d: d.update(tax_year="2026/27"), "tax_year"),
        (lambda d: d.update(tax_year="2026-28"), "tax_year"),
        (lambda d: d.update(scottish_taxpayer="no"), "scottish_taxpayer"),
        (lambda d: d.update(council_tax_monthly=-5), "council_tax_monthly"),
    ],
)
def test_wrong_types_and_ranges_name_the_field(build, mutate, field):
    data = build.household()
    mutate(data)
    assert error_for(data).field == field


def test_unknown_key_is_rejected_with_allowed_list(build):
    data = build.household()
    data["adults"][0]["helth"] = "none"
    error = error_for(data)
    assert error.field == "adults[0].helth"
    assert "unknown field" in error.message and "health" in error.message


def test_unknown_top_level_key(build):
    data = build.household(postcode="AB1 2CD")
    assert error_for(data).field == "postcode"


def test_missing_required_field(build):
    data = build.household()
    del data["housing"]["spare_bedrooms"]
    error = error_for(data)
    assert error.field == "housing.spare_bedrooms"
    assert "required" in error.message


def test_input_must_be_an_object():
    assert error_for([1, 2]).field == "input"


def test_private_rent_needs_lha_cap(build):
    error = error_for(build.household(home=build.housing("private_rent", rent=700, lha=None)))
    assert error.field == "housing.lha_monthly_cap"
    assert "private_rent" in error.message


def test_job_adult_must_exist(build):
    error = error_for(build.household(with_job=build.job(adult=1)))
    assert error.field == "job.adult"
    assert "0" in error.message


@pytest.mark.parametrize(
    "mutate, field",
    [
        (lambda j: j.update(hours_per_week=-1), "job.hours_per_week"),
        (lambda j: j.update(hours_per_week=200), "job.hours_per_week"),
        (lambda j: j.update(hourly_wage="12.71"), "job.hourly_wage"),
        (lambda j: j.update(monthly_travel_costs=-3), "job.monthly_travel_costs"),
        (lambda j: j.update(shift="night"), "job.shift"),
    ],
)
def test_job_fields(build, mutate, field):
    offer = build.job()
    mutate(offer)
    assert error_for(build.household(with_job=offer)).field == field


def test_child_age_must_agree_with_born_before_flag(build):
    # In 2026-27 a child born before 6 April 2017 is at least 9; one born later is at most 9.
    too_young = build.household(children=[build.child(age=8, born_before_2017_04_06=True)])
    too_old = build.household(children=[build.child(age=10, born_before_2017_04_06=False)])
    assert error_for(too_young).field == "children[0].born_before_2017_04_06"
    assert "aged 10" in error_for(too_old).message


def test_unknown_tax_year_lists_the_years_we_have(build):
    error = error_for(build.household(tax_year="2031-32"))
    assert error.field == "tax_year"
    assert "2026-27" in error.message


def test_tax_year_from_todays_date(build):
    data = build.household()
    del data["tax_year"]
    assert calculate(data, today=dt.date(2026, 4, 6))["tax_year"] == "2026-27"
    assert calculate(data, today=dt.date(2027, 4, 5))["tax_year"] == "2026-27"
    error = error_for(data, today=dt.date(2027, 4, 6))
    assert error.field == "tax_year" and "2027-28" in error.message
    error = error_for(data, today=dt.date(2026, 4, 5))
    assert "2025-26" in error.message


def test_bad_council_tax_scheme_names_its_field(build):
    scheme = {"name": "Anytown", "maximum_percent": 100, "applicable_amount_monthly": 400, "taper_percent": 150}
    error = error_for(build.household(), council_tax_scheme=scheme)
    assert error.field == "council_tax_scheme.taper_percent"
    scheme = {"name": "Anytown", "maximum_percent": 100, "applicable_amount_monthly": 400, "taper_percent": 20, "band": "B"}
    assert error_for(build.household(), council_tax_scheme=scheme).field == "council_tax_scheme.band"


def test_sweep_needs_a_job(build):
    assert error_for(build.household(), sweep=True).field == "job"


def test_issue_example_input_is_valid():
    example = {
        "tax_year": "2026-27", "london": False,
        "adults": [{"age": 30, "monthly_earnings": 0.0, "pension_contribution_percent": 0.0,
                    "health": "none", "carer": False, "disability_benefit": False}],
        "children": [{"age": 4, "born_before_2017_04_06": False, "disability": "none"}],
        "housing": {"tenure": "social_rent", "monthly_rent": 700.0, "monthly_service_charges": 0.0,
                    "lha_monthly_cap": None, "spare_bedrooms": 0, "non_dependants": 0},
        "monthly_childcare_costs": 0.0, "capital": 0.0, "monthly_unearned_income": 0.0,
        "job": {"adult": 0, "hours_per_week": 16, "hourly_wage": 12.71, "monthly_travel_costs": 0.0},
    }
    result = calculate(example)
    assert result["with_job"]["earnings"] == 881.23  # 16 x 12.71 x 52 / 12
