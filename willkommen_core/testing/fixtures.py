"""pytest fixtures (registered as the pytest plugin ``willkommen``).

``database``
    Parametrised over ``sqlite`` and ``postgresql``. The PostgreSQL case uses a
    fresh schema in the server of ``$WILLKOMMEN_TEST_POSTGRES`` (default
    ``127.0.0.1:5432/test``); without a server it is skipped with the reason,
    except under ``CI=true``, where it fails.
``make_instance``
    ``make_instance(["partner"], **settings)`` -> a migrated Instance.
``make_client``
    ``make_client(instance)`` -> a Starlette TestClient over HTTPS.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .instance import InstanceFactory, postgres_available

_pg_state: dict[str, bool] = {}


def _require_postgres() -> None:
    if "ok" not in _pg_state:
        _pg_state["ok"] = postgres_available()
    if not _pg_state["ok"]:
        reason = "no PostgreSQL server answers at $WILLKOMMEN_TEST_POSTGRES / 127.0.0.1:5432"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason + " (mandatory in CI)")
        pytest.skip(reason)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql":
        _require_postgres()
    return str(request.param)


@pytest.fixture
def make_instance(tmp_path: Path, database: str) -> Iterator[InstanceFactory]:
    factory = InstanceFactory(tmp_path, database)
    yield factory
    factory.close()


@pytest.fixture
def make_sqlite_instance(tmp_path: Path) -> Iterator[InstanceFactory]:
    """Like ``make_instance``, on SQLite only (for tests not about storage)."""
    factory = InstanceFactory(tmp_path / "sqlite", "sqlite")
    yield factory
    factory.close()


@pytest.fixture
def make_client() -> Iterator[Callable[..., Any]]:
    from starlette.testclient import TestClient

    from ..web.app import create_app

    clients: list[Any] = []

    def factory(instance: Any, **kwargs: Any) -> Any:
        client = TestClient(create_app(instance), base_url="https://testserver", **kwargs)
        client.__enter__()
        clients.append(client)
        return client

    yield factory
    for client in clients:
        client.__exit__(None, None, None)
