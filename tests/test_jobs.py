"""Background jobs: due once per interval across kiosks sharing a database, failures recorded
and retried, the kiosk running them off the UI thread, and `hub jobs` for site leads and cron."""

from __future__ import annotations

import json
import threading
import types
from datetime import datetime, timedelta, timezone

import pytest

from hub import BackgroundJob, hookimpl, jobs
from hub.app import HubApp
from hubtest import make_hub, write_site


def plugin(name: str, **hooks):
    namespace = types.SimpleNamespace(name=name)
    for hook_name, function in hooks.items():
        setattr(namespace, hook_name, hookimpl(function))
    return namespace


def counting_job(name="tidy", every_minutes=60, calls=None, fail=False):
    calls = [] if calls is None else calls

    def run(worker_hub):
        calls.append((threading.current_thread().name, worker_hub.db))
        if fail:
            raise RuntimeError("feed at https://example.org said no")
        return f"tidied {len(calls)}"

    return BackgroundJob(name, every_minutes, run), calls


def job_plugin(*job_list, name="tidier"):
    return plugin(name, register_background_jobs=lambda: list(job_list))


def test_hook_register_background_jobs(hub_factory):
    job, calls = counting_job()
    hub = hub_factory(job_plugin(job))
    hub.open_storage()
    assert [(r.plugin, r.job.name) for r in jobs.registered_jobs(hub)] == [("tidier", "tidy")]
    assert jobs.run_due(hub) == [("tidy", True, "tidied 1")]
    assert calls[0][1] is not hub.db  # a connection of its own
    assert jobs.run_due(hub) == []  # not due again for an hour
    assert jobs.run_due(hub, force=True) == [("tidy", True, "tidied 2")]
    [row] = jobs.job_rows(hub, jobs.registered_jobs(hub))
    assert (row["name"], row["plugin"], row["last_ok"], row["last_summary"], row["due"]) == ("tidy", "tidier", True, "tidied 2", False)


def test_a_job_is_due_again_after_its_interval(hub_factory):
    job, calls = counting_job(every_minutes=30)
    hub = hub_factory(job_plugin(job))
    hub.open_storage()
    [registered] = jobs.registered_jobs(hub)
    start = datetime(2026, 11, 22, 9, 0, tzinfo=timezone.utc)
    assert jobs.claim(hub.db, registered, start)
    jobs.run(hub, registered)
    assert not jobs.claim(hub.db, registered, start + timedelta(minutes=29))
    assert jobs.claim(hub.db, registered, start + timedelta(minutes=30))


def test_a_run_going_on_is_not_started_twice_unless_its_kiosk_died(hub_factory):
    job, _ = counting_job(every_minutes=1)
    hub = hub_factory(job_plugin(job))
    hub.open_storage()
    [registered] = jobs.registered_jobs(hub)
    start = datetime(2026, 11, 22, 9, 0, tzinfo=timezone.utc)
    assert jobs.claim(hub.db, registered, start)  # started, never finished
    assert not jobs.claim(hub.db, registered, start + timedelta(minutes=30), force=True)
    assert jobs.claim(hub.db, registered, start + jobs.STALE_AFTER)  # that kiosk died: run it again


def test_kiosks_sharing_a_database_run_a_job_once(tmp_path):
    job_a, calls_a = counting_job()
    job_b, calls_b = counting_job(calls=[])
    kiosk_a = make_hub(tmp_path, job_plugin(job_a))
    kiosk_b = make_hub(tmp_path, job_plugin(job_b))  # same site file, same database
    kiosk_a.open_storage()
    kiosk_b.open_storage()
    assert len(jobs.run_due(kiosk_a)) == 1
    assert jobs.run_due(kiosk_b) == []
    assert (len(calls_a), len(calls_b)) == (1, 0)
    kiosk_a.close()
    kiosk_b.close()


