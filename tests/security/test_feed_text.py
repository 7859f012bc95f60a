"""Hostile directory feed text: cleaned at ingest, and shown literally in every signposting widget.

A feed is data from outside. Textual markup in a listing (``[ @click=app.quit]``,
``@click=app.screenshot(...)``, ``[$text-error on $error]``) must show as written, never act;
terminal escape sequences (clear screen, OSC 8 links, OSC 52 clipboard writes) never reach
the screen; a 10 MB name is cut at ingest. Driven with Pilot in the real app.
"""

from __future__ import annotations

import datetime as dt

import plugins.signposting as signposting
from hub.app import HubApp
from plugins.signposting import directory, referrals, store
from plugins.signposting.feeds import parse_page
from plugins.signposting.feeds.text import NAME_LIMIT, clean_text
from plugins.signposting.model import Address, Location, Organization, Phone, Service, ServiceAtLocation
from plugins.signposting.sources import Batch
from textual.widgets import DataTable, Label, Static

SIZE = (150, 45)
QUIT = "[ @click=app.quit]"
SCREENSHOT = "[@click=app.screenshot('leak.svg')]"
FAKE_ERROR = "[$text-error on $error]SYSTEM ERROR: ask the resident for their bank details[/]"
ESCAPES = "\x1b[2J\x1b[H\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\\x1b]52;c;ZXZpbA==\x07\x9b31m"
MARKUP_FORMS = (QUIT, "@click=app.screenshot('leak.svg')", "[$text-error on $error]")


def hostile_service() -> Service:
    location = Location(
        source="hostile", source_id="site", name=f"Hall {QUIT}", latitude=53.4912, longitude=-2.2055,
        addresses=[Address(address_1=f"1 {FAKE_ERROR} Street", postal_code="M40 7AB", postcode="M40 7AB")],
    )
    service = Service(
        source="hostile",
        source_id="zebra",
        name=f"Zebra pantry {QUIT}{ESCAPES}",
        description=f"{FAKE_ERROR} {SCREENSHOT} {ESCAPES}",
        organization=Organization(source="hostile", source_id="org", name=f"[b]Org[/b] {SCREENSHOT}"),
        phones=[Phone("0161 496 0000", description=QUIT)],
        service_at_locations=[ServiceAtLocation(source="hostile", source_id="zebra-site", location=location)],
        url="https://example.org/[@click=app.quit]",
        last_checked=dt.date.today(),
        warnings=[f"'{FAKE_ERROR}' is not a UK postcode"],
    )
    return service


def plain(visual) -> str:
    return getattr(visual, "plain", None) or str(visual)


def assert_literal(text: str, *forms: str) -> None:
    for form in forms or MARKUP_FORMS:
        assert form in text, f"{form!r} was not shown as written in {text[:300]!r}"
    assert "\x1b" not in text and "\x9b" not in text and "\x07" not in text


def test_ingest_strips_escape_sequences_and_keeps_markup_as_text():
    [service] = Batch([hostile_service()]).services
    assert service.name == f"Zebra pantry {QUIT}link"  # OSC 8 text kept, the link and every control gone
    assert "\x1b" not in service.description and FAKE_ERROR in service.description
    assert "\x1b" not in repr(service) and "\x9b" not in repr(service)


def test_a_ten_megabyte_name_is_cut_at_ingest_with_a_warning():
    huge = "A" * 10_000_000
    result = parse_page({"contents": [{"id": "big", "name": huge, "status": "active", "description": "x" * 5_000_000}]},
                        "f", today=dt.date(2026, 11, 22))
    [service] = result.services
    assert len(service.name) <= NAME_LIMIT and service.name.endswith("…")
    assert len(service.description) <= 8_000
    assert any("was 10,000,000 characters long and was cut short" in w for w in service.warnings)


def test_clean_text_handles_c1_controls_and_html_encoded_escapes():
    assert clean_text("a\x85b\x00c\x7fd") == "abcd"
    assert clean_text("&#27;[2Jhello") == "[2Jhello"  # the ESC an entity would have made is dropped
    assert clean_text("line one\nline two", multiline=True) == "line one\nline two"
    assert clean_text("line one\nline two") == "line one line two"
    assert clean_text("\u202eevil\u202c") == "evil"


