"""Fictional passport entries for the demo site, and a signing key so its JSON export works.

Every entry is made up, like the demo residents they are attached to.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import TYPE_CHECKING

from plugins.passport.model import EntryForm, validate_entry
from plugins.passport.storage import add_entry

if TYPE_CHECKING:
    from sqlite_utils import Database

log = logging.getLogger("hub.passport")
DEMO_STAFF = "demo.staff"


def _day(days_ago: int, today: date) -> str:
    return (today - timedelta(days=days_ago)).strftime("%d/%m/%Y")


def demo_entries(today: date) -> list[tuple[int, EntryForm]]:
    """(index of the demo resident, entry)."""
    return [
        (1, EntryForm(kind="training", title="CV writing workshop", provider="Northside Community House",
                      start_date=_day(20, today), hours_total="3", skills=["digital:transacting", "work:aiming_high"],
                      verification_level="staff_witnessed")),
        (1, EntryForm(kind="job_search", title="Applied: warehouse operative", provider="Example Logistics Ltd",
                      start_date=_day(4, today), hours_total="1.5", evidence=["application_confirmation"],
                      verification_level="document_seen")),
        (1, EntryForm(kind="volunteering", title="Food bank volunteer", provider="Northside Pantry", role="Packer",
                      start_date=_day(60, today), ongoing=True, hours_per_week="4", skills=["work:teamwork"])),
        (2, EntryForm(kind="qualification", title="Food Hygiene Level 2", provider="Example Training Co",
                      start_date=_day(35, today), result="Passed", qualification_level="2", evidence=["certificate"],
                      verification_level="document_seen")),
        (3, EntryForm(kind="employment", title="Care assistant", provider="Example Care Homes", role="Care assistant",
                      start_date=_day(50, today), ongoing=True, hours_per_week="20", pay_amount="12.71", pay_period="hour",
                      evidence=["payslip", "contract"], verification_level="document_seen")),
        (6, EntryForm(kind="employment", title="Care assistant", provider="Example Care Homes", role="Care assistant",
                      start_date=_day(40, today), ongoing=True, hours_per_week="24", pay_amount="12.71", pay_period="hour",
                      evidence=["payslip", "contract"], verification_level="document_seen")),
        (6, EntryForm(kind="work_experience", title="Care home taster week", provider="Example Care Homes",
                      start_date=_day(30, today), end_date=_day(26, today), hours_total="30",
                      verification_level="provider_confirmed", verified_by="Duty manager, Example Care Homes (phone)")),
    ]


def seed(hub, db: "Database", today: date | None = None) -> None:
    today = today or date.today()
    resident_ids = [row["id"] for row in db.query("select id from residents order by id")]
    for index, form in demo_entries(today):
        if index >= len(resident_ids):
            continue
        add_entry(db, resident_ids[index], validate_entry(form, today=today), staff=DEMO_STAFF, terminal="demo")
    _demo_key(hub)
    _demo_document(hub, resident_ids)


def _demo_document(hub, resident_ids: list[int]) -> None:
    """One printed passport (the register of issued documents shows it; its code checks out)."""
    from plugins.passport.service import export

    if len(resident_ids) > 3:
        try:
            export(hub, resident_ids[3], "pdf")
        except Exception as exc:  # fpdf missing or a read-only data folder: the rest of the demo still works
            log.warning("passport demo: no document issued: %s", type(exc).__name__)


def _demo_key(hub) -> None:
    """A demo site gets its own signing key on first run, so exporting signed JSON can be tried."""
    from plugins.passport.service import key_path, settings
    from plugins.passport.signing import KeyFileError, create_key_file

    path = key_path(hub)
    if path.exists():
        return
    try:
        create_key_file(path, settings(hub).key_passphrase or None)
    except KeyFileError as exc:
        log.warning("passport demo: no signing key made: %s", exc)
