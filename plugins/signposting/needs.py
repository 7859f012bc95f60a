"""Resident barriers ("needs") and why a service matches them.

The mapping lives in ``data/needs.toml`` (curated, versioned, documented there)
and can be extended by plugins with :meth:`NeedsCatalogue.extended`.  Matching
is deliberately simple and explainable: a service matches a need because the
site lead listed it there, because it is tagged with a category that means the
need, or because its name or description uses one of the need's keywords.
Every match carries the reasons, so the kiosk can always say *why*.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from .model import Service, TaxonomyTerm

_NEEDS_FILE = Path(__file__).parent / "data" / "needs.toml"

#: How much each kind of evidence counts towards a need's score.
WEIGHT_SITE = 4  # the site lead put it under this need
WEIGHT_TAXONOMY = 3  # tagged with a category meaning the need
WEIGHT_KEYWORD_NAME = 2  # the need's word is in the service's name
WEIGHT_KEYWORD_OTHER = 1  # ... in its description or category names

_LGA_URI_PREFIX = "http://id.esd.org.uk/service/"
_LGA_VOCABULARIES = {"esdservicetype", "esdservicetypes", "lga services list", "services list"}


@dataclass(frozen=True, slots=True)
class Need:
    """A barrier a resident may face, with what signals a service helps with it."""

    key: str
    label: str
    keywords: tuple[str, ...] = ()
    open_eligibility: tuple[str, ...] = ()
    lga_service_types: tuple[str, ...] = ()
    term_names: tuple[str, ...] = ()
    weak_keywords: tuple[str, ...] = ()
    """Words that hint at the need without meaning it ("free wifi" for digital access): they count
    towards the need (weight 1) but a listing found only by them is not found by typing the need."""


@dataclass(frozen=True, slots=True)
class MatchReason:
    """One piece of evidence that a service fits a need."""

    need: str
    kind: str  # "site", "taxonomy", "keyword" or "weak_keyword"
    detail: str
    weight: int


@dataclass(slots=True)
class NeedMatch:
    """A service's fit to one need, with every reason found."""

    need: Need
    reasons: list[MatchReason] = field(default_factory=list)

    @property
    def score(self) -> int:
        return sum(r.weight for r in self.reasons)

    def explain(self) -> str:
        """"Debt and money worries: tagged 'Credit Counseling' (openEligibility); says 'debt' in its name"."""
        return f"{self.need.label}: " + "; ".join(r.detail for r in self.reasons)


class NeedsCatalogue:
    """The set of needs, by key, in the order they should be offered."""

    def __init__(self, needs: Iterable[Need]):
        self._needs: dict[str, Need] = {}
        for need in needs:
            self._needs[need.key] = need

    def __iter__(self):
        return iter(self._needs.values())

    def __len__(self) -> int:
        return len(self._needs)

    def __contains__(self, key: object) -> bool:
        return key in self._needs

    def keys(self) -> list[str]:
        return list(self._needs)

    def get(self, key: str) -> Need:
        try:
            return self._needs[key]
        except KeyError:
            raise KeyError(f"unknown need {key!r}; known needs: {', '.join(self._needs)}") from None

    def resolve(self, text: str) -> Need | None:
        """Find a need from what someone typed: its key or its label, any case ("mental health")."""
        wanted = _fold(text).replace("_", " ").replace("-", " ")
        for need in self._needs.values():
            if wanted in (need.key.replace("_", " "), _fold(need.label)):
                return need
        for need in self._needs.values():
            if wanted and (wanted in _fold(need.label) or wanted in need.key.replace("_", " ")):
                return need
        return None

    def extended(self, additions: Mapping[str, Mapping]) -> "NeedsCatalogue":
        """A new catalogue with extra needs or extra terms/keywords for existing ones.

        ``additions`` has the same shape as ``needs.toml`` (a plugin's mapping).
        Lists are added to, never replaced, so a plugin cannot remove the
        curated terms.
        """
        needs = dict(self._needs)
        for key, raw in additions.items():
            extra = _need_from_mapping(key, raw, require_label=key not in needs)
            if key in needs:
                base = needs[key]
                extra = replace(
                    base,
                    keywords=_merge(base.keywords, extra.keywords),
                    open_eligibility=_merge(base.open_eligibility, extra.open_eligibility),
                    lga_service_types=_merge(base.lga_service_types, extra.lga_service_types),
                    term_names=_merge(base.term_names, extra.term_names),
                    weak_keywords=_merge(base.weak_keywords, extra.weak_keywords),
                )
            needs[key] = extra
        return NeedsCatalogue(needs.values())


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _merge(first: Sequence[str], second: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys([*first, *second]))


_NEED_FIELDS = {"label", "keywords", "weak_keywords", "open_eligibility", "lga_service_types", "term_names", "description"}


