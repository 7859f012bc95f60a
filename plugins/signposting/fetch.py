"""HTTP for directory feeds: one request at a time, with timeouts, retries and backoff.

Every function takes an ``httpx.Client`` (tests pass one built on
``httpx.MockTransport``) and an injectable ``sleep`` so retries cost no time in
tests. Running a sync (paging, detail fetches, outcomes) is :mod:`.sync`; this
module only knows how to get one response safely.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping

import httpx

#: Generous for slow council servers, short enough not to hang the kiosk.
DEFAULT_TIMEOUT = httpx.Timeout(20.0, connect=10.0)
USER_AGENT = "drop-in-hub-signposting/0.1 (+community kiosk; offline directory sync)"
GOVUK_BANK_HOLIDAYS_URL = "https://www.gov.uk/bank-holidays.json"

Sleep = Callable[[float], None]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to try: ``attempts`` in all, waiting ``backoff_seconds`` x 2^n between them."""

    attempts: int = 4
    backoff_seconds: float = 1.0
    max_backoff_seconds: float = 30.0
    retry_statuses: frozenset[int] = frozenset({408, 425, 429, 500, 502, 503, 504})

    def delay(self, failures: int, retry_after: str | None = None) -> float:
        """Seconds to wait after the ``failures``-th failure (1-based); honours Retry-After seconds."""
        if retry_after:
            try:
                return min(self.max_backoff_seconds, max(0.0, float(retry_after)))
            except ValueError:
                pass
        return min(self.max_backoff_seconds, self.backoff_seconds * 2 ** (failures - 1))


@dataclass(frozen=True, slots=True)
class FetchLimits:
    """How much one feed may cost us: bytes, time and requests. Safe by default; per feed in the site file.

    A feed is data from outside, like a web page: without these a gzip bomb grows memory
    without end, a slow-loris server or an endless feed holds a sync for ever, and a
    redirect could carry the API key to another site.
    """

    max_response_bytes: int = 25 * 1024 * 1024
    """Largest response body, counted after decompression, while it streams in."""
    page_seconds: float = 60.0
    """Longest one request (a page, a detail, a CSV) may take from start to last byte."""
    sync_seconds: float = 30 * 60.0
    """Longest a whole sync of the feed may take."""
    max_pages: int = 2_000
    """Most list pages one sync asks for (a feed that never says "last" stops here)."""
    max_detail_requests: int = 2_000
    """Most ``/services/{id}`` detail requests in one sync (for 3.0 list pages without sites)."""
    max_redirects: int = 5
    """Redirects followed per request, and only to the same scheme, host and port."""


DEFAULT_LIMITS = FetchLimits()

#: What each limit is called in messages and in ``FeedError.limit``.
LIMIT_NAMES = {
    "size": "the size limit",
    "page-deadline": "the time limit for one request",
    "sync-deadline": "the time limit for the whole sync",
    "pages": "the page limit",
    "details": "the detail-request limit",
    "redirect": "the redirect rule",
}


