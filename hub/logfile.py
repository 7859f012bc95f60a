"""Where the hub's warnings go: standard error and a log file, never a resident's details.

The file is ``hub.log`` in the user's log folder (on Linux ``~/.local/state/drop-in-hub/log``)
or in ``HUB_LOG_DIR``; it is opened only when the first warning is written, readable only by
its owner, and rotated at 1 MB (three kept). Log lines name plugins, hooks, ids and error
kinds; exception messages and tracebacks are cut down to the exception's type, because a
message can quote what a resident typed.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
MAX_BYTES = 1_000_000
BACKUPS = 3


def log_dir(environ=None) -> Path:
    environ = os.environ if environ is None else environ
    if environ.get("HUB_LOG_DIR"):
        return Path(environ["HUB_LOG_DIR"])
    from platformdirs import user_log_path

    return user_log_path("drop-in-hub", appauthor=False)


class TracebackFree(logging.Filter):
    """Keep the exception's type, drop its message and traceback (they may hold personal data)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[0] is not None:
            record.msg = f"{record.msg} ({record.exc_info[0].__name__})"
            record.exc_info = None
            record.exc_text = None
        return True


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log file created with mode 0600 (only its owner reads it)."""

    def _open(self):
        Path(self.baseFilename).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        return os.fdopen(fd, self.mode, encoding=self.encoding)


def configure_logging(level: int = logging.WARNING) -> None:
    """Warnings to standard error and the log file (once per process; later calls do nothing)."""
    root = logging.getLogger()
    if any(getattr(handler, "_hub_handler", False) for handler in root.handlers):
        return
    root.setLevel(level)
    handlers: list[logging.Handler] = [logging.StreamHandler()]
    try:
        handlers.append(PrivateRotatingFileHandler(log_dir() / "hub.log", maxBytes=MAX_BYTES,
                                                   backupCount=BACKUPS, encoding="utf-8", delay=True))
    except OSError:  # no writable log folder: standard error still gets every warning
        pass
    handlers[0].setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    for handler in handlers[1:]:
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
    for handler in handlers:
        handler.addFilter(TracebackFree())
        handler._hub_handler = True  # type: ignore[attr-defined]
        root.addHandler(handler)
