"""The bonus rules on their own (no database): each rule's edges, in words, and two properties."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings, strategies as st

from plugins.bonus import BonusSettings, SchemeSettings
from plugins.bonus.rules import (
    ELIGIBLE,
    FAIL,
    NOT_ELIGIBLE,
    NOT_YET,
    PASS,
    WAITING,
    ClaimFact,
    Facts,
    Job,
    RuleType,
    build_stints,
    conditions_words,
    evaluate,
    if_starting_work,
    long_date,
    rule_payload,
    rule_version,
)

REGISTERED = date(2026, 11, 2)
START = date(2026, 12, 16)
MET = date(2027, 1, 12)  # 4 weeks in work, counting 16 December as day 1
AREA = ("M40 7", "M40 8")


def scheme(**changes) -> SchemeSettings:
    return SchemeSettings(id="jobsplus", **changes)


def job(start=START, end=None, hours=20.0, evidence=("payslip",), kind="employment", entry_id=1, pay=None, employer="Example Care"):
    return Job(entry_id=entry_id, kind=kind, start=start, end=end, employer=employer, hours_per_week=hours,
               monthly_pay=pay, evidence_seen=tuple(evidence))


def facts(*jobs, **changes) -> Facts:
    base = Facts(resident_id=1, date_of_birth=date(1992, 2, 2), registered_on=REGISTERED, status_at_registration="unemployed",
                 postcode="M40 7AB", in_area_at_registration=True, in_area_now=True, record_consent_on=REGISTERED,
                 record_consent_now=True, jobs=tuple(jobs))
    return replace(base, **changes)


def rule(check, rule_id):
    found = [r for r in check.rules if r.rule == rule_id]
    assert found, f"no {rule_id} rule in {[r.rule for r in check.rules]}"
    return found[0]


def run(the_facts, today=MET, **scheme_changes):
    return evaluate(the_facts, scheme(**scheme_changes), today, site_area=AREA)


# -- sustainment -----------------------------------------------------------------------------------


def test_the_day_before_four_weeks_is_not_yet_with_the_date_in_words():
    check = run(facts(job()), today=MET - timedelta(days=1))
    sustained = rule(check, "sustained")
    assert sustained.status == NOT_YET
    assert sustained.met_on == MET
    assert "In work 4 weeks on 12 January 2027" in sustained.words
    assert check.status == WAITING and check.due_on == MET
    assert "due on 12 January 2027" in check.summary()


def test_the_day_four_weeks_are_met_is_eligible():
    check = run(facts(job()), today=MET)
    assert rule(check, "sustained").status == PASS
    assert check.status == ELIGIBLE and check.eligible_on == MET
    assert check.summary() == "Eligible for the JobsPlus into-work bonus (£400) since 12 January 2027."
    assert all(r.status == PASS for r in check.rules)


def test_a_job_that_ends_the_day_before_four_weeks_falls_short():
    check = run(facts(job(end=MET - timedelta(days=1))), today=MET + timedelta(days=30))
    sustained = rule(check, "sustained")
    assert sustained.status == FAIL
    assert "ended on 11 January 2027 after 3.9 weeks, short of 4 weeks" in sustained.words
    assert check.status == NOT_ELIGIBLE


def test_a_job_ending_on_the_day_four_weeks_are_met_counts():
    assert run(facts(job(end=MET)), today=MET + timedelta(days=30)).status == ELIGIBLE


def test_a_break_within_the_tolerance_carries_the_weeks_on():
    first = job(end=date(2026, 12, 24), entry_id=1, employer="First Ltd")
    second = job(start=date(2027, 1, 8), entry_id=2, employer="Second Ltd")  # 14 days off: 25 Dec to 7 Jan
    check = run(facts(first, second), today=MET)
    assert rule(check, "sustained").status == PASS
    assert check.stint.start == START and [j.entry_id for j in check.stint.jobs] == [1, 2]


def test_a_break_longer_than_tolerated_restarts_the_count():
    first = job(end=date(2026, 12, 24), entry_id=1, employer="First Ltd")
    second = job(start=date(2027, 1, 9), entry_id=2, employer="Second Ltd")  # 15 days off
    check = run(facts(first, second), today=MET)
    sustained = rule(check, "sustained")
    assert sustained.status == NOT_YET
    assert check.stint.start == date(2027, 1, 9)
    assert sustained.met_on == date(2027, 2, 5)


def test_a_job_that_just_ended_waits_for_the_next_one_within_the_break():
    check = run(facts(job(end=date(2026, 12, 31))), today=date(2027, 1, 5))
    sustained = rule(check, "sustained")
    assert sustained.status == NOT_YET and sustained.met_on is None
    assert "if a new qualifying job starts by 15 January 2027, the weeks carry on" in sustained.words
    assert check.due_on is None


def test_sustain_weeks_and_break_days_are_site_settings():
    thirteen = run(facts(job()), today=MET, sustain_weeks=13)
    assert rule(thirteen, "sustained").met_on == START + timedelta(days=13 * 7 - 1)
    assert thirteen.status == WAITING
    strict = run(facts(job(end=date(2026, 12, 24)), job(start=date(2026, 12, 27), entry_id=2)), today=MET, max_break_days=1)
    assert strict.stint.start == date(2026, 12, 27)


def test_build_stints_joins_overlaps_and_short_gaps():
    jobs = [job(date(2027, 1, 1), date(2027, 1, 31), entry_id=1), job(date(2027, 1, 20), date(2027, 2, 10), entry_id=2),
            job(date(2027, 3, 1), None, entry_id=3)]
    stints = build_stints(jobs, 14)
    assert [(s.start, s.end) for s in stints] == [(date(2027, 1, 1), date(2027, 2, 10)), (date(2027, 3, 1), None)]


# -- hours and pay ---------------------------------------------------------------------------------


def test_15_and_a_half_hours_fails_and_16_passes():
    short = run(facts(job(hours=15.5)))
    assert rule(short, "qualifying_job").status == FAIL
    assert "15.5 hours a week; the scheme needs 16 or more hours a week" in rule(short, "qualifying_job").words
    assert short.status == NOT_ELIGIBLE
    assert run(facts(job(hours=16.0))).status == ELIGIBLE


def test_missing_hours_is_not_yet_and_says_what_to_record():
    check = run(facts(job(hours=None)))
    paid = rule(check, "qualifying_job")
    assert paid.status == NOT_YET
    assert paid.missing == ("hours a week for the job at Example Care",)
    assert "Missing: hours a week for the job at Example Care" in check.summary()


def test_monthly_pay_qualifies_a_short_hours_job_when_the_site_says_so():
    low_hours_good_pay = job(hours=12.0, pay=1300.0)
    assert run(facts(low_hours_good_pay)).status == NOT_ELIGIBLE
    assert run(facts(low_hours_good_pay), min_monthly_pay=1200.0).status == ELIGIBLE
    assert run(facts(job(hours=12.0, pay=1100.0)), min_monthly_pay=1200.0).status == NOT_ELIGIBLE


def test_voluntary_work_never_reaches_the_rules_and_kinds_are_a_setting():
    self_employed = job(kind="self_employment")
    assert run(facts(self_employed)).status == ELIGIBLE
    excluded = run(facts(self_employed), job_kinds=["employment"])
    assert excluded.status == NOT_ELIGIBLE
    assert "does not count for this scheme" in rule(excluded, "qualifying_job").words


def test_no_job_yet_is_not_yet():
    check = run(facts())
    assert check.status == WAITING
    assert rule(check, "qualifying_job").status == NOT_YET
    assert "no paid job in the passport yet" in check.summary()


# -- area, age, registration, status ---------------------------------------------------------------


def test_moving_out_of_area_fails_the_job_start_check():
    moved = run(facts(job(), in_area_now=False, postcode="M9 4AA"))
    area = rule(moved, "area_at_job_start")
    assert area.status == FAIL and "M9 4AA, is outside the site's area" in area.words
    assert moved.status == NOT_ELIGIBLE
    assert run(facts(job()), check_area_at_job_start=False).status == ELIGIBLE


def test_out_of_area_at_registration_fails_unless_the_site_turns_it_off():
    outside = facts(job(), in_area_at_registration=False)
    assert rule(run(outside), "area_at_registration").status == FAIL
    assert run(outside, check_area_at_registration=False).status == ELIGIBLE


@pytest.mark.parametrize(
    "born, status",
    [
        (date(2010, 12, 17), FAIL),   # 15 the day the job starts
        (date(2010, 12, 16), PASS),   # 16 that day
        (date(1960, 12, 17), PASS),   # 65
        (date(1960, 12, 16), FAIL),   # 66: State Pension age
    ],
)
def test_age_16_to_state_pension_age_at_the_job_start(born, status):
    assert rule(run(facts(job(), date_of_birth=born)), "age").status == status


def test_state_pension_age_is_a_setting():
    assert rule(run(facts(job(), date_of_birth=date(1960, 12, 16)), state_pension_age=67), "age").status == PASS


def test_registered_on_the_day_the_job_starts_passes_the_day_after_fails():
    same_day = run(facts(job(), registered_on=START, record_consent_on=START))
    assert rule(same_day, "registered_before_start").status == PASS
    late = run(facts(job(), registered_on=START + timedelta(days=1), record_consent_on=START + timedelta(days=1)))
    assert rule(late, "registered_before_start").status == FAIL
    assert "started on 16 December 2026, before they registered with consent on 17 December 2026" in \
        rule(late, "registered_before_start").words


def test_a_job_that_ended_before_registering_is_history_not_the_job():
    old = job(start=date(2026, 6, 1), end=date(2026, 8, 1))
    check = run(facts(old), today=MET)
    assert check.stint is None and check.status == WAITING
    assert "since they registered" in rule(check, "qualifying_job").words


def test_withdrawn_consent_fails():
    assert rule(run(facts(job(), record_consent_now=False)), "registered_before_start").status == FAIL


def test_in_work_at_registration_needs_the_progression_option():
    employed = facts(job(), status_at_registration="employed")
    assert rule(run(employed), "out_of_work_at_registration").status == FAIL
    assert run(employed, allow_in_work_progression=True).status == ELIGIBLE


# -- evidence, claims, window, dates ---------------------------------------------------------------


def test_missing_evidence_is_named_and_only_evidence_missing_is_flagged():
    check = run(facts(job(evidence=())))
    evidence = rule(check, "evidence")
    assert evidence.status == NOT_YET and evidence.evidence
    assert evidence.missing == ("a payslip, contract or employer letter for the job at Example Care",)
    assert check.only_evidence_missing
    assert run(facts(job(evidence=("reference",)))).status == WAITING
    assert run(facts(job(evidence=("offer_letter",)))).status == ELIGIBLE
    assert run(facts(job(evidence=())), evidence_required=[]).status == ELIGIBLE


def test_a_second_claim_for_the_same_scheme_fails():
    paid = ClaimFact(7, "jobsplus", "paid", date(2027, 2, 1), 1, 1)
    check = run(facts(job(), claims=(paid,)))
    one = rule(check, "one_per_person")
    assert one.status == FAIL and "already have claim #7" in one.words
    checked_as_that_claim = evaluate(facts(job(), claims=(paid,)), scheme(), MET, site_area=AREA, claim=paid)
    assert rule(checked_as_that_claim, "one_per_person").status == PASS
    rejected = ClaimFact(8, "jobsplus", "rejected", date(2027, 2, 1), 1, 1)
    assert rule(run(facts(job(), claims=(rejected,))), "one_per_person").status == PASS
    other_scheme = ClaimFact(9, "thirteen_weeks", "paid", date(2027, 2, 1), 1, 1)
    assert rule(run(facts(job(), claims=(other_scheme,))), "one_per_person").status == PASS


def test_the_same_person_registered_twice_is_caught():
    twin = ClaimFact(3, "jobsplus", "approved", date(2027, 2, 1), 12, 5)
    one = rule(run(facts(job(), duplicate_claims=(twin,))), "one_per_person")
    assert one.status == FAIL and "Resident #12 has the same name and date of birth" in one.words


def test_claim_window_closes_90_days_after_becoming_eligible():
    assert rule(run(facts(job()), today=MET + timedelta(days=90)), "claim_window").status == PASS
    late = run(facts(job()), today=MET + timedelta(days=91))
    assert rule(late, "claim_window").status == FAIL
    assert "closed on 12 April 2027" in rule(late, "claim_window").words
    proposed_in_time = ClaimFact(4, "jobsplus", "eligible", MET + timedelta(days=5), 1, 1)
    in_time = evaluate(facts(job(), claims=(proposed_in_time,)), scheme(), MET + timedelta(days=200), site_area=AREA,
                       claim=proposed_in_time)
    assert rule(in_time, "claim_window").status == PASS
    early = ClaimFact(5, "jobsplus", "potential", START, 1, 1)
    ahead = evaluate(facts(job(), claims=(early,)), scheme(), MET - timedelta(days=3), site_area=AREA, claim=early)
    assert rule(ahead, "claim_window").words == "Proposed on 16 December 2026, ahead of becoming eligible on 12 January 2027."
    too_late = ClaimFact(6, "jobsplus", "eligible", MET + timedelta(days=91), 1, 1)
    assert rule(evaluate(facts(job(), claims=(too_late,)), scheme(), MET + timedelta(days=91), site_area=AREA,
                         claim=too_late), "claim_window").status == FAIL
    assert run(facts(job()), today=MET + timedelta(days=400), claim_window_days=0).status == ELIGIBLE


def test_job_start_window_and_contacts_before_start():
    assert rule(run(facts(job()), job_start_to="2026-12-15"), "job_start_window").status == FAIL
    assert rule(run(facts(job()), job_start_from="2026-12-16", job_start_to="2027-03-31"), "job_start_window").status == PASS
    few = run(facts(job(), contact_dates=(date(2026, 11, 20),)), min_contacts_before_start=2)
    assert rule(few, "min_contacts").status == FAIL
    enough = run(facts(job(), contact_dates=(date(2026, 11, 20), START)), min_contacts_before_start=2)
    assert rule(enough, "min_contacts").status == PASS


def test_dates_read_like_a_letter():
    assert long_date(date(2027, 1, 2)) == "2 January 2027"


# -- extra rule types ------------------------------------------------------------------------------


def test_extra_rule_types_run_and_fail_closed():
    def tenants_only(ctx):
        return (PASS, "A tenant.") if ctx.params.get("landlord") == "Example Homes" else (FAIL, "Not a tenant.")

    tenancy = RuleType("tenant", "Tenant of the landlord", tenants_only)
    ok = evaluate(facts(job()), scheme(extra_rules=["tenant"], rule_options={"tenant": {"landlord": "Example Homes"}}),
                  MET, site_area=AREA, rule_types={"tenant": tenancy})
    assert ok.status == ELIGIBLE and rule(ok, "tenant").words == "A tenant."
    missing = evaluate(facts(job()), scheme(extra_rules=["tenant"]), MET, site_area=AREA)
    assert rule(missing, "tenant").status == FAIL and "not available" in rule(missing, "tenant").words

    def broken(ctx):
        raise RuntimeError("oops")

    crashed = evaluate(facts(job()), scheme(extra_rules=["tenant"]), MET, site_area=AREA,
                       rule_types={"tenant": RuleType("tenant", "Tenant", broken)})
    assert crashed.status == NOT_ELIGIBLE and "Could not be checked" in rule(crashed, "tenant").words


# -- settings and versions -------------------------------------------------------------------------


def test_settings_refuse_nonsense_with_the_key_named():
    with pytest.raises(ValueError, match="state_pension_age"):
        scheme(min_age=66, state_pension_age=66)
    with pytest.raises(ValueError, match="job_start_from"):
        scheme(job_start_from="31/12/2026")
    with pytest.raises(ValueError, match="used twice"):
        BonusSettings(schemes=[scheme(), scheme()])


def test_a_changed_rule_or_area_is_a_new_version_and_the_same_settings_the_same():
    base = rule_version(rule_payload(scheme(), AREA))
    assert rule_version(rule_payload(scheme(), list(reversed(AREA)))) == base
    assert rule_version(rule_payload(scheme(sustain_weeks=5), AREA)) != base
    assert rule_version(rule_payload(scheme(), ("M40 7",))) != base


def test_if_starting_work_today_and_the_conditions_in_words():
    today = date(2026, 12, 1)
    would = if_starting_work(facts(), scheme(), today, site_area=AREA)
    assert would.status == WAITING and rule(would, "sustained").met_on == today + timedelta(days=27)
    assert if_starting_work(facts(in_area_now=False), scheme(), today, site_area=AREA).status == NOT_ELIGIBLE
    assert conditions_words(scheme()) == ("after 4 weeks in work (16 or more hours a week), with a payslip, contract or "
                                          "employer letter, claimed within 90 days")


# -- properties ------------------------------------------------------------------------------------

ORDER = {ELIGIBLE: 0, WAITING: 1, NOT_ELIGIBLE: 2}


@settings(max_examples=200, deadline=None)
@given(
    start_offset=st.integers(min_value=0, max_value=400),
    weeks_short=st.integers(min_value=0, max_value=30),
    weeks_long=st.integers(min_value=0, max_value=30),
    extra_days=st.integers(min_value=0, max_value=6),
    hours=st.sampled_from([15.5, 16.0, 30.0]),
    sustain=st.integers(min_value=0, max_value=26),
    window=st.sampled_from([0, 30, 90]),
)
def test_property_eligibility_never_gets_worse_with_more_weeks_in_work(start_offset, weeks_short, weeks_long, extra_days,
                                                                       hours, sustain, window):
    """The same resident and job, ended later (more weeks sustained), is never less eligible."""
    short_weeks, long_weeks = sorted((weeks_short, weeks_long))
    start = REGISTERED + timedelta(days=start_offset)
    today = start + timedelta(days=7 * 40)
    rules = scheme(sustain_weeks=sustain, claim_window_days=window)

    def status(weeks):
        end = start + timedelta(days=7 * weeks + extra_days)
        return evaluate(facts(job(start=start, end=end, hours=hours)), rules, today, site_area=AREA).status

    assert ORDER[status(long_weeks)] <= ORDER[status(short_weeks)]


@settings(max_examples=200, deadline=None)
@given(days_in=st.integers(min_value=-10, max_value=120), more=st.integers(min_value=0, max_value=60),
       sustain=st.integers(min_value=1, max_value=13))
def test_property_while_still_in_work_time_only_helps(days_in, more, sustain):
    """With no claim window, an ongoing job moves from not yet to eligible and never back."""
    rules = scheme(sustain_weeks=sustain, claim_window_days=0)
    earlier = evaluate(facts(job()), rules, START + timedelta(days=days_in), site_area=AREA)
    later = evaluate(facts(job()), rules, START + timedelta(days=days_in + more), site_area=AREA)
    assert ORDER[later.status] <= ORDER[earlier.status]
    assert earlier.status in (ELIGIBLE, WAITING)
