"""The three tabs, driven with Textual's Pilot from the keyboard: Journey (F2), Engagement (F3), Reports (F4)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from textual.widgets import DataTable, Input, Select, Static

import plugins.journey as journey_plugin
from hub.app import HubApp
from hub.staff import Session


@pytest.fixture(autouse=True)
def quick_demo_accounts(monkeypatch):
    """The demo site's staff accounts are hashed with argon2; a cheap profile keeps these tests quick."""
    from argon2 import PasswordHasher

    import hub.staff

    monkeypatch.setattr(hub.staff, "_hasher", lambda: PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


async def type_into(pilot, widget: Input, text: str) -> None:
    """Put text in an input as if typed (one change event), then carry on from the keyboard."""
    widget.focus()
    widget.value = text
    widget.cursor_position = len(text)
    await pilot.pause()


async def open_app(pilot, app, resident: str | None = "aisha"):
    await app.workers.wait_for_complete()
    await pilot.pause()
    if resident:
        await pilot.press(*resident, "enter")
        await pilot.pause()


def cells(table: DataTable, column: int = 0) -> list[str]:
    return [str(table.get_row_at(index)[column]) for index in range(table.row_count)]


async def test_journey_tab_assessment_plan_and_outcome_from_the_keyboard(hub_factory):
    hub = hub_factory(("journey", journey_plugin), demo=True)
    app = HubApp(hub)
    async with app.run_test(size=(180, 55)) as pilot:
        await open_app(pilot, app)
        resident = hub.current_resident_id
        assert resident is not None
        await pilot.press("f2")
        await pilot.pause()
        tab = app.query_one("#journey")
        summary = str(tab.query_one("#jr-summary", Static).render())
        assert "first contacted" in summary and "distance travelled +5 across 5 areas" in summary
        head = str(tab.query_one("#jr-assessment-head", Static).render())
        assert head.startswith("Assessment 2 of 2")
        table = tab.query_one("#jr-assessment", DataTable)
        assert "Barrier: Childcare" in cells(table)
        assert "+2" in cells(table, 3)  # childcare 4 -> 2

        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert str(tab.query_one("#jr-assessment-head", Static).render()).startswith("Assessment 1 of 2")

        # a new assessment: arrows choose an area, a digit scores it, Enter takes the resident's words
        await pilot.press("ctrl+n")
        await pilot.pause()
        dialog = app.screen
        items = dialog.query_one("#jr-items", DataTable)
        assert items.has_focus and items.row_count == 24
        assert cells(items, 2)[cells(items).index("Barrier: Childcare")] == "2"  # what it was last time
        await pilot.press("9")  # not a score: nothing happens
        await pilot.press("3")  # debt: 3, and on to the next area
        assert cells(items, 1)[0] == "3 a lot" and items.cursor_row == 1
        await pilot.press("up", "enter", *"bills", "enter")
        assert items.has_focus and cells(items, 3)[0] == "bills"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is not dialog
        assert hub.db["journey_assessments"].count == 3
        [debt] = list(hub.db.query("select * from journey_assessment_items where area = 'debt'"))
        assert (debt["score"], debt["words"]) == (3, "bills")
        assert str(tab.query_one("#jr-assessment-head", Static).render()).startswith("Assessment 3 of 3")

        # a goal, a step, and the step moved on
        await pilot.press("ctrl+g")
        await pilot.pause()
        await type_into(pilot, app.screen.query_one("#jr-input-title", Input), "Warehouse job")
        await pilot.press("ctrl+s")
        await pilot.pause()
        plan = tab.query_one("#jr-plan", DataTable)
        plan.focus()
        await pilot.pause()
        goal_row = cells(plan).index("▸ Warehouse job")
        plan.move_cursor(row=goal_row)
        await pilot.press("ctrl+b")
        await pilot.pause()
        step_dialog = app.screen
        step_dialog.query_one("#jr-input-due_on", Input).value = (date.today() + timedelta(days=2)).strftime("%d/%m/%Y")
        await type_into(pilot, step_dialog.query_one("#jr-input-description", Input), "Send CV")
        await pilot.press("ctrl+s")
        await pilot.pause()
        [step] = list(hub.db.query("select * from journey_steps where description = 'Send CV'"))
        assert step["status"] == "not_started" and step["owner"] == "resident"
        plan.move_cursor(row=cells(plan).index("    Send CV"))
        await pilot.press("ctrl+t")
        await pilot.pause()
        await pilot.press("ctrl+s")  # the first allowed status: In progress
        await pilot.pause()
        assert hub.db["journey_steps"].get(step["id"])["status"] == "in_progress"
        assert "In progress" in cells(plan, 3)

        # an outcome, recorded and listed
        await pilot.press("ctrl+o")
        await pilot.pause()
        outcome_dialog = app.screen
        await pilot.press("ctrl+s")  # nothing chosen: the errors show on the fields
        await pilot.pause()
        assert outcome_dialog.query_one("#field-kind").has_class("-invalid")
        outcome_dialog.query_one("#jr-input-kind", Select).value = "volunteering"
        outcome_dialog.query_one("#jr-input-evidence", Select).value = "staff_witnessed"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is not outcome_dialog
        assert "Volunteering" in cells(tab.query_one("#jr-outcomes", DataTable), 1)
        assert hub.db["journey_outcomes"].count_where("resident_id = ? and kind = 'volunteering'", [resident]) == 1


async def test_due_list_opens_the_resident(hub_factory):
    hub = hub_factory(("journey", journey_plugin), demo=True)
    app = HubApp(hub)
    async with app.run_test(size=(180, 55)) as pilot:
        await open_app(pilot, app, resident=None)
        await pilot.press("f2")
        await pilot.pause()
        tab = app.query_one("#journey")
        assert "No resident selected" in str(tab.query_one("#jr-summary", Static).render())
        due = tab.query_one("#jr-due", DataTable)
        assert "Aisha Rahman" in cells(due, 1)
        due.focus()
        due.move_cursor(row=cells(due, 1).index("Aisha Rahman"))
        await pilot.press("enter")
        await pilot.pause()
        assert hub.current_resident_id is not None
        assert "Registered" in str(tab.query_one("#jr-summary", Static).render())


async def test_engagement_tab_logs_a_round_and_links_a_contact(hub_factory):
    hub = hub_factory(("journey", journey_plugin), demo=True)
    app = HubApp(hub)
    async with app.run_test(size=(180, 55)) as pilot:
        await open_app(pilot, app, resident="liam")
        await pilot.press("f3")
        await pilot.pause()
        tab = app.query_one("#engagement")
        before = hub.db["journey_engagements"].count
        home = tab.query_one("#jr-input-home_ref", Input)
        await type_into(pilot, home, "40 Curlew Close")
        assert "No earlier contact" in str(tab.query_one("#en-summary", Static).render())
        await pilot.press("ctrl+s")  # no outcome chosen yet
        await pilot.pause()
        assert tab.query_one("#field-outcome").has_class("-invalid")
        tab.query_one("#jr-input-outcome", Select).value = "interested"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert hub.db["journey_engagements"].count == before + 1
        assert home.value == "" and home.has_focus  # ready for the next door
        assert tab.query_one("#jr-input-outcome", Select).value == "interested"

        await type_into(pilot, home, "07700 900123")
        await pilot.press("ctrl+s")  # a phone number is not a home
        await pilot.pause()
        assert "phone number" in tab.query_one("#field-home_ref").error
        assert hub.db["journey_engagements"].count == before + 1

        home.value = "40 curlew"
        await pilot.pause()
        table = tab.query_one("#en-table", DataTable)
        assert cells(table, 2) == ["40 Curlew Close"]
        table.focus()
        await pilot.press("ctrl+l")
        await pilot.pause()
        await pilot.press("enter")  # "Link to Liam Doherty" has the focus
        await pilot.pause()
        resident = hub.current_resident_id
        assert hub.db["journey_engagements"].count_where("resident_id = ? and home_ref = '40 Curlew Close'", [resident]) == 1
        assert f"({resident})" in cells(table, 4)[0]


async def test_reports_tab_runs_opens_a_figure_and_exports(hub_factory):
    hub = hub_factory(("journey", journey_plugin), demo=True)
    app = HubApp(hub)
    async with app.run_test(size=(180, 55)) as pilot:
        await open_app(pilot, app, resident=None)
        await pilot.press("f4")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        tab = app.query_one("#reports")
        today = date.today()
        tab.query_one("#jr-input-from", Input).value = (today - timedelta(days=100)).strftime("%d/%m/%Y")
        tab.query_one("#jr-input-to", Input).value = today.strftime("%d/%m/%Y")
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert tab.report is not None and tab.report.figure("registered").value == 8
        chart = str(tab.query_one("#rp-chart", Static).render())
        assert "People engaged" in chart and "▸" in chart
        figures = tab.query_one("#rp-figures", DataTable)
        figures.focus()
        figures.move_cursor(row=figures.get_row_index("registered"))
        await pilot.press("enter")
        await pilot.pause()
        listed = app.screen.query_one("#jr-figure-residents", DataTable)
        assert listed.row_count == 8 and "Aisha Rahman" in cells(listed, 1)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert tab.last_export is not None and (tab.last_export / "data_dictionary.csv").exists()
        assert hub.db["access_log"].count_where("action = 'journey:report:open:registered'") == 1

        await pilot.press("ctrl+b")  # the quarter before
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert tab.report.period.end < today - timedelta(days=0) and tab.report.period.start.day == 1


async def test_reports_tab_is_for_site_leads_only(hub_factory):
    hub = hub_factory(("journey", journey_plugin))
    hub.session = Session(None, "sam", "Sam Staff", "staff")
    app = HubApp(hub)
    async with app.run_test(size=(160, 50)) as pilot:
        await open_app(pilot, app, resident=None)
        await pilot.press("f4")
        await pilot.pause()
        tab = app.query_one("#reports")
        assert "for site leads" in str(tab.query_one("#rp-denied", Static).render())
        assert not tab.query("#rp-figures")
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert tab.report is None


async def test_coming_back_to_a_tab_keeps_the_keyboard_in_it(hub_factory):
    hub = hub_factory(("journey", journey_plugin), demo=True)
    app = HubApp(hub)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_app(pilot, app)
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press("f3")
        await pilot.pause()
        assert app.focused is app.query_one("#engagement #jr-input-home_ref")
        await pilot.press("f2")
        await pilot.pause()
        assert app.focused is app.query_one("#jr-assessment")
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert type(app.screen).__name__ == "GoalScreen"
