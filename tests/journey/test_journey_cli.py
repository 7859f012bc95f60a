"""`hub report`: through the real command line (hub.cli.main), with the journey found as an entry point."""

from __future__ import annotations

import json
import types

import pytest

import hub.plugins as hub_plugins
import plugins.journey as journey_plugin
from hub import cli
from hub.staff import create_account

PASSWORD = "a long enough phrase for tests"


class JourneyEntryPoint:
    """What `journey = "plugins.journey"` under [project.entry-points.hub] will give."""

    name = "journey"
    dist = types.SimpleNamespace(name="drop-in-hub", version="0.1.0")

    def load(self):
        return journey_plugin


@pytest.fixture
def run(seeded, monkeypatch, capsys):
    from argon2 import PasswordHasher

    import hub.staff

    # Sign-in is not what these tests are about: a cheap argon2 profile keeps them quick on a shared machine.
    monkeypatch.setattr(hub.staff, "_hasher", lambda: PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    real = hub_plugins.installed_entry_points
    monkeypatch.setattr(hub_plugins, "installed_entry_points", lambda wanted=None: {**real(), "journey": JourneyEntryPoint()})
    create_account(seeded.hub.db, username="lee.lead", display_name="Lee Lead", role="site_lead", password=PASSWORD,
                   created_by="test")
    create_account(seeded.hub.db, username="sam.staff", display_name="Sam Staff", role="staff", password=PASSWORD,
                   created_by="test")
    site = str(seeded.hub.config.path)

    def run(*args, as_user="lee.lead"):
        if as_user:
            monkeypatch.setenv("HUB_STAFF", as_user)
            monkeypatch.setenv("HUB_PASSWORD", PASSWORD)
        else:
            monkeypatch.delenv("HUB_PASSWORD", raising=False)
        code = cli.main(["--site", site, "report", *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_report_prints_the_figures_and_the_chart(run):
    code, out, err = run("--from", "2025-01-01", "--to", "31/03/2025")
    assert code == 0, err
    assert "Outcomes report: 01/01/2025 to 31/03/2025" in out
    lines = {}
    for line in out.splitlines():
        if line.startswith("  "):  # the first of each label: the whole site, before the 16-24 subgroup
            lines.setdefault(line.strip().rsplit("  ", 1)[0].strip(), line.split()[-1])
    assert lines["Residents engaged"] == "7"
    assert lines["Registered"] == "5"
    assert lines["Job start"] == "3"
    assert "64 days" in out and "1.0%" in out
    assert "People engaged and job starts by month" in out and "▸Mar 2025" in out
    assert "Alice" not in out


def test_report_json_is_the_de_identified_export(run, seeded):
    code, out, err = run("--from", "2025-01-01", "--to", "2025-03-31", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert set(data["tables"]) >= {"figures", "residents", "outcomes", "assessments", "engagements", "data_dictionary"} - {"data_dictionary"}
    assert data["data_dictionary"] and data["residents_included"] == 5
    for word in ("Alice", "Ashworth", "07700", "example.com", "Kestrel", "M40"):
        assert word not in out
    assert seeded.hub.db["access_log"].count_where("action like 'journey:export:%' and staff = 'lee.lead'") == 1


def test_report_csv_writes_files_and_a_data_dictionary(run, tmp_path):
    folder = tmp_path / "for-the-evaluator"
    code, out, err = run("--from", "2025-01-01", "--to", "2025-03-31", "--csv", str(folder))
    assert code == 0, err
    assert "data_dictionary.csv" in out
    assert (folder / "residents.csv").exists() and (folder / "data_dictionary.csv").exists()
    file = tmp_path / "a-file"
    file.write_text("x")
    assert run("--from", "2025-01-01", "--to", "2025-03-31", "--csv", str(file))[0] == 2


def test_report_opens_a_figure_to_its_residents(run, seeded):
    code, out, err = run("--from", "2025-01-01", "--to", "2025-03-31", "--open", "outcome.job_start")
    assert code == 0, err
    assert "Job start, 01/01/2025 to 31/03/2025: 3 residents" in out
    assert "Alice Ashworth" in out and "Bilal Brennan" in out and "Carys Cartwright" in out
    code, out, err = run("--from", "2025-01-01", "--to", "2025-03-31", "--open", "reach")
    assert code == 2 and "not about residents" in err
    code, out, err = run("--from", "2025-01-01", "--to", "2025-03-31", "--open", "nonsense")
    assert code == 2 and "hub report --keys" in err
    code, out, err = run("--from", "2025-01-01", "--to", "2025-03-31", "--keys")
    assert code == 0 and "outcome.job_sustained_13\tJob sustained 13 weeks" in out


@pytest.mark.parametrize(
    "args, message",
    [(["--from", "yesterday", "--to", "2025-03-31"], "--from: 'yesterday' is not a date"),
     (["--from", "2025-01-01"], "give both --from and --to"),
     (["--from", "2025-03-31", "--to", "2025-01-01"], "--to is before --from")],
)
def test_bad_input_exits_2_naming_the_option(run, args, message):
    code, out, err = run(*args)
    assert code == 2 and message in err and "Traceback" not in err and out == ""


def test_plain_staff_are_refused(run):
    code, out, err = run("--from", "2025-01-01", "--to", "2025-03-31", as_user="sam.staff")
    assert code == 3 and "reports.view" in err and out == ""
    code, out, err = run("--from", "2025-01-01", "--to", "2025-03-31", as_user=None)  # nobody signed in: no default identity
    assert code == 3 and "HUB_STAFF" in err and "HUB_PASSWORD" in err and out == ""


def test_without_dates_it_reports_the_last_complete_quarter(run):
    from plugins.journey.report import Period

    code, out, err = run()
    assert code == 0, err
    assert f"Outcomes report: {Period.last_quarter().label}" in out


def test_check_config_reads_the_journey_settings(monkeypatch, tmp_path, capsys):
    """The lines to add to a site file, as docs/journey.md gives them, pass `hub check-config`; mistakes are named."""
    from pathlib import Path

    real = hub_plugins.installed_entry_points
    monkeypatch.setattr(hub_plugins, "installed_entry_points", lambda wanted=None: {**real(), "journey": JourneyEntryPoint()})
    demo = (Path(__file__).resolve().parents[2] / "config" / "demo.toml").read_text()
    site = tmp_path / "site.toml"
    assert "journey" in demo and "[plugins.journey]" in demo  # the demo site ships with the journey plugin
    site.write_text(demo.replace("homes_in_area = 1450", 'homes_in_area = 1450\npseudonym_secret = { "$env" = "JOURNEY_PSEUDONYM_SECRET" }'))
    monkeypatch.setenv("JOURNEY_PSEUDONYM_SECRET", "not a real secret")
    assert cli.main(["check-config", str(site)]) == 0
    assert "journey" in capsys.readouterr().out
    site.write_text(site.read_text().replace("homes_in_area = 1450", "homes_in_area = \"lots\"\nhomes_in_aera = 3"))
    assert cli.main(["check-config", str(site)]) == 2
    err = capsys.readouterr().err
    assert "plugins.journey.homes_in_area: expected a whole number" in err
    assert "plugins.journey.homes_in_aera: unknown key (did you mean 'homes_in_area'?)" in err
