"""Where directory listings come from: the contract a source implements, and the built-in sources.

A *source* is any object with a ``name``, a ``label`` and a ``fetch(context)``
method that yields :class:`Batch` objects of :class:`~plugins.signposting.model.Service`
records. The store's sync writer (``store.sync_source``) saves each batch as it
arrives, so a source that fails part-way keeps what it delivered, and only a
source that finishes without raising, and without marking any batch
``incremental``, may have listings it no longer mentions removed.

Plugins add sources by implementing the ``signposting_sources(hub)`` hook
(see docs/writing-a-signposting-source.md). The built-in ones are:

* :class:`ApiFeedSource` - Open Referral UK v1 and HSDS / ORUK 3.0 APIs;
* :class:`DataPackageSource` - an HSDS CSV data package (URL or folder);
* :class:`LocalFileSource` - the site lead's own TOML list.

This module imports only the standard library and the model at import time;
httpx and the parsers are imported when a sync runs.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

from .model import Service

if TYPE_CHECKING:
    import httpx

    from .feeds import SkippedRecord


class SourceError(Exception):
    """A source could not be read. The message is shown to staff and the site lead, so keep it plain
    and never put secrets (API keys) or personal data in it."""


@dataclass
class Batch:
    """Some services from one source: a page of a feed, or a whole file."""

    services: list[Service]
    """Parsed records. Each must carry ``source`` equal to the source's ``name``."""
    skipped: list["SkippedRecord"] = field(default_factory=list)
    """Records that could not be used, each with its reason (counted in the sync summary)."""
    warning_count: int = 0
    """Data-quality warnings found while parsing (the warnings themselves are on the services)."""
    incremental: bool = False
    """True when the batch holds only what changed since ``FetchContext.since``: then the sync
    cannot tell which listings were removed, and nothing is deleted."""
    label: str = ""
    """Where it came from, for messages: "page 3", "services.csv"."""
    unchanged: list[str] = field(default_factory=list)
    """Ids of records the source found unchanged before parsing them (their raw form's hash
    equals ``FetchContext.known_hashes``): the store keeps them as they are."""
    raw_hashes: dict[str, str] = field(default_factory=dict)
    """Source id -> raw hash of each parsed record (``sync.raw_record_hash``), kept by the store."""

    already_clean: bool = False
    """Set by the built-in parsers, which clean every text field as they read it. Leave it False:
    the batch's services are then cleaned here (see below)."""

    def __post_init__(self) -> None:
        # Feed text is data, never markup: control characters, escape sequences, HTML and
        # oversized values are cleaned here for every source's records (cleaning twice changes nothing).
        if self.already_clean:
            return
        from .feeds.text import sanitise_record

        for service in self.services or ():
            sanitise_record(service)


def _default_client_factory(**kwargs: Any) -> "httpx.Client":
    from .sync import make_client

    return make_client(**kwargs)


@dataclass
class FetchContext:
    """What a source is given when asked for its services."""

    since: dt.datetime | None = None
    """The last good sync of this source (UTC), or None for a full fetch. Sources that can ask
    a feed for changes only may use it, and then mark their batches ``incremental``."""
    today: dt.date = field(default_factory=dt.date.today)
    """The date to judge freshness and expired hours against."""
    client_factory: Callable[..., "httpx.Client"] = _default_client_factory
    """Makes an ``httpx.Client`` (keyword arguments are passed to ``sync.make_client``);
    tests pass one built on ``httpx.MockTransport``."""
    sleep: Callable[[float], None] = time.sleep
    """How retries wait (tests pass a no-op)."""
    known_hashes: dict[str, str] = field(default_factory=dict)
    """Source id -> raw hash of each record stored from this source (filled by the sync from
    ``store.known_hashes``): a source may skip parsing records whose raw form is unchanged."""

    def new_client(self, **kwargs: Any) -> "httpx.Client":
        """An HTTP client with the hub's timeouts and user agent; close it when done."""
        return self.client_factory(**kwargs)


class Source:
    """Base class for sources (optional: any object with these attributes works)."""

    name: str = ""
    """Short and unique (``[a-z][a-z0-9_-]*``): the first part of every record key."""
    label: str = ""
    """Shown to staff: who publishes the listings."""
    kind: str = "custom"
    """What kind of source it is, for ``hub directory status``."""

    def describe(self) -> str:
        """Where the source reads from (a URL or a file), without secrets."""
        return ""

    def fetch(self, context: FetchContext) -> Iterable[Batch]:
        """Yield batches of services; raise SourceError (or any exception) to stop."""
        raise NotImplementedError


# --------------------------------------------------------------------------
# Built-in sources
# --------------------------------------------------------------------------


