"""Finding services: full-text, needs, distance, opening hours and freshness, ranked transparently.

How a search runs (docs/signposting.md, "How results are ranked", is the staff-facing version):

1. **Candidates, from the search index** (``index.py``). Typed words go through FTS5:
   each word is quoted, so nothing typed is read as query syntax; common words ("help",
   "with") are dropped; the last word is matched as a prefix while it is being typed. One
   FTS query intersects the words (or, with no words, the chosen needs) with the area: the
   grid cells around a postcode; the sites found are then checked against the radius.
   Phone/online services are their own small query (kept to the areas they serve when the
   feed says, see ``index.area_tokens``), as is the count of services with no position;
   both are cached per words, needs, time slot and area until the index changes. If no
   service has every word (whatever its hours), services with any of them are used and the
   results say so. Inactive and defunct services are not in the index.
2. **The score**, the sum of:

   ========== ==========================================================
   text       0-10: each typed word scores where a word of the listing
              starts with it: in the name 10; in its other names,
              organisation, categories or the labels of the needs it fits
              4 (needs only where the site lead listed it or a category
              says so); elsewhere (the description, a need found from it,
              or another form of the word) 1; then averaged over
              the words (a word it lacks scores 0 when only some words
              are required)
   needs      for each chosen need, its evidence: listed under it by the
              site lead 4, tagged with one of its categories 3, one of its
              keywords in the name 2, elsewhere 1
   distance   0-10: 10 at the postcode, falling in a straight line to 0 at
              the radius (10 miles by default)
   freshness  -4 when not checked for ``stale_after_days`` (90) or undated
   status     -8 when the service says it is temporarily closed
   ========== ==========================================================

   Ties go to the nearer, then the more recently checked, then by name.
3. **Opening hours** never change the order. With ``open_only`` the ranking row's week (14
   integers of quarter-hour bits, ``schedules.week_bitmap``) leaves out, inside the query,
   services certainly closed then; the state shown is ``schedules.opening_at``/``opening_on``
   answered from the row's plain weekly hours, or from the stored schedules for irregular
   ones, site by site: a service is open when one of its sites in reach is (that site is
   shown). Services whose hours are unknown stay, marked "call first".
4. **The same service from two feeds** (``index.dedupe_key``: normalised name + postcode +
   phone) is one result, its other sources named in ``also_listed_by``.

Phone, online and national services (nowhere to go to) are returned in their
own list, never mixed into a nearest-first list. Distances are approximated in
SQL (flat-earth, fine within tens of miles) to choose and order candidates; the
distance shown and scored is the great-circle distance.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import math
import re
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from . import geo, index, schedules
from .index import fold_accents
from .model import STALE_AFTER_DAYS, Schedule

if TYPE_CHECKING:
    from sqlite_utils import Database

    from .needs import NeedsCatalogue

NAME_POINTS = 10.0
OTHER_POINTS = 4.0
ELSEWHERE_POINTS = 1.0
DISTANCE_POINTS = 10.0
STALE_POINTS = -4.0
TEMPORARILY_CLOSED_POINTS = -8.0
DEFAULT_RADIUS_MILES = 10.0
MILES_PER_DEGREE_LATITUDE = geo.EARTH_RADIUS_MILES * math.pi / 180

STOP_WORDS = frozenset(
    "a about an and any are as at be by can do for from get have help i in is it me my near need no not of on or "
    "please some the to with".split()
)
"""Left out of the text match, unless nothing else was typed ("help with debt" -> debt)."""

MAX_WORDS = 10


class SearchError(ValueError):
    """Bad search input (an unknown need); the message says what is allowed."""


# --------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------


@dataclass
class OpeningInfo:
    """Whether a service is open at the asked time or on the asked day."""

    state: str
    """"open", "closed", "unknown" (hours unknown, call first) or "bank_holiday" (call first)."""
    label: str
    """"Open", "Closed", "Hours unknown, call first", "Bank holiday: may be closed, call first"."""
    reason: str
    """In plain words: "open now until 17:00", "not open on Sundays", "no opening hours published; call first"."""


@dataclass
class SearchResult:
    """One service in a result list, with everything the screen shows and why it is there."""

    key: str
    name: str
    organisation: str | None
    description: str | None
    source: str
    address: str | None
    """The nearest site's address on one line (or the first site's, without a postcode)."""
    postcode: str | None
    phones: list[str]
    email: str | None
    url: str | None
    access: str | None
    """How to get in: "drop-in", "appointment", "referral", "membership" or None."""
    delivery: list[str]
    """How it is delivered (ORUK attending types): "venue", "phone", "online", "home visit"."""
    remote: bool
    """True for phone, online and national services (listed apart from local ones)."""
    distance_miles: float | None
    distance_text: str
    """"0.4 miles", "about 3 miles", "phone or online service", or why the distance is unknown."""
    opening: OpeningInfo | None
    """None when no time or day was asked about."""
    last_checked: dt.date | None
    freshness: str
    """"Last checked 3 Nov 2026" or "Not checked recently: ..."."""
    stale: bool
    status: str
    score: float
    score_parts: dict[str, float]
    """The score's parts (text, needs, distance, freshness, status), for "why this order"."""
    reasons: list[str]
    """Why it matched, in plain words: typed words, needs (with their evidence), distance."""
    needs_matched: list[str]
    service_at_location_key: str | None
    warnings: list[str] = field(default_factory=list)
    """Data-quality notes from the feed, for staff."""
    also_listed_by: list[str] = field(default_factory=list)
    """Other feeds that list the same service (same normalised name, postcode and phone:
    ``index.dedupe_key``); shown as this one result, with its own source first."""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["last_checked"] = self.last_checked.isoformat() if self.last_checked else None
        return data


