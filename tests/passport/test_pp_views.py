"""Totals, the weekly work search and preparation summary, and employment_spells for the bonus plugin."""

from __future__ import annotations

from dataclasses import fields
from datetime import date

import pytest

from plugins.passport import service
from plugins.passport.model import EntryForm, validate_entry
from plugins.passport.storage import add_entry
from plugins.passport.views import EmploymentSpell, employment_spells, format_week, timeline, totals, weekly_summary

TODAY = date(2026, 3, 16)  # a Monday


def save(hub, resident, **fields_) -> int:
    row = validate_entry(EntryForm(**fields_), today=TODAY)
    return add_entry(hub.db, resident, row, staff="test.staff", terminal="test-kiosk")


@pytest.fixture
def passport(pp_hub, resident):
    save(pp_hub, resident, kind="training", title="Forklift", start_date="02/03/2026", end_date="03/03/2026", hours_total="12")
    save(pp_hub, resident, kind="qualification", title="Food hygiene L2", start_date="05/03/2026", qualification_level="2")
    save(pp_hub, resident, kind="volunteering", title="Food bank", start_date="02/02/2026", ongoing=True, hours_per_week="7")
    save(pp_hub, resident, kind="work_experience", title="Shop taster", start_date="09/03/2026", end_date="13/03/2026",
         hours_per_week="14")
    save(pp_hub, resident, kind="employment", title="Cleaner", provider="Example Cleaning", start_date="01/12/2025",
         end_date="31/01/2026", hours_per_week="10", pay_amount="480", pay_period="month", evidence=["payslip"],
         verification_level="document_seen", verified_at="05/02/2026")
    save(pp_hub, resident, kind="employment", title="Care assistant", provider="Example Care", role="Care assistant",
         start_date="02/03/2026", ongoing=True, hours_per_week="16", pay_amount="12.71", pay_period="hour",
         evidence=["contract", "payslip"], verification_level="provider_confirmed", verified_by="HR, Example Care",
         verified_at="10/03/2026")
    save(pp_hub, resident, kind="job_search", title="Applied: porter", start_date="11/03/2026", hours_total="2")
    save(pp_hub, resident, kind="job_search", title="Job fair", start_date="12/03/2026")
    return timeline(pp_hub.db, resident)


def test_totals_add_hours_by_kind_and_count_jobs(passport):
    result = totals(passport, today=TODAY)
    assert result.training_hours == 12  # the qualification has no hours...
    assert result.without_hours == 1  # ...and is counted as such
    assert result.volunteering_hours == 43  # 7 a week from 02/02 to 16/03 inclusive: 43 days
    assert result.work_experience_hours == 10  # 14 a week for 5 days
    assert (result.jobs_held, result.current_jobs) == (2, 1)
    assert result.entries == 8
    assert result.by_level == {"self_declared": 6, "staff_witnessed": 0, "document_seen": 1, "provider_confirmed": 1}
    assert "Jobs held 2 (1 now)" in result.lines()[0]


def test_withdrawn_entries_leave_the_totals(pp_hub, resident, passport):
    forklift = next(e for e in passport if e["title"] == "Forklift")
    service.withdraw(pp_hub, forklift["id"], reason="duplicate")
    assert totals(timeline(pp_hub.db, resident), today=TODAY).training_hours == 0


def test_weekly_summary_spreads_hours_over_the_week(passport):
    week = weekly_summary(passport, date(2026, 3, 12), today=TODAY)  # Mon 9 to Sun 15 March
    assert (week.week_start, week.week_end) == (date(2026, 3, 9), date(2026, 3, 15))
    titles = [item.title for item in week.items]
    assert titles == ["Food bank", "Shop taster", "Applied: porter", "Job fair"]  # jobs are neither search nor preparation
    assert week.work_search_hours == 2
    assert week.work_preparation_hours == 7 + 14 * 5 / 7  # the food bank all week, the taster for 5 days
    assert week.without_hours == 1
    lines = format_week(week)
    assert lines[0] == "Work search and preparation, week of 09/03/2026 to 15/03/2026"
    assert "Work search: 2 h   Work preparation: 17 h" in lines
    assert any("Job fair" in line and "hours not recorded" in line for line in lines)


def test_a_course_spread_over_two_weeks_is_split(pp_hub, resident):
    save(pp_hub, resident, kind="training", title="ESOL", start_date="06/03/2026", end_date="15/03/2026", hours_total="20")
    entries = timeline(pp_hub.db, resident)
    assert weekly_summary(entries, date(2026, 3, 4), today=TODAY).work_preparation_hours == 6  # 3 of 10 days
    assert weekly_summary(entries, date(2026, 3, 10), today=TODAY).work_preparation_hours == 14
    assert weekly_summary(entries, date(2026, 2, 20), today=TODAY).items == []


def test_employment_spells_are_the_paid_jobs_as_they_stand(pp_hub, resident, passport):
    care = next(e for e in passport if e["title"] == "Care assistant")
    newer = service.correct(pp_hub, care["id"], EntryForm(**{**_form(care), "hours_per_week": "20"}), reason="more hours",
                            keep_verification=True)
    spells = employment_spells(pp_hub.db, resident)
    assert [s.employer for s in spells] == ["Example Cleaning", "Example Care"]  # oldest start first
    cleaner, carer = spells
    assert cleaner.end == date(2026, 1, 31) and not cleaner.ongoing
    assert cleaner.weekly_pay == round(480 * 12 / 52, 2) and cleaner.evidence_seen == ("payslip",)
    assert cleaner.verification_level == "document_seen" and cleaner.verification_rank == 2
    assert carer.entry_id == care["root_id"] and carer.version_id == newer  # stable id, current version
    assert carer.end is None and carer.ongoing and carer.hours_per_week == 20
    assert carer.weekly_pay == round(12.71 * 20, 2)
    assert carer.evidence_seen == ("payslip", "contract") and carer.verified_by == "HR, Example Care"
    assert carer.verified_at == date(2026, 3, 10) and carer.role == "Care assistant"
    assert carer.weeks_in_work(date(2026, 3, 15)) == 2
    assert cleaner.weeks_in_work(date(2026, 6, 1)) == pytest.approx(62 / 7)
    data = carer.as_dict()
    assert data["start"] == "2026-03-02" and data["end"] is None and data["evidence_seen"] == ["payslip", "contract"]
    assert set(data) == {f.name for f in fields(EmploymentSpell)}


def test_employment_spells_leave_out_withdrawn_jobs_and_other_residents(pp_hub, resident, passport, make_resident):
    cleaner = next(e for e in passport if e["title"] == "Cleaner")
    service.withdraw(pp_hub, cleaner["id"], reason="not a job")
    assert [s.employer for s in employment_spells(pp_hub.db, resident)] == ["Example Care"]
    assert employment_spells(pp_hub.db, make_resident(pp_hub.db, name="Other Person")) == []


def test_employment_spells_on_a_site_without_the_passport_tables(open_hub):
    assert employment_spells(open_hub.db, 1) == []


def _form(entry) -> dict:
    from plugins.passport.model import form_from_row

    return vars(form_from_row(entry))
