"""Issue 13's job inputs through the kiosk form, the tab and `hub calc`: pay frequency, dates, pension."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import plugins.benefits_calc as calc_plugin
from plugins.benefits_calc.engine import calculate
from plugins.benefits_calc.form import CalcForm, FormError, form_field_for, form_from_input, to_input

TRAP_FORM = dict(couple=True, age="35", partner_age="35", children_ages="1, 3, 5, 7", rent="750", travel="40")


def test_form_defaults_to_monthly_pay_and_the_legal_minimum_pension():
    job = to_input(CalcForm(age="30"))["job"]
    assert job["pay_frequency"] == "monthly" and job["pension"] == "auto_enrolment"
    assert "start_date" not in job and "first_pay_date" not in job and "assessment_period_day" not in job


def test_form_passes_frequency_dates_and_a_percentage_pension():
    form = CalcForm(age="30", pay_frequency="weekly", start_date="1/6/2026", first_pay_date="2026-06-08",
                    assessment_period_day="15", job_pension="percent", job_pension_percent="4%")
    job = to_input(form)["job"]
    assert job["pay_frequency"] == "weekly"
    assert (job["start_date"], job["first_pay_date"], job["assessment_period_day"]) == ("2026-06-01", "2026-06-08", 15)
    assert job["pension"] == {"percent_of_pay": 4.0}
    assert to_input(form_from_input(to_input(form))) == to_input(form)


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"start_date": "next week"}, "start_date"),
        ({"first_pay_date": "31/02/2027"}, "first_pay_date"),
        ({"assessment_period_day": "40"}, "assessment_period_day"),
        ({"job_pension": "percent", "job_pension_percent": "lots"}, "job_pension_percent"),
        ({"job_pension": "percent", "job_pension_percent": "150"}, "job_pension_percent"),
        ({"pay_frequency": "daily"}, "pay_frequency"),
    ],
)
def test_form_errors_name_the_new_fields(changes, field):
    with pytest.raises(FormError) as caught:
        to_input(CalcForm(age="30", **changes))
    assert caught.value.field == field


def test_engine_errors_on_the_new_fields_map_to_the_form():
    assert form_field_for("job.first_pay_date") == "first_pay_date"
    assert form_field_for("job.pension.percent_of_pay") == "job_pension_percent"
    form = CalcForm(age="30", start_date="10/06/2026", first_pay_date="01/06/2026")
    with pytest.raises(Exception) as caught:
        calculate(to_input(form))
    assert form_field_for(caught.value.field) == "first_pay_date"


def test_saved_inputs_from_before_issue_13_reopen_with_the_same_pension():
    """An old saved input has pension_contribution_percent and no job.pension: it reopens as that
    percentage (or none at 0%), so the figures do not change on reopening."""
    old = to_input(CalcForm(age="30", children_ages="4", rent="700"))
    del old["job"]["pay_frequency"], old["job"]["pension"]
    reopened = form_from_input(old)
    assert reopened.job_pension == "none"
    assert calculate(to_input(reopened))["better_off"] == calculate(old)["better_off"]
    old["adults"][0]["pension_contribution_percent"] = 3
    assert (form_from_input(old).job_pension, form_from_input(old).job_pension_percent) == ("percent", "3")


def test_trap_through_the_form_weekly():
    """The issue's trap entered at the kiosk, paid weekly from Monday 1 June, no pension:
    the year's average, 1115.65 (worked in test_calc_months.py)."""
    form = CalcForm(**TRAP_FORM, pay_frequency="weekly", job_pension="none", start_date="01/06/2026",
                    assessment_period_day="1")
    result = calculate(to_input(form))
    assert result["better_off"] == 1115.65 and result["year"]["months_capped"] == 8


def test_hub_calc_prints_the_year(tmp_path):
    site = tmp_path / "site.toml"
    site.write_text('[hub]\nsite_name = "Calc Site"\nplugins = ["benefits_calc"]\ndata_dir = "data"\n')
    data = to_input(CalcForm(**TRAP_FORM, pay_frequency="four_weekly", job_pension="none", start_date="2026-06-01",
                             assessment_period_day="1"))
    run = subprocess.run([sys.executable, "-m", "hub.cli", "--site", str(site), "calc", "-"],
                         input=json.dumps(data), capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert out["better_off"] == 881.87 and out["better_off_steady_month"] == 1739.05
    assert len(out["year"]["months"]) == 12 and out["year"]["cash_flow"]["periods"]


async def test_tab_shows_the_year_average_for_weekly_pay(hub_factory):
    from textual.widgets import Input, Select, Static

    from hub.app import HubApp

    hub = hub_factory(("benefits_calc", calc_plugin))
    app = HubApp(hub)
    async with app.run_test(size=(150, 50)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("f2")
        await pilot.pause()
        tab = app.query_one("#calculator")
        assert tab.query_one("#field-job_pension_percent").has_class("hidden")
        for name, value in (("age", "35"), ("children_ages", "1, 3, 5, 7"), ("rent", "750"), ("travel", "40"),
                            ("start_date", "01/06/2026"), ("assessment_period_day", "1")):
            tab.query_one(f"#calc-{name}", Input).value = value
        tab.query_one("#calc-pay_frequency", Select).value = "weekly"
        tab.query_one("#calc-job_pension", Select).value = "percent"
        await pilot.pause()
        await pilot.pause()
        assert not tab.query_one("#field-job_pension_percent").has_class("hidden")
        tab.query_one("#calc-job_pension_percent", Input).value = "0"
        await pilot.pause()
        await pilot.pause()
        await app.workers.wait_for_complete()
        expected = calculate(to_input(tab.form()))
        assert expected["year"]["months_capped"] == 8
        headline = str(tab.query_one("#calc-headline", Static).render())
        assert f"£{expected['better_off']:,.2f}" in headline
        assert "Average over the first year" in headline
        assert "4 paydays" in str(tab.query_one("#calc-explanation", Static).render())


def test_summary_pdf_carries_the_year(tmp_path):
    """The take-away PDF says the headline is the year's average and how the months differ."""
    from pypdf import PdfReader

    from plugins.benefits_calc.summary import write_summary

    data = to_input(CalcForm(**TRAP_FORM, pay_frequency="weekly", job_pension="none", start_date="01/06/2026",
                             assessment_period_day="1"))
    result = calculate(data)
    path = write_summary(result, data, tmp_path, site_name="Calc Site")
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(str(path)).pages)
    assert "£1,115.65 a month better off in this job on average over your first year" in text
    assert "in 8 months with 4 paydays the benefit cap applies" in text