@dataclass
class SearchResults:
    """Local services (nearest or best first) and, apart, phone/online/national ones."""

    local: list[SearchResult]
    remote: list[SearchResult]
    origin: geo.GeoPoint | None
    """Where distances are measured from (``origin.label`` says if it is approximate)."""
    notes: list[str]
    """Things staff should know about the search itself ("no service had all your words ...")."""
    words: list[str]
    """The words actually searched for (after dropping common words)."""
    asked: str | None
    """The UK local time ("2026-11-24T11:00") or date the opening states refer to; None if not asked."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "local": [r.to_dict() for r in self.local],
            "remote": [r.to_dict() for r in self.remote],
            "origin": None
            if self.origin is None
            else {
                "postcode": self.origin.matched,
                "label": self.origin.label,
                "approximate": self.origin.approximate,
                "latitude": self.origin.latitude,
                "longitude": self.origin.longitude,
            },
            "notes": self.notes,
            "words": self.words,
            "asked": self.asked,
        }


# --------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------


def search_words(text: str) -> tuple[list[str], bool]:
    """The words to match and whether the last one is still being typed (so matched as a prefix)."""
    words = re.findall(r"\w+", fold_accents(text or "").casefold())[: MAX_WORDS * 2]
    # Single letters (the "o" of "O'Brien", the "s" of "children's") and common words match too much.
    meaningful = [w for w in words if w not in STOP_WORDS and (len(w) > 1 or w.isdigit())] or words
    still_typing = bool(text) and not text[-1].isspace() and bool(words) and meaningful[-1:] == words[-1:]
    return meaningful[:MAX_WORDS], still_typing


def fts_query(words: Sequence[str], prefix_last: bool, *, any_word: bool = False) -> str:
    """An FTS5 query where every word is a quoted string: nothing typed can be read as syntax."""
    terms = []
    for index, word in enumerate(words):
        quoted = '"' + word.replace('"', '""') + '"'
        if prefix_last and index == len(words) - 1 and len(word) >= 2:
            quoted += "*"
        terms.append(quoted)
    return (" OR " if any_word else " ").join(terms)


def _text_reasons(words: Sequence[str], row: dict[str, Any], any_word: bool, need_explanations: Sequence[str]) -> list[str]:
    """Where each typed word was found, by the same rule as its points (a word of the listing starting with it)."""
    from .index import word_text

    def need_reason(key: str, word: str) -> str:
        explanation = next((e for e in need_explanations if key in word_text(e.split(":", 1)[0])), None)
        return f"'{word}' is a need it fits: {explanation}" if explanation else f"'{word}' is a need it fits"

    reasons = []
    for word in words:
        key = " " + word
        if key in (row["name_words"] or ""):
            reason = f"says '{word}' in its name"
        elif key in word_text(row["other_names"]):
            reason = f"says '{word}' in its other names or organisation"
        elif key in word_text(row["terms"]):
            reason = f"says '{word}' in its categories"
        elif key in (row["other_words"] or ""):  # a need it fits on strong evidence
            reason = need_reason(key, word)
        elif key in word_text(row["description"]):
            reason = f"says '{word}' in its description"
        elif key in word_text(row["need_labels"]):
            reason = need_reason(key, word)
        elif not any_word:
            reason = f"matches a form of '{word}'"
        else:
            continue
        if reason not in reasons:
            reasons.append(reason)
    return reasons or ["matches some of your words"]


def origin_phrase(origin: geo.GeoPoint) -> str:
    """"M40 7AB", or "the middle of district M40" when only an area was found."""
    if origin.precision == "postcode":
        return origin.matched
    area = "postcode sector" if origin.precision == "sector" else "district"
    return f"the middle of {area} {origin.matched}"




# --------------------------------------------------------------------------
# The candidate queries
# --------------------------------------------------------------------------

LOCAL, REMOTE, UNPLACED = index.LOCAL, index.REMOTE, index.UNPLACED
"""Groups of candidates: nearby (or any local, without a postcode); phone/online; local but with
no known position (only counted when a postcode is given)."""

MAX_CELLS = 600
"""Beyond this many grid cells (a very large radius) the area is found from the sites' box alone."""


