"""The About text: where the directory's data comes from, with the attributions its licences require.

The postcode data's licence (Open Government Licence) requires the ONS / OS /
Royal Mail lines in :data:`geo.ATTRIBUTION`; Northern Ireland postcodes need
the Land & Property Services line too when a site switches them on.
"""

from __future__ import annotations

from typing import Any, Iterable

from . import geo

OPEN_REFERRAL_ATTRIBUTION = (
    "Listings are read in the Open Referral formats: the Human Services Data Specification (HSDS) "
    "and its UK profile, Open Referral UK.\n"
    "Human Services Data Specification: an Open Referral resource (https://openreferral.org/).\n"
    "Open Referral UK: https://openreferraluk.org/"
)
BANK_HOLIDAYS_ATTRIBUTION = (
    "UK bank holidays: GOV.UK (https://www.gov.uk/bank-holidays), Open Government Licence v3.0. "
    "Dates for 2027 and 2028 follow the usual rules and should be checked against GOV.UK."
)
NEEDS_ATTRIBUTION = (
    "The needs mapping recognises category names from the Open Eligibility taxonomy and "
    "LGA Services List ids (LG Inform Plus), and the words staff use."
)
DIRECTORY_PURPOSE = (
    "The directory keeps an offline copy of local and national services. It shows why each "
    "service matched, how far away it is, whether it is open, and when its details were last "
    "checked. Details can change: call before sending someone."
)


def about_sections(*, include_northern_ireland: bool = False, sources: Iterable[Any] = ()) -> list[tuple[str, str]]:
    """(title, text) pairs for the About screen; ``sources`` are ``store.SourceStatus`` objects."""
    sections = [("Signposting directory", DIRECTORY_PURPOSE)]
    listing_lines = []
    for source in sources:
        label = getattr(source, "label", "") or getattr(source, "name", "")
        describe = getattr(source, "describe", None)
        listing_lines.append(f"{label}: {describe() if callable(describe) else ''}".rstrip(": "))
    if listing_lines:
        sections.append(("Where the listings come from", "\n".join(listing_lines)))
    postcode = geo.ATTRIBUTION
    version = geo.postcode_data_version()
    if version:
        postcode += f"\nPostcode data version {version}."
    if include_northern_ireland:
        postcode += "\n" + geo.ATTRIBUTION_NORTHERN_IRELAND
    else:
        postcode += "\nNorthern Ireland (BT) postcodes are not used: their licence differs."
    sections.append(("Postcodes and distances", postcode))
    sections.append(("Open Referral", OPEN_REFERRAL_ATTRIBUTION))
    sections.append(("Opening hours", BANK_HOLIDAYS_ATTRIBUTION))
    sections.append(("Needs", NEEDS_ATTRIBUTION))
    return sections


def about_text(*, include_northern_ireland: bool = False, sources: Iterable[Any] = ()) -> str:
    """The About screen as plain text: titled sections separated by blank lines."""
    return "\n\n".join(
        f"{title}\n{text}" for title, text in about_sections(include_northern_ireland=include_northern_ireland, sources=sources)
    )
