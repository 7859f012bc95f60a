"""The Bonus tab driven through Textual's Pilot: checks in words, propose / approve / pay with the
keyboard under different sign-ins, the due list, the report and its CSV."""

from __future__ import annotations

import csv
from datetime import date

import plugins.bonus as bonus_plugin
import plugins.passport as passport_plugin
from hub.app import HubApp
from plugins.bonus import storage
from plugins.bonus.screens import ClaimDialog

SIZE = (160, 50)
TODAY = date(2027, 1, 20)


def text(widget) -> str:
    return str(widget.render())


async def ready(app, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert app.storage_ready


async def test_checks_claims_due_list_and_report_with_the_keyboard(hub_factory, b, pin_today):
    pin_today(TODAY)
    hub = hub_factory(("passport", passport_plugin), ("bonus", bonus_plugin))
    app = HubApp(hub)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        eligible = b.add_resident(hub, name="Ann Eligible")
        b.add_job(hub, eligible)
        soon = b.add_resident(hub, name="Bea Soon")
        b.add_job(hub, soon, start=date(2027, 1, 4))  # 4 weeks on 31 January
        short = b.add_resident(hub, name="Cal Short")
        b.add_job(hub, short, hours="15.5")

        # -- a resident who fails a rule: the words say why, and proposing is refused ------------------
        app.query_one("#home-pane").open_resident(short)
        await pilot.press("f3")
        await pilot.pause()
        tab = app.query_one("#bonus")
        checks = text(tab.query_one("#bonus-checks"))
        assert "Not eligible for the JobsPlus into-work bonus (£400)" in checks
        assert "15.5 hours a week; the scheme needs 16 or more hours a week" in checks
        assert "✗ fail" in checks and "✓ pass" in checks
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert not isinstance(app.screen, ClaimDialog)
        assert any("No claim can be proposed" in n.message for n in app._notifications)

        # -- an eligible resident: staff propose with the keyboard -------------------------------------
        b.sign_in(hub, "staff.one", "staff")
        await pilot.press("f1")
        app.query_one("#home-pane").open_resident(eligible)
        await pilot.press("f3")
        await pilot.pause()
        assert "Eligible for the JobsPlus into-work bonus (£400) since 12 January 2027." in text(tab.query_one("#bonus-checks"))
        assert "In work 4 weeks on 12 January 2027" in text(tab.query_one("#bonus-checks"))
        assert "No claims yet" in text(tab.query_one("#bonus-claim-detail"))
        await pilot.press("ctrl+o")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ClaimDialog)
        dialog.query_one("#bonus-input-reason").value = "started at Example Care"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, ClaimDialog)
        [claim] = storage.claims_for(hub.db, eligible)
        assert (claim["status"], claim["proposed_by"]) == ("eligible", "staff.one")
        assert tab.query_one("#bonus-claims").row_count == 1
        assert "proposed by staff.one" in text(tab.query_one("#bonus-history"))

        # -- staff cannot approve: refused before any dialog, and logged ----------------------------------
        await pilot.press("ctrl+a")
        await pilot.pause()
        assert not isinstance(app.screen, ClaimDialog)
        assert any("bonus.approve" in n.message for n in app._notifications)
        assert hub.db["access_log"].count_where("action = 'denied:bonus.approve'") >= 1

        # -- the proposer, now signed in as a site lead, still cannot approve their own claim -------------
        b.sign_in(hub, "staff.one", "site_lead")
        await pilot.press("ctrl+a")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ClaimDialog)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog
        assert "another site lead must approve it" in text(dialog.query_one("#bonus-dialog-warning"))
        await pilot.press("escape")
        await pilot.pause()
        assert storage.get_claim(hub.db, claim["id"])["status"] == "eligible"

        # -- another site lead approves, then marks it paid ---------------------------------------------
        b.sign_in(hub, "lead.two", "site_lead")
        await pilot.press("ctrl+a")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert storage.get_claim(hub.db, claim["id"])["status"] == "approved"
        await pilot.press("ctrl+y")
        await pilot.pause()
        dialog = app.screen
        assert dialog.query_one("#bonus-input-paid_on").value == "20/01/2027"
        dialog.query_one("#bonus-input-paid_on").value = "31/02/2027"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Not a date" in dialog.query_one("#field-paid_on").error
        dialog.query_one("#bonus-input-paid_on").value = "20/01/2027"
        dialog.query_one("#bonus-input-reference").value = "BACS 42"
        await pilot.press("ctrl+s")
        await pilot.pause()
        paid = storage.get_claim(hub.db, claim["id"])
        assert (paid["status"], paid["approved_by"], paid["payment_reference"]) == ("paid", "lead.two", "BACS 42")
        history = text(tab.query_one("#bonus-history"))
        assert "approved by lead.two (eligible -> approved" in history and "marked paid by lead.two" in history
        await pilot.press("ctrl+a")  # a paid claim cannot be approved again: no dialog, the reason instead
        await pilot.pause()
        assert not isinstance(app.screen, ClaimDialog)
        assert any("is paid, so it cannot be approved; it can only be reversed" in n.message for n in app._notifications)

        # -- the due list: the soon one is listed; Enter opens them ---------------------------------------
        await pilot.press("ctrl+d")
        await app.workers.wait_for_complete()
        await pilot.pause()
        due = tab.query_one("#bonus-due-table")
        assert due.row_count == 1
        assert "Bea Soon" in str(due.get_row_at(0)[0]) and "due 31 January 2027" in due.get_row_at(0)[2]
        due.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert hub.current_resident_id == soon
        assert tab.view == "bonus-resident"
        assert "due on 31 January 2027 if they stay in work" in text(tab.query_one("#bonus-checks"))

        # -- the month's report and its CSV ----------------------------------------------------------------
        await pilot.press("ctrl+t")
        await pilot.pause()
        report = text(tab.query_one("#bonus-report-text"))
        assert "Bonus claims, January 2027" in report
        assert "proposed 1 (£400), approved 1 (£400), paid 1 (£400)" in report
        await pilot.press("ctrl+e")
        await pilot.pause()
        rows = list(csv.DictReader(tab.last_csv.open()))
        assert [r["action"] for r in rows] == ["proposed", "approved", "paid"]
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert "December 2026" in text(tab.query_one("#bonus-report-text"))


