"""The seam between plugins, enforced: no plugin imports another or names another's tables; every table
holding residents' data belongs to a plugin that exports and erases it; data rights fail closed; the
demo gives every such table a row to export and erase."""

from __future__ import annotations

import ast
import json
import re
import sqlite3
import types
from pathlib import Path

import pytest

from hub import hookimpl, ownership, rights
from hub.plugins import PluginHost
from hubtest import make_hub, write_site

ROOT = Path(__file__).parent.parent
BUILTIN = ["benefits_calc", "signposting", "passport", "bonus", "journey"]
PREFIXES = {
    "benefits_calc": ("calc_",),
    "signposting": ("directory_", "referral", "listing_problems"),
    "passport": ("passport_",),
    "bonus": ("bonus_",),
    "journey": ("journey_",),
}
"""Each plugin's table names start with one of these. signposting's and benefits_calc's predate the rule of
one prefix per plugin; renaming live tables buys nothing, so they are listed here and in CONTRIBUTING.md."""


def plugin_files(name: str) -> list[Path]:
    return sorted((ROOT / "plugins" / name).rglob("*.py"))


def imported_modules(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


@pytest.mark.parametrize("name", BUILTIN)
def test_no_plugin_imports_another_plugin(name):
    offenders = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in plugin_files(name)
        for module in imported_modules(path)
        if module.startswith("plugins.") and module.split(".")[1] != name
    ]
    assert offenders == []


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo site with every built-in plugin, seeded through seed_demo_data."""
    from hub.config import load_site_config
    from hub.context import Hub
    from hub.staff import Session

    folder = tmp_path_factory.mktemp("demo")
    site = write_site(folder, "", plugins=BUILTIN, demo=True)
    hub = Hub(load_site_config(site), PluginHost.load(BUILTIN))
    hub.open_storage()
    hub.session = Session(None, "demo.lead", "Dee Lead (demo)", "site_lead")
    assert hub.plugins.failed() == []
    yield hub
    hub.close()


SQL_TABLE = re.compile(r"\b(?:from|join|into|update|table(?:\s+if\s+(?:not\s+)?exists)?)\s+[\"\[`]?(\w+)", re.I)


def tables_named(path: Path) -> set[str]:
    """Table names a source file's SQL (and sqlite-utils' db["name"] and table_names() checks) refers to."""
    tree = ast.parse(path.read_text())
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            if re.search(r"\b(select|insert|update|delete|create)\b", node.value, re.I):
                names |= set(SQL_TABLE.findall(node.value))
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
            if isinstance(node.value, ast.Name) and node.value.id in ("db", "database", "scratch") or (
                    isinstance(node.value, ast.Attribute) and node.value.attr == "db"):
                names.add(node.slice.value)
        elif isinstance(node, ast.Compare) and isinstance(node.left, ast.Constant) and isinstance(node.left.value, str):
            if any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops) and "table_names" in ast.unparse(node):
                names.add(node.left.value)
    return names


@pytest.mark.parametrize("name", BUILTIN)
def test_no_plugins_sql_names_another_plugins_table(demo, name):
    owners = ownership.owners(demo.db)
    others = {table: owner for table, owner in owners.items() if owner not in (name, ownership.CORE_OWNER)}
    offenders = sorted(
        f"{path.relative_to(ROOT)} names {table} ({others[table]}'s)"
        for path in plugin_files(name) for table in tables_named(path) if table in others
    )
    assert offenders == []


def test_the_sql_scan_would_catch_a_plugin_reading_another_plugins_table(tmp_path):
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text('def f(db):\n    return db.execute("select count(*) from referrals r join x on 1")\n'
                      'def g(db):\n    return "passport_entries" in db.table_names() or db["calc_scenarios"].count\n')
    assert {"referrals", "passport_entries", "calc_scenarios"} <= tables_named(sneaky)


def test_each_plugins_tables_carry_its_prefix_and_every_table_has_one_owner(demo):
    owners = ownership.owners(demo.db)
    unowned = sorted(set(ownership.table_names(demo.db)) - set(owners))
    assert unowned == []
    for table, owner in owners.items():
        if owner in PREFIXES:
            assert table.startswith(PREFIXES[owner]), f"{owner} owns {table}, outside its prefixes {PREFIXES[owner]}"
    assert {owner for owner in owners.values()} == {ownership.CORE_OWNER, *BUILTIN}


def test_every_table_holding_residents_data_belongs_to_a_plugin_that_exports_and_erases_it(demo):
    held = ownership.plugins_holding_resident_data(demo.db)
    assert set(held) == set(BUILTIN)  # every built-in plugin keeps something about residents
    for plugin in held:
        implemented = {caller.name for caller in demo.plugins.pm.get_hookcallers(demo.plugins.pm.get_plugin(plugin))}
        assert {"export_resident_data", "erase_resident_data"} <= implemented, plugin
    assert [item.table for item in ownership.resident_tables(demo.db) if item.owner is None] == []


def test_demo_seeds_a_row_in_every_table_holding_residents_data(demo):
    empty = [item.table for item in ownership.resident_tables(demo.db) if demo.db[item.table].count == 0]
    assert empty == []
    assert demo.db["referral_history"].count and demo.db["bonus_claim_events"].count


def test_export_and_erase_reach_every_plugins_rows_in_the_demo(demo):
    """Every demo resident exported, then erased: each plugin with residents' tables shows up in some export,
    and afterwards no resident table holds a row for them that keeps their name or their notes."""
    db = demo.db
    people = {row["id"]: row["name"] for row in db.query("select id, name from residents where erased_at is null")}
    seen: set[str] = set()
    for resident_id in people:
        export = rights.subject_access(demo, resident_id)
        json.dumps(export, default=str)
        seen |= {plugin for plugin, section in export["plugins"].items() if section}
    assert seen >= set(BUILTIN)
    notes = [row[0] for row in db.execute("select note from referrals where note is not null")]
    assert notes
    for resident_id in people:
        rights.erase(demo, resident_id)
    for item in ownership.resident_tables(db):
        text = json.dumps(list(db.query(f"select * from [{item.table}]")), default=str)
        for name in people.values():
            assert name not in text, f"{item.table} still names an erased resident"
        for note in notes:
            assert note not in text, f"{item.table} still holds a referral note"
    assert db["calc_scenarios"].count == 0 and db["passport_entries"].count == 0


# -- data rights fail closed ---------------------------------------------------------------------------


class Notes:
    """A third party's plugin that keeps notes about residents in its own table."""

    name = "notes"

    @hookimpl
    def register_migrations(self):
        from sqlite_utils import Migrations

        migrations = Migrations("hub_notes")

        @migrations(name="0001")
        def create(db):
            db["notes_items"].create({"id": int, "resident_id": int, "text": str}, pk="id",
                                     foreign_keys=[("resident_id", "residents", "id")])

        return migrations

    @hookimpl
    def export_resident_data(self, hub, resident_id):
        return {"notes": list(hub.db.query("select text from notes_items where resident_id = ?", [resident_id]))}

    @hookimpl
    def erase_resident_data(self, hub, resident_id):
        hub.db.execute("delete from notes_items where resident_id = ?", [resident_id])
        return []


