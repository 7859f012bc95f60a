"""The passport tab driven through Textual's Pilot: add, correct, verify, withdraw, export; keys and mouse."""

from __future__ import annotations

import json
import types

from textual.widgets import Checkbox, DataTable, Input, Label, Select, SelectionList

import plugins.passport as passport_plugin
from hub import hookimpl
from hub.app import HubApp
from plugins.passport.screens import EntryScreen, VerifyScreen, WithdrawScreen
from plugins.passport.storage import versions_of

SIZE = (140, 44)


def listener(received: list):
    plugin = types.SimpleNamespace(name="listener")
    plugin.record_saved = hookimpl(lambda resident_id, kind, record_id: received.append((resident_id, kind, record_id)))
    return plugin


async def open_passport(app, pilot, make_resident, name: str = "Rosa Example") -> int:
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert app.storage_ready
    resident = make_resident(app.hub.db, name=name)
    app.query_one("#home-pane").open_resident(resident)
    await pilot.press("f2")
    await pilot.pause()
    return resident


def text(widget) -> str:
    return str(widget.render())


def hidden(screen, name: str) -> bool:
    return screen.query_one(f"#field-{name}").has_class("hidden")


async def test_add_correct_verify_export_and_withdraw_with_the_keyboard(hub_factory, make_resident):
    received: list = []
    hub = hub_factory(("passport", passport_plugin), listener(received))
    app = HubApp(hub)
    async with app.run_test(size=SIZE) as pilot:
        resident = await open_passport(app, pilot, make_resident)
        tab = app.query_one("#passport")
        table = tab.query_one("#pp-timeline", DataTable)
        assert table.row_count == 0 and "No entries yet" in text(tab.query_one("#pp-detail"))
        assert app.focused is table

        # -- add: fields follow the kind; a bad date is refused on its field ---------------------
        await pilot.press("ctrl+n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, EntryScreen)
        form.query_one("#pp-input-kind", Select).value = "employment"
        await pilot.pause()
        assert not hidden(form, "pay_amount") and hidden(form, "hours_total") and hidden(form, "qualification_level")
        assert text(form.query_one("#field-provider").query_one(".field-label", Label)) == "Employer"
        form.query_one("#pp-input-kind", Select).value = "training"
        await pilot.pause()
        assert hidden(form, "pay_amount") and not hidden(form, "hours_total") and not hidden(form, "qualification_level")
        assert hidden(form, "verified_by")  # self-declared needs no verifier
        form.query_one("#pp-input-title", Input).value = "Forklift licence"
        form.query_one("#pp-input-provider", Input).value = "Example Training"
        form.query_one("#pp-input-start_date", Input).value = "04/03/2025"
        form.query_one("#pp-input-end_date", Input).value = "02/03/2025"
        form.query_one("#pp-input-hours_total", Input).value = "21"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        assert "before the start date" in form.query_one("#field-end_date").error
        assert app.focused is form.query_one("#pp-input-end_date")
        assert hub.db["passport_entries"].count == 0
        form.query_one("#pp-input-end_date", Input).value = "06/03/2025"
        form.query_one("#pp-input-skills", SelectionList).select("work:teamwork")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, EntryScreen)
        assert table.row_count == 1
        [entry] = list(hub.db.query("select * from passport_entries"))
        assert entry["title"] == "Forklift licence" and entry["skills"] == '["work:teamwork"]'
        assert "Training 21 h" in text(tab.query_one("#pp-summary"))

        # -- correct: needs a reason; the old version stays -----------------------------------
        await pilot.press("ctrl+e")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, EntryScreen) and form.query_one("#pp-input-title", Input).value == "Forklift licence"
        form.query_one("#pp-input-hours_total", Input).value = "18"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Say why" in form.query_one("#field-change_reason").error
        form.query_one("#pp-input-change_reason", Input).value = "Left on day 3 at noon"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, EntryScreen)
        versions = versions_of(hub.db, entry["id"])
        assert [(v["version"], v["hours_total"]) for v in versions] == [(1, 21), (2, 18)]
        assert "v2 corrected by test.staff" in text(tab.query_one("#pp-history"))
        assert "Left on day 3 at noon" in text(tab.query_one("#pp-history"))

        # -- verify -------------------------------------------------------------------------------
        await pilot.press("ctrl+t")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, VerifyScreen)
        dialog.query_one("#pp-input-verification_level", Select).value = "document_seen"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Tick the document" in dialog.query_one("#field-evidence").error
        dialog.query_one("#pp-input-evidence", SelectionList).select("certificate")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, VerifyScreen)
        latest = versions_of(hub.db, entry["id"])[-1]
        assert latest["verification_level"] == "document_seen" and latest["verified_by"] == "test.staff"
        assert str(table.get_row_at(0)[2]) == "Document"
        assert "Document seen (certificate) by test.staff" in text(tab.query_one("#pp-detail"))

        # -- export: the PDF works at once; signed JSON needs the site's key -------------------------
        await pilot.press("ctrl+d")
        await app.workers.wait_for_complete()
        await pilot.pause()
        fmt, path, code = tab.last_export
        assert fmt == "pdf" and path.read_bytes().startswith(b"%PDF")
        assert hub.db.execute("select format from passport_documents where code = ?", [code]).fetchone()[0] == "pdf"
        await pilot.press("ctrl+g")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert tab.last_export[0] == "pdf"  # refused: no key yet
        assert hub.db["passport_documents"].count == 1
        from plugins.passport.service import key_path, trusted_signers
        from plugins.passport.signing import create_key_file, verify_document

        create_key_file(key_path(hub))
        await pilot.press("ctrl+g")
        await app.workers.wait_for_complete()
        await pilot.pause()
        fmt, path, code = tab.last_export
        assert fmt == "json"
        assert verify_document(json.loads(path.read_text()), trusted_signers(hub)).status == "valid"

        # -- withdraw -----------------------------------------------------------------------------
        await pilot.press("delete")
        await pilot.pause()
        assert isinstance(app.screen, WithdrawScreen)
        app.screen.query_one("#pp-input-change_reason", Input).value = "Wrong resident"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert table.row_count == 0 and len(versions_of(hub.db, entry["id"])) == 4

    saves = [record for record in received if record[1] == "passport.entry"]
    assert [r[2] for r in saves] == [v["id"] for v in versions_of(hub.db, entry["id"])]
    assert all(r[0] == resident for r in saves)
    actions = [r["action"] for r in hub.db.query("select action from access_log where resident_id = ?", [resident])]
    assert "passport:view" in actions and f"passport:withdraw:{entry['id']}" in actions


