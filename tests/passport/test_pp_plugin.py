"""The passport as a plugin: its hook ``passport_entry_kinds`` (implemented here by a test plugin),
its settings, demo data, the residents' data rights hooks, a light import, and its docs."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
import types
from datetime import date
from pathlib import Path

import pytest

import plugins.passport as passport_plugin
from hub import hookimpl
from hub.residents import ValidationError
from plugins.passport import service
from plugins.passport.kinds import BUILTIN_KINDS, EntryKind
from plugins.passport.model import EntryForm, validate_entry
from plugins.passport.views import EmploymentSpell, employment_spells, totals, timeline

ROOT = Path(__file__).resolve().parents[2]


def kinds_plugin(name: str, *kinds):
    plugin = types.SimpleNamespace(name=name)
    plugin.passport_entry_kinds = hookimpl(optionalhook=True)(lambda: list(kinds))
    return plugin


APPRENTICESHIP = EntryKind("apprenticeship", "Apprenticeship", frozenset({"provider", "role", "hours_per_week", "pay"}),
                           bucket="jobs", paid_work=True, achievement_type="ext:Apprenticeship", provider_label="Employer")
TIMEBANK = {"id": "timebank", "label": "Timebank hours", "fields": ["provider", "hours_total"], "bucket": "volunteering",
            "default_activity": "work_preparation", "needs_end": False}


def test_hook_passport_entry_kinds_adds_kinds_from_other_plugins(hub_factory, make_resident):
    hub = hub_factory(("passport", passport_plugin), kinds_plugin("apprenticeships", APPRENTICESHIP, TIMEBANK))
    hub.open_storage()
    assert hub.plugins.is_enabled("apprenticeships") and hub.plugins.is_enabled("passport")
    kinds = service.kinds_for(hub)
    assert list(kinds)[: len(BUILTIN_KINDS)] == list(BUILTIN_KINDS)
    assert kinds["apprenticeship"].plugin == "apprenticeships" and kinds["timebank"].bucket == "volunteering"

    resident = make_resident(hub.db)
    service.add(hub, resident, EntryForm(kind="apprenticeship", title="Plumbing apprentice", provider="Example Plumbing",
                                         start_date="01/09/2025", ongoing=True, hours_per_week="30", pay_amount="7.55",
                                         pay_period="hour"))
    service.add(hub, resident, EntryForm(kind="timebank", title="Garden club", start_date="01/03/2025", hours_total="5"))
    [spell] = employment_spells(hub.db, resident)  # a paid plugin kind feeds the bonus checks too
    assert spell.kind == "apprenticeship" and spell.weekly_pay == round(7.55 * 30, 2)
    summary = totals(timeline(hub.db, resident), today=date(2026, 1, 1))
    assert summary.volunteering_hours == 5 and summary.jobs_held == 1


def test_hook_passport_entry_kinds_skips_bad_or_clashing_kinds(hub_factory):
    hub = hub_factory(("passport", passport_plugin),
                      kinds_plugin("clumsy", {"id": "training", "label": "Mine"}, {"id": "Bad Id!", "label": "x"},
                                   {"id": "nofields", "label": "Fine", "fields": ["shoe_size"]}, "not a kind"))
    kinds, problems = service.kind_report(hub)
    assert kinds["training"].plugin == "passport"
    assert len(problems) == 4 and all(p.startswith("clumsy: ") for p in problems)
    assert any("already used by passport" in p for p in problems)
    assert any("shoe_size" in p for p in problems)
    with pytest.raises(ValidationError):  # and entries of a kind nobody added are refused
        validate_entry(EntryForm(kind="nofields", title="x", start_date="01/01/2025"), kinds)


def test_a_plugin_that_adds_kinds_still_loads_on_a_site_without_the_passport(hub_factory):
    hub = hub_factory(kinds_plugin("apprenticeships", APPRENTICESHIP))
    assert hub.plugins.is_enabled("apprenticeships")


def test_hub_passport_kinds_lists_them(tmp_path, capsys, monkeypatch):
    from hub import cli
    from hub.config import load_site_config

    from hubtest import write_site

    path = write_site(tmp_path, plugins=["passport"])
    plugin = kinds_plugin("apprenticeships", APPRENTICESHIP)
    real_build = cli.build_hub
    monkeypatch.setattr(cli, "build_hub", lambda config, extra_plugins=(): real_build(config, [("apprenticeships", plugin)]))
    assert cli.main(["--site", str(path), "passport", "kinds"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^apprenticeship\s+Apprenticeship\s+jobs paid from apprenticeships$", out, flags=re.M)
    assert re.search(r"^job_search\s+Job-search activity", out, flags=re.M)
    assert load_site_config(path)  # the site file itself was untouched


def test_settings_are_checked(hub_factory):
    hub = hub_factory(("passport", passport_plugin), body="[plugins.passport]\nkey_fil = \"x.pem\"\n")
    assert not hub.plugins.is_enabled("passport")
    assert "key_file" in hub.plugins.status["passport"].error  # did you mean


def test_key_file_setting_is_relative_to_the_site_file(hub_factory, tmp_path):
    hub = hub_factory(("passport", passport_plugin), body="[plugins.passport]\nkey_file = \"keys/site.pem\"\n")
    assert service.key_path(hub) == (tmp_path / "keys" / "site.pem").resolve()


def test_demo_site_gets_fictional_entries_and_a_key(hub_factory):
    hub = hub_factory(("passport", passport_plugin), demo=True)
    hub.open_storage()
    assert hub.db["passport_entries"].count >= 5
    assert service.key_path(hub).exists()
    residents = [r["id"] for r in hub.db.query("select id from residents order by id")]
    assert employment_spells(hub.db, residents[3])[0].employer == "Example Care Homes"


def test_subject_access_and_erasure_hooks(pp_hub, make_resident):
    resident, other = make_resident(pp_hub.db), make_resident(pp_hub.db, name="Someone Else")
    entry = service.add(pp_hub, resident, EntryForm(kind="training", title="ESOL", start_date="01/03/2025"))
    service.verify(pp_hub, entry, level="staff_witnessed")
    service.add(pp_hub, other, EntryForm(kind="training", title="Other's course", start_date="01/03/2025"))
    service.export(pp_hub, resident, "pdf")
    [held] = [r.value for r in pp_hub.plugins.call("export_resident_data", hub=pp_hub, resident_id=resident)]
    assert [e["version"] for e in held["entries"]] == [1, 2]  # every version, not only the latest
    assert len(held["documents_issued"]) == 1
    json.dumps(held)  # serialisable as it is
    [kept] = [r.value for r in pp_hub.plugins.call("erase_resident_data", hub=pp_hub, resident_id=resident)]
    assert "1 passport document(s) already handed to the resident" in kept[0]
    assert pp_hub.db.execute("select count(*) from passport_entries where resident_id = ?", [resident]).fetchone()[0] == 0
    assert pp_hub.db.execute("select count(*) from passport_documents where resident_id = ?", [resident]).fetchone()[0] == 0
    assert len(timeline(pp_hub.db, other)) == 1


def test_loading_the_plugin_stays_light():
    code = ("import sys, json; from hub.plugins import PluginHost; PluginHost.load([], extra=[('passport', "
            "__import__('plugins.passport', fromlist=['x']))]); print(json.dumps(sorted(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    loaded = set(json.loads(result.stdout.strip().splitlines()[-1]))
    heavy = {"textual", "sqlite_utils", "fpdf", "cryptography", "httpx"}
    assert not loaded & heavy, sorted(loaded & heavy)


def test_docs_describe_the_hook_every_command_and_the_employment_spell_fields():
    docs = (ROOT / "docs" / "passport.md").read_text()
    assert "### passport_entry_kinds(hub)" in docs
    for field in dataclasses.fields(EmploymentSpell):
        assert f"`{field.name}`" in docs, f"docs/passport.md does not describe EmploymentSpell.{field.name}"
    from plugins.passport.views import TrainingEntry

    assert "`training_entries(db, resident_id) -> list[TrainingEntry]`" in docs
    for field in dataclasses.fields(TrainingEntry):
        assert f"`{field.name}`" in docs, f"docs/passport.md does not describe TrainingEntry.{field.name}"
    from plugins.passport.cli import configure
    import argparse

    parser = argparse.ArgumentParser()
    configure(parser)
    actions = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    for action in actions:
        assert f"hub passport {action}" in docs, f"docs/passport.md does not show `hub passport {action}`"
    for setting in dataclasses.fields(passport_plugin.PassportSettings):
        assert f"`{setting.name}`" in docs, f"docs/passport.md does not describe the {setting.name} setting"
