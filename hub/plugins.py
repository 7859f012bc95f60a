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


def installed_entry_points(wanted: Iterable[str] | None = None) -> dict[str, Any]:
    """Plugins installed in this environment, by name, without importing any of them.

    With ``wanted`` (the kiosk starting), the ``entry_points.txt`` files of the distributions on
    ``sys.path`` are read directly: ``importlib.metadata`` costs ~20 ms more on a 2-core kiosk
    (its import alone pulls in the ``email`` package). Any wanted name not found that way, and
    every call without ``wanted`` (``hub plugins``), asks ``importlib.metadata`` as well, so a
    plugin installed in an unusual way (a zip, a custom finder) is still found.
    """
    found: dict[str, Any] = {}
    if wanted is not None:
        found = scan_entry_points(ENTRY_POINT_GROUP)
        if all(name in found for name in wanted):
            return found
    from importlib.metadata import entry_points

    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(entry_point.name, entry_point)
    return found


@dataclass(frozen=True)
class FoundDistribution:
    """The installed project an entry point came from (the parts of importlib.metadata's we use)."""

    name: str
    version: str | None


@dataclass(frozen=True)
class FoundEntryPoint:
    """An entry point read from a distribution's ``entry_points.txt`` (loads like importlib.metadata's)."""

    name: str
    value: str
    """``module`` or ``module:attribute``, as written in the file."""
    group: str
    dist: FoundDistribution

    def load(self) -> Any:
        import importlib

        module_name, _, attributes = self.value.split("[")[0].partition(":")  # "[extras]" are pip's business
        target = importlib.import_module(module_name.strip())
        for attribute in filter(None, attributes.strip().split(".")):
            target = getattr(target, attribute)
        return target


def scan_entry_points(group: str, path: Iterable[str] | None = None) -> dict[str, FoundEntryPoint]:
    """Entry points of ``group`` in the ``*.dist-info``/``*.egg-info`` folders on ``path`` (sys.path).

    As importlib.metadata does: the first distribution of a name on the path wins, and the
    first entry point of a name wins.
    """
    import sys

    found: dict[str, FoundEntryPoint] = {}
    seen: set[str] = set()
    for folder in sys.path if path is None else path:
        try:
            names = sorted(os.listdir(folder or "."))
        except OSError:  # a zip file or a folder that is not there
            continue
        for name in names:
            stem, dot, kind = name.rpartition(".")
            if kind not in ("dist-info", "egg-info") or not dot:
                continue
            project, _, version = stem.partition("-")
            key = normalized_name(project)
            if key in seen:
                continue
            seen.add(key)
            try:
                with open(os.path.join(folder or ".", name, "entry_points.txt"), encoding="utf-8") as file:
                    text = file.read()
            except OSError:  # no entry points, or an egg-info file rather than a folder
                continue
            dist = FoundDistribution(project, version or _version_in(os.path.join(folder or ".", name)))
            for entry_name, value in _section(text, group):
                found.setdefault(entry_name, FoundEntryPoint(entry_name, value, group, dist))
    return found


def _version_in(info_folder: str) -> str | None:
    """The ``Version:`` line of a dist-info's METADATA or an egg-info's PKG-INFO."""
    for file_name in ("METADATA", "PKG-INFO"):
        try:
            with open(os.path.join(info_folder, file_name), encoding="utf-8") as file:
                for line in file:
                    if line.startswith("Version:"):
                        return line.partition(":")[2].strip()
                    if not line.strip():  # the headers end at the first blank line
                        break
        except OSError:
            continue
    return None


def normalized_name(project: str) -> str:
    """A project name compared as packaging does (PEP 503): ``Drop_In.Hub`` is ``drop-in-hub``."""
    import re

    return re.sub(r"[-_.]+", "-", project).lower()


def _section(text: str, group: str) -> list[tuple[str, str]]:
    """``name = value`` lines of one ``[group]`` in an entry_points.txt (an INI file)."""
    entries, current = [], None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].strip()
        elif current == group and "=" in line:
            name, _, value = line.partition("=")
            entries.append((name.strip(), value.strip()))
    return entries


def is_builtin(entry_point: Any) -> bool:
    """True for an entry point of this project (a plugin shipped in this repository)."""
    name = getattr(getattr(entry_point, "dist", None), "name", None)
    return name is not None and normalized_name(name) == CORE_DISTRIBUTION


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
            entry_points = installed_entry_points(wanted=names)
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
        status.builtin = is_builtin(entry_point)
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
                self.disable(name, self._unknown_hook_reason(exc))

    def _unknown_hook_reason(self, exc: "pluggy.PluginValidationError") -> str:
        """Name the hook implementations no spec knows, each with a "did you mean" for typos."""
        from hub.config import did_you_mean

        known, unknown = [], []
        for hook_name, caller in vars(self.pm.hook).items():
            if getattr(caller, "spec", None) is not None:
                known.append(hook_name)
            elif any(impl.plugin is exc.plugin for impl in caller.get_hookimpls()):
                unknown.append(hook_name)
        if not unknown:
            return f"unknown hook: {exc}"
        return "; ".join(f"unknown hook {hook!r}{did_you_mean(hook, known)}" for hook in sorted(unknown))

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
