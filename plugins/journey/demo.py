"""Fictional journey records for the demo site: assessments, plans, outcomes and a door-knocking round.

Every record is made up, like the demo residents it is attached to; the homes are the demo
estate's made-up streets.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from plugins.journey import model, storage

if TYPE_CHECKING:
    from sqlite_utils import Database

DEMO_STAFF = "demo.staff"
TERMINAL = "demo"


def _ago(days: int, today: date) -> str:
    return (today - timedelta(days=days)).isoformat()


def seed(hub, db: "Database", today: date | None = None) -> None:
    today = today or date.today()
    ids = [row[0] for row in db.execute("select id from residents order by id")]
    if len(ids) < 7:
        return
    aisha, danny, maggie, _, chloe, _, grace = ids[:7]
    who = {"staff": DEMO_STAFF, "terminal": TERMINAL}

    round_ = [
        (65, "door_knock", "9 Kestrel Walk", "leaflet_left", None),
        (61, "door_knock", "9 Kestrel Walk", "interested", grace),
        (45, "door_knock", "12 Kestrel Walk", "talked", aisha),
        (45, "door_knock", "14 Kestrel Walk", "not_in", None),
        (45, "door_knock", "16 Kestrel Walk", "leaflet_left", None),
        (44, "door_knock", "3 Heron Court", "talked", None),
        (44, "door_knock", "5 Heron Court", "not_in", None),
        (30, "event", "22 Lapwing Lane", "interested", None),
        (12, "phone", "3 Heron Court", "signed_up", None),
        (5, "drop_in", "7 Plover Street", "talked", None),
    ]
    for days, kind, home, outcome, resident in round_:
        row = model.validate_engagement(_ago(days, today), kind, home, outcome, today=today)
        storage.add_engagement(db, row, resident_id=resident, **who)

    first = [
        model.ItemForm("barrier", "childcare", "4", "I can't work till the little one starts nursery"),
        model.ItemForm("barrier", "confidence", "3", "It's been six years since I worked"),
        model.ItemForm("barrier", "digital", "2", "I can do WhatsApp but not forms"),
        model.ItemForm("strength", "motivation", "2", "I want to be a role model for my kids"),
        model.ItemForm("strength", "experience", "2", "Worked in a school kitchen before"),
    ]
    later = [
        model.ItemForm("barrier", "childcare", "2", "Nursery place from September: 15 free hours"),
        model.ItemForm("barrier", "confidence", "2", "The course helped"),
        model.ItemForm("barrier", "digital", "1", "Did my first online application with help"),
        model.ItemForm("strength", "motivation", "3", "Ready to start"),
        model.ItemForm("strength", "experience", "2", ""),
    ]
    for days, items in ((60, first), (10, later)):
        day, rows, note = model.validate_assessment(_ago(days, today), items, "", today=today)
        storage.add_assessment(db, aisha, day, rows, note, **who)

    goal = storage.add_goal(db, aisha, "Part-time work in a school kitchen by September", **who)
    steps = [
        ("Find out about 15 hours' free childcare", "staff", -3, "in_progress"),
        ("Do the food hygiene course", "resident", 14, "not_started"),
        ("Better-off calculation at 16 hours", "staff", -20, "done"),
    ]
    for description, owner, due_in, status in steps:
        step = model.validate_step(description, owner, (today + timedelta(days=due_in)).isoformat(), today=today)
        step_id = storage.add_step(db, goal, step, **who)
        if status == "in_progress":
            storage.change_step_status(db, step_id, "in_progress", **who, today=today)
        elif status == "done":
            storage.change_step_status(db, step_id, "done", **who, today=today)

    chloe_goal = storage.add_goal(db, chloe, "A first job in retail", **who)
    step = model.validate_step("Mock interview with a volunteer", "resident", (today + timedelta(days=5)).isoformat(), today=today)
    storage.add_step(db, chloe_goal, step, **who)

    outcomes = [
        (danny, "actively_looking", 20, "resident_said"),
        (maggie, "financial_inclusion", 25, "letter"),
        (maggie, "training_education", 35, "certificate"),
        (chloe, "volunteering", 15, "staff_witnessed"),
    ]
    for resident, kind, days, evidence in outcomes:
        storage.add_outcome(db, resident, model.validate_outcome(kind, _ago(days, today), evidence, today=today), **who)

    _demo_sustainment(hub, today)


def _demo_sustainment(hub, today: date) -> None:
    """Copy the demo passport's jobs and courses (as any later sync would), and record a 4-week sustainment
    check on the first job that has reached it, so the follow-up list and the reports show a confirmed job."""
    from plugins.journey import spells

    spells.sync_spells(hub)
    db = hub.db
    for job in db.query("select resident_id, entry_id, start_date from journey_spells where ongoing = 1 order by start_date"):
        due = spells.milestone(date.fromisoformat(job["start_date"]), 4)
        if due <= today:
            row = model.validate_check("in_work", due.strftime("%d/%m/%Y"), "payslip", "Phoned: still there, likes it",
                                       today=today)
            storage.add_check(db, job["resident_id"], job["entry_id"], 4, row, staff=DEMO_STAFF, terminal=TERMINAL)
            return
