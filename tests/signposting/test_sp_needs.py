"""The barrier -> service mapping and its explanations."""

import datetime as dt
import json
from pathlib import Path

import pytest

from plugins.signposting import feeds
from plugins.signposting.model import Service, TaxonomyTerm
from plugins.signposting.needs import (
    explain_match,
    keyword_in,
    load_needs,
    match_needs,
    needs_for_terms,
    needs_from_mapping,
)

HERE = Path(__file__).resolve().parent
OPENREFERRAL = HERE.parent / "fixtures" / "openreferral"
REQUIRED_NEEDS = {
    "debt", "childcare", "mental_health", "english", "skills", "digital", "housing", "benefits",
    "food", "criminal_record", "transport", "physical_health", "disability", "caring",
    "domestic_abuse", "substance_misuse", "employment",
}


def service(name: str, description: str = "", terms=(), needs=()) -> Service:
    return Service(source="t", source_id=name, name=name, description=description, taxonomy_terms=list(terms), needs=list(needs))


def term(name: str, vocabulary: str | None = None, **extra) -> TaxonomyTerm:
    return TaxonomyTerm(source="t", source_id=extra.pop("source_id", name), name=name, vocabulary=vocabulary, **extra)


def test_needs_file_has_every_required_barrier_with_evidence():
    catalogue = load_needs()
    assert REQUIRED_NEEDS <= set(catalogue.keys())
    for need in catalogue:
        assert need.label and need.keywords, need.key
        assert need.open_eligibility or need.term_names or need.lga_service_types, need.key


def test_keyword_match_explains_where():
    match = explain_match(service("Money Matters", "Free debt advice and budgeting help"), load_needs().get("debt"))
    assert [r.detail for r in match.reasons] == ["says 'debt' in its description"]
    assert match.explain() == "Debt and money worries: says 'debt' in its description"


def test_name_counts_more_than_description():
    debt = load_needs().get("debt")
    in_name = explain_match(service("Debt Advice Clinic"), debt)
    in_description = explain_match(service("Advice Clinic", "help with debts"), debt)
    assert in_name.score > in_description.score > 0


def test_whole_words_and_plurals():
    assert keyword_in("food bank", "Our food banks open on Fridays")
    assert keyword_in("food bank", "The Food-Bank")
    assert not keyword_in("debt", "indebted to our volunteers")
    assert not keyword_in("GP", "GPS tracking")


def test_capital_keywords_are_case_sensitive():
    disability = load_needs().get("disability")
    assert not explain_match(service("Parcels", "We send food parcels to your door"), disability).reasons
    assert explain_match(service("SEND support", "Help for families"), disability).reasons


def test_mental_health_service_is_not_a_physical_health_match():
    counselling = service("Community Counselling", "Suitable for people with mental health conditions such as anxiety")
    keys = [m.need.key for m in match_needs(counselling)]
    assert keys[0] == "mental_health"
    assert "physical_health" not in keys


def test_open_eligibility_and_lga_terms_match():
    debt_term = term("Credit Counseling", "openEligibility")
    assert explain_match(service("X", terms=[debt_term]), load_needs().get("debt")).reasons[0].detail == (
        "tagged 'Credit Counseling' (openEligibility)"
    )
    carers = term("Carers support groups", "esdServiceType", code="298")
    reason = explain_match(service("Y", terms=[carers]), load_needs().get("caring")).reasons[0]
    assert reason.kind == "taxonomy" and reason.detail == "LGA service type 298 'Carers support groups'"
    by_uri = term("Care at home", None, term_uri="http://id.esd.org.uk/service/242")
    assert needs_for_terms([by_uri]) == ["disability"]


def test_site_lead_needs_count_most():
    match = explain_match(service("Hall", needs=["food"]), load_needs().get("food"))
    assert match.reasons[0].kind == "site" and match.score >= 4


def test_v1_fixture_services_match_expected_needs():
    page = feeds.parse_page(json.loads((HERE / "fixtures/oruk_v1_services_page1.json").read_text()), "b", today=dt.date(2026, 11, 22))
    money, stay, line = page.services
    money_matches = {m.need.key: m for m in match_needs(money)}
    assert "debt" in money_matches
    assert any(r.kind == "taxonomy" for r in money_matches["debt"].reasons)
    assert "childcare" in {m.need.key for m in match_needs(stay)}
    assert "mental_health" in {m.need.key for m in match_needs(line)}


def test_hsds_fixture_counselling_matches_mental_health():
    svc = feeds.parse_json_text((OPENREFERRAL / "hsds-3.0/service_full.json").read_bytes(), "m", today=dt.date(2026, 11, 22)).services[0]
    match = match_needs(svc, ["mental_health"])[0]
    assert match.need.key == "mental_health"
    assert "says 'counselling' in its name" in [r.detail for r in match.reasons]


def test_plugins_extend_without_removing():
    catalogue = load_needs().extended(
        {"food": {"keywords": ["community kitchen"]}, "pets": {"label": "Pet care", "keywords": ["vet"]}}
    )
    food = catalogue.get("food")
    assert "community kitchen" in food.keywords and "food bank" in food.keywords
    assert catalogue.get("pets").label == "Pet care"
    assert "pets" not in load_needs()  # the shipped catalogue is unchanged


def test_bad_mapping_shapes_are_rejected():
    with pytest.raises(ValueError, match="no label"):
        needs_from_mapping({"x": {"keywords": ["a"]}})
    with pytest.raises(ValueError, match="unknown fields"):
        needs_from_mapping({"x": {"label": "X", "keywrods": ["a"]}})
    with pytest.raises(ValueError, match="must be a list"):
        needs_from_mapping({"x": {"label": "X", "keywords": "a"}})


def test_resolve_typed_need():
    catalogue = load_needs()
    assert catalogue.resolve("mental health").key == "mental_health"
    assert catalogue.resolve("Debt").key == "debt"
    assert catalogue.resolve("ESOL").key == "english"  # part of the label
    assert catalogue.resolve("xyzzy") is None


def test_unknown_need_key_raises_with_choices():
    with pytest.raises(KeyError, match="known needs"):
        match_needs(service("X"), ["nonsense"])
