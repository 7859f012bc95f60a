"""Where a service says it is available (HSDS ``service_areas``), as tokens search can match.

Feeds describe a service's area in several ways: a name ("Wirral", "Greater Manchester",
"UK-wide"), a statistical-area URI whose last part is a GSS code
(``http://statistics.data.gov.uk/id/statistical-geography/E08000015``), a GeoJSON extent,
or postcode districts ("M40, M9"). :func:`area_codes` turns them into
``Service.area_codes``:

* ``national`` - the whole UK (or Great Britain);
* ``nation:england`` / ``nation:wales`` / ``nation:scotland`` / ``nation:northern-ireland``;
* ``la:<GSS code>`` - a local authority, county or combined authority (``la:E08000015``);
* ``district:<outcode>`` - a postcode district (``district:M40``);
* ``name:<place>`` - any other place name, normalised ("City of Manchester Council" ->
  ``name:manchester``).

A GeoJSON extent also gives ``ServiceArea.bounds`` (south, west, north, east), so a
resident's position can be tested against it. No tokens means the feed did not say.
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterable

from .. import geo
from ..model import ServiceArea

_GSS = re.compile(r"\b([ENSWK]\d{8})\b")
_NATION_CODES = {
    "E92000001": "nation:england", "W92000004": "nation:wales", "S92000003": "nation:scotland",
    "N92000002": "nation:northern-ireland", "K02000001": "national", "K03000001": "national",
    "K04000001": "nation:england-and-wales",
}
_NATIONAL_WORDS = re.compile(
    r"^(?:the\s+)?(?:uk|u\.k\.|united kingdom|great britain|gb|national(?:ly)?|nationwide|uk[\s-]*wide|"
    r"all (?:of )?(?:the )?uk|anywhere in the uk|whole (?:of the )?uk|britain)$",
    re.I,
)
_NATIONS = {
    "england": "nation:england", "wales": "nation:wales", "cymru": "nation:wales", "scotland": "nation:scotland",
    "northern ireland": "nation:northern-ireland", "england and wales": "nation:england-and-wales",
}
_PLACE_FILLER = re.compile(
    r"\b(?:city of|county of|royal borough of|london borough of|metropolitan borough of|borough of|council|"
    r"city council|county council|borough council|district council|metropolitan|borough|district|unitary|"
    r"authority|area|the)\b",
    re.I,
)
_OUTCODE_IN_TEXT = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\b")
_NATIONAL_IN_TEXT = re.compile(r"\b(?:uk[\s-]*wide|nationwide|anywhere in the (?:uk|united kingdom)|across the uk)\b", re.I)
_SPLIT = re.compile(r"\s*(?:,|;|/|\band\b|&|\n)\s*", re.I)


def _place_token(name: str) -> str | None:
    text = " ".join(name.strip().lower().split())
    if not text:
        return None
    if _NATIONAL_WORDS.match(text):
        return "national"
    if text in _NATIONS:
        return _NATIONS[text]
    district = geo.normalise_outcode(text)
    if district is not None:
        return f"district:{district}"
    place = " ".join(_PLACE_FILLER.sub(" ", text).replace("-", " ").split())
    place = re.sub(r"[^a-z0-9' ]", "", place).strip()
    return f"name:{place}" if place else None


def _code_tokens(text: str) -> list[str]:
    return [_NATION_CODES.get(code, f"la:{code}") for code in _GSS.findall(text)]


def _tokens_from_text(text: str) -> list[str]:
    tokens = _code_tokens(text)
    if re.match(r"^[a-z][a-z0-9+.-]*://", text.strip(), re.I):
        return tokens  # a URI: only the statistical-area code in it means anything here
    if len(text.split()) > 6:  # a sentence, not a place: only codes and districts it mentions
        tokens += ["national"] if _NATIONAL_IN_TEXT.search(text) else []
        tokens += [f"district:{d}" for d in (geo.normalise_outcode(m) for m in _OUTCODE_IN_TEXT.findall(text)) if d]
        return tokens
    whole = _place_token(text)
    if whole in ("national",) or (whole or "").startswith("nation:"):
        return tokens + [whole]
    for part in _SPLIT.split(text):
        token = _place_token(part)
        if token:
            tokens.append(token)
    return tokens


def geojson_bounds(extent: str | None) -> list[float] | None:
    """(south, west, north, east) of a GeoJSON geometry or feature, or None if it is not one."""
    if not extent or "coordinates" not in extent:
        return None
    try:
        data = json.loads(extent)
    except ValueError:
        return None
    points: list[tuple[float, float]] = []

    def walk(node: Any, depth: int = 0) -> None:
        if depth > 8 or len(points) > 200_000:
            return
        if isinstance(node, dict):
            for key in ("geometry", "geometries", "features", "coordinates"):
                if key in node:
                    walk(node[key], depth + 1)
        elif isinstance(node, list):
            if len(node) >= 2 and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in node[:2]):
                lon, lat = float(node[0]), float(node[1])
                if geo.is_valid_wgs84(lat, lon):
                    points.append((lat, lon))
            else:
                for item in node:
                    walk(item, depth + 1)

    walk(data)
    if not points:
        return None
    lats, lons = [p[0] for p in points], [p[1] for p in points]
    return [min(lats), min(lons), max(lats), max(lons)]


def area_codes(areas: Iterable[ServiceArea]) -> list[str]:
    """Every token the service's areas give, in order, without repeats (see the module docstring)."""
    tokens: list[str] = []
    for area in areas:
        for text in (area.uri, area.extent if area.extent and "coordinates" not in area.extent else None, area.name):
            if text:
                tokens += _tokens_from_text(text)
        if area.description and not tokens:
            tokens += [t for t in _tokens_from_text(area.description) if not t.startswith("name:")]
    return list(dict.fromkeys(tokens))
