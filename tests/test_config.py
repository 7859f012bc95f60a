"""Site files: every problem found at once, located by file and key path, with hints."""

from __future__ import annotations

import dataclasses
from typing import Literal

import pytest

from hub.config import ConfigError, load_site_config, resolve_site_path, validate_table
from hubtest import write_site


def problems(path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_site_config(path)
    return [str(issue) for issue in caught.value.issues]


def test_demo_site_file_is_valid():
    from pathlib import Path

    config = load_site_config(Path(__file__).parent.parent / "config" / "demo.toml")
    assert config.hub.plugins == ["benefits_calc", "signposting", "passport", "bonus", "journey"]
    assert config.hub.demo is True
    assert config.database_path.name == "hub.db"


def test_unknown_keys_get_a_did_you_mean_hint(tmp_path):
    site = tmp_path / "s.toml"
    site.write_text('[hub]\nsite_name = "X"\nsite_nmae = "Y"\n[plugin.calc]\nx = 1\n')
    found = problems(site)
    assert f"{site}: hub.site_nmae: unknown key (did you mean 'site_name'?)" in found
    assert f"{site}: plugin: unknown table (did you mean 'plugins'?)" in found


def test_every_problem_is_reported_not_just_the_first(tmp_path):
    site = tmp_path / "s.toml"
    site.write_text('[hub]\nplugins = "calc"\ndemo = "yes"\narea = ["M40 7", "not a postcode"]\n')
    found = problems(site)
    assert any("hub.site_name: required, but missing" in p for p in found)
    assert any("hub.plugins: expected a list of text" in p for p in found)
    assert any("hub.demo: expected true or false, got 'yes'" in p for p in found)
    assert any("hub.area[1]: 'not a postcode' is not a postcode, sector or district" in p for p in found)


def test_toml_syntax_error_names_the_file_and_line(tmp_path):
    site = tmp_path / "s.toml"
    site.write_text('[hub]\nsite_name = "unterminated\n')
    [message] = problems(site)
    assert str(site) in message and "not valid TOML" in message and "line 2" in message


def test_missing_file_says_how_to_choose_a_site(tmp_path):
    [message] = problems(tmp_path / "nope.toml")
    assert "no such site file" in message and "--site" in message


def test_site_path_comes_from_flag_then_environment_then_demo():
    assert str(resolve_site_path("a.toml", {"HUB_SITE": "b.toml"})) == "a.toml"
    assert str(resolve_site_path(None, {"HUB_SITE": "b.toml"})) == "b.toml"
    default = resolve_site_path(None, {})
    assert default.is_absolute() and default.parts[-2:] == ("config", "demo.toml") and default.is_file()


@dataclasses.dataclass
class Nested:
    url: str
    retries: int = 3


@dataclasses.dataclass
class Example:
    api_key: str
    mode: Literal["live", "test"] = "live"
    ratio: float = 1.0
    feeds: list[Nested] = dataclasses.field(default_factory=list)
    optional: int | None = None


def test_schema_checks_types_literals_and_nested_tables():
    table = {"api_key": "k", "mode": "tset", "ratio": "high", "feeds": [{"url": "u", "retries": "x"}, {"urll": "v"}]}
    instance, issues = validate_table(Example, table, "plugins.ex", "site.toml")
    messages = [str(i) for i in issues]
    assert instance is None
    assert "site.toml: plugins.ex.mode: 'tset' is not allowed; expected one of 'live', 'test' (did you mean 'test'?)" in messages
    assert "site.toml: plugins.ex.ratio: expected a number, got 'high'" in messages
    assert "site.toml: plugins.ex.feeds[0].retries: expected a whole number, got 'x'" in messages
    assert "site.toml: plugins.ex.feeds[1].urll: unknown key (did you mean 'url'?)" in messages
    assert "site.toml: plugins.ex.feeds[1].url: required, but missing" in messages


def test_schema_accepts_good_values_and_converts_ints_to_floats():
    instance, issues = validate_table(Example, {"api_key": "k", "ratio": 2, "feeds": [{"url": "u"}]}, "p", "f")
    assert issues == []
    assert instance == Example(api_key="k", ratio=2.0, feeds=[Nested("u")])
    assert isinstance(instance.ratio, float)


def test_secrets_come_from_the_environment_and_are_never_echoed():
    instance, issues = validate_table(Example, {"api_key": {"$env": "FEED_KEY"}}, "p", "f", environ={"FEED_KEY": "s3cret"})
    assert issues == [] and instance.api_key == "s3cret"
    instance, issues = validate_table(Example, {"api_key": {"$env": "FEED_KEY"}}, "p", "f", environ={})
    assert [str(i) for i in issues] == ["f: p.api_key: the environment variable 'FEED_KEY' is not set (this key reads it)"]


def test_secret_of_the_wrong_type_is_not_printed():
    @dataclasses.dataclass
    class Port:
        port: int

    _, issues = validate_table(Port, {"port": {"$env": "PORT_SECRET"}}, "p", "f", environ={"PORT_SECRET": "hunter2"})
    assert issues and all("hunter2" not in str(i) for i in issues)


def test_check_config_prints_every_error_and_exits_2(tmp_path, capsys):
    from hub import cli

    site = write_site(tmp_path, "[plugins.passprot]\nx = 1\n", plugins=["passport", "nosuchplugin"], theme="hub-hi-contrast")
    assert cli.main(["check-config", str(site)]) == 2
    err = capsys.readouterr().err
    assert "has 3 problems" in err
    assert f"{site}: plugins.passprot: settings for a plugin that is not enabled (did you mean 'passport'?)" in err
    assert f"{site}: hub.plugins[1]: plugin 'nosuchplugin': not installed" in err
    assert f"{site}: hub.theme: unknown theme 'hub-hi-contrast' (did you mean 'hub-high-contrast'?)" in err
    assert "Traceback" not in err


def test_check_config_accepts_the_demo_site(capsys):
    from pathlib import Path

    from hub import cli

    demo = Path(__file__).parent.parent / "config" / "demo.toml"
    assert cli.main(["check-config", str(demo)]) == 0
    assert "OK" in capsys.readouterr().out


def test_tui_refuses_a_broken_site_file_with_the_same_message(tmp_path):
    import subprocess
    import sys

    site = tmp_path / "bad.toml"
    site.write_text('[hub]\nsite_name = "X"\nthem = "dark"\n')
    result = subprocess.run([sys.executable, "-m", "hub.cli", "--site", str(site)], capture_output=True, text=True,
                            stdin=subprocess.DEVNULL, timeout=60)
    assert result.returncode == 2
    assert f"{site}: hub.them: unknown key (did you mean 'theme'?)" in result.stderr
    assert "Traceback" not in result.stderr


def test_hub_help_lists_core_and_plugin_commands(capsys):
    import pytest as _pytest

    from hub import cli

    with _pytest.raises(SystemExit) as exited:
        cli.main(["--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    for command in ("plugins", "check-config", "backup", "staff", "calc", "directory", "passport", "bonus", "report"):
        assert command in out


def test_commands_leave_garbage_collection_on(tmp_path, capsys):
    """main() turns the collector off while starting; every command must find it on again."""
    import gc

    from hub import cli

    site = tmp_path / "site.toml"
    site.write_text('[hub]\nsite_name = "X"\nplugins = []\ndata_dir = "data"\n')
    seen = []
    original = cli.list_plugins
    cli.list_plugins = lambda hub, as_json: seen.append(gc.isenabled()) or original(hub, as_json=as_json)
    try:
        assert cli.main(["--site", str(site), "plugins", "--json"]) == 0
    finally:
        cli.list_plugins = original
    assert seen == [True]
    assert gc.isenabled()
