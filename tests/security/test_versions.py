"""Two kiosks editing one resident: the later save over a newer version is refused, naming what changed."""

from __future__ import annotations

import pytest

from hub import residents
from hub.versions import StaleEdit, bump
from security.conftest import register


def test_a_save_over_a_newer_version_is_refused_and_names_the_change(site):
    kiosk_a = site.hub(signed_in_as="sam.staff")
    kiosk_b = site.hub(signed_in_as="lee.lead")
    resident_id = register(kiosk_a.db, "Two Kiosks", phone="07700 900111")
    seen_a = residents.get_resident(kiosk_a.db, resident_id)
    seen_b = residents.get_resident(kiosk_b.db, resident_id)
    assert seen_a["version"] == seen_b["version"] == 1

    form_b = residents.changes_from(seen_b)
    form_b.phone = "07700 900222"
    residents.update_resident(kiosk_b.db, resident_id, form_b, area=[], staff="lee.lead", terminal="b",
                              expected_version=seen_b["version"], base=seen_b)

    form_a = residents.changes_from(seen_a)
    form_a.email = "two.kiosks@example.org"
    with pytest.raises(StaleEdit) as caught:
        residents.update_resident(kiosk_a.db, resident_id, form_a, area=[], staff="sam.staff", terminal="a",
                                  expected_version=seen_a["version"], base=seen_a)
    assert caught.value.changed == ["phone"] and "phone" in str(caught.value)
    stored = residents.get_resident(kiosk_a.db, resident_id)
    assert stored["phone"] == "07700 900222" and stored["email"] is None and stored["version"] == 2  # nothing lost
    kiosk_a.close()
    kiosk_b.close()


def test_bump_is_one_compare_and_set():
    import sqlite3

    from sqlite_utils import Database

    db = Database(sqlite3.connect(":memory:"))
    db["things"].insert({"id": 1, "name": "x", "version": 1}, pk="id")
    assert bump(db, "things", 1, 1) == 2
    with pytest.raises(StaleEdit):
        bump(db, "things", 1, 1, what="this thing")


async def test_the_edit_form_keeps_the_typing_and_shows_their_change(site):
    from textual.widgets import Input

    from hub.app import HubApp
    from hub.screens.resident_form import EditResidentScreen

    hub = site.hub(signed_in_as="sam.staff")
    resident_id = register(hub.db, "Form Person", phone="07700 900111")
    app = HubApp(hub)
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(100):
            await pilot.pause(0.05)
            if app.storage_ready:
                break
        if app.locked:
            app.pop_screen()
        app.push_screen(EditResidentScreen(hub, resident_id))
        await pilot.pause()
        screen = app.screen
        other = site.hub(signed_in_as="lee.lead")
        seen = residents.get_resident(other.db, resident_id)
        form = residents.changes_from(seen)
        form.phone = "07700 900333"
        residents.update_resident(other.db, resident_id, form, area=[], staff="lee.lead", terminal="b",
                                  expected_version=seen["version"], base=seen)
        other.close()
        screen.query_one("#input-email", Input).value = "form.person@example.org"
        screen.action_save()
        await pilot.pause()
        assert app.screen is screen  # not closed: nothing saved, nothing lost
        assert screen.query_one("#input-email", Input).value == "form.person@example.org"
        assert screen.query_one("#input-phone", Input).value == "07700 900333"
        screen.action_save()  # saving again now keeps both changes
        await pilot.pause()
    stored = residents.get_resident(hub.db, resident_id)
    assert (stored["phone"], stored["email"]) == ("07700 900333", "form.person@example.org")
