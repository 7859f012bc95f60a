"""Signing and checking: RFC 8785 canonical JSON, the W3C eddsa-jcs-2022 test vector, did:key, key files,
and the verdicts valid / tampered / unknown signer with their reasons."""

from __future__ import annotations

import copy
import json
import os
import stat
import struct

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from plugins.passport.signing import (
    KeyFileError,
    SigningKey,
    add_proof,
    b58decode,
    b58encode,
    canonical_json,
    check_proof,
    create_key_file,
    es6_number,
    load_key_file,
    multikey,
    public_from_did,
    public_jwk,
    public_pem,
    read_public_key,
    verify_document,
)

# RFC 8785 Appendix B: IEEE 754 bit patterns and how ECMAScript (and so JCS) writes them.
NUMBERS = {
    "0000000000000000": "0", "8000000000000000": "0", "0000000000000001": "5e-324", "8000000000000001": "-5e-324",
    "7fefffffffffffff": "1.7976931348623157e+308", "4340000000000000": "9007199254740992",
    "c340000000000000": "-9007199254740992", "4430000000000000": "295147905179352830000",
    "44b52d02c7e14af5": "9.999999999999997e+22", "44b52d02c7e14af6": "1e+23", "44b52d02c7e14af7": "1.0000000000000001e+23",
    "444b1ae4d6e2ef4e": "999999999999999700000", "444b1ae4d6e2ef4f": "999999999999999900000", "444b1ae4d6e2ef50": "1e+21",
    "3eb0c6f7a0b5ed8c": "9.999999999999997e-7", "3eb0c6f7a0b5ed8d": "0.000001", "41b3de4355555553": "333333333.3333332",
    "41b3de4355555554": "333333333.33333325", "41b3de4355555555": "333333333.3333333", "41b3de4355555556": "333333333.3333334",
    "41b3de4355555557": "333333333.33333343", "becbf647612f3696": "-0.0000033333333333333333",
    "43143ff3c1cb0959": "1424953923781206.2",
}


@pytest.mark.parametrize("bits, text", NUMBERS.items())
def test_numbers_are_written_as_ecmascript_does(bits, text):
    assert es6_number(struct.unpack(">d", bytes.fromhex(bits))[0]) == text


def test_rfc8785_example_canonicalisation():
    source = ('{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001], '
              '"string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}')
    expected = '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    assert canonical_json(json.loads(source)).decode("utf-8") == expected


def test_keys_sort_by_utf16_code_units():
    keys = ["\u20ac", "\r", "\ufb33", "1", "\U0001f600", "\u0080", "\u00f6"]
    out = canonical_json({key: 0 for key in keys}).decode("utf-8")
    order = [k for k in json.loads(out)]
    assert order == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]  # the emoji's surrogates sort first


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), {1: "x"}, {"x": {1, 2}}, 2**60])
def test_what_cannot_be_canonicalised_is_refused(bad):
    with pytest.raises(ValueError):
        canonical_json(bad)


# The W3C "Data Integrity EdDSA Cryptosuites v1.0" test vector for eddsa-jcs-2022
# (w3c/vc-di-eddsa, TestVectors/keyPair.json and TestVectors/eddsa-jcs-2022/signedJCS.json).
W3C_SECRET = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
W3C_PUBLIC = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
W3C_UNSIGNED = {
    "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
    "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
    "type": ["VerifiableCredential", "AlumniCredential"],
    "name": "Alumni Credential",
    "description": "A minimum viable example of an Alumni Credential.",
    "issuer": "https://vc.example/issuers/5678",
    "validFrom": "2023-01-01T00:00:00Z",
    "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"},
}
W3C_METHOD = f"https://vc.example/issuers/5678#{W3C_PUBLIC}"
W3C_PROOF_VALUE = "z63t83Y53KfzJ5ZosfKTnqfMcKB2dmTrfjSaQjeNNjAD5srBowQfmWqeRb8rRjmeEuCBEsddF9LsVogtuTsijJKh4"
W3C_PROOF_VALUE_NO_CONTEXT = "z3P6rHMUaWG6e3Ac6xYFht8aEvoVXndgKTtEY8kzWYXzk8dKmAo2GJeZiJw4qoZ2PGp4ugdaHx3oQiLpeFBLDqP2M"


def w3c_key() -> Ed25519PrivateKey:
    secret = b58decode(W3C_SECRET[1:])
    assert secret[:2] == b"\x80\x26"  # multicodec ed25519-priv
    return Ed25519PrivateKey.from_private_bytes(secret[2:])