class ApiFeedSource(Source):
    """An Open Referral UK v1 or HSDS / ORUK 3.0 ``/services`` API, read page by page."""

    def __init__(
        self,
        name: str,
        url: str,
        *,
        kind: str = "oruk_v1",
        label: str = "",
        api_key: str | None = None,
        api_key_header: str = "X-API-Key",
        per_page: int = 50,
        limits: Any = None,
        fetch_missing_details: bool = True,
    ) -> None:
        if kind not in ("oruk_v1", "hsds3"):
            raise ValueError(f"ApiFeedSource kind must be oruk_v1 or hsds3, not {kind!r}")
        self.name = name
        self.url = url.rstrip("/")
        self.kind = kind
        self.label = label or name
        self._api_key = api_key
        self._api_key_header = api_key_header
        self.per_page = per_page
        self.limits = limits  # a fetch.FetchLimits; None: the safe defaults
        self.fetch_missing_details = fetch_missing_details

    def __repr__(self) -> str:  # never show the key
        return f"ApiFeedSource({self.name!r}, {self.url!r}, kind={self.kind!r})"

    def describe(self) -> str:
        return self.url

    def fetch(self, context: FetchContext) -> Iterator[Batch]:
        import time as _time

        from . import sync
        from .fetch import DEFAULT_LIMITS

        limits = self.limits or DEFAULT_LIMITS
        sync_deadline = _time.monotonic() + limits.sync_seconds
        headers = {self._api_key_header: self._api_key} if self._api_key else {}
        client = context.new_client(headers=headers) if headers else context.new_client()
        try:
            api = None
            incremental = False
            modified_after = None
            if context.since is not None and self.kind == "hsds3":
                api = sync.detect_api(client, self.url, sleep=context.sleep, limits=limits, sync_deadline=sync_deadline)
                if api.supports_modified_after:
                    modified_after, incremental = context.since, True
            pages = sync.iter_service_pages(
                client,
                self.url,
                source=self.name,
                per_page=self.per_page,
                modified_after=modified_after,
                api=api,
                full=self.kind == "hsds3",
                sleep=context.sleep,
                today=context.today,
                limits=limits,
                sync_deadline=sync_deadline,
                fetch_missing_details=self.fetch_missing_details and self.kind == "hsds3",
                known_hashes=context.known_hashes,
            )
            for page in pages:
                yield Batch(
                    services=page.result.services,
                    skipped=page.result.skipped,
                    warning_count=len(page.result.warnings),
                    incremental=incremental,
                    label=f"page {page.number}",
                    already_clean=True,
                    unchanged=page.unchanged,
                    raw_hashes=page.raw_hashes,
                )
        finally:
            client.close()


class DataPackageSource(Source):
    """An HSDS tabular data package: ``datapackage.json`` and its CSVs, from a URL or a folder."""

    kind = "datapackage"

    def __init__(self, name: str, location: str | Path, *, label: str = "", limits: Any = None) -> None:
        self.name = name
        self.location = str(location)
        self.label = label or name
        self.limits = limits  # a fetch.FetchLimits for a URL; None: the safe defaults

    def describe(self) -> str:
        return self.location

    def fetch(self, context: FetchContext) -> Iterator[Batch]:
        from .feeds import load_datapackage, parse_hsds_datapackage

        if self.location.startswith(("http://", "https://")):
            from . import sync

            client = context.new_client()
            try:
                url = self.location if self.location.endswith(".json") else self.location.rstrip("/") + "/datapackage.json"
                package = sync.fetch_datapackage(client, url, sleep=context.sleep, **({"limits": self.limits} if self.limits else {}))
            finally:
                client.close()
        else:
            folder = Path(self.location)
            if not folder.is_dir():
                raise SourceError(f"the data package folder {folder} does not exist")
            try:
                package = load_datapackage(folder)
            except (OSError, ValueError) as exc:
                raise SourceError(f"the data package in {folder} could not be read: {exc}") from None
        result = parse_hsds_datapackage(package, self.name, today=context.today)
        if result.fatal:
            raise SourceError(result.fatal)
        yield Batch(result.services, result.skipped, len(result.warnings), label="data package", already_clean=True)


class LocalFileSource(Source):
    """The site lead's own list of local services (a TOML file; see docs/signposting.md)."""

    kind = "local"

    def __init__(self, path: str | Path, *, name: str = "local", label: str = "This hub's own list") -> None:
        self.name = name
        self.path = Path(path)
        self.label = label

    def describe(self) -> str:
        return str(self.path)

    def fetch(self, context: FetchContext) -> Iterator[Batch]:
        from .feeds import load_local_services

        result = load_local_services(self.path, self.name, today=context.today)
        if result.fatal:
            raise SourceError(result.fatal)  # nothing from the file replaces the list already loaded
        yield Batch(result.services, result.skipped, len(result.warnings), label=self.path.name, already_clean=True)


def feed_limits(feed: Any) -> Any:
    """A feed's ``FetchLimits`` from its settings (imported here, when a sync runs: it needs httpx)."""
    from .fetch import FetchLimits

    return FetchLimits(
        max_response_bytes=int(feed.max_response_mb * 1024 * 1024),
        page_seconds=float(feed.page_timeout_seconds),
        sync_seconds=float(feed.sync_timeout_minutes) * 60,
        max_pages=int(feed.max_pages),
        max_detail_requests=int(feed.max_detail_requests),
    )


class _LazyLimits:
    """Builds a feed's limits on first use, so reading the settings never imports httpx."""

    def __init__(self, feed: Any) -> None:
        self._feed = feed
        self._limits = None

    def __getattr__(self, name: str) -> Any:
        if self._limits is None:
            self._limits = feed_limits(self._feed)
        return getattr(self._limits, name)


def sources_from_settings(settings: Any, site_folder: Path) -> list[Source]:
    """The built-in sources a site's [plugins.signposting] table asks for."""
    found: list[Source] = []
    for feed in settings.feeds:
        if feed.kind == "datapackage":
            location = feed.url
            if not location.startswith(("http://", "https://")):
                location = str((site_folder / location).resolve())
            found.append(DataPackageSource(feed.name, location, label=feed.label, limits=_LazyLimits(feed)))
        else:
            found.append(
                ApiFeedSource(
                    feed.name,
                    feed.url,
                    kind=feed.kind,
                    label=feed.label,
                    api_key=feed.api_key,
                    api_key_header=feed.api_key_header,
                    per_page=feed.per_page,
                    limits=_LazyLimits(feed),
                    fetch_missing_details=feed.fetch_missing_details,
                )
            )
    if settings.local_services:
        found.append(LocalFileSource((site_folder / settings.local_services).resolve()))
    return found
