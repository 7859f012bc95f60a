"""Ed25519 signing and checking of passport credentials: ``eddsa-jcs-2022`` Data Integrity proofs.

Depends only on the standard library and ``cryptography``; it knows nothing of the hub, so a
verifier can be built from this file alone.

The scheme (W3C "Data Integrity EdDSA Cryptosuites v1.0", cryptosuite ``eddsa-jcs-2022``):

1. The proof options are ``{"type": "DataIntegrityProof", "cryptosuite": "eddsa-jcs-2022",
   "created": ..., "verificationMethod": ..., "proofPurpose": "assertionMethod"}`` plus the
   document's ``@context`` when it has one.
2. Both the proof options and the document without its ``proof`` are canonicalised with the
   JSON Canonicalization Scheme (JCS, RFC 8785) and hashed with SHA-256.
3. The Ed25519 signature is over ``sha256(options) || sha256(document)``; ``proofValue`` is
   the signature in multibase base58-btc (``z...``).

The signer is a ``did:key`` (the public key itself, multicodec ``0xed01``), so checking a
signature needs no network; *trusting* it means comparing that key with the keys a site has
published (``trusted`` below). Signing is deterministic: the same document, key and
``created`` always give the same bytes. Tests check this module against the W3C test vector.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from json.encoder import encode_basestring as _encode_string
import os
import stat
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any, Mapping

CRYPTOSUITE = "eddsa-jcs-2022"
PROOF_TYPE = "DataIntegrityProof"
ED25519_PUB_PREFIX = b"\xed\x01"
ED25519_PRIV_PREFIX = b"\x80\x26"
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {char: index for index, char in enumerate(_B58)}


# -- JSON Canonicalization Scheme (RFC 8785) ---------------------------------------------------


def canonical_json(value: Any) -> bytes:
    """RFC 8785 canonical JSON as UTF-8 bytes: sorted keys (by UTF-16 code units), no spaces,
    ECMAScript number formatting. Raises ValueError for NaN, infinities and non-string keys."""
    return _jcs(value).encode("utf-8")


def _utf16_order(key: str) -> bytes:
    return key.encode("utf-16-be")


def _jcs(value: Any) -> str:
    kind = type(value)
    if kind is str:
        # The same escaping as ECMAScript's JSON.stringify: " \ and C0 controls, with the short
        # forms \b \t \n \f \r and lowercase \u00xx for the rest; everything else as is.
        return _encode_string(value)
    if kind is list or kind is tuple:
        return "[" + ",".join(map(_jcs, value)) + "]"
    if kind is dict or isinstance(value, Mapping):
        keys = list(value)
        for key in keys:
            if type(key) is not str:
                raise ValueError(f"object keys must be strings, got {key!r}")
        # Code point order equals UTF-16 code unit order unless a key holds a character at or
        # above U+D800 (then supplementary characters sort before U+E000-U+FFFF in UTF-16).
        if all(key.isascii() or max(key) < "\ud800" for key in keys):
            keys.sort()
        else:
            keys.sort(key=_utf16_order)
        return "{" + ",".join([_encode_string(key) + ":" + _jcs(value[key]) for key in keys]) + "}"
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is int:
        if abs(value) > 2**53:
            raise ValueError(f"integer {value} is too large for JSON canonicalisation (I-JSON)")
        return str(value)
    if kind is float:
        return es6_number(value)
    raise ValueError(f"cannot canonicalise a {kind.__name__}")


def es6_number(number: float) -> str:
    """A double as ECMAScript's Number.prototype.toString writes it (RFC 8785 section 3.2.2.3)."""
    if not math.isfinite(number):
        raise ValueError("NaN and infinities are not allowed in JSON")
    if number == 0:
        return "0"
    sign = "-" if number < 0 else ""
    # repr() gives the shortest digits that round-trip, as ECMAScript requires.
    digits_tuple, exponent = Decimal(repr(abs(number))).as_tuple()[1:]
    digits = "".join(map(str, digits_tuple)).rstrip("0")
    exponent += len(digits_tuple) - len(digits)
    k = len(digits)
    n = k + exponent  # the value is 0.digits x 10^n
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
        text = f"{mantissa}e{'+' if e >= 0 else '-'}{abs(e)}"
    return sign + text


# -- multibase base58-btc and did:key ----------------------------------------------------------


def b58encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    text = ""
    while number:
        number, rest = divmod(number, 58)
        text = _B58[rest] + text
    pad = len(data) - len(data.lstrip(b"\0"))
    return "1" * pad + text


