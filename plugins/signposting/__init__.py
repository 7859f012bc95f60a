"""Signposting plugin: local services matched to a resident's needs and postcode, offline, with referrals.

Only hookimpls live here; screens are imported inside the tab factory so the hub starts fast.
"""

from hub import TabSpec, hookimpl


def _make_tab(hub):
    from plugins.signposting.tab import SignpostingTab

    return SignpostingTab(hub)


@hookimpl
def register_tabs():
    return [TabSpec(id="signposting", title="Signposting", factory=_make_tab)]
