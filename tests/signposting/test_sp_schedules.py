"""Open now / open on a day, with UK bank holidays."""

import datetime as dt
import json
from pathlib import Path

from plugins.signposting import feeds
from plugins.signposting.model import HolidaySchedule, Schedule
from plugins.signposting.schedules import (
    NATIONS,
    OpenState,
    bank_holidays_from_govuk_json,
    describe_hours,
    is_open_at,
    load_bank_holidays,
    opening_at,
    opening_on,
    service_opening_at,
)

OPENREFERRAL = Path(__file__).resolve().parents[1] / "fixtures" / "openreferral"
T = dt.time


def weekly(days: str, opens: str, closes: str, **extra) -> Schedule:
    return Schedule(freq="WEEKLY", byday=days.split(","), opens_at=T.fromisoformat(opens), closes_at=T.fromisoformat(closes), **extra)


WEEKDAYS_9_TO_5 = [weekly("MO,TU,WE,TH,FR", "09:00", "17:00")]
# Tue 24 Nov 2026 is an ordinary Tuesday.
TUESDAY = dt.date(2026, 11, 24)


def at(day: dt.date, hhmm: str) -> dt.datetime:
    return dt.datetime.combine(day, T.fromisoformat(hhmm))


def test_weekly_open_and_closed_times():
    assert opening_at(WEEKDAYS_9_TO_5, at(TUESDAY, "10:00")).state is OpenState.OPEN
    assert opening_at(WEEKDAYS_9_TO_5, at(TUESDAY, "10:00")).reason == "open now until 17:00"
    early = opening_at(WEEKDAYS_9_TO_5, at(TUESDAY, "08:00"))
    assert early.state is OpenState.CLOSED and early.reason == "closed now; opens at 09:00 today"
    assert opening_at(WEEKDAYS_9_TO_5, at(TUESDAY, "17:00")).state is OpenState.CLOSED  # closing time is exclusive
    saturday = opening_at(WEEKDAYS_9_TO_5, at(dt.date(2026, 11, 28), "10:00"))
    assert saturday.state is OpenState.CLOSED and saturday.reason == "not open on Saturdays"


def test_no_schedule_is_hours_unknown_not_closed():
    opening = opening_at([], at(TUESDAY, "10:00"))
    assert opening.state is OpenState.UNKNOWN
    assert opening.label == "Hours unknown, call first"
    assert not is_open_at([], at(TUESDAY, "10:00"))


def test_free_text_only_is_hours_unknown_with_the_text():
    opening = opening_on([Schedule(description="Most mornings, ring first")], TUESDAY)
    assert opening.state is OpenState.UNKNOWN
    assert "Most mornings, ring first" in opening.reason


def test_expired_fixture_schedule_is_ignored_and_says_so():
    service = feeds.parse_json_text((OPENREFERRAL / "hsds-3.0/service_full.json").read_bytes(), "mycity", today=TUESDAY).services[0]
    # Thursday, 10:00-18:00 would match TH,FR if the schedule were still valid.
    thursday = at(dt.date(2026, 11, 26), "11:00")
    opening = service_opening_at(service, thursday)
    assert opening.state is OpenState.UNKNOWN
    assert opening.reason == "published hours ended on 2005-01-01; call first"
    # ... but on a Thursday while it was valid, it was open.
    assert opening_at(service.schedules, dt.datetime(2005, 1, 1, 11, 0)).state is OpenState.CLOSED  # 1 Jan 2005 was a Saturday
    assert opening_on(service.schedules, dt.date(2005, 1, 1)).reason == "not open on Saturdays"


def test_schedule_not_yet_started_is_unknown():
    future = weekly("TU", "09:00", "12:00", valid_from=dt.date(2027, 1, 1))
    assert opening_on([future], TUESDAY).state is OpenState.UNKNOWN
    assert opening_on([future], dt.date(2027, 1, 5)).state is OpenState.OPEN


def test_overnight_opening_runs_past_midnight():
    night_shelter = [weekly("FR", "22:00", "02:00")]
    friday, saturday = dt.date(2026, 11, 27), dt.date(2026, 11, 28)
    assert opening_at(night_shelter, at(friday, "23:30")).state is OpenState.OPEN
    spill = opening_at(night_shelter, at(saturday, "01:30"))
    assert spill.state is OpenState.OPEN and spill.reason == "open until 02:00 (from last night)"
    assert opening_at(night_shelter, at(saturday, "02:30")).state is OpenState.CLOSED
    assert opening_at(night_shelter, at(friday, "21:00")).state is OpenState.CLOSED


def test_until_midnight_and_all_day():
    late = [weekly("TU", "18:00", "00:00")]
    assert opening_at(late, at(TUESDAY, "23:59")).state is OpenState.OPEN
    assert opening_at(late, at(TUESDAY + dt.timedelta(days=1), "00:30")).state is OpenState.CLOSED
    all_day = [weekly("TU", "00:00", "00:00")]
    assert opening_at(all_day, at(TUESDAY, "03:00")).reason == "open now all day"


