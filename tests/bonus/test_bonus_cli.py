"""`hub bonus check|due|report|rules` end to end: a real site file, the installed plugins, a subprocess."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from datetime import datetime, timezone

import pytest

from hubtest import FIXED_STAFF, make_hub
from plugins.bonus import service

DAY = datetime(2027, 1, 20, 11, tzinfo=timezone.utc)
STAFF_PASSWORD = "staff member long phrase"


@pytest.fixture
def site(tmp_path, b):
    """A site with the installed passport and bonus plugins, two residents (one eligible) and a claim."""
    hub = make_hub(tmp_path, entry_point_plugins=["passport", "bonus"])
    hub.open_storage()
    from hub.staff import create_account

    create_account(hub.db, username="lead.one", display_name="Lead One", role="site_lead",
                   password="a long enough phrase", created_by="test")
    create_account(hub.db, username=FIXED_STAFF, display_name="Test Staff", role="staff",
                   password=STAFF_PASSWORD, created_by="test")  # the CLI signs in as tests' HUB_STAFF
    eligible = b.add_resident(hub, name="Ann Eligible")
    b.add_job(hub, eligible)
    waiting = b.add_resident(hub, name="Bea Waiting")
    b.add_job(hub, waiting, start=datetime(2027, 1, 4).date())
    b.sign_in(hub, "staff.one", "staff")
    claim = service.propose(hub, eligible, "jobsplus", now=DAY).claim_id
    hub.close()
    return {"path": tmp_path / "site.toml", "eligible": eligible, "waiting": waiting, "claim": claim, "tmp": tmp_path}


def hub_bonus(site, *args, env=None):
    return subprocess.run([sys.executable, "-m", "hub.cli", "--site", str(site["path"]), "bonus", *args],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "HUB_PASSWORD": STAFF_PASSWORD, **(env or {})})


def test_check_prints_each_rule_in_words(site):
    result = hub_bonus(site, "check", str(site["eligible"]), "--on", "2027-01-20")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Eligible for the JobsPlus into-work bonus (£400) since 12 January 2027." in out
    assert "pass     Stayed in work: In work 4 weeks on 12 January 2027" in out
    assert f"Claim #{site['claim']}: JobsPlus into-work bonus, £400.00, eligible (proposed by staff.one" in out
    assert "Ann" not in out  # ids, not names


def test_check_json_has_the_rules_dates_and_missing_evidence(site):
    result = hub_bonus(site, "check", str(site["waiting"]), "--on", "12/01/2027", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    [check] = data["checks"]
    assert check["status"] == "not_yet" and check["due_on"] == "2027-01-31"
    sustained = next(r for r in check["rules"] if r["rule"] == "sustained")
    assert sustained == {"rule": "sustained", "label": "Stayed in work", "status": "not_yet",
                         "words": "In work 4 weeks on 31 January 2027 (1.3 weeks so far).", "missing": [],
                         "met_on": "2027-01-31", "evidence": False}
    assert check["rule_version"] and data["claims"] == []


def test_due_lists_eligible_then_soon(site):
    result = hub_bonus(site, "due", "--on", "2027-01-20", "--json")
    assert result.returncode == 0, result.stderr
    items = json.loads(result.stdout)
    assert [(i["resident_id"], i["due"], i["on"]) for i in items] == [(site["eligible"], "eligible", "2027-01-12"),
                                                                       (site["waiting"], "soon", "2027-01-31")]
    text = hub_bonus(site, "due", "--on", "2027-01-20", "--within", "3").stdout
    assert f"resident #{site['eligible']}: JobsPlus into-work bonus: eligible since 12 January 2027; claim #" in text
    assert f"resident #{site['waiting']}" not in text


def test_report_needs_a_site_lead_and_writes_csv(site):
    refused = hub_bonus(site, "report", "--month", "2027-01")
    assert refused.returncode == 3 and "reports.view" in refused.stderr and "Traceback" not in refused.stderr  # 3: not allowed
    out_file = site["tmp"] / "jan.csv"
    lead = {"HUB_STAFF": "lead.one", "HUB_PASSWORD": "a long enough phrase"}
    result = hub_bonus(site, "report", "--month", "2027-01", "--csv", str(out_file), env=lead)
    assert result.returncode == 0, result.stderr
    assert "JobsPlus into-work bonus: proposed 1 (£400), approved 0 (£0), paid 0 (£0)" in result.stdout
    [row] = list(csv.DictReader(out_file.open()))
    assert (row["action"], row["claim_id"], row["by"]) == ("proposed", str(site["claim"]), "staff.one")


def test_rules_lists_schemes_and_versions(site):
    result = hub_bonus(site, "rules", "--json")
    assert result.returncode == 0, result.stderr
    [scheme] = json.loads(result.stdout)["schemes"]
    assert scheme["id"] == "jobsplus" and [v["version"] for v in scheme["versions"]] == [1]
    text = hub_bonus(site, "rules").stdout
    assert "paid work: after 4 weeks in work (16 or more hours a week)" in text and "rule version 1" in text


@pytest.mark.parametrize(
    "args, words",
    [
        (["check", "999"], "RESIDENT: There is no resident with id 999"),
        (["check", "abc"], "RESIDENT"),
        (["check", "1", "--on", "soon"], "--on: 'soon' is not a date"),
        (["due", "--within", "-1"], "--within: cannot be negative"),
        (["report", "--month", "2027-13"], "--month: '2027-13' is not a month"),
        (["report"], "--month"),
    ],
)
def test_bad_input_exits_2_naming_the_field(site, args, words):
    lead = {"HUB_STAFF": "lead.one", "HUB_PASSWORD": "a long enough phrase"}
    result = hub_bonus(site, *args, env=lead)
    assert result.returncode == 2
    assert words in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
