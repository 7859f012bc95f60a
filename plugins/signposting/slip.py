"""A printable slip for the resident: where to go, when it is open, who to call, and how fresh that is.

fpdf2's core fonts (Helvetica) only cover Latin-1, so every text is passed
through :func:`latin1` first: curly quotes, dashes and ellipses become their
plain forms and anything else unprintable becomes "?", rather than the PDF
failing to build. The resident appears by their preferred name only (or their
first name when they gave none): no address, date of birth or id on paper that
may be left behind.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:
    from sqlite_utils import Database

_PLAIN = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u2026": "...", "\u2022": "-", "\u00a0": " ", "\u2009": " ", "\u200b": "", "\u202f": " ",
    "\u20ac": "EUR ",
    # Letters with no accent to strip (so NFKD cannot help), common in residents' and services' names.
    "\u0141": "L", "\u0142": "l", "\u0110": "D", "\u0111": "d", "\u0152": "OE", "\u0153": "oe", "\u0131": "i",
    "\u0126": "H", "\u0127": "h", "\u0166": "T", "\u0167": "t",
}

KIND_LINES = {
    "signpost": "We have given you the details of this service. You can contact them yourself.",
    "warm_handover": "We have introduced you to this service (with your agreement).",
    "formal_referral": "We have referred you to this service (with your agreement).",
}
BANK_HOLIDAY_LINES = {
    "closed": "Closed on bank holidays.",
    "open": "Open on bank holidays.",
    None: "On bank holidays: please call first.",
}


def latin1(text: Any) -> str:
    """Text the PDF core fonts can print: plain punctuation, accents kept where Latin-1 has them."""
    text = "".join(_PLAIN.get(ch, ch) for ch in str(text or ""))
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\n\t")
    out = []
    for ch in text:
        try:
            ch.encode("latin-1")
            out.append(ch)
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFKD", ch).encode("latin-1", "ignore").decode("latin-1")
            out.append(decomposed or "?")
    return "".join(out)


def _long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def slip_name(resident: Mapping[str, Any]) -> str:
    """The only personal detail on a slip: the preferred name, else the first name."""
    preferred = (resident.get("preferred_name") or "").strip()
    if preferred:
        return preferred
    name = (resident.get("name") or "").strip()
    return name.split()[0] if name else ""


def slip_pdf(
    snapshot: Mapping[str, Any],
    *,
    preferred_name: str,
    site_name: str,
    given_on: dt.date,
    kind: str | None = None,
    follow_up_on: dt.date | None = None,
) -> bytes:
    """The slip as PDF bytes, from a service snapshot (``referrals.snapshot_service`` shape)."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(latin1(f"Service details: {snapshot.get('name', '')}"))
    pdf.set_creator("Drop-in Hub")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_margins(18, 18, 18)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def line(text: str, *, size: float = 12, style: str = "", height: float = 6.5, gap: float = 0) -> None:
        pdf.set_font("Helvetica", style=style, size=size)
        pdf.multi_cell(width, height, latin1(text), new_x="LMARGIN", new_y="NEXT")
        if gap:
            pdf.ln(gap)

    line(site_name, size=10, style="B", gap=1)
    heading = f"For {preferred_name}" if preferred_name else "Service details"
    line(heading, size=14, style="B")
    line(f"Given on {_long_date(given_on)}", size=10, gap=4)
    if kind in KIND_LINES:
        line(KIND_LINES[kind], size=11, gap=3)

    line(snapshot.get("name") or "", size=18, style="B", height=8)
    if snapshot.get("organisation"):
        line(snapshot["organisation"], size=12)
    pdf.ln(2)
    if snapshot.get("address"):
        line("Address", size=11, style="B")
        for part in str(snapshot["address"]).split(", "):
            line(part, size=12)
        if snapshot.get("postcode") and snapshot["postcode"] not in str(snapshot["address"]):
            line(snapshot["postcode"], size=12)
        pdf.ln(2)

    line("When it is open", size=11, style="B")
    hours = list(snapshot.get("hours") or [])
    if hours:
        for text in hours:
            line(text, size=12)
        line(BANK_HOLIDAY_LINES.get(snapshot.get("bank_holidays"), BANK_HOLIDAY_LINES[None]), size=10)
    else:
        line("Opening hours unknown: please call first.", size=12)
    pdf.ln(2)

    phones = list(snapshot.get("phones") or [])
    if phones:
        line("Phone", size=11, style="B")
        line(", ".join(phones), size=14, style="B")
        pdf.ln(1)
    for label, key in (("Email", "email"), ("Website", "url")):
        if snapshot.get(key):
            line(f"{label}: {snapshot[key]}", size=11)
    access = snapshot.get("access")
    if access:
        line(f"How to go: {access}", size=11)
    pdf.ln(3)

    checked = snapshot.get("last_checked")
    source = snapshot.get("source_label") or snapshot.get("source") or ""
    if checked:
        checked_text = f"Last checked: {_long_date(dt.date.fromisoformat(checked))}"
    else:
        checked_text = "Last checked: not known"
    line(f"{checked_text}{f' (listing from {source})' if source else ''}.", size=10)
    line("Details can change. Please call before you go.", size=10, style="B")
    if follow_up_on is not None:
        pdf.ln(2)
        line(f"We will check in with you around {_long_date(follow_up_on)} to see how it went.", size=10)
    return bytes(pdf.output())


def referral_slip(db: "Database", referral_id: int, *, site_name: str) -> bytes:
    """The slip for a recorded referral, from its snapshot (the details as they were when referred)."""
    from hub.api import get_resident

    from .referrals import get_referral

    referral = get_referral(db, referral_id)
    resident = get_resident(db, referral["resident_id"]) or {}
    follow_up = dt.date.fromisoformat(referral["follow_up_on"]) if referral.get("follow_up_on") else None
    return slip_pdf(
        referral["snapshot"],
        preferred_name=slip_name(resident),
        site_name=site_name,
        given_on=dt.date.fromisoformat(referral["created_at"][:10]),
        kind=referral["kind"],
        follow_up_on=follow_up,
    )


def service_slip(
    db: "Database",
    service_key: str,
    *,
    site_name: str,
    preferred_name: str = "",
    service_at_location_key: str | None = None,
    today: dt.date | None = None,
) -> bytes:
    """A slip for a listing without recording a referral (details handed over at the desk)."""
    from .referrals import snapshot_service

    today = today or dt.date.today()
    snapshot = snapshot_service(db, service_key, service_at_location_key=service_at_location_key, today=today)
    return slip_pdf(snapshot, preferred_name=preferred_name, site_name=site_name, given_on=today)