def test_monthly_ordinal_days():
    second_wednesday = [Schedule(freq="MONTHLY", byday=["2WE"], opens_at=T(10), closes_at=T(11, 30))]
    assert opening_on(second_wednesday, dt.date(2026, 11, 11)).state is OpenState.OPEN
    assert opening_on(second_wednesday, dt.date(2026, 11, 18)).state is OpenState.CLOSED
    last_friday = [Schedule(freq="MONTHLY", byday=["-1FR"], opens_at=T(10), closes_at=T(12))]
    assert opening_on(last_friday, dt.date(2026, 11, 27)).state is OpenState.OPEN
    assert opening_on(last_friday, dt.date(2026, 11, 20)).state is OpenState.CLOSED


def test_monthly_by_month_day_including_last_day():
    first_and_last = [Schedule(freq="MONTHLY", bymonthday=[1, -1], opens_at=T(9), closes_at=T(12))]
    assert opening_on(first_and_last, dt.date(2026, 12, 1)).state is OpenState.OPEN
    assert opening_on(first_and_last, dt.date(2027, 2, 28)).state is OpenState.OPEN
    assert opening_on(first_and_last, dt.date(2026, 12, 2)).state is OpenState.CLOSED


def test_fortnightly_needs_and_uses_dtstart():
    fortnightly = [weekly("TU", "10:00", "12:00", interval=2, dtstart=dt.date(2026, 11, 3))]
    assert opening_on(fortnightly, dt.date(2026, 11, 17)).state is OpenState.OPEN
    assert opening_on(fortnightly, TUESDAY).state is OpenState.CLOSED
    no_start = [weekly("TU", "10:00", "12:00", interval=2)]
    assert opening_on(no_start, TUESDAY).state is OpenState.UNKNOWN


def test_byday_without_freq_is_read_as_weekly():
    assert opening_on([Schedule(byday=["TU"], opens_at=T(9), closes_at=T(10))], TUESDAY).state is OpenState.OPEN


def test_days_without_times_are_unknown_at_a_time():
    thursdays = [Schedule(freq="WEEKLY", byday=["TU"])]
    assert opening_on(thursdays, TUESDAY).state is OpenState.OPEN
    opening = opening_at(thursdays, at(TUESDAY, "10:00"))
    assert opening.state is OpenState.UNKNOWN and "no times were given" in opening.reason


# --- Bank holidays -------------------------------------------------------------


def test_good_friday_is_a_bank_holiday_everywhere_easter_monday_not_in_scotland():
    good_friday, easter_monday = dt.date(2027, 3, 26), dt.date(2027, 3, 29)
    for nation in NATIONS:
        assert opening_on(WEEKDAYS_9_TO_5, good_friday, nation=nation).state is OpenState.BANK_HOLIDAY
    assert opening_on(WEEKDAYS_9_TO_5, easter_monday, nation="england-and-wales").state is OpenState.BANK_HOLIDAY
    scotland = opening_on(WEEKDAYS_9_TO_5, easter_monday, nation="scotland")
    assert scotland.state is OpenState.OPEN and scotland.bank_holiday is None


def test_nation_specific_days():
    calendar = load_bank_holidays()
    assert calendar.holiday_on(dt.date(2026, 1, 2), "scotland").title == "2nd January"
    assert calendar.holiday_on(dt.date(2026, 1, 2), "england-and-wales") is None
    assert calendar.holiday_on(dt.date(2027, 3, 17), "northern-ireland").title == "St Patrick's Day"
    assert calendar.holiday_on(dt.date(2026, 7, 13), "northern-ireland").notes == "Substitute day"
    assert calendar.holiday_on(dt.date(2026, 6, 15), "scotland") is not None  # World Cup holiday
    assert calendar.holiday_on(dt.date(2026, 12, 28), "england-and-wales").title == "Boxing Day"


def test_bank_holiday_at_a_time_says_call_first():
    opening = opening_at(WEEKDAYS_9_TO_5, dt.datetime(2026, 8, 31, 11, 0))
    assert opening.state is OpenState.BANK_HOLIDAY
    assert opening.label == "Bank holiday: may be closed, call first"
    assert "Summer bank holiday" in opening.reason
    # outside the usual hours it is simply closed
    assert opening_at(WEEKDAYS_9_TO_5, dt.datetime(2026, 8, 31, 19, 0)).state is OpenState.CLOSED


def test_bank_holiday_policy_from_the_site_lead():
    monday = dt.datetime(2026, 8, 31, 11, 0)
    assert opening_at(WEEKDAYS_9_TO_5, monday, bank_holiday_opening="closed").state is OpenState.CLOSED
    opened = opening_at(WEEKDAYS_9_TO_5, monday, bank_holiday_opening="open")
    assert opened.state is OpenState.OPEN and opened.bank_holiday == "Summer bank holiday"


