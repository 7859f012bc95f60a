"""Form building blocks shared by the core's and plugins' forms.

A ``FormField`` is a label, an input widget and an error line under it, so every
form shows a clear message on the field that needs fixing. Plugins may use it:
``from hub.screens.forms import FormField``.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Input, Label, Static


class FormField(Vertical):
    """A labelled input with room for an error message under it."""

    DEFAULT_CSS = """
    FormField { height: auto; margin: 0 0 1 0; }
    FormField > .field-row { height: auto; }
    FormField .field-label { width: 29; color: $text-muted; }
    FormField .field-row > Input, FormField .field-row > Select { width: 1fr; background: $boost; }
    FormField > .field-error { color: $error; display: none; padding-left: 29; }
    FormField.-invalid > .field-error { display: block; }
    FormField.-invalid .field-label { color: $error; text-style: bold; }
    """

    def __init__(self, label: str, widget: Widget, *, name: str, required: bool = False, **kwargs) -> None:
        super().__init__(id=f"field-{name}", **kwargs)
        self.field_name = name
        self.label_text = label + (" *" if required else "")
        self.widget = widget

    def compose(self) -> ComposeResult:
        with Horizontal(classes="field-row"):
            yield Label(self.label_text, classes="field-label")
            yield self.widget
        yield Static("", classes="field-error", id=f"error-{self.field_name}")

    def set_error(self, message: str | None) -> None:
        self.set_class(bool(message), "-invalid")
        self.query_one(".field-error", Static).update(message or "")

    @property
    def error(self) -> str:
        return str(self.query_one(".field-error", Static).render()) if self.has_class("-invalid") else ""


def text_input(name: str, placeholder: str = "", value: str = "", max_length: int = 0) -> Input:
    return Input(value=value, placeholder=placeholder, id=f"input-{name}", max_length=max_length, compact=True)


def show_errors(container: Widget, errors: dict[str, str]) -> None:
    """Put each message on its field, clear the others, and move focus to the first bad field."""
    first = None
    for field in container.query(FormField):
        message = errors.get(field.field_name)
        field.set_error(message)
        if message and first is None:
            first = field
    if first is not None:
        first.widget.focus()
        first.scroll_visible()
