"""Translations: German source strings, English complete, placeholders intact.

Extraction runs over the installed packages (core and built-in plugins), so
a string added anywhere without an English translation fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from hypothesis import given, settings
from hypothesis import strategies as st

import willkommen_core
import willkommen_plugins
from willkommen_core import i18n
from willkommen_core.instance import shipped_content_dir
from willkommen_core.testing import login

KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
METHOD_MAP = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _roots() -> list[Path]:
    return [Path(willkommen_core.__file__).parent, Path(willkommen_plugins.__file__).parent]


def _msgids() -> dict[str, str]:
    found: dict[str, str] = {}
    for root in _roots():
        for filename, _lineno, message, _comments, _ctx in extract_from_dir(
            str(root), METHOD_MAP, OPTIONS, KEYWORDS
        ):
            for msgid in message if isinstance(message, tuple) else (message,):
                if msgid:
                    found.setdefault(msgid, f"{root.name}/{filename}")
    return found


def _catalogues(lang: str) -> list[Path]:
    return [p for root in _roots() for p in root.glob(f"**/locale/{lang}/LC_MESSAGES/*.po")]


def _translations(lang: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in _catalogues(lang):
        with path.open("rb") as f:
            for message in read_po(f):
                if message.id and message.string:
                    key = message.id if isinstance(message.id, str) else message.id[0]
                    value = message.string if isinstance(message.string, str) else message.string[0]
                    merged[key] = value
    return merged


def test_every_ui_string_has_an_english_translation():
    english = _translations("en")
    missing = {msgid: where for msgid, where in _msgids().items() if msgid not in english}
    assert not missing, "untranslated into English:\n" + "\n".join(
        f"  {where}: {msgid!r}" for msgid, where in sorted(missing.items(), key=lambda x: x[1])
    )


@pytest.mark.parametrize("lang", ["en", "ar", "fa", "uk", "ru", "tr", "pl", "ro", "ps"])
def test_translations_keep_every_placeholder(lang):
    """A translation that drops or renames %(name)s would crash or mislead at run time."""
    for path in _catalogues(lang):
        with path.open("rb") as f:
            for message in read_po(f):
                if not message.id or not message.string:
                    continue
                ids = message.id if isinstance(message.id, tuple) else (message.id,)
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                for string in strings:
                    assert set(PLACEHOLDER.findall(string)) == set(PLACEHOLDER.findall(ids[0])), (
                        f"{path}: {ids[0]!r} -> {string!r}"
                    )


def test_customer_languages_cover_the_public_layout():
    """The layout a customer sees (skip link, language label, footer) is translated."""
    public = [
        "Zum Inhalt springen",
        "Sprache",
        "Erklärung zur Barrierefreiheit",
        "Diese Seite gibt es nicht.",
    ]
    for lang in ["ar", "fa", "uk", "ru", "tr", "pl", "ro", "ps"]:
        translated = _translations(lang)
        assert all(translated.get(m) for m in public), lang


def test_english_ui_is_served_on_request(make_sqlite_instance, make_client):
    instance = make_sqlite_instance([])
    client = make_client(instance)
    page = client.get("/login?lang=en")
    assert '<html lang="en" dir="ltr">' in page.text
    assert "Staff login" in page.text
    assert "Anmelden für Mitarbeitende" not in page.text


def test_staff_pages_are_offered_only_in_languages_with_a_complete_catalogue(
    make_sqlite_instance, make_client
):
    """Arabic asked for on a staff page gives English, and the selector lists only de
    and en; the same reader gets Arabic, right to left, on a customer page."""
    instance = make_sqlite_instance([], languages=["de", "en", "ar"])
    client = make_client(instance)
    login(client, instance, "leitung")
    page = client.get("/?lang=ar")
    assert '<html lang="en" dir="ltr">' in page.text
    assert "Welcome authority toolkit" in page.text
    assert 'hreflang="ar"' not in page.text
    assert "انتقل إلى المحتوى" not in page.text  # no half-Arabic staff page
    # The choice is remembered for the next page, where Arabic is offered.
    customer = client.get("/barrierefreiheit")
    assert '<html lang="ar" dir="rtl">' in customer.text
    assert "انتقل إلى المحتوى" in customer.text
    assert 'hreflang="ar"' in customer.text


def test_an_accept_language_preference_is_followed_on_staff_pages(
    make_sqlite_instance, make_client
):
    instance = make_sqlite_instance([], languages=["de", "en", "ar"])
    client = make_client(instance, headers={"accept-language": "ar, de;q=0.8"})
    login(client, instance, "leitung")
    assert '<html lang="de" dir="ltr">' in client.get("/").text


def test_staff_languages_are_those_with_complete_catalogues(tmp_path):
    for lang, texts in {
        "en": {"Start": "Start", "Speichern": "Save"},
        "ar": {"Start": "البدء"},
    }.items():
        folder = tmp_path / lang / "LC_MESSAGES"
        folder.mkdir(parents=True)
        body = "".join(f'msgid "{k}"\nmsgstr "{v}"\n\n' for k, v in texts.items())
        (folder / "x.po").write_text(body, encoding="utf-8")
    assert i18n.missing_messages("ar", [tmp_path]) == ["Speichern"]
    assert i18n.staff_languages(["de", "en", "ar"], [tmp_path]) == ["de", "en"]
    (tmp_path / "ar" / "LC_MESSAGES" / "x.po").write_text(
        'msgid "Start"\nmsgstr "البدء"\n\nmsgid "Speichern"\nmsgstr "حفظ"\n', encoding="utf-8"
    )
    i18n.translations.cache_clear()
    assert i18n.staff_languages(["de", "en", "ar"], [tmp_path]) == ["de", "en", "ar"]
    i18n.translations.cache_clear()


def test_a_fallback_is_marked_with_its_own_language(tmp_path):
    """WCAG 3.1.2: text that falls back to English on an Arabic page carries lang and dir,
    in text; inside attributes and the title the marks simply go."""
    for lang, body in {
        "en": 'msgid "Hallo"\nmsgstr "Hello"\n\nmsgid "Welt"\nmsgstr "World"\n',
        "ar": 'msgid "Welt"\nmsgstr "عالم"\n',
    }.items():
        folder = tmp_path / lang / "LC_MESSAGES"
        folder.mkdir(parents=True)
        (folder / "x.po").write_text(body, encoding="utf-8")
    token = i18n.activate("ar", [tmp_path])
    marking = i18n.marking()
    try:
        hello, world = i18n.gettext("Hallo"), i18n.gettext("Welt")
        assert isinstance(hello, i18n.Foreign) and hello.lang == "en"
        assert not isinstance(world, i18n.Foreign)
        env = jinja2.Environment(autoescape=True)
        html = env.from_string(
            '<title>{{ a }}</title><p title="{{ a }}">{{ a }} {{ b }} {{ c|e }}</p>'
        ).render(a=hello, b=world, c=i18n.in_language("Guten Tag", "de"))
        marked = i18n.mark_parts(html)
    finally:
        i18n.unmark(marking)
        i18n.reset(token, "de")
    assert marked == (
        '<title>Hello</title><p title="Hello"><span lang="en" dir="ltr">Hello</span> عالم '
        '<span lang="de" dir="ltr">Guten Tag</span></p>'
    )
    # Outside a page (CSV, JSON, a sign) the same text is plain.
    assert (
        str(jinja2.Environment(autoescape=True).from_string("{{ a }}").render(a=hello)) == "Hello"
    )


def test_questionnaire_content_lacking_a_language_falls_back_to_german_marked():
    from willkommen_plugins.selbstcheck.questionnaire import Item

    item = Item("x_y", "verankerung", {"de": "Ein Satz.", "en": "A sentence."}, {"de": "Hilfe."})
    token = i18n.activate("ar")
    try:
        label = item.label()
        hint = item.hint("en")
    finally:
        i18n.reset(token, "de")
    assert isinstance(label, i18n.Foreign) and label.lang == "de" and label == "Ein Satz."
    assert isinstance(hint, i18n.Foreign) and hint.lang == "de"


def test_german_is_the_default(make_sqlite_instance, make_client):
    client = make_client(make_sqlite_instance([]))
    assert '<html lang="de" dir="ltr">' in client.get("/login").text


@given(text=st.text(max_size=40), data=st.text(max_size=40))
@settings(max_examples=200, deadline=None)
def test_marks_never_survive_and_typed_text_never_becomes_markup(text, data):
    """Whatever the foreign text and whatever data sits beside it (private-use
    characters included), a page gets balanced ``span`` elements around the foreign
    fragment in text, nothing in attributes or the title, and never a mark."""
    env = jinja2.Environment(autoescape=True)
    template = env.from_string('<title>{{ a }}</title><p title="{{ a }}">{{ a }}|{{ d }}</p>')
    token = i18n.marking()
    try:
        html = i18n.mark_parts(template.render(a=i18n.Foreign(text, "ar"), d=data))
    finally:
        i18n.unmark(token)
    plain = env.from_string('<title>{{ a }}</title><p title="{{ a }}">{{ a }}|{{ d }}</p>')
    expected = plain.render(a=text, d=data)
    if text:
        marked = f'<span lang="ar" dir="rtl">{jinja2.utils.markupsafe.escape(text)}</span>|'
        expected = expected.replace(f">{jinja2.utils.markupsafe.escape(text)}|", f">{marked}", 1)
    assert html == expected


def _texts_in(node: object, langs: set[str], key: str = "") -> list[tuple[str, str]]:
    if isinstance(node, dict):
        return [t for k, v in node.items() for t in _texts_in(v, langs, str(k))]
    if isinstance(node, list):
        return [t for v in node for t in _texts_in(v, langs, key)]
    return [(key, node)] if isinstance(node, str) and key in langs else []


@pytest.mark.parametrize("lang", ["ar", "fa", "ps"])
def test_arabic_script_texts_use_their_own_punctuation(lang):
    """، ؛ ؟ rather than the Latin comma, semicolon and question mark (placeholders and
    addresses aside), in the catalogues and the content files."""
    import tomllib

    latin = re.compile(r"[,;?]")
    found: list[tuple[str, str]] = []
    for path in _catalogues(lang):
        with path.open("rb") as f:
            for message in read_po(f):
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                found += [(str(path), s) for s in strings if s and message.id]
    modules = shipped_content_dir()  # installed, as in tox: not a path next to the sources
    toml_files = list(modules.rglob("*.toml"))
    assert toml_files, f"no content found in {modules}"
    for path in toml_files:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        if path.stem == lang:  # a file of texts in this one language
            found += [(str(path), t) for t in _all_strings(data)]
        found += [(str(path), t) for _, t in _texts_in(data, {lang})]
    wrong = [
        (where, text)
        for where, text in found
        if latin.search(re.sub(r"%\(\w+\)s|https?://\S+|\S+@\S+", "", text))
    ]
    assert not wrong, "\n".join(f"{w}: {t}" for w, t in wrong)


def _all_strings(node: object) -> list[str]:
    if isinstance(node, dict):
        return [s for v in node.values() for s in _all_strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _all_strings(v)]
    return [node] if isinstance(node, str) else []
