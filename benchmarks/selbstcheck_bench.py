"""Self-assessment throughput: questionnaire page and submissions vs a bare Starlette app.

One run measures, each for a bounded time with the same load generator:

1. the questionnaire page (``GET /selbstcheck/teilnahme?code=...&schritt=1``,
   the first cornerstone with all its items) of a real instance served by
   ``willkommen serve --workers 2``;
2. a bare Starlette app, also uvicorn with 2 workers, returning the very same
   HTML bytes (the reference: what the page costs without the toolkit);
3. submissions (``POST /api/v1/selbstcheck/rounds/{id}/responses``, a full
   questionnaire each) against the instance, on SQLite.

It prints requests per second, the page ratio (goal: >= 50 % of the bare
app) and the submission rate (goal: >= 1000/s, no error), and checks that
every acknowledged submission is stored exactly once.

    python benchmarks/selbstcheck_bench.py [--seconds 8] [--connections 32]

The load generator is a small asyncio HTTP/1.1 client with keep-alive
connections on loopback (no external tool needed); it shares the machine
with the servers, so on few cores the numbers are a floor.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
HTML_ENV = "SELBSTCHECK_BENCH_HTML"


# -- the reference app (imported by uvicorn workers) -----------------------------------


def bare_app():  # type: ignore[no-untyped-def]
    """A bare Starlette app that answers with the pre-rendered questionnaire page."""
    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse
    from starlette.routing import Route

    html = Path(os.environ[HTML_ENV]).read_text(encoding="utf-8")

    async def page(_request):  # type: ignore[no-untyped-def]
        return HTMLResponse(html)

    return Starlette(routes=[Route("/selbstcheck/teilnahme", page)])


# -- load generator ----------------------------------------------------------------------


async def _connection(
    host: str, port: int, request: bytes, deadline: float, expect: int, stats: dict[str, int]
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < deadline:
            writer.write(request)
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            if status == expect:
                stats["ok"] += 1
            else:
                stats["errors"] += 1
                stats[f"status_{status}"] = stats.get(f"status_{status}", 0) + 1
    finally:
        writer.close()


async def _load(
    port: int, request: bytes, seconds: float, connections: int, expect: int
) -> tuple[float, dict[str, int]]:
    stats = {"ok": 0, "errors": 0}
    start = time.perf_counter()
    deadline = start + seconds
    await asyncio.gather(
        *(
            _connection("127.0.0.1", port, request, deadline, expect, stats)
            for _ in range(connections)
        )
    )
    elapsed = time.perf_counter() - start
    return stats["ok"] / elapsed, stats


def _get(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Language: de\r\n\r\n".encode()


def _post(path: str, body: bytes) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


# -- servers -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(port: int, path: str) -> None:
    import urllib.request

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server on port {port} did not start")


def _start(cmd: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **(env or {})}
    )


def _instance(root: Path):  # type: ignore[no-untyped-def]
    from willkommen_core.instance import Instance
    from willkommen_core.storage import migrate
    from willkommen_core.testing.instance import write_instance
    from willkommen_plugins.selbstcheck import questionnaire, store

    write_instance(root, plugins=["selbstcheck"], web={"secure_cookies": False})
    instance = Instance.open(root)
    migrate.upgrade(instance.db, instance.components())
    rid = store.create_round(
        instance.db, questionnaire.current(instance), title="Benchmark", mode="code"
    )
    store.open_round(instance.db, rid, notice="Hinweis")
    rnd = store.get_round(instance.db, rid)
    assert rnd is not None
    return instance, rnd


def _wrk(
    port: int, path: str, seconds: float, connections: int, body: bytes | None = None
) -> tuple[float, dict[str, int]]:
    """Requests per second with wrk (C, one thread), so the generator leaves the CPU to the servers."""
    script = ""
    if body is not None:
        lua = body.decode().replace("\\", "\\\\").replace('"', '\\"')
        script = (
            'wrk.method = "POST"\n'
            'wrk.headers["Content-Type"] = "application/json"\n'
            f'wrk.body = "{lua}"\n'
        )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "-s", f.name]
    out = subprocess.run(
        [*cmd, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
    ).stdout
    os.unlink(f.name)
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    non_ok = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non_ok.group(1)) if non_ok else 0) + (
        sum(int(g) for g in socket.groups()) if socket else 0
    )
    return rate, {"ok": total - errors, "errors": errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--generator",
        choices=["auto", "wrk", "asyncio"],
        default="auto",
        help="load generator: wrk when installed (apt-get install wrk), else an asyncio client",
    )
    args = parser.parse_args()
    generator = args.generator
    if generator == "auto":
        generator = "wrk" if shutil.which("wrk") else "asyncio"

    from starlette.testclient import TestClient

    from willkommen_core.web.app import create_app
    from willkommen_plugins.selbstcheck import store

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "instance"
        instance, rnd = _instance(root)
        page_path = f"/selbstcheck/teilnahme?code={rnd.code}&schritt=1"
        with TestClient(create_app(instance), base_url="http://127.0.0.1") as client:
            html = client.get(page_path).text
        assert "<h1>Kundenorientierte Binnenorganisation</h1>" in html
        html_file = Path(tmp) / "page.html"
        html_file.write_text(html, encoding="utf-8")
        items = list(store.questionnaire_of(instance.db, rnd).items)
        body = json.dumps(
            {
                "code": rnd.code,
                "perspective": "mitarbeitende",
                "answers": dict.fromkeys(items, 4),
                "comments": {},
            }
        ).encode()

        port_w, port_b = _free_port(), _free_port()
        servers = [
            _start(
                [
                    sys.executable,
                    "-m",
                    "willkommen_core",
                    "--instance",
                    str(root),
                    "serve",
                    "--port",
                    str(port_w),
                    "--workers",
                    "2",
                ]
            ),
            _start(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "--app-dir",
                    str(HERE),
                    "--factory",
                    "selbstcheck_bench:bare_app",
                    "--port",
                    str(port_b),
                    "--workers",
                    "2",
                    "--log-level",
                    "warning",
                ],
                {HTML_ENV: str(html_file)},
            ),
        ]
        try:
            _wait(port_w, "/healthz")
            _wait(port_b, "/selbstcheck/teilnahme")
            warm = min(2.0, args.seconds / 4)
            submit_path = f"/api/v1/selbstcheck/rounds/{rnd.id}/responses"
            if generator == "wrk":
                _wrk(port_w, page_path, warm, args.connections)
                _wrk(port_b, "/selbstcheck/teilnahme", warm, args.connections)
                bare, bare_stats = _wrk(
                    port_b, "/selbstcheck/teilnahme", args.seconds, args.connections
                )
                page, page_stats = _wrk(port_w, page_path, args.seconds, args.connections)
                submits, submit_stats = _wrk(
                    port_w, submit_path, args.seconds, args.connections, body
                )
            else:
                asyncio.run(_load(port_w, _get(page_path), warm, args.connections, 200))
                asyncio.run(
                    _load(port_b, _get("/selbstcheck/teilnahme"), warm, args.connections, 200)
                )
                bare, bare_stats = asyncio.run(
                    _load(
                        port_b, _get("/selbstcheck/teilnahme"), args.seconds, args.connections, 200
                    )
                )
                page, page_stats = asyncio.run(
                    _load(port_w, _get(page_path), args.seconds, args.connections, 200)
                )
                submits, submit_stats = asyncio.run(
                    _load(port_w, _post(submit_path, body), args.seconds, args.connections, 201)
                )
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=30)
        stored = store.response_count(instance.db, rnd.id)
        instance.db.dispose()

    ratio = page / bare if bare else 0.0
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}")
    print(
        f"python {platform.python_version()}; load generator {generator}; "
        f"{args.connections} connections, {args.seconds:.0f} s each"
    )
    print(f"bare Starlette page      {bare:9.0f} req/s  {bare_stats}")
    print(f"questionnaire page       {page:9.0f} req/s  {page_stats}")
    print(f"page ratio               {ratio:9.0%}     (goal >= 50%)")
    print(
        f"submissions (SQLite)     {submits:9.0f} /s     {submit_stats} (goal >= 1000/s, no error)"
    )
    print(f"stored                   {stored:9d}       (acknowledged: {submit_stats['ok']})")
    ok = (
        ratio >= 0.5
        and submits >= 1000
        and not page_stats["errors"]
        and not submit_stats["errors"]
        and stored == submit_stats["ok"]
    )
    print("goals met" if ok else "goals NOT met")


if __name__ == "__main__":
    main()
