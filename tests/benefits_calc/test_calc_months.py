"""The first year in work, month by month (issue 13): paydays per assessment period, tax, NI and
pension per pay period, the benefit cap per period and its grace period, the cash flow.

Figures are worked by hand in each docstring. 2026-27 rates. Common to most tests, the issue's
"16-hour benefit-cap trap": a couple both 35, four children born after April 2017 (1, 3, 5, 7),
council rent 750, no childcare; a 16 h job at 12.71 for adult 0 with 40 a month travel.

    maximum = 666.97 + 4 x 303.94 + 750 = 2632.73
    Child Benefit = (27.05 + 3 x 17.90) x 52 / 12 = 349.9167; cap 22,020 / 12 = 1835
    now: UC capped at 1835 - 349.9167 = 1485.0833; net 1485.0833 + 349.9167 = 1835.00
    a week's pay 16 x 12.71 = 203.36 (below the weekly PT 12,570 / 52 = 241.73 and the
    personal allowance: no tax, no NI); a steady month 203.36 x 52 / 12 = 881.2267
"""

import datetime as dt

import pytest

from plugins.benefits_calc.engine import InputError, calculate
from plugins.benefits_calc.months import day_in_month, paydays_until, period_containing

MONDAY_1_JUNE = "2026-06-01"


def trap(build, *, frequency=None, pension="none", start=MONDAY_1_JUNE, first_pay=None, period_day=1, **job_extra):
    adults = [build.adult(age=35), build.adult(age=35)]
    for adult in adults:
        del adult["pension_contribution_percent"]  # the input says nothing about pensions
    job = build.job(hours=16, wage=12.71, travel=40)
    if frequency:
        job["pay_frequency"] = frequency
    if pension is not None:
        job["pension"] = pension
    if start:
        job["start_date"] = start
    if first_pay:
        job["first_pay_date"] = first_pay
    if period_day:
        job["assessment_period_day"] = period_day
    job.update(job_extra)
    return build.household(
        adults=adults,
        children=[build.child(age=a) for a in (1, 3, 5, 7)],
        home=build.housing("social_rent", rent=750),
        with_job=job,
    )


def paydays_per_month(result):
    return [len(month["paydays"]) for month in result["year"]["months"]]


# -- the trap ----------------------------------------------------------------------------


def test_monthly_pay_gives_the_steady_figure_every_month(build):
    """Monthly, no pension: earned 881.2267 >= 881, no cap. UC = 2632.73 - 0.55 x (881.2267 - 427)
    = 2382.9053; net = 881.2267 + 2382.9053 + 349.9167 - 40 = 3574.0487; better off 1739.0487.
    The issue's "+1,739.05 every month", and here it is right: one payday in each period."""
    result = calculate(trap(build))
    assert result["better_off"] == 1739.05
    assert result["better_off_steady_month"] == 1739.05
    assert paydays_per_month(result) == [1] * 12
    assert result["year"]["same_every_month"] is True
    assert result["year"]["months_capped"] == 0


