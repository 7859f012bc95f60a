"""Bonus plugin: per-site eligibility rules for into-work bonuses, explained and approved.

Only hookimpls live here; screens are imported inside the tab factory so the hub starts fast.
"""

from hub import TabSpec, hookimpl


def _make_tab(hub):
    from plugins.bonus.tab import BonusTab

    return BonusTab(hub)


@hookimpl
def register_tabs():
    return [TabSpec(id="bonus", title="Bonus", factory=_make_tab)]
