"""Every German msgid of the partner plugin has an English translation, and the
customer-facing page is translated into the languages of the public page."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

import willkommen_plugins.partner as plugin

PLUGIN_DIR = Path(plugin.__file__).parent
PUBLIC_LANGUAGES = ("ar", "fa", "uk", "ru", "tr", "pl", "ro")
PUBLIC_MSGIDS = (
    "Hilfe in Ihrer Sprache",
    "Sprache der Beratung",
    "Gefundene Stellen: %(n)s",
    "Sprachen",
    "Adresse",
    "Öffnungszeiten",
    "Telefon",
)


def _msgids() -> set[str]:
    with (PLUGIN_DIR / "babel.cfg").open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    return {
        message if isinstance(message, str) else message[0]
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(PLUGIN_DIR), method_map, options_map, keywords=keywords
        )
    }


def _catalogue(lang: str) -> dict[str, str]:
    with (PLUGIN_DIR / "locale" / lang / "LC_MESSAGES" / "partner.po").open("rb") as f:
        return {m.id: m.string for m in read_po(f) if m.id and not m.fuzzy}


def test_extraction_finds_python_and_template_strings():
    ids = _msgids()
    assert "Partnerliste" in ids  # Python (lazy, module_info)
    assert "Partner löschen" in ids  # template
    assert "»%(value)s« ist keine gültige E-Mail-Adresse." in ids  # validation message


def test_every_msgid_has_an_english_translation():
    english = _catalogue("en")
    missing = sorted(i for i in _msgids() if not english.get(i))
    assert missing == [], "untranslated in locale/en/LC_MESSAGES/partner.po"


def test_english_catalogue_has_no_stale_entries():
    stale = sorted(set(_catalogue("en")) - _msgids())
    assert stale == [], "msgids no longer in the code"


@pytest.mark.parametrize("lang", PUBLIC_LANGUAGES)
def test_public_page_strings_are_translated(lang):
    catalogue = _catalogue(lang)
    for msgid in PUBLIC_MSGIDS:
        assert catalogue.get(msgid), (lang, msgid)
        assert catalogue[msgid] != _catalogue("en")[msgid] or lang == "en"


@pytest.mark.parametrize("lang", ("en", *PUBLIC_LANGUAGES))
def test_placeholders_survive_translation(lang):
    import re

    placeholder = re.compile(r"%\((\w+)\)s")
    for msgid, text in _catalogue(lang).items():
        assert set(placeholder.findall(text)) == set(placeholder.findall(msgid)), (lang, msgid)
