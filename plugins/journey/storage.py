"""The journey's tables and every write to them: assessments, the action plan, outcomes,
sustainment checks, the engagement log, and the copies of passport employment spells and training.

Each write is one ``write_transaction`` with its access-log line (ids and action names only).
Emitting ``record_saved`` after the commit is ``service.py``'s job, since it needs the ``hub``.
Nothing here imports Textual.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from hub.api import ValidationError, log_access, now_iso
from hub.api import write_transaction
from plugins.journey.model import (
    GOAL_STATUSES,
    GOAL_TRANSITIONS,
    LINK_KINDS,
    STEP_STATUSES,
    STEP_TRANSITIONS,
    check_transition,
    home_key,
)

if TYPE_CHECKING:
    from sqlite_utils import Database

RESIDENT_FK = [("resident_id", "residents", "id")]


def migrations():
    from sqlite_utils import Migrations

    journey = Migrations("hub_journey")

    @journey(name="0001_journey_tables")
    def tables(db: "Database") -> None:
        db["journey_assessments"].create(
            {"id": int, "resident_id": int, "assessed_on": str, "note": str,
             "recorded_at": str, "recorded_by": str, "terminal": str},
            pk="id", foreign_keys=RESIDENT_FK, not_null={"resident_id", "assessed_on", "recorded_at", "recorded_by"},
        )
        db["journey_assessments"].create_index(["resident_id", "assessed_on"])
        db["journey_assessments"].create_index(["assessed_on"])
        db["journey_assessment_items"].create(
            {"id": int, "assessment_id": int, "resident_id": int, "type": str, "area": str, "score": int, "words": str},
            pk="id",
            foreign_keys=[("assessment_id", "journey_assessments", "id"), ("resident_id", "residents", "id")],
            not_null={"assessment_id", "resident_id", "type", "area", "score"},
        )
        db["journey_assessment_items"].create_index(["assessment_id"])
        db["journey_assessment_items"].create_index(["resident_id"])

        db["journey_goals"].create(
            {"id": int, "resident_id": int, "title": str, "status": str,
             "created_at": str, "created_by": str, "updated_at": str},
            pk="id", foreign_keys=RESIDENT_FK, not_null={"resident_id", "title", "status", "created_at", "created_by"},
        )
        db["journey_goals"].create_index(["resident_id"])
        db["journey_steps"].create(
            {"id": int, "goal_id": int, "resident_id": int, "description": str, "owner": str, "owner_staff": str,
             "due_on": str, "status": str, "link_kind": str, "link_id": int,
             "created_at": str, "created_by": str, "updated_at": str, "done_on": str},
            pk="id",
            foreign_keys=[("goal_id", "journey_goals", "id"), ("resident_id", "residents", "id")],
            not_null={"goal_id", "resident_id", "description", "owner", "status", "created_at", "created_by"},
        )
        db["journey_steps"].create_index(["resident_id"])
        db["journey_steps"].create_index(["status", "due_on"])
        db["journey_plan_history"].create(
            {"id": int, "resident_id": int, "goal_id": int, "step_id": int, "at": str, "staff": str, "terminal": str,
             "from_status": str, "to_status": str, "note": str},
            pk="id", foreign_keys=RESIDENT_FK, not_null={"resident_id", "at", "staff", "to_status"},
        )
        db["journey_plan_history"].create_index(["resident_id"])

        db["journey_outcomes"].create(
            {"id": int, "resident_id": int, "kind": str, "outcome_date": str, "evidence": str, "evidence_detail": str,
             "note": str, "recorded_at": str, "recorded_by": str, "terminal": str,
             "withdrawn": int, "withdrawn_reason": str, "withdrawn_by": str, "withdrawn_at": str},
            pk="id", foreign_keys=RESIDENT_FK,
            not_null={"resident_id", "kind", "outcome_date", "recorded_at", "withdrawn"}, defaults={"withdrawn": 0},
        )
        db["journey_outcomes"].create_index(["resident_id"])
        db["journey_outcomes"].create_index(["outcome_date"])

        db["journey_spells"].create(
            {"id": int, "entry_id": int, "resident_id": int, "kind": str, "employer": str, "role": str,
             "start_date": str, "end_date": str, "ongoing": int, "hours_per_week": float, "verification_level": str,
             "confirmed_on": str, "synced_at": str},
            pk="id", foreign_keys=RESIDENT_FK, not_null={"entry_id", "resident_id", "start_date", "ongoing"},
        )
        # (resident, entry), not the entry id alone: an erased resident's kept rows may share an id SQLite reused
        db["journey_spells"].create_index(["resident_id", "entry_id"], unique=True)
        db["journey_checks"].create(
            {"id": int, "resident_id": int, "entry_id": int, "weeks": int, "result": str, "checked_on": str,
             "evidence": str, "note": str, "recorded_at": str, "recorded_by": str, "terminal": str},
            pk="id", foreign_keys=RESIDENT_FK,
            not_null={"resident_id", "entry_id", "weeks", "result", "checked_on", "recorded_at"},
        )
        db["journey_checks"].create_index(["resident_id", "entry_id", "weeks"])

        db["journey_engagements"].create(
            {"id": int, "engaged_on": str, "kind": str, "home_ref": str, "home_key": str, "outcome": str,
             "resident_id": int, "linked_at": str, "linked_by": str,
             "recorded_at": str, "recorded_by": str, "terminal": str},
            pk="id", foreign_keys=RESIDENT_FK,
            not_null={"engaged_on", "kind", "home_ref", "home_key", "outcome", "recorded_at", "recorded_by"},
        )
        # covering the report's queries (by period, outcome, home and person) so they never touch the table
        db["journey_engagements"].create_index(["engaged_on", "outcome", "home_key", "resident_id"])
        db["journey_engagements"].create_index(["home_key"])
        db["journey_engagements"].create_index(["resident_id"])

        db["journey_state"].create({"key": str, "value": str}, pk="key")

    @journey(name="0002_training_from_the_passport")
    def training_copy(db: "Database") -> None:
        # Dates only: what "into training or education" needs, nothing more about the course.
        db["journey_training"].create(
            {"id": int, "entry_id": int, "resident_id": int, "kind": str, "start_date": str, "synced_at": str},
            pk="id", foreign_keys=RESIDENT_FK, not_null={"entry_id", "resident_id", "kind", "start_date"},
        )
        db["journey_training"].create_index(["resident_id", "entry_id"], unique=True)
        db["journey_training"].create_index(["start_date"])
        # Read every resident's passport again on the next sync, so courses saved before this
        # migration are copied too (the watermark was past them).
        db.execute("delete from journey_state where key = 'passport_watermark' or key like 'employment_token:%'")

    return journey


# -- small helpers ---------------------------------------------------------------------------------


def _resident_exists(db: "Database", resident_id: int) -> None:
    row = db.execute("select erased_at from residents where id = ?", [resident_id]).fetchone()
    if row is None:
        raise ValidationError({"resident_id": f"There is no resident with id {resident_id}."})
    if row[0]:
        raise ValidationError({"resident_id": f"Resident {resident_id} was erased; nothing can be added."})


def _one(db: "Database", sql: str, params: list[Any], what: str) -> dict[str, Any]:
    rows = list(db.query(sql, params))
    if not rows:
        raise ValidationError({"id": f"There is no {what} with that number."})
    return rows[0]


def get_state(db: "Database", key: str) -> str | None:
    row = db.execute("select value from journey_state where key = ?", [key]).fetchone()
    return row[0] if row else None


def set_state(db: "Database", key: str, value: str) -> None:
    db.execute("insert or replace into journey_state (key, value) values (?, ?)", [key, value])


# -- assessments -----------------------------------------------------------------------------------


def add_assessment(db: "Database", resident_id: int, assessed_on: str, items: list[dict[str, Any]], note: str, *,
                   staff: str, terminal: str) -> int:
    """Save a validated assessment (from ``validate_assessment``) with its items; return its id."""
    _resident_exists(db, resident_id)
    with write_transaction(db):
        assessment_id = int(db["journey_assessments"].insert({
            "resident_id": resident_id, "assessed_on": assessed_on, "note": note or None,
            "recorded_at": now_iso(), "recorded_by": staff, "terminal": terminal,
        }).last_pk)
        db["journey_assessment_items"].insert_all(
            {**item, "assessment_id": assessment_id, "resident_id": resident_id} for item in items
        )
        log_access(db, staff=staff, terminal=terminal, resident_id=resident_id, action=f"journey:assessment:add:{assessment_id}")
    return assessment_id


def assessments_for(db: "Database", resident_id: int) -> list[dict[str, Any]]:
    """A resident's assessments, oldest first, each with its ``items`` (dicts)."""
    assessments = list(db.query(
        "select * from journey_assessments where resident_id = ? order by assessed_on, id", [resident_id]))
    items: dict[int, list[dict[str, Any]]] = {a["id"]: [] for a in assessments}
    for item in db.query("select * from journey_assessment_items where resident_id = ? order by id", [resident_id]):
        items.setdefault(item["assessment_id"], []).append(item)
    for assessment in assessments:
        assessment["items"] = items.get(assessment["id"], [])
    return assessments


