"""Import contracts for the layering (an equivalent of import-linter, in plain pytest): the core has no import
circle, its domain code imports no Textual and no screen, its leaf modules import nothing of the hub, and a
plugin imports from the core only its named surface (hub, hub.api, hub.widgets)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
PLUGIN_SURFACE = {"hub", "hub.api", "hub.widgets"}
UI = ("hub.app", "hub.cli", "hub.__main__", "hub.serve", "hub.served", "hub.widgets", "hub.themes", "hub.screens")
"""The Textual (and command-line) side of the core; everything else is domain code."""
LEAVES = ("hub.errors", "hub.status", "hub.records", "hub.events", "hub.hookspecs", "hub.postcodes")
"""Modules the rest build on: they import nothing from the hub, so they can never close a circle."""


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, *, typing: bool = True) -> set[str]:
    """Every module a file imports, at the top or inside functions (and under TYPE_CHECKING unless not ``typing``)."""
    found: set[str] = set()
    tree = ast.parse(path.read_text())
    typing_only = set()
    if not typing:
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                typing_only |= {id(child) for child in ast.walk(node)}
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


CORE = {module_name(path): path for path in (ROOT / "hub").rglob("*.py")}


def core_graph() -> dict[str, set[str]]:
    return {name: {other for other in imports(path) if other in CORE and other not in (name, "hub")}
            for name, path in CORE.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_the_core_has_no_import_circle():
    assert cycles(core_graph()) == []


def test_the_circle_finder_finds_a_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def is_ui(name: str) -> bool:
    return any(name == ui or name.startswith(ui + ".") for ui in UI)


@pytest.mark.parametrize("name", sorted(name for name in CORE if not is_ui(name) and name != "hub.default_plugins"))
def test_domain_code_imports_no_textual_and_no_screen(name):
    bad = sorted(other for other in imports(CORE[name], typing=False)  # a type hint costs nothing at run time
                 if other == "textual" or other.startswith("textual.") or (other.startswith("hub.") and is_ui(other)))
    assert bad == [], f"{name} is domain code but imports {bad}"


@pytest.mark.parametrize("name", LEAVES)
def test_leaf_modules_import_nothing_of_the_hub(name):
    assert not [other for other in imports(CORE[name]) if other == "hub" or other.startswith("hub.")]


def plugin_sources() -> list[Path]:
    return sorted((ROOT / "plugins").rglob("*.py")) + sorted((ROOT / "examples").glob("*/*/*.py"))


@pytest.mark.parametrize("path", plugin_sources(), ids=lambda path: str(path.relative_to(ROOT)))
def test_plugins_import_only_the_named_surface_of_the_core(path):
    if "tests" in path.relative_to(ROOT).parts:
        pytest.skip("tests may use the core's internals")
    tree = ast.parse(path.read_text())
    bad = []
    for node in ast.walk(tree):
        modules = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules = [node.module]
        bad += [module for module in modules if (module == "hub" or module.startswith("hub.")) and module not in PLUGIN_SURFACE]
    assert bad == [], f"import these from hub.api or hub.widgets instead: {bad}"


def test_everything_on_the_surface_resolves_and_importing_it_stays_light():
    import subprocess
    import sys

    code = ("import sys, hub.api as api\n"
            "light = not ({'textual', 'sqlite_utils', 'httpx'} & set(sys.modules))\n"
            "[getattr(api, name) for name in api.__all__]\n"
            "print(light)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "True"
    from hub import widgets

    assert widgets.ResidentTab and widgets.DataTable and widgets.show_errors
