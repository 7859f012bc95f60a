"""Finding, loading and calling plugins, and keeping one broken plugin from breaking the rest.

Built-in plugins and third-party ones are found the same way: entry points in
the ``hub`` group. The host is built per app (never a module global) so tests
load exactly the plugins they want. Any failure (import, unknown hook, invalid
config, a hook that raises) disables that plugin with a reason that staff see
on the status screen and site leads see in ``hub plugins``.
"""

from __future__ import annotations

import contextvars
import inspect
import logging
import os
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

import pluggy

from hub import hookspecs
from hub.errors import describe_error
from hub.status import PluginStatus

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


@dataclass
class HookResult:
    plugin: str
    value: Any


class PluginHookError(Exception):
    """A hookimpl raised during a call made with ``errors="raise"``: which plugin, which hook, what."""

    def __init__(self, plugin: str, hook: str, error: BaseException) -> None:
        self.plugin, self.hook, self.error = plugin, hook, error
        super().__init__(f"the {plugin} plugin's {hook} raised {describe_error(error)}")


_RAISE_ERRORS: contextvars.ContextVar[bool] = contextvars.ContextVar("hub_raise_hook_errors", default=False)
"""True inside ``PluginHost.call(..., errors="raise")``: hookimpls' exceptions propagate."""
_ONLY: contextvars.ContextVar[str | None] = contextvars.ContextVar("hub_only_plugin", default=None)
"""Inside ``PluginHost.call(..., only=name)``: every other plugin's impl steps aside (returns None)."""
_RESULTS: contextvars.ContextVar[list | None] = contextvars.ContextVar("hub_hook_results", default=None)
"""(plugin, value) pairs of the call in progress, so results can be credited to their plugin."""


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
        names = list(names)
        if names and entry_points is None:
            entry_points = installed_entry_points(wanted=names)
        loaded: list[tuple[str, Any, PluginStatus | None]] = []
        for name in names:
            module = host._load_entry_point(name, (entry_points or {}).get(name), entry_points or {})
            if module is not None:
                loaded.append((name, module, host.status[name]))
        for plugin in extra:
            if isinstance(plugin, tuple):  # (name, plugin): name a module as its entry point would
                name, plugin = plugin
            else:
                name = getattr(plugin, "name", None) or getattr(plugin, "__name__", None)
            name = name or repr(plugin)
            if name not in host.order:
                host.order.append(name)
            loaded.append((name, plugin, None))
        # pluggy calls the last registered first, so register backwards: calls then run in site
        # order, the core's own plugins first, with tryfirst/trylast and wrappers as pluggy defines.
        for name, plugin, status in reversed(loaded):
            host.register(plugin, name=name, status=status)
        if core:
            import importlib

            for module_name in CORE_PLUGINS:
                host.pm.register(importlib.import_module(module_name), name=module_name)
                host._guard(module_name)
        host._add_plugin_hookspecs()
        host._check_pending()
        return host

    def _load_entry_point(self, name: str, entry_point: Any, installed: Mapping[str, Any]) -> Any:
        """Import one entry point's plugin (None if it cannot be), recording its status."""
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
            return None
        return module

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
        self._guard(name)

    def _guard(self, name: str) -> None:
        """Wrap each of a plugin's hookimpls so that one that raises is disabled, not fatal to the call.

        The wrapped functions still run inside pluggy's own call loop, so ``firstresult``,
        ``tryfirst``/``trylast`` and hook wrappers behave as pluggy documents; an impl that raised
        counts as having returned None (a ``firstresult`` hook asks the next one).
        """
        plugin = self.pm.get_plugin(name)
        for caller in self.pm.get_hookcallers(plugin) or []:
            for impl in caller.get_hookimpls():
                if impl.plugin_name == name and not getattr(impl.function, "_hub_guarded", False):
                    impl.function = self._guarded(name, caller.name, impl)

    def _guarded(self, plugin: str, hook_name: str, impl: Any) -> Callable[..., Any]:
        function = impl.function
        host = self

        if impl.wrapper:  # a new-style wrapper: a generator around the other impls
            def guarded_wrapper(*args: Any) -> Any:
                if _ONLY.get() not in (None, plugin):
                    return (yield)
                generator = function(*args)
                try:
                    next(generator)
                except Exception as exc:
                    if _RAISE_ERRORS.get():
                        raise PluginHookError(plugin, hook_name, exc) from exc
                    host._failed(plugin, hook_name, exc)
                    return (yield)
                try:
                    outcome = yield
                except BaseException as inner:
                    try:
                        generator.throw(inner)
                    except StopIteration as stop:
                        return stop.value
                    raise
                try:
                    generator.send(outcome)
                except StopIteration as stop:
                    return stop.value
                except Exception as exc:
                    if exc is not outcome and _RAISE_ERRORS.get():
                        raise PluginHookError(plugin, hook_name, exc) from exc
                    host._failed(plugin, hook_name, exc)
                    return outcome
                generator.close()
                return outcome

            guarded_wrapper._hub_guarded = True  # type: ignore[attr-defined]
            return guarded_wrapper
        if impl.hookwrapper or inspect.isgeneratorfunction(function):
            return function  # old-style hookwrappers are pluggy's own business

        def guarded(*args: Any) -> Any:
            if _ONLY.get() not in (None, plugin):
                return None
            try:
                value = function(*args)
            except Exception as exc:  # one plugin's failure must not stop the others' turn
                if _RAISE_ERRORS.get():
                    raise PluginHookError(plugin, hook_name, exc) from exc
                host._failed(plugin, hook_name, exc)
                return None
            results = _RESULTS.get()
            if results is not None and value is not None:
                results.append((plugin, value))
            return value

        guarded._hub_guarded = True  # type: ignore[attr-defined]
        return guarded

    def _failed(self, plugin: str, hook_name: str, exc: BaseException) -> None:
        self.disable(
            plugin,
            f"{hook_name} raised {describe_error(exc)}",
            log_reason=f"{hook_name} raised {describe_error(exc, with_message=False)}",
        )

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

    def call(self, hook_name: str, *, only: str | None = None, errors: str = "contain", **kwargs: Any) -> list[HookResult]:
        """Call a hook through pluggy; results come back credited to their plugin, in call order
        (site order, core plugins first, unless an impl asks for tryfirst/trylast).

        ``errors="contain"`` (the default): an impl that raises is disabled and skipped, so the
        other plugins still get their turn on a kiosk. ``errors="raise"``: the first failure stops
        the call as a PluginHookError naming the plugin (data rights must not carry on without it).
        ``only`` calls one plugin's impl. A ``firstresult`` hook gives at most one result.
        """
        caller = getattr(self.pm.hook, hook_name, None)
        if caller is None:
            return []
        if only is not None and self.pm.get_plugin(only) is None:
            return []
        results: list[tuple[str, Any]] = []
        results_token = _RESULTS.set(results)
        raise_token = _RAISE_ERRORS.set(errors == "raise")
        only_token = _ONLY.set(only)
        try:
            value = caller(**kwargs)
        finally:
            _ONLY.reset(only_token)
            _RAISE_ERRORS.reset(raise_token)
            _RESULTS.reset(results_token)
        firstresult = bool(caller.spec and caller.spec.opts.get("firstresult"))
        values = ([] if value is None else [value]) if firstresult else list(value or [])
        credited: list[HookResult] = []
        unclaimed = list(results)
        for item in values:
            for index, (plugin, produced) in enumerate(unclaimed):
                if produced is item:
                    credited.append(HookResult(plugin, item))
                    del unclaimed[index]
                    break
            else:  # a wrapper replaced the results: credit it to the hook, not to a plugin
                credited.append(HookResult(f"<{hook_name} wrapper>", item))
        if not firstresult:  # site order (host.order) within pluggy's tryfirst / normal / trylast tiers
            rank = {name: index for index, name in enumerate(self.order)}
            tier = {impl.plugin_name: 0 if impl.tryfirst else 2 if impl.trylast else 1 for impl in caller.get_hookimpls()}
            credited.sort(key=lambda result: (tier.get(result.plugin, 1), rank.get(result.plugin, -1)))
        return credited

    def implementers(self, hook_name: str) -> list[str]:
        """The enabled plugins implementing a hook, in site order (e.g. "does anyone record jobs here?")."""
        caller = getattr(self.pm.hook, hook_name, None)
        names = {impl.plugin_name for impl in caller.get_hookimpls()} if caller is not None else set()
        return [name for name in self.order if name in names] + sorted(names - set(self.order))

    def call_flat(self, hook_name: str, **kwargs: Any) -> list[HookResult]:
        """Like call(), but a hook returning a list gives one result per item."""
        flat: list[HookResult] = []
        for result in self.call(hook_name, **kwargs):
            items = result.value if isinstance(result.value, (list, tuple)) else [result.value]
            flat.extend(HookResult(result.plugin, item) for item in items if item is not None)
        return flat
