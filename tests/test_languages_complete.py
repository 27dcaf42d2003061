"""Every offered language is complete: no page falls back to another language unmarked.

The Magdeburg demo (every module, all ten languages) is walked in-process:
its pages are found by following the links from the start page, logged out
and logged in, plus the participation in the self-assessment and the error
pages. Each page is then fetched in every language it is offered in
(customer and participant pages: all the instance's languages; staff pages:
the languages with a complete catalogue) and every text node and
accessible-name attribute is checked: text known to be German or English (a
source string or its English translation, or a German/English text of the
content files) where the element's language is another is a failure, unless
an element around it carries its own ``lang`` (WCAG 3.1.2); an interface text
(from a catalogue) in another language is a failure even when marked: an
offered language never falls back. The participation
in the self-assessment is stricter: in uk, ar, fa, ps, ru, pl, ro and tr it
shows no German or English text at all, marked or not.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from babel.messages.pofile import read_po
from starlette.routing import Match, Mount
from starlette.testclient import TestClient

import willkommen_core
import willkommen_plugins
from willkommen_core.demo import prepare_demo
from willkommen_core.instance import shipped_content_dir
from willkommen_core.testing.instance import csrf_from, login
from willkommen_core.web.app import create_app
from willkommen_core.web.languages import offered_languages

LANGUAGES = ["de", "en", "uk", "ar", "fa", "ps", "ru", "pl", "ro", "tr"]
PARTICIPANT_ONLY = ["uk", "ar", "fa", "ps", "ru", "pl", "ro", "tr"]
ROOTS = [Path(willkommen_core.__file__).parent, Path(willkommen_plugins.__file__).parent]
CONTENT = shipped_content_dir()  # the installed content, as the pages read it
SKIP_LINKS = re.compile(r"\.(csv|ics|pdf|json|svg|xlsx|zip|png|txt)$|^/(static|api)/|/logout$")
PER_ROUTE = 2  # pages of one route visited (a page type, with two data sets)
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
VOID |= {"track", "wbr", "param"}
NAMED_BY = ("aria-label", "title", "alt", "placeholder")


# -- what is German or English ----------------------------------------------------------


@dataclass
class Known:
    """Source texts with their translations: ``{lang: text}``, ``de`` the source."""

    exact: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    patterns: list[tuple[re.Pattern[str], dict[str, str]]] = field(default_factory=list)
    interface: set[int] = field(default_factory=set)
    """ids of the catalogue entries: a fallback of these is never right."""

    def add(self, texts: dict[str, str], interface: bool = False) -> None:
        if interface:
            self.interface.add(id(texts))
        for lang in ("de", "en"):
            text = _norm(texts.get(lang, ""))
            if not text:
                continue
            if PLACEHOLDER.search(text):
                literal = PLACEHOLDER.sub("", text)
                if len(literal.strip(" :.,–-()")) >= 6:
                    parts = PLACEHOLDER.split(text)
                    regex = "".join(
                        re.escape(p) if i % 2 == 0 else ".+?" for i, p in enumerate(parts)
                    )
                    self.patterns.append((re.compile(f"^{regex}$"), texts))
            else:
                self.exact.setdefault(text, []).append(texts)

    def sources(self, text: str) -> list[dict[str, str]]:
        found = list(self.exact.get(text, []))
        if not found and len(text) > 6:
            found = [texts for regex, texts in self.patterns if regex.match(text)]
        return found


def _norm(text: str) -> str:
    return " ".join(text.split())


def _catalogue(lang: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for root in ROOTS:
        for path in root.glob(f"**/locale/{lang}/LC_MESSAGES/*.po"):
            with path.open("rb") as f:
                for message in read_po(f):
                    if message.id and message.string and not message.fuzzy:
                        key = message.id if isinstance(message.id, str) else message.id[0]
                        value = message.string
                        merged[key] = value if isinstance(value, str) else value[0]
    return merged


def _content_texts(node: Any) -> Iterator[dict[str, str]]:
    """Tables of a content file with a German and an English text: ``{de=..., en=...}``."""
    if isinstance(node, dict):
        if isinstance(node.get("de"), str) and isinstance(node.get("en"), str):
            yield {k: v for k, v in node.items() if isinstance(v, str)}
        for value in node.values():
            yield from _content_texts(value)
    elif isinstance(node, list):
        for value in node:
            yield from _content_texts(value)


@pytest.fixture(scope="module")
def known() -> Known:
    known = Known()
    catalogues = {lang: _catalogue(lang) for lang in LANGUAGES if lang != "de"}
    for msgid in catalogues["en"]:
        known.add(
            {"de": msgid, **{lang: c[msgid] for lang, c in catalogues.items() if msgid in c}},
            interface=True,
        )
    for path in CONTENT.rglob("*.toml"):
        for texts in _content_texts(tomllib.loads(path.read_text(encoding="utf-8"))):
            known.add(texts)
    # Content kept in one file per language (de.toml, en.toml, ar.toml, ...).
    for folder in {p.parent for p in CONTENT.rglob("de.toml")}:
        files = {
            p.stem: _flat(tomllib.loads(p.read_text(encoding="utf-8")))
            for p in folder.glob("*.toml")
        }
        for key, german in files.get("de", {}).items():
            known.add(
                {lang: texts[key] for lang, texts in files.items() if key in texts} | {"de": german}
            )
    return known


def _flat(node: Any, prefix: str = "") -> dict[str, str]:
    """``{"a.b": text}`` of every text in a TOML document."""
    if isinstance(node, str):
        return {prefix: node}
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else []
    )
    found: dict[str, str] = {}
    for key, value in items:
        found.update(_flat(value, f"{prefix}.{key}"))
    return found


# -- the page: text nodes with their language ------------------------------------------


class _Texts(HTMLParser):
    """Text nodes and accessible-name attributes, each with the language it is in.
    Scripts, styles and ``translate="no"`` (codes, versions) hold no language text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str, bool]] = []  # (tag, lang, no language text)
        self.found: list[tuple[str, str, str]] = []  # (lang, text, where)

    def _lang(self) -> str:
        return self.stack[-1][1] if self.stack else ""

    def _skipping(self) -> bool:
        return bool(self.stack) and self.stack[-1][2]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        lang = values.get("lang") or self._lang()
        skip = self._skipping() or tag in ("script", "style") or values.get("translate") == "no"
        for name in NAMED_BY:
            if values.get(name) and not skip:
                self.found.append((lang, values[name] or "", f"<{tag} {name}>"))
        if tag not in VOID:
            self.stack.append((tag, lang, skip))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        text = _norm(data)
        # Two letters are a code ("de" beside a language name), not words.
        if len(text) > 2 and not self._skipping():
            where = self.stack[-1][0] if self.stack else "?"
            self.found.append((self._lang(), text, f"<{where}>"))


