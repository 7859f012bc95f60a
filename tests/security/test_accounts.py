"""Accounts: atomic lockout, one refusal message, strong passwords, the last site lead, the lock screen."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from hub import staff as accounts
from hub.staff import AuthError
from security.conftest import PASSWORDS


@pytest.mark.parametrize("weak", ["aaaaaaaa", "12341234", "        ", "aaaaaaaaaaaa", "123412341234", " " * 12,
                                  "passwordpassword", "password1234", "qwertyuiop12", "liverpool1234",
                                  "iloveyou1234", "abcdefghijkl", "dropinhub2026"])
def test_weak_and_common_passwords_are_refused(weak):
    assert accounts.check_password(weak, "kim.lee") is not None


@pytest.mark.parametrize("good", ["copper lantern meadow drift", "amber kettle violin harbour", "Tuesday-biscuits-4-the-team"])
def test_a_passphrase_is_accepted(good):
    assert accounts.check_password(good, "kim.lee") is None


def test_the_password_may_not_contain_the_username():
    assert "username" in accounts.check_password("kim.lee violin harbour", "kim.lee")


def test_the_common_list_is_a_real_one():
    assert len(accounts._common_passwords()) >= 30_000


def test_unknown_user_wrong_password_and_locked_account_get_one_message(site):
    hub = site.hub()
    messages = set()
    for username in ("nobody.here", "lee.lead"):
        with pytest.raises(AuthError) as caught:
            accounts.sign_in(hub.db, username, "not the password at all")
        messages.add(str(caught.value))
    for _ in range(accounts.MAX_FAILURES):
        with pytest.raises(AuthError) as caught:
            accounts.sign_in(hub.db, "sam.staff", "wrong guess again here")
    with pytest.raises(AuthError) as caught:
        accounts.sign_in(hub.db, "sam.staff", PASSWORDS["sam.staff"][1])  # locked now, even with the right one
    messages.add(str(caught.value))
    hub.close()
    assert len(messages) == 1


def test_parallel_attempts_cannot_exceed_the_limit(site):
    """Eight kiosks guessing at once get at most MAX_FAILURES guesses per lockout."""
    from hub.storage import open_database

    checked = []
    barrier = threading.Barrier(8)

    def guess(n: int) -> None:
        db = open_database(site.db_path)
        barrier.wait()
        for attempt in range(3):
            try:
                accounts.sign_in(db, "lee.lead", f"guess number {n} {attempt}")
            except AuthError:
                pass
        db.close()

    from argon2 import PasswordHasher

    real_verify = PasswordHasher.verify

    def counting_verify(self, hash_, password):
        checked.append(password)
        return real_verify(self, hash_, password)

    PasswordHasher.verify = counting_verify
    try:
        threads = [threading.Thread(target=guess, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        PasswordHasher.verify = real_verify
    assert len(checked) <= accounts.MAX_FAILURES


def test_a_correct_password_after_some_failures_resets_the_count(site):
    hub = site.hub()
    for _ in range(accounts.MAX_FAILURES - 1):
        with pytest.raises(AuthError):
            accounts.sign_in(hub.db, "sam.staff", "wrong guess again here")
    assert accounts.sign_in(hub.db, "sam.staff", PASSWORDS["sam.staff"][1]).username == "sam.staff"
    assert hub.db.execute("SELECT failed_attempts FROM staff WHERE username = 'sam.staff'").fetchone()[0] == 0
    later = accounts.now_utc() + timedelta(seconds=1)
    assert accounts.sign_in(hub.db, "sam.staff", PASSWORDS["sam.staff"][1], now=later)
    hub.close()


def test_the_last_active_site_lead_cannot_be_disabled(site, run_cli):
    hub = site.hub(signed_in_as="lee.lead")
    admin_id = hub.db.execute("SELECT id FROM staff WHERE username = 'ada.admin'").fetchone()[0]
    lead_id = hub.db.execute("SELECT id FROM staff WHERE username = 'lee.lead'").fetchone()[0]
    accounts.set_active(hub.db, hub.session, admin_id, False)  # another lead is left: allowed
    with pytest.raises(accounts.LastLeadError):
        accounts.set_active(hub.db, hub.session, lead_id, False)
    hub.close()
    code, out, err = run_cli(site, "staff", "disable", "lee.lead", as_user="lee.lead")
    assert code == 3 and "last active site lead" in err


def test_a_site_with_accounts_never_offers_to_create_the_first_lead(site):
    hub = site.hub()
    hub.db.execute("UPDATE staff SET active = 0")
    assert accounts.has_accounts(hub.db)
    hub.close()


async def test_ctrl_q_does_not_quit_from_the_lock_screen(site):
    from hub.app import HubApp
    from hub.screens.auth import LockScreen

    hub = site.hub(signed_in_as="sam.staff")
    hub.close()
    app = HubApp(hub)
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(100):
            await pilot.pause(0.05)
            if app.storage_ready:
                break
        app.hub.session = accounts.sign_in(app.hub.db, "sam.staff", PASSWORDS["sam.staff"][1])
        if app.locked:
            app.pop_screen()
        await pilot.pause()
        app.action_lock()
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, LockScreen)


def test_a_busy_database_at_start_waits_and_never_disables_plugins(tmp_path, monkeypatch):
    """Another program holds the write lock for a while: the hub waits, says so, then opens with every plugin."""
    import sqlite3
    import time

    from hub import cli
    from hub.config import load_site_config
    from hubtest import write_site

    site = write_site(tmp_path)
    hub = cli.build_hub(load_site_config(site))
    hub.open_storage()
    hub.close()
    site = write_site(tmp_path, plugins=["signposting", "passport"])  # their migrations are now pending
    monkeypatch.setattr("hub.storage.BUSY_TIMEOUT_MS", 200)
    blocker = sqlite3.connect(tmp_path / "data" / "hub.db", check_same_thread=False)
    blocker.execute("BEGIN EXCLUSIVE")

    def release():
        time.sleep(1.5)
        blocker.rollback()

    threading.Thread(target=release).start()
    hub = cli.build_hub(load_site_config(site))
    messages = []
    # a plugin migration pending, so the busy database is met where it used to disable the plugin
    hub.open_storage(wait_seconds=20, on_wait=messages.append)
    assert messages and "busy" in messages[0]
    assert {s.name for s in hub.plugins.statuses() if s.enabled} >= {"signposting", "passport"}
    assert not [s for s in hub.plugins.statuses() if s.error]
    hub.close()
    blocker.close()
