"""Postcodes, distances and offline geocoding (real package data and a tiny synthetic set)."""

import math

import brotli
import msgpack
import pytest

from plugins.signposting import geo


# --- Postcode text -----------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("BS1 1AD", "BS1 1AD"),
        ("bs11ad", "BS1 1AD"),
        ("  sw1a   1aa ", "SW1A 1AA"),
        ("EC1A-1BB", "EC1A 1BB"),
        ("M1 1AE", "M1 1AE"),
        ("gir0aa", "GIR 0AA"),
        ("ABC 1234", None),  # the HSDS example's US-style code
        ("BS1", None),
        ("QS1 1AA", None),  # Q never starts a postcode
        ("BS1 1CI", None),  # C and I are not used in the inward code
        ("", None),
        (None, None),
    ],
)
def test_normalise_postcode(typed, expected):
    assert geo.normalise_postcode(typed) == expected


def test_outcode_sector_and_nations():
    assert geo.normalise_outcode(" bs1 ") == "BS1"
    assert geo.normalise_outcode("BS1 1AD") is None
    assert geo.outcode_of("SW1A 1AA") == "SW1A"
    assert geo.sector_of("SW1A 1AA") == "SW1A 1"
    assert geo.is_northern_ireland("bt1 1aa") and not geo.is_northern_ireland("B1 1AA")


# --- Distances -------------------------------------------------------------------


def test_haversine_known_distance():
    # One degree of latitude is 69.09 miles on this sphere.
    assert geo.haversine_miles(51.0, -2.0, 52.0, -2.0) == pytest.approx(69.09, abs=0.01)
    assert geo.haversine_miles(51.5, -0.1, 51.5, -0.1) == 0.0
    # Bristol (BS1 1AD) to Buckingham Palace (SW1A 1AA): about 105 miles as the crow flies.
    assert geo.haversine_miles(51.45846, -2.57417, 51.50101, -0.14159) == pytest.approx(104.7, abs=0.5)


def test_distance_never_crashes_on_bad_coordinates():
    assert geo.distance_miles(100, 101, 51.45, -2.58) is None  # the HSDS example's lat/long
    assert geo.distance_miles(None, None, 51.45, -2.58) is None
    assert geo.distance_miles(float("nan"), 0, 51.45, -2.58) is None
    assert geo.distance_miles(51.45, -2.58, 51.46, -2.58) == pytest.approx(0.69, abs=0.01)


def test_uk_box():
    assert geo.is_in_uk(51.45, -2.58)
    assert geo.is_in_uk(54.6, -5.9)  # Belfast
    assert not geo.is_in_uk(-2.58, 51.45)  # swapped
    assert not geo.is_in_uk(0, 0)
    assert not geo.is_valid_wgs84(100, 101)


def test_format_miles():
    assert geo.format_miles(0.04) == "under 0.1 miles"
    assert geo.format_miles(1.0) == "1.0 mile"
    assert geo.format_miles(2.345) == "2.3 miles"
    assert geo.format_miles(12.6, approximate=True) == "about 13 miles"
    assert geo.format_miles(None) == "distance unknown"


# --- Grid conversions ------------------------------------------------------------


def test_british_national_grid_to_wgs84():
    # BS1 1AD in ONSPD: 360205 E, 173432 N -> 51.45846, -2.57417 (reference §6);
    # PROJ (EPSG:27700 -> 4326) gives 51.4584568, -2.5741650.
    lat, lon = geo.osgb36_to_wgs84(360205, 173432)
    assert lat == pytest.approx(51.4584568, abs=0.000002)
    assert lon == pytest.approx(-2.5741650, abs=0.000002)


def test_irish_grid_to_wgs84():
    # BT1 1AA in ONSPD: 334316 E, 374675 N on the Irish Grid -> 54.6024, -5.9223 (reference §3.2, §6);
    # PROJ (EPSG:29902 -> 4326) gives 54.6024448, -5.9222915.
    lat, lon = geo.irish_grid_to_wgs84(334316, 374675)
    assert lat == pytest.approx(54.6024448, abs=0.000002)
    assert lon == pytest.approx(-5.9222915, abs=0.000002)
    # read wrongly as British grid it lands near Chester: the two must differ
    assert geo.osgb36_to_wgs84(334316, 374675)[0] == pytest.approx(53.265, abs=0.01)


# --- Geocoding over a tiny synthetic data set (deterministic) ---------------------


def write_letter(directory, letter, rows):
    columns = {
        "pcd": [r[0] for r in rows],
        "laua": [r[3] for r in rows],
        "oseast1m": [r[1] for r in rows],
        "osnrth1m": [r[2] for r in rows],
    }
    payload = msgpack.packb({"columns": list(columns), "data": columns}, use_bin_type=True)
    (directory / f"postcodes_{letter}.msgpack.br").write_bytes(brotli.compress(payload))