def test_weekly_pay_brings_the_cap_back_in_eight_months(build):
    """Weekly from Monday 8 June (job from 1 June), periods are calendar months. June misses the
    1 June payday a full month would have (the job had not started): it is cash flow, and the year is
    July 2026 to June 2027: 5 Mondays in Aug, Nov, Mar and May, 4 in the other 8 (52 paydays).
    4 paydays: 813.44 < 881, capped: UC 1485.0833, net 813.44 + 1485.0833 + 349.9167 - 40 = 2608.44,
      better off 773.44 (the issue's "£773").
    5 paydays: 1016.80 >= 881: UC 2632.73 - 0.55 x 589.80 = 2308.34, net 3635.0567, better off 1800.0567.
    Average (8 x 773.44 + 4 x 1800.0567) / 12 = 1115.6456: the issue's "about +1,116"."""
    result = calculate(trap(build, frequency="weekly"))
    year = result["year"]
    assert paydays_per_month(result) == [4, 5, 4, 4, 5, 4, 4, 4, 5, 4, 5, 4]
    assert year["cash_flow"]["periods"][0]["starts"] == "2026-06-01"
    assert year["months_capped"] == 8
    assert result["better_off"] == 1115.65
    assert result["better_off_steady_month"] == 1739.05
    assert {month["better_off"] for month in year["months"]} == {773.44, 1800.06}
    assert year["months"][0]["earnings"] == 813.44 and year["months"][0]["benefit_cap"] == "applies"
    assert year["months"][1]["universal_credit"] == 2308.34 and year["months"][1]["benefit_cap"] == "lifted_by_earnings"
    assert year["worst_month"]["better_off"] == 773.44 and year["worst_month"]["in_words"] == "July 2026"
    assert year["best_month"]["better_off"] == 1800.06 and year["best_month"]["in_words"] == "August 2026"
    headline = result["explanation"][0]
    assert "on average £1,115.65 a month better off" in headline
    assert "in 8 months with 4 paydays the benefit cap applies: £773 better off" in headline
    assert "in 4 months with 5 paydays £1,800 better off" in headline
    assert "July 2026" in result["explanation"][1] and "August 2026" in result["explanation"][1]
    assert any("benefit cap comes back" in warning for warning in result["warnings"])


def test_four_weekly_pay_is_capped_in_eleven_months(build):
    """Four-weekly from 29 June (start + 28 days); the year is July to June (June misses the payday
    of 1 June a full month would hold): one payday a month but 3 May and 31 May 2027.
    11 months: 813.44, capped, better off 773.44. May: 1626.88: UC 2632.73 - 0.55 x 1199.88 = 1972.796,
    net 1626.88 + 1972.796 + 349.9167 - 40 = 3909.5927, better off 2074.5927.
    Average (11 x 773.44 + 2074.5927) / 12 = 881.8694: the issue's "about +880"."""
    result = calculate(trap(build, frequency="four_weekly"))
    assert result["year"]["first_pay_date"] == "2026-06-29"
    assert paydays_per_month(result) == [1] * 10 + [2, 1]
    assert result["year"]["months_capped"] == 11
    assert result["year"]["months"][10]["better_off"] == 2074.59
    assert result["better_off"] == 881.87


def test_fortnightly_pay(build):
    """Fortnightly from 15 June; year July to June: 3 paydays in November and May, 2 elsewhere (26).
    2 paydays = 813.44, capped: 773.44. 3 paydays = 1220.16: UC 2632.73 - 0.55 x 793.16 = 2196.492,
    net 1220.16 + 2196.492 + 349.9167 - 40 = 3726.5687, better off 1891.5687.
    Average (10 x 773.44 + 2 x 1891.5687) / 12 = 959.7948."""
    result = calculate(trap(build, frequency="fortnightly"))
    assert paydays_per_month(result) == [2, 2, 2, 2, 3, 2, 2, 2, 2, 2, 3, 2]
    assert result["better_off"] == 959.79


def test_auto_enrolment_pulls_monthly_pay_under_the_threshold(build):
    """No pension anywhere in the input: auto-enrolment. 881.2267 > the 833 monthly trigger, age 35:
    5% x (881.2267 - 520) = 18.0613 a month (the issue's "about £18"). Earned income 863.1653 < 881:
    capped every month. Net 881.2267 - 18.0613 + 1485.0833 + 349.9167 - 40 = 2658.1653: +823.17."""
    result = calculate(trap(build, pension=None))
    assert result["with_job"]["pension_contributions"] == 18.06
    assert result["year"]["pension"] == {
        "rule": "auto_enrolment", "percent_of_pay": None, "from": "default",
        "employee_per_period": 18.06, "employer_minimum_per_period": 10.84,
    }
    assert result["year"]["months_capped"] == 12
    assert result["better_off"] == 823.17
    assert any("No pension was entered" in note and "Opting out" in note and "relief at source" in note
               for note in result["assumptions"])
    assert any("pension contribution is what takes earnings under £881 in 12 months" in warning
               for warning in result["warnings"])


