"""Site configuration: one TOML file per site, validated before anything runs.

A site file has three tables: ``[hub]`` (the core settings below), ``[plugins.<name>]``
(one per plugin, checked against the schema the plugin declares through the
``config_schema`` hook) and ``[keymap]`` (binding id -> key). Every problem is
collected, not just the first, and names the file and the key path, so a site
lead can fix them all in one go. Secrets can be written ``{ "$env" = "NAME" }``.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

DEFAULT_SITE = Path(__file__).resolve().parent.parent / "config" / "demo.toml"
"""Used when neither ``--site`` nor ``HUB_SITE`` says which site file to load: the demo site
of the installed project (an absolute path, so ``hub`` finds it the same from any folder)."""

TOP_LEVEL_TABLES = ("hub", "plugins", "keymap", "serve")


@dataclass
class HubSettings:
    """The ``[hub]`` table: settings the core itself uses."""

    site_name: str
    """Shown in the header of every screen, e.g. "Northside Community House"."""

    area: list[str] = field(default_factory=list)
    """The site's area: full postcodes ("M40 7AB"), sectors ("M40 7") or districts ("M40").
    Residents whose postcode falls outside are flagged, not refused."""

    plugins: list[str] = field(default_factory=list)
    """The plugins to load, by entry-point name, in the order of their tabs."""

    theme: str = "textual-dark"
    """The colour theme: "textual-dark", "textual-light", "hub-high-contrast" or one a plugin adds."""

    data_dir: str = ""
    """Where the site database lives, relative to this file. Empty: the user's data folder."""

    demo: bool = False
    """Seed fictional residents and services on first run (for training and trying the hub)."""

    terminal_name: str = ""
    """Names this kiosk in the access log. Empty: the machine's host name."""

    encrypted: bool = False
    """Encrypt the site database with SQLCipher (AES-256). Left out: a new live site is encrypted (its
    passphrase made and kept in a 0600 key file outside the data folder), a demo site is not, and an
    existing database stays as it is. The passphrase comes from HUB_DB_KEY, the key file or the keyring."""

    retention_years: int = 0
    """Residents with no contact for this many years are listed by `hub retention` for erasure (0: no rule yet)."""

    idle_lock_minutes: int = 5
    """Lock the kiosk after this many minutes without a key press or click (0 turns it off: not advised)."""


@dataclass
class ServeSettings:
    """The ``[serve]`` table: how ``hub serve`` offers the kiosk to browsers (docs/serve.md)."""

    host: str = "127.0.0.1"
    """The address to listen on. Keep the default and put a TLS reverse proxy in front: the
    server has no sign-in or encryption of its own (the kiosk's own sign-in still applies)."""

    port: int = 8000
    """The port to listen on (1-65535; 0 picks a free one and prints it)."""

    public_url: str = ""
    """The address staff type, as the reverse proxy serves it, e.g. "https://hub.example.org".
    Empty: http://host:port (only right when browsers reach the hub directly)."""

    font_size: int = 18
    """Text size in the browser, in CSS pixels (a tablet held at arm's length wants 18-20)."""

    keymap: dict[str, str] = field(default_factory=dict)
    """Binding id -> key, for browsers only (on top of ``[keymap]`` and the browser moves)."""

    def __post_init__(self) -> None:
        if not 0 <= self.port <= 65535:
            raise ValueError(f"serve.port: {self.port} is not a port (1-65535, or 0 for any free one)")
        if not 8 <= self.font_size <= 48:
            raise ValueError(f"serve.font_size: {self.font_size} is outside 8-48")
        if self.public_url and not re.match(r"^https?://[^/\s]+(/.*)?$", self.public_url):
            raise ValueError(f"serve.public_url: {self.public_url!r} is not an http:// or https:// address")


@dataclass
class ConfigIssue:
    """One problem in a site file, located by file and key path."""

    file: str
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.key}" if self.key else self.file
        return f"{where}: {self.message}"


class ConfigError(Exception):
    """The site file cannot be used; ``issues`` lists every problem found."""

    def __init__(self, issues: list[ConfigIssue]):
        self.issues = issues
        super().__init__("\n".join(str(issue) for issue in issues))


@dataclass
class SiteConfig:
    """A loaded site file. Plugin tables stay raw until their plugin's schema checks them."""

    path: Path
    hub: HubSettings
    plugin_tables: dict[str, dict[str, Any]]
    keymap: dict[str, str]
    serve: ServeSettings = field(default_factory=ServeSettings)

    @property
    def data_dir(self) -> Path:
        if self.hub.data_dir:
            return (self.path.parent / self.hub.data_dir).resolve()
        from platformdirs import user_data_path  # only needed when no data_dir is set

        slug = re.sub(r"[^a-z0-9]+", "-", self.hub.site_name.lower()).strip("-") or "site"
        return user_data_path("drop-in-hub") / slug

    @property
    def database_path(self) -> Path:
        return self.data_dir / "hub.db"


