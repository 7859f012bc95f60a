"""Signposting plugin: local services matched to a resident's needs and postcode, offline, with referrals.

Only hookimpls live here. Everything else is imported inside the hooks, so loading
the plugin costs nothing at startup (tests/test_import_hygiene.py checks it).
"""

from hub import BackgroundJob, CliCommand, TabSpec, hookimpl


@hookimpl
def config_schema():
    from plugins.signposting.settings import SignpostingSettings

    return SignpostingSettings


@hookimpl
def register_hookspecs():
    from plugins.signposting import hookspecs

    return hookspecs


@hookimpl
def signposting_sources(hub):
    from plugins.signposting.directory import builtin_sources

    return builtin_sources(hub)


@hookimpl
def register_migrations():
    from plugins.signposting.store import migrations

    return migrations()


@hookimpl
def seed_demo_data(hub, db):
    from plugins.signposting.demo import seed_directory, seed_referrals

    seed_directory(db, hub=hub)
    seed_referrals(db, hub=hub)


@hookimpl
def export_resident_data(hub, resident_id):
    from plugins.signposting.referrals import export_for_resident

    return export_for_resident(hub.db, resident_id)


@hookimpl
def erase_resident_data(hub, resident_id):
    from plugins.signposting.referrals import erase_for_resident

    return erase_for_resident(hub.db, resident_id)


@hookimpl
def referral_records(hub, start, end):
    from plugins.signposting.referrals import referral_records

    return referral_records(hub.db, start, end)


@hookimpl(optionalhook=True)
def journey_report_figures(hub, start, end):
    from plugins.signposting.referrals import report_figures

    return report_figures(hub.db, start, end)


@hookimpl
def linkable_records(hub, resident_id):
    from plugins.signposting.referrals import linkable

    return linkable(hub.db, resident_id)


@hookimpl
def describe_record(hub, kind, record_id):
    from plugins.signposting.referrals import REFERRAL_KIND, describe

    return describe(hub.db, record_id) if kind == REFERRAL_KIND else None


def _sync_job(worker_hub):
    from plugins.signposting.directory import describe_sync, sync

    return describe_sync(sync(worker_hub))


@hookimpl
def register_background_jobs(hub):
    settings = hub.plugin_config("signposting")
    if settings.sync_every_hours <= 0:
        return []
    return [BackgroundJob("directory-sync", every_minutes=settings.sync_every_hours * 60, run=_sync_job)]


def _make_tab(hub):
    from plugins.signposting.screen import SignpostingTab

    return SignpostingTab(hub)


@hookimpl
def register_tabs():
    return [TabSpec(id="signposting", title="Signposting", factory=_make_tab)]


def _configure_cli(parser):
    from plugins.signposting.cli import configure

    configure(parser)


def _run_cli(hub, args):
    from plugins.signposting.cli import run

    return run(hub, args)


@hookimpl
def register_cli_commands():
    return [
        CliCommand(
            "directory",
            "The signposting directory: sync, search, status, follow-ups (docs/signposting.md)",
            _configure_cli,
            _run_cli,
        )
    ]


def __getattr__(name: str):
    """The public helpers for signposting sources (plugins/signposting/public.py), imported on first use."""
    from plugins.signposting.public import PUBLIC, load

    if name in PUBLIC:
        return load(name)
    raise AttributeError(f"module 'plugins.signposting' has no attribute {name!r}")
