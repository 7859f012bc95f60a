"""Subject access, erasure and retention, through the core and plugins' hooks."""

from __future__ import annotations

import json
import types

import pytest

from hub import cli, hookimpl, rights
from hub.residents import NewResident, add_contact, register_resident, search_residents, validate_resident
from hub.staff import PermissionDenied, Session


def plugin(name, **hooks):
    namespace = types.SimpleNamespace(name=name)
    for hook_name, function in hooks.items():
        setattr(namespace, hook_name, hookimpl(function))
    return namespace


def notes_plugin():
    def migrations():
        from sqlite_utils import Migrations

        m = Migrations("hub_test_notes")

        @m(name="0001")
        def create(db):
            db["test_notes"].create({"id": int, "resident_id": int, "text": str}, pk="id",
                                    foreign_keys=[("resident_id", "residents", "id")])

        return m

    def export(hub, resident_id):
        return {"notes": list(hub.db.query("select text from test_notes where resident_id = ?", [resident_id]))}

    def erase(hub, resident_id):
        hub.db.execute("delete from test_notes where resident_id = ?", [resident_id])
        return ["nothing kept"]

    return plugin("notes", register_migrations=migrations, export_resident_data=export, erase_resident_data=erase)


def register(db, name="Ann Example", dob="01/01/1990"):
    form = NewResident(name, "", dob, phone="07700 900999", postcode="M40 7AB", engagement="drop_in",
                       status_at_registration="unemployed", consents={"record": True})
    return register_resident(db, validate_resident(form, ["M40 7"]), form.consents, staff="kim", terminal="k1")


@pytest.fixture
def hub_with_notes(hub_factory):
    hub = hub_factory(notes_plugin())
    hub.open_storage()
    resident_id = register(hub.db)
    hub.db["test_notes"].insert({"resident_id": resident_id, "text": "Needs help with a CV"})
    add_contact(hub.db, resident_id, kind="phone", note="Called about debt advice", contact_date="", staff="kim", terminal="k1")
    return hub, resident_id


def test_hook_export_resident_data(hub_with_notes):
    hub, resident_id = hub_with_notes
    export = rights.subject_access(hub, resident_id)
    assert export["core"]["resident"]["name"] == "Ann Example"
    assert export["core"]["contacts"][0]["note"] == "Called about debt advice"
    assert [row["postcode"] for row in export["core"]["addresses"]] == [export["core"]["resident"]["postcode"]]
    assert export["plugins"]["notes"] == {"notes": [{"text": "Needs help with a CV"}]}
    assert export["incomplete"] == []
    assert hub.db["access_log"].count_where("action = 'subject-access-export'") == 1


def test_export_is_refused_when_a_plugin_fails_part_way(hub_factory):
    def broken(resident_id):
        raise RuntimeError("disk on fire")

    hub = hub_factory(plugin("broken", export_resident_data=broken))
    hub.open_storage()
    resident_id = register(hub.db)
    with pytest.raises(rights.RightsError, match="Nothing was exported: the broken plugin failed .*disk on fire"):
        rights.subject_access(hub, resident_id)
    assert hub.plugins.is_enabled("broken"), "a rights request never switches a plugin off"
    assert hub.db["access_log"].count_where("action = 'subject-access-export'") == 0


def test_export_and_erase_need_a_site_lead(hub_with_notes):
    hub, resident_id = hub_with_notes
    hub.session = Session(None, "kim", "Kim", "staff")
    with pytest.raises(PermissionDenied):
        rights.subject_access(hub, resident_id)
    with pytest.raises(PermissionDenied):
        rights.erase(hub, resident_id)


def test_export_files_json_and_pdf(hub_with_notes, tmp_path):
    from pypdf import PdfReader

    hub, resident_id = hub_with_notes
    export = rights.subject_access(hub, resident_id)
    as_json = rights.write_export(export, tmp_path / "out", fmt="json")
    assert json.loads(as_json.read_text())["plugins"]["notes"]["notes"][0]["text"] == "Needs help with a CV"
    assert (as_json.stat().st_mode & 0o777) == 0o600
    as_pdf = rights.write_export(export, tmp_path / "out", fmt="pdf")
    text = "".join(page.extract_text() for page in PdfReader(as_pdf).pages)
    assert "Ann Example" in text and "Needs help with a CV" in text
    assert "Where you have lived while we knew you" in text


