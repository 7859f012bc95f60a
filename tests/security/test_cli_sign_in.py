"""One way in for the command line: no default identity, HUB_STAFF alone refused, roles per command, exit 3."""

from __future__ import annotations

import pytest

from hub.cliauth import NOT_ALLOWED
from hubtest import write_site
from security.conftest import PASSWORDS, Site, register

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ALL_PLUGINS = ["benefits_calc", "signposting", "passport", "bonus", "journey"]


@pytest.fixture
def full_site(tmp_path) -> Site:
    from hub import cli
    from hub import staff as accounts
    from hub.config import load_site_config

    path = write_site(tmp_path, plugins=ALL_PLUGINS)
    hub = cli.build_hub(load_site_config(path))
    hub.open_storage()
    for username, (role, password) in PASSWORDS.items():
        accounts.create_account(hub.db, username=username, display_name=username, role=role, password=password, created_by="t")
    resident_id = register(hub.db, "Zebedee Quartermain")
    assert resident_id == 1
    hub.close()
    return Site(path, tmp_path / "data")


RESIDENT_COMMANDS = [
    ["passport", "export", "1", "--format", "json", "--out", "-"],
    ["passport", "show", "1"],
    ["passport", "week", "1"],
    ["bonus", "check", "1"],
    ["bonus", "due"],
    ["directory", "followups"],
    ["resident", "export", "1"],
]
LEAD_COMMANDS = [
    ["report", "--from", "2026-01-01", "--to", "2026-03-31"],
    ["bonus", "report", "--month", "2026-01"],
    ["resident", "export", "1"],
    ["resident", "erase", "1", "--yes"],
    ["retention"],
    ["staff", "list"],
    ["backup"],
    ["audit", "verify"],
    ["passport", "keygen"],
]


@pytest.mark.parametrize("args", RESIDENT_COMMANDS + LEAD_COMMANDS + [["restore", "x.db", "--yes"]], ids=" ".join)
def test_no_credentials_is_not_allowed(full_site, run_cli, args):
    code, out, err = run_cli(full_site, *args)
    assert code == NOT_ALLOWED, (out, err)
    assert "Sign in first" in err and "HUB_STAFF" in err
    assert "Zebedee" not in out + err


@pytest.mark.parametrize("args", RESIDENT_COMMANDS[:3] + [["backup"]], ids=" ".join)
def test_a_username_without_a_password_is_refused_and_not_logged_as_that_person(full_site, run_cli, args):
    code, out, err = run_cli(full_site, *args, as_user="lee.lead", password="")
    assert code == NOT_ALLOWED
    assert "HUB_PASSWORD is not" in err and "Zebedee" not in out
    hub = full_site.hub()
    staff = {row["staff"] for row in hub.db.query("SELECT staff FROM access_log WHERE action NOT IN ('register')")}
    hub.close()
    assert "lee.lead" not in staff


def test_a_wrong_password_is_refused_logged_and_counted(full_site, run_cli):
    code, out, err = run_cli(full_site, "passport", "show", "1", as_user="lee.lead", password="not the password at all")
    assert code == NOT_ALLOWED and "Wrong username or password" in err
    hub = full_site.hub()
    assert hub.db.execute("SELECT failed_attempts FROM staff WHERE username = 'lee.lead'").fetchone()[0] == 1
    assert hub.db.execute("SELECT count(*) FROM access_log WHERE action = 'sign-in:cli:failed'").fetchone()[0] == 1
    hub.close()


@pytest.mark.parametrize("args", LEAD_COMMANDS + [["restore", "x.db", "--yes"]], ids=" ".join)
def test_staff_cannot_run_lead_commands(full_site, run_cli, args):
    code, out, err = run_cli(full_site, *args, as_user="sam.staff")
    assert code == NOT_ALLOWED, (out, err)
    assert "not allowed" in err and "Only" in err


def test_signed_in_staff_can_read_a_passport_and_it_is_logged_as_them(full_site, run_cli):
    assert run_cli(full_site, "passport", "keygen", as_user="lee.lead")[0] == 0
    code, out, err = run_cli(full_site, "passport", "export", "1", "--format", "json", "--out", "-", as_user="sam.staff")
    assert code == 0, err
    assert '"proofValue"' in out  # the signed passport
    hub = full_site.hub()
    rows = list(hub.db.query("SELECT staff, action FROM access_log WHERE staff = 'sam.staff' ORDER BY id"))
    hub.close()
    assert {"sign-in:cli"} <= {row["action"] for row in rows}


def test_only_an_admin_restores_and_a_lead_backs_up(full_site, run_cli, tmp_path):
    out_file = tmp_path / "backup.db"
    assert run_cli(full_site, "backup", "--out", str(out_file), as_user="sam.staff")[0] == NOT_ALLOWED
    code, out, err = run_cli(full_site, "backup", "--out", str(out_file), as_user="lee.lead")
    assert code == 0, err
    assert run_cli(full_site, "restore", str(out_file), "--yes", as_user="lee.lead")[0] == NOT_ALLOWED
    code, out, err = run_cli(full_site, "restore", str(out_file), "--yes", as_user="ada.admin")
    assert code == 0, err
    hub = full_site.hub()
    actions = [(row["staff"], row["action"].split(":")[0]) for row in hub.db.query("SELECT staff, action FROM access_log")]
    hub.close()
    assert ("lee.lead", "backup") in actions and ("ada.admin", "restore") in actions


def test_a_prompt_at_a_terminal_signs_in(full_site, monkeypatch, capsys):
    """At a terminal the hub asks for the username and password instead of refusing."""
    import io

    from hub import cli

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.delenv("HUB_STAFF", raising=False)
    monkeypatch.delenv("HUB_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", Terminal("sam.staff\n"))
    monkeypatch.setattr("getpass.getpass", lambda prompt="": PASSWORDS["sam.staff"][1])
    assert cli.main(["--site", str(full_site.path), "passport", "show", "1"]) == 0
    assert "Work passport for resident #1" in capsys.readouterr().out