def test_a_failing_job_is_recorded_retried_and_its_plugin_keeps_working(hub_factory, caplog):
    job, calls = counting_job(every_minutes=1, fail=True)
    hub = hub_factory(job_plugin(job))
    hub.open_storage()
    [(name, ok, summary)] = jobs.run_due(hub)
    assert not ok and summary.startswith("failed: RuntimeError: feed at https://example.org said no")
    assert hub.plugins.is_enabled("tidier")
    assert "example.org" not in caplog.text  # the log gets the exception's type only
    [row] = jobs.job_rows(hub, jobs.registered_jobs(hub))
    assert row["last_ok"] is False
    hub.db.execute("update hub_jobs set last_started = '2026-01-01T00:00:00+00:00'")
    hub.db.conn.commit()
    assert len(jobs.run_due(hub)) == 1 and len(calls) == 2  # tried again when next due


def test_a_malformed_job_or_a_taken_name_disables_that_plugin(hub_factory):
    good, _ = counting_job()
    twin, _ = counting_job()
    hub = hub_factory(job_plugin(good), job_plugin(twin, name="twin"),
                      plugin("sloppy", register_background_jobs=lambda: ["not a job"]),
                      job_plugin(BackgroundJob("zero", 0, lambda hub: None), name="hasty"))
    assert [r.job.name for r in jobs.registered_jobs(hub)] == ["tidy"]
    assert not hub.plugins.is_enabled("twin") and "already used by tidier" in hub.plugins.status["twin"].error
    assert not hub.plugins.is_enabled("sloppy") and not hub.plugins.is_enabled("hasty")
    assert hub.plugins.is_enabled("tidier")


async def test_the_kiosk_runs_due_jobs_on_a_worker_thread(hub_factory, monkeypatch):
    import hub.app as app_module

    monkeypatch.setattr(app_module, "BACKGROUND_JOBS_FIRST_CHECK", 0.05)
    job, calls = counting_job()
    app = HubApp(hub_factory(job_plugin(job)))
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause(0.3)
        await app.workers.wait_for_complete()
        assert len(calls) == 1
        assert calls[0][0] != threading.current_thread().name
        assert jobs.job_rows(app.hub, app.background_jobs)[0]["last_summary"] == "tidied 1"


def test_hub_jobs_lists_and_runs(tmp_path, capsys, monkeypatch):
    from hub import cli
    from hub.context import Hub
    from hub.plugins import PluginHost

    job, calls = counting_job()
    monkeypatch.setattr(cli, "build_hub", lambda config, extra_plugins=(): Hub(config, PluginHost.load([], extra=[job_plugin(job)])))
    site = str(write_site(tmp_path, plugins=["tidier"]))
    assert cli.main(["--site", site, "jobs"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("tidy") and "every 60 min  last never" in out and "(due)" in out
    assert cli.main(["--site", site, "jobs", "run", "--due"]) == 0
    assert capsys.readouterr().out.strip() == "tidy: done: tidied 1"
    assert cli.main(["--site", site, "jobs", "run", "--due"]) == 0
    assert capsys.readouterr().out.strip() == "Nothing was due."
    assert cli.main(["--site", site, "jobs", "run", "tidy"]) == 0  # on demand, due or not
    assert capsys.readouterr().out.strip() == "tidy: done: tidied 2"
    assert cli.main(["--site", site, "jobs", "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert (row["name"], row["last_ok"], row["due"]) == ("tidy", True, False)
    assert cli.main(["--site", site, "jobs", "run", "tidyy"]) == 2
    assert "no background job called tidyy" in capsys.readouterr().err


def test_due_now_is_a_quick_read_of_what_is_due(hub_factory):
    daily, _ = counting_job("daily", every_minutes=24 * 60)
    hourly, _ = counting_job("hourly", every_minutes=60, calls=[])
    hub = hub_factory(job_plugin(daily, hourly))
    hub.open_storage()
    registered = jobs.registered_jobs(hub)
    start = datetime(2026, 11, 22, 9, 0, tzinfo=timezone.utc)
    for each in registered:
        jobs.claim(hub.db, each, start)
        jobs.run(hub, each)
    assert jobs.due_now(hub.db, registered, start + timedelta(minutes=59)) == []
    assert [r.job.name for r in jobs.due_now(hub.db, registered, start + timedelta(hours=2))] == ["hourly"]