class FakeEntryPoint:
    def __init__(self, name, target=None, error=None):
        self.name, self.target, self.error = name, target, error
        self.dist = types.SimpleNamespace(name="hub-notes", version="1.0")

    def load(self):
        if self.error:
            raise self.error
        return self.target


def register(db, name="Ann Example") -> int:
    from hub.residents import NewResident, register_resident, validate_resident

    form = NewResident(name, "", "01/01/1990", engagement="drop_in", status_at_registration="unemployed",
                       consents={"record": True})
    return register_resident(db, validate_resident(form, []), form.consents, staff="t", terminal="t")


def lead(hub):
    from hub.staff import Session

    hub.session = Session(None, "lee", "Lee", "site_lead")
    return hub


@pytest.fixture
def site_with_notes(tmp_path):
    """A site whose notes plugin ran (its table is recorded as its own) and holds a note about a resident."""
    hub = make_hub(tmp_path, Notes())
    hub.open_storage()
    resident_id = register(hub.db)
    with hub.db.conn:
        hub.db["notes_items"].insert({"resident_id": resident_id, "text": "Needs help with a CV"})
    hub.close()
    return tmp_path, resident_id


def reopen(tmp_path, host):
    from hub.config import load_site_config
    from hub.context import Hub

    hub = lead(Hub(load_site_config(tmp_path / "site.toml"), host))
    hub.open_storage()
    return hub


