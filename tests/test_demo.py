"""`willkommen demo`: the Magdeburg model authority, migrated, seeded, with an admin."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from willkommen_core.cli import cli
from willkommen_core.demo import builtin_plugins, prepare_demo
from willkommen_core.errors import UserError
from willkommen_core.testing.instance import csrf_from, submit_login


def login_as(client, username: str, password: str):
    return submit_login(client, username, password)


def row_counts(instance) -> dict[str, int]:
    """Rows per table of every enabled plugin that has tables."""
    counts = {}
    with instance.db.read() as s:
        for name, storage in instance.plugins.storages().items():
            for table in storage.metadata.sorted_tables:
                counts[f"{name}:{table.name}"] = s.execute(
                    select(func.count()).select_from(table)
                ).scalar_one()
    return counts


def test_demo_is_the_magdeburg_model_authority_with_every_builtin_module(tmp_path):
    instance, _ = prepare_demo(tmp_path / "demo")
    authority = instance.settings.authority
    assert authority.name == "Ausländerbehörde Magdeburg"
    assert authority.slug == "magdeburg"
    assert authority.type == "kreisfreie Stadt"
    assert authority.federal_state == "Sachsen-Anhalt"
    assert authority.model_authority is True
    assert authority.sites[0].city == "Magdeburg"
    assert authority.sites[0].postcode == "39104"
    assert instance.plugins.enabled == builtin_plugins()
    assert instance.settings.database_url.startswith("sqlite:///")
    # Plain http on 127.0.0.1: cookies must not be HTTPS-only.
    assert instance.settings.web.secure_cookies is False
    assert instance.check() == []


def test_demo_twice_reuses_the_instance_and_gives_a_password_only_the_first_time(tmp_path):
    first, password = prepare_demo(tmp_path / "demo")
    counts = row_counts(first)
    second, again = prepare_demo(tmp_path / "demo")
    assert password and len(password) >= 12
    assert again is None
    assert second.root == first.root
    # Seeding is idempotent: nothing is added twice.
    assert row_counts(second) == counts
    assert second.check() == []


def test_the_admin_logs_in_with_the_one_time_password_and_must_replace_it(tmp_path, make_client):
    instance, password = prepare_demo(tmp_path / "demo")
    client = make_client(instance)
    assert login_as(client, "admin", "wrong-password-123").status_code == 400
    response = login_as(client, "admin", password)
    assert response.status_code == 303
    assert response.headers["location"] == "/-/konto/passwort"
    # Before an own password is set, no other page opens.
    for path in ("/", "/-/plugins", "/plan/"):
        blocked = client.get(path, follow_redirects=False)
        assert blocked.status_code == 303, path
        assert blocked.headers["location"] == "/-/konto/passwort"
    page = client.get("/-/konto/passwort")
    changed = client.post(
        "/-/konto/passwort",
        data={
            "current": password,
            "new": "Elbe-Dom-Fahrrad-Kompass",
            "repeat": "Elbe-Dom-Fahrrad-Kompass",
            "csrf_token": csrf_from(page.text),
        },
        follow_redirects=False,
    )
    assert changed.status_code == 303, changed.text
    home = client.get("/")
    assert home.status_code == 200
    assert "Ausländerbehörde Magdeburg" in home.text
    assert client.get("/-/plugins").status_code == 200  # admin only


def test_demo_content_of_the_partner_list_is_seeded(tmp_path):
    instance, _ = prepare_demo(tmp_path / "demo")
    assert instance.plugins.is_enabled("partner")
    counts = row_counts(instance)
    assert any(n > 0 for key, n in counts.items() if key.startswith("partner:")), counts


def test_every_builtin_module_with_tables_seeds_demo_content(tmp_path):
    instance, _ = prepare_demo(tmp_path / "demo")
    counts = row_counts(instance)
    for name in instance.plugins.storages():
        assert any(n > 0 for key, n in counts.items() if key.startswith(f"{name}:")), name


def test_a_folder_that_is_not_an_instance_is_refused(tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "a.jpg").write_bytes(b"x")
    with pytest.raises(UserError, match="exists but is no instance"):
        prepare_demo(folder)
    assert [p.name for p in folder.iterdir()] == ["a.jpg"]


def test_demo_command_prints_the_password_once(tmp_path):
    args = ["demo", "--dir", str(tmp_path / "demo"), "--no-serve"]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert "admin login: admin / " in first.output
    second = CliRunner().invoke(cli, args)
    assert second.exit_code == 0, second.output
    assert "admin login: admin /" not in second.output
    assert "as created before" in second.output
