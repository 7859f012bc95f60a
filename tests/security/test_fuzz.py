"""Hypothesis fuzz of the forms, the search box and the CLI: no traceback, no markup interpreted,
nothing stored that should have been refused.

``make test`` runs a few hundred examples per target; ``make fuzz`` (HUB_FUZZ=1) runs 10,000.
"""

from __future__ import annotations

import io
import os
import re
import sqlite3
import string
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import fields

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hub import residents
from hub.residents import NewResident, ValidationError

FUZZ = bool(os.environ.get("HUB_FUZZ"))
MANY = 10_000 if FUZZ else 300
SOME = 10_000 if FUZZ else 120
fuzz = settings(max_examples=MANY, deadline=None, suppress_health_check=list(HealthCheck), database=None)
fuzz_cli = settings(max_examples=SOME, deadline=None, suppress_health_check=list(HealthCheck), database=None)

HOSTILE = [
    "[b]bold[/b]", "[ @click=app.quit]x[/]", "[@click=app.screenshot('/tmp/x')]x", "[$text-error on $error]Ask for bank details",
    "\x1b[2J\x1b[H", "\x1b]8;;https://evil.example\x07link\x1b]8;;\x07", "\x1b]52;c;ZXZpbA==\x07", "\u202eevil", "\x00nul",
    "'; DROP TABLE residents; --", 'NEAR("a" "b")', "name*", "^start", "a OR b", "\ud7ff", "😀" * 3, "ﷺ" * 10, "a" * 5000,
    "\r\n", "%s%n", "{0}", "${HOME}", "../../etc/passwd", "07700 900123", "M40 7AB", "31/02/1990", "1990-13-45",
]
text = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=200),
                 st.text(alphabet=string.printable, max_size=60))
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@pytest.fixture(scope="module")
def db():
    from sqlite_utils import Database

    from hub.audit import audit_migrations
    from hub.context import _meta_migrations
    from hub.residents import core_migrations
    from hub.storage import apply_migrations
    from hub.versions import version_migrations

    database = Database(sqlite3.connect(":memory:", check_same_thread=False))
    apply_migrations(database, [_meta_migrations(), core_migrations(), audit_migrations(), version_migrations()])
    return database


@fuzz
@given(name=text, preferred=text, born=text, phone=text, email=text, address=text, postcode=text,
       engagement=st.sampled_from(["drop_in", "agency_referral", "", "nonsense"]), referred_by=text,
       status=st.sampled_from(["unemployed", "employed", "", "x"]), record=st.booleans())
def test_register_form_stores_only_what_it_accepts(db, name, preferred, born, phone, email, address, postcode,
                                                   engagement, referred_by, status, record):
    form = NewResident(name, preferred, born, phone, email, address, postcode, engagement=engagement,
                       referred_by=referred_by, status_at_registration=status, consents={"record": record})
    before = db["residents"].count
    try:
        row = residents.validate_resident(form, ["M40 7"])
    except ValidationError as exc:
        assert exc.errors and all(isinstance(m, str) and m for m in exc.errors.values())
        assert db["residents"].count == before
        return
    resident_id = residents.register_resident(db, row, form.consents, staff="fuzz", terminal="t")
    stored = residents.get_resident(db, resident_id)
    for key in ("name", "preferred_name", "phone", "email", "address", "postcode", "referred_by"):
        value = stored[key]
        assert value is None or (isinstance(value, str) and not CONTROL.search(value) and "\x1b" not in value)
    assert stored["name"].strip() and len(stored["name"]) <= 120
    assert stored["date_of_birth"] and record
    assert stored["name"] == residents.clean_text(name, limit=120)  # markup kept as text, never interpreted


@fuzz
@given(query=text)
def test_the_search_box_never_fails(db, query):
    found = residents.search_residents(db, query)
    assert isinstance(found, list)


@fuzz
@given(kind=st.sampled_from(["training", "job_search", "employment", "", "x"]), title=text, provider=text,
       start=text, end=text, hours=text, per_week=text)
