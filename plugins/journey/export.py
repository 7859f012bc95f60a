"""The evaluator's export: de-identified CSV files or one JSON document, with a data dictionary.

No names, dates of birth, contact details, addresses, postcodes, free text or staff names: each
resident is a stable pseudonymous id (HMAC-SHA256 of their hub id under a site secret), each
home a pseudonymous id the same way, dates are months, and durations are days from
registration. Only residents whose latest answer to the ``outcomes_reporting`` consent is yes
are included; the manifest says how many were left out. The summary figures are counts over
everyone (no ids). Pure: a database and a report in, rows out; ``write_csv`` / ``write_json`` save.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from hub.api import age_on
from plugins.journey.report import Report

if TYPE_CHECKING:
    from sqlite_utils import Database

KEY_FILE = "journey-pseudonym.key"
FORMAT_VERSION = 1
AGE_BANDS = ((16, 17, "16-17"), (18, 24, "18-24"), (25, 34, "25-34"), (35, 49, "35-49"), (50, 64, "50-64"), (65, 200, "65+"))


# -- pseudonyms ------------------------------------------------------------------------------------


def load_or_create_key(data_dir: Path, secret: str = "") -> bytes:
    """The site's pseudonym key: the configured secret, else a random key kept in the data folder
    (made on first use, readable by its owner only). Keep it: a new key gives everyone new ids."""
    if secret:
        return secret.encode("utf-8")
    path = Path(data_dir) / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another kiosk made it a moment ago
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32) + "\n")
    return bytes.fromhex(path.read_text().strip())


def pseudonym(key: bytes, prefix: str, value: Any) -> str:
    """A stable id like ``R-3f9a0c2b7d1e4a66``: the same input and key always give the same id."""
    digest = hmac.new(key, f"{prefix}:{value}".encode("utf-8"), hashlib.sha256).hexdigest()
    return f"{prefix}-{digest[:16]}"


# -- the data dictionary ---------------------------------------------------------------------------

DICTIONARY: dict[str, list[tuple[str, str, str]]] = {
    "figures": [
        ("section", "text", "Report section the figure belongs to."),
        ("key", "text", "Stable identifier of the figure (see docs/journey.md for each definition)."),
        ("label", "text", "The figure's name as the site lead sees it."),
        ("value", "number", "The figure: unique people or homes, a percentage or a median in days; empty when unknown."),
        ("unit", "text", "people, homes, percent, days or count."),
        ("amount", "number", "An extra total in pounds where a plugin gives one (e.g. bonuses paid); empty otherwise."),
        ("note", "text", "How the figure is counted."),
        ("source", "text", "The plugin that produced the figure."),
    ],
    "trend": [
        ("month", "YYYY-MM", "Calendar month."),
        ("engaged", "integer", "People engaged that month: residents engaged plus homes engaged (engagement log) not linked to a resident."),
        ("job_starts", "integer", "Residents with a job start that month."),
        ("in_period", "0/1", "1 when the month is part of the report's period."),
    ],
    "residents": [
        ("pid", "text", "Pseudonymous resident id (HMAC-SHA256 with the site's secret key); stable across exports."),
        ("registered_month", "YYYY-MM", "Month the resident registered."),
        ("status_at_registration", "code", "unemployed, economically_inactive or employed (ONS sense); empty if not recorded."),
        ("age_band", "code", "Age at registration: 16-17, 18-24, 25-34, 35-49, 50-64, 65+."),
        ("subgroup_16_24", "0/1", "1 when aged 16 to 24 at registration (the report's subgroup ages)."),
        ("in_area", "0/1", "1 when the resident's postcode was in the site's area at registration."),
        ("first_engaged_by", "code", "How they first came to the hub: door_knock, drop_in, outreach_event, jobcentre_referral, agency_referral, word_of_mouth."),
        ("registered_in_period", "0/1", "1 when they registered in the period."),
        ("engaged_in_period", "0/1", "1 when they count in 'Residents engaged' for the period."),
        ("contacts_in_period", "integer", "Contacts with staff recorded in the period (core contact log)."),
        ("days_to_first_job", "integer", "Days from registration to the first job start after registering, when that start is in the period; empty otherwise."),
    ],
    "outcomes": [
        ("pid", "text", "Pseudonymous resident id."),
        ("kind", "code", "Outcome kind: training_education, job_start, job_sustained_4, job_sustained_13, job_sustained_26, actively_looking, volunteering, financial_inclusion, or a kind a plugin adds."),
        ("month", "YYYY-MM", "Month of the outcome (for sustainment, the month the milestone was reached)."),
        ("days_from_registration", "integer", "Days from registration to the outcome (negative if before registering)."),
        ("source", "code", "recorded (staff recorded it), passport (from a work passport job, course or qualification), check (a sustainment check confirmed it)."),
        ("evidence", "code", "What backs a recorded outcome: payslip, contract, employer, provider, certificate, letter, staff_witnessed, resident_said; empty for passport and check outcomes."),
    ],
    "assessments": [
        ("pid", "text", "Pseudonymous resident id."),
        ("assessment_number", "integer", "1 for the resident's first assessment, 2 for the next, and so on (counting all assessments)."),
        ("month", "YYYY-MM", "Month of the assessment."),
        ("days_from_registration", "integer", "Days from registration to the assessment."),
        ("type", "code", "barrier or strength."),
        ("area", "code", "The barrier or strength scored (see docs/journey.md for the list)."),
        ("score", "integer", "Barriers: 0 not a barrier to 4 stops me. Strengths: 0 not yet to 4 a real strength."),
        ("change_since_previous", "integer", "Improvement since the previous assessment scoring this area (positive is better for both types); empty if none."),
        ("change_since_first", "integer", "Improvement since the first assessment scoring this area; empty if this is the first."),
    ],
    "action_steps": [
        ("pid", "text", "Pseudonymous resident id."),
        ("goal_number", "integer", "The resident's goal the step belongs to (1 for their first goal)."),
        ("goal_status", "code", "open, achieved or dropped (as it stands at export)."),
        ("owner", "code", "resident or staff: who does the step."),
        ("status", "code", "not_started, in_progress, stuck, done or dropped (as it stands at export)."),
        ("created_month", "YYYY-MM", "Month the step was added."),
        ("due_month", "YYYY-MM", "Month the step is due; empty if no due date."),
        ("done_in_period", "0/1", "1 when the step was marked done in the period."),
        ("linked_to", "code", "What the step is carried out by: signposting.referral, passport.entry, benefits_calc.scenario, or empty."),
    ],
    "engagements": [
        ("home", "text", "Pseudonymous home id (HMAC-SHA256 of the home reference); stable across exports."),
        ("month", "YYYY-MM", "Month of the contact."),
        ("kind", "code", "door_knock, drop_in, event or phone."),
        ("outcome", "code", "not_in, talked, leaflet_left, interested or signed_up."),
        ("pid", "text", "Pseudonymous id of the resident the contact is linked to (when they consented to reporting); empty otherwise."),
    ],
    "referrals": [
        ("pid", "text", "Pseudonymous resident id."),
        ("month", "YYYY-MM", "Month the referral was made."),
        ("kind", "code", "signpost, warm_handover or formal_referral."),
        ("status", "code", "Where it stands at export: new, sent, accepted, declined, attended, did_not_attend, outcome."),
        ("attended", "0/1", "1 when the resident attended the service (at any time up to export)."),
    ],
}
"""Every column of every file: (column, type, description)."""


@dataclass
class Export:
    tables: dict[str, list[dict[str, Any]]]
    manifest: dict[str, Any]
    dictionary: list[dict[str, str]] = field(default_factory=list)


def dictionary_rows() -> list[dict[str, str]]:
    return [{"file": f"{table}.csv", "column": column, "type": kind, "description": description}
            for table, columns in DICTIONARY.items() for column, kind, description in columns]


# -- building --------------------------------------------------------------------------------------


def _month(value: str | date | None) -> str:
    if value is None:
        return ""
    return (value.isoformat() if isinstance(value, date) else str(value))[:7]


def _age_band(born: str | None, joined: date) -> str:
    if not born:
        return ""
    age = age_on(date.fromisoformat(born), joined)
    return next((label for low, high, label in AGE_BANDS if low <= age <= high), "")


def consenting(db: "Database") -> set[int]:
    """Residents whose latest answer to the outcomes_reporting consent is yes (and not erased)."""
    return {row[0] for row in db.execute(
        "select c.resident_id from consents c join residents r on r.id = c.resident_id "
        "where c.id in (select max(id) from consents where purpose = 'outcomes_reporting' group by resident_id) "
        "and c.given = 1 and r.erased_at is null"
    )}


def _chunks(ids: list[int], size: int = 500) -> Iterable[list[int]]:
    for index in range(0, len(ids), size):
        yield ids[index:index + size]


def _rows_for(db: "Database", sql: str, ids: list[int], params: list[Any] | None = None) -> list[dict[str, Any]]:
    """``sql`` with ``{ids}`` replaced by placeholders, run in chunks of ids."""
    rows: list[dict[str, Any]] = []
    for part in _chunks(ids):
        rows.extend(db.query(sql.format(ids=", ".join("?" for _ in part)), [*part, *(params or [])]))
    return rows


def build_export(db: "Database", report: Report, key: bytes, *, site_name: str = "") -> Export:
    """The de-identified tables for ``report``'s period (see DICTIONARY for every column)."""
    period = report.period
    start, end = period.start.isoformat(), period.end.isoformat()
    everyone: set[int] = set()
    for figure in report.figures:
        if figure.residents is not None:
            everyone |= figure.residents
    allowed = consenting(db)
    included = sorted(everyone & allowed)
    pid = {rid: pseudonym(key, "R", rid) for rid in included}
    joined = report.registered_on
    engaged = report.figure("engaged").residents or frozenset()
    registered = report.figure("registered").residents or frozenset()

    contacts: dict[int, int] = {}
    for row in _rows_for(db, "select resident_id, count(*) as n from contacts where resident_id in ({ids}) "
                             "and contact_date >= ? and contact_date <= ? group by resident_id", included, [start, end]):
        contacts[row["resident_id"]] = row["n"]
    residents = []
    for row in _rows_for(db, "select id, date_of_birth, status_at_registration, in_area, engagement from residents "
                             "where id in ({ids})", included):
        rid = row["id"]
        residents.append({
            "pid": pid[rid],
            "registered_month": _month(joined[rid]),
            "status_at_registration": row["status_at_registration"] or "",
            "age_band": _age_band(row["date_of_birth"], joined[rid]),
            "subgroup_16_24": int(rid in report.youth),
            "in_area": int(bool(row["in_area"])),
            "first_engaged_by": row["engagement"] or "",
            "registered_in_period": int(rid in registered),
            "engaged_in_period": int(rid in engaged),
            "contacts_in_period": contacts.get(rid, 0),
            "days_to_first_job": report.days_to_job.get(rid, ""),
        })
    residents.sort(key=lambda r: r["pid"])

    outcomes = sorted((
        {
            "pid": pid[event.resident_id],
            "kind": event.kind,
            "month": _month(event.on),
            "days_from_registration": (event.on - joined[event.resident_id]).days,
            "source": event.source if event.source in ("recorded", "passport", "check") else "plugin",
            "evidence": (event.evidence or "") if event.source == "recorded" else "",
        }
        for event in report.events
        if event.resident_id in pid and period.contains(event.on)
    ), key=lambda r: (r["pid"], r["month"], r["kind"]))

    tables: dict[str, list[dict[str, Any]]] = {
        "figures": [figure.as_dict() for figure in report.figures],
        "trend": [{"month": p.month, "engaged": p.engaged, "job_starts": p.job_starts, "in_period": int(p.in_period)}
                  for p in report.trend],
        "residents": residents,
        "outcomes": outcomes,
        "assessments": _assessments(db, included, pid, joined, start, end),
        "action_steps": _steps(db, included, pid, start, end),
        "engagements": _engagements(db, key, pid, start, end),
        "referrals": _referrals(report, pid),
    }
    for name, rows in tables.items():  # never a column the dictionary does not describe
        columns = [column for column, _, _ in DICTIONARY[name]]
        tables[name] = [{column: row.get(column, "") for column in columns} for row in rows]
    manifest = {
        "export": "drop-in-hub journey: de-identified outcomes",
        "format_version": FORMAT_VERSION,
        "site": site_name,
        "period": period.as_dict(),
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "pseudonyms": "pid = 'R-' + first 16 hex digits of HMAC-SHA256(site key, 'R:' + hub resident id); "
                      "home = 'H-' + the same of the normalised home reference. The key stays at the site.",
        "residents_included": len(included),
        "residents_left_out": len(everyone - allowed),
        "left_out_because": "no current consent to use their de-identified information in reports to funders "
                            "(or their record was erased); the figures still count them, without ids",
        "dates": "months (YYYY-MM) and days from registration only",
        "files": [f"{name}.csv" for name in tables] + ["data_dictionary.csv"],
    }
    return Export(tables, manifest, dictionary_rows())


