"""The plugin seam: loading, failures that disable one plugin only, and one test per hook.

A test named ``test_hook_<name>`` (here or in any test module) must exist for every hook;
test_every_hook_has_a_test enforces it.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import subprocess
import sys
import types

import pytest

from hub import CliCommand, PaletteCommand, TabSpec, hookimpl
from hub.hookspecs import hookspec
from hub.plugins import PluginHost, plugins_to_load

from hubtest import make_hub


def plugin(name: str, **hooks):
    """A plugin object named ``name`` whose hookimpls are the given functions."""
    namespace = types.SimpleNamespace(name=name)
    for hook_name, function in hooks.items():
        setattr(namespace, hook_name, hookimpl(function))
    return namespace


# -- loading and failures ---------------------------------------------------------------------


class FakeEntryPoint:
    def __init__(self, name, target=None, error=None):
        self.name, self.target, self.error = name, target, error
        self.dist = types.SimpleNamespace(name="someone-elses-plugin", version="9.9")

    def load(self):
        if self.error:
            raise self.error
        return self.target


def test_plugin_that_fails_to_import_is_disabled_and_the_rest_load():
    good = plugin("good", register_tabs=lambda: [TabSpec("good", "Good", factory=lambda hub: None)])
    entry_points = {
        "broken": FakeEntryPoint("broken", error=ModuleNotFoundError("No module named 'missing_dependency'")),
        "good": FakeEntryPoint("good", target=good),
    }
    host = PluginHost.load(["broken", "good"], entry_points=entry_points)
    assert host.plugin_names() == ["good"]
    broken = host.status["broken"]
    assert not broken.enabled
    assert "failed to import" in broken.error and "missing_dependency" in broken.error
    assert host.status["good"].version == "9.9"


def test_misspelt_hook_disables_only_that_plugin():
    misspelt = plugin("misspelt", register_tab=lambda: [])  # should be register_tabs
    fine = plugin("fine", register_tabs=lambda: [])
    host = PluginHost.load([], extra=[misspelt, fine])
    assert host.plugin_names() == ["fine"]
    assert host.status["misspelt"].error == "unknown hook 'register_tab' (did you mean 'register_tabs'?)"


def test_hookimpl_with_an_argument_the_spec_lacks_is_disabled():
    wrong_args = plugin("wrong_args", register_tabs=lambda hub, screen: [])
    host = PluginHost.load([], extra=[wrong_args])
    assert host.plugin_names() == []
    assert "invalid plugin" in host.status["wrong_args"].error


def test_plugin_named_in_config_but_not_installed_is_reported():
    host = PluginHost.load(["signpostng"], entry_points={"signposting": FakeEntryPoint("signposting", plugin("x"))})
    status = host.status["signpostng"]
    assert not status.enabled
    assert "not installed" in status.error and "did you mean 'signposting'" in status.error


def test_plugin_that_raises_in_a_hook_is_disabled_and_others_still_answer():
    def explode():
        raise RuntimeError("boom")

    first = plugin("first", register_tabs=explode)
    second = plugin("second", register_tabs=lambda: [TabSpec("second", "Second", factory=lambda hub: None)])
    host = PluginHost.load([], extra=[first, second])
    results = host.call_flat("register_tabs")
    assert [r.plugin for r in results] == ["second"]
    assert not host.is_enabled("first")
    assert "register_tabs raised RuntimeError: boom" in host.status["first"].error


def test_results_come_in_site_order_not_registration_order():
    a = plugin("a", register_tabs=lambda: [TabSpec("a", "A", factory=lambda hub: None)])
    b = plugin("b", register_tabs=lambda: [TabSpec("b", "B", factory=lambda hub: None)])
    host = PluginHost.load([], extra=[b, a])
    host.order = ["a", "b"]
    assert [r.plugin for r in host.call("register_tabs")] == ["a", "b"]


def test_hub_load_plugins_overrides_the_site_list():
    assert plugins_to_load(["a", "b"], environ={}) == ["a", "b"]
    assert plugins_to_load(["a", "b"], environ={"HUB_LOAD_PLUGINS": "b, c"}) == ["b", "c"]
    assert plugins_to_load(["a", "b"], environ={"HUB_LOAD_PLUGINS": ""}) == []


def test_builtin_plugins_load_through_the_entry_point_group():
    """The four built-ins are found exactly as a third-party plugin would be."""
    from hub.plugins import installed_entry_points

    entry_points = installed_entry_points()
    assert {"benefits_calc", "signposting", "passport", "bonus"} <= set(entry_points)
    host = PluginHost.load(["benefits_calc", "signposting", "passport", "bonus"])
    assert host.plugin_names() == ["benefits_calc", "signposting", "passport", "bonus"]
    assert all(host.status[name].builtin for name in host.plugin_names())


def run_hub(*args, env_extra=None, cwd=None):
    import os

    env = {**os.environ, **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "-m", "hub.cli", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120
    )


def test_hub_plugins_json_lists_the_builtins(tmp_path):
    from hubtest import write_site

    site = write_site(tmp_path, plugins=["benefits_calc", "signposting", "passport", "bonus"])
    result = run_hub("--site", str(site), "plugins", "--json")
    assert result.returncode == 0, result.stderr
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    for name in ("benefits_calc", "signposting", "passport", "bonus"):
        assert rows[name]["enabled"] is True
        assert rows[name]["builtin"] is True
        assert "register_tabs" in rows[name]["hooks"]
        assert rows[name]["error"] is None
        assert rows[name]["version"]


def test_hub_plugins_respects_hub_load_plugins_and_lists_the_rest_as_off(tmp_path):
    from hubtest import write_site

    site = write_site(tmp_path, plugins=["benefits_calc", "signposting", "passport", "bonus"])
    result = run_hub("--site", str(site), "plugins", "--json", env_extra={"HUB_LOAD_PLUGINS": "passport"})
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert rows["passport"]["enabled"] is True
    assert rows["bonus"]["enabled"] is False and rows["bonus"]["error"] is None
    assert "not enabled" in rows["bonus"]["note"]


# -- one test per hook -------------------------------------------------------------------------


def test_hook_config_schema(tmp_path):
    @dataclasses.dataclass
    class Settings:
        directory_url: str
        """Where the feed lives."""
        timeout_seconds: float = 10.0

    good = plugin("feeds", config_schema=lambda: Settings)
    hub = make_hub(tmp_path, good, body='[plugins.feeds]\ndirectory_url = "https://example.org"\ntimeout_seconds = 3\n')
    assert hub.plugin_config("feeds") == Settings("https://example.org", 3.0)
    assert hub.config_issues == []


def test_hook_config_schema_invalid_config_disables_plugin(tmp_path):
    @dataclasses.dataclass
    class Settings:
        timeout_seconds: float = 10.0

    feeds = plugin("feeds", config_schema=lambda: Settings)
    other = plugin("other", register_tabs=lambda: [])
    hub = make_hub(tmp_path, feeds, other, body='[plugins.feeds]\ntimeout_secs = 3\n')
    assert not hub.plugins.is_enabled("feeds")
    assert hub.plugins.is_enabled("other")
    assert "plugins.feeds.timeout_secs: unknown key (did you mean 'timeout_seconds'?)" in hub.plugins.status["feeds"].error


def test_hook_register_hookspecs():
    def signposting_sources(hub):
        """Return a list of sources."""

    SourceSpecs = types.ModuleType("source_specs")  # in real plugins: a hookspecs.py module
    SourceSpecs.signposting_sources = hookspec(signposting_sources)

    owner = plugin("owner", register_hookspecs=lambda: SourceSpecs)
    implementer = plugin("implementer", signposting_sources=lambda hub: ["a source"])
    host = PluginHost.load([], extra=[implementer, owner])
    # Without the owner's specs, check_pending would have disabled the implementer.
    assert host.plugin_names() == ["implementer", "owner"]
    assert [r.value for r in host.call_flat("signposting_sources", hub=None)] == ["a source"]


def test_hook_register_migrations(hub_factory):
    def migrations():
        from sqlite_utils import Migrations

        m = Migrations("hub_test_notes")

        @m(name="0001")
        def create(db):
            db["test_notes"].create({"id": int, "resident_id": int, "text": str}, pk="id",
                                    foreign_keys=[("resident_id", "residents", "id")])

        return m

    hub = hub_factory(plugin("notes", register_migrations=migrations))
    applied = hub.open_storage()
    assert "hub_test_notes:0001" in applied
    assert hub.db["test_notes"].exists()
    assert hub.open_storage() == []  # nothing pending the second time


def test_hook_register_migrations_failure_rolls_back_and_disables(hub_factory):
    def migrations():
        from sqlite_utils import Migrations

        m = Migrations("hub_bad")

        @m(name="0001")
        def create(db):
            db["half_made"].create({"id": int}, pk="id")
            raise ValueError("typo in migration")

        return m

    hub = hub_factory(plugin("bad", register_migrations=migrations), plugin("fine", register_tabs=lambda: []))
    hub.open_storage()
    assert not hub.db["half_made"].exists()
    assert "migration failed: ValueError: typo in migration" in hub.plugins.status["bad"].error
    assert hub.plugins.is_enabled("fine")


def test_hook_startup(hub_factory):
    seen = []
    hub = hub_factory(plugin("watcher", startup=lambda hub: seen.append(hub.db["residents"].exists())))
    hub.open_storage()
    assert seen == [True]  # startup fires after the core's migrations


def test_hook_seed_demo_data(hub_factory):
    calls = []

    def seed(hub, db):
        calls.append(db["residents"].count)

    hub = hub_factory(plugin("demo_things", seed_demo_data=seed), demo=True)
    hub.open_storage()
    hub.open_storage()
    assert len(calls) == 1  # only on the first run
    assert calls[0] > 0  # the core's demo residents are already there


def test_hook_register_tabs(hub_factory):
    spec = TabSpec("notes", "Notes", factory=lambda hub: None)
    hub = hub_factory(plugin("notes", register_tabs=lambda hub: [spec]))
    assert [r.value for r in hub.plugins.call_flat("register_tabs", hub=hub)] == [spec]


def test_hook_register_cli_commands(tmp_path, capsys, monkeypatch):
    from hub import cli
    from hubtest import write_site

    def configure(parser: argparse.ArgumentParser):
        parser.add_argument("word")

    def run(hub, args):
        print(f"{hub.config.hub.site_name}: {args.word.upper()}")
        return 3

    shout = plugin("shout", register_cli_commands=lambda: [CliCommand("shout", "Shout a word", configure, run, needs_database=False)])
    monkeypatch.setattr(cli, "build_hub", lambda config, extra_plugins=(): _hub_with(config, shout))
    site = write_site(tmp_path, plugins=["shout"])
    assert cli.main(["--site", str(site), "shout", "hello"]) == 3
    assert capsys.readouterr().out.strip() == "Test Site: HELLO"


def _hub_with(config, *extra):
    from hub.context import Hub

    return Hub(config, PluginHost.load([], extra=extra))


def test_hook_register_palette_commands(hub_factory):
    command = PaletteCommand("Say hello", "Shows a greeting", action=lambda app: None)
    hub = hub_factory(plugin("hello", register_palette_commands=lambda: [command]))
    assert [r.value for r in hub.plugins.call_flat("register_palette_commands", hub=hub)] == [command]


def test_hook_register_themes(hub_factory):
    from textual.theme import Theme

    theme = Theme(name="site-purple", primary="#663399")
    hub = hub_factory(plugin("purple", register_themes=lambda: [theme]), theme="site-purple")
    assert "site-purple" in hub.theme_names()
    assert "hub-high-contrast" in hub.theme_names()  # the core's own, through the same hook
    assert hub.theme_issue() is None


def test_hook_resident_registered(hub_factory):
    seen = []
    hub = hub_factory(plugin("listener", resident_registered=lambda hub, resident_id: seen.append(resident_id)))
    hub.open_storage()
    hub.emit("resident_registered", resident_id=42)
    assert seen == [42]


def test_hook_record_saved(hub_factory):
    seen = []

    def saved(resident_id, kind, record_id):
        seen.append((resident_id, kind, record_id))

    def broken(kind):
        raise KeyError(kind)

    hub = hub_factory(plugin("broken", record_saved=broken), plugin("listener", record_saved=saved))
    hub.emit("record_saved", resident_id=1, kind="passport.entry", record_id=7)
    assert seen == [(1, "passport.entry", 7)]  # the broken listener did not stop the next one
    assert not hub.plugins.is_enabled("broken")


def test_every_hook_has_a_test():
    from hub import hookspecs

    hook_names = [name for name in dir(hookspecs) if getattr(getattr(hookspecs, name), "hub_spec", None) is not None]
    assert len(hook_names) >= 10
    import re
    from pathlib import Path

    tests = [
        name
        for path in Path(__file__).parent.rglob("test_*.py")
        for name in re.findall(r"^(?:async )?def (test_hook_\w+)", path.read_text(), flags=re.M)
    ]
    missing = [hook for hook in hook_names if not any(test == f"test_hook_{hook}" or test.startswith(f"test_hook_{hook}_") for test in tests)]
    assert missing == [], f"hooks without a test_hook_<name> test: {missing}"


# -- finding entry points fast (hub.plugins.scan_entry_points) --------------------------------


def test_scanning_entry_points_agrees_with_importlib_metadata():
    """The kiosk's fast scan finds what importlib.metadata finds, in every group installed here."""
    from importlib.metadata import distributions, entry_points

    from hub.plugins import normalized_name, scan_entry_points

    groups = {ep.group for dist in distributions() for ep in dist.entry_points}
    assert {"hub", "console_scripts"} <= groups
    for group in groups:
        fast = scan_entry_points(group)
        slow = {}
        for ep in entry_points(group=group):
            slow.setdefault(ep.name, ep)
        assert set(fast) == set(slow), group
        for name, ep in slow.items():
            assert fast[name].value == ep.value
            assert normalized_name(fast[name].dist.name) == normalized_name(ep.dist.name)
            assert fast[name].dist.version == ep.dist.version


