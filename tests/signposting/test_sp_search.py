"""Search: ranking and its reasons, needs, distance, opening hours, freshness, and any text a person types."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from plugins.signposting import store
from plugins.signposting.search import SearchError, fts_query, search, search_words
from sptest import TODAY, TUESDAY_11AM, TUESDAY_9PM, FakeGazetteer, filler, make_service, signposting_hub, weekly


@pytest.fixture
def hub(hub_factory):
    return signposting_hub(hub_factory)


def load(hub, *services):
    store.write_services(hub.db, [*services, *filler()], geocode=FakeGazetteer().geocode)


def find(hub, text="", **kwargs):
    kwargs.setdefault("today", TODAY)
    return search(hub.db, text, gazetteer=FakeGazetteer(), **kwargs)


def names(results):
    return [r.name for r in results]


# -- text -----------------------------------------------------------------------------------


def test_a_word_in_the_name_outranks_the_same_word_in_the_description(hub):
    load(hub, make_service("d", "Welfare Drop-in", description="We help with debt and benefits."),
         make_service("n", "Debt Advice Line", description="Free and confidential."))
    results = find(hub, "debt")
    assert names(results.local)[:2] == ["Debt Advice Line", "Welfare Drop-in"]
    best, second = results.local[:2]
    assert best.score_parts["text"] == 10.0 and 0 < second.score_parts["text"] < 10
    assert "says 'debt' in its name" in best.reasons
    assert "says 'debt' in its description" in second.reasons


def test_the_last_word_is_matched_as_a_prefix_while_typing(hub):
    load(hub, make_service("n", "Debt Advice Line"))
    assert names(find(hub, "deb").local) == ["Debt Advice Line"]
    assert names(find(hub, "deb ").local) == []  # a finished word is matched whole


def test_common_words_are_dropped_and_all_remaining_words_must_match(hub):
    load(hub, make_service("a", "Food Bank"), make_service("b", "Food Hall Cafe"))
    words, typing = search_words("help with a food bank")
    assert words == ["food", "bank"] and typing
    assert names(find(hub, "help with food bank").local) == ["Food Bank"]


def test_when_no_service_has_every_word_services_with_some_are_shown_and_said_so(hub):
    load(hub, make_service("a", "Food Bank"), make_service("b", "Job Club"))
    results = find(hub, "food job zebra ")
    assert set(names(results.local)) == {"Food Bank", "Job Club"}
    assert "No service has all of your words" in results.notes[0]
    assert all("zebra" not in reason for r in results.local for reason in r.reasons)


@pytest.mark.parametrize(
    "typed",
    ['debt-advice', 'C&A', 'O"Brien', "O'Brien", "food AND", "NOT", "OR", "*", '"', "(", ")", "NEAR(a b)",
     "name:debt", "^debt", "debt*", "{name}: x", "'; drop table directory_services; --", "\\", "\x00\x1b[2J",
     "Łódź ü ñ 中文", "🙂🙂", "a" * 5000, "   ", ""],
)
def test_anything_typed_is_safe(hub, typed):
    load(hub, make_service("a", "Debt Advice", description="C&A O'Brien"))
    results = find(hub, typed, near="M40 7AB")
    assert isinstance(results.local, list)
    assert hub.db["directory_services"].count == 13  # nothing typed changes the data


@pytest.mark.parametrize("typed", ["debt-advice", "C&A", 'O"Brien', "debt AND", "NOT debt", "debt OR", "(debt", "name:debt", "debt*"])
def test_syntax_in_typed_text_is_read_as_words(hub, typed):
    load(hub, make_service("a", "Debt Advice", description="Not just debt: C&A O'Brien and name changes"))
    assert names(find(hub, typed).local) == ["Debt Advice"]


def test_fts_query_quotes_every_word():
    assert fts_query(["debt", "advice"], True) == '"debt" "advice"*'
    assert fts_query(["a\"b"], False) == '"a""b"'
    assert fts_query(["food", "bank"], False, any_word=True) == '"food" OR "bank"'


def test_typing_a_need_finds_services_the_mapping_puts_under_it(hub):
    load(hub, make_service("p", "Community Pantry", description="Low-cost groceries.", needs=["food"]))
    [result] = find(hub, "food").local
    assert result.name == "Community Pantry"
    assert result.reasons[0].startswith("'food' is a need it fits: Food: listed under this need by the site lead")


# -- needs ----------------------------------------------------------------------------------


def test_choosing_needs_without_words_lists_only_services_that_fit_ranked_by_evidence(hub):
    load(hub,
         make_service("site", "Hillside Hall", needs=["food"]),  # site lead 4
         make_service("name", "Kestrel Food Bank"),  # keyword in the name 2
         make_service("desc", "Hall", description="We give out food parcels."),  # keyword elsewhere 1
         make_service("none", "Chess club"))
    results = find(hub, needs=["food"])
    assert names(results.local) == ["Hillside Hall", "Kestrel Food Bank", "Hall"]
    assert [r.score_parts["needs"] for r in results.local] == [4, 2, 1]
    assert results.local[0].needs_matched == ["food"]
    assert results.local[0].reasons == ["Food: listed under this need by the site lead"]


def test_needs_boost_but_do_not_filter_when_words_are_typed(hub):
    load(hub, make_service("a", "Advice Centre", needs=["debt"]), make_service("b", "Advice Shop"))
    results = find(hub, "advice", needs=["debt"])
    assert names(results.local) == ["Advice Centre", "Advice Shop"]
    assert results.local[0].score_parts["needs"] == 4 and results.local[1].score_parts["needs"] == 0


def test_needs_can_be_given_by_label_and_unknown_ones_are_named(hub):
    load(hub, make_service("a", "Talking group", needs=["mental_health"]))
    assert names(find(hub, needs=["Mental health"]).local) == ["Talking group"]
    with pytest.raises(SearchError, match="unknown need 'fod'.*food"):
        find(hub, needs=["fod"])


# -- distance -------------------------------------------------------------------------------


def test_nearer_services_rank_higher_and_always_show_their_distance(hub):
    load(hub, make_service("far", "Debt Advice North", postcode="M9 4HA"),
         make_service("near", "Debt Advice Local", postcode="M40 8JD"))
    results = find(hub, "debt advice", near="m407ab")
    assert names(results.local) == ["Debt Advice Local", "Debt Advice North"]
    near, far = results.local
    assert near.distance_text == "under 0.1 miles" and near.distance_miles == pytest.approx(0.09, abs=0.01)
    assert far.distance_miles == pytest.approx(2.35, abs=0.05)
    assert near.score_parts["distance"] == pytest.approx(10 * (1 - near.distance_miles / 10), abs=0.01)
    assert "under 0.1 miles from M40 7AB" in near.reasons
    assert results.origin.matched == "M40 7AB"


def test_services_outside_the_radius_are_left_out(hub):
    load(hub, make_service("bristol", "Debt Advice Bristol", postcode="BS1 1AD"),
         make_service("local", "Debt Advice Local", postcode="M40 8JD"))
    assert names(find(hub, "debt", near="M40 7AB").local) == ["Debt Advice Local"]
    assert names(find(hub, "debt", near="M40 7AB", radius_miles=200).local) == ["Debt Advice Local", "Debt Advice Bristol"]
    assert set(names(find(hub, "debt").local)) == {"Debt Advice Local", "Debt Advice Bristol"}


def test_services_without_a_position_are_counted_not_listed_by_distance(hub):
    load(hub, make_service("nowhere", "Debt Advice Somewhere", postcode=None, position=None),
         make_service("local", "Debt Advice Local", postcode="M40 8JD"))
    results = find(hub, "debt", near="M40 7AB")
    assert names(results.local) == ["Debt Advice Local"]
    assert "1 matching service has no known position" in results.notes[0]
    [unplaced] = [r for r in find(hub, "debt").local if r.name == "Debt Advice Somewhere"]
    assert unplaced.distance_miles is None and unplaced.distance_text == "no postcode given"


def test_a_district_gives_approximate_distances_and_a_bad_postcode_none(hub):
    load(hub, make_service("a", "Debt Advice", postcode="M40 8JD"))
    district = find(hub, "debt", near="M40")
    assert district.local[0].distance_text.startswith("about ")
    assert "approximate, from the middle of district M40 (no full postcode was given)" in district.notes[0]
    assert "from the middle of district M40" in district.local[0].reasons[-1]
    bad = find(hub, "debt", near="XX1 NOPE")
    assert bad.origin is None and "Distances are not shown" in bad.notes[0]
    assert bad.local[0].distance_miles is None


def test_phone_and_online_services_are_listed_apart(hub):
    load(hub, make_service("line", "Debt Helpline", remote=True), make_service("local", "Debt Advice Local", postcode="M40 8JD"))
    results = find(hub, "debt", near="M40 7AB")
    assert names(results.local) == ["Debt Advice Local"]
    assert names(results.remote) == ["Debt Helpline"]
    assert results.remote[0].remote and results.remote[0].distance_text == "phone or online service"
    assert "phone or online: no need to travel" in results.remote[0].reasons


# -- opening hours --------------------------------------------------------------------------


def test_opening_hours_are_shown_but_never_change_the_order(hub):
    load(hub, make_service("closed", "Debt Advice A", postcode="M40 8JD", schedules=weekly("MO", "09:00", "17:00")),
         make_service("open", "Debt Advice B", postcode="M40 5BB", schedules=weekly("TU", "09:00", "17:00")),
         make_service("unknown", "Debt Advice C", postcode="M9 4HA"))
    results = find(hub, "debt advice", near="M40 7AB", open_at=TUESDAY_11AM)
    assert names(results.local) == ["Debt Advice A", "Debt Advice B", "Debt Advice C"]
    states = {r.name: (r.opening.state, r.opening.label) for r in results.local}
    assert states == {
        "Debt Advice A": ("closed", "Closed"),
        "Debt Advice B": ("open", "Open"),
        "Debt Advice C": ("unknown", "Hours unknown, call first"),
    }
    assert results.local[1].opening.reason == "open now until 17:00"
    assert "opening" not in results.local[0].score_parts
    assert results.asked == "2026-11-24T11:00"


def test_open_only_leaves_out_closed_services_and_keeps_call_first_ones(hub):
    load(hub, make_service("closed", "Debt Advice A", postcode="M40 8JD", schedules=weekly("MO", "09:00", "17:00")),
         make_service("open", "Debt Advice B", postcode="M40 5BB", schedules=weekly("TU", "09:00", "17:00")),
         make_service("unknown", "Debt Advice C", postcode="M9 4HA"),
         make_service("monthly", "Debt Advice D", postcode="M9 4HA",
                      schedules=[store.Schedule(freq="MONTHLY", byday=["1MO"], opens_at=dt.time(9), closes_at=dt.time(12))]))
    results = find(hub, "debt advice", near="M40 7AB", open_at=TUESDAY_11AM, open_only=True)
    assert names(results.local) == ["Debt Advice B", "Debt Advice C"]
    assert names(find(hub, "debt advice", near="M40 7AB", open_at=TUESDAY_9PM, open_only=True).local) == ["Debt Advice C"]


def test_open_only_finds_open_services_beyond_many_closed_ones(hub):
    closed = [make_service(f"c{i}", f"Debt Advice Closed {i}", postcode="M40 8JD", schedules=weekly("MO", "09:00", "10:00"))
              for i in range(40)]
    complex_closed = [make_service(f"x{i}", f"Debt Advice Monthly {i}", postcode="M40 8JD",
                                   schedules=[store.Schedule(freq="MONTHLY", byday=["1MO"], opens_at=dt.time(9), closes_at=dt.time(10))])
                      for i in range(40)]
    far_open = make_service("open", "Debt Advice Open", postcode="M9 4HA", schedules=weekly("TU", "09:00", "17:00"))
    load(hub, *closed, *complex_closed, far_open)
    results = find(hub, "debt advice", near="M40 7AB", open_at=TUESDAY_11AM, open_only=True, limit=5)
    assert names(results.local) == ["Debt Advice Open"]


def test_open_on_a_day_and_bank_holidays(hub):
    load(hub, make_service("a", "Debt Advice A", schedules=weekly("FR", "09:00", "17:00")),
         make_service("b", "Debt Advice B", schedules=weekly("FR", "09:00", "17:00"), bank_holidays="closed"),
         make_service("c", "Debt Advice C", schedules=weekly("TH", "09:00", "17:00")))
    christmas = dt.date(2026, 12, 25)  # a Friday and a bank holiday in England and Wales
    states = {r.name: r.opening.state for r in find(hub, "debt advice", day=christmas).local}
    assert states == {"Debt Advice A": "bank_holiday", "Debt Advice B": "closed", "Debt Advice C": "closed"}
    assert names(find(hub, "debt advice", day=christmas, open_only=True).local) == ["Debt Advice A"]


def test_opening_uses_the_site_lead_nation(hub):
    load(hub, make_service("a", "Debt Advice", schedules=weekly("MO", "09:00", "17:00")))
    st_andrews_observed = dt.date(2026, 11, 30)  # a Monday; a bank holiday in Scotland only
    assert find(hub, "debt", day=st_andrews_observed).local[0].opening.state == "open"
    assert find(hub, "debt", day=st_andrews_observed, nation="scotland").local[0].opening.state == "bank_holiday"


# -- freshness, status and the score --------------------------------------------------------


def test_stale_listings_are_demoted_and_say_so(hub):
    load(hub, make_service("old", "Debt Advice Old", last_checked=TODAY - dt.timedelta(days=200)),
         make_service("new", "Debt Advice New", last_checked=TODAY - dt.timedelta(days=5)),
         make_service("undated", "Debt Advice Undated", last_checked=None))
    results = find(hub, "debt advice")
    assert names(results.local)[0] == "Debt Advice New"
    old = next(r for r in results.local if r.name == "Debt Advice Old")
    assert old.stale and old.score_parts["freshness"] == -4
    assert old.freshness == "Not checked recently: last checked 6 May 2026 (200 days ago)"
    undated = next(r for r in results.local if r.name == "Debt Advice Undated")
    assert undated.stale and "no 'last checked' date" in undated.freshness
    assert results.local[0].freshness == "Last checked 17 Nov 2026"


def test_temporarily_closed_ranks_lower_and_inactive_is_never_listed(hub):
    load(hub, make_service("t", "Debt Advice Paused", status="temporarily closed"),
         make_service("a", "Debt Advice Running"),
         make_service("i", "Debt Advice Gone", status="inactive"),
         make_service("d", "Debt Advice Defunct", status="defunct"))
    results = find(hub, "debt advice")
    assert names(results.local) == ["Debt Advice Running", "Debt Advice Paused"]
    assert results.local[1].score_parts["status"] == -8


def test_the_score_is_the_sum_of_its_parts_and_results_serialise(hub):
    load(hub, make_service("a", "Debt Advice", needs=["debt"], schedules=weekly("TU", "09:00", "17:00")),
         make_service("b", "Debt Line", remote=True))
    results = find(hub, "debt", near="M40 7AB", needs=["debt"], open_at=TUESDAY_11AM)
    for result in results.local + results.remote:
        assert result.score == pytest.approx(sum(result.score_parts.values()), abs=0.011)
    data = json.loads(json.dumps(results.to_dict()))
    assert data["local"][0]["opening"]["state"] == "open"
    assert data["origin"]["postcode"] == "M40 7AB"


def test_no_words_no_needs_no_postcode_lists_everything_freshest_first(hub):
    load(hub)
    assert len(find(hub, limit=50).local) == 12


def test_limits_apply_to_each_list(hub):
    load(hub, *[make_service(f"l{i}", f"Debt Line {i}", remote=True) for i in range(5)])
    results = find(hub, "", limit=3, remote_limit=2)
    assert len(results.local) == 3 and len(results.remote) == 2
