"""Every page type is valid HTML: the W3C Nu HTML Checker reports no error.

WCAG 2.1 success criterion 4.1.1 (parsing) still applies under BITV 2.0, and
invalid markup breaks what assistive technology reads: a form the parser moves
out of a paragraph, an escaped attribute that keeps a phone from showing the
number pad. The checker is the npm package ``vnu-jar`` (pinned by
``tests/vnu/package-lock.json``, installed once into the test cache like the
OpenID provider) run with the machine's Java.

The pages come from the Magdeburg demo, rendered in-process: a crawl of every
link from the start page, logged out and logged in as the admin (one page per
page type), the participation pages of an open self-assessment round, and the
forms shown again with their error messages. All files go to the checker in
one run. Warnings may stay; errors may not.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from npm_support import npm_ci, skip_or_fail
from starlette.testclient import TestClient

from willkommen_core import accounts
from willkommen_core.demo import prepare_demo
from willkommen_core.testing.instance import csrf_from, submit_login
from willkommen_core.web.app import create_app

HERE = Path(__file__).parent / "vnu"
BASE = "https://testserver"
MAX_PAGES = 250
"""A crawl that finds more page types than this has lost its way (e.g. a link loop)."""
FILE_SUFFIX = re.compile(r"\.[a-z0-9]{2,4}$")


def install_vnu() -> Path:
    """The checker's jar, installed with ``npm ci`` from the lock file at first use."""
    jar = "node_modules/vnu-jar/build/dist/vnu.jar"
    return npm_ci(HERE, "vnu-jar", jar) / jar


def java_or_skip() -> str:
    java = shutil.which("java") or ("/usr/bin/java" if Path("/usr/bin/java").exists() else None)
    if java is None:
        skip_or_fail("no Java found (apt-get install default-jre-headless): vnu needs it")
    return str(java)


# -- collecting pages ------------------------------------------------------------------


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def page_type(url: str) -> str:
    """One key per page type: numbers and codes in the path and query values left out,
    so a list's hundred detail pages are checked once."""
    parts = urlsplit(url)
    path = re.sub(r"/[^/]*\d[^/]*(?=/|$)", "/{n}", parts.path)
    keys = sorted({q.split("=", 1)[0] for q in parts.query.split("&") if q})
    return path + ("?" + "&".join(keys) if keys else "")


def _internal(base_url: str, href: str) -> str | None:
    url = urljoin(base_url, href.split("#", 1)[0])
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != BASE or not parts.path:
        return None
    query = "&".join(q for q in parts.query.split("&") if q and not q.startswith("lang="))
    return parts.path + (f"?{query}" if query else "")


def crawl(
    client: TestClient, seeds: list[str], pages: dict[str, tuple[str, str]], who: str
) -> None:
    """Fetch ``seeds`` and every page linked from them (one per page type) into ``pages``."""
    queue = list(seeds)
    seen = {page_type(u) for u in queue}
    while queue:
        url = queue.pop(0)
        response = client.get(url, follow_redirects=True)
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue  # downloads: PDF, CSV, calendar files, images
        assert response.status_code < 500, f"{who} {url}: {response.status_code}"
        pages[f"{who} {url}"] = (url, response.text)
        assert len(pages) <= MAX_PAGES, "the crawl found more page types than expected"
        links = _Links()
        links.feed(response.text)
        for href in links.hrefs:
            target = _internal(BASE + url, href)
            if target is None or target.startswith(("/static/", "/api/")):
                continue
            if FILE_SUFFIX.search(urlsplit(target).path) or "download=" in target:
                continue  # signs, exports and calendar files are no pages
            if page_type(target) not in seen:
                seen.add(page_type(target))
                queue.append(target)


def post_form(client: TestClient, url: str, data: dict[str, str]) -> str:
    """The page a form answers with ``data`` (its error state)."""
    token = csrf_from(client.get(url).text)
    response = client.post(url, data={**data, "csrf_token": token}, follow_redirects=True)
    assert response.status_code < 500, f"{url}: {response.status_code}"
    return response.text