def _assessments(db: "Database", included: list[int], pid: dict[int, str], joined: dict[int, date], start: str,
                 end: str) -> list[dict[str, Any]]:
    if "journey_assessments" not in db.table_names() or not included:
        return []
    rows = _rows_for(db, "select a.id, a.resident_id, a.assessed_on, i.type, i.area, i.score from journey_assessments a "
                         "join journey_assessment_items i on i.assessment_id = a.id where a.resident_id in ({ids}) "
                         "and a.assessed_on <= ? order by a.resident_id, a.assessed_on, a.id", included, [end])
    out, number, last_id = [], {}, {}
    previous: dict[tuple[int, str, str], int] = {}
    first: dict[tuple[int, str, str], int] = {}
    for row in rows:
        rid = row["resident_id"]
        if last_id.get(rid) != row["id"]:
            number[rid] = number.get(rid, 0) + 1
            last_id[rid] = row["id"]
        key = (rid, row["type"], row["area"])
        sign = -1 if row["type"] == "barrier" else 1
        before, very_first = previous.get(key), first.get(key)
        if row["assessed_on"] >= start:
            out.append({
                "pid": pid[rid],
                "assessment_number": number[rid],
                "month": _month(row["assessed_on"]),
                "days_from_registration": (date.fromisoformat(row["assessed_on"]) - joined[rid]).days,
                "type": row["type"],
                "area": row["area"],
                "score": row["score"],
                "change_since_previous": "" if before is None else sign * (row["score"] - before),
                "change_since_first": "" if very_first is None else sign * (row["score"] - very_first),
            })
        previous[key] = row["score"]
        first.setdefault(key, row["score"])
    return out


