"""Storage: SQLite set up for several processes, per-component migrations,
``willkommen db upgrade|status``, ``serve`` refusing an outdated schema, and
concurrent writers that never see "database is locked".

Tests taking ``make_instance`` or ``database`` run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import multiprocessing
import queue
import traceback
from datetime import datetime
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, insert, inspect, select
from sqlalchemy.exc import IntegrityError

from willkommen_core.cli import cli
from willkommen_core.instance import Instance
from willkommen_core.storage import migrate
from willkommen_core.storage.db import SQLITE_BUSY_TIMEOUT_MS, Database
from willkommen_core.storage.tables import login_failures

WRITERS = 2
READERS = 2
TRANSACTIONS = 300


def run(*args: str) -> tuple[int, str]:
    """Run ``willkommen ARGS``: exit code and output (a user error is a message)."""
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def table_names(instance: Instance) -> set[str]:
    with instance.db.engine.connect() as conn:
        return set(inspect(conn).get_table_names())


# -- SQLite settings ----------------------------------------------------------------


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(make_sqlite_instance):
    instance = make_sqlite_instance([])
    assert instance.db.url == f"sqlite:///{instance.root / 'willkommen.db'}"
    with instance.db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == SQLITE_BUSY_TIMEOUT_MS
    assert SQLITE_BUSY_TIMEOUT_MS >= 5_000


def test_foreign_keys_are_enforced(make_instance, kiste):
    instance = make_instance(extra_plugins=(("kiste", kiste),))
    with pytest.raises(IntegrityError), instance.db.write() as s:
        s.execute(insert(kiste.attachments).values(item_id=4711, label="ohne Eintrag"))


# -- migrations -------------------------------------------------------------------


def test_migrations_create_the_tables_of_an_enabled_plugin(make_instance, kiste):
    instance = make_instance(extra_plugins=(("kiste", kiste),))
    names = table_names(instance)
    assert {"kiste_items", "kiste_anhang", "alembic_version_kiste"} <= names
    assert {"core_users", "alembic_version_core"} <= names
    assert migrate.state(instance.db, instance.components()[-1]).current == "kiste_0002"


def test_a_plugin_that_is_not_enabled_gets_no_tables(make_instance, local_kiste, tmp_path):
    local_kiste(tmp_path / "ohne")  # installed in the instance, but not enabled
    instance = make_instance([], name="ohne")
    assert "kiste" in instance.plugins.records
    assert [c.name for c in instance.components()] == ["core"]
    names = table_names(instance)
    assert not {n for n in names if "kiste" in n}
    assert "core_users" in names


def test_db_status_and_upgrade_commands(make_instance, local_kiste, tmp_path):
    root = local_kiste(tmp_path / "inst")
    make_instance(["kiste"], name="inst", migrate_db=False)

    code, out = run("--instance", str(root), "db", "status")
    assert code == 1
    assert "core: none (head " in out and "kiste: none (head kiste_0002)  OUTDATED" in out

    code, out = run("--instance", str(root), "db", "upgrade")
    assert code == 0, out
    assert "kiste: kiste_0002" in out

    code, out = run("--instance", str(root), "db", "status")
    assert code == 0, out
    assert "OUTDATED" not in out and "kiste: kiste_0002 (head kiste_0002)" in out


def test_enabling_a_plugin_later_needs_an_upgrade_and_disabling_keeps_its_data(
    make_instance, local_kiste, tmp_path
):
    root = local_kiste(tmp_path / "inst")
    instance = make_instance([], name="inst")
    assert run("--instance", str(root), "db", "status")[0] == 0

    assert run("--instance", str(root), "plugins", "enable", "kiste")[0] == 0
    code, out = run("--instance", str(root), "db", "status")
    assert code == 1 and "kiste: none" in out and "OUTDATED" in out
    assert run("--instance", str(root), "db", "upgrade")[0] == 0
    assert "kiste_items" in table_names(instance)

    assert run("--instance", str(root), "plugins", "disable", "kiste")[0] == 0
    code, out = run("--instance", str(root), "db", "status")
    assert code == 0 and "kiste" not in out
    assert "kiste_items" in table_names(instance)  # disabled, not deleted


def test_serve_refuses_an_outdated_schema_naming_the_component(
    make_instance, local_kiste, tmp_path, monkeypatch
):
    import uvicorn

    def must_not_start(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("uvicorn started despite the outdated schema")

    monkeypatch.setattr(uvicorn, "run", must_not_start)
    root = local_kiste(tmp_path / "inst")
    instance = make_instance(["kiste"], name="inst", migrate_db=False)
    migrate.upgrade(instance.db, [migrate.core_component()])  # the core is current, kiste not

    code, out = run("--instance", str(root), "serve")

    assert code == 1
    assert "kiste" in out and "run 'willkommen db upgrade'" in out
    assert "database: core" not in out


# -- concurrency ------------------------------------------------------------------


def _writer(url: str, worker: int, barrier: Any, errors: Any) -> None:
    """``TRANSACTIONS`` short write transactions, each reading before it writes
    (the case that fails at once in SQLite's deferred transactions)."""
    try:
        db = Database(url)
        barrier.wait(timeout=60)
        for i in range(TRANSACTIONS):
            with db.write() as s:
                s.execute(select(func.count()).select_from(login_failures)).scalar_one()
                s.execute(
                    insert(login_failures).values(username=f"w{worker}-{i}", at=datetime.now())
                )
        db.dispose()
    except BaseException:
        errors.put(f"writer {worker}: {traceback.format_exc()}")
        raise


def _reader(url: str, barrier: Any, stop: Any, errors: Any, reads: Any) -> None:
    try:
        db = Database(url)
        barrier.wait(timeout=60)
        count = 0
        while not stop.is_set():
            with db.read() as s:
                s.execute(select(func.count()).select_from(login_failures)).scalar_one()
            count += 1
        reads.put(count)
        db.dispose()
    except BaseException:
        errors.put(f"reader: {traceback.format_exc()}")
        raise


def test_concurrent_writer_processes_never_fail_and_lose_nothing(make_instance):
    """Two worker processes writing at once (as ``serve --workers 2`` does), with
    readers alongside: no "database is locked", every row arrives."""
    instance = make_instance([])
    url = instance.db.url
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(WRITERS + READERS)
    stop, errors, reads = ctx.Event(), ctx.Queue(), ctx.Queue()
    writers = [ctx.Process(target=_writer, args=(url, w, barrier, errors)) for w in range(WRITERS)]
    readers = [
        ctx.Process(target=_reader, args=(url, barrier, stop, errors, reads))
        for _ in range(READERS)
    ]
    for p in writers + readers:
        p.start()
    try:
        for p in writers:
            p.join(timeout=180)
    finally:
        stop.set()
        for p in readers:
            p.join(timeout=60)
        for p in writers + readers:
            if p.is_alive():
                p.kill()
    found = []
    while True:
        try:
            found.append(errors.get(timeout=0.5))
        except queue.Empty:
            break
    assert not found, "\n".join(found)
    assert [p.exitcode for p in writers + readers] == [0] * (WRITERS + READERS)
    assert all(reads.get(timeout=5) > 0 for _ in readers)
    with instance.db.read() as s:
        names = set(s.execute(select(login_failures.c.username)).scalars())
    assert names == {f"w{w}-{i}" for w in range(WRITERS) for i in range(TRANSACTIONS)}
