"""Builders for better-off calculator inputs, so each test states only what it is about."""

from types import SimpleNamespace

import pytest


def adult(age=30, earnings=0.0, pension=0.0, health="none", carer=False, disability_benefit=False):
    return {
        "age": age,
        "monthly_earnings": earnings,
        "pension_contribution_percent": pension,
        "health": health,
        "carer": carer,
        "disability_benefit": disability_benefit,
    }


def child(age=4, born_before_2017_04_06=None, disability="none"):
    if born_before_2017_04_06 is None:
        born_before_2017_04_06 = age > 9  # in 2026-27 a child aged 10+ was born before 6 April 2017
    return {"age": age, "born_before_2017_04_06": born_before_2017_04_06, "disability": disability}


def housing(tenure="none", rent=0.0, service=0.0, lha=None, spare=0, non_dependants=0):
    return {
        "tenure": tenure,
        "monthly_rent": rent,
        "monthly_service_charges": service,
        "lha_monthly_cap": lha,
        "spare_bedrooms": spare,
        "non_dependants": non_dependants,
    }


def job(adult=0, hours=16, wage=12.71, travel=0.0):
    return {"adult": adult, "hours_per_week": hours, "hourly_wage": wage, "monthly_travel_costs": travel}


def household(adults=None, children=(), home=None, childcare=0.0, capital=0.0, unearned=0.0,
              london=False, with_job=None, **extra):
    data = {
        "tax_year": "2026-27",
        "london": london,
        "adults": list(adults) if adults is not None else [adult()],
        "children": list(children),
        "housing": home if home is not None else housing(),
        "monthly_childcare_costs": childcare,
        "capital": capital,
        "monthly_unearned_income": unearned,
    }
    if with_job is not None:
        data["job"] = with_job
    data.update(extra)
    return data


@pytest.fixture
def build():
    return SimpleNamespace(adult=adult, child=child, housing=housing, job=job, household=household)
