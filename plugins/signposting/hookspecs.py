"""Hooks the signposting plugin calls and other plugins implement.

Registered through ``register_hookspecs``; documented in docs/signposting.md
("Hooks for other plugins") and docs/writing-a-signposting-source.md.
Kept free of imports beyond ``hub`` because it loads at startup.
"""

from hub import hookspec


@hookspec
def signposting_sources(hub):
    """Return a list of plugins.signposting.sources.Source objects the directory can sync from."""


@hookspec
def signposting_needs(hub):
    """Return a mapping shaped like needs.toml that adds keywords, terms or whole needs to the barrier mapping."""
