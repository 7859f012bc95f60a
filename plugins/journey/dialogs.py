"""Dialogs of the journey tabs: an assessment, a goal, a step, a status change, an outcome, a
sustainment check, linking engagement contacts, and the residents behind a report figure.

They only collect what staff type; the rules are in ``model``/``service``. A rejected save
leaves everything typed in place with the message on the field that needs fixing.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Mapping

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from hub.widgets import DataTable

from hub.api import ValidationError
from hub.widgets import FormField, show_errors
from hub.api import PermissionDenied
from hub.api import DB_ERRORS, StorageError, explain_sqlite_error
from plugins.journey import model, service

DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > .jr-dialog {{ width: 100; max-width: 98%; height: auto; max-height: 95%; border: thick $primary;
    background: $surface; padding: 0 1; }}
{name} > .jr-dialog.-tall {{ height: 95%; }}
{name} .jr-title {{ text-style: bold; color: $primary; margin-bottom: 1; }}
{name} .jr-help {{ color: $text-muted; height: auto; margin-bottom: 1; }}
{name} .jr-fields {{ height: auto; max-height: 30; }}
{name} .jr-dialog.-tall .jr-fields {{ height: 1fr; max-height: 100%; }}
{name} .jr-buttons {{ height: auto; margin-top: 1; }}
{name} .jr-buttons Button {{ margin-right: 2; }}
{name} .jr-error {{ color: $error; height: auto; }}
"""


def plain(value: Any) -> Text:
    """A table cell shown exactly as typed (a '[' in a resident's words is not markup)."""
    return Text("" if value is None else str(value))


def today_uk() -> str:
    return date.today().strftime("%d/%m/%Y")


def uk(iso: str | None) -> str:
    if not iso:
        return ""
    return f"{iso[8:10]}/{iso[5:7]}/{iso[:4]}"


def _input(name: str, value: str = "", placeholder: str = "", **kwargs) -> Input:
    return Input(value=value, placeholder=placeholder, id=f"jr-input-{name}", compact=True, **kwargs)


def _select(name: str, options: Mapping[str, str], value: str | None = None, *, blank: bool = True) -> Select:
    chosen = value if value is not None and value in options else Select.NULL
    return Select([(label, key) for key, label in options.items()], id=f"jr-input-{name}", compact=True,
                  allow_blank=blank, prompt="Choose...", value=chosen)


def _value(select: Select) -> str:
    return select.value if isinstance(select.value, str) else ""


