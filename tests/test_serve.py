"""`willkommen serve` runs the instance with uvicorn, also with several workers."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from willkommen_core import accounts


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (loopback only)
    try:
        with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.mark.slow
def test_serve_with_two_workers_answers_health_and_pages(make_sqlite_instance):
    instance = make_sqlite_instance([])
    # /healthz shows the database state only to admins and API tokens.
    bearer = {"authorization": f"Bearer {accounts.create_token(instance.db, 'monitor', 'leitung')}"}
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "willkommen_core",
            "--instance",
            str(instance.root),
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        status, body = 0, b""
        while time.monotonic() < deadline:
            try:
                status, body = _get(f"http://127.0.0.1:{port}/healthz", bearer)
                break
            except OSError:
                time.sleep(0.2)
        assert status == 200, body
        assert json.loads(body)["database"]["schema"] == "current"
        status, body = _get(f"http://127.0.0.1:{port}/login")
        assert status == 200 and b"<h1>" in body
    finally:
        server.terminate()
        server.wait(timeout=20)
    # No access log by default: client addresses with timestamps could link
    # anonymous self-assessment answers to people.
    output = server.stdout.read() if server.stdout else b""
    assert b"GET /healthz" not in output and b"127.0.0.1:" not in output.replace(
        b"http://127.0.0.1:", b""
    )


def test_serve_refuses_an_instance_without_secret_key(make_sqlite_instance, monkeypatch):
    from click.testing import CliRunner

    from willkommen_core.cli import cli

    instance = make_sqlite_instance([])
    (instance.root / ".env").write_text("", encoding="utf-8")
    monkeypatch.delenv("WILLKOMMEN_SECRET_KEY", raising=False)
    result = CliRunner().invoke(cli, ["--instance", str(instance.root), "serve"])
    assert result.exit_code == 1
    assert "secret_key is not set" in result.output
    assert "Traceback" not in result.output
