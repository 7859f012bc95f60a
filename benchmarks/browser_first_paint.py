"""First paint in the browser: page load to the sign-in screen drawn, `hub serve` on the demo site.

Run by hand (never in CI): .venv/bin/python benchmarks/browser_first_paint.py [--runs 3]

Each run is a fresh headless Chromium (its own empty profile) opening the page of a running
`hub serve`; the clock starts at navigation and stops when the sign-in screen's text has
arrived in the page (the same check the browser test uses). That spans the page and
textual.js loading, the websocket, spawning a fresh `hub` process for the session, its first
frame and opening the database. The demo site is seeded once before the runs, so seeding is
not counted. Prints the machine and the date.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from browserkit import hub_server, time_to_sign_in_screen, why_no_browser, write_demo_site  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    reason = why_no_browser()
    if reason:
        print(f"cannot run: {reason}", file=sys.stderr)
        return 1
    import textual
    from importlib.metadata import version

    print(f"{time.strftime('%Y-%m-%d %H:%M')} {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, Textual {textual.__version__}, textual-serve {version('textual-serve')}")
    with tempfile.TemporaryDirectory(prefix="hub-bench-") as folder:
        site = write_demo_site(Path(folder))
        with hub_server(site, env={"HUB_LOG_DIR": str(Path(folder) / "logs")}) as url:
            warm = time_to_sign_in_screen(url)  # seeds the demo database; not counted
            print(f"warm-up (seeds the demo site): {warm * 1000:.0f} ms")
            times = []
            for run in range(1, args.runs + 1):
                seconds = time_to_sign_in_screen(url)
                times.append(seconds)
                print(f"run {run}: {seconds * 1000:.0f} ms")
    print(f"worst of {len(times)}: {max(times) * 1000:.0f} ms; best {min(times) * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
