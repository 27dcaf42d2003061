"""Browser tests: Debian's Chromium driven by Playwright, against a real server.

Chromium comes from the distribution (``tests/browser/ensure_chromium.py``
installs it where it can); Playwright never downloads a browser. Without
Chromium these tests skip with the reason, except under ``CI=true``, where
they fail: CI must run them for real.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    return (
        os.environ.get("WILLKOMMEN_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    path = chromium_path()
    if path is None:
        reason = "no Chromium found (apt-get install chromium, or set WILLKOMMEN_CHROMIUM)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason + " – browser tests are mandatory in CI")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="de-DE")
    page = context.new_page()
    yield page
    context.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live_server() -> Iterator[Callable[[Any], str]]:
    """``live_server(instance)`` serves it with uvicorn in a thread; returns the base URL."""
    import uvicorn

    from willkommen_core.web.reloading import InstanceApp

    servers: list[tuple[Any, threading.Thread]] = []

    def start(instance: Any) -> str:
        port = _free_port()
        config = uvicorn.Config(
            InstanceApp(instance.root), host="127.0.0.1", port=port, log_level="warning"
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 15
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.started, "server did not start"
        servers.append((server, thread))
        # "localhost" is a secure context for Chromium: Secure cookies work over http.
        return f"http://localhost:{port}"

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(timeout=10)


def _log_in(page: Any, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(f"{base}/")


@pytest.fixture
def log_in() -> Callable[[Any, str, str, str], None]:
    """``log_in(page, base_url, username, password)`` through the login form."""
    return _log_in
