"""Helpers for tests: real site files and hubs with exactly the plugins a test wants."""

from __future__ import annotations

import textwrap
from pathlib import Path

from hub.config import load_site_config
from hub.context import Hub
from hub.plugins import PluginHost

FIXED_STAFF = "test.staff"


def write_site(tmp_path: Path, body: str = "", *, plugins: list[str] | None = None, demo: bool = False,
               theme: str = "textual-dark", name: str = "site.toml", encrypted: bool | None = False) -> Path:
    """A site file in tmp_path whose database lives beside it (plain unless ``encrypted``; None: the default)."""
    plugin_list = ", ".join(f'"{p}"' for p in (plugins or []))
    text = textwrap.dedent(
        f"""
        [hub]
        site_name = "Test Site"
        area = ["M40 7", "M40 8"]
        plugins = [{plugin_list}]
        theme = "{theme}"
        data_dir = "data"
        demo = {"true" if demo else "false"}
        terminal_name = "test-kiosk"
        {"" if encrypted is None else f"encrypted = {'true' if encrypted else 'false'}"}
        """
    ) + textwrap.dedent(body)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def make_hub(tmp_path: Path, *extra, body: str = "", demo: bool = False, theme: str = "textual-dark",
             entry_point_plugins: list[str] = (), signed_in: bool = True) -> Hub:
    """A hub with exactly the given plugin objects (and optionally installed entry points)."""
    names = [p[0] if isinstance(p, tuple) else getattr(p, "name", None) or getattr(p, "__name__") for p in extra]
    site = write_site(tmp_path, body, plugins=list(entry_point_plugins) + names, demo=demo, theme=theme)
    config = load_site_config(site)
    host = PluginHost.load(list(entry_point_plugins), extra=extra)
    hub = Hub(config, host)
    if signed_in:
        from hub.staff import Session

        # Most tests are about something else than signing in: start as a site lead.
        hub.session = Session(None, FIXED_STAFF, "Test Staff", "site_lead")
    return hub


