"""200 concurrent submissions against a real server with 2 workers: each stored exactly once."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from collections import Counter

import httpx
import pytest
from selbstcheck_support import API, answer_all, open_token_round, table_counts

from willkommen_plugins.selbstcheck import store

SUBMISSIONS = 200


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(root, port: int) -> subprocess.Popen:
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
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.terminate()
    raise AssertionError(f"server did not start: {server.stderr.read().decode()[-2000:]}")


async def _fire(base: str, jobs: list[dict]) -> list[int]:
    limits = httpx.Limits(max_connections=SUBMISSIONS + 50)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        start = asyncio.Event()

        async def one(body: dict) -> int:
            await start.wait()
            response = await client.post(body.pop("_path"), json=body)
            return response.status_code

        tasks = [asyncio.create_task(one(dict(j))) for j in jobs]
        await asyncio.sleep(0.1)
        start.set()  # all at once
        return await asyncio.gather(*tasks)


@pytest.mark.slow
def test_two_hundred_concurrent_submissions_are_stored_exactly_once(make_instance):
    instance = make_instance(["selbstcheck"])
    rnd, codes = open_token_round(instance, SUBMISSIONS)
    answers = answer_all(instance, rnd, 4)
    path = f"{API}/rounds/{rnd.id}/responses"
    jobs = [
        {
            "_path": path,
            "token": code,
            "perspective": "mitarbeitende" if n % 3 else "leitung",
            "answers": answers,
            "comments": {"verankerung": f"Kommentar {n}"} if n % 10 == 0 else {},
        }
        for n, code in enumerate(codes)
    ]
    # The same one-time code sent 20 more times at once: only one may win.
    jobs += [dict(jobs[0]) for _ in range(20)]
    port = _free_port()
    server = _serve(instance.root, port)
    try:
        statuses = asyncio.run(_fire(f"http://127.0.0.1:{port}", jobs))
    finally:
        server.terminate()
        server.wait(timeout=30)
    counts = Counter(statuses)
    assert counts[201] == SUBMISSIONS, counts
    assert counts[409] == 20, counts
    stored = table_counts(instance)
    assert stored["selbstcheck_responses"] == SUBMISSIONS
    assert stored["selbstcheck_answers"] == SUBMISSIONS * len(answers)
    assert stored["selbstcheck_comments"] == SUBMISSIONS // 10
    assert store.token_counts(instance.db, rnd.id) == (SUBMISSIONS, SUBMISSIONS)
