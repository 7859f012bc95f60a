"""HTTP for directory feeds: one request at a time, with timeouts, retries and backoff.

Every function takes an ``httpx.Client`` (tests pass one built on
``httpx.MockTransport``) and an injectable ``sleep`` so retries cost no time in
tests. Running a sync (paging, detail fetches, outcomes) is :mod:`.sync`; this
module only knows how to get one response safely.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping

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


class FeedError(Exception):
    """A feed could not be read (after retries, where retrying made sense)."""

    def __init__(
        self,
        message: str,
        *,
        url: str | None = None,
        page: int | None = None,
        status: int | None = None,
        attempts: int = 1,
    ):
        super().__init__(message)
        self.message = message
        self.url = url
        self.page = page
        self.status = status
        self.attempts = attempts

    def __str__(self) -> str:
        where = f" (page {self.page})" if self.page is not None else ""
        return f"{self.message}{where}"


def make_client(timeout: httpx.Timeout | float = DEFAULT_TIMEOUT, **kwargs: Any) -> httpx.Client:
    """An httpx client with our timeout, user agent and redirects followed."""
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json", **kwargs.pop("headers", {})}
    return httpx.Client(timeout=timeout, headers=headers, follow_redirects=True, **kwargs)


def _request(
    client: httpx.Client,
    url: str,
    *,
    params: Mapping[str, Any] | None,
    retry: RetryPolicy,
    sleep: Sleep,
    timeout: httpx.Timeout | float | None,
) -> httpx.Response:
    failures = 0
    while True:
        retry_after = None
        try:
            response = client.get(url, params=params, timeout=timeout)
        except httpx.TimeoutException as exc:
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
        sleep(retry.delay(failures, retry_after))


def get_json(
    client: httpx.Client,
    url: str,
    *,
    params: Mapping[str, Any] | None = None,
    retry: RetryPolicy = RetryPolicy(),
    sleep: Sleep = time.sleep,
    timeout: httpx.Timeout | float | None = DEFAULT_TIMEOUT,
) -> Any:
    """GET and decode JSON, retrying timeouts, connection errors, 429 and 5xx."""
    response = _request(client, url, params=params, retry=retry, sleep=sleep, timeout=timeout)
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
) -> str:
    """GET a text body (CSV), with the same retries as :func:`get_json`."""
    return _request(client, url, params=params, retry=retry, sleep=sleep, timeout=timeout).text
