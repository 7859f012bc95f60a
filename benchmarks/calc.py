"""Benchmark the better-off calculator: run by hand, ``python benchmarks/calc.py``.

Targets (issues 3 and 13): one calculation under 1 ms; a calculation with the 12-month first-year
model and the full 97-point sweep under 50 ms. Every calculation with a job now includes the
12-month model, so "one calculation" times it too; the weekly-pay case times it with paydays
that differ from month to month.
Times are medians over many runs, on whatever machine this runs on (printed first).

PolicyEngine UK is timed on the same household and sweep when it can be imported here,
or else from the crosscheck's own venv (``crosscheck/setup.sh`` makes ``.crosscheck-venv``, or ``$CROSSCHECK_VENV``);
it is never a dependency of the app.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CROSSCHECK_PYTHON = Path(os.environ.get("CROSSCHECK_VENV", REPO / ".crosscheck-venv")).resolve() / "bin" / "python"

# The research note's reference household: lone parent 30, children 4 and 7, housing
# association rent 700 a month, outside London, offered 16 hours at the National Living Wage.
HOUSEHOLD = {
    "tax_year": "2026-27",
    "london": False,
    "adults": [{"age": 30, "monthly_earnings": 0.0, "pension_contribution_percent": 0.0,
                "health": "none", "carer": False, "disability_benefit": False}],
    "children": [{"age": 4, "born_before_2017_04_06": False, "disability": "none"},
                 {"age": 7, "born_before_2017_04_06": False, "disability": "none"}],
    "housing": {"tenure": "social_rent", "monthly_rent": 700.0, "monthly_service_charges": 0.0,
                "lha_monthly_cap": None, "spare_bedrooms": 0, "non_dependants": 0},
    "monthly_childcare_costs": 0.0, "capital": 0.0, "monthly_unearned_income": 0.0,
    "job": {"adult": 0, "hours_per_week": 16, "hourly_wage": 12.71, "monthly_travel_costs": 0.0},
}
# The same household paid weekly from a fixed start (months differ: 4 or 5 paydays).
WEEKLY = {**HOUSEHOLD, "job": {**HOUSEHOLD["job"], "pay_frequency": "weekly", "start_date": "2026-06-01",
                               "assessment_period_day": 1}}
SINGLE_RUNS = 2000
SWEEP_RUNS = 100


def median_ms(function, runs: int) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        function()
        timings.append(time.perf_counter_ns() - start)
    return statistics.median(timings) / 1e6


def machine_info() -> None:
    print(f"date:        {dt.datetime.now().isoformat(timespec='seconds')}")
    print(f"platform:    {platform.platform()}")
    print(f"processor:   {platform.processor() or platform.machine()}")
    print(f"cpu count:   {os.cpu_count()}")
    print(f"python:      {platform.python_implementation()} {platform.python_version()}")


def benchmark_engine() -> None:
    sys.path.insert(0, str(REPO))
    from plugins.benefits_calc.engine import calculate

    calculate(HOUSEHOLD, sweep=True)  # warm up: load the rates file once, as the app does
    result = calculate(WEEKLY)
    assert len(result["year"]["months"]) == 12 and result["year"]["months_capped"] == 0
    for name, household in (("monthly pay", HOUSEHOLD), ("weekly pay", WEEKLY)):
        single = median_ms(lambda: calculate(household), SINGLE_RUNS)
        sweep = median_ms(lambda: calculate(household, sweep=True), SWEEP_RUNS)
        print(f"\nour engine, {name}: one calculation with the 12-month model, median of {SINGLE_RUNS}: "
              f"{single:.3f} ms (target < 1 ms) {'OK' if single < 1 else 'OVER TARGET'}")
        print(f"our engine, {name}: calculation + 12-month model + 97-point sweep, median of {SWEEP_RUNS}: "
              f"{sweep:.3f} ms (target < 50 ms) {'OK' if sweep < 50 else 'OVER TARGET'}")


def policyengine_sweep() -> None:
    """Time PolicyEngine UK on the same household and the same 97 points (0 to 48 hours)."""
    started = time.perf_counter()
    from policyengine_uk import Simulation
    import importlib.metadata

    imported = time.perf_counter()
    year = 2026
    wage = HOUSEHOLD["job"]["hourly_wage"]
    situation = {
        "people": {
            "parent": {"age": {year: 30}, "employment_income": {year: 0}},
            "child_4": {"age": {year: 4}},
            "child_7": {"age": {year: 7}},
        },
        "benunits": {"family": {"members": ["parent", "child_4", "child_7"], "is_married": {year: False},
                                "uc_receives_new_claimant_health_element": {year: False}}},
        "households": {"home": {"members": ["parent", "child_4", "child_7"], "rent": {year: 700 * 12},
                                "tenure_type": {year: "RENT_FROM_HA"}, "region": {year: "NORTH_WEST"}}},
        "axes": [[{"name": "employment_income", "count": 97, "min": 0, "max": 48 * wage * 52, "period": year}]],
    }
    simulation = Simulation(situation=situation)
    universal_credit = simulation.calculate("universal_credit", year)
    simulation.calculate("household_net_income", year)
    finished = time.perf_counter()
    version = importlib.metadata.version("policyengine-uk")
    print(f"\nPolicyEngine UK {version}: import {imported - started:.2f} s; "
          f"97-point axes sweep (build + universal_credit + household_net_income): {finished - imported:.2f} s")
    print(f"PolicyEngine UK check: UC at 16 h = {universal_credit[32] / 12:.2f} a month")


def benchmark_policyengine() -> None:
    try:
        import policyengine_uk  # noqa: F401
    except ImportError:
        if CROSSCHECK_PYTHON.exists():
            print(f"\npolicyengine_uk is not installed here; timing it in {CROSSCHECK_PYTHON.parent.parent}:")
            subprocess.run([str(CROSSCHECK_PYTHON), __file__, "--policyengine-only"], check=False)
        else:
            print("\npolicyengine_uk is not installed (run crosscheck/setup.sh to time it): not timed.")
        return
    policyengine_sweep()


if __name__ == "__main__":
    if "--policyengine-only" in sys.argv:
        policyengine_sweep()
    else:
        machine_info()
        benchmark_engine()
        benchmark_policyengine()
