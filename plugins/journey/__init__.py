"""Journey plugin: assessment and action plans, the engagement log, outcomes and the outcomes report.

Only hookimpls and settings live here; storage, reports and screens are imported when first
needed so the hub starts fast. See docs/journey.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from hub import CliCommand, PaletteCommand, TabSpec, hookimpl


@dataclass
class JourneySettings:
    """The [plugins.journey] table."""

    homes_in_area: int = 0
    """How many homes (households) there are in the site's area, for engagement reach. 0: not known, and
    reach is not shown."""
    pseudonym_secret: str = ""
    """The key behind the evaluator export's pseudonymous ids. Write { "$env" = "JOURNEY_PSEUDONYM_SECRET" },
    never the key itself. Empty: a random key is made in the data folder (journey-pseudonym.key) on the first
    export. Keep it (and back it up): a new key gives every resident a new id."""
    youth_min_age: int = 16
    """The youngest age at registration in the report's young people's subgroup."""
    youth_max_age: int = 24
    """The oldest age at registration in the report's young people's subgroup."""
    due_within_days: int = 7
    """Action-plan steps and sustainment checks due within this many days are listed for staff (overdue
    ones always are)."""
    link_window_days: int = 730
    """Registering a resident links contacts the engagement log recorded at their address up to this many
    days before."""
    training_from_passport: bool = True
    """Count the work passport's courses and qualifications that start on or after a resident registered as
    "into training or education" outcomes, so staff need not record them again. false: only outcomes staff
    record count."""

    def __post_init__(self) -> None:
        if self.homes_in_area < 0:
            raise ValueError("homes_in_area: must be 0 (not known) or more")
        if not 16 <= self.youth_min_age <= self.youth_max_age <= 120:
            raise ValueError("youth_min_age and youth_max_age: need 16 <= youth_min_age <= youth_max_age")
        if self.due_within_days < 0 or self.link_window_days < 0:
            raise ValueError("due_within_days and link_window_days: must be 0 or more")


@hookimpl
def config_schema():
    return JourneySettings


@hookimpl
def register_hookspecs():
    from plugins.journey import hookspecs

    return hookspecs


@hookimpl
def register_migrations():
    from plugins.journey.storage import migrations

    return migrations()


@hookimpl
def seed_demo_data(hub, db):
    from plugins.journey.demo import seed

    seed(hub, db)


def _journey_tab(hub):
    from plugins.journey.tab import JourneyTab

    return JourneyTab(hub)


def _engagement_tab(hub):
    from plugins.journey.engagement_tab import EngagementTab

    return EngagementTab(hub)


def _reports_tab(hub):
    from plugins.journey.reports_tab import ReportsTab

    return ReportsTab(hub)


@hookimpl
def register_tabs():
    return [
        TabSpec(id="journey", title="Journey", factory=_journey_tab),
        TabSpec(id="engagement", title="Engagement", factory=_engagement_tab),
        TabSpec(id="reports", title="Reports", factory=_reports_tab),
    ]


def _configure_report(parser) -> None:
    from plugins.journey.cli import configure

    configure(parser)


def _run_report(hub, args) -> int:
    from plugins.journey.cli import run

    return run(hub, args)


@hookimpl
def register_cli_commands():
    return [
        CliCommand(
            "report",
            "Outcomes report for a period, and the de-identified export for evaluators (docs/journey.md)",
            _configure_report,
            _run_report,
        )
    ]


def _show_tab(tab_id: str):
    def action(app) -> None:
        app.action_show_tab(f"tab-{tab_id}")

    return action


@hookimpl
def register_palette_commands():
    return [
        PaletteCommand("Journey: what is due", "Action-plan steps and sustainment checks due (the Journey tab)",
                       _show_tab("journey")),
        PaletteCommand("Outcomes report", "Figures for a period, the residents behind them, the evaluator export",
                       _show_tab("reports")),
    ]


@hookimpl
def resident_registered(hub, resident_id):
    from plugins.journey.service import on_registration

    on_registration(hub, resident_id)


@hookimpl
def record_saved(hub):
    from plugins.journey.spells import sync_spells  # one query per provider when nothing changed

    sync_spells(hub)


@hookimpl
def export_resident_data(hub, resident_id):
    from plugins.journey.storage import resident_data

    return resident_data(hub.db, resident_id) or None


@hookimpl
def erase_resident_data(hub, resident_id):
    from plugins.journey.storage import erase_resident

    return erase_resident(hub.db, resident_id)