def resolve_site_path(cli_value: str | None, environ: typing.Mapping[str, str] | None = None) -> Path:
    """``--site`` wins, then ``HUB_SITE``, then the installed project's config/demo.toml."""
    environ = os.environ if environ is None else environ
    return Path(cli_value or environ.get("HUB_SITE") or DEFAULT_SITE)


def load_site_config(path: Path, environ: typing.Mapping[str, str] | None = None) -> SiteConfig:
    """Read and check the core parts of a site file; raise ConfigError listing every problem."""
    environ = os.environ if environ is None else environ
    file = str(path)
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError([ConfigIssue(file, "", "no such site file (use --site FILE or HUB_SITE)")])
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([ConfigIssue(file, "", f"cannot read the file: {exc}")])
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([ConfigIssue(file, "", f"not valid TOML: {exc}")])

    issues: list[ConfigIssue] = []
    for key in raw:
        if key not in TOP_LEVEL_TABLES:
            issues.append(ConfigIssue(file, key, "unknown table" + did_you_mean(key, TOP_LEVEL_TABLES)))

    hub_table = raw.get("hub")
    if not isinstance(hub_table, dict):
        issues.append(ConfigIssue(file, "hub", "missing [hub] table (it needs at least site_name)"))
        hub_table = {}
    settings, hub_issues = validate_table(HubSettings, hub_table, "hub", file, environ)
    issues.extend(hub_issues)
    area = hub_table.get("area")
    for index, entry in enumerate(area if isinstance(area, list) else []):
        if isinstance(entry, str) and not AREA_PATTERN.match(" ".join(entry.upper().split())):
            issues.append(ConfigIssue(file, f"hub.area[{index}]", f"{entry!r} is not a postcode, sector or district"))
    plugin_names = hub_table.get("plugins")
    seen: set[str] = set()
    for index, name in enumerate(plugin_names if isinstance(plugin_names, list) else []):
        if name in seen:
            issues.append(ConfigIssue(file, f"hub.plugins[{index}]", f"{name!r} is listed twice"))
        seen.add(name)

    plugin_tables = raw.get("plugins", {})
    if not isinstance(plugin_tables, dict) or any(not isinstance(v, dict) for v in plugin_tables.values()):
        issues.append(ConfigIssue(file, "plugins", "write one [plugins.<name>] table per plugin"))
        plugin_tables = {}

    keymap = raw.get("keymap", {})
    if not isinstance(keymap, dict) or any(not isinstance(v, str) for v in keymap.values()):
        issues.append(ConfigIssue(file, "keymap", 'write binding ids and keys as strings, e.g. privacy-clear = "f12"'))
        keymap = {}

    serve_table = raw.get("serve", {})
    if not isinstance(serve_table, dict):
        issues.append(ConfigIssue(file, "serve", "write [serve] as a table (host, port, public_url, ...)"))
        serve_table = {}
    serve, serve_issues = validate_table(ServeSettings, serve_table, "serve", file, environ)
    issues.extend(serve_issues)

    if issues:
        raise ConfigError(issues)
    assert settings is not None and serve is not None
    config = SiteConfig(path=Path(path), hub=settings, plugin_tables=plugin_tables, keymap=keymap, serve=serve)
    if "encrypted" not in hub_table:
        settings.encrypted = default_encryption(config)
    return config


def default_encryption(config: SiteConfig) -> bool:
    """Closed at rest by default: a live site's new database is encrypted; a demo, or a database
    that already exists, keeps what it is (a plain one is never opened as if it were encrypted)."""
    if config.hub.demo:
        return False
    from hub.storage import is_plain_sqlite

    plain = is_plain_sqlite(config.database_path)
    return True if plain is None else not plain


AREA_PATTERN = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?(\s*[0-9]([A-Z]{2})?)?$")


def did_you_mean(word: str, choices: typing.Iterable[str]) -> str:
    """A " (did you mean 'x'?)" hint, or "" when nothing is close."""
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


