"""The web shell: layout, languages, navigation, error pages, health, accessibility.

Specification (issue 2, "Web shell"): a layout with the authority's name, one
h1, a skip link, ``lang``/``dir`` per language (right-to-left works) and a
print stylesheet; navigation only from enabled plugins; 404 and 500 pages in
the layout (JSON under ``/api/``) that leak nothing; ``/healthz``; a public
accessibility statement with a feedback contact; nothing fetched from other
sites, and no inline script or style (the CSP forbids both).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from importlib.metadata import entry_points
from types import ModuleType
from typing import Any

import pytest
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from willkommen_core import __version__
from willkommen_core.hookspecs import hookimpl
from willkommen_core.plugins import OWN_DISTRIBUTION
from willkommen_core.testing import login
from willkommen_core.types import ModuleInfo
from willkommen_core.web.api import ApiRoute
from willkommen_core.web.routing import Page

BUILTINS = sorted(
    ep.name
    for ep in entry_points(group="willkommen")
    if ep.dist is not None and ep.dist.name == OWN_DISTRIBUTION
)
AUTHORITY = "Ausländerbehörde Teststadt"
SECRET_DETAIL = "geheimes-detail-4711"


def _failing_plugin() -> ModuleType:
    """A plugin whose page raises: the 500 page must not show why."""
    module = ModuleType("kaputt_seite")

    def boom(request: Any) -> Response:
        raise RuntimeError(f"database password is {SECRET_DETAIL}")

    @hookimpl
    def module_info() -> ModuleInfo:
        return ModuleInfo(title="Kaputt")

    @hookimpl
    def web_routes(instance: Any) -> list[Page]:
        return [Page("/", boom, roles=("leitung",))]

    @hookimpl
    def api_routes(instance: Any) -> list[ApiRoute]:
        return [ApiRoute("/", boom, roles=("leitung",))]

    module.module_info = module_info  # type: ignore[attr-defined]
    module.web_routes = web_routes  # type: ignore[attr-defined]
    module.api_routes = api_routes  # type: ignore[attr-defined]
    return module


@pytest.fixture
def instance(hallo_distribution, make_sqlite_instance):
    inst = make_sqlite_instance(
        [*BUILTINS, "hallo"],
        extra_plugins=(("kaputt", _failing_plugin()),),
        web={"accessibility_contact": "barrierefrei@teststadt.example"},
    )
    assert inst.plugins.enabled == [*BUILTINS, "hallo", "kaputt"], inst.plugins.failures
    return inst


@pytest.fixture
def anonymous(instance, make_client):
    return make_client(instance, raise_server_exceptions=False)


@pytest.fixture
def staff(instance, make_client):
    client = make_client(instance, raise_server_exceptions=False)
    login(client, instance, "leitung")
    return client


class Page_(HTMLParser):
    """The parts of a page the layout promises."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.inline_scripts = 0
        self._in_script = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts += 1

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for t, attrs in self.tags if t == tag]

    @property
    def html_attrs(self) -> dict[str, str | None]:
        return self.all("html")[0]


def nav_links(html: str) -> set[str]:
    match = re.search(r'<nav class="main-nav.*?</nav>', html, re.S)
    assert match, "the layout has a main navigation"
    return set(re.findall(r'<a href="([^"]+)"', match.group(0)))


# -- layout --------------------------------------------------------------------------


def test_layout_has_the_authority_one_h1_and_a_skip_link(staff, anonymous):
    for client, path in ((staff, "/"), (staff, "/hallo/"), (anonymous, "/login")):
        response = client.get(path)
        page = Page_(response.text)
        assert AUTHORITY in response.text
        assert f"– {AUTHORITY}</title>" in response.text
        assert len(page.all("h1")) == 1, path
        first_link = page.all("a")[0]
        assert first_link["href"] == "#main", "the skip link comes first"
        assert any(a.get("id") == "main" for a in page.all("main"))
        assert page.html_attrs == {"lang": "de", "dir": "ltr"}


