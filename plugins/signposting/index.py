"""The search index, shared by the writer (store) and the search: what each service puts in it.

Two tables, both keyed by the service's row id:

* ``directory_search_fts`` (FTS5): the text a resident's words are matched against, in three
  columns weighted as the score weights them (``name``; ``other``: other names, organisation,
  categories and the labels of needs the listing fits on strong evidence; ``body``: the
  description and the labels of needs found from an ordinary keyword), plus two columns of
  tokens no one types: ``needs`` ("zndebt" for each need the listing fits) and ``area``:

  ========== ================================================================
  x<cell>    a grid cell (CELL_DEGREES) holding one of its sites
  zremote    phone, online or national: nowhere to go to
  zunplaced  local, but no site has a known position
  zs<area>   (remote only) an area it serves: a GSS code (zse08000003), a
             postcode area, district or sector (zsm, zsm40, zsm407), a nation
             (zsneng) or all of the UK (zsuk)
  zsany      (remote only) the feed does not say which areas it serves
  ========== ================================================================

  so one FTS query intersects the words with the area ("debt" near M40 7AB is
  ``{name other body}: ("debt") AND {area}: (x5344977 OR ...)``): the index does the work
  the old candidate SQL did with unions of every remote and unplaced service.
  Inactive and defunct services are left out of it altogether.
* ``directory_search_rank``: one narrow row per indexed service with what ranking and
  "open now" need (no description, no JSON): its group, status, last checked date, the
  word lists the text points are worked out on, the duplicate key, and the week as
  integers (``schedules.week_bitmap``: a days mask and 14 half-day bitmaps) with the
  compact weekly hours the opening state is answered from. Details (address, phones,
  description) are read from the other tables for the rows shown only.

The writer collects index rows while it writes a batch and applies them at the end
(:func:`apply`), in rowid order, so FTS5 writes a few segments per batch instead of one
per row; :func:`optimize` merges them once per sync. ``generation`` in ``directory_meta``
moves with every change so the search's small caches (remote, unplaced) know when to forget.
"""

from __future__ import annotations

import math
import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from . import schedules

if TYPE_CHECKING:
    from sqlite_utils import Database

    from .model import Service

FTS_TABLE = "directory_search_fts"
RANK_TABLE = "directory_search_rank"
FTS_COLUMNS = ("name", "other", "body", "needs", "area")
FTS_WEIGHTS = (10.0, 4.0, 1.0, 0.0, 0.0)
"""bm25 weights for FTS_COLUMNS: a word in the name counts ten times one in the description."""
TEXT_COLUMNS = "{name other body}"
FTS_TOKENIZER = "porter unicode61 remove_diacritics 2"

CELL_DEGREES = 0.1
"""Grid cells for finding what is near a postcode: 0.1 degrees (about 7 by 4 miles in England)."""

LOCAL, REMOTE, UNPLACED = 0, 1, 2
"""A service's group: local with a known position; phone/online/national; local but unplaceable."""

HOURS_NONE, HOURS_WEEKLY, HOURS_OTHER = 0, 1, 2
"""No hours published; plain weekly hours (answered from the row); anything else (read the schedules)."""

WEEK_COLUMNS = tuple(f"w{i}" for i in range(14))

_WORD = re.compile(r"\w+")
_GSS_CODE = re.compile(r"^[ENSWK]\d{8}$")
_POSTCODE_PART = re.compile(r"^[A-Z]{1,2}(?:\d[A-Z\d]?(?:\s*\d)?)?$")
_NATIONS = {
    "england": "eng", "wales": "wal", "scotland": "sco", "northern ireland": "nir",
    "england and wales": "eng wal", "great britain": "eng wal sco", "gb": "eng wal sco",
    "uk": "uk", "united kingdom": "uk", "national": "uk", "nationwide": "uk", "uk wide": "uk", "uk-wide": "uk",
}
_NATION_OF_CODE = {"E": "eng", "W": "wal", "S": "sco", "N": "nir"}


