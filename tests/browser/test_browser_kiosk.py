"""The kiosk in a real headless Chromium through `hub serve`: what door-knocking staff do on a tablet.

Sign in, find a resident, log a door-knock on the Engagement tab, download the resident's
passport as a PDF. The tab keys are the browser ones (F5 reloads a page, so the tabs from
the fourth on shift up one F-key). Skips, saying why, where Playwright or Chromium is missing.
"""

from __future__ import annotations

import sqlite3

import pytest

from browserkit import browser_page, hub_server, mark, sign_in, wait_text, why_no_browser, write_demo_site

pytestmark = pytest.mark.skipif(why_no_browser() is not None, reason=why_no_browser() or "")


def test_sign_in_find_a_resident_log_a_door_knock_and_download_a_pdf(tmp_path):
    site = write_demo_site(tmp_path)
    downloads = tmp_path / "downloads"
    with hub_server(site, env={"HUB_LOG_DIR": str(tmp_path / "logs")}) as url, browser_page() as page:
        page.goto(url)
        wait_text(page, "Username", timeout=60)
        sign_in(page)

        mark(page)
        page.keyboard.type("Aisha")
        wait_text(page, "Rahman")
        mark(page)
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        wait_text(page, "Working with: Aisha Rahman")

        mark(page)
        page.keyboard.press("F8")  # Engagement: F7 in a terminal, F8 in a browser
        wait_text(page, "Record the home")
        mark(page)
        page.keyboard.type("99 Curlew Close")
        wait_text(page, "No earlier contact at '99 Curlew Close'")
        page.keyboard.press("Enter")  # on to the outcome
        mark(page)
        page.keyboard.press("Enter")  # open its list
        wait_text(page, "Leaflet left")
        page.keyboard.press("ArrowDown")
        mark(page)
        page.keyboard.press("Enter")
        wait_text(page, "Not in")
        mark(page)
        page.keyboard.press("Control+s")
        wait_text(page, "Saved: 99 Curlew Close")

        mark(page)
        page.keyboard.press("F4")  # Passport
        wait_text(page, "Work passport:")
        with page.expect_download(timeout=30_000) as download_info:
            page.keyboard.press("Control+d")
        download = download_info.value
        saved = downloads / download.suggested_filename
        download.save_as(saved)

    assert saved.suffix == ".pdf" and saved.read_bytes().startswith(b"%PDF-")
    from pypdf import PdfReader

    text = "".join(page.extract_text() or "" for page in PdfReader(saved).pages)
    assert "Aisha Rahman" in text

    db = sqlite3.connect(tmp_path / "data" / "hub.db")
    try:
        rows = db.execute("SELECT kind, home_ref, recorded_by, terminal FROM journey_engagements WHERE home_ref = ?",
                          ["99 Curlew Close"]).fetchall()
        assert rows == [("door_knock", "99 Curlew Close", "demo.staff", "browser-test (browser)")]
        events = [row[0] for row in db.execute(
            "SELECT action FROM access_log WHERE terminal = 'browser-test (browser)' ORDER BY id")]
    finally:
        db.close()
    # The demo's own seeding (first run, in this session's process) logs rows too: sign-in comes before the download.
    assert "sign-in" in events and "download:pdf" in events and events.index("sign-in") < events.index("download:pdf")
