"""Fictional directory listings for the demo site (Northside, Manchester M40), so `make run` has services.

Every organisation, address and service here is made up. Postcodes are real
Manchester postcodes (so distances work offline); phone numbers are from
Ofcom's ranges reserved for drama (0161 496 0xxx, 0808 157 0xxx), so they
reach nobody. The listings go through the same parser as a site's own list
(``feeds.parse_local_services_toml``), under the source name ``demo``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database

    from hub.api import Hub

DEMO_SOURCE = "demo"
DEMO_LABEL = "Demo listings (fictional)"

# {checked:N} is replaced by the date N days before the seed runs.
DEMO_SERVICES_TOML = """
[[service]]
id = "northside-debt-drop-in"
name = "Debt and Benefits Drop-in"
organisation = "Northside Advice Centre"
description = "Free, confidential help with debt, arrears, bailiffs and benefit claims. Bring any letters you have."
address = "Northside Advice Centre, 4 Heron Parade, Manchester"
postcode = "M40 7HD"
phone = "0161 496 0100"
email = "advice@northside-advice.example"
url = "https://northside-advice.example/drop-in"
needs = ["debt", "benefits"]
access = "drop-in"
delivery = ["venue"]
last_checked = {checked:12}

[service.hours]
tue = "10:00-13:00"
thu = "13:00-16:00"
bank_holidays = "closed"

[[service]]
id = "kestrel-food-bank"
name = "Kestrel Food Bank"
organisation = "Northside Churches Together"
description = "Emergency food parcels and toiletries. A voucher from an agency (we can give one) is needed."
address = "St Aidan's Hall, 21 Lapwing Lane, Manchester"
postcode = "M40 8JD"
phone = "0161 496 0111"
needs = ["food", "essentials"]
access = "referral"
delivery = ["venue"]
last_checked = {checked:30}

[service.hours]
mon = "12:00-14:00"
wed = "17:00-19:00"
fri = "12:00-14:00"

[[service]]
id = "little-herons"
name = "Little Herons Childcare Hub"
organisation = "Little Herons Nursery (community interest company)"
description = "Nursery places and help applying for funded childcare (15 and 30 hours, Tax-Free Childcare)."
address = "Little Herons, 2 Curlew Close, Manchester"
postcode = "M40 7EH"
phone = "0161 496 0122"
url = "https://little-herons.example"
needs = ["childcare"]
access = "appointment"
last_checked = {checked:45}

[service.hours]
mon = "08:00-18:00"
tue = "08:00-18:00"
wed = "08:00-18:00"
thu = "08:00-18:00"
fri = "08:00-18:00"
bank_holidays = "closed"

[[service]]
id = "conversation-club"
name = "ESOL Conversation Club"
organisation = "Northside Library"
description = "Practise speaking English over a cup of tea. All levels welcome; free English classes can be booked here too."
address = "Northside Library, 9 Plover Street, Manchester"
postcode = "M40 8LX"
phone = "0161 496 0133"
needs = ["english", "isolation"]
access = "drop-in"
last_checked = {checked:20}

[service.hours]
wed = "18:00-20:00"
sat = "10:00-12:00"
bank_holidays = "closed"

[[service]]
id = "digital-help-desk"
name = "Digital Help Desk"
organisation = "Northside Library"
description = "Help getting online: email, Universal Credit journals, job applications. Free computers and wifi."
address = "Northside Library, 9 Plover Street, Manchester"
postcode = "M40 8LX"
phone = "0161 496 0133"
needs = ["digital", "employment"]
access = "drop-in"
last_checked = {checked:8}

[service.hours]
mon = "10:00-15:00"
tue = "10:00-15:00"
wed = "10:00-15:00"
thu = "10:00-15:00"

[[service]]
id = "moston-work-club"
name = "Work Club"
organisation = "Moston Lane Community Church"
description = "Weekly job club: CVs, applications, interview practice. Disclosure advice for people with convictions."
address = "Church Rooms, 50 Siskin Row, Manchester"
postcode = "M9 4HA"
phone = "0161 496 0144"
needs = ["employment", "skills", "criminal_record"]
access = "drop-in"
last_checked = {checked:210}

[service.hours]
tue = "09:30-12:30"
thu = "09:30-12:30"

[[service]]
id = "talking-space"
name = "Talking Space Wellbeing Group"
organisation = "Northside Mind Matters (charity)"
description = "A friendly peer support group for low mood, anxiety and loneliness."
address = "The Mill Community Rooms, 7 Weaver Street, Manchester"
postcode = "M4 6DP"
phone = "0161 496 0155"
needs = ["mental_health", "isolation"]
hours_note = "Second and fourth Monday of the month, 1pm to 3pm"
last_checked = {checked:60}