# --------------------------------------------------------------------------
# Schema
# --------------------------------------------------------------------------


def create_tables(db: "Database") -> None:
    """The index tables (migration 0003)."""
    columns = ", ".join(FTS_COLUMNS)
    db.execute(f"create virtual table {FTS_TABLE} using fts5({columns}, tokenize='{FTS_TOKENIZER}')")
    weights = ", ".join(f"{w:.1f}" for w in FTS_WEIGHTS)
    db.execute(f"insert into {FTS_TABLE}({FTS_TABLE}, rank) values('rank', ?)", [f"bm25({weights})"])
    week = ", ".join(f"{c} integer" for c in WEEK_COLUMNS)
    db.execute(
        f"create table {RANK_TABLE} (service_id integer primary key, grp integer not null, "
        "temporarily_closed integer not null, last_checked text, name text, name_words text, other_words text, "
        "served text, dedupe text, hours integer not null, days integer, "
        f"{week}, week text, bank_holiday_opening text)"
    )
    db.execute(f"create index {RANK_TABLE}_dedupe on {RANK_TABLE}(dedupe) where dedupe is not null")


# --------------------------------------------------------------------------
# Words and places
# --------------------------------------------------------------------------


def fold_accents(text: str) -> str:
    """"Café" -> "Cafe", as the FTS tokenizer (remove_diacritics 2) reads it."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def word_text(*texts: str | None) -> str:
    """" debt advice centre ": lower-case words without accents, space-padded, so a search can test
    whether a typed word starts a word here with ``instr(column, ' ' || word)``."""
    words = []
    for text in texts:
        if text:
            words += _WORD.findall(fold_accents(text).casefold())
    return " " + " ".join(words) + " "


def grid_cell(latitude: float, longitude: float) -> int:
    """The grid cell holding a position (see CELL_DEGREES)."""
    return int(math.floor(latitude / CELL_DEGREES)) * 10_000 + int(math.floor(longitude / CELL_DEGREES)) + 5_000


def cells_around(lat_min: float, lat_max: float, lon_min: float, lon_max: float) -> list[int]:
    """Every grid cell a box touches."""
    rows = range(int(math.floor(lat_min / CELL_DEGREES)), int(math.floor(lat_max / CELL_DEGREES)) + 1)
    columns = range(int(math.floor(lon_min / CELL_DEGREES)), int(math.floor(lon_max / CELL_DEGREES)) + 1)
    return [row * 10_000 + column + 5_000 for row in rows for column in columns]


def cell_token(cell: int) -> str:
    return f"x{cell}"


def need_token(need_key: str) -> str:
    return "zn" + re.sub(r"[^0-9a-z]", "", need_key.casefold())


def area_tokens(areas: Iterable[str]) -> list[str]:
    """Served-area tokens ("zse08000003", "zsm40", "zsuk") for what a feed says a service covers.

    Understood: GSS codes (E08000003, or a statistics.data.gov.uk URI ending in one), postcode
    areas, districts and sectors ("M", "M40", "M40 7"), nations and "national"/"UK". Anything
    else (a place name we cannot place) is not understood and adds nothing.
    """
    found: list[str] = []
    for raw in areas:
        text = str(raw or "").strip()
        if not text:
            continue
        tail = text.rstrip("/").rsplit("/", 1)[-1].upper()
        folded = " ".join(text.casefold().replace("-", " ").split())
        if _GSS_CODE.match(tail):
            found.append("zs" + tail.casefold())
        elif folded in _NATIONS:
            found += ["zs" + "n" + nation if nation != "uk" else "zsuk" for nation in _NATIONS[folded].split()]
        elif _POSTCODE_PART.match(text.upper()) and len(text) <= 6:
            found.append("zs" + text.replace(" ", "").casefold())
    return list(dict.fromkeys(found))


def served_areas(service: "Service") -> list[str]:
    """What the feed says a service covers, read defensively.

    ``served_areas`` (list of codes, filled by the feed parsers where the feed says) is read
    first; the published ``service_areas`` records (name, URI) are read as well.
    """
    values: list[str] = []
    extra = getattr(service, "served_areas", None)
    if isinstance(extra, (list, tuple)):
        values += [str(v) for v in extra if isinstance(v, (str, int))]
    for area in getattr(service, "service_areas", None) or []:
        for attribute in ("uri", "name", "extent"):
            value = getattr(area, attribute, None) if not isinstance(area, str) else (area if attribute == "name" else None)
            if isinstance(value, str) and value.strip() and not value.lstrip().startswith("{"):
                values.append(value)
    return values


def origin_area_tokens(postcode: str | None, local_authority_code: str | None) -> list[str]:
    """The served-area tokens a resident's postcode falls in (for limiting remote services)."""
    tokens = ["zsuk"]
    if local_authority_code:
        tokens.append("zs" + local_authority_code.casefold())
        nation = _NATION_OF_CODE.get(local_authority_code[:1].upper())
        if nation:
            tokens.append("zsn" + nation)
    if postcode:
        squashed = postcode.replace(" ", "").upper()
        outward = postcode.split(" ")[0].upper() if " " in postcode else squashed[:-3] if len(squashed) > 4 else squashed
        letters = re.match(r"[A-Z]+", outward)
        if letters:
            tokens.append("zs" + letters.group(0).casefold())
        tokens.append("zs" + outward.casefold())
        if " " in postcode:
            tokens.append("zs" + (outward + postcode.split(" ")[1][:1]).casefold())
        if local_authority_code is None and outward.startswith("BT"):
            tokens.append("zsnnir")
    return list(dict.fromkeys(tokens))


