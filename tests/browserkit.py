"""Drive the kiosk in a real headless Chromium through `hub serve` (tests and benchmarks).

The page draws the kiosk on a canvas, so the text on screen is read from what the server
sends: a script added before the page loads copies the websocket's bytes, and `wait_text`
waits until the text (escape sequences removed) appears after the last `mark`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
"""Headless, and quiet on this machine's closed network (docs: .library/env/machines/python.md)."""

SCREEN_TAP = """
window.__hub = {text: ''};
(() => {
  const Native = window.WebSocket;
  class Tapped extends Native {
    constructor(...args) {
      super(...args);
      const decoder = new TextDecoder();
      this.addEventListener('message', (event) => {
        if (typeof event.data !== 'string') window.__hub.text += decoder.decode(event.data, {stream: true});
      });
    }
  }
  window.WebSocket = Tapped;
})();
"""

_HAS_TEXT = (
    "t => window.__hub && window.__hub.text.replace(/\\x1b\\[[0-9;?<=>]*[ -\\/]*[@-~]/g, '')"
    ".replace(/\\x1b[^\\[]/g, '').includes(t)"
)


def find_chromium() -> str | None:
    """Debian's chromium (or HUB_CHROMIUM): Playwright's own browser download is not used."""
    for candidate in (os.environ.get("HUB_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def why_no_browser() -> str | None:
    """None when the browser test can run; else the reason it is skipped."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (it is in the test extra: make install)"
    if find_chromium() is None:
        return "no Chromium: install Debian's chromium package (.ci/run does when it can), or set HUB_CHROMIUM"
    return None


def write_demo_site(folder: Path, name: str = "Browser Test House") -> Path:
    site = folder / "site.toml"
    site.write_text(
        "[hub]\n"
        f'site_name = "{name}"\n'
        'area = ["M40 7", "M40 8"]\n'
        'plugins = ["benefits_calc", "signposting", "passport", "bonus", "journey"]\n'
        'data_dir = "data"\n'
        "demo = true\n"
        'terminal_name = "browser-test"\n'
        "idle_lock_minutes = 0\n",
        encoding="utf-8",
    )
    return site


@contextmanager
def hub_server(site: Path, *, env: dict[str, str] | None = None, startup_timeout: float = 60.0):
    """`hub serve` on 127.0.0.1, port 0 (a free one); yields its URL; stops it afterwards."""
    environment = {**os.environ, **(env or {})}
    process = subprocess.Popen(
        [sys.executable, "-m", "hub", "--site", str(site), "serve", "--host", "127.0.0.1", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=environment,
    )
    lines: list[str] = []
    found = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if "hub serve:" in line and " on http" in line:
                found.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        if not found.wait(startup_timeout):
            raise RuntimeError("hub serve did not start:\n" + "".join(lines))
        url = re.search(r" on (http://\S+)", next(l for l in lines if " on http" in l)).group(1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        reader.join(5)


@contextmanager
def browser_page(*, width: int = 1280, height: int = 800):
    """A fresh headless Chromium page (own profile) with the screen tap installed."""
    import tempfile

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="hub-chromium-") as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=find_chromium(), headless=True, args=CHROMIUM_FLAGS,
            accept_downloads=True, viewport={"width": width, "height": height},
        )
        try:
            page = context.pages[0] if context.pages else context.new_page()
            page.add_init_script(SCREEN_TAP)
            try:
                yield page
            except Exception:
                shots = os.environ.get("HUB_BROWSER_SHOTS")
                if shots:  # what the browser showed when a step timed out
                    Path(shots).mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(Path(shots) / f"failed-{time.strftime('%H%M%S')}.png"))
                raise
        finally:
            context.close()


def mark(page) -> None:
    """Forget what has been drawn so far: the next wait_text looks only at what comes after."""
    page.evaluate("window.__hub.text = ''")


def wait_text(page, text: str, timeout: float = 30.0) -> None:
    page.wait_for_function(_HAS_TEXT, arg=text, timeout=timeout * 1000)


def sign_in(page, username: str = "demo.staff", password: str = "northside-staff-demo") -> None:
    page.locator("#terminal").click()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    # Focus moves when the kiosk has handled Tab; keys typed before then would land in the
    # username. A pause (not a measurement) lets it, as a person's hand does.
    page.wait_for_timeout(700)
    page.keyboard.type(password)
    mark(page)
    page.keyboard.press("Enter")
    wait_text(page, "Find a resident")


def time_to_sign_in_screen(url: str) -> float:
    """Seconds from navigation to the sign-in screen drawn in the browser (one fresh page)."""
    with browser_page() as page:
        started = time.perf_counter()
        page.goto(url)
        wait_text(page, "Username", timeout=60)
        return time.perf_counter() - started
