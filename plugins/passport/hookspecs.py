"""Hooks the passport calls and other plugins implement.

Registered through ``register_hookspecs``; documented in docs/passport.md. Implement them with
``@hookimpl(optionalhook=True)`` so your plugin still loads on a site without the passport.
"""

from hub import hookspec


@hookspec
def passport_entry_kinds(hub):
    """Return a list of extra kinds of passport entry: ``plugins.passport.kinds.EntryKind`` objects
    (or dicts with the same keys). An id already taken, or a malformed kind, is skipped with the
    reason shown by ``hub passport kinds``."""
