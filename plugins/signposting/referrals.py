"""Referrals kept with the resident until they are followed up, and "report a problem with this listing".

The standard (HSDS) has no referral model, so this is ours, modelled on the three
tiers of referral relationship (signpost, warm handover, formal referral) and a
status lifecycle like DfE Connect's:

    new -> sent -> accepted | declined (reason) -> attended | did_not_attend -> outcome

A signpost (the resident was given the details and goes themselves) may go
from ``sent`` straight to ``attended`` or ``did_not_attend``; a declined
referral may still have an outcome recorded. Any other change is refused with
a :class:`RefusedTransition` naming what is allowed next.

Consent: a warm handover or formal referral shares the resident's details with
the service, so it needs their current ``share_with_services`` consent (checked
when created and again when sent). A signpost shares nothing and needs none.

Every referral keeps a snapshot of the service as it was listed (name, address,
hours, phones, last checked), because listings change and disappear. Every
change is kept in ``referral_history`` with who and when, and logged in the
access log (ids and action names only). ``record_saved`` is emitted after each
commit when a hub is given.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from hub.api import clean_text, current_consents, log_access, now_iso
from hub.api import write_transaction

if TYPE_CHECKING:
    from hub.api import LinkableRecord, ReferralRecord
    from sqlite_utils import Database

    from hub.api import Hub

KINDS = {
    "signpost": "Signpost: the resident was given the details",
    "warm_handover": "Warm handover: we introduced them (shares their details)",
    "formal_referral": "Formal referral: we referred them (shares their details)",
}
SHARING_KINDS = frozenset({"warm_handover", "formal_referral"})

STATUSES = {
    "new": "New",
    "sent": "Sent",
    "accepted": "Accepted",
    "declined": "Declined",
    "attended": "Attended",
    "did_not_attend": "Did not attend",
    "outcome": "Outcome recorded",
}
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("sent",),
    "sent": ("accepted", "declined"),
    "accepted": ("attended", "did_not_attend"),
    "declined": ("outcome",),
    "attended": ("outcome",),
    "did_not_attend": ("outcome",),
    "outcome": (),
}
SIGNPOST_SHORTCUTS: dict[str, tuple[str, ...]] = {"sent": ("attended", "did_not_attend")}
"""A signpost has nobody to accept it: the resident just goes, or does not."""
CLOSED_STATUSES = frozenset({"outcome"})
DEFAULT_FOLLOW_UP_DAYS = 14
REFERRAL_KIND = "signposting.referral"
"""The ``kind`` of ``record_saved`` events for referrals."""


class ReferralError(Exception):
    """A referral cannot be saved or changed; the message says why in words staff understand."""


class ConsentRequired(ReferralError):
    """Sharing a resident's details needs their current consent."""


class RefusedTransition(ReferralError):
    """A status change the lifecycle does not allow."""


class NotFound(ReferralError):
    """No such referral, resident, service or report."""


def create_tables(db: "Database") -> None:
    db["referrals"].create(
        {
            "id": int,
            "resident_id": int,
            "service_key": str,
            "service_name": str,
            "snapshot": str,
            "kind": str,
            "status": str,
            "needs": str,
            "note": str,
            "decline_reason": str,
            "outcome": str,
            "follow_up_on": str,
            "created_at": str,
            "created_by": str,
            "terminal": str,
            "updated_at": str,
        },
        pk="id",
        foreign_keys=[("resident_id", "residents", "id")],
        not_null={"resident_id", "service_key", "service_name", "snapshot", "kind", "status", "created_at", "created_by"},
    )
    db["referrals"].create_index(["resident_id", "created_at"])
    db["referrals"].create_index(["status", "follow_up_on"])
    db["referral_history"].create(
        {
            "id": int,
            "referral_id": int,
            "at": str,
            "staff": str,
            "terminal": str,
            "from_status": str,
            "to_status": str,
            "detail": str,
            "follow_up_on": str,
        },
        pk="id",
        foreign_keys=[("referral_id", "referrals", "id")],
        not_null={"referral_id", "at", "staff", "to_status"},
    )
    db["referral_history"].create_index(["referral_id", "id"])
    db["listing_problems"].create(
        {
            "id": int,
            "service_key": str,
            "service_name": str,
            "problem": str,
            "reported_at": str,
            "reported_by": str,
            "terminal": str,
            "status": str,
            "resolved_at": str,
            "resolved_by": str,
            "resolution": str,
        },
        pk="id",
        not_null={"service_key", "problem", "reported_at", "reported_by", "status"},
    )
    db["listing_problems"].create_index(["status", "reported_at"])