def dedupe_key(service: "Service") -> str | None:
    """The rule for "the same service from two feeds": normalised name + postcode + phone.

    Name: accents folded, lower case, "&" read as "and", punctuation and spaces dropped.
    Postcode: the first site's, without spaces. Phone: the first number's digits, +44 read as 0.
    Both a postcode and a phone are needed: a name alone ("Food Bank") is not enough.
    """
    from .geo import normalise_postcode

    name = fold_accents(service.name or "").casefold().replace("&", " and ")
    name = "".join(_WORD.findall(name)).replace("_", "")
    postcode = None
    for location in service.locations():
        postcode = normalise_postcode(location.postcode) if location.postcode else None
        if postcode:
            break
    phone = None
    for item in service.all_phones():
        digits = "".join(ch for ch in item.number if ch.isdigit())
        if digits.startswith("44") and len(digits) > 10:
            digits = "0" + digits[2:]
        if digits:
            phone = digits
            break
    if not name or not postcode or not phone:
        return None
    return f"{name}|{postcode.replace(' ', '')}|{phone}"


# --------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------


@dataclass(slots=True)
class IndexEntry:
    """What one service writes to the index (None text: the service is not listed)."""

    service_id: int
    text: tuple[str, str, str, str, str] | None
    rank: tuple[Any, ...] | None


def strong_need_labels(matches: Sequence[Any]) -> list[str]:
    """Labels of needs a listing fits on strong evidence: the site lead's list or a category."""
    return [m.need.label for m in matches if any(r.kind in ("site", "taxonomy") for r in m.reasons)]


def searchable_need_labels(matches: Sequence[Any]) -> list[str]:
    """Labels a typed word may find a listing by: every need except those found only from a weak
    keyword ("free wifi" says little about digital skills: it must not flood "digital")."""
    return [m.need.label for m in matches if any(r.kind != "weak_keyword" for r in m.reasons)]