def test_language_switch_sets_lang_and_dir_and_is_remembered(anonymous):
    # A customer page: offered in every language of the instance (staff pages,
    # the login among them, only in languages with a complete catalogue).
    page = Page_(anonymous.get("/barrierefreiheit", params={"lang": "ar"}).text)
    assert page.html_attrs == {"lang": "ar", "dir": "rtl"}
    # remembered by a cookie
    assert Page_(anonymous.get("/barrierefreiheit").text).html_attrs == {"lang": "ar", "dir": "rtl"}
    assert Page_(anonymous.get("/login").text).html_attrs == {"lang": "en", "dir": "ltr"}
    assert Page_(anonymous.get("/login", params={"lang": "en"}).text).html_attrs == {
        "lang": "en",
        "dir": "ltr",
    }
    assert Page_(anonymous.get("/barrierefreiheit").text).html_attrs["lang"] == "en"


def test_language_switch_links_every_configured_language_in_its_own_script(anonymous):
    page = Page_(anonymous.get("/barrierefreiheit").text)
    links = {a["hreflang"]: a for a in page.all("a") if a.get("hreflang")}
    assert list(links) == ["de", "en", "ar", "uk"]  # the instance's languages, in its order
    assert links["ar"]["dir"] == "rtl"
    assert links["ar"]["href"] == "/barrierefreiheit?lang=ar"
    # A staff page lists only the languages whose catalogue is complete.
    staff = Page_(anonymous.get("/login").text)
    assert [a["hreflang"] for a in staff.all("a") if a.get("hreflang")] == ["de", "en"]


def test_unknown_language_falls_back_to_german_and_accept_language_is_honoured(
    instance, make_client
):
    client = make_client(instance)
    assert Page_(client.get("/login", params={"lang": "xx"}).text).html_attrs["lang"] == "de"
    english = make_client(instance).get("/login", headers={"accept-language": "en-GB,en;q=0.8"})
    assert Page_(english.text).html_attrs["lang"] == "en"


def test_navigation_comes_only_from_enabled_plugins(
    instance, staff, hallo_distribution, make_sqlite_instance, make_client
):
    # The core's own entries: what a leitung user sees with no plugin enabled.
    bare = make_sqlite_instance([], name="bare")
    client = make_client(bare)
    login(client, bare, "leitung")
    core = nav_links(client.get("/").text)
    assert "/" in core
    assert not any(link.startswith("/hallo") for link in core)

    expected = set(core)
    for name in instance.plugins.enabled:
        info = instance.plugins.info(name)
        expected |= {p for p in (info.nav_path, info.public_path) if p}
    assert "/hallo/" in expected
    assert nav_links(staff.get("/").text) == expected


def test_anonymous_visitors_see_only_public_navigation(instance, anonymous):
    public = {
        instance.plugins.info(n).public_path
        for n in instance.plugins.enabled
        if instance.plugins.info(n).public_path
    }
    assert nav_links(anonymous.get("/barrierefreiheit").text) == public | {"/login"}


def test_print_stylesheet_is_linked_and_served(anonymous):
    page = Page_(anonymous.get("/login").text)
    sheets = {a["href"]: a.get("media") for a in page.all("link") if a.get("rel") == "stylesheet"}
    assert sheets["/static/print.css"] == "print"
    for href in sheets:
        response = anonymous.get(href)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/css")


# -- error pages ---------------------------------------------------------------------


def test_not_found_is_a_page_in_the_layout(anonymous, staff):
    for client in (anonymous, staff):
        response = client.get("/gibt-es-nicht")
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")
        page = Page_(response.text)
        assert AUTHORITY in response.text
        assert page.all("a")[0]["href"] == "#main"
        assert "Fehler 404" in response.text
        assert len(page.all("h1")) == 1


def test_not_found_under_api_is_json(anonymous, staff):
    response = anonymous.get("/api/v1/gibt-es-nicht")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"]
    # also a plugin's own "not found"
    staff_token = staff.get("/api/v1/hallo/greetings/999")
    assert staff_token.status_code == 404
    assert staff_token.json() == {"error": "no such greeting", "details": []}