def test_passport_entry_form_names_the_field_or_gives_a_clean_entry(kind, title, provider, start, end, hours, per_week):
    from plugins.passport.model import EntryForm, validate_entry

    form = EntryForm(kind=kind, title=title, provider=provider, start_date=start, end_date=end, hours_total=hours,
                     hours_per_week=per_week)
    try:
        entry = validate_entry(form)
    except ValidationError as exc:
        assert exc.errors
        return
    assert entry["title"] and not CONTROL.search(entry["title"])


@example(values={"age": "²"}, couple=False)  # found by `make fuzz`: a Unicode digit reached int() and raised
@fuzz
@given(values=st.dictionaries(st.sampled_from(["age", "earnings", "children_ages", "rent", "partner_age",
                                               "disabled_children_lower", "hours", "pay"]), text, max_size=6),
       couple=st.booleans())
def test_calculator_form_names_the_field_or_calculates(values, couple):
    from plugins.benefits_calc.form import CalcForm, FormError, to_input

    names = {f.name for f in fields(CalcForm)}
    form = CalcForm(couple=couple, **{k: v for k, v in values.items() if k in names})
    try:
        to_input(form)
    except FormError as exc:
        assert str(exc)


@fuzz
@given(markup=st.sampled_from(HOSTILE[:4]) | text)
def test_resident_names_render_as_text_not_markup(markup):
    """What the residents table and the resident bar show is a Content/Text with markup off."""
    from textual.content import Content

    shown = Content(residents.clean_text(markup, limit=120))
    assert shown.plain == residents.clean_text(markup, limit=120)
    assert not shown.spans  # no style or @click action came from the text


CLI_WORDS = ["resident", "export", "erase", "passport", "show", "week", "export", "bonus", "check", "due", "directory",
             "search", "followups", "audit", "verify", "backup", "restore", "staff", "list", "retention", "report",
             "--json", "--out", "-", "--format", "json", "pdf", "--yes", "1", "0", "-1", "999999", "--on", "--month"]


@pytest.fixture(scope="module")
def cli_site(tmp_path_factory):
    from hub import cli
    from hub.config import load_site_config
    from hubtest import write_site

    folder = tmp_path_factory.mktemp("fuzz-site")
    path = write_site(folder, plugins=["signposting", "passport", "bonus", "journey", "benefits_calc"])
    hub = cli.build_hub(load_site_config(path))
    hub.open_storage()
    hub.close()
    return path


@fuzz_cli
@given(args=st.lists(st.one_of(st.sampled_from(CLI_WORDS), text), max_size=6))
def test_cli_inputs_never_end_in_a_traceback(cli_site, args):
    from hub import cli

    if not [a for a in args if not a.startswith("-")] or [a for a in args if not a.startswith("-")][0] == "run":
        args = ["resident", *args]  # with no command the hub opens the kiosk itself: not what this fuzzes
    os.environ.pop("HUB_PASSWORD", None)
    out, err = io.StringIO(), io.StringIO()
    if any("\x00" in a for a in args):
        args = [a.replace("\x00", "") for a in args]
    stdin = io.StringIO("")
    import sys

    real_stdin = sys.stdin
    sys.stdin = stdin
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = cli.main(["--site", str(cli_site), *args])
            except SystemExit as exc:  # argparse: usage errors and --help
                code = exc.code
    finally:
        sys.stdin = real_stdin
    assert code in (0, 1, 2, 3, None), (args, code, err.getvalue()[-300:])
    assert "Traceback" not in err.getvalue() + out.getvalue()
    data_commands = {("resident", "export"), ("resident", "erase"), ("passport", "show"), ("passport", "export"),
                     ("passport", "week"), ("bonus", "check"), ("bonus", "due"), ("directory", "followups")}
    asked_help = any(a in ("-h", "--help") or (a.startswith("--h") and "--help".startswith(a)) for a in args)
    if code == 0 and not asked_help and (tuple(args[:2]) in data_commands or args[:1] in (["backup"], ["restore"], ["staff"])):
        pytest.fail(f"{args} succeeded with nobody signed in")
