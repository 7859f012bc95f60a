"""The kiosk driven through Textual's Pilot: register, pick, switch tabs, privacy clear, broken plugins."""

from __future__ import annotations

import types

from textual.widgets import Button, Checkbox, DataTable, Input, Select, Static

from hub import TabSpec, hookimpl
from hub.app import HubApp, PluginErrorPanel, ResidentBar, ResidentChanged
from hub.screens.resident_form import RegisterResidentScreen

SIZE = (120, 40)


def plugin(name: str, **hooks):
    namespace = types.SimpleNamespace(name=name)
    for hook_name, function in hooks.items():
        setattr(namespace, hook_name, hookimpl(function))
    return namespace


def recording_tab_plugin(name: str, received: list, built: list):
    """A plugin whose tab records the residents it is told about."""

    def factory(hub):
        from textual.widgets import Static

        class RecordingTab(Static):
            def on_mount(self) -> None:
                built.append(hub.current_resident_id)
                self.update(f"{name} tab")

            def on_resident_changed(self, message: ResidentChanged) -> None:
                received.append(message.resident_id)

        return RecordingTab(id=f"{name}-content")

    return plugin(name, register_tabs=lambda: [TabSpec(name, name.title(), factory)])


async def started(app, pilot):
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert app.storage_ready


async def test_register_a_resident_then_find_and_pick_them(hub_factory):
    hub = hub_factory()
    app = HubApp(hub)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, RegisterResidentScreen)
        form = app.screen
        form.query_one("#input-name", Input).value = "Sam Patel"
        form.query_one("#input-date_of_birth", Input).value = "02/02/1992"
        form.query_one("#input-postcode", Input).value = "m40 7zz"
        form.query_one("#input-engagement", Select).value = "drop_in"
        form.query_one("#input-status_at_registration", Select).value = "unemployed"
        await pilot.pause()
        assert "inside the site's area" in str(form.query_one("#area-note", Static).render())

        await pilot.press("ctrl+s")  # no consent yet: refused, nothing saved, input kept
        await pilot.pause()
        assert isinstance(app.screen, RegisterResidentScreen)
        assert "must agree" in str(form.query_one("#error-consents", Static).render())
        assert hub.db["residents"].count == 0
        assert form.query_one("#input-name", Input).value == "Sam Patel"

        form.query_one("#consent-record", Checkbox).value = True
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, RegisterResidentScreen)
        [row] = hub.db["residents"].rows
        assert row["name"] == "Sam Patel" and row["postcode"] == "M40 7ZZ" and row["registered_by"] == "test.staff"
        assert hub.current_resident_id == row["id"]
        assert "Sam Patel" in app.query_one(ResidentBar).resident_label

        # find them again as you type, and open them with Enter
        await pilot.press("f12")
        await pilot.pause()
        assert hub.current_resident_id is None
        await pilot.press(*"pate")
        await pilot.pause()
        results = app.query_one("#resident-results", DataTable)
        assert results.row_count == 1
        await pilot.press("enter")
        await pilot.pause()
        assert hub.current_resident_id == row["id"]


async def test_form_shows_a_message_on_each_bad_field(hub_factory):
    hub = hub_factory()
    app = HubApp(hub)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("ctrl+n")
        await pilot.pause()
        form = app.screen
        form.query_one("#input-date_of_birth", Input).value = "31/02/1990"
        form.query_one("#input-email", Input).value = "not-an-email"
        await pilot.press("ctrl+s")
        await pilot.pause()
        errors = {field.field_name: field.error for field in form.query("FormField") if field.error}
        assert set(errors) >= {"name", "date_of_birth", "email", "engagement", "status_at_registration"}
        assert "Not a date" in errors["date_of_birth"]
        assert app.focused is form.query_one("#input-name", Input)  # first bad field has the focus
        await pilot.press("escape")
        await pilot.pause()
        assert hub.db["residents"].count == 0


async def test_agency_field_appears_only_for_agency_referrals(hub_factory):
    app = HubApp(hub_factory())
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("ctrl+n")
        await pilot.pause()
        form = app.screen
        agency = form.query_one("#field-referred_by")
        assert not agency.display
        form.query_one("#input-engagement", Select).value = "agency_referral"
        await pilot.pause()
        assert agency.display


