"""Data-quality warnings grouped by kind, so a site lead sees what to fix rather than a wall of lines.

A feed of 10,000 listings can raise 7,675 "not checked recently" warnings: listed one by one
they tell nobody anything. :func:`summarise` groups warnings by kind (the message with its
particular values taken out), counts the listings each kind touches, keeps three examples,
and marks a kind that fires on most listings as *widespread*: that is a fact about the
feed ("this publisher does not date its listings"), not about each listing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Sequence

#: A kind touching more than this share of a source's listings is summarised as widespread.
WIDESPREAD_SHARE = 0.5
EXAMPLES_PER_KIND = 3

# Known kinds first (their wording varies with the values in them); anything else is
# grouped by its message with quoted values and numbers taken out.
_KNOWN_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.I))
    for kind, pattern in (
        ("not checked recently", r"not checked recently|no last_checked date"),
        ("last checked date in the future", r"last_checked .* is in the future"),
        ("postcode is not a UK postcode", r"is not a UK postcode"),
        ("address is outside the UK", r"address country .* is not the UK"),
        ("placed approximately (postcode district only)", r"approximate location: only the postcode district"),
        ("coordinates are not usable", r"coordinates|latitude|longitude"),
        ("placeholder text left in a field", r"placeholder text"),
        ("opening hours have ended", r"opening hours ended"),
        ("opening hours not readable", r"hours .* is not readable|is not a time|opening hours could not be read"),
        ("schedule uses parts we do not read", r"schedule (?:byweekno|byyearday|count|frequency)"),
        ("schedule contradicts its description", r"schedule text says"),
        ("schedule timezone is not UK", r"schedule timezone"),
        ("phone number not usable", r"is not a phone number"),
        ("phone number had stray quote marks", r"stray quote marks"),
        ("email address not usable", r"does not look like an email"),
        ("web address not usable", r"is not a web address"),
        ("text cut short (too long)", r"characters long and was cut short"),
        ("service status not recognised", r"^status .* is not one of|no status given"),
        ("unknown need", r"need .* is not known"),
        ("unknown field", r"unknown field|unknown section"),
        ("no address, so no distance", r"no address or postcode"),
        ("full details could not be fetched", r"full details could not be fetched"),
        ("record points at an id that does not exist", r"matches no|links to unknown record"),
    )
)
_LOCAL_PREFIX = re.compile(r"^service #\d+ '.*?': ")
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|“[^”]*”")
_NUMBERS = re.compile(r"\d[\d,.:\-]*")


def warning_kind(message: str) -> str:
    """The kind of a warning: the same for every listing with the same problem."""
    text = _LOCAL_PREFIX.sub("", message.strip())
    for kind, pattern in _KNOWN_KINDS:
        if pattern.search(text):
            return kind
    text = _NUMBERS.sub("N", _QUOTED.sub("…", text))
    return " ".join(text.split())[:120] or "other"


@dataclass
class WarningExample:
    listing: str
    message: str


@dataclass
class WarningGroup:
    """One kind of warning: how many listings it touches, and three of them."""

    kind: str
    listings: int
    warnings: int
    examples: list[WarningExample] = field(default_factory=list)
    widespread: bool = False

    def describe(self, total_listings: int) -> str:
        share = f" of {total_listings:,}" if total_listings else ""
        text = f"{self.kind}: {self.listings:,}{share} listings"
        if self.widespread:
            percent = round(100 * self.listings / total_listings) if total_listings else 100
            text += f" ({percent}%: true of most of this source, so a question for its publisher)"
        return text

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "listings": self.listings,
            "warnings": self.warnings,
            "widespread": self.widespread,
            "examples": [{"listing": e.listing, "message": e.message} for e in self.examples],
        }


@dataclass
class QualitySummary:
    """A source's (or the whole directory's) warnings, grouped."""

    listings: int
    listings_with_warnings: int
    groups: list[WarningGroup]

    def lines(self, *, examples: bool = True) -> list[str]:
        """Plain lines for `hub directory status` and the About screen."""
        if not self.groups:
            return ["no data-quality warnings"]
        out = [
            f"{self.listings_with_warnings:,} of {self.listings:,} listings have data-quality warnings, "
            f"{len(self.groups)} kind(s):"
        ]
        for group in self.groups:
            out.append(f"- {group.describe(self.listings)}")
            if examples:
                for example in group.examples:
                    out.append(f"    e.g. {example.listing}: {example.message}")
        return out

    def to_dict(self) -> dict:
        return {
            "listings": self.listings,
            "listings_with_warnings": self.listings_with_warnings,
            "groups": [group.to_dict() for group in self.groups],
        }


def summarise(listings: Iterable[tuple[str, Sequence[str]]], *, total: int | None = None) -> QualitySummary:
    """Group ``(listing name, its warnings)`` pairs by kind, most widespread first.

    ``total`` is the number of listings when ``listings`` holds only those with warnings.
    """
    groups: dict[str, WarningGroup] = {}
    count = flagged = 0
    for name, warnings in listings:
        count += 1
        if not warnings:
            continue
        flagged += 1
        kinds_here: set[str] = set()
        for message in warnings:
            kind = warning_kind(message)
            group = groups.get(kind)
            if group is None:
                group = groups[kind] = WarningGroup(kind, 0, 0)
            group.warnings += 1
            if kind not in kinds_here:
                kinds_here.add(kind)
                group.listings += 1
                if len(group.examples) < EXAMPLES_PER_KIND:
                    group.examples.append(WarningExample(name, message))
    total = max(total or 0, count)
    for group in groups.values():
        group.widespread = total > 1 and group.listings > WIDESPREAD_SHARE * total
    ordered = sorted(groups.values(), key=lambda g: (-g.listings, g.kind))
    return QualitySummary(total, flagged, ordered)
