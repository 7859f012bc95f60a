"""The kiosk: a Textual app with a residents home and one tab per enabled plugin.

Startup is kept short: the first frame is drawn before the database is opened
(sqlite-utils is imported and migrations run in a thread worker), and each
plugin's tab is built the first time staff open it.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Vertical
from textual.reactive import reactive
from textual.screen import ModalScreen, Screen
from textual.content import Content
from textual.markup import escape
from textual.widgets import Button, ContentSwitcher, Footer, Label, Static

import hub as hub_package
from hub.context import Hub
from hub.errors import describe_error
from hub.specs import TabSpec
from hub.storage import DB_ERRORS, StorageError
from hub.widgets import PlainStatic, ResidentChanged  # noqa: F401  (defined there; these names keep working)

HOME_TAB = "home"
BACKGROUND_JOBS_FIRST_CHECK = 30.0
"""Seconds after the database opens before the first look for due jobs (the kiosk starts first)."""
TAB_KEYS = ("f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9")
"""Plugin tabs get F2, F3, ... in the site's order; F1 is always the residents home."""



class SiteHeader(PlainStatic):
    """The site's name and who is signed in. A plain line: Textual's Header costs ~40 ms at startup."""

    DEFAULT_CSS = """
    SiteHeader { height: 1; padding: 0 1; background: $panel; color: $foreground; text-style: bold; }
    """


