"""``hub passport ...``: export, verify, keys, and read-only views for staff.

Bad input exits with code 2 and one line naming the argument; never a traceback.
``verify`` exits 0 valid, 1 tampered, 3 unknown signer, 2 not a passport file.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

USAGE_ERROR = 2
ARGUMENT_NAMES = {"resident": "RESIDENT", "format": "--format", "min_level": "--min-level", "trust": "--trust",
                  "week": "--week", "code": "CODE", "file": "FILE", "out": "--out"}


def configure(parser: argparse.ArgumentParser) -> None:
    from plugins.passport.model import VERIFICATION_LEVELS

    sub = parser.add_subparsers(dest="passport_command", metavar="ACTION", required=True)
    export = sub.add_parser("export", help="write a resident's passport as a PDF or signed Open Badges 3.0 JSON")
    export.add_argument("resident", metavar="RESIDENT", type=int, help="the resident's id")
    export.add_argument("--format", required=True, choices=["pdf", "json"], help="pdf to print, json for a signed credential")
    export.add_argument("--out", metavar="FILE", help="where to write it (json: - for standard output); "
                                                      "default: printouts/ or exports/ in the site's data folder")
    export.add_argument("--min-level", choices=list(VERIFICATION_LEVELS), help="only entries verified at least this well")

    verify = sub.add_parser("verify", help="check a passport file: valid, tampered or unknown signer, and why")
    verify.add_argument("file", metavar="FILE", help="a passport JSON (or a PDF this site issued)")
    verify.add_argument("--trust", action="append", default=[], metavar="KEY",
                        help="also trust this public key (a PEM or JWK file, or a did:key); repeatable")
    verify.add_argument("--json", action="store_true", help="print the verdict as JSON")

    keygen = sub.add_parser("keygen", help="create the site's Ed25519 signing key (site leads)")
    keygen.add_argument("--rotate", action="store_true",
                        help="replace an existing key; its public key is kept so passports it signed still verify")

    public = sub.add_parser("public-key", help="print or save the site's public key, for employers and partners")
    public.add_argument("--format", choices=["pem", "jwk", "did"], default="pem")
    public.add_argument("--out", metavar="FILE", help="write to a file instead of the screen")

    show = sub.add_parser("show", help="a resident's timeline and totals")
    show.add_argument("resident", metavar="RESIDENT", type=int)
    show.add_argument("--history", action="store_true", help="include who changed what")
    show.add_argument("--json", action="store_true")

    week = sub.add_parser("week", help="the weekly work search and preparation summary for a work coach")
    week.add_argument("resident", metavar="RESIDENT", type=int)
    week.add_argument("--week", metavar="DATE", help="any day in the week (default: this week)")
    week.add_argument("--json", action="store_true")

    code = sub.add_parser("check-code", help="what a document code was issued for, and whether it has changed since")
    code.add_argument("code", metavar="CODE")

    sub.add_parser("kinds", help="the kinds of entry, including those other plugins add")


def run(hub, args: argparse.Namespace) -> int:
    from hub.api import ValidationError
    from plugins.passport.signing import KeyFileError

    handler = {
        "export": _export, "verify": _verify, "keygen": _keygen, "public-key": _public_key, "show": _show,
        "week": _week, "check-code": _check_code, "kinds": _kinds,
    }[args.passport_command]
    try:
        return handler(hub, args)
    except ValidationError as exc:
        for field, message in exc.errors.items():
            print(f"hub passport {args.passport_command}: {ARGUMENT_NAMES.get(field, field)}: {message}", file=sys.stderr)
        return USAGE_ERROR
    except KeyFileError as exc:
        print(f"hub passport {args.passport_command}: {exc}", file=sys.stderr)
        return USAGE_ERROR


def _export(hub, args) -> int:
    from plugins.passport.service import export

    to_stdout = args.out == "-"
    if to_stdout and args.format == "pdf":
        print("hub passport export: --out: a PDF cannot go to standard output; give a file name", file=sys.stderr)
        return USAGE_ERROR
    hub.authenticate("residents.use")
    out = Path("-") if to_stdout else (Path(args.out) if args.out else None)
    try:
        result, content = export(hub, args.resident, args.format, out=out, min_level=args.min_level)
    except OSError as exc:
        print(f"hub passport export: --out: cannot write {args.out}: {exc.strerror}", file=sys.stderr)
        return USAGE_ERROR
    message = sys.stderr if to_stdout else sys.stdout
    if result.path is not None:
        hub.record_export(args.resident, result.path, kind="passport")  # erasure removes it
    if to_stdout:
        sys.stdout.write(content.decode("utf-8"))
    else:
        entries = f"{result.entries} entr{'y' if result.entries == 1 else 'ies'}"
        print(f"Wrote the work passport ({args.format.upper()}, {entries}) to {result.path}", file=message)
    print(f"Document code: {result.code}", file=message)
    if result.signer:
        print(f"Signed by {result.signer}", file=message)
    return 0


STATUS_WORDS = {"valid": "VALID", "tampered": "TAMPERED", "unknown_signer": "UNKNOWN SIGNER", "invalid": "NOT A PASSPORT"}


def _verify(hub, args) -> int:
    from plugins.passport.signing import EXIT_CODES, Verdict, verify_document

    try:
        raw = Path(args.file).read_bytes()
    except OSError as exc:
        print(f"hub passport verify: FILE: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return USAGE_ERROR
    if raw.startswith(b"%PDF"):
        verdict = _verify_pdf(hub, raw)
    else:
        try:
            document = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            verdict = Verdict("invalid", [f"it is not JSON ({getattr(exc, 'msg', 'not UTF-8 text')})"])
        else:
            from plugins.passport.service import trusted_signers

            verdict = verify_document(document, trusted_signers(hub, args.trust))
            if isinstance(document, dict) and isinstance(document.get("passportCode"), str):
                verdict.reasons.extend(_register_note(hub, document["passportCode"], raw))
    if args.json:
        print(json.dumps({"file": args.file, **verdict.as_dict()}, indent=2))
    else:
        who = f" (issued by {verdict.issuer_name})" if verdict.issuer_name and verdict.status == "valid" else ""
        print(f"{STATUS_WORDS[verdict.status]}: {args.file}{who}")
        for reason in verdict.reasons:
            print(f"  - {reason}")
    return EXIT_CODES[verdict.status]


def _register_note(hub, code: str, raw: bytes) -> list[str]:
    from plugins.passport.export import sha256_hex
    from plugins.passport.storage import find_document

    try:
        document = find_document(hub.db, code=code)
    except Exception:  # noqa: BLE001 - the register is extra information; the signatures decide
        return []
    if document is None:
        return []
    same = " (this exact file)" if document["file_sha256"] == sha256_hex(raw) else ""
    return [f"its code {code} is in this site's register: issued {document['issued_at'][:10]} by {document['issued_by']}{same}"]


def _verify_pdf(hub, raw: bytes):
    """A PDF can only be checked where it was issued: against the register of issued files."""
    from plugins.passport.export import pdf_code_in, sha256_hex
    from plugins.passport.signing import Verdict
    from plugins.passport.storage import find_document

    code = pdf_code_in(raw)
    by_hash = find_document(hub.db, file_sha256=sha256_hex(raw))
    if by_hash is not None:
        return Verdict("valid", [f"this exact file was issued by this site on {by_hash['issued_at'][:10]} "
                                 f"by {by_hash['issued_by']} (code {by_hash['code']}); "
                                 f"`hub passport check-code {by_hash['code']}` lists its entries"],
                       issuer_name=hub.config.hub.site_name, credentials=by_hash["entries"])
    if code is None:
        return Verdict("invalid", ["it is a PDF with no passport document code: not a passport from a Drop-in Hub"])
    registered = find_document(hub.db, code=code)
    if registered is None:
        return Verdict("unknown_signer", [f"its code {code} was not issued by this site "
                                          "(another site's passport, or a forged code): ask the issuer to check it"])
    return Verdict("tampered", [f"code {code} was issued by this site on {registered['issued_at'][:10]}, but this file "
                                "is not the file that was issued: it was changed after issue (printouts: compare it "
                                f"with `hub passport check-code {code}`)"])


def _keygen(hub, args) -> int:
    from plugins.passport.service import key_path, settings
    from plugins.passport.signing import create_key_file, load_key_file, public_pem

    hub.authenticate("config.manage")
    path = key_path(hub)
    passphrase = settings(hub).key_passphrase or None
    if path.exists():
        if not args.rotate:
            print(f"hub passport keygen: a signing key already exists at {path}. Passports it signed depend on it: "
                  "use --rotate only if it was lost or exposed.", file=sys.stderr)
            return USAGE_ERROR
        old = load_key_file(path, passphrase)
        stamp = date.today().strftime("%Y%m%d")
        retired = path.with_name(f"{path.stem}.retired-{stamp}-{old.did[-8:]}.pub.pem")
        retired.write_text(public_pem(old.public))
        path.unlink()
        print(f"Retired the old key {old.did}; its public key is kept in {retired} so passports it signed still verify.")
    key = create_key_file(path, passphrase)
    print(f"Created the site's signing key: {path} (readable by its owner only)")
    print(f"Its public id: {key.did}")
    print("Back it up somewhere safe. Share only the public key: `hub passport public-key`.")
    return 0


def _public_key(hub, args) -> int:
    from plugins.passport.service import load_signing_key
    from plugins.passport.signing import public_jwk, public_pem

    key = load_signing_key(hub)
    if args.format == "pem":
        text = public_pem(key.public)
    elif args.format == "jwk":
        text = json.dumps(public_jwk(key.public), indent=2) + "\n"
    else:
        text = key.did + "\n"
    if args.out:
        try:
            Path(args.out).write_text(text)
        except OSError as exc:
            print(f"hub passport public-key: --out: cannot write {args.out}: {exc.strerror}", file=sys.stderr)
            return USAGE_ERROR
        print(f"Wrote the public key ({args.format}) to {args.out}")
    else:
        sys.stdout.write(text)
    return 0


def _resident_or_error(hub, resident_id: int) -> None:
    from hub.api import ValidationError, get_resident

    if get_resident(hub.db, resident_id) is None:
        raise ValidationError({"resident": f"There is no resident with id {resident_id}."})


def _show(hub, args) -> int:
    from plugins.passport.kinds import label_for
    from plugins.passport.service import kinds_for, log_view
    from plugins.passport.views import dates_text, history, history_lines, hours_text, timeline, totals, verification_text

    hub.authenticate("residents.use")  # signs in (HUB_STAFF + HUB_PASSWORD, or a prompt); exit 3 if not allowed
    _resident_or_error(hub, args.resident)
    kinds = kinds_for(hub)
    entries = timeline(hub.db, args.resident)
    summary = totals(entries)
    log_view(hub, args.resident)
    if args.json:
        out: dict[str, Any] = {"resident_id": args.resident, "totals": summary.as_dict(), "entries": entries}
        if args.history:
            out["history"] = {e["root_id"]: [c.__dict__ for c in history(hub.db, e["root_id"])] for e in entries}
        print(json.dumps(out, indent=2, default=str))
        return 0
    print(f"Work passport for resident #{args.resident}: {len(entries)} entr{'y' if len(entries) == 1 else 'ies'}")
    for line in summary.lines():
        print(line)
    for entry in entries:
        print(f"\n#{entry['root_id']} {label_for(entry['kind'], kinds)}: {entry['title']}"
              + (f", {entry['provider']}" if entry.get("provider") else ""))
        print(f"  {dates_text(entry)}" + (f"; {hours_text(entry)}" if hours_text(entry) else ""))
        print(f"  {verification_text(entry)}")
        if args.history:
            for line in history_lines(history(hub.db, entry["root_id"])):
                print(f"  {line}")
    return 0


def _week(hub, args) -> int:
    from hub.api import ValidationError, parse_date
    from plugins.passport.service import kinds_for, log_view
    from plugins.passport.views import format_week, timeline, weekly_summary

    hub.authenticate("residents.use")  # signs in (HUB_STAFF + HUB_PASSWORD, or a prompt); exit 3 if not allowed
    _resident_or_error(hub, args.resident)
    day = date.today()
    if args.week:
        day = parse_date(args.week)
        if day is None:
            raise ValidationError({"week": "Not a date: write it as day/month/year, e.g. 31/01/2026."})
    summary = weekly_summary(timeline(hub.db, args.resident), day)
    log_view(hub, args.resident, "week")
    if args.json:
        print(json.dumps(summary.as_dict(), indent=2))
    else:
        print("\n".join(format_week(summary, kinds_for(hub))))
    return 0


def _check_code(hub, args) -> int:
    from hub.api import ValidationError, log_access
    from plugins.passport.export import normalise_code
    from plugins.passport.service import document_report
    from plugins.passport.storage import find_document

    hub.authenticate("residents.use")  # signs in (HUB_STAFF + HUB_PASSWORD, or a prompt); exit 3 if not allowed
    code = normalise_code(args.code)
    document = find_document(hub.db, code=code)
    if document is None:
        raise ValidationError({"code": f"{code} was not issued by this site (check the letters; O and 0 are the same)."})
    log_access(hub.db, staff=hub.staff, terminal=hub.terminal, resident_id=document["resident_id"],
               action=f"passport:check-code:{document['id']}")
    print("\n".join(document_report(hub, document)))
    return 0


def _kinds(hub, args) -> int:
    from plugins.passport.service import kind_report

    kinds, problems = kind_report(hub)
    for kind in kinds.values():
        extra = [kind.bucket or "-", "paid" if kind.paid_work else "", f"from {kind.plugin}" if kind.plugin != "passport" else ""]
        print(f"{kind.id:<20} {kind.label:<24} {' '.join(e for e in extra if e)}")
    for problem in problems:
        print(f"skipped: {problem}", file=sys.stderr)
    return 0
