"""What plugin tabs may use from the core's Textual side: the resident message, a base class for a tab
about the current resident, plain-text statics, the hub's table and form helpers.

Import this only from tab code (inside a TabSpec factory): it imports Textual. The non-Textual surface is
hub.api. tests/test_layering.py fails when a plugin imports anything else from the core.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

if TYPE_CHECKING:
    from hub.context import Hub

__all__ = ["ResidentChanged", "ResidentTab", "PlainStatic", "DataTable", "FormField", "show_errors"]


class ResidentChanged(Message):
    """Sent to every built plugin tab when the current resident is picked, cleared or edited.

    The kiosk posts it for each hub.events.ResidentEvent, which domain code emits (never a screen)."""

    def __init__(self, resident_id: int | None) -> None:
        self.resident_id = resident_id
        super().__init__()


class PlainStatic(Static):
    """A Static for text from people or files (names, error messages): shown as is, never as markup."""

    def __init__(self, content: str = "", **kwargs: Any) -> None:
        super().__init__(content, markup=False, **kwargs)


class ResidentTab(Vertical):
    """A base for a plugin tab about the current resident.

    Keeps ``self.hub`` and ``self.resident_id`` and calls ``show_resident`` on mount and whenever the
    current resident changes. Override ``show_resident`` (and style the tab with DEFAULT_CSS)."""

    DEFAULT_CSS = """
    ResidentTab { height: 1fr; }
    """

    def __init__(self, hub: "Hub", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.hub = hub
        self.resident_id: int | None = hub.current_resident_id

    def on_mount(self) -> None:
        self.show_resident(self.hub.current_resident_id)

    def on_resident_changed(self, message: ResidentChanged) -> None:
        self.resident_id = message.resident_id
        self.show_resident(message.resident_id)

    def show_resident(self, resident_id: int | None) -> None:
        """Show this tab for ``resident_id`` (None: nobody is open). Called on the UI thread."""


def __getattr__(name: str) -> Any:
    """The table and form helpers, imported when first asked for (they pull in more of Textual)."""
    if name == "DataTable":
        from hub.screens.tables import DataTable

        return DataTable
    if name in ("FormField", "show_errors"):
        from hub.screens import forms

        return getattr(forms, name)
    raise AttributeError(f"module 'hub.widgets' has no attribute {name!r}")