class TabBar(Static):
    """The row of tabs: one line of clickable labels (a TabbedContent costs ~60 ms more at startup)."""

    DEFAULT_CSS = """
    TabBar { height: 1; background: $panel; color: $text-muted; link-color: $foreground; link-style: none; }
    """

    def __init__(self, tabs: list[tuple[str, str]], active: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.tabs = tabs
        self.active = active

    def show_active(self, active: str) -> None:
        self.active = active
        self.update(self.markup())

    def markup(self) -> str:
        parts = []
        for tab_id, label in self.tabs:
            if tab_id == self.active:
                parts.append(f"[b reverse] {escape(label)} [/]")
            else:
                parts.append(f"[@click=select('{tab_id}')] {escape(label)} [/]")
        return " ".join(parts)

    def on_mount(self) -> None:
        self.update(self.markup())

    def offset_of(self, tab_id: str) -> int:
        """The column where a tab's label starts (for tests that click it)."""
        column = 0
        for other_id, label in self.tabs:
            if other_id == tab_id:
                return column + 1
            column += len(label) + 3
        raise KeyError(tab_id)

    async def action_select(self, tab_id: str) -> None:
        await self.app.action_show_tab(tab_id)


class ResidentBar(Static):
    """One line under the header: who every tab is working on, and any plugin trouble."""

    DEFAULT_CSS = """
    ResidentBar { height: 1; padding: 0 1; background: $boost; color: $foreground; }
    ResidentBar.-warning { color: $warning; }
    """

    EMPTY = "No resident selected. Find one on the Residents tab (F1)."
    resident_label: reactive[str] = reactive(EMPTY)
    problems: reactive[str] = reactive("")

    def render(self) -> Content:
        text = f"{self.resident_label}   {self.problems}" if self.problems else self.resident_label
        return Content(text)  # a resident's name is text, not markup

    def watch_problems(self, problems: str) -> None:
        self.set_class(bool(problems), "-warning")


class PluginErrorPanel(PlainStatic):
    """Shown in place of a tab whose plugin failed; names the plugin and the reason."""

    DEFAULT_CSS = """
    PluginErrorPanel { padding: 1 2; color: $error; border: round $error; height: auto; }
    """


class FatalScreen(Screen):
    """The hub cannot run (e.g. the database is damaged): say why and how to fix it."""

    DEFAULT_CSS = """
    #fatal { align: center middle; padding: 2 4; }
    #fatal-title { text-style: bold; color: $error; margin-bottom: 1; }
    #fatal-message { border: round $error; padding: 1 2; height: auto; }
    #fatal-hint { margin-top: 1; color: $text-muted; }
    """
    BINDINGS = [Binding("q,escape,enter", "app.quit", "Quit", id="fatal-quit")]

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(id="fatal"):
            yield Label("The hub cannot start", id="fatal-title")
            yield PlainStatic(self.message, id="fatal-message")
            yield Static("Press Q to quit.", id="fatal-hint")


class PluginStatusScreen(ModalScreen[None]):
    """Every plugin, whether it is working, and why not."""

    DEFAULT_CSS = """
    #plugin-status-dialog { width: 100; max-width: 95%; height: auto; max-height: 90%; border: thick $warning; background: $surface; padding: 1 2; }
    #plugin-status-table { height: auto; max-height: 20; margin-bottom: 1; }
    """
    BINDINGS = [Binding("escape,f10", "dismiss", "Close", id="close-plugin-status")]

    def __init__(self, hub: Hub) -> None:
        super().__init__()
        self.hub = hub

    def compose(self) -> ComposeResult:
        from hub.screens.tables import DataTable

        with Vertical(id="plugin-status-dialog"):
            yield Label("Plugins on this hub", classes="dialog-title")
            table = DataTable(id="plugin-status-table", cursor_type="row", zebra_stripes=True)
            table.add_columns("Plugin", "Version", "State", "Why")
            for status in self.hub.plugins.statuses():
                state = "working" if status.enabled else "DISABLED"
                table.add_row(status.name, status.version or "-", state, status.error or status.note or "")
            yield table
            yield Static("A disabled plugin does not affect the rest. Site leads: run `hub plugins` for details.")
            yield Button("Close (Esc)", id="close-status", variant="primary")

    @on(Button.Pressed, "#close-status")
    def close_pressed(self) -> None:
        self.dismiss()


@dataclass
class BuiltTab:
    spec: TabSpec
    plugin: str
    key: str | None
    built: bool = False


class HubApp(App[int]):
    """The drop-in hub kiosk."""

    CSS_PATH = Path(__file__).parent / "app.tcss"  # absolute, so subclasses elsewhere still find it
    TITLE = "Drop-in Hub"
    BINDINGS = [
        Binding("f1", "show_tab('home')", "Residents", id="show-home"),
        Binding("f10", "plugin_status", "Plugins", id="plugin-status"),
        Binding("f12", "privacy_clear", "Privacy clear", id="privacy-clear", priority=True),
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
        Binding("ctrl+k", "lock", "Lock", id="lock", priority=True),
        *[
            Binding(key, f"show_plugin_tab({index})", show=False, id=f"show-tab-{index + 1}")
            for index, key in enumerate(TAB_KEYS)
        ],
    ]

    def __init__(self, hub: Hub, *, resume_gc: bool = False, served: bool | None = None) -> None:
        super().__init__()
        self.hub = hub
        from hub.served import running_in_browser

        self.served = running_in_browser() if served is None else served
        """In a browser through ``hub serve``: keys the browser keeps move, touch buttons show, files download."""
        self.fatal_message: str | None = None
        self.storage_ready = False
        self.resume_gc = resume_gc
        """Turn the garbage collector back on once the database is open (``hub.cli.main`` turns it off)."""
        self.background_jobs: list = []
        self._jobs_running = False
        self.animation_level = "none"
        self.tabs: dict[str, BuiltTab] = {}
        self.hub.events.subscribe(self.hear_resident_event)
        for index, result in enumerate(self.hub.plugins.call_flat("register_tabs", hub=hub)):
            spec = result.value
            tab_id = f"tab-{spec.id}"
            if tab_id in self.tabs or spec.id == HOME_TAB:
                self.hub.plugins.disable(result.plugin, f"tab id {spec.id!r} is already used by another plugin")
                continue
            key = TAB_KEYS[len(self.tabs)] if len(self.tabs) < len(TAB_KEYS) else None
            self.tabs[tab_id] = BuiltTab(spec, result.plugin, key)
        for theme in self.hub.themes():
            self.register_theme(theme)
        if self.hub.theme_issue() is None:
            self.theme = hub.config.hub.theme
        self.title = hub.config.hub.site_name
        self.last_activity = time.monotonic()
        self.effective_keymap: dict[str, str] = {}
        self.apply_site_keymap()
        if self.served:
            self.hub.terminal = f"{self.hub.terminal} (browser)"
            self.hub.download_handler = self.deliver_file

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        from hub.screens.home import HomePane

        yield SiteHeader(self.header_text(), id="site-header")
        yield ResidentBar(id="resident-bar")
        labels = [(HOME_TAB, f"Residents ({self.key_label('show-home', 'f1')})")] + [
            (tab_id, f"{tab.spec.title} ({self.key_label(f'show-tab-{index + 1}', tab.key)})" if tab.key else tab.spec.title)
            for index, (tab_id, tab) in enumerate(self.tabs.items())
        ]
        yield TabBar(labels, HOME_TAB, id="tab-bar")
        with ContentSwitcher(id="tabs", initial=HOME_TAB):
            with Vertical(id=HOME_TAB, classes="tab-pane"):
                yield HomePane(self.hub, id="home-pane")
            for tab_id in self.tabs:
                yield Vertical(id=tab_id, classes="tab-pane")
        if self.served:
            from hub.screens.touch import TouchBar

            yield TouchBar(id="touch-bar")
        yield Footer()

    # -- keys, and the kiosk in a browser ---------------------------------------------------

    def apply_site_keymap(self) -> None:
        """``[keymap]``; in a browser also the moves off keys the browser keeps (hub/served.py)."""
        keymap = dict(self.hub.config.keymap)
        if self.served:
            from hub.served import bindings_with_ids, browser_keymap

            keymap = browser_keymap(bindings_with_ids(), keymap, self.hub.config.serve.keymap)
        if keymap != self.effective_keymap:
            self.effective_keymap = keymap
            self.set_keymap(keymap)

    def key_label(self, binding_id: str, default: str) -> str:
        """The key a binding answers to now, as a label reads it ("F6", "Alt+F9")."""
        from hub.served import key_label

        return key_label(self.effective_keymap.get(binding_id, default))

    def push_screen(self, screen, *args, **kwargs):
        if self.served:  # a plugin's dialog class is imported by now: move its keys too
            self.apply_site_keymap()
        return super().push_screen(screen, *args, **kwargs)

    def deliver_file(self, path: Path) -> None:
        """In a browser: send a file the hub wrote to the browser as a download (any thread)."""
        import threading

        if threading.get_ident() != self._thread_id:
            self.call_from_thread(self.deliver_file, path)
            return
        self.deliver_binary(path, save_filename=path.name, open_method="download")
        self.hub.log_event(self.hub.current_resident_id, f"download:{path.suffix.lstrip('.') or 'file'}")
        self.notify(f"Downloading {path.name}. If nothing appears, allow pop-ups for this page.", timeout=8)

    def action_open_tab_menu(self) -> None:
        """The touch bar's Tabs button: every tab as a large button."""
        from hub.screens.touch import MenuScreen

        if self.locked or self.screen is not self.screen_stack[0]:
            return
        entries = [(HOME_TAB, "Residents")] + [(tab_id, tab.spec.title) for tab_id, tab in self.tabs.items()]

        async def chosen(index: int | None) -> None:
            if index is not None:
                await self.action_show_tab(entries[index][0])

        self.push_screen(MenuScreen("Go to", [label for _, label in entries]), chosen)

    def action_open_action_menu(self) -> None:
        """The touch bar's Actions button: what the screen's keys do now, as large buttons."""
        from hub.screens.touch import MenuScreen

        if self.locked:
            return
        actions = []
        seen = set()
        for key, active in self.screen.active_bindings.items():
            binding = active.binding
            if not active.enabled or not binding.description or binding.action.startswith("show_plugin_tab"):
                continue
            if (binding.action, id(active.node)) in seen or key in ("ctrl+q", "ctrl+c"):
                continue
            seen.add((binding.action, id(active.node)))
            actions.append((active.node, binding.action, f"{binding.description}  ({key_display(key)})"))
        if not actions:
            self.notify("Nothing to do here but type or pick.", timeout=3)
            return

        async def chosen(index: int | None) -> None:
            if index is not None:
                node, action, _label = actions[index]
                await self.run_action(action, node)

        self.push_screen(MenuScreen("Actions on this screen", [label for _, _, label in actions]), chosen)

    def on_ready(self) -> None:
        """First frame is up: only now open the database, so its imports do not compete with it."""
        self.log.info(f"hub first frame in {(time.perf_counter() - hub_package.START_TIME) * 1000:.0f} ms")
        self.open_storage()

    @work(thread=True, exclusive=True, group="storage", exit_on_error=False)
    def open_storage(self) -> None:
        """Open the database and migrate it off the UI thread, so the first frame is not kept waiting.

        Its imports (sqlite-utils, the plugins' stores) make long-lived objects too, so the
        collector stays off until it is done.
        """
        try:
            self.hub.open_storage(on_wait=lambda message: self.call_from_thread(self.notify, message, timeout=4))
        except StorageError as exc:
            self.call_from_thread(self.show_fatal, str(exc))
            return
        except Exception as exc:  # anything else from the core is a bug: still no traceback on the kiosk
            self.call_from_thread(self.show_fatal, f"Unexpected error opening the site: {describe_error(exc)}")
            return
        finally:
            if self.resume_gc:
                import gc

                gc.enable()
        self.call_from_thread(self.storage_opened)

    def header_text(self) -> str:
        who = self.hub.session.display_name if self.hub.session else "not signed in"
        return f"⌂ {self.hub.config.hub.site_name}  ·  {who}"

    # -- signing in, locking -------------------------------------------------------------------

    @property
    def locked(self) -> bool:
        """True while a sign-in or lock screen is up: nothing else may open over it."""
        from hub.screens.auth import AuthScreen

        return bool(self.screen_stack) and isinstance(self.screen, AuthScreen)

    def ask_for_sign_in(self) -> None:
        from hub.screens.auth import FirstLeadScreen, SignInScreen
        from hub.staff import has_accounts

        self.push_screen(SignInScreen(self.hub) if has_accounts(self.hub.db) else FirstLeadScreen(self.hub))

    def signed_in(self, session) -> None:
        self.hub.session = session
        self.hub.log_event(None, "sign-in")
        self.last_activity = time.monotonic()
        self.query_one(SiteHeader).update(self.header_text())
        if self.locked:
            self.pop_screen()

    def action_lock(self) -> None:
        """Lock now (Ctrl+K): what is on screen stays, hidden, for the same person."""
        from hub.screens.auth import LockScreen

        if self.locked or self.hub.session is None or not self.storage_ready:
            return
        self.hub.log_event(None, "lock")
        self.push_screen(LockScreen(self.hub))

    def unlocked(self) -> None:
        self.hub.log_event(None, "unlock")
        self.last_activity = time.monotonic()
        if self.locked:
            self.pop_screen()

    def sign_out(self) -> None:
        """Someone else is taking over: drop everything on screen, then ask who they are."""
        if self.hub.session is not None:
            self.hub.log_event(None, "sign-out")
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.clear_personal_data()
        self.hub.session = None
        self.query_one(SiteHeader).update(self.header_text())
        self.ask_for_sign_in()

    async def on_event(self, event) -> None:
        from textual import events

        if isinstance(event, (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp)):
            self.last_activity = time.monotonic()
        await super().on_event(event)

    def check_idle_lock(self) -> None:
        """Lock after the site's idle time; sign out an account that was disabled meanwhile."""
        from hub.staff import is_still_active

        if not self.storage_ready or self.hub.session is None or not self.screen_stack:
            return  # not started, nobody signed in, or shutting down (the timer can fire as the app exits)
        if not is_still_active(self.hub.db, self.hub.session):
            self.sign_out()
            return
        minutes = self.hub.config.hub.idle_lock_minutes
        if minutes and not self.locked and time.monotonic() - self.last_activity >= minutes * 60:
            self.action_lock()

    def action_staff_accounts(self) -> None:
        from hub.screens.auth import StaffAccountsScreen
        from hub.staff import PermissionDenied

        if self.locked or not self.storage_ready:
            return
        try:
            self.hub.require("staff.manage")
        except PermissionDenied as exc:
            self.notify(str(exc), severity="error")
            return
        self.push_screen(StaffAccountsScreen(self.hub))

    async def action_quit(self) -> None:
        """Quit, except from the lock screen: only the signed-in person (or someone signing in) may end it."""
        from hub.screens.auth import LockScreen

        if self.screen_stack and isinstance(self.screen, LockScreen):
            return
        await super().action_quit()

    def action_command_palette(self) -> None:
        if not self.locked:
            super().action_command_palette()

    def show_fatal(self, message: str) -> None:
        self.fatal_message = f"hub: {message}"
        self.push_screen(FatalScreen(message))

    def storage_opened(self) -> None:
        from hub import jobs

        self.storage_ready = True
        self.query_one("#home-pane").storage_ready()
        self.set_interval(5, self.check_idle_lock)
        if self.hub.session is None:
            self.ask_for_sign_in()
        self.background_jobs = jobs.registered_jobs(self.hub)
        if self.background_jobs:  # first look shortly after the database opens, then every minute
            self.set_timer(BACKGROUND_JOBS_FIRST_CHECK, self.run_due_jobs)
            self.set_interval(jobs.CHECK_EVERY_SECONDS, self.run_due_jobs)
        self.refresh_plugin_problems(announce=True)
        active = self.active_tab
        if active in self.tabs:
            self.run_worker(self.build_tab(active), group="build-tab")

    def run_due_jobs(self) -> None:
        """Every minute: if a plugin's background job is due, run it on a worker thread (one pass at a time)."""
        from hub import jobs

        if self._jobs_running or not self.storage_ready:
            return
        try:
            due = jobs.due_now(self.hub.db, self.background_jobs)
        except DB_ERRORS:  # e.g. another kiosk holds the database: look again next minute
            return
        if due:
            self._jobs_running = True
            self.background_jobs_worker(due)

    @work(thread=True, group="background-jobs", exit_on_error=False)
    def background_jobs_worker(self, due: list) -> None:
        from hub import jobs

        try:
            for name, ok, _summary in jobs.run_due(self.hub, due):
                self.log.info(f"background job {name}: {'done' if ok else 'failed'}")
        except Exception as exc:  # e.g. the database stayed locked: try again at the next check
            self.log.warning(f"background jobs not run: {describe_error(exc, with_message=False)}")
        finally:
            self._jobs_running = False

    def refresh_plugin_problems(self, *, announce: bool = False) -> None:
        failed = self.hub.plugins.failed()
        bar = self.query_one(ResidentBar)
        if failed:
            names = ", ".join(status.name for status in failed)
            bar.problems = f"⚠ Disabled: {names} (F10)"
            if announce:
                self.notify(
                    f"{len(failed)} plugin{'s' if len(failed) > 1 else ''} could not run: {names}. "
                    "The rest of the hub works. Press F10 for details.",
                    title="Plugin problem",
                    severity="warning",
                    timeout=10,
                )
        else:
            bar.problems = ""

    # -- tabs ------------------------------------------------------------------------------

    @property
    def active_tab(self) -> str:
        return self.query_one("#tabs", ContentSwitcher).current or HOME_TAB

    def focus_pane(self, pane_id: str) -> None:
        """Keep the keyboard in the visible tab: the tab's AUTO_FOCUS widget, else its first field.

        Focus a tab has already taken inside itself is left alone.
        """
        if self.active_tab != pane_id:
            return
        pane = self.query_one(f"#{pane_id}")
        if self.focused is not None and pane in self.focused.ancestors:
            return
        for child in pane.children:
            selector = getattr(child, "AUTO_FOCUS", None)
            found = child.query(selector) if selector else None
            if found:
                found.first().focus(scroll_visible=False)
                return
        from textual.containers import ScrollableContainer
        from textual.scroll_view import ScrollView

        # Scrolling containers take focus too; skip them, but not the widgets built on them
        # (in Textual 8 an Input, a DataTable and a TextArea are ScrollableContainers).
        focusable = [
            w for w in pane.query("*")
            if w.focusable and (not isinstance(w, ScrollableContainer) or isinstance(w, ScrollView))
        ]
        if focusable:
            focusable[0].focus(scroll_visible=False)
        else:
            self.set_focus(None)

    async def build_tab(self, tab_id: str) -> None:
        """Build a plugin's tab on first visit; a factory that raises disables only that plugin."""
        tab = self.tabs[tab_id]
        if tab.built:
            return
        pane = self.query_one(f"#{tab_id}")
        tab.built = True
        if not self.hub.plugins.is_enabled(tab.plugin):
            await pane.mount(PluginErrorPanel(self._disabled_text(tab.plugin)))
            return
        try:
            widget = tab.spec.factory(self.hub)
            if self.served:  # the plugin's widget classes are imported now: move their keys too
                self.apply_site_keymap()
            # Not awaited: a plugin widget that raises while mounting never finishes mounting,
            # and the kiosk must not wait on it (see _handle_exception).
            pane.mount(widget)
        except Exception as exc:
            self.hub.plugins.disable(
                tab.plugin,
                f"building its tab raised {describe_error(exc)}",
                log_reason=f"building its tab raised {describe_error(exc, with_message=False)}",
            )
            await pane.mount(PluginErrorPanel(self._disabled_text(tab.plugin)))
            self.refresh_plugin_problems(announce=True)

    def _handle_exception(self, error: Exception) -> None:
        """A plugin's widget that raises takes down only that plugin's tab, never the kiosk."""
        plugin = self._plugin_behind(error)
        if plugin is None:
            return super()._handle_exception(error)
        self.hub.plugins.disable(
            plugin,
            f"its screen raised {describe_error(error)}",
            log_reason=f"its screen raised {describe_error(error, with_message=False)}",
        )
        self.call_later(self._replace_failed_tabs, plugin)

    def _replace_failed_tabs(self, plugin: str) -> None:
        import inspect

        folder = self._plugin_folders().get(plugin)
        while folder and len(self.screen_stack) > 1:  # close the plugin's own dialogs first
            source = inspect.getsourcefile(type(self.screen)) or ""
            if not os.path.abspath(source).startswith(folder + os.sep):
                break
            self.pop_screen()
        for tab_id, tab in self.tabs.items():
            if tab.plugin == plugin and tab.built:
                pane = self.query_one(f"#{tab_id}")
                for widget in pane.query("*"):
                    if not widget._running:
                        # Textual leaves a widget whose handler raised unable to process messages
                        # but still accepting them; mark it closed so removing it cannot hang.
                        widget._closing = widget._closed = True
                pane.remove_children()
                pane.mount(PluginErrorPanel(self._disabled_text(plugin)))
        self.refresh_plugin_problems(announce=True)

    def _plugin_folders(self) -> dict[str, str]:
        """Plugin name -> the folder of its package (for plugins that are modules)."""
        folders = {}
        for name in self.hub.plugins.order:
            plugin = self.hub.plugins.pm.get_plugin(name)
            source = getattr(plugin, "__file__", None)
            if source:
                folders[name] = os.path.dirname(os.path.abspath(source))
        return folders

    def _plugin_behind(self, error: BaseException) -> str | None:
        """The plugin whose source file raised ``error``, if any (the innermost frame wins)."""
        import traceback

        folders = self._plugin_folders()
        for frame in reversed(traceback.extract_tb(error.__traceback__)):
            path = os.path.abspath(frame.filename)
            for name, folder in folders.items():
                if path.startswith(folder + os.sep):
                    return name
        return None

    def _disabled_text(self, plugin: str) -> str:
        status = self.hub.plugins.status.get(plugin)
        reason = status.error if status and status.error else "it is not enabled"
        return f"The {plugin} plugin is switched off: {reason}\n\nEverything else still works. A site lead can see details with `hub plugins`."

    async def action_show_tab(self, tab_id: str) -> None:
        if self.screen is not self.screen_stack[0]:
            return  # a dialog is open; finish it first
        self.switch_to(tab_id)
        if tab_id in self.tabs and self.storage_ready:
            await self.build_tab(tab_id)
        self.call_after_refresh(self.focus_pane, tab_id)

    def switch_to(self, tab_id: str) -> None:
        self.query_one("#tabs", ContentSwitcher).current = tab_id
        self.query_one(TabBar).show_active(tab_id)
        # Swapping panes and mounting a new tab's widgets must repaint the whole screen now, not
        # at the next key press (seen in real terminals, not under Pilot).
        self.call_after_refresh(self.refresh, layout=True)

    async def action_show_plugin_tab(self, index: int) -> None:
        tab_ids = list(self.tabs)
        if index < len(tab_ids):
            await self.action_show_tab(tab_ids[index])

    def action_plugin_status(self) -> None:
        if not isinstance(self.screen, PluginStatusScreen) and not self.locked:
            self.push_screen(PluginStatusScreen(self.hub))

    # -- the current resident ------------------------------------------------------------------

    def select_resident(self, resident_id: int | None) -> None:
        """Make one resident the subject of every tab (the hub announces it; see hear_resident_event)."""
        try:
            self.hub.select_resident(resident_id)
        except StorageError as exc:
            self.notify(str(exc), severity="error", title="Could not open the record")

    def hear_resident_event(self, event) -> None:
        """The hub's resident events (hub.events), from domain code: show them and tell the built tabs."""
        import threading

        if not self.is_running:
            return
        if threading.get_ident() != self._thread_id:
            self.call_from_thread(self.hear_resident_event, event)
            return
        self.resident_details_changed(self.hub.current_resident_id)

    def resident_details_changed(self, resident_id: int | None) -> None:
        """Show the current resident's details in the bar again and tell every built tab."""
        from textual.css.query import NoMatches

        from hub.residents import display_name

        try:
            bar = self.query_one(ResidentBar)
        except NoMatches:  # not composed yet
            return
        resident = self.hub.current_resident() if resident_id is not None else None
        if resident:
            bar.resident_label = f"Working with: {display_name(resident)}  ·  born {_uk_date(resident['date_of_birth'])}"
        else:
            bar.resident_label = ResidentBar.EMPTY
        for tab_id, tab in self.tabs.items():
            if tab.built:
                for child in self.query_one(f"#{tab_id}").children:
                    child.post_message(ResidentChanged(resident_id))

    def action_privacy_clear(self) -> None:
        """Clear every screen of personal data at once: back to an empty home."""
        if self.locked:
            return  # the lock screen shows nothing; unlocking must not be skipped
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.clear_personal_data()
        self.clear_notifications()
        self.notify("Screen cleared.", timeout=2)

    def clear_personal_data(self) -> None:
        if self.hub.current_resident_id is not None:
            self.hub.select_resident(None)
        for tab_id, tab in self.tabs.items():
            if tab.built:
                self.query_one(f"#{tab_id}").remove_children()
                tab.built = False
        self.query_one(ResidentBar).resident_label = ResidentBar.EMPTY
        self.query_one("#home-pane").clear()
        self.switch_to(HOME_TAB)
        self.focus_pane(HOME_TAB)

    def notify(self, message: str, *, title: str = "", severity="information", timeout: float | None = None,
               markup: bool = True) -> None:
        """Toasts are plain text, always: they quote names, feed text and error messages, and a
        ``[/b]`` in any of those would otherwise stop the kiosk (``markup`` is ignored)."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    # -- command palette -------------------------------------------------------------------

    def get_system_commands(self, screen: Screen):
        yield from super().get_system_commands(screen)
        yield SystemCommand("Privacy clear", "Clear the screen of personal data (F12)", self.action_privacy_clear)
        yield SystemCommand("Plugin status", "Which plugins are working, and why not (F10)", self.action_plugin_status)
        if self.hub.session is not None and self.hub.session.can("staff.manage"):
            yield SystemCommand("Staff accounts", "Add, disable or re-enable staff accounts (site leads)", self.action_staff_accounts)
        for result in self.hub.plugins.call_flat("register_palette_commands", hub=self.hub):
            command = result.value
            yield SystemCommand(command.title, command.help, _bind_action(command.action, self))


def key_display(key: str) -> str:
    from hub.served import key_label

    return key_label(key)


def _bind_action(action, app):
    return lambda: action(app)


def _uk_date(iso: str | None) -> str:
    if not iso:
        return "unknown"
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"
