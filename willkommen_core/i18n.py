"""Translations with Babel: German source strings, catalogues per language.

Source strings (msgids) are German, the UI's first language; ``en`` must be
complete (tests/test_i18n.py). Customer-facing strings are translated into
further languages, right-to-left ones included. A missing translation falls
back to English, then to German.

The current language lives in a context variable set per request (or per
CLI call), so one process can serve several languages at once.
"""

from __future__ import annotations

import contextvars
import io
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import LazyProxy, NullTranslations, Translations

SOURCE_LANGUAGE = "de"
FALLBACK_LANGUAGE = "en"
CORE_LOCALE_DIR = Path(__file__).parent / "locale"

_SOURCE = NullTranslations()  # German msgids: the source language needs no catalogue
_current: contextvars.ContextVar[NullTranslations] = contextvars.ContextVar(
    "willkommen_translations",
    default=_SOURCE,
)
_current_lang: contextvars.ContextVar[str] = contextvars.ContextVar(
    "willkommen_lang", default=SOURCE_LANGUAGE
)


@lru_cache(maxsize=256)
def text_direction(lang: str) -> str:
    """``"rtl"`` or ``"ltr"`` for a language code, from CLDR via Babel."""
    return "rtl" if Locale.parse(lang).text_direction == "rtl" else "ltr"


@lru_cache(maxsize=256)
def native_name(lang: str) -> str:
    """The language's own name (``"العربية"`` for ``ar``), for the language switch."""
    name = Locale.parse(lang).get_display_name(lang) or lang
    return name[:1].upper() + name[1:]


def _load_po(path: Path) -> Translations:
    with path.open("rb") as f:
        catalog = read_po(f)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(buf)


def _catalogue(lang: str, dirs: tuple[Path, ...]) -> NullTranslations:
    merged: NullTranslations | None = None
    for d in dirs:
        for po in sorted((d / lang / "LC_MESSAGES").glob("*.po")):
            t = _load_po(po)
            if merged is None:
                merged = t
            else:
                merged.merge(t)  # type: ignore[attr-defined]
    return merged or NullTranslations()


@lru_cache(maxsize=64)
def translations(lang: str, dirs: tuple[Path, ...] = (CORE_LOCALE_DIR,)) -> NullTranslations:
    """The merged catalogue of ``lang`` over ``dirs`` (core first, then plugins)."""
    if lang == SOURCE_LANGUAGE:
        return _SOURCE
    t = _catalogue(lang, dirs)
    if lang != FALLBACK_LANGUAGE:
        t.add_fallback(translations(FALLBACK_LANGUAGE, dirs))
    return t


def activate(
    lang: str, dirs: Iterable[Path] = (CORE_LOCALE_DIR,)
) -> contextvars.Token[NullTranslations]:
    """Make ``lang`` the current language of this context; returns a reset token."""
    _current_lang.set(lang)
    return _current.set(translations(lang, tuple(dirs)))


def current_language() -> str:
    return _current_lang.get()


def gettext(message: str, **variables: object) -> str:
    text = _current.get().ugettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    text = _current.get().ungettext(singular, plural, n)
    variables.setdefault("num", n)
    return text % variables


def lazy_gettext(message: str, **variables: object) -> LazyProxy:
    """A string translated when it is rendered, for module-level definitions."""
    return LazyProxy(gettext, message, enable_cache=False, **variables)


_ = gettext