class JourneyDialog(ModalScreen):
    """Shared: Ctrl+S saves, Esc cancels, errors go on their fields (or the dialog's error line)."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="journey-dialog-save", priority=True),
        Binding("escape", "cancel", "Cancel", id="journey-dialog-cancel"),
    ]
    title_text = ""
    tall = False

    def __init__(self, hub) -> None:
        super().__init__()
        self.hub = hub

    def compose(self) -> ComposeResult:
        with Vertical(classes="jr-dialog" + (" -tall" if self.tall else "")):
            yield Label(self.title_text, classes="jr-title", markup=False)
            yield from self.body()
            yield Static("", classes="jr-error", id="jr-dialog-error", markup=False)
            with Horizontal(classes="jr-buttons"):
                yield Button("Save (Ctrl+S)", id="jr-save", variant="primary")
                yield Button("Cancel (Esc)", id="jr-cancel")

    def body(self) -> ComposeResult:
        yield from ()

    def text(self, name: str) -> str:
        return self.query_one(f"#jr-input-{name}", Input).value

    def choice(self, name: str) -> str:
        return _value(self.query_one(f"#jr-input-{name}", Select))

    def show_problems(self, errors: dict[str, str]) -> None:
        fields = {field.field_name for field in self.query(FormField)}
        show_errors(self, errors)
        loose = [message for name, message in errors.items() if name not in fields]
        self.query_one("#jr-dialog-error", Static).update("\n".join(loose))

    def attempt(self, save) -> None:
        try:
            result = save()
        except ValidationError as exc:
            self.show_problems(exc.errors)
            return
        except PermissionDenied as exc:
            self.query_one("#jr-dialog-error", Static).update(str(exc))
            return
        except (*DB_ERRORS, StorageError) as exc:  # busy, full or read-only: say so, keep what was typed
            message = str(exc) if isinstance(exc, StorageError) else explain_sqlite_error(exc, self.hub.database_path)
            self.query_one("#jr-dialog-error", Static).update(f"Nothing was saved. {message}")
            return
        self.dismiss(result)

    @on(Button.Pressed, "#jr-save")
    def save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#jr-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:  # pragma: no cover - each dialog overrides it
        raise NotImplementedError


# -- assessment ------------------------------------------------------------------------------------


class ScoreTable(DataTable):
    """Every barrier and strength in one list: arrow to an area, type its score (0-4), Enter for their words."""

    BINDINGS = [
        *[Binding(str(n), f"score({n})", f"Score {n}", show=False, id=f"journey-score-{n}") for n in range(5)],
        Binding("delete,backspace", "score(-1)", "Clear score", show=False, id="journey-score-clear"),
    ]

    def action_score(self, score: int) -> None:
        self.screen.set_score(score)


class AssessmentScreen(JourneyDialog):
    """A new assessment: every barrier and strength, scored 0-4, with the resident's own words."""

    DEFAULT_CSS = DIALOG_CSS.format(name="AssessmentScreen") + """
    AssessmentScreen #jr-items { height: 1fr; }
    AssessmentScreen #jr-words-label { color: $text-muted; height: 1; margin-top: 1; }
    AssessmentScreen #jr-words { background: $boost; }
    """
    title_text = "New assessment: score what the resident says (blank: not talked about)"
    tall = True

    def __init__(self, hub, resident_id: int, previous: list[dict[str, Any]] | None = None) -> None:
        super().__init__(hub)
        self.resident_id = resident_id
        self.previous = {(item["type"], item["area"]): item["score"] for item in (previous or [])}
        self.areas = [(t, a) for t, areas in model.ITEM_TYPES.items() for a in areas]
        self.scores: dict[tuple[str, str], int] = {}
        self.words: dict[tuple[str, str], str] = {}

    def body(self) -> ComposeResult:
        barrier = ", ".join(f"{k} {v.lower()}" for k, v in model.BARRIER_SCALE.items())
        strength = ", ".join(f"{k} {v.lower()}" for k, v in model.STRENGTH_SCALE.items())
        yield FormField("Date", _input("assessed_on", today_uk(), "day/month/year"), name="assessed_on")
        yield Label(f"Barriers: {barrier}.  Strengths: {strength}.\n"
                    "Arrows choose an area, 0-4 scores it, Del clears it, Enter writes the resident's words.",
                    classes="jr-help")
        table = ScoreTable(id="jr-items", cursor_type="row", zebra_stripes=True)
        table.add_column("Barrier or strength", key="area", width=44)
        table.add_column("Score", key="score", width=18)
        table.add_column("Was", key="was", width=4)
        table.add_column("In their words", key="words")
        for type_, area in self.areas:
            kind = "Barrier" if type_ == "barrier" else "Strength"
            was = self.previous.get((type_, area))
            table.add_row(f"{kind}: {model.ITEM_TYPES[type_][area]}", "", "" if was is None else str(was), "",
                          key=f"{type_}.{area}")
        yield table
        yield Label("", id="jr-words-label")
        yield Input(placeholder="in their words (Enter goes back to the list)", max_length=model.WORDS_LIMIT, compact=True,
                    id="jr-words")
        yield FormField("Note", _input("note", "", "optional: what you agreed"), name="note")

    def on_mount(self) -> None:
        self.query_one("#jr-items", ScoreTable).focus()
        self.show_words_for_cursor()

    def current(self) -> tuple[str, str]:
        table = self.query_one("#jr-items", ScoreTable)
        return self.areas[table.cursor_row]

    def set_score(self, score: int) -> None:
        key = self.current()
        table = self.query_one("#jr-items", ScoreTable)
        if score < 0:
            self.scores.pop(key, None)
            shown = ""
        else:
            self.scores[key] = score
            shown = f"{score} {model.SCALES[key[0]][score].lower()}"
        table.update_cell(f"{key[0]}.{key[1]}", "score", shown)
        if score >= 0 and table.cursor_row < table.row_count - 1:
            table.move_cursor(row=table.cursor_row + 1)

    @on(DataTable.RowHighlighted, "#jr-items")
    def show_words_for_cursor(self) -> None:
        key = self.current()
        self.query_one("#jr-words-label", Label).update(f"In their words: {model.ITEM_TYPES[key[0]][key[1]]}")
        words = self.query_one("#jr-words", Input)
        with words.prevent(Input.Changed):
            words.value = self.words.get(key, "")

    @on(DataTable.RowSelected, "#jr-items")
    def write_words(self) -> None:
        self.query_one("#jr-words", Input).focus()

    @on(Input.Changed, "#jr-words")
    def words_changed(self, event: Input.Changed) -> None:
        key = self.current()
        self.words[key] = event.value
        self.query_one("#jr-items", ScoreTable).update_cell(f"{key[0]}.{key[1]}", "words", plain(event.value))

    @on(Input.Submitted, "#jr-words")
    def words_done(self) -> None:
        table = self.query_one("#jr-items", ScoreTable)
        table.focus()

    def items(self) -> list[model.ItemForm]:
        keys = [key for key in self.areas if key in self.scores or self.words.get(key, "").strip()]
        return [model.ItemForm(t, a, str(self.scores.get((t, a), "")), self.words.get((t, a), "")) for t, a in keys]

    def action_save(self) -> None:
        self.attempt(lambda: service.record_assessment(self.hub, self.resident_id, self.text("assessed_on"), self.items(),
                                                       self.text("note")))

    def show_problems(self, errors: dict[str, str]) -> None:
        named = {}
        for name, message in errors.items():
            type_, _, area = name.partition(".")
            if area and type_ in model.ITEM_TYPES and area in model.ITEM_TYPES[type_]:
                named[name] = f"{model.ITEM_TYPES[type_][area]}: {message}"
            else:
                named[name] = message
        super().show_problems(named)
        first = next((name for name in errors if name.partition(".")[2]), None)
        if first is not None and tuple(first.split(".", 1)) in self.areas:
            table = self.query_one("#jr-items", ScoreTable)
            table.move_cursor(row=self.areas.index(tuple(first.split(".", 1))))
            table.focus()


