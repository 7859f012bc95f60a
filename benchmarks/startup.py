"""Spawn to first frame: the hub on the demo site (all built-in plugins) against a bare Textual app.

Run by hand (never in CI):  .venv/bin/python benchmarks/startup.py [--runs 21] [--size 80x24]

Each run is a fresh process started in a real pseudo-terminal of the given size, as on a kiosk:
the hub child runs the real entry point (``hub --site demo.toml``, what ``make run`` starts),
the bare child a Textual app with one ``Static``. The cases are interleaved so machine noise
hits both alike. The clock starts just before spawning and stops when the child's ``on_ready``
fires (its first frame has been written to the terminal), read from the same wall clock in
both processes. Target: the hub's median at most 1.6x the bare app's, measured in the same run.

For information (no target) it also reports when the hub is ready for staff: the database
opened in its worker and the sign-in screen painted.

Like ``make run``, it byte-compiles the project first: a kiosk reuses its bytecode from one
start to the next (unless PYTHONDONTWRITEBYTECODE is set and nothing compiled it).
"""

from __future__ import annotations

import argparse
import fcntl
import os
import platform
import pty
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT_FD_ENV = "STARTUP_BENCH_FD"


def report(close: bool = True) -> None:
    """In a child: write the wall-clock time now to the parent's pipe."""
    fd = int(os.environ[REPORT_FD_ENV])
    os.write(fd, f"{time.time():.6f}\n".encode())
    if close:
        os.close(fd)


def child_bare() -> None:
    from textual.app import App
    from textual.widgets import Static

    class Bare(App):
        def compose(self):
            yield Static("bare")

        def on_ready(self) -> None:
            report()
            self.exit()

    Bare().run()


def child_hub(site: str) -> int:
    """The real ``hub`` entry point, wrapped only to report the first frame and the sign-in screen."""
    from hub.app import HubApp
    from hub.cli import main

    real_on_ready, real_ask_for_sign_in, real_show_fatal = HubApp.on_ready, HubApp.ask_for_sign_in, HubApp.show_fatal

    def on_ready(self) -> None:
        real_on_ready(self)
        report(close=False)

    def ask_for_sign_in(self) -> None:
        real_ask_for_sign_in(self)
        self.call_after_refresh(lambda: (report(), self.exit()))

    def show_fatal(self, message: str) -> None:
        real_show_fatal(self, message)
        self.exit()

    HubApp.on_ready, HubApp.ask_for_sign_in, HubApp.show_fatal = on_ready, ask_for_sign_in, show_fatal
    return main(["--site", site])


def spawn(args: list[str], size: tuple[int, int]) -> list[float]:
    """Run one child in a fresh pseudo-terminal; seconds from spawn to each time it reports."""
    master, slave = pty.openpty()
    columns, rows = size
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    read_end, write_end = os.pipe()
    env = {**os.environ, REPORT_FD_ENV: str(write_end), "TERM": "xterm-256color", "COLUMNS": str(columns), "LINES": str(rows)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    screen = bytearray()

    def drain() -> None:  # the terminal's reader: a full pty would block the child
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return
            if not chunk:
                return
            screen.extend(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    start = time.time()
    child = subprocess.Popen(
        [sys.executable, __file__, *args],
        stdin=slave, stdout=slave, stderr=slave, env=env, pass_fds=(write_end,), start_new_session=True,
    )
    os.close(slave)
    os.close(write_end)
    with os.fdopen(read_end) as reports:
        lines = reports.read().split()
    try:
        child.wait(timeout=60)
    finally:
        os.close(master)
        reader.join(timeout=5)
    expected = 2 if "hub" in args else 1
    if len(lines) != expected:
        raise SystemExit(f"child {args} exited {child.returncode} after {len(lines)} of {expected} reports:\n{screen.decode(errors='replace')[-2000:]}")
    return [float(line) - start for line in lines]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--size", default="80x24", help="terminal COLUMNSxROWS (default 80x24)")
    parser.add_argument("--child", choices=["bare", "hub"])
    parser.add_argument("site", nargs="?")
    args = parser.parse_args()
    if args.child == "bare":
        return child_bare()
    if args.child == "hub":
        sys.exit(child_hub(args.site))

    size = tuple(int(part) for part in args.size.lower().split("x"))
    subprocess.run([sys.executable, "-m", "compileall", "-q", "hub", "plugins"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    workdir = Path(tempfile.mkdtemp(prefix="hub-startup-"))
    try:
        site = workdir / "demo.toml"
        text = (ROOT / "config" / "demo.toml").read_text().replace('data_dir = "../var/demo"', 'data_dir = "data"')
        site.write_text(text)
        spawn(["--child", "hub", str(site)], size)  # the first run migrates and seeds; let it finish
        time.sleep(1.0)
        spawn(["--child", "bare"], size)
        bare, hub, sign_in = [], [], []
        for _ in range(args.runs):
            bare.extend(spawn(["--child", "bare"], size))
            first_frame, signed_in = spawn(["--child", "hub", str(site)], size)
            hub.append(first_frame)
            sign_in.append(signed_in)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    med_bare, med_hub = statistics.median(bare), statistics.median(hub)
    print(f"date: {date.today()}  machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}")
    print(f"python {platform.python_version()}; terminal {size[0]}x{size[1]} (pty); runs per case: {args.runs} (interleaved, fresh process each)")
    print(f"{'case':<28}{'median ms':>10}{'min ms':>10}{'max ms':>10}")
    print(f"{'bare Textual app':<28}{med_bare * 1000:>10.0f}{min(bare) * 1000:>10.0f}{max(bare) * 1000:>10.0f}")
    print(f"{'hub, demo, all plugins':<28}{med_hub * 1000:>10.0f}{min(hub) * 1000:>10.0f}{max(hub) * 1000:>10.0f}")
    ratio = med_hub / med_bare
    print(f"ratio hub/bare (medians): {ratio:.2f}x  (target <= 1.60x: {'met' if ratio <= 1.6 else 'NOT met'})")
    med_sign_in = statistics.median(sign_in)
    print(f"for information: hub ready for staff (database open, sign-in painted): median {med_sign_in * 1000:.0f} ms "
          f"(min {min(sign_in) * 1000:.0f}, max {max(sign_in) * 1000:.0f}), {med_sign_in / med_bare:.2f}x the bare app's first frame")


if __name__ == "__main__":
    main()
