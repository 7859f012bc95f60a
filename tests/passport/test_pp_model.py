"""Validation of passport entries: every rule gives a clear message on its own field."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from hub.residents import ValidationError
from plugins.passport.kinds import BUILTIN_KINDS, EntryKind
from plugins.passport.model import EntryForm, entry_hours, form_from_row, validate_entry, weekly_pay

TODAY = date(2026, 3, 16)
TRAINING = EntryForm(kind="training", title="Food hygiene level 2", provider="Northside College",
                     start_date="02/03/2026", end_date="03/03/2026", hours_total="12")
JOB = EntryForm(kind="employment", title="Care assistant", provider="Example Care", role="Care assistant",
                start_date="01/02/2026", ongoing=True, hours_per_week="20", pay_amount="12.71", pay_period="hour")


def errors_of(form: EntryForm, **kwargs) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        validate_entry(form, today=TODAY, **kwargs)
    return caught.value.errors


def test_a_good_entry_becomes_a_clean_row():
    row = validate_entry(replace(TRAINING, skills=["work:teamwork", "digital:foundation", "work:teamwork"]), today=TODAY)
    assert row["start_date"] == "2026-03-02" and row["end_date"] == "2026-03-03" and row["ongoing"] == 0
    assert row["hours_total"] == 12.0 and row["hours_per_week"] is None
    assert row["skills"] == ["digital:foundation", "work:teamwork"]  # deduplicated, in the framework's order
    assert row["activity"] == "work_preparation"  # the kind's usual answer
    assert row["verification_level"] == "self_declared" and row["verified_by"] is None
    assert row["bucket"] == "training" and row["paid_work"] == 0
    assert row["pay_amount"] is None  # training has no pay field


@pytest.mark.parametrize(
    "changes, field, words",
    [
        ({"end_date": "01/03/2026"}, "end_date", "before the start date (02/03/2026)"),
        ({"hours_total": "-1"}, "hours_total", "cannot be negative"),
        ({"hours_total": "49"}, "hours_total", "49 hours in 2 days is more than 24 hours a day"),
        ({"hours_total": "lots"}, "hours_total", "Not a number of hours"),
        ({"hours_total": "nan"}, "hours_total", "Not a number of hours"),
        ({"hours_per_week": "169"}, "hours_per_week", "only 168 hours in a week"),
        ({"hours_per_week": "-0.5"}, "hours_per_week", "cannot be negative"),
        ({"start_date": "17/03/2026", "end_date": ""}, "start_date", "in the future"),
        ({"end_date": "20/03/2026"}, "end_date", "in the future"),
        ({"start_date": "31/02/2026"}, "start_date", "Not a date"),
        ({"start_date": ""}, "start_date", "Enter the start date"),
        ({"start_date": "01/01/1930", "end_date": ""}, "start_date", "before 1940"),
        ({"ongoing": True}, "end_date", "Leave the end date empty"),
        ({"kind": "knitting"}, "kind", "Unknown kind 'knitting'"),
        ({"kind": ""}, "kind", "Choose what kind of entry"),
        ({"title": "  "}, "title", "Enter a title"),
        ({"title": "x" * 121}, "title", "under 120 characters"),
        ({"skills": ["work:juggling"]}, "skills", "Unknown skill 'work:juggling'"),
        ({"evidence": ["tattoo"]}, "evidence", "Unknown kind of document"),
        ({"activity": "sunbathing"}, "activity", "work search, work preparation or neither"),
        ({"qualification_level": "11"}, "qualification_level", "Entry, 1 to 8"),
        ({"verification_level": "trust_me"}, "verification_level", "Unknown verification level"),
        ({"verification_level": "provider_confirmed"}, "verified_by", "Name who confirmed it"),
        ({"verification_level": "document_seen"}, "evidence", "Tick the document you saw"),
        ({"verification_level": "staff_witnessed", "verified_at": "01/04/2026"}, "verified_at", "in the future"),
        ({"verification_level": "staff_witnessed", "verified_at": "soon"}, "verified_at", "Not a date"),
    ],
)
def test_each_problem_is_reported_on_its_field(changes, field, words):
    errors = errors_of(replace(TRAINING, **changes))
    assert field in errors, errors
    assert words in errors[field]


def test_every_bad_field_is_reported_at_once():
    errors = errors_of(EntryForm(kind="training", title="", start_date="nope", hours_total="-2"))
    assert set(errors) == {"title", "start_date", "hours_total"}


def test_a_start_before_the_resident_was_born_is_caught():
    errors = errors_of(replace(TRAINING, start_date="02/03/1985", end_date="03/03/1985"), born=date(1990, 1, 1))
    assert "before the resident was born" in errors["start_date"]


def test_a_job_needs_an_end_or_ongoing_but_a_course_can_be_one_day():
    assert "Enter the end date" in errors_of(replace(JOB, ongoing=False))["end_date"]
    row = validate_entry(replace(TRAINING, end_date="", hours_total="6"), today=TODAY)
    assert row["end_date"] == row["start_date"] == "2026-03-02"
    assert "25 hours in 1 day" in errors_of(replace(TRAINING, end_date="", hours_total="25"))["hours_total"]


def test_an_ongoing_entry_counts_days_up_to_today_for_impossible_hours():
    ongoing = replace(TRAINING, end_date="", ongoing=True, start_date="16/03/2026")
    assert validate_entry(replace(ongoing, hours_total="24"), today=TODAY)["ongoing"] == 1
    assert "more than 24 hours a day" in errors_of(replace(ongoing, hours_total="24.5"))["hours_total"]


def test_pay_rules():
    row = validate_entry(JOB, today=TODAY)
    assert (row["pay_amount"], row["pay_period"], row["paid_work"], row["bucket"]) == (12.71, "hour", 1, "jobs")
    assert "cannot be negative" in errors_of(replace(JOB, pay_amount="-3"))["pay_amount"]
    assert "an hour, a week" in errors_of(replace(JOB, pay_period=""))["pay_period"]
    assert "Not an amount" in errors_of(replace(JOB, pay_amount="twelve"))["pay_amount"]
    assert validate_entry(replace(JOB, pay_amount="£1,250", pay_period="month"), today=TODAY)["pay_amount"] == 1250.0


def test_staff_levels_default_the_date_and_self_declared_drops_verifier_details():
    row = validate_entry(replace(TRAINING, verification_level="staff_witnessed"), today=TODAY)
    assert row["verified_at"] == TODAY.isoformat() and row["verified_by"] is None  # storage fills in the staff member
    row = validate_entry(replace(TRAINING, verified_by="Someone", verification_note="n"), today=TODAY)
    assert row["verified_by"] is None and row["verification_note"] is None


def test_control_characters_are_stripped():
    row = validate_entry(replace(TRAINING, title="Fork\x1b[2Jlift\x07 truck"), today=TODAY)
    assert row["title"] == "Fork[2Jlift truck"


def test_plugin_kinds_validate_when_passed_in():
    kinds = {**BUILTIN_KINDS, "apprenticeship": EntryKind("apprenticeship", "Apprenticeship", frozenset({"provider", "hours_per_week", "pay"}),
                                                           bucket="jobs", paid_work=True, plugin="apprenticeships")}
    form = replace(JOB, kind="apprenticeship")
    assert "Unknown kind" in errors_of(form)["kind"]
    row = validate_entry(form, kinds, today=TODAY)
    assert row["kind"] == "apprenticeship" and row["paid_work"] == 1 and row["role"] is None  # role not shown for it


def test_form_from_row_round_trips():
    row = validate_entry(replace(JOB, skills=["work:teamwork"], evidence=["payslip"], verification_level="document_seen",
                                 verified_at="10/03/2026"), today=TODAY)
    again = validate_entry(form_from_row(row), today=TODAY)
    assert again == row


def test_hours_and_weekly_pay():
    assert entry_hours({"hours_total": 6.0, "hours_per_week": 40}) == 6.0
    week = {"hours_total": None, "hours_per_week": 14.0, "start_date": "2026-03-02", "end_date": "2026-03-15"}
    assert entry_hours(week) == 28.0
    assert entry_hours({**week, "end_date": None}, today=date(2026, 3, 8)) == 14.0
    assert entry_hours({"hours_total": None, "hours_per_week": None, "start_date": "2026-03-02"}) is None
    assert weekly_pay(12.5, "hour", 20) == 250.0
    assert weekly_pay(12.5, "hour", None) is None
    assert weekly_pay(1300, "month", None) == 300.0
    assert weekly_pay(26000, "year", None) == 500.0
    assert weekly_pay(None, None, 20) is None
