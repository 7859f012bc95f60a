"""The plugin's hooks: settings, its own hookspecs implemented by other plugins, migrations, demo data,
tabs, CLI, data rights, the About text, and staying light at startup."""

from __future__ import annotations

import json
import subprocess
import sys
import types

import pytest

from hub import hookimpl
from hub.residents import NewResident, register_resident, validate_resident
from plugins.signposting import directory, geo, referrals, store
from plugins.signposting.settings import FeedSettings, SignpostingSettings
from plugins.signposting.sources import Batch, Source
from sptest import TODAY, make_service, signposting_hub


def plugin(name: str, **hooks):
    namespace = types.SimpleNamespace(name=name)
    for hook_name, function in hooks.items():
        setattr(namespace, hook_name, hookimpl(function))
    return namespace


# -- config_schema ---------------------------------------------------------------------------


def test_settings_have_defaults_so_a_site_without_the_table_works(hub_factory):
    hub = signposting_hub(hub_factory)
    assert directory.settings(hub) == SignpostingSettings()
    assert directory.settings(hub).follow_up_days == 14 and directory.settings(hub).nation == "england-and-wales"


def test_settings_with_feeds_and_a_secret_from_the_environment(hub_factory, monkeypatch, tmp_path):
    monkeypatch.setenv("CITY_KEY", "k-123")
    body = """
[plugins.signposting]
nation = "scotland"
local_services = "northside-services.toml"
stale_after_days = 60
follow_up_days = 10
include_northern_ireland = true

[[plugins.signposting.feeds]]
name = "city"
kind = "oruk_v1"
url = "https://directory.example/api"
label = "City Council"
api_key = { "$env" = "CITY_KEY" }

[[plugins.signposting.feeds]]
name = "package"
kind = "datapackage"
url = "data/hsds"
"""
    hub = signposting_hub(hub_factory, body=body)
    assert hub.plugins.is_enabled("signposting"), hub.plugins.status["signposting"].error
    settings = directory.settings(hub)
    assert settings.nation == "scotland" and settings.follow_up_days == 10
    assert settings.feeds[0] == FeedSettings("city", "oruk_v1", "https://directory.example/api", "City Council", "k-123")
    sources, problems = directory.sources(hub)
    assert problems == []
    assert [(s.name, s.kind) for s in sources] == [("city", "oruk_v1"), ("package", "datapackage"), ("local", "local")]
    assert sources[1].location == str(tmp_path / "data" / "hsds")
    assert sources[2].path == tmp_path / "northside-services.toml"  # relative to the site file's folder
    assert "k-123" not in repr(sources[0])


@pytest.mark.parametrize(
    "table, message",
    [
        ('[[plugins.signposting.feeds]]\nname = "a"\nkind = "oruk_v2"\nurl = "https://x"\n', "'oruk_v2' is not allowed"),
        ('[[plugins.signposting.feeds]]\nname = "Bad Name"\nkind = "hsds3"\nurl = "https://x"\n', "must start with a letter"),
        ('[[plugins.signposting.feeds]]\nname = "local"\nkind = "hsds3"\nurl = "https://x"\n', "kept for the site's own list"),
        ('[[plugins.signposting.feeds]]\nname = "a"\nkind = "hsds3"\nurl = "ftp://x"\n', "must start with http"),
        ('[[plugins.signposting.feeds]]\nname = "a"\nkind = "hsds3"\nurl = "https://x"\n'
         '[[plugins.signposting.feeds]]\nname = "a"\nkind = "oruk_v1"\nurl = "https://y"\n', "used twice"),
        ('[plugins.signposting]\nfollow_up_days = 0\n', "follow_up_days must be between 1 and 365"),
        ('[plugins.signposting]\nstale_after = 30\n', "did you mean 'stale_after_days'"),
    ],
)
def test_bad_settings_disable_the_plugin_with_the_reason(hub_factory, table, message):
    import plugins.signposting as signposting

    hub = hub_factory(("signposting", signposting), body=table)
    assert not hub.plugins.is_enabled("signposting")
    assert message in hub.plugins.status["signposting"].error


def test_every_setting_has_an_attribute_docstring_and_is_in_the_docs():
    import dataclasses
    from pathlib import Path

    from test_docs import attribute_docstrings

    guide = (Path(__file__).parents[2] / "docs" / "signposting.md").read_text()
    for schema in (SignpostingSettings, FeedSettings):
        docs = attribute_docstrings(schema)
        for field in dataclasses.fields(schema):
            assert docs.get(field.name), f"{schema.__name__}.{field.name} has no attribute docstring"
            assert f"`{field.name}`" in guide, f"docs/signposting.md does not describe {field.name}"


# -- register_hookspecs: signposting_sources and signposting_needs -----------------------------


class ParishSource(Source):
    name, label, kind = "parish", "Parish newsletter", "test"

    def fetch(self, context):
        yield Batch([make_service("1", "Parish Lunch Club", source="parish", description="Hot lunches on Fridays.",
                                  postcode="M40 8JD")])