def texts_of(html: str) -> list[tuple[str, str, str]]:
    parser = _Texts()
    parser.feed(html)
    return parser.found


def _same(own: str, text: str) -> bool:
    """Whether ``text`` is ``own`` (a translation, placeholders filled in)."""
    if _norm(own) == text:
        return True
    literal = PLACEHOLDER.split(_norm(own))[::2]
    return PLACEHOLDER.search(own) is not None and bool(
        re.match("^" + ".+?".join(map(re.escape, literal)) + "$", text)
    )


def foreign_texts(
    html: str, known: Known, strict: bool = False, marked_fallbacks: bool = False
) -> list[str]:
    """Texts that are German or English where their element says another language
    (``strict``: any German or English text, marked or not)."""
    page_lang = re.search(r'<html lang="([^"]+)"', html)
    assert page_lang, "page without <html lang>"
    wrong = []
    page = page_lang.group(1).split("-")[0]
    for lang, text, where in texts_of(html):
        base = (lang or page_lang.group(1)).split("-")[0]
        if strict:
            base = page
        # A page title joins its parts with dashes: "Seite – Behörde".
        parts = text.split(" – ") if where == "<title>" else []
        candidates = [text, *(p for p in parts if p != text)]
        for candidate in candidates:
            sources = known.sources(candidate)
            # The same words may be right in this language ("Termin" is Polish too).
            if not sources or any(_same(t.get(base, "\0"), candidate) for t in sources):
                # Marked, but an interface text the page's language lacks: a fallback.
                interface = [t for t in sources if id(t) in known.interface]
                # German data marked on an English staff page ("Behördenleitung" as the
                # owner of a step) is no fallback: the English catalogue is complete.
                if base == page or not interface or (page, base) == ("en", "de"):
                    continue
                if marked_fallbacks:
                    continue
                if any(_same(t.get(page, "\0"), candidate) for t in interface):
                    continue
                wrong.append(f"{where} fallback to {base} in {page}: {candidate!r}")
                continue
            in_de = any(_same(t.get("de", "\0"), candidate) for t in sources)
            wrong.append(f"{where} {'German' if in_de else 'English'} in {base}: {candidate!r}")
    return wrong


