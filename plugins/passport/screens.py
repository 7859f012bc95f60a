"""Dialogs of the passport tab: add or correct an entry, verify it, withdraw it.

They only collect what staff type; every rule is in ``model``/``service``, and a rejected
save leaves everything typed in place with the message on the field that needs fixing.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Mapping

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, SelectionList, Static
from textual.widgets.selection_list import Selection

from hub.api import ValidationError
from hub.widgets import FormField, show_errors
from plugins.passport import service
from plugins.passport.kinds import ACTIVITIES, OPTIONAL_FIELDS, EntryKind
from plugins.passport.model import (
    EVIDENCE_TYPES,
    PAY_PERIODS,
    QUALIFICATION_LEVELS,
    VERIFICATION_LEVELS,
    EntryForm,
    form_from_row,
    uk_date,
)
from plugins.passport.skills import FRAMEWORKS, SKILLS

DENIED = service.permission_errors()

FIELD_WIDGETS = {"pay": ("pay_amount", "pay_period")}
"""Form fields behind each of a kind's optional fields."""

DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > .pp-dialog {{ width: 96; max-width: 98%; height: 95%; border: thick $primary; background: $surface; padding: 0 1; }}
{name} > .pp-dialog.-short {{ height: auto; max-height: 95%; }}
{name} .pp-title {{ text-style: bold; color: $primary; margin-bottom: 1; }}
{name} .pp-fields {{ height: 1fr; }}
{name} .pp-dialog.-short .pp-fields {{ height: auto; max-height: 30; }}
{name} .pp-help {{ color: $text-muted; padding-left: 26; margin: -1 0 1 0; height: auto; }}
{name} SelectionList {{ height: 7; width: 1fr; background: $boost; }}
{name} Checkbox {{ border: none; padding: 0; height: 1; width: auto; background: $boost; }}
{name} .pp-buttons {{ height: auto; margin-top: 1; }}
{name} .pp-buttons Button {{ margin-right: 2; }}
{name} .hidden {{ display: none; }}
"""


def _input(name: str, value: str = "", placeholder: str = "") -> Input:
    return Input(value=value, placeholder=placeholder, id=f"pp-input-{name}", compact=True)


def _select(name: str, options: Mapping[str, str], value: str | None, *, blank: bool = False) -> Select:
    start = value if value is not None and value in options else (Select.NULL if blank else next(iter(options)))
    return Select([(label, key) for key, label in options.items()], id=f"pp-input-{name}", compact=True,
                  allow_blank=blank, prompt="Choose...", value=start)


def _value(select: Select) -> str:
    return select.value if isinstance(select.value, str) else ""


class EntryScreen(ModalScreen[int | None]):
    """Add an entry, or correct one (``entry`` given): only the fields its kind needs are shown."""

    DEFAULT_CSS = DIALOG_CSS.format(name="EntryScreen")
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="passport-save-entry", priority=True),
        Binding("escape", "cancel", "Cancel", id="passport-cancel-entry"),
    ]

    def __init__(self, hub, kinds: Mapping[str, EntryKind], resident_id: int, entry: Mapping[str, Any] | None = None) -> None:
        super().__init__()
        self.hub = hub
        self.kinds = kinds
        self.resident_id = resident_id
        self.entry = entry
        self.start = form_from_row(entry) if entry else EntryForm(verified_at=uk_date(date.today()))

    def compose(self) -> ComposeResult:
        form = self.start
        correcting = self.entry is not None
        with Vertical(classes="pp-dialog"):
            title = f"Correct: {self.entry['title']}" if correcting else "Add to the work passport"
            yield Label(title, classes="pp-title")
            with VerticalScroll(classes="pp-fields", id="pp-entry-fields"):
                yield FormField("Kind", _select("kind", {k: v.label for k, v in self.kinds.items()}, form.kind or None, blank=True),
                                name="kind", required=True)
                yield Static("", classes="pp-help", id="pp-kind-help")
                yield FormField("Title", _input("title", form.title, "e.g. Food hygiene level 2, or the job title"), name="title", required=True)
                yield FormField("Provider", _input("provider", form.provider), name="provider")
                yield FormField("Role", _input("role", form.role, "job title or volunteer role"), name="role")
                yield FormField("Start date", _input("start_date", form.start_date, "day/month/year"), name="start_date", required=True)
                yield FormField("Still going on", Checkbox("Yes", form.ongoing, id="pp-input-ongoing"), name="ongoing")
                yield FormField("End date", _input("end_date", form.end_date, "day/month/year"), name="end_date")
                yield FormField("Hours in total", _input("hours_total", form.hours_total, "e.g. 6.5"), name="hours_total")
                yield FormField("Hours a week", _input("hours_per_week", form.hours_per_week, "e.g. 16"), name="hours_per_week")
                yield FormField("Pay (£)", _input("pay_amount", form.pay_amount, "e.g. 12.71"), name="pay_amount")
                yield FormField("Pay is", _select("pay_period", PAY_PERIODS, form.pay_period or "hour"), name="pay_period")
                yield FormField("Result", _input("result", form.result, "e.g. Passed, Merit, Completed"), name="result")
                yield FormField("Qualification level", _select("qualification_level", QUALIFICATION_LEVELS, form.qualification_level or None, blank=True),
                                name="qualification_level")
                yield FormField("Counts as", _select("activity", ACTIVITIES, form.activity or None, blank=True), name="activity")
                skills = SelectionList[str](
                    *[Selection(f"{FRAMEWORKS[s.framework].name.split(' (')[0]}: {s.name}", s.id, s.id in form.skills)
                      for s in SKILLS.values()],
                    id="pp-input-skills", compact=True,
                )
                yield FormField("Skills", skills, name="skills")
                evidence = SelectionList[str](
                    *[Selection(label, key, key in form.evidence) for key, label in EVIDENCE_TYPES.items()],
                    id="pp-input-evidence", compact=True,
                )
                yield FormField("Documents seen", evidence, name="evidence")
                yield FormField("Verification", _select("verification_level", {k: v.label for k, v in VERIFICATION_LEVELS.items()},
                                                        form.verification_level), name="verification_level")
                yield Static("", classes="pp-help", id="pp-level-help")
                yield FormField("Verified by", _input("verified_by", form.verified_by, "who vouched (blank: you)"), name="verified_by")
                yield FormField("Verified on", _input("verified_at", form.verified_at or uk_date(date.today()), "day/month/year"),
                                name="verified_at")
                yield FormField("Verification note", _input("verification_note", form.verification_note, "e.g. phoned HR"),
                                name="verification_note")
                yield FormField("Description", _input("description", form.description, "optional: what it involved"), name="description")
                if correcting:
                    yield FormField("Why the correction", _input("change_reason", "", "e.g. wrong end date"),
                                    name="change_reason", required=True)
                    if self.entry["verification_level"] != "self_declared":
                        yield FormField("Verification still holds",
                                        Checkbox("I re-checked the corrected details", False, id="pp-input-keep_verification"),
                                        name="keep_verification")
            with Horizontal(classes="pp-buttons"):
                yield Button("Save (Ctrl+S)", id="pp-save", variant="primary")
                yield Button("Cancel (Esc)", id="pp-cancel")

    def on_mount(self) -> None:
        self.update_visibility()
        target = "#pp-input-title" if self.entry else "#pp-input-kind"
        self.query_one(target).focus()

    @on(Select.Changed)
    @on(Checkbox.Changed)
    def changed(self) -> None:
        self.update_visibility()

    def update_visibility(self) -> None:
        kind = self.kinds.get(_value(self.query_one("#pp-input-kind", Select)))
        for name in OPTIONAL_FIELDS:
            for field_name in FIELD_WIDGETS.get(name, (name,)):
                self.query_one(f"#field-{field_name}").set_class(kind is not None and not kind.shows(name), "hidden")
        self.query_one("#pp-kind-help", Static).update(kind.help if kind else "")
        label = self.query_one("#field-provider").query_one(".field-label", Label)
        label.update(kind.provider_label if kind else "Provider")
        ongoing = self.query_one("#pp-input-ongoing", Checkbox).value
        self.query_one("#field-end_date").set_class(ongoing, "hidden")
        level = _value(self.query_one("#pp-input-verification_level", Select)) or "self_declared"
        for name in ("verified_by", "verified_at", "verification_note"):
            self.query_one(f"#field-{name}").set_class(level == "self_declared", "hidden")
        self.query_one("#pp-level-help", Static).update(VERIFICATION_LEVELS[level].meaning)

    def read(self) -> EntryForm:
        def text(name: str) -> str:
            return self.query_one(f"#pp-input-{name}", Input).value

        return EntryForm(
            kind=_value(self.query_one("#pp-input-kind", Select)), title=text("title"), provider=text("provider"),
            role=text("role"), description=text("description"), start_date=text("start_date"), end_date=text("end_date"),
            ongoing=self.query_one("#pp-input-ongoing", Checkbox).value, hours_total=text("hours_total"),
            hours_per_week=text("hours_per_week"), pay_amount=text("pay_amount"),
            pay_period=_value(self.query_one("#pp-input-pay_period", Select)), result=text("result"),
            qualification_level=_value(self.query_one("#pp-input-qualification_level", Select)),
            skills=list(self.query_one("#pp-input-skills", SelectionList).selected),
            activity=_value(self.query_one("#pp-input-activity", Select)),
            evidence=list(self.query_one("#pp-input-evidence", SelectionList).selected),
            verification_level=_value(self.query_one("#pp-input-verification_level", Select)) or "self_declared",
            verified_by=text("verified_by"), verified_at=text("verified_at"), verification_note=text("verification_note"),
        )

    @on(Button.Pressed, "#pp-save")
    def action_save(self) -> None:
        form = self.read()
        try:
            if self.entry is None:
                saved = service.add(self.hub, self.resident_id, form)
            else:
                keep = self.query("#pp-input-keep_verification")
                saved = service.correct(
                    self.hub, self.entry["id"], form, reason=self.query_one("#pp-input-change_reason", Input).value,
                    keep_verification=bool(keep) and keep.first(Checkbox).value,
                )
        except ValidationError as exc:
            self.show_problems(exc.errors)
            return
        except DENIED as exc:
            self.notify(str(exc), severity="error", title="Not saved")
            return
        self.dismiss(saved)

    def show_problems(self, errors: dict[str, str]) -> None:
        show_errors(self, errors)
        elsewhere = [message for name, message in errors.items() if not self.query(f"#field-{name}")]
        if elsewhere:
            self.notify(" ".join(elsewhere), severity="error", title="Not saved")

    @on(Button.Pressed, "#pp-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class VerifyScreen(ModalScreen[int | None]):
    """Record how an entry was checked: the level, who vouched, when, and the documents seen."""

    DEFAULT_CSS = DIALOG_CSS.format(name="VerifyScreen")
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="passport-save-verification", priority=True),
        Binding("escape", "cancel", "Cancel", id="passport-cancel-verification"),
    ]

    def __init__(self, hub, entry: Mapping[str, Any]) -> None:
        super().__init__()
        self.hub = hub
        self.entry = entry

    def compose(self) -> ComposeResult:
        current = self.entry["verification_level"]
        levels = {k: v.label for k, v in VERIFICATION_LEVELS.items() if k != "self_declared"}
        start = current if current in levels else "document_seen"
        with Vertical(classes="pp-dialog -short"):
            yield Label(f"Verify: {self.entry['title']}", classes="pp-title")
            yield Static(f"Now: {VERIFICATION_LEVELS[current].label}. Choose how it has been checked.", classes="pp-note")
            with VerticalScroll(classes="pp-fields"):
                yield FormField("Verified as", _select("verification_level", levels, start), name="verification_level", required=True)
                yield Static("", classes="pp-help", id="pp-level-help")
                yield FormField("Verified by", _input("verified_by", "", "who vouched (blank: you)"), name="verified_by")
                yield FormField("Verified on", _input("verified_at", uk_date(date.today()), "day/month/year"), name="verified_at")
                evidence = SelectionList[str](
                    *[Selection(label, key, key in self.entry["evidence"]) for key, label in EVIDENCE_TYPES.items()],
                    id="pp-input-evidence", compact=True,
                )
                yield FormField("Documents seen", evidence, name="evidence")
                yield FormField("Note", _input("verification_note", "", "e.g. phoned the duty manager"), name="verification_note")
            with Horizontal(classes="pp-buttons"):
                yield Button("Save (Ctrl+S)", id="pp-save", variant="primary")
                yield Button("Cancel (Esc)", id="pp-cancel")

    def on_mount(self) -> None:
        self.level_changed()
        self.query_one("#pp-input-verification_level").focus()

    @on(Select.Changed)
    def level_changed(self) -> None:
        level = _value(self.query_one("#pp-input-verification_level", Select)) or "document_seen"
        self.query_one("#pp-level-help", Static).update(VERIFICATION_LEVELS[level].meaning)

    @on(Button.Pressed, "#pp-save")
    def action_save(self) -> None:
        try:
            saved = service.verify(
                self.hub, self.entry["id"], level=_value(self.query_one("#pp-input-verification_level", Select)),
                verified_by=self.query_one("#pp-input-verified_by", Input).value,
                verified_at=self.query_one("#pp-input-verified_at", Input).value,
                evidence=list(self.query_one("#pp-input-evidence", SelectionList).selected),
                note=self.query_one("#pp-input-verification_note", Input).value,
            )
        except ValidationError as exc:
            show_errors(self, exc.errors)
            other = [m for n, m in exc.errors.items() if not self.query(f"#field-{n}")]
            if other:
                self.notify(" ".join(other), severity="error", title="Not saved")
            return
        except DENIED as exc:
            self.notify(str(exc), severity="error", title="Not saved")
            return
        self.dismiss(saved)

    @on(Button.Pressed, "#pp-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class WithdrawScreen(ModalScreen[int | None]):
    """Withdraw an entry made in error; it stays in the history with the reason."""

    DEFAULT_CSS = DIALOG_CSS.format(name="WithdrawScreen")
    BINDINGS = [
        Binding("ctrl+s", "save", "Withdraw", id="passport-save-withdrawal", priority=True),
        Binding("escape", "cancel", "Cancel", id="passport-cancel-withdrawal"),
    ]

    def __init__(self, hub, entry: Mapping[str, Any]) -> None:
        super().__init__()
        self.hub = hub
        self.entry = entry

    def compose(self) -> ComposeResult:
        with Vertical(classes="pp-dialog -short"):
            yield Label(f"Withdraw: {self.entry['title']}", classes="pp-title")
            yield Static("It leaves the passport and its totals; its history is kept.", classes="pp-note")
            with Vertical(classes="pp-fields"):
                yield FormField("Why", _input("change_reason", "", "e.g. entered for the wrong resident"), name="change_reason", required=True)
            with Horizontal(classes="pp-buttons"):
                yield Button("Withdraw (Ctrl+S)", id="pp-save", variant="error")
                yield Button("Cancel (Esc)", id="pp-cancel")

    def on_mount(self) -> None:
        self.query_one("#pp-input-change_reason").focus()

    @on(Button.Pressed, "#pp-save")
    def action_save(self) -> None:
        try:
            saved = service.withdraw(self.hub, self.entry["id"], reason=self.query_one("#pp-input-change_reason", Input).value)
        except ValidationError as exc:
            show_errors(self, exc.errors)
            return
        except DENIED as exc:
            self.notify(str(exc), severity="error", title="Not saved")
            return
        self.dismiss(saved)

    @on(Button.Pressed, "#pp-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

