"""docs/journey.md keeps up with the code: settings, hooks, figures and keys; and the plugin loads light."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import plugins.journey as journey_plugin
from plugins.journey import hookspecs

ROOT = Path(__file__).resolve().parents[2]
DOCS = (ROOT / "docs" / "journey.md").read_text(encoding="utf-8")


def attribute_docstrings(cls) -> dict[str, str]:
    body = ast.parse(inspect.getsource(cls)).body[0].body
    return {node.target.id: after.value.value for node, after in zip(body, body[1:])
            if isinstance(node, ast.AnnAssign) and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)}


def test_every_setting_has_a_docstring_and_is_in_the_docs():
    docs = attribute_docstrings(journey_plugin.JourneySettings)
    for field in dataclasses.fields(journey_plugin.JourneySettings):
        assert docs.get(field.name), f"JourneySettings.{field.name} has no attribute docstring"
        assert f"`{field.name}`" in DOCS, f"docs/journey.md does not describe {field.name}"


def test_every_hook_is_documented_with_its_signature():
    hooks = [name for name in dir(hookspecs) if getattr(getattr(hookspecs, name), "hub_spec", None) is not None]
    assert sorted(hooks) == ["journey_outcome_kinds", "journey_report_figures"]
    documented = dict(re.findall(r"^### (\w+)\((.*)\)$", DOCS, flags=re.M))
    for hook in hooks:
        args = ", ".join(inspect.signature(getattr(hookspecs, hook)).parameters)
        assert documented.get(hook) == args, f"docs/journey.md should have '### {hook}({args})'"
        assert "Return" in getattr(hookspecs, hook).__doc__


def test_every_figure_is_defined_in_the_docs(jhub):
    from plugins.journey.report import Period, build_report

    report = build_report(jhub.db, Period(date(2025, 1, 1), date(2025, 3, 31)))
    for key in report.keys():
        if key.startswith(("youth.", "outcome.")) and key != "outcome.any":
            continue
        assert f"`{key}`" in DOCS, f"docs/journey.md does not define the figure {key}"
    for kind in ("training_education", "job_start", "job_sustained_4", "actively_looking", "volunteering", "financial_inclusion"):
        assert f"`{kind}`" in DOCS


def test_every_key_binding_id_is_in_the_docs():
    from plugins.journey import dialogs, engagement_tab, reports_tab, tab

    classes = [tab.JourneyTab, engagement_tab.EngagementTab, reports_tab.ReportsTab, dialogs.JourneyDialog,
               dialogs.ScoreTable, dialogs.LinkScreen, dialogs.FigureScreen]
    ids = {binding.id for cls in classes for binding in cls.BINDINGS}
    assert None not in ids, "every binding has an id a site can remap"
    for binding_id in ids:
        assert binding_id in DOCS, f"docs/journey.md does not list the key {binding_id}"


def test_loading_the_plugin_stays_light():
    code = ("import sys, json; from hub.plugins import PluginHost; import plugins.journey as j; "
            "PluginHost.load([], extra=[('journey', j)]); print(json.dumps(sorted(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True, cwd=ROOT)
    loaded = set(json.loads(result.stdout.strip().splitlines()[-1]))
    assert not loaded & {"textual", "sqlite_utils", "httpx"}