@pytest.fixture(scope="module")
def demo_pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, str]]:
    """Every page type of the demo, logged out and logged in: name -> (url, html)."""
    from willkommen_plugins.selbstcheck import questionnaire, store

    instance, password = prepare_demo(tmp_path_factory.mktemp("markup") / "demo")
    assert password is not None
    accounts.set_password(instance.db, "admin", password)
    rid = store.create_round(
        instance.db, questionnaire.current(instance), title="Runde 2016", mode="code"
    )
    store.open_round(instance.db, rid, notice="Freiwillig und anonym.")
    code = next(r.code for r in store.list_rounds(instance.db) if r.id == rid)
    pages: dict[str, tuple[str, str]] = {}
    app = create_app(instance)

    with TestClient(app, base_url=BASE) as anonymous:
        seeds = ["/", "/barrierefreiheit", "/login", "/gibt-es-nicht"]
        seeds += ["/selbstcheck/teilnahme", f"/selbstcheck/teilnahme?code={code}"]
        crawl(anonymous, seeds, pages, "anonymous")
        pages["anonymous login error"] = (
            "/login",
            post_form(anonymous, "/login", {"username": "admin", "password": "falsch"}),
        )
        pages["anonymous code error"] = (
            "/selbstcheck/teilnahme",
            post_form(anonymous, "/selbstcheck/teilnahme", {"code": "falsch"}),
        )
        pages["anonymous leichte sprache"] = ("/", anonymous.get("/?lang=de-x-ls").text)

    with TestClient(app, base_url=BASE) as arabic:
        # Right to left, with fallback text marked in its own language.
        arabic.get("/?lang=ar")
        crawl(arabic, ["/", "/barrierefreiheit", "/login"], pages, "anonymous-ar")

    with TestClient(app, base_url=BASE) as admin:
        assert submit_login(admin, "admin", password).status_code == 303
        crawl(admin, ["/"], pages, "admin")
        for form in (
            "/fortbildung/katalog/neu",
            "/fortbildung/plan/neu",
            "/partner/neu",
            "/selbstcheck/runden/neu",
            "/leitsystem/raum/neu",
            "/prozesse/schritte/neu",
        ):
            if admin.get(form).status_code == 200:
                pages[f"admin {form} errors"] = (form, post_form(admin, form, {}))
    return pages


def vnu_errors(jar: str, java: str, pages: dict[str, tuple[str, str]], folder: Path) -> list[str]:
    """The checker's errors over all ``pages`` in one run, each naming its page."""
    names: dict[str, str] = {}
    for i, (name, (_url, html)) in enumerate(sorted(pages.items())):
        path = folder / f"page-{i:03d}.html"
        path.write_text(html, encoding="utf-8")
        names[path.name] = name
    done = subprocess.run(
        [java, "-Xss2m", "-jar", jar, "--format", "json", "--errors-only", str(folder)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    report: dict[str, Any] = json.loads(done.stderr or done.stdout or '{"messages": []}')
    errors = []
    for m in report["messages"]:
        if m.get("type") == "error" or m.get("subType") == "fatal":
            url = m.get("url", "?")
            where = names.get(url.rsplit("/", 1)[-1], url)
            extract = " ".join(m.get("extract", "").split())[:160]
            errors.append(f"{where} (line {m.get('lastLine')}): {m['message']} – {extract}")
    return errors


# -- the specification -----------------------------------------------------------------


def test_the_crawl_reaches_every_kind_of_page(demo_pages):
    """The crawl is the test's coverage: the public pages, each module's staff pages,
    the core's administration and the forms' error states are all in it."""
    urls = {url for url, _html in demo_pages.values()}
    for expected in (
        "/",
        "/barrierefreiheit",
        "/login",
        "/leitsystem/info/",
        "/partner/hilfe",
        "/-/admin/plugins",
        "/selbstcheck/",
        "/prozesse/",
        "/fortbildung/plan",
        "/fortbildung/plan/neu",
        "/leitsystem/",
        "/partner/",
    ):
        assert expected in urls, expected
    names = set(demo_pages)
    assert {n for n in names if n.startswith("admin ")} and {
        n for n in names if n.startswith("anonymous ")
    }
    assert any(n.endswith(" errors") for n in names)
    assert any('class="error-summary"' in html for _u, html in demo_pages.values())


def test_page_type_keeps_one_url_per_kind_of_page():
    assert page_type("/partner/12") == page_type("/partner/7") == "/partner/{n}"
    assert page_type("/partner/12/bearbeiten") == "/partner/{n}/bearbeiten"
    assert page_type("/selbstcheck/teilnahme?code=ab&schritt=2") == (
        "/selbstcheck/teilnahme?code&schritt"
    )
    assert page_type("/leitsystem/info/kasse") != page_type("/leitsystem/info/")


def test_the_checker_finds_a_form_inside_a_paragraph(tmp_path):
    """The checker is really run: a known error is reported."""
    jar, java = str(install_vnu()), java_or_skip()
    broken = {
        "broken": (
            "/x",
            '<!doctype html><html lang="de"><head><title>x</title></head><body>'
            '<p>Text <form method="post"><input name="a" inputmode=&#34;numeric&#34;></form></p>'
            "</body></html>",
        )
    }
    errors = vnu_errors(jar, java, broken, tmp_path)
    assert errors and all(e.startswith("broken ") for e in errors)


def test_every_page_type_is_valid_html(demo_pages, tmp_path):
    jar, java = str(install_vnu()), java_or_skip()
    errors = vnu_errors(jar, java, demo_pages, tmp_path)
    assert errors == [], f"{len(errors)} markup errors:\n" + "\n".join(errors)
