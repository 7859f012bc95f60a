"""The bonus plugin's hooks: its own (bonus_rule_types, bonus_schemes) used by a test plugin, the
calculator's calc_one_off_payments, startup, settings, and running without the passport."""

from __future__ import annotations

import types
from datetime import date, datetime, timezone

import pytest

import plugins.bonus as bonus_plugin
from hub import hookimpl
from plugins.bonus import service, storage
from plugins.bonus.rules import FAIL, PASS, RuleType

DAY = datetime(2027, 1, 20, 11, tzinfo=timezone.utc)


def tenancy_plugin(tenants: set[int]):
    """A landlord's plugin: a rule type (tenants only) and a 13-week sustainment scheme that uses it."""

    def is_tenant(ctx):
        landlord = ctx.params.get("landlord", "the landlord")
        if ctx.facts.resident_id in tenants:
            return PASS, f"A tenant of {landlord}."
        return FAIL, f"Not a tenant of {landlord}."

    plugin = types.SimpleNamespace(name="tenancy")
    plugin.bonus_rule_types = hookimpl(optionalhook=True)(
        lambda: [RuleType("tenant", "Tenant", is_tenant, description="Rents from the landlord", version="2")])
    plugin.bonus_schemes = hookimpl(optionalhook=True)(lambda: [
        {"id": "sustain13", "name": "13-week sustainment payment", "amount": 250, "sustain_weeks": 13,
         "extra_rules": ["tenant"], "rule_options": {"tenant": {"landlord": "Example Homes"}}},
        {"id": "jobsplus", "name": "A clash with the site's scheme"},
        {"id": "Bad Id"},
    ])
    return plugin


def test_hook_bonus_rule_types_and_bonus_schemes_from_another_plugin(make_bonus_hub, b):
    tenants: set[int] = set()
    hub = make_bonus_hub("", tenancy_plugin(tenants))
    schemes, problems = service.schemes_and_problems(hub)
    assert [s.id for s in schemes] == ["jobsplus", "sustain13"]
    assert any("already exists" in p for p in problems) and any("'Bad Id'" in p for p in problems)
    assert [v["scheme_id"] for v in storage.rule_versions(hub.db)] == ["jobsplus", "sustain13"]  # recorded at startup

    tenant = b.add_resident(hub, name="Tia Tenant")
    tenants.add(tenant)
    b.add_job(hub, tenant)
    other = b.add_resident(hub, name="Oli Other")
    b.add_job(hub, other)
    on = date(2027, 3, 20)  # past 13 weeks from 16 December 2026
    by_scheme = {c.scheme_id: c for c in service.check_resident(hub, tenant, today=on)}
    assert by_scheme["sustain13"].status == "eligible"
    assert next(r for r in by_scheme["sustain13"].rules if r.rule == "tenant").words == "A tenant of Example Homes."
    assert next(r for r in by_scheme["sustain13"].rules if r.rule == "sustained").words.startswith("In work 13 weeks on 16 March 2027")
    others = {c.scheme_id: c for c in service.check_resident(hub, other, today=on)}
    assert others["jobsplus"].status == "eligible" and others["sustain13"].status == "not_eligible"
    assert others["sustain13"].summary().endswith(": not a tenant of Example Homes.")
    claim = service.propose(hub, tenant, "sustain13", now=datetime(2027, 3, 20, tzinfo=timezone.utc))
    assert storage.get_claim(hub.db, claim.claim_id)["amount"] == 250


def test_a_rule_types_version_is_part_of_the_rule_version(make_bonus_hub):
    hub = make_bonus_hub("", tenancy_plugin(set()))
    scheme = service.scheme_by_id(hub, "sustain13")
    payload = service.version_for(hub, scheme)[1]
    assert payload["extra_rules"] == {"tenant": ("tenancy", "2")}


def test_a_scheme_needing_a_rule_nobody_offers_fails_closed(make_bonus_hub, b):
    hub = make_bonus_hub(b.scheme_body(extra_rules=["tenant"]))
    rid = b.add_resident(hub)
    b.add_job(hub, rid)
    [check] = service.check_resident(hub, rid, today=date(2027, 1, 20))
    assert check.status == "not_eligible" and "is not available" in check.summary()


