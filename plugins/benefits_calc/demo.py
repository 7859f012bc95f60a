"""A saved better-off calculation for the demo site (the first demo resident "started a better-off
calculation"), worked out by the real engine so it opens like any other. The household is made up."""

from __future__ import annotations

DEMO_HOUSEHOLD = {
    "tax_year": "2026-27",
    "london": False,
    "adults": [{"age": 34, "monthly_earnings": 0.0, "pension_contribution_percent": 0.0, "health": "none",
                "carer": False, "disability_benefit": False}],
    "children": [{"age": 4, "born_before_2017_04_06": False, "disability": "none"}],
    "housing": {"tenure": "social_rent", "monthly_rent": 450.0, "monthly_service_charges": 0.0, "lha_monthly_cap": None,
                "spare_bedrooms": 0, "non_dependants": 0},
    "monthly_childcare_costs": 0.0,
    "capital": 0.0,
    "monthly_unearned_income": 0.0,
    "job": {"adult": 0, "hours_per_week": 16, "hourly_wage": 12.71, "monthly_travel_costs": 40.0},
}


def seed(hub, db) -> int | None:
    """Save one calculation against the first demo resident; None if there is nobody to save it for."""
    import copy

    from plugins.benefits_calc import scheme_dict, settings
    from plugins.benefits_calc.engine import calculate
    from plugins.benefits_calc.storage import save_scenario

    row = db.execute("select id from residents where erased_at is null order by id limit 1").fetchone()
    if row is None:
        return None
    data = copy.deepcopy(DEMO_HOUSEHOLD)
    calc_settings = settings(hub)
    result = calculate(data, council_tax_scheme=scheme_dict(calc_settings), scottish_taxpayer=calc_settings.scottish_taxpayer)
    return save_scenario(db, resident_id=row[0], label="16 hours a week at the care home", data=data, result=result,
                         staff="demo.staff", terminal="demo")
