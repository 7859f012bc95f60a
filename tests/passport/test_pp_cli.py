"""`hub passport ...` through hub.cli.main with a real site file: export, verify, keys, views, codes."""

from __future__ import annotations

import json
import stat

import pytest

from hub import cli
from hub.config import load_site_config
from hubtest import write_site
from plugins.passport.model import EntryForm

LEAD, LEAD_PASSWORD = "lee.lead", "a good long phrase"
STAFF_PASSWORD = "staff member long phrase"
"""The CLI signs in as tests' HUB_STAFF (a plain member of staff) with this password."""


def as_plain_staff(hub, monkeypatch) -> None:
    """Give tests' HUB_STAFF an account and a password, and sign this hub in as it."""
    from hub import staff as accounts
    from hubtest import FIXED_STAFF

    if not hub.db.execute("SELECT 1 FROM staff WHERE username = ?", [FIXED_STAFF]).fetchone():
        accounts.create_account(hub.db, username=FIXED_STAFF, display_name="Test Staff", role="staff",
                                password=STAFF_PASSWORD, created_by="t")
    monkeypatch.setenv("HUB_PASSWORD", STAFF_PASSWORD)
    hub.sign_in_from_environment()


@pytest.fixture
def site(tmp_path, make_resident, monkeypatch):
    """A site file loading the installed passport plugin; one resident with two entries; a site lead account."""
    from hub import staff as accounts
    from plugins.passport import service

    path = write_site(tmp_path, plugins=["passport"])
    hub = cli.build_hub(load_site_config(path))
    hub.open_storage()
    as_plain_staff(hub, monkeypatch)
    resident = make_resident(hub.db, name="Ada Example")
    entry = service.add(hub, resident, EntryForm(kind="training", title="Forklift licence", provider="Example Training",
                                                 start_date="02/03/2025", end_date="04/03/2025", hours_total="21"))
    service.verify(hub, entry, level="document_seen", evidence=["certificate"], verified_at="05/03/2025")
    service.add(hub, resident, EntryForm(kind="job_search", title="Applied: driver", start_date="10/03/2025", hours_total="1"))
    accounts.create_account(hub.db, username=LEAD, display_name="Lee", role="site_lead", password=LEAD_PASSWORD, created_by="t")
    hub.close()
    return path, resident


def run(site_path, *args) -> int:
    return cli.main(["--site", str(site_path), "passport", *args])


def keygen(site_path, monkeypatch) -> None:
    with monkeypatch.context() as patch:
        patch.setenv("HUB_STAFF", LEAD)
        patch.setenv("HUB_PASSWORD", LEAD_PASSWORD)
        assert run(site_path, "keygen") == 0


def test_keygen_is_for_site_leads_and_makes_a_private_key_file(site, tmp_path, capsys, monkeypatch):
    path, _ = site
    assert run(path, "keygen") == 3  # a plain member of staff: not allowed
    assert "site lead" in capsys.readouterr().err
    keygen(path, monkeypatch)
    out = capsys.readouterr().out
    key_file = tmp_path / "data" / "passport-signing-key.pem"
    assert str(key_file) in out and "did:key:z6Mk" in out
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    monkeypatch.setenv("HUB_STAFF", LEAD)
    monkeypatch.setenv("HUB_PASSWORD", LEAD_PASSWORD)
    assert run(path, "keygen") == 2  # never overwritten by accident
    assert "already exists" in capsys.readouterr().err


def test_export_both_formats_and_verify_them(site, tmp_path, capsys, monkeypatch):
    path, resident = site
    assert run(path, "export", str(resident), "--format", "json") == 2  # no key yet
    assert "hub passport keygen" in capsys.readouterr().err
    keygen(path, monkeypatch)
    capsys.readouterr()

    pdf = tmp_path / "out" / "ada.pdf"
    assert run(path, "export", str(resident), "--format", "pdf", "--out", str(pdf)) == 0
    out = capsys.readouterr().out
    assert f"to {pdf}" in out and "Document code: " in out and pdf.read_bytes().startswith(b"%PDF")

    assert run(path, "export", str(resident), "--format", "json") == 0
    out = capsys.readouterr().out
    [json_file] = (tmp_path / "data" / "exports").glob("passport-*.json")
    assert str(json_file) in out and "Signed by did:key:" in out
    assert len(json.loads(json_file.read_text())["verifiableCredential"]) == 2

    assert run(path, "verify", str(json_file)) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"VALID: {json_file} (issued by Test Site)")
    assert "this site's key" in out and "(this exact file)" in out

    assert run(path, "verify", str(pdf)) == 0
    assert "this exact file was issued by this site" in capsys.readouterr().out


