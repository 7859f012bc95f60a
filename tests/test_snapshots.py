"""A few screenshots, default and high contrast. Update after a deliberate change with
``pytest tests/test_snapshots.py --snapshot-update`` and review the SVGs in the diff."""

from __future__ import annotations

from hub.app import HubApp

SIZE = (110, 34)


import pytest


@pytest.fixture(autouse=True)
def no_cursor_blink(monkeypatch):
    """A blinking cursor makes screenshots differ run to run."""
    from textual.widgets import Input

    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)


async def settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_home_default_theme(snap_compare, hub_factory):
    app = HubApp(hub_factory())

    async def run_before(pilot):
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_search_results_high_contrast(snap_compare, hub_factory):
    app = HubApp(hub_factory(theme="hub-high-contrast", demo=True))

    async def run_before(pilot):
        await settle(pilot)
        await pilot.press(*"m40")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_registration_form_with_errors(snap_compare, hub_factory):
    app = HubApp(hub_factory())

    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("ctrl+n")
        await pilot.pause()
        pilot.app.screen.query_one("#input-date_of_birth").value = "31/02/1990"
        await pilot.press("ctrl+s")
        await pilot.pause()
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_registration_form_high_contrast(snap_compare, hub_factory):
    app = HubApp(hub_factory(theme="hub-high-contrast"))

    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("ctrl+n")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
