"""The Bonus tab: the current resident's checks per scheme in words, their claims and each claim's
history; propose, approve, mark paid, reject, withdraw, reverse; the site's due list; the
monthly report.

Keyboard first: every binding has an id a site can remap in [keymap]; the buttons do the same
with a mouse. The database is only touched on the UI thread, through ``service``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.markup import escape
from textual.widgets import Button, ContentSwitcher, Label, Static

from hub.widgets import DataTable

from hub.widgets import ResidentChanged
from hub.api import display_name, get_resident, parse_date
from hub.api import PermissionDenied
from plugins.bonus import service
from plugins.bonus.rules import FAIL, NOT_YET, PASS, long_date, money
from plugins.bonus.screens import ClaimDialog, Field

STATUS_MARKUP = {PASS: "[$success]✓ pass   [/]", FAIL: "[$error]✗ fail   [/]", NOT_YET: "[$warning]… not yet[/]"}
OVERALL_MARKUP = {"eligible": "$success", "not_yet": "$warning", "not_eligible": "$error"}
VIEWS = {"bonus-resident": "Resident (Ctrl+B)", "bonus-due": "Due list (Ctrl+D)", "bonus-report": "Report (Ctrl+T)"}


class BonusTab(Vertical):
    """Bonus checks and claims for the resident every tab is working on, and the site's lists."""

    DEFAULT_CSS = """
    BonusTab { height: 1fr; }
    BonusTab #bonus-summary { height: auto; padding: 0 1; background: $boost; color: $foreground; text-style: bold; }
    BonusTab #bonus-viewbar { height: 1; padding: 0 1; color: $text-muted; }
    BonusTab #bonus-views { height: 1fr; }
    BonusTab #bonus-resident { height: 1fr; }
    BonusTab #bonus-checks-pane { width: 1fr; padding: 0 1; }
    BonusTab #bonus-checks { height: auto; }
    BonusTab #bonus-claims-pane { width: 60; max-width: 50%; border-left: vkey $primary 30%; padding-left: 1; }
    BonusTab .bonus-heading { text-style: bold; color: $primary; margin-top: 1; }
    BonusTab #bonus-claims { height: auto; max-height: 10; }
    BonusTab .bonus-actions, BonusTab #bonus-report-actions { height: auto; }
    BonusTab .bonus-actions Button, BonusTab #bonus-report-actions Button { min-width: 8; margin-right: 1; }
    BonusTab #bonus-claim-detail { height: auto; }
    BonusTab #bonus-claim-detail.-warning { color: $warning; }
    BonusTab #bonus-history { height: auto; color: $text-muted; }
    BonusTab #bonus-budget { height: auto; margin-top: 1; }
    BonusTab #bonus-budget.-warning { color: $warning; text-style: bold; }
    BonusTab #bonus-due { height: 1fr; padding: 0 1; }
    BonusTab #bonus-due-note { height: auto; color: $text-muted; }
    BonusTab #bonus-due-table { height: 1fr; }
    BonusTab #bonus-report { padding: 0 1; }
    BonusTab #bonus-report-text { height: auto; }
    BonusTab #bonus-status { height: 1; color: $text-muted; padding: 0 1; }
    BonusTab DataTable > .datatable--cursor { text-style: bold; }
    """

    BINDINGS = [
        Binding("ctrl+o", "propose", "Propose claim", id="bonus-propose"),
        Binding("ctrl+a", "approve", "Approve", id="bonus-approve", priority=True),
        Binding("ctrl+y", "pay", "Mark paid", id="bonus-pay", priority=True),
        Binding("ctrl+x", "reject", "Reject", id="bonus-reject", priority=True),
        Binding("ctrl+w", "withdraw", "Withdraw", id="bonus-withdraw", priority=True),
        Binding("ctrl+u", "reverse", "Reverse", id="bonus-reverse", show=False, priority=True),
        Binding("ctrl+b", "view('bonus-resident')", "Resident", id="bonus-show-resident"),
        Binding("ctrl+d", "view('bonus-due')", "Due list", id="bonus-show-due", priority=True),
        Binding("ctrl+t", "view('bonus-report')", "Report", id="bonus-show-report"),
        Binding("left_square_bracket", "month(-1)", "Month before", id="bonus-month-before", show=False),
        Binding("right_square_bracket", "month(1)", "Month after", id="bonus-month-after", show=False),
        Binding("ctrl+e", "save_csv", "Report CSV", id="bonus-report-csv", show=False, priority=True),
    ]

    def __init__(self, hub) -> None:
        super().__init__(id="bonus")
        self.hub = hub
        self.resident_id: int | None = None
        self.logged_view: int | None = None
        self.checks: list = []
        self.claims: dict[str, dict[str, Any]] = {}
        self.due_items: list[service.DueItem] = []
        today = service.current_date()
        self.month = (today.year, today.month)
        self.report = None
        self.last_csv = None
        self._first_show = True

    # -- layout ------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static("", id="bonus-summary", markup=False)
        yield Static("", id="bonus-viewbar")
        with ContentSwitcher(id="bonus-views", initial="bonus-resident"):
            with Horizontal(id="bonus-resident"):
                with VerticalScroll(id="bonus-checks-pane"):
                    yield Static("", id="bonus-checks")
                with Vertical(id="bonus-claims-pane"):
                    yield Label("Claims", classes="bonus-heading")
                    table = DataTable(id="bonus-claims", cursor_type="row", zebra_stripes=True)
                    table.add_column("#", key="id", width=4)
                    table.add_column("Scheme", key="scheme", width=18)
                    table.add_column("Status", key="status", width=16)
                    table.add_column("£", key="amount", width=8)
                    yield table
                    with Horizontal(classes="bonus-actions"):
                        yield Button("Propose ^O", id="bonus-btn-propose", compact=True)
                        yield Button("Approve ^A", id="bonus-btn-approve", compact=True)
                        yield Button("Paid ^Y", id="bonus-btn-pay", compact=True)
                    with Horizontal(classes="bonus-actions"):
                        yield Button("Reject ^X", id="bonus-btn-reject", compact=True)
                        yield Button("Withdraw ^W", id="bonus-btn-withdraw", compact=True)
                        yield Button("Reverse ^U", id="bonus-btn-reverse", compact=True)
                    yield Static("", id="bonus-claim-detail", markup=False)
                    yield Static("", id="bonus-history", markup=False)
                    yield Static("", id="bonus-budget", markup=False)
            with Vertical(id="bonus-due"):
                yield Static("", id="bonus-due-note", markup=False)
                due = DataTable(id="bonus-due-table", cursor_type="row", zebra_stripes=True)
                due.add_column("Resident", key="resident", width=28)
                due.add_column("Scheme", key="scheme", width=24)
                due.add_column("When", key="when", width=30)
                due.add_column("Claim", key="claim", width=22)
                due.add_column("Missing", key="missing")
                yield due
            with VerticalScroll(id="bonus-report"):
                yield Static("", id="bonus-report-text", markup=False)
                with Horizontal(id="bonus-report-actions"):
                    yield Button("◀ Month [", id="bonus-btn-month-before", compact=True)
                    yield Button("Month ] ▶", id="bonus-btn-month-after", compact=True)
                    yield Button("Save CSV ^E", id="bonus-btn-csv", compact=True)
        yield Static("", id="bonus-status", markup=False)

    def on_mount(self) -> None:
        self.show_viewbar()
        self.load(self.hub.current_resident_id)
        self.call_after_refresh(self.focus_claims)

    def focus_claims(self) -> None:
        """Keyboard first: start in the claims list (its keys work from anywhere in the tab)."""
        if self.app.focused is None or self.app.focused not in list(self.query("*")):
            if self.display and self.parent is not None and self.parent.display:
                self.query_one("#bonus-claims").focus()

    def on_show(self) -> None:
        """Back on the tab: the passport may have changed meanwhile, so look again (on_mount did the first look)."""
        if self._first_show:
            self._first_show = False
            return
        self.refresh_view()

    def on_resident_changed(self, message: ResidentChanged) -> None:
        self.load(message.resident_id)

    @property
    def view(self) -> str:
        return self.query_one("#bonus-views", ContentSwitcher).current or "bonus-resident"

    def show_viewbar(self) -> None:
        parts = [f"[b reverse] {label} [/]" if key == self.view else f" {label} " for key, label in VIEWS.items()]
        self.query_one("#bonus-viewbar", Static).update(" ".join(parts))

    def action_view(self, view: str) -> None:
        self.query_one("#bonus-views", ContentSwitcher).current = view
        self.show_viewbar()
        self.refresh_view()
        target = {"bonus-resident": "#bonus-claims", "bonus-due": "#bonus-due-table", "bonus-report": "#bonus-btn-csv"}[view]
        self.query_one(target).focus()

    def refresh_view(self) -> None:
        if self.view == "bonus-resident":
            self.load(self.resident_id)
        elif self.view == "bonus-due":
            self.load_due()
        else:
            self.load_report()

    def status(self, text: str) -> None:
        self.query_one("#bonus-status", Static).update(text)

    # -- the resident --------------------------------------------------------------------------------

    def load(self, resident_id: int | None, *, select: int | None = None) -> None:
        """Re-check and show a resident's bonus checks and claims (the view is logged once per resident)."""
        self.resident_id = resident_id
        summary = self.query_one("#bonus-summary", Static)
        table = self.query_one("#bonus-claims", DataTable)
        table.clear()
        self.claims, self.checks = {}, []
        if resident_id is None:
            summary.update("No resident selected: find one on the Residents tab (F1). The due list (Ctrl+D) shows the whole site.")
            self.query_one("#bonus-checks", Static).update("")
            self.show_claim()
            self.status("Ctrl+D due list · Ctrl+T monthly report")
            return
        try:
            service.recheck_resident(self.hub, resident_id, why="re-checked on the Bonus tab")
            self.checks = service.check_resident(self.hub, resident_id, log_view=self.logged_view != resident_id)
        except (service.BonusError, PermissionDenied) as exc:
            summary.update(str(exc))
            self.query_one("#bonus-checks", Static).update("")
            self.show_claim()
            return
        self.logged_view = resident_id
        resident = get_resident(self.hub.db, resident_id)
        name = display_name(resident) if resident else f"#{resident_id}"
        eligible = [c for c in self.checks if c.status == "eligible"]
        summary.update(f"Bonus checks for {name}: " + (
            f"eligible for {', '.join(c.scheme_name for c in eligible)}" if eligible else
            f"{len(self.checks)} scheme{'s' if len(self.checks) != 1 else ''} checked, none eligible yet"))
        self.query_one("#bonus-checks", Static).update(self.checks_markup())
        for claim in service.claims_for(self.hub, resident_id):
            key = str(claim["id"])
            self.claims[key] = claim
            table.add_row(f"{claim['id']}", claim["scheme_name"], service.STATUS_LABELS[claim["status"]],
                          f"{claim['amount']:,.0f}", key=key)
        if select is not None and str(select) in self.claims:
            table.move_cursor(row=table.get_row_index(str(select)))
        self.show_claim()
        self.status("Ctrl+O propose · Ctrl+A approve · Ctrl+Y paid · Ctrl+X reject · Ctrl+W withdraw · Ctrl+U reverse")

    def checks_markup(self) -> str:
        if not self.checks:
            return "This site runs no bonus schemes (see [plugins.bonus] in the site file)."
        blocks = []
        for check in self.checks:
            colour = OVERALL_MARKUP[check.status]
            lines = [f"[b {colour}]{escape(check.summary())}[/]", f"[dim]rules version {escape(check.rule_version)}[/]"]
            for rule in check.rules:
                lines.append(f"{STATUS_MARKUP[rule.status]} [b]{escape(rule.label)}[/]: {escape(rule.words)}")
            blocks.append("\n".join(lines))
        return "\n\n".join(blocks)

    def selected_claim(self) -> dict[str, Any] | None:
        table = self.query_one("#bonus-claims", DataTable)
        if not self.claims or table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.claims.get(key)

    @on(DataTable.RowHighlighted, "#bonus-claims")
    def claim_highlighted(self) -> None:
        self.show_claim()

    def show_claim(self) -> None:
        claim = self.selected_claim()
        detail = self.query_one("#bonus-claim-detail", Static)
        history = self.query_one("#bonus-history", Static)
        budget_line = self.query_one("#bonus-budget", Static)
        detail.set_class(False, "-warning")
        budget_line.set_class(False, "-warning")
        if claim is None:
            detail.update("No claims yet. Ctrl+O proposes one." if self.resident_id is not None else "")
            history.update("")
            budget_line.update("")
            return
        lines = [f"Claim #{claim['id']}: {claim['scheme_name']}, {money(claim['amount'])}, "
                 f"{service.STATUS_LABELS[claim['status']]}", f"Proposed by {claim['proposed_by']} on {claim['proposed_at'][:10]}"]
        if claim["approved_by"]:
            lines.append(f"Approved by {claim['approved_by']} on {claim['approved_at'][:10]}")
        if claim["paid_on"]:
            lines.append(f"Paid on {long_date(date.fromisoformat(claim['paid_on']))}"
                         + (f", reference {claim['payment_reference']}" if claim["payment_reference"] else ""))
        check = next((c for c in self.checks if c.scheme_id == claim["scheme_id"]), None)
        if claim["status"] in service.OPEN_STATUSES and check is not None and check.status == "not_eligible":
            lines.append("This claim no longer passes: " + " ".join(r.words for r in check.failing)
                         + " Reject (Ctrl+X) or withdraw (Ctrl+W) it, or correct the facts.")
            detail.set_class(True, "-warning")
        detail.update("\n".join(lines))
        history.update("History:\n" + "\n".join(service.history_lines(self.hub, claim["id"])))
        try:
            scheme = service.scheme_by_id(self.hub, claim["scheme_id"])
        except service.BonusError as exc:
            budget_line.update(str(exc))
            return
        budget = service.budget_status(self.hub, scheme, adding=claim["amount"] if claim["status"] == "eligible" else 0)
        warning = budget.warning()
        budget_line.update(warning or budget.line())
        budget_line.set_class(bool(warning), "-warning")

    # -- claim actions -------------------------------------------------------------------------------

    def _need_resident(self) -> bool:
        if self.resident_id is None:
            self.notify("Open a resident on the Residents tab (F1) first.", severity="warning")
            return False
        return True

    def _need_claim(self, action: str) -> dict[str, Any] | None:
        """The selected claim, if the state machine allows ``action`` on it (else say why, as the service would)."""
        if not self._need_resident():
            return None
        claim = self.selected_claim()
        if claim is None:
            self.notify("Choose a claim in the list first (or propose one with Ctrl+O).", severity="warning")
            return None
        problem = service.refusal(claim, action)
        if action == "approve" and claim["status"] in ("potential", "evidence_pending"):
            check = next((c for c in self.checks if c.scheme_id == claim["scheme_id"]), None)
            problem = f"Claim {claim['id']} is {service.STATUS_LABELS[claim['status']]}, not eligible yet" + (
                f": {check.summary()}" if check else ".")
        if problem:
            self.notify(problem, severity="warning", title="Not possible", timeout=10)
            return None
        return claim

    def _allowed(self, permission: str) -> bool:
        try:
            self.hub.require(permission)
        except PermissionDenied as exc:
            self.notify(str(exc), severity="error", title="Not allowed", timeout=8)
            return False
        return True

    def _done(self, message: str):
        def done(result: service.ActionResult | None) -> None:
            if result is None:
                return
            self.load(self.resident_id, select=result.claim_id)
            self.notify(message.format(id=result.claim_id, status=service.STATUS_LABELS[result.status]))
            for warning in result.warnings:
                self.notify(warning, severity="warning", title="Budget", timeout=12)

        return done

    @on(Button.Pressed, "#bonus-btn-propose")
    def action_propose(self) -> None:
        if not self._need_resident():
            return
        choices = {c.scheme_id: f"{c.scheme_name} ({money(c.amount)})" for c in self.checks
                   if c.status != "not_eligible" and c.claim is None}
        if not choices:
            reasons = "; ".join(f"{c.scheme_name}: " + (f"claim #{c.claim.id} is open" if c.claim else
                                                        (c.failing[0].words if c.failing else "no scheme")) for c in self.checks)
            self.notify("No claim can be proposed. " + (reasons or "This site runs no schemes."), severity="warning", timeout=10)
            return
        resident_id = self.resident_id
        note = "\n".join(c.summary() for c in self.checks if c.scheme_id in choices)
        self.app.push_screen(
            ClaimDialog("Propose a bonus claim", note + "\nA different site lead approves it.",
                        [Field("reason", "Note", "e.g. started at Example Care on 2 March")],
                        lambda v: service.propose(self.hub, resident_id, v["scheme"], reason=v["reason"]),
                        confirm="Propose", schemes=choices),
            self._done("Claim #{id} proposed: {status}."),
        )

    @on(Button.Pressed, "#bonus-btn-approve")
    def action_approve(self) -> None:
        claim = self._need_claim("approve")
        if claim is None or not self._allowed("bonus.approve"):
            return
        confirmed = {"over_budget": False}

        def submit(values: dict[str, str]):
            try:
                return service.approve(self.hub, claim["id"], reason=values["reason"],
                                       allow_over_budget=confirmed["over_budget"])
            except service.OverBudget as exc:
                confirmed["over_budget"] = True
                raise service.BonusError(str(exc).replace("Approve again", "Press Ctrl+S again"), "budget") from None

        check = next((c for c in self.checks if c.scheme_id == claim["scheme_id"]), None)
        scheme = None
        try:
            scheme = service.scheme_by_id(self.hub, claim["scheme_id"])
        except service.BonusError:
            pass
        budget = service.budget_status(self.hub, scheme, adding=claim["amount"]) if scheme else None
        note = "\n".join(filter(None, [check.summary() if check else "", budget.line() if budget else "",
                                       f"Proposed by {claim['proposed_by']}; you must not be the proposer."]))
        dialog = ClaimDialog(f"Approve claim #{claim['id']}: {claim['scheme_name']}, {money(claim['amount'])}", note,
                             [Field("reason", "Note", "optional")], submit, confirm="Approve",
                             warning=budget.warning() if budget is not None else None)
        self.app.push_screen(dialog, self._done("Claim #{id} approved."))

    @on(Button.Pressed, "#bonus-btn-pay")
    def action_pay(self) -> None:
        claim = self._need_claim("pay")
        if claim is None or not self._allowed("bonus.approve"):
            return

        def submit(values: dict[str, str]):
            paid_on = parse_date(values["paid_on"]) if values["paid_on"].strip() else None
            if values["paid_on"].strip() and paid_on is None:
                raise service.BonusError("Not a date: write it as day/month/year.", "paid_on")
            return service.mark_paid(self.hub, claim["id"], paid_on=paid_on, reference=values["reference"])

        self.app.push_screen(
            ClaimDialog(f"Mark claim #{claim['id']} paid: {money(claim['amount'])}", "Record the day it was paid.",
                        [Field("paid_on", "Paid on", "day/month/year", service.current_date().strftime("%d/%m/%Y"), required=True),
                         Field("reference", "Payment reference", "e.g. voucher or BACS reference")],
                        submit, confirm="Mark paid"),
            self._done("Claim #{id} marked paid."),
        )

    def _with_reason(self, action: str, title: str, permission: str, run, message: str) -> None:
        claim = self._need_claim(action)
        if claim is None:
            return
        if permission and not self._allowed(permission):
            return
        self.app.push_screen(
            ClaimDialog(f"{title} claim #{claim['id']}: {claim['scheme_name']}", "Say why: it is kept with the claim.",
                        [Field("reason", "Why", "", required=True)],
                        lambda v: run(self.hub, claim["id"], reason=v["reason"]), confirm=title, danger=True),
            self._done(message),
        )

    @on(Button.Pressed, "#bonus-btn-reject")
    def action_reject(self) -> None:
        self._with_reason("reject", "Reject", "bonus.approve", service.reject, "Claim #{id} rejected.")

    @on(Button.Pressed, "#bonus-btn-withdraw")
    def action_withdraw(self) -> None:
        self._with_reason("withdraw", "Withdraw", "", service.withdraw, "Claim #{id} withdrawn.")

    @on(Button.Pressed, "#bonus-btn-reverse")
    def action_reverse(self) -> None:
        self._with_reason("reverse", "Reverse", "bonus.approve", service.reverse, "Claim #{id} reversed.")

    # -- the due list --------------------------------------------------------------------------------

    def load_due(self) -> None:
        """Work the list out in a thread (it reads every resident), then show it here."""
        note = self.query_one("#bonus-due-note", Static)
        try:
            request = service.due_request(self.hub)
        except PermissionDenied as exc:
            note.update(str(exc))
            return
        note.update("Checking every resident…")
        self.compute_due(request)

    @work(thread=True, exclusive=True, group="bonus-due", exit_on_error=False)
    def compute_due(self, request: service.DueRequest) -> None:
        from textual.worker import get_current_worker

        from hub.api import StorageError, open_database

        try:
            db = open_database(self.hub.database_path, encrypted=self.hub.config.hub.encrypted, key=self.hub.database_key())
        except StorageError as exc:
            self.app.call_from_thread(self.query_one("#bonus-due-note", Static).update, str(exc))
            return
        try:
            items = service.due_items(self.hub, request, db)
        finally:
            db.close()
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show_due, items, request)

    def show_due(self, items: list[service.DueItem], request: service.DueRequest) -> None:
        self.hub.log_event(None, "bonus:due")
        self.due_items = items
        table = self.query_one("#bonus-due-table", DataTable)
        table.clear()
        note = self.query_one("#bonus-due-note", Static)
        note.update(f"Eligible now, or due within {request.within_days} days: {len(items)}. Enter opens the resident.")
        names: dict[int, str] = {}
        for index, item in enumerate(self.due_items):
            if item.resident_id not in names:
                resident = get_resident(self.hub.db, item.resident_id)
                names[item.resident_id] = f"#{item.resident_id} {display_name(resident)}" if resident else f"#{item.resident_id}"
            when = f"eligible since {long_date(item.on)}" if item.due == "eligible" else f"due {long_date(item.on)}"
            claim = f"#{item.claim_id} {service.STATUS_LABELS[item.claim_status]}" if item.claim_id else "none yet"
            table.add_row(names[item.resident_id], item.scheme_name, when, claim, ", ".join(item.missing) or "-",
                          key=f"{index}")
        self.status("Enter opens the resident · Ctrl+B back to the resident · Ctrl+T report")

    @on(DataTable.RowSelected, "#bonus-due-table")
    def due_selected(self, event: DataTable.RowSelected) -> None:
        item = self.due_items[int(event.row_key.value)]
        self.app.select_resident(item.resident_id)
        self.action_view("bonus-resident")

    # -- the report ----------------------------------------------------------------------------------

    def load_report(self) -> None:
        from plugins.bonus.report import monthly_report

        text = self.query_one("#bonus-report-text", Static)
        month = f"{self.month[0]:04d}-{self.month[1]:02d}"
        try:
            self.report = monthly_report(self.hub, month)
        except PermissionDenied as exc:
            self.report = None
            text.update(f"{exc}\nSign in as a site lead to see the monthly report.")
            return
        text.update("\n".join(self.report.lines()))
        self.status("[ and ] change month · Ctrl+E saves the CSV · Ctrl+B back to the resident")

    def action_month(self, step: int) -> None:
        if self.view != "bonus-report":
            return
        year, month = self.month
        month += step
        year, month = (year - 1, 12) if month == 0 else (year + 1, 1) if month == 13 else (year, month)
        self.month = (year, month)
        self.load_report()

    @on(Button.Pressed, "#bonus-btn-month-before")
    def month_before(self) -> None:
        self.action_month(-1)

    @on(Button.Pressed, "#bonus-btn-month-after")
    def month_after(self) -> None:
        self.action_month(1)

    @on(Button.Pressed, "#bonus-btn-csv")
    def action_save_csv(self) -> None:
        if self.view != "bonus-report":
            self.action_view("bonus-report")
        if self.report is None:
            self.notify("Only a site lead can save the report.", severity="error")
            return
        path = self.hub.config.data_dir / "exports" / f"bonus-report-{self.report.month}.csv"
        try:
            self.last_csv = self.report.write_csv(path)
        except OSError as exc:
            self.notify(f"Could not write the CSV: {exc.strerror}", severity="error")
            return
        self.notify(f"Report saved: {self.last_csv} ({len(self.report.rows)} rows; readable only by you).", timeout=10)
        self.hub.offer_download(self.last_csv)  # in a browser (hub serve): downloads it to the device
