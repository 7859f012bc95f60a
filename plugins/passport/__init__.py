"""Work passport plugin: training, work experience, volunteering and jobs, verified by staff.

Only hookimpls live here; screens are imported inside the tab factory so the hub starts fast.
"""

from hub import TabSpec, hookimpl


def _make_tab(hub):
    from plugins.passport.tab import PassportTab

    return PassportTab(hub)


@hookimpl
def register_tabs():
    return [TabSpec(id="passport", title="Passport", factory=_make_tab)]