# -- the walk ---------------------------------------------------------------------------


def route_of(app: Any, path: str) -> Any:
    """The route (``Page``) serving a GET of ``path``, through mounts; None if none."""
    scope: dict[str, Any] = {"type": "http", "method": "GET", "path": path, "root_path": ""}
    routes = app.routes
    while True:
        for route in routes:
            match, child = route.matches(scope)
            if match is Match.FULL:
                break
        else:
            return None
        if not isinstance(route, Mount):
            return route
        scope = {**scope, **child}
        routes = route.routes or []


def all_pages(app: Any) -> Iterator[Any]:
    """Every page route of ``app``, through mounts."""
    routes = list(app.routes)
    while routes:
        route = routes.pop(0)
        if isinstance(route, Mount):
            routes.extend(route.routes or [])
        elif hasattr(route, "audience"):
            yield route


def with_lang(url: str, lang: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "lang"] + [("lang", lang)]
    return f"{parts.path}?{urlencode(query)}"


def crawl(client: TestClient, app: Any, start: list[str]) -> dict[str, Any]:
    """Pages reachable by links from ``start``: ``{url: route}``, ``PER_ROUTE`` per route."""
    seen: dict[str, Any] = {}
    per_route: dict[int, int] = {}
    queue = list(start)
    while queue:
        url = queue.pop(0)
        path = urlsplit(url).path
        if url in seen or SKIP_LINKS.search(path):
            continue
        route = route_of(app, path)
        if route is None or not hasattr(route, "audience"):
            continue
        if per_route.get(id(route), 0) >= PER_ROUTE:
            continue
        response = client.get(with_lang(url, "de"), follow_redirects=False)
        if response.status_code != 200 or "text/html" not in response.headers["content-type"]:
            continue
        per_route[id(route)] = per_route.get(id(route), 0) + 1
        seen[url] = route
        for href in re.findall(r'href="(/[^"#]*)"', response.text):
            href = href.replace("&amp;", "&")
            query = [(k, v) for k, v in parse_qsl(urlsplit(href).query) if k != "lang"]
            queue.append(urlsplit(href).path + (f"?{urlencode(query)}" if query else ""))
    return seen


@dataclass
class Demo:
    instance: Any
    app: Any
    public: TestClient
    staff: TestClient
    round_code: str


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    from willkommen_plugins.selbstcheck import questionnaire, store

    instance, _password = prepare_demo(tmp_path_factory.mktemp("languages") / "demo")
    assert list(instance.settings.languages) == LANGUAGES or set(
        instance.settings.languages
    ) == set(LANGUAGES)
    rid = store.create_round(
        instance.db, questionnaire.current(instance), title="Runde 2016", mode="code"
    )
    store.open_round(instance.db, rid, notice="")
    code = store.get_round(instance.db, rid).code
    app = create_app(instance)
    with (
        TestClient(app, base_url="https://testserver") as public,
        TestClient(app, base_url="https://testserver") as staff,
    ):
        login(staff, instance, "admin")
        yield Demo(instance, app, public, staff, code)


def _offered(html: str, demo: Demo | None = None, route: Any = None) -> list[str]:
    """The languages a page offers: those of its language selector (Leichte Sprache
    aside, which the start page and first information handle themselves); a page
    with a layout of its own (a kiosk) offers its audience's."""
    selector = re.search(r'<nav class="languages".*?</nav>', html, re.DOTALL)
    if selector is None and demo is not None:
        return offered_languages(demo.app.state, route.audience, route.languages)
    assert selector is not None, "page without a language selector"
    codes = re.findall(r'hreflang="([^"]+)"', selector.group(0))
    return list(dict.fromkeys(code for code in codes if code in LANGUAGES))


