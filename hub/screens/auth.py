"""Signing in, the first site lead, and the lock screen. Full screens, never dialogs over the
kiosk: nothing about any resident shows while they are up."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Input, Label, Static

from hub import staff as accounts
from hub.screens.forms import FormField, show_errors


class AuthScreen(Screen):
    DEFAULT_CSS = """
    AuthScreen { align: center middle; background: $background; }
    AuthScreen #auth-box { width: 64; height: auto; border: thick $primary; padding: 1 2; background: $surface; }
    AuthScreen .auth-title { text-style: bold; color: $primary; margin-bottom: 1; }
    AuthScreen .auth-message { color: $error; height: auto; margin-top: 1; }
    AuthScreen .auth-hint { color: $text-muted; height: auto; margin-top: 1; }
    AuthScreen FormField .field-label { width: 16; }
    AuthScreen FormField > .field-error { padding-left: 16; }
    AuthScreen Input { background: $boost; }
    """

    def __init__(self, hub) -> None:
        super().__init__()
        self.hub = hub

    def say(self, message: str) -> None:
        self.query_one(".auth-message", Static).update(message)


class SignInScreen(AuthScreen):
    """Username and password, at the start of a shift."""

    BINDINGS = [Binding("ctrl+q", "app.quit", "Quit", id="sign-in-quit")]

    def compose(self) -> ComposeResult:
        with Vertical(id="auth-box"):
            yield Label(f"{self.hub.config.hub.site_name}: sign in", classes="auth-title", markup=False)
            yield FormField("Username", Input(id="sign-in-username", compact=True), name="username")
            yield FormField("Password", Input(id="sign-in-password", password=True, compact=True), name="password")
            yield Button("Sign in (Enter)", id="sign-in", variant="primary")
            yield Static("", classes="auth-message", markup=False)
            hint = "Demo site: sign in as demo.staff / northside-staff-demo (see the README)." if self.hub.config.hub.demo else ""
            yield Static(hint, classes="auth-hint")

    def on_mount(self) -> None:
        self.query_one("#sign-in-username", Input).focus()

    @on(Input.Submitted, "#sign-in-username")
    def next_field(self) -> None:
        self.query_one("#sign-in-password", Input).focus()

    @on(Input.Submitted, "#sign-in-password")
    @on(Button.Pressed, "#sign-in")
    def attempt(self) -> None:
        username = self.query_one("#sign-in-username", Input).value
        password_input = self.query_one("#sign-in-password", Input)
        try:
            session = accounts.sign_in(self.hub.db, username, password_input.value)
        except accounts.AuthError as exc:
            password_input.value = ""
            self.hub.log_event(None, "sign-in:failed")
            self.say(str(exc))
            return
        self.app.signed_in(session)


class FirstLeadScreen(AuthScreen):
    """A new site has no accounts: create the site lead, who then adds everyone else."""

    BINDINGS = [Binding("ctrl+q", "app.quit", "Quit", id="first-lead-quit")]

    def compose(self) -> ComposeResult:
        with Vertical(id="auth-box"):
            yield Label("Welcome: create the site lead's account", classes="auth-title")
            yield Static("This site has no staff accounts yet. The site lead adds everyone else.", classes="auth-hint")
            yield FormField("Username", Input(id="lead-username", placeholder="e.g. j.smith", compact=True), name="username")
            yield FormField("Name", Input(id="lead-display_name", placeholder="as colleagues know them", compact=True), name="display_name")
            yield FormField("Password", Input(id="lead-password", password=True, placeholder="12 or more characters", compact=True), name="password")
            yield FormField("Quick-unlock PIN", Input(id="lead-pin", password=True, placeholder="4 to 8 digits", compact=True), name="pin")
            yield Button("Create and sign in", id="create-lead", variant="primary")
            yield Static("", classes="auth-message", markup=False)

    def on_mount(self) -> None:
        self.query_one("#lead-username", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#create-lead")
    def create(self) -> None:
        values = {name: self.query_one(f"#lead-{name}", Input).value for name in ("username", "display_name", "password", "pin")}
        try:
            accounts.create_account(self.hub.db, role="site_lead", created_by="first-run", **values)
        except accounts.AccountError as exc:
            show_errors(self, exc.errors)
            return
        self.app.signed_in(accounts.sign_in(self.hub.db, values["username"], values["password"]))


class LockScreen(AuthScreen):
    """Locked after idle time or the lock key. The same person unlocks with their PIN and keeps
    what they were typing; anyone else signs in afresh and the screen is cleared first.

    No key quits from here (the app refuses Ctrl+Q while it is up): a passer-by must not be able
    to close someone's session and lose their unsaved work."""

    BINDINGS: list = []

    def compose(self) -> ComposeResult:
        session = self.hub.session
        with Vertical(id="auth-box"):
            yield Label("Locked", classes="auth-title")
            yield Static(f"Signed in: {session.display_name if session else 'nobody'}. Enter your PIN or password to carry on.", markup=False)
            yield FormField("PIN or password", Input(id="unlock-secret", password=True, compact=True), name="secret")
            yield Button("Unlock (Enter)", id="unlock", variant="primary")
            yield Button("Someone else: sign in", id="switch-user")
            yield Static("", classes="auth-message", markup=False)

    def on_mount(self) -> None:
        self.query_one("#unlock-secret", Input).focus()

    @on(Input.Submitted, "#unlock-secret")
    @on(Button.Pressed, "#unlock")
    def attempt(self) -> None:
        secret = self.query_one("#unlock-secret", Input)
        try:
            accounts.unlock(self.hub.db, self.hub.session, secret.value)
        except accounts.AuthError as exc:
            secret.value = ""
            self.hub.log_event(None, "unlock:failed")
            self.say(str(exc))
            return
        self.app.unlocked()

    @on(Button.Pressed, "#switch-user")
    def switch(self) -> None:
        self.app.sign_out()


