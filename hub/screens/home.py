"""The residents home: find a resident as you type, open their card, register someone new."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from hub import residents
from hub.context import Hub
from hub.storage import DB_ERRORS, explain_sqlite_error

if TYPE_CHECKING:
    from hub.screens.tables import DataTable


def uk_date(iso: str | None) -> str:
    if not iso:
        return ""
    year, month, day = iso[:10].split("-")
    return f"{day}/{month}/{year}"


class CardLinks(Static):
    """Clickable actions under the card; clicks run the home pane's actions."""

    def action_register(self) -> None:
        self.parent_home().action_register()

    def action_log_contact(self) -> None:
        self.parent_home().action_log_contact()

    def action_consents(self) -> None:
        self.parent_home().action_consents()

    def action_edit_details(self) -> None:
        self.parent_home().action_edit_details()

    def action_export_data(self) -> None:
        self.parent_home().action_export_data()

    def parent_home(self) -> "HomePane":
        return next(node for node in self.ancestors if isinstance(node, HomePane))


class HomePane(Horizontal):
    """Search on the left, the chosen resident's card on the right."""

    AUTO_FOCUS = "#resident-search"
    """Where the keyboard goes whenever staff come back to the residents tab."""

    BINDINGS = [
        Binding("ctrl+n", "register", "New resident", id="new-resident"),
        Binding("ctrl+l", "log_contact", "Log contact", id="log-contact"),
        Binding("ctrl+f", "focus_search", "Find", id="find-resident"),
        Binding("ctrl+g", "consents", "Consent", id="edit-consents", show=False),
        # priority: the search box would otherwise take Ctrl+E as "go to the end"
        Binding("ctrl+e", "edit_details", "Edit details", id="edit-resident", show=False, priority=True),
    ]

    CARD_LINKS_EMPTY = "[@click=register]New resident (Ctrl+N)[/]"
    CARD_LINKS_OPEN = (
        "[@click=register]New resident (Ctrl+N)[/]   [@click=log_contact]Log contact (Ctrl+L)[/]   "
        "[@click=edit_details]Edit details (Ctrl+E)[/]   [@click=consents]Consent (Ctrl+G)[/]"
    )
    CARD_LINK_EXPORT = "   [@click=export_data]Export their data[/]"

    def __init__(self, hub: Hub, **kwargs) -> None:
        super().__init__(**kwargs)
        self.hub = hub
        self.ready = False

    def compose(self) -> ComposeResult:
        with Vertical(id="finder"):
            yield Input(placeholder="Find a resident: name, postcode or date of birth", id="resident-search")
            # The results table is mounted once the database is open (it has nothing to show
            # before), which keeps the DataTable off the first frame: ~10 ms on a 2-core kiosk.
            yield Static("↓ to the list · Enter opens · Ctrl+N registers someone new", id="finder-hint")
        with Vertical(id="resident-card"):
            yield Label("No resident open", id="card-title", markup=False)
            yield Static("Opening the site database…", id="card-details", markup=False)
            # The contact log is mounted when a resident is first opened, keeping startup short.
            # Links rather than Buttons: two Buttons cost ~30 ms of startup on a 2-core kiosk.
            yield CardLinks(self.CARD_LINKS_EMPTY, id="card-links")

    def on_mount(self) -> None:
        self.query_one("#resident-search", Input).focus()

    def results(self) -> "DataTable | None":
        """The search results table (None until the database is open)."""
        found = self.query("#resident-results")
        return found.first() if found else None

    def contact_log(self) -> "DataTable":
        """The contact log table, mounted on first use."""
        from hub.screens.tables import DataTable

        found = self.query("#contact-log")
        if found:
            return found.first(DataTable)
        contacts = DataTable(id="contact-log", cursor_type="row")
        contacts.add_column("Date", key="date", width=10)
        contacts.add_column("Kind", key="kind", width=14)
        contacts.add_column("Note", key="note")
        contacts.add_column("Staff", key="staff", width=12)
        card = self.query_one("#resident-card")
        card.mount(Label("Contacts", id="contacts-title"), contacts, before=self.query_one("#card-links"))
        return contacts

    def storage_ready(self) -> None:
        from hub.screens.tables import DataTable

        results = DataTable(id="resident-results", cursor_type="row", zebra_stripes=True)
        results.add_column("Name", key="name", width=28)
        results.add_column("Born", key="born", width=10)
        results.add_column("Postcode", key="postcode", width=8)
        self.query_one("#finder").mount(results, before="#finder-hint")
        self.ready = True
        self.query_one("#card-details", Static).update("Find a resident on the left, or register someone new.")
        self.run_search("")

    # -- search ----------------------------------------------------------------------------

    @on(Input.Changed, "#resident-search")
    def search_changed(self, event: Input.Changed) -> None:
        if self.ready:
            self.run_search(event.value)

    def run_search(self, text: str) -> None:
        """Show matches as staff type. An empty box lists nobody: a passer-by sees no names."""
        table = self.results()
        if table is None:
            return
        if not text.strip():
            table.clear()
            return
        try:
            rows = residents.search_residents(self.hub.db, text)
        except DB_ERRORS as exc:
            self.notify(explain_sqlite_error(exc, self.hub.database_path), severity="error")
            return
        table.clear()
        for row in rows:
            name = residents.display_name(row)
            if row["postcode"] and not row["in_area"]:
                name += " (out of area)"
            table.add_row(name, uk_date(row["date_of_birth"]), row["postcode"] or "", key=str(row["id"]))

    @on(Input.Submitted, "#resident-search")
    def search_submitted(self) -> None:
        table = self.results()
        if table is None:
            return
        if table.row_count == 1:
            self.open_resident(int(table.coordinate_to_cell_key((0, 0)).row_key.value))
        elif table.row_count:
            table.focus()

    def on_key(self, event) -> None:
        if event.key != "down" or not self.query_one("#resident-search", Input).has_focus:
            return
        table = self.results()
        if table is not None:
            table.focus()
            event.stop()

    def on_data_table_row_selected(self, event) -> None:
        """A row of the results opens that resident (rows of the contact log do nothing)."""
        if event.data_table.id == "resident-results":
            self.open_resident(int(event.row_key.value))

    # -- the card --------------------------------------------------------------------------

    def open_resident(self, resident_id: int) -> None:
        self.app.select_resident(resident_id)
        self.show_card(resident_id)

    def show_card(self, resident_id: int) -> None:
        resident = residents.get_resident(self.hub.db, resident_id)
        if resident is None:
            return
        consents = residents.current_consents(self.hub.db, resident_id)
        born = date.fromisoformat(resident["date_of_birth"]) if resident["date_of_birth"] else None
        age = f" (age {residents.age_on(born, date.today())})" if born else ""
        area = (
            "inside the site's area" if resident["in_area"] else "outside the site's area"
        ) if resident["postcode"] else "no postcode"
        engaged = residents.ENGAGEMENT_KINDS.get(resident["engagement"], resident["engagement"] or "")
        if resident["referred_by"] and resident["engagement"] == "agency_referral":
            engaged += f": {resident['referred_by']}"
        agreed = [key.replace("_", " ") for key, given in consents.items() if given]
        addresses = residents.address_history(self.hub.db, resident_id)
        since = f", here since {uk_date(addresses[-1]['from_date'])}" if len(addresses) > 1 else ""
        lines = [
            f"Born {uk_date(resident['date_of_birth'])}{age}",
            f"Phone {resident['phone'] or '-'}   Email {resident['email'] or '-'}",
            f"{resident['address'] or 'No address'}, {resident['postcode'] or ''} ({area}){since}",
            f"Came to us: {engaged}",
            f"Status when registered: {residents.STATUSES.get(resident['status_at_registration'], '-').split(' (')[0]}",
            f"Registered {uk_date(resident['registered_at'])} by {resident['registered_by']}",
            f"Consent: {', '.join(agreed) or 'none recorded'}",
        ]
        self.query_one("#card-title", Label).update(residents.display_name(resident))
        self.query_one("#card-details", Static).update("\n".join(lines))
        contacts = self.contact_log()
        contacts.clear()
        for contact in residents.contacts_for(self.hub.db, resident_id):
            contacts.add_row(
                uk_date(contact["contact_date"]),
                residents.CONTACT_KINDS.get(contact["kind"], contact["kind"]),
                (contact["note"] or "").replace("\n", " "),
                contact["staff"],
                key=str(contact["id"]),
            )
        can_export = self.hub.session is not None and self.hub.session.can("data.export")
        self.query_one("#card-links", Static).update(self.CARD_LINKS_OPEN + (self.CARD_LINK_EXPORT if can_export else ""))

    def clear(self) -> None:
        """Privacy clear: nothing about any resident stays on screen."""
        search = self.query_one("#resident-search", Input)
        search.value = ""
        self.query_one("#card-title", Label).update("No resident open")
        self.query_one("#card-details", Static).update("Find a resident on the left, or register someone new.")
        self.query("#contact-log, #contacts-title").remove()
        self.query_one("#card-links", Static).update(self.CARD_LINKS_EMPTY)
        table = self.results()
        if table is not None:
            table.clear()
        search.focus()

    # -- actions ---------------------------------------------------------------------------

    def action_register(self) -> None:
        if not self.ready:
            return
        from hub.screens.resident_form import RegisterResidentScreen

        def registered(resident_id: int | None) -> None:
            if resident_id is not None:
                self.query_one("#resident-search", Input).value = ""
                self.open_resident(resident_id)
                self.notify("Resident registered.")

        self.app.push_screen(RegisterResidentScreen(self.hub), registered)

    def action_log_contact(self) -> None:
        resident_id = self.hub.current_resident_id
        if resident_id is None:
            self.notify("Open a resident first.", severity="warning")
            return
        from hub.screens.resident_form import AddContactScreen

        def saved(contact_id: int | None) -> None:
            if contact_id is not None:
                self.show_card(resident_id)
                self.notify("Contact logged.")

        self.app.push_screen(AddContactScreen(self.hub, resident_id), saved)

    def action_edit_details(self) -> None:
        """Correct or update the open resident's details; a move keeps the old address in their history."""
        resident_id = self.hub.current_resident_id
        if resident_id is None:
            self.notify("Open a resident first.", severity="warning")
            return
        from hub.screens.resident_form import EditResidentScreen

        def saved(changed: list[str] | None) -> None:
            if changed:  # the hub announced it: the bar and every tab already show the new details
                self.show_card(resident_id)
                self.run_search(self.query_one("#resident-search", Input).value)
                self.notify("Details saved.")

        self.app.push_screen(EditResidentScreen(self.hub, resident_id), saved)

    def action_consents(self) -> None:
        """Record a change of consent (each purpose keeps its history)."""
        resident_id = self.hub.current_resident_id
        if resident_id is None:
            self.notify("Open a resident first.", severity="warning")
            return
        from hub.screens.resident_form import ConsentScreen

        def saved(changed: bool | None) -> None:
            if changed:
                self.show_card(resident_id)
                self.notify("Consent recorded.")

        self.app.push_screen(ConsentScreen(self.hub, resident_id), saved)

    def action_export_data(self) -> None:
        """Subject access: everything held about this resident, as PDF and JSON (site leads)."""
        from hub.staff import PermissionDenied

        resident_id = self.hub.current_resident_id
        if resident_id is None:
            return
        try:
            self.hub.require("data.export")
        except PermissionDenied as exc:
            self.notify(str(exc), severity="error")
            return
        self.export_worker(resident_id)

    @work(thread=True, exclusive=True, group="subject-access", exit_on_error=False)
    def export_worker(self, resident_id: int) -> None:
        from hub import rights

        folder = self.hub.config.data_dir / "exports"
        try:
            export = rights.subject_access(self.hub, resident_id)
            paths = [rights.write_export(export, folder, fmt=fmt) for fmt in ("pdf", "json")]
            for path in paths:
                self.hub.record_export(resident_id, path, kind="subject-access")  # erasure removes them
        except rights.RightsError as exc:  # refused (a plugin holding their data is not ready) or busy: it says why
            self.app.call_from_thread(self.notify, str(exc), severity="error", title="Nothing was exported", timeout=20)
            return
        except Exception as exc:  # shown to the site lead; the log gets no details
            self.app.call_from_thread(self.notify, f"The export failed: {type(exc).__name__}: {exc}", severity="error")
            return
        warning = " INCOMPLETE: " + "; ".join(export["incomplete"]) if export["incomplete"] else ""
        self.app.call_from_thread(self.notify, f"Saved {paths[0].name} and {paths[1].name} in {folder}.{warning}", timeout=15)
        for path in paths:  # in a browser (hub serve): downloads them to the device
            self.hub.offer_download(path)

    def action_focus_search(self) -> None:
        self.query_one("#resident-search", Input).focus()