@pytest.fixture()
def tiny(tmp_path):
    # Out of order on purpose; pcd7 format (outward code padded to 4 characters).
    write_letter(tmp_path, "B", [
        ("BS1 2AA", 360000.0, 173000.0, "E06000023"),
        ("BS1 1AD", 360205.0, 173432.0, "E06000023"),
        ("BS1 1AE", 360305.0, 173532.0, "E06000023"),
        ("BS2 0AA", float("nan"), float("nan"), float("nan")),
        ("BT1 1AA", 334316.0, 374675.0, "N09000003"),
    ])
    return tmp_path


def test_exact_postcode(tiny):
    result = geo.PostcodeGazetteer(tiny).lookup("bs1 1ad")
    point = result.point
    assert point.precision == "postcode" and not point.approximate
    assert point.matched == "BS1 1AD" and point.label == "BS1 1AD"
    assert point.local_authority_code == "E06000023"
    assert point.latitude == pytest.approx(51.45846, abs=0.0001)


def test_unknown_postcode_falls_back_to_sector_then_district(tiny):
    gazetteer = geo.PostcodeGazetteer(tiny)
    sector = gazetteer.lookup("BS1 1ZZ").point
    assert sector.precision == "sector" and sector.approximate
    assert sector.label == "approximate (postcode sector BS1 1)"
    mean_lat, _ = geo.osgb36_to_wgs84(360255.0, 173482.0)
    assert sector.latitude == pytest.approx(mean_lat, abs=1e-9)
    district = gazetteer.lookup("BS1 9ZZ").point
    assert district.precision == "outcode" and district.label == "approximate (district BS1)"
    assert gazetteer.lookup("BS1").point.precision == "outcode"


def test_postcode_without_a_position_is_not_a_point(tiny):
    result = geo.PostcodeGazetteer(tiny).lookup("BS2 0AA")
    assert result.point is None and "not found" in result.reason


def test_northern_ireland_needs_opting_in(tiny):
    assert geo.PostcodeGazetteer(tiny).lookup("BT1 1AA").point is None
    assert "Northern Ireland" in geo.PostcodeGazetteer(tiny).lookup("BT1 1AA").reason
    point = geo.PostcodeGazetteer(tiny, include_northern_ireland=True).lookup("BT1 1AA").point
    assert point.latitude == pytest.approx(54.6024, abs=0.0001)
    assert point.longitude == pytest.approx(-5.9223, abs=0.0001)


def test_not_a_postcode_and_missing_letter(tiny):
    gazetteer = geo.PostcodeGazetteer(tiny)
    assert gazetteer.lookup("ABC 1234").reason == "'ABC 1234' is not a UK postcode"
    assert gazetteer.lookup("M1 1AE").point is None  # no M file in the tiny set


def test_wrong_data_shape_is_a_clear_error(tmp_path):
    payload = msgpack.packb({"columns": ["x"], "data": {"x": [1]}}, use_bin_type=True)
    (tmp_path / "postcodes_B.msgpack.br").write_bytes(brotli.compress(payload))
    with pytest.raises(geo.GeocodingUnavailable, match="expected columns"):
        geo.PostcodeGazetteer(tmp_path).lookup("BS1 1AD")


# --- The installed package (all of Great Britain) ---------------------------------


def test_package_is_installed_and_attributed():
    assert geo.postcode_data_version() is not None
    assert "Contains OS data © Crown copyright and database right" in geo.ATTRIBUTION
    assert "Contains Royal Mail data © Royal Mail copyright and database right" in geo.ATTRIBUTION
    assert "Open Government Licence v.3.0" in geo.ATTRIBUTION


@pytest.mark.parametrize(
    "postcode, lat, lon",
    [
        ("BS1 1AD", 51.45846, -2.57417),  # Bristol (reference §6)
        ("SW1A 1AA", 51.50101, -0.14159),  # Buckingham Palace
        ("ZE1 0AA", 60.1532, -1.1416),  # Lerwick, Shetland
    ],
)
def test_real_postcodes(postcode, lat, lon):
    point = geo.default_gazetteer().geocode(postcode)
    assert point.precision == "postcode"
    assert point.latitude == pytest.approx(lat, abs=0.0005)
    assert point.longitude == pytest.approx(lon, abs=0.0005)


def test_real_district_fallback_is_approximate_and_nearby():
    exact = geo.geocode("BS1 1AD")
    district = geo.geocode("BS1")
    assert district.approximate and district.precision == "outcode"
    assert geo.haversine_miles(exact.latitude, exact.longitude, district.latitude, district.longitude) < 2


def test_real_northern_ireland_is_off_by_default():
    assert geo.geocode("BT1 1AA") is None


def test_real_lookup_distance_between_postcodes():
    a, b = geo.geocode("BS1 1AD"), geo.geocode("SW1A 1AA")
    miles = geo.distance_miles(a.latitude, a.longitude, b.latitude, b.longitude)
    assert math.isclose(miles, 104.7, abs_tol=0.5)