def test_verify_says_tampered_and_why(site, tmp_path, capsys, monkeypatch):
    path, resident = site
    keygen(path, monkeypatch)
    out = tmp_path / "p.json"
    assert run(path, "export", str(resident), "--format", "json", "--out", str(out)) == 0
    capsys.readouterr()
    forged = tmp_path / "forged.json"
    forged.write_text(out.read_text().replace('"21"', '"210"'))  # the forklift course's hours
    assert run(path, "verify", str(forged)) == 1
    text = capsys.readouterr().out
    assert text.startswith(f"TAMPERED: {forged}")
    assert "credential" in text and "'Forklift licence'" in text and "changed after signing" in text

    pdf = tmp_path / "p.pdf"
    assert run(path, "export", str(resident), "--format", "pdf", "--out", str(pdf)) == 0
    capsys.readouterr()
    changed = tmp_path / "changed.pdf"
    changed.write_bytes(pdf.read_bytes() + b"%edited\n")  # any change, even one a reader ignores
    assert run(path, "verify", str(changed)) == 1
    assert "is not the file that was issued" in capsys.readouterr().out


def test_verify_says_unknown_signer_and_how_to_trust_one(site, tmp_path, capsys, monkeypatch):
    path, resident = site
    other_site = tmp_path / "other"
    other_site.mkdir()
    other_path = write_site(other_site, plugins=["passport"])
    other = cli.build_hub(load_site_config(other_path))
    other.open_storage()
    as_plain_staff(other, monkeypatch)
    from plugins.passport import service
    from plugins.passport.signing import create_key_file

    from hub.residents import NewResident, register_resident, validate_resident

    key = create_key_file(service.key_path(other))  # the other site issues a passport for its own resident

    form = NewResident("Bo Other", "", "01/01/1980", engagement="drop_in", status_at_registration="unemployed", consents={"record": True})
    rid = register_resident(other.db, validate_resident(form, []), form.consents, staff="x", terminal="y")
    service.add(other, rid, EntryForm(kind="training", title="Basic IT", start_date="01/03/2025"))
    other.close()
    theirs = tmp_path / "theirs.json"
    assert run(other_path, "export", str(rid), "--format", "json", "--out", str(theirs)) == 0
    capsys.readouterr()

    keygen(path, monkeypatch)
    capsys.readouterr()
    assert run(path, "verify", str(theirs)) == 3
    text = capsys.readouterr().out
    assert text.startswith(f"UNKNOWN SIGNER: {theirs}") and key.did in text and "--trust" in text
    public = tmp_path / "their-key.pem"
    assert run(other_path, "public-key", "--out", str(public)) == 0
    assert run(path, "verify", str(theirs), "--trust", str(public)) == 0
    capsys.readouterr()
    assert run(path, "verify", str(theirs), "--trust", key.did, "--json") == 0
    verdict = json.loads(capsys.readouterr().out)
    assert verdict["status"] == "valid" and verdict["signers"] == [key.did]


def test_rotating_the_key_keeps_old_passports_verifiable(site, tmp_path, capsys, monkeypatch):
    path, resident = site
    keygen(path, monkeypatch)
    old = tmp_path / "old.json"
    assert run(path, "export", str(resident), "--format", "json", "--out", str(old)) == 0
    monkeypatch.setenv("HUB_STAFF", LEAD)
    monkeypatch.setenv("HUB_PASSWORD", LEAD_PASSWORD)
    assert run(path, "keygen", "--rotate") == 0
    assert "Retired the old key" in capsys.readouterr().out
    assert list((tmp_path / "data").glob("passport-signing-key.retired-*.pub.pem"))
    assert run(path, "verify", str(old)) == 0
    assert "a retired key of this site" in capsys.readouterr().out


