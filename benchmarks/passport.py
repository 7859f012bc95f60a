"""Benchmark exporting a 300-entry work passport: run by hand, ``.venv/bin/python benchmarks/passport.py``.

Target (issue 5): the PDF and the signed Open Badges JSON each under 1 s for 300 entries.
Each run is the whole export as `hub passport export` does it: read the entries from a real
SQLite file, render or sign, write the file and register it with its code. Medians (and the
slowest run) over several runs, on whatever machine this runs on (printed first).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_S = 1.0
KINDS = ["training", "qualification", "work_experience", "volunteering", "employment", "self_employment", "job_search"]
LEVELS = ["self_declared", "staff_witnessed", "document_seen", "provider_confirmed"]


def machine_info() -> None:
    print(f"date:        {dt.datetime.now().isoformat(timespec='seconds')}")
    print(f"platform:    {platform.platform()}")
    print(f"processor:   {platform.processor() or platform.machine()}")
    print(f"cpu count:   {os.cpu_count()}")
    print(f"python:      {platform.python_implementation()} {platform.python_version()}")
    from importlib.metadata import version

    print(f"fpdf2 {version('fpdf2')}, cryptography {version('cryptography')}, sqlite-utils {version('sqlite-utils')}")


def make_site(folder: Path, entries: int):
    """A site with one fictional resident holding ``entries`` passport entries of every kind."""
    from hub.config import load_site_config
    from hub.context import Hub
    from hub.plugins import PluginHost
    from hub.residents import NewResident, register_resident, validate_resident

    import plugins.passport as passport
    from plugins.passport.model import EntryForm, validate_entry
    from plugins.passport.signing import create_key_file
    from plugins.passport.storage import add_entry
    from plugins.passport.service import key_path

    site = folder / "site.toml"
    site.write_text('[hub]\nsite_name = "Benchmark Community House"\nplugins = ["passport"]\ndata_dir = "data"\n')
    hub = Hub(load_site_config(site), PluginHost.load([], extra=[("passport", passport)]), staff="bench")
    hub.open_storage()
    getattr(hub, "sign_in_from_environment", lambda: None)()  # a plain staff session, as the CLI has
    form = NewResident("Sam Example", "", "01/01/1990", engagement="drop_in", status_at_registration="unemployed",
                       consents={"record": True})
    resident_id = register_resident(hub.db, validate_resident(form, []), form.consents, staff="bench", terminal="bench")
    today = date.today()
    skills = ["digital:communicating", "digital:transacting", "work:teamwork", "work:listening"]
    for index in range(entries):
        kind = KINDS[index % len(KINDS)]
        start = today - timedelta(days=10 + index * 3)
        level = LEVELS[index % len(LEVELS)]
        entry = EntryForm(
            kind=kind, title=f"{kind.replace('_', ' ').title()} number {index + 1} with a realistic, longish title",
            provider=f"Example Provider {index % 17} Ltd", role="Assistant" if kind not in ("training", "qualification") else "",
            start_date=start.strftime("%d/%m/%Y"),
            end_date=(start + timedelta(days=2)).strftime("%d/%m/%Y") if index % 5 else "",
            ongoing=index % 5 == 0 and kind not in ("qualification",),
            hours_total="" if kind in ("employment", "self_employment", "volunteering") else "6.5",
            hours_per_week="16" if kind in ("employment", "self_employment", "volunteering") else "",
            pay_amount="12.71" if kind == "employment" else "", pay_period="hour" if kind == "employment" else "",
            result="Completed" if kind in ("training", "qualification") else "",
            qualification_level="2" if kind == "qualification" else "",
            skills=skills[: index % 5], evidence=["certificate"] if level == "document_seen" else [],
            verification_level=level, verified_by="Example Provider (phone)" if level == "provider_confirmed" else "",
        )
        if kind == "qualification":
            entry.end_date = ""
        add_entry(hub.db, resident_id, validate_entry(entry, today=today), staff="bench", terminal="bench")
    create_key_file(key_path(hub))
    return hub, resident_id


def time_export(hub, resident_id: int, fmt: str, runs: int) -> list[float]:
    from plugins.passport.service import export

    timings = []
    for run in range(runs):
        out = hub.config.data_dir / f"bench-{run}.{fmt}"
        start = time.perf_counter()
        export(hub, resident_id, fmt, out=out, issued_at=f"2026-01-01T00:00:{run:02d}Z")
        timings.append(time.perf_counter() - start)
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=300)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    machine_info()
    failed = False
    with tempfile.TemporaryDirectory() as folder:
        hub, resident_id = make_site(Path(folder), args.entries)
        try:
            time_export(hub, resident_id, "pdf", 1)  # warm imports (fpdf2, cryptography) outside the timings
            time_export(hub, resident_id, "json", 1)
            print(f"\nexporting a {args.entries}-entry passport ({args.runs} runs each; target < {TARGET_S:g} s):")
            for fmt in ("pdf", "json"):
                timings = time_export(hub, resident_id, fmt, args.runs)
                median, worst = statistics.median(timings), max(timings)
                size = (hub.config.data_dir / f"bench-0.{fmt}").stat().st_size
                verdict = "OK" if worst < TARGET_S else "TOO SLOW"
                failed |= worst >= TARGET_S
                print(f"  {fmt:<5} median {median * 1000:7.1f} ms   slowest {worst * 1000:7.1f} ms   {size / 1024:7.1f} KiB   {verdict}")
        finally:
            hub.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