class FeedError(Exception):
    """A feed could not be read (after retries, where retrying made sense).

    ``limit`` names the :class:`FetchLimits` rule that stopped it ("size", "page-deadline",
    "sync-deadline", "pages", "details", "redirect"), or is None for ordinary failures.
    """

    def __init__(
        self,
        message: str,
        *,
        url: str | None = None,
        page: int | None = None,
        status: int | None = None,
        attempts: int = 1,
        limit: str | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.url = url
        self.page = page
        self.status = status
        self.attempts = attempts
        self.limit = limit

    def __str__(self) -> str:
        where = f" (page {self.page})" if self.page is not None else ""
        stopped = f"; stopped by {LIMIT_NAMES.get(self.limit, self.limit)}" if self.limit else ""
        return f"{self.message}{where}{stopped}"


def make_client(timeout: httpx.Timeout | float = DEFAULT_TIMEOUT, **kwargs: Any) -> httpx.Client:
    """An httpx client with our timeout and user agent. Redirects are followed by :func:`_request`
    itself, same origin only, so a key in the headers never travels to another site."""
    headers = {
        "User-Agent": USER_AGENT,
        "Accept": "application/json",
        "Accept-Encoding": "gzip, deflate",  # the encodings we decode ourselves, with a byte cap
        **kwargs.pop("headers", {}),
    }
    kwargs.pop("follow_redirects", None)
    return httpx.Client(timeout=timeout, headers=headers, follow_redirects=False, **kwargs)


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default = {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host.lower(), url.port or default


class _Decoder:
    """gzip / deflate decoded a bounded piece at a time (``max_length``), so a bomb never expands in memory."""

    def __init__(self, encoding: str):
        import zlib

        encodings = [e.strip().lower() for e in encoding.split(",") if e.strip() and e.strip().lower() != "identity"]
        if len(encodings) > 1 or (encodings and encodings[0] not in ("gzip", "x-gzip", "deflate")):
            raise ValueError(f"the response uses an encoding we did not ask for ({encoding})")
        self.kind = encodings[0] if encodings else None
        self._zlib = zlib
        if self.kind in ("gzip", "x-gzip"):
            self._object = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self.kind == "deflate":
            self._object = zlib.decompressobj()
            self._first = True
        else:
            self._object = None

    def feed(self, chunk: bytes, room: int) -> Iterator[bytes]:
        """Decoded bytes for ``chunk``, never more than ``room`` + 1 at a time."""
        if self._object is None:
            yield chunk
            return
        if self.kind == "deflate" and self._first:
            self._first = False
            try:  # "deflate" is zlib-wrapped by the standard, raw by some servers
                probe = self._zlib.decompressobj()
                probe.decompress(chunk[:2])
            except self._zlib.error:
                self._object = self._zlib.decompressobj(-self._zlib.MAX_WBITS)
        data = chunk
        while True:
            out = self._object.decompress(data, max(1, room + 1))
            if out:
                yield out
                room -= len(out)
            data = self._object.unconsumed_tail
            if not data or room < 0:
                return


def _read_bounded(response: httpx.Response, limits: FetchLimits, deadline: float, which: str) -> bytes:
    """The body, decompressed as it streams, stopped at the byte cap or the deadline."""
    try:
        decoder = _Decoder(response.headers.get("Content-Encoding", ""))
    except ValueError as exc:
        raise FeedError(str(exc), url=str(response.request.url)) from None
    declared = response.headers.get("Content-Length")
    if decoder.kind is None and declared and declared.isdigit() and int(declared) > limits.max_response_bytes:
        raise FeedError(_too_big(limits), url=str(response.request.url), limit="size")
    if response.is_stream_consumed or getattr(response, "_content", None) is not None:
        # Already in memory (a test's MockTransport response): httpx decoded it; only the cap applies.
        if len(response.content) > limits.max_response_bytes:
            raise FeedError(_too_big(limits), url=str(response.request.url), limit="size")
        return response.content
    body = bytearray()
    try:
        for chunk in response.iter_raw():  # as it arrives (a chunk size would wait to fill it)
            for piece in decoder.feed(chunk, limits.max_response_bytes - len(body)):
                body += piece
                if len(body) > limits.max_response_bytes:
                    raise FeedError(_too_big(limits), url=str(response.request.url), limit="size")
            if time.monotonic() > deadline:
                raise _deadline_error(limits, which, response.request.url)
    except decoder._zlib.error as exc:
        raise FeedError(f"the response could not be decompressed ({exc})", url=str(response.request.url)) from None
    return bytes(body)


def _too_big(limits: FetchLimits) -> str:
    return f"a response grew past {limits.max_response_bytes / 1_048_576:g} MB (max_response_mb)"


def _deadline_error(limits: FetchLimits, which: str, url: Any) -> FeedError:
    if which == "sync-deadline":
        message = f"the sync took longer than {limits.sync_seconds / 60:g} minutes (sync_timeout_minutes)"
    else:
        message = f"one request took longer than {limits.page_seconds:g} seconds (page_timeout_seconds)"
    return FeedError(message, url=str(url), limit=which)


def _bounded_timeout(timeout: httpx.Timeout | float | None, seconds_left: float) -> httpx.Timeout:
    base = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
    cap = max(0.05, seconds_left)

    def bound(value: float | None) -> float:
        return cap if value is None else min(value, cap)

    return httpx.Timeout(connect=bound(base.connect), read=bound(base.read), write=bound(base.write), pool=bound(base.pool))


def _request(
    client: httpx.Client,
    url: str,
    *,
    params: Mapping[str, Any] | None,
    retry: RetryPolicy,
    sleep: Sleep,
    timeout: httpx.Timeout | float | None,
    limits: FetchLimits = DEFAULT_LIMITS,
    sync_deadline: float | None = None,
) -> httpx.Response:
    """GET with retries; the body read within the limits; redirects followed on the same origin only.

    Returns a fully read ``httpx.Response`` (its ``content`` already decoded and bounded).
    """
    failures = 0
    start_url = client.build_request("GET", url, params=params).url
    while True:
        retry_after = None
        page_deadline = time.monotonic() + limits.page_seconds
        deadline, which = page_deadline, "page-deadline"
        if sync_deadline is not None and sync_deadline < page_deadline:
            deadline, which = sync_deadline, "sync-deadline"
        if time.monotonic() >= deadline:
            raise _deadline_error(limits, which, start_url)
        try:
            response = _get_following_redirects(client, start_url, limits, deadline, which, timeout)
        except FeedError:
            raise
        except httpx.TimeoutException as exc:
            if time.monotonic() >= deadline:
                raise _deadline_error(limits, which, start_url) from None
            problem, status = f"timed out: {type(exc).__name__}", None
        except httpx.TransportError as exc:
            problem, status = f"could not connect: {exc or type(exc).__name__}", None
        else:
            if response.status_code < 400:
                return response
            status = response.status_code
            problem = f"HTTP {status}"
            if status not in retry.retry_statuses:
                raise FeedError(problem, url=str(response.request.url), status=status, attempts=failures + 1)
            retry_after = response.headers.get("Retry-After")
        failures += 1
        if failures >= retry.attempts:
            raise FeedError(f"{problem} after {failures} attempts", url=url, status=status, attempts=failures)
        wait = retry.delay(failures, retry_after)
        if sync_deadline is not None and time.monotonic() + wait >= sync_deadline:
            raise _deadline_error(limits, "sync-deadline", start_url)
        sleep(wait)


def _get_following_redirects(
    client: httpx.Client,
    url: httpx.URL,
    limits: FetchLimits,
    deadline: float,
    which: str,
    timeout: httpx.Timeout | float | None,
) -> httpx.Response:
    origin = _origin(url)
    for _hop in range(limits.max_redirects + 1):
        request_timeout = _bounded_timeout(
            timeout if timeout is not None else client.timeout, deadline - time.monotonic()
        )
        # Only the encodings _Decoder reads with a byte cap, whatever client we were given.
        with client.stream("GET", url, timeout=request_timeout, follow_redirects=False,
                           headers={"Accept-Encoding": "gzip, deflate"}) as response:
            if response.is_redirect and response.headers.get("Location"):
                target = url.join(response.headers["Location"])
                if _origin(target) != origin:
                    raise FeedError(
                        f"the feed redirected to another site ({target.scheme}://{target.host}); not followed, "
                        "so no key or listing went to or came from it",
                        url=str(url),
                        limit="redirect",
                    )
                url = target
                continue
            body = _read_bounded(response, limits, deadline, which)
            headers = [
                (k, v) for k, v in response.headers.items()
                if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")
            ]
            return httpx.Response(response.status_code, headers=headers, content=body, request=response.request)
    raise FeedError(f"more than {limits.max_redirects} redirects", url=str(url), limit="redirect")


def get_json(
    client: httpx.Client,
    url: str,
    *,
    params: Mapping[str, Any] | None = None,
    retry: RetryPolicy = RetryPolicy(),
    sleep: Sleep = time.sleep,
    timeout: httpx.Timeout | float | None = DEFAULT_TIMEOUT,
    limits: FetchLimits = DEFAULT_LIMITS,
    sync_deadline: float | None = None,
) -> Any:
    """GET and decode JSON, retrying timeouts, connection errors, 429 and 5xx, within ``limits``."""
    response = _request(client, url, params=params, retry=retry, sleep=sleep, timeout=timeout, limits=limits,
                        sync_deadline=sync_deadline)
    try:
        return response.json()
    except ValueError as exc:
        raise FeedError(f"response is not JSON ({exc})", url=str(response.request.url), status=response.status_code) from exc


def get_text(
    client: httpx.Client,
    url: str,
    *,
    params: Mapping[str, Any] | None = None,
    retry: RetryPolicy = RetryPolicy(),
    sleep: Sleep = time.sleep,
    timeout: httpx.Timeout | float | None = DEFAULT_TIMEOUT,
    limits: FetchLimits = DEFAULT_LIMITS,
    sync_deadline: float | None = None,
) -> str:
    """GET a text body (CSV), with the same retries and limits as :func:`get_json`."""
    return _request(client, url, params=params, retry=retry, sleep=sleep, timeout=timeout, limits=limits,
                    sync_deadline=sync_deadline).text