def _ensure_sqrt(db: "Database") -> None:
    """SQLite builds without math functions get a Python sqrt (only used for distances)."""
    try:
        db.conn.execute("select sqrt(4)").fetchone()
    except Exception as exc:  # sqlite3's or sqlcipher3's OperationalError (an encrypted site)
        if "sqrt" not in str(exc):
            raise
        db.conn.create_function("sqrt", 1, lambda x: math.sqrt(x) if x is not None and x >= 0 else None, deterministic=True)


@dataclass
class _Plan:
    words: list[str]
    text_query: str | None
    any_word: bool
    needs: list[str]
    needs_filter: bool
    origin: geo.GeoPoint | None
    radius_miles: float
    stale_cutoff: str
    open_slot: tuple[int, int] | None
    """(half-day integer, bit) of the asked quarter-hour, to leave out certainly-closed services."""
    open_day: int | None
    """Weekday (0 Monday) to leave out services certainly closed all that day."""

    @property
    def open_filter(self) -> bool:
        return self.open_slot is not None or self.open_day is not None


def _match(plan: _Plan, area: str | None = None, *, exclude_remote: bool = False) -> str | None:
    """The one FTS5 query: typed words (in the text columns) AND chosen needs AND the area."""
    parts = []
    if plan.text_query:
        parts.append(f"{index.TEXT_COLUMNS}: ({plan.text_query})")
    if plan.needs_filter:
        parts.append("{needs}: (" + " OR ".join(index.need_token(n) for n in plan.needs) + ")")
    if area:
        parts.append(area)
    query = " AND ".join(parts)
    if query and exclude_remote:
        query = f"({query}) NOT {{area}}: zremote"
    return query or None


def _scoring(plan: _Plan, params: dict[str, Any], distance: bool) -> tuple[str, str]:
    """SQL for (the score's parts as columns, the open-only filter) over ``r`` (the ranking row)."""
    if plan.words:
        parts = []
        for i, word in enumerate(plan.words):
            params[f"w{i}"] = " " + word
            found_anywhere = f"r.service_id in (select rowid from {index.FTS_TABLE} where {index.FTS_TABLE} match :fts{i})" if plan.any_word else "1"
            if plan.any_word:
                params[f"fts{i}"] = f"{index.TEXT_COLUMNS}: ({fts_query([word], False)})"
            parts.append(
                f"(case when instr(r.name_words, :w{i}) then {NAME_POINTS} "
                f"when instr(r.other_words, :w{i}) then {OTHER_POINTS} "
                f"when {found_anywhere} then {ELSEWHERE_POINTS} else 0.0 end)"
            )
        text = f"(({' + '.join(parts)}) / {len(plan.words)}.0)"
    else:
        text = "0.0"
    if plan.needs:
        params.update({f"need{i}": need for i, need in enumerate(plan.needs)})
        marks = ", ".join(f":need{i}" for i in range(len(plan.needs)))
        needs = f"coalesce((select sum(score) from directory_service_needs where service_id = r.service_id and need in ({marks})), 0)"
    else:
        needs = "0"
    dist = (
        f"(case when d.d2 is null then 0.0 else max(0.0, {DISTANCE_POINTS} * "
        f"(1 - sqrt(d.d2) * {MILES_PER_DEGREE_LATITUDE} / :radius)) end)" if distance else "0.0"
    )
    params["stale_cutoff"] = plan.stale_cutoff
    params["radius"] = plan.radius_miles
    columns = (
        f"{text} as text_points, {needs} as need_points, {dist} as distance_points, "
        f"case when r.last_checked is null or r.last_checked < :stale_cutoff then {STALE_POINTS} else 0.0 end as stale_points, "
        f"case when r.temporarily_closed then {TEMPORARILY_CLOSED_POINTS} else 0.0 end as status_points"
    )
    where = ["1"]
    if plan.open_filter:
        where.append("r.temporarily_closed = 0")
    if plan.open_slot is not None:
        half, bit = plan.open_slot
        where.append(f"(r.hours != {index.HOURS_WEEKLY} or (r.w{int(half)} >> {int(bit)}) & 1)")
    if plan.open_day is not None:
        where.append(f"(r.hours != {index.HOURS_WEEKLY} or (r.days >> {int(plan.open_day)}) & 1)")
    return columns, " and ".join(where)


_ROW = ("r.service_id, r.hours, r.week, r.bank_holiday_opening, r.temporarily_closed, r.dedupe, r.grp, r.last_checked, r.name")