# -- the action plan -------------------------------------------------------------------------------


def _history(db: "Database", resident_id: int, *, staff: str, terminal: str, to_status: str,
             goal_id: int | None = None, step_id: int | None = None, from_status: str | None = None,
             note: str | None = None) -> None:
    db["journey_plan_history"].insert({
        "resident_id": resident_id, "goal_id": goal_id, "step_id": step_id, "at": now_iso(), "staff": staff,
        "terminal": terminal, "from_status": from_status, "to_status": to_status, "note": note,
    })


def add_goal(db: "Database", resident_id: int, title: str, *, staff: str, terminal: str) -> int:
    _resident_exists(db, resident_id)
    stamp = now_iso()
    with write_transaction(db):
        goal_id = int(db["journey_goals"].insert({
            "resident_id": resident_id, "title": title, "status": "open", "created_at": stamp, "created_by": staff,
            "updated_at": stamp,
        }).last_pk)
        _history(db, resident_id, staff=staff, terminal=terminal, goal_id=goal_id, to_status="open", note="goal added")
        log_access(db, staff=staff, terminal=terminal, resident_id=resident_id, action=f"journey:goal:add:{goal_id}")
    return goal_id


def add_step(db: "Database", goal_id: int, step: dict[str, Any], *, staff: str, terminal: str) -> int:
    """Add a validated step (from ``validate_step``) to a goal; staff-owned steps default to ``staff``."""
    goal = _one(db, "select * from journey_goals where id = ?", [goal_id], "goal")
    row = dict(step)
    if row["owner"] == "staff" and not row.get("owner_staff"):
        row["owner_staff"] = staff
    stamp = now_iso()
    with write_transaction(db):
        step_id = int(db["journey_steps"].insert({
            **row, "goal_id": goal_id, "resident_id": goal["resident_id"], "status": "not_started",
            "created_at": stamp, "created_by": staff, "updated_at": stamp, "done_on": None,
        }).last_pk)
        _history(db, goal["resident_id"], staff=staff, terminal=terminal, goal_id=goal_id, step_id=step_id,
                 to_status="not_started", note="step added")
        log_access(db, staff=staff, terminal=terminal, resident_id=goal["resident_id"], action=f"journey:step:add:{step_id}")
    return step_id