async def test_tabs_follow_config_order_build_lazily_and_hear_about_the_resident(hub_factory):
    received_a, built_a, received_b, built_b = [], [], [], []
    hub = hub_factory(recording_tab_plugin("alpha", received_a, built_a), recording_tab_plugin("beta", received_b, built_b), demo=True)
    app = HubApp(hub)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        assert list(app.tabs) == ["tab-alpha", "tab-beta"]
        assert built_a == [] and built_b == []  # nothing built before it is visited
        first_id = hub.db.execute("select min(id) from residents").fetchone()[0]
        app.query_one("#home-pane").open_resident(first_id)
        await pilot.press("f2")
        await pilot.pause()
        assert app.active_tab == "tab-alpha"
        assert built_a == [first_id] and built_b == []
        await pilot.press("f3")
        await pilot.pause()
        assert app.active_tab == "tab-beta"
        await pilot.press("f1")
        await pilot.pause()
        app.query_one("#home-pane").open_resident(first_id + 1)
        await pilot.pause()
        assert received_a == [first_id + 1] and received_b == [first_id + 1]


async def test_privacy_clear_leaves_no_personal_data_on_screen(hub_factory):
    received, built = [], []
    hub = hub_factory(recording_tab_plugin("alpha", received, built), demo=True)
    app = HubApp(hub)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press(*"aisha", "enter")
        await pilot.pause()
        assert "Aisha" in app.query_one(ResidentBar).resident_label
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press("f1", "ctrl+l")  # a dialog open mid-task
        await pilot.pause()
        await pilot.press("f12")
        await pilot.pause()
        assert len(app.screen_stack) == 1
        assert hub.current_resident_id is None
        assert app.active_tab == "home"
        assert app.query_one("#resident-search", Input).value == ""
        assert not app.query("#alpha-content")  # plugin tabs are rebuilt empty on the next visit
        screen_text = app.export_screenshot()
        for personal in ("Aisha", "Rahman", "07700 900101", "Kestrel"):
            assert personal not in screen_text


async def test_a_plugin_whose_tab_raises_is_named_and_the_rest_works(hub_factory):
    def broken_factory(hub):
        raise ImportError("cannot import name 'Chart'")

    broken = plugin("broken", register_tabs=lambda: [TabSpec("broken", "Broken", broken_factory)])
    received, built = [], []
    hub = hub_factory(broken, recording_tab_plugin("fine", received, built))
    app = HubApp(hub)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("f2")
        await pilot.pause()
        panel = app.query_one("#tab-broken").query_one(PluginErrorPanel)
        assert "broken" in str(panel.render()) and "cannot import name 'Chart'" in str(panel.render())
        assert "Disabled: broken" in app.query_one(ResidentBar).problems
        await pilot.press("f3")
        await pilot.pause()
        assert built == [None]  # the other plugin's tab still builds


async def test_plugin_disabled_at_load_is_named_on_screen_and_in_status(hub_factory):
    misspelt = plugin("misspelt", register_tab=lambda: [])
    hub = hub_factory(misspelt)
    app = HubApp(hub)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        assert "misspelt" in app.query_one(ResidentBar).problems
        await pilot.press("f10")
        await pilot.pause()
        table = app.screen.query_one("#plugin-status-table", DataTable)
        row = table.get_row_at(0)
        row = [str(cell) for cell in row]
        assert row[0] == "misspelt" and row[2] == "DISABLED" and "unknown hook" in row[3]
        await pilot.press("escape")
        await pilot.pause()
        assert len(app.screen_stack) == 1


async def test_a_damaged_database_shows_advice_and_no_traceback(hub_factory):
    hub = hub_factory()
    hub.database_path.parent.mkdir(parents=True, exist_ok=True)
    hub.database_path.write_bytes(b"garbage" * 500)
    app = HubApp(hub)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert type(app.screen).__name__ == "FatalScreen"
        message = str(app.screen.query_one("#fatal-message", Static).render())
        assert "damaged" in message and "backup" in message
        await pilot.press("q")
    assert "damaged" in app.fatal_message


