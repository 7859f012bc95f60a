"""The example source, on its own and inside a real hub with the signposting plugin. No network."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest

import hub_signposting_example
from hub.config import load_site_config
from hub.context import Hub
from hub.plugins import PluginHost
from hub_signposting_example.source import SpreadsheetSource, row_to_service
from plugins.signposting import directory
from plugins.signposting.sources import FetchContext

SPREADSHEET = """\
id,name,organisation,description,address,postcode,phone,days,opens,closes,needs,checked
lunch,Friday Lunch Club,St Aidan's Church,Hot two-course lunch for anyone on their own.,21 Lapwing Lane,M40 8JD,0161 496 0177,Fri,12:00,14:00,food; isolation,2026-11-01
coats,Winter Coat Rail,Northside Tenants,Free warm coats: take one if you need one.,4 Heron Parade,M40 7HD,,"Mon, Wed",10:00,12:00,essentials,01/11/2026
,Row without an id,,,,,,,,,,
nameless,,,,,,,,,,,
"""


@pytest.fixture
def site(tmp_path):
    (tmp_path / "network-services.csv").write_text(SPREADSHEET, encoding="utf-8")
    site_file = tmp_path / "site.toml"
    site_file.write_text(textwrap.dedent("""
        [hub]
        site_name = "Example Site"
        area = ["M40 7", "M40 8"]
        plugins = ["signposting", "example_source"]
        data_dir = "data"

        [plugins.example_source]
        csv_file = "network-services.csv"
        label = "Northside Network"
    """))
    return site_file


@pytest.fixture
def hub(site):
    """A real hub: the installed signposting plugin plus this one, with a real SQLite file."""
    plugins = PluginHost.load(["signposting"], extra=[("example_source", hub_signposting_example)])
    hub = Hub(load_site_config(site), plugins, staff="test.staff")
    hub.open_storage()
    yield hub
    hub.close()


def test_a_row_becomes_a_service():
    service = row_to_service({"id": "lunch", "name": "Lunch Club", "postcode": "m408jd", "days": "Fri", "opens": "12:00",
                              "closes": "14:00", "needs": "food; isolation", "checked": "2026-11-01"}, "example")
    assert service.key == "example:lunch"
    assert service.locations()[0].postcode == "M40 8JD"
    assert [(s.byday, s.opens_at) for s in service.schedules] == [(["FR"], dt.time(12, 0))]
    assert service.needs == ["food", "isolation"]
    assert service.last_checked == dt.date(2026, 11, 1)


def test_rows_without_an_id_or_a_name_are_skipped_with_the_reason(tmp_path):
    path = tmp_path / "services.csv"
    path.write_text(SPREADSHEET, encoding="utf-8")
    [batch] = SpreadsheetSource(path).fetch(FetchContext())
    assert [s.source_id for s in batch.services] == ["lunch", "coats"]
    assert [(s.source_id, s.reason) for s in batch.skipped] == [(None, "no id"), ("nameless", "no name")]


def test_the_plugin_loads_alongside_signposting(hub):
    assert hub.plugins.plugin_names() == ["signposting", "example_source"]
    sources, problems = directory.sources(hub)
    assert problems == [] and [s.name for s in sources] == ["example"]
    assert sources[0].label == "Northside Network"


def test_sync_stores_the_listings_and_search_finds_them_near_a_postcode(hub):
    [report] = directory.sync(hub, "example")
    assert report.complete and report.added == 2
    assert report.skipped_reasons() == {"no id": 1, "no name": 1}
    results = directory.search(hub, "lunch", near="M40 7AB")  # offline postcode data
    [lunch] = results.local
    assert lunch.name == "Friday Lunch Club" and lunch.distance_miles < 1
    assert lunch.reasons[0] == "says 'lunch' in its name"
    [food] = directory.search(hub, needs=["food"]).local
    assert food.reasons == ["Food: listed under this need by the site lead; says 'lunch club' in its name"]
    assert [r.name for r in directory.search(hub, needs=["essentials"]).local] == ["Winter Coat Rail"]
    friday_noon = dt.datetime(2026, 11, 27, 12, 30)
    assert directory.search(hub, "lunch", open_at=friday_noon).local[0].opening.state == "open"


def test_a_missing_spreadsheet_fails_the_sync_and_keeps_what_was_stored(hub, site):
    directory.sync(hub, "example")
    (site.parent / "network-services.csv").unlink()
    [report] = directory.sync(hub, "example")
    assert not report.complete and "could not be opened" in report.error
    assert len(directory.search(hub, "").local) == 2


def test_the_csv_file_setting_is_required(tmp_path):
    site_file = tmp_path / "site.toml"
    site_file.write_text('[hub]\nsite_name = "S"\nplugins = ["signposting", "example_source"]\n[plugins.example_source]\n')
    plugins = PluginHost.load(["signposting"], extra=[("example_source", hub_signposting_example)])
    hub = Hub(load_site_config(site_file), plugins, staff="test.staff")
    assert not hub.plugins.is_enabled("example_source")
    assert "plugins.example_source.csv_file: required, but missing" in hub.plugins.status["example_source"].error
    assert hub.plugins.is_enabled("signposting")


def test_without_the_signposting_plugin_the_hook_is_unknown_and_only_this_plugin_is_disabled():
    plugins = PluginHost.load([], extra=[("example_source", hub_signposting_example)])
    assert not plugins.is_enabled("example_source")
    assert "unknown hook" in plugins.status["example_source"].error


def test_installed_it_loads_by_its_entry_point_like_any_plugin(site):
    from hub.plugins import installed_entry_points

    assert "example_source" in installed_entry_points(), "install it first: pip install --no-deps -e examples/hub-signposting-example"
    hub = Hub(load_site_config(site), PluginHost.load(["signposting", "example_source"]), staff="test.staff")
    assert hub.plugins.plugin_names() == ["signposting", "example_source"]
    assert not hub.plugins.status["example_source"].builtin
    assert hub.plugin_config("example_source").csv_file == "network-services.csv"