def change_step_status(db: "Database", step_id: int, new_status: str, *, staff: str, terminal: str, note: str = "",
                       today: date | None = None) -> dict[str, Any]:
    """Move a step along its lifecycle (RefusedTransition otherwise); return the step as it is now."""
    step = _one(db, "select * from journey_steps where id = ?", [step_id], "step")
    check_transition(STEP_STATUSES, STEP_TRANSITIONS, step["status"], new_status, "step")
    today = today or date.today()
    done_on = today.isoformat() if new_status == "done" else None
    with write_transaction(db):
        cursor = db.conn.execute(
            "update journey_steps set status = ?, done_on = ?, updated_at = ? where id = ? and status = ?",
            [new_status, done_on, now_iso(), step_id, step["status"]],
        )
        if cursor.rowcount != 1:
            raise ValidationError({"status": "Someone else changed this step just now; look at it again."})
        _history(db, step["resident_id"], staff=staff, terminal=terminal, goal_id=step["goal_id"], step_id=step_id,
                 from_status=step["status"], to_status=new_status, note=note or None)
        log_access(db, staff=staff, terminal=terminal, resident_id=step["resident_id"], action=f"journey:step:{new_status}:{step_id}")
    return _one(db, "select * from journey_steps where id = ?", [step_id], "step")


def change_goal_status(db: "Database", goal_id: int, new_status: str, *, staff: str, terminal: str,
                       note: str = "") -> dict[str, Any]:
    goal = _one(db, "select * from journey_goals where id = ?", [goal_id], "goal")
    check_transition(GOAL_STATUSES, GOAL_TRANSITIONS, goal["status"], new_status, "goal")
    with write_transaction(db):
        cursor = db.conn.execute("update journey_goals set status = ?, updated_at = ? where id = ? and status = ?",
                                 [new_status, now_iso(), goal_id, goal["status"]])
        if cursor.rowcount != 1:
            raise ValidationError({"status": "Someone else changed this goal just now; look at it again."})
        _history(db, goal["resident_id"], staff=staff, terminal=terminal, goal_id=goal_id, from_status=goal["status"],
                 to_status=new_status, note=note or None)
        log_access(db, staff=staff, terminal=terminal, resident_id=goal["resident_id"], action=f"journey:goal:{new_status}:{goal_id}")
    return _one(db, "select * from journey_goals where id = ?", [goal_id], "goal")