def test_auto_enrolment_with_weekly_pay(build):
    """Weekly trigger 192 < 203.36: 5% x (203.36 - 120) = 4.168 a week.
    4 paydays: 813.44 - 16.672 = 796.768 earned, capped: net 2591.768, better off 756.768.
    5 paydays: 1016.80 - 20.84 = 995.96 >= 881: UC 2632.73 - 0.55 x 568.96 = 2319.802,
    net 3625.6787, better off 1790.6787. Average (8 x 756.768 + 4 x 1790.6787) / 12 = 1101.4049."""
    result = calculate(trap(build, frequency="weekly", pension=None))
    assert result["year"]["pension"]["employee_per_period"] == 4.17
    assert result["year"]["months"][0]["pension_contributions"] == 16.67
    assert result["better_off"] == 1101.40


def test_no_pension_warning_when_the_pension_does_not_tip_the_cap(build):
    """Weekly, no pension: the 4-payday months are capped on pay alone, so nothing blames a pension."""
    result = calculate(trap(build, frequency="weekly"))
    assert not any("pension contribution is what" in warning for warning in result["warnings"])


def test_percent_of_pay_pension(build):
    """{"percent_of_pay": 5} monthly: 44.0613 a month, earned 837.1653 < 881: capped every month.
    Net 881.2267 - 44.0613 + 1485.0833 + 349.9167 - 40 = 2632.1653: +797.17."""
    result = calculate(trap(build, pension={"percent_of_pay": 5}))
    assert result["with_job"]["pension_contributions"] == 44.06
    assert result["better_off"] == 797.17
    assert result["year"]["pension"]["rule"] == "percent_of_pay"


def test_adults_pension_percentage_keeps_its_meaning(build):
    """pension_contribution_percent given (as in every input before issue 13) and no job.pension:
    that percentage of the job's pay, not auto-enrolment. 0% gives the issue's +1,739.05."""
    data = trap(build, pension=None)
    for adult in data["adults"]:
        adult["pension_contribution_percent"] = 0.0
    result = calculate(data)
    assert result["better_off"] == 1739.05
    assert result["year"]["pension"]["from"] == "adult"
    data["adults"][0]["pension_contribution_percent"] = 5
    assert calculate(data)["with_job"]["pension_contributions"] == 44.06


def test_no_auto_enrolment_under_22_or_under_the_trigger(build):
    """Age 21: not an eligible jobholder (Pensions Act 2008 s.3). 10 h: 550.77 a month, under the 833 trigger."""
    young = trap(build, pension=None)
    young["adults"][0]["age"] = 21
    assert calculate(young)["with_job"]["pension_contributions"] == 0.0
    short = trap(build, pension=None, hours_per_week=10)
    result = calculate(short)
    assert result["with_job"]["pension_contributions"] == 0.0
    assert any("trigger" in note for note in result["assumptions"])


def test_none_pension_opts_out(build):
    assert calculate(trap(build, frequency="weekly", pension="none"))["year"]["months"][0]["pension_contributions"] == 0.0


# -- dates ---------------------------------------------------------------------------------------


def test_assessment_period_day_moves_the_extra_paydays(build):
    """Periods from the 15th, weekly Mondays from 8 June, job from 1 June. The period 15 May - 14 June
    holds only 8 June (the job started inside it): it is cash flow, before the year. The year starts
    15 June: 15 Jun-14 Jul holds 15, 22, 29 Jun, 6, 13 Jul (5 paydays); 52 or 53 paydays in 12 periods,
    and every 4-payday period is capped (813.44 < 881)."""
    result = calculate(trap(build, frequency="weekly", period_day=15))
    months = result["year"]["months"]
    assert months[0]["starts"] == "2026-06-15" and len(months[0]["paydays"]) == 5
    assert result["year"]["cash_flow"]["periods"][0]["paydays"] == ["2026-06-08"]
    assert sum(paydays_per_month(result)) in (52, 53)
    assert result["year"]["months_capped"] == sum(1 for count in paydays_per_month(result) if count == 4)
    assert all(month["uc_earned_income"] < 881 for month in months if month["benefit_cap"] == "applies")


