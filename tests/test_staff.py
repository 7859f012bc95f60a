"""Staff accounts, sign-in, lockout, roles enforced below the screens, auto-lock and the lock screen."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from textual.widgets import Input

from hub import staff as accounts
from hub.app import HubApp
from hub.screens.auth import FirstLeadScreen, LockScreen, SignInScreen
from hub.staff import AccountError, AuthError, PermissionDenied, Session

SIZE = (120, 40)


@pytest.fixture
def db(open_hub):
    return open_hub.db


def make(db, username="kim.lee", role="staff", password="long enough phrase", pin="2580"):
    return accounts.create_account(db, username=username, display_name="Kim Lee", role=role, password=password, pin=pin, created_by="test")


def test_passwords_are_stored_as_argon2id(db):
    make(db)
    row = next(db["staff"].rows)
    assert row["password_hash"].startswith("$argon2id$") and row["pin_hash"].startswith("$argon2id$")
    assert "long enough phrase" not in str(row)


@pytest.mark.parametrize(
    "changes, field",
    [({"password": "short"}, "password"), ({"password": "password123"}, "password"),
     ({"password": "kim.lee-rules"}, "password"), ({"pin": "1111"}, "pin"), ({"pin": "12a4"}, "pin"),
     ({"username": "9lives"}, "username"), ({"role": "boss"}, "role")],
)
def test_weak_or_bad_account_details_are_refused_by_field(db, changes, field):
    with pytest.raises(AccountError) as caught:
        make(db, **changes)
    assert field in caught.value.errors


def test_usernames_are_unique(db):
    make(db)
    with pytest.raises(AccountError) as caught:
        make(db, username="KIM.LEE")
    assert "already" in caught.value.errors["username"]


def test_sign_in_and_generic_failure_message(db):
    make(db)
    session = accounts.sign_in(db, "Kim.Lee", "long enough phrase")
    assert (session.username, session.role) == ("kim.lee", "staff")
    with pytest.raises(AuthError) as wrong_password:
        accounts.sign_in(db, "kim.lee", "wrong wrong wrong")
    with pytest.raises(AuthError) as no_user:
        accounts.sign_in(db, "nobody", "wrong wrong wrong")
    assert str(wrong_password.value) == str(no_user.value) == accounts.SIGN_IN_REFUSED


def test_repeated_failures_lock_the_account_then_it_recovers(db):
    make(db)
    start = datetime(2026, 11, 22, 10, 0, tzinfo=timezone.utc)
    for _ in range(accounts.MAX_FAILURES):
        with pytest.raises(AuthError):
            accounts.sign_in(db, "kim.lee", "not it at all", now=start)
    with pytest.raises(AuthError) as locked:  # locked: even the right password waits, with the same message
        accounts.sign_in(db, "kim.lee", "long enough phrase", now=start + timedelta(seconds=10))
    assert str(locked.value) == accounts.SIGN_IN_REFUSED
    session = accounts.sign_in(db, "kim.lee", "long enough phrase", now=start + timedelta(seconds=accounts.LOCKOUT_SECONDS + 1))
    assert session.username == "kim.lee"
    assert next(db["staff"].rows)["failed_attempts"] == 0


def test_pin_unlocks_only_its_own_session(db):
    make(db)
    make(db, username="ali.khan", pin="9137")
    kim = accounts.sign_in(db, "kim.lee", "long enough phrase")
    accounts.unlock(db, kim, "2580")
    accounts.unlock(db, kim, "long enough phrase")
    with pytest.raises(AuthError):
        accounts.unlock(db, kim, "9137")  # Ali's PIN does not open Kim's session


def test_a_pin_cannot_start_a_session(db):
    make(db)
    with pytest.raises(AuthError):
        accounts.sign_in(db, "kim.lee", "2580")


ROLE_MATRIX = [
    ("staff", "residents.use", True), ("staff", "bonus.approve", False), ("staff", "staff.manage", False),
    ("staff", "data.export", False), ("staff", "config.manage", False),
    ("site_lead", "bonus.approve", True), ("site_lead", "staff.manage", True), ("site_lead", "data.export", True),
    ("admin", "config.manage", True),
]


@pytest.mark.parametrize("role, permission, allowed", ROLE_MATRIX)
def test_role_permission_matrix(role, permission, allowed):
    session = Session(1, "x", "X", role)
    if allowed:
        accounts.require(session, permission)
    else:
        with pytest.raises(PermissionDenied):
            accounts.require(session, permission)


def test_hub_require_refuses_and_logs_the_refusal(open_hub):
    open_hub.session = Session(None, "kim.lee", "Kim", "staff")
    with pytest.raises(PermissionDenied):
        open_hub.require("bonus.approve")
    assert [row["action"] for row in open_hub.db["access_log"].rows][-1] == "denied:bonus.approve"


def test_staff_cannot_disable_accounts_through_the_api(db):
    target = make(db)
    with pytest.raises(PermissionDenied):
        accounts.set_active(db, Session(None, "x", "X", "staff"), target, False)
    accounts.set_active(db, Session(None, "lead", "Lead", "site_lead"), target, False)
    with pytest.raises(AuthError):
        accounts.sign_in(db, "kim.lee", "long enough phrase")


def test_no_accounts_exist_on_a_new_live_site(open_hub):
    assert not accounts.has_accounts(open_hub.db)  # no default admin/admin (ASVS 6.3.2)


# -- in the app ---------------------------------------------------------------------------------


async def started(app, pilot):
    await app.workers.wait_for_complete()
    await pilot.pause()


async def settle(pilot, condition, seconds: float = 5.0) -> None:
    """Wait for the app to reach a state: argon2 checks take ~0.1 s each on this machine."""
    import asyncio

    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)


async def test_first_run_creates_the_site_lead_and_signs_in(hub_factory):
    hub = hub_factory(signed_in=False)
    app = HubApp(hub)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        assert isinstance(app.screen, FirstLeadScreen)
        for name, value in {"username": "jo.lead", "display_name": "Jo Lead", "password": "short", "pin": "8642"}.items():
            app.screen.query_one(f"#lead-{name}", Input).value = value
        await pilot.click("#create-lead")
        await pilot.pause()
        assert "12 characters" in app.screen.query_one("#field-password").error
        app.screen.query_one("#lead-password", Input).value = "a long pass phrase"
        app.screen.query_one("#lead-pin", Input).focus()
        await pilot.press("enter")  # Enter in any field submits, as well as the button
        await settle(pilot, lambda: not app.locked)
        assert not app.locked
        assert hub.session.role == "site_lead" and hub.staff == "jo.lead"


async def test_sign_in_screen_and_demo_accounts(hub_factory):
    hub = hub_factory(signed_in=False, demo=True)
    app = HubApp(hub)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        assert isinstance(app.screen, SignInScreen)
        await pilot.press(*"demo.staff", "enter", *"wrong password", "enter")
        await pilot.pause()
        assert app.locked and "Wrong username or password" in str(app.screen.query_one(".auth-message").render())
        await pilot.press(*"northside-staff-demo", "enter")
        await pilot.pause()
        assert not app.locked and hub.session.username == "demo.staff"
        actions = [row["action"] for row in hub.db["access_log"].rows_where("resident_id is null")]
        assert "sign-in:failed" in actions and "sign-in" in actions


async def test_idle_lock_hides_everything_and_keeps_unsaved_input_for_the_same_person(hub_factory):
    hub = hub_factory(signed_in=False, demo=True)
    app = HubApp(hub)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press(*"demo.staff", "enter", *"northside-staff-demo", "enter")
        await pilot.pause()
        await pilot.press(*"aisha", "enter")
        await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause()
        app.screen.query_one("#input-name", Input).value = "Half-typed Person"
        app.last_activity -= hub.config.hub.idle_lock_minutes * 60 + 1
        app.check_idle_lock()
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        text = app.export_screenshot()
        for personal in ("Aisha", "Rahman", "Half-typed"):
            assert personal not in text
        await pilot.press("f12", "f1", "f10")  # none of these may get past the lock
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        await pilot.press(*"0000", "enter")
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        await pilot.press(*"1357", "enter")
        await pilot.pause()
        assert app.screen.query_one("#input-name", Input).value == "Half-typed Person"


async def test_someone_else_signing_in_at_the_lock_drops_the_previous_work(hub_factory):
    hub = hub_factory(signed_in=False, demo=True)
    app = HubApp(hub)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press(*"demo.staff", "enter", *"northside-staff-demo", "enter")
        await pilot.pause()
        await pilot.press(*"aisha", "enter", "ctrl+n")
        await pilot.pause()
        app.screen.query_one("#input-name", Input).value = "Half-typed Person"
        await pilot.press("ctrl+k")
        await pilot.pause()
        await pilot.click("#switch-user")
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen)
        await pilot.press(*"demo.lead", "enter", *"northside-lead-demo", "enter")
        await pilot.pause()
        assert hub.session.username == "demo.lead"
        assert len(app.screen_stack) == 1 and hub.current_resident_id is None
        assert "Half-typed" not in app.export_screenshot()


async def test_a_disabled_account_is_signed_out(hub_factory):
    hub = hub_factory(signed_in=False, demo=True)
    app = HubApp(hub)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press(*"demo.staff", "enter", *"northside-staff-demo", "enter")
        await pilot.pause()
        staff_id = hub.session.staff_id
        accounts.set_active(hub.db, Session(None, "lead", "Lead", "site_lead"), staff_id, False)
        app.check_idle_lock()
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen) and hub.session is None


def test_site_lead_manages_staff_from_the_command_line(tmp_path, capsys, monkeypatch):
    import io

    from hub import cli
    from hub.config import load_site_config
    from hubtest import write_site

    site = write_site(tmp_path)
    hub = cli.build_hub(load_site_config(site))
    hub.open_storage()
    make(hub.db, username="lee.lead", role="site_lead", password="lead pass phrase")
    hub.close()

    monkeypatch.setattr("sys.stdin", io.StringIO("new staff phrase\n4826\n"))
    assert cli.main(["--site", str(site), "staff", "add", "ali.khan", "--name", "Ali Khan", "--password-stdin"]) == 3
    assert "HUB_PASSWORD is not" in capsys.readouterr().err  # nobody signed in: nobody adds staff

    monkeypatch.setenv("HUB_STAFF", "lee.lead")
    monkeypatch.setenv("HUB_PASSWORD", "lead pass phrase")
    monkeypatch.setattr("sys.stdin", io.StringIO("new staff phrase\n4826\n"))
    assert cli.main(["--site", str(site), "staff", "add", "ali.khan", "--name", "Ali Khan", "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert cli.main(["--site", str(site), "staff", "add", "bo.weak", "--name", "Bo", "--password-stdin"]) == 2
    assert "password: Use at least 12 characters" in capsys.readouterr().err
    assert cli.main(["--site", str(site), "staff", "disable", "ali.khan"]) == 0
    assert cli.main(["--site", str(site), "staff", "list"]) == 0
    listing = capsys.readouterr().out
    assert "ali.khan" in listing and "disabled" in listing
    monkeypatch.setattr("sys.stdin", io.StringIO("another long phrase\n\n"))
    assert cli.main(["--site", str(site), "staff", "reset-password", "ali.khan", "--password-stdin"]) == 0
    assert cli.main(["--site", str(site), "staff", "enable", "ali.khan"]) == 0
    hub = cli.build_hub(load_site_config(site))
    hub.open_storage()
    assert accounts.sign_in(hub.db, "ali.khan", "another long phrase").username == "ali.khan"
    hub.close()


async def test_site_lead_adds_and_disables_staff_on_screen_and_staff_cannot(hub_factory):
    from textual.widgets import DataTable

    from hub.screens.auth import StaffAccountsScreen

    hub = hub_factory(demo=True)
    app = HubApp(hub)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Staff accounts" in titles
        app.action_staff_accounts()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StaffAccountsScreen)
        for name, value in {"username": "new.person", "display_name": "New Person", "password": "their own long phrase", "pin": "5937"}.items():
            screen.query_one(f"#new-{name}", Input).value = value
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: hub.db["staff"].count_where("username = 'new.person'") == 1)
        assert accounts.sign_in(hub.db, "new.person", "their own long phrase").role == "staff"
        table = screen.query_one("#staff-table", DataTable)
        keys = [table.coordinate_to_cell_key((i, 0)).row_key.value for i in range(table.row_count)]
        new_id = hub.db.execute("select id from staff where username = 'new.person'").fetchone()[0]
        table.move_cursor(row=keys.index(str(new_id)))
        screen.toggle()
        assert hub.db.execute("select active from staff where id = ?", [new_id]).fetchone()[0] == 0
        await pilot.press("escape")
        await pilot.pause()

        hub.session = Session(None, "kim", "Kim", "staff")
        assert "Staff accounts" not in [c.title for c in app.get_system_commands(app.screen)]
        app.action_staff_accounts()
        await pilot.pause()
        assert not isinstance(app.screen, StaffAccountsScreen)