def plan_for(db: "Database", resident_id: int) -> list[dict[str, Any]]:
    """The resident's goals (open first, then newest), each with its ``steps`` (due date order)."""
    goals = list(db.query(
        "select * from journey_goals where resident_id = ? order by status != 'open', id", [resident_id]))
    steps: dict[int, list[dict[str, Any]]] = {goal["id"]: [] for goal in goals}
    for step in db.query(
        "select * from journey_steps where resident_id = ? order by due_on is null, due_on, id", [resident_id]
    ):
        steps.setdefault(step["goal_id"], []).append(step)
    for goal in goals:
        goal["steps"] = steps.get(goal["id"], [])
    return goals


def plan_history(db: "Database", resident_id: int) -> list[dict[str, Any]]:
    return list(db.query("select * from journey_plan_history where resident_id = ? order by id", [resident_id]))


def steps_due(db: "Database", *, within_days: int = 7, today: date | None = None) -> list[dict[str, Any]]:
    """Open steps due within ``within_days`` (or overdue), across residents, most overdue first."""
    today = today or date.today()
    horizon = (today + timedelta(days=within_days)).isoformat()
    rows = db.query(
        "select s.*, g.title as goal_title, r.name as resident_name, r.preferred_name as resident_preferred_name "
        "from journey_steps s join journey_goals g on g.id = s.goal_id join residents r on r.id = s.resident_id "
        "where s.status in ('not_started', 'in_progress', 'stuck') and s.due_on is not null and s.due_on <= ? "
        "and r.erased_at is null order by s.due_on, s.id",
        [horizon],
    )
    from hub.api import display_name

    due = []
    for row in rows:
        row["resident"] = display_name({"name": row.pop("resident_name"), "preferred_name": row.pop("resident_preferred_name")})
        row["days_overdue"] = (today - date.fromisoformat(row["due_on"])).days
        due.append(row)
    return due


# -- outcomes and checks ---------------------------------------------------------------------------


def add_outcome(db: "Database", resident_id: int, outcome: dict[str, Any], *, staff: str, terminal: str) -> int:
    _resident_exists(db, resident_id)
    with write_transaction(db):
        outcome_id = int(db["journey_outcomes"].insert({
            **outcome, "resident_id": resident_id, "recorded_at": now_iso(), "recorded_by": staff, "terminal": terminal,
            "withdrawn": 0,
        }).last_pk)
        log_access(db, staff=staff, terminal=terminal, resident_id=resident_id, action=f"journey:outcome:add:{outcome_id}")
    return outcome_id


def withdraw_outcome(db: "Database", outcome_id: int, reason: str, *, staff: str, terminal: str) -> dict[str, Any]:
    """Withdraw an outcome recorded in error; it stays in the record (and the subject access export)."""
    from hub.api import clean_text

    outcome = _one(db, "select * from journey_outcomes where id = ?", [outcome_id], "outcome")
    reason = clean_text(reason, limit=300)
    if not reason:
        raise ValidationError({"reason": "Say why it is withdrawn (e.g. recorded for the wrong person)."})
    if outcome["withdrawn"]:
        raise ValidationError({"id": "This outcome is already withdrawn."})
    with write_transaction(db):
        db.execute(
            "update journey_outcomes set withdrawn = 1, withdrawn_reason = ?, withdrawn_by = ?, withdrawn_at = ? where id = ?",
            [reason, staff, now_iso(), outcome_id],
        )
        log_access(db, staff=staff, terminal=terminal, resident_id=outcome["resident_id"],
                   action=f"journey:outcome:withdraw:{outcome_id}")
    return _one(db, "select * from journey_outcomes where id = ?", [outcome_id], "outcome")


def outcomes_for(db: "Database", resident_id: int, *, include_withdrawn: bool = False) -> list[dict[str, Any]]:
    sql = "select * from journey_outcomes where resident_id = ?"
    if not include_withdrawn:
        sql += " and withdrawn = 0"
    return list(db.query(sql + " order by outcome_date desc, id desc", [resident_id]))


