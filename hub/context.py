"""The ``hub`` object every hook receives: site config, plugins, database, staff and current resident.

It holds no Textual state, so the CLI, the TUI and tests all use the same object.
"""

from __future__ import annotations

import logging
import os
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from hub.config import ConfigIssue, SiteConfig, did_you_mean, validate_table
from hub.errors import describe_error
from hub.plugins import PluginHost
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
        self._unsigned_actor = staff or "(not signed in)"
        """What the access log records for events before anyone signs in (never an identity)."""
        self.session = None
        """The signed-in member of staff (hub.staff.Session), or None before sign-in."""
        self.terminal = config.hub.terminal_name or socket.gethostname()
        self._db: Database | None = None
        self._plugin_configs: dict[str, Any] = {}
        self._themes: list | None = None
        from hub.events import Events

        self._current_resident_id: int | None = None
        self.events = Events()
        """Resident events (hub.events): the one place the current resident's changes are announced."""
        self.config_issues: list[ConfigIssue] = self._validate_plugin_configs()
        self.download_handler: Callable[[Path], None] | None = None
        """Set by the kiosk when it runs in a browser (``hub serve``): sends a file to the browser."""

    # -- who is signed in ------------------------------------------------------------------

    @property
    def staff(self) -> str:
        """The username recorded against everything done now; nobody is assumed before a sign-in."""
        return self.session.username if self.session else self._unsigned_actor

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

    def authenticate(self, permission: str) -> None:
        """For command-line tools: sign in (HUB_STAFF + HUB_PASSWORD, or a prompt at a terminal) and
        require ``permission``. Raises PermissionDenied or AuthError; the CLI exits with code 3."""
        from hub.cliauth import authenticate

        authenticate(self, permission)

    def record_export(self, resident_id: int, path, *, kind: str = "export") -> None:
        """Note a file just written about a resident (an export, a printout), so erasure removes it."""
        from hub.erasure import record_export

        record_export(self.config.data_dir, resident_id, path, kind=kind)

    def sign_in_from_environment(self) -> None:
        """For the CLI: sign in as HUB_STAFF with HUB_PASSWORD (or ask at a terminal); no default identity."""
        self.authenticate("residents.use")

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

    def open_storage(self, *, seed_demo: bool = True, wait_seconds: float | None = None, on_wait=None) -> list[str]:
        """Open the database, apply the core's then each plugin's migrations, seed a demo site, fire startup.

        Each migration set's new tables are recorded as its plugin's (hub.ownership), so data
        rights know whose tables hold residents' data even when that plugin is later not loaded.

        A database another kiosk keeps busy is waited for (``wait_seconds``, default
        $HUB_BUSY_WAIT_SECONDS or 60), trying again every few seconds and saying so through
        ``on_wait(message)``; it never disables a plugin. Still busy after that: DatabaseBusy."""
        import time

        from hub.storage import DatabaseBusy

        if wait_seconds is None:
            try:
                wait_seconds = float(os.environ.get("HUB_BUSY_WAIT_SECONDS", "60"))
            except ValueError:
                wait_seconds = 60.0
        deadline = time.monotonic() + wait_seconds
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._open_storage_once(seed_demo=seed_demo)
            except DatabaseBusy as exc:
                self.close()
                left = deadline - time.monotonic()
                if left <= 0:
                    raise DatabaseBusy(f"{exc} (tried {attempt} times over {wait_seconds:.0f} seconds)") from None
                message = (f"The database is busy (another kiosk or program is using it): trying again "
                           f"(attempt {attempt + 1}); nothing has been changed.")
                if on_wait is not None:
                    on_wait(message)
                else:
                    log.warning(message)
                time.sleep(min(2.0, max(left, 0.05)))

    def _open_storage_once(self, *, seed_demo: bool = True) -> list[str]:
        from hub import audit, ownership, versions
        from hub import migrations as core
        from hub.storage import DatabaseBusy, close_to_others, run_after_commit

        close_to_others()  # everything the hub writes from here on is 0600 in 0700 folders
        self._db = open_database(self.database_path, encrypted=self.config.hub.encrypted)
        self.check_integrity()
        before = ownership.table_names(self._db)
        core_sets = [core.meta_migrations(), core.core_migrations(), audit.audit_migrations(), versions.version_migrations()]
        applied = apply_migrations(self._db, core_sets, self.database_path)
        run_after_commit(self._db)
        if "hub_core" not in ownership.recorded_sets(self._db):
            # A database that predates the record: the core's tables are those its sets make on a scratch
            # database (never "everything here": plugins' tables would pass for the core's and skip the gate).
            made: set[str] = set()
            for index, migration_set in enumerate(core_sets):
                made |= ownership.tables_made_by(migration_set, core_sets[:index])
            made.add("_sqlite_migrations")  # sqlite-utils' record of migrations, the core's to keep
            ownership.record_owner(self._db, ownership.CORE_OWNER, "hub_core", made & ownership.table_names(self._db))
        elif applied:
            ownership.record_owner(self._db, ownership.CORE_OWNER, "hub_core", ownership.table_names(self._db) - before)
        names: set[str] = {*core.CORE_SETS, "hub_audit", "hub_versions"}
        for result in self.plugins.call_flat("register_migrations", hub=self):
            migrations = result.value
            set_name = getattr(migrations, "name", None)
            if set_name in names:
                self.plugins.disable(result.plugin, f"migration set name {set_name!r} is already used")
                continue
            names.add(set_name)
            try:
                applied += self._apply_plugin_migrations(result.plugin, migrations, core_sets)
            except DatabaseBusy:
                raise  # busy is not broken: the whole opening waits and tries again
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

    def _apply_plugin_migrations(self, plugin: str, migrations: Any, core_sets: list) -> list[str]:
        """Apply one plugin's set and record the tables it made as that plugin's; return what was applied."""
        from hub import ownership

        db = self._db
        already = migrations.name in ownership.applied_sets(db)
        before = ownership.table_names(db)
        applied = apply_migrations(db, [migrations], self.database_path)
        made = ownership.table_names(db) - before
        if already and migrations.name not in ownership.recorded_sets(db):
            # Ran before the hub kept this record: replay the set on a scratch database to learn its tables.
            try:
                made |= ownership.tables_made_by(migrations, core_sets) & ownership.table_names(db)
            except Exception as exc:
                log.warning("could not work out the tables of %s: %s", migrations.name, describe_error(exc, with_message=False))
        if made:
            ownership.record_owner(db, plugin, migrations.name, made)
        return applied

    def check_integrity(self) -> None:
        """A quick structural check at startup, so damage is found before anyone saves into it."""

        try:
            result = [row[0] for row in self._db.execute("PRAGMA quick_check").fetchall()]
        except DB_ERRORS as exc:
            from hub.storage import is_busy, storage_error

            if is_busy(exc):
                raise storage_error(exc, self.database_path) from None
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
        """Fill an empty demo site through ``seed_demo_data``: the core's own impl (staff accounts and
        residents, hub.default_plugins) runs first, then every plugin's. Seeding acts as the demo's member of
        staff (its records and access-log lines say demo.staff), whoever started the hub."""
        from hub.staff import Session

        previous = self.session
        self.session = Session(None, "demo.staff", "Sam Staff (demo)", "staff")
        try:
            self.plugins.call("seed_demo_data", hub=self, db=self._db)
        finally:
            self.session = previous
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

    @property
    def current_resident_id(self) -> int | None:
        """The resident every tab works on (None: nobody). Changed only by select_resident."""
        return self._current_resident_id

    def select_resident(self, resident_id: int | None) -> None:
        """Make a resident the one every tab works on (None clears it), log the access, and announce it."""
        from hub import events
        from hub.residents import log_access

        if resident_id is not None:
            log_access(self.db, staff=self.staff, terminal=self.terminal, resident_id=resident_id, action="view")
        self._current_resident_id = resident_id
        self.events.emit(events.ResidentEvent(resident_id, events.SELECTED if resident_id is not None else events.CLEARED))

    def update_resident(self, resident_id: int, changes: Any, *, expected_version: int | None = None,
                        base: dict[str, Any] | None = None) -> list[str]:
        """Save changes to a resident's details (hub.residents.update_resident, as the signed-in member of
        staff), tell plugins (``record_saved``) and announce it; returns the fields changed.

        ``expected_version`` and ``base`` (the record when the form opened) refuse a save over
        another kiosk's newer one with hub.versions.StaleEdit, naming what they changed."""
        from hub import events
        from hub.residents import update_resident

        changed = update_resident(self.db, resident_id, changes, area=self.config.hub.area, staff=self.staff,
                                  terminal=self.terminal, expected_version=expected_version, base=base)
        if changed:
            self.emit("record_saved", resident_id=resident_id, kind="hub.resident", record_id=resident_id)
            self.events.emit(events.ResidentEvent(resident_id, events.DETAILS_CHANGED))
        return changed

    def on_resident_changed(self, listener: Callable[[int | None], None]) -> None:
        """Older form of ``events.subscribe``: ``listener(resident_id)`` when a resident is picked or cleared."""
        from hub import events

        self.events.subscribe(lambda event: listener(event.resident_id) if event.what in (events.SELECTED, events.CLEARED) else None)

    def current_resident(self) -> dict[str, Any] | None:
        from hub.residents import get_resident

        if self.current_resident_id is None:
            return None
        return get_resident(self.db, self.current_resident_id)

    def emit(self, hook_name: str, **kwargs: Any) -> None:
        """Tell plugins something happened (after the commit); a plugin that raises is disabled."""
        self.plugins.call(hook_name, hub=self, **kwargs)


def _meta_migrations():
    """The hub_meta set (moved to hub.migrations; this name keeps working)."""
    from hub.migrations import meta_migrations

    return meta_migrations()