def _local_sql(plan: _Plan) -> tuple[str, dict[str, Any]]:
    """Local candidates, best first: FTS (words, needs and grid cells at once), then the sites
    of those services within the radius, then the ranking rows."""
    params: dict[str, Any] = {}
    if plan.origin is not None:
        columns, where = _scoring(plan, params, distance=True)
        lat, lon = plan.origin.latitude, plan.origin.longitude
        dlat = plan.radius_miles / MILES_PER_DEGREE_LATITUDE
        k = math.cos(math.radians(lat))
        dlon = dlat / max(k, 0.01)
        params.update(lat=lat, lon=lon, k=k, lat_min=lat - dlat, lat_max=lat + dlat, lon_min=lon - dlon,
                      lon_max=lon + dlon, r2=dlat * dlat)
        cells = index.cells_around(lat - dlat, lat + dlat, lon - dlon, lon + dlon)
        area = "{area}: (" + " OR ".join(index.cell_token(c) for c in cells) + ")" if len(cells) <= MAX_CELLS else None
        query = _match(plan, area, exclude_remote=area is None)
        box = "sal.latitude between :lat_min and :lat_max and sal.longitude between :lon_min and :lon_max"
        d2 = "(sal.latitude - :lat) * (sal.latitude - :lat) + ((sal.longitude - :lon) * :k) * ((sal.longitude - :lon) * :k)"
        if query is None:  # no words, no needs, a huge radius: every placed site in the box
            near = f"select sal.service_id, min({d2}) as d2, sal.id as sal_id from directory_service_at_location sal where {box} group by sal.service_id having d2 <= :r2"
            ctes = f"near as materialized ({near})"
        else:
            params["q"] = query
            ctes = (
                f"hits as materialized (select rowid as service_id from {index.FTS_TABLE} where {index.FTS_TABLE} match :q), "
                f"near as materialized (select sal.service_id, min({d2}) as d2, sal.id as sal_id from hits h "
                f"join directory_service_at_location sal on sal.service_id = h.service_id where {box} "
                "group by sal.service_id having d2 <= :r2)"
            )
        source = f"near d join {index.RANK_TABLE} r on r.service_id = d.service_id"
        select = f"d.d2 as d2, d.sal_id as sal_id"
    else:
        columns, where = _scoring(plan, params, distance=False)
        query = _match(plan, exclude_remote=True)
        if query is None:
            ctes = None
            source = f"{index.RANK_TABLE} r"
            where += f" and r.grp != {REMOTE}"
        else:
            params["q"] = query
            ctes = f"hits as materialized (select rowid as service_id from {index.FTS_TABLE} where {index.FTS_TABLE} match :q)"
            source = f"hits h join {index.RANK_TABLE} r on r.service_id = h.service_id"
        select = "null as d2, null as sal_id"
    sql = (
        (f"with {ctes}, " if ctes else "with ")
        + f"scored as (select {_ROW}, {select}, {columns} from {source} where {where}) "
        "select *, text_points + need_points + distance_points + stale_points + status_points as score, "
        "count(*) over () as group_size from scored "
        "order by score desc, d2, last_checked desc, name limit :fetch"
    )
    return sql, params


def _remote_sql(plan: _Plan, served: Sequence[str] | None) -> tuple[str, dict[str, Any]]:
    """Phone/online candidates: their own small FTS query. With a postcode, services that say
    which areas they serve are kept only when one is the resident's (listed first); services
    that do not say come after them."""
    params: dict[str, Any] = {}
    columns, where = _scoring(plan, params, distance=False)
    params["q"] = _match(plan, "{area}: zremote")
    if served:
        tests = " or ".join(f"instr(r.served, :served{i})" for i in range(len(served)))
        params.update({f"served{i}": f" {token} " for i, token in enumerate(served)})
        area_rank = f"case when r.served is null then 1 when {tests} then 0 else 2 end"
    else:
        area_rank = "0"
    return (
        f"with hits as materialized (select rowid as service_id from {index.FTS_TABLE} where {index.FTS_TABLE} match :q), "
        f"scored as (select {_ROW}, null as d2, null as sal_id, {columns}, {area_rank} as area_rank "
        f"from hits h join {index.RANK_TABLE} r on r.service_id = h.service_id where {where}) "
        "select *, text_points + need_points + distance_points + stale_points + status_points as score, "
        "count(*) over () as group_size from scored where area_rank < 2 "
        "order by area_rank, score desc, last_checked desc, name limit :fetch"
    ), params


def _unplaced_sql(plan: _Plan) -> tuple[str, dict[str, Any]]:
    params: dict[str, Any] = {"q": _match(plan, "{area}: zunplaced")}
    _columns, where = _scoring(plan, {}, distance=False)
    return (
        f"with hits as materialized (select rowid as service_id from {index.FTS_TABLE} where {index.FTS_TABLE} match :q) "
        f"select count(*) from hits h join {index.RANK_TABLE} r on r.service_id = h.service_id where {where}"
    ), params


@dataclass
class _Candidate:
    service_id: int
    group: int
    d2: float | None
    sal_id: int | None
    parts: dict[str, float]
    position: int
    hours: int
    week: str | None
    bank_holiday_opening: str | None
    temporarily_closed: bool
    dedupe: str | None
    also: list[int] = field(default_factory=list)
    """Ids of the same service from other feeds (index.dedupe_key), shown as one result."""


_CACHE: dict[tuple, Any] = {}
_CACHE_SIZE = 256


def _cached(db: "Database", key: tuple, compute):
    """Remote and unplaced answers per (words, needs, time slot, area): small, asked again at every
    keystroke, and the same until the index changes (its generation is part of the key)."""
    full_key = (id(db.conn), index.generation(db.conn), *key)
    if full_key in _CACHE:
        return _CACHE[full_key]
    value = compute()
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[full_key] = value
    return value