def add_check(db: "Database", resident_id: int, entry_id: int, weeks: int, check: dict[str, Any], *, staff: str,
              terminal: str) -> int:
    """Record a sustainment check of one passport job at 4, 13 or 26 weeks."""
    _resident_exists(db, resident_id)
    spell = db.execute("select 1 from journey_spells where resident_id = ? and entry_id = ?", [resident_id, entry_id]).fetchone()
    if spell is None:
        raise ValidationError({"entry_id": "That job is not in this resident's passport."})
    with write_transaction(db):
        check_id = int(db["journey_checks"].insert({
            **check, "resident_id": resident_id, "entry_id": entry_id, "weeks": weeks, "recorded_at": now_iso(),
            "recorded_by": staff, "terminal": terminal,
        }).last_pk)
        log_access(db, staff=staff, terminal=terminal, resident_id=resident_id, action=f"journey:check:{weeks}:{entry_id}")
    return check_id


# -- the engagement log ----------------------------------------------------------------------------


def add_engagement(db: "Database", engagement: dict[str, Any], *, staff: str, terminal: str,
                   resident_id: int | None = None) -> int:
    """Log a contact at a home (validated by ``validate_engagement``); optionally already linked."""
    if resident_id is not None:
        _resident_exists(db, resident_id)
    stamp = now_iso()
    with write_transaction(db):
        engagement_id = int(db["journey_engagements"].insert({
            **engagement, "resident_id": resident_id, "linked_at": stamp if resident_id else None,
            "linked_by": staff if resident_id else None, "recorded_at": stamp, "recorded_by": staff, "terminal": terminal,
        }).last_pk)
        log_access(db, staff=staff, terminal=terminal, resident_id=resident_id, action=f"journey:engagement:add:{engagement_id}")
    return engagement_id


def recent_engagements(db: "Database", *, home: str = "", limit: int = 200) -> list[dict[str, Any]]:
    """The newest engagement records, or every record at one home (matched on its normalised key)."""
    if home.strip():
        key = home_key(home)
        return list(db.query(
            "select * from journey_engagements where home_key like ? order by engaged_on desc, id desc limit ?",
            [key + "%", limit]))
    return list(db.query("select * from journey_engagements order by engaged_on desc, id desc limit ?", [limit]))


def link_engagements(db: "Database", resident_id: int, *, engagement_ids: list[int] | None = None,
                     home: str | None = None, staff: str, terminal: str, since: str | None = None) -> int:
    """Link unlinked engagement records to a registered resident: these ids, or every one at ``home``.

    Returns how many were linked. Records already linked to someone else are left alone.
    """
    _resident_exists(db, resident_id)
    if engagement_ids is None and not home:
        raise ValidationError({"engagement": "Choose the contacts to link."})
    where, params = ["resident_id is null"], []
    if engagement_ids is not None:
        if not engagement_ids:
            return 0
        where.append(f"id in ({', '.join('?' for _ in engagement_ids)})")
        params.extend(engagement_ids)
    if home:
        where.append("home_key = ?")
        params.append(home_key(home))
    if since:
        where.append("engaged_on >= ?")
        params.append(since)
    with write_transaction(db):
        cursor = db.conn.execute(
            f"update journey_engagements set resident_id = ?, linked_at = ?, linked_by = ? where {' and '.join(where)}",
            [resident_id, now_iso(), staff, *params],
        )
        linked = cursor.rowcount
        if linked:
            log_access(db, staff=staff, terminal=terminal, resident_id=resident_id, action=f"journey:engagement:link:{linked}")
    return linked


def unlink_engagement(db: "Database", engagement_id: int, *, staff: str, terminal: str) -> None:
    row = _one(db, "select * from journey_engagements where id = ?", [engagement_id], "engagement record")
    if row["resident_id"] is None:
        raise ValidationError({"engagement": "This contact is not linked to anyone."})
    with write_transaction(db):
        db.execute("update journey_engagements set resident_id = null, linked_at = null, linked_by = null where id = ?",
                   [engagement_id])
        log_access(db, staff=staff, terminal=terminal, resident_id=row["resident_id"], action="journey:engagement:unlink")


def home_candidates(resident: dict[str, Any]) -> set[str]:
    """Home keys a resident's address could have been logged under: the address, its first part, with postcode."""
    address = (resident.get("address") or "").strip()
    postcode = (resident.get("postcode") or "").strip()
    if not address:
        return set()
    first = address.split(",")[0].strip()
    candidates = {home_key(address), home_key(first)}
    if postcode:
        candidates |= {home_key(f"{address} {postcode}"), home_key(f"{first} {postcode}")}
    return {c for c in candidates if c}


