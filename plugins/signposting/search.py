"""Finding services: full-text, needs, distance, opening hours and freshness, ranked transparently.

How a search runs (docs/signposting.md, "How results are ranked", is the staff-facing version):

1. **Candidates, in one SQL query.** Typed words go through FTS5: each word is
   quoted, so nothing typed is read as query syntax; common words ("help",
   "with") are dropped; the last word is matched as a prefix while it is being
   typed. If no service has every word, services with any of them are used
   and the results say so. A postcode limits local services to a box on the
   indexed latitude/longitude columns, then to the radius. Chosen needs use
   the matches worked out when each listing was stored. Inactive and defunct
   services are never listed. Local, phone/online and (with a postcode)
   unplaceable services are ranked in the same query, each group on its own.
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
3. **Opening hours** never change the order. They are worked out (from the
   schedules, with bank holidays) for the services shown; with ``open_only``,
   services that are closed at that time or on that day are left out, while
   services whose hours are unknown stay, marked "call first". SQL skips the
   services whose plain weekly hours say they are certainly closed (see
   ``store.weekly_pattern``); every state shown comes from ``schedules``.

Phone, online and national services (nowhere to go to) are returned in their
own list, never mixed into a nearest-first list. Distances are approximated in
SQL (flat-earth, fine within tens of miles) to choose and order candidates; the
distance shown and scored is the great-circle distance.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import sqlite3
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from . import geo, schedules
from .model import STALE_AFTER_DAYS, Schedule
from .store import SLOT_MINUTES, SLOTS_PER_DAY, cells_around, fold_accents

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
    from .store import word_text

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
# The candidate query
# --------------------------------------------------------------------------

LOCAL, REMOTE, UNPLACED = 0, 1, 2
"""Groups of candidates: nearby (or any local, without a postcode); phone/online; local but with
no known position (only counted when a postcode is given)."""


def _ensure_sqrt(db: "Database") -> None:
    """SQLite builds without math functions get a Python sqrt (only used for distances)."""
    try:
        db.conn.execute("select sqrt(4)").fetchone()
    except sqlite3.OperationalError:
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
    closed_slot: int | None
    """1-based quarter-hour of the week to skip certainly-closed services at (open_only with a time)."""
    closed_day: int | None
    """1-based day of the week to skip certainly-closed services on (open_only with a day)."""


def _word_points(plan: _Plan, params: dict[str, Any]) -> str:
    """SQL for the text points: each typed word scores where it is found, averaged over the words."""
    if not plan.words:
        return "0.0"
    parts = []
    for index, word in enumerate(plan.words):
        params[f"w{index}"] = " " + word
        found_anywhere = f"s.id in (select service_id from word{index})" if plan.any_word else "1"
        parts.append(
            f"(case when instr(s.name_words, :w{index}) then {NAME_POINTS} "
            f"when instr(s.other_words, :w{index}) then {OTHER_POINTS} "
            f"when {found_anywhere} then {ELSEWHERE_POINTS} else 0.0 end)"
        )
    return f"(({' + '.join(parts)}) / {len(plan.words)}.0)"


def _candidate_sql(plan: _Plan) -> tuple[str, dict[str, Any]]:
    """One query ranking local, remote and unplaced candidates, each group on its own.

    Every set is found through an index (FTS, the needs index, the grid of site positions) and
    materialised once; the per-row work (reading the service, scoring it) is only done for
    services in all the sets that apply.
    """
    params: dict[str, Any] = {"stale_cutoff": plan.stale_cutoff, "radius": plan.radius_miles}
    ctes: list[str] = []
    filters: list[str] = []  # sets every candidate must be in
    if plan.text_query:
        ctes.append(
            "text_hits as materialized (select rowid as service_id from directory_services_fts "
            "where directory_services_fts match :q)"
        )
        params["q"] = plan.text_query
        filters.append("text_hits")
        if plan.any_word:
            for index, word in enumerate(plan.words):
                ctes.append(
                    f"word{index} as materialized (select rowid as service_id from directory_services_fts "
                    f"where directory_services_fts match :fts{index})"
                )
                params[f"fts{index}"] = fts_query([word], False)
    need_marks = ", ".join(f":need{i}" for i in range(len(plan.needs)))
    if plan.needs:
        params.update({f"need{i}": need for i, need in enumerate(plan.needs)})
        if plan.needs_filter:
            ctes.append(
                "need_hits as materialized (select distinct service_id from directory_service_needs "
                f"where need in ({need_marks}))"
            )
            filters.append("need_hits")

    def within(column: str, sets: list[str]) -> str:
        return " and ".join(f"{column} in (select service_id from {name})" for name in sets) or "1"

    if plan.origin is not None:
        lat, lon = plan.origin.latitude, plan.origin.longitude
        dlat = plan.radius_miles / MILES_PER_DEGREE_LATITUDE
        k = math.cos(math.radians(lat))
        dlon = dlat / max(k, 0.01)
        params.update(lat=lat, lon=lon, k=k, lat_min=lat - dlat, lat_max=lat + dlat, lon_min=lon - dlon,
                      lon_max=lon + dlon, r2=dlat * dlat)
        cells = cells_around(lat - dlat, lat + dlat, lon - dlon, lon + dlon)
        box = "sal.latitude between :lat_min and :lat_max and sal.longitude between :lon_min and :lon_max"
        if len(cells) <= 500:
            params.update({f"cell{i}": cell for i, cell in enumerate(cells)})
            box = f"sal.cell in ({', '.join(f':cell{i}' for i in range(len(cells)))}) and {box}"
        # For min(), SQLite takes the row's other (bare) columns from the row holding the minimum.
        ctes.append(
            "near_sites as materialized (select sal.service_id as service_id, "
            "min((sal.latitude - :lat) * (sal.latitude - :lat) + ((sal.longitude - :lon) * :k) * ((sal.longitude - :lon) * :k)) as d2, "
            f"sal.id as sal_id from directory_service_at_location sal where {box} "
            "group by sal.service_id having d2 <= :r2)"
        )
        # Nearby services, plus phone/online ones and ones with no known position (from the
        # (is_remote, has_position) index); then one intersection with the text or need matches.
        ctes.append(
            "placed as materialized (select service_id, d2, sal_id from near_sites "
            "union all select id, null, null from directory_services where is_remote = 1 "
            "union all select id, null, null from directory_services where is_remote = 0 and has_position = 0)"
        )
        ctes.append(
            f"driver as materialized (select p.service_id, p.d2, p.sal_id from placed p where {within('p.service_id', filters)})"
        )
    elif filters:
        first, rest = filters[0], filters[1:]
        ctes.append(
            f"driver as (select d.service_id, null as d2, null as sal_id from {first} d where {within('d.service_id', rest)})"
        )
    else:
        ctes.append("driver as (select id as service_id, null as d2, null as sal_id from directory_services)")

    where = ["s.status not in ('inactive', 'defunct')"]
    if plan.closed_slot is not None:
        where.append("(s.week_slots is null or substr(s.week_slots, :slot, 1) = '1')")
        params["slot"] = plan.closed_slot
    if plan.closed_day is not None:
        where.append("(s.week_days is null or substr(s.week_days, :weekday, 1) = '1')")
        params["weekday"] = plan.closed_day
    # Read per candidate through the (service_id, need) key: cheap, whatever the number of matches.
    need_points = (
        f"coalesce((select sum(score) from directory_service_needs where service_id = s.id and need in ({need_marks})), 0)"
        if plan.needs
        else "0"
    )
    if plan.origin is not None:
        group = f"case when s.is_remote = 1 then {REMOTE} when d.d2 is not null then {LOCAL} else {UNPLACED} end"
    else:
        group = f"case when s.is_remote = 1 then {REMOTE} else {LOCAL} end"
    distance_points = (
        f"(case when d.d2 is null then 0.0 else max(0.0, {DISTANCE_POINTS} * "
        f"(1 - sqrt(d.d2) * {MILES_PER_DEGREE_LATITUDE} / :radius)) end)"
    )
    ctes.append(
        f"scored as (select s.id as service_id, {group} as grp, d.d2 as d2, d.sal_id as sal_id, "
        f"{_word_points(plan, params)} as text_points, {need_points} as need_points, "
        f"{distance_points} as distance_points, "
        f"case when s.last_checked is null or s.last_checked < :stale_cutoff then {STALE_POINTS} else 0.0 end as stale_points, "
        f"case when s.status = 'temporarily closed' then {TEMPORARILY_CLOSED_POINTS} else 0.0 end as status_points, "
        "s.name as name, s.last_checked as last_checked "
        f"from driver d join directory_services s on s.id = d.service_id where {' and '.join(where)})"
    )
    ctes.append(
        "ranked as (select *, text_points + need_points + distance_points + stale_points + status_points as score, "
        "row_number() over (partition by grp order by text_points + need_points + distance_points + stale_points "
        "+ status_points desc, d2, last_checked desc, name) as position, "
        "count(*) over (partition by grp) as group_size from scored)"
    )
    sql = (
        f"with {', '.join(ctes)} "
        "select service_id, grp, d2, sal_id, text_points, need_points, distance_points, stale_points, status_points, "
        "score, position, group_size from ranked "
        f"where (grp in ({LOCAL}, {REMOTE}) and position <= :fetch) or (grp = {UNPLACED} and position = 1) "
        "order by grp, position"
    )
    return sql, params


@dataclass
class _Candidate:
    service_id: int
    group: int
    d2: float | None
    sal_id: int | None
    parts: dict[str, float]
    position: int


def _fetch(db: "Database", plan: _Plan, fetch: int) -> tuple[dict[int, list[_Candidate]], dict[int, int]]:
    """Candidates by group, best first, and each group's full size."""
    sql, params = _candidate_sql(plan)
    params["fetch"] = fetch
    try:
        rows = db.conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError as exc:
        if "fts5" in str(exc).lower() or "syntax" in str(exc).lower():
            return {}, {}  # belt and braces: a query FTS still rejects finds nothing
        raise
    groups: dict[int, list[_Candidate]] = {}
    sizes: dict[int, int] = {}
    for service_id, grp, d2, sal_id, text, needs, distance, stale, status, _score, position, size in rows:
        sizes[grp] = size
        if grp == UNPLACED:
            continue
        parts = {
            "text": round(text, 2),
            "needs": float(needs),
            "distance": round(distance, 2),
            "freshness": float(stale),
            "status": float(status),
        }
        groups.setdefault(grp, []).append(_Candidate(service_id, grp, d2, sal_id, parts, position))
    return groups, sizes


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

    closed_slot = closed_day = None
    if open_only and local_moment is not None:
        minute = local_moment.hour * 60 + local_moment.minute
        closed_slot = local_moment.weekday() * SLOTS_PER_DAY + minute // SLOT_MINUTES + 1
    elif open_only and day is not None:
        closed_day = day.weekday() + 1

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
        closed_slot=closed_slot,
        closed_day=closed_day,
    )
    options = dict(open_at=open_at, day=day if open_at is None else None, open_only=open_only, nation=nation,
                   today=today, words=words, prefix_last=prefix_last, origin=origin, radius_miles=radius_miles,
                   need_keys=need_keys)
    local, remote, unplaced = _run(db, plan, limit, remote_limit, **options)
    if words and len(words) > 1 and not local and not remote:
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


