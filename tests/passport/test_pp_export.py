"""The printable passport (PDF) and the signed Open Badges 3.0 JSON, with their document codes."""

from __future__ import annotations

import io
import json
import stat

import pytest
from pypdf import PdfReader

from hub.residents import ValidationError
from plugins.passport import service
from plugins.passport.export import (
    OB3_CONTEXT,
    collect,
    document_code,
    normalise_code,
    pdf_code_in,
    render_pdf,
)
from plugins.passport.model import EntryForm
from plugins.passport.signing import KeyFileError, verify_document
from plugins.passport.storage import find_document

ISSUED = "2026-03-16T10:30:00Z"


@pytest.fixture
def filled(pp_hub, make_resident):
    resident = make_resident(pp_hub.db, name="Zoë O’Neill")
    first = service.add(pp_hub, resident, EntryForm(
        kind="qualification", title="Food Hygiene Level 2 – Catering", provider="Northside College",
        start_date="05/03/2025", result="Passed", qualification_level="2", skills=["work:listening"]))
    service.verify(pp_hub, first, level="document_seen", evidence=["certificate"], verified_at="06/03/2025")
    service.add(pp_hub, resident, EntryForm(
        kind="volunteering", title="Food bank packer", provider="Northside Pantry", start_date="01/02/2025",
        ongoing=True, hours_per_week="4", skills=["work:teamwork", "digital:communicating"]))
    job = service.add(pp_hub, resident, EntryForm(
        kind="employment", title="Care assistant", provider="Example Care", start_date="02/06/2025", ongoing=True,
        hours_per_week="16", pay_amount="12.71", pay_period="hour"))
    service.verify(pp_hub, job, level="provider_confirmed", verified_by="Jo Smith, HR, Example Care", verified_at="10/06/2025")
    return resident