def _execute(db: "Database", sql: str, params: dict[str, Any]) -> list[tuple]:
    try:
        return db.conn.execute(sql, params).fetchall()
    except Exception as exc:  # sqlite3's or, on an encrypted site, sqlcipher3's OperationalError
        if type(exc).__name__ == "OperationalError" and ("fts5" in str(exc).lower() or "syntax" in str(exc).lower()):
            return []  # belt and braces: a query FTS still rejects finds nothing
        raise


def _candidates(rows: list[tuple], group: int | None) -> tuple[list[_Candidate], int]:
    found = []
    size = 0
    for position, row in enumerate(rows, start=1):
        (service_id, hours, week, bank_holiday, closed, dedupe, grp, _checked, _name, d2, sal_id,
         text, needs, distance, stale, status, *rest) = row
        size = rest[-1]
        parts = {"text": round(text, 2), "needs": float(needs), "distance": round(distance, 2),
                 "freshness": float(stale), "status": float(status)}
        found.append(_Candidate(service_id, group if group is not None else grp, d2, sal_id, parts, position,
                                hours, week, bank_holiday, bool(closed), dedupe))
    return found, size


def _fetch_local(db: "Database", plan: _Plan, fetch: int) -> tuple[list[_Candidate], int]:
    sql, params = _local_sql(plan)
    params["fetch"] = fetch
    return _candidates(_execute(db, sql, params), LOCAL)


def _fetch_remote(db: "Database", plan: _Plan, fetch: int) -> tuple[list[_Candidate], int]:
    served = index.origin_area_tokens(plan.origin.matched, plan.origin.local_authority_code) if plan.origin else None
    sql, params = _remote_sql(plan, served)
    params["fetch"] = fetch
    key = ("remote", sql, tuple(sorted(params.items())))
    return _cached(db, key, lambda: _candidates(_execute(db, sql, params), REMOTE))


def _count_unplaced(db: "Database", plan: _Plan) -> int:
    if plan.origin is None:
        return 0
    sql, params = _unplaced_sql(plan)
    key = ("unplaced", sql, tuple(sorted(params.items())))
    return _cached(db, key, lambda: (_execute(db, sql, params) or [(0,)])[0][0])


# --------------------------------------------------------------------------
# The search
# --------------------------------------------------------------------------


def resolve_needs(needs: Iterable[str], catalogue: "NeedsCatalogue") -> list[str]:
    """Need keys from keys or labels as typed; SearchError names the unknown one and the choices."""
    keys = []
    for typed in needs:
        if typed in catalogue:
            keys.append(typed)
            continue
        need = catalogue.resolve(typed)
        if need is None:
            raise SearchError(f"unknown need {typed!r}; choose from: {', '.join(catalogue.keys())}")
        keys.append(need.key)
    return list(dict.fromkeys(keys))