def _run(db, plan: _Plan, limit: int, remote_limit: int, **options) -> tuple[list[SearchResult], list[SearchResult], int]:
    """The best ``limit`` local and ``remote_limit`` remote services, and how many could not be placed."""
    # Generous: the query costs the same, and only what is needed is read. Leaving out closed
    # services can still use them all up; then the query runs again for more.
    fetch = 4 * max(limit, remote_limit) + 40
    while True:
        groups, sizes = _fetch(db, plan, fetch)
        chosen = {}
        complete = True
        for group, wanted in ((LOCAL, limit), (REMOTE, remote_limit)):
            picked = _pick(db, groups.get(group, []), wanted, **options)
            chosen[group] = picked
            if len(picked) < wanted and sizes.get(group, 0) > fetch:
                complete = False  # closed ones were left out: more candidates are needed
        if complete:
            break
        fetch *= 4
    query_text = plan.text_query if plan.any_word else None
    local = _build(db, chosen[LOCAL], query_text, **options)
    remote = _build(db, chosen[REMOTE], query_text, **options)
    return local, remote, sizes.get(UNPLACED, 0)


def _pick(db, candidates: list[_Candidate], wanted: int, *, open_at, day, open_only, nation, **_ignored) -> list[tuple[_Candidate, OpeningInfo | None]]:
    """Take candidates in score order, working out opening hours; with open_only, skip closed ones."""
    if wanted <= 0:
        return []
    asking = open_at is not None or day is not None
    picked: list[tuple[_Candidate, OpeningInfo | None]] = []
    position = 0
    while len(picked) < wanted and position < len(candidates):
        chunk = candidates[position : position + (wanted - len(picked)) + 5]
        position += len(chunk)
        openings = _openings(db, chunk, open_at=open_at, day=day, nation=nation) if asking else {}
        for candidate in chunk:
            opening = openings.get(candidate.service_id)
            if open_only and opening is not None and opening.state == "closed":
                continue
            picked.append((candidate, opening))
            if len(picked) == wanted:
                break
    return picked