def _check_pages(
    demo: Demo,
    client: TestClient,
    pages: dict[str, Any],
    known: Known,
    audience: set[str],
    staff: bool = False,
) -> list[str]:
    problems = []
    for url, route in pages.items():
        if route.audience not in audience:
            continue
        offered = _offered(client.get(with_lang(url, "de")).text, demo, route)
        if route.audience == "staff":
            assert offered == ["de", "en"], f"{url}: staff page offered in {offered}"
        for lang in offered:
            response = client.get(with_lang(url, lang))
            assert response.status_code == 200, f"{url} [{lang}]: {response.status_code}"
            assert f'<html lang="{lang}"' in response.text, f"{url} [{lang}] not served in {lang}"
            # A logged-in reader of a customer page sees the staff menu too: staff
            # texts, marked with their own language where the page's has none.
            found = foreign_texts(
                response.text, known, marked_fallbacks=staff and route.audience != "staff"
            )
            problems += [f"{url} [{lang}] {p}" for p in found]
    return problems


def test_customer_pages_have_no_unmarked_text_in_another_language(demo: Demo, known: Known):
    # The survey's thanks pages are reached by redirect and the kiosk by its tablet,
    # not by a link: they are walked from where customers arrive.
    arrivals = ["/kundenbefragung/danke", "/kundenbefragung/kiosk", "/kundenbefragung/kiosk/danke"]
    pages = crawl(demo.public, demo.app, ["/", "/barrierefreiheit", "/login", *arrivals])
    # Every customer page type is reached (the participation is walked below).
    visited = {id(route) for route in pages.values()}
    unvisited = [
        route.path
        for route in all_pages(demo.app)
        if route.audience == "customers" and "GET" in route.methods and id(route) not in visited
    ]
    assert not unvisited, f"customer pages the walk did not reach: {unvisited}"
    problems = _check_pages(demo, demo.public, pages, known, {"customers", "staff"})
    for lang in LANGUAGES:
        missing = demo.public.get(f"/gibt-es-nicht?lang={lang}")
        assert missing.status_code == 404
        problems += [f"404 [{lang}] {p}" for p in foreign_texts(missing.text, known)]
    assert not problems, "\n".join(problems)


def test_staff_pages_have_no_unmarked_text_in_another_language(demo: Demo, known: Known):
    pages = crawl(demo.staff, demo.app, ["/"])
    staff = [url for url, route in pages.items() if route.audience == "staff"]
    assert len(staff) > 20, staff  # the walk found the modules' pages
    problems = _check_pages(demo, demo.staff, pages, known, {"staff", "customers"}, staff=True)
    assert not problems, "\n".join(problems)


def test_staff_pages_are_offered_only_in_complete_languages(demo: Demo):
    """Arabic asked for on a staff page: English, and the selector lists de and en."""
    assert offered_languages(demo.app.state, "staff") == ["de", "en"]
    page = demo.staff.get("/?lang=ar")
    assert '<html lang="en" dir="ltr">' in page.text
    selector = re.search(r'<nav class="languages".*?</nav>', page.text, re.DOTALL)
    assert selector is not None
    assert re.findall(r'hreflang="([^"]+)"', selector.group(0)) == ["de", "en"]
    # The same reader on a customer page gets Arabic.
    assert '<html lang="ar" dir="rtl">' in demo.public.get("/barrierefreiheit?lang=ar").text


