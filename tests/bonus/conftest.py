"""Fixtures for the bonus tests: real site files and SQLite databases with the passport and bonus
plugins, residents registered on a chosen day, and jobs saved through the passport's own service
(so its record_saved reaches the bonus plugin exactly as in the kiosk)."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

import plugins.bonus as bonus_plugin
import plugins.passport as passport_plugin
from hub.residents import NewResident, register_resident, validate_resident
from hub.staff import Session

REGISTERED = date(2026, 11, 2)
"""Residents in these tests register on Monday 2 November 2026..."""
JOB_START = date(2026, 12, 16)
"""...and start work on Wednesday 16 December 2026, so 4 weeks in work falls on 12 January 2027."""
FOUR_WEEKS = date(2027, 1, 12)
PASSPORT_TODAY = date(2027, 6, 30)
"""The passport refuses dates after "today": entries are saved as if on this day."""


def add_resident(hub, *, name="Sam Patel", born="02/02/1992", postcode="M40 7AB", status="unemployed",
                 registered=REGISTERED, consent=True) -> int:
    form = NewResident(name, "", born, postcode=postcode, engagement="drop_in", status_at_registration=status,
                       consents={"record": consent} if consent else {"record": True})
    resident_id = register_resident(hub.db, validate_resident(form, hub.config.hub.area), form.consents,
                                    staff="test.staff", terminal="test-kiosk")
    stamp = f"{registered.isoformat()}T10:00:00+00:00"
    with hub.db.conn:
        hub.db.execute("UPDATE residents SET registered_at = ? WHERE id = ?", [stamp, resident_id])
        hub.db.execute("UPDATE consents SET recorded_at = ? WHERE resident_id = ?", [stamp, resident_id])
        hub.db.execute("UPDATE resident_addresses SET from_date = ? WHERE resident_id = ?", [registered.isoformat(), resident_id])
        if not consent:
            hub.db.execute("INSERT INTO consents (resident_id, purpose, given, recorded_at, recorded_by) "
                           "VALUES (?, 'record', 0, ?, 'test.staff')", [resident_id, stamp])
    return resident_id


def add_job(hub, resident_id, *, start=JOB_START, end=None, hours="20", evidence=("payslip",), kind="employment",
            employer="Example Care", pay="12.71", period="hour") -> int:
    """A job saved through the passport (its record_saved fires); returns the passport entry id."""
    from plugins.passport import service
    from plugins.passport.model import EntryForm

    form = EntryForm(
        kind=kind, title="Care assistant", provider=employer, role="Care assistant",
        start_date=start.strftime("%d/%m/%Y"), end_date=end.strftime("%d/%m/%Y") if end else "", ongoing=end is None,
        hours_per_week=hours or "", pay_amount=pay or "", pay_period=period if pay else "", evidence=list(evidence),
        verification_level="document_seen" if evidence else "self_declared",
        verified_at=(start.strftime("%d/%m/%Y") if evidence else ""),
    )
    return service.add(hub, resident_id, form, today=PASSPORT_TODAY)


def sign_in(hub, username: str, role: str = "site_lead") -> None:
    hub.session = Session(None, username, username.title(), role)


def scheme_body(**values) -> str:
    """A [[plugins.bonus.schemes]] table for the JobsPlus scheme with some settings changed."""
    lines = ["[[plugins.bonus.schemes]]", 'id = "jobsplus"']
    for key, value in values.items():
        if isinstance(value, bool):
            lines.append(f"{key} = {'true' if value else 'false'}")
        elif isinstance(value, str):
            lines.append(f'{key} = "{value}"')
        elif isinstance(value, list):
            lines.append(f"{key} = [{', '.join(repr(v).replace(chr(39), chr(34)) for v in value)}]")
        else:
            lines.append(f"{key} = {value}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def pin_today(monkeypatch):
    """pin_today(date): the bonus plugin's "today" when no date is passed (hooks, the tab)."""
    from plugins.bonus import service

    def pin(day: date) -> None:
        monkeypatch.setattr(service, "current_date", lambda: day)

    return pin


@pytest.fixture
def make_bonus_hub(hub_factory):
    """make_bonus_hub(body="", *extra) -> a signed-in (site lead test.staff) hub with passport and bonus, open."""

    def make(body: str = "", *extra, **kwargs):
        hub = hub_factory(("passport", passport_plugin), ("bonus", bonus_plugin), *extra, body=body, **kwargs)
        hub.open_storage()
        return hub

    return make


@pytest.fixture
def bonus_hub(make_bonus_hub):
    return make_bonus_hub()


@pytest.fixture
def b():
    """The helpers above, for test modules (which cannot import this conftest)."""
    return SimpleNamespace(add_resident=add_resident, add_job=add_job, sign_in=sign_in, scheme_body=scheme_body,
                           REGISTERED=REGISTERED, JOB_START=JOB_START, FOUR_WEEKS=FOUR_WEEKS)
