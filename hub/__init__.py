"""Drop-in Hub: a kiosk terminal app for community drop-in hubs.

Plugin authors need only this module::

    from hub import hookimpl, TabSpec, CliCommand, PaletteCommand, BackgroundJob

Keep this file cheap to import: it is on the startup path of every kiosk.
"""

import time

START_TIME = time.perf_counter()
"""When the hub process started importing; used to report startup time."""

from hub.hookspecs import hookimpl, hookspec  # noqa: E402
from hub.specs import BackgroundJob, CliCommand, PaletteCommand, TabSpec  # noqa: E402

__all__ = ["hookimpl", "hookspec", "TabSpec", "CliCommand", "PaletteCommand", "BackgroundJob", "START_TIME"]
__version__ = "0.1.0"
