"""The report's figures against the hand-worked dataset in conftest.seeded: unique people, never rows."""

from __future__ import annotations

from datetime import date

import pytest

from hub.staff import PermissionDenied, Session
from plugins.journey import service
from plugins.journey.chart import bar, trend_chart
from plugins.journey.report import Period, build_report, format_report


@pytest.fixture
def report(seeded):
    return service.run_report(seeded.hub, seeded.period, today=seeded.today)


def who(report, key):
    return report.figure(key).residents


def test_residents_engaged_and_registered_count_people_once(seeded, report):
    i = seeded.ids
    assert who(report, "engaged") == {i.A, i.B, i.C, i.D, i.E, i.G, i.H}  # A's two contacts count once; F is after
    assert report.figure("engaged").value == 7
    assert who(report, "registered") == {i.B, i.D, i.E, i.G, i.H}  # H was erased: still counted, de-identified
    assert who(report, "registered.unemployed") == {i.B, i.G, i.H}
    assert who(report, "registered.economically_inactive") == {i.E}
    assert who(report, "registered.employed") == {i.D}
    assert "registered.unknown" not in report.keys()


def test_people_who_leave_and_come_back_are_counted_once(seeded, report):
    i = seeded.ids
    assert i.C in who(report, "engaged") and i.C not in who(report, "registered")  # back after months away
    assert who(report, "outcome.job_start") == {i.A, i.B, i.C}  # B left a job and started another: one person
    assert report.figure("outcome.job_start").value == 3


def test_outcomes_by_kind(seeded, report):
    i = seeded.ids
    assert who(report, "outcome.training_education") == {i.B}
    assert who(report, "outcome.volunteering") == {i.B}
    assert who(report, "outcome.actively_looking") == {i.B}
    assert who(report, "outcome.job_sustained_4") == {i.A}  # 02/03/2025, four weeks after 03/02
    assert who(report, "outcome.job_sustained_13") == set()  # reached in May: another quarter
    assert who(report, "outcome.financial_inclusion") == {i.H}  # G's was withdrawn; H's survives erasure
    assert who(report, "outcome.any") == {i.A, i.B, i.C, i.H}


def test_engagement_reach_counts_homes(seeded, report):
    i = seeded.ids
    assert report.figure("homes_contacted").value == 3  # 4, 6 and 8 Heron Court
    assert report.figure("households_engaged").value == 2  # 4 and 6 ("6 heron court" is the same home)
    assert who(report, "households_engaged") == {i.E}
    assert report.figure("households_engaged_to_date").value == 3  # and 10 Heron Court, in November
    assert report.figure("reach").value == 1.0  # 2 of 200 homes
    assert report.figure("reach_to_date").value == 1.5
    assert report.figure("reach").residents is None


def test_referrals_made_and_completed(seeded, report):
    assert who(report, "referrals.made") == {seeded.ids.D}
    assert who(report, "referrals.completed") == {seeded.ids.D}


def test_median_days_from_registration_to_first_job(seeded, report):
    i = seeded.ids
    assert report.days_to_job == {i.A: 64, i.B: 49, i.C: 300}
    figure = report.figure("median_days_to_job")
    assert figure.value == 64 and figure.unit == "days" and figure.residents == {i.A, i.B, i.C}
    assert report.figure("youth.median_days_to_job").value == 49


def test_the_16_to_24_subgroup(seeded, report):
    i = seeded.ids
    assert report.youth >= {i.B, i.E, i.G} and not report.youth & {i.A, i.C, i.D, i.F, i.H}
    assert who(report, "youth.engaged") == {i.B, i.E, i.G}
    assert who(report, "youth.registered") == {i.B, i.E, i.G}
    assert who(report, "youth.outcome.job_start") == {i.B}
    assert who(report, "youth.outcome.any") == {i.B}
    assert report.figure("youth.engaged").section == "Aged 16-24 at registration"


def test_bonuses_say_when_no_plugin_reports_them(report):
    figure = report.figure("bonuses_paid")
    assert figure.value is None and not figure.openable and "no plugin" in figure.note