def test_hook_calc_one_off_payments_bonus_on_the_calculator(make_bonus_hub, b, pin_today):
    import plugins.benefits_calc as calc_plugin

    hub = make_bonus_hub("", ("benefits_calc", calc_plugin))
    pin_today(date(2026, 11, 22))
    looking = b.add_resident(hub, name="Lou Looking")
    [payment] = [r.value for r in hub.plugins.call_flat("calc_one_off_payments", hub=hub, resident_id=looking)]
    assert payment == {"label": "JobsPlus into-work bonus", "amount": 400.0,  # plain data: no calculator import
                       "note": "after 4 weeks in work (16 or more hours a week), with a payslip, contract or employer letter, "
                               "claimed within 90 days"}
    assert calc_plugin.one_off_payment(payment) == calc_plugin.OneOffPayment("JobsPlus into-work bonus", 400.0, payment["note"])
    working = b.add_resident(hub, name="Wyn Working")
    b.add_job(hub, working)
    pin_today(date(2027, 1, 5))
    [payment] = [r.value for r in hub.plugins.call_flat("calc_one_off_payments", hub=hub, resident_id=working)]
    assert payment["note"] == "due on 12 January 2027 if they stay in work"
    pin_today(date(2027, 1, 20))
    [payment] = [r.value for r in hub.plugins.call_flat("calc_one_off_payments", hub=hub, resident_id=working)]
    assert payment["note"] == "eligible now (since 12 January 2027)"
    outside = b.add_resident(hub, name="Oz Outside", postcode="M9 4AA")
    assert hub.plugins.call_flat("calc_one_off_payments", hub=hub, resident_id=outside) == []
    claim = service.propose(hub, working, "jobsplus", now=DAY).claim_id
    b.sign_in(hub, "lead.two")
    service.approve(hub, claim, now=DAY)
    assert hub.plugins.call_flat("calc_one_off_payments", hub=hub, resident_id=working) == []  # already approved
    assert hub.plugins.is_enabled("bonus")


def test_hook_startup_records_each_schemes_rule_version_once(make_bonus_hub, b):
    hub = make_bonus_hub(b.scheme_body() + '[[plugins.bonus.schemes]]\nid = "sustain13"\nname = "13 weeks"\nsustain_weeks = 13\n')
    assert [(v["scheme_id"], v["version"]) for v in storage.rule_versions(hub.db)] == [("jobsplus", 1), ("sustain13", 1)]
    hub.plugins.call("startup", hub=hub)
    assert hub.db["bonus_rule_versions"].count == 2


def test_hook_register_hookspecs_bonus_adds_its_hooks():
    from hub.plugins import PluginHost

    host = PluginHost.load([], extra=[("bonus", bonus_plugin)])
    assert hasattr(host.pm.hook, "bonus_rule_types") and hasattr(host.pm.hook, "bonus_schemes")
    assert host.is_enabled("bonus")


@pytest.mark.parametrize(
    "body, words",
    [
        ('[[plugins.bonus.schemes]]\nid = "jobsplus"\nsustain_wekes = 4\n', "did you mean 'sustain_weeks'"),
        ('[[plugins.bonus.schemes]]\nid = "jobsplus"\nmin_hours_per_week = "sixteen"\n', "expected a number"),
        ('[[plugins.bonus.schemes]]\nid = "a"\n[[plugins.bonus.schemes]]\nid = "a"\n', "used twice"),
        ('[[plugins.bonus.schemes]]\nid = "jobsplus"\njob_start_to = "2026-13-01"\n', "job_start_to"),
        ('[[plugins.bonus.schemes]]\nname = "No id"\n', "id: required"),
    ],
)
def test_bad_settings_disable_the_plugin_naming_the_key(hub_factory, body, words):
    hub = hub_factory(("bonus", bonus_plugin), body=body)
    assert not hub.plugins.is_enabled("bonus")
    assert words in hub.plugins.status["bonus"].error


def test_settings_default_to_the_jobsplus_scheme(bonus_hub):
    [scheme] = service.schemes(bonus_hub)
    assert (scheme.id, scheme.name, scheme.amount, scheme.sustain_weeks, scheme.min_hours_per_week) == \
        ("jobsplus", "JobsPlus into-work bonus", 400.0, 4, 16.0)


def test_without_the_passport_the_checks_say_so(hub_factory, b, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_passport(name, *args, **kwargs):
        if name == "plugins.passport.views":
            raise ImportError("no passport")
        return real_import(name, *args, **kwargs)

    hub = hub_factory(("bonus", bonus_plugin))
    hub.open_storage()
    rid = b.add_resident(hub)
    monkeypatch.setattr(builtins, "__import__", no_passport)
    [check] = service.check_resident(hub, rid, today=date(2027, 1, 20))
    assert check.status == "not_yet"
    assert "The passport is not running" in next(r for r in check.rules if r.rule == "qualifying_job").words


def test_the_bonus_plugin_loads_without_importing_textual_or_sqlite_utils():
    import json
    import subprocess
    import sys

    code = ("import sys, json\nfrom hub.plugins import PluginHost\nhost = PluginHost.load(['bonus'])\n"
            "print(json.dumps([host.plugin_names(), sorted(m for m in sys.modules if m.split('.')[0] in "
            "('textual', 'sqlite_utils', 'httpx'))]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    names, heavy = json.loads(out.stdout.strip().splitlines()[-1])
    assert names == ["bonus"] and heavy == []
