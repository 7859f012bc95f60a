"""`hub directory ...` through hub.cli.main, with a real site file, database and local services file."""

from __future__ import annotations

import json

import pytest

from hub import cli
from hubtest import write_site

LOCAL = """
[[service]]
id = "pantry"
name = "Community Pantry"
description = "Low-cost groceries for members."
address = "Hillside Community House, 3 Park Road"
postcode = "M40 8JD"
needs = ["food"]
last_checked = 2026-11-01

[service.hours]
mon = "09:00-12:00"

[[service]]
id = "debt-line"
name = "Debt Helpline"
phone = "0800 000 0000"
needs = ["debt"]
delivery = ["phone"]
national = true
last_checked = 2026-11-01
"""


@pytest.fixture
def site(tmp_path):
    (tmp_path / "northside-services.toml").write_text(LOCAL, encoding="utf-8")
    return write_site(
        tmp_path,
        '[plugins.signposting]\nlocal_services = "northside-services.toml"\nstale_after_days = 3650\n',
        plugins=["signposting"],
    )


def run(site, *args) -> int:
    return cli.main(["--site", str(site), "directory", *args])


LEAD_PASSWORD = "a site lead long phrase"


def sign_in_as_lead(site, monkeypatch) -> None:
    """Follow-ups name residents and forgetting a source changes the site: the CLI signs in for them."""
    from hub import staff as accounts
    from hub.config import load_site_config

    hub = cli.build_hub(load_site_config(site))
    hub.open_storage()
    accounts.create_account(hub.db, username="lee.lead", display_name="Lee", role="site_lead", password=LEAD_PASSWORD,
                            created_by="t")
    hub.close()
    monkeypatch.setenv("HUB_STAFF", "lee.lead")
    monkeypatch.setenv("HUB_PASSWORD", LEAD_PASSWORD)