def test_monthly_trend(seeded, report):
    months = {point.month: point for point in report.trend}
    assert list(months)[0] == "2024-04" and list(months)[-1] == "2025-03" and len(months) == 12
    assert months["2025-01"].engaged == 4  # A, B, G and the home at 6 Heron Court (not registered)
    assert months["2025-02"].engaged == 3  # A, D, H (a leaflet is not engagement)
    assert months["2025-03"].engaged == 3  # C, E and 6 Heron Court again
    assert [months[m].job_starts for m in ("2025-01", "2025-02", "2025-03")] == [0, 1, 2]
    assert months["2024-11"].engaged == 1 and months["2024-11"].job_starts == 0  # G's job began before registering
    assert [p.in_period for p in report.trend].count(True) == 3
    lines = trend_chart(report.trend)
    assert any(line.startswith("▸Mar 2025") and line.rstrip().endswith("2") for line in lines)


def test_chart_bars_scale_and_never_vanish():
    assert bar(10, 10, 8) == "█" * 8
    assert bar(1, 1000, 8) == "▏"  # tiny but visible
    assert bar(0, 10, 8) == ""
    assert bar(5, 10, 8) == "████"


def test_format_report_prints_every_figure(report):
    text = "\n".join(format_report(report))
    for figure in report.figures:
        assert figure.label in text
    assert "Outcomes report: 01/01/2025 to 31/03/2025" in text


def test_report_as_dict_has_no_resident_ids(seeded, report):
    data = report.as_dict()
    assert data["period"] == {"from": "2025-01-01", "to": "2025-03-31"}
    assert all("residents" not in figure for figure in data["figures"])
    assert {f["key"]: f["value"] for f in data["figures"]}["engaged"] == 7


def test_opening_a_figure_lists_the_residents_behind_it_for_site_leads(seeded, report):
    hub = seeded.hub
    rows = service.open_figure(hub, report, "outcome.job_start")
    assert [row["id"] for row in rows] == sorted([seeded.ids.A, seeded.ids.B, seeded.ids.C])
    assert rows[0]["name"] == "Alice Ashworth"
    assert hub.db["access_log"].count_where("action = 'journey:report:open:outcome.job_start'") == 1
    erased = service.open_figure(hub, report, "outcome.financial_inclusion")
    assert erased == [{"id": seeded.ids.H, "name": "[erased]", "registered_on": "2025-02-01",
                       "status_at_registration": "unemployed", "erased": True}]


def test_staff_cannot_run_or_open_reports(seeded, report):
    hub = seeded.hub
    hub.session = Session(None, "sam", "Sam", "staff")
    with pytest.raises(PermissionDenied):
        service.run_report(hub, seeded.period)
    with pytest.raises(PermissionDenied):
        service.open_figure(hub, report, "engaged")
    assert hub.db["access_log"].count_where("action = 'denied:reports.view'") == 2


def test_periods():
    assert Period.quarter_of(date(2025, 5, 17)) == Period(date(2025, 4, 1), date(2025, 6, 30))
    assert Period.last_quarter(date(2025, 1, 10)) == Period(date(2024, 10, 1), date(2024, 12, 31))
    assert Period(date(2025, 1, 1), date(2025, 3, 31)).shift_quarters(-1) == Period(date(2024, 10, 1), date(2024, 12, 31))
    assert Period(date(2025, 11, 3), date(2025, 12, 2)).months() == ["2025-11", "2025-12"]
    with pytest.raises(ValueError):
        Period(date(2025, 2, 1), date(2025, 1, 1))


def test_an_empty_site_reports_zeros_not_errors(jhub):
    report = build_report(jhub.db, Period(date(2025, 1, 1), date(2025, 3, 31)))
    assert report.figure("engaged").value == 0
    assert report.figure("median_days_to_job").value is None
    assert report.figure("referrals.made").value is None  # signposting not running
    assert all(point.engaged == 0 for point in report.trend)