def write_dist(folder, info_name, entry_points_text, metadata=None):
    info = folder / info_name
    info.mkdir(parents=True)
    if entry_points_text is not None:
        (info / "entry_points.txt").write_text(entry_points_text)
    if metadata is not None:
        (info / ("PKG-INFO" if info_name.endswith(".egg-info") else "METADATA")).write_text(metadata)


def test_scan_reads_entry_points_files_as_importlib_metadata_does(tmp_path):
    from hub.plugins import scan_entry_points

    first, second = tmp_path / "first", tmp_path / "second"
    write_dist(first, "good_plugin-1.2.dist-info", "# a comment\n[console_scripts]\ngood = good:main\n\n[hub]\ngood = good_plugin.hooks [extra]\n")
    write_dist(first, "Odd.Name.egg-info", "[hub]\n# another comment\nodd=odd_module:plugin.inner\n", metadata="Metadata-Version: 2.1\nName: Odd.Name\nVersion: 3.0\n\nVersion: not this\n")
    write_dist(first, "no_entry_points-1.0.dist-info", None)
    write_dist(second, "Good_Plugin-9.9.dist-info", "[hub]\ngood = shadowed:plugin\nlater = later_module\n")
    write_dist(second, "other-1.0.dist-info", "[hub]\ngood = also_shadowed:plugin\n")
    (second / "not-a-dist.txt").write_text("[hub]\nx = y\n")

    path = [str(first), str(tmp_path / "missing"), str(tmp_path / "some.zip"), str(second)]
    found = scan_entry_points("hub", path)
    assert sorted(found) == ["good", "odd"]  # Good_Plugin 9.9 is the same project, shadowed; "later" with it
    from importlib.metadata import distributions

    oracle = {}
    seen = set()
    for dist in distributions(path=path):
        if dist._normalized_name in seen:
            continue
        seen.add(dist._normalized_name)
        for ep in dist.entry_points.select(group="hub"):
            oracle.setdefault(ep.name, ep.value)
    assert {name: ep.value for name, ep in found.items()} == oracle
    assert found["good"].value == "good_plugin.hooks [extra]"
    assert (found["good"].dist.name, found["good"].dist.version) == ("good_plugin", "1.2")
    assert (found["odd"].value, found["odd"].dist.version) == ("odd_module:plugin.inner", "3.0")