def test_job_starting_inside_a_period(build):
    """Weekly from Wednesday 10 June (first paid 17 June), periods from the 1st: June holds 17 and 24 June,
    a part month before the year, so the year is July to June (not lowered by the part month)."""
    result = calculate(trap(build, frequency="weekly", start="2026-06-10"))
    assert result["year"]["months"][0]["starts"] == "2026-07-01"
    assert result["year"]["cash_flow"]["periods"][0]["paydays"] == ["2026-06-17", "2026-06-24"]
    assert sum(paydays_per_month(result)) in (52, 53)


def test_start_date_defaults_to_the_calculation_day(build):
    data = trap(build, frequency="weekly", start=None)
    explicit = calculate(trap(build, frequency="weekly"))
    defaulted = calculate(data, today=dt.date(2026, 6, 1))
    assert defaulted["year"] == explicit["year"]
    assert any("(not given: today)" in note for note in defaulted["assumptions"])


def test_weekly_paydays_fall_every_seven_days():
    days = paydays_until(dt.date(2026, 6, 8), "weekly", dt.date(2026, 7, 6))
    assert days == [dt.date(2026, 6, 8), dt.date(2026, 6, 15), dt.date(2026, 6, 22), dt.date(2026, 6, 29), dt.date(2026, 7, 6)]


def test_monthly_payday_on_the_31st_uses_the_last_day_of_short_months():
    days = paydays_until(dt.date(2027, 1, 31), "monthly", dt.date(2027, 4, 30))
    assert days == [dt.date(2027, 1, 31), dt.date(2027, 2, 28), dt.date(2027, 3, 31), dt.date(2027, 4, 30)]


def test_assessment_period_on_the_31st():
    """UC Regs reg 21(3): from the 31st, a period starts on the last day of a shorter month."""
    period = period_containing(dt.date(2027, 2, 10), 31)
    assert (period.starts, period.ends) == (dt.date(2027, 1, 31), dt.date(2027, 2, 27))
    assert period_containing(dt.date(2027, 2, 28), 31).ends == dt.date(2027, 3, 30)
    assert day_in_month(2028, 2, 30) == dt.date(2028, 2, 29)


def test_monthly_payday_near_the_period_start_can_leave_a_month_empty(build):
    """Periods from the 31st (the 30th in a 30-day month), paid on the 30th from 30 October. The year
    starts 31 October: 31 Oct - 29 Nov holds no payday, 30 Nov - 30 Dec holds two (30 Nov and 30 Dec),
    31 Dec - 30 Jan one. UC sees 0, then 2 wages."""
    result = calculate(trap(build, start="2026-09-30", first_pay="2026-10-30", period_day=31))
    counts = paydays_per_month(result)
    assert counts[:3] == [0, 2, 1] and 0 in counts[3:] and 2 in counts[3:]
    assert result["year"]["same_every_month"] is False


# -- the benefit cap grace period (UC Regs reg 82(1)(b), (2), (3)) -------------------------------


def test_grace_period_after_twelve_months_at_the_threshold(build):
    """Adult 0 earns 1,000 a month now (earned 1,000 >= 881: no cap now; UC 2632.73 - 0.55 x 573 = 2317.58,
    net now 1000 + 2317.58 + 349.9167 = 3667.4967) and has for 12 months; takes the 16 h weekly job.
    June 2026 (4 paydays, 813.44 < 881, before the year) starts a 9-month grace period, June to
    February: no cap in the year's 4-payday months Jul, Sep, Oct, Dec, Jan, Feb (6). After it, April
    and June 2027 (4 paydays) are capped. Grace month: UC 2632.73 - 0.55 x 386.44 = 2420.188, net 813.44 + 2420.188
    + 349.9167 - 40 = 3543.5447, better off -123.952. April: net 2608.44, better off -1059.0567."""
    data = trap(build, frequency="weekly", earned_above_cap_threshold_last_12_months=True)
    data["adults"][0]["monthly_earnings"] = 1000.0
    result = calculate(data)
    year = result["year"]
    assert result["now"]["universal_credit"] == 2317.58
    assert year["months_in_grace_period"] == 6
    assert year["months_capped"] == 2
    statuses = [month["benefit_cap"] for month in year["months"]]
    assert statuses[9] == statuses[11] == "applies" and statuses[0] == statuses[7] == "grace_period"
    assert year["months"][0]["better_off"] == -123.95
    assert year["months"][9]["better_off"] == -1059.06