def validate_table(
    schema: type,
    table: dict[str, Any],
    prefix: str,
    file: str,
    environ: typing.Mapping[str, str] | None = None,
) -> tuple[Any | None, list[ConfigIssue]]:
    """Check ``table`` against the dataclass ``schema``; return (instance or None, issues)."""
    environ = os.environ if environ is None else environ
    if not dataclasses.is_dataclass(schema):
        return None, [ConfigIssue(file, prefix, f"the plugin's config_schema is not a dataclass: {schema!r}")]
    hints = typing.get_type_hints(schema)
    fields = {f.name: f for f in dataclasses.fields(schema) if f.init}
    issues: list[ConfigIssue] = []
    values: dict[str, Any] = {}
    for key, value in table.items():
        path = f"{prefix}.{key}"
        if key not in fields:
            issues.append(ConfigIssue(file, path, "unknown key" + did_you_mean(key, fields)))
            continue
        is_secret = isinstance(value, dict) and "$env" in value
        value, secret_issue = _resolve_secret(value, environ)
        if secret_issue:
            issues.append(ConfigIssue(file, path, secret_issue))
            continue
        converted, problems = _convert(value, hints[key], path, file, environ)
        if is_secret:  # never echo a secret back, even when it is the wrong type
            problems = [ConfigIssue(file, path, f"the secret read from ${value_name} is not {_describe(hints[key])}")
                        for value_name in [table[key]["$env"]] for _ in problems[:1]]
        issues.extend(problems)
        if not problems:
            values[key] = converted
    for name, spec in fields.items():
        missing_default = spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING
        if missing_default and name not in table:
            issues.append(ConfigIssue(file, f"{prefix}.{name}", "required, but missing"))
    if issues:
        return None, issues
    try:
        instance = schema(**values)
    except (TypeError, ValueError) as exc:  # a schema's own __post_init__ checks
        return None, [ConfigIssue(file, prefix, str(exc))]
    return instance, []


def _resolve_secret(value: Any, environ: typing.Mapping[str, str]) -> tuple[Any, str | None]:
    if isinstance(value, dict) and set(value) == {"$env"}:
        name = value["$env"]
        if not isinstance(name, str) or name not in environ:
            return None, f"the environment variable {name!r} is not set (this key reads it)"
        return environ[name], None
    return value, None


_TYPE_WORDS = {str: "text", int: "a whole number", float: "a number", bool: "true or false"}


def _describe(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if origin is Literal:
        return "one of " + ", ".join(repr(v) for v in typing.get_args(tp))
    if origin is list:
        return "a list of " + _describe(typing.get_args(tp)[0]).replace("a ", "", 1)
    if origin is dict:
        return "a table"
    if dataclasses.is_dataclass(tp):
        return "a table"
    return _TYPE_WORDS.get(tp, getattr(tp, "__name__", str(tp)))


def _convert(value: Any, tp: Any, path: str, file: str, environ) -> tuple[Any, list[ConfigIssue]]:
    """Check one value against a type hint; ints are accepted where floats are expected."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None, []
        for option in args:
            if option is type(None):
                continue
            converted, problems = _convert(value, option, path, file, environ)
            if not problems:
                return converted, []
        return None, [ConfigIssue(file, path, "expected " + " or ".join(_describe(a) for a in args if a is not type(None)))]
    if origin is Literal:
        if value in args:
            return value, []
        hint = did_you_mean(str(value), [str(a) for a in args])
        return None, [ConfigIssue(file, path, f"{value!r} is not allowed; expected {_describe(tp)}{hint}")]
    if origin is list:
        if not isinstance(value, list):
            return None, [ConfigIssue(file, path, f"expected {_describe(tp)}")]
        items, issues = [], []
        for index, item in enumerate(value):
            converted, problems = _convert(item, args[0] if args else Any, f"{path}[{index}]", file, environ)
            items.append(converted)
            issues.extend(problems)
        return items, issues
    if origin is dict:
        if not isinstance(value, dict):
            return None, [ConfigIssue(file, path, "expected a table")]
        key_type, value_type = args if args else (str, Any)
        result, issues = {}, []
        for key, item in value.items():
            converted, problems = _convert(item, value_type, f"{path}.{key}", file, environ)
            result[key] = converted
            issues.extend(problems)
        return result, issues
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            return None, [ConfigIssue(file, path, "expected a table")]
        instance, issues = validate_table(tp, value, path, file, environ)
        return instance, issues
    if tp is Any:
        return value, []
    if tp is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value), []
    elif tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value, []
    elif tp in (str, bool):
        if isinstance(value, tp):
            return value, []
    else:
        return None, [ConfigIssue(file, path, f"the schema uses a type the hub cannot check: {tp!r}")]
    shown = "a table" if isinstance(value, dict) else repr(value)
    return None, [ConfigIssue(file, path, f"expected {_describe(tp)}, got {shown}")]
