"""Run a sync of a directory feed: page to the end, fetch details, and say how it went.

One request at a time (timeouts, retries, limits) is :mod:`.fetch`; its names are
imported here too, for code written against the older single module.

Every function takes an ``httpx.Client`` (tests pass one built on
``httpx.MockTransport``) and an injectable ``sleep`` so retries cost no time in
tests.  Nothing here writes to storage: pages are yielded as they arrive, and a
failure part-way raises :class:`FeedError` *after* the good pages were yielded,
so the caller can keep them without treating the sync as complete.

How storage should use an outcome (see :class:`SyncOutcome`): upsert what was
fetched; only when ``complete`` is true (and the sync was not incremental)
remove records the feed no longer lists, and record ``finished_at`` as the last
good sync time.  A failed or partial sync must never delete anything.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping
from urllib.parse import urljoin

import httpx

from .feeds import (
    FORMAT_HSDS3,
    FORMAT_ORUK_V1,
    DataPackage,
    ParseResult,
    SkippedRecord,
    parse_hsds_datapackage,
    parse_page,
    parse_service,
    read_csv_rows,
)
from .feeds.text import clean_text
from .fetch import (
    DEFAULT_LIMITS,
    DEFAULT_TIMEOUT,
    GOVUK_BANK_HOLIDAYS_URL,
    USER_AGENT,
    FeedError,
    FetchLimits,
    RetryPolicy,
    Sleep,
    get_json,
    get_text,
    make_client,
)
from .model import Service

# --------------------------------------------------------------------------
# API discovery
# --------------------------------------------------------------------------


@dataclass(slots=True)
class ApiInfo:
    """What ``GET /`` told us about a feed (HSDS 3.0 requires that endpoint; v1 has none)."""

    format: str | None = None
    version: str | None = None
    profile: str | None = None
    supports_modified_after: bool = False


def detect_api(
    client: httpx.Client,
    base_url: str,
    *,
    retry: RetryPolicy = RetryPolicy(attempts=2),
    sleep: Sleep = time.sleep,
    timeout: httpx.Timeout | float | None = DEFAULT_TIMEOUT,
    limits: FetchLimits = DEFAULT_LIMITS,
    sync_deadline: float | None = None,
) -> ApiInfo:
    """Probe ``GET /`` and, if it names one, the OpenAPI document.

    ``modified_after`` counts as offered only when the feed's own OpenAPI
    document lists it for ``/services`` (ORUK 3.0's compiled spec does not; some
    3.0 feeds do).  Any failure here just means "unknown": paging still works.
    """
    root = base_url.rstrip("/") + "/"
    try:
        info = get_json(client, root, retry=retry, sleep=sleep, timeout=timeout, limits=limits, sync_deadline=sync_deadline)
    except FeedError as exc:
        if exc.limit in ("redirect", "sync-deadline"):
            raise  # never carry on past these
        return ApiInfo()
    if not isinstance(info, Mapping):
        return ApiInfo()
    version = str(info.get("version")) if info.get("version") is not None else None
    api = ApiInfo(
        format=FORMAT_HSDS3 if version and version.startswith("3") else None,
        version=version,
        profile=str(info["profile"]) if info.get("profile") else None,
    )
    openapi_url = info.get("openapi_url")
    if isinstance(openapi_url, str) and openapi_url:
        try:
            spec_url = urljoin(root, openapi_url)
            if httpx.URL(spec_url).host != httpx.URL(root).host:
                raise FeedError("the OpenAPI document is on another site", url=spec_url, limit="redirect")
            spec = get_json(client, spec_url, retry=retry, sleep=sleep, timeout=timeout, limits=limits,
                            sync_deadline=sync_deadline)
        except FeedError as exc:
            if exc.limit == "sync-deadline":
                raise
            spec = None
        api.supports_modified_after = _lists_parameter(spec, "/services", "modified_after")
    return api


def _lists_parameter(spec: Any, path: str, name: str) -> bool:
    if not isinstance(spec, Mapping):
        return False
    operation = (spec.get("paths") or {}).get(path, {}).get("get", {})
    parameters = list(operation.get("parameters") or []) + list((spec.get("paths") or {}).get(path, {}).get("parameters") or [])
    components = (spec.get("components") or {}).get("parameters") or {}
    for parameter in parameters:
        if isinstance(parameter, Mapping) and "$ref" in parameter:
            parameter = components.get(str(parameter["$ref"]).rsplit("/", 1)[-1], {})
        if isinstance(parameter, Mapping) and parameter.get("name") == name:
            return True
    return False


# --------------------------------------------------------------------------
# Paging
# --------------------------------------------------------------------------


@dataclass(slots=True)
class SyncPage:
    """One fetched and parsed page; ``number`` is the page we asked for."""

    number: int
    url: str
    result: ParseResult
    unchanged: list[str] = field(default_factory=list)
    """Ids of records whose raw form matched ``known_hashes``: not parsed (the store keeps them)."""
    raw_hashes: dict[str, str] = field(default_factory=dict)
    """Source id -> raw hash of each record parsed, for the store to keep."""


RAW_HASH_VERSION = "1"
"""Part of every raw hash: change it when parsing changes, so every record is parsed again."""


def raw_record_hash(item: Any) -> str:
    """The hash of one upstream record as received (key order ignored), for skipping unchanged ones."""
    import hashlib
    import json

    text = json.dumps(item, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha1(f"{RAW_HASH_VERSION}\n{text}".encode("utf-8")).hexdigest()


def _split_unchanged(payload: Any, known_hashes: Mapping[str, str]) -> tuple[Any, list[str], dict[str, str]]:
    """(the payload without records whose raw hash is known, their ids, raw hashes of the rest)."""
    if not isinstance(payload, Mapping):
        return payload, [], {}
    key = "content" if isinstance(payload.get("content"), list) else "contents" if isinstance(payload.get("contents"), list) else None
    if key is None:
        return payload, [], {}
    kept, unchanged, hashes = [], [], {}
    ids = Counter(str(item.get("id")) for item in payload[key] if isinstance(item, Mapping))
    for item in payload[key]:
        record_id = item.get("id") if isinstance(item, Mapping) else None
        if record_id is None or not isinstance(record_id, (str, int)) or ids[str(record_id)] > 1:
            kept.append(item)
            continue
        digest = raw_record_hash(item)
        if known_hashes.get(str(record_id)) == digest:
            unchanged.append(str(record_id))
        else:
            kept.append(item)
            hashes[str(record_id)] = digest
    return {**payload, key: kept}, unchanged, hashes


def iter_service_pages(
    client: httpx.Client,
    base_url: str,
    *,
    source: str,
    per_page: int = 50,
    modified_after: dt.datetime | None = None,
    api: ApiInfo | None = None,
    full: bool = False,
    extra_params: Mapping[str, Any] | None = None,
    retry: RetryPolicy = RetryPolicy(),
    sleep: Sleep = time.sleep,
    timeout: httpx.Timeout | float | None = DEFAULT_TIMEOUT,
    max_pages: int | None = None,
    today: dt.date | None = None,
    first_page: int = 1,
    limits: FetchLimits = DEFAULT_LIMITS,
    sync_deadline: float | None = None,
    fetch_missing_details: bool = False,
    known_hashes: Mapping[str, str] | None = None,
) -> Iterator[SyncPage]:
    """Yield ``/services`` pages until the feed says it is done, within ``limits``.

    Stops on an empty page, on ``last``/``last_page`` = true, or - only when the
    feed gives no such flag - after ``totalPages``/``total_pages`` pages (the
    ORUK docs show wrong totals, so the flags win).  ``modified_after`` is sent
    only when :func:`detect_api` found it offered (probed here if ``api`` is
    None).  ``full=True`` asks HSDS 3.0 feeds for nested sites and schedules.

    ``fetch_missing_details=True`` reads ``/services/{id}`` for each HSDS 3.0 service
    whose list entry has no sites (3.0 list pages may leave locations out), up to
    ``limits.max_detail_requests`` per sync; beyond that, and when a detail cannot be
    read, the list version is kept with a warning.

    Raises :class:`FeedError` (with ``.page``, and ``.limit`` when a limit stopped it)
    when a page cannot be read after retries, is not a services page, or the feed goes
    past ``limits.max_pages`` (``max_pages`` overrides it); pages before it have been yielded.
    """
    url = base_url.rstrip("/") + "/services"
    if sync_deadline is None:
        sync_deadline = time.monotonic() + limits.sync_seconds
    max_pages = max_pages if max_pages is not None else limits.max_pages
    if modified_after is not None and api is None:
        api = detect_api(client, base_url, sleep=sleep, timeout=timeout, limits=limits, sync_deadline=sync_deadline)
    params: dict[str, Any] = {"per_page": per_page, **(extra_params or {})}
    if modified_after is not None and api is not None and api.supports_modified_after:
        stamp = modified_after if modified_after.tzinfo else modified_after.replace(tzinfo=dt.timezone.utc)
        params["modified_after"] = stamp.isoformat()
    if full:
        params["full"] = "true"

    details = _DetailBudget(limits.max_detail_requests)
    previous_ids: list[str] | None = None
    for count, page in enumerate(range(first_page, first_page + max_pages), start=1):
        try:
            payload = get_json(client, url, params={**params, "page": page}, retry=retry, sleep=sleep, timeout=timeout,
                               limits=limits, sync_deadline=sync_deadline)
        except FeedError as exc:
            exc.page = page
            raise
        unchanged: list[str] = []
        raw_hashes: dict[str, str] = {}
        if known_hashes is not None:  # skip what has not changed before parsing it (``store.known_hashes``)
            payload, unchanged, raw_hashes = _split_unchanged(payload, known_hashes)
        result = parse_page(payload, source, today=today)
        if unchanged and result.page is not None:  # the page was not empty: keep paging
            result.page = dataclasses.replace(result.page, item_count=result.page.item_count + len(unchanged))
        if result.fatal:
            raise FeedError(result.fatal, url=url, page=page)
        ids = [s.source_id for s in result.services] + [str(s.source_id) for s in result.skipped] + unchanged
        if ids and ids == previous_ids:
            raise FeedError("the feed sent the same page twice (it may ignore the page parameter)", url=url, page=page)
        previous_ids = ids
        if fetch_missing_details and result.format == FORMAT_HSDS3:
            try:
                result.services = [
                    _with_details(client, base_url, service, source, retry, sleep, timeout, today, limits,
                                  sync_deadline, details, result)
                    if not service.service_at_locations else service
                    for service in result.services
                ]
            except FeedError as exc:
                exc.page = page
                raise
        yield SyncPage(page, url, result, unchanged, raw_hashes)

        info = result.page
        if info.item_count == 0 or info.is_empty is True:
            return
        if info.is_last is True:
            return
        if info.is_last is None and info.total_pages is not None and count >= info.total_pages:
            return
    raise FeedError(
        f"stopped after {max_pages} pages without reaching the last page (max_pages)",
        url=url, page=first_page + max_pages, limit="pages",
    )


@dataclass(slots=True)
class _DetailBudget:
    left: int
    warned: bool = False


def _with_details(client, base_url, service, source, retry, sleep, timeout, today, limits, sync_deadline, budget, result):
    """The service as ``/services/{id}`` gives it (sites, hours), or the list version with a warning."""
    if budget.left <= 0:
        service.warnings.append(
            f"full details not fetched: the detail-request limit ({limits.max_detail_requests} per sync, "
            "max_detail_requests) was reached"
        )
        return service
    budget.left -= 1
    try:
        detail = fetch_service(client, base_url, service.source_id, source=source, retry=retry, sleep=sleep,
                               timeout=timeout, today=today, limits=limits, sync_deadline=sync_deadline)
    except FeedError as exc:
        if exc.limit in ("redirect", "sync-deadline"):
            raise
        service.warnings.append(clean_text(f"full details could not be fetched: {exc}", limit=300))
        return service
    if detail.services and detail.services[0].source_id == service.source_id:
        result.warnings.extend(detail.warnings)
        return detail.services[0]
    service.warnings.append("full details could not be fetched: the detail page did not describe this service")
    return service


def fetch_service(
    client: httpx.Client,
    base_url: str,
    service_id: str,
    *,
    source: str,
    retry: RetryPolicy = RetryPolicy(),
    sleep: Sleep = time.sleep,
    timeout: httpx.Timeout | float | None = DEFAULT_TIMEOUT,
    today: dt.date | None = None,
    limits: FetchLimits = DEFAULT_LIMITS,
    sync_deadline: float | None = None,
) -> ParseResult:
    """``GET /services/{id}`` and parse it (list pages may leave out sites and hours)."""
    from urllib.parse import quote

    url = f"{base_url.rstrip('/')}/services/{quote(service_id, safe='')}"
    payload = get_json(client, url, retry=retry, sleep=sleep, timeout=timeout, limits=limits, sync_deadline=sync_deadline)
    return parse_service(payload, source, today=today)


@dataclass(slots=True)
class SyncOutcome:
    """Everything one sync fetched, and whether it reached the end.

    ``complete`` is False when an error stopped it: ``services`` then holds
    only what arrived before the error, and ``error`` says what happened.
    """

    source: str
    base_url: str
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    pages: int = 0
    format: str | None = None
    incremental: bool = False
    services: list[Service] = field(default_factory=list)
    skipped: list[SkippedRecord] = field(default_factory=list)
    warning_count: int = 0
    error: FeedError | None = None

    @property
    def complete(self) -> bool:
        return self.error is None

    def skipped_reasons(self) -> Counter:
        return Counter(s.reason for s in self.skipped)

    def summary(self) -> str:
        """One line for the sync log and the CLI."""
        kept = f"{len(self.services)} services from {self.pages} page(s)"
        skipped = f"{len(self.skipped)} skipped" + (
            " (" + ", ".join(f"{n} {reason}" for reason, n in self.skipped_reasons().most_common()) + ")"
            if self.skipped
            else ""
        )
        state = "complete" if self.complete else f"INCOMPLETE: {self.error}"
        return f"{self.source}: {kept}, {skipped}, {self.warning_count} warnings; {state}"


def sync_feed(
    client: httpx.Client,
    base_url: str,
    *,
    source: str,
    per_page: int = 50,
    modified_after: dt.datetime | None = None,
    api: ApiInfo | None = None,
    fetch_details: bool = False,
    retry: RetryPolicy = RetryPolicy(),
    sleep: Sleep = time.sleep,
    timeout: httpx.Timeout | float | None = DEFAULT_TIMEOUT,
    max_pages: int | None = None,
    today: dt.date | None = None,
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc),
    limits: FetchLimits = DEFAULT_LIMITS,
) -> SyncOutcome:
    """Fetch a whole ORUK v1 or HSDS 3.0 feed; errors end up in the outcome, not raised.

    ``fetch_details`` re-reads each service from ``/services/{id}`` (for 3.0
    feeds whose list pages omit sites and schedules); a service whose detail
    fails keeps its list version and adds a warning.
    """
    sync_deadline = time.monotonic() + limits.sync_seconds
    outcome = SyncOutcome(source=source, base_url=base_url, started_at=clock())
    details = _DetailBudget(limits.max_detail_requests)
    try:
        if modified_after is not None and api is None:
            api = detect_api(client, base_url, sleep=sleep, timeout=timeout, limits=limits, sync_deadline=sync_deadline)
        outcome.incremental = bool(modified_after is not None and api is not None and api.supports_modified_after)
        for page in iter_service_pages(
            client, base_url, source=source, per_page=per_page, modified_after=modified_after, api=api,
            retry=retry, sleep=sleep, timeout=timeout, max_pages=max_pages, today=today, limits=limits,
            sync_deadline=sync_deadline,
        ):
            outcome.pages += 1
            outcome.format = outcome.format or page.result.format
            outcome.skipped += page.result.skipped
            outcome.warning_count += len(page.result.warnings)
            for service in page.result.services:
                if fetch_details:
                    before = len(page.result.warnings)
                    service = _with_details(client, base_url, service, source, retry, sleep, timeout, today, limits,
                                            sync_deadline, details, page.result)
                    outcome.warning_count += len(page.result.warnings) - before
                outcome.services.append(service)
    except FeedError as exc:
        outcome.error = exc
    outcome.finished_at = clock()
    return outcome


# --------------------------------------------------------------------------
# Data packages and bank holidays over HTTP
# --------------------------------------------------------------------------


def fetch_datapackage(
    client: httpx.Client,
    descriptor_url: str,
    *,
    retry: RetryPolicy = RetryPolicy(),
    sleep: Sleep = time.sleep,
    timeout: httpx.Timeout | float | None = DEFAULT_TIMEOUT,
    limits: FetchLimits = DEFAULT_LIMITS,
) -> DataPackage:
    """Fetch ``datapackage.json`` and each CSV it lists (paths relative to it, on the same site), within ``limits``."""
    sync_deadline = time.monotonic() + limits.sync_seconds
    descriptor = get_json(client, descriptor_url, retry=retry, sleep=sleep, timeout=timeout, limits=limits,
                          sync_deadline=sync_deadline)
    if not isinstance(descriptor, Mapping) or not isinstance(descriptor.get("resources"), list):
        raise FeedError("not a data package: no 'resources' list", url=descriptor_url)
    tables: dict[str, list[dict]] = {}
    for resource in descriptor["resources"]:
        path = resource.get("path") if isinstance(resource, Mapping) else None
        if isinstance(path, str) and path:
            table_url = urljoin(descriptor_url, path)
            if httpx.URL(table_url).host != httpx.URL(descriptor_url).host:
                raise FeedError(f"the data package lists a table on another site ({path})", url=descriptor_url,
                                limit="redirect")
            text = get_text(client, table_url, retry=retry, sleep=sleep, timeout=timeout, limits=limits,
                            sync_deadline=sync_deadline)
            tables[resource["name"]] = read_csv_rows(text.lstrip("\ufeff"))
    return DataPackage(dict(descriptor), tables)


def sync_datapackage(
    client: httpx.Client,
    descriptor_url: str,
    *,
    source: str,
    retry: RetryPolicy = RetryPolicy(),
    sleep: Sleep = time.sleep,
    timeout: httpx.Timeout | float | None = DEFAULT_TIMEOUT,
    today: dt.date | None = None,
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc),
    limits: FetchLimits = DEFAULT_LIMITS,
) -> SyncOutcome:
    """A data-package source as a :class:`SyncOutcome` (all or nothing: one 'page')."""
    outcome = SyncOutcome(source=source, base_url=descriptor_url, started_at=clock())
    try:
        package = fetch_datapackage(client, descriptor_url, retry=retry, sleep=sleep, timeout=timeout, limits=limits)
    except FeedError as exc:
        outcome.error = exc
    else:
        result = parse_hsds_datapackage(package, source, today=today)
        outcome.pages, outcome.format = 1, result.format
        outcome.services, outcome.skipped = result.services, result.skipped
        outcome.warning_count = len(result.warnings)
    outcome.finished_at = clock()
    return outcome


def fetch_govuk_bank_holidays(
    client: httpx.Client,
    url: str = GOVUK_BANK_HOLIDAYS_URL,
    *,
    retry: RetryPolicy = RetryPolicy(),
    sleep: Sleep = time.sleep,
    timeout: httpx.Timeout | float | None = DEFAULT_TIMEOUT,
):
    """GOV.UK's current bank-holiday list, to refresh ours when online."""
    from .schedules import bank_holidays_from_govuk_json

    return bank_holidays_from_govuk_json(get_json(client, url, retry=retry, sleep=sleep, timeout=timeout))


__all__ = [
    "DEFAULT_LIMITS", "DEFAULT_TIMEOUT", "FORMAT_HSDS3", "FORMAT_ORUK_V1", "USER_AGENT", "ApiInfo", "FeedError",
    "FetchLimits", "RetryPolicy", "SyncOutcome",
    "SyncPage", "detect_api", "fetch_datapackage", "fetch_govuk_bank_holidays", "fetch_service", "get_json",
    "get_text", "iter_service_pages", "make_client", "sync_datapackage", "sync_feed",
]