[[service]]
id = "housing-options"
name = "Housing Options Surgery"
organisation = "Northside Housing Rights"
description = "Advice if you are homeless or at risk: eviction notices, disrepair, rent arrears."
address = "Housing Rights Office, 15 Sandpiper Road, Manchester"
postcode = "M11 3PP"
phone = "0161 496 0166"
needs = ["housing", "legal"]
access = "appointment"
last_checked = {checked:33}

[[service]]
id = "money-helpline"
name = "Money Helpline"
organisation = "Demo National Money Charity"
description = "Free national debt advice by phone and webchat, and budgeting tools online."
phone = "0808 157 0123"
url = "https://money-helpline.example"
needs = ["debt", "benefits", "energy_bills"]
delivery = ["phone", "online"]
national = true
last_checked = {checked:15}

[service.hours]
mon = "08:00-20:00"
tue = "08:00-20:00"
wed = "08:00-20:00"
thu = "08:00-20:00"
fri = "08:00-20:00"
sat = "09:00-13:00"
bank_holidays = "closed"

[[service]]
id = "listening-line"
name = "Night and Day Listening Line"
organisation = "Demo Listening Charity"
description = "Talk to a trained volunteer about anything that is troubling you, any time."
phone = "0808 157 0456"
needs = ["mental_health", "isolation"]
delivery = ["phone"]
national = true
last_checked = {checked:40}

[service.hours]
mon = "00:00-24:00"
tue = "00:00-24:00"
wed = "00:00-24:00"
thu = "00:00-24:00"
fri = "00:00-24:00"
sat = "00:00-24:00"
sun = "00:00-24:00"
bank_holidays = "open"
"""


def demo_services_toml(today: dt.date) -> str:
    """The demo list with its "last checked" dates made relative to today."""
    import re

    return re.sub(
        r"\{checked:(\d+)\}", lambda m: (today - dt.timedelta(days=int(m.group(1)))).isoformat(), DEMO_SERVICES_TOML
    )


def seed_directory(db: "Database", *, hub: "Hub | None" = None, today: dt.date | None = None) -> int:
    """Add the fictional listings to an empty demo directory; return how many were written."""
    from hub.api import write_transaction

    from . import geo, store
    from .feeds import parse_local_services_toml

    today = today or dt.date.today()
    result = parse_local_services_toml(demo_services_toml(today), DEMO_SOURCE, today=today)
    if result.fatal:  # pragma: no cover - the text above is fixed
        raise ValueError(result.fatal)
    if hub is not None:
        from .directory import catalogue, geocoder

        needs_catalogue, geocode = catalogue(hub), geocoder(hub)
    else:
        from .needs import load_needs

        needs_catalogue, geocode = load_needs(), geo.default_gazetteer().geocode
    counts = store.write_services(db, result.services, catalogue=needs_catalogue, geocode=geocode)
    with write_transaction(db):
        db["directory_sources"].upsert(
            {"name": DEMO_SOURCE, "label": DEMO_LABEL, "kind": "demo", "location": "built in (plugins/signposting/demo.py)"},
            pk="name",
        )
    return counts.added + counts.updated


def seed_referrals(db: "Database", *, hub: "Hub | None" = None, today: dt.date | None = None) -> list[int]:
    """A warm handover for the third demo resident (debt advice, attended) and a signpost for the fifth,
    so the referrals list, the follow-ups and the reports have something to show."""
    from . import referrals

    today = today or dt.date.today()
    everyone = [row[0] for row in db.execute("select id from residents where erased_at is null order by id")]
    residents = [everyone[index] for index in (2, 4) if index < len(everyone)]
    keys = {row[0] for row in db.execute("select key from directory_services where source = ?", [DEMO_SOURCE])}
    wanted = [("northside-debt-drop-in", "warm_handover", ["debt"], "Rent arrears letter; wants help this week."),
              ("northside-debt-drop-in", "signpost", ["benefits"], "Took the leaflet.")]
    made = []
    for resident_id, (service, kind, needs, note) in zip(residents, wanted):
        key = f"{DEMO_SOURCE}:{service}"
        if key not in keys:
            continue
        who = {"staff": "demo.staff", "terminal": "demo", "hub": hub}
        referral_id = referrals.create_referral(db, resident_id, key, kind=kind, needs=needs, note=note,
                                                today=today - dt.timedelta(days=20), **who)
        if kind != "signpost":
            referrals.change_status(db, referral_id, "sent", today=today - dt.timedelta(days=20), **who)
            referrals.change_status(db, referral_id, "accepted", today=today - dt.timedelta(days=18), **who)
            referrals.change_status(db, referral_id, "attended", outcome="Payment plan agreed with the landlord",
                                    today=today - dt.timedelta(days=10), **who)
        made.append(referral_id)
    return made