def search(
    db: "Database",
    text: str = "",
    *,
    near: str | None = None,
    needs: Sequence[str] = (),
    open_at: dt.datetime | None = None,
    day: dt.date | None = None,
    open_only: bool = False,
    limit: int = 20,
    remote_limit: int = 10,
    radius_miles: float = DEFAULT_RADIUS_MILES,
    nation: str = schedules.DEFAULT_NATION,
    stale_after_days: int = STALE_AFTER_DAYS,
    today: dt.date | None = None,
    gazetteer: geo.PostcodeGazetteer | None = None,
    catalogue: "NeedsCatalogue | None" = None,
) -> SearchResults:
    """Find services for a resident; see the module docstring for how they are chosen and ranked.

    ``near`` is a postcode (or a district such as "M40"); ``needs`` are need keys or labels;
    ``open_at`` (a moment; naive means UK time) or ``day`` asks whether services are open then
    (``open_at`` wins if both are given); ``open_only`` leaves out services that are closed then
    (with neither given it means now).
    """
    from .needs import load_needs

    catalogue = catalogue or load_needs()
    need_keys = resolve_needs(needs, catalogue)
    if open_only and open_at is None and day is None:
        open_at = dt.datetime.now(dt.timezone.utc)
    local_moment = schedules.to_uk_local(open_at) if open_at is not None else None
    today = today or (local_moment.date() if local_moment else dt.date.today())
    notes: list[str] = []
    words, prefix_last = search_words(text)

    origin = None
    if near and near.strip():
        lookup = (gazetteer or geo.default_gazetteer()).lookup(near)
        origin = lookup.point
        if origin is None:
            notes.append(f"Distances are not shown: {lookup.reason}.")
        elif origin.approximate:
            area = f"postcode sector {origin.matched}" if origin.precision == "sector" else f"district {origin.matched}"
            why = "the full postcode was not found" if geo.normalise_postcode(near) else "no full postcode was given"
            notes.append(f"Distances are approximate, from the middle of {area} ({why}).")

    open_slot = open_day = None
    if open_only and local_moment is not None:
        open_slot = schedules.week_slot(local_moment)
    elif open_only and day is not None:
        open_day = day.weekday()

    _ensure_sqrt(db)
    plan = _Plan(
        words=words,
        text_query=fts_query(words, prefix_last) if words else None,
        any_word=False,
        needs=need_keys,
        needs_filter=bool(need_keys) and not words,
        origin=origin,
        radius_miles=radius_miles,
        stale_cutoff=(today - dt.timedelta(days=stale_after_days)).isoformat(),
        open_slot=open_slot,
        open_day=open_day,
    )
    options = dict(open_at=open_at, day=day if open_at is None else None, open_only=open_only, nation=nation,
                   today=today, words=words, prefix_last=prefix_last, origin=origin, radius_miles=radius_miles,
                   need_keys=need_keys)
    local, remote, unplaced = _run(db, plan, limit, remote_limit, **options)
    if not local and not remote and plan.open_filter and (words or need_keys or origin):
        # Nothing open: say how many match at other times, rather than change the question.
        closed = _count_ignoring_hours(db, plan)
        if closed:
            these = "services match" if closed != 1 else "service matches"
            when = "at that time" if open_at is not None else "that day"
            notes.append(f"{closed} {these} but {'they are' if closed != 1 else 'it is'} closed {when}; "
                         "search without 'open now' to see them.")
    if words and len(words) > 1 and not local and not remote and not (plan.open_filter and _count_ignoring_hours(db, plan)):
        plan.text_query, plan.any_word = fts_query(words, prefix_last, any_word=True), True
        local, remote, unplaced = _run(db, plan, limit, remote_limit, **options)
        if local or remote:
            notes.append("No service has all of your words; these have some of them.")
    if unplaced and (words or need_keys):
        these = "services have" if unplaced != 1 else "service has"
        notes.append(
            f"{unplaced} matching {these} no known position, so {'they are' if unplaced != 1 else 'it is'} "
            "not listed by distance; search without a postcode to see "
            f"{'them' if unplaced != 1 else 'it'}."
        )
    asked = None
    if local_moment is not None:
        asked = local_moment.isoformat(timespec="minutes")
    elif day is not None:
        asked = day.isoformat()
    return SearchResults(local=local, remote=remote, origin=origin, notes=notes, words=words, asked=asked)


def _count_ignoring_hours(db: "Database", plan: _Plan) -> int:
    """How many local and remote services the plan finds when opening hours are not asked about."""
    cached = getattr(plan, "_ignoring_hours", None)
    if cached is not None:
        return cached
    loose = dataclasses.replace(plan, open_slot=None, open_day=None)
    _local, local_size = _fetch_local(db, loose, 1)
    _remote, remote_size = _fetch_remote(db, loose, 1)
    count = local_size + remote_size
    object.__setattr__(plan, "_ignoring_hours", count)
    return count


def _run(db, plan: _Plan, limit: int, remote_limit: int, **options) -> tuple[list[SearchResult], list[SearchResult], int]:
    """The best ``limit`` local and ``remote_limit`` remote services, and how many could not be placed."""
    # The index leaves out what is certainly closed, so candidates are rarely dropped afterwards:
    # a few spare for duplicates across feeds and irregular hours; more only when they run out.
    chosen = {}
    for group, wanted, fetcher in ((LOCAL, limit, _fetch_local), (REMOTE, remote_limit, _fetch_remote)):
        fetch = wanted + 10
        while True:
            candidates, size = fetcher(db, plan, fetch) if wanted > 0 else ([], 0)
            if group == REMOTE:
                candidates = [dataclasses.replace(c, also=[]) for c in candidates]  # the cache keeps its own
            picked = _pick(db, candidates, wanted, plan=plan, **options)
            if len(picked) >= wanted or size <= fetch:
                break
            fetch *= 4
        chosen[group] = picked
    query_text = plan.text_query if plan.any_word else None
    local = _build(db, chosen[LOCAL], query_text, **options)
    remote = _build(db, chosen[REMOTE], query_text, **options)
    return local, remote, _count_unplaced(db, plan)


def _pick(db, candidates: list[_Candidate], wanted: int, *, plan: _Plan, open_at, day, open_only, nation,
          **_ignored) -> list[tuple[_Candidate, OpeningInfo | None]]:
    """Take candidates in score order, working out opening hours; with open_only, skip closed ones;
    the same service from another feed joins the first one's result."""
    if wanted <= 0:
        return []
    asking = open_at is not None or day is not None
    picked: list[tuple[_Candidate, OpeningInfo | None]] = []
    by_dedupe: dict[str, _Candidate] = {}
    position = 0
    while len(picked) < wanted and position < len(candidates):
        chunk = candidates[position : position + (wanted - len(picked)) + 5]
        position += len(chunk)
        openings = _openings(db, chunk, plan=plan, open_at=open_at, day=day, nation=nation) if asking else {}
        for candidate in chunk:
            opening = openings.get(candidate.service_id)
            if open_only and opening is not None and opening.state == "closed":
                continue
            first = by_dedupe.get(candidate.dedupe) if candidate.dedupe else None
            if first is not None:
                first.also.append(candidate.service_id)
                continue
            if candidate.dedupe:
                by_dedupe[candidate.dedupe] = candidate
            picked.append((candidate, opening))
            if len(picked) == wanted:
                break
    # A duplicate ranked just below the last one picked still joins it.
    for candidate in candidates[position:]:
        first = by_dedupe.get(candidate.dedupe) if candidate.dedupe else None
        if first is not None:
            first.also.append(candidate.service_id)
    return picked


