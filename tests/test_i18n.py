"""Translations: German source strings, English complete, placeholders intact.

Extraction runs over the installed packages (core and built-in plugins), so
a string added anywhere without an English translation fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import willkommen_core
import willkommen_plugins
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


def test_arabic_is_right_to_left_and_falls_back_to_english(make_sqlite_instance, make_client):
    instance = make_sqlite_instance([], languages=["de", "en", "ar"])
    client = make_client(instance)
    login(client, instance, "leitung")
    page = client.get("/?lang=ar")
    assert '<html lang="ar" dir="rtl">' in page.text
    assert "انتقل إلى المحتوى" in page.text  # skip link in Arabic
    assert "Welcome authority toolkit" in page.text  # staff text: English fallback, not German
    # The choice is remembered for the next page.
    assert 'dir="rtl"' in client.get("/barrierefreiheit").text


def test_german_is_the_default(make_sqlite_instance, make_client):
    client = make_client(make_sqlite_instance([]))
    assert '<html lang="de" dir="ltr">' in client.get("/login").text
