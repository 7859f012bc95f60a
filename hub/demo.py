"""Fictional residents for the demo site, so training and first runs have something to find.

Every name, date and contact below is made up. Postcodes are shaped like the demo
site's area but the people do not exist.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from hub.residents import NewResident, register_resident, validate_resident

if TYPE_CHECKING:
    from sqlite_utils import Database

DEMO_STAFF = "demo.staff"

DEMO_RESIDENTS = [
    NewResident("Aisha Rahman", "", "14/03/1991", "07700 900101", "", "12 Kestrel Walk", "M40 7AB", "door_knock", "", "economically_inactive"),
    NewResident("Daniel Okafor", "Danny", "02/11/1998", "07700 900102", "", "4 Heron Court", "M40 7DS", "drop_in", "", "unemployed"),
    NewResident("Margaret O'Brien", "Maggie", "21/06/1969", "", "", "31 Lapwing Lane", "M40 8QT", "jobcentre_referral", "", "unemployed"),
    NewResident("Tomasz Nowak", "", "09/09/1985", "07700 900104", "t.nowak@example.com", "7 Curlew Close", "M40 7HN", "agency_referral", "Northside Credit Union", "employed"),
    NewResident("Chloe Bennett", "", "30/01/2004", "07700 900105", "", "18 Plover Street", "M40 8BU", "outreach_event", "", "unemployed"),
    NewResident("Yusuf Ali", "", "17/05/1977", "", "", "2 Siskin Row", "M9 4AA", "word_of_mouth", "", "economically_inactive"),
    NewResident("Grace Mensah", "", "11/12/1994", "07700 900107", "grace.m@example.com", "9 Kestrel Walk", "M40 7AB", "door_knock", "", "unemployed"),
    NewResident("Liam Doherty", "", "25/07/2001", "07700 900108", "", "", "", "drop_in", "", "unemployed"),
]

DEMO_CONTACTS = {
    0: [("door_knock", "Talked on the doorstep; interested in childcare help.", 40), ("drop_in", "Came in; started a better-off calculation.", 12)],
    1: [("drop_in", "Wants warehouse work; no CV yet.", 20), ("appointment", "CV session booked.", 5)],
    2: [("appointment", "Referred by JCP work coach; confidence low after redundancy.", 30)],
    3: [("phone", "Asked about more hours and in-work UC.", 9)],
    6: [("door_knock", "Leaflet left.", 60), ("drop_in", "Registered; looking at care work.", 15)],
}


def seed_residents(db: "Database", area: list[str], today: date | None = None) -> list[int]:
    """Register the demo residents (with full consent) and a few contacts each."""
    from hub.residents import add_contact

    today = today or date.today()
    registered_at = (today - timedelta(days=100)).isoformat() + "T10:00:00+00:00"
    ids = []
    for index, form in enumerate(DEMO_RESIDENTS):
        form.consents = {"record": True, "share_with_services": True, "contact": bool(form.phone), "outcomes_reporting": True}
        row = validate_resident(form, area, today=today)
        resident_id = register_resident(db, row, form.consents, staff=DEMO_STAFF, terminal="demo")
        # Demo people signed up about three months ago, so bonus checks and reports have a history.
        db.execute("UPDATE residents SET registered_at = ? WHERE id = ?", [registered_at, resident_id])
        db.execute("UPDATE consents SET recorded_at = ? WHERE resident_id = ?", [registered_at, resident_id])
        db.execute("UPDATE resident_addresses SET from_date = ?, recorded_at = ? WHERE resident_id = ?",
                   [registered_at[:10], registered_at, resident_id])
        ids.append(resident_id)
        for kind, note, days_ago in DEMO_CONTACTS.get(index, []):
            when = (today - timedelta(days=days_ago)).strftime("%d/%m/%Y")
            add_contact(db, resident_id, kind=kind, note=note, contact_date=when, staff=DEMO_STAFF, terminal="demo")
    return ids