def test_our_signature_matches_the_w3c_test_vector_byte_for_byte():
    key = w3c_key()
    assert multikey(SigningKey(key).public) == W3C_PUBLIC
    signed = add_proof(W3C_UNSIGNED, key, created="2023-02-24T23:36:38Z", method=W3C_METHOD)
    assert signed["proof"]["proofValue"] == W3C_PROOF_VALUE
    assert signed["proof"]["@context"] == W3C_UNSIGNED["@context"]
    assert check_proof(signed, public=SigningKey(key).public) == W3C_METHOD


def test_the_earlier_w3c_vector_without_a_proof_context_also_verifies():
    public = SigningKey(w3c_key()).public
    signed = {**W3C_UNSIGNED, "proof": {"type": "DataIntegrityProof", "cryptosuite": "eddsa-jcs-2022",
                                        "created": "2023-02-24T23:36:38Z", "verificationMethod": W3C_METHOD,
                                        "proofPurpose": "assertionMethod", "proofValue": W3C_PROOF_VALUE_NO_CONTEXT}}
    assert check_proof(signed, public=public) == W3C_METHOD
    signed["credentialSubject"] = {**signed["credentialSubject"], "alumniOf": "The School of Forgeries"}
    with pytest.raises(Exception, match="changed after signing"):
        check_proof(signed, public=public)


def test_base58_and_did_key_round_trip():
    for data in (b"", b"\0\0abc", bytes(range(256))):
        assert b58decode(b58encode(data)) == data
    key = SigningKey(Ed25519PrivateKey.generate())
    assert key.did.startswith("did:key:z6Mk") and key.method == f"{key.did}#{key.did[8:]}"
    assert public_from_did(key.method) == key.public
    for text in (key.did, public_pem(key.public), json.dumps(public_jwk(key.public)), multikey(key.public)):
        assert read_public_key(text) == key.public
    with pytest.raises(ValueError):
        public_from_did("did:web:example.org")
    with pytest.raises(ValueError):
        read_public_key("hello")


def test_signing_is_deterministic():
    key = SigningKey(Ed25519PrivateKey.generate())
    document = {"b": [1, 2.5, "x"], "a": {"é": True}}
    assert key.sign(document, created="2026-01-01T00:00:00Z") == key.sign(copy.deepcopy(document), created="2026-01-01T00:00:00Z")
    reordered = {"a": {"é": True}, "b": [1, 2.5, "x"]}
    assert key.sign(reordered, created="2026-01-01T00:00:00Z")["proof"] == key.sign(document, created="2026-01-01T00:00:00Z")["proof"]


# -- key files -----------------------------------------------------------------------------------


def test_a_new_key_file_is_readable_by_its_owner_only_and_never_overwritten(tmp_path):
    path = tmp_path / "keys" / "site.pem"
    key = create_key_file(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_key_file(path).did == key.did
    with pytest.raises(KeyFileError, match="already exists"):
        create_key_file(path)
    assert load_key_file(path).did == key.did


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_a_key_file_others_can_read_is_refused(tmp_path):
    path = tmp_path / "site.pem"
    create_key_file(path)
    os.chmod(path, 0o644)
    with pytest.raises(KeyFileError, match="chmod 600"):
        load_key_file(path)


def test_a_passphrase_protects_the_key(tmp_path):
    path = tmp_path / "site.pem"
    key = create_key_file(path, passphrase="correct horse battery staple")
    assert b"ENCRYPTED" in path.read_bytes()
    assert load_key_file(path, "correct horse battery staple").did == key.did
    with pytest.raises(KeyFileError, match="key_passphrase"):
        load_key_file(path)
    with pytest.raises(KeyFileError, match="wrong key_passphrase"):
        load_key_file(path, "wrong")


def test_a_missing_key_says_how_to_make_one(tmp_path):
    with pytest.raises(KeyFileError, match="hub passport keygen"):
        load_key_file(tmp_path / "none.pem")


# -- verdicts ------------------------------------------------------------------------------------


def bundle_signed_by(key: SigningKey, names=("First aid", "Forklift", "Food hygiene"), issuer: str | None = None) -> dict:
    created = "2026-03-16T10:00:00Z"
    credentials = [
        key.sign({"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential", "OpenBadgeCredential"],
                  "issuer": {"id": issuer or key.did, "type": ["Profile"], "name": "Test Site"}, "name": name,
                  "validFrom": created, "credentialSubject": {"type": ["AchievementSubject"], "hours": 6.5}}, created=created)
        for name in names
    ]
    return key.sign({"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiablePresentation"],
                     "verifiableCredential": credentials}, created=created)


