"""Build throw-away instances on SQLite or PostgreSQL for tests."""

from __future__ import annotations

import os
import re
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import tomlkit

from ..instance import Instance

POSTGRES_URL_ENV = "WILLKOMMEN_TEST_POSTGRES"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TEST_PASSWORD = "test-password-123"  # noqa: S105 (test accounts only)

BASE_SETTINGS: dict[str, Any] = {
    "languages": ["de", "en", "ar", "uk"],
    "authority": {
        "name": "Ausländerbehörde Teststadt",
        "slug": "teststadt",
        "type": "kreisfreie Stadt",
        "federal_state": "Sachsen-Anhalt",
        "contact_email": "abh@teststadt.example",
        "sites": [
            {
                "name": "Hauptsitz",
                "street": "Marktplatz 1",
                "postcode": "39104",
                "city": "Teststadt",
            }
        ],
    },
    "web": {"secure_cookies": True},
}


def postgres_url() -> str:
    return os.environ.get(POSTGRES_URL_ENV, DEFAULT_POSTGRES)


def postgres_available() -> bool:
    import psycopg

    try:
        with psycopg.connect(postgres_url().replace("+psycopg", ""), connect_timeout=2):
            return True
    except psycopg.Error:
        return False


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A fresh schema in the test database; its URL pins ``search_path`` to it."""
    import psycopg

    schema = "t_" + uuid.uuid4().hex[:12]
    plain = postgres_url().replace("+psycopg", "")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in postgres_url() else "?"
    try:
        yield f"{postgres_url()}{sep}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def write_instance(
    root: Path, *, plugins: list[str], database_url: str | None = None, **settings: Any
) -> Path:
    """Write ``willkommen.toml`` and ``.env`` of a test instance into ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    data = _merge(BASE_SETTINGS, settings)
    data = _merge(data, {"plugins": {"enabled": plugins}})
    if database_url:
        data["database_url"] = database_url
    (root / "willkommen.toml").write_text(tomlkit.dumps(data), encoding="utf-8")
    (root / ".env").write_text(
        f"WILLKOMMEN_SECRET_KEY={secrets.token_urlsafe(40)}\n", encoding="utf-8"
    )
    return root


class InstanceFactory:
    """Creates migrated instances with the named plugins on the chosen database."""

    def __init__(self, tmp_path: Path, database: str) -> None:
        self.tmp_path = tmp_path
        self.database = database
        self._contexts: list[Any] = []
        self.created: list[Instance] = []

    def __call__(
        self,
        plugins: list[str] | None = None,
        *,
        name: str | None = None,
        migrate_db: bool = True,
        extra_plugins: tuple[tuple[str, ModuleType], ...] = (),
        **settings: Any,
    ) -> Instance:
        root = self.tmp_path / (name or f"inst{len(self.created)}")
        url = None
        if self.database == "postgresql":
            ctx = postgres_schema()
            url = ctx.__enter__()
            self._contexts.append(ctx)
        enabled = list(plugins or []) + [n for n, _ in extra_plugins]
        write_instance(root, plugins=enabled, database_url=url, **settings)
        instance = Instance.open(root, extra_plugins=extra_plugins)
        if migrate_db:
            instance.upgrade_storage()
        self.created.append(instance)
        return instance

    def close(self) -> None:
        for inst in self.created:
            if "db" in inst.__dict__:
                inst.db.dispose()
        for ctx in reversed(self._contexts):
            ctx.__exit__(None, None, None)


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = _CSRF.search(html)
    if not match:
        raise AssertionError("page has no CSRF token field")
    return match.group(1)


def submit_login(client: Any, username: str, password: str = TEST_PASSWORD) -> Any:
    """Fill in and send the login form (the response, not followed)."""
    page = client.get("/login")
    return client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": csrf_from(page.text),
            "next": "/",
        },
        follow_redirects=False,
    )


def login(client: Any, instance: Instance, role: str, username: str | None = None) -> str:
    """Create an account with ``role`` and log ``client`` in through the login form."""
    from .. import accounts

    username = username or f"{role}-user"
    try:
        accounts.create_user(instance.db, username, role, TEST_PASSWORD)
    except Exception as exc:  # the account exists from an earlier login in this test
        if "exists already" not in str(exc):
            raise
    response = submit_login(client, username, TEST_PASSWORD)
    assert response.status_code == 303, response.text
    return username