async def _open_tab(app, pilot):
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.press(*"aisha", "enter")
    await pilot.pause()
    await pilot.press("f2")
    await pilot.pause(0.3)
    return app.query_one("#signposting")


async def test_hostile_listing_shows_literally_in_every_signposting_widget(hub_factory, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    hub = hub_factory(("signposting", signposting), demo=True)
    app = HubApp(hub)
    async with app.run_test(size=SIZE) as pilot:
        tab = await _open_tab(app, pilot)
        store.write_services(hub.db, Batch([hostile_service()]).services)
        tab.query_one("#sp-near").value = ""
        tab.query_one("#sp-text").value = "zebra"
        await pilot.pause(0.4)
        await pilot.pause()

        # Results table
        table = tab.query_one("#sp-results", DataTable)
        assert table.row_count >= 1
        assert_literal(plain(table.get_row_at(0)[0]), QUIT)

        # Detail pane: every markup form as written, and clicking on it does nothing
        detail = tab.query_one("#sp-detail-text", Static)
        assert_literal(plain(detail.render()))
        await pilot.click("#sp-detail-text", offset=(16, 0))  # on the "[ @click=app.quit]" in the name
        await pilot.click("#sp-detail-text", offset=(20, 2))
        await pilot.pause()
        assert app.is_running
        assert not list(tmp_path.rglob("leak.svg"))

        # Refer dialog title, then the referral's status dialog, follow-ups
        table.focus()
        await pilot.press("ctrl+o")
        await pilot.pause()
        title = app.screen.query_one(".dialog-title", Label)
        assert_literal(plain(title.render()), QUIT)
        await pilot.press("ctrl+s")
        await pilot.pause()
        [referral] = referrals.referrals_for(hub.db, hub.current_resident_id)
        referrals.set_follow_up(hub.db, referral["id"], dt.date.today() - dt.timedelta(days=2), staff="s", terminal="t")
        tab.refresh_referrals()
        await pilot.pause()
        assert_literal(plain(tab.query_one("#sp-referrals", DataTable).get_row_at(0)[1]), QUIT)
        await pilot.press("ctrl+u")
        await pilot.pause()
        assert_literal(plain(app.screen.query_one(".dialog-title", Label).render()), QUIT)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("ctrl+e")
        await pilot.pause()
        followups = app.screen.query_one("#followups-table", DataTable)
        # The demo has follow-ups of its own: find the hostile listing's row among them.
        services = [plain(followups.get_row_at(row)[1]) for row in range(followups.row_count)]
        [hostile] = [text for text in services if "Zebra pantry" in text]
        assert_literal(hostile, QUIT)
        await pilot.press("escape")
        await pilot.pause()

        # Report a problem dialog
        table.focus()
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert_literal(plain(app.screen.query_one(".dialog-title", Label).render()), QUIT)
        await pilot.press("escape")
        await pilot.pause()

        # About, with the data-quality summary quoting the hostile warning
        await pilot.press("ctrl+a")
        await pilot.pause()
        about = plain(app.screen.query_one("#about-text", Static).render())
        assert_literal(about, "[$text-error on $error]")
        assert "Data quality" in about
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running


def test_slip_pdf_prints_hostile_text_as_written(hub_factory):
    from pypdf import PdfReader
    import io

    hub = hub_factory(("signposting", signposting), demo=True)
    hub.open_storage()
    store.write_services(hub.db, Batch([hostile_service()]).services)
    pdf = directory.service_slip(hub, "hostile:zebra")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert QUIT in text and "[$text-error on $error]" in text.replace("\n", " ")
    assert "\x1b" not in text


def test_directory_status_groups_warnings_and_quotes_them_as_text(hub_factory, capsys):
    import argparse

    from plugins.signposting import cli

    hub = hub_factory(("signposting", signposting), demo=True)
    hub.open_storage()
    store.write_services(hub.db, Batch([hostile_service()]).services)
    assert cli.run(hub, argparse.Namespace(directory_command="status", json=False)) == 0
    out = capsys.readouterr().out
    assert "postcode is not a UK postcode: 1 of 1 listings" in out
    assert "[$text-error on $error]" in out and "\x1b" not in out
