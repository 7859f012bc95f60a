"""Hook specifications: every way a plugin can extend the hub.

Plugins write ``from hub import hookimpl`` and implement any of these by name.
A hookimpl may accept any subset of a hook's arguments (never give them
defaults: pluggy would not pass them). Hooks run on the main thread and must be
quick: return descriptions (tabs, commands, migrations); do slow work (HTTP,
big SQL) later, in a Textual worker or in the function you hand back.
The long form of each hook, with examples, is in docs/plugins.md.
"""

from pluggy import HookimplMarker, HookspecMarker

hookspec = HookspecMarker("hub")
hookimpl = HookimplMarker("hub")


@hookspec
def config_schema():
    """Return a dataclass type describing this plugin's [plugins.<name>] table in the site config."""


@hookspec
def register_hookspecs():
    """Return a module or class of hookspecs this plugin calls and other plugins implement."""


@hookspec
def register_migrations(hub):
    """Return a sqlite_utils.Migrations set (or a list of them) for this plugin's tables."""


@hookspec
def startup(hub):
    """Fires once after config is validated and migrations are applied; return nothing."""


@hookspec
def seed_demo_data(hub, db):
    """Fill a demo site's empty database with fictional records on its first run; return nothing."""


@hookspec
def register_tabs(hub):
    """Return a list of hub.TabSpec: one kiosk tab each, built on first visit."""


@hookspec
def register_cli_commands(hub):
    """Return a list of hub.CliCommand: subcommands of the ``hub`` command line."""


@hookspec
def register_palette_commands(hub):
    """Return a list of hub.PaletteCommand for the command palette (ctrl+p)."""


@hookspec
def register_background_jobs(hub):
    """Return a list of hub.BackgroundJob: work the kiosk runs every so often, off the UI thread."""


@hookspec
def register_themes(hub):
    """Return a list of textual.theme.Theme objects that a site can pick in its config."""


@hookspec
def resident_registered(hub, resident_id):
    """React to a new resident, after the record is committed; return nothing."""


@hookspec
def record_saved(hub, resident_id, kind, record_id):
    """React to any plugin's saved record (kind like "passport.entry"), after commit; return nothing."""


@hookspec
def export_resident_data(hub, resident_id):
    """Return a dict of everything this plugin holds about one resident, for a subject access request."""


@hookspec
def erase_resident_data(hub, resident_id):
    """Erase this plugin's records of a resident (inside the caller's transaction); return a list of what was kept and why."""


# -- what plugins share: one provides, any other consumes, neither imports the other ----------------


@hookspec
def resident_employment(hub, resident_id):
    """Return a list of hub.records.EmploymentSpell: the resident's paid jobs as your plugin records them."""


@hookspec
def resident_training(hub, resident_id):
    """Return a list of hub.records.TrainingRecord: the resident's courses and qualifications."""


@hookspec
def employment_changes(hub, since):
    """Return a hub.records.RecordChanges: whose jobs or training changed after your token ``since`` (None: first look)."""


@hookspec
def referral_records(hub, start, end):
    """Return a list of hub.records.ReferralRecord made from ``start`` to ``end`` (dates, both included)."""


@hookspec
def linkable_records(hub, resident_id):
    """Return a list of hub.records.LinkableRecord: the resident's records another plugin may link to."""


@hookspec(firstresult=True)
def describe_record(hub, kind, record_id):
    """Return a short description of your record ``kind``/``record_id`` (e.g. a referral), or None if it is not yours."""