def test_other_plugins_add_sources_through_the_plugins_own_hookspec(hub_factory):
    parish = plugin("parish", signposting_sources=lambda hub: [ParishSource()])
    hub = signposting_hub(hub_factory, parish)
    assert hub.plugins.is_enabled("parish")  # without the hookspec it would be an unknown hook
    assert [s.name for s in directory.sources(hub)[0]] == ["parish"]
    [report] = directory.sync(hub)
    assert report.complete and report.added == 1
    assert [r.name for r in directory.search(hub, "lunch").local] == ["Parish Lunch Club"]
    with pytest.raises(directory.UnknownSource, match="did you mean 'parish'"):
        directory.sync(hub, "parsh")


def test_a_second_source_with_the_same_name_or_no_fetch_is_reported_not_used(hub_factory):
    first = plugin("first", signposting_sources=lambda hub: [ParishSource()])
    second = plugin("second", signposting_sources=lambda hub: [ParishSource(), types.SimpleNamespace(name="nofetch")])
    hub = signposting_hub(hub_factory, first, second)
    sources, problems = directory.sources(hub)
    assert [s.name for s in sources] == ["parish"]
    assert "second source named 'parish'" in problems[0] and "without a usable name or fetch()" in problems[1]


def test_plugins_extend_the_needs_mapping_and_stored_matches_are_redone(hub_factory):
    pets = plugin("pets", signposting_needs=lambda hub: {"pets": {"label": "Pets", "keywords": ["dog", "cat"]},
                                                          "food": {"keywords": ["soup kitchen"]}})
    hub = signposting_hub(hub_factory, pets)
    store.write_services(hub.db, [make_service("1", "Soup Kitchen"), make_service("2", "Dog Walkers")])  # base mapping
    current = directory.catalogue(hub)
    assert "pets" in current and "soup kitchen" in current.get("food").keywords
    assert "debt" in current  # the curated needs are still there
    assert directory.reindex_needs_if_changed(hub) == 2
    assert directory.reindex_needs_if_changed(hub) == 0
    assert [r.name for r in directory.search(hub, needs=["pets"]).local] == ["Dog Walkers"]
    assert [r.name for r in directory.search(hub, needs=["food"]).local] == ["Soup Kitchen"]


def test_a_plugin_with_an_unusable_needs_mapping_is_disabled(hub_factory):
    broken = plugin("broken", signposting_needs=lambda hub: {"pets": {"keywords": ["dog"]}})  # a new need needs a label
    hub = signposting_hub(hub_factory, broken)
    assert "pets" not in directory.catalogue(hub)
    assert not hub.plugins.is_enabled("broken")
    assert "unusable mapping" in hub.plugins.status["broken"].error


# -- the core hooks ---------------------------------------------------------------------------


def test_register_migrations_names_its_set_and_applies_once(hub_factory):
    hub = signposting_hub(hub_factory)
    applied = {row[0] for row in hub.db.execute("select name from _sqlite_migrations where migration_set = 'hub_signposting'")}
    assert applied == {"0001_directory", "0002_referrals", "0003_search_index"}
    assert hub.open_storage() == []


def test_seed_demo_data_gives_the_demo_site_local_and_national_listings(hub_factory):
    hub = signposting_hub(hub_factory, demo=True)
    assert store.count_services(hub.db, "demo") == 10
    results = directory.search(hub, "debt", near="M40 7AB")  # the real offline postcode data
    assert results.local[0].name == "Debt and Benefits Drop-in"
    assert 0.2 < results.local[0].distance_miles < 1.5
    assert "Money Helpline" in [r.name for r in results.remote]
    food = directory.search(hub, needs=["food"], near="M40 7AB")
    assert food.local[0].name == "Kestrel Food Bank"
    stale = directory.search(hub, "work club").local[0]
    assert stale.stale  # one demo listing is deliberately old, to show the demotion
    [status] = directory.sync_status(hub)
    assert status.label == "Demo listings (fictional)" and status.services == 10


