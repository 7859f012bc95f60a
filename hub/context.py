"""The ``hub`` object every hook receives: site config, plugins, database, staff and current resident.

It holds no Textual state, so the CLI, the TUI and tests all use the same object.
"""

from __future__ import annotations

import getpass
import logging
import os
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from hub.config import ConfigIssue, SiteConfig, did_you_mean, validate_table
from hub.plugins import PluginHost, describe_error
from hub.storage import DB_ERRORS, StorageError, apply_migrations, open_database

if TYPE_CHECKING:
    from sqlite_utils import Database

log = logging.getLogger("hub")

BUILTIN_THEMES = ("textual-dark", "textual-light", "ansi-dark", "ansi-light", "nord", "gruvbox")


class Hub:
    """One site, running: what plugins ask for through the ``hub`` argument of their hooks."""

    def __init__(self, config: SiteConfig, plugins: PluginHost, *, staff: str | None = None) -> None:
        self.config = config
        self.plugins = plugins
        self._fallback_staff = staff or os.environ.get("HUB_STAFF") or _login_name()
        self.session = None
        """The signed-in member of staff (hub.staff.Session), or None before sign-in."""
        self.terminal = config.hub.terminal_name or socket.gethostname()
        self._db: Database | None = None
        self._plugin_configs: dict[str, Any] = {}
        self._themes: list | None = None
        self.current_resident_id: int | None = None
        self._resident_listeners: list[Callable[[int | None], None]] = []
        self.config_issues: list[ConfigIssue] = self._validate_plugin_configs()
        self.download_handler: Callable[[Path], None] | None = None
        """Set by the kiosk when it runs in a browser (``hub serve``): sends a file to the browser."""

    # -- who is signed in ------------------------------------------------------------------

    @property
    def staff(self) -> str:
        """The username recorded against everything done now (the CLI's user before any sign-in)."""
        return self.session.username if self.session else self._fallback_staff

    @property
    def role(self) -> str | None:
        return self.session.role if self.session else None

    def require(self, permission: str) -> None:
        """Raise hub.staff.PermissionDenied unless the signed-in role allows it; refusals are logged."""
        from hub.staff import PermissionDenied, require

        try:
            require(self.session, permission)
        except PermissionDenied:
            if self._db is not None:
                self.log_event(None, f"denied:{permission}")
            raise

    def offer_download(self, path: Path | str) -> bool:
        """Hand a file the hub has just written (a PDF, an export) to the person at the screen.

        In a browser (``hub serve``) the file downloads to their device; in a terminal it stays
        where it was written, which the plugin's message names. True when it was sent.
        Safe to call from a worker thread.
        """
        handler = self.download_handler
        if handler is None:
            return False
        handler(Path(path))
        return True

    def log_event(self, resident_id: int | None, action: str) -> None:
        """Append to the access log as the current member of staff (ids and action names only)."""
        from hub.residents import log_access

        log_access(self.db, staff=self.staff, terminal=self.terminal, resident_id=resident_id, action=action)

    def sign_in_from_environment(self) -> None:
        """For the CLI: HUB_STAFF and HUB_PASSWORD sign in as that account; else a plain staff session."""
        from hub.staff import Session, sign_in

        password = os.environ.get("HUB_PASSWORD")
        if password and os.environ.get("HUB_STAFF"):
            self.session = sign_in(self.db, os.environ["HUB_STAFF"], password)
            self.log_event(None, "sign-in:cli")
        elif self.session is None:
            self.session = Session(None, self._fallback_staff, self._fallback_staff, "staff")

    # -- configuration ---------------------------------------------------------------------

    def _validate_plugin_configs(self) -> list[ConfigIssue]:
        """Check each plugin's table against its schema; a plugin with a bad table is disabled."""
        file = str(self.config.path)
        issues: list[ConfigIssue] = []
        loaded = set(self.plugins.order)
        for name, table in self.config.plugin_tables.items():
            if name not in loaded:
                issues.append(
                    ConfigIssue(file, f"plugins.{name}", "settings for a plugin that is not enabled" + did_you_mean(name, loaded))
                )
        schemas = {result.plugin: result.value for result in self.plugins.call("config_schema")}
        for name in self.plugins.plugin_names():
            table = self.config.plugin_tables.get(name, {})
            schema = schemas.get(name)
            if schema is None:
                if table:
                    problem = [ConfigIssue(file, f"plugins.{name}", "this plugin takes no settings")]
                    issues.extend(problem)
                    self.plugins.disable(name, "invalid config: " + "; ".join(str(p) for p in problem))
                continue
            instance, problems = validate_table(schema, table, f"plugins.{name}", file)
            if problems:
                issues.extend(problems)
                self.plugins.disable(name, "invalid config: " + "; ".join(str(p) for p in problems))
            else:
                self._plugin_configs[name] = instance
        return issues

    def plugin_config(self, name: str) -> Any:
        """The validated settings of a plugin (an instance of its config_schema), or None."""
        return self._plugin_configs.get(name)

    def themes(self) -> list:
        """The themes plugins add (the core's high-contrast one included); asked once per hub."""
        if self._themes is None:
            self._themes = [result.value for result in self.plugins.call_flat("register_themes", hub=self)]
        return self._themes

    def theme_names(self) -> list[str]:
        return list(BUILTIN_THEMES) + [getattr(theme, "name", str(theme)) for theme in self.themes()]

    def theme_issue(self) -> ConfigIssue | None:
        names = self.theme_names()
        if self.config.hub.theme in names:
            return None
        return ConfigIssue(
            str(self.config.path),
            "hub.theme",
            f"unknown theme {self.config.hub.theme!r}{did_you_mean(self.config.hub.theme, names)}; available: {', '.join(names)}",
        )

    # -- storage ---------------------------------------------------------------------------

    @property
    def db(self) -> "Database":
        """The site database; call open_storage() first (the app does this in a worker)."""
        if self._db is None:
            raise StorageError("The database is not open yet.")
        return self._db

    @property
    def database_path(self) -> Path:
        return self.config.database_path

    def open_storage(self, *, seed_demo: bool = True) -> list[str]:
        """Open the database, apply the core's then each plugin's migrations, seed a demo site, fire startup."""
        from hub import residents

        self._db = open_database(self.database_path, encrypted=self.config.hub.encrypted)
        self.check_integrity()
        applied = apply_migrations(self._db, [_meta_migrations(), residents.core_migrations()], self.database_path)
        names: set[str] = {"hub_core", "hub_meta"}
        for result in self.plugins.call_flat("register_migrations", hub=self):
            migrations = result.value
            set_name = getattr(migrations, "name", None)
            if set_name in names:
                self.plugins.disable(result.plugin, f"migration set name {set_name!r} is already used")
                continue
            names.add(set_name)
            try:
                applied += apply_migrations(self._db, [migrations], self.database_path)
            except Exception as exc:  # a plugin's broken migration disables it; its changes were rolled back
                self.plugins.disable(
                    result.plugin,
                    f"migration failed: {describe_error(exc)}",
                    log_reason=f"migration failed: {describe_error(exc, with_message=False)}",
                )
        if seed_demo and self.config.hub.demo and not self.meta("demo_seeded"):
            self.seed_demo()
        self.plugins.call("startup", hub=self)
        return applied

    def check_integrity(self) -> None:
        """A quick structural check at startup, so damage is found before anyone saves into it."""

        try:
            result = [row[0] for row in self._db.execute("PRAGMA quick_check").fetchall()]
        except DB_ERRORS as exc:
            raise StorageError(
                f"The database {self.database_path} is damaged ({exc}). Nothing has been changed. "
                "Close every kiosk, then restore the latest backup: hub restore <backup file> (see docs/site-config.md)."
            ) from None
        if result != ["ok"]:
            raise StorageError(
                f"The database {self.database_path} failed its integrity check ({result[0]}). Nothing has been changed. "
                "Close every kiosk, then restore the latest backup: hub restore <backup file> (see docs/site-config.md)."
            )

    def seed_demo(self) -> None:
        from hub import demo

        from hub.staff import seed_demo_accounts

        seed_demo_accounts(self._db)
        demo.seed_residents(self._db, area=self.config.hub.area)
        self.plugins.call("seed_demo_data", hub=self, db=self._db)
        self.set_meta("demo_seeded", "yes")

    def meta(self, key: str) -> str | None:
        rows = list(self.db.query("select value from hub_meta where key = ?", [key]))
        return rows[0]["value"] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        self.db["hub_meta"].upsert({"key": key, "value": value}, pk="key")

    def database_key(self) -> str | None:
        """The site database's passphrase when it is encrypted, else None."""
        from hub.storage import database_key

        return database_key(self.database_path) if self.config.hub.encrypted else None

    def using_database(self, db: "Database") -> "Hub":
        """This hub with another connection to the site database, for work on a thread of its own."""
        import copy

        other = copy.copy(self)
        other._db = db
        return other

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    # -- the current resident and events ---------------------------------------------------

    def select_resident(self, resident_id: int | None) -> None:
        """Make a resident the one every tab works on (None clears it), and log the access."""
        from hub.residents import log_access

        self.current_resident_id = resident_id
        if resident_id is not None:
            log_access(self.db, staff=self.staff, terminal=self.terminal, resident_id=resident_id, action="view")
        for listener in list(self._resident_listeners):
            listener(resident_id)

    def on_resident_changed(self, listener: Callable[[int | None], None]) -> None:
        self._resident_listeners.append(listener)

    def current_resident(self) -> dict[str, Any] | None:
        from hub.residents import get_resident

        if self.current_resident_id is None:
            return None
        return get_resident(self.db, self.current_resident_id)

    def emit(self, hook_name: str, **kwargs: Any) -> None:
        """Tell plugins something happened (after the commit); a plugin that raises is disabled."""
        self.plugins.call(hook_name, hub=self, **kwargs)


def _meta_migrations():
    from sqlite_utils.migrations import Migrations

    migrations = Migrations("hub_meta")

    @migrations(name="0001_meta")
    def meta_table(db) -> None:
        db["hub_meta"].create({"key": str, "value": str}, pk="key")

    return migrations


def _login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "staff"
