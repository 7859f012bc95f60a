"""Every Ctrl shortcut a screen or tab offers works while staff are typing in a field.

Textual's Input (and TextArea) bind editing keys such as Ctrl+A, Ctrl+D, Ctrl+E, Ctrl+U,
Ctrl+W and Ctrl+X. A tab's own binding for one of those keys is only reached from a focused
field if it is a priority binding; otherwise the footer promises an action the key does not do.
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest
from textual.dom import DOMNode
from textual.widgets import Input, TextArea

ROOT = Path(__file__).resolve().parent.parent


def bound_keys(widget_class) -> set[str]:
    return {part.strip() for binding in widget_class.BINDINGS for part in binding.key.split(",")}


EDITING_KEYS = {key for key in bound_keys(Input) | bound_keys(TextArea) if key.startswith("ctrl+")}


def ui_classes():
    modules = ["hub.app", *(f"hub.screens.{p.stem}" for p in (ROOT / "hub" / "screens").glob("*.py") if p.stem != "__init__")]
    modules += [f"plugins.{p.parent.name}.{p.stem}" for p in (ROOT / "plugins").glob("*/*.py") if p.stem != "__init__"]
    for name in modules:
        module = importlib.import_module(name)
        for obj in vars(module).values():
            if inspect.isclass(obj) and issubclass(obj, DOMNode) and obj.__module__ == name and "BINDINGS" in vars(obj):
                if not issubclass(obj, (Input, TextArea)):  # a field's own keys are its business
                    yield obj


def test_the_editing_keys_are_known():
    assert {"ctrl+a", "ctrl+d", "ctrl+e", "ctrl+u", "ctrl+w", "ctrl+x"} <= EDITING_KEYS


@pytest.mark.parametrize("widget_class", list(ui_classes()), ids=lambda cls: f"{cls.__module__}.{cls.__name__}")
def test_ctrl_shortcuts_that_fields_also_use_are_priority_bindings(widget_class):
    clashes = [
        f"{binding.key} -> {binding.action}" for binding in widget_class.BINDINGS
        if not binding.priority and {part.strip() for part in binding.key.split(",")} & EDITING_KEYS
    ]
    assert clashes == [], f"{widget_class.__name__}: make these priority=True, or a focused field swallows them"
