"""Fixtures for the journey tests: real site files and SQLite databases with the journey loaded,
and a seeded dataset whose report figures are known by hand (see ``seeded``)."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

import plugins.journey as journey_plugin
import plugins.passport as passport_plugin
import plugins.signposting as signposting_plugin
from hub.residents import NewResident, add_contact, register_resident, validate_resident

AREA = ["M40 7", "M40 8"]


def add_resident(db, name="Sam Patel", born="02/02/1992", *, status="unemployed", registered_on: str | None = None,
                 address="", postcode="", phone="", email="", reporting_consent=True, engagement="drop_in") -> int:
    """Register a resident (optionally back-dated: registered_at is set as the hub would have on that day)."""
    form = NewResident(name, "", born, phone=phone, email=email, address=address, postcode=postcode,
                       engagement=engagement, status_at_registration=status,
                       consents={"record": True, "outcomes_reporting": reporting_consent})
    resident_id = register_resident(db, validate_resident(form, AREA), form.consents, staff="test.staff", terminal="test-kiosk")
    if registered_on:
        with db.conn:
            db.execute("update residents set registered_at = ? where id = ?", [f"{registered_on}T10:00:00+00:00", resident_id])
    return resident_id


def contact(db, resident_id: int, day: str, kind="drop_in", note="") -> int:
    return add_contact(db, resident_id, kind=kind, note=note, contact_date=day, staff="test.staff", terminal="test-kiosk")


def job(hub, resident_id: int, start: str, end: str | None = None, *, title="Warehouse operative", today: date | None = None) -> int:
    """A paid job in the resident's passport (through the passport's own service, as staff would add it)."""
    from plugins.passport import service as passport_service
    from plugins.passport.model import EntryForm

    form = EntryForm(kind="employment", title=title, provider="Example Logistics Ltd", role="Operative", start_date=start,
                     end_date=end or "", ongoing=end is None, hours_per_week="20", pay_amount="12.71", pay_period="hour",
                     evidence=["payslip"], verification_level="document_seen")
    return passport_service.add(hub, resident_id, form, today=today)


def referral(db, resident_id: int, created: str, attended: str | None = None) -> int:
    """A referral as the signposting plugin stores it (inserted directly: the directory is not needed here)."""
    with db.conn:
        referral_id = db["referrals"].insert({
            "resident_id": resident_id, "service_key": "test:debt-advice", "service_name": "Test Debt Advice",
            "snapshot": "{}", "kind": "signpost", "status": "attended" if attended else "sent",
            "created_at": f"{created}T11:00:00+00:00", "created_by": "test.staff", "updated_at": f"{created}T11:00:00+00:00",
        }).last_pk
        db["referral_history"].insert({"referral_id": referral_id, "at": f"{created}T11:00:00+00:00", "staff": "test.staff",
                                       "from_status": None, "to_status": "new"})
        if attended:
            db["referral_history"].insert({"referral_id": referral_id, "at": f"{attended}T11:00:00+00:00",
                                           "staff": "test.staff", "from_status": "sent", "to_status": "attended"})
    return referral_id


@pytest.fixture
def helpers():
    """add_resident, contact, job and referral, as a fixture (test modules cannot import this conftest)."""
    return SimpleNamespace(add_resident=add_resident, contact=contact, job=job, referral=referral)


@pytest.fixture
def jhub(hub_factory):
    """A signed-in (site lead) hub with the journey alone, its database open."""
    hub = hub_factory(("journey", journey_plugin))
    hub.open_storage()
    return hub


@pytest.fixture
def full_hub(hub_factory):
    """The journey with the passport and signposting plugins it reads from."""
    hub = hub_factory(("passport", passport_plugin), ("signposting", signposting_plugin), ("journey", journey_plugin),
                      body="[plugins.journey]\nhomes_in_area = 200\n")
    hub.open_storage()
    return hub


@pytest.fixture
def seeded(full_hub):
    """A dataset whose figures for 1 January to 31 March 2025 are worked out by hand.

    A  registered 01/12/2024 (before), unemployed, 34: two contacts in the period; a passport job from
       03/02/2025 (ongoing) also recorded by hand as a job start: one person, one job start; 4 weeks sustained on 02/03.
    B  registered 20/01/2025, unemployed, 21: training, volunteering and actively looking (several outcomes);
       a job 10/03 to 20/03, left, and came back to work on 25/03 (two job starts, one person).
    C  registered 01/06/2024, inactive: seen in July 2024, gone quiet, back on 15/03/2025 (contact and an
       assessment); a job start recorded by hand on 28/03/2025, no passport.
    D  registered 14/02/2025, employed, 50: a referral made 20/02, attended 01/03.
    E  registered 31/03/2025, inactive, 17: door-knocked at 4 Heron Court in December and in March (linked).
    F  registered 01/05/2025 (after): a contact in April and a job start in May: in no figure for the period.
    G  registered 05/01/2025, unemployed, 24 (the subgroup's edge): a financial inclusion outcome withdrawn;
       a passport job from before registering (not a programme job start).
    H  registered 01/02/2025, unemployed: financial inclusion support 10/02, then erased (still counted).
    Homes: 4 Heron Court (E), 6 Heron Court (talked in January, interested in March: one home), 8 Heron
    Court (leaflet only), 10 Heron Court (talked in November 2024).
    """
    from plugins.journey import model, service, storage

    hub = full_hub
    db = hub.db
    ids = SimpleNamespace()
    ids.A = add_resident(db, "Alice Ashworth", "15/06/1990", registered_on="2024-12-01", phone="07700 900001",
                         email="alice@example.com", address="1 Kestrel Walk", postcode="M40 7AB")
    ids.B = add_resident(db, "Bilal Brennan", "01/05/2003", registered_on="2025-01-20", phone="07700 900002",
                         address="2 Kestrel Walk", postcode="M40 7AB")
    ids.C = add_resident(db, "Carys Cartwright", "10/10/1980", status="economically_inactive", registered_on="2024-06-01",
                         email="carys@example.com", address="3 Kestrel Walk", postcode="M40 7AB")
    ids.D = add_resident(db, "Dmitri Dobrev", "03/03/1975", status="employed", registered_on="2025-02-14",
                         address="5 Lapwing Lane", postcode="M40 8QT")
    ids.E = add_resident(db, "Esme Everly", "01/01/2008", status="economically_inactive", registered_on="2025-03-31",
                         address="4 Heron Court", postcode="M40 7DS", engagement="door_knock")
    ids.F = add_resident(db, "Femi Falade", "20/08/1988", registered_on="2025-05-01")
    ids.G = add_resident(db, "Gwen Gallagher", "01/06/2000", registered_on="2025-01-05", reporting_consent=False)
    ids.H = add_resident(db, "Hamish Holloway", "12/12/1970", registered_on="2025-02-01", phone="07700 900008")

    contact(db, ids.A, "2025-01-10", note="Talked about Alice's CV")
    contact(db, ids.A, "2025-02-15")
    contact(db, ids.B, "2025-01-20")
    contact(db, ids.C, "2024-07-01")
    contact(db, ids.C, "2025-03-15")
    contact(db, ids.F, "2025-04-02")

    job(hub, ids.A, "03/02/2025")
    job(hub, ids.B, "10/03/2025", "20/03/2025")
    job(hub, ids.B, "25/03/2025", title="Kitchen porter")
    job(hub, ids.G, "01/11/2024")

    def outcome(resident, kind, day, evidence="payslip"):
        return service.record_outcome(hub, resident, kind, day, evidence, today=date(2025, 9, 30))

    outcome(ids.A, "job_start", "2025-02-03")
    outcome(ids.B, "training_education", "2025-02-10", "certificate")
    outcome(ids.B, "volunteering", "2025-03-05", "staff_witnessed")
    outcome(ids.B, "actively_looking", "2025-03-20", "resident_said")
    outcome(ids.C, "job_start", "2025-03-28", "contract")
    outcome(ids.F, "job_start", "2025-05-10")
    withdrawn = outcome(ids.G, "financial_inclusion", "2025-02-01", "letter")
    service.withdraw_outcome(hub, withdrawn, "recorded for the wrong person")
    outcome(ids.H, "financial_inclusion", "2025-02-10", "letter")

    service.record_assessment(hub, ids.C, "2025-03-15", [model.ItemForm("barrier", "confidence", "3", "Carys says: scared of interviews")],
                              today=date(2025, 9, 30))
    referral(db, ids.D, "2025-02-20", attended="2025-03-01")

    def door(day, home, result, resident=None):
        row = model.validate_engagement(day, "door_knock", home, result, today=date(2025, 9, 30))
        return storage.add_engagement(db, row, staff=hub.staff, terminal=hub.terminal, resident_id=resident)

    door("2024-11-11", "10 Heron Court", "talked")
    door("2024-12-15", "4 Heron Court", "talked")
    door("2025-01-12", "6 Heron Court", "not_in")
    door("2025-01-19", "6 Heron Court", "talked")
    door("2025-02-02", "8 Heron Court", "leaflet_left")
    door("2025-03-02", "6 heron court", "interested")
    door("2025-03-30", "4 Heron Court", "signed_up")
    assert service.link_engagements(hub, ids.E, home="4 Heron Court") == 2

    from hub import rights

    rights.erase(hub, ids.H)
    from plugins.journey.report import Period

    return SimpleNamespace(hub=hub, ids=ids, period=Period(date(2025, 1, 1), date(2025, 3, 31)), today=date(2025, 9, 30))
