"""The evaluator's export: de-identified, pseudonymous, consent-filtered, fully described."""

from __future__ import annotations

import csv
import json
import re
import stat

import pytest

from hub.staff import PermissionDenied, Session
from plugins.journey import export, service

PERSONAL = {
    "names": ["Alice", "Ashworth", "Bilal", "Brennan", "Carys", "Cartwright", "Dmitri", "Dobrev", "Esme", "Everly",
              "Gwen", "Gallagher", "Hamish", "Holloway"],
    "dates of birth": ["1990-06-15", "15/06/1990", "2003-05-01", "01/05/2003", "1980-10-10", "1975-03-03", "2008-01-01",
                       "01/01/2008", "2000-06-01", "1970-12-12"],
    "phones": ["07700 900001", "07700900001", "07700 900002", "07700 900008"],
    "emails": ["alice@example.com", "carys@example.com", "@example"],
    "addresses": ["Kestrel Walk", "Lapwing Lane", "Heron Court", "HERON COURT"],
    "postcodes": ["M40 7AB", "M40 8QT", "M40 7DS", "M407AB"],
    "free text": ["scared of interviews", "wrong person", "CV", "payslip dated"],
    "staff": ["test.staff"],
}


@pytest.fixture
def report(seeded):
    return service.run_report(seeded.hub, seeded.period, today=seeded.today)


def files_text(folder) -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(folder.iterdir()))


def test_csv_export_contains_no_personal_identifiers(seeded, report, tmp_path):
    folder = service.export_report(seeded.hub, report, "csv", tmp_path / "out")
    names = sorted(path.name for path in folder.iterdir())
    assert names == ["action_steps.csv", "assessments.csv", "data_dictionary.csv", "engagements.csv", "figures.csv",
                     "manifest.json", "outcomes.csv", "referrals.csv", "residents.csv", "trend.csv"]
    data = "\n".join(path.read_text(encoding="utf-8") for path in folder.iterdir() if path.name != "data_dictionary.csv")
    for what, values in PERSONAL.items():
        for value in values:
            assert value.lower() not in data.lower(), f"{what}: {value!r} is in the export"
    assert not re.search(r"\d{4}-\d{2}-\d{2}(?!T)", _without_period(data)), "an exact date outside the period header"
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def _without_period(text: str) -> str:
    """The manifest names the period and when it was made; every other date is a month."""
    manifest_dates = ["2025-01-01", "2025-03-31"]
    for day in manifest_dates:
        text = text.replace(day, "")
    return re.sub(r'"generated_at": "[^"]+"', "", text)