def _need_from_mapping(key: str, raw: Mapping, require_label: bool = True) -> Need:
    if not isinstance(raw, Mapping):
        raise ValueError(f"need {key!r} must be a table")
    unknown = set(raw) - _NEED_FIELDS
    if unknown:
        raise ValueError(f"need {key!r} has unknown fields: {', '.join(sorted(unknown))}")
    label = raw.get("label")
    if require_label and not (isinstance(label, str) and label.strip()):
        raise ValueError(f"need {key!r} has no label")

    def strings(name: str) -> tuple[str, ...]:
        values = raw.get(name, [])
        if not isinstance(values, list) or not all(isinstance(v, (str, int)) for v in values):
            raise ValueError(f"need {key!r}: {name} must be a list of strings")
        return tuple(str(v).strip() for v in values if str(v).strip())

    return Need(
        key=key,
        label=(label or key).strip(),
        keywords=strings("keywords"),
        open_eligibility=strings("open_eligibility"),
        lga_service_types=strings("lga_service_types"),
        term_names=strings("term_names"),
        weak_keywords=strings("weak_keywords"),
    )


def needs_from_mapping(data: Mapping) -> NeedsCatalogue:
    """Build a catalogue from decoded ``needs.toml`` content (checks its shape)."""
    needs = [_need_from_mapping(key, raw) for key, raw in data.items() if key != "version"]
    return NeedsCatalogue(needs)


@functools.cache
def load_needs(path: Path | str | None = None) -> NeedsCatalogue:
    """The shipped needs mapping (read once)."""
    with open(path or _NEEDS_FILE, "rb") as handle:
        return needs_from_mapping(tomllib.load(handle))


# --------------------------------------------------------------------------
# Matching
# --------------------------------------------------------------------------


def _is_capitals(keyword: str) -> bool:
    return keyword.isupper() and len(keyword) >= 2


def _keyword_body(keyword: str) -> str:
    return r"[\s\-]+".join(re.escape(w) for w in keyword.split())


@functools.lru_cache(maxsize=4096)
def _keyword_pattern(keyword: str) -> re.Pattern:
    flags = 0 if _is_capitals(keyword) else re.IGNORECASE
    return re.compile(rf"(?<!\w){_keyword_body(keyword)}(?:s|es)?(?!\w)", flags)


@functools.lru_cache(maxsize=256)
def _any_keyword_patterns(keywords: tuple[str, ...]) -> tuple[re.Pattern, ...]:
    """One pattern per case rule matching any of the keywords: a quick "none of them" check."""
    patterns = []
    for capitals, flags in ((False, re.IGNORECASE), (True, 0)):
        group = [_keyword_body(k) for k in keywords if _is_capitals(k) == capitals]
        if group:
            patterns.append(re.compile(rf"(?<!\w)(?:{'|'.join(group)})(?:s|es)?(?!\w)", flags))
    return tuple(patterns)


def keyword_in(keyword: str, text: str | None) -> bool:
    """Whole-word (or whole-phrase) match, allowing a plural ending."""
    return bool(text) and _keyword_pattern(keyword).search(text) is not None


def _any_keyword_in(keywords: tuple[str, ...], texts: Sequence[str | None]) -> bool:
    patterns = _any_keyword_patterns(keywords)
    return any(p.search(text) for text in texts if text for p in patterns)


def _term_reason(need: Need, term: TaxonomyTerm) -> MatchReason | None:
    vocabulary = term.vocabulary or "category"
    name = _fold(term.name)
    for wanted in need.open_eligibility:
        if name == _fold(wanted):
            return MatchReason(need.key, "taxonomy", f"tagged '{term.name}' ({vocabulary})", WEIGHT_TAXONOMY)
    for wanted in need.term_names:
        if name == _fold(wanted):
            return MatchReason(need.key, "taxonomy", f"tagged '{term.name}' ({vocabulary})", WEIGHT_TAXONOMY)
    if need.lga_service_types:
        is_lga = _fold(term.vocabulary or "") in _LGA_VOCABULARIES or (term.term_uri or "").startswith(_LGA_URI_PREFIX)
        ids = {term.code, term.source_id, (term.term_uri or "").removeprefix(_LGA_URI_PREFIX)}
        ids |= {i.split(":", 1)[1] for i in list(ids) if i and ":" in i}
        if is_lga or any(i and i.startswith("esdServiceType:") for i in (term.code, term.source_id)):
            for wanted in need.lga_service_types:
                if wanted in ids:
                    return MatchReason(
                        need.key, "taxonomy", f"LGA service type {wanted} '{term.name}'", WEIGHT_TAXONOMY
                    )
    return None


