"""A one-page summary (PDF) of a better-off calculation for the resident to take away.

No personal details go on it beyond what staff typed into the calculation (no name): the
resident can show it to anyone without exposing their record.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

ROWS = [  # the figures shown for "now" and "with the job", on screen and on paper
    ("earnings", "Earnings (before tax)"),
    ("income_tax", "Income tax"),
    ("national_insurance", "National Insurance"),
    ("pension_contributions", "Pension contributions"),
    ("universal_credit", "Universal Credit"),
    ("child_benefit", "Child Benefit"),
    ("council_tax_reduction", "Council tax reduction (local estimate)"),
    ("other_income", "Other income"),
    ("costs_of_work", "Costs of working (travel etc.)"),
    ("net_income", "Money to live on"),
]

_REPLACEMENTS = {"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "•": "-", "≥": ">=", "≤": "<="}


def latin1(text: str) -> str:
    """The PDF's built-in fonts are Latin-1 only (which has £); replace the rest."""
    for old, new in _REPLACEMENTS.items():
        text = text.replace(old, new)
    return text.encode("latin-1", "replace").decode("latin-1")


def money(amount: float | None) -> str:
    return "-" if amount is None else f"£{amount:,.2f}"


def build_summary(result: dict, data: dict, *, site_name: str, printed: date | None = None):
    """The summary as an fpdf2 document (not yet written), one A4 page: smaller print if it must."""
    for scale in (1.0, 0.92, 0.85, 0.78, 0.72):
        pdf = _build(result, data, site_name=site_name, printed=printed, scale=scale)
        if pdf.page_no() == 1:
            return pdf
    return pdf


def _build(result: dict, data: dict, *, site_name: str, printed: date | None, scale: float):
    from fpdf import FPDF  # imported only when a summary is printed

    printed = printed or date.today()
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_title("Better off in work? Your calculation")
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 9, latin1("Better off in work? Your calculation"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    pdf.cell(0, 5, latin1(f"{site_name} - {printed.strftime('%d %B %Y')} - tax year {result.get('tax_year', '')}"), new_x="LMARGIN", new_y="NEXT")
    job = data.get("job")
    if job:
        pdf.cell(0, 5, latin1(f"Job offer: {job['hours_per_week']:g} hours a week at £{job['hourly_wage']:.2f} an hour"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    better = result.get("better_off")
    pdf.set_font("Helvetica", "B", 13)
    if better is None:
        headline = f"Money to live on now: {money(result['now']['net_income'])} a month"
    elif better >= 0:
        headline = f"You would be {money(better)} a month better off in this job"
    else:
        headline = f"You would be {money(-better)} a month worse off in this job"
    year = result.get("year")
    if year and not year.get("same_every_month", True):  # issue 13: the months differ
        headline += " on average over your first year"
    pdf.multi_cell(0, 7, latin1(headline), new_x="LMARGIN", new_y="NEXT")
    for payment in result.get("one_off_payments", []):
        pdf.set_font("Helvetica", "", 10)
        note = f" ({payment['note']})" if payment.get("note") else ""
        pdf.multi_cell(0, 5, latin1(f"Plus, once: {money(payment['amount'])} {payment['label']}{note}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(90, 6, "Each month", border="B")
    pdf.cell(40, 6, "Now", border="B", align="R")
    pdf.cell(40, 6, "With the job", border="B", align="R", new_x="LMARGIN", new_y="NEXT")
    for key, label in ROWS:
        bold = key == "net_income"
        pdf.set_font("Helvetica", "B" if bold else "", 10)
        now = result["now"][key]
        later = result["with_job"][key] if result.get("with_job") else None
        pdf.cell(90, 6, latin1(label), border="T" if bold else "")
        pdf.cell(40, 6, latin1(money(now)), align="R", border="T" if bold else "")
        pdf.cell(40, 6, latin1(money(later)), align="R", border="T" if bold else "", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(0, 6, "Why", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9 * scale)
    for sentence in result.get("explanation", []):
        pdf.multi_cell(0, 4.5 * scale, latin1(f"- {sentence}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(0, 6, "Good to know", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 8.5 * scale)
    for warning in result.get("warnings", []) + result.get("assumptions", []):
        pdf.multi_cell(0, 4 * scale, latin1(f"- {warning}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Helvetica", "I", 8)
    pdf.multi_cell(0, 4, latin1("This is an estimate using the rules and rates for the tax year shown. Your actual Universal Credit "
                                "depends on what you are paid in each assessment period. Ask us to check again if anything changes."))
    return pdf


def write_summary(result: dict, data: dict, folder: Path, *, site_name: str) -> Path:
    """Write the summary PDF into ``folder`` and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"better-off-{datetime.now().strftime('%Y%m%d-%H%M%S')}.pdf"
    build_summary(result, data, site_name=site_name).output(str(path))
    return path
