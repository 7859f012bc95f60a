"""Startup stays fast: modules on the startup path must not pull in heavy libraries.

Checked in fresh subprocesses, because this process has imported everything already.
Timings are benchmarks/startup.py's job; this only checks what gets imported.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def modules_after(statement: str) -> set[str]:
    code = f"import sys, json\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    "statement, forbidden",
    [
        ("import hub", {"textual", "sqlite_utils", "httpx"}),
        ("import hub.config, hub.plugins, hub.context, hub.residents", {"textual", "sqlite_utils", "httpx"}),
        ("from hub.plugins import PluginHost; PluginHost.load(['benefits_calc', 'signposting', 'passport', 'bonus', 'journey'])",
         {"textual", "sqlite_utils", "httpx", "importlib.metadata", "email"}),
        ("import hub.app", {"sqlite_utils", "httpx"}),
        # Everything the first frame needs: no database layer, no plugin discovery by importlib.metadata,
        # and no DataTable (the residents table is mounted once the database is open).
        ("import hub.cli, hub.app, hub.screens.home",
         {"sqlite_utils", "httpx", "importlib.metadata", "email", "textual.widgets._data_table"}),
    ],
)
def test_startup_path_imports_stay_light(statement, forbidden):
    loaded = modules_after(statement)
    assert not (loaded & forbidden), f"{statement!r} imported {sorted(loaded & forbidden)}"


def test_the_core_never_imports_a_plugin():
    loaded = modules_after("import hub.app, hub.cli, hub.context, hub.screens.home, hub.screens.resident_form")
    assert not [name for name in loaded if name == "plugins" or name.startswith("plugins.")]


def test_core_source_has_no_plugin_imports():
    from pathlib import Path
    import re

    core = Path(__file__).parent.parent / "hub"
    offenders = [
        str(path) for path in core.rglob("*.py")
        if re.search(r"^\s*(from|import)\s+plugins\b", path.read_text(), flags=re.M)
    ]
    assert offenders == []