class StaffAccountsScreen(ModalScreen[None]):
    """Site leads: see every account, add one, disable or re-enable one."""

    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="staff-accounts-close"),
        Binding("ctrl+s", "add", "Add account", id="staff-accounts-add", priority=True),
    ]
    DEFAULT_CSS = """
    StaffAccountsScreen { align: center middle; }
    StaffAccountsScreen #staff-box { width: 90; height: auto; max-height: 95%; border: thick $primary; padding: 1 2; background: $surface; }
    StaffAccountsScreen #staff-table { height: auto; max-height: 12; margin-bottom: 1; }
    StaffAccountsScreen FormField .field-label { width: 16; }
    StaffAccountsScreen FormField > .field-error { padding-left: 16; }
    StaffAccountsScreen Input { background: $boost; }
    """

    def __init__(self, hub) -> None:
        super().__init__()
        self.hub = hub

    def compose(self) -> ComposeResult:
        from textual.widgets import Select

        from hub.screens.tables import DataTable

        with Vertical(id="staff-box"):
            yield Label("Staff accounts", classes="auth-title")
            table = DataTable(id="staff-table", cursor_type="row")
            table.add_columns("Username", "Name", "Role", "State")
            yield table
            yield Button("Disable / enable the highlighted account", id="toggle-account")
            yield Label("Add an account (they type their own password and PIN)", classes="auth-title")
            yield FormField("Username", Input(id="new-username", compact=True), name="username")
            yield FormField("Name", Input(id="new-display_name", compact=True), name="display_name")
            yield FormField("Role", Select([(label.split(":")[0], key) for key, label in accounts.ROLES.items()], value="staff",
                                           allow_blank=False, id="new-role", compact=True), name="role")
            yield FormField("Password", Input(id="new-password", password=True, compact=True), name="password")
            yield FormField("PIN", Input(id="new-pin", password=True, compact=True), name="pin")
            yield Button("Add (Ctrl+S)", id="add-account", variant="primary")
            yield Static("", classes="auth-message", markup=False)

    def on_mount(self) -> None:
        self.refresh_table()

    def refresh_table(self) -> None:
        from hub.screens.tables import DataTable

        table = self.query_one("#staff-table", DataTable)
        table.clear()
        for row in self.hub.db.query("SELECT id, username, display_name, role, active FROM staff ORDER BY username"):
            table.add_row(row["username"], row["display_name"], row["role"], "active" if row["active"] else "disabled", key=str(row["id"]))

    @on(Button.Pressed, "#add-account")
    def action_add(self) -> None:
        from textual.widgets import Select

        try:
            self.hub.require("staff.manage")
        except accounts.PermissionDenied as exc:
            self.query_one(".auth-message", Static).update(str(exc))
            return
        values = {name: self.query_one(f"#new-{name}", Input).value for name in ("username", "display_name", "password", "pin")}
        role = str(self.query_one("#new-role", Select).value)
        try:
            accounts.create_account(self.hub.db, role=role, created_by=self.hub.staff, **values)
        except accounts.AccountError as exc:
            show_errors(self, exc.errors)
            return
        self.hub.log_event(None, f"staff:add:{values['username'].strip().lower()}")
        for name in values:
            self.query_one(f"#new-{name}", Input).value = ""
        show_errors(self, {})
        self.query_one(".auth-message", Static).update(f"Added {values['username'].strip().lower()}.")
        self.refresh_table()

    @on(Button.Pressed, "#toggle-account")
    def toggle(self) -> None:
        from hub.screens.tables import DataTable

        table = self.query_one("#staff-table", DataTable)
        if not table.row_count:
            return
        staff_id = int(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        active = self.hub.db.execute("SELECT active FROM staff WHERE id = ?", [staff_id]).fetchone()[0]
        try:
            accounts.set_active(self.hub.db, self.hub.session, staff_id, not active)
        except accounts.PermissionDenied as exc:
            self.query_one(".auth-message", Static).update(str(exc))
            return
        self.hub.log_event(None, f"staff:{'disable' if active else 'enable'}:{staff_id}")
        self.refresh_table()
