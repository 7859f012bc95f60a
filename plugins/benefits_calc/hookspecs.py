"""Hooks the calculator offers other plugins (added through the core's register_hookspecs)."""

from hub import hookspec


@hookspec
def calc_one_off_payments(hub, resident_id):
    """Return a list of dicts with ``label``, ``amount`` (pounds) and ``note``: one-off payments this resident would get on starting work."""