# --------------------------------------------------------------------------
# Snapshots
# --------------------------------------------------------------------------


def snapshot_service(
    db: "Database", service_key: str, *, service_at_location_key: str | None = None, today: dt.date | None = None
) -> dict[str, Any]:
    """The service's details as listed now, for the referral record and the slip."""
    from .schedules import describe_hours
    from .store import get_service

    today = today or dt.date.today()
    service = get_service(db, service_key)
    if service is None:
        raise NotFound(f"the service {service_key!r} is not in the directory (it may have been removed by a sync)")
    sites = service.service_at_locations
    site = next((s for s in sites if s.key == service_at_location_key), None) if service_at_location_key else None
    if site is None:
        site = next((s for s in sites if s.location is not None), sites[0] if sites else None)
    location = site.location if site is not None else None
    address = location.addresses[0].one_line() if location is not None and location.addresses else None
    hours = describe_hours(service.schedules_for(site), today)
    source_label = None
    row = db.conn.execute("select label from directory_sources where name = ?", [service.source]).fetchone()
    if row:
        source_label = row[0]
    return {
        "key": service.key,
        "name": service.name,
        "organisation": service.organization.name if service.organization else None,
        "description": service.description,
        "address": address or None,
        "postcode": location.postcode if location is not None else None,
        "service_at_location_key": site.key if site is not None else None,
        "phones": [p.display for p in service.all_phones()],
        "email": service.email,
        "url": service.url,
        "hours": hours,
        "hours_known": bool(hours),
        "bank_holidays": service.bank_holiday_opening,
        "access": service.attending_access,
        "last_checked": service.last_checked.isoformat() if service.last_checked else None,
        "source": service.source,
        "source_label": source_label or service.source,
        "taken_on": today.isoformat(),
    }


# --------------------------------------------------------------------------
# Referrals
# --------------------------------------------------------------------------


def allowed_next(kind: str, status: str) -> tuple[str, ...]:
    """The statuses a referral of this kind can move to from ``status``."""
    extra = SIGNPOST_SHORTCUTS.get(status, ()) if kind == "signpost" else ()
    return TRANSITIONS.get(status, ()) + extra


def _require_sharing_consent(db: "Database", resident_id: int, kind: str) -> None:
    if kind in SHARING_KINDS and not current_consents(db, resident_id).get("share_with_services"):
        raise ConsentRequired(
            "The resident has not agreed to their details being shared with services, which a "
            f"{KINDS[kind].split(':')[0].lower()} needs. Record their consent first, or give a signpost instead."
        )


def _emit(hub: "Hub | None", resident_id: int, record_id: int, kind: str = REFERRAL_KIND) -> None:
    if hub is not None:
        hub.emit("record_saved", resident_id=resident_id, kind=kind, record_id=record_id)