def _openings(db, chunk: list[_Candidate], *, open_at, day, nation) -> dict[int, OpeningInfo]:
    from .store import schedules_for_services

    ids = [candidate.service_id for candidate in chunk]
    by_service = schedules_for_services(db, ids)
    marks = ", ".join("?" for _ in ids)
    meta = {
        row[0]: (row[1], row[2])
        for row in db.conn.execute(f"select id, status, bank_holiday_opening from directory_services where id in ({marks})", ids)
    }
    site_of = {candidate.service_id: candidate.sal_id for candidate in chunk}
    calendar = schedules.load_bank_holidays()
    found = {}
    for service_id, (service_level, by_site, holidays) in by_service.items():
        sal_id = site_of.get(service_id)
        chosen: list[Schedule] = by_site.get(sal_id) or service_level
        if not chosen and sal_id is None and by_site:
            chosen = next(iter(by_site.values()))  # no postcode given: the first site's hours
        status, bank_holiday_opening = meta.get(service_id, ("active", None))
        common = dict(nation=nation, holiday_schedules=holidays, status=status,
                      bank_holiday_opening=bank_holiday_opening, calendar=calendar)
        if open_at is not None:
            answer = schedules.opening_at(chosen, open_at, **common)
        else:
            answer = schedules.opening_on(chosen, day, **common)
        found[service_id] = OpeningInfo(answer.state.value, answer.label, answer.reason)
    return found


def _build(db, picked: list[tuple[_Candidate, OpeningInfo | None]], query_text: str | None, *, origin, radius_miles,
           words, prefix_last, need_keys, today, **_ignored) -> list[SearchResult]:
    """Turn picked candidates into results: details, nearest site, exact distance, reasons."""
    if not picked:
        return []
    ids = [candidate.service_id for candidate, _opening in picked]
    marks = ", ".join("?" for _ in ids)
    services = {row["id"]: row for row in db.query(
        "select id, key, source, name, name_words, other_words, organization_name, other_names, description, terms, need_labels, url, email, "
        "phones, status, attending_access, attending_types, last_checked, is_remote, warnings "
        f"from directory_services where id in ({marks})", ids)}
    sites: dict[int, list[dict]] = {}
    for row in db.query(
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
            )
        )
    order = {id(result): candidate.position for result, (candidate, _opening) in zip(results, picked)}
    results.sort(key=lambda result: (-result.score, order[id(result)]))
    return results


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"