def test_no_grace_period_without_the_work_history(build):
    """The same household without the 12-month history: capped in all 8 four-payday months,
    and a warning says the grace period may apply because current earnings reach the threshold."""
    data = trap(build, frequency="weekly")
    data["adults"][0]["monthly_earnings"] = 1000.0
    result = calculate(data)
    assert result["year"]["months_capped"] == 8
    assert result["year"]["months_in_grace_period"] == 0
    assert any("grace period" in warning for warning in result["warnings"])


def test_couple_with_a_working_partner_never_meets_the_cap(build):
    """Adult 0 earns 500 now (capped now: net 500 + 1485.0833 + 349.9167 = 2335.00); adult 1 takes the
    weekly job. Combined earned income 1313.44 or 1516.80 >= 881: never capped.
    4 paydays: UC 2632.73 - 0.55 x 886.44 = 2145.188, net 3768.5447, +1433.5447;
    5 paydays: UC 2632.73 - 0.55 x 1089.80 = 2033.34, net 3860.0567, +1525.0567.
    Average (8 x 1433.5447 + 4 x 1525.0567) / 12 = 1464.0487."""
    data = trap(build, frequency="weekly")
    data["adults"][0]["monthly_earnings"] = 500.0
    data["job"]["adult"] = 1
    result = calculate(data)
    assert result["year"]["months_capped"] == 0
    assert result["better_off"] == 1464.05


# -- tax and NI per pay period -------------------------------------------------------------------


def test_tax_and_ni_are_worked_per_weekly_pay_period(build):
    """Single adult 30, no children, owner: 37.5 h at 15 = 562.50 a week. Weekly thresholds 12,570 / 52
    = 241.7308: NI 8% x 320.7692 = 25.6615 a week, tax 20% x 320.7692 = 64.1538 a week.
    A 5-payday period: NI 128.31, tax 320.77; a 4-payday one: NI 102.65, tax 256.62.
    A steady month (2437.50) gives the annual figures: NI 111.20, tax 278.00."""
    data = build.household(
        home=build.housing("owner"),
        with_job={**build.job(hours=37.5, wage=15), "pay_frequency": "weekly", "start_date": MONDAY_1_JUNE,
                  "assessment_period_day": 1, "pension": "none"},
    )
    result = calculate(data)
    months = result["year"]["months"]
    assert (months[1]["national_insurance"], months[1]["income_tax"]) == (128.31, 320.77)
    assert (months[0]["national_insurance"], months[0]["income_tax"]) == (102.65, 256.62)
    assert (result["with_job"]["national_insurance"], result["with_job"]["income_tax"]) == (111.20, 278.00)


# -- cash flow -----------------------------------------------------------------------------------


def test_cash_flow_before_the_first_monthly_wage(build):
    """Starts Wednesday 10 June, first paid 31 July (then the last day of each month). June holds no wage:
    UC stays 1485.08, but 21 of June's 30 days are worked: travel 40 x 21/30 = 28: 28.00 less than now.
    The year is July to June, one payday each: the steady +1,739.05 every month."""
    result = calculate(trap(build, start="2026-06-10", first_pay="2026-07-31"))
    flow = result["year"]["cash_flow"]
    june = flow["periods"][0]
    assert june["paydays"] == [] and june["costs_of_work"] == 28.0 and june["compared_with_now"] == -28.0
    assert flow["largest_gap"] == 28.0
    assert flow["first_wage"]["reduces_universal_credit_paid_on"] == "2026-08-07"
    assert flow["help"] and "Flexible Support Fund" in flow["help"][0]
    assert result["year"]["months"][0]["starts"] == "2026-07-01"
    assert result["better_off"] == 1739.05
    assert "31 July 2026" in flow["summary"][0]


