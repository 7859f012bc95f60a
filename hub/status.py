"""What the hub knows about each plugin's health: for ``hub plugins``, the status screen and the
data-rights gate. A leaf module: it imports nothing from the hub."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PluginStatus:
    """What the hub knows about one plugin, for ``hub plugins`` and the status screen."""

    name: str
    version: str | None = None
    enabled: bool = False
    """True when the plugin is loaded and working."""
    builtin: bool = False
    """True for plugins shipped in this repository."""
    hooks: list[str] = field(default_factory=list)
    error: str | None = None
    """Why the plugin is not running: import failure, unknown hook, bad config, a hook that raised."""
    note: str | None = None
    """Why a healthy plugin is not loaded, e.g. not enabled in the site config."""

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "version": self.version,
            "enabled": self.enabled,
            "builtin": self.builtin,
            "hooks": sorted(self.hooks),
            "error": self.error,
            "note": self.note,
        }
