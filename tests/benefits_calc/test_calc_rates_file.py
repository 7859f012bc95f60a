"""The rates data files: every value present, sourced, and as published for 2026-27."""

import copy
import tomllib
from importlib.resources import files

import pytest

from plugins.benefits_calc.rate_tables import (
    RatesFileError,
    available_tax_years,
    load_rates,
    parse_rates,
    tax_year_for_date,
)


def raw_document():
    return tomllib.loads(files("plugins.benefits_calc.rates").joinpath("2026-27.toml").read_text())


def test_2026_27_is_available():
    assert "2026-27" in available_tax_years()


def test_every_value_has_a_source():
    rates = load_rates("2026-27")
    document = raw_document()
    count = sum(len(table) for name, table in document.items() if name != "tax_year")
    assert len(rates.sources) == count > 40
    assert all(len(source) > 10 for source in rates.sources.values())


@pytest.mark.parametrize(
    "path, expected",
    [
        ("universal_credit.standard_allowance_single_25_plus_monthly", 424.90),
        ("universal_credit.lcwra_element_new_claim_monthly", 217.26),
        ("universal_credit.lcwra_element_protected_monthly", 429.80),
        ("universal_credit.work_allowance_with_housing_monthly", 427),
        ("universal_credit.work_allowance_without_housing_monthly", 710),
        ("universal_credit.taper_rate", 0.55),
        ("benefit_cap.family_outside_london_annual", 22020),
        ("benefit_cap.earnings_exception_monthly", 881),
        ("national_insurance.main_rate", 0.08),
        ("child_benefit.eldest_child_weekly", 27.05),
    ],
)
def test_values_match_the_research_note(path, expected):
    section, key = path.split(".")
    assert getattr(getattr(load_rates("2026-27"), section), key) == expected


def test_missing_value_is_refused():
    document = raw_document()
    del document["universal_credit"]["taper_rate"]
    with pytest.raises(RatesFileError, match="taper_rate"):
        parse_rates(document, "2026-27.toml")


def test_value_without_source_is_refused():
    document = raw_document()
    document["universal_credit"]["taper_rate"] = {"value": 0.55, "source": " "}
    with pytest.raises(RatesFileError, match="taper_rate"):
        parse_rates(document, "2026-27.toml")


def test_unknown_value_is_refused():
    document = raw_document()
    document["universal_credit"]["taper_rat"] = {"value": 0.55, "source": "typo"}
    with pytest.raises(RatesFileError, match="taper_rat"):
        parse_rates(document, "2026-27.toml")


def test_band_lists_must_line_up():
    document = copy.deepcopy(raw_document())
    document["income_tax"]["uk_band_rates"]["value"] = [0.2, 0.4]
    with pytest.raises(RatesFileError, match="bands"):
        parse_rates(document, "2026-27.toml")


def test_file_name_must_match_year():
    with pytest.raises(RatesFileError, match="does not match"):
        parse_rates(raw_document(), "2027-28.toml")


@pytest.mark.parametrize(
    "day, year",
    [("2026-04-05", "2025-26"), ("2026-04-06", "2026-27"), ("2026-11-22", "2026-27"), ("2027-01-01", "2026-27"),
     ("2099-12-31", "2099-00")],
)
def test_tax_year_for_date(day, year):
    import datetime as dt

    assert tax_year_for_date(dt.date.fromisoformat(day)) == year