def explain_match(service: Service, need: Need) -> NeedMatch:
    """Every reason a service fits a need (an empty list when it does not)."""
    match = NeedMatch(need)
    if need.key in service.needs:
        match.reasons.append(MatchReason(need.key, "site", "listed under this need by the site lead", WEIGHT_SITE))
    for term in service.taxonomy_terms:
        reason = _term_reason(need, term)
        if reason is not None:
            match.reasons.append(reason)
            break
    fields = (
        ("its name", (service.name, service.alternate_name), WEIGHT_KEYWORD_NAME),
        ("its description", (service.description, service.eligibility_description), WEIGHT_KEYWORD_OTHER),
        ("its categories", tuple(t.name for t in service.taxonomy_terms), WEIGHT_KEYWORD_OTHER),
    )
    for where, texts, weight in fields:
        if not _any_keyword_in(need.keywords, texts):
            continue
        for keyword in need.keywords:
            if any(keyword_in(keyword, text) for text in texts):
                match.reasons.append(MatchReason(need.key, "keyword", f"says '{keyword}' in {where}", weight))
                break
    if need.weak_keywords and not match.reasons:
        for where, texts, _weight in fields:
            if _any_keyword_in(need.weak_keywords, texts):
                keyword = next(k for k in need.weak_keywords if any(keyword_in(k, text) for text in texts))
                match.reasons.append(
                    MatchReason(need.key, "weak_keyword", f"mentions '{keyword}' in {where}", WEIGHT_KEYWORD_OTHER)
                )
                break
    return match


def match_needs(
    service: Service,
    wanted: Iterable[str] | None = None,
    catalogue: NeedsCatalogue | None = None,
) -> list[NeedMatch]:
    """The needs a service fits (all, or only ``wanted`` keys), best first."""
    catalogue = catalogue or load_needs()
    needs = [catalogue.get(key) for key in wanted] if wanted is not None else list(catalogue)
    matches = [m for m in (explain_match(service, need) for need in needs) if m.reasons]
    return sorted(matches, key=lambda m: -m.score)


def needs_for_terms(terms: Iterable[TaxonomyTerm], catalogue: NeedsCatalogue | None = None) -> list[str]:
    """Need keys implied by a record's categories alone (for indexing at sync time)."""
    catalogue = catalogue or load_needs()
    found: list[str] = []
    terms = list(terms)
    for need in catalogue:
        if any(_term_reason(need, term) is not None for term in terms):
            found.append(need.key)
    return found


# --------------------------------------------------------------------------
# Matching many services (the store, at sync time)
# --------------------------------------------------------------------------


class NeedMatcher:
    """``needs.match_needs`` for many services: the same answers, without trying every need on each.

    A need can only match through the site lead's list, a category name, or a keyword whose
    first word appears in the text; needs with none of those are not tried (``explain_match``
    would find no reasons for them), so the result is identical and much cheaper.
    """

    def __init__(self, catalogue: NeedsCatalogue) -> None:
        self.catalogue = catalogue
        self._order = {need.key: index for index, need in enumerate(catalogue)}
        self._by_first_word: dict[str, set[str]] = {}
        self._by_term_name: dict[str, set[str]] = {}
        self._lga_needs = {need.key for need in catalogue if need.lga_service_types}
        self._fold = _fold
        self._lga_vocabularies = _LGA_VOCABULARIES
        self._lga_prefix = _LGA_URI_PREFIX
        for need in catalogue:
            for keyword in (*need.keywords, *need.weak_keywords):
                words = _WORD.findall(keyword.casefold())
                if words:
                    self._by_first_word.setdefault(words[0], set()).add(need.key)
            for name in (*need.open_eligibility, *need.term_names):
                self._by_term_name.setdefault(_fold(name), set()).add(need.key)

    def _candidates(self, service: Service) -> set[str]:
        found = set(service.needs)
        texts = [service.name, service.alternate_name, service.description, service.eligibility_description]
        for term in service.taxonomy_terms:
            texts.append(term.name)
            found |= self._by_term_name.get(self._fold(term.name), set())
            if self._lga_needs and (
                self._fold(term.vocabulary or "") in self._lga_vocabularies
                or (term.term_uri or "").startswith(self._lga_prefix)
                or any(i and i.startswith("esdServiceType:") for i in (term.code, term.source_id))
            ):
                found |= self._lga_needs
        for text in texts:
            if not text:
                continue
            for word in _WORD.findall(text.casefold()):
                for variant in (word, word[:-1] if word.endswith("s") else None, word[:-2] if word.endswith("es") else None):
                    if variant and variant in self._by_first_word:
                        found |= self._by_first_word[variant]
        return found

    def match(self, service: Service) -> list:
        keys = sorted((k for k in self._candidates(service) if k in self._order), key=self._order.__getitem__)
        matches = [m for m in (explain_match(service, self.catalogue.get(key)) for key in keys) if m.reasons]
        return sorted(matches, key=lambda m: -m.score)


_WORD = re.compile(r"\w+")
_matchers: dict[int, tuple[NeedsCatalogue, NeedMatcher]] = {}


def need_matcher(catalogue: NeedsCatalogue) -> NeedMatcher:
    """One matcher per catalogue object (they are immutable)."""
    cached = _matchers.get(id(catalogue))
    if cached is None or cached[0] is not catalogue:
        if len(_matchers) > 8:
            _matchers.clear()
        cached = _matchers[id(catalogue)] = (catalogue, NeedMatcher(catalogue))
    return cached[1]


