"""Hooks the journey calls and other plugins implement (registered through ``register_hookspecs``).

Documented in docs/journey.md. Implement them with ``@hookimpl(optionalhook=True)`` so your plugin
still loads on a site that does not run the journey.
"""

from hub import hookspec


@hookspec
def journey_outcome_kinds(hub):
    """Return a list of extra outcome kinds: ``plugins.journey.model.OutcomeKind`` objects or dicts with
    ``id``, ``label`` and optional ``help``. Staff can record them; reports count residents per kind."""


@hookspec
def journey_report_figures(hub, start, end):
    """Return a list of figures for the report of the period ``start`` to ``end`` (``datetime.date``, both
    included): ``plugins.journey.model.ReportFigure`` objects or dicts with ``key``, ``label``,
    ``resident_ids`` (the people behind it, counted once each), and optional ``amount``, ``unit``,
    ``note`` and ``section``. Use the key ``bonuses_paid`` for bonuses paid."""
