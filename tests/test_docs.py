"""The docs keep up with the code: every hook documented with its signature, every setting described."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import re
from pathlib import Path

import pytest

from hub import hookspecs

ROOT = Path(__file__).parent.parent
HOOKS = [name for name in dir(hookspecs) if getattr(getattr(hookspecs, name), "hub_spec", None) is not None]


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_is_documented_with_its_signature(hook):
    text = (ROOT / "docs" / "plugins.md").read_text()
    headings = re.findall(r"^### (\w+)\((.*)\)$", text, flags=re.M)
    documented = dict(headings)
    assert hook in documented, f"docs/plugins.md has no '### {hook}(...)' heading"
    args = ", ".join(inspect.signature(getattr(hookspecs, hook)).parameters)
    assert documented[hook] == args, f"docs/plugins.md shows {hook}({documented[hook]}), the spec is {hook}({args})"


def test_docs_do_not_describe_hooks_that_do_not_exist():
    text = (ROOT / "docs" / "plugins.md").read_text()
    section = text.split("## Hooks", 1)[1].split("## Listing", 1)[0]
    assert set(re.findall(r"^### (\w+)\(", section, flags=re.M)) == set(HOOKS)


def test_every_hookspec_has_a_one_line_docstring_saying_what_to_return():
    for hook in HOOKS:
        doc = getattr(hookspecs, hook).__doc__ or ""
        assert doc and "\n" not in doc.strip(), hook
        assert "Return" in doc or "return" in doc, hook


def attribute_docstrings(cls) -> dict[str, str]:
    """Field name -> the string literal right under it (Posting-style attribute docstrings)."""
    tree = ast.parse(inspect.getsource(cls))
    body = tree.body[0].body
    found = {}
    for node, after in zip(body, body[1:]):
        if isinstance(node, ast.AnnAssign) and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant):
            found[node.target.id] = after.value.value
    return found


def test_every_core_setting_has_a_docstring_and_is_in_the_site_config_guide():
    from hub.config import HubSettings

    docs = attribute_docstrings(HubSettings)
    guide = (ROOT / "docs" / "site-config.md").read_text()
    for field in dataclasses.fields(HubSettings):
        assert docs.get(field.name), f"HubSettings.{field.name} has no attribute docstring"
        assert f"`{field.name}`" in guide, f"docs/site-config.md does not describe {field.name}"


def test_readme_quick_start_is_exactly_two_commands():
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^(make \w+)$", quick, flags=re.M)
    assert commands == ["make run", "make test"]


def test_every_serve_setting_has_a_docstring_and_is_in_the_serve_guide():
    from hub.config import ServeSettings

    docs = attribute_docstrings(ServeSettings)
    guide = (ROOT / "docs" / "serve.md").read_text()
    for field in dataclasses.fields(ServeSettings):
        assert docs.get(field.name), f"ServeSettings.{field.name} has no attribute docstring"
        assert f"| `{field.name}` |" in guide, f"docs/serve.md does not describe {field.name}"


def test_every_browser_key_move_is_in_the_serve_guide():
    from hub.served import BROWSER_KEYS, NAMED_MOVES, TAB_MOVES

    guide = (ROOT / "docs" / "serve.md").read_text()
    for key in BROWSER_KEYS:
        shown = "+".join(part.upper() if part.startswith("f") and part[1:].isdigit() else part.capitalize()
                         for part in key.split("+"))
        assert shown in guide, f"docs/serve.md does not say what happens to {shown}"
    assert "Alt+C" in guide and NAMED_MOVES == {"privacy-clear": "alt+c"}
    assert "Alt+F9" in guide and TAB_MOVES["show-tab-8"] == "alt+f9"
