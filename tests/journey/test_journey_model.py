"""The journey's rules on their own: no database, no screens."""

from __future__ import annotations

import pytest

from hub.residents import ValidationError
from plugins.journey import model
from plugins.journey.report import figure_from


@pytest.mark.parametrize("ref", ["12 Kestrel Walk", "Flat 3, 12 Heron Court", "UPRN 100012345678", "KW-012", "12 Kestrel Walk M40 7AB"])
def test_good_home_references(ref):
    assert model.validate_home_ref(ref) == ref


def test_steps_link_by_kind_and_id():
    step = model.validate_step("See the adviser", "resident", "", link_kind="signposting.referral", link_id="#12")
    assert (step["link_kind"], step["link_id"]) == ("signposting.referral", 12)
    with pytest.raises(ValidationError) as caught:
        model.validate_step("x", "resident", "", link_kind="", link_id="12")
    assert "link_kind" in caught.value.errors
    with pytest.raises(ValidationError) as caught:
        model.validate_step("x", "resident", "", link_kind="passport.entry", link_id="twelve")
    assert "link_id" in caught.value.errors
    with pytest.raises(ValidationError) as caught:
        model.validate_step("x", "resident", "", link_kind="bonus.claim", link_id="1")
    assert "link_kind" in caught.value.errors
    assert model.validate_step("x", "resident", "", owner_staff="kim")["owner_staff"] is None  # only staff steps name staff


def test_every_status_change_is_either_allowed_or_refused_with_a_reason():
    for statuses, transitions in ((model.STEP_STATUSES, model.STEP_TRANSITIONS), (model.GOAL_STATUSES, model.GOAL_TRANSITIONS)):
        assert set(transitions) == set(statuses)
        for current in statuses:
            for new in statuses:
                if new in transitions[current]:
                    model.check_transition(statuses, transitions, current, new, "step")
                else:
                    with pytest.raises(model.RefusedTransition) as caught:
                        model.check_transition(statuses, transitions, current, new, "step")
                    assert "Allowed next" in str(caught.value)


def test_distance_ignores_areas_scored_only_once():
    before = [{"type": "barrier", "area": "debt", "score": 4}, {"type": "strength", "area": "motivation", "score": 1}]
    after = [{"type": "barrier", "area": "debt", "score": 4}, {"type": "barrier", "area": "housing", "score": 1}]
    travelled = model.distance(before, after)
    assert [(c.area, c.better) for c in travelled.changes] == [("debt", 0)]
    assert model.distance([], after).describe() == "no area scored both times"


@pytest.mark.parametrize(
    "value, problem",
    [({"key": "x", "label": "X", "resident_ids": ["a"]}, "whole numbers"),
     ({"key": "x", "label": "X", "unit": "furlongs", "value": 1}, "unknown unit"),
     ({"key": "", "label": "X", "resident_ids": []}, "needs a key"),
     ({"key": "x", "label": "X", "resident_ids": [], "amount": "lots"}, "amount must be a number"),
     ({"key": "x", "label": "X", "resident_ids": [], "colour": "red"}, "unknown keys")],
)
def test_plugin_figures_are_checked(value, problem):
    with pytest.raises(ValueError) as caught:
        figure_from(value, "someone")
    assert problem in str(caught.value)


def test_plugin_figures_about_homes_or_rates_give_a_value():
    figure = figure_from({"key": "doors", "label": "Doors knocked by volunteers", "unit": "homes", "value": 412}, "volunteers")
    assert (figure.value, figure.residents, figure.openable, figure.section) == (412, None, False, "Other")
    with pytest.raises(TypeError):
        figure_from(["not", "a", "figure"], "someone")