def test_json_export_contains_no_personal_identifiers(seeded, report, tmp_path):
    path = service.export_report(seeded.hub, report, "json", tmp_path / "out.json")
    text = path.read_text(encoding="utf-8")
    for values in PERSONAL.values():
        for value in values:
            assert value.lower() not in text.lower()
    data = json.loads(text)
    assert set(data["tables"]) == set(export.DICTIONARY)
    assert data["period"] == {"from": "2025-01-01", "to": "2025-03-31"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_only_residents_who_consented_are_in_the_rows(seeded, report, tmp_path):
    key = export.load_or_create_key(seeded.hub.config.data_dir)
    built = export.build_export(seeded.hub.db, report, key)
    pids = {row["pid"] for row in built.tables["residents"]}
    i = seeded.ids
    expected = {export.pseudonym(key, "R", rid) for rid in (i.A, i.B, i.C, i.D, i.E)}
    assert pids == expected  # G said no to reporting; H was erased
    assert built.manifest["residents_included"] == 5 and built.manifest["residents_left_out"] == 2
    every_pid = {row["pid"] for table in ("outcomes", "assessments", "action_steps", "referrals") for row in built.tables[table]}
    every_pid |= {row["pid"] for row in built.tables["engagements"] if row["pid"]}
    assert every_pid <= expected
    figures = {row["key"]: row["value"] for row in built.tables["figures"]}
    assert figures["registered"] == 5  # the counts still include everyone, without ids


def test_rows_carry_what_an_evaluator_needs(seeded, report):
    key = b"k" * 32
    built = export.build_export(seeded.hub.db, report, key)
    pid = {name: export.pseudonym(key, "R", getattr(seeded.ids, name)) for name in "ABCDE"}
    residents = {row["pid"]: row for row in built.tables["residents"]}
    assert residents[pid["B"]] == {
        "pid": pid["B"], "registered_month": "2025-01", "status_at_registration": "unemployed", "age_band": "18-24",
        "subgroup_16_24": 1, "in_area": 1, "first_engaged_by": "drop_in", "registered_in_period": 1,
        "engaged_in_period": 1, "contacts_in_period": 1, "days_to_first_job": 49,
    }
    assert residents[pid["E"]]["age_band"] == "16-17" and residents[pid["E"]]["first_engaged_by"] == "door_knock"
    assert residents[pid["A"]]["days_to_first_job"] == 64 and residents[pid["A"]]["registered_in_period"] == 0
    outcomes = [(r["pid"], r["kind"], r["source"]) for r in built.tables["outcomes"]]
    assert (pid["A"], "job_start", "passport") in outcomes and (pid["A"], "job_start", "recorded") in outcomes
    assert (pid["A"], "job_sustained_4", "passport") in outcomes
    assessments = built.tables["assessments"]
    assert assessments == [{"pid": pid["C"], "assessment_number": 1, "month": "2025-03", "days_from_registration": 287,
                            "type": "barrier", "area": "confidence", "score": 3, "change_since_previous": "",
                            "change_since_first": ""}]
    engagements = built.tables["engagements"]
    assert len(engagements) == 5 and len({row["home"] for row in engagements}) == 3
    assert [row["pid"] for row in engagements if row["outcome"] == "signed_up"] == [pid["E"]]
    assert built.tables["referrals"] == [{"pid": pid["D"], "month": "2025-02", "kind": "signpost", "status": "attended",
                                          "attended": 1}]


def test_pseudonyms_are_stable_and_keyed(seeded, report, tmp_path):
    data_dir = seeded.hub.config.data_dir
    key = export.load_or_create_key(data_dir)
    assert export.load_or_create_key(data_dir) == key  # made once, then kept
    assert stat.S_IMODE((data_dir / export.KEY_FILE).stat().st_mode) == 0o600
    first = export.build_export(seeded.hub.db, report, key)
    again = export.build_export(seeded.hub.db, service.run_report(seeded.hub, seeded.period, today=seeded.today), key)
    assert [r["pid"] for r in first.tables["residents"]] == [r["pid"] for r in again.tables["residents"]]
    other = export.build_export(seeded.hub.db, report, b"another key")
    assert not {r["pid"] for r in first.tables["residents"]} & {r["pid"] for r in other.tables["residents"]}
    assert export.load_or_create_key(data_dir, "configured secret") == b"configured secret"
    assert re.fullmatch(r"R-[0-9a-f]{16}", first.tables["residents"][0]["pid"])


def test_the_data_dictionary_describes_every_column_and_nothing_else(seeded, report, tmp_path):
    folder = service.export_report(seeded.hub, report, "csv", tmp_path / "out")
    with open(folder / "data_dictionary.csv", encoding="utf-8") as handle:
        described = {(row["file"], row["column"]) for row in csv.DictReader(handle) if row["description"].strip()}
    present = set()
    for path in folder.glob("*.csv"):
        if path.name == "data_dictionary.csv":
            continue
        with open(path, encoding="utf-8") as handle:
            present |= {(path.name, column) for column in next(csv.reader(handle))}
    assert present == described


def test_export_needs_a_site_lead(seeded, report):
    hub = seeded.hub
    hub.session = Session(None, "sam", "Sam", "staff")
    with pytest.raises(PermissionDenied):
        service.export_report(hub, report, "csv")
    assert not (hub.config.data_dir / "exports").exists()
