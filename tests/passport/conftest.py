"""Fixtures for the passport tests: a real site file and SQLite database with the passport loaded."""

from __future__ import annotations

import pytest

import plugins.passport as passport_plugin
from hub.residents import NewResident, register_resident, validate_resident

def add_resident(db, name: str = "Sam Patel", born: str = "02/02/1992") -> int:
    form = NewResident(name, "", born, engagement="drop_in", status_at_registration="unemployed", consents={"record": True})
    return register_resident(db, validate_resident(form, []), form.consents, staff="test.staff", terminal="test-kiosk")


@pytest.fixture
def make_resident():
    """add_resident(db, name=..., born=...) -> id, as a fixture (test modules cannot import this conftest)."""
    return add_resident


@pytest.fixture
def pp_hub(hub_factory):
    """A signed-in hub with only the passport plugin, its database open."""
    hub = hub_factory(("passport", passport_plugin))
    hub.open_storage()
    return hub


@pytest.fixture
def resident(pp_hub) -> int:
    return add_resident(pp_hub.db)


@pytest.fixture
def signing_key(pp_hub):
    from plugins.passport.service import key_path
    from plugins.passport.signing import create_key_file

    return create_key_file(key_path(pp_hub))