def entry_for(
    service_id: int,
    service: "Service",
    matches: Sequence[Any],
    cells: Iterable[int],
    has_position: bool,
    name_words: str,
    other_words: str,
) -> IndexEntry:
    """The index rows for one stored service."""
    status = (service.status or "active").strip().lower()
    if status in ("inactive", "defunct"):
        return IndexEntry(service_id, None, None)
    organization = service.organization
    strong = set(strong_need_labels(matches))
    searchable = searchable_need_labels(matches)
    other = " ; ".join(
        t for t in (
            service.alternate_name,
            organization.name if organization else None,
            *(term.name for term in service.taxonomy_terms),
            *(label for label in searchable if label in strong),
        ) if t
    )
    body = " ; ".join(t for t in (service.description, *(label for label in searchable if label not in strong)) if t)
    needs = " ".join(dict.fromkeys(need_token(m.need.key) for m in matches))
    served = ""
    if service.is_remote_only:
        group = REMOTE
        tokens = area_tokens(served_areas(service))
        served = " ".join(tokens)
        area = "zremote " + (served or "zsany")
    elif has_position:
        group = LOCAL
        area = " ".join(dict.fromkeys(cell_token(c) for c in cells))
    else:
        group = UNPLACED
        area = "zunplaced"
    hours = schedules.weekly_hours(service)
    if hours is None:
        kind, days, halves, week = HOURS_OTHER, None, [None] * 14, None
    elif not hours:
        kind, days, halves, week = HOURS_NONE, 0, [0] * 14, ""
    else:
        days, halves = schedules.week_bitmap(hours)
        kind, week = HOURS_WEEKLY, schedules.encode_weekly_hours(hours)
    last_checked = service.last_checked.isoformat() if service.last_checked else None
    rank = (
        service_id, group, int(status == "temporarily closed"), last_checked, service.name, name_words, other_words,
        f" {served} " if served else None, dedupe_key(service), kind, days, *halves, week, service.bank_holiday_opening,
    )
    return IndexEntry(service_id, (service.name, other, body, needs, area), rank)


_RANK_COLUMNS = (
    "service_id", "grp", "temporarily_closed", "last_checked", "name", "name_words", "other_words", "served", "dedupe",
    "hours", "days", *WEEK_COLUMNS, "week", "bank_holiday_opening",
)


def apply(conn: sqlite3.Connection, entries: Sequence[IndexEntry], removed: Iterable[int] = ()) -> None:
    """Write a batch's index rows (inside the caller's transaction), in rowid order.

    ``removed`` are services deleted or re-written: their old rows go first.
    """
    stale = sorted({*removed, *(e.service_id for e in entries)})
    if stale:
        for chunk in _chunks(stale, 500):
            marks = ", ".join("?" for _ in chunk)
            conn.execute(f"delete from {FTS_TABLE} where rowid in ({marks})", chunk)
            conn.execute(f"delete from {RANK_TABLE} where service_id in ({marks})", chunk)
    listed = sorted((e for e in entries if e.text is not None), key=lambda e: e.service_id)
    if listed:
        conn.executemany(
            f"insert into {FTS_TABLE} (rowid, {', '.join(FTS_COLUMNS)}) values (?, ?, ?, ?, ?, ?)",
            [(e.service_id, *e.text) for e in listed],
        )
        marks = ", ".join("?" for _ in _RANK_COLUMNS)
        conn.executemany(f"insert into {RANK_TABLE} ({', '.join(_RANK_COLUMNS)}) values ({marks})", [e.rank for e in listed])
    if stale or listed:
        bump_generation(conn)


def remove(conn: sqlite3.Connection, service_ids: Sequence[int]) -> None:
    apply(conn, (), service_ids)


def optimize(conn: sqlite3.Connection) -> None:
    """Merge the index's segments into one (after a sync that changed many rows)."""
    conn.execute(f"insert into {FTS_TABLE}({FTS_TABLE}) values('optimize')")


def bump_generation(conn: sqlite3.Connection) -> None:
    conn.execute(
        "insert into directory_meta (key, value) values ('index_generation', lower(hex(randomblob(8)))) "
        "on conflict(key) do update set value = excluded.value"
    )


def generation(conn: sqlite3.Connection) -> str:
    """Changes whenever the index does (the search's caches compare it): a random value, so two
    databases (or a database replaced by a restore) never share one."""
    row = conn.execute("select value from directory_meta where key = 'index_generation'").fetchone()
    return row[0] if row else "0"


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