def test_a_found_entry_point_loads_module_attributes(tmp_path, monkeypatch):
    from hub.plugins import FoundDistribution, FoundEntryPoint

    package = tmp_path / "scanned_plugin_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("class plugin:\n    class inner:\n        pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    dist = FoundDistribution("x", "1")
    import scanned_plugin_pkg

    assert FoundEntryPoint("a", "scanned_plugin_pkg", "hub", dist).load() is scanned_plugin_pkg
    assert FoundEntryPoint("a", "scanned_plugin_pkg [extra]", "hub", dist).load() is scanned_plugin_pkg
    assert FoundEntryPoint("b", "scanned_plugin_pkg:plugin.inner [extra]", "hub", dist).load() is scanned_plugin_pkg.plugin.inner


def test_a_plugin_the_scan_cannot_see_is_still_found_through_importlib_metadata(monkeypatch):
    """A plugin installed some unusual way (here: a custom finder) is found by the fallback."""
    import sys
    from importlib.metadata import Distribution, DistributionFinder

    from hub.plugins import installed_entry_points

    class InMemory(Distribution):
        def read_text(self, filename):
            return {"entry_points.txt": "[hub]\nin_memory = json\n", "METADATA": "Name: in-memory\nVersion: 1.0\n"}.get(filename)

        def locate_file(self, path):
            return path

    class Finder(DistributionFinder):
        def find_spec(self, *args, **kwargs):
            return None

        def find_distributions(self, context=DistributionFinder.Context()):
            return [InMemory()] if context.name in (None, "in-memory") else []

    monkeypatch.setattr(sys, "meta_path", [*sys.meta_path, Finder()])
    found = installed_entry_points(wanted=["benefits_calc", "in_memory"])
    assert found["in_memory"].load() is json
    assert "benefits_calc" in found
    assert "in_memory" not in installed_entry_points(wanted=["benefits_calc"])  # the fast path alone