def test_hook_erase_resident_data(hub_with_notes):
    hub, resident_id = hub_with_notes
    other = register(hub.db, "Bob Other", "02/02/1985")
    report = rights.erase(hub, resident_id)
    row = hub.db["residents"].get(resident_id)
    assert row["name"] == rights.ERASED and row["phone"] is None and row["date_of_birth"] is None and row["erased_at"]
    assert hub.db["test_notes"].count == 0
    assert hub.db["contacts"].count_where("resident_id = ?", [resident_id]) == 0
    assert hub.db["resident_addresses"].count_where("resident_id = ?", [resident_id]) == 0
    assert hub.db["resident_addresses"].count_where("resident_id = ?", [other]) == 1
    assert "notes: nothing kept" in report.kept
    assert [r["id"] for r in search_residents(hub.db, "ann")] == []
    assert [r["id"] for r in search_residents(hub.db, "bob")] == [other]
    dump = json.dumps([dict(r) for r in hub.db["access_log"].rows])
    assert "Ann" not in dump and "07700" not in dump
    assert hub.db["access_log"].count_where("resident_id = ? and action = 'erase'", [resident_id]) == 1


def test_erasure_is_all_or_nothing_when_a_plugin_fails(hub_factory):
    def refuse(resident_id):
        raise RuntimeError("cannot reach the archive")

    hub = hub_factory(notes_plugin(), plugin("archive", erase_resident_data=refuse))
    hub.open_storage()
    resident_id = register(hub.db)
    hub.db["test_notes"].insert({"resident_id": resident_id, "text": "note"})
    with pytest.raises(rights.RightsError, match="archive plugin failed"):
        rights.erase(hub, resident_id)
    assert hub.db["residents"].get(resident_id)["name"] == "Ann Example"
    assert hub.db["test_notes"].count == 1


def test_retention_lists_only_residents_without_recent_contact(hub_factory):
    from datetime import date

    hub = hub_factory()
    hub.open_storage()
    old = register(hub.db, "Old Contact")
    recent = register(hub.db, "Recent Contact")
    hub.db.execute("UPDATE residents SET registered_at = '2018-01-01T10:00:00+00:00'")
    add_contact(hub.db, old, kind="phone", note="", contact_date="01/02/2019", staff="k", terminal="t")
    add_contact(hub.db, recent, kind="phone", note="", contact_date="01/02/2025", staff="k", terminal="t")
    candidates = rights.retention_candidates(hub, 6, today=date(2026, 11, 22))
    assert [c.resident_id for c in candidates] == [old]
    assert candidates[0].last_contact == "2019-02-01"


def test_cli_export_erase_and_retention(tmp_path, capsys, monkeypatch):
    from hub.config import load_site_config
    from hub import staff as accounts
    from hubtest import write_site

    site = write_site(tmp_path, demo=False)
    text = site.read_text().replace("terminal_name", "retention_years = 6\nterminal_name")
    site.write_text(text)
    hub = cli.build_hub(load_site_config(site))
    hub.open_storage()
    resident_id = register(hub.db)
    accounts.create_account(hub.db, username="lee.lead", display_name="Lee", role="site_lead", password="a good long phrase", created_by="t")
    hub.close()

    assert cli.main(["--site", str(site), "resident", "export", str(resident_id)]) == 3  # nobody signed in
    assert "HUB_PASSWORD is not" in capsys.readouterr().err  # HUB_STAFF alone signs nobody in
    monkeypatch.setenv("HUB_STAFF", "lee.lead")
    monkeypatch.setenv("HUB_PASSWORD", "a good long phrase")
    assert cli.main(["--site", str(site), "resident", "export", str(resident_id), "--out", str(tmp_path / "x")]) == 0
    assert list((tmp_path / "x").glob("subject-access-*.json"))
    assert cli.main(["--site", str(site), "retention"]) == 0
    assert "0 resident(s)" in capsys.readouterr().out
    assert cli.main(["--site", str(site), "resident", "erase", str(resident_id)]) == 2
    assert cli.main(["--site", str(site), "resident", "erase", str(resident_id), "--yes"]) == 0
    assert "erased" in capsys.readouterr().out
    assert cli.main(["--site", str(site), "resident", "erase", str(resident_id), "--yes"]) == 2
    assert "already erased" in capsys.readouterr().err