def test_sync_then_status(site, capsys):
    assert run(site, "sync") == 0
    out = capsys.readouterr().out
    assert "local: 2 received, 2 new" in out and "complete" in out
    assert run(site, "status") == 0
    out = capsys.readouterr().out
    assert "local (This hub's own list): last good sync" in out and "2 listings" in out
    assert run(site, "status", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["sources"][0]["name"] == "local" and data["sources"][0]["services"] == 2 and data["problems"] == []


def test_search_text_and_json(site, capsys):
    run(site, "sync")
    capsys.readouterr()
    assert run(site, "search", "groceries") == 0
    out = capsys.readouterr().out
    assert "1. Community Pantry" in out and "Why: says 'groceries' in its description" in out
    assert run(site, "search", "--need", "debt", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["local"] == [] and [r["name"] for r in data["remote"]] == ["Debt Helpline"]
    assert data["remote"][0]["reasons"] == [
        "Debt and money worries: listed under this need by the site lead; says 'debt' in its name",
        "phone or online: no need to travel",
    ]


def test_search_near_a_postcode_uses_the_offline_postcode_data(site, capsys):
    run(site, "sync")
    capsys.readouterr()
    assert run(site, "search", "pantry", "--near", "M40 7AB", "--day", "2026-11-23", "--json") == 0
    [result] = json.loads(capsys.readouterr().out)["local"]
    assert result["distance_miles"] < 0.5 and result["opening"]["state"] == "open"


def test_bad_input_exits_2_naming_the_field(site, capsys, monkeypatch):
    sign_in_as_lead(site, monkeypatch)
    run(site, "sync")
    capsys.readouterr()
    assert run(site, "search", "x", "--need", "fod") == 2
    assert "--need: unknown need 'fod'" in capsys.readouterr().err
    assert run(site, "search", "x", "--day", "31/02/2026") == 2
    assert "--day" in capsys.readouterr().err
    assert run(site, "sync", "manchestr") == 2
    assert "no source is called 'manchestr'" in capsys.readouterr().err
    assert run(site, "forget", "nothing") == 2


def test_a_broken_local_file_exits_1_and_keeps_the_list(site, capsys):
    run(site, "sync")
    (site.parent / "northside-services.toml").write_text("[[service]\nname = 'x'\n")
    capsys.readouterr()
    assert run(site, "sync") == 1
    assert "INCOMPLETE" in capsys.readouterr().out
    run(site, "search", "pantry", "--json")
    assert len(json.loads(capsys.readouterr().out)["local"]) == 1


def test_followups_problems_and_forget(site, capsys, monkeypatch):
    assert run(site, "followups") == 3  # nobody signed in
    assert run(site, "forget", "local") == 3
    sign_in_as_lead(site, monkeypatch)
    run(site, "sync")
    capsys.readouterr()
    assert run(site, "followups") == 0
    assert "No follow-ups due" in capsys.readouterr().out
    assert run(site, "followups", "--json") == 0
    assert json.loads(capsys.readouterr().out) == []
    assert run(site, "problems") == 0
    assert "No open problem reports" in capsys.readouterr().out
    assert run(site, "forget", "local") == 0
    assert "Removed 2 listings from local" in capsys.readouterr().out


def test_a_site_without_sources_says_what_to_do(tmp_path, capsys):
    site = write_site(tmp_path, plugins=["signposting"])
    assert run(site, "sync") == 0
    assert "add feeds or local_services" in capsys.readouterr().out


def test_a_scheduled_sync_is_a_background_job(tmp_path, capsys):
    """sync_every_hours registers `directory-sync`: kiosks run it when due, cron with `hub jobs run --due`."""
    (tmp_path / "northside-services.toml").write_text(LOCAL, encoding="utf-8")
    site = write_site(
        tmp_path,
        '[plugins.signposting]\nlocal_services = "northside-services.toml"\nstale_after_days = 3650\nsync_every_hours = 24\n',
        plugins=["signposting"],
    )
    assert cli.main(["--site", str(site), "jobs", "run", "--due"]) == 0
    assert "directory-sync: done: local: 2 received, 2 new" in capsys.readouterr().out
    assert cli.main(["--site", str(site), "jobs", "run", "--due"]) == 0
    assert capsys.readouterr().out.strip() == "Nothing was due."
    assert cli.main(["--site", str(site), "jobs", "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert (row["name"], row["plugin"], row["every_minutes"], row["last_ok"]) == ("directory-sync", "signposting", 1440, True)
    assert run(site, "status") == 0
    assert "2 listings" in capsys.readouterr().out


def test_no_scheduled_sync_unless_asked(site, capsys):
    assert cli.main(["--site", str(site), "jobs"]) == 0
    assert "No background jobs" in capsys.readouterr().out


def test_sync_every_hours_is_checked(tmp_path, capsys):
    site = write_site(tmp_path, "[plugins.signposting]\nsync_every_hours = -1\n", plugins=["signposting"])
    assert cli.main(["check-config", str(site)]) == 2
    captured = capsys.readouterr()
    assert "sync_every_hours must be between 0 (off) and 744" in captured.out + captured.err


def test_sync_and_status_summarise_warnings_by_kind(tmp_path, capsys):
    entries = "".join(
        f'[[service]]\nid = "s{i}"\nname = "Service {i}"\npostcode = "M40 8JD"\nlast_checked = 2020-01-0{i + 1}\n\n'
        for i in range(4)
    ) + '[[service]]\nid = "fresh"\nname = "Fresh one"\npostcode = "ABC 1234"\nlast_checked = 2026-11-01\n'
    (tmp_path / "list.toml").write_text(entries, encoding="utf-8")
    site = write_site(tmp_path, '[plugins.signposting]\nlocal_services = "list.toml"\n', plugins=["signposting"])
    assert run(site, "sync") == 0
    out = capsys.readouterr().out
    assert "data quality: not checked recently: 4 of 5 listings (80%: true of most of this source" in out
    assert "postcode is not a UK postcode: 1 of 5 listings" in out
    assert run(site, "status") == 0
    out = capsys.readouterr().out
    assert "4 of 5 listings have data-quality warnings" not in out  # 5 of 5 have one
    assert "5 of 5 listings have data-quality warnings, 2 kind(s):" in out
    assert out.count("e.g.") == 4  # three examples of the widespread kind, one of the other
