"""The printable slip: what the resident needs, Latin-1 safe, and nothing personal beyond a first name."""

from __future__ import annotations

import datetime as dt

import pytest

from hub.residents import NewResident, register_resident, validate_resident
from plugins.signposting import referrals, slip, store
from sptest import TODAY, make_service, pdf_text, signposting_hub, weekly

STAFF = dict(staff="worker.one", terminal="kiosk-1")


@pytest.fixture
def hub(hub_factory):
    hub = signposting_hub(hub_factory)
    service = make_service("debt", "Debt Advice \u2013 \u201cDrop-in\u201d", schedules=weekly("TU,TH", "10:00", "13:00"),
                           phones=["0161 496 0100"], organisation="Northside Advice Centre", bank_holidays="closed")
    service.url = "https://northside-advice.example"
    store.write_services(hub.db, [service, make_service("nohours", "Housing Surgery", postcode=None, position=None)])
    return hub


def add_resident(hub, name: str, preferred: str) -> int:
    form = NewResident(name, preferred, "14/03/1991", "07700 900101", "", "12 Kestrel Walk", "M40 7AB", "drop_in", "",
                       "unemployed", consents={"record": True, "share_with_services": True})
    return register_resident(hub.db, validate_resident(form, ["M40 7"], today=TODAY), form.consents, **STAFF)


def test_a_referral_slip_has_what_the_resident_needs(hub):
    resident = add_resident(hub, "Margaret O'Brien", "Maggie")
    referral_id = referrals.create_referral(hub.db, resident, "t:debt", kind="warm_handover", today=TODAY, **STAFF)
    pdf = slip.referral_slip(hub.db, referral_id, site_name="Northside Community House")
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    for expected in ('Debt Advice - "Drop-in"', "Northside Advice Centre", "Tuesday and Thursday 10:00-13:00",
                     "Closed on bank holidays.", "0161 496 0100", "M40 7AB", "https://northside-advice.example",
                     "Last checked: 12 November 2026", "Please call before you go", "For Maggie",
                     "We have introduced you to this service", "6 December 2026"):
        assert expected in text, expected


def test_the_slip_names_the_resident_by_preferred_name_only(hub):
    resident = add_resident(hub, "Margaret O'Brien", "Maggie")
    referral_id = referrals.create_referral(hub.db, resident, "t:debt", kind="signpost", **STAFF)
    text = pdf_text(slip.referral_slip(hub.db, referral_id, site_name="Hub"))
    for personal in ("O'Brien", "Margaret", "1991", "07700", "Kestrel"):
        assert personal not in text
    plain = add_resident(hub, "Tomasz Nowak", "")
    text = pdf_text(slip.referral_slip(hub.db, referrals.create_referral(hub.db, plain, "t:debt", kind="signpost", **STAFF), site_name="Hub"))
    assert "For Tomasz" in text and "Nowak" not in text


def test_unknown_hours_say_call_first(hub):
    text = pdf_text(slip.service_slip(hub.db, "t:nohours", site_name="Hub", today=TODAY))
    assert "Opening hours unknown: please call first." in text
    assert "Service details" in text  # no name given: no "For ..."


def test_latin1_keeps_accents_and_replaces_the_rest():
    assert slip.latin1("Caf\u00e9 \u2018quoted\u2019 \u2014 \u201cthis\u201d\u2026 \u00a35") == "Caf\u00e9 'quoted' - \"this\"... \u00a35"
    assert slip.latin1("\u0141\u00f3d\u017a \U0001F642 \u4e2d") == "L\u00f3dz ? ?"
    assert slip.latin1("bell\x07 esc\x1b[2J") == "bell esc[2J"


def test_any_text_from_a_feed_still_makes_a_slip():
    snapshot = {"name": "\U0001F642 \u4e2d\u6587 Service", "organisation": "\u2603", "address": "1 \u2192 Street, Town",
                "hours": ["Monday 09:00\u201317:00"], "phones": ["\u260e 0161"], "last_checked": "2026-11-01"}
    pdf = slip.slip_pdf(snapshot, preferred_name="Zo\u00eb \U0001F600", site_name="Hub", given_on=dt.date(2026, 11, 22))
    text = pdf_text(pdf)
    assert "? ?? Service" in text and "For Zo\u00eb ?" in text and "Monday 09:00-17:00" in text
