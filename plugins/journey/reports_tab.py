"""The Reports tab (site leads): a period's figures, the residents behind each, the monthly chart,
and the de-identified export for evaluators.

The figures are counted in a thread worker on its own database connection, so the kiosk stays
responsive; other plugins' figures are added back on the UI thread. Every action checks
``reports.view`` (and ``data.export`` for the export) in the functions behind it, not only here.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Static

from hub.widgets import DataTable

from hub.api import describe_error
from hub.api import parse_date
from hub.widgets import FormField, show_errors
from hub.api import PermissionDenied
from plugins.journey import service
from plugins.journey.chart import trend_chart
from plugins.journey.dialogs import FigureScreen, _input, plain
from plugins.journey.report import Period, Report


class ReportsTab(Vertical):
    """Outcomes for a period: people engaged, registered, outcomes, referrals, bonuses, jobs, 16-24s."""

    DEFAULT_CSS = """
    ReportsTab { height: 1fr; }
    ReportsTab #rp-controls { height: auto; padding: 0 1; background: $boost; }
    ReportsTab #rp-controls FormField { width: 26; margin: 0 1 0 0; }
    ReportsTab #rp-controls FormField .field-label { width: 6; }
    ReportsTab #rp-controls FormField > .field-error { padding-left: 0; }
    ReportsTab #rp-controls Button { margin-right: 1; }
    ReportsTab #rp-title { height: auto; padding: 0 1; text-style: bold; color: $primary; }
    ReportsTab #rp-body { height: 1fr; }
    ReportsTab #rp-figures { width: 1fr; height: 1fr; }
    ReportsTab #rp-chart-box { width: 66; max-width: 50%; border-left: vkey $primary 30%; padding-left: 1; }
    ReportsTab #rp-chart { height: auto; }
    ReportsTab #rp-status { height: auto; padding: 0 1; color: $text-muted; }
    ReportsTab #rp-status.-warning { color: $warning; }
    ReportsTab #rp-denied { padding: 1 2; color: $warning; height: auto; }
    """

    BINDINGS = [
        Binding("ctrl+r", "run", "Run report", id="journey-run-report"),
        Binding("ctrl+b", "quarter(-1)", "Quarter before", id="journey-report-quarter-before"),
        Binding("ctrl+f", "quarter(1)", "Quarter after", id="journey-report-quarter-after"),
        Binding("ctrl+s", "export('csv')", "Export CSV", id="journey-export-csv"),
        Binding("ctrl+g", "export('json')", "Export JSON", id="journey-export-json"),
    ]

    def __init__(self, hub) -> None:
        super().__init__(id="reports")
        self.hub = hub
        self.period = Period.last_quarter()
        self.report: Report | None = None
        self.last_export = None
        """The folder or file the latest export was written to (for staff and tests)."""

    @property
    def allowed(self) -> bool:
        return bool(self.hub.session and self.hub.session.can("reports.view"))

    def compose(self) -> ComposeResult:
        if not self.allowed:
            yield Static("Reports are for site leads (reports.view). Sign in as a site lead to see them.", id="rp-denied")
            return
        with Horizontal(id="rp-controls"):
            yield FormField("From", _input("from", self.period.start.strftime("%d/%m/%Y"), "dd/mm/yyyy"), name="from")
            yield FormField("To", _input("to", self.period.end.strftime("%d/%m/%Y"), "dd/mm/yyyy"), name="to")
            yield Button("Run ^R", id="rp-run", variant="primary", compact=True)
            yield Button("◂ ^B", id="rp-before", compact=True)
            yield Button("^F ▸", id="rp-after", compact=True)
            yield Button("CSV ^S", id="rp-csv", compact=True)
            yield Button("JSON ^G", id="rp-json", compact=True)
        yield Static("", id="rp-title", markup=False)
        with Horizontal(id="rp-body"):
            table = DataTable(id="rp-figures", cursor_type="row", zebra_stripes=True)
            table.add_column("Figure", key="label", width=46)
            table.add_column("Value", key="value", width=14)
            table.add_column("", key="open", width=2)
            table.add_column("How it is counted", key="note")
            yield table
            with VerticalScroll(id="rp-chart-box"):
                yield Static("", id="rp-chart", markup=False)
        yield Static("Enter on a figure with ▸ lists the residents behind it. Exports are de-identified, with a data "
                     "dictionary.", id="rp-status", markup=False)

    def on_mount(self) -> None:
        if self.allowed:
            self.action_run()
            self.call_after_refresh(self.focus_first)

    def on_show(self) -> None:
        self.call_after_refresh(self.focus_first)

    def focus_first(self) -> None:
        """Keyboard first: the figures (unless the keyboard is already in this tab)."""
        if not self.allowed or self.app.screen is not self.screen:
            return
        if self.app.focused is None or self.app.focused not in self.query("*"):
            self.query_one("#rp-figures", DataTable).focus()

    # -- running -----------------------------------------------------------------------------------

    def read_period(self) -> Period | None:
        controls = self.query_one("#rp-controls")
        errors = {}
        start = parse_date(self.query_one("#jr-input-from", Input).value)
        end = parse_date(self.query_one("#jr-input-to", Input).value)
        if start is None:
            errors["from"] = "Not a date"
        if end is None:
            errors["to"] = "Not a date"
        if start and end and end < start:
            errors["to"] = "Before 'from'"
        show_errors(controls, errors)
        return None if errors else Period(start, end)

    def set_period(self, period: Period) -> None:
        self.period = period
        self.query_one("#jr-input-from", Input).value = period.start.strftime("%d/%m/%Y")
        self.query_one("#jr-input-to", Input).value = period.end.strftime("%d/%m/%Y")

    def status(self, text: str, *, warning: bool = False) -> None:
        widget = self.query_one("#rp-status", Static)
        widget.update(text)
        widget.set_class(warning, "-warning")

    @on(Button.Pressed, "#rp-run")
    @on(Input.Submitted)
    def action_run(self) -> None:
        if not self.allowed:
            return
        period = self.read_period()
        if period is None:
            return
        try:
            self.hub.require("reports.view")
        except PermissionDenied as exc:
            self.status(str(exc), warning=True)
            return
        self.period = period
        self.status(f"Counting {period.label}…")
        self.compute(period, service.outcome_kinds(self.hub))

    @work(thread=True, exclusive=True, group="journey-report", exit_on_error=False)
    def compute(self, period: Period, kinds) -> None:
        """Count on a connection of the worker's own (SQLite connections are not for sharing between threads)."""
        from hub.api import open_database

        encrypted = self.hub.config.hub.encrypted
        try:
            db = open_database(self.hub.database_path, encrypted=encrypted, key=self.hub.database_key() if encrypted else None)
            try:
                report = service.compute_report(self.hub, period, db=db, kinds=kinds)
            finally:
                db.close()
        except Exception as exc:  # shown, never a traceback on the kiosk
            self.app.call_from_thread(self.status, f"The report failed: {describe_error(exc)}", warning=True)
            return
        self.app.call_from_thread(self.show_report, report)

    def show_report(self, report: Report) -> None:
        self.report = service.finish_report(self.hub, report)
        self.query_one("#rp-title", Static).update(f"Outcomes report: {report.period.label}  (people counted once each)")
        table = self.query_one("#rp-figures", DataTable)
        table.clear()
        section = None
        for figure in report.figures:
            if figure.section != section:
                section = figure.section
                table.add_row(Text(section, style="bold"), "", "", "", key=f"section:{section}")
            table.add_row(plain(f"  {figure.label}"), figure.shown(), "▸" if figure.openable and figure.value else "",
                          plain(figure.note), key=figure.key)
        lines = ["People engaged and job starts by month", "", *trend_chart(report.trend, width=64)]
        self.query_one("#rp-chart", Static).update("\n".join(lines))
        problems = f"  Skipped: {'; '.join(report.problems)}" if report.problems else ""
        self.status("Enter on a figure with ▸ lists the residents behind it. ^S CSV, ^G JSON: de-identified, with a "
                    "data dictionary." + problems, warning=bool(problems))

    def action_quarter(self, step: int) -> None:
        if not self.allowed:
            return
        self.set_period(self.period.shift_quarters(step))
        self.action_run()

    @on(Button.Pressed, "#rp-before")
    def before_pressed(self) -> None:
        self.action_quarter(-1)

    @on(Button.Pressed, "#rp-after")
    def after_pressed(self) -> None:
        self.action_quarter(1)

    # -- opening a figure, exporting ---------------------------------------------------------------

    @on(DataTable.RowSelected, "#rp-figures")
    def open_figure(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value
        if self.report is None or key.startswith("section:"):
            return
        figure = self.report.figure(key)
        if not figure.openable:
            self.notify("This figure is not about residents (it counts homes or a rate).", severity="warning")
            return
        try:
            rows = service.open_figure(self.hub, self.report, key)
        except PermissionDenied as exc:
            self.notify(str(exc), severity="error")
            return

        def chosen(resident_id: int | None) -> None:
            if resident_id is not None:
                self.app.select_resident(resident_id)
                self.app.action_show_tab("tab-journey")

        title = f"{figure.label}, {self.report.period.label}: {len(rows)} resident{'s' if len(rows) != 1 else ''}"
        self.app.push_screen(FigureScreen(title, rows), chosen)

    @on(Button.Pressed, "#rp-csv")
    def csv_pressed(self) -> None:
        self.action_export("csv")

    @on(Button.Pressed, "#rp-json")
    def json_pressed(self) -> None:
        self.action_export("json")

    def action_export(self, fmt: str) -> None:
        if self.report is None:
            self.notify("Run the report first (Ctrl+R).", severity="warning")
            return
        try:
            path = service.export_report(self.hub, self.report, fmt)
        except PermissionDenied as exc:
            self.notify(str(exc), severity="error", title="Not exported")
            return
        except OSError as exc:
            self.notify(f"Could not write the export: {exc.strerror}", severity="error")
            return
        self.last_export = path
        self.notify(f"De-identified export saved: {path}", timeout=12)
        self.hub.offer_download(path)  # in a browser (hub serve): downloads it to the device
