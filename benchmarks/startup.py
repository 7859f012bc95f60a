"""Spawn to first frame: the hub on the demo site (all built-in plugins) against a bare Textual app.

Run by hand (never in CI):  .venv/bin/python benchmarks/startup.py [--runs 21]

Each run is a fresh process. The cases are interleaved so machine noise hits both alike.
The clock starts just before spawning and stops when the child's on_ready fires (its first
frame is composed), read from the same wall clock in both processes. Target: the hub's
median at most 1.6x the bare app's, measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child_bare() -> None:
    from textual.app import App
    from textual.widgets import Static

    class Bare(App):
        def compose(self):
            yield Static("bare")

        def on_ready(self) -> None:
            print(f"READY {time.time():.6f}", flush=True)
            self.exit()

    Bare().run(headless=True)


def child_hub(site: str) -> None:
    from hub.app import HubApp
    from hub.cli import build_hub
    from hub.config import load_site_config

    class TimedHub(HubApp):
        def on_ready(self) -> None:
            print(f"READY {time.time():.6f}", flush=True)
            self.exit()

    TimedHub(build_hub(load_site_config(Path(site)))).run(headless=True)


def spawn(args: list[str]) -> float:
    start = time.time()
    result = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, timeout=60)
    line = next((l for l in result.stdout.splitlines() if l.startswith("READY ")), None)
    if line is None:
        raise SystemExit(f"child {args} failed:\n{result.stdout}\n{result.stderr}")
    return float(line.split()[1]) - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--child", choices=["bare", "hub"])
    parser.add_argument("site", nargs="?")
    args = parser.parse_args()
    if args.child == "bare":
        return child_bare()
    if args.child == "hub":
        return child_hub(args.site)

    workdir = Path(tempfile.mkdtemp(prefix="hub-startup-"))
    try:
        site = workdir / "demo.toml"
        text = (ROOT / "config" / "demo.toml").read_text().replace('data_dir = "../var/demo"', 'data_dir = "data"')
        site.write_text(text)
        os.environ["HUB_STAFF"] = "benchmark"
        spawn(["--child", "hub", str(site)])  # first run migrates and seeds; then wait for the seed to finish
        time.sleep(1.0)
        spawn(["--child", "bare"])
        bare, hub = [], []
        for _ in range(args.runs):
            bare.append(spawn(["--child", "bare"]))
            hub.append(spawn(["--child", "hub", str(site)]))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    med_bare, med_hub = statistics.median(bare), statistics.median(hub)
    print(f"date: {date.today()}  machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}")
    print(f"python {platform.python_version()}; runs per case: {args.runs} (interleaved, fresh process each)")
    print(f"{'case':<28}{'median ms':>10}{'min ms':>10}{'max ms':>10}")
    print(f"{'bare Textual app':<28}{med_bare * 1000:>10.0f}{min(bare) * 1000:>10.0f}{max(bare) * 1000:>10.0f}")
    print(f"{'hub, demo, all plugins':<28}{med_hub * 1000:>10.0f}{min(hub) * 1000:>10.0f}{max(hub) * 1000:>10.0f}")
    ratio = med_hub / med_bare
    print(f"ratio hub/bare (medians): {ratio:.2f}x  (target <= 1.60x: {'met' if ratio <= 1.6 else 'NOT met'})")


if __name__ == "__main__":
    main()
