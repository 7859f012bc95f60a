"""The kiosk in a browser (``hub serve``): keys the browser keeps, touch buttons, downloads.

A browser takes some keys before the page sees them (Ctrl+W closes the tab, Ctrl+N opens a
window, F11 goes full screen, F12 opens developer tools) and others the page sees only while
the terminal has the keyboard (F5 and Ctrl+R reload the page, ending the session; Ctrl+L jumps
to the address bar). In a browser the hub moves every binding on such a key, its own and
plugins' alike, by binding id, so ``[keymap]`` and ``[serve.keymap]`` still have their say
(docs/serve.md lists the moves). The key logic here imports no Textual widgets, so it is
tested alone; the widgets below are only built when the kiosk is served.
"""

from __future__ import annotations

import os
from typing import Iterable, Mapping

BROWSER_KEYS = {
    "f5": "reloads the page (the session ends)",
    "ctrl+r": "reloads the page (the session ends)",
    "f11": "switches the browser to full screen",
    "f12": "opens the browser's developer tools",
    "ctrl+l": "jumps to the address bar",
    "ctrl+n": "opens a new browser window",
    "ctrl+t": "opens a new browser tab",
    "ctrl+w": "closes the tab (the session ends)",
    "ctrl+q": "quits the browser (Firefox on Linux)",
}
"""Keys a browser keeps, or may act on when the terminal does not have the keyboard."""

TAB_MOVES = {
    "show-tab-4": "f6",
    "show-tab-5": "f7",
    "show-tab-6": "f8",
    "show-tab-7": "f9",
    "show-tab-8": "alt+f9",
}
"""F5 reloads the page, so from the fourth plugin tab on the tab keys shift up one F-key."""

NAMED_MOVES = {"privacy-clear": "alt+c"}
"""Privacy clear (F12 in a terminal) gets a key that is easy to hit and harmless if it leaks."""


def alternative_key(key: str) -> str:
    """The key a binding on ``key`` uses in a browser: Ctrl+letter -> Alt+letter, F-key -> Alt+F-key."""
    if key.startswith("ctrl+"):
        return "alt+" + key[len("ctrl+"):]
    return "alt+" + key


def _keys(key_string: str) -> list[str]:
    return [part.strip() for part in key_string.split(",") if part.strip()]


def browser_keymap(
    bindings: Iterable[tuple[str, str]],
    site_keymap: Mapping[str, str],
    serve_keymap: Mapping[str, str],
) -> dict[str, str]:
    """The keymap a served kiosk uses: ``[keymap]``, then the browser moves, then ``[serve.keymap]``.

    ``bindings`` are (binding id, default key string) pairs. Returns binding id -> key string
    for every binding that differs from its default, ready for ``App.set_keymap``.
    """
    keymap = dict(site_keymap)
    for binding_id, default in bindings:
        if binding_id in serve_keymap:
            continue
        if binding_id not in site_keymap and binding_id in TAB_MOVES:
            keymap[binding_id] = TAB_MOVES[binding_id]
            continue
        keys = _keys(site_keymap.get(binding_id, default))
        if not any(key in BROWSER_KEYS for key in keys):
            continue
        moved = [
            (NAMED_MOVES.get(binding_id) or alternative_key(key)) if key in BROWSER_KEYS else key
            for key in keys
        ]
        keymap[binding_id] = ",".join(dict.fromkeys(moved))
    keymap.update(serve_keymap)
    return keymap


def bindings_with_ids() -> list[tuple[str, str]]:
    """Every (id, key) declared in a BINDINGS list of any widget, screen or app class imported so far.

    Plugins' widgets count as soon as their module is imported (the kiosk looks again when it
    builds a tab or opens a dialog), so their keys move in a browser without registering them.
    """
    from textual.binding import Binding
    from textual.dom import DOMNode

    found: dict[str, str] = {}
    seen: set[type] = set()
    stack: list[type] = [DOMNode]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                stack.append(sub)
        for binding in cls.__dict__.get("BINDINGS", ()):
            if isinstance(binding, Binding) and binding.id:
                found.setdefault(binding.id, binding.key)
    return sorted(found.items())


def running_in_browser(environ: Mapping[str, str] | None = None) -> bool:
    """True in a process that textual-serve started for a browser session."""
    environ = os.environ if environ is None else environ
    return environ.get("TEXTUAL_DRIVER", "").endswith(":WebDriver")


def key_label(key_string: str) -> str:
    """How a key string reads on a label: "alt+f9" -> "Alt+F9", "f6,f2" -> "F6"."""
    first = _keys(key_string)[0] if _keys(key_string) else key_string
    return "+".join(part.upper() if len(part) <= 3 and part[:1] == "f" else part.capitalize() for part in first.split("+"))