def _steps(db: "Database", included: list[int], pid: dict[int, str], start: str, end: str) -> list[dict[str, Any]]:
    if "journey_steps" not in db.table_names() or not included:
        return []
    goals = _rows_for(db, "select id, resident_id, status from journey_goals where resident_id in ({ids}) order by id", included)
    goal_number, counter, goal_status = {}, {}, {}
    for goal in goals:
        counter[goal["resident_id"]] = counter.get(goal["resident_id"], 0) + 1
        goal_number[goal["id"]] = counter[goal["resident_id"]]
        goal_status[goal["id"]] = goal["status"]
    rows = _rows_for(db, "select * from journey_steps where resident_id in ({ids}) and substr(created_at, 1, 10) <= ? "
                         "order by resident_id, id", included, [end])
    return [{
        "pid": pid[row["resident_id"]],
        "goal_number": goal_number.get(row["goal_id"], ""),
        "goal_status": goal_status.get(row["goal_id"], ""),
        "owner": row["owner"],
        "status": row["status"],
        "created_month": _month(row["created_at"]),
        "due_month": _month(row["due_on"]),
        "done_in_period": int(bool(row["done_on"]) and start <= row["done_on"] <= end),
        "linked_to": row["link_kind"] or "",
    } for row in rows]


def _engagements(db: "Database", key: bytes, pid: dict[int, str], start: str, end: str) -> list[dict[str, Any]]:
    if "journey_engagements" not in db.table_names():
        return []
    rows = db.query("select engaged_on, kind, home_key, outcome, resident_id from journey_engagements "
                    "where engaged_on >= ? and engaged_on <= ? order by engaged_on, id", [start, end])
    homes: dict[str, str] = {}
    out = []
    for row in rows:
        home = homes.setdefault(row["home_key"], pseudonym(key, "H", row["home_key"]))
        out.append({"home": home, "month": _month(row["engaged_on"]), "kind": row["kind"], "outcome": row["outcome"],
                    "pid": pid.get(row["resident_id"], "")})
    return out


