"""The Journey tab: the current resident's assessments (with distance travelled), action plan and
outcomes, and, for every member of staff, the steps and sustainment checks due across residents.

Keyboard first: every binding has an id a site can remap in [keymap]; Tab moves between the
lists. Only the UI thread touches the database here.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Label, Static

from hub.widgets import DataTable

from hub.widgets import ResidentChanged
from hub.api import PermissionDenied
from plugins.journey import model, service, spells, storage
from plugins.journey.dialogs import (
    AssessmentScreen,
    CheckScreen,
    GoalScreen,
    OutcomeScreen,
    StatusScreen,
    StepScreen,
    WithdrawOutcomeScreen,
    plain,
    uk,
)

SOURCES = {"recorded": "Recorded", "passport": "Passport", "check": "Check"}


class JourneyTab(Vertical):
    """Assessment, action plan and outcomes for the resident every tab is working on."""

    DEFAULT_CSS = """
    JourneyTab { height: 1fr; }
    JourneyTab #jr-summary { height: auto; padding: 0 1; background: $boost; color: $foreground; text-style: bold; }
    JourneyTab #jr-body { height: 1fr; }
    JourneyTab #jr-left { width: 1fr; padding-right: 1; }
    JourneyTab #jr-right { width: 56; max-width: 40%; border-left: vkey $primary 30%; padding-left: 1; }
    JourneyTab .jr-heading { text-style: bold; color: $primary; margin-top: 1; }
    JourneyTab .jr-sub { color: $text-muted; height: auto; }
    JourneyTab DataTable { height: auto; max-height: 16; }
    JourneyTab #jr-due { max-height: 100%; height: 1fr; }
    JourneyTab DataTable:focus > .datatable--cursor { text-style: bold; }
    JourneyTab #jr-status { height: 1; color: $text-muted; padding: 0 1; }
    """

    BINDINGS = [
        Binding("ctrl+n", "assess", "New assessment", id="journey-new-assessment"),
        Binding("ctrl+g", "goal", "New goal", id="journey-new-goal"),
        Binding("ctrl+b", "step", "New step", id="journey-new-step"),
        Binding("ctrl+t", "status", "Change status", id="journey-change-status"),
        Binding("ctrl+o", "outcome", "Record outcome", id="journey-new-outcome"),
        Binding("ctrl+y", "check", "Sustainment check", id="journey-check", priority=True),
        Binding("delete", "withdraw", "Withdraw outcome", id="journey-withdraw-outcome", show=False),
        Binding("left_square_bracket", "assessment(-1)", "Earlier assessment", id="journey-assessment-before", show=False),
        Binding("right_square_bracket", "assessment(1)", "Later assessment", id="journey-assessment-after", show=False),
    ]

    def __init__(self, hub) -> None:
        super().__init__(id="journey")
        self.hub = hub
        self.resident_id: int | None = None
        self.assessments: list[dict[str, Any]] = []
        self.shown_assessment = -1
        self.plan: dict[str, dict[str, Any]] = {}
        self.outcomes: dict[str, Any] = {}
        self.due: dict[str, service.DueItem] = {}

    def compose(self) -> ComposeResult:
        yield Static("", id="jr-summary", markup=False)
        with Horizontal(id="jr-body"):
            with VerticalScroll(id="jr-left"):
                yield Label("Assessment ([ and ] for earlier and later)", classes="jr-heading", markup=False)
                yield Static("", id="jr-assessment-head", classes="jr-sub", markup=False)
                table = DataTable(id="jr-assessment", cursor_type="row", zebra_stripes=True)
                table.add_column("Barrier or strength", key="area", width=34)
                table.add_column("Score", key="score", width=16)
                table.add_column("Before", key="before", width=6)
                table.add_column("Change", key="change", width=8)
                table.add_column("In their words", key="words")
                yield table
                yield Label("Action plan", classes="jr-heading")
                plan = DataTable(id="jr-plan", cursor_type="row", zebra_stripes=True)
                plan.add_column("Goal / step", key="what", width=34)
                plan.add_column("Who", key="who", width=14)
                plan.add_column("Due", key="due", width=12)
                plan.add_column("Status", key="status", width=13)
                plan.add_column("Carried out by", key="link")
                yield plan
                yield Label("Outcomes (Del withdraws one recorded in error)", classes="jr-heading")
                outcomes = DataTable(id="jr-outcomes", cursor_type="row", zebra_stripes=True)
                outcomes.add_column("Date", key="date", width=10)
                outcomes.add_column("Outcome", key="kind", width=30)
                outcomes.add_column("From", key="source", width=9)
                outcomes.add_column("Evidence", key="evidence")
                yield outcomes
            with Vertical(id="jr-right"):
                yield Label("Due for staff (Enter opens; Ctrl+Y records a check)", classes="jr-heading")
                due = DataTable(id="jr-due", cursor_type="row", zebra_stripes=True)
                due.add_column("Due", key="due", width=12)
                due.add_column("Resident", key="resident", width=18)
                due.add_column("What", key="what")
                yield due
        yield Static("^N assessment · ^G goal · ^B step · ^T status · ^O outcome · ^Y check · Tab moves between lists",
                     id="jr-status")

    def on_mount(self) -> None:
        self.load(self.hub.current_resident_id)
        self.call_after_refresh(self.focus_first)

    def on_show(self) -> None:
        """Back on this tab: keep the keyboard here (the app may have found nothing to focus yet)."""
        self.call_after_refresh(self.focus_first)

    def focus_first(self) -> None:
        """Keyboard first: the resident's assessment, or with nobody open, what is due."""
        if not self.display or self.app.screen is not self.screen:
            return
        if self.app.focused is None or self.app.focused not in self.query("*"):
            self.query_one("#jr-assessment" if self.resident_id is not None else "#jr-due", DataTable).focus()

    def on_resident_changed(self, message: ResidentChanged) -> None:
        self.load(message.resident_id)

    # -- showing -----------------------------------------------------------------------------------

    def load(self, resident_id: int | None) -> None:
        if resident_id is not None and resident_id != self.resident_id:
            self.hub.log_event(resident_id, "journey:view")
        self.resident_id = resident_id
        self.kinds = service.outcome_kinds(self.hub)
        if resident_id is None:
            self.assessments = []
            self.query_one("#jr-summary", Static).update("No resident selected: find one on the Residents tab (F1). "
                                                         "The list on the right shows what is due for everyone.")
        else:
            self.assessments = storage.assessments_for(self.hub.db, resident_id)
        self.shown_assessment = len(self.assessments) - 1
        self.show_assessment()
        self.show_plan()
        self.show_outcomes()
        self.show_due()
        if resident_id is not None:
            self.show_summary()

    def show_summary(self) -> None:
        resident = self.hub.current_resident() if self.hub.current_resident_id == self.resident_id else None
        from hub.api import get_resident

        resident = resident or get_resident(self.hub.db, self.resident_id)
        parts = [f"Registered {uk(resident['registered_at'][:10])}"]
        status = resident.get("status_at_registration")
        if status:
            parts[0] += f" ({status.replace('_', ' ')})"
        contacts = storage.engagements_for(self.hub.db, self.resident_id)
        if contacts:
            parts.append(f"first contacted {uk(contacts[0]['engaged_on'])} ({len(contacts)} contact"
                         f"{'s' if len(contacts) != 1 else ''} before registering)")
        if len(self.assessments) >= 2:
            travelled = model.distance(self.assessments[0]["items"], self.assessments[-1]["items"])
            parts.append(f"distance travelled {travelled.describe()}")
        open_steps = sum(1 for goal in self.plan.values() if goal.get("_step") and goal["status"] in model.OPEN_STEP_STATUSES)
        parts.append(f"{open_steps} open step{'s' if open_steps != 1 else ''}")
        count = len(self.outcomes)
        parts.append(f"{count} outcome{'s' if count != 1 else ''}" if count else "no outcomes yet")
        self.query_one("#jr-summary", Static).update("  ·  ".join(parts))

    def show_assessment(self) -> None:
        table = self.query_one("#jr-assessment", DataTable)
        table.clear()
        head = self.query_one("#jr-assessment-head", Static)
        if self.resident_id is None:
            head.update("")
            return
        if not self.assessments:
            head.update("No assessment yet. Ctrl+N starts one: score each barrier and strength with the resident.")
            return
        index = self.shown_assessment
        current = self.assessments[index]
        previous = self.assessments[index - 1] if index > 0 else None
        text = f"Assessment {index + 1} of {len(self.assessments)}, {uk(current['assessed_on'])}, by {current['recorded_by']}"
        if previous is not None:
            text += f".  Since {uk(previous['assessed_on'])}: {model.distance(previous['items'], current['items']).describe()}"
        if index > 0:
            text += f".  Since the first: {model.distance(self.assessments[0]['items'], current['items']).describe()}"
        if current.get("note"):
            text += f"\nNote: {current['note']}"
        head.update(text)
        before = {(i["type"], i["area"]): i["score"] for i in previous["items"]} if previous else {}
        for item in current["items"]:
            scale = model.SCALES[item["type"]]
            was = before.get((item["type"], item["area"]))
            change = ""
            if was is not None:
                better = model.AreaChange(item["type"], item["area"], was, item["score"]).better
                change = f"+{better}" if better > 0 else (str(better) if better < 0 else "same")
            kind = "Barrier" if item["type"] == "barrier" else "Strength"
            label = model.ITEM_TYPES[item["type"]].get(item["area"], item["area"])
            table.add_row(f"{kind}: {label}", f"{item['score']} {scale[item['score']].lower()}",
                          "" if was is None else str(was), change, plain(item["words"]), key=f"{item['type']}.{item['area']}")

    def show_plan(self) -> None:
        table = self.query_one("#jr-plan", DataTable)
        table.clear()
        self.plan = {}
        if self.resident_id is None:
            return
        for goal in storage.plan_for(self.hub.db, self.resident_id):
            key = f"goal-{goal['id']}"
            self.plan[key] = goal
            table.add_row(plain(f"▸ {goal['title']}"), "", "", model.GOAL_STATUSES[goal["status"]], "", key=key)
            for step in goal["steps"]:
                key = f"step-{step['id']}"
                self.plan[key] = {**step, "_step": True}
                who = "Resident" if step["owner"] == "resident" else (step["owner_staff"] or "Staff")
                overdue = step["due_on"] and step["status"] in model.OPEN_STEP_STATUSES and step["due_on"] < date.today().isoformat()
                table.add_row(plain(f"    {step['description']}"), plain(who), uk(step["due_on"]) + (" !" if overdue else ""),
                              model.STEP_STATUSES[step["status"]],
                              plain(service.describe_link(self.hub, step["link_kind"], step["link_id"])), key=key)

    def show_outcomes(self) -> None:
        table = self.query_one("#jr-outcomes", DataTable)
        table.clear()
        self.outcomes = {}
        if self.resident_id is None:
            return
        for index, event in enumerate(service.resident_outcomes(self.hub, self.resident_id)):
            key = f"{event.source}-{event.ref}-{event.kind}-{index}"
            self.outcomes[key] = event
            label = self.kinds[event.kind].label if event.kind in self.kinds else event.kind
            evidence = model.OUTCOME_EVIDENCE.get(event.evidence or "", "")
            if event.source == "passport":
                evidence = f"passport entry {event.ref}"
            elif event.source == "check":
                evidence = f"sustainment check (entry {event.ref})"
            table.add_row(event.on.strftime("%d/%m/%Y"), plain(label), SOURCES.get(event.source, event.source), plain(evidence),
                          key=key)

    def show_due(self) -> None:
        table = self.query_one("#jr-due", DataTable)
        table.clear()
        self.due = {}
        try:
            items = service.due_list(self.hub)
        except PermissionDenied:
            return
        today = date.today()
        for item in items:
            key = f"{item.what}-{item.ref}-{item.weeks or 0}"
            self.due[key] = item
            when = uk(item.due_on.isoformat()) + (" !" if item.due_on < today else "")
            table.add_row(when, plain(item.resident), plain(item.text), key=key)

    # -- helpers -----------------------------------------------------------------------------------

    def _need_resident(self) -> bool:
        if self.resident_id is None:
            self.notify("Open a resident on the Residents tab (F1) first.", severity="warning")
            return False
        return True

    def _highlighted(self, table_id: str, rows: dict[str, Any]) -> Any | None:
        table = self.query_one(table_id, DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return rows.get(key)

    def _reload(self, message: str):
        def done(result) -> None:
            if result is None:
                return
            self.load(self.resident_id)
            self.notify(message)

        return done

    # -- actions -----------------------------------------------------------------------------------

    def action_assess(self) -> None:
        if self._need_resident():
            previous = self.assessments[-1]["items"] if self.assessments else []
            self.app.push_screen(AssessmentScreen(self.hub, self.resident_id, previous), self._reload("Assessment saved."))

    def action_assessment(self, step: int) -> None:
        if not self.assessments:
            return
        self.shown_assessment = max(0, min(len(self.assessments) - 1, self.shown_assessment + step))
        self.show_assessment()

    def action_goal(self) -> None:
        if self._need_resident():
            self.app.push_screen(GoalScreen(self.hub, self.resident_id), self._reload("Goal added."))

    def _goal_for_step(self) -> dict[str, Any] | None:
        row = self._highlighted("#jr-plan", self.plan)
        if row is None:
            return None
        if row.get("_step"):
            return next((g for g in self.plan.values() if not g.get("_step") and g["id"] == row["goal_id"]), None)
        return row

    def action_step(self) -> None:
        if not self._need_resident():
            return
        goal = self._goal_for_step()
        if goal is None:
            self.notify("Add a goal first (Ctrl+G), then choose it in the action plan.", severity="warning")
            return
        self.app.push_screen(StepScreen(self.hub, goal), self._reload("Step added."))

    def action_status(self) -> None:
        if not self._need_resident():
            return
        row = self._highlighted("#jr-plan", self.plan)
        if row is None:
            self.notify("Choose a goal or step in the action plan first.", severity="warning")
            return
        self.app.push_screen(StatusScreen(self.hub, "step" if row.get("_step") else "goal", row), self._reload("Status changed."))

    def action_outcome(self) -> None:
        if self._need_resident():
            self.app.push_screen(OutcomeScreen(self.hub, self.resident_id, self.kinds), self._reload("Outcome recorded."))

    def action_withdraw(self) -> None:
        if not self._need_resident():
            return
        event = self._highlighted("#jr-outcomes", self.outcomes)
        if event is None:
            return
        if event.source != "recorded":
            thing = "training entry" if event.kind == spells.TRAINING_KIND else "job"
            self.notify(f"This outcome comes from the passport: correct the {thing} there.", severity="warning")
            return
        label = self.kinds[event.kind].label if event.kind in self.kinds else event.kind
        self.app.push_screen(WithdrawOutcomeScreen(self.hub, event.ref, f"{label} on {event.on.strftime('%d/%m/%Y')}"),
                             self._reload("Outcome withdrawn."))

    def action_check(self) -> None:
        item = self._highlighted("#jr-due", self.due)
        if item is None or item.what != "check":
            self.notify("Choose a sustainment check in the 'Due for staff' list first.", severity="warning")
            return
        self.app.push_screen(CheckScreen(self.hub, item), self._reload("Sustainment check recorded."))

    @on(DataTable.RowSelected, "#jr-due")
    def open_due(self, event: DataTable.RowSelected) -> None:
        item = self.due.get(event.row_key.value)
        if item is None:
            return
        if item.resident_id != self.hub.current_resident_id:
            self.app.select_resident(item.resident_id)
            if self.resident_id != item.resident_id:  # the app tells built tabs; make sure this one shows it
                self.load(item.resident_id)
        if item.what == "check":
            self.app.push_screen(CheckScreen(self.hub, item), self._reload("Sustainment check recorded."))
