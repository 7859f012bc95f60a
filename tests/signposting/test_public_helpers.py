"""The helpers a signposting source uses are public names of plugins.signposting, and documented."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

import plugins.signposting as signposting
from plugins.signposting.public import PUBLIC, stable_id

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "writing-a-signposting-source.md"


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_every_public_name_resolves_and_is_documented(name):
    assert getattr(signposting, name) is not None
    section = GUIDE.read_text().split("## The helpers a source can use", 1)[1].split("\n## ", 1)[0]
    assert re.search(rf"\b{name}\b", section), f"docs/writing-a-signposting-source.md does not list {name}"


def test_an_unknown_name_is_still_an_attribute_error():
    with pytest.raises(AttributeError):
        signposting.no_such_helper  # noqa: B018


def test_stable_ids_ignore_case_punctuation_and_spacing():
    assert stable_id("Northside Food Bank (Tues)") == stable_id("  northside food-bank, TUES ") == "northside-food-bank-tues"
    assert stable_id("", prefix="local:") == "local:service"


def test_opening_hours_and_freshness_from_the_public_names():
    assert signposting.parse_opening_ranges("9am-12:30, 13:30 to 17:00") == [
        (dt.time(9, 0), dt.time(12, 30)), (dt.time(13, 30), dt.time(17, 0))]
    assert signposting.parse_opening_ranges("closed") == []
    assert signposting.parse_opening_ranges("9-5") is None  # ambiguous: say 9am-5pm
    service = signposting.Service(source="t", source_id="1", name="Drop-in")
    today = dt.date(2026, 12, 4)
    assert signposting.freshness_warning(service, today)  # never checked
    service.last_checked = today - dt.timedelta(days=10)
    assert signposting.freshness_warning(service, today) is None and not signposting.is_stale(service, today)
    service.last_checked = today - dt.timedelta(days=signposting.STALE_AFTER_DAYS + 1)
    assert signposting.is_stale(service, today)
