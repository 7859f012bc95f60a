"""The site database: one SQLite file per site, shared safely by several kiosks.

WAL lets readers carry on while one kiosk writes; the busy timeout makes a
second writer wait instead of failing; foreign keys are on so a contact can never
point at a resident who does not exist. Each plugin owns a sqlite-utils
``Migrations`` set, applied at startup, each migration in its own transaction.
Every low-level failure is turned into a StorageError whose message tells a
site lead what to do.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

if TYPE_CHECKING:  # sqlite_utils costs ~90 ms to import; callers import it in a worker
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

BUSY_TIMEOUT_MS = 5000
"""How long a write waits for another kiosk's write to finish before giving up."""

KEY_ENV = "HUB_DB_KEY"
"""The environment variable holding an encrypted site database's passphrase."""

KEYRING_SERVICE = "drop-in-hub"
"""The system keyring service name; the entry's user name is the site's database path."""


def _database_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [sqlite3.Error]
    try:  # SQLCipher's driver has its own exception classes, not sqlite3's
        from sqlcipher3 import dbapi2 as sqlcipher
    except ImportError:
        pass
    else:
        errors.append(sqlcipher.Error)
    return tuple(errors)


DB_ERRORS = _database_errors()
"""Catch these (not just sqlite3.Error) around database calls: they cover an encrypted database too."""


class StorageError(Exception):
    """The database cannot be used; the message says why and what to do, without a traceback."""


class DatabaseBusy(StorageError):
    """Another kiosk or program held the database longer than the busy timeout: wait and try again."""


def is_busy(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def storage_error(exc: BaseException, path: Path | str) -> StorageError:
    """The StorageError (DatabaseBusy when it is only busy) for a low-level database error."""
    return (DatabaseBusy if is_busy(exc) else StorageError)(explain_sqlite_error(exc, path))


def explain_sqlite_error(exc: BaseException, path: Path | str) -> str:
    """Turn SQLite's terse errors into advice a site lead can act on."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return (
            f"The database {path} is busy: another kiosk or program has held it for more than "
            f"{BUSY_TIMEOUT_MS // 1000} seconds. Try again; if it persists, close other copies of the hub."
        )
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return (
            f"The database {path} is damaged or is not a hub database ({exc}). "
            "Do not delete it: move it aside and restore the latest backup (see docs/site-config.md)."
        )
    if "readonly" in text or "read-only" in text:
        return f"The database {path} is read-only: give the hub permission to write to it and its folder."
    if "unable to open" in text or "disk i/o" in text:
        return f"The database {path} cannot be opened ({exc}): check the folder exists and is writable."
    if "full" in text:
        return f"The disk holding {path} is full: free some space; nothing was saved."
    return f"The database {path} reported an error: {exc}"


KEY_FILE_ENV = "HUB_DB_KEY_FILE"
"""A file holding an encrypted site database's passphrase (0600, outside the data folder)."""

KEY_DIR_ENV = "HUB_KEY_DIR"
"""Where the hub keeps the passphrases it makes for new encrypted sites (default: the user's config folder)."""


def key_file_for(path: Path | str, environ=None) -> Path:
    """Where this database's passphrase file is: $HUB_DB_KEY_FILE, else one per database in the key folder."""
    import hashlib
    import os

    environ = os.environ if environ is None else environ
    if environ.get(KEY_FILE_ENV):
        return Path(environ[KEY_FILE_ENV]).expanduser()
    if environ.get(KEY_DIR_ENV):
        folder = Path(environ[KEY_DIR_ENV]).expanduser()
    else:
        from platformdirs import user_config_path

        folder = user_config_path("drop-in-hub") / "keys"
    digest = hashlib.sha256(str(Path(path).resolve()).encode("utf-8")).hexdigest()[:16]
    return folder / f"site-{digest}.key"


def create_database_key(path: Path | str, environ=None) -> str:
    """Make a random passphrase for a new encrypted database and keep it in its key file (0600 in 0700)."""
    import os
    import secrets

    key_file = key_file_for(path, environ)
    private_folder(key_file.parent)
    key = secrets.token_urlsafe(32)
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    return key


def is_plain_sqlite(path: Path | str) -> bool | None:
    """True for a plain SQLite file, False for an encrypted one, None when there is no file yet."""
    try:
        with open(path, "rb") as handle:
            header = handle.read(16)
    except FileNotFoundError:
        return None
    if not header:
        return None
    return header == b"SQLite format 3\x00"


def database_key(path: Path | str, environ=None) -> str | None:
    """The passphrase for an encrypted database: $HUB_DB_KEY, else its key file, else the system keyring."""
    import os

    environ = os.environ if environ is None else environ
    if environ.get(KEY_ENV):
        return environ[KEY_ENV]
    key_file = key_file_for(path, environ)
    try:
        text = key_file.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        text = ""
    except OSError as exc:
        raise StorageError(f"The key file {key_file} cannot be read ({exc.strerror}).") from None
    if text:
        return text
    try:
        import keyring  # optional: only where the site installs it
    except ImportError:
        return None
    try:
        return keyring.get_password(KEYRING_SERVICE, str(Path(path).resolve()))
    except Exception:  # no keyring backend on this machine
        return None


PRIVATE_UMASK = 0o077
"""Files the hub creates (database, WAL, backups, exports, keys) are its owner's alone: 0600 in 0700."""


def close_to_others() -> None:
    """Set the process umask so every file the hub creates is readable by its owner only."""
    import os

    os.umask(PRIVATE_UMASK)


def private_folder(path: Path | str) -> Path:
    """Create a folder (and its parents) readable by its owner only; tighten an existing one."""
    import os

    path = Path(path)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o700)
    except OSError:  # not ours to change (a shared mount): the files inside are still 0600
        pass
    return path


