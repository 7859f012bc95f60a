"""The kiosk as `hub serve` runs it for a browser, driven through Pilot (the real browser test is
tests/browser/): keys a browser keeps move, plugins' keys included; touch buttons; downloads."""

from __future__ import annotations

import types

from textual.binding import Binding
from textual.widgets import Button, Static

from hub import TabSpec, hookimpl
from hub.app import HubApp, TabBar
from hub.served import BROWSER_KEYS, browser_keymap, key_label, running_in_browser

SIZE = (100, 30)


def test_browser_keys_move_to_alt_and_tabs_shift_past_f5():
    bindings = [("privacy-clear", "f12"), ("new-resident", "ctrl+n"), ("calc-reset", "ctrl+r"),
                ("show-tab-3", "f4"), ("show-tab-4", "f5"), ("show-tab-5", "f6"), ("show-tab-6", "f7"),
                ("show-tab-7", "f8"), ("show-tab-8", "f9"), ("find-resident", "ctrl+f"),
                ("close", "escape,ctrl+w")]
    keymap = browser_keymap(bindings, {}, {})
    assert keymap == {"privacy-clear": "alt+c", "new-resident": "alt+n", "calc-reset": "alt+r",
                      "show-tab-4": "f6", "show-tab-5": "f7", "show-tab-6": "f8", "show-tab-7": "f9",
                      "show-tab-8": "alt+f9", "close": "escape,alt+w"}
    moved_keys = {key for value in keymap.values() for key in value.split(",")}
    assert not moved_keys & set(BROWSER_KEYS)


def test_site_keymap_is_kept_unless_a_browser_would_take_its_key_and_serve_keymap_wins():
    bindings = [("privacy-clear", "f12"), ("lock", "ctrl+k"), ("show-tab-5", "f6"), ("new-resident", "ctrl+n")]
    keymap = browser_keymap(bindings, {"lock": "ctrl+t", "show-tab-5": "f2", "privacy-clear": "f11"},
                            {"new-resident": "ctrl+b"})
    assert keymap["lock"] == "alt+t"  # the site moved it onto a key the browser keeps
    assert keymap["show-tab-5"] == "f2"  # the site's own choice is not shifted
    assert keymap["privacy-clear"] == "alt+c"
    assert keymap["new-resident"] == "ctrl+b"  # [serve.keymap] has the last word


def test_served_only_under_textual_serve_and_labels_read_well():
    assert running_in_browser({"TEXTUAL_DRIVER": "textual.drivers.web_driver:WebDriver"})
    assert not running_in_browser({})
    assert key_label("alt+f9") == "Alt+F9" and key_label("f6,f2") == "F6" and key_label("alt+c") == "Alt+C"


def plugin_with_browser_keys(calls: list):
    class OutreachTab(Static, can_focus=True):
        BINDINGS = [Binding("ctrl+w", "wrap_up", "Wrap up", id="outreach-wrap-up"),
                    Binding("ctrl+l", "leaflet", "Leaflet", id="outreach-leaflet")]

        def action_wrap_up(self) -> None:
            calls.append("wrap-up")

        def action_leaflet(self) -> None:
            calls.append("leaflet")

    namespace = types.SimpleNamespace(name="outreach")
    namespace.register_tabs = hookimpl(lambda: [TabSpec("outreach", "Outreach", lambda hub: OutreachTab("outreach", id="outreach-tab"))])
    return namespace


async def started(app, pilot):
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_plugin_tab_keys_move_in_a_browser_and_stay_in_a_terminal(hub_factory):
    calls: list[str] = []
    hub = hub_factory(plugin_with_browser_keys(calls))
    app = HubApp(hub, served=True)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("f2")
        await started(app, pilot)
        app.query_one("#outreach-tab").focus()
        await pilot.press("alt+w", "alt+l", "ctrl+w")
        await pilot.pause()
        assert calls == ["wrap-up", "leaflet"]  # Ctrl+W is the browser's: it does nothing here
    calls.clear()
    app = HubApp(hub_factory(plugin_with_browser_keys(calls)))
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("f2")
        await started(app, pilot)
        app.query_one("#outreach-tab").focus()
        await pilot.press("ctrl+w")
        await pilot.pause()
        assert calls == ["wrap-up"]


def tab_plugin(name: str):
    namespace = types.SimpleNamespace(name=name)
    namespace.register_tabs = hookimpl(lambda: [TabSpec(name, name.title(), lambda hub: Static(f"{name} tab", id=f"{name}-content"))])
    return namespace


async def test_tab_labels_and_keys_skip_f5_in_a_browser(hub_factory):
    hub = hub_factory(*(tab_plugin(n) for n in ("one", "two", "three", "four", "five")))
    app = HubApp(hub, served=True)
    async with app.run_test(size=(140, 30)) as pilot:
        await started(app, pilot)
        bar = app.query_one(TabBar)
        labels = dict(bar.tabs)
        assert labels["tab-four"] == "Four (F6)" and labels["tab-five"] == "Five (F7)" and labels["tab-three"] == "Three (F4)"
        await pilot.press("f6")
        await pilot.pause()
        assert app.active_tab == "tab-four"
        await pilot.press("f5")
        await pilot.pause()
        assert app.active_tab == "tab-four"  # F5 belongs to the browser
    assert hub.terminal.endswith(" (browser)")


async def test_touch_bar_buttons_do_what_the_f_keys_do(hub_factory):
    hub = hub_factory(tab_plugin("one"), tab_plugin("two"))
    app = HubApp(hub, served=True)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        assert app.query_one("#touch-bar").display
        await pilot.click("#touch-tabs")
        await pilot.pause()
        labels = [str(button.label) for button in app.screen.query(Button)]
        assert labels[:3] == ["Residents", "One", "Two"]
        await pilot.click("#menu-item-2")
        await pilot.pause()
        assert app.active_tab == "tab-two"
        await pilot.click("#touch-home")
        await pilot.pause()
        assert app.active_tab == "home"
        await pilot.click("#touch-actions")
        await pilot.pause()
        labels = [str(button.label) for button in app.screen.query(Button)]
        assert any(label.startswith("New resident  (Alt+N)") for label in labels), labels
        index = next(i for i, label in enumerate(labels) if label.startswith("New resident"))
        app.screen.query_one(f"#menu-item-{index}").scroll_visible(animate=False)  # a long menu scrolls
        await pilot.pause()
        await pilot.click(f"#menu-item-{index}")
        await pilot.pause()
        from hub.screens.resident_form import RegisterResidentScreen

        assert isinstance(app.screen, RegisterResidentScreen)


async def test_no_touch_bar_in_a_terminal(hub_factory):
    app = HubApp(hub_factory())
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        assert not app.query("#touch-bar")


async def test_a_written_file_is_delivered_to_the_browser_and_logged_without_its_name(hub_factory, tmp_path):
    hub = hub_factory()
    app = HubApp(hub, served=True)
    delivered = []
    app.deliver_binary = lambda path, **kwargs: delivered.append((path, kwargs)) or "key"
    document = tmp_path / "passport-7-20261204.pdf"
    document.write_bytes(b"%PDF-1.4 test")
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        assert hub.offer_download(document)
        await pilot.pause()
    assert delivered == [(document, {"save_filename": document.name, "open_method": "download"})]
    actions = [row["action"] for row in hub.db.query("SELECT action FROM access_log")]
    assert "download:pdf" in actions and not any("passport-7" in a for a in actions)


def test_offer_download_in_a_terminal_sends_nothing(hub_factory, tmp_path):
    hub = hub_factory()
    assert hub.offer_download(tmp_path / "x.pdf") is False
