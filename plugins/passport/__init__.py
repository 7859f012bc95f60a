"""Work passport plugin: training, work experience, volunteering and jobs, verified by staff,
printable, and exportable as signed Open Badges 3.0 credentials. See docs/passport.md.

Only hookimpls and settings live here; everything else (sqlite-utils, Textual, fpdf2,
cryptography) is imported when first needed so the hub starts fast.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hub import CliCommand, TabSpec, hookimpl


@dataclass
class PassportSettings:
    """The [plugins.passport] table."""

    key_file: str = ""
    """The site's Ed25519 private key (PEM), relative to the site file. Empty: passport-signing-key.pem
    in the site's data folder. Create it with `hub passport keygen`; it must be readable by its owner only."""
    key_passphrase: str = ""
    """Encrypts the key file. Write { "$env" = "PASSPORT_KEY_PASSPHRASE" }, never the passphrase itself."""
    trusted_keys: list[str] = field(default_factory=list)
    """Other signers `hub passport verify` accepts: public key files (PEM or JWK) or did:key ids,
    e.g. a partner site's key. The site's own key, and keys it retired, are always trusted."""
    issuer_name: str = ""
    """The organisation named as issuer on passports. Empty: the site name."""
    issuer_url: str = ""
    """The organisation's web address, put in signed credentials (e.g. where the public key is published)."""
    contact: str = ""
    """How an employer checks a printed passport, e.g. "0161 496 0000 or passport@example.org"."""
    hash_recipient_name: bool = False
    """Put a salted hash of the resident's name in signed credentials instead of the name itself."""


@hookimpl
def config_schema():
    return PassportSettings


@hookimpl
def register_hookspecs():
    from plugins.passport import hookspecs

    return hookspecs


@hookimpl
def register_migrations():
    from plugins.passport.storage import migrations

    return migrations()


@hookimpl
def seed_demo_data(hub, db):
    from plugins.passport.demo import seed

    seed(hub, db)


@hookimpl(optionalhook=True)
def export_resident_data(hub, resident_id):
    from plugins.passport.storage import resident_data

    return resident_data(hub.db, resident_id)


@hookimpl
def resident_employment(hub, resident_id):
    from plugins.passport.views import employment_spells

    return employment_spells(hub.db, resident_id)


@hookimpl
def resident_training(hub, resident_id):
    from plugins.passport.views import training_entries

    return training_entries(hub.db, resident_id)


@hookimpl
def employment_changes(hub, since):
    from plugins.passport.storage import changes_since

    return changes_since(hub.db, since)


@hookimpl
def linkable_records(hub, resident_id):
    from plugins.passport.storage import linkable

    return linkable(hub.db, resident_id)


@hookimpl
def describe_record(hub, kind, record_id):
    if kind != "passport.entry":
        return None
    from plugins.passport.storage import describe_entry

    return describe_entry(hub.db, record_id)


@hookimpl(optionalhook=True)
def erase_resident_data(hub, resident_id):
    from plugins.passport.storage import erase_resident

    return erase_resident(hub.db, resident_id)


def _make_tab(hub):
    from plugins.passport.tab import PassportTab

    return PassportTab(hub)


@hookimpl
def register_tabs():
    return [TabSpec(id="passport", title="Passport", factory=_make_tab)]


def _configure(parser) -> None:
    from plugins.passport.cli import configure

    configure(parser)


def _run(hub, args) -> int:
    from plugins.passport.cli import run

    return run(hub, args)


@hookimpl
def register_cli_commands():
    return [
        CliCommand(
            "passport",
            "Work passports: export (PDF or signed JSON), verify a file, keys, timelines (docs/passport.md)",
            _configure,
            _run,
        )
    ]
