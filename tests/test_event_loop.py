"""Nothing blocks the event loop (issue 13): a page that waits for a locked SQLite
database waits in the thread pool, and the same worker answers other requests meanwhile."""

from __future__ import annotations

import asyncio
import sqlite3
import time

import httpx
import pytest

from willkommen_core import accounts
from willkommen_core.testing.instance import TEST_PASSWORD, csrf_from
from willkommen_core.web.app import create_app

pytestmark = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


async def _login(client: httpx.AsyncClient) -> str:
    page = await client.get("/login")
    answer = await client.post(
        "/login",
        data={
            "username": "lea",
            "password": TEST_PASSWORD,
            "csrf_token": csrf_from(page.text),
            "next": "/",
        },
    )
    assert answer.status_code == 303, answer.text
    return csrf_from((await client.get("/prozesse/")).text)


def test_a_write_waiting_for_a_locked_database_does_not_stop_other_requests(make_instance):
    instance = make_instance(["prozesse"])
    accounts.create_user(instance.db, "lea", "leitung", TEST_PASSWORD)
    app = create_app(instance)
    path = instance.db.engine.url.database

    async def scenario() -> tuple[float, int, int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
            csrf = await _login(client)
            blocker = sqlite3.connect(path, isolation_level=None, timeout=0)
            blocker.execute("BEGIN IMMEDIATE")  # another process holds the write lock
            try:
                write = asyncio.create_task(
                    client.post(
                        "/prozesse/starten",
                        data={"template": "magdeburg", "start": "2026-03-02", "csrf_token": csrf},
                    )
                )
                await asyncio.sleep(0.3)
                assert not write.done(), "the write waits for the lock"
                started = time.monotonic()
                other = await client.get("/barrierefreiheit")
                answered_in = time.monotonic() - started
                assert not write.done(), "still waiting while the other page was answered"
            finally:
                blocker.execute("ROLLBACK")
                blocker.close()
            done = await asyncio.wait_for(write, timeout=30)
            return answered_in, other.status_code, done.status_code

    answered_in, other_status, write_status = asyncio.run(scenario())
    assert other_status == 200 and answered_in < 2.0
    assert write_status == 303, "the write went through once the lock was released"
