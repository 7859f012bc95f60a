"""The source-plugin tutorial cannot rot: every file it shows is the example package's file, byte for byte,
and the example's tests are what CI runs (see the report's Makefile step)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TUTORIAL = ROOT / "docs" / "writing-a-signposting-source.md"
EXAMPLE = ROOT / "examples" / "hub-signposting-example"


def shown_files() -> dict[str, str]:
    text = TUTORIAL.read_text(encoding="utf-8")
    return dict(re.findall(r"^File `([^`]+)`:\n\n```\w*\n(.*?)^```$", text, flags=re.M | re.S))


def test_the_tutorial_shows_every_file_of_the_example():
    files = {str(p.relative_to(EXAMPLE)) for p in EXAMPLE.rglob("*") if p.is_file() and p.suffix in (".py", ".toml")
             and "egg-info" not in str(p) and "__pycache__" not in str(p)}
    assert set(shown_files()) == files


def test_each_file_in_the_tutorial_is_the_example_file():
    for name, shown in shown_files().items():
        assert shown == (EXAMPLE / name).read_text(encoding="utf-8"), f"{name} in the tutorial differs from the example"


def test_the_tutorial_uses_the_real_hook_and_class_names():
    text = TUTORIAL.read_text(encoding="utf-8")
    from plugins.signposting import hookspecs, sources

    for name in ("signposting_sources", "signposting_needs"):
        assert hasattr(hookspecs, name) and name in text
    for name in ("Batch", "Source", "SourceError", "FetchContext"):
        assert hasattr(sources, name) and name in text