def make_private(path: Path | str) -> None:
    """chmod 0600 if the file exists (the database, its WAL and shared-memory files, a backup)."""
    import os

    try:
        os.chmod(path, 0o600)
    except FileNotFoundError:
        pass
    except OSError:
        pass


def _harden(conn) -> None:
    """Every connection: deleted content is overwritten with zeros, not left in free pages."""
    conn.execute("PRAGMA secure_delete = ON")


def _math_functions(conn) -> None:
    """SQLCipher's build lacks SQLite's math functions (sqrt, cos, ln...) that plugins' SQL uses
    (distances in signposting): give an encrypted connection the same ones, from Python's math."""
    import math

    def guard(function):
        def call(*args):
            if any(a is None for a in args):
                return None
            try:
                return function(*(float(a) for a in args))
            except (ValueError, OverflowError, TypeError):
                return None
        return call

    one = {"sqrt": math.sqrt, "cos": math.cos, "sin": math.sin, "tan": math.tan, "acos": math.acos, "asin": math.asin,
           "atan": math.atan, "radians": math.radians, "degrees": math.degrees, "exp": math.exp, "ln": math.log,
           "log10": math.log10, "log2": math.log2, "floor": math.floor, "ceil": math.ceil, "ceiling": math.ceil,
           "trunc": math.trunc}
    for name, function in one.items():
        conn.create_function(name, 1, guard(function), deterministic=True)
    for name, function in {"atan2": math.atan2, "pow": math.pow, "power": math.pow, "mod": math.fmod}.items():
        conn.create_function(name, 2, guard(function), deterministic=True)
    conn.create_function("pi", 0, lambda: math.pi, deterministic=True)
    conn.create_function("log", 1, guard(math.log10), deterministic=True)
    conn.create_function("log", 2, guard(lambda b, x: math.log(x, b)), deterministic=True)


def connect(path: Path | str, key: str | None = None):
    """A DB-API connection: plain SQLite, or SQLCipher when a key is given (secure_delete on)."""
    if key is None:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
        _harden(conn)
        return conn
    try:
        from sqlcipher3 import dbapi2 as sqlcipher
    except ImportError:
        raise StorageError(
            "This site's database is encrypted, but SQLCipher is not installed: run "
            "`.venv/bin/pip install sqlcipher3` (see docs/site-config.md)."
        ) from None
    conn = sqlcipher.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    conn.execute("PRAGMA cipher_log_level = NONE")  # else a wrong key prints to stderr, over the kiosk screen
    conn.execute("PRAGMA key = '{}'".format(key.replace("'", "''")))
    _harden(conn)
    _math_functions(conn)
    return conn


