"""Saved calculations: each scenario kept with the resident, input and result as JSON."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any


def migrations():
    from sqlite_utils import Migrations

    calc = Migrations("hub_benefits_calc")

    @calc(name="0001_scenarios")
    def scenarios(db) -> None:
        db["calc_scenarios"].create(
            {
                "id": int,
                "resident_id": int,
                "label": str,
                "tax_year": str,
                "better_off": float,
                "input_json": str,
                "result_json": str,
                "saved_at": str,
                "saved_by": str,
            },
            pk="id",
            foreign_keys=[("resident_id", "residents", "id")],
            not_null={"resident_id", "label", "input_json", "result_json", "saved_at", "saved_by"},
        )
        db["calc_scenarios"].create_index(["resident_id", "saved_at"])

    return calc


def save_scenario(db, *, resident_id: int, label: str, data: dict, result: dict, staff: str, terminal: str) -> int:
    """Keep a calculation with the resident; the access log records it (ids only)."""
    from hub.api import log_access
    from hub.api import write_transaction

    with write_transaction(db):
        scenario_id = db["calc_scenarios"].insert(
            {
                "resident_id": resident_id,
                "label": label.strip()[:80] or "Scenario",
                "tax_year": result.get("tax_year"),
                "better_off": result.get("better_off"),
                "input_json": json.dumps(data, sort_keys=True),
                "result_json": json.dumps(result, sort_keys=True),
                "saved_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "saved_by": staff,
            }
        ).last_pk
        log_access(db, staff=staff, terminal=terminal, resident_id=resident_id, action="calc:save")
    return int(scenario_id)


def scenarios_for(db, resident_id: int) -> list[dict[str, Any]]:
    """A resident's saved calculations, newest first, with the figures to compare them by."""
    rows = []
    for row in db.query(
        "select id, label, tax_year, better_off, saved_at, saved_by, input_json, result_json from calc_scenarios "
        "where resident_id = ? order by saved_at desc, id desc",
        [resident_id],
    ):
        data, result = json.loads(row.pop("input_json")), json.loads(row.pop("result_json"))
        job = data.get("job") or {}
        row["hours"] = job.get("hours_per_week")
        row["hourly_wage"] = job.get("hourly_wage")
        row["net_now"] = result["now"]["net_income"]
        row["net_with_job"] = (result.get("with_job") or {}).get("net_income")
        rows.append(row)
    return rows


def load_scenario(db, scenario_id: int) -> tuple[dict, dict]:
    row = db["calc_scenarios"].get(scenario_id)
    return json.loads(row["input_json"]), json.loads(row["result_json"])


# -- residents' data rights (the core's export_resident_data / erase_resident_data hooks) ----------


def export_for_resident(db, resident_id: int) -> dict[str, Any] | None:
    """Every calculation saved against a resident, with what was typed in and what came out (subject access)."""
    rows = list(db.query(
        "select id, label, tax_year, better_off, saved_at, saved_by, input_json, result_json from calc_scenarios "
        "where resident_id = ? order by id", [resident_id]))
    if not rows:
        return None
    for row in rows:
        row["household_and_job_entered"] = json.loads(row.pop("input_json"))
        row["result"] = json.loads(row.pop("result_json"))
    return {"saved_calculations": rows}


def erase_for_resident(db, resident_id: int) -> list[str]:
    """Delete a resident's saved calculations (inside the core's erasure transaction); nothing is kept."""
    db.execute("delete from calc_scenarios where resident_id = ?", [resident_id])
    return []


# -- records other plugins may link to (the core's linkable_records / describe_record hooks) -------

RECORD_KIND = "benefits_calc.scenario"


def linkable(db, resident_id: int) -> list:
    from hub.api import LinkableRecord

    return [LinkableRecord(RECORD_KIND, row["id"], "Calculation", row["label"])
            for row in db.query("select id, label from calc_scenarios where resident_id = ? order by id desc", [resident_id])]


def describe(db, scenario_id: int) -> str | None:
    row = db.execute("select label from calc_scenarios where id = ?", [scenario_id]).fetchone()
    return row[0] if row else None
