"""The passport tab: the current resident's timeline, totals, this week's work search and
preparation, and one entry's details and history; add, correct, verify, withdraw, export.

Keyboard first (every binding has an id a site can remap in [keymap]); the buttons do the same
with a mouse. Documents are made in a thread worker; the database is only touched here, on
the UI thread.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Label, Static

from hub.widgets import DataTable

from hub.widgets import ResidentChanged
from hub.api import ValidationError
from plugins.passport import service
from plugins.passport.kinds import label_for
from plugins.passport.views import (
    describe,
    format_week,
    history,
    history_lines,
    hours_text,
    timeline,
    totals,
    week_of,
    weekly_summary,
)

def short_dates(entry: dict[str, Any]) -> str:
    """Dates as dd/mm/yy for the narrow timeline column."""
    def short(iso: str) -> str:
        return f"{iso[8:10]}/{iso[5:7]}/{iso[2:4]}"

    start = short(entry["start_date"])
    if entry["ongoing"]:
        return f"{start} - now"
    if not entry.get("end_date") or entry["end_date"] == entry["start_date"]:
        return start
    return f"{start} - {short(entry['end_date'])}"


LEVEL_SHORT = {"self_declared": "Self", "staff_witnessed": "Witnessed", "document_seen": "Document", "provider_confirmed": "Confirmed"}


class PassportTab(Vertical):
    """The work passport of the resident every tab is working on."""

    AUTO_FOCUS = "#pp-timeline"
    """The hub gives this widget the keyboard when staff open the tab."""

    DEFAULT_CSS = """
    PassportTab { height: 1fr; }
    PassportTab #pp-summary { height: auto; color: $foreground; text-style: bold; padding: 0 1; background: $boost; }
    PassportTab #pp-body { height: 1fr; }
    PassportTab #pp-left { width: 1fr; padding-right: 1; }
    PassportTab #pp-timeline { height: 1fr; }
    PassportTab #pp-actions { height: auto; }
    PassportTab #pp-actions Button { min-width: 0; margin-right: 1; }
    PassportTab #pp-right { width: 46; max-width: 45%; border-left: vkey $primary 30%; padding-left: 1; }
    PassportTab .pp-heading { text-style: bold; color: $primary; margin-top: 1; }
    PassportTab #pp-detail, PassportTab #pp-history, PassportTab #pp-week { height: auto; }
    PassportTab #pp-history { color: $text-muted; }
    PassportTab #pp-status { height: 1; color: $text-muted; padding: 0 1; }
    PassportTab #pp-status.-warning { color: $warning; }
    PassportTab DataTable > .datatable--cursor { text-style: bold; }
    """

    BINDINGS = [
        Binding("ctrl+n", "add", "Add entry", id="passport-add"),
        Binding("ctrl+e", "correct", "Correct", id="passport-correct", priority=True),
        Binding("ctrl+t", "verify", "Verify", id="passport-verify"),
        Binding("delete", "withdraw", "Withdraw", id="passport-withdraw"),
        Binding("ctrl+d", "export('pdf')", "Print PDF", id="passport-pdf", priority=True),
        Binding("ctrl+g", "export('json')", "Signed JSON", id="passport-json"),
        Binding("left_square_bracket", "week(-1)", "Week before", id="passport-week-before", show=False),
        Binding("right_square_bracket", "week(1)", "Week after", id="passport-week-after", show=False),
    ]

    def __init__(self, hub) -> None:
        super().__init__(id="passport")
        self.hub = hub
        self.kinds = service.kinds_for(hub)
        self.resident_id: int | None = None
        self.entries: dict[str, dict[str, Any]] = {}
        self.week_day = date.today()
        self.last_export: tuple[str, Any, str] | None = None
        """(format, path, code) of the latest document written, for staff and tests."""

    def compose(self) -> ComposeResult:
        yield Static("", id="pp-summary")
        with Horizontal(id="pp-body"):
            with Vertical(id="pp-left"):
                table = DataTable(id="pp-timeline", cursor_type="row", zebra_stripes=True)
                table.add_column("When", key="when", width=19)
                table.add_column("What", key="title", width=24)
                table.add_column("Checked", key="level", width=9)
                table.add_column("Hours", key="hours", width=9)
                table.add_column("Kind", key="kind", width=19)
                yield table
                with Horizontal(id="pp-actions"):
                    yield Button("Add ^N", id="pp-add", compact=True)
                    yield Button("Correct ^E", id="pp-correct", compact=True)
                    yield Button("Verify ^T", id="pp-verify", compact=True)
                    yield Button("Withdraw", id="pp-withdraw", compact=True)
                    yield Button("PDF ^D", id="pp-pdf", compact=True)
                    yield Button("JSON ^G", id="pp-json", compact=True)
            with VerticalScroll(id="pp-right"):
                yield Label("Entry", classes="pp-heading")
                yield Static("", id="pp-detail")
                yield Static("", id="pp-history")
                yield Label("This week ([ and ] change week)", classes="pp-heading", markup=False)
                yield Static("", id="pp-week")
        yield Static("", id="pp-status")

    def on_mount(self) -> None:
        self.load(self.hub.current_resident_id)
        # Built on first visit: take the keyboard (after the app has moved focus into the pane).
        self.call_after_refresh(self.focus_timeline)

    def focus_timeline(self) -> None:
        """Give the timeline the keyboard, unless a dialog is open or staff have moved elsewhere."""
        if self.screen is not self.app.screen:
            return
        focused = self.app.focused
        if focused is None or type(focused).__name__ == "Tabs" or self in focused.ancestors_with_self:
            self.query_one("#pp-timeline", DataTable).focus()

    def on_resident_changed(self, message: ResidentChanged) -> None:
        self.week_day = date.today()
        self.load(message.resident_id)

    # -- showing -----------------------------------------------------------------------------------

    def load(self, resident_id: int | None, *, select: int | None = None) -> None:
        """Show a resident's passport (logging the view once per resident)."""
        if resident_id is not None and resident_id != self.resident_id:
            service.log_view(self.hub, resident_id)
        self.resident_id = resident_id
        table = self.query_one("#pp-timeline", DataTable)
        table.clear()
        self.entries = {}
        if resident_id is None:
            self.query_one("#pp-summary", Static).update("No resident selected: find one on the Residents tab (F1).")
            self.query_one("#pp-detail", Static).update("")
            self.query_one("#pp-history", Static).update("")
            self.query_one("#pp-week", Static).update("")
            self.show_status()
            return
        entries = timeline(self.hub.db, resident_id)
        for entry in entries:
            key = str(entry["root_id"])
            self.entries[key] = entry
            table.add_row(short_dates(entry), entry["title"], LEVEL_SHORT.get(entry["verification_level"], "?"),
                          hours_text(entry), label_for(entry["kind"], self.kinds), key=key)
        summary = totals(entries)
        head = f"Work passport: {summary.entries} entr{'y' if summary.entries == 1 else 'ies'}  ·  " + "\n".join(summary.lines())
        self.query_one("#pp-summary", Static).update(head)
        if select is not None and str(select) in self.entries:
            table.move_cursor(row=table.get_row_index(str(select)))
        self.show_detail()
        self.show_week()
        self.show_status()

    def selected(self) -> dict[str, Any] | None:
        table = self.query_one("#pp-timeline", DataTable)
        if not self.entries or table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.entries.get(key)

    @on(DataTable.RowHighlighted, "#pp-timeline")
    def row_highlighted(self) -> None:
        self.show_detail()

    def show_detail(self) -> None:
        entry = self.selected()
        detail = self.query_one("#pp-detail", Static)
        past = self.query_one("#pp-history", Static)
        if entry is None:
            detail.update("No entries yet. Ctrl+N adds one." if self.resident_id is not None else "")
            past.update("")
            return
        detail.update("\n".join(f"{label}: {value}" for label, value in describe(entry, self.kinds)))
        past.update("History:\n" + "\n".join(history_lines(history(self.hub.db, entry["root_id"]))))

    def show_week(self) -> None:
        summary = weekly_summary(list(self.entries.values()), self.week_day)
        self.query_one("#pp-week", Static).update("\n".join(format_week(summary, self.kinds)))

    def show_status(self) -> None:
        status = self.query_one("#pp-status", Static)
        key_ready = service.key_path(self.hub).exists()
        signing = "Signing key ready." if key_ready else "No signing key yet: a site lead runs `hub passport keygen` before signed JSON exports."
        status.update(f"{signing}  Del withdraws an entry made in error; corrections keep the history.")
        status.set_class(not key_ready, "-warning")

    def action_week(self, step: int) -> None:
        day = self.week_day + timedelta(days=7 * step)
        if week_of(day)[0] > week_of(date.today())[0]:
            return
        self.week_day = day
        self.show_week()

    # -- changing ----------------------------------------------------------------------------------

    def _need_resident(self) -> bool:
        if self.resident_id is None:
            self.notify("Open a resident on the Residents tab (F1) first.", severity="warning")
            return False
        return True

    def _need_entry(self) -> dict[str, Any] | None:
        if not self._need_resident():
            return None
        entry = self.selected()
        if entry is None:
            self.notify("Choose an entry in the list first.", severity="warning")
        return entry

    def _saved(self, message: str):
        def done(version_id: int | None) -> None:
            if version_id is None:
                return
            from plugins.passport.storage import get_version

            saved = get_version(self.hub.db, version_id)
            self.load(self.resident_id, select=saved["root_id"] if saved else None)
            self.notify(message)

        return done

    @on(Button.Pressed, "#pp-add")
    def action_add(self) -> None:
        from plugins.passport.screens import EntryScreen

        if self._need_resident():
            self.app.push_screen(EntryScreen(self.hub, self.kinds, self.resident_id), self._saved("Added to the passport."))

    @on(Button.Pressed, "#pp-correct")
    def action_correct(self) -> None:
        from plugins.passport.screens import EntryScreen

        entry = self._need_entry()
        if entry is not None:
            self.app.push_screen(EntryScreen(self.hub, self.kinds, self.resident_id, entry),
                                 self._saved("Corrected: the earlier version is kept in the history."))

    @on(Button.Pressed, "#pp-verify")
    def action_verify(self) -> None:
        from plugins.passport.screens import VerifyScreen

        entry = self._need_entry()
        if entry is not None:
            self.app.push_screen(VerifyScreen(self.hub, entry), self._saved("Verification recorded."))

    @on(Button.Pressed, "#pp-withdraw")
    def action_withdraw(self) -> None:
        from plugins.passport.screens import WithdrawScreen

        entry = self._need_entry()
        if entry is not None:
            self.app.push_screen(WithdrawScreen(self.hub, entry), self._saved("Withdrawn: it stays in the history."))

    # -- exporting ---------------------------------------------------------------------------------

    @on(Button.Pressed, "#pp-pdf")
    def export_pdf_pressed(self) -> None:
        self.action_export("pdf")

    @on(Button.Pressed, "#pp-json")
    def export_json_pressed(self) -> None:
        self.action_export("json")

    def action_export(self, fmt: str) -> None:
        from plugins.passport.export import iso_now
        from plugins.passport.signing import KeyFileError

        if not self._need_resident():
            return
        try:
            prepared = service.prepare_export(self.hub, self.resident_id, fmt)
        except (ValidationError, KeyFileError, *service.permission_errors()) as exc:
            self.notify(str(exc), severity="error", title="Not exported", timeout=10)
            return
        self.notify("Making the passport…" if fmt == "pdf" else "Signing the passport…", timeout=2)
        self.write_document(prepared, iso_now())

    @work(thread=True, group="passport-export", exit_on_error=False)
    def write_document(self, prepared: service.Prepared, issued_at: str) -> None:
        """Render or sign off the UI thread, write the file, then register it on the UI thread."""
        from plugins.passport.export import write_bytes

        try:
            built = service.build_document(prepared, issued_at)
            path = service.default_export_path(self.hub, prepared, issued_at)
            write_bytes(path, built.content)
            self.hub.record_export(prepared.data.resident_id, path, kind="passport")  # erasure removes it
        except OSError as exc:
            self.app.call_from_thread(self.notify, f"Could not write the passport: {exc.strerror}", severity="error")
            return
        self.app.call_from_thread(self.exported, prepared, built, path)

    def exported(self, prepared: service.Prepared, built: service.Built, path) -> None:
        service.register(self.hub, prepared, built)
        self.last_export = (prepared.fmt, path, built.code)
        what = "Passport PDF" if prepared.fmt == "pdf" else "Signed passport (JSON)"
        self.notify(f"{what} saved: {path}\nDocument code {built.code}", timeout=12)
        self.hub.offer_download(path)  # in a browser (hub serve): downloads it to the device