def create_referral(
    db: "Database",
    resident_id: int,
    service_key: str,
    *,
    kind: str,
    staff: str,
    terminal: str,
    needs: list[str] | tuple[str, ...] = (),
    note: str = "",
    service_at_location_key: str | None = None,
    today: dt.date | None = None,
    follow_up_days: int = DEFAULT_FOLLOW_UP_DAYS,
    hub: "Hub | None" = None,
) -> int:
    """Record a referral (status ``new``) with a snapshot of the service; return its id."""
    if kind not in KINDS:
        raise ReferralError(f"unknown kind of referral {kind!r}; choose from: {', '.join(KINDS)}")
    today = today or dt.date.today()
    if db.conn.execute("select 1 from residents where id = ?", [resident_id]).fetchone() is None:
        raise NotFound(f"there is no resident with id {resident_id}")
    _require_sharing_consent(db, resident_id, kind)
    snapshot = snapshot_service(db, service_key, service_at_location_key=service_at_location_key, today=today)
    follow_up_on = (today + dt.timedelta(days=follow_up_days)).isoformat()
    stamp = now_iso()
    with write_transaction(db):
        referral_id = int(
            db["referrals"]
            .insert(
                {
                    "resident_id": resident_id,
                    "service_key": service_key,
                    "service_name": snapshot["name"],
                    "snapshot": json.dumps(snapshot, ensure_ascii=False),
                    "kind": kind,
                    "status": "new",
                    "needs": ",".join(needs) or None,
                    "note": clean_text(note, limit=2000) or None,
                    "follow_up_on": follow_up_on,
                    "created_at": stamp,
                    "created_by": staff,
                    "terminal": terminal,
                    "updated_at": stamp,
                }
            )
            .last_pk
        )
        db["referral_history"].insert(
            {
                "referral_id": referral_id,
                "at": stamp,
                "staff": staff,
                "terminal": terminal,
                "from_status": None,
                "to_status": "new",
                "detail": KINDS[kind].split(":")[0],
                "follow_up_on": follow_up_on,
            }
        )
        log_access(db, staff=staff, terminal=terminal, resident_id=resident_id, action="signposting:referral:create")
    _emit(hub, resident_id, referral_id)
    return referral_id


def change_status(
    db: "Database",
    referral_id: int,
    new_status: str,
    *,
    staff: str,
    terminal: str,
    reason: str = "",
    outcome: str = "",
    today: dt.date | None = None,
    follow_up_days: int = DEFAULT_FOLLOW_UP_DAYS,
    hub: "Hub | None" = None,
) -> dict[str, Any]:
    """Move a referral along its lifecycle; a change the lifecycle does not allow raises RefusedTransition.

    ``declined`` needs a ``reason``; ``outcome`` needs an ``outcome``. Each change sets the next
    follow-up ``follow_up_days`` ahead (none once the outcome is recorded).
    """
    if new_status not in STATUSES:
        raise ReferralError(f"unknown status {new_status!r}; statuses are: {', '.join(STATUSES)}")
    referral = get_referral(db, referral_id)
    current, kind = referral["status"], referral["kind"]
    allowed = allowed_next(kind, current)
    if new_status not in allowed:
        nexts = ", ".join(STATUSES[s] for s in allowed) if allowed else "nothing: it is finished"
        raise RefusedTransition(
            f"A referral that is '{STATUSES[current]}' cannot become '{STATUSES[new_status]}'. Allowed next: {nexts}."
        )
    reason = clean_text(reason, limit=500)
    outcome = clean_text(outcome, limit=2000)
    if new_status == "declined" and not reason:
        raise ReferralError("Say why the service declined the referral.")
    if new_status == "outcome" and not outcome:
        raise ReferralError("Describe the outcome (for example 'debt plan agreed', 'no longer needed').")
    if new_status == "sent":
        _require_sharing_consent(db, referral["resident_id"], kind)
    today = today or dt.date.today()
    follow_up_on = None if new_status in CLOSED_STATUSES else (today + dt.timedelta(days=follow_up_days)).isoformat()
    stamp = now_iso()
    changes: dict[str, Any] = {"status": new_status, "follow_up_on": follow_up_on, "updated_at": stamp}
    if new_status == "declined":
        changes["decline_reason"] = reason
    if new_status == "outcome":
        changes["outcome"] = outcome
    with write_transaction(db):
        # Guard against another kiosk changing it meanwhile: the update only applies from the status we checked.
        cursor = db.conn.execute(
            f"update referrals set {', '.join(f'[{c}] = ?' for c in changes)} where id = ? and status = ?",
            [*changes.values(), referral_id, current],
        )
        if cursor.rowcount != 1:
            raise RefusedTransition("Someone else changed this referral just now; look at it again.")
        db["referral_history"].insert(
            {
                "referral_id": referral_id,
                "at": stamp,
                "staff": staff,
                "terminal": terminal,
                "from_status": current,
                "to_status": new_status,
                "detail": reason or outcome or None,
                "follow_up_on": follow_up_on,
            }
        )
        log_access(
            db, staff=staff, terminal=terminal, resident_id=referral["resident_id"], action=f"signposting:referral:{new_status}"
        )
    _emit(hub, referral["resident_id"], referral_id)
    return get_referral(db, referral_id)


