"""Better-off-in-work calculator: Universal Credit, tax, NI, childcare and rent, now vs with a job.

Only hookimpls live here; screens are imported inside the tab factory so the hub starts fast.
"""

from hub import TabSpec, hookimpl


def _make_tab(hub):
    from plugins.benefits_calc.tab import CalcTab

    return CalcTab(hub)


@hookimpl
def register_tabs():
    return [TabSpec(id="calc", title="Better off?", factory=_make_tab)]
