"""The calculator as a plugin: `hub calc`, its settings, the form, the tab, saved scenarios and the PDF."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

import plugins.benefits_calc as calc_plugin
from plugins.benefits_calc.chart import income_chart
from plugins.benefits_calc.engine import calculate
from plugins.benefits_calc.form import CalcForm, FormError, age_from_birth, form_field_for, form_from_input, to_input

EXAMPLE = {
    "tax_year": "2026-27", "london": False,
    "adults": [{"age": 30, "monthly_earnings": 0.0, "pension_contribution_percent": 0.0,
                "health": "none", "carer": False, "disability_benefit": False}],
    "children": [{"age": 4, "born_before_2017_04_06": False, "disability": "none"}],
    "housing": {"tenure": "social_rent", "monthly_rent": 700.0, "monthly_service_charges": 0.0,
                "lha_monthly_cap": None, "spare_bedrooms": 0, "non_dependants": 0},
    "monthly_childcare_costs": 0.0, "capital": 0.0, "monthly_unearned_income": 0.0,
    "job": {"adult": 0, "hours_per_week": 16, "hourly_wage": 12.71, "monthly_travel_costs": 0.0},
}

SITE = """
[hub]
site_name = "Calc Site"
plugins = ["benefits_calc"]
data_dir = "data"
"""


def hub_calc(tmp_path, *args, stdin=None, site_body=""):
    site = tmp_path / "site.toml"
    site.write_text(SITE + site_body)
    return subprocess.run(
        [sys.executable, "-m", "hub.cli", "--site", str(site), "calc", *args],
        input=stdin, capture_output=True, text=True, timeout=60,
    )


def test_hub_calc_prints_the_documented_json(tmp_path):
    path = tmp_path / "household.json"
    path.write_text(json.dumps(EXAMPLE))
    result = hub_calc(tmp_path, str(path))
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    for scenario in ("now", "with_job"):
        assert {"earnings", "income_tax", "national_insurance", "pension_contributions", "universal_credit",
                "child_benefit", "council_tax_reduction", "costs_of_work", "net_income"} <= set(out[scenario])
    assert set(out["universal_credit_breakdown"]["now"]) >= {
        "standard_allowance", "child_elements", "disabled_child_elements", "lcwra", "carer", "housing", "childcare",
        "maximum_amount", "earnings_reduction", "unearned_income_reduction", "tariff_income", "benefit_cap_reduction"}
    assert out["better_off"] == pytest.approx(out["with_job"]["net_income"] - out["now"]["net_income"], abs=0.01)
    assert out["explanation"] and out["warnings"]
    assert "sweep" not in out


def test_hub_calc_reads_stdin_and_sweeps(tmp_path):
    result = hub_calc(tmp_path, "-", "--sweep", stdin=json.dumps(EXAMPLE))
    assert result.returncode == 0, result.stderr
    sweep = json.loads(result.stdout)["sweep"]
    assert len(sweep) == 97 and sweep[0]["hours"] == 0 and sweep[-1]["hours"] == 48


@pytest.mark.parametrize(
    "stdin, words",
    [
        ("{not json", "INPUT: not valid JSON"),
        ("[1, 2]", "INPUT: must be a JSON object"),
        (json.dumps({**EXAMPLE, "adults": [{**EXAMPLE["adults"][0], "health": "poorly"}]}), "adults[0].health"),
        (json.dumps({**EXAMPLE, "capital": -5}), "capital"),
    ],
)
def test_hub_calc_bad_input_names_the_field_and_exits_2(tmp_path, stdin, words):
    result = hub_calc(tmp_path, "-", stdin=stdin)
    assert result.returncode == 2
    assert words in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_hub_calc_uses_the_sites_council_tax_scheme(tmp_path):
    scheme = """