async def test_the_tab_re_checks_when_shown_again_after_a_passport_change(hub_factory, b, pin_today):
    pin_today(TODAY)
    hub = hub_factory(("passport", passport_plugin), ("bonus", bonus_plugin))
    app = HubApp(hub)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        rid = b.add_resident(hub, name="Dee Later")
        app.query_one("#home-pane").open_resident(rid)
        await pilot.press("f3")
        await pilot.pause()
        tab = app.query_one("#bonus")
        assert "no paid job in the passport yet" in text(tab.query_one("#bonus-checks"))
        await pilot.press("f2")
        await pilot.pause()
        b.add_job(hub, rid)  # as if added on the Passport tab
        await pilot.press("f3")
        await pilot.pause()
        assert "Eligible for the JobsPlus into-work bonus" in text(tab.query_one("#bonus-checks"))
        # a privacy clear empties the tab
        await pilot.press("f12")
        await pilot.pause()
        assert not app.query("#bonus")


async def test_with_no_resident_the_tab_points_to_the_residents_tab(hub_factory):
    hub = hub_factory(("passport", passport_plugin), ("bonus", bonus_plugin))
    app = HubApp(hub)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("f3")
        await pilot.pause()
        tab = app.query_one("#bonus")
        assert "No resident selected" in text(tab.query_one("#bonus-summary"))
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert any("Open a resident" in n.message for n in app._notifications)


async def test_approving_over_budget_warns_and_needs_a_second_confirmation(hub_factory, b, pin_today):
    pin_today(TODAY)
    hub = hub_factory(("passport", passport_plugin), ("bonus", bonus_plugin), body=b.scheme_body(budget=300))
    app = HubApp(hub)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        rid = b.add_resident(hub)
        b.add_job(hub, rid)
        b.sign_in(hub, "staff.one", "staff")
        from plugins.bonus import service

        claim_id = service.propose(hub, rid, "jobsplus").claim_id
        b.sign_in(hub, "lead.two")
        app.query_one("#home-pane").open_resident(rid)
        await pilot.press("f3")
        await pilot.pause()
        tab = app.query_one("#bonus")
        assert "Over budget" in text(tab.query_one("#bonus-budget"))
        await pilot.press("ctrl+a")
        await pilot.pause()
        dialog = app.screen
        assert "Over budget: approving £400 takes the JobsPlus into-work bonus to £400 of its £300 budget, £100 over." \
            in text(dialog.query_one("#bonus-dialog-warning"))
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog and "Press Ctrl+S again to go ahead anyway" in text(dialog.query_one("#bonus-dialog-warning"))
        assert storage.get_claim(hub.db, claim_id)["status"] == "eligible"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, ClaimDialog)
        assert storage.get_claim(hub.db, claim_id)["status"] == "approved"
        assert "[approved over budget: £400 of £300]" in storage.events_for(hub.db, claim_id)[-1]["reason"]
        assert any(n.title == "Budget" for n in app._notifications)