async def test_log_a_contact_for_the_current_resident(hub_factory):
    hub = hub_factory(demo=True)
    app = HubApp(hub)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press(*"grace", "enter")
        await pilot.pause()
        resident_id = hub.current_resident_id
        before = hub.db["contacts"].count_where("resident_id = ?", [resident_id])
        await pilot.press("ctrl+l")
        await pilot.pause()
        app.screen.query_one("#input-note").text = "Helped with a CV."
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert hub.db["contacts"].count_where("resident_id = ?", [resident_id]) == before + 1
        log = app.query_one("#contact-log", DataTable)
        assert "Helped with a CV." in [str(cell) for cell in log.get_row_at(0)]


async def test_high_contrast_theme_from_config(hub_factory):
    app = HubApp(hub_factory(theme="hub-high-contrast"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == "hub-high-contrast"


async def test_keymap_from_config_rebinds_privacy_clear(hub_factory):
    hub = hub_factory(body='[keymap]\nprivacy-clear = "f11"\n', demo=True)
    app = HubApp(hub)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press(*"aisha", "enter")
        await pilot.pause()
        assert hub.current_resident_id is not None
        await pilot.press("f11")
        await pilot.pause()
        assert hub.current_resident_id is None


async def test_mouse_works_too(hub_factory):
    received, built = [], []
    hub = hub_factory(recording_tab_plugin("alpha", received, built))
    app = HubApp(hub)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.click("#card-links", offset=(2, 0))  # the "New resident" link
        await pilot.pause()
        assert isinstance(app.screen, RegisterResidentScreen)
        await pilot.click("#cancel")
        await pilot.pause()
        assert not isinstance(app.screen, RegisterResidentScreen)
        await pilot.click("#tab-bar", offset=(app.query_one("#tab-bar").offset_of("tab-alpha") + 1, 0))
        await pilot.pause()
        assert app.active_tab == "tab-alpha"


async def test_palette_offers_plugin_commands_and_runs_them(hub_factory):
    from hub import PaletteCommand

    ran = []
    command = PaletteCommand("Say hello", "Greets the kiosk", action=lambda app: ran.append(app))
    hub = hub_factory(plugin("hello", register_palette_commands=lambda: [command]))
    app = HubApp(hub)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        assert {"Say hello", "Privacy clear", "Plugin status"} <= set(commands)
        commands["Say hello"].callback()
        assert ran == [app]


async def test_registering_in_the_app_tells_plugins(hub_factory):
    seen = []
    hub = hub_factory(plugin("listener", resident_registered=lambda resident_id: seen.append(resident_id)))
    app = HubApp(hub)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("ctrl+n")
        await pilot.pause()
        form = app.screen
        form.query_one("#input-name", Input).value = "Jo Bloggs"
        form.query_one("#input-date_of_birth", Input).value = "1/1/1980"
        form.query_one("#input-engagement", Select).value = "door_knock"
        form.query_one("#input-status_at_registration", Select).value = "unemployed"
        form.query_one("#consent-record", Checkbox).value = True
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert seen == [hub.current_resident_id] and seen[0] is not None


async def test_consent_can_be_changed_and_history_kept(hub_factory):
    hub = hub_factory(demo=True)
    app = HubApp(hub)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press(*"chloe", "enter")
        await pilot.pause()
        resident_id = hub.current_resident_id
        await pilot.press("ctrl+g")
        await pilot.pause()
        app.screen.query_one("#consent-contact", Checkbox).value = False
        await pilot.press("ctrl+s")
        await pilot.pause()
        from hub.residents import current_consents

        assert current_consents(hub.db, resident_id)["contact"] is False
        history = [r["given"] for r in hub.db["consents"].rows_where("resident_id = ? and purpose = 'contact'", [resident_id], order_by="id")]
        assert history == [1, 0]


async def test_site_lead_exports_a_residents_data_from_the_card(hub_factory):
    hub = hub_factory(demo=True)
    app = HubApp(hub)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press(*"grace", "enter")
        await pilot.pause()
        assert "Export their data" in str(app.query_one("#card-links").render())
        app.query_one("#home-pane").action_export_data()
        await app.workers.wait_for_complete()
        await pilot.pause()
        files = sorted(p.suffix for p in (hub.config.data_dir / "exports").iterdir())
        assert files == [".json", ".pdf"]


async def test_staff_role_sees_no_export_and_is_refused(hub_factory):
    from hub.staff import Session

    hub = hub_factory(demo=True)
    hub.session = Session(None, "kim", "Kim", "staff")
    app = HubApp(hub)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press(*"grace", "enter")
        await pilot.pause()
        assert "Export their data" not in str(app.query_one("#card-links").render())
        app.query_one("#home-pane").action_export_data()
        await pilot.pause()
        assert not (hub.config.data_dir / "exports").exists()


async def test_a_plugin_widget_that_raises_after_mounting_disables_only_that_plugin(hub_factory, tmp_path):
    """The tab's own code (compose, on_mount, handlers) raises: the kiosk keeps running."""
    import importlib.util

    source = tmp_path / "exploding_plugin" / "__init__.py"
    source.parent.mkdir()
    source.write_text(
        "from hub import TabSpec, hookimpl\n"
        "from textual.widgets import Static\n"
        "class Exploding(Static):\n"
        "    def on_mount(self):\n"
        "        raise RuntimeError('widget blew up')\n"
        "@hookimpl\n"
        "def register_tabs():\n"
        "    return [TabSpec('boom', 'Boom', lambda hub: Exploding('x'))]\n"
    )
    spec = importlib.util.spec_from_file_location("exploding_plugin", source)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    received, built = [], []
    hub = hub_factory(("exploding", module), recording_tab_plugin("fine", received, built))
    app = HubApp(hub)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("f2")
        await pilot.pause()
        await pilot.pause()
        assert app.is_running
        assert not hub.plugins.is_enabled("exploding")
        assert "widget blew up" in hub.plugins.status["exploding"].error
        assert app.query_one("#tab-boom").query(PluginErrorPanel)
        await pilot.press("f3")
        await pilot.pause()
        assert built == [None]


async def test_names_that_look_like_markup_are_shown_as_typed_on_every_tab(tmp_path):
    """A resident, site or staff name with [/b] or [@click=...] in it must neither crash a screen nor act."""
    import plugins.benefits_calc
    import plugins.bonus
    import plugins.journey
    import plugins.passport
    import plugins.signposting
    from hub.residents import NewResident, add_contact, register_resident, validate_resident
    from hub.staff import Session
    from hubtest import make_hub

    extra = [(name, module) for name, module in [
        ("benefits_calc", plugins.benefits_calc), ("signposting", plugins.signposting), ("passport", plugins.passport),
        ("bonus", plugins.bonus), ("journey", plugins.journey)]]
    hub = make_hub(tmp_path, *extra)
    hub.config.hub.site_name = "North [/b] side"
    hub.session = Session(None, "t", "Tess [/] Lead", "site_lead")
    hub.open_storage()
    form = NewResident("Evil [/] [b]Name[/b] [@click=app.quit]x[/]", "[red]p", "01/01/1990", address="1 [/] St",
                       engagement="agency_referral", referred_by="[/i]", status_at_registration="unemployed",
                       consents={"record": True})
    resident_id = register_resident(hub.db, validate_resident(form, []), form.consents, staff="[/]s", terminal="t")
    add_contact(hub.db, resident_id, kind="phone", note="note [/] [b]x", contact_date="", staff="[/]s", terminal="t")
    app = HubApp(hub)
    async with app.run_test(size=(150, 45)) as pilot:
        await started(app, pilot)
        await pilot.press(*"evil", "enter")
        await pilot.pause()
        for key in ("f2", "f3", "f4", "f5", "f6", "f7", "f8", "f1"):
            await pilot.press(key)
            await pilot.pause()
        assert app.is_running
        assert hub.plugins.failed() == []
        assert "Evil [/] [b]Name[/b]" in str(app.query_one(ResidentBar).render())
    hub.close()


async def test_garbage_collection_resumes_once_the_database_is_open(hub_factory):
    """`hub` starts with the collector off (faster start); the kiosk must turn it back on."""
    import gc

    app = HubApp(hub_factory(), resume_gc=True)
    gc.disable()
    try:
        async with app.run_test(size=SIZE) as pilot:
            await started(app, pilot)
            assert gc.isenabled()
    finally:
        gc.enable()


async def test_notifications_quoting_markup_are_shown_as_typed(hub_factory):
    """An error message or a feed's service name in a toast must not stop the kiosk or act as markup."""
    app = HubApp(hub_factory())
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        text = "Could not refer to Help [/b] Centre [@click=app.quit]here[/]"
        app.query_one("#home-pane").notify(text, severity="error")  # a widget's notify, as plugins call it
        await pilot.pause()
        assert app.is_running
        assert [n.message for n in app._notifications] == [text]
        assert not any(n.markup for n in app._notifications)


async def test_edit_a_residents_details_and_record_a_move(hub_factory):
    """Ctrl+E on an open resident: a wrong field is named, a new address asks why, a move keeps history."""
    from hub.residents import address_history
    from hub.screens.resident_form import EditResidentScreen

    received: list = []
    hub = hub_factory(recording_tab_plugin("watcher", received, []), demo=True)
    app = HubApp(hub)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press(*"grace", "enter")
        await pilot.pause()
        resident_id = hub.current_resident_id
        await pilot.press("f2")  # build the watcher's tab, then back home (the keyboard goes to the search box)
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        assert app.focused is app.query_one("#resident-search")
        await pilot.press("ctrl+e")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, EditResidentScreen)
        assert form.query_one("#input-name", Input).value.startswith("Grace")
        assert form.query_one("#field-address_change").has_class("hidden")

        form.query_one("#input-phone", Input).value = "not a phone"
        form.query_one("#input-postcode", Input).value = "M9 4AA"
        await pilot.pause()
        assert not form.query_one("#field-address_change").has_class("hidden")
        assert "outside the site's area" in str(form.query_one("#edit-area-note", Static).render())
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, EditResidentScreen)
        assert "Not a phone number" in form.query_one("#field-phone").error
        assert "say whether they moved" in form.query_one("#field-address_change").error

        form.query_one("#input-phone", Input).value = "07700 900555"
        form.query_one("#input-address_change", Select).value = "moved"
        await pilot.pause()
        assert not form.query_one("#field-moved_on").has_class("hidden")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, EditResidentScreen)
        resident = hub.current_resident()
        assert (resident["phone"], resident["postcode"], resident["in_area"]) == ("07700 900555", "M9 4AA", 0)
        assert [row["postcode"] for row in address_history(hub.db, resident_id)][-1] == "M9 4AA"
        assert len(address_history(hub.db, resident_id)) == 2
        assert "M9 4AA (outside the site's area), here since" in str(app.query_one("#card-details", Static).render())
        assert received[-1] == resident_id  # built tabs were told the details changed
        actions = [row["action"] for row in hub.db["access_log"].rows_where("resident_id = ?", [resident_id])]
        assert actions[-1] == "edit:phone,postcode" and actions.count("view") == 1


async def test_a_tab_without_auto_focus_gets_the_keyboard_on_its_first_field(hub_factory):
    """The core's fallback focuses the first field, an Input included (a ScrollableContainer in Textual 8)."""

    def factory(hub):
        from textual.containers import VerticalScroll

        return VerticalScroll(Static("Intro"), Input(id="first-field"), Input(id="second-field"), id="form-tab")

    hub = hub_factory(plugin("formtab", register_tabs=lambda: [TabSpec("formtab", "Form", factory)]))
    app = HubApp(hub)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("f2")
        await pilot.pause()
        await pilot.pause()
        assert app.focused is app.query_one("#first-field")


async def test_the_idle_lock_timer_firing_as_the_app_exits_is_harmless(hub_factory):
    """The 5-second idle check can run after the last screen has gone (seen under load): no crash."""
    app = HubApp(hub_factory())
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
    assert app.screen_stack == []
    app.check_idle_lock()
    assert app.locked is False
