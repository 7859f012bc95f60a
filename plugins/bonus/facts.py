"""Facts for the rules, read from the resident record (core tables), the resident's employment
spells (the core's ``resident_employment`` hook, which the passport implements) and our own claims.

Nothing is typed twice: a job is whatever the passport says it is now. Reading many residents at
once (the due list) costs one query per table plus one passport call per resident.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import TYPE_CHECKING, Callable, Iterable

from hub.api import in_area
from plugins.bonus.rules import Address, ClaimFact, Facts, Job

if TYPE_CHECKING:
    from sqlite_utils import Database

    from hub.api import Hub

JobsOf = Callable[[int], "tuple[tuple[Job, ...], bool]"]
"""resident id -> (their jobs, whether any plugin records jobs on this site)."""


def _day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def monthly_pay(spell) -> float | None:
    """Pay a month from the passport's amount and period (a month is 52/12 weeks)."""
    amount, period = spell.pay_amount, spell.pay_period
    if amount is None or period is None:
        return None
    if period == "month":
        return float(amount)
    if period == "year":
        return amount / 12
    if period == "week":
        return amount * 52 / 12
    if period == "hour":
        return amount * spell.hours_per_week * 52 / 12 if spell.hours_per_week is not None else None
    return spell.weekly_pay * 52 / 12 if spell.weekly_pay is not None else None


def job_from_spell(spell) -> Job:
    return Job(
        entry_id=spell.entry_id, kind=spell.kind, start=spell.start, end=spell.end if not spell.ongoing else None,
        employer=spell.employer, hours_per_week=spell.hours_per_week, monthly_pay=monthly_pay(spell),
        evidence_seen=tuple(spell.evidence_seen),
    )


def jobs_from_hooks(hub: "Hub") -> JobsOf:
    """Jobs from whichever plugin implements ``resident_employment`` (the passport, or a stand-in)."""
    available = bool(hub.plugins.implementers("resident_employment"))

    def jobs_of(resident_id: int) -> tuple[tuple[Job, ...], bool]:
        if not available:
            return (), False
        spells = [result.value for result in hub.plugins.call_flat("resident_employment", hub=hub, resident_id=resident_id)]
        return tuple(job_from_spell(spell) for spell in sorted(spells, key=lambda spell: (spell.start, spell.entry_id))), True

    return jobs_of


def no_jobs(resident_id: int) -> tuple[tuple[Job, ...], bool]:
    return (), False


def _claim_fact(row: dict) -> ClaimFact:
    return ClaimFact(row["id"], row["scheme_id"], row["status"], _day(row["proposed_at"]) or date.min,
                     row["resident_id"], row["job_entry_id"])