@functools.lru_cache(maxsize=4096)
def _weekly_schedules(week: str) -> tuple[Schedule, ...]:
    return tuple(schedules.schedules_from_weekly_hours(schedules.decode_weekly_hours(week)))


_STATE_ORDER = {"open": 0, "bank_holiday": 1, "unknown": 2, "closed": 3}


def _openings(db, chunk: list[_Candidate], *, plan: _Plan, open_at, day, nation) -> dict[int, OpeningInfo]:
    """Opening states: from the ranking row's weekly hours where they are plain; otherwise from the
    stored schedules, site by site (a service is open if one of its sites in reach is)."""
    calendar = schedules.load_bank_holidays()
    found: dict[int, OpeningInfo] = {}

    def answer(chosen: Sequence[Schedule], candidate: _Candidate, holidays=()) -> OpeningInfo:
        common = dict(nation=nation, holiday_schedules=holidays,
                      status="temporarily closed" if candidate.temporarily_closed else "active",
                      bank_holiday_opening=candidate.bank_holiday_opening, calendar=calendar)
        if open_at is not None:
            result = schedules.opening_at(chosen, open_at, **common)
        else:
            result = schedules.opening_on(chosen, day, **common)
        return OpeningInfo(result.state.value, result.label, result.reason)

    irregular = []
    for candidate in chunk:
        if candidate.hours == index.HOURS_WEEKLY:
            found[candidate.service_id] = answer(_weekly_schedules(candidate.week or ""), candidate)
        elif candidate.hours == index.HOURS_NONE:
            found[candidate.service_id] = answer((), candidate)
        else:
            irregular.append(candidate)
    if not irregular:
        return found

    from .store import schedules_for_services

    ids = [candidate.service_id for candidate in irregular]
    by_service = schedules_for_services(db, ids)
    marks = ", ".join("?" for _ in ids)
    sites: dict[int, list[tuple[int, float | None, float | None]]] = {}
    for sal_id, service_id, latitude, longitude in db.conn.execute(
        f"select id, service_id, latitude, longitude from directory_service_at_location where service_id in ({marks}) order by id",
        ids,
    ):
        sites.setdefault(service_id, []).append((sal_id, latitude, longitude))
    origin = plan.origin
    for candidate in irregular:
        service_level, by_site, holidays = by_service[candidate.service_id]
        if not by_site:
            found[candidate.service_id] = answer(service_level, candidate, holidays)
            continue
        # Every site in reach, nearest first (all sites, in the feed's order, without a postcode).
        reach = []
        for sal_id, latitude, longitude in sites.get(candidate.service_id, []):
            miles = None
            if origin is not None:
                if latitude is None:
                    continue
                miles = geo.haversine_miles(origin.latitude, origin.longitude, latitude, longitude)
                if miles > plan.radius_miles and sal_id != candidate.sal_id:
                    continue
            reach.append((miles if miles is not None else 0.0, sal_id))
        if not reach:
            reach = [(0.0, candidate.sal_id)]
        reach.sort(key=lambda item: item[0])
        best = None
        for _miles, sal_id in reach:
            info = answer(by_site.get(sal_id) or service_level, candidate, holidays)
            if best is None or _STATE_ORDER.get(info.state, 9) < _STATE_ORDER.get(best[1].state, 9):
                best = (sal_id, info)
            if info.state == "open":
                break
        sal_id, info = best
        if sal_id != candidate.sal_id and sal_id is not None and origin is not None:
            candidate.sal_id = sal_id  # the open site is the one shown, with its own distance
            row = next(s for s in sites[candidate.service_id] if s[0] == sal_id)
            k = math.cos(math.radians(origin.latitude))
            candidate.d2 = (row[1] - origin.latitude) ** 2 + ((row[2] - origin.longitude) * k) ** 2
        elif sal_id != candidate.sal_id and origin is None:
            candidate.sal_id = sal_id
        found[candidate.service_id] = info
    return found


