"""Benchmark the outcomes report: run by hand, ``.venv/bin/python benchmarks/report.py``.

Target (issue 8): with 10,000 residents and 200,000 records, a quarterly report under 1 s.

A real SQLite site file with the passport, signposting and journey plugins' tables, filled with
fictional rows inserted directly (going through every validation and access-log line for 200,000
records would take longer than the point of the exercise). The mix of the 200,000 records:

    contacts 70,000 · engagement log 40,000 · assessments 8,000 + their items 40,000
    goals 4,000 + steps 12,000 · recorded outcomes 8,000 · passport entries 10,000
    referrals 4,000 + their history 4,000

Timed: the first report after the journey is installed (it copies every resident's passport
jobs through ``employment_spells``, once), then the quarterly report as staff run it
(``service.run_report``: permission check, passport catch-up, every figure, the 16-24 subgroup,
the 12-month trend, other plugins' figures, the access-log line), a year's report, and building
the de-identified export for the quarter. Medians and the slowest run are printed with the machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_S = 1.0
RESIDENTS = 10_000
MIX = {
    "contacts": 70_000,
    "journey_engagements": 40_000,
    "journey_assessments": 8_000,
    "journey_assessment_items": 40_000,
    "journey_goals": 4_000,
    "journey_steps": 12_000,
    "journey_outcomes": 8_000,
    "passport_entries": 10_000,
    "referrals": 4_000,
    "referral_history": 4_000,
}
START = date(2023, 1, 1)
END = date(2025, 12, 31)
QUARTER = (date(2025, 7, 1), date(2025, 9, 30))


def machine_info() -> None:
    from importlib.metadata import version

    print(f"date:        {dt.datetime.now().isoformat(timespec='seconds')}")
    print(f"platform:    {platform.platform()}")
    print(f"processor:   {platform.processor() or platform.machine()}")
    print(f"cpu count:   {os.cpu_count()}")
    print(f"python:      {platform.python_implementation()} {platform.python_version()}")
    import sqlite3

    print(f"sqlite {sqlite3.sqlite_version}, sqlite-utils {version('sqlite-utils')}, textual {version('textual')}")
    try:
        print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    except OSError:
        pass


def day_between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def make_site(folder: Path, seed: int):
    """A site with the three plugins, migrated, then filled with fictional rows."""
    from hub.config import load_site_config
    from hub.context import Hub
    from hub.plugins import PluginHost
    from hub.staff import Session

    import plugins.journey as journey
    import plugins.passport as passport
    import plugins.signposting as signposting

    site = folder / "site.toml"
    site.write_text('[hub]\nsite_name = "Benchmark Community House"\nplugins = ["passport", "signposting", "journey"]\n'
                    'data_dir = "data"\n[plugins.journey]\nhomes_in_area = 6000\n')
    host = PluginHost.load([], extra=[("passport", passport), ("signposting", signposting), ("journey", journey)])
    hub = Hub(load_site_config(site), host, staff="bench")
    hub.open_storage()
    hub.session = Session(None, "bench", "Bench Lead", "site_lead")
    fill(hub.db, random.Random(seed))
    return hub


def fill(db, rng: random.Random) -> None:
    statuses = ["unemployed", "economically_inactive", "employed"]
    stamp = "2026-01-01T00:00:00+00:00"
    residents, consents = [], []
    registered: dict[int, date] = {}
    for rid in range(1, RESIDENTS + 1):
        joined = day_between(rng, START, END)
        registered[rid] = joined
        born = joined - timedelta(days=365 * rng.randint(16, 66) + rng.randrange(365))
        residents.append({
            "id": rid, "name": f"Resident {rid}", "preferred_name": None, "date_of_birth": born.isoformat(),
            "phone": None, "email": None, "address": f"{rid % 6000} Example Street", "postcode": "M40 7AB",
            "in_area": 1, "engagement": rng.choice(["door_knock", "drop_in", "jobcentre_referral"]),
            "referred_by": None, "status_at_registration": rng.choice(statuses),
            "registered_at": f"{joined.isoformat()}T10:00:00+00:00", "registered_by": "bench", "updated_at": stamp,
        })
        consents.append({"resident_id": rid, "purpose": "record", "given": 1, "recorded_at": stamp, "recorded_by": "bench"})
        consents.append({"resident_id": rid, "purpose": "outcomes_reporting", "given": int(rng.random() < 0.9),
                         "recorded_at": stamp, "recorded_by": "bench"})

    def after_registration(rid: int) -> date:
        return day_between(rng, registered[rid], END)

    def anyone() -> int:
        return rng.randint(1, RESIDENTS)

    contacts = []
    for _ in range(MIX["contacts"]):
        rid = anyone()
        contacts.append({"resident_id": rid, "contact_date": after_registration(rid).isoformat(), "kind": "drop_in",
                         "note": "Benchmark contact", "staff": "bench", "recorded_at": stamp})
    engagements = []
    for _ in range(MIX["journey_engagements"]):
        home = f"{rng.randint(1, 6000)} EXAMPLE STREET"
        linked = anyone() if rng.random() < 0.3 else None
        engagements.append({
            "engaged_on": day_between(rng, START, END).isoformat(), "kind": rng.choice(["door_knock", "event", "phone", "drop_in"]),
            "home_ref": home.title(), "home_key": home, "outcome": rng.choice(["not_in", "talked", "leaflet_left", "interested", "signed_up"]),
            "resident_id": linked, "linked_at": stamp if linked else None, "linked_by": "bench" if linked else None,
            "recorded_at": stamp, "recorded_by": "bench", "terminal": "bench",
        })
    assessments, items = [], []
    areas = [("barrier", a) for a in ("debt", "childcare", "confidence", "digital", "transport", "skills")] + \
            [("strength", a) for a in ("motivation", "experience", "people")]
    for aid in range(1, MIX["journey_assessments"] + 1):
        rid = anyone()
        assessments.append({"id": aid, "resident_id": rid, "assessed_on": after_registration(rid).isoformat(), "note": None,
                            "recorded_at": stamp, "recorded_by": "bench", "terminal": "bench"})
        for type_, area in rng.sample(areas, 5):
            items.append({"assessment_id": aid, "resident_id": rid, "type": type_, "area": area, "score": rng.randint(0, 4),
                          "words": "In their words"})
    goals, steps = [], []
    for gid in range(1, MIX["journey_goals"] + 1):
        rid = anyone()
        goals.append({"id": gid, "resident_id": rid, "title": "A goal", "status": rng.choice(["open", "achieved", "dropped"]),
                      "created_at": stamp, "created_by": "bench", "updated_at": stamp})
        for _ in range(3):
            status = rng.choice(["not_started", "in_progress", "stuck", "done", "dropped"])
            due = after_registration(rid)
            steps.append({"goal_id": gid, "resident_id": rid, "description": "A step", "owner": rng.choice(["resident", "staff"]),
                          "owner_staff": "bench", "due_on": due.isoformat(), "status": status, "link_kind": None,
                          "link_id": None, "created_at": f"{registered[rid].isoformat()}T12:00:00+00:00", "created_by": "bench",
                          "updated_at": stamp, "done_on": due.isoformat() if status == "done" else None})
    outcomes = []
    kinds = ["training_education", "job_start", "actively_looking", "volunteering", "financial_inclusion", "job_sustained_4"]
    for _ in range(MIX["journey_outcomes"]):
        rid = anyone()
        outcomes.append({"resident_id": rid, "kind": rng.choice(kinds), "outcome_date": after_registration(rid).isoformat(),
                         "evidence": "payslip", "evidence_detail": None, "note": None, "recorded_at": stamp,
                         "recorded_by": "bench", "terminal": "bench", "withdrawn": int(rng.random() < 0.02)})
    entries = []
    for eid in range(1, MIX["passport_entries"] + 1):
        rid = anyone()
        start = after_registration(rid) - timedelta(days=rng.randint(0, 60))
        paid = rng.random() < 0.6
        ended = rng.random() < 0.4
        end = start + timedelta(days=rng.randint(7, 300)) if ended else None
        entries.append({
            "id": eid, "root_id": eid, "version": 1, "resident_id": rid,
            "kind": "employment" if paid else "training", "title": "Benchmark entry", "description": None,
            "provider": "Example Employer Ltd", "role": "Operative" if paid else None, "start_date": start.isoformat(),
            "end_date": end.isoformat() if end else (None if paid else start.isoformat()), "ongoing": int(paid and not ended),
            "hours_total": None if paid else 6.0, "hours_per_week": 20.0 if paid else None,
            "pay_amount": 12.71 if paid else None, "pay_period": "hour" if paid else None, "result": None,
            "qualification_level": None, "skills": "[]", "activity": "none", "evidence": json.dumps(["payslip"] if paid else []),
            "verification_level": "document_seen" if paid else "self_declared", "verified_by": "bench" if paid else None,
            "verified_at": start.isoformat() if paid else None, "verification_note": None,
            "verification_recorded_by": "bench" if paid else None, "paid_work": int(paid), "bucket": "jobs" if paid else "training",
            "withdrawn": 0, "supersedes": None, "superseded_by": None, "superseded_at": None, "change": "added",
            "change_reason": None, "recorded_at": f"{start.isoformat()}T12:00:00+00:00", "recorded_by": "bench", "terminal": "bench",
        })
    referrals, history = [], []
    for refid in range(1, MIX["referrals"] + 1):
        rid = anyone()
        made = after_registration(rid)
        attended = rng.random() < 0.5
        referrals.append({"id": refid, "resident_id": rid, "service_key": "bench:service", "service_name": "Benchmark Service",
                          "snapshot": "{}", "kind": "signpost", "status": "attended" if attended else "sent",
                          "created_at": f"{made.isoformat()}T11:00:00+00:00", "created_by": "bench", "updated_at": stamp})
        history.append({"referral_id": refid, "at": f"{(made + timedelta(days=rng.randint(1, 30))).isoformat()}T11:00:00+00:00",
                        "staff": "bench", "from_status": "sent", "to_status": "attended" if attended else "accepted"})
    with db.conn:
        db["residents"].insert_all(residents, batch_size=2000)
        db["consents"].insert_all(consents, batch_size=2000)
        for table, rows in [("contacts", contacts), ("journey_engagements", engagements), ("journey_assessments", assessments),
                            ("journey_assessment_items", items), ("journey_goals", goals), ("journey_steps", steps),
                            ("journey_outcomes", outcomes), ("passport_entries", entries), ("referrals", referrals),
                            ("referral_history", history)]:
            assert len(rows) == MIX[table], (table, len(rows))
            db[table].insert_all(rows, batch_size=2000)
    db.execute("ANALYZE")


def timed(function, runs: int) -> tuple[list[float], object]:
    timings, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        timings.append(time.perf_counter() - start)
    return timings, result


def main() -> int:
    from plugins.journey import export, service
    from plugins.journey.report import Period

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()
    machine_info()
    failed = False
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        hub = make_site(Path(folder), args.seed)
        counts = {table: hub.db[table].count for table in MIX}
        print(f"\nsite built in {time.perf_counter() - started:.1f} s: {hub.db['residents'].count:,} residents, "
              f"{sum(counts.values()):,} records ({', '.join(f'{t} {n:,}' for t, n in counts.items())})")
        try:
            quarter = Period(*QUARTER)
            year = Period(date(2025, 1, 1), date(2025, 12, 31))
            first, report = timed(lambda: service.run_report(hub, quarter), 1)
            print(f"\nfirst report after installing (copies {hub.db['journey_spells'].count:,} passport jobs once): "
                  f"{first[0] * 1000:.0f} ms")
            print(f"  the quarter {quarter.label}: {report.figure('engaged').value:,} residents engaged, "
                  f"{report.figure('registered').value:,} registered, {report.figure('outcome.job_start').value:,} job starts, "
                  f"{report.figure('households_engaged').value:,} households engaged")
            print(f"\n({args.runs} runs each; target for the quarterly report < {TARGET_S:g} s)")
            rows = [
                ("quarterly report", lambda: service.run_report(hub, quarter), True),
                ("year's report", lambda: service.run_report(hub, year), False),
                ("export for the quarter (in memory)",
                 lambda: export.build_export(hub.db, report, b"benchmark key", site_name="Benchmark"), False),
            ]
            for label, function, target in rows:
                timings, _ = timed(function, args.runs)
                median, worst = statistics.median(timings), max(timings)
                verdict = ("OK" if worst < TARGET_S else "TOO SLOW") if target else ""
                failed |= target and worst >= TARGET_S
                print(f"  {label:<36} median {median * 1000:7.1f} ms   slowest {worst * 1000:7.1f} ms   {verdict}")
        finally:
            hub.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
