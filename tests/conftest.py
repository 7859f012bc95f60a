"""Shared fixtures: real site files, real SQLite databases, real plugin hosts."""

from __future__ import annotations

import pytest

from hubtest import FIXED_STAFF, make_hub

import tempfile
from pathlib import Path

_KEY_DIR = Path(tempfile.mkdtemp(prefix="hub-test-keys-"))


@pytest.fixture(autouse=True)
def quiet_environment(monkeypatch, tmp_path_factory):
    """Tests never depend on who runs them or on a developer's HUB_* settings."""
    monkeypatch.setenv("HUB_STAFF", FIXED_STAFF)
    monkeypatch.setenv("HUB_KEY_DIR", str(_KEY_DIR))  # keys the hub makes for new encrypted sites, never in ~/.config
    monkeypatch.delenv("HUB_DB_KEY_FILE", raising=False)
    monkeypatch.delenv("HUB_AUDIT_KEY_FILE", raising=False)
    monkeypatch.setenv("HUB_LOG_DIR", str(tmp_path_factory.getbasetemp() / "logs"))  # never the user's own log
    monkeypatch.delenv("HUB_LOAD_PLUGINS", raising=False)
    monkeypatch.delenv("HUB_SITE", raising=False)


@pytest.fixture
def hub_factory(tmp_path):
    hubs = []

    def factory(*extra, **kwargs):
        hub = make_hub(tmp_path, *extra, **kwargs)
        hubs.append(hub)
        return hub

    yield factory
    for hub in hubs:
        hub.close()


@pytest.fixture
def open_hub(hub_factory):
    """A core-only hub with its database open."""
    hub = hub_factory()
    hub.open_storage()
    return hub