def _referrals(report: Report, pid: dict[int, str]) -> list[dict[str, Any]]:
    """From the referrals the report gathered through ``referral_records`` (never the directory's tables)."""
    rows = sorted((record for record in report.referrals if record.resident_id in pid),
                  key=lambda record: (record.made_on, record.resident_id))
    return [{"pid": pid[record.resident_id], "month": _month(record.made_on), "kind": record.kind,
             "status": record.status, "attended": int(record.attended_on is not None)} for record in rows]


# -- writing ---------------------------------------------------------------------------------------


def _private_folder(folder: Path) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        os.chmod(folder, 0o700)
    except OSError:
        pass
    return folder


def _private_write(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    os.chmod(path, 0o600)


def _csv_text(columns: list[str], rows: list[dict[str, Any]]) -> str:
    import io

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return buffer.getvalue()


def write_csv(export: Export, folder: Path) -> list[Path]:
    """One CSV per table, data_dictionary.csv and manifest.json in ``folder`` (owner-only)."""
    folder = _private_folder(folder)
    written = []
    for name, rows in export.tables.items():
        path = folder / f"{name}.csv"
        _private_write(path, _csv_text([c for c, _, _ in DICTIONARY[name]], rows))
        written.append(path)
    path = folder / "data_dictionary.csv"
    _private_write(path, _csv_text(["file", "column", "type", "description"], export.dictionary))
    written.append(path)
    path = folder / "manifest.json"
    _private_write(path, json.dumps(export.manifest, indent=2) + "\n")
    written.append(path)
    return written


def as_json(export: Export) -> dict[str, Any]:
    """The whole export as one JSON document: manifest, tables and data dictionary."""
    manifest = {key: value for key, value in export.manifest.items() if key != "files"}
    return {**manifest, "tables": export.tables, "data_dictionary": export.dictionary}


def write_json(export: Export, path: Path) -> Path:
    path = Path(path)
    _private_folder(path.parent)
    _private_write(path, json.dumps(as_json(export), indent=2) + "\n")
    return path
