"""The directory for a running hub: the site's settings, sources and needs applied to store and search.

The screen and the CLI call these; the modules underneath (store, search,
referrals) take plain arguments so they can be tested without a hub. Nothing
here imports Textual. Call the slow ones (``sync``, ``reindex_needs_if_changed``)
from a worker.
"""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from .settings import LOCAL_SOURCE_NAME, SignpostingSettings

if TYPE_CHECKING:
    from hub.api import Hub

    from . import geo
    from .feeds.quality import QualitySummary
    from .needs import NeedsCatalogue
    from .search import SearchResults
    from .sources import FetchContext, Source
    from .store import SourceStatus, SyncReport

PLUGIN_NAME = "signposting"


class UnknownSource(ValueError):
    """``hub directory sync NAME`` with a name no source has."""


def settings(hub: "Hub") -> SignpostingSettings:
    """The site's [plugins.signposting] settings (defaults when the table is absent)."""
    return hub.plugin_config(PLUGIN_NAME) or SignpostingSettings()


def site_folder(hub: "Hub") -> Path:
    """Paths in the settings are relative to the site file's folder."""
    return Path(hub.config.path).resolve().parent


def builtin_sources(hub: "Hub") -> list["Source"]:
    """The feeds and local file the site file names (the plugin's own ``signposting_sources``)."""
    from .sources import sources_from_settings

    return sources_from_settings(settings(hub), site_folder(hub))


def sources(hub: "Hub") -> tuple[list["Source"], list[str]]:
    """Every source from every plugin, and problems (a repeated or malformed name) to show the site lead."""
    found: list["Source"] = []
    problems: list[str] = []
    names: set[str] = set()
    for result in hub.plugins.call_flat("signposting_sources", hub=hub):
        source = result.value
        name = getattr(source, "name", None)
        if not isinstance(name, str) or not name or ":" in name or not callable(getattr(source, "fetch", None)):
            problems.append(f"the {result.plugin} plugin gave a source without a usable name or fetch(): {source!r}")
            continue
        if name in names:
            problems.append(f"the {result.plugin} plugin gave a second source named {name!r}; it was ignored")
            continue
        names.add(name)
        found.append(source)
    return found, problems


_catalogues: "weakref.WeakKeyDictionary[Hub, NeedsCatalogue]" = weakref.WeakKeyDictionary()
_catalogue_lock = threading.Lock()


def catalogue(hub: "Hub") -> "NeedsCatalogue":
    """The curated needs, extended by every plugin's ``signposting_needs`` (asked once per hub, so each
    keystroke's search does not call every plugin again); a bad mapping disables its plugin."""
    from .needs import load_needs

    with _catalogue_lock:
        cached = _catalogues.get(hub)
        if cached is not None:
            return cached
        result_catalogue = load_needs()
        for result in hub.plugins.call("signposting_needs", hub=hub):
            try:
                result_catalogue = result_catalogue.extended(result.value)
            except (ValueError, TypeError, AttributeError) as exc:
                hub.plugins.disable(result.plugin, f"signposting_needs returned an unusable mapping: {exc}")
        _catalogues[hub] = result_catalogue
        return result_catalogue


_gazetteers: dict[bool, "geo.PostcodeGazetteer"] = {}
_gazetteer_lock = threading.Lock()


def gazetteer(hub: "Hub") -> "geo.PostcodeGazetteer":
    """The offline postcode lookup, with Northern Ireland only when the site switched it on."""
    from . import geo

    include_ni = settings(hub).include_northern_ireland
    with _gazetteer_lock:
        if include_ni not in _gazetteers:
            _gazetteers[include_ni] = geo.PostcodeGazetteer(include_northern_ireland=include_ni)
        return _gazetteers[include_ni]


def geocoder(hub: "Hub") -> Callable[[str], Any]:
    lookup = gazetteer(hub)
    return lookup.geocode


def reindex_needs_if_changed(hub: "Hub") -> int:
    """Re-work need matches when the mapping changed (a plugin added terms); returns services redone."""
    from . import store

    current = catalogue(hub)
    if store.needs_index_is_current(hub.db, current):
        return 0
    return store.reindex_needs(hub.db, current)


def describe_sync(reports: list["SyncReport"]) -> str:
    """One line for staff and `hub jobs`: each source's counts (no personal data)."""
    return "; ".join(report.summary() for report in reports) or "No sources to sync."


def sync(
    hub: "Hub",
    source_name: str | None = None,
    *,
    full: bool = False,
    context_factory: Callable[[], "FetchContext"] | None = None,
    progress: Callable[["SyncReport"], None] | None = None,
) -> list["SyncReport"]:
    """Sync one source by name, or all of them; one report each. Raises UnknownSource for a bad name."""
    from . import store

    available, _problems = sources(hub)
    if source_name is not None:
        available = [s for s in available if s.name == source_name]
        if not available:
            from hub.api import did_you_mean

            names = [s.name for s in sources(hub)[0]]
            hint = did_you_mean(source_name, names)
            known = ", ".join(names) or "none (add feeds or local_services to [plugins.signposting])"
            raise UnknownSource(f"no source is called {source_name!r}{hint}; sources: {known}")
    reindex_needs_if_changed(hub)
    current = catalogue(hub)
    geocode = geocoder(hub)
    reports = []
    for source in available:
        context = context_factory() if context_factory else None
        report = store.sync_source(hub.db, source, context=context, full=full, catalogue=current, geocode=geocode,
                                   progress=progress)
        reports.append(report)
    return reports