def test_bank_holiday_file_is_sane():
    calendar = load_bank_holidays()
    assert (calendar.first_year, calendar.last_year) == (2025, 2028)
    expected_per_year = {"england-and-wales": 8, "scotland": 9, "northern-ireland": 10}
    for nation in NATIONS:
        holidays = calendar.holidays(nation)
        for holiday in holidays:
            assert holiday.date.weekday() < 5, (nation, holiday)  # substitutes move weekend days
        for year in range(2025, 2029):
            count = sum(1 for h in holidays if h.date.year == year)
            extra = 1 if (nation, year) == ("scotland", 2026) else 0
            assert count == expected_per_year[nation] + extra, (nation, year, count)
    assert calendar.covers(dt.date(2028, 12, 31)) and not calendar.covers(dt.date(2029, 1, 1))


def test_beyond_the_list_says_so():
    opening = opening_on(WEEKDAYS_9_TO_5, dt.date(2029, 1, 2))
    assert opening.state is OpenState.OPEN
    assert "bank holidays after 2028 are not known" in opening.reason


def test_govuk_json_format_is_read():
    data = {
        "england-and-wales": {"division": "england-and-wales", "events": [
            {"title": "New Year’s Day", "date": "2029-01-01", "notes": "", "bunting": True}]},
        "scotland": {"division": "scotland", "events": []},
        "northern-ireland": {"division": "northern-ireland", "events": []},
    }
    calendar = bank_holidays_from_govuk_json(json.loads(json.dumps(data)))
    assert calendar.holiday_on(dt.date(2029, 1, 1)).title == "New Year’s Day"
    assert calendar.holiday_on(dt.date(2029, 1, 1)).notes is None
    assert (calendar.first_year, calendar.last_year) == (2029, 2029)


# --- Holiday closures, status, time zones -------------------------------------


def test_v1_holiday_closure_and_special_hours():
    closure = HolidaySchedule(start_date=dt.date(2026, 12, 24), end_date=dt.date(2027, 1, 2))
    opening = opening_on(WEEKDAYS_9_TO_5, dt.date(2026, 12, 29), holiday_schedules=[closure])
    assert opening.state is OpenState.CLOSED and opening.reason.startswith("closed for the holiday")
    short_day = HolidaySchedule(start_date=TUESDAY, end_date=TUESDAY, closed=False, opens_at=T(10), closes_at=T(12))
    assert opening_at(WEEKDAYS_9_TO_5, at(TUESDAY, "11:00"), holiday_schedules=[short_day]).state is OpenState.OPEN
    assert opening_at(WEEKDAYS_9_TO_5, at(TUESDAY, "14:00"), holiday_schedules=[short_day]).state is OpenState.CLOSED


def test_closed_statuses_override_hours():
    for status in ("temporarily closed", "inactive", "defunct"):
        assert opening_at(WEEKDAYS_9_TO_5, at(TUESDAY, "10:00"), status=status).state is OpenState.CLOSED


def test_aware_times_are_converted_to_uk_time():
    summer_tuesday = dt.date(2026, 7, 7)
    utc_0830 = dt.datetime.combine(summer_tuesday, T(8, 30), tzinfo=dt.timezone.utc)  # 09:30 BST
    assert opening_at(WEEKDAYS_9_TO_5, utc_0830).state is OpenState.OPEN
    winter_utc_0830 = dt.datetime.combine(TUESDAY, T(8, 30), tzinfo=dt.timezone.utc)  # 08:30 GMT
    assert opening_at(WEEKDAYS_9_TO_5, winter_utc_0830).state is OpenState.CLOSED


def test_describe_hours_for_a_referral_slip():
    lines = describe_hours(
        [
            weekly("MO,WE", "09:00", "12:00"),
            Schedule(freq="MONTHLY", byday=["2TU"], opens_at=T(18), closes_at=T(20)),
            weekly("FR", "09:00", "10:00", valid_to=dt.date(2020, 1, 1)),
            Schedule(description="Summer hours vary"),
        ],
        TUESDAY,
    )
    assert lines == [
        "Monday and Wednesday 09:00-12:00",
        "2nd Tuesday of the month 18:00-20:00",
        "Summer hours vary",
    ]


def test_describe_hours_merges_days_with_the_same_hours():
    week = [weekly(day, "08:00", "20:00") for day in ("MO", "TU", "WE", "TH", "FR")]
    week += [weekly("SA", "09:00", "15:00"), weekly("SU", "08:00", "20:00")]
    assert describe_hours(week, TUESDAY) == ["Monday to Friday and Sunday 08:00-20:00", "Saturday 09:00-15:00"]
    assert describe_hours([weekly("MO", "09:00", "10:00"), weekly("WE", "09:00", "10:00")], TUESDAY) == [
        "Monday and Wednesday 09:00-10:00"
    ]
