"""Small descriptions that hooks return. Hooks describe; the core (or a worker) does.

Nothing here imports Textual, so plugins can build these at startup cheaply.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:  # typing only: importing textual here would cost ~200 ms at startup
    from textual.widget import Widget

    from hub.context import Hub


@dataclass(frozen=True)
class TabSpec:
    """One tab in the kiosk, contributed by a plugin through ``register_tabs``."""

    id: str
    """A short identifier, unique across plugins (letters, digits, ``-`` and ``_``)."""
    title: str
    """The label staff see on the tab."""
    factory: Callable[["Hub"], "Widget"]
    """Called with the hub the first time the tab is opened; returns the tab's widget.

    Import your Textual code inside the factory so the hub starts fast."""


@dataclass(frozen=True)
class CliCommand:
    """A ``hub`` subcommand contributed by a plugin through ``register_cli_commands``."""

    name: str
    """The subcommand, e.g. ``calc`` for ``hub calc``. Use a group name (``directory``) for several."""
    help: str
    """One line shown in ``hub --help``."""
    configure: Callable[[argparse.ArgumentParser], None]
    """Adds the command's arguments to its argparse parser."""
    run: Callable[["Hub", argparse.Namespace], int | None]
    """Does the work; returns the exit code (``None`` means 0)."""
    needs_database: bool = True
    """Whether the hub should open the site database (and migrate it) before ``run``."""


@dataclass(frozen=True)
class PaletteCommand:
    """An entry in the command palette (ctrl+p), contributed through ``register_commands``."""

    title: str
    """What staff type or see, e.g. ``Sync the directory``."""
    help: str
    """One line explaining what it does."""
    action: Callable[[Any], object]
    """Called with the running app when chosen."""


@dataclass(frozen=True)
class BackgroundJob:
    """Work a plugin wants done regularly (a directory sync, say), through ``register_background_jobs``."""

    name: str
    """Unique across plugins, e.g. ``directory-sync``; shown by ``hub jobs``."""
    every_minutes: int
    """How often it is due. Kiosks sharing a site database run it once between them."""
    run: Callable[["Hub"], str | None]
    """Does the work on a worker thread, given a hub whose ``db`` is a connection of its own.
    Returns a one-line summary for ``hub jobs`` (no personal data); raising marks the run failed."""


from hub.status import PluginStatus  # noqa: E402,F401  (moved; the old import path keeps working)