def test_public_key_formats(site, tmp_path, capsys, monkeypatch):
    path, _ = site
    assert run(path, "public-key") == 2
    assert "hub passport keygen" in capsys.readouterr().err
    keygen(path, monkeypatch)
    capsys.readouterr()
    assert run(path, "public-key", "--format", "did") == 0
    did = capsys.readouterr().out.strip()
    assert did.startswith("did:key:z6Mk")
    assert run(path, "public-key", "--format", "jwk") == 0
    jwk = json.loads(capsys.readouterr().out)
    assert jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519" and jwk["kid"] == did
    assert run(path, "public-key") == 0
    assert capsys.readouterr().out.startswith("-----BEGIN PUBLIC KEY-----")


def test_json_to_standard_output(site, capsys, monkeypatch):
    path, resident = site
    keygen(path, monkeypatch)
    capsys.readouterr()
    assert run(path, "export", str(resident), "--format", "json", "--out", "-") == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["type"] == ["VerifiablePresentation", "WorkPassport"]
    assert "Document code" in captured.err
    assert run(path, "export", str(resident), "--format", "pdf", "--out", "-") == 2


def test_show_week_and_check_code(site, tmp_path, capsys):
    path, resident = site
    assert run(path, "show", str(resident), "--history") == 0
    out = capsys.readouterr().out
    assert "2 entries" in out and "Forklift licence" in out and "Document seen (certificate)" in out
    assert "v2 verified by test.staff" in out and "Training 21 h" in out
    assert run(path, "show", str(resident), "--json") == 0
    assert json.loads(capsys.readouterr().out)["totals"]["training_hours"] == 21
    assert run(path, "week", str(resident), "--week", "12/03/2025") == 0
    out = capsys.readouterr().out
    assert "week of 10/03/2025 to 16/03/2025" in out and "Work search: 1 h" in out
    assert run(path, "export", str(resident), "--format", "pdf", "--out", str(tmp_path / "x.pdf")) == 0
    code = capsys.readouterr().out.split("Document code: ")[1].split()[0]
    assert run(path, "check-code", code.lower().replace("-", " ")) == 0
    out = capsys.readouterr().out
    assert f"Document {code}: a PDF work passport for resident #{resident}" in out and "Forklift licence" in out
    assert run(path, "check-code", "ZZZZZ-ZZZZZ") == 2
    assert "was not issued by this site" in capsys.readouterr().err


@pytest.mark.parametrize("args, words", [
    (["show", "999"], "RESIDENT: There is no resident with id 999."),
    (["export", "999", "--format", "pdf"], "RESIDENT: There is no resident with id 999."),
    (["week", "1", "--week", "someday"], "--week: Not a date"),
    (["verify", "/nonexistent/file.json"], "FILE: cannot read"),
])
def test_bad_input_names_the_argument_and_exits_2(site, capsys, args, words):
    path, _ = site
    assert run(path, *args) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err


def test_a_file_that_is_not_a_passport(site, tmp_path, capsys):
    path, _ = site
    junk = tmp_path / "junk.json"
    junk.write_text("{not json")
    assert run(path, "verify", str(junk)) == 2
    assert capsys.readouterr().out.startswith(f"NOT A PASSPORT: {junk}")


def test_exports_and_views_are_in_the_access_log_without_personal_data(site, tmp_path, capsys):
    path, resident = site
    assert run(path, "show", str(resident)) == 0
    assert run(path, "export", str(resident), "--format", "pdf", "--out", str(tmp_path / "a.pdf")) == 0
    hub = cli.build_hub(load_site_config(path))
    hub.open_storage()
    actions = [r["action"] for r in hub.db.query("select action from access_log where resident_id = ? order by id", [resident])]
    text = " ".join(str(v) for r in hub.db.query("select * from access_log") for v in r.values())
    hub.close()
    assert "passport:view" in actions and any(a.startswith("passport:export:pdf:") for a in actions)
    assert "Ada" not in text and "Forklift" not in text