def b58decode(text: str) -> bytes:
    number = 0
    for char in text:
        if char not in _B58_INDEX:
            raise ValueError(f"{char!r} is not a base58 character")
        number = number * 58 + _B58_INDEX[char]
    pad = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * pad + body


def multikey(public: bytes) -> str:
    """An Ed25519 public key as a Multikey: ``z6Mk...``."""
    return "z" + b58encode(ED25519_PUB_PREFIX + public)


def did_key(public: bytes) -> str:
    return "did:key:" + multikey(public)


def verification_method(public: bytes) -> str:
    return f"{did_key(public)}#{multikey(public)}"


def public_from_multikey(text: str) -> bytes:
    if not text.startswith("z"):
        raise ValueError("not a base58-btc multibase value (it must start with 'z')")
    raw = b58decode(text[1:])
    if not raw.startswith(ED25519_PUB_PREFIX) or len(raw) != 34:
        raise ValueError("not an Ed25519 public key (multicodec 0xed01, 32 bytes)")
    return raw[2:]


def public_from_did(did_or_method: str) -> bytes:
    """The public key in a ``did:key:z6Mk...`` or ``did:key:z6Mk...#z6Mk...``."""
    if not did_or_method.startswith("did:key:"):
        raise ValueError(f"the signer {did_or_method!r} is not a did:key, so it cannot be checked offline")
    return public_from_multikey(did_or_method[len("did:key:"):].split("#", 1)[0])


def did_of_method(method: str) -> str:
    return method.split("#", 1)[0]


# -- proofs ------------------------------------------------------------------------------------


def _hash_data(options: Mapping[str, Any], document: Mapping[str, Any]) -> bytes:
    return hashlib.sha256(canonical_json(options)).digest() + hashlib.sha256(canonical_json(document)).digest()


def add_proof(document: Mapping[str, Any], private_key: Any, *, created: str, method: str | None = None,
              purpose: str = "assertionMethod") -> dict[str, Any]:
    """Return a copy of ``document`` with an eddsa-jcs-2022 ``proof`` (an existing proof is replaced)."""
    from cryptography.hazmat.primitives import serialization

    public = private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    options: dict[str, Any] = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": method or verification_method(public),
        "proofPurpose": purpose,
    }
    if "@context" in unsecured:
        options["@context"] = unsecured["@context"]
    signature = private_key.sign(_hash_data(options, unsecured))
    return {**unsecured, "proof": {**options, "proofValue": "z" + b58encode(signature)}}


class ProofError(Exception):
    """A proof is missing, malformed or does not match: ``kind`` is "missing", "unsupported" or "mismatch"."""

    def __init__(self, kind: str, message: str):
        self.kind = kind
        super().__init__(message)


def check_proof(document: Mapping[str, Any], public: bytes | None = None) -> str:
    """Check the document's single eddsa-jcs-2022 proof; return the signer's verification method.

    ``public`` overrides the key (for a method that is not a did:key). Raises ProofError.
    """
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    proof = document.get("proof")
    if proof is None:
        raise ProofError("missing", "it has no signature (proof): an unsigned copy cannot be trusted")
    if isinstance(proof, list):
        if len(proof) != 1:
            raise ProofError("unsupported", f"it has {len(proof)} proofs; this checker reads exactly one")
        proof = proof[0]
    if not isinstance(proof, Mapping):
        raise ProofError("unsupported", "its proof is not an object")
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError("unsupported", f"its proof is {proof.get('type')!r}/{proof.get('cryptosuite')!r}; "
                                        f"this checker reads {PROOF_TYPE}/{CRYPTOSUITE}")
    method = proof.get("verificationMethod")
    value = proof.get("proofValue")
    if not isinstance(method, str) or not isinstance(value, str) or not value.startswith("z"):
        raise ProofError("unsupported", "its proof has no verificationMethod or no base58 proofValue")
    options = {key: item for key, item in proof.items() if key != "proofValue"}
    unsecured = {key: item for key, item in document.items() if key != "proof"}
    if "@context" in options:
        context = unsecured.get("@context")
        wanted = options["@context"]
        wanted = wanted if isinstance(wanted, list) else [wanted]
        have = context if isinstance(context, list) else [context]
        if have[: len(wanted)] != wanted:
            raise ProofError("mismatch", "its @context does not match the one it was signed with")
        unsecured["@context"] = options["@context"]
    try:
        key_bytes = public if public is not None else public_from_did(method)
        signature = b58decode(value[1:])
    except ValueError as exc:
        raise ProofError("unsupported", str(exc)) from None
    try:
        hash_data = _hash_data(options, unsecured)
    except ValueError as exc:
        raise ProofError("mismatch", f"it cannot be canonicalised: {exc}") from None
    try:
        Ed25519PublicKey.from_public_bytes(key_bytes).verify(signature, hash_data)
    except (InvalidSignature, ValueError):
        raise ProofError("mismatch", "its content does not match its signature: it was changed after signing") from None
    return method