def _build(db, picked: list[tuple[_Candidate, OpeningInfo | None]], query_text: str | None, *, origin, radius_miles,
           words, prefix_last, need_keys, today, **_ignored) -> list[SearchResult]:
    """Turn picked candidates into results: details, nearest site, exact distance, reasons."""
    if not picked:
        return []
    ids = [candidate.service_id for candidate, _opening in picked]
    marks = ", ".join("?" for _ in ids)
    services = {row["id"]: row for row in _rows(db,
        "select id, key, source, name, name_words, other_words, organization_name, other_names, description, terms, need_labels, url, email, "
        "phones, status, attending_access, attending_types, last_checked, is_remote, warnings "
        f"from directory_services where id in ({marks})", ids)}
    also_ids = [i for candidate, _opening in picked for i in candidate.also]
    also_source: dict[int, str] = {}
    if also_ids:
        labels = dict(db.conn.execute("select name, coalesce(nullif(label, ''), name) from directory_sources").fetchall())
        also_marks = ", ".join("?" for _ in also_ids)
        for service_id, source in db.conn.execute(
            f"select id, source from directory_services where id in ({also_marks})", also_ids
        ):
            also_source[service_id] = labels.get(source, source)
    sites: dict[int, list[dict]] = {}
    for row in _rows(
        db,
        "select sal.id as sal_id, sal.key as sal_key, sal.service_id, l.address, l.postcode, l.latitude, l.longitude, l.position "
        "from directory_service_at_location sal left join directory_locations l on l.id = sal.location_id "
        f"where sal.service_id in ({marks}) order by sal.id",
        ids,
    ):
        sites.setdefault(row["service_id"], []).append(row)
    wanted_needs: dict[int, list[tuple[str, str]]] = {}
    all_needs: dict[int, list[str]] = {}
    for service_id, need, explanation in db.conn.execute(
        f"select service_id, need, reasons from directory_service_needs where service_id in ({marks}) order by score desc",
        ids,
    ):
        all_needs.setdefault(service_id, []).append(explanation)
        if need in need_keys:
            wanted_needs.setdefault(service_id, []).append((need, explanation))

    results = []
    for candidate, opening in picked:
        row = services[candidate.service_id]
        parts = dict(candidate.parts)
        service_sites = sites.get(row["id"], [])
        site = next((s for s in service_sites if s["sal_id"] == candidate.sal_id), None)
        if site is None:
            site = next((s for s in service_sites if s["address"] or s["postcode"]), None)
        reasons = _text_reasons(words, row, query_text is not None, all_needs.get(row["id"], [])) if words else []
        reasons += [explanation for _need, explanation in wanted_needs.get(row["id"], [])]
        remote = bool(row["is_remote"])
        distance = None
        if remote:
            distance_text = "phone or online service"
            reasons.append("phone or online: no need to travel")
        elif origin is None:
            distance_text = "no postcode given"
        elif site is not None and site["latitude"] is not None and candidate.d2 is not None:
            distance = round(geo.haversine_miles(origin.latitude, origin.longitude, site["latitude"], site["longitude"]), 2)
            site_approximate = site["position"] in ("sector", "outcode")  # placed by its postcode district
            distance_text = geo.format_miles(distance, approximate=origin.approximate or site_approximate)
            reasons.append(f"{distance_text} from {origin_phrase(origin)}")
            parts["distance"] = round(max(0.0, DISTANCE_POINTS * (1 - distance / radius_miles)), 2)
        else:
            distance_text = "distance unknown: no map position was published"
        also = list(dict.fromkeys(also_source[i] for i in candidate.also if i in also_source))
        if also:
            reasons.append("also listed by " + ", ".join(also) + " (the same name, postcode and phone)")
        last_checked = dt.date.fromisoformat(row["last_checked"]) if row["last_checked"] else None
        stale = parts["freshness"] < 0
        if last_checked is None:
            freshness = "Not checked recently: no 'last checked' date was published"
        elif stale:
            freshness = f"Not checked recently: last checked {_day(last_checked)} ({(today - last_checked).days} days ago)"
        else:
            freshness = f"Last checked {_day(last_checked)}"
        results.append(
            SearchResult(
                key=row["key"],
                name=row["name"],
                organisation=row["organization_name"],
                description=row["description"],
                source=row["source"],
                address=site["address"] if site else None,
                postcode=site["postcode"] if site else None,
                phones=json.loads(row["phones"] or "[]"),
                email=row["email"],
                url=row["url"],
                access=row["attending_access"],
                delivery=[t.strip() for t in (row["attending_types"] or "").split(",") if t.strip()],
                remote=remote,
                distance_miles=distance,
                distance_text=distance_text,
                opening=opening,
                last_checked=last_checked,
                freshness=freshness,
                stale=stale,
                status=row["status"],
                score=round(sum(parts.values()), 2),
                score_parts=parts,
                reasons=reasons,
                needs_matched=[need for need, _explanation in wanted_needs.get(row["id"], [])],
                service_at_location_key=site["sal_key"] if site else None,
                warnings=json.loads(row["warnings"] or "[]"),
                also_listed_by=also,
            )
        )
    order = {id(result): candidate.position for result, (candidate, _opening) in zip(results, picked)}
    results.sort(key=lambda result: (-result.score, order[id(result)]))
    return results


def _rows(db: "Database", sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
    """Rows as dicts, for the few shown (cheaper than sqlite-utils' per-row conversion)."""
    cursor = db.conn.execute(sql, params)
    keys = [column[0] for column in cursor.description]
    return [dict(zip(keys, row)) for row in cursor.fetchall()]


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"