def gather_many(db: "Database", resident_ids: Iterable[int], site_area: list[str], jobs_of: JobsOf = no_jobs) -> dict[int, Facts]:
    """Facts for each resident that exists and has not been erased; ``jobs_of`` supplies their jobs."""
    ids = sorted(set(resident_ids))
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    residents = {row["id"]: row for row in db.query(
        f"SELECT id, name, date_of_birth, registered_at, status_at_registration, postcode, in_area, erased_at "
        f"FROM residents WHERE id IN ({marks})", ids) if not row["erased_at"]}
    if not residents:
        return {}
    consent_first: dict[int, date] = {}
    consent_now: dict[int, bool] = {}
    for row in db.query(f"SELECT resident_id, given, recorded_at FROM consents WHERE purpose = 'record' "
                        f"AND resident_id IN ({marks}) ORDER BY id", ids):
        consent_now[row["resident_id"]] = bool(row["given"])
        if row["given"] and row["resident_id"] not in consent_first:
            consent_first[row["resident_id"]] = _day(row["recorded_at"])
    addresses: dict[int, list[Address]] = defaultdict(list)
    for row in db.query(f"SELECT resident_id, postcode, in_area, from_date FROM resident_addresses "
                        f"WHERE resident_id IN ({marks}) ORDER BY from_date, id", ids):
        day = _day(row["from_date"])
        if day:
            addresses[row["resident_id"]].append(Address(
                day, row["postcode"], bool(row["postcode"]) and in_area(row["postcode"], site_area), bool(row["in_area"])))
    contacts: dict[int, list[date]] = defaultdict(list)
    for row in db.query(f"SELECT resident_id, contact_date FROM contacts WHERE resident_id IN ({marks}) "
                        "ORDER BY contact_date", ids):
        day = _day(row["contact_date"])
        if day:
            contacts[row["resident_id"]].append(day)
    claims: dict[int, list[ClaimFact]] = defaultdict(list)
    has_claims = "bonus_claims" in db.table_names()
    if has_claims:
        for row in db.query(f"SELECT id, scheme_id, status, proposed_at, resident_id, job_entry_id FROM bonus_claims "
                            f"WHERE resident_id IN ({marks}) ORDER BY id", ids):
            claims[row["resident_id"]].append(_claim_fact(row))
    twins = _twin_claims(db, residents) if has_claims else {}
    facts: dict[int, Facts] = {}
    for resident_id, row in residents.items():
        jobs, available = jobs_of(resident_id)
        postcode = row["postcode"]
        history = tuple(addresses.get(resident_id, ()))
        facts[resident_id] = Facts(
            resident_id=resident_id,
            date_of_birth=_day(row["date_of_birth"]),
            registered_on=_day(row["registered_at"]),
            status_at_registration=row["status_at_registration"],
            postcode=postcode,
            in_area_at_registration=history[0].in_area_when_recorded if history else bool(row["in_area"]),
            in_area_now=bool(postcode) and in_area(postcode, site_area),
            record_consent_on=consent_first.get(resident_id),
            record_consent_now=consent_now.get(resident_id, False),
            contact_dates=tuple(contacts.get(resident_id, ())),
            jobs=jobs,
            claims=tuple(claims.get(resident_id, ())),
            duplicate_claims=tuple(twins.get(resident_id, ())),
            passport_available=available,
            addresses=history,
        )
    return facts


def _twin_claims(db: "Database", residents: dict[int, dict]) -> dict[int, list[ClaimFact]]:
    """Claims held by other (not erased) records with the same name and date of birth."""
    keys = {(" ".join((row["name"] or "").lower().split()), row["date_of_birth"]) for row in residents.values()}
    dobs = sorted({dob for _, dob in keys if dob})
    if not dobs:
        return {}
    marks = ", ".join("?" for _ in dobs)
    by_key: dict[tuple[str, str], list[int]] = defaultdict(list)
    for row in db.query(f"SELECT id, name, date_of_birth FROM residents WHERE erased_at IS NULL "
                        f"AND date_of_birth IN ({marks})", dobs):
        by_key[(" ".join((row["name"] or "").lower().split()), row["date_of_birth"])].append(row["id"])
    twin_ids = {rid for ids in by_key.values() if len(ids) > 1 for rid in ids}
    if not twin_ids:
        return {}
    marks = ", ".join("?" for _ in twin_ids)
    claims_by_resident: dict[int, list[ClaimFact]] = defaultdict(list)
    for row in db.query(f"SELECT id, scheme_id, status, proposed_at, resident_id, job_entry_id FROM bonus_claims "
                        f"WHERE resident_id IN ({marks}) ORDER BY id", sorted(twin_ids)):
        claims_by_resident[row["resident_id"]].append(_claim_fact(row))
    out: dict[int, list[ClaimFact]] = {}
    for resident_id, row in residents.items():
        key = (" ".join((row["name"] or "").lower().split()), row["date_of_birth"])
        others = [rid for rid in by_key.get(key, []) if rid != resident_id]
        out[resident_id] = [claim for rid in others for claim in claims_by_resident.get(rid, [])]
    return out


def gather(db: "Database", resident_id: int, site_area: list[str], jobs_of: JobsOf = no_jobs) -> Facts | None:
    """One resident's facts, or None if there is no such resident (or they were erased)."""
    return gather_many(db, [resident_id], site_area, jobs_of).get(resident_id)