def set_follow_up(
    db: "Database", referral_id: int, on: dt.date | None, *, staff: str, terminal: str, hub: "Hub | None" = None
) -> dict[str, Any]:
    """Move (or clear, with None) a referral's follow-up date."""
    referral = get_referral(db, referral_id)
    if referral["status"] in CLOSED_STATUSES and on is not None:
        raise ReferralError("This referral's outcome is recorded; it needs no follow-up.")
    stamp = now_iso()
    with write_transaction(db):
        db["referrals"].update(referral_id, {"follow_up_on": on.isoformat() if on else None, "updated_at": stamp})
        db["referral_history"].insert(
            {
                "referral_id": referral_id,
                "at": stamp,
                "staff": staff,
                "terminal": terminal,
                "from_status": referral["status"],
                "to_status": referral["status"],
                "detail": "follow-up date changed",
                "follow_up_on": on.isoformat() if on else None,
            }
        )
        log_access(db, staff=staff, terminal=terminal, resident_id=referral["resident_id"], action="signposting:referral:follow_up")
    _emit(hub, referral["resident_id"], referral_id)
    return get_referral(db, referral_id)


def _decode(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    row["snapshot"] = json.loads(row["snapshot"])
    row["needs"] = row["needs"].split(",") if row.get("needs") else []
    row["kind_label"] = KINDS.get(row["kind"], row["kind"]).split(":")[0]
    row["status_label"] = STATUSES.get(row["status"], row["status"])
    row["allowed_next"] = list(allowed_next(row["kind"], row["status"]))
    return row


def get_referral(db: "Database", referral_id: int) -> dict[str, Any]:
    """One referral with its snapshot decoded, labels, and the statuses it may move to."""
    rows = list(db.query("select * from referrals where id = ?", [referral_id]))
    if not rows:
        raise NotFound(f"there is no referral with id {referral_id}")
    return _decode(rows[0])


def referrals_for(db: "Database", resident_id: int) -> list[dict[str, Any]]:
    """A resident's referrals, newest first."""
    return [_decode(r) for r in db.query("select * from referrals where resident_id = ? order by id desc", [resident_id])]


def referral_history(db: "Database", referral_id: int) -> list[dict[str, Any]]:
    """Every change to a referral, oldest first: who, when, from and to which status, and why."""
    return list(db.query("select * from referral_history where referral_id = ? order by id", [referral_id]))


def followups_due(db: "Database", today: dt.date | None = None) -> list[dict[str, Any]]:
    """Open referrals whose follow-up date is today or past, most overdue first, with the resident's name."""
    from hub.api import display_name

    today = today or dt.date.today()
    rows = db.query(
        "select r.*, p.name as resident_name, p.preferred_name as resident_preferred_name "
        "from referrals r join residents p on p.id = r.resident_id "
        "where r.follow_up_on is not null and r.follow_up_on <= ? and r.status not in ('outcome') "
        "order by r.follow_up_on, r.id",
        [today.isoformat()],
    )
    due = []
    for row in rows:
        item = _decode(row)
        item["resident"] = display_name({"name": row["resident_name"], "preferred_name": row["resident_preferred_name"]})
        item["days_overdue"] = (today - dt.date.fromisoformat(row["follow_up_on"])).days
        del item["resident_name"], item["resident_preferred_name"]
        due.append(item)
    return due


# --------------------------------------------------------------------------
# Report a problem with this listing
# --------------------------------------------------------------------------


def report_problem(db: "Database", service_key: str, problem: str, *, staff: str, terminal: str) -> int:
    """Record "this listing is wrong" for the site lead (no resident involved); return the report's id."""
    problem = clean_text(problem, limit=2000)
    if not problem:
        raise ReferralError("Say what is wrong with the listing (e.g. 'phone number no longer works').")
    row = db.conn.execute("select name from directory_services where key = ?", [service_key]).fetchone()
    if row is None:
        raise NotFound(f"the service {service_key!r} is not in the directory")
    with write_transaction(db):
        problem_id = int(
            db["listing_problems"]
            .insert(
                {
                    "service_key": service_key,
                    "service_name": row[0],
                    "problem": problem,
                    "reported_at": now_iso(),
                    "reported_by": staff,
                    "terminal": terminal,
                    "status": "open",
                }
            )
            .last_pk
        )
        log_access(db, staff=staff, terminal=terminal, resident_id=None, action="signposting:listing_problem")
    # No record_saved: listeners expect a resident, and a listing report has none.
    return problem_id


def listing_problems(db: "Database", *, include_resolved: bool = False) -> list[dict[str, Any]]:
    """Reported problems for the site lead, oldest open first."""
    where = "" if include_resolved else "where status = 'open'"
    return list(db.query(f"select * from listing_problems {where} order by status = 'open' desc, id"))


def resolve_problem(db: "Database", problem_id: int, resolution: str, *, staff: str, terminal: str) -> None:
    """Close a reported problem, saying what was done."""
    resolution = clean_text(resolution, limit=1000)
    if not resolution:
        raise ReferralError("Say what was done (e.g. 'told the publisher', 'fixed in our local list').")
    with write_transaction(db):
        cursor = db.conn.execute(
            "update listing_problems set status = 'resolved', resolved_at = ?, resolved_by = ?, resolution = ? "
            "where id = ? and status = 'open'",
            [now_iso(), staff, resolution, problem_id],
        )
        if cursor.rowcount != 1:
            raise NotFound(f"there is no open problem report with id {problem_id}")
        log_access(db, staff=staff, terminal=terminal, resident_id=None, action="signposting:listing_problem:resolve")


# --------------------------------------------------------------------------
# Residents' data rights (the core's export_resident_data / erase_resident_data hooks)
# --------------------------------------------------------------------------


def export_for_resident(db: "Database", resident_id: int) -> dict[str, Any] | None:
    """Everything this plugin holds about a resident, for a subject access request (None if nothing)."""
    if _is_erased(db, resident_id):
        return None  # what erasure kept is de-identified: dates, kinds and statuses only
    rows = list(
        db.query(
            "select id, kind, service_name, status, needs, note, decline_reason, outcome, follow_up_on, created_at, "
            "created_by, snapshot from referrals where resident_id = ? order by id",
            [resident_id],
        )
    )
    if not rows:
        return None
    for row in rows:
        snapshot = json.loads(row.pop("snapshot"))
        row["service_details_when_referred"] = {k: snapshot.get(k) for k in ("name", "organisation", "address", "phones", "hours")}
    history = list(
        db.query(
            "select h.referral_id, h.at, h.staff, h.from_status, h.to_status, h.detail, h.follow_up_on "
            "from referral_history h join referrals r on r.id = h.referral_id where r.resident_id = ? order by h.id",
            [resident_id],
        )
    )
    return {"referrals": rows, "referral_changes": history}


ERASED = "[erased]"


def _is_erased(db: "Database", resident_id: int) -> bool:
    row = db.execute("select erased_at from residents where id = ?", [resident_id]).fetchone()
    return bool(row and row[0])


def erase_for_resident(db: "Database", resident_id: int) -> list[str]:
    """De-identify a resident's referrals (inside the caller's erasure transaction).

    Which service, the needs, notes, reasons and outcomes go; the day, kind and status of each referral
    (and the days its status changed) stay against the de-identified resident id, so reports of past
    periods (``referral_records``, the journey's referral figures) do not change when someone is erased."""
    count = db.execute("select count(*) from referrals where resident_id = ?", [resident_id]).fetchone()[0]
    if not count:
        return []
    db.execute(
        "update referral_history set detail = null, follow_up_on = null, terminal = null "
        "where referral_id in (select id from referrals where resident_id = ?)", [resident_id]
    )
    db.execute(
        "update referrals set service_key = ?, service_name = ?, snapshot = '{}', needs = null, note = null, "
        "decline_reason = null, outcome = null, follow_up_on = null, terminal = null where resident_id = ?",
        [ERASED, ERASED, resident_id],
    )
    return [f"{count} referral(s) as dates, kinds and statuses only, so past reports stay right"]


# --------------------------------------------------------------------------
# What other plugins read, through the core's hooks (never these tables)
# --------------------------------------------------------------------------


def referral_records(db: "Database", start: dt.date, end: dt.date) -> list["ReferralRecord"]:
    """Referrals made from ``start`` to ``end`` (both included), erased residents' included, de-identified."""
    from hub.api import ReferralRecord

    after = (end + dt.timedelta(days=1)).isoformat()
    rows = db.execute(
        "select r.resident_id, r.created_at, r.kind, r.status, "
        "(select min(h.at) from referral_history h where h.referral_id = r.id and h.to_status = 'attended') "
        "from referrals r where r.created_at >= ? and r.created_at < ? order by r.id", [start.isoformat(), after])
    return [ReferralRecord(row[0], dt.date.fromisoformat(row[1][:10]), row[2], row[3],
                           dt.date.fromisoformat(row[4][:10]) if row[4] else None) for row in rows]


def report_figures(db: "Database", start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """The journey report's referral figures (its ``journey_report_figures`` hook): people referred, and
    people who attended a service they were referred to, in the period."""
    after = (end + dt.timedelta(days=1)).isoformat()
    made = sorted({row[0] for row in db.execute(
        "select distinct resident_id from referrals where created_at >= ? and created_at < ?", [start.isoformat(), after])})
    completed = sorted({row[0] for row in db.execute(
        "select distinct r.resident_id from referral_history h join referrals r on r.id = h.referral_id "
        "where h.to_status = 'attended' and h.at >= ? and h.at < ?", [start.isoformat(), after])})
    return [
        {"key": "referrals.made", "label": "Referrals made", "section": "Referrals", "resident_ids": made,
         "note": "residents referred or signposted in the period"},
        {"key": "referrals.completed", "label": "Referrals completed", "section": "Referrals", "resident_ids": completed,
         "note": "residents who attended a service they were referred to, in the period"},
    ]


def linkable(db: "Database", resident_id: int) -> list["LinkableRecord"]:
    from hub.api import LinkableRecord

    return [LinkableRecord(REFERRAL_KIND, row["id"], "Referral", f"{row['service_name']} ({row['status'].replace('_', ' ')})")
            for row in db.query("select id, service_name, status from referrals where resident_id = ? order by id desc",
                                [resident_id])]


def describe(db: "Database", referral_id: int) -> str | None:
    row = db.execute("select service_name, status from referrals where id = ?", [referral_id]).fetchone()
    return f"{row[0]} ({row[1].replace('_', ' ')})" if row else None