# -- the action plan -------------------------------------------------------------------------------


class GoalScreen(JourneyDialog):
    DEFAULT_CSS = DIALOG_CSS.format(name="GoalScreen")
    title_text = "New goal"

    def __init__(self, hub, resident_id: int) -> None:
        super().__init__(hub)
        self.resident_id = resident_id

    def body(self) -> ComposeResult:
        yield Label("What the resident wants to achieve, in their words (e.g. 'a job in a warehouse by summer').",
                    classes="jr-help")
        yield FormField("Goal", _input("title", "", max_length=200), name="title", required=True)

    def on_mount(self) -> None:
        self.query_one("#jr-input-title").focus()

    def action_save(self) -> None:
        self.attempt(lambda: service.add_goal(self.hub, self.resident_id, self.text("title")))


def linkable_records(hub, resident_id: int) -> dict[str, str]:
    """The resident's referrals, passport entries and calculations (whatever plugins offer through the
    core's ``linkable_records``), as ``kind:id`` -> description."""
    from plugins.journey.service import linkable

    return {f"{record.kind}:{record.record_id}": f"{record.label} {record.record_id}: {record.description}"
            for record in linkable(hub, resident_id)}


class StepScreen(JourneyDialog):
    DEFAULT_CSS = DIALOG_CSS.format(name="StepScreen")

    def __init__(self, hub, goal: Mapping[str, Any]) -> None:
        super().__init__(hub)
        self.goal = goal
        self.title_text = f"New step towards: {goal['title']}"
        self.links = linkable_records(hub, goal["resident_id"])

    def body(self) -> ComposeResult:
        yield FormField("Step", _input("description", "", "e.g. Send CV to three agencies", max_length=300),
                        name="description", required=True)
        yield FormField("Who does it", _select("owner", model.OWNERS, "resident", blank=False), name="owner", required=True)
        yield FormField("Staff member", _input("owner_staff", "", f"blank: you ({self.hub.staff})"), name="owner_staff")
        yield FormField("Due", _input("due_on", "", "day/month/year"), name="due_on")
        yield FormField("Carried out by", _select("link", self.links) if self.links else
                        Static("Nothing to link yet (referrals, passport entries, calculations).", id="jr-input-link"),
                        name="link_kind")

    def on_mount(self) -> None:
        self.query_one("#jr-input-description").focus()

    def action_save(self) -> None:
        link = self.choice("link") if self.links else ""
        kind, _, number = link.partition(":")
        self.attempt(lambda: service.add_step(self.hub, self.goal["id"], self.text("description"), self.choice("owner"),
                                              self.text("due_on"), owner_staff=self.text("owner_staff"),
                                              link_kind=kind, link_id=number))