def test_the_owner_of_each_table_is_recorded_when_its_migrations_run(site_with_notes):
    tmp_path, _ = site_with_notes
    hub = reopen(tmp_path, PluginHost.load([]))
    assert ownership.owners(hub.db)["notes_items"] == "notes"
    assert ownership.owners(hub.db)["residents"] == ownership.CORE_OWNER
    hub.close()


def test_export_and_erase_refuse_when_a_plugin_holding_residents_data_failed_to_import(site_with_notes):
    tmp_path, resident_id = site_with_notes
    broken = {"notes": FakeEntryPoint("notes", error=ImportError("No module named 'hub_notes.storage'"))}
    hub = reopen(tmp_path, PluginHost.load(["notes"], entry_points=broken))
    for action, attempt in (("exported", rights.subject_access), ("erased", rights.erase)):
        with pytest.raises(rights.RightsRefused) as refused:
            attempt(hub, resident_id)
        assert refused.value.plugins == ["notes"]
        message = str(refused.value)
        assert message.startswith(f"Nothing was {action}: the notes plugin holds residents' data (notes_items)")
        assert "failed to import" in message and "hub_notes.storage" in message
    assert hub.db["notes_items"].count == 1 and hub.db["residents"].get(resident_id)["erased_at"] is None
    assert hub.db["access_log"].count_where("action in ('erase', 'subject-access-export')") == 0
    hub.close()


def test_hub_load_plugins_empty_makes_the_cli_refuse_to_erase(site_with_notes, monkeypatch, capsys):
    from hub import cli

    tmp_path, resident_id = site_with_notes
    monkeypatch.setenv("HUB_LOAD_PLUGINS", "")
    hub = make_hub(tmp_path, signed_in=True)
    hub.open_storage()
    database = hub.database_path
    from hub.staff import create_account

    create_account(hub.db, username="lee.lead", display_name="Lee", role="site_lead",
                   password="a long enough phrase for tests", created_by="test")
    hub.close()
    monkeypatch.setenv("HUB_STAFF", "lee.lead")
    monkeypatch.setenv("HUB_PASSWORD", "a long enough phrase for tests")
    code = cli.main(["--site", str(tmp_path / "site.toml"), "resident", "erase", str(resident_id), "--yes"])
    err = capsys.readouterr().err
    assert code != 0
    assert "the notes plugin holds residents' data (notes_items) but is not loaded (HUB_LOAD_PLUGINS='' leaves it out)" in err
    with sqlite3.connect(database) as db:
        assert db.execute("select count(*) from notes_items").fetchone()[0] == 1
        assert db.execute("select erased_at from residents where id = ?", [resident_id]).fetchone() == (None,)


def test_erase_refuses_a_plugin_that_holds_residents_data_but_cannot_erase_it(site_with_notes):
    tmp_path, resident_id = site_with_notes

    class ExportOnly(Notes):
        erase_resident_data = None

    hub = reopen(tmp_path, PluginHost.load([], extra=[ExportOnly()]))
    with pytest.raises(rights.RightsRefused, match="does not implement erase_resident_data"):
        rights.erase(hub, resident_id)
    hub.close()


def test_with_every_holder_loaded_export_and_erase_reach_the_third_partys_rows(site_with_notes):
    tmp_path, resident_id = site_with_notes
    hub = reopen(tmp_path, PluginHost.load([], extra=[Notes()]))
    assert rights.subject_access(hub, resident_id)["plugins"]["notes"] == {"notes": [{"text": "Needs help with a CV"}]}
    rights.erase(hub, resident_id)
    assert hub.db["notes_items"].count == 0
    hub.close()


