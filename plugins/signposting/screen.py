"""The Signposting tab: find a service by what the resident needs and where they live, see why it
matched and how fresh the listing is, refer them, and follow referrals up.

The screen only renders: search, referrals, slips and sync live in directory.py.
"""

from __future__ import annotations

import datetime as dt

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static, TextArea

from hub.widgets import DataTable

from hub.widgets import ResidentChanged
from hub.widgets import FormField
from plugins.signposting import directory
from plugins.signposting.referrals import KINDS, STATUSES, ReferralError

NEARBY = "near"
REMOTE_ROW_PREFIX = "remote:"


def uk_date(value) -> str:
    if not value:
        return "-"
    text = str(value)[:10]
    try:
        return dt.date.fromisoformat(text).strftime("%d/%m/%Y")
    except ValueError:
        return text


class SignpostingTab(Vertical):
    """Search the local directory and manage the current resident's referrals."""

    DEFAULT_CSS = """
    SignpostingTab { height: 1fr; }
    SignpostingTab #sp-search-row { height: 1; margin-bottom: 1; }
    SignpostingTab #sp-search-row Input { background: $boost; }
    SignpostingTab #sp-text { width: 2fr; margin-right: 1; }
    SignpostingTab #sp-near { width: 14; margin-right: 1; }
    SignpostingTab #sp-need { width: 30; margin-right: 1; }
    SignpostingTab #sp-open { width: 14; border: none; padding: 0; height: 1; }
    SignpostingTab #sp-body { height: 1fr; }
    SignpostingTab #sp-results { width: 3fr; height: 1fr; }
    SignpostingTab #sp-detail { width: 2fr; padding: 0 1; border-left: vkey $primary 30%; }
    SignpostingTab #sp-notes { color: $text-muted; height: auto; }
    SignpostingTab #sp-status { color: $text-muted; height: 1; }
    SignpostingTab .sp-title { text-style: bold; color: $primary; }
    SignpostingTab #sp-referrals { height: auto; max-height: 9; }
    SignpostingTab #sp-detail-text { height: auto; }
    """

    BINDINGS = [
        Binding("ctrl+o", "refer", "Refer", id="signposting-refer"),
        Binding("ctrl+d", "slip", "Slip (PDF)", id="signposting-slip", priority=True),
        Binding("ctrl+u", "update_referral", "Update referral", id="signposting-update-referral", priority=True),
        Binding("ctrl+b", "report_problem", "Report listing", id="signposting-report-problem"),
        Binding("ctrl+y", "sync", "Sync", id="signposting-sync", priority=True),
        Binding("ctrl+e", "followups", "Follow-ups", id="signposting-followups", priority=True),
        Binding("ctrl+a", "about", "About", id="signposting-about", priority=True),
    ]

    def __init__(self, hub) -> None:
        super().__init__(id="signposting")
        self.hub = hub
        self.results: dict[str, object] = {}
        self._search_timer = None
        self.ready = False

    def compose(self) -> ComposeResult:
        needs = [(need.label, need.key) for need in directory.catalogue(self.hub)]
        with Horizontal(id="sp-search-row"):
            yield Input(placeholder="What are they looking for? e.g. debt, food bank, ESOL", id="sp-text", compact=True)
            yield Input(placeholder="Postcode", id="sp-near", compact=True)
            yield Select(needs, prompt="Any need", id="sp-need", compact=True)
            yield Checkbox("Open now", id="sp-open")
        with Horizontal(id="sp-body"):
            results = DataTable(id="sp-results", cursor_type="row", zebra_stripes=True)
            results.add_column("Service", key="name", width=34)
            results.add_column("Distance", key="distance", width=10)
            results.add_column("Hours", key="hours", width=18)
            results.add_column("Checked", key="checked", width=10)
            yield results
            with VerticalScroll(id="sp-detail"):
                yield Static("Search for a service; pick one to see why it matched.", id="sp-detail-text", markup=False)
                yield Label("This resident's referrals (Ctrl+U to update)", classes="sp-title")
                referrals = DataTable(id="sp-referrals", cursor_type="row")
                referrals.add_column("Made", key="made", width=10)
                referrals.add_column("Service", key="service", width=22)
                referrals.add_column("Status", key="status", width=12)
                referrals.add_column("Follow up", key="follow", width=10)
                yield referrals
        yield Static("", id="sp-notes", markup=False)
        yield Static("", id="sp-status", markup=False)

    def on_mount(self) -> None:
        self.prefill_postcode()
        self.refresh_referrals()
        self.show_sync_status()
        self.ready = True
        self.run_search()

    # -- searching ---------------------------------------------------------------------------

    def prefill_postcode(self) -> None:
        resident = self.hub.current_resident()
        self.query_one("#sp-near", Input).value = (resident or {}).get("postcode") or ""

    @on(Input.Changed, "#sp-text, #sp-near")
    @on(Select.Changed, "#sp-need")
    @on(Checkbox.Changed, "#sp-open")
    def search_changed(self, event) -> None:
        event.stop()
        if not self.ready:
            return
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(0.15, self.run_search)  # one search per pause in typing

    def run_search(self) -> None:
        text = self.query_one("#sp-text", Input).value
        near = self.query_one("#sp-near", Input).value.strip() or None
        need = self.query_one("#sp-need", Select).value
        needs = (need,) if isinstance(need, str) else ()
        open_now = self.query_one("#sp-open", Checkbox).value
        try:
            found = directory.search(  # hours are always shown; "Open now" only filters
                self.hub, text, near=near, needs=needs, open_at=dt.datetime.now(), open_only=open_now,
            )
        except ValueError as exc:  # a postcode it cannot read, a need it does not know
            self.query_one("#sp-notes", Static).update(f"Check the search: {exc}")
            return
        self.show_results(found)

    def show_results(self, found) -> None:
        table = self.query_one("#sp-results", DataTable)
        table.clear()
        self.results = {}
        for result in found.local:
            self._add_row(table, result, result.key)
        if found.remote:
            table.add_row("— Phone and online services —", "", "", "", key="heading:remote")
            for result in found.remote:
                self._add_row(table, result, REMOTE_ROW_PREFIX + result.key)
        notes = list(found.notes)
        if found.origin is not None:
            notes.insert(0, f"Distances from {found.origin.label}.")
        if not found.local and not found.remote:
            notes.insert(0, "No services match. Try fewer words, another need, or untick Open now.")
        self.query_one("#sp-notes", Static).update("  ".join(notes))
        if table.row_count:
            self.show_detail(table.coordinate_to_cell_key((0, 0)).row_key.value)

    def _add_row(self, table: DataTable, result, row_key: str) -> None:
        self.results[row_key] = result
        hours = result.opening.label if result.opening else ("phone/online" if result.remote else "")
        name = result.name + (" (stale)" if result.stale else "")
        table.add_row(name, result.distance_text if not result.remote else "-", hours, uk_date(result.last_checked), key=row_key)

    @on(DataTable.RowHighlighted, "#sp-results")
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_detail(event.row_key.value)

    def show_detail(self, row_key: str | None) -> None:
        result = self.results.get(row_key or "")
        panel = self.query_one("#sp-detail-text", Static)
        if result is None:
            panel.update("Search for a service; pick one to see why it matched.")
            return
        panel.update(detail_content(result))

    def selected(self):
        table = self.query_one("#sp-results", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.results.get(key)

    # -- the resident --------------------------------------------------------------------------

    def on_resident_changed(self, message: ResidentChanged) -> None:
        self.prefill_postcode()
        self.refresh_referrals()

    def refresh_referrals(self) -> None:
        from plugins.signposting.referrals import referrals_for

        table = self.query_one("#sp-referrals", DataTable)
        table.clear()
        if self.hub.current_resident_id is None:
            return
        for referral in referrals_for(self.hub.db, self.hub.current_resident_id):
            table.add_row(
                uk_date(referral.get("created_at")),
                referral.get("service_name") or "?",
                referral.get("status_label", referral.get("status")),
                uk_date(referral.get("follow_up_on")),
                key=str(referral["id"]),
            )

    # -- actions -----------------------------------------------------------------------------

    def action_refer(self) -> None:
        result = self.selected()
        if result is None:
            self.notify("Pick a service first.", severity="warning")
            return
        if self.hub.current_resident_id is None:
            self.notify("Open a resident on the Residents tab (F1) to refer them.", severity="warning")
            return

        def done(referral_id: int | None) -> None:
            if referral_id is not None:
                self.refresh_referrals()
                self.notify("Referral recorded; a follow-up date is set.")

        self.app.push_screen(ReferDialog(self.hub, result), done)

    def action_update_referral(self) -> None:
        table = self.query_one("#sp-referrals", DataTable)
        if not table.row_count:
            self.notify("This resident has no referrals yet.", severity="warning")
            return
        referral_id = int(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

        def done(changed: bool | None) -> None:
            if changed:
                self.refresh_referrals()

        self.app.push_screen(ReferralStatusDialog(self.hub, referral_id), done)

    def action_slip(self) -> None:
        result = self.selected()
        if result is None:
            self.notify("Pick a service first.", severity="warning")
            return
        resident = self.hub.current_resident() or {}
        self.write_slip(result.key, resident.get("preferred_name") or "", getattr(result, "service_at_location_key", None))

    @work(thread=True, exclusive=True, group="signposting-slip", exit_on_error=False)
    def write_slip(self, service_key: str, preferred_name: str, location_key: str | None) -> None:
        folder = self.hub.config.data_dir / "printouts"
        try:
            data = directory.service_slip(self.hub, service_key, preferred_name=preferred_name, service_at_location_key=location_key)
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"service-slip-{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}.pdf"
            path.write_bytes(data)
            if self.hub.current_resident_id is not None:
                self.hub.record_export(self.hub.current_resident_id, path, kind="slip")  # erasure removes it
        except Exception as exc:
            self.app.call_from_thread(self.notify, f"Could not write the slip: {type(exc).__name__}: {exc}", severity="error")
            return
        self.app.call_from_thread(self.notify, f"Slip saved: {path}", timeout=10)
        self.hub.offer_download(path)  # in a browser (hub serve): downloads it to the device

    def action_report_problem(self) -> None:
        result = self.selected()
        if result is None:
            self.notify("Pick a service first.", severity="warning")
            return
        self.app.push_screen(ProblemDialog(self.hub, result))

    def action_sync(self) -> None:
        self.query_one("#sp-status", Static).update("Syncing the directory…")
        self.sync_worker()

    @work(thread=True, exclusive=True, group="signposting-sync", exit_on_error=False)
    def sync_worker(self) -> None:
        from hub.api import open_database

        # Its own connection: the sync writes in long transactions off the UI thread.
        db = open_database(self.hub.database_path, encrypted=self.hub.config.hub.encrypted)
        try:
            worker_hub = self.hub.using_database(db)
            summary = directory.describe_sync(directory.sync(worker_hub))
        except Exception as exc:
            summary = f"Sync failed: {type(exc).__name__}: {exc}. What was stored before is unchanged."
        finally:
            db.close()
        self.app.call_from_thread(self.sync_finished, summary)

    def sync_finished(self, summary: str) -> None:
        self.notify(summary, title="Directory sync", timeout=10)
        self.show_sync_status()
        self.run_search()

    def show_sync_status(self) -> None:
        try:
            statuses = directory.sync_status(self.hub)
        except Exception:  # status is a nicety; never stop the tab for it
            return
        self.query_one("#sp-status", Static).update("Sources: " + " · ".join(status.describe() for status in statuses))

    def action_followups(self) -> None:
        self.app.push_screen(FollowUpsDialog(self.hub))

    def action_about(self) -> None:
        text = directory.about_text(self.hub)
        try:
            quality = directory.data_quality(self.hub)
        except Exception:  # the summary is a help, never a reason the About screen fails
            quality = {}
        if quality:
            lines = ["Data quality (warnings by kind, with examples)"]
            for source, summary in quality.items():
                lines.append(f"{source}: " + "\n".join(summary.lines()))
            text += "\n\n" + "\n".join(lines)
        self.app.push_screen(AboutDialog(text))


def detail_content(result) -> Content:
    """The detail pane for one result. Feed text goes in as plain text (never parsed as markup:
    "[@click=app.quit]" or "[$text-error on $error]" in a listing show as written); only our
    own labels carry styles."""
    parts: list = [(str(result.name), "bold")]

    def line(*pieces) -> None:
        parts.append("\n")
        parts.extend(str(p) if isinstance(p, str) else p for p in pieces)

    if result.organisation and result.organisation != result.name:
        line(result.organisation)
    if result.description:
        line(result.description[:400])
    line()
    if result.address:
        line("Where: ", result.address, *((f" ({result.distance_text})",) if not result.remote else ()))
    if result.phones:
        line("Phone: ", ", ".join(str(p) for p in result.phones))
    if result.email:
        line("Email: ", result.email)
    if result.url:
        line("Web: ", result.url)
    if result.opening:
        line("Hours: ", result.opening.label, *((f" ({result.opening.reason})",) if result.opening.reason else ()))
    line(result.freshness if result.freshness else f"Last checked: {uk_date(result.last_checked)}")
    if result.reasons:
        line()
        line("Why it is here: ", "; ".join(str(r) for r in result.reasons))
    for warning in result.warnings:
        line((f"! {warning}", "$warning"))
    line()
    line("Ctrl+O refer or signpost · Ctrl+D slip to take away · Ctrl+B report a problem with this listing")
    return Content.assemble(*parts)


class ReferDialog(ModalScreen[int | None]):
    """Record a signpost or referral for the current resident."""

    BINDINGS = [Binding("ctrl+s", "save", "Save", id="refer-save", priority=True), Binding("escape", "cancel", "Cancel", id="refer-cancel")]

    def __init__(self, hub, result) -> None:
        super().__init__()
        self.hub = hub
        self.result = result

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Refer to {self.result.name}", classes="dialog-title", markup=False)
            kinds = [(label, key) for key, label in KINDS.items()]
            yield FormField("Kind", Select(kinds, value="signpost", allow_blank=False, id="refer-kind", compact=True), name="kind")
            yield FormField("Note (what was agreed)", TextArea(id="refer-note"), name="note")
            yield Static("Warm handovers and formal referrals share their details: they need the resident's consent to sharing.", classes="field-label")
            yield Static("", id="refer-error", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (Ctrl+S)", id="save", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        kind = self.query_one("#refer-kind", Select).value
        try:
            referral_id = directory.refer(
                self.hub, self.hub.current_resident_id, self.result.key, kind=str(kind),
                note=self.query_one("#refer-note", TextArea).text,
                needs=tuple(getattr(self.result, "needs_matched", ()) or ()),
                service_at_location_key=getattr(self.result, "service_at_location_key", None),
            )
        except ReferralError as exc:
            self.query_one("#refer-error", Static).update(str(exc))
            return
        self.dismiss(referral_id)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class ReferralStatusDialog(ModalScreen[bool]):
    """Move a referral on: sent, accepted or declined (with a reason), attended, outcome."""

    BINDINGS = [Binding("ctrl+s", "save", "Save", id="referral-status-save", priority=True), Binding("escape", "cancel", "Cancel", id="referral-status-cancel")]

    def __init__(self, hub, referral_id: int) -> None:
        super().__init__()
        self.hub = hub
        self.referral_id = referral_id

    def compose(self) -> ComposeResult:
        from plugins.signposting.referrals import get_referral

        referral = get_referral(self.hub.db, self.referral_id)
        options = [(STATUSES.get(status, status), status) for status in referral["allowed_next"]]
        with Vertical(classes="dialog"):
            yield Label(f"Referral to {referral.get('service_name') or '?'}: {referral['status_label']}", classes="dialog-title",
                        markup=False)
            if options:
                yield FormField("New status", Select(options, value=options[0][1], allow_blank=False, id="status-next", compact=True), name="status")
                yield FormField("Reason (if declined) or outcome", Input(id="status-text", compact=True), name="text")
            else:
                yield Static("This referral is finished: nothing more to record.")
            yield Static("", id="status-error", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (Ctrl+S)", id="save", variant="primary", disabled=not options)
                yield Button("Cancel (Esc)", id="cancel")

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        found = self.query("#status-next")
        if not found:
            return
        status = str(found.first(Select).value)
        text = self.query_one("#status-text", Input).value
        try:
            directory.change_referral(self.hub, self.referral_id, status,
                                      reason=text if status == "declined" else "", outcome=text if status != "declined" else "")
        except ReferralError as exc:
            self.query_one("#status-error", Static).update(str(exc))
            return
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)


class ProblemDialog(ModalScreen[None]):
    """Tell the site lead a listing is wrong (closed, moved, new number)."""

    BINDINGS = [Binding("ctrl+s", "save", "Save", id="problem-save", priority=True), Binding("escape", "dismiss", "Cancel", id="problem-cancel")]

    def __init__(self, hub, result) -> None:
        super().__init__()
        self.hub = hub
        self.result = result

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Report a problem with {self.result.name}", classes="dialog-title", markup=False)
            yield FormField("What is wrong?", TextArea(id="problem-text"), name="problem")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (Ctrl+S)", id="save", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        text = self.query_one("#problem-text", TextArea).text.strip()
        if not text:
            self.query_one("FormField").set_error("Say what is wrong, e.g. 'closed on Fridays now'.")
            return
        directory.report_problem(self.hub, self.result.key, text)
        self.app.notify("Thank you: the site lead will check the listing.")
        self.dismiss(None)

    @on(Button.Pressed, "#cancel")
    def cancel(self) -> None:
        self.dismiss(None)


class FollowUpsDialog(ModalScreen[None]):
    """Referrals whose follow-up date has come, across the site."""

    BINDINGS = [Binding("escape", "dismiss", "Close", id="followups-close")]

    def __init__(self, hub) -> None:
        super().__init__()
        self.hub = hub

    def compose(self) -> ComposeResult:
        due = directory.followups_due(self.hub)
        with Vertical(classes="dialog"):
            yield Label(f"Follow-ups due ({len(due)})", classes="dialog-title", markup=False)
            table = DataTable(cursor_type="row", id="followups-table")
            table.add_columns("Resident", "Service", "Status", "Due", "Overdue")
            for item in due:
                table.add_row(item.get("resident", "?"), item.get("service_name") or "?",
                              item.get("status_label", item.get("status", "")), uk_date(item.get("follow_up_on")), f"{item.get('days_overdue', 0)} days")
            yield table
            yield Button("Close (Esc)", id="close")

    @on(Button.Pressed, "#close")
    def close(self) -> None:
        self.dismiss(None)


class AboutDialog(ModalScreen[None]):
    """Where the directory's data comes from, with the attributions the licences ask for."""

    BINDINGS = [Binding("escape", "dismiss", "Close", id="about-close")]

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("About the directory", classes="dialog-title")
            with VerticalScroll():
                yield Static(self.text, id="about-text", markup=False)
            yield Button("Close (Esc)", id="close")

    @on(Button.Pressed, "#close")
    def close(self) -> None:
        self.dismiss(None)
