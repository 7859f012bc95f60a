"""The core's own events: what happened to the current resident, told to whoever listens (the kiosk
turns them into Textual messages for the tabs, hub.widgets.ResidentChanged).

Domain code emits them (``Hub.select_resident``, ``Hub.update_resident``, ``hub.rights.erase``), never a
screen, so the CLI, the kiosk and tests see the same events. No Textual here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

log = logging.getLogger("hub.events")

SELECTED = "selected"
"""Staff opened a resident: every tab now works on them."""
CLEARED = "cleared"
"""No resident is open (privacy clear, sign-out, or the open one was erased)."""
DETAILS_CHANGED = "details-changed"
"""The open resident's details were edited: show them again."""
ERASED = "erased"
"""A resident was erased (their record is de-identified)."""


@dataclass(frozen=True)
class ResidentEvent:
    resident_id: int | None
    what: str
    """SELECTED, CLEARED, DETAILS_CHANGED or ERASED."""


Listener = Callable[[ResidentEvent], None]


class Events:
    """Listeners of one hub's resident events. A listener that raises is logged and the rest still hear."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Listen; call the returned function to stop."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def emit(self, event: ResidentEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception as exc:  # one listener's bug must not stop the others hearing
                log.warning("a listener of %s events raised %s", event.what, type(exc).__name__)
