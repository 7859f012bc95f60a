"""The calculation engine stays pure: standard library and its own modules only."""

import ast
import sys
from pathlib import Path

import pytest

ENGINE_DIR = Path(__file__).resolve().parents[2] / "plugins" / "benefits_calc"
ENGINE_MODULES = [
    "engine", "validation", "household", "uc", "tax", "council_tax", "explain", "rate_tables",
    # issue 13, calc-rules
    "incomes", "bedrooms", "scope", "passported", "cliffs",
    # issue 13, calc-months
    "pay", "months",
]


@pytest.mark.parametrize("module", ENGINE_MODULES)
def test_engine_module_imports_only_stdlib_and_itself(module):
    tree = ast.parse((ENGINE_DIR / f"{module}.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: one of our own modules
                assert node.module in ENGINE_MODULES or node.module is None, node.module
                continue
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            assert top in sys.stdlib_module_names, f"{module}.py imports {name}"
