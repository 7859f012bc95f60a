"""docs/bonus.md keeps up with the code: every setting, key binding and hook of the bonus plugin."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import re
from pathlib import Path

import pytest

from plugins.bonus import BonusSettings, SchemeSettings, hookspecs

DOC = (Path(__file__).parent.parent.parent / "docs" / "bonus.md").read_text()


def attribute_docstrings(cls) -> dict[str, str]:
    body = ast.parse(inspect.getsource(cls)).body[0].body
    return {node.target.id: after.value.value for node, after in zip(body, body[1:])
            if isinstance(node, ast.AnnAssign) and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)}


@pytest.mark.parametrize("cls", [BonusSettings, SchemeSettings])
def test_every_setting_has_a_docstring_and_is_in_the_guide(cls):
    docs = attribute_docstrings(cls)
    for field in dataclasses.fields(cls):
        assert docs.get(field.name), f"{cls.__name__}.{field.name} has no attribute docstring"
        assert f"`{field.name}`" in DOC, f"docs/bonus.md does not describe {field.name}"


def test_every_binding_id_is_in_the_guide():
    from plugins.bonus.screens import ClaimDialog
    from plugins.bonus.tab import BonusTab

    for binding in BonusTab.BINDINGS + ClaimDialog.BINDINGS:
        assert binding.id and f"`{binding.id}`" in DOC, binding.id


def test_the_plugins_hooks_are_documented_with_their_signatures():
    headings = dict(re.findall(r"^### (\w+)\((.*)\)$", DOC, flags=re.M))
    specs = [name for name in dir(hookspecs) if getattr(getattr(hookspecs, name), "hub_spec", None) is not None]
    assert specs == ["bonus_rule_types", "bonus_schemes"]
    for name in specs:
        assert headings.get(name) == ", ".join(inspect.signature(getattr(hookspecs, name)).parameters)
