"""The ``[plugins.signposting]`` table of a site file.

Standard library only: the hub validates this schema at startup, before anything
heavy is imported. Every field has an attribute docstring, which is the site
lead's manual (docs/signposting.md repeats it with examples).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

NATION_CHOICES = ("england-and-wales", "scotland", "northern-ireland")
LOCAL_SOURCE_NAME = "local"
"""The source name of the site's own list of services (its records are keyed ``local:<id>``)."""

_SOURCE_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")


@dataclass
class FeedSettings:
    """One directory feed: a ``[[plugins.signposting.feeds]]`` table."""

    name: str
    """A short name for the feed, used in record keys and `hub directory sync NAME`:
    lower-case letters, digits, - and _ (e.g. "manchester"). Keep it once chosen:
    referrals point at services by it."""

    kind: Literal["oruk_v1", "hsds3", "datapackage"]
    """What the feed speaks: "oruk_v1" (Open Referral UK v1 API), "hsds3" (HSDS or
    ORUK 3.0 API) or "datapackage" (an HSDS CSV data package)."""

    url: str
    """The API's base URL (the part before /services), or for a data package the URL
    of its datapackage.json or a folder relative to the site file."""

    label: str = ""
    """Who publishes it, shown to staff beside "last checked" (e.g. "Manchester City Council")."""

    api_key: str | None = None
    """Only if the feed needs one. Write { "$env" = "MANCHESTER_DIRECTORY_KEY" } rather than the key."""

    api_key_header: str = "X-API-Key"
    """The HTTP header the key is sent in."""

    per_page: int = 50
    """Services asked for per page (API feeds)."""

    max_response_mb: float = 25.0
    """Largest response accepted, in MB after decompression (counted while it arrives, so a
    compressed "bomb" stops at this size). A sync that meets it stops and keeps earlier pages."""

    page_timeout_seconds: float = 60.0
    """Longest one request (a page, a service's details, a CSV) may take, first byte to last;
    a server that trickles its answer is cut off here."""

    sync_timeout_minutes: float = 30.0
    """Longest a whole sync of this feed may take."""

    max_pages: int = 2000
    """Most pages one sync asks for (a feed that never says which page is last stops here)."""

    max_detail_requests: int = 2000
    """Most `/services/{id}` requests one sync makes for HSDS 3.0 services whose list entry has no
    sites; beyond it, those services keep their list entry with a warning."""

    fetch_missing_details: bool = True
    """HSDS / ORUK 3.0 feeds: read `/services/{id}` for services listed without their sites, so
    they get an address and hours instead of showing as "phone or online"."""

    def __post_init__(self) -> None:
        if not _SOURCE_NAME.match(self.name):
            raise ValueError(
                f"feed name {self.name!r} must start with a letter and use only lower-case letters, digits, - and _"
            )
        if self.name == LOCAL_SOURCE_NAME:
            raise ValueError(f"feed name {LOCAL_SOURCE_NAME!r} is kept for the site's own list of services")
        if self.kind != "datapackage" and not re.match(r"^https?://", self.url):
            raise ValueError(f"feed {self.name!r}: url must start with http:// or https://")
        if not 1 <= self.per_page <= 1000:
            raise ValueError(f"feed {self.name!r}: per_page must be between 1 and 1000")
        if not 0.1 <= self.max_response_mb <= 1024:
            raise ValueError(f"feed {self.name!r}: max_response_mb must be between 0.1 and 1024")
        if not 1 <= self.page_timeout_seconds <= 3600:
            raise ValueError(f"feed {self.name!r}: page_timeout_seconds must be between 1 and 3600")
        if not 1 <= self.sync_timeout_minutes <= 24 * 60:
            raise ValueError(f"feed {self.name!r}: sync_timeout_minutes must be between 1 and 1440")
        if not 1 <= self.max_pages <= 100_000:
            raise ValueError(f"feed {self.name!r}: max_pages must be between 1 and 100000")
        if not 0 <= self.max_detail_requests <= 1_000_000:
            raise ValueError(f"feed {self.name!r}: max_detail_requests must be between 0 and 1000000")


@dataclass
class SignpostingSettings:
    """The [plugins.signposting] table."""

    nation: Literal["england-and-wales", "scotland", "northern-ireland"] = "england-and-wales"
    """Whose bank holidays apply when working out whether a service is open."""

    local_services: str = ""
    """The site's own list of local services, a TOML file relative to the site file
    (e.g. "northside-services.toml"). Empty: no local list."""

    feeds: list[FeedSettings] = field(default_factory=list)
    """Directory feeds to sync, one [[plugins.signposting.feeds]] table each."""

    stale_after_days: int = 90
    """Listings last checked longer ago than this are marked "not checked recently" and ranked lower."""

    follow_up_days: int = 14
    """A new referral's follow-up date is this many days ahead."""

    radius_miles: float = 10.0
    """When a postcode is given, local services further away than this are not listed."""

    sync_every_hours: int = 0
    """Sync every source this often in the background while a kiosk is running (kiosks sharing the
    site database take turns; `hub jobs run --due` does it from cron). 0: only when staff press
    Ctrl+Y on the tab or a site lead runs `hub directory sync`."""

    include_northern_ireland: bool = False
    """Geocode Northern Ireland (BT) postcodes. Their licence (Land & Property Services) differs:
    switch on only if your use is covered; the About screen then shows the extra attribution."""

    def __post_init__(self) -> None:
        names = [feed.name for feed in self.feeds]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"feeds: the name {', '.join(map(repr, repeated))} is used twice; give each feed its own")
        if not 1 <= self.stale_after_days <= 3650:
            raise ValueError("stale_after_days must be between 1 and 3650")
        if not 1 <= self.follow_up_days <= 365:
            raise ValueError("follow_up_days must be between 1 and 365")
        if not 0 < self.radius_miles <= 200:
            raise ValueError("radius_miles must be more than 0 and at most 200")
        if not 0 <= self.sync_every_hours <= 24 * 31:
            raise ValueError("sync_every_hours must be between 0 (off) and 744 (a month)")