def test_server_error_is_a_page_in_the_layout_that_leaks_nothing(staff, caplog):
    response = staff.get("/kaputt/")
    assert response.status_code == 500
    page = Page_(response.text)
    assert AUTHORITY in response.text
    assert page.all("a")[0]["href"] == "#main"
    assert "Ein interner Fehler ist aufgetreten" in response.text
    for leak in (SECRET_DETAIL, "RuntimeError", "Traceback", "password"):
        assert leak not in response.text
    # ... but the log has it, for the IT team.
    assert SECRET_DETAIL in caplog.text


def test_server_error_under_api_is_json_that_leaks_nothing(staff):
    response = staff.get("/api/v1/kaputt/")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"]
    assert SECRET_DETAIL not in response.text


# -- health and accessibility --------------------------------------------------------


def test_healthz_is_public_json_with_details_only_for_admins(
    anonymous, staff, instance, make_client
):
    response = anonymous.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert staff.get("/healthz").json() == {"status": "ok"}  # leitung: no details
    admin = make_client(instance)
    login(admin, instance, "admin")
    body = admin.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["version"] == __version__
    assert body["database"]["schema"] == "current"
    assert set(body["database"]["components"]) >= {"core", "hallo"}


def test_accessibility_statement_is_public_with_the_feedback_contact(anonymous):
    response = anonymous.get("/barrierefreiheit")
    assert response.status_code == 200
    assert "Erklärung zur Barrierefreiheit" in response.text
    assert 'href="mailto:barrierefrei@teststadt.example"' in response.text
    assert "/barrierefreiheit" in {a["href"] for a in Page_(response.text).all("a")}


def test_accessibility_statement_falls_back_to_the_authority_contact(
    hallo_distribution, make_sqlite_instance, make_client
):
    instance = make_sqlite_instance([])
    text = make_client(instance).get("/barrierefreiheit").text
    assert 'href="mailto:abh@teststadt.example"' in text


# -- nothing from elsewhere ----------------------------------------------------------

EXTERNAL = re.compile(r"^(https?:)?//", re.I)


def _get_pages(app: Any, prefix: str = "") -> list[str]:
    paths = []
    for route in app.routes if prefix == "" else app:
        if isinstance(route, Mount) and not isinstance(route.app, StaticFiles):
            paths += _get_pages(route.routes, prefix + route.path)
        elif isinstance(route, Page) and "GET" in (route.methods or ()):
            params = dict.fromkeys(route.param_convertors, "1")
            paths.append(prefix + route.path_format.format(**params))
    return paths


def test_no_page_loads_anything_from_another_site_or_inline(instance, anonymous, staff):
    pages = _get_pages(anonymous.app)
    assert "/hallo/" in pages
    checked = 0
    problems = []
    for client in (anonymous, staff):
        for path in [*pages, "/gibt-es-nicht", "/kaputt/", "/login?lang=ar"]:
            response = client.get(path)
            if not response.headers.get("content-type", "").startswith("text/html"):
                continue
            checked += 1
            page = Page_(response.text)
            for tag, attrs in page.tags:
                for attr in ("src", "href", "srcset", "data", "poster", "action"):
                    value = attrs.get(attr) or ""
                    external_ok = tag == "a" and attr == "href"  # links may leave the site
                    if EXTERNAL.match(value) and not external_ok:
                        problems.append(f"{path}: <{tag} {attr}={value}>")
                if "style" in attrs:
                    problems.append(f"{path}: inline style on <{tag}>")
                if any(a.startswith("on") for a in attrs):
                    problems.append(f"{path}: inline event handler on <{tag}>")
            if page.inline_scripts:
                problems.append(f"{path}: inline script")
    assert checked > len(pages)
    assert problems == []


def test_stylesheets_import_nothing_from_elsewhere(anonymous):
    for href in ("/static/willkommen.css", "/static/print.css"):
        css = anonymous.get(href).text
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", css), href
        assert "@import" not in css