# -- keys --------------------------------------------------------------------------------------


class KeyFileError(Exception):
    """A key file is missing, unsafe or unreadable; the message says what to do."""


@dataclass
class SigningKey:
    private_key: Any
    path: Path | None = None

    @cached_property
    def public(self) -> bytes:
        from cryptography.hazmat.primitives import serialization

        return self.private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    @cached_property
    def did(self) -> str:
        return did_key(self.public)

    @cached_property
    def method(self) -> str:
        return verification_method(self.public)

    def sign(self, document: Mapping[str, Any], *, created: str) -> dict[str, Any]:
        return add_proof(document, self.private_key, created=created, method=self.method)


def _passphrase_bytes(passphrase: str | None) -> bytes | None:
    return passphrase.encode("utf-8") if passphrase else None


def create_key_file(path: Path, passphrase: str | None = None) -> SigningKey:
    """Make a new Ed25519 key in ``path`` (PKCS#8 PEM, readable by its owner only: 0600).

    Encrypted with ``passphrase`` when one is given. Refuses to overwrite: raises KeyFileError.
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise KeyFileError(f"Cannot create the folder {path.parent}: {exc.strerror}.") from None
    key = Ed25519PrivateKey.generate()
    secret = _passphrase_bytes(passphrase)
    encryption = serialization.BestAvailableEncryption(secret) if secret else serialization.NoEncryption()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyFileError(f"A signing key already exists at {path}; use --rotate to replace it.") from None
    except OSError as exc:
        raise KeyFileError(f"Cannot write the key file {path}: {exc.strerror}.") from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    os.chmod(path, 0o600)
    return SigningKey(key, path)


def load_key_file(path: Path, passphrase: str | None = None) -> SigningKey:
    """Read the site's signing key; refuse a key file other users can read."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = Path(path)
    try:
        mode = path.stat().st_mode
        data = path.read_bytes()
    except FileNotFoundError:
        raise KeyFileError(f"No signing key at {path}. A site lead creates one with `hub passport keygen`.") from None
    except OSError as exc:
        raise KeyFileError(f"Cannot read the key file {path}: {exc.strerror}.") from None
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyFileError(
            f"The key file {path} can be read by other users (mode {stat.S_IMODE(mode):04o}): "
            f"run `chmod 600 {path}` and keep it that way."
        )
    try:
        key = serialization.load_pem_private_key(data, password=_passphrase_bytes(passphrase))
    except TypeError:
        if passphrase:
            raise KeyFileError(f"The key file {path} is not encrypted, but a key_passphrase is set: remove one of them.") from None
        raise KeyFileError(f"The key file {path} is encrypted: set key_passphrase in [plugins.passport].") from None
    except ValueError:
        raise KeyFileError(f"The key file {path} could not be read: a wrong key_passphrase, or not a PEM key.") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"The key file {path} holds a {type(key).__name__}, not an Ed25519 key.")
    return SigningKey(key, path)


def public_pem(public: bytes) -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    key = Ed25519PublicKey.from_public_bytes(public)
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def public_jwk(public: bytes) -> dict[str, str]:
    """The public key as a JSON Web Key (RFC 8037), with its did:key as ``kid``."""
    x = base64.urlsafe_b64encode(public).rstrip(b"=").decode("ascii")
    return {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": did_key(public)}


def read_public_key(text: str) -> bytes:
    """A public key written as a did:key, a Multikey, a PEM public key or a JWK; raise ValueError."""
    text = text.strip()
    if text.startswith("did:key:"):
        return public_from_did(text)
    if text.startswith("z6Mk"):
        return public_from_multikey(text)
    if text.startswith("-----BEGIN PUBLIC KEY-----"):
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        key = serialization.load_pem_public_key(text.encode("ascii"))
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("the PEM public key is not an Ed25519 key")
        return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    if text.startswith("{"):
        jwk = json.loads(text)
        if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519" or "x" not in jwk:
            raise ValueError("the JWK is not an Ed25519 (OKP) public key")
        x = jwk["x"]
        return base64.urlsafe_b64decode(x + "=" * (-len(x) % 4))
    raise ValueError("not a public key: give a did:key, a PEM public key or a JWK")


# -- checking a passport file ------------------------------------------------------------------


EXIT_CODES = {"valid": 0, "tampered": 1, "invalid": 2, "unknown_signer": 3}
"""``hub passport verify`` exit codes."""


@dataclass
class Verdict:
    """What ``verify_document`` found: a status, and every reason for it in plain words."""

    status: str
    """"valid", "tampered", "unknown_signer" or "invalid" (not a passport file at all)."""
    reasons: list[str] = field(default_factory=list)
    signers: list[str] = field(default_factory=list)
    """The did:keys that signed it."""
    issuer_name: str | None = None
    credentials: int = 0

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.status]

    def as_dict(self) -> dict[str, Any]:
        return {"status": self.status, "reasons": self.reasons, "signers": self.signers,
                "issuer_name": self.issuer_name, "credentials": self.credentials}


