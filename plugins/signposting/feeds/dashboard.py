"""The ORUK validator dashboard: a list of known public feeds and what the validator last found."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Mapping



@dataclass(slots=True)
class KnownFeed:
    """A published ORUK feed and what the validator last found."""

    url: str
    label: str
    organisation: str | None = None
    developer: str | None = None
    last_check: dt.datetime | None = None
    is_up: bool | None = None
    services_valid: bool | None = None
    failed_tests: list[str] = field(default_factory=list)


def parse_oruk_dashboard(payload: Any) -> list[KnownFeed]:
    """The ORUK dashboard response -> known feeds (entries without a URL are left out)."""
    feeds = []
    for item in payload if isinstance(payload, list) else []:
        if not isinstance(item, Mapping) or not isinstance(item.get("url"), str):
            continue
        failed = [
            str(test.get("testName"))
            for test in item.get("searchResults") or []
            if isinstance(test, Mapping) and test.get("success") is False
        ]
        last_check = None
        if isinstance(item.get("lastCheck"), str):
            try:
                last_check = dt.datetime.fromisoformat(item["lastCheck"])
            except ValueError:
                last_check = None
        feeds.append(
            KnownFeed(
                url=item["url"].rstrip("/"),
                label=str(item.get("label") or item["url"]),
                organisation=item.get("organisationLabel"),
                developer=item.get("developerLabel"),
                last_check=last_check,
                is_up=item.get("isUp") if isinstance(item.get("isUp"), bool) else None,
                services_valid=item.get("isServicesValid") if isinstance(item.get("isServicesValid"), bool) else None,
                failed_tests=failed,
            )
        )
    return feeds