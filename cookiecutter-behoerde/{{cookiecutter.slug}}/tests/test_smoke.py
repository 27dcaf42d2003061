"""Smoke tests of this instance: run `tox` (or `python -m pytest`) in this folder.

They work on a throw-away copy of the instance with its own SQLite database,
so they never touch the real data, and they use the fixtures of the pytest
plugin that ships with the toolkit (`make_client`).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from willkommen_core.instance import Instance

INSTANCE_DIR = Path(__file__).resolve().parent.parent
_NOT_COPIED = shutil.ignore_patterns(
    ".env", "*.db", "*.db-*", ".tox", ".pytest_cache", "__pycache__", "tests"
)


@pytest.fixture
def copy(tmp_path, monkeypatch):
    """This instance's settings, content and plugins with a fresh test database."""
    root = tmp_path / "instance"
    shutil.copytree(INSTANCE_DIR, root, ignore=_NOT_COPIED)
    (root / ".env").write_text("WILLKOMMEN_SECRET_KEY=" + "s" * 40 + "\n", encoding="utf-8")
    # Environment wins over willkommen.toml: the copy uses its own SQLite file.
    monkeypatch.setenv("WILLKOMMEN_DATABASE_URL", f"sqlite:///{root / 'smoke.db'}")
    monkeypatch.delenv("WILLKOMMEN_INSTANCE", raising=False)
    return root


def willkommen(root, *args):
    return subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "-m", "willkommen_core", "--instance", str(root), *args],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        check=False,
    )


def test_check_succeeds_after_db_upgrade(copy):
    upgrade = willkommen(copy, "db", "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr
    check = willkommen(copy, "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.startswith("ok:")


def test_check_reports_the_missing_tables_before_db_upgrade(copy):
    check = willkommen(copy, "check")
    assert check.returncode == 1
    assert "problem(s) found" in check.stderr


@pytest.fixture
def client(copy, make_client):
    assert willkommen(copy, "db", "upgrade").returncode == 0
    return make_client(Instance.open(copy))


def test_start_page_is_public_and_staff_pages_ask_for_a_login(copy, client):
    start = client.get("/", follow_redirects=False)
    assert start.status_code == 200
    assert Instance.open(copy).settings.authority.name in start.text
    response = client.get("/-/admin/accounts", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_healthz_is_ok(copy, client):
    # Anyone sees only the status; the details need an admin session or an API token.
    assert client.get("/healthz").json() == {"status": "ok"}
    token = willkommen(copy, "token", "create", "smoke", "--role", "leitung", "--days", "1")
    assert token.returncode == 0, token.stderr
    bearer = {"authorization": "Bearer " + token.stdout.strip()}
    body = client.get("/healthz", headers=bearer).json()
    assert body["status"] == "ok"
    assert body["database"]["schema"] == "current"