def open_database(path: Path | str, *, encrypted: bool = False, key: str | None = None) -> "Database":
    """Open (creating if needed) the site database with WAL, a busy timeout and foreign keys.

    With ``encrypted`` the file is SQLCipher (AES-256), keyed by ``key`` or database_key().
    """
    from sqlite_utils import Database

    path = Path(path)
    if encrypted and key is None:
        key = database_key(path)
        if not key and str(path) != ":memory:" and is_plain_sqlite(path) is None:
            key = create_database_key(path)  # a new encrypted site: its key goes in a 0600 file outside the data folder
        if not key:
            raise StorageError(
                f"This site's database is encrypted: set {KEY_ENV} to its passphrase, put it in the key file "
                f"{key_file_for(path)} (or set {KEY_FILE_ENV}), or store it in the system keyring "
                f"(service {KEYRING_SERVICE!r}, user {str(path.resolve())!r})."
            )
    if str(path) != ":memory:":
        try:
            private_folder(path.parent)
        except OSError as exc:
            raise StorageError(f"Cannot create the data folder {path.parent}: {exc.strerror}.") from None
    try:
        conn = connect(path, key if encrypted else None)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        # Reading the schema is the cheapest way to find a file that is not a database.
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        if str(path) != ":memory:":
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise StorageError(f"The database {path} could not switch to WAL mode (it reports {mode!r}).")
        conn.execute("PRAGMA synchronous = NORMAL")  # safe with WAL; a power cut loses at most the last commit
        if str(path) != ":memory:":
            for suffix in ("", "-wal", "-shm"):
                make_private(f"{path}{suffix}")
    except DB_ERRORS as exc:
        if encrypted and "not a database" in str(exc):
            raise StorageError(
                f"The key for the encrypted database {path} is wrong (or the file is not an encrypted hub "
                f"database). Check {KEY_ENV} or the keyring entry; nothing was changed."
            ) from None
        raise storage_error(exc, path) from None
    return Database(conn, execute_plugins=False)


def apply_migrations(db: "Database", migration_sets: Iterable["Migrations"], path: Path | str = "") -> list[str]:
    """Apply every pending migration; return the names applied. A failing migration leaves no trace."""
    applied: list[str] = []
    for migrations in migration_sets:
        pending = [m.name for m in migrations.pending(db)]
        try:
            migrations.apply(db)
        except DB_ERRORS as exc:
            raise storage_error(exc, path or "site database") from None
        applied.extend(f"{migrations.name}:{name}" for name in pending)
    return applied



@contextlib.contextmanager
def write_transaction(db: "Database") -> Iterator["Database"]:
    """All-or-nothing writes that wait their turn behind other kiosks.

    ``BEGIN IMMEDIATE`` takes the write lock up front, so the busy timeout applies. A plain
    ``BEGIN`` (what ``db.atomic()`` uses) can read first and then fail at once with
    "database is locked" when another kiosk wrote in between. Nested calls use savepoints.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        _pending(db).clear()
        raise
    else:
        try:
            db.conn.execute("COMMIT")
        except BaseException:
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
            _pending(db).clear()
            raise
        run_after_commit(db)


def _pending(db: "Database") -> list:
    pending = getattr(db, "_hub_after_commit", None)
    if pending is None:
        pending = []
        try:
            db._hub_after_commit = pending  # type: ignore[attr-defined]
        except AttributeError:
            pass
    return pending


def after_commit(db: "Database", callback) -> None:
    """Run ``callback`` once the current write transaction commits (at once if there is none).

    The audit chain uses it to record its head outside the database only for rows that exist."""
    if not db.conn.in_transaction:
        callback()
        return
    _pending(db).append(callback)


def run_after_commit(db: "Database") -> None:
    """Run what waited for a commit (also called after migrations, which commit on their own)."""
    if db.conn.in_transaction:
        return
    pending = _pending(db)
    while pending:
        callback = pending.pop(0)
        try:
            callback()
        except OSError:  # the head file could not be written: verify will say the head lags
            pass
