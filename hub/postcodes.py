"""UK postcodes: tidy what staff type, check its shape, and tell whether it is in the site's area.

Pure functions, no data files: the signposting plugin geocodes; the core only needs
the shape and the outward/inward split.
"""

from __future__ import annotations

import re

_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")


def normalise_postcode(text: str) -> str | None:
    """ "m40 7ab", "M407AB " -> "M40 7AB"; None when it is not a UK postcode shape."""
    compact = re.sub(r"\s+", "", text or "").upper()
    match = _POSTCODE.match(compact)
    if not match:
        return None
    return f"{match.group(1)} {match.group(2)}"


def in_area(postcode: str, area: list[str]) -> bool:
    """Whether a postcode falls in any area entry: a full postcode, a sector ("M40 7") or a district ("M40")."""
    full = normalise_postcode(postcode)
    if full is None:
        return False
    outward, inward = full.split(" ")
    for entry in area:
        entry = " ".join(entry.upper().split())
        if " " in entry:
            entry_out, entry_in = entry.split(" ", 1)
            if entry_out == outward and inward.startswith(entry_in):
                return True
        elif entry == outward:
            return True
        elif normalise_postcode(entry) == full:
            return True
    return False