def test_register_tabs_points_at_the_screen_without_importing_it(hub_factory):
    hub = signposting_hub(hub_factory)
    [spec] = [r.value for r in hub.plugins.call_flat("register_tabs", hub=hub)]
    assert (spec.id, spec.title) == ("signposting", "Signposting")
    assert callable(spec.factory)
    # In a fresh process (this one may have imported the screen for other tests): asking for
    # the tab does not import its Textual code.
    code = ("import sys; import plugins.signposting as sp; [spec] = sp.register_tabs(); "
            "print('plugins.signposting.screen' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "False"


def test_register_cli_commands_offers_directory(hub_factory):
    hub = signposting_hub(hub_factory)
    [command] = [r.value for r in hub.plugins.call_flat("register_cli_commands", hub=hub)]
    assert command.name == "directory" and command.needs_database


def test_export_and_erase_a_residents_referrals(hub_factory):
    hub = signposting_hub(hub_factory)
    store.write_services(hub.db, [make_service("1", "Debt Advice")])
    form = NewResident("Aisha Rahman", "", "14/03/1991", "", "", "", "M40 7AB", "drop_in", "", "unemployed",
                       consents={"record": True, "share_with_services": True})
    resident = register_resident(hub.db, validate_resident(form, ["M40 7"], today=TODAY), form.consents, staff="s", terminal="t")
    referral_id = referrals.create_referral(hub.db, resident, "t:1", kind="warm_handover", note="Rent arrears", staff="s", terminal="t")
    referrals.change_status(hub.db, referral_id, "sent", staff="s", terminal="t")
    [exported] = [r.value for r in hub.plugins.call("export_resident_data", hub=hub, resident_id=resident)]
    assert exported["referrals"][0]["note"] == "Rent arrears"
    assert exported["referrals"][0]["service_details_when_referred"]["name"] == "Debt Advice"
    assert [c["to_status"] for c in exported["referral_changes"]] == ["new", "sent"]
    json.dumps(exported)
    [kept] = [r.value for r in hub.plugins.call("erase_resident_data", hub=hub, resident_id=resident)]
    assert kept == ["1 referral(s) as dates, kinds and statuses only, so past reports stay right"]
    [row] = list(hub.db["referrals"].rows)
    assert (row["service_name"], row["note"], row["snapshot"], row["kind"]) == ("[erased]", None, "{}", "warm_handover")
    assert "Rent arrears" not in json.dumps(list(hub.db["referral_history"].rows))
    hub.db.execute("update residents set erased_at = '2025-01-01' where id = ?", [resident])  # as the core does next
    assert [r.value for r in hub.plugins.call("export_resident_data", hub=hub, resident_id=resident)] == []


# -- About ------------------------------------------------------------------------------------


def test_about_text_carries_the_required_attributions(hub_factory):
    hub = signposting_hub(hub_factory, demo=True)
    text = directory.about_text(hub)
    assert geo.ATTRIBUTION in text
    assert "Human Services Data Specification: an Open Referral resource (https://openreferral.org/)" in text
    assert "GOV.UK" in text and "Demo listings (fictional): last good sync never; 10 listings" in text
    assert geo.ATTRIBUTION_NORTHERN_IRELAND not in text
    titles = [title for title, _ in directory.about_sections(hub)]
    assert titles[0] == "Signposting directory" and "Postcodes and distances" in titles


def test_about_text_adds_the_northern_ireland_licence_when_switched_on(hub_factory):
    hub = signposting_hub(hub_factory, body="[plugins.signposting]\ninclude_northern_ireland = true\n")
    assert geo.ATTRIBUTION_NORTHERN_IRELAND in directory.about_text(hub)


# -- startup stays light -----------------------------------------------------------------------


def test_loading_the_plugin_and_asking_for_its_tabs_and_commands_imports_nothing_heavy(tmp_path):
    from hubtest import write_site

    site = write_site(tmp_path, plugins=["signposting"])
    code = f"""
import argparse, json, sys
from pathlib import Path
from hub.config import load_site_config
from hub.context import Hub
from hub.plugins import PluginHost
hub = Hub(load_site_config(Path({str(site)!r})), PluginHost.load(["signposting"]))
assert hub.plugins.is_enabled("signposting"), hub.plugins.status
hub.plugins.call_flat("register_tabs", hub=hub)
for result in hub.plugins.call_flat("register_cli_commands", hub=hub):
    result.value.configure(argparse.ArgumentParser())
print(json.dumps(sorted(sys.modules)))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    loaded = set(json.loads(result.stdout.strip().splitlines()[-1]))
    assert not loaded & {"textual", "sqlite_utils", "httpx", "fpdf"}


# -- the hub-level helpers the screen calls ---------------------------------------------------------


def test_hub_helpers_use_the_signed_in_staff_the_kiosk_and_the_sites_follow_up_period(hub_factory):
    import datetime as dt

    hub = signposting_hub(hub_factory, body="[plugins.signposting]\nfollow_up_days = 7\n")
    store.write_services(hub.db, [make_service("1", "Debt Advice")])
    form = NewResident("Aisha Rahman", "Aish", "14/03/1991", "", "", "", "M40 7AB", "drop_in", "", "unemployed",
                       consents={"record": True, "share_with_services": False})
    resident = register_resident(hub.db, validate_resident(form, ["M40 7"], today=TODAY), form.consents, staff="s", terminal="t")
    with pytest.raises(referrals.ConsentRequired):
        directory.refer(hub, resident, "t:1", kind="formal_referral")
    referral_id = directory.refer(hub, resident, "t:1", kind="signpost", needs=["debt"])
    referral = referrals.get_referral(hub.db, referral_id)
    assert referral["created_by"] == hub.staff and referral["terminal"] == "test-kiosk"
    assert referral["follow_up_on"] == (dt.date.today() + dt.timedelta(days=7)).isoformat()
    assert directory.change_referral(hub, referral_id, "sent")["status"] == "sent"
    with pytest.raises(referrals.RefusedTransition):
        directory.change_referral(hub, referral_id, "new")
    assert directory.followups_due(hub, dt.date.today() + dt.timedelta(days=30))[0]["id"] == referral_id
    assert directory.report_problem(hub, "t:1", "Closed down") > 0
    assert directory.referral_slip(hub, referral_id).startswith(b"%PDF")
    assert directory.service_slip(hub, "t:1", preferred_name="Aish").startswith(b"%PDF")
