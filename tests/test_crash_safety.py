"""Crash safety on SQLite: a server killed with SIGKILL while submissions arrive
loses no submission it acknowledged, leaves no half-stored submission and
leaves a database that passes SQLite's integrity check."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time

import httpx
import pytest
from selbstcheck_support import API, answer_all, open_round, table_counts

SENDERS = 16  # concurrent clients
STREAM_SECONDS = 2.0  # submissions keep arriving this long before the kill


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(root, port: int) -> subprocess.Popen:
    # Own session: os.killpg then hits the master and both workers at once.
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "willkommen_core",
            "--instance",
            str(root),
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    os.killpg(server.pid, signal.SIGKILL)
    server.wait(timeout=10)
    raise AssertionError("server did not start within 40 s")


async def _stream_then_kill(base: str, path: str, body: dict, server: subprocess.Popen) -> int:
    """Send submissions from SENDERS clients, SIGKILL the server mid-stream;
    return how many were acknowledged with 201."""
    acknowledged = 0
    stop = asyncio.Event()

    async def sender(client: httpx.AsyncClient) -> None:
        nonlocal acknowledged
        while not stop.is_set():
            try:
                response = await client.post(path, json=body)
            except httpx.HTTPError:
                continue  # refused or cut off by the kill: not acknowledged
            if response.status_code == 201:
                acknowledged += 1
            else:  # anything else is a bug, not a crash effect
                raise AssertionError(f"{response.status_code}: {response.text[:300]}")

    limits = httpx.Limits(max_connections=SENDERS)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=5) as client:
        tasks = [asyncio.create_task(sender(client)) for _ in range(SENDERS)]
        await asyncio.sleep(STREAM_SECONDS)
        os.killpg(server.pid, signal.SIGKILL)  # while requests are in flight
        await asyncio.sleep(0.3)  # let in-flight requests fail
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=30)
    return acknowledged


@pytest.mark.slow
def test_sigkill_mid_stream_loses_no_acknowledged_submission(make_sqlite_instance):
    instance = make_sqlite_instance(["selbstcheck"])
    rnd = open_round(instance)
    answers = answer_all(instance, rnd, 3)
    body = {"code": rnd.code, "perspective": "mitarbeitende", "answers": answers}
    port = _free_port()
    server = _serve(instance.root, port)
    try:
        acknowledged = asyncio.run(
            _stream_then_kill(
                f"http://127.0.0.1:{port}", f"{API}/rounds/{rnd.id}/responses", body, server
            )
        )
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)
    assert acknowledged > 0, "no submission was acknowledged before the kill"

    # Every acknowledged submission survived, and none is stored in part.
    instance.db.engine.dispose()
    stored = table_counts(instance)
    assert stored["selbstcheck_responses"] >= acknowledged
    assert stored["selbstcheck_answers"] == stored["selbstcheck_responses"] * len(answers)

    database = instance.db.engine.url.database
    with sqlite3.connect(database) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        # Per response: all answers or none (no partial rows).
        partial = conn.execute(
            "SELECT r.id FROM selbstcheck_responses r"
            " LEFT JOIN selbstcheck_answers a ON a.response_id = r.id"
            " GROUP BY r.id HAVING count(a.item_id) != ?",
            (len(answers),),
        ).fetchall()
        assert partial == []
