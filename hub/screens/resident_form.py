"""Dialogs for registering a resident and logging a contact. They validate every field
through the domain functions in hub.residents and never lose what staff typed on error."""

from __future__ import annotations

from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static, TextArea

from hub import residents
from hub.context import Hub
from hub.screens.forms import FormField, show_errors, text_input
from hub.versions import StaleEdit
from hub.storage import DB_ERRORS, StorageError, explain_sqlite_error


def detail_fields(values: residents.ResidentDetails) -> ComposeResult:
    """The personal-detail fields registering and editing both show, filled in from ``values``."""
    yield FormField("Full name", text_input("name", "e.g. Aisha Rahman", value=values.name, max_length=120), name="name", required=True)
    yield FormField("Preferred name", text_input("preferred_name", "what they like to be called", value=values.preferred_name, max_length=60), name="preferred_name")
    yield FormField("Date of birth", text_input("date_of_birth", "day/month/year, e.g. 31/01/1990", value=values.date_of_birth), name="date_of_birth", required=True)
    yield FormField("Phone", text_input("phone", "e.g. 07700 900123", value=values.phone), name="phone")
    yield FormField("Email", text_input("email", "e.g. name@example.com", value=values.email), name="email")
    yield FormField("Address", text_input("address", "house number and street", value=values.address, max_length=300), name="address")
    yield FormField("Postcode", text_input("postcode", "e.g. M40 7AB (empty if none)", value=values.postcode), name="postcode")


def typed_details(screen) -> dict[str, str]:
    """What is in the detail fields now, by field name (for a ResidentDetails form)."""
    return {name: screen.query_one(f"#input-{name}", Input).value for name in residents.DETAIL_FIELDS}


def area_note(postcode: str | None, area: list[str], *, outside: str = "") -> str:
    """The line under the postcode: inside or outside the site's area (empty for no postcode)."""
    from hub.postcodes import in_area

    if postcode is None:
        return ""
    if in_area(postcode, area):
        return f"{postcode} is inside the site's area."
    return f"{postcode} is outside the site's area{outside}."