class FlakyNotes(Notes):
    """Its erasure meets a busy database the first ``busy`` times."""

    def __init__(self, busy: int) -> None:
        self.busy, self.calls = busy, 0

    @hookimpl
    def erase_resident_data(self, hub, resident_id):
        self.calls += 1
        if self.calls <= self.busy:
            raise sqlite3.OperationalError("database is locked")
        return Notes.erase_resident_data(self, hub, resident_id)


def test_a_busy_database_makes_erasure_wait_and_start_again_never_disable_the_plugin(site_with_notes, monkeypatch):
    tmp_path, resident_id = site_with_notes
    flaky = FlakyNotes(busy=2)
    hub = reopen(tmp_path, PluginHost.load([], extra=[flaky]))
    pauses = []
    monkeypatch.setattr(rights.time, "sleep", pauses.append)
    rights.erase(hub, resident_id)
    assert flaky.calls == 3 and len(pauses) == 2
    assert hub.plugins.is_enabled("notes")
    assert hub.db["notes_items"].count == 0 and hub.db["residents"].get(resident_id)["erased_at"]
    assert hub.db["access_log"].count_where("action = 'erase'") == 1  # once, not once per attempt
    hub.close()


def test_a_database_that_stays_busy_erases_nothing_and_says_so(site_with_notes, monkeypatch):
    tmp_path, resident_id = site_with_notes
    hub = reopen(tmp_path, PluginHost.load([], extra=[FlakyNotes(busy=10 ** 6)]))
    monkeypatch.setattr(rights, "BUSY_RETRY_SECONDS", 0.0)
    with pytest.raises(rights.RightsError, match="Nothing was erased: the database stayed busy"):
        rights.erase(hub, resident_id)
    assert hub.plugins.is_enabled("notes")
    assert hub.db["notes_items"].count == 1 and hub.db["residents"].get(resident_id)["erased_at"] is None
    hub.close()


async def test_the_kiosk_export_refuses_and_names_the_plugin_that_is_not_loaded(site_with_notes):
    from hub.app import HubApp

    tmp_path, resident_id = site_with_notes
    broken = {"notes": FakeEntryPoint("notes", error=ImportError("No module named 'hub_notes.storage'"))}
    from hub.config import load_site_config
    from hub.context import Hub

    hub = lead(Hub(load_site_config(tmp_path / "site.toml"), PluginHost.load(["notes"], entry_points=broken)))
    app = HubApp(hub)
    shown = []
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.notify = lambda message, **kwargs: shown.append(message)
        app.select_resident(resident_id)
        await pilot.pause()
        app.query_one("#home-pane").action_export_data()
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert any(message.startswith("Nothing was exported: the notes plugin holds residents' data (notes_items)")
               for message in shown), shown
    assert not (hub.config.data_dir / "exports").exists()


def test_a_database_from_before_the_record_learns_its_owners_without_giving_plugins_tables_to_the_core(site_with_notes):
    """Upgrading: the owners are worked out by replaying each set on a scratch database. A plugin whose
    tables are not recorded yet (it is not loaded on the first start after the upgrade) fails closed."""
    tmp_path, resident_id = site_with_notes
    hub = reopen(tmp_path, PluginHost.load([]))
    with hub.db.conn:
        hub.db.execute("delete from hub_table_owners")
    hub.close()
    hub = reopen(tmp_path, PluginHost.load([]))  # first start after the upgrade, without the notes plugin
    owners = ownership.owners(hub.db)
    assert owners["residents"] == ownership.CORE_OWNER and "notes_items" not in owners
    with pytest.raises(rights.RightsRefused, match="the table notes_items holds residents' data but no plugin's migrations made it"):
        rights.erase(hub, resident_id)
    hub.close()
    hub = reopen(tmp_path, PluginHost.load([], extra=[Notes()]))
    assert ownership.owners(hub.db)["notes_items"] == "notes"
    rights.erase(hub, resident_id)
    assert hub.db["notes_items"].count == 0
    hub.close()
