"""Config layout changes are migrated by code: `schema_version` in willkommen.toml,
`willkommen check` naming the command, `willkommen config migrate` keeping comments."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from willkommen_core import config_migrate
from willkommen_core.cli import cli
from willkommen_core.instance import Instance
from willkommen_core.testing.instance import write_instance


def test_a_new_instance_is_written_at_the_current_layout(tmp_path):
    address = ["--set", "street=Friedrich-Ebert-Straße 42", "--set", "postcode=38820"]
    result = CliRunner().invoke(
        cli, ["new", str(tmp_path / "x"), "--name", "Landkreis Harz", *address]
    )
    assert result.exit_code == 0, result.output
    text = (tmp_path / "x" / "willkommen.toml").read_text()
    assert f"schema_version = {config_migrate.CURRENT_SCHEMA}" in text


def test_a_file_without_schema_version_is_the_first_layout():
    assert config_migrate.schema_version({}) == 1


@pytest.fixture
def layout_2(monkeypatch):
    """A toolkit whose layout 2 renamed [web] lockout to login_lockout_minutes."""

    def rename_lockout(doc):
        web = doc["web"]
        if "lockout" in web:
            value = web["lockout"]
            del web["lockout"]
            web["login_lockout_minutes"] = value

    monkeypatch.setattr(config_migrate, "CURRENT_SCHEMA", 2)
    monkeypatch.setattr(config_migrate, "MIGRATIONS", {1: rename_lockout})


@pytest.fixture
def old_instance(tmp_path):
    root = write_instance(tmp_path / "harz", plugins=[], database_url="sqlite:///x.db")
    path = root / "willkommen.toml"
    text = path.read_text().replace(
        "[web]\n", "[web]\n# locked for 20 minutes after failures\nlockout = 20\n"
    )
    path.write_text("schema_version = 1\n" + text)
    return root


def invoke(root, *args):
    return CliRunner().invoke(cli, ["--instance", str(root), *args])


def test_check_names_the_command_when_the_layout_is_outdated(layout_2, old_instance):
    result = invoke(old_instance, "check")
    assert result.exit_code == 1
    assert (
        "willkommen.toml: schema_version: is 1, this toolkit expects 2: "
        "run 'willkommen config migrate'" in result.output
    )


def test_config_migrate_rewrites_the_file_keeping_comments_and_values(layout_2, old_instance):
    result = invoke(old_instance, "config", "migrate")
    assert result.exit_code == 0, result.output
    assert "migrated to schema_version 2" in result.output
    text = (old_instance / "willkommen.toml").read_text()
    assert "schema_version = 2" in text
    assert "# locked for 20 minutes after failures" in text
    assert "lockout = " not in text
    assert Instance(old_instance).settings.web.login_lockout_minutes == 20
    again = invoke(old_instance, "config", "migrate")
    assert "already at schema_version 2" in again.output


def test_a_file_from_a_newer_toolkit_is_refused_with_advice(old_instance):
    path = old_instance / "willkommen.toml"
    path.write_text(path.read_text().replace("schema_version = 1", "schema_version = 9"))
    result = invoke(old_instance, "check")
    assert "schema_version: is 9, written for a newer toolkit" in result.output
    assert invoke(old_instance, "config", "migrate").exit_code == 1


def test_a_missing_migration_step_is_an_error_not_a_silent_skip(monkeypatch, old_instance):
    monkeypatch.setattr(config_migrate, "CURRENT_SCHEMA", 2)
    monkeypatch.setattr(config_migrate, "MIGRATIONS", {})
    result = invoke(old_instance, "config", "migrate")
    assert result.exit_code == 1
    assert "no migration from schema_version 1 to 2" in result.output