def _name_of(credential: Mapping[str, Any], index: int, total: int) -> str:
    name = credential.get("name")
    label = f"credential {index} of {total}"
    return f"{label} ({name!r})" if isinstance(name, str) and name else label


def _issuer_id(credential: Mapping[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    if isinstance(issuer, str):
        return issuer
    if isinstance(issuer, Mapping) and isinstance(issuer.get("id"), str):
        return issuer["id"]
    return None


def verify_document(document: Any, trusted: Mapping[str, str]) -> Verdict:
    """Check a passport bundle (a VerifiablePresentation of credentials) or a single credential.

    ``trusted`` maps each trusted signer's did:key to a label ("this site's key", a file name).
    Tampering wins over an unknown signer: a changed file is reported as tampered whoever signed it.
    """
    if not isinstance(document, Mapping):
        return Verdict("invalid", ["it is not a JSON object, so it is not a passport credential"])
    types = document.get("type")
    types = [types] if isinstance(types, str) else (types or [])
    if "VerifiablePresentation" in types or "verifiableCredential" in document:
        credentials = document.get("verifiableCredential")
        if not isinstance(credentials, list) or not all(isinstance(c, Mapping) for c in credentials):
            return Verdict("invalid", ["its verifiableCredential is not a list of credentials"])
        outer = document
    elif "VerifiableCredential" in types:
        credentials, outer = [document], None
    else:
        return Verdict("invalid", ["it is neither a passport (VerifiablePresentation) nor a credential"])

    tampered: list[str] = []
    unknown: list[str] = []
    signers: list[str] = []
    unsupported: list[str] = []
    total = len(credentials)

    def check(doc: Mapping[str, Any], what: str) -> str | None:
        try:
            method = check_proof(doc)
        except ProofError as exc:
            (unsupported if exc.kind == "unsupported" else tampered).append(f"{what}: {exc}")
            return None
        did = did_of_method(method)
        if did not in signers:
            signers.append(did)
        return did

    for index, credential in enumerate(credentials, start=1):
        what = _name_of(credential, index, total)
        did = check(credential, what)
        if did is None:
            continue
        issuer = _issuer_id(credential)
        if issuer != did:
            unknown.append(f"{what}: it names {issuer!r} as its issuer but was signed by {did}")
    if outer is not None:
        outer_did = check(outer, "the passport as a whole")
        if outer_did is None and tampered and not any(t.startswith("credential") for t in tampered):
            tampered[-1] += " (each credential on its own is intact: one was added, removed or reordered, or the cover changed)"

    for did in signers:
        if did not in trusted:
            unknown.append(
                f"it was signed by {did}, which is not a key this site trusts; "
                "ask the issuer for their public key and pass it with --trust"
            )
    issuer_name = None
    if credentials and isinstance(credentials[0].get("issuer"), Mapping):
        issuer_name = credentials[0]["issuer"].get("name")
    if tampered:
        return Verdict("tampered", tampered + unsupported, signers, issuer_name, total)
    if unsupported:
        return Verdict("invalid", unsupported, signers, issuer_name, total)
    if unknown:
        return Verdict("unknown_signer", unknown, signers, issuer_name, total)
    if total == 0 and outer is None:
        return Verdict("invalid", ["it holds no credentials"], signers, issuer_name, total)
    labels = ", ".join(f"{did} ({trusted[did]})" for did in signers)
    reasons = [f"{total} credential{'s' if total != 1 else ''}" + (" and the passport as a whole" if outer is not None else "")
               + f" are signed by {labels} and unchanged since signing"]
    return Verdict("valid", reasons, signers, issuer_name, total)
