"""The bonus tab's dialog: one form for proposing, approving, paying, rejecting, withdrawing and
reversing a claim. The dialog only collects; the service decides, and its refusal shows on the
field it names (or under the form), so the dialog stays open to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from hub.widgets import FormField, show_errors
from plugins.bonus.service import BonusError


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    placeholder: str = ""
    value: str = ""
    required: bool = False


class ClaimDialog(ModalScreen[Any]):
    """Ask for what one claim action needs (a scheme, a reason, a payment date...) and run it."""

    DEFAULT_CSS = """
    ClaimDialog { align: center middle; }
    ClaimDialog > #bonus-dialog { width: 90; max-width: 98%; height: auto; max-height: 95%; border: thick $primary;
                                  background: $surface; padding: 0 1; }
    ClaimDialog .bonus-dialog-title { text-style: bold; color: $primary; margin-bottom: 1; }
    ClaimDialog .bonus-dialog-note { color: $text-muted; height: auto; margin-bottom: 1; }
    ClaimDialog #bonus-dialog-warning { color: $warning; text-style: bold; height: auto; display: none; margin-bottom: 1; }
    ClaimDialog #bonus-dialog-warning.-shown { display: block; }
    ClaimDialog .bonus-dialog-buttons { height: auto; margin-top: 1; }
    ClaimDialog .bonus-dialog-buttons Button { margin-right: 2; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "Confirm", id="bonus-dialog-confirm", priority=True),
        Binding("escape", "cancel", "Cancel", id="bonus-dialog-cancel"),
    ]

    def __init__(self, title: str, note: str, fields: list[Field], submit: Callable[[dict[str, str]], Any], *,
                 confirm: str = "Confirm", schemes: dict[str, str] | None = None, danger: bool = False,
                 warning: str | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.note = note
        self.fields = fields
        self.submit = submit
        self.confirm = confirm
        self.schemes = schemes
        self.danger = danger
        self.initial_warning = warning

    def compose(self) -> ComposeResult:
        with Vertical(id="bonus-dialog"):
            yield Label(self.title_text, classes="bonus-dialog-title", markup=False)
            if self.note:
                yield Static(self.note, classes="bonus-dialog-note", markup=False)
            if self.schemes:
                select = Select([(label, key) for key, label in self.schemes.items()], value=next(iter(self.schemes)),
                                allow_blank=False, id="bonus-input-scheme", compact=True)
                yield FormField("Scheme", select, name="scheme", required=True)
            for spec in self.fields:
                widget = Input(value=spec.value, placeholder=spec.placeholder, id=f"bonus-input-{spec.name}", compact=True)
                yield FormField(spec.label, widget, name=spec.name, required=spec.required)
            yield Static("", id="bonus-dialog-warning", markup=False)
            with Horizontal(classes="bonus-dialog-buttons"):
                yield Button(f"{self.confirm} (Ctrl+S)", id="bonus-dialog-save", variant="error" if self.danger else "primary")
                yield Button("Cancel (Esc)", id="bonus-dialog-cancel")

    def on_mount(self) -> None:
        self.warn(self.initial_warning)
        first = self.query("#bonus-dialog Input, #bonus-dialog Select")
        if first:
            first.first().focus()

    def values(self) -> dict[str, str]:
        values = {spec.name: self.query_one(f"#bonus-input-{spec.name}", Input).value for spec in self.fields}
        if self.schemes:
            values["scheme"] = str(self.query_one("#bonus-input-scheme", Select).value)
        return values

    def warn(self, message: str | None) -> None:
        warning = self.query_one("#bonus-dialog-warning", Static)
        warning.update(message or "")
        warning.set_class(bool(message), "-shown")

    @on(Button.Pressed, "#bonus-dialog-save")
    def action_save(self) -> None:
        from hub.api import PermissionDenied

        names = {spec.name for spec in self.fields} | ({"scheme"} if self.schemes else set())
        try:
            result = self.submit(self.values())
        except BonusError as exc:
            if exc.field in names:
                show_errors(self, {exc.field: str(exc)})
                self.warn(None)
            else:
                show_errors(self, {})
                self.warn(str(exc))
            return
        except PermissionDenied as exc:
            self.warn(str(exc))
            return
        self.dismiss(result)

    @on(Button.Pressed, "#bonus-dialog-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