[plugins.benefits_calc.council_tax_scheme]
name = "Testshire CTR (approximate)"
maximum_percent = 80.0
applicable_amount_monthly = 400.0
taper_percent = 20.0
default_monthly_liability = 120.0
"""
    with_scheme = json.loads(hub_calc(tmp_path, "-", stdin=json.dumps(EXAMPLE), site_body=scheme).stdout)
    assert with_scheme["now"]["council_tax_reduction"] > 0
    without = json.loads(hub_calc(tmp_path, "-", stdin=json.dumps(EXAMPLE)).stdout)
    assert without["now"]["council_tax_reduction"] == 0


def test_settings_reject_unknown_bedroom_entitlements(hub_factory, tmp_path):
    from hubtest import make_hub

    hub = make_hub(tmp_path, ("benefits_calc", calc_plugin), body='[plugins.benefits_calc.lha_monthly_rates]\n"6" = 900.0\n')
    assert not hub.plugins.is_enabled("benefits_calc")
    assert "unknown bedroom entitlement" in hub.plugins.status["benefits_calc"].error


# -- the form ------------------------------------------------------------------------------------


def test_form_builds_the_engine_input_and_round_trips():
    form = CalcForm(age="30", children_ages="4", rent="700")
    data = to_input(form)
    job = data["job"]
    # Issue 13: the form also says how the job pays and its pension (legal minimum by default).
    assert (job.pop("pay_frequency"), job.pop("pension")) == ("monthly", "auto_enrolment")
    assert {k: v for k, v in data.items() if k != "tax_year"} == {k: v for k, v in EXAMPLE.items() if k != "tax_year"}
    data = to_input(form)
    assert to_input(form_from_input(data)) == data


def test_form_marks_children_born_before_april_2017():
    data = to_input(CalcForm(age="40", children_ages="12, 9, 3"))
    assert [c["born_before_2017_04_06"] for c in data["children"]] == [True, False, False]
    data = to_input(CalcForm(age="40", children_ages="9", nine_year_old_born_before_april_2017=True))
    assert data["children"][0]["born_before_2017_04_06"] is True


@pytest.mark.parametrize(
    "changes, field",
    [({"age": "thirty"}, "age"), ({"rent": "lots"}, "rent"), ({"children_ages": "4, x"}, "children_ages"),
     ({"hours": "0"}, "hours"), ({"wage": "-1"}, "wage"), ({"tenure": "private_rent", "lha_cap": ""}, "lha_cap"),
     ({"children_ages": "4", "disabled_children_lower": "2"}, "disabled_children_lower")],
)
def test_form_errors_name_the_field(changes, field):
    with pytest.raises(FormError) as caught:
        to_input(CalcForm(**{"age": "30", **changes}))
    assert caught.value.field == field


def test_engine_errors_map_to_form_fields():
    assert form_field_for("adults[1].age") == "partner_age"
    assert form_field_for("housing.lha_monthly_cap") == "lha_cap"
    assert form_field_for("children[2].age") == "children_ages"


def test_age_is_prefilled_from_date_of_birth():
    assert age_from_birth("1991-03-14", on=date(2026, 3, 13)) == "34"
    assert age_from_birth("1991-03-14", on=date(2026, 3, 14)) == "35"
    assert age_from_birth(None) == ""


def test_chart_marks_the_offer_and_rises_with_income():
    points = [(h / 2, 1000 + h * 10) for h in range(97)]
    chart = income_chart(points, width=49, height=6, marker_hours=16)
    bars = chart.lines[:6]
    assert "┃" in "".join(bars)
    assert bars[-1].split("│")[1][0] != " "  # even 0 hours has a bar on the lowest row
    top = bars[0].split("│")[1]
    assert top[-1] != " " and top[0] == " "  # only the high-income end reaches the top row
    assert "hours a week" in chart.lines[-3] and "48" in chart.lines[-3]


# -- the tab ------------------------------------------------------------------------------------


async def test_tab_calculates_saves_reopens_and_prints(hub_factory, tmp_path):
    from pypdf import PdfReader
    from textual.widgets import DataTable, Input, Static

    from hub.app import HubApp

    hub = hub_factory(("benefits_calc", calc_plugin), demo=True)
    app = HubApp(hub)
    async with app.run_test(size=(150, 50)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press(*"danny", "enter")  # not Aisha: the demo already saved a calculation for her
        await pilot.pause()
        await pilot.press("f2")
        await pilot.pause()
        tab = app.query_one("#calculator")
        assert tab.query_one("#calc-age", Input).value.isdigit()  # prefilled from the date of birth
        tab.query_one("#calc-rent", Input).value = "650"
        tab.query_one("#calc-children_ages", Input).value = "4"
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        expected = calculate(to_input(tab.form()))
        assert f"£{expected['better_off']:,.2f}" in str(tab.query_one("#calc-headline", Static).render())
        assert "hours a week" in str(tab.query_one("#calc-chart", Static).render())

        tab.query_one("#calc-hours", Input).value = "lots"
        await pilot.pause()
        await pilot.pause()  # recalculation runs once per burst of changes, after the next refresh
        assert "Hours a week" in tab.query_one("#field-hours").error
        tab.query_one("#calc-hours", Input).value = "20"
        await pilot.pause()
        await pilot.pause()
        assert tab.query_one("#field-hours").error == ""

        tab.query_one("#calc-label", Input).value = "Warehouse 20h"
        await pilot.press("ctrl+s")
        await pilot.pause()
        [saved] = [row for row in hub.db["calc_scenarios"].rows if row["saved_by"] != "demo.staff"]  # not the demo's own
        assert saved["label"] == "Warehouse 20h" and saved["resident_id"] == hub.current_resident_id
        assert json.loads(saved["input_json"])["job"]["hours_per_week"] == 20

        await pilot.press("ctrl+r")
        await pilot.pause()
        assert tab.query_one("#calc-rent", Input).value == "0"
        table = tab.query_one("#calc-saved", DataTable)
        assert table.row_count == 1
        row = [str(cell) for cell in table.get_row_at(0)]
        assert row[1] == "Warehouse 20h" and row[2] == "20h at £12.71"
        assert row[5] == f"£{saved['better_off']:,.2f}"  # saved figures side by side, to compare
        table.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert tab.query_one("#calc-rent", Input).value == "650"
        assert tab.query_one("#calc-hours", Input).value == "20"

        await pilot.press("ctrl+d")
        await pilot.pause()
        await app.workers.wait_for_complete()
        [pdf] = list((hub.config.data_dir / "printouts").glob("*.pdf"))
        reader = PdfReader(pdf)
        assert len(reader.pages) == 1
        text = reader.pages[0].extract_text()
        assert "better off" in text and "Universal Credit" in text
        assert "Aisha" not in text  # no name on the take-away summary


async def test_saving_without_a_resident_is_refused_with_a_message(hub_factory):
    from hub.app import HubApp

    hub = hub_factory(("benefits_calc", calc_plugin))
    app = HubApp(hub)
    async with app.run_test(size=(150, 50)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("f2")
        await pilot.pause()
        app.query_one("#calc-age").value = "30"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert hub.db["calc_scenarios"].count == 0
        assert any("Open a resident" in n.message for n in app._notifications)


def test_summary_fits_one_page_even_for_a_complicated_household():
    from plugins.benefits_calc.summary import build_summary

    data = to_input(CalcForm(couple=True, age="44", partner_age="41", partner_earnings="900", health="lcwra_new",
                             children_ages="15, 9, 6, 2", disabled_children_higher="1", tenure="private_rent",
                             rent="1100", lha_cap="850", childcare="600", capital="9000", unearned="120",
                             council_tax="140", non_dependants="1", hours="30", wage="13.5", travel="90"))
    result = calculate(data)
    pdf = build_summary(result, data, site_name="A site with a rather long name for its community house")
    assert pdf.page_no() == 1


async def test_hook_calc_one_off_payments_shows_on_the_tab_and_summary(hub_factory):
    import types

    from textual.widgets import Input, Static

    from hub import hookimpl
    from hub.app import HubApp
    from plugins.benefits_calc import OneOffPayment

    bonus = types.SimpleNamespace(
        name="fake_bonus",
        calc_one_off_payments=hookimpl(lambda resident_id: [OneOffPayment("into-work bonus", 400.0, "after 4 weeks in work")]),
    )
    hub = hub_factory(("benefits_calc", calc_plugin), bonus, demo=True)
    app = HubApp(hub)
    async with app.run_test(size=(150, 50)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press(*"aisha", "enter")
        await pilot.pause()
        await pilot.press("f2")
        await pilot.pause()
        tab = app.query_one("#calculator")
        tab.query_one("#calc-rent", Input).value = "600"
        await pilot.pause()
        text = str(tab.query_one("#calc-headline", Static).render())
        assert "Plus, once: £400.00 into-work bonus (after 4 weeks in work)" in text
        assert tab.last_result["one_off_payments"][0]["amount"] == 400.0