def link_on_registration(db: "Database", resident_id: int, *, window_days: int, staff: str, terminal: str,
                         today: date | None = None) -> int:
    """Link earlier unlinked contacts logged at the new resident's home (matched on the address)."""
    row = db.execute("select address, postcode from residents where id = ?", [resident_id]).fetchone()
    if row is None:
        return 0
    candidates = home_candidates({"address": row[0], "postcode": row[1]})
    if not candidates:
        return 0
    today = today or date.today()
    since = (today - timedelta(days=window_days)).isoformat()
    ids = [r[0] for r in db.execute(
        f"select id from journey_engagements where resident_id is null and engaged_on >= ? "
        f"and home_key in ({', '.join('?' for _ in candidates)})",
        [since, *sorted(candidates)],
    ).fetchall()]
    if not ids:
        return 0
    return link_engagements(db, resident_id, engagement_ids=ids, staff=staff, terminal=terminal)


def engagements_for(db: "Database", resident_id: int) -> list[dict[str, Any]]:
    return list(db.query("select * from journey_engagements where resident_id = ? order by engaged_on, id", [resident_id]))


# -- residents' data rights ------------------------------------------------------------------------


def resident_data(db: "Database", resident_id: int) -> dict[str, Any]:
    """Everything the journey holds about a resident (subject access), with the resident's own words."""
    if "journey_assessments" not in db.table_names():
        return {}
    return {
        "assessments": assessments_for(db, resident_id),
        "goals_and_steps": plan_for(db, resident_id),
        "action_plan_history": plan_history(db, resident_id),
        "outcomes": outcomes_for(db, resident_id, include_withdrawn=True),
        "jobs_from_the_passport": list(db.query("select * from journey_spells where resident_id = ? order by start_date", [resident_id])),
        "training_from_the_passport": list(db.query(
            "select * from journey_training where resident_id = ? order by start_date", [resident_id])),
        "sustainment_checks": list(db.query("select * from journey_checks where resident_id = ? order by id", [resident_id])),
        "engagement_contacts_before_registering": engagements_for(db, resident_id),
    }


def erase_resident(db: "Database", resident_id: int) -> list[str]:
    """Erase the resident's journey inside the core's erasure transaction; say what is kept and why.

    Kept, de-identified (no words, notes, evidence details or staff names): the kind and date of each
    recorded outcome, the dates of jobs and of courses copied from the passport, and the results of
    sustainment checks, so funders' figures for past periods do not change.
    Engagement-log contacts stay (they describe a home, not a person) but are unlinked.
    """
    if "journey_assessments" not in db.table_names():
        return []
    db.execute("delete from journey_assessment_items where resident_id = ?", [resident_id])
    db.execute("delete from journey_assessments where resident_id = ?", [resident_id])
    db.execute("delete from journey_plan_history where resident_id = ?", [resident_id])
    db.execute("delete from journey_steps where resident_id = ?", [resident_id])
    db.execute("delete from journey_goals where resident_id = ?", [resident_id])
    outcomes = db.execute("select count(*) from journey_outcomes where resident_id = ? and withdrawn = 0", [resident_id]).fetchone()[0]
    db.execute("delete from journey_outcomes where resident_id = ? and withdrawn = 1", [resident_id])
    db.execute(
        "update journey_outcomes set evidence_detail = null, note = null, recorded_by = '[erased]', terminal = null "
        "where resident_id = ?", [resident_id])
    courses = db.execute("select count(*) from journey_training where resident_id = ?", [resident_id]).fetchone()[0]
    jobs = db.execute("select count(*) from journey_spells where resident_id = ?", [resident_id]).fetchone()[0]
    db.execute("update journey_spells set employer = null, role = null, hours_per_week = null, verification_level = null "
               "where resident_id = ?", [resident_id])
    db.execute("update journey_checks set note = null, recorded_by = '[erased]', terminal = null where resident_id = ?",
               [resident_id])
    unlinked = db.execute("update journey_engagements set resident_id = null, linked_at = null, linked_by = null "
                          "where resident_id = ?", [resident_id]).rowcount
    kept = []
    if outcomes or jobs or courses:
        kept.append(f"{outcomes} outcome(s), {jobs} job date(s) and {courses} course date(s): kind and date only, "
                    "de-identified, so funders' figures for past periods stay right")
    if unlinked:
        kept.append(f"{unlinked} engagement-log contact(s): they describe a home, not a person, and are now unlinked")
    return kept
