"""An authority's instance under ``/<slug>/`` of ``willkommen serve --instances``, in a real
browser (issue 13): links, forms, redirects, downloads, the language switch and the code
sheet's participation link all stay inside the instance, with nothing rewritten by the host."""

from __future__ import annotations

import re
import textwrap
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from willkommen_core import accounts
from willkommen_core.instance import Instance
from willkommen_core.rollout import register
from willkommen_core.rollout.host import InstancesHost
from willkommen_core.rollout.run import rollout
from willkommen_core.testing.instance import TEST_PASSWORD

REGISTER = """
federal_state = "Sachsen-Anhalt"

[defaults]
modules = ["leitsystem", "partner", "prozesse", "selbstcheck"]

[[authority]]
name = "Landkreis Harz"
type = "Landkreis"

[[authority.sites]]
name = "Kreisverwaltung"
street = "Friedrich-Ebert-Straße 42"
postcode = "38820"
city = "Halberstadt"
"""


@pytest.fixture
def hosted(tmp_path, unused_port) -> Iterator[str]:
    import uvicorn

    path = tmp_path / "land.toml"
    path.write_text(textwrap.dedent(REGISTER).lstrip(), encoding="utf-8")
    result = rollout(register.load(path), tmp_path / "out", migrate=True)
    assert [o.status for o in result.outcomes] == ["created"], result.outcomes
    instance = Instance.open(tmp_path / "out" / "harz")
    accounts.create_user(instance.db, "lea", "leitung", TEST_PASSWORD)
    accounts.create_user(instance.db, "vera", "vertrauensperson", TEST_PASSWORD)
    from willkommen_plugins.leitsystem import demo as leitsystem_demo
    from willkommen_plugins.leitsystem import store as leitsystem_store

    # A building to sign, but no address yet: the signs learn it from being served.
    leitsystem_store.replace(instance.db, [leitsystem_demo.demo_site("Kreisverwaltung")])
    instance.db.dispose()
    host = InstancesHost(tmp_path / "out")
    server = uvicorn.Server(
        uvicorn.Config(host, host="127.0.0.1", port=unused_port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield f"http://localhost:{unused_port}"
    server.should_exit = True
    thread.join(timeout=10)
    host.close()


@pytest.fixture
def unused_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _local_targets(page: Any) -> list[str]:
    """Every link and form target of the page that points into this site."""
    targets = page.evaluate(
        """() => [...document.querySelectorAll('a[href], form[action], link[href]')]
            .map(e => e.getAttribute('href') || e.getAttribute('action'))"""
    )
    return [t for t in targets if t.startswith("/")]


def _log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/harz/login")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(re.compile(r"/harz/$"))


def test_an_instance_under_its_slug_keeps_every_path_inside_it(page, hosted):
    base = hosted
    page.goto(f"{base}/harz/prozesse/")
    assert urlsplit(page.url).path == "/harz/login", "the login redirect stays in the instance"
    _log_in(page, base, "lea")
    for path in ("/harz/", "/harz/prozesse/", "/harz/selbstcheck/", "/harz/partner/"):
        page.goto(base + path)
        outside = [t for t in _local_targets(page) if not t.startswith("/harz/")]
        assert outside == [], f"{path}: {outside}"

    # A form and its redirect.
    page.goto(f"{base}/harz/prozesse/")
    page.get_by_label("Startdatum").fill("2026-03-02")
    page.get_by_role("button", name="Prozessplan anlegen").click()
    page.wait_for_url(re.compile(r"/harz/prozesse/\?ok=started"))

    # A download.
    with page.expect_download() as download:
        page.get_by_role("link", name="Als CSV herunterladen").click()
    assert download.value.suggested_filename == "prozessplan.csv"

    # The language switch.
    page.get_by_role("link", name="English").click()
    assert urlsplit(page.url).path == "/harz/prozesse/"
    assert page.locator("html").get_attribute("lang") == "en"


def test_the_code_sheet_links_to_the_participation_under_the_slug(page, hosted):
    base = hosted
    _log_in(page, base, "lea")
    page.goto(f"{base}/harz/selbstcheck/runden/neu")
    page.get_by_label("Titel").fill("Runde 2026")
    page.get_by_label("Einmal-Codes zum Ausdrucken").check()
    page.get_by_role("button", name="Runde anlegen").click()
    page.get_by_label("Anzahl Einmal-Codes").fill("5")
    page.get_by_label(re.compile("Der Hinweis zur freiwilligen")).check()
    page.get_by_label("Zustimmung des Personalrats am").fill("2026-01-15")
    page.get_by_label(re.compile("Zustimmung der/des Datenschutzbeauftragten am")).fill(
        "2026-01-16"
    )
    page.get_by_role("button", name="Runde öffnen").click()
    page.wait_for_url(re.compile(r"/harz/selbstcheck/runden/\d+$"))
    page.get_by_role("button", name=re.compile("Abmelden")).click()

    _log_in(page, base, "vera")
    page.goto(f"{base}/harz/selbstcheck/codebogen/")
    page.get_by_role("button", name="Code-Bogen jetzt drucken").click()
    link = f"{base}/harz/selbstcheck/teilnahme"
    assert link in page.content()
    code = re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", page.content())
    assert code is not None
    page.goto(f"{link}?code={code.group(0)}")
    assert page.get_by_role("heading", level=1).inner_text() == "Selbstcheck: Runde 2026"


def test_the_signs_qr_codes_lead_into_the_instance_under_its_slug(browser, page, hosted):
    """A staff member opens the signs under /harz/; every QR code printed on them
    leads to /harz/... and a customer's phone gets the page there."""
    import io

    import zxingcpp
    from PIL import Image

    base = hosted
    _log_in(page, base, "lea")
    page.goto(f"{base}/harz/leitsystem/schilder")
    previews = page.locator("img[src*='.png']")
    assert previews.count() > 0
    found: set[str] = set()
    for i in range(previews.count()):
        src = previews.nth(i).get_attribute("src")
        assert src.startswith("/harz/leitsystem/"), src
        png = page.request.get(base + src).body()
        found |= {r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))}
    assert found, "the door signs carry QR codes"
    outside = [u for u in found if not u.startswith(f"{base}/harz/")]
    assert outside == [], outside

    phone = browser.new_context()
    try:
        customer = phone.new_page()
        for url in sorted(found)[:3]:
            assert customer.goto(url).status == 200, url
            assert urlsplit(customer.url).path.startswith("/harz/leitsystem/info")
    finally:
        phone.close()
