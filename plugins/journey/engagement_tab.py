"""The Engagement tab: the door-knocking and outreach log, quick to fill in on a round.

One line per contact: date, kind, the home (an address reference: never a person's name or
details) and what happened. After saving, the date, kind and outcome stay and the cursor goes
back to the home, so a round of twenty doors is twenty short entries. Typing a home shows every
earlier contact there. Ctrl+L links contacts to the resident every tab is working on.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Select, Static

from hub.widgets import DataTable

from hub.widgets import ResidentChanged
from hub.api import ValidationError, display_name
from hub.widgets import FormField, show_errors
from hub.api import PermissionDenied
from hub.api import DB_ERRORS, StorageError, explain_sqlite_error
from plugins.journey import model, service, storage
from plugins.journey.dialogs import LinkScreen, _input, _select, _value, plain, today_uk, uk


class EngagementTab(Vertical):
    """Log contacts with homes on the estate, and link them to residents once they register."""

    DEFAULT_CSS = """
    EngagementTab { height: 1fr; }
    EngagementTab #en-form { height: auto; padding: 0 1; background: $boost; }
    EngagementTab #en-form FormField { width: 1fr; margin: 0 1 0 0; }
    EngagementTab #en-form FormField .field-label { width: 9; }
    EngagementTab #en-form FormField > .field-error { padding-left: 0; }
    EngagementTab #field-home_ref { width: 2fr; }
    EngagementTab #en-save { min-width: 14; }
    EngagementTab #en-summary { height: auto; padding: 0 1; color: $text-muted; }
    EngagementTab #en-table { height: 1fr; }
    EngagementTab #en-status { height: 1; padding: 0 1; color: $text-muted; }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save contact", id="journey-save-engagement"),
        Binding("ctrl+l", "link", "Link to resident", id="journey-link-engagement"),
        Binding("ctrl+r", "clear_home", "All homes", id="journey-engagement-all"),
    ]

    def __init__(self, hub) -> None:
        super().__init__(id="engagement")
        self.hub = hub
        self.rows: dict[str, dict[str, Any]] = {}

    def compose(self) -> ComposeResult:
        with Horizontal(id="en-form"):
            yield FormField("Date", _input("engaged_on", today_uk(), "dd/mm/yyyy"), name="engaged_on")
            yield FormField("Kind", _select("kind", model.ENGAGEMENT_KINDS, "door_knock", blank=False), name="kind")
            yield FormField("Home", _input("home_ref", "", "e.g. 12 Kestrel Walk, or property code", max_length=60),
                            name="home_ref")
            yield FormField("Outcome", _select("outcome", model.ENGAGEMENT_OUTCOMES, None), name="outcome")
            yield Button("Save ^S", id="en-save", variant="primary", compact=True)
        yield Static("", id="en-summary", markup=False)
        table = DataTable(id="en-table", cursor_type="row", zebra_stripes=True)
        table.add_column("Date", key="date", width=10)
        table.add_column("Kind", key="kind", width=10)
        table.add_column("Home", key="home", width=36)
        table.add_column("Outcome", key="outcome", width=12)
        table.add_column("Linked to", key="linked")
        yield table
        yield Static("Record the home, never a person's name or number. ^S saves · ^L links a contact to the open "
                     "resident · ^R shows every home", id="en-status")

    def on_mount(self) -> None:
        self.refresh_rows()
        self.call_after_refresh(self.focus_first)

    def on_show(self) -> None:
        self.call_after_refresh(self.focus_first)

    def focus_first(self) -> None:
        """Keyboard first: the home, ready for the next door (unless the keyboard is already in this tab)."""
        if self.app.screen is not self.screen:
            return
        if self.app.focused is None or self.app.focused not in [*self.query(Input), *self.query(Select), *self.query(DataTable)]:
            self.query_one("#jr-input-home_ref", Input).focus()

    def on_resident_changed(self, message: ResidentChanged) -> None:
        self.refresh_rows()

    # -- showing -----------------------------------------------------------------------------------

    def home_text(self) -> str:
        return self.query_one("#jr-input-home_ref", Input).value

    def refresh_rows(self) -> None:
        home = self.home_text()
        rows = storage.recent_engagements(self.hub.db, home=home)
        table = self.query_one("#en-table", DataTable)
        table.clear()
        self.rows = {}
        names = self._names({row["resident_id"] for row in rows if row["resident_id"] is not None})
        for row in rows:
            key = str(row["id"])
            self.rows[key] = row
            linked = names.get(row["resident_id"], "") if row["resident_id"] is not None else ""
            table.add_row(uk(row["engaged_on"]), model.ENGAGEMENT_KINDS.get(row["kind"], row["kind"]), plain(row["home_ref"]),
                          model.ENGAGEMENT_OUTCOMES.get(row["outcome"], row["outcome"]), plain(linked), key=key)
        summary = self.query_one("#en-summary", Static)
        if home.strip():
            if rows:
                last = rows[0]
                summary.update(f"{len(rows)} earlier contact{'s' if len(rows) != 1 else ''} at homes matching "
                               f"'{home.strip()}'; last {uk(last['engaged_on'])}: "
                               f"{model.ENGAGEMENT_OUTCOMES[last['outcome']].lower()}.")
            else:
                summary.update(f"No earlier contact at '{home.strip()}'.")
        else:
            summary.update(f"The latest {len(rows)} contacts. Type a home to see its history.")

    def _names(self, ids: set[int]) -> dict[int, str]:
        if not ids:
            return {}
        ordered = sorted(ids)
        return {row["id"]: f"{display_name(row)} ({row['id']})" for row in self.hub.db.query(
            f"select id, name, preferred_name from residents where id in ({', '.join('?' for _ in ordered)})", ordered)}

    @on(Input.Changed, "#jr-input-home_ref")
    def home_changed(self) -> None:
        self.refresh_rows()

    @on(Input.Submitted, "#jr-input-home_ref")
    def home_submitted(self) -> None:
        self.query_one("#jr-input-outcome", Select).focus()

    # -- actions -----------------------------------------------------------------------------------

    @on(Button.Pressed, "#en-save")
    def action_save(self) -> None:
        form = self.query_one("#en-form")
        try:
            service.log_engagement(
                self.hub, self.query_one("#jr-input-engaged_on", Input).value,
                _value(self.query_one("#jr-input-kind", Select)), self.home_text(),
                _value(self.query_one("#jr-input-outcome", Select)),
            )
        except ValidationError as exc:
            show_errors(form, exc.errors)
            return
        except PermissionDenied as exc:
            self.notify(str(exc), severity="error")
            return
        except (*DB_ERRORS, StorageError) as exc:
            message = str(exc) if isinstance(exc, StorageError) else explain_sqlite_error(exc, self.hub.database_path)
            self.notify(f"Nothing was saved. {message}", severity="error", title="Could not save", timeout=15)
            return
        show_errors(form, {})
        saved = self.home_text().strip()
        home = self.query_one("#jr-input-home_ref", Input)
        home.value = ""
        home.focus()
        self.refresh_rows()
        self.notify(f"Saved: {saved}.", timeout=2)

    def action_clear_home(self) -> None:
        self.query_one("#jr-input-home_ref", Input).value = ""
        self.refresh_rows()

    def action_link(self) -> None:
        table = self.query_one("#en-table", DataTable)
        if table.row_count == 0:
            self.notify("No contact to link: type the home to find its contacts.", severity="warning")
            return
        row = self.rows.get(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        if row is None:
            return
        resident = self.hub.current_resident()
        label = display_name(resident) if resident else ""

        def done(result) -> None:
            if result is None:
                return
            self.refresh_rows()
            self.notify("Unlinked." if result == -1 else f"Linked {result} contact{'s' if result != 1 else ''}.")

        self.app.push_screen(LinkScreen(self.hub, row, self.hub.current_resident_id, label), done)
