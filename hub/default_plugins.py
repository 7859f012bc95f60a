"""The core's own hookimpls: registered on every hub, before any site plugin.

They go through the same hooks as everyone else's, so a site's theme plugin is
an ordinary plugin too.
"""

from hub.hookspecs import hookimpl


@hookimpl
def register_themes():
    from hub.themes import HIGH_CONTRAST  # textual is already imported when themes are wanted

    return [HIGH_CONTRAST]


@hookimpl(tryfirst=True)
def seed_demo_data(hub, db):
    """The demo's staff accounts and fictional residents, before any plugin adds its records to them."""
    from hub.demo import seed_residents
    from hub.staff import seed_demo_accounts

    seed_demo_accounts(db)
    seed_residents(db, area=hub.config.hub.area)
