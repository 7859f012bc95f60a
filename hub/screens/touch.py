"""Touch buttons for the kiosk on a tablet (``hub serve``): what the F-keys and shortcuts do.

A tablet has no F-keys and a finger needs a bigger target than one line of the tab bar. The
touch bar gives every F-key action a button; "Tabs" and "Actions" open menus of large
buttons: every tab, and every action the screen offers right now (the same list as the
footer's keys, plugins' included).
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Label


class TouchBar(Horizontal):
    """A row of large buttons at the foot of the kiosk, for fingers."""

    DEFAULT_CSS = """
    TouchBar { height: 3; dock: bottom; background: $panel; padding: 0 0; }
    TouchBar Button { min-width: 10; width: 1fr; margin: 0 0; }
    TouchBar #touch-privacy { min-width: 12; }
    """

    def compose(self) -> ComposeResult:
        yield Button("Tabs", id="touch-tabs")
        yield Button("Actions", id="touch-actions")
        yield Button("Residents", id="touch-home")
        yield Button("Plugins", id="touch-plugins")
        yield Button("Lock", id="touch-lock")
        yield Button("Clear screen", id="touch-privacy", variant="error")

    def on_mount(self) -> None:
        for button in self.query(Button):
            button.can_focus = False  # the keyboard stays where staff are typing

    @on(Button.Pressed)
    async def pressed(self, event: Button.Pressed) -> None:
        event.stop()
        app = self.app
        action = {
            "touch-tabs": "open_tab_menu",
            "touch-actions": "open_action_menu",
            "touch-home": "show_tab('home')",
            "touch-plugins": "plugin_status",
            "touch-lock": "lock",
            "touch-privacy": "privacy_clear",
        }[event.button.id or ""]
        await app.run_action(action)


class MenuScreen(ModalScreen[int | None]):
    """A column of large buttons; returns the index of the one pressed, or None."""

    DEFAULT_CSS = """
    MenuScreen { align: center middle; }
    MenuScreen #menu-box { width: 60; max-width: 95%; height: auto; max-height: 90%; border: thick $primary;
                           background: $surface; padding: 0 1; }
    MenuScreen #menu-items { height: auto; max-height: 100%; }
    MenuScreen #menu-items Button { width: 100%; margin: 0 0 1 0; }
    MenuScreen .dialog-title { margin: 1 0; }
    """
    BINDINGS = [Binding("escape", "dismiss", "Close", id="touch-menu-close")]

    def __init__(self, title: str, labels: list[str]) -> None:
        super().__init__()
        self.menu_title = title
        self.labels = labels

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="menu-box"):
            yield Label(self.menu_title, classes="dialog-title", markup=False)
            with VerticalScroll(id="menu-items"):
                for index, label in enumerate(self.labels):
                    yield Button(Content(label), id=f"menu-item-{index}")
                yield Button("Close (Esc)", id="menu-close", variant="primary")

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        event.stop()
        button_id = event.button.id or ""
        self.dismiss(int(button_id.rsplit("-", 1)[1]) if button_id.startswith("menu-item-") else None)