def _participation(demo: Demo, lang: str) -> Iterator[tuple[str, str]]:
    """Every page of one participation in ``lang``: (what, html)."""
    client = TestClient(demo.app, base_url="https://testserver")
    entry = client.get(f"/selbstcheck/teilnahme?lang={lang}")
    yield "code entry", entry.text
    wrong = client.post(
        f"/selbstcheck/teilnahme?lang={lang}",
        data={"code": "NICHT-DA", "csrf_token": csrf_from(entry.text)},
    )
    yield "unknown code", wrong.text
    page = client.get(f"/selbstcheck/teilnahme?code={demo.round_code}&lang={lang}")
    yield "start", page.text

    def send(html: str, **data: str) -> str:
        state = re.search(r'name="state" value="([^"]+)"', html)
        step = re.search(r'name="step" value="([^"]+)"', html)
        assert state and step, html[:500]
        form = {"csrf_token": csrf_from(html), "state": state.group(1), "step": step.group(1)}
        return client.post(f"/selbstcheck/teilnahme?lang={lang}", data={**form, **data}).text

    missing = send(page.text, nav="next")
    yield "start with an error", missing
    html = send(page.text, nav="next", perspective="mitarbeitende")
    while 'value="submit"' not in html:
        yield "cornerstone", html
        items = set(re.findall(r'name="(a_[a-z0-9_]+)"', html))
        if not items:
            break
        html = send(html, nav="next", **{name: "4" for name in items})
    yield "review", html
    yield "thanks", send(html, nav="submit")
    broken = client.post(
        f"/selbstcheck/teilnahme?lang={lang}",
        data={"csrf_token": csrf_from(entry.text), "state": "kaputt", "step": "start"},
    )
    yield "refused", broken.text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_participation_is_complete_in_every_language(demo: Demo, known: Known, lang: str):
    problems = []
    for what, html in _participation(demo, lang):
        assert f'<html lang="{lang}"' in html, what
        body = html.split("<main", 1)[1].split("</main>", 1)[0]
        if lang in PARTICIPANT_ONLY:
            # Nothing German or English in the participant's part of the page, marked or not.
            problems += [
                f"{what}: {p}"
                for p in foreign_texts(f'<html lang="{lang}"><main{body}', known, strict=True)
            ]
        problems += [f"{what}: {p}" for p in foreign_texts(html, known)]
    assert not problems, "\n".join(problems)


# -- the self-assessment's languages, one instance each ----------------------------------


def _round(instance: Any, notice: str) -> str:
    from willkommen_plugins.selbstcheck import questionnaire, store

    rid = store.create_round(
        instance.db, questionnaire.current(instance), title="Runde", mode="code"
    )
    store.open_round(instance.db, rid, notice=notice)
    return store.get_round(instance.db, rid).code


def test_an_instance_restricts_the_participants_languages(make_sqlite_instance, make_client):
    instance = make_sqlite_instance(
        ["selbstcheck"],
        languages=["de", "en", "uk", "ar"],
        selbstcheck={"participant_languages": ["uk", "en"]},
    )
    code = _round(instance, "")
    client = make_client(instance)
    page = client.get(f"/selbstcheck/teilnahme?code={code}&lang=ar")
    assert '<html lang="en" dir="ltr">' in page.text  # Arabic is not offered here
    assert _offered(page.text) == ["de", "en", "uk"]  # the instance's order, German always
    assert '<html lang="uk"' in client.get(f"/selbstcheck/teilnahme?code={code}&lang=uk").text
    # Customer pages keep every language of the instance.
    assert '<html lang="ar" dir="rtl">' in client.get("/barrierefreiheit?lang=ar").text


def test_an_unknown_participant_language_is_refused_by_the_settings(make_sqlite_instance):
    from willkommen_plugins.selbstcheck.settings import SelbstcheckSettings

    with pytest.raises(ValueError, match="unknown language code 'xx-yy-zz'"):
        SelbstcheckSettings(participant_languages=["xx-yy-zz"])
    assert SelbstcheckSettings(participant_languages=["ar"]).participant_languages == ["de", "ar"]


@pytest.mark.parametrize("lang", ["en", "ar", "ps"])
def test_the_notice_a_round_opened_with_is_shown_in_the_participants_language(
    make_sqlite_instance, make_client, lang
):
    """The round froze the German standard notice; English and Arabic readers get theirs."""
    from willkommen_plugins.selbstcheck.pages.common import notice_text

    instance = make_sqlite_instance(["selbstcheck"], languages=["de", "en", "ar", "ps"])
    code = _round(instance, str(notice_text(instance)))  # opened by German-speaking staff
    page = make_client(instance).get(f"/selbstcheck/teilnahme?code={code}&lang={lang}").text
    section = page.split('id="notice-title"', 1)[1].split("</section>", 1)[0]
    assert "Die Teilnahme ist freiwillig" not in section
    expected = {
        "en": "Taking part is voluntary and anonymous",
        "ar": "المشاركة طوعية ومجهولة الهوية",
    }
    expected["ps"] = "ګډون داوطلبانه او بې نومه دی"
    assert expected[lang] in section


