"""The Signposting tab driven with Pilot: search, why it matched, refer, update, slips, follow-ups."""

from __future__ import annotations

import datetime as dt

import plugins.signposting as signposting
from hub.app import HubApp
from textual.widgets import Checkbox, DataTable, Input, Select, Static, TextArea

SIZE = (150, 45)


async def open_tab(app, pilot, who="aisha"):
    await app.workers.wait_for_complete()
    await pilot.pause()
    if who:
        await pilot.press(*who, "enter")
        await pilot.pause()
    await pilot.press("f2")  # signposting is the only plugin tab here
    await pilot.pause()
    await pilot.pause(0.3)
    return app.query_one("#signposting")


async def search_for(tab, pilot, text):
    tab.query_one("#sp-text", Input).value = text
    await pilot.pause(0.3)
    await pilot.pause()


async def test_search_shows_distance_reasons_and_remote_services_apart(hub_factory):
    hub = hub_factory(("signposting", signposting), demo=True)
    app = HubApp(hub)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_tab(app, pilot)
        assert tab.query_one("#sp-near", Input).value == "M40 7AB"  # from the resident's record
        await search_for(tab, pilot, "debt")
        table = tab.query_one("#sp-results", DataTable)
        rows = [table.get_row_at(i) for i in range(table.row_count)]
        names = [str(row[0]) for row in rows]
        assert "— Phone and online services —" in names
        local = names[: names.index("— Phone and online services —")]
        assert local and all("miles" in str(row[1]) for row in rows[: len(local)])
        detail = str(tab.query_one("#sp-detail-text", Static).render())
        assert "Why it is here" in detail and "debt" in detail
        assert "Distances from M40 7AB" in str(tab.query_one("#sp-notes", Static).render())


async def test_hostile_text_and_a_bad_postcode_are_handled_on_screen(hub_factory):
    hub = hub_factory(("signposting", signposting), demo=True)
    app = HubApp(hub)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_tab(app, pilot)
        await search_for(tab, pilot, '"; DROP TABLE services; -- NEAR( *')
        tab.query_one("#sp-near", Input).value = "not a postcode"
        await pilot.pause(0.3)
        await pilot.pause()
        assert app.is_running
        assert hub.plugins.is_enabled("signposting")


async def test_signpost_then_follow_the_referral_through(hub_factory):
    from plugins.signposting.referrals import referrals_for

    hub = hub_factory(("signposting", signposting), demo=True)
    app = HubApp(hub)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_tab(app, pilot)
        await search_for(tab, pilot, "debt")
        tab.query_one("#sp-results", DataTable).focus()
        await pilot.press("ctrl+o")
        await pilot.pause()
        app.screen.query_one("#refer-note", TextArea).text = "Gave the leaflet"
        await pilot.press("ctrl+s")
        await pilot.pause()
        [referral] = referrals_for(hub.db, hub.current_resident_id)
        assert referral["kind"] == "signpost" and referral["status"] == "new"
        assert referral["follow_up_on"] == (dt.date.today() + dt.timedelta(days=14)).isoformat()
        assert tab.query_one("#sp-referrals", DataTable).row_count == 1

        tab.query_one("#sp-referrals", DataTable).focus()
        await pilot.press("ctrl+u")
        await pilot.pause()
        assert app.screen.query_one("#status-next", Select).value == "sent"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert referrals_for(hub.db, hub.current_resident_id)[0]["status"] == "sent"


async def test_a_warm_handover_without_sharing_consent_is_refused_with_the_reason(hub_factory):
    hub = hub_factory(("signposting", signposting), demo=True)
    app = HubApp(hub)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        resident_id = hub.db.execute("select id from residents where name = 'Aisha Rahman'").fetchone()[0]
        from hub.residents import record_consent

        record_consent(hub.db, resident_id, "share_with_services", False, staff="t", terminal="t")
        tab = await open_tab(app, pilot)
        await search_for(tab, pilot, "debt")
        await pilot.press("ctrl+o")
        await pilot.pause()
        app.screen.query_one("#refer-kind", Select).value = "warm_handover"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "consent" in str(app.screen.query_one("#refer-error", Static).render()).lower()
        assert hub.db["referrals"].count_where("resident_id = ?", [resident_id]) == 0  # the demo's own are others'


async def test_slip_problem_report_followups_and_about(hub_factory):
    from pypdf import PdfReader

    hub = hub_factory(("signposting", signposting), demo=True)
    app = HubApp(hub)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_tab(app, pilot)
        await search_for(tab, pilot, "debt")
        await pilot.press("ctrl+d")
        await app.workers.wait_for_complete()
        await pilot.pause()
        [pdf] = list((hub.config.data_dir / "printouts").glob("service-slip-*.pdf"))
        text = PdfReader(pdf).pages[0].extract_text()
        assert "Debt" in text and "checked" in text.lower()

        await pilot.press("ctrl+b")
        await pilot.pause()
        app.screen.query_one("#problem-text", TextArea).text = "Moved to the library on Fridays"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert hub.db["listing_problems"].count == 1

        await pilot.press("ctrl+e")
        await pilot.pause()
        assert app.screen.query_one("#followups-table", DataTable) is not None
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("ctrl+a")
        await pilot.pause()
        shown = " ".join(str(widget.render()) for widget in app.screen.query(Static))
        assert "Crown copyright" in shown and "Open Government Licence" in shown  # the attributions the licences ask for


async def test_ctrl_y_syncs_the_directory_on_a_worker_with_its_own_connection(hub_factory, tmp_path):
    (tmp_path / "services.toml").write_text(
        '[[service]]\nid = "pantry"\nname = "Community Pantry"\npostcode = "M40 8JD"\nneeds = ["food"]\n'
        "last_checked = 2026-11-01\n", encoding="utf-8")
    hub = hub_factory(("signposting", signposting), body='[plugins.signposting]\nlocal_services = "services.toml"\n')
    app = HubApp(hub)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_tab(app, pilot, who=None)
        assert app.focused is tab.query_one("#sp-text", Input)  # the keyboard starts in the search box
        await pilot.press("ctrl+y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any("local: 1 received, 1 new" in n.message for n in app._notifications)
        assert hub.db.execute("select count(*) from directory_services where name = 'Community Pantry'").fetchone()[0] == 1
