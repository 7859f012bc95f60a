"""Finding, loading and calling plugins, and keeping one broken plugin from breaking the rest.

Built-in plugins and third-party ones are found the same way: entry points in
the ``hub`` group. The host is built per app (never a module global) so tests
load exactly the plugins they want. Any failure (import, unknown hook, invalid
config, a hook that raises) disables that plugin with a reason that staff see
on the status screen and site leads see in ``hub plugins``.
"""

from __future__ import annotations

import logging
import os
import traceback
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

import pluggy

from hub import hookspecs
from hub.specs import PluginStatus

ENTRY_POINT_GROUP = "hub"
LOAD_PLUGINS_ENV = "HUB_LOAD_PLUGINS"
CORE_DISTRIBUTION = "drop-in-hub"
CORE_PLUGINS = ("hub.default_plugins",)
"""Always registered; they are part of the core (the high-contrast theme), not optional."""

log = logging.getLogger("hub.plugins")


def plugins_to_load(configured: Iterable[str], environ: Mapping[str, str] | None = None) -> list[str]:
    """The names to load: ``HUB_LOAD_PLUGINS=a,b`` overrides the site's list ("" loads none)."""
    environ = os.environ if environ is None else environ
    override = environ.get(LOAD_PLUGINS_ENV)
    if override is not None:
        return [name.strip() for name in override.split(",") if name.strip()]
    return list(configured)


def installed_entry_points() -> dict[str, Any]:
    """Every plugin installed in this environment, by name, without importing any of them."""
    from importlib.metadata import entry_points  # ~40 ms: only when plugins are wanted

    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def describe_error(exc: BaseException, *, with_message: bool = True) -> str:
    """A one-line reason naming the exception and where it was raised (no traceback on screen).

    Logs get ``with_message=False``: an exception's message may quote a resident's details.
    """
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" ({os.path.basename(frames[-1].filename)}:{frames[-1].lineno})" if frames else ""
    return f"{type(exc).__name__}: {exc}{where}" if with_message else f"{type(exc).__name__}{where}"


@dataclass
class HookResult:
    plugin: str
    value: Any