class RegisterResidentScreen(ModalScreen[int | None]):
    """Register a new resident: details, how they came to us, status and consent."""

    DEFAULT_CSS = """
    .consent-title { color: $text-muted; margin-bottom: 0; }
    .consents { height: auto; }
    .consents .field-error { color: $error; }
    #register-fields { height: 1fr; }
    #area-note { color: $text-muted; height: auto; margin: -1 0 1 29; }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="save-resident", priority=True),
        Binding("escape", "cancel", "Cancel", id="cancel-resident"),
    ]

    def __init__(self, hub: Hub) -> None:
        super().__init__()
        self.hub = hub

    def compose(self) -> ComposeResult:
        with Vertical(id="register-dialog", classes="dialog"):
            yield Label("Register a resident", classes="dialog-title")
            with VerticalScroll(id="register-fields"):
                yield from detail_fields(residents.NewResident())
                yield Static("", id="area-note")
                yield FormField(
                    "How did they come to us?",
                    Select([(label, key) for key, label in residents.ENGAGEMENT_KINDS.items()], id="input-engagement", prompt="Choose...", compact=True),
                    name="engagement",
                    required=True,
                )
                yield FormField("Referring agency", text_input("referred_by", "e.g. Citizens Advice"), name="referred_by", required=True, classes="hidden")
                yield FormField(
                    "Work status today",
                    Select([(label, key) for key, label in residents.STATUSES.items()], id="input-status_at_registration", prompt="Choose...", compact=True),
                    name="status_at_registration",
                    required=True,
                )
                with Vertical(id="field-consents", classes="consents"):
                    yield Label("Consent: read each one to the resident and tick what they agree to", classes="consent-title")
                    for key, label in residents.CONSENT_PURPOSES.items():
                        yield Checkbox(label, id=f"consent-{key}")
                    yield Static("", classes="field-error", id="error-consents")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (Ctrl+S)", id="save", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#input-name", Input).focus()

    @on(Select.Changed, "#input-engagement")
    def engagement_changed(self, event: Select.Changed) -> None:
        """Ask for the agency only when someone referred them."""
        self.query_one("#field-referred_by").set_class(event.value != "agency_referral", "hidden")

    @on(Input.Changed, "#input-postcode")
    def postcode_changed(self, event: Input.Changed) -> None:
        from hub.postcodes import normalise_postcode

        note = area_note(normalise_postcode(event.value), self.hub.config.hub.area, outside=": you can still register them")
        self.query_one("#area-note", Static).update(note)

    def form(self) -> residents.NewResident:
        def value(name: str) -> str:
            return self.query_one(f"#input-{name}", Input).value

        def choice(name: str) -> str:
            selected = self.query_one(f"#input-{name}", Select).value
            return selected if isinstance(selected, str) else ""

        return residents.NewResident(
            **typed_details(self),
            engagement=choice("engagement"),
            referred_by=value("referred_by"),
            status_at_registration=choice("status_at_registration"),
            consents={key: self.query_one(f"#consent-{key}", Checkbox).value for key in residents.CONSENT_PURPOSES},
        )

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        form = self.form()
        try:
            row = residents.validate_resident(form, self.hub.config.hub.area)
        except residents.ValidationError as exc:
            consent_error = exc.errors.get("consents", "")
            self.query_one("#error-consents", Static).update(consent_error)
            self.query_one("#field-consents").set_class(bool(consent_error), "-invalid")
            show_errors(self, exc.errors)
            if consent_error and len(exc.errors) == 1:
                self.query_one("#consent-record", Checkbox).focus()
            self.notify(f"Check {len(exc.errors)} field{'s' if len(exc.errors) > 1 else ''} marked in red.", severity="warning")
            return
        try:
            resident_id = residents.register_resident(
                self.hub.db, row, form.consents, staff=self.hub.staff, terminal=self.hub.terminal
            )
        except (*DB_ERRORS, StorageError) as exc:
            message = str(exc) if isinstance(exc, StorageError) else explain_sqlite_error(exc, self.hub.database_path)
            self.notify(f"Nothing was saved. {message}", severity="error", title="Could not save", timeout=15)
            return
        self.hub.emit("resident_registered", resident_id=resident_id)
        self.dismiss(resident_id)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class AddContactScreen(ModalScreen[int | None]):
    """Log a contact with the current resident: when, what kind, and a short note."""

    DEFAULT_CSS = """
    #input-note { height: 6; }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="save-contact", priority=True),
        Binding("escape", "cancel", "Cancel", id="cancel-contact"),
    ]

    def __init__(self, hub: Hub, resident_id: int) -> None:
        super().__init__()
        self.hub = hub
        self.resident_id = resident_id

    def compose(self) -> ComposeResult:
        with Vertical(id="contact-dialog", classes="dialog"):
            yield Label("Log a contact", classes="dialog-title")
            yield FormField("Date", text_input("contact_date", "day/month/year", value=date.today().strftime("%d/%m/%Y")), name="contact_date", required=True)
            yield FormField(
                "Kind",
                Select([(label, key) for key, label in residents.CONTACT_KINDS.items()], id="input-kind", value="drop_in", allow_blank=False, compact=True),
                name="kind",
                required=True,
            )
            yield FormField("Note (no health details unless needed)", TextArea(id="input-note"), name="note")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (Ctrl+S)", id="save", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        kind = self.query_one("#input-kind", Select).value
        try:
            contact_id = residents.add_contact(
                self.hub.db,
                self.resident_id,
                kind=kind if isinstance(kind, str) else "",
                note=self.query_one("#input-note", TextArea).text,
                contact_date=self.query_one("#input-contact_date", Input).value,
                staff=self.hub.staff,
                terminal=self.hub.terminal,
            )
        except residents.ValidationError as exc:
            show_errors(self, exc.errors)
            return
        except DB_ERRORS as exc:
            self.notify(f"Nothing was saved. {explain_sqlite_error(exc, self.hub.database_path)}", severity="error", timeout=15)
            return
        self.hub.emit("record_saved", resident_id=self.resident_id, kind="hub.contact", record_id=contact_id)
        self.dismiss(contact_id)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class ConsentScreen(ModalScreen[bool]):
    """Change what a resident consents to. Each change is a new record: the history stays."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="save-consents", priority=True),
        Binding("escape", "cancel", "Cancel", id="cancel-consents"),
    ]

    def __init__(self, hub: Hub, resident_id: int) -> None:
        super().__init__()
        self.hub = hub
        self.resident_id = resident_id
        self.current = residents.current_consents(hub.db, resident_id)

    def compose(self) -> ComposeResult:
        with Vertical(id="consent-dialog", classes="dialog"):
            yield Label("Consent: read each one to the resident", classes="dialog-title")
            for key, label in residents.CONSENT_PURPOSES.items():
                yield Checkbox(label, value=self.current.get(key, False), id=f"consent-{key}")
            yield Static("Withdrawing consent to keep their record means they should be erased: ask a site lead.", classes="field-label")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (Ctrl+S)", id="save", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        changed = False
        try:
            for key in residents.CONSENT_PURPOSES:
                given = self.query_one(f"#consent-{key}", Checkbox).value
                if given != self.current.get(key, False):
                    residents.record_consent(self.hub.db, self.resident_id, key, given, staff=self.hub.staff, terminal=self.hub.terminal)
                    changed = True
        except DB_ERRORS as exc:
            self.notify(f"Not saved. {explain_sqlite_error(exc, self.hub.database_path)}", severity="error", timeout=15)
            return
        if changed:
            self.hub.emit("record_saved", resident_id=self.resident_id, kind="hub.consent", record_id=self.resident_id)
        self.dismiss(changed)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)


class EditResidentScreen(ModalScreen[list[str] | None]):
    """Correct or update a resident's details (UK GDPR Article 16). A new address says whether
    they moved (the old one stays in their history) or whether it corrects a mistake."""

    DEFAULT_CSS = """
    #edit-fields { height: auto; max-height: 70vh; }
    #edit-area-note { color: $text-muted; height: auto; margin: -1 0 1 29; }
    #edit-address-hint { color: $text-muted; height: auto; margin: -1 0 1 29; }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="save-edit", priority=True),
        Binding("escape", "cancel", "Cancel", id="cancel-edit"),
    ]

    def __init__(self, hub: Hub, resident_id: int) -> None:
        super().__init__()
        self.hub = hub
        self.resident_id = resident_id
        self.resident = residents.get_resident(hub.db, resident_id) or {}
        self.before = residents.changes_from(self.resident)

    def compose(self) -> ComposeResult:
        before = self.before
        with Vertical(id="edit-dialog", classes="dialog"):
            yield Label("Change their details", classes="dialog-title")
            with VerticalScroll(id="edit-fields"):
                yield from detail_fields(before)
                yield Static("", id="edit-area-note")
                yield FormField(
                    "Why the change?",
                    Select([(label, key) for key, label in residents.ADDRESS_CHANGES.items()], id="input-address_change",
                           prompt="Choose...", compact=True),
                    name="address_change",
                    required=True,
                    classes="hidden",
                )
                yield FormField("Moved in on", text_input("moved_on", "day/month/year (empty: today)"), name="moved_on", classes="hidden")
                yield Static("A move keeps the old address in their history (the bonus check reads it); "
                             "a correction replaces it.", id="edit-address-hint", classes="hidden")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (Ctrl+S)", id="save-edit", variant="primary")
                yield Button("Cancel (Esc)", id="cancel-edit")

    def on_mount(self) -> None:
        self.query_one("#input-name", Input).focus()

    def form(self) -> residents.ResidentChanges:
        reason = self.query_one("#input-address_change", Select).value
        return residents.ResidentChanges(
            **typed_details(self),
            address_change=reason if isinstance(reason, str) else "",
            moved_on=self.query_one("#input-moved_on", Input).value,
        )

    @on(Input.Changed, "#input-address, #input-postcode")
    @on(Select.Changed, "#input-address_change")
    def address_edited(self) -> None:
        """Ask why only when the address or postcode changed, and when they moved in only for a move."""
        from hub.postcodes import normalise_postcode

        form = self.form()
        postcode = normalise_postcode(form.postcode)
        # Compared as update_resident compares them, so the question shows exactly when it will be asked.
        changed = (residents.clean_text(form.address, limit=300) != self.before.address
                   or (postcode or residents.clean_text(form.postcode, limit=12)) != self.before.postcode)
        self.query_one("#field-address_change").set_class(not changed, "hidden")
        self.query_one("#edit-address-hint").set_class(not changed, "hidden")
        self.query_one("#field-moved_on").set_class(not changed or form.address_change != "moved", "hidden")
        note = area_note(postcode, self.hub.config.hub.area) if changed else ""
        self.query_one("#edit-area-note", Static).update(note)

    @on(Button.Pressed, "#save-edit")
    def action_save(self) -> None:
        try:
            changed = self.hub.update_resident(
                self.resident_id, self.form(), expected_version=self.resident.get("version"), base=self.resident,
            )
        except StaleEdit as exc:  # another kiosk saved first: keep what was typed, say what they changed
            self.notify(str(exc), severity="error", title="Changed by someone else", timeout=20, markup=False)
            self.take_their_changes(exc.changed)
            return
        except residents.ValidationError as exc:
            show_errors(self, exc.errors)
            self.notify(f"Check {len(exc.errors)} field{'s' if len(exc.errors) > 1 else ''} marked in red.", severity="warning")
            return
        except (*DB_ERRORS, StorageError) as exc:
            message = str(exc) if isinstance(exc, StorageError) else explain_sqlite_error(exc, self.hub.database_path)
            self.notify(f"Nothing was saved. {message}", severity="error", title="Could not save", timeout=15)
            return
        self.dismiss(changed)

    def take_their_changes(self, changed: list[str]) -> None:
        """Show the other kiosk's new values in fields this person left alone; keep what they typed."""
        current = residents.get_resident(self.hub.db, self.resident_id) or self.resident
        theirs = residents.changes_from(current)
        for name in changed:
            field = self.query(f"#input-{name}")
            if field and field.first().value == getattr(self.before, name, None):
                field.first().value = getattr(theirs, name) or ""
        self.resident = current
        self.before = theirs

    @on(Button.Pressed, "#cancel-edit")
    def action_cancel(self) -> None:
        self.dismiss(None)