async def test_the_mouse_works_too(hub_factory, make_resident):
    hub = hub_factory(("passport", passport_plugin))
    app = HubApp(hub)
    async with app.run_test(size=SIZE) as pilot:
        await open_passport(app, pilot, make_resident)
        await pilot.click("#pp-add")
        await pilot.pause()
        assert isinstance(app.screen, EntryScreen)
        await pilot.click("#pp-cancel")
        await pilot.pause()
        assert not isinstance(app.screen, EntryScreen)
        await pilot.click("#pp-verify")  # nothing chosen yet: a warning, no dialog
        await pilot.pause()
        assert not isinstance(app.screen, VerifyScreen)


async def test_without_a_resident_the_tab_says_so_and_saves_nothing(hub_factory):
    hub = hub_factory(("passport", passport_plugin))
    app = HubApp(hub)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("f2")
        await pilot.pause()
        tab = app.query_one("#passport")
        assert "No resident selected" in text(tab.query_one("#pp-summary"))
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert not isinstance(app.screen, EntryScreen)


async def test_the_tab_follows_the_resident_and_the_week_keys(hub_factory, make_resident):
    hub = hub_factory(("passport", passport_plugin))
    app = HubApp(hub)
    async with app.run_test(size=SIZE) as pilot:
        first = await open_passport(app, pilot, make_resident)
        from plugins.passport import service
        from plugins.passport.model import EntryForm

        service.add(hub, first, EntryForm(kind="job_search", title="Applied: porter", start_date="05/03/2025"))
        second = make_resident(hub.db, name="Other Person")
        tab = app.query_one("#passport")
        tab.load(first)
        assert tab.query_one("#pp-timeline", DataTable).row_count == 1
        week = text(tab.query_one("#pp-week"))
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert text(tab.query_one("#pp-week")) != week and "week of" in text(tab.query_one("#pp-week"))
        await pilot.press("right_square_bracket", "right_square_bracket")  # not past this week
        await pilot.pause()
        assert text(tab.query_one("#pp-week")) == week
        await pilot.press("f1")
        app.query_one("#home-pane").open_resident(second)
        await pilot.pause()
        assert tab.query_one("#pp-timeline", DataTable).row_count == 0


async def test_bindings_have_ids_a_site_can_remap(hub_factory, make_resident):
    hub = hub_factory(("passport", passport_plugin), body='[keymap]\npassport-add = "ctrl+b"\n')
    app = HubApp(hub)
    async with app.run_test(size=SIZE) as pilot:
        await open_passport(app, pilot, make_resident)
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert isinstance(app.screen, EntryScreen)
        assert not app.screen.query_one("#field-end_date").has_class("hidden")
        app.screen.query_one("#pp-input-ongoing", Checkbox).value = True
        await pilot.pause()
        assert app.screen.query_one("#field-end_date").has_class("hidden")  # "still going on" hides the end date
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, EntryScreen)