def sync_status(hub: "Hub") -> list["SourceStatus"]:
    """Every source the site uses or has data from, with its last good sync (never-synced ones included)."""
    from . import store

    statuses = {status.name: status for status in store.sync_status(hub.db)}
    for source in sources(hub)[0]:
        if source.name not in statuses:
            describe = getattr(source, "describe", None)
            statuses[source.name] = store.SourceStatus(
                name=source.name,
                label=getattr(source, "label", "") or source.name,
                kind=getattr(source, "kind", "custom"),
                location=describe() if callable(describe) else "",
                services=0,
                last_good_sync_at=None,
                last_attempt_at=None,
                last_attempt_complete=None,
                last_error=None,
                last_run=None,
            )
    return sorted(statuses.values(), key=lambda s: (s.name != LOCAL_SOURCE_NAME, s.name))


def search(
    hub: "Hub",
    text: str = "",
    *,
    near: str | None = None,
    needs: Sequence[str] = (),
    open_at: dt.datetime | None = None,
    day: dt.date | None = None,
    open_only: bool = False,
    limit: int = 20,
    remote_limit: int = 10,
) -> "SearchResults":
    """:func:`search.search` with the site's nation, radius, staleness, postcode data and needs mapping."""
    from .search import search as run_search

    site = settings(hub)
    return run_search(
        hub.db,
        text,
        near=near,
        needs=needs,
        open_at=open_at,
        day=day,
        open_only=open_only,
        limit=limit,
        remote_limit=remote_limit,
        radius_miles=site.radius_miles,
        nation=site.nation,
        stale_after_days=site.stale_after_days,
        gazetteer=gazetteer(hub),
        catalogue=catalogue(hub),
    )


def data_quality(hub: "Hub") -> dict[str, "QualitySummary"]:
    """Each source's stored data-quality warnings grouped by kind, with counts and three examples."""
    import json

    from .feeds.quality import summarise
    from .feeds.text import clean_text  # listings stored before ingest cleaning existed

    by_source: dict[str, list[tuple[str, list[str]]]] = {}
    for source, name, warnings in hub.db.execute("select source, name, warnings from directory_services order by id"):
        try:
            messages = json.loads(warnings or "[]")
        except ValueError:
            messages = []
        by_source.setdefault(source, []).append(
            (clean_text(str(name), limit=300), [clean_text(str(m), limit=300) for m in messages] if isinstance(messages, list) else [])
        )
    return {source: summarise(items) for source, items in sorted(by_source.items())}


def about_text(hub: "Hub") -> str:
    """The About screen's text for this site (postcode data, Open Referral, bank holidays, sources)."""
    from .about import about_text as build

    return build(include_northern_ireland=settings(hub).include_northern_ireland, sources=sync_status(hub))


def about_sections(hub: "Hub") -> list[tuple[str, str]]:
    """The About screen as (title, text) sections, for a screen that lays them out itself."""
    from .about import about_sections as build

    return build(include_northern_ireland=settings(hub).include_northern_ireland, sources=sync_status(hub))


# --------------------------------------------------------------------------
# Referrals, follow-ups, problem reports and slips, as the signed-in staff member at this kiosk
# --------------------------------------------------------------------------


def refer(
    hub: "Hub",
    resident_id: int,
    service_key: str,
    *,
    kind: str,
    needs: Sequence[str] = (),
    note: str = "",
    service_at_location_key: str | None = None,
) -> int:
    """Record a referral (see ``referrals.create_referral``) with the site's follow-up period; returns its id."""
    from . import referrals

    return referrals.create_referral(
        hub.db, resident_id, service_key, kind=kind, staff=hub.staff, terminal=hub.terminal, needs=list(needs),
        note=note, service_at_location_key=service_at_location_key, follow_up_days=settings(hub).follow_up_days, hub=hub,
    )


def change_referral(hub: "Hub", referral_id: int, status: str, *, reason: str = "", outcome: str = "") -> dict[str, Any]:
    """Move a referral on (``referrals.change_status``); RefusedTransition/ConsentRequired/ReferralError say why not."""
    from . import referrals

    return referrals.change_status(
        hub.db, referral_id, status, staff=hub.staff, terminal=hub.terminal, reason=reason, outcome=outcome,
        follow_up_days=settings(hub).follow_up_days, hub=hub,
    )


def followups_due(hub: "Hub", today: dt.date | None = None) -> list[dict[str, Any]]:
    """Open referrals whose follow-up date has come (``referrals.followups_due``)."""
    from . import referrals

    return referrals.followups_due(hub.db, today)


def report_problem(hub: "Hub", service_key: str, problem: str) -> int:
    """"Report a problem with this listing", for the site lead; returns the report's id."""
    from . import referrals

    return referrals.report_problem(hub.db, service_key, problem, staff=hub.staff, terminal=hub.terminal)


def referral_slip(hub: "Hub", referral_id: int) -> bytes:
    """The PDF slip for a recorded referral, headed with the site's name."""
    from . import slip

    return slip.referral_slip(hub.db, referral_id, site_name=hub.config.hub.site_name)


def service_slip(hub: "Hub", service_key: str, *, preferred_name: str = "", service_at_location_key: str | None = None) -> bytes:
    """A PDF slip for a listing without recording a referral."""
    from . import slip

    return slip.service_slip(
        hub.db, service_key, site_name=hub.config.hub.site_name, preferred_name=preferred_name,
        service_at_location_key=service_at_location_key,
    )