class StatusScreen(JourneyDialog):
    """Move a step or a goal on: only the statuses its lifecycle allows next are offered."""

    DEFAULT_CSS = DIALOG_CSS.format(name="StatusScreen")

    def __init__(self, hub, what: str, row: Mapping[str, Any]) -> None:
        super().__init__(hub)
        self.what = what
        self.row = row
        statuses, transitions = ((model.STEP_STATUSES, model.STEP_TRANSITIONS) if what == "step"
                                 else (model.GOAL_STATUSES, model.GOAL_TRANSITIONS))
        self.options = {status: statuses[status] for status in transitions[row["status"]]}
        name = row["description"] if what == "step" else row["title"]
        self.title_text = f"{what.title()}: {name} (now {statuses[row['status']].lower()})"

    def body(self) -> ComposeResult:
        first = next(iter(self.options), None)
        yield FormField("Becomes", _select("status", self.options, first, blank=False), name="status", required=True)
        yield FormField("Note", _input("note", "", "optional: why", max_length=300), name="note")

    def on_mount(self) -> None:
        self.query_one("#jr-input-status").focus()

    def action_save(self) -> None:
        change = service.change_step if self.what == "step" else service.change_goal
        self.attempt(lambda: change(self.hub, self.row["id"], self.choice("status"), self.text("note")))


# -- outcomes and checks ---------------------------------------------------------------------------


class OutcomeScreen(JourneyDialog):
    DEFAULT_CSS = DIALOG_CSS.format(name="OutcomeScreen")
    title_text = "Record an outcome"

    def __init__(self, hub, resident_id: int, kinds: Mapping[str, model.OutcomeKind]) -> None:
        super().__init__(hub)
        self.resident_id = resident_id
        self.kinds = kinds

    def body(self) -> ComposeResult:
        yield Label("Jobs in the work passport count as job starts and sustainment without recording them here.",
                    classes="jr-help")
        yield FormField("Outcome", _select("kind", {k: v.label for k, v in self.kinds.items()}), name="kind", required=True)
        yield Static("", classes="jr-help", id="jr-kind-help")
        yield FormField("Date", _input("outcome_date", today_uk(), "day/month/year"), name="outcome_date", required=True)
        yield FormField("Evidence", _select("evidence", model.OUTCOME_EVIDENCE), name="evidence", required=True)
        yield FormField("Evidence detail", _input("evidence_detail", "", "e.g. payslip dated 28/02", max_length=300),
                        name="evidence_detail")
        yield FormField("Note", _input("note", "", "optional", max_length=2000), name="note")

    def on_mount(self) -> None:
        self.query_one("#jr-input-kind").focus()

    @on(Select.Changed, "#jr-input-kind")
    def kind_changed(self) -> None:
        kind = self.kinds.get(self.choice("kind"))
        self.query_one("#jr-kind-help", Static).update(kind.help if kind else "")

    def action_save(self) -> None:
        self.attempt(lambda: service.record_outcome(self.hub, self.resident_id, self.choice("kind"), self.text("outcome_date"),
                                                    self.choice("evidence"), self.text("evidence_detail"), self.text("note")))


class WithdrawOutcomeScreen(JourneyDialog):
    DEFAULT_CSS = DIALOG_CSS.format(name="WithdrawOutcomeScreen")

    def __init__(self, hub, outcome_id: int, label: str) -> None:
        super().__init__(hub)
        self.outcome_id = outcome_id
        self.title_text = f"Withdraw: {label}"

    def body(self) -> ComposeResult:
        yield Label("The outcome stays in the record, marked withdrawn, and stops counting in reports.", classes="jr-help")
        yield FormField("Why", _input("reason", "", "e.g. recorded for the wrong person", max_length=300), name="reason",
                        required=True)

    def on_mount(self) -> None:
        self.query_one("#jr-input-reason").focus()

    def action_save(self) -> None:
        self.attempt(lambda: service.withdraw_outcome(self.hub, self.outcome_id, self.text("reason")))


class CheckScreen(JourneyDialog):
    """A sustainment check: is the resident still in the job?"""

    DEFAULT_CSS = DIALOG_CSS.format(name="CheckScreen")

    def __init__(self, hub, item: "service.DueItem") -> None:
        super().__init__(hub)
        self.item = item
        self.title_text = f"{item.resident}: {item.text}"

    def body(self) -> ComposeResult:
        yield Label("If they have left, correct the job's end date in their passport too.", classes="jr-help")
        yield FormField("Result", _select("result", model.CHECK_RESULTS, "in_work", blank=False), name="result", required=True)
        yield FormField("Checked on", _input("checked_on", today_uk(), "day/month/year"), name="checked_on", required=True)
        yield FormField("How you know", _select("evidence", model.OUTCOME_EVIDENCE), name="evidence", required=True)
        yield FormField("Note", _input("note", "", "optional", max_length=1000), name="note")

    def on_mount(self) -> None:
        self.query_one("#jr-input-result").focus()

    def action_save(self) -> None:
        item = self.item
        self.attempt(lambda: service.record_check(self.hub, item.resident_id, item.ref, item.weeks or 0, self.choice("result"),
                                                  self.text("checked_on"), self.choice("evidence"), self.text("note")))


