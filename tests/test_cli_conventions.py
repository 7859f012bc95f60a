"""The `hub` command behaves as people expect of a command-line tool: --version, completion,
exit codes (0 ok, 1 failure, 2 usage, 3 not allowed), a closed pipe, --json, the default site
from any folder, and a log file without personal data."""

from __future__ import annotations

import json
import logging
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from hub import __version__, exitcodes
from hubtest import write_site

ROOT = Path(__file__).resolve().parent.parent


def hub_cli(*args, cwd=None, env=None, stdout=subprocess.PIPE):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "hub", *args], stdout=stdout, stderr=subprocess.PIPE, text=True,
                          cwd=cwd, env=environment, timeout=120)


def test_version():
    result = hub_cli("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"hub (Drop-in Hub) {__version__}"


def test_the_exit_codes_are_the_agreed_ones():
    assert (exitcodes.OK, exitcodes.FAILURE, exitcodes.USAGE, exitcodes.NOT_ALLOWED) == (0, 1, 2, 3)


def test_bash_completion_names_core_and_plugin_commands(tmp_path):
    site = write_site(tmp_path, plugins=["signposting"])
    result = hub_cli("--site", str(site), "--print-completion", "bash")
    assert result.returncode == 0
    for word in ("serve", "check-config", "retention", "directory", "--json", "--version"):
        assert word in result.stdout
    completion = tmp_path / "hub-completion.bash"
    completion.write_text(result.stdout)
    check = subprocess.run(["bash", "-n", str(completion)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


def test_usage_error_is_2_and_not_allowed_is_3(tmp_path):
    site = write_site(tmp_path, plugins=[])
    assert hub_cli("--site", str(site), "no-such-command").returncode == exitcodes.USAGE
    assert hub_cli("--site", str(tmp_path / "missing.toml"), "plugins").returncode == exitcodes.USAGE
    refused = hub_cli("--site", str(site), "staff", "list", env={"HUB_STAFF": "nobody"})
    assert refused.returncode == exitcodes.NOT_ALLOWED, refused.stderr
    assert "Traceback" not in refused.stderr


def test_a_closed_pipe_ends_quietly(tmp_path):
    site = write_site(tmp_path, plugins=["benefits_calc", "signposting", "passport", "bonus", "journey"])
    read_end, write_end = os.pipe()
    os.close(read_end)  # like `| head -c 10` having finished before the hub writes
    try:
        result = subprocess.run([sys.executable, "-m", "hub", "--site", str(site), "plugins", "--json"],
                                stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=120,
                                env={k: v for k, v in os.environ.items() if not k.startswith("HUB_")})
    finally:
        os.close(write_end)
    assert result.returncode == exitcodes.CLOSED_PIPE
    assert result.stderr == ""


def test_the_default_site_is_the_same_from_any_folder(tmp_path):
    from_root = hub_cli("plugins", "--json", cwd=ROOT)
    elsewhere = hub_cli("plugins", "--json", cwd=tmp_path)
    assert elsewhere.returncode == 0, elsewhere.stderr
    assert json.loads(elsewhere.stdout) == json.loads(from_root.stdout)
    named = hub_cli("plugins", "--json", cwd=tmp_path, env={"HUB_SITE": str(write_site(tmp_path, plugins=[]))})
    assert [row["name"] for row in json.loads(named.stdout) if row["enabled"]] == []


def signed_in_lead(tmp_path):
    from hub import staff
    from hub.cli import build_hub
    from hub.config import load_site_config

    site = write_site(tmp_path, plugins=[], body="")
    hub = build_hub(load_site_config(site))
    hub.open_storage()
    staff.create_account(hub.db, username="lead.one", display_name="Lee Lead", role="site_lead",
                         password="a long enough phrase", created_by="test")
    hub.close()
    return site, {"HUB_STAFF": "lead.one", "HUB_PASSWORD": "a long enough phrase"}


def test_json_on_audit_staff_list_and_check_config(tmp_path):
    site, lead = signed_in_lead(tmp_path)
    audit = hub_cli("--site", str(site), "audit", "verify", "--json", env=lead)
    assert audit.returncode == 0, audit.stderr
    assert json.loads(audit.stdout)["intact"] is True
    accounts = json.loads(hub_cli("--site", str(site), "staff", "list", "--json", env=lead).stdout)
    assert accounts == [{"username": "lead.one", "display_name": "Lee Lead", "role": "site_lead", "active": True}]
    checked = json.loads(hub_cli("check-config", str(site), "--json").stdout)
    assert checked["ok"] is True and checked["problems"] == []
    bad = tmp_path / "bad.toml"
    bad.write_text('[hub]\nsite_nmae = "x"\n')
    result = hub_cli("check-config", str(bad), "--json")
    assert result.returncode == exitcodes.USAGE
    keys = [problem["key"] for problem in json.loads(result.stdout)["problems"]]
    assert "hub.site_nmae" in keys


def test_json_on_retention(tmp_path):
    site, lead = signed_in_lead(tmp_path)
    site.write_text(site.read_text().replace("[hub]\n", "[hub]\nretention_years = 6\n", 1))
    result = hub_cli("--site", str(site), "retention", "--json", env=lead)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"retention_years": 6, "applied": False, "candidates": []}


def test_every_core_command_that_prints_data_has_json():
    from hub.cli import CORE_COMMANDS

    source = (ROOT / "hub" / "cli.py").read_text()
    prints_data = {"plugins", "audit", "retention", "jobs", "check-config"}
    assert prints_data <= set(CORE_COMMANDS)
    for command in prints_data:
        assert f'"{command}"' in source
    assert source.count('"--json"') >= len(prints_data) + 2  # + staff list, + check-config's own parser


def test_warnings_go_to_a_private_log_file_without_exception_messages(tmp_path, monkeypatch):
    from hub import logfile

    monkeypatch.setenv("HUB_LOG_DIR", str(tmp_path / "logs"))
    root = logging.getLogger()
    saved = root.handlers[:]
    root.handlers = []
    try:
        logfile.configure_logging()
        try:
            raise ValueError("Aisha Rahman, 12 Kestrel Walk")
        except ValueError:
            logging.getLogger("hub.test").warning("saving failed for resident %s", 7, exc_info=True)
        for handler in root.handlers:
            handler.flush()
    finally:
        for handler in root.handlers:
            handler.close()
        root.handlers = saved
    log = tmp_path / "logs" / "hub.log"
    text = log.read_text()
    assert "saving failed for resident 7 (ValueError)" in text
    assert "Aisha" not in text and "Kestrel" not in text and "Traceback" not in text
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


@pytest.mark.parametrize("args", [["--port", "70000"]])
def test_serve_rejects_a_port_that_is_not_one(tmp_path, args):
    site = write_site(tmp_path, plugins=[])
    result = hub_cli("--site", str(site), "serve", *args)
    assert result.returncode == exitcodes.USAGE and "not a port" in result.stderr


def test_serve_settings_are_checked_with_the_site_file(tmp_path):
    site = write_site(tmp_path, plugins=[], body='[serve]\nport = 99999\npublic_url = "ftp://x"\nhots = "a"\n')
    result = hub_cli("check-config", str(site))
    assert result.returncode == exitcodes.USAGE
    assert "serve.hots: unknown key (did you mean 'host'?)" in result.stderr


def test_hub_plugins_exits_1_when_a_plugin_failed_and_says_why(tmp_path):
    site = write_site(tmp_path, plugins=["benefits_calc"], body="[plugins.benefits_calc]\nlondn = true\n")
    result = hub_cli("--site", str(site), "plugins")
    assert result.returncode == exitcodes.FAILURE
    assert "FAILED" in result.stdout and "londn" in result.stdout
    assert hub_cli("--site", str(write_site(tmp_path, plugins=["benefits_calc"], name="ok.toml")), "plugins").returncode == 0