@pytest.fixture
def site_key():
    return SigningKey(Ed25519PrivateKey.generate())


def test_an_untouched_bundle_is_valid(site_key):
    verdict = verify_document(bundle_signed_by(site_key), {site_key.did: "this site's key"})
    assert verdict.status == "valid" and verdict.exit_code == 0
    assert verdict.signers == [site_key.did] and verdict.credentials == 3 and verdict.issuer_name == "Test Site"
    assert "3 credentials and the passport as a whole are signed by" in verdict.reasons[0]


def test_a_changed_credential_is_tampered_and_named(site_key):
    bundle = bundle_signed_by(site_key)
    bundle["verifiableCredential"][1]["credentialSubject"]["hours"] = 60
    verdict = verify_document(bundle, {site_key.did: "this site's key"})
    assert verdict.status == "tampered" and verdict.exit_code == 1
    assert any("credential 2 of 3 ('Forklift')" in r and "changed after signing" in r for r in verdict.reasons)
    assert any(r.startswith("the passport as a whole") for r in verdict.reasons)


def test_a_removed_credential_is_tampered_even_though_each_is_intact(site_key):
    bundle = bundle_signed_by(site_key)
    del bundle["verifiableCredential"][0]
    verdict = verify_document(bundle, {site_key.did: "this site's key"})
    assert verdict.status == "tampered"
    assert len(verdict.reasons) == 1 and "one was added, removed or reordered" in verdict.reasons[0]


def test_a_stripped_signature_is_tampered(site_key):
    bundle = bundle_signed_by(site_key)
    del bundle["verifiableCredential"][2]["proof"]
    verdict = verify_document(bundle, {site_key.did: "this site's key"})
    assert verdict.status == "tampered"
    assert any("credential 3 of 3" in r and "no signature" in r for r in verdict.reasons)


def test_a_valid_signature_from_another_key_is_an_unknown_signer(site_key):
    stranger = SigningKey(Ed25519PrivateKey.generate())
    verdict = verify_document(bundle_signed_by(stranger), {site_key.did: "this site's key"})
    assert verdict.status == "unknown_signer" and verdict.exit_code == 3
    assert any(stranger.did in r and "not a key this site trusts" in r for r in verdict.reasons)
    assert verify_document(bundle_signed_by(stranger), {site_key.did: "a", stranger.did: "partner"}).status == "valid"


def test_a_forger_who_resigns_under_our_name_is_caught(site_key):
    forger = SigningKey(Ed25519PrivateKey.generate())
    verdict = verify_document(bundle_signed_by(forger, issuer=site_key.did), {site_key.did: "this site's key"})
    assert verdict.status == "unknown_signer"
    assert any(f"names '{site_key.did}' as its issuer but was signed by {forger.did}" in r for r in verdict.reasons)


def test_a_tampered_file_from_an_unknown_signer_is_reported_as_tampered(site_key):
    stranger = SigningKey(Ed25519PrivateKey.generate())
    bundle = bundle_signed_by(stranger)
    bundle["verifiableCredential"][0]["name"] = "Brain surgery"
    assert verify_document(bundle, {site_key.did: "this site's key"}).status == "tampered"


def test_a_single_credential_can_be_checked_on_its_own(site_key):
    credential = bundle_signed_by(site_key)["verifiableCredential"][0]
    assert verify_document(credential, {site_key.did: "k"}).status == "valid"


@pytest.mark.parametrize("document, words", [
    ([1, 2], "not a JSON object"),
    ({"hello": "world"}, "neither a passport"),
    ({"type": ["VerifiablePresentation"], "verifiableCredential": "nope"}, "not a list"),
])
def test_things_that_are_not_passports_are_invalid(document, words):
    verdict = verify_document(document, {})
    assert verdict.status == "invalid" and verdict.exit_code == 2
    assert words in verdict.reasons[0]


def test_an_unsupported_proof_is_invalid_not_valid(site_key):
    credential = bundle_signed_by(site_key)["verifiableCredential"][0]
    credential["proof"]["cryptosuite"] = "ecdsa-rdfc-2019"
    verdict = verify_document(credential, {site_key.did: "k"})
    assert verdict.status == "invalid" and "ecdsa-rdfc-2019" in verdict.reasons[0]