class PluginHost:
    """A pluggy manager plus what we know of each plugin's health."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager("hub")
        self.pm.add_hookspecs(hookspecs)
        self.status: dict[str, PluginStatus] = {}
        self.order: list[str] = []
        """Plugins in the order the site lists them (tab order)."""

    # -- loading ---------------------------------------------------------------------------

    @classmethod
    def load(
        cls,
        names: Iterable[str],
        extra: Iterable[Any] = (),
        *,
        entry_points: Mapping[str, Any] | None = None,
        core: bool = True,
    ) -> "PluginHost":
        """Load the named entry-point plugins plus ``extra`` objects, then validate them.

        ``extra`` items are plugin objects (named by their ``name`` or ``__name__``) or
        ``(name, plugin)`` pairs; tests use them to run a hub with exactly the plugins they want.
        """
        host = cls()
        if core:
            import importlib

            for module_name in CORE_PLUGINS:
                host.pm.register(importlib.import_module(module_name), name=module_name)
        names = list(names)
        if names and entry_points is None:
            entry_points = installed_entry_points()
        for name in names:
            host._load_entry_point(name, (entry_points or {}).get(name), entry_points or {})
        for plugin in extra:
            if isinstance(plugin, tuple):  # (name, plugin): name a module as its entry point would
                name, plugin = plugin
            else:
                name = getattr(plugin, "name", None) or getattr(plugin, "__name__", None)
            host.register(plugin, name=name)
        host._add_plugin_hookspecs()
        host._check_pending()
        return host

    def _load_entry_point(self, name: str, entry_point: Any, installed: Mapping[str, Any]) -> None:
        from hub.config import did_you_mean

        status = self.status.setdefault(name, PluginStatus(name=name))
        self.order.append(name)
        if entry_point is None:
            status.error = "not installed (no entry point in the 'hub' group has this name)" + did_you_mean(name, installed)
            return
        dist = getattr(entry_point, "dist", None)
        status.version = getattr(dist, "version", None)
        status.builtin = getattr(dist, "name", None) == CORE_DISTRIBUTION
        try:
            module = entry_point.load()
        except Exception as exc:  # a plugin's import error must never stop the hub
            status.error = f"failed to import: {describe_error(exc)}"
            log.warning("plugin %s failed to import: %s", name, describe_error(exc, with_message=False))
            return
        self.register(module, name=name, status=status)

    def register(self, plugin: Any, name: str | None, status: PluginStatus | None = None) -> None:
        """Register one plugin object; a hookimpl that does not fit its spec disables it."""
        name = name or repr(plugin)
        status = status or self.status.setdefault(name, PluginStatus(name=name))
        if name not in self.order:
            self.order.append(name)
        try:
            self.pm.register(plugin, name=name)
        except (pluggy.PluginValidationError, ValueError) as exc:
            status.error = f"invalid plugin: {exc}"
            return
        status.enabled = True

    def _add_plugin_hookspecs(self) -> None:
        for result in self.call("register_hookspecs"):
            for spec in result.value if isinstance(result.value, (list, tuple)) else [result.value]:
                if spec is not None:
                    self.pm.add_hookspecs(spec)

    def _check_pending(self) -> None:
        """pluggy's check_pending, but a misspelt hook disables its plugin instead of stopping all."""
        while True:
            try:
                self.pm.check_pending()
                return
            except pluggy.PluginValidationError as exc:
                name = self.pm.get_name(exc.plugin) or repr(exc.plugin)
                self.disable(name, f"unknown hook: {exc}")

    # -- health ----------------------------------------------------------------------------

    def disable(self, name: str, reason: str, *, log_reason: str | None = None) -> None:
        """Stop calling a plugin and record why; the rest of the hub keeps working.

        ``reason`` is shown to staff; ``log_reason`` (default: the reason) goes to the log,
        so pass one without exception messages when they could hold personal data.
        """
        status = self.status.setdefault(name, PluginStatus(name=name))
        status.enabled = False
        if status.error is None:
            status.error = reason
        if self.pm.get_plugin(name) is not None:
            status.hooks = status.hooks or self._hooks_of(name)
            self.pm.unregister(name=name)
        log.warning("plugin %s disabled: %s", name, reason if log_reason is None else log_reason)

    def _hooks_of(self, name: str) -> list[str]:
        plugin = self.pm.get_plugin(name)
        callers = self.pm.get_hookcallers(plugin) or [] if plugin is not None else []
        return sorted(caller.name for caller in callers)

    def is_enabled(self, name: str) -> bool:
        return self.pm.get_plugin(name) is not None and self.status.get(name, PluginStatus(name)).enabled

    def plugin_names(self) -> list[str]:
        """Enabled plugins (not the core's own), in site order."""
        return [name for name in self.order if self.is_enabled(name)]

    def statuses(self) -> list[PluginStatus]:
        for name in self.order:
            if self.is_enabled(name):
                self.status[name].hooks = self._hooks_of(name)
        return [self.status[name] for name in self.order]

    def failed(self) -> list[PluginStatus]:
        return [status for status in self.statuses() if status.error]

    # -- calling ---------------------------------------------------------------------------

    def call(self, hook_name: str, *, only: str | None = None, **kwargs: Any) -> list[HookResult]:
        """Call each plugin's impl of a hook on its own, so one that raises is disabled and skipped.

        pluggy's normal call stops at the first exception; on a kiosk the other plugins
        must still get their turn. Results come back in site order, core plugins first.
        """
        caller = getattr(self.pm.hook, hook_name, None)
        if caller is None:
            return []
        results: list[HookResult] = []
        impls = caller.get_hookimpls()
        rank = {name: index for index, name in enumerate(self.order)}
        impls = sorted(impls, key=lambda impl: rank.get(impl.plugin_name, -1))
        for impl in impls:
            if only is not None and impl.plugin_name != only:
                continue
            if self.pm.get_plugin(impl.plugin_name) is None:
                continue  # disabled by an earlier failure in this same loop
            try:
                value = impl.function(*[kwargs[arg] for arg in impl.argnames])
            except Exception as exc:
                self.disable(
                    impl.plugin_name,
                    f"{hook_name} raised {describe_error(exc)}",
                    log_reason=f"{hook_name} raised {describe_error(exc, with_message=False)}",
                )
                continue
            if value is not None:
                results.append(HookResult(impl.plugin_name, value))
        return results

    def call_flat(self, hook_name: str, **kwargs: Any) -> list[HookResult]:
        """Like call(), but a hook returning a list gives one result per item."""
        flat: list[HookResult] = []
        for result in self.call(hook_name, **kwargs):
            items = result.value if isinstance(result.value, (list, tuple)) else [result.value]
            flat.extend(HookResult(result.plugin, item) for item in items if item is not None)
        return flat