def test_cash_flow_when_a_reduced_uc_payment_follows_a_big_month(build):
    """Lone parent 30, children 4 and 7, HA rent 700 (UC now capped at 1640.22, net 1835.00), 30 h at
    12.71 four-weekly from 1 June, first paid 29 June; periods from the 1st; no pension, no travel.
    Four weeks' pay 1525.20 (NI: 8% x (1525.20 - 4 x 241.7308) = 8% x 558.28 = 44.66; tax 20% x 558.28 = 111.66).
    A later period with 2 paydays cuts the next UC payment, so that month has less cash than the one
    before. The cash flow reports each period's UC paid 7 days after it ends."""
    data = build.household(
        children=[build.child(age=4), build.child(age=7)],
        home=build.housing("social_rent", rent=700),
        with_job={**build.job(hours=30), "pay_frequency": "four_weekly", "start_date": MONDAY_1_JUNE,
                  "assessment_period_day": 1, "pension": "none"},
    )
    result = calculate(data)
    flow = result["year"]["cash_flow"]
    first = flow["periods"][0]
    assert first["paydays"] == ["2026-06-29"]
    assert first["universal_credit_for_this_period_paid_on"] == "2026-07-07"
    assert first["universal_credit_received"] == 1640.22  # June's payment is for May, before the job
    second = flow["periods"][1]
    assert second["universal_credit_received"] == first["universal_credit_for_this_period"]
    assert result["year"]["months"][0]["national_insurance"] == 44.66
    assert result["year"]["months"][0]["income_tax"] == 111.66


# -- validation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"pay_frequency": "daily"}, "job.pay_frequency"),
        ({"start_date": "01/06/2026"}, "job.start_date"),
        ({"start_date": "2026-06-10", "first_pay_date": "2026-06-01"}, "job.first_pay_date"),
        ({"assessment_period_day": 32}, "job.assessment_period_day"),
        ({"pension": "some"}, "job.pension"),
        ({"pension": {"percent_of_pay": 120}}, "job.pension.percent_of_pay"),
        ({"pension": {"percent": 5}}, "job.pension.percent"),
        ({"earned_above_cap_threshold_last_12_months": "yes"}, "job.earned_above_cap_threshold_last_12_months"),
    ],
)
def test_bad_job_timing_names_the_field(build, extra, field):
    data = build.household(with_job={**build.job(), **extra})
    with pytest.raises(InputError) as error:
        calculate(data)
    assert error.value.field == field


def test_year_is_null_without_a_job(build):
    result = calculate(build.household())
    assert result["year"] is None and result["better_off"] is None and result["better_off_steady_month"] is None


def test_a_week_in_hand_keeps_the_first_part_month_out_of_the_average(build):
    """Weekly, starting Monday 1 June, first paid Friday 12 June (a week in hand): June holds 12, 19 and
    26 June, three of the paydays a full month would hold (5 June never came), so it is cash flow and
    the year is July to June: Fridays give 5 paydays in July, October, January, April (52 in all)."""
    result = calculate(trap(build, frequency="weekly", first_pay="2026-06-12"))
    assert result["year"]["cash_flow"]["periods"][0]["paydays"] == ["2026-06-12", "2026-06-19", "2026-06-26"]
    assert result["year"]["months"][0]["starts"] == "2026-07-01"
    assert paydays_per_month(result) == [5, 4, 4, 5, 4, 4, 5, 4, 4, 5, 4, 4]
    assert result["better_off"] == 1115.65
