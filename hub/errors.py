"""Describing a failure in one line: what staff see on screen and what goes to the log.

A leaf module (it imports nothing from the hub), so the plugin host, the jobs runner,
data rights and the screens can all use it without importing each other.
"""

from __future__ import annotations

import os
import traceback


def describe_error(exc: BaseException, *, with_message: bool = True) -> str:
    """A one-line reason naming the exception and where it was raised (no traceback on screen).

    Logs get ``with_message=False``: an exception's message may quote a resident's details.
    """
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" ({os.path.basename(frames[-1].filename)}:{frames[-1].lineno})" if frames else ""
    return f"{type(exc).__name__}: {exc}{where}" if with_message else f"{type(exc).__name__}{where}"