# -- engagement ------------------------------------------------------------------------------------


class LinkScreen(ModalScreen[int | None]):
    """Link engagement-log contacts at a home to the resident every tab is working on (or unlink one)."""

    DEFAULT_CSS = DIALOG_CSS.format(name="LinkScreen")
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="journey-link-cancel")]

    def __init__(self, hub, row: Mapping[str, Any], resident_id: int | None, resident_label: str) -> None:
        super().__init__()
        self.hub = hub
        self.row = row
        self.resident_id = resident_id
        self.resident_label = resident_label

    def compose(self) -> ComposeResult:
        with Vertical(classes="jr-dialog"):
            yield Label(f"Contact at {self.row['home_ref']} on {uk(self.row['engaged_on'])}", classes="jr-title", markup=False)
            if self.row["resident_id"] is not None:
                yield Static(f"Linked to resident {self.row['resident_id']}.", classes="jr-help")
            with Horizontal(classes="jr-buttons"):
                if self.resident_id is not None and self.row["resident_id"] is None:
                    yield Button(f"Link to {self.resident_label}", id="jr-link-one", variant="primary")
                    yield Button("Link every unlinked contact at this home", id="jr-link-home")
                if self.row["resident_id"] is not None:
                    yield Button("Unlink", id="jr-unlink", variant="warning")
                yield Button("Cancel (Esc)", id="jr-link-cancel")
            if self.resident_id is None and self.row["resident_id"] is None:
                yield Static("Open the resident on the Residents tab (F1) first, then link.", classes="jr-help")
            yield Static("", classes="jr-error", id="jr-dialog-error")

    def on_mount(self) -> None:
        self.query_one(Button).focus()

    def _do(self, action) -> None:
        try:
            self.dismiss(action())
        except (ValidationError, PermissionDenied) as exc:
            message = "; ".join(exc.errors.values()) if isinstance(exc, ValidationError) else str(exc)
            self.query_one("#jr-dialog-error", Static).update(message)

    @on(Button.Pressed, "#jr-link-one")
    def link_one(self) -> None:
        self._do(lambda: service.link_engagements(self.hub, self.resident_id, engagement_ids=[self.row["id"]]))

    @on(Button.Pressed, "#jr-link-home")
    def link_home(self) -> None:
        self._do(lambda: service.link_engagements(self.hub, self.resident_id, home=self.row["home_ref"]))

    @on(Button.Pressed, "#jr-unlink")
    def unlink(self) -> None:
        self._do(lambda: (service.unlink_engagement(self.hub, self.row["id"]), -1)[1])

    @on(Button.Pressed, "#jr-link-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


# -- reports ---------------------------------------------------------------------------------------


class FigureScreen(ModalScreen[int | None]):
    """The residents behind one report figure; Enter opens one as the current resident."""

    DEFAULT_CSS = DIALOG_CSS.format(name="FigureScreen") + """
    FigureScreen DataTable { height: auto; max-height: 30; }
    """
    BINDINGS = [Binding("escape", "cancel", "Close", id="journey-figure-close")]

    def __init__(self, title: str, rows: list[dict[str, Any]]) -> None:
        super().__init__()
        self.title_text = title
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical(classes="jr-dialog"):
            yield Label(self.title_text, classes="jr-title", markup=False)
            table = DataTable(id="jr-figure-residents", cursor_type="row", zebra_stripes=True)
            table.add_column("Id", key="id", width=6)
            table.add_column("Name", key="name", width=36)
            table.add_column("Registered", key="registered", width=11)
            table.add_column("Status then", key="status", width=24)
            for row in self.rows:
                name = "[erased]" if row["erased"] else row["name"]
                table.add_row(str(row["id"]), plain(name), uk(row["registered_on"]),
                              (row["status_at_registration"] or "").replace("_", " "), key=str(row["id"]))
            yield table
            yield Static("Enter opens the resident (their Journey tab shows the detail). Esc closes.", classes="jr-help")

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()

    @on(DataTable.RowSelected)
    def chosen(self, event: DataTable.RowSelected) -> None:
        row = next((r for r in self.rows if str(r["id"]) == event.row_key.value), None)
        if row is not None and not row["erased"]:
            self.dismiss(row["id"])

    def action_cancel(self) -> None:
        self.dismiss(None)
