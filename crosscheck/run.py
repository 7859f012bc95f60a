"""Crosscheck our better-off engine against PolicyEngine UK 2.162.10 (kept out of `make test`).

Run in the throwaway venv made by crosscheck/setup.sh (PolicyEngine is AGPL and ~660 MB,
never a dependency of the app):

    bash crosscheck/setup.sh && .crosscheck-venv/bin/python crosscheck/run.py [--report FILE]

(set CROSSCHECK_VENV to put the venv elsewhere). Our engine is standard library only, so it
runs in that venv straight from the source tree.

It generates the households in crosscheck/households.py, runs each "now" and "with the
job" scenario through our engine and, all at once, through one PolicyEngine simulation,
and compares Universal Credit, income tax and employee NI per month. Target: within
1.00 a month wherever both model the rule. Where a household's answer depends on a rule
PolicyEngine lacks, that figure is listed as excluded with the rule, not tuned to.
It also compares UC along the 97-point hours sweep for three households, using one
PolicyEngine axes simulation each. The mapping of our input onto PolicyEngine's variables
is listed in MAPPING_NOTES and printed with the report. Exit status 1 if any compared
figure differs by more than the tolerance.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from households import generate  # noqa: E402
from plugins.benefits_calc.engine import calculate  # noqa: E402

YEAR = 2026  # PolicyEngine's 2026 = fiscal year 2026-27
TOLERANCE = 1.00
PE_VERSION = "2.162.10"
FIGURES = ("universal_credit", "income_tax", "national_insurance")

# Rules that PolicyEngine UK 2.162.10 does not model. Each is decided from the input alone,
# never from the results, and stops only the figures it can change from being compared.
LACKING_RULES = {
    "bedroom_reduction": (
        "Social sector size criteria (UC Regs Sch 4 para 36, 14%/25% for spare bedrooms): "
        "PolicyEngine pays full social rent",
        lambda data: data["housing"]["tenure"] == "social_rent" and data["housing"]["spare_bedrooms"] > 0,
    ),
    "non_dependant_renter_exemption": (
        "No housing cost contribution when the renter gets PIP daily living, DLA care or Attendance "
        "Allowance (UC Regs Sch 4 para 15): PolicyEngine applies only the non-dependant's own exemptions",
        lambda data: data["housing"]["tenure"] in ("social_rent", "private_rent")
        and data["housing"]["non_dependants"] > 0
        and any(a["disability_benefit"] for a in data["adults"]),
    ),
}

MAPPING_NOTES = [
    "Amounts are annual in PolicyEngine (monthly x 12; the job's pay hours x wage x 52); its 2026 is 2026-27.",
    "Adults are flagged as claimant/partner and the first adult as household head: PolicyEngine's survey "
    "heuristics otherwise take a much younger adult for a grown-up child, or an older non-dependant for the head.",
    "Couples are unmarried (no Marriage Allowance, which our engine leaves out).",
    "health: uc_limited_capability_for_WRA, with the benefit unit's new-claimant flag set unless someone is "
    "protected; carer: is_carer_for_benefits; disability_benefit: PIP daily living (standard); "
    "child disability lower/higher: DLA care middle/highest.",
    "Social rent: RENT_FROM_COUNCIL; private rent: RENT_PRIVATELY with uc_LHA_cap set to the LHA rate given; "
    "owner and none: OWNED_OUTRIGHT. Rent includes service charges.",
    "Non-dependants: adults aged 30 with no income in their own benefit unit that does not claim UC.",
    "Capital: uc_reported_capital; other income: spousal_maintenance_income; childcare: the costs our engine "
    "counted in that scenario, as childcare_expenses.",
    "Children's dates of birth agree with the 6 April 2017 flag; region LONDON, SCOTLAND (Scottish taxpayers) "
    "or NORTH_WEST.",
]

TENURE = {"social_rent": "RENT_FROM_COUNCIL", "private_rent": "RENT_PRIVATELY", "owner": "OWNED_OUTRIGHT",
          "none": "OWNED_OUTRIGHT"}


def date_of_birth(child: dict) -> int:
    """A birthday consistent with the age on 6 October 2026 and the 6 April 2017 flag."""
    year = YEAR - child["age"]
    if child["age"] == 9 and not child["born_before_2017_04_06"]:
        return 20170406
    return year * 10000 + 115  # 15 January


def scenario_earnings(data: dict, scenario: str) -> list[float]:
    """Gross annual pay per adult, unrounded (the job replaces its adult's pay)."""
    earnings = [adult["monthly_earnings"] * 12 for adult in data["adults"]]
    if scenario == "with_job":
        job = data["job"]
        earnings[job["adult"]] = job["hours_per_week"] * job["hourly_wage"] * 52
    return earnings


def add_to_situation(situation: dict, key: str, data: dict, scenario: str, ours: dict) -> None:
    """Describe one household in one scenario to PolicyEngine (annual amounts)."""
    people, benunits, households = situation["people"], situation["benunits"], situation["households"]
    members = []
    for index, (adult, pay) in enumerate(zip(data["adults"], scenario_earnings(data, scenario))):
        person = {
            "age": {YEAR: adult["age"]},
            "employment_income": {YEAR: pay},
            "employee_pension_contributions_reported": {YEAR: pay * adult["pension_contribution_percent"] / 100},
            "uc_limited_capability_for_WRA": {YEAR: adult["health"] != "none"},
            "is_carer_for_benefits": {YEAR: adult["carer"]},
            # Our adults are the claimant and partner; without this PolicyEngine's survey heuristic
            # presumes a much younger adult to be the claimant's grown-up child.
            "is_claimant_or_partner": {YEAR: True},
            # The claimant rents the home; otherwise PolicyEngine takes the eldest person in the
            # household as its head, which may be an older non-dependant.
            "is_household_head": {YEAR: index == 0},
        }
        if adult["disability_benefit"]:
            person["pip_dl_category"] = {YEAR: "STANDARD"}
        if index == 0:
            person["spousal_maintenance_income"] = {YEAR: data["monthly_unearned_income"] * 12}
            # The same childcare our engine counted in this scenario (it is paid only when working).
            person["childcare_expenses"] = {YEAR: ours["details"][scenario]["childcare_costs_counted"] * 12}
        people[f"{key}_adult{index}"] = person
        members.append(f"{key}_adult{index}")
    for index, kid in enumerate(data["children"]):
        person = {"age": {YEAR: kid["age"]}, "date_of_birth": {YEAR: date_of_birth(kid)},
                  "is_claimant_or_partner": {YEAR: False}, "is_household_head": {YEAR: False}}
        if kid["disability"] != "none":
            person["is_disabled_for_benefits"] = {YEAR: True}
            person["dla_sc_category"] = {YEAR: "HIGHER" if kid["disability"] == "higher" else "MIDDLE"}
        people[f"{key}_child{index}"] = person
        members.append(f"{key}_child{index}")
    housing = data["housing"]
    benunit = {
        "members": list(members),
        "is_married": {YEAR: False},  # our engine leaves out Marriage Allowance
        "uc_reported_capital": {YEAR: data["capital"]},
        "uc_receives_new_claimant_health_element": {
            YEAR: not any(a["health"] == "lcwra_protected" for a in data["adults"])
        },
    }
    if housing["tenure"] == "private_rent":
        benunit["uc_LHA_cap"] = {YEAR: housing["lha_monthly_cap"] * 12}
    benunits[f"{key}_family"] = benunit
    household_members = list(members)
    for index in range(housing["non_dependants"]):
        people[f"{key}_nondep{index}"] = {"age": {YEAR: 30}, "is_household_head": {YEAR: False}}
        benunits[f"{key}_nondep{index}_family"] = {"members": [f"{key}_nondep{index}"], "would_claim_uc": {YEAR: False}}
        household_members.append(f"{key}_nondep{index}")
    renting = housing["tenure"] in ("social_rent", "private_rent")
    scottish = data.get("scottish_taxpayer", False)
    households[f"{key}_home"] = {
        "members": household_members,
        "tenure_type": {YEAR: TENURE[housing["tenure"]]},
        "rent": {YEAR: (housing["monthly_rent"] + housing["monthly_service_charges"]) * 12 if renting else 0},
        "region": {YEAR: "LONDON" if data["london"] else ("SCOTLAND" if scottish else "NORTH_WEST")},
        "council_tax": {YEAR: 0},
    }


def run_policyengine(cases: list) -> tuple[dict, float, float]:
    started = time.perf_counter()
    from policyengine_uk import Simulation

    imported = time.perf_counter()
    situation = {"people": {}, "benunits": {}, "households": {}}
    for key, data, scenario, ours in cases:
        add_to_situation(situation, key, data, scenario, ours)
    simulation = Simulation(situation=situation)
    benunit_ids = list(situation["benunits"])
    person_ids = list(situation["people"])
    universal_credit = simulation.calculate("universal_credit", YEAR)
    income_tax = simulation.calculate("income_tax", YEAR)
    national_insurance = simulation.calculate("national_insurance", YEAR)
    results = {}
    for key, data, scenario, _ in cases:
        adults = [person_ids.index(f"{key}_adult{i}") for i in range(len(data["adults"]))]
        results[key] = {
            "universal_credit": float(universal_credit[benunit_ids.index(f"{key}_family")]) / 12,
            "income_tax": sum(float(income_tax[i]) for i in adults) / 12,
            "national_insurance": sum(float(national_insurance[i]) for i in adults) / 12,
        }
    return results, imported - started, time.perf_counter() - imported


SWEEP_HOUSEHOLDS = ("reference lone parent, NLW 16h", "capped big family, 16h lifts cap", "childcare cap 2+ children")


def sweep_check(households: list) -> tuple[list[str], list[str]]:
    """Compare UC at all 97 sweep points (0-48 hours) with a PolicyEngine axes sweep of the job adult's pay."""
    from policyengine_uk import Simulation

    lines, failures = [], []
    for name, data in households:
        if name not in SWEEP_HOUSEHOLDS:
            continue
        # PolicyEngine's axes keep childcare fixed while pay varies; ours scales it with the hours
        # unless told otherwise (issue 13), so fix it for the comparison.
        data = dict(data, childcare_costs_fixed=True)
        ours = calculate(data, sweep=True)
        job = data["job"]
        situation = {"people": {}, "benunits": {}, "households": {}}
        add_to_situation(situation, "sweep", data, "with_job", ours)
        # With childcare, our 0-hour point drops the costs (no work, no childcare); one PolicyEngine
        # axes run keeps the inputs fixed, so such a household is compared from 0.5 hours.
        situation["axes"] = [[{"name": "employment_income", "count": 97, "min": 0,
                               "max": 48 * job["hourly_wage"] * 52, "period": YEAR}]]
        # The axis varies the first person's pay; the job adult must be first.
        assert job["adult"] == 0, "sweep households must give the job to adult 0"
        simulation = Simulation(situation=situation)
        universal_credit = simulation.calculate("universal_credit", YEAR)
        start = 1 if data["monthly_childcare_costs"] else 0
        worst = 0.0
        for index, point in enumerate(ours["sweep"][start:], start=start):
            difference = point["universal_credit"] - float(universal_credit[index]) / 12
            worst = max(worst, abs(difference))
            if abs(difference) > TOLERANCE:
                failures.append(f"sweep {name} at {point['hours']} h: ours {point['universal_credit']:.2f}, "
                                f"PolicyEngine {float(universal_credit[index]) / 12:.2f}")
        lines.append(f"- {name}: UC at {97 - start} hours points from {start / 2:g} to 48, largest difference {worst:.2f}")
    return lines, failures


def rule_coverage(cases: list) -> dict[str, int]:
    counts: dict[str, int] = {}
    for _, data, scenario, ours in cases:
        rules = set(ours["rules_applied"][scenario])
        breakdown = ours["universal_credit_breakdown"][scenario]
        for element in ("lcwra", "carer", "disabled_child_elements", "childcare", "tariff_income"):
            if breakdown[element] > 0:
                rules.add(f"has_{element}")
        if data.get("scottish_taxpayer"):
            rules.add("scottish_tax")
        for rule in rules:
            counts[rule] = counts.get(rule, 0) + 1
    return counts


def explain_exclusions(cases: list, theirs: dict, households: list) -> list[str]:
    """Check each excluded UC figure against a counterfactual where the missing rule is undone:
    spare bedrooms set to 0 (bedroom reduction), or the deductions PolicyEngine makes added back
    (one housing cost contribution per non-dependant, at most the housing element)."""
    from plugins.benefits_calc.rate_tables import load_rates

    deduction = load_rates("2026-27").universal_credit.non_dependant_deduction_monthly
    lines = []
    for key, data, scenario, ours in cases:
        lacking = [rule for rule, (_, applies) in LACKING_RULES.items() if applies(data)]
        if not lacking:
            continue
        name = households[int(key[1:4]) - 1][0]
        pe = theirs[key]["universal_credit"]
        if lacking == ["bedroom_reduction"]:
            without = dict(data, housing=dict(data["housing"], spare_bedrooms=0))
            counterfactual = calculate(without)[scenario]["universal_credit"]
            how = "ours with no spare bedrooms"
        elif lacking == ["non_dependant_renter_exemption"]:
            housing = ours["universal_credit_breakdown"][scenario]["housing"]
            taken = min(housing, data["housing"]["non_dependants"] * deduction)
            counterfactual = max(0.0, ours[scenario]["universal_credit"] - taken)
            how = "ours less PolicyEngine's non-dependant deductions (valid when not capped or floored)"
        else:
            lines.append(f"- {name} ({scenario}): several missing rules at once; not checked")
            continue
        verdict = "yes" if abs(counterfactual - pe) <= TOLERANCE else "NO"
        lines.append(
            f"- {name} ({scenario}): {how} = {counterfactual:.2f} vs PolicyEngine {pe:.2f}: {verdict}"
        )
    return lines or ["No figures were excluded."]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", type=Path, help="also write the report (Markdown) to this file")
    arguments = parser.parse_args()

    version = importlib.metadata.version("policyengine-uk")
    households = generate()
    cases = []
    for number, (name, data) in enumerate(households, start=1):
        ours = calculate(data)
        for scenario in ("now", "with_job"):
            if ours[scenario] is not None:
                cases.append((f"h{number:03d}_{scenario}", data, scenario, ours))
    ours_started = time.perf_counter()
    for _, data, _, _ in cases:
        calculate(data)
    ours_seconds = time.perf_counter() - ours_started
    theirs, import_seconds, simulate_seconds = run_policyengine(cases)

    lines = [
        f"# Crosscheck: our engine vs PolicyEngine UK {version}",
        "",
        f"{len(households)} households, {len(cases)} scenarios (now / with the job), tax year 2026-27, "
        f"money per month. Tolerance {TOLERANCE:.2f}.",
        f"Time: ours {ours_seconds * 1000:.0f} ms for {len(cases)} calculations; PolicyEngine import {import_seconds:.1f} s, "
        f"one simulation of all scenarios {simulate_seconds:.1f} s.",
        "",
        "| household | scenario | UC ours | UC PE | diff | tax ours | tax PE | diff | NI ours | NI PE | diff | note |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    compared = {figure: 0 for figure in FIGURES}
    within = {figure: 0 for figure in FIGURES}
    worst = {figure: 0.0 for figure in FIGURES}
    failures, excluded = [], {}
    for key, data, scenario, ours in cases:
        name = households[int(key[1:4]) - 1][0]
        lacking = [rule for rule, (_, applies) in LACKING_RULES.items() if applies(data)]
        row = [name, scenario]
        for figure in FIGURES:
            mine, pe = ours[scenario][figure], theirs[key][figure]
            difference = mine - pe
            skip = figure == "universal_credit" and lacking
            row += [f"{mine:.2f}", f"{pe:.2f}", f"{difference:+.2f}" + (" (excl.)" if skip else "")]
            if skip:
                for rule in lacking:
                    excluded.setdefault(rule, []).append(f"{name} ({scenario})")
                continue
            compared[figure] += 1
            worst[figure] = max(worst[figure], abs(difference))
            if abs(difference) <= TOLERANCE:
                within[figure] += 1
            else:
                failures.append(f"{name} ({scenario}) {figure}: ours {mine:.2f}, PolicyEngine {pe:.2f}")
        row.append(", ".join(lacking) if lacking else "")
        lines.append("| " + " | ".join(row) + " |")

    lines += ["", "## Summary", ""]
    for figure in FIGURES:
        lines.append(
            f"- {figure}: {within[figure]} of {compared[figure]} compared within {TOLERANCE:.2f}; "
            f"largest difference {worst[figure]:.2f}"
        )
    sweep_lines, sweep_failures = sweep_check(households)
    failures += sweep_failures
    lines += ["", "## Hours sweep (97 points, 0 to 48 hours, axes in PolicyEngine)", ""] + sweep_lines
    lines += ["", "## Coverage: scenarios in which each rule changed our answer", ""]
    lines.append(", ".join(f"{rule} {count}" for rule, count in sorted(rule_coverage(cases).items())))
    lines += ["", "## Mapping to PolicyEngine (describing the same household, not tuning)", ""]
    lines += [f"- {note}" for note in MAPPING_NOTES]
    lines += ["", "## Rules PolicyEngine lacks (figures excluded, not tuned to)", ""]
    for rule, (description, _) in LACKING_RULES.items():
        affected = excluded.get(rule, [])
        lines.append(f"- **{rule}**: {description}. UC excluded for {len(affected)} scenario(s)"
                     + (f": {', '.join(affected)}" if affected else "."))
    lines += ["", "### Do the excluded differences come from the missing rule alone?", ""]
    lines += explain_exclusions(cases, theirs, households)
    lines += ["", "## Differences over the tolerance", ""]
    lines += [f"- {failure}" for failure in failures] or ["None."]
    if version != PE_VERSION:
        lines += ["", f"Warning: expected PolicyEngine UK {PE_VERSION}, found {version}."]
    report = "\n".join(lines) + "\n"
    print(report)
    if arguments.report:
        arguments.report.write_text(report, encoding="utf-8")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
