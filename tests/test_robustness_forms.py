"""Every form of every page takes hostile input without harm.

The demo instance (every built-in module, with content) is crawled as the IT
admin, who may open every staff page; each POST form found is submitted with
HTML/script, SQL-shaped and oversized text in its free-text fields. Each
answer must be a success, a redirect or a clear 4xx – never a 500 – and the
script must never come back unescaped. Destructive forms (delete, logout)
are left out so the crawl keeps its ground.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import inspect

from willkommen_core.demo import prepare_demo
from willkommen_core.testing import login

SCRIPT = '<script>alert("wk")</script><img src=x onerror=alert(1)>'
SQL = "Robert'); DROP TABLE core_users; --"
HUGE = "Ä" * 200_000
DIGITS = "²"  # str.isdigit() says yes, int() says no: a 500 where isdigit() guards int()
PAYLOADS = {"script": SCRIPT, "sql": SQL, "huge": HUGE, "digits": DIGITS}
SKIP_ACTIONS = ("delete", "loeschen", "logout", "/-/admin/plugins/")
SKIP_LINKS = (".csv", ".ics", ".vcf", ".pdf", ".zip", ".svg", ".png", "/logout", "/static/")
MAX_PAGES = 250


class _Page(HTMLParser):
    """Links and POST forms of one page (fields with their default values)."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: tuple[str, list[str]] | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = {
                "action": a.get("action") or "",
                "method": (a.get("method") or "get").lower(),
                "fields": [],
                "multipart": "multipart" in (a.get("enctype") or ""),
            }
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                if kind == "radio" and not any(f[0] == a["name"] for f in self._form["fields"]):
                    self._form["fields"].append((a["name"], a.get("value", "on"), kind))
                return
            self._form["fields"].append((a["name"], a.get("value", ""), kind))
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self._form["fields"].append((a["name"], "", "textarea"))
        elif tag == "select" and a.get("name"):
            self._select = (a["name"], [])
        elif tag == "option" and self._select is not None:
            self._select[1].append(a.get("value", ""))
            if "selected" in a:
                self._select[1].insert(0, a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None and self._form is not None:
            name, values = self._select
            self._form["fields"].append((name, values[0] if values else "", "select"))
            self._select = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def _crawl(client):
    seen, queue, pages = set(), ["/"], []
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code < 500, f"GET {url}: {response.status_code}"
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        page = _parse(response.text)
        pages.append((url, page))
        for href in page.links:
            target = urljoin(url, href)
            parts = urlsplit(target)
            if parts.netloc and parts.netloc != "testserver":
                continue
            path = parts.path + (
                f"?{parts.query}" if parts.query and "lang=" not in parts.query else ""
            )
            if (
                path.startswith("/")
                and not path.startswith(SKIP_LINKS)
                and not path.endswith(SKIP_LINKS)
            ):
                queue.append(path)
    return pages


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    from starlette.testclient import TestClient

    from willkommen_core.web.app import create_app

    instance, _password = prepare_demo(tmp_path_factory.mktemp("demo") / "magdeburg")
    client = TestClient(create_app(instance), base_url="http://testserver")
    login(client, instance, "admin", username="robustness-admin")
    pages = _crawl(client)
    yield instance, client, pages
    client.close()
    instance.db.dispose()


def test_the_crawl_reaches_every_enabled_module(crawled):
    instance, _client, pages = crawled
    visited = {url for url, _ in pages}
    for name in instance.plugins.enabled:
        info = instance.plugins.info(name)
        for path in filter(None, (info.nav_path, info.public_path)):
            assert any(v.startswith(path) for v in visited), f"{name}: {path} not reached"


@pytest.mark.parametrize("kind", sorted(PAYLOADS))
def test_every_form_takes_hostile_text_without_a_server_error(crawled, kind):
    _instance, client, pages = crawled
    payload = PAYLOADS[kind]
    submitted = 0
    for url, page in pages:
        for form in page.forms:
            action = urljoin(url, form["action"] or url)
            if (
                form["method"] != "post"
                or any(s in action for s in SKIP_ACTIONS)
                or form["multipart"]
            ):
                continue
            data: dict[str, list[str]] = {}
            for name, value, field_kind in form["fields"]:
                if field_kind in ("text", "textarea", "search", "email", "url", "tel"):
                    value = payload
                elif kind == "digits" and field_kind in ("number", "radio", "select"):
                    value = payload  # a number field or a choice tampered with
                data.setdefault(name, []).append(value)
            response = client.post(urlsplit(action).path, data=data, follow_redirects=True)
            submitted += 1
            assert response.status_code < 500, (
                f"POST {action} from {url} with {kind}: {response.status_code}"
            )
            assert SCRIPT not in response.text, f"POST {action}: script shown unescaped"
    assert submitted >= 50, f"only {submitted} forms found: the crawl lost its way"


def test_stored_hostile_text_is_shown_escaped_everywhere(crawled):
    _instance, client, pages = crawled
    for url, _page in pages:
        response = client.get(url)
        assert response.status_code < 500, url
        assert SCRIPT not in response.text, f"{url} shows stored script unescaped"


def test_sql_shaped_text_did_no_harm(crawled):
    instance, _client, _pages = crawled
    assert "core_users" in inspect(instance.db.engine).get_table_names()
