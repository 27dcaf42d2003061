"""`willkommen new` makes an instance that works as made: every toolkit module, no other
authority's address, its signing key, a clear word about https, and the README's
everyday commands run as they stand."""

from __future__ import annotations

import os
import re
import shlex
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from willkommen_core import accounts
from willkommen_core.cli import cli
from willkommen_core.demo import default_directory
from willkommen_core.instance import Instance
from willkommen_core.rollout.summary import KEY_FILE, verify
from willkommen_core.scaffold import (
    _setting_values,
    builtin_plugins,
    settings_keys,
    template_defaults,
)
from willkommen_core.testing.instance import TEST_PASSWORD, csrf_from
from willkommen_core.web.app import create_app

README = Path(__file__).resolve().parent.parent / "README.md"
ADDRESS = ("--set", "street=Zerbster Straße 4", "--set", "postcode=06844")


def willkommen(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The installed command, as a user runs it."""
    env = {k: v for k, v in os.environ.items() if k != "WILLKOMMEN_INSTANCE"}
    return subprocess.run(
        [sys.executable, "-m", "willkommen_core", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def new(target: Path, *args: str, name: str = "Ausländerbehörde Dessau-Roßlau") -> Instance:
    result = CliRunner().invoke(cli, ["new", str(target), "--name", name, *ADDRESS, *args])
    assert result.exit_code == 0, result.output
    return Instance.open(target)


def everyday_commands() -> list[list[str]]:
    """The shell lines of the README's "Everyday commands", comments removed."""
    text = README.read_text(encoding="utf-8")
    block = text.split("## Everyday commands", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    block = block.replace("\\\n", " ")
    return [shlex.split(line, comments=True) for line in block.splitlines() if line.strip()]


def test_the_readme_commands_run_in_their_order_on_a_fresh_instance(tmp_path):
    commands = everyday_commands()
    assert [c[:2] for c in commands[:4]] == [
        ["willkommen", "new"],
        ["cd", "dessau-rosslau"],
        ["willkommen", "db"],
        ["willkommen", "check"],
    ]
    cwd = tmp_path
    ran = []
    for command in commands:
        if command[0] == "cd":
            cwd = cwd / command[1]
            continue
        assert command[0] == "willkommen", command
        if command[1] == "serve":
            continue  # a server does not end; the web tests below cover it
        result = willkommen(*command[1:], cwd=cwd)
        assert result.returncode == 0, (command, result.stdout + result.stderr)
        ran.append(command[1])
    assert ran[:3] == ["new", "db", "check"] and len(ran) >= 5


def test_a_new_instance_has_every_toolkit_module_and_passes_check_after_db_upgrade(tmp_path):
    instance = new(tmp_path / "dessau")
    assert instance.plugins.enabled == builtin_plugins()
    assert set(builtin_plugins()) >= {"selbstcheck", "prozesse", "leitsystem", "fortbildung"}
    before = willkommen("--instance", str(instance.root), "check")
    assert before.returncode == 1  # no tables yet: check says so, and what to run
    upgrade = willkommen("--instance", str(instance.root), "db", "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr
    check = willkommen("--instance", str(instance.root), "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.startswith("ok: Ausländerbehörde Dessau-Roßlau")


def test_a_new_instance_signs_its_summaries_with_its_own_key(tmp_path):
    instance = new(tmp_path / "dessau")
    key = instance.root / KEY_FILE
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    other = new(tmp_path / "harz", name="Landkreis Harz")
    assert key.read_bytes() != (other.root / KEY_FILE).read_bytes()
    assert willkommen("--instance", str(instance.root), "db", "upgrade").returncode == 0
    output = tmp_path / "summary.json"
    result = willkommen("--instance", str(instance.root), "summary", "--output", str(output))
    assert result.returncode == 0, result.stderr
    import json

    envelope, known = verify(json.loads(output.read_text("utf-8")), None, source=str(output))
    assert envelope["authority"]["slug"] == "dessau-rosslau" and not known


def leaves(data: object) -> list[object]:
    """Every value in a parsed TOML document."""
    if isinstance(data, dict):
        return [v for item in data.values() for v in leaves(item)]
    if isinstance(data, list):
        return [v for item in data for v in leaves(item)]
    return [data]


def test_a_new_instance_carries_no_other_authoritys_address_or_type(tmp_path):
    instance = new(tmp_path / "dessau")
    values = leaves(tomllib.loads((instance.root / "willkommen.toml").read_text("utf-8")))
    for foreign in ("39104", "Magdeburg", "Musterstraße", "Breiter Weg"):
        assert not any(foreign in str(v) for v in values), foreign
    authority = instance.settings.authority
    assert authority.type == "sonstige"  # not "Landkreis" unless told so
    site = authority.sites[0]
    assert (site.street, site.postcode, site.city) == (
        "Zerbster Straße 4",
        "06844",
        "Dessau-Roßlau",
    )
    assert template_defaults()["street"] == template_defaults()["postcode"] == ""


def test_without_an_address_new_names_each_missing_key_and_creates_nothing(tmp_path):
    result = CliRunner().invoke(
        cli, ["new", str(tmp_path / "x"), "--name", "Landkreis Harz", "--set", "postcode=38820"]
    )
    assert result.exit_code == 1
    assert "street: required" in result.output and "--set street=" in result.output
    assert "postcode" not in result.output.split("street: required", 1)[1].split("\n", 1)[1]
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_help_lists_every_set_key_from_the_template_and_the_settings_model():
    result = CliRunner().invoke(cli, ["new", "--help"])
    assert result.exit_code == 0, result.output
    keys = set(re.findall(r"^\s+([a-z_]+(?:\.[a-z_]+)?) [\[(]", result.output, re.M))
    expected_template = {
        key
        for key, value in template_defaults().items()
        if key not in ("authority_name", "toolkit_version") and not isinstance(value, dict)
    }
    assert expected_template <= keys
    assert set(settings_keys()) <= keys
    assert {"web.secure_cookies", "privacy.min_group_size", "audit.retention_days"} <= keys


def test_settings_keys_are_written_into_the_file_and_bad_values_named(tmp_path):
    instance = new(
        tmp_path / "a", "--set", "privacy.min_group_size=7", "--set", "audit.retention_days=90"
    )
    assert instance.settings.privacy.min_group_size == 7
    assert instance.settings.audit.retention_days == 90
    raw = tomllib.loads((instance.root / "willkommen.toml").read_text("utf-8"))
    assert raw["privacy"]["min_group_size"] == 7
    bad = CliRunner().invoke(
        cli,
        [
            "new",
            str(tmp_path / "b"),
            "--name",
            "Landkreis Harz",
            *ADDRESS,
            "--set",
            "web.secure_cookies=vielleicht",
            "--set",
            "privacy.min_group_size=1",
            "--set",
            "web.colour=blau",
        ],
    )
    assert bad.exit_code == 1
    assert "web.secure_cookies: must be true or false" in bad.output
    assert "privacy.min_group_size: must be >= 3" in bad.output
    assert "web.colour: unknown setting" in bad.output
    assert not (tmp_path / "b").exists()


# -- logging in over plain http ------------------------------------------------------


def _login(client: TestClient) -> object:
    page = client.get("/login")
    return client.post(
        "/login",
        data={
            "username": "anna",
            "password": TEST_PASSWORD,
            "csrf_token": csrf_from(page.text),
            "next": "/",
        },
        follow_redirects=False,
    )


@pytest.fixture
def http_instance(tmp_path):
    def make(*args: str) -> Instance:
        instance = new(tmp_path / f"i{len(list(tmp_path.iterdir()))}", *args)
        instance.upgrade_storage()
        accounts.create_user(instance.db, "anna", "admin", TEST_PASSWORD)
        return instance

    return make


def test_login_over_http_works_when_the_instance_is_told_so(http_instance):
    instance = http_instance("--set", "web.secure_cookies=false")
    with TestClient(create_app(instance), base_url="http://127.0.0.1:8000") as client:
        response = _login(client)
        assert response.status_code == 303, response.text
        assert client.get("/", follow_redirects=False).status_code == 200


def test_login_over_http_with_secure_cookies_names_the_cause_not_just_csrf(http_instance):
    instance = http_instance()
    with TestClient(create_app(instance), base_url="http://127.0.0.1:8000") as client:
        response = _login(client)
    # The client keeps the HTTPS-only cookie to itself, as many do on http://.
    assert response.status_code == 403
    assert "secure_cookies" in response.text and "https://" in response.text
    assert "CSRF" not in response.text


def test_check_warns_when_a_public_address_is_http_but_cookies_need_https(tmp_path):
    instance = new(tmp_path / "dessau")
    path = instance.root / "willkommen.toml"
    path.write_text(
        path.read_text("utf-8") + '\n[leitsystem]\nbase_url = "http://willkommen.example.org"\n',
        encoding="utf-8",
    )
    assert willkommen("--instance", str(instance.root), "db", "upgrade").returncode == 0
    check = willkommen("--instance", str(instance.root), "check")
    assert check.returncode == 0, check.stderr  # a warning, not a problem
    assert "warning: willkommen.toml: leitsystem.base_url: http://willkommen.example.org" in (
        check.stderr
    )
    assert "secure_cookies" in check.stderr
    path.write_text(
        path.read_text("utf-8").replace("secure_cookies = true", "secure_cookies = false"),
        encoding="utf-8",
    )
    assert "warning" not in willkommen("--instance", str(instance.root), "check").stderr


# -- the demo stays out of the current folder -----------------------------------------


def test_the_demo_goes_to_the_users_data_folder_not_the_current_one(tmp_path, monkeypatch):
    data = tmp_path / "data"
    clone = tmp_path / "clone"
    clone.mkdir()
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    monkeypatch.chdir(clone)
    assert default_directory() == data / "willkommen" / "demo"
    result = CliRunner().invoke(cli, ["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    assert list(clone.iterdir()) == []
    assert (data / "willkommen" / "demo" / "willkommen.toml").is_file()
    assert f"demo instance: {data / 'willkommen' / 'demo'}" in result.output


@settings(max_examples=200, deadline=None)
@given(key=st.sampled_from(sorted(settings_keys())), raw=st.text(max_size=40))
def test_any_set_value_is_accepted_typed_or_refused_naming_its_key(key, raw):
    values, problems = _setting_values({key: raw})
    if problems:
        assert values == {} and all(p.key == key and p.file == "--set" for p in problems)
    else:
        ((setting, value),) = values.items()
        assert setting.key == key
        assert isinstance(value, {"bool": bool, "int": int, "str": str, "list": list}[setting.kind])
