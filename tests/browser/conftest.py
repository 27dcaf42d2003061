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
from dataclasses import dataclass
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


# Per module, not per session: Playwright's sync API keeps an event loop
# running in this thread while open, which would break later tests that call
# asyncio.run() (the concurrency and crash-safety tests).
@pytest.fixture(scope="module")
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
    """``live_server(instance)`` serves it with uvicorn in a thread; returns the base URL.

    ``live_server(instance, port=...)`` on a given port (e.g. one whose callback
    URL an OpenID provider knows)."""
    import uvicorn

    from willkommen_core.web.reloading import InstanceApp

    servers: list[tuple[Any, threading.Thread]] = []

    def start(instance: Any, port: int | None = None) -> str:
        port = port or _free_port()
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


# Shared accessibility checks: test modules cannot import each other, so the
# assertions are fixtures here (test_core_accessibility.py keeps its own copy).
WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def _assert_accessible(page: Any, what: str) -> None:
    """axe-core finds no WCAG 2.1 A/AA violation; one h1; a skip link to #main."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=WCAG_21_AA)
    violations = results.response["violations"]
    assert not violations, f"{what}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}" for v in violations
    )
    assert page.locator("h1").count() == 1, f"{what}: exactly one h1"
    skip = page.locator("a.skip-link")
    assert skip.count() == 1 and skip.get_attribute("href") == "#main", f"{what}: skip link"


def _assert_reflows_at_320px(page: Any, what: str) -> None:
    """No horizontal scrolling at 320 px width (400 % zoom of 1280 px)."""
    page.set_viewport_size({"width": 320, "height": 640})
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    page.set_viewport_size({"width": 1280, "height": 800})
    assert overflow <= 0, f"{what}: scrolls horizontally by {overflow}px at 320px width"


@pytest.fixture
def assert_accessible() -> Callable[[Any, str], None]:
    """``assert_accessible(page, what)``: axe WCAG 2.1 A/AA, one h1, skip link."""
    return _assert_accessible


@pytest.fixture
def assert_reflows_at_320px() -> Callable[[Any, str], None]:
    """``assert_reflows_at_320px(page, what)``: no horizontal scroll at 320 px."""
    return _assert_reflows_at_320px


@dataclass
class Demo:
    """The Magdeburg demo served live, with an open self-assessment round."""

    base: str
    instance: Any
    password: str
    """The admin's password (the demo's one-time password, made the admin's own)."""
    code: str
    """A one-time code of the open round."""


@pytest.fixture
def demo(tmp_path: Any, live_server: Callable[[Any], str]) -> Demo:
    from willkommen_core import accounts
    from willkommen_core.demo import prepare_demo
    from willkommen_plugins.selbstcheck import questionnaire, store

    instance, password = prepare_demo(tmp_path / "demo")
    assert password is not None
    # The demo's one-time password opens only the password page: make it the admin's own.
    accounts.set_password(instance.db, "admin", password)
    rid = store.create_round(
        instance.db, questionnaire.current(instance), title="Runde 2016", mode="code"
    )
    store.open_round(instance.db, rid, notice="Freiwillig und anonym.")
    code = next(r.code for r in store.list_rounds(instance.db) if r.id == rid)
    return Demo(live_server(instance), instance, password, code)
