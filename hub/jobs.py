"""Background jobs: work plugins want done every so often (a directory sync, say).

Plugins describe jobs through ``register_background_jobs``; this module decides when one is
due and runs it. The ``hub_jobs`` table in the site database remembers each job's last run,
so kiosks sharing a database run a job once between them: a kiosk *claims* a due job in a
write transaction before running it. A job runs on a worker thread with a database
connection of its own, so its long transactions never hold up the screen. A run that
raises is recorded as failed with the exception's type only in the log (its message may
quote a feed or a person); the job is tried again when it is next due.

Kiosks check every minute (``HubApp``); ``hub jobs run --due`` does the same from cron or a
systemd timer on a machine where no kiosk runs all day.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from hub.errors import describe_error
from hub.specs import BackgroundJob
from hub.storage import write_transaction

if TYPE_CHECKING:
    from sqlite_utils import Database

    from hub.context import Hub

log = logging.getLogger("hub.jobs")

STALE_AFTER = timedelta(hours=2)
"""A run started this long ago without finishing is taken to have died with its kiosk."""

CHECK_EVERY_SECONDS = 60
"""How often a kiosk looks for due jobs."""


@dataclass(frozen=True)
class RegisteredJob:
    plugin: str
    job: BackgroundJob


def registered_jobs(hub: "Hub") -> list[RegisteredJob]:
    """Every enabled plugin's jobs; a malformed one or a name already taken disables its plugin."""
    jobs: dict[str, RegisteredJob] = {}
    for result in hub.plugins.call_flat("register_background_jobs", hub=hub):
        job = result.value
        if not isinstance(job, BackgroundJob) or not job.name or job.every_minutes < 1 or not callable(job.run):
            hub.plugins.disable(result.plugin, f"register_background_jobs returned {job!r}, not a hub.BackgroundJob "
                                               "with a name, every_minutes of 1 or more and a run function")
            continue
        if job.name in jobs:
            hub.plugins.disable(result.plugin, f"background job name {job.name!r} is already used by {jobs[job.name].plugin}")
            continue
        jobs[job.name] = RegisteredJob(result.plugin, job)
    return list(jobs.values())


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def is_due(row: dict[str, Any] | None, job: BackgroundJob, now: datetime, *, now_please: bool = False) -> bool:
    """Due when it never ran, or its last start is ``every_minutes`` old (any time with
    ``now_please``), and no run of it is going on (one started under STALE_AFTER ago)."""
    if row is None or not row.get("last_started"):
        return True
    started, finished = _time(row["last_started"]), _time(row.get("last_finished"))
    running = finished is None or finished < started
    if running and now - started < STALE_AFTER:
        return False
    return now_please or now - started >= timedelta(minutes=job.every_minutes)


def due_now(db: "Database", jobs: list[RegisteredJob], now: datetime | None = None) -> list[RegisteredJob]:
    """The jobs due now, by a quick read (the kiosk asks every minute; a claim still decides who runs)."""
    now = now or _now()
    rows = {row["name"]: row for row in db.query("select * from hub_jobs")}
    return [registered for registered in jobs if is_due(rows.get(registered.job.name), registered.job, now)]


def claim(db: "Database", registered: RegisteredJob, now: datetime | None = None, *, force: bool = False) -> bool:
    """Mark a job started if it is due (any time with ``force``, unless it is running), in one
    write transaction: True if this caller should run it."""
    now = now or _now()
    with write_transaction(db):
        rows = list(db.query("select * from hub_jobs where name = ?", [registered.job.name]))
        row = rows[0] if rows else None
        if not is_due(row, registered.job, now, now_please=force):
            return False
        db["hub_jobs"].upsert(
            {"name": registered.job.name, "plugin": registered.plugin, "last_started": now.isoformat(timespec="seconds")},
            pk="name",
        )
    return True


def run(worker_hub: "Hub", registered: RegisteredJob) -> tuple[bool, str]:
    """Run a claimed job and record how it ended; ``worker_hub.db`` is a connection of this thread's own."""
    try:
        summary = registered.job.run(worker_hub) or "done"
        ok = True
    except Exception as exc:  # recorded and retried next time; the plugin keeps working
        summary = f"failed: {describe_error(exc)}"
        ok = False
        log.warning("background job %s failed: %s", registered.job.name, describe_error(exc, with_message=False))
    with write_transaction(worker_hub.db):
        worker_hub.db["hub_jobs"].update(registered.job.name, {
            "last_finished": _now().isoformat(timespec="seconds"), "last_ok": int(ok), "last_summary": summary[:500],
        })
    return ok, summary


def run_due(hub: "Hub", jobs: list[RegisteredJob] | None = None, *, force: bool = False) -> list[tuple[str, bool, str]]:
    """Claim and run every due job (every one with ``force``), one after another: (name, ok, summary) each.

    Uses a database connection of its own, so it may be called from a worker thread. ``jobs``
    defaults to the plugins' current ones (pass them in from a thread: hooks run on the main one).
    """
    from hub.storage import open_database

    jobs = registered_jobs(hub) if jobs is None else jobs
    done: list[tuple[str, bool, str]] = []
    if not jobs:
        return done
    db = open_database(hub.database_path, encrypted=hub.config.hub.encrypted, key=hub.database_key())
    try:
        worker_hub = hub.using_database(db)
        for registered in jobs:
            if claim(db, registered, force=force):
                ok, summary = run(worker_hub, registered)
                done.append((registered.job.name, ok, summary))
    finally:
        db.close()
    return done


def job_rows(hub: "Hub", jobs: list[RegisteredJob]) -> list[dict[str, Any]]:
    """Each job with its last run, for ``hub jobs``."""
    rows = {row["name"]: row for row in hub.db.query("select * from hub_jobs")}
    listed = []
    for registered in jobs:
        row = rows.get(registered.job.name) or {}
        listed.append({
            "name": registered.job.name,
            "plugin": registered.plugin,
            "every_minutes": registered.job.every_minutes,
            "last_started": row.get("last_started"),
            "last_finished": row.get("last_finished"),
            "last_ok": None if row.get("last_ok") is None else bool(row["last_ok"]),
            "last_summary": row.get("last_summary"),
            "due": is_due(row or None, registered.job, _now()),
        })
    return listed
