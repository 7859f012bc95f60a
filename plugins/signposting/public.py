"""The helpers a signposting source may use, under names that stay put (docs/writing-a-signposting-source.md).

``from plugins.signposting import parse_opening_ranges, stable_id, freshness_warning`` works
however the package is arranged inside; each name is imported only when first asked for, so
loading the plugin stays cheap.
"""

from __future__ import annotations

import re

PUBLIC = {
    # opening hours
    "parse_opening_ranges": ("plugins.signposting.feeds", "parse_opening_ranges"),
    "parse_clock": ("plugins.signposting.feeds", "parse_clock"),
    "parse_time": ("plugins.signposting.feeds", "parse_time"),
    # when a listing was last checked
    "STALE_AFTER_DAYS": ("plugins.signposting.model", "STALE_AFTER_DAYS"),
    "freshness_warning": ("plugins.signposting.model", "freshness_warning"),
    "is_stale": ("plugins.signposting.model", "is_stale"),
    # ids
    "record_key": ("plugins.signposting.model", "record_key"),
    "stable_id": ("plugins.signposting.public", "stable_id"),
    # what a source returns, and its failures
    "Service": ("plugins.signposting.model", "Service"),
    "Organization": ("plugins.signposting.model", "Organization"),
    "Location": ("plugins.signposting.model", "Location"),
    "ServiceAtLocation": ("plugins.signposting.model", "ServiceAtLocation"),
    "Address": ("plugins.signposting.model", "Address"),
    "Phone": ("plugins.signposting.model", "Phone"),
    "Schedule": ("plugins.signposting.model", "Schedule"),
    "SkippedRecord": ("plugins.signposting.feeds", "SkippedRecord"),
    "Source": ("plugins.signposting.sources", "Source"),
    "Batch": ("plugins.signposting.sources", "Batch"),
    "FetchContext": ("plugins.signposting.sources", "FetchContext"),
    "SourceError": ("plugins.signposting.sources", "SourceError"),
    "normalise_postcode": ("plugins.signposting.geo", "normalise_postcode"),
}
"""Public name -> (module, attribute) where it lives today."""


def stable_id(name: str, *, prefix: str = "") -> str:
    """An id that stays the same while a name does: "Northside Food Bank (Tues)" -> "northside-food-bank-tues".

    For sources whose rows have no id of their own: the same listing keeps its id (and its
    referrals) across syncs. Case, punctuation and spacing do not matter; "" gives "service".
    """
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "service"
    return f"{prefix}{slug}"


def load(name: str):
    import importlib

    module, attribute = PUBLIC[name]
    return getattr(importlib.import_module(module), attribute)