def test_an_instances_own_notice_per_language(make_sqlite_instance, make_client):
    instance = make_sqlite_instance(
        ["selbstcheck"],
        languages=["de", "en", "uk"],
        selbstcheck={"notice": {"de": "Freiwillig und anonym.", "en": "Voluntary and anonymous."}},
    )
    code = _round(instance, "Freiwillig und anonym.")
    client = make_client(instance)
    assert (
        "Voluntary and anonymous." in client.get(f"/selbstcheck/teilnahme?code={code}&lang=en").text
    )
    # No Ukrainian text: the German one, marked as German.
    ukrainian = client.get(f"/selbstcheck/teilnahme?code={code}&lang=uk").text
    assert '<span lang="de" dir="ltr">Freiwillig und anonym.</span>' in ukrainian


def test_willkommen_check_reports_what_each_language_lacks(tmp_path):
    from willkommen_core.language_report import report

    for lang, body in {
        "en": 'msgid "Start"\nmsgstr "Start"\n\nmsgid "Hilfe"\nmsgstr "Help"\n',
        "ar": 'msgid "Hilfe"\nmsgstr "مساعدة"\n',
        "uk": "",
    }.items():
        folder = tmp_path / lang / "LC_MESSAGES"
        folder.mkdir(parents=True)
        (folder / "partner.po").write_text(body, encoding="utf-8")
    lines = report(["de", "en", "ar", "uk"], [tmp_path])
    assert lines == [
        "ar: staff pages not offered, 1 interface texts untranslated "
        "(staff who ask for ar get English or German)",
        "uk: staff pages not offered, 2 interface texts untranslated "
        "(staff who ask for uk get English or German)",
        "uk: customer and participant pages (partner): 1 texts untranslated: „Hilfe“",
    ]


def test_a_page_declares_a_known_audience():
    from willkommen_core.sdk.pages import Router
    from willkommen_core.web.routing import Page

    with pytest.raises(ValueError, match="audience must be one of customers, participants, staff"):
        Router("hallo").page("/", public=True, audience="kunden")
    with pytest.raises(ValueError, match="unknown audience 'kunden'"):
        Page("/", lambda request: None, public=True, audience="kunden")
    assert Page("/", lambda request: None, public=True).audience == "staff"


def test_willkommen_check_reports_content_that_lacks_a_participant_language(
    make_sqlite_instance,
):
    from willkommen_core.language_report import content_report

    instance = make_sqlite_instance(["selbstcheck"], languages=["de", "en", "uk"])
    assert content_report(instance, ["de", "en", "uk"]) == []  # the shipped content is complete
    shipped = CONTENT / "selbstcheck" / "questionnaire.toml"
    own = instance.root / "content" / "selbstcheck" / "questionnaire.toml"
    own.parent.mkdir(parents=True)
    text = shipped.read_text(encoding="utf-8")
    own.write_text(
        text.replace('text.uk = "Клієнти отримують', 'text.xx = "Клієнти отримують'), "utf-8"
    )
    assert content_report(instance, ["de", "en", "uk"]) == [
        "uk: participant pages (selbstcheck, questionnaire.toml): 1 texts only in German and "
        "English: „Kundinnen und Kunden bekommen in angemessener Zeit einen Ter…“"
    ]


def test_a_round_opened_before_a_translation_shows_it_where_the_german_is_unchanged():
    from willkommen_plugins.selbstcheck.questionnaire import (
        Cornerstone,
        Item,
        Questionnaire,
        translated,
    )

    def questionnaire(text: dict[str, str], other: dict[str, str]) -> Questionnaire:
        items = (
            Item("a_b", "verankerung", text, {"de": "Hilfe.", "en": "Help."}),
            Item("c_d", "verankerung", other, {"de": "Hilfe.", "en": "Help."}),
        )
        return Questionnaire(
            "1-x", (Cornerstone("verankerung", {"de": "V", "en": "A"}, (), items),)
        )

    stored = questionnaire({"de": "Satz.", "en": "Sentence."}, {"de": "Alt.", "en": "Old."})
    current = questionnaire(
        {"de": "Satz.", "en": "Sentence.", "uk": "Речення."},
        {"de": "Neu.", "en": "New.", "uk": "Нове."},  # reworded since: not the same question
    )
    shown = translated(stored, current)
    assert shown.items["a_b"].text["uk"] == "Речення."
    assert "uk" not in shown.items["c_d"].text
    assert shown.items["c_d"].text["de"] == "Alt."  # what was asked stays
    assert shown.version == "1-x"