def pdf_text(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def test_the_pdf_lists_every_entry_with_its_verification_and_the_code(pp_hub, filled):
    result, content = service.export(pp_hub, filled, "pdf", issued_at=ISSUED)
    assert content.startswith(b"%PDF") and result.path.read_bytes() == content
    assert stat.S_IMODE(result.path.stat().st_mode) == 0o600
    assert result.path.parent == pp_hub.config.data_dir / "printouts"
    [page] = pdf_text(content)
    assert "Work passport" in page and "Zoë O'Neill" in page  # Latin-1 keeps ë; the curly quote is replaced
    assert "Food Hygiene Level 2 - Catering" in page and "Level 2" in page and "Passed" in page
    assert "Verification: Document seen (certificate) by test.staff on 06/03/2025" in page
    assert "Verification: Provider/employer confirmed by Jo Smith, HR, Example Care on 10/06/2025" in page
    assert "Verification: Self-declared" in page
    assert f"Document code: {result.code}" in page and f"document code {result.code}" in page
    assert "12.71" not in page  # pay is for the bonus checks, not for employers
    assert pdf_code_in(content) == result.code


def test_every_page_of_a_long_passport_carries_the_code(pp_hub, filled):
    for number in range(60):
        service.add(pp_hub, filled, EntryForm(kind="job_search", title=f"Application {number}", start_date="01/03/2025"))
    result, content = service.export(pp_hub, filled, "pdf", issued_at=ISSUED)
    pages = pdf_text(content)
    assert len(pages) > 2
    assert all(f"document code {result.code}" in page for page in pages)
    assert all(f"of {len(pages)}" in page for page in pages)


def test_documents_are_registered_with_their_code_and_logged(pp_hub, filled):
    result, content = service.export(pp_hub, filled, "pdf", issued_at=ISSUED)
    document = find_document(pp_hub.db, code=result.code)
    assert document["resident_id"] == filled and document["format"] == "pdf" and document["entries"] == 3
    assert document["issued_by"] == "test.staff"
    assert find_document(pp_hub.db, file_sha256=__import__("hashlib").sha256(content).hexdigest())["id"] == document["id"]
    assert pp_hub.db.execute("select count(*) from access_log where action = ?",
                             [f"passport:export:pdf:{document['id']}"]).fetchone()[0] == 1


def test_the_code_follows_the_content(pp_hub, filled):
    data = collect(pp_hub.db, filled)
    one = render_pdf(data, site_name="A", code="AAAAA-AAAAA", issued_at=ISSUED)
    assert b"passport-code:AAAAA-AAAAA" in one
    assert document_code(b"x") == document_code(b"x") != document_code(b"y")
    assert len(document_code(b"x")) == 11 and document_code(b"x")[5] == "-"
    assert normalise_code("abcdo iloo1") == "ABCD0-11001"


def test_the_json_is_open_badges_credentials_signed_per_entry_and_as_a_whole(pp_hub, filled, signing_key):
    result, content = service.export(pp_hub, filled, "json", issued_at=ISSUED)
    bundle = json.loads(content)
    assert result.signer == signing_key.did and bundle["passportCode"] == result.code
    assert bundle["type"] == ["VerifiablePresentation", "WorkPassport"] and bundle["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    credentials = bundle["verifiableCredential"]
    assert len(credentials) == 3
    for credential in credentials:
        assert credential["@context"] == OB3_CONTEXT
        assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
        assert credential["issuer"] == {"id": signing_key.did, "type": ["Profile"], "name": "Test Site"}
        assert credential["validFrom"] == ISSUED and credential["id"].startswith("urn:uuid:")
        subject = credential["credentialSubject"]
        assert subject["type"] == ["AchievementSubject"]
        assert subject["identifier"] == [{"type": "IdentityObject", "identityType": "name", "hashed": False,
                                          "identityHash": "Zoë O’Neill"}]
        achievement = subject["achievement"]
        assert achievement["type"] == ["Achievement"] and achievement["criteria"]["narrative"]
        assert credential["proof"]["verificationMethod"].startswith(signing_key.did + "#")
    qualification = next(c for c in credentials if c["name"].startswith("Food Hygiene"))
    achievement = qualification["credentialSubject"]["achievement"]
    assert achievement["achievementType"] == "Certificate" and achievement["tag"] == ["RQF Level 2"]
    assert achievement["alignment"][0]["targetCode"] == "work:listening"
    assert qualification["credentialSubject"]["passportVerification"]["level"] == "document_seen"
    assert {e["genre"] for e in qualification["evidence"]} == {"certificate", "Verification"}
    volunteering = next(c for c in credentials if c["name"] == "Food bank packer")
    assert volunteering["credentialSubject"]["achievement"]["achievementType"] == "CommunityService"
    assert "activityEndDate" not in volunteering["credentialSubject"]  # still going on
    assert volunteering["credentialSubject"]["result"][0]["value"] == "4"
    job = next(c for c in credentials if c["name"] == "Care assistant")
    assert job["credentialSubject"]["passportVerification"]["verifiedBy"] == "Jo Smith, HR, Example Care"
    assert "12.71" not in json.dumps(job)
    assert verify_document(bundle, {signing_key.did: "site"}).status == "valid"


def test_the_same_passport_signed_twice_at_the_same_moment_is_identical(pp_hub, filled, signing_key):
    _, first = service.export(pp_hub, filled, "json", issued_at=ISSUED)
    _, second = service.export(pp_hub, filled, "json", issued_at=ISSUED)
    assert first == second
    assert pp_hub.db["passport_documents"].count == 1  # the same code is registered once


def test_names_can_be_hashed_and_low_levels_left_out(hub_factory, make_resident):
    import plugins.passport as passport_plugin

    hub = hub_factory(("passport", passport_plugin), body="[plugins.passport]\nhash_recipient_name = true\nissuer_url = \"https://example.org/hub\"\n")
    hub.open_storage()
    from plugins.passport.signing import create_key_file

    create_key_file(service.key_path(hub))
    resident = make_resident(hub.db)
    service.add(hub, resident, EntryForm(kind="training", title="Said so", start_date="01/03/2025"))
    checked = service.add(hub, resident, EntryForm(kind="training", title="Seen it", start_date="02/03/2025"))
    service.verify(hub, checked, level="staff_witnessed")
    _, content = service.export(hub, resident, "json", min_level="staff_witnessed", issued_at=ISSUED)
    bundle = json.loads(content)
    [credential] = bundle["verifiableCredential"]
    identity = credential["credentialSubject"]["identifier"][0]
    assert identity["hashed"] is True and identity["identityHash"].startswith("sha256$") and "Sam" not in content.decode()
    assert credential["issuer"]["url"] == "https://example.org/hub"


def test_json_without_a_key_or_for_nobody_is_refused(pp_hub, filled):
    with pytest.raises(KeyFileError, match="hub passport keygen"):
        service.export(pp_hub, filled, "json")
    with pytest.raises(ValidationError) as caught:
        service.export(pp_hub, 999, "pdf")
    assert "resident" in caught.value.errors
    with pytest.raises(ValidationError):
        service.export(pp_hub, filled, "docx")
    assert pp_hub.db["passport_documents"].count == 0
