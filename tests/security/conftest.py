"""Security tests: a real site file and database with one account per role, and the CLI run as each."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pytest

from hub import cli
from hub.config import load_site_config
from hubtest import write_site

PASSWORDS = {
    "sam.staff": ("staff", "amber kettle violin harbour"),
    "lee.lead": ("site_lead", "copper lantern meadow drift"),
    "ada.admin": ("admin", "silver orchard quartz tide"),
}


@dataclass
class Site:
    path: Path
    data: Path

    @property
    def db_path(self) -> Path:
        return self.data / "hub.db"

    def hub(self, *, signed_in_as: str | None = None):
        """A hub on this site with its database open (and someone signed in, if asked)."""
        from hub.staff import sign_in

        hub = cli.build_hub(load_site_config(self.path))
        hub.open_storage()
        if signed_in_as:
            hub.session = sign_in(hub.db, signed_in_as, PASSWORDS[signed_in_as][1])
        return hub


@pytest.fixture
def site(tmp_path) -> Site:
    """A live (non-demo) site with the core only, one account per role and two residents."""
    from hub import staff as accounts

    path = write_site(tmp_path)
    made = Site(path, tmp_path / "data")
    hub = cli.build_hub(load_site_config(path))
    hub.open_storage()
    for username, (role, password) in PASSWORDS.items():
        accounts.create_account(hub.db, username=username, display_name=username.title(), role=role,
                                password=password, created_by="test")
    hub.close()
    return made


@pytest.fixture
def run_cli(monkeypatch, capsys):
    """Run ``hub`` as someone (or nobody): returns (exit code, stdout, stderr). Standard input is not a terminal."""

    def run(site: Site, *args: str, as_user: str | None = None, password: str | None = None, stdin: str = ""):
        monkeypatch.delenv("HUB_STAFF", raising=False)
        monkeypatch.delenv("HUB_PASSWORD", raising=False)
        if as_user is not None:
            monkeypatch.setenv("HUB_STAFF", as_user)
            secret = password if password is not None else PASSWORDS.get(as_user, ("", ""))[1]
            if secret:
                monkeypatch.setenv("HUB_PASSWORD", secret)
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        capsys.readouterr()
        code = cli.main(["--site", str(site.path), *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def register(db, name="Ann Example", **extra):
    from hub.residents import NewResident, register_resident, validate_resident

    form = NewResident(name, extra.pop("preferred_name", ""), extra.pop("date_of_birth", "01/01/1990"),
                       engagement="drop_in", status_at_registration="unemployed", consents={"record": True}, **extra)
    return register_resident(db, validate_resident(form, ["M40 7"]), form.consents, staff="sam.staff", terminal="k1")
