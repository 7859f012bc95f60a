"""The ``hub`` command's exit codes, the same for core and plugin commands (docs/cli.md).

Scripts (cron, systemd timers, a site lead's backup job) tell these apart without reading
the message: 2 means "fix how you called it", 3 means "sign in as someone allowed to".
"""

from __future__ import annotations

OK = 0
"""Done."""

FAILURE = 1
"""It ran and did not work: a plugin failed, a check found problems, a file could not be written."""

USAGE = 2
"""How it was called is wrong: an unknown option, a bad site file, a resident id that does not exist."""

NOT_ALLOWED = 3
"""Nobody is signed in (HUB_STAFF/HUB_PASSWORD), or the signed-in role lacks the permission."""

INTERRUPTED = 130
"""Ctrl+C (128 + SIGINT), as shells report it."""

CLOSED_PIPE = 141
"""Output was piped into a command that stopped reading (128 + SIGPIPE), e.g. ``| head``."""

MEANINGS = {
    OK: "ok",
    FAILURE: "failure",
    USAGE: "usage error",
    NOT_ALLOWED: "not allowed",
    INTERRUPTED: "interrupted",
    CLOSED_PIPE: "output closed early",
}
