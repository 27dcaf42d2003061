"""Translations with Babel: German source strings, catalogues per language.

Source strings (msgids) are German, the UI's first language; ``en`` must be
complete (tests/test_i18n.py). Customer-facing strings are translated into
further languages, right-to-left ones included. A missing translation falls
back to English, then to German; the fallback text is a :class:`Foreign` string
that knows its language, so a page marks it with its own ``lang`` and ``dir``
(WCAG 3.1.2, see :func:`mark_parts`).

The current language lives in a context variable set per request (or per
CLI call), so one process can serve several languages at once.
"""

from __future__ import annotations

import contextvars
import io
import re
import secrets
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import LazyProxy, NullTranslations, Translations
from markupsafe import escape

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


def reset(token: contextvars.Token[NullTranslations], previous: str) -> None:
    """Undo :func:`activate` (``token``), making ``previous`` the current language again."""
    _current.reset(token)
    _current_lang.set(previous)


def current_language() -> str:
    return _current_lang.get()


def _answered_by(key: object, lang: str, t: NullTranslations) -> str:
    """The language whose catalogue gives the text of ``key`` (a msgid, or
    ``(msgid, n)`` for plurals) in ``lang``: ``lang`` itself, or a fallback."""
    if lang == SOURCE_LANGUAGE or key in getattr(t, "_catalog", {}):
        return lang
    if lang != FALLBACK_LANGUAGE:
        fallback = getattr(t, "_fallback", None)
        if fallback is not None and key in getattr(fallback, "_catalog", {}):
            return FALLBACK_LANGUAGE
    return SOURCE_LANGUAGE


def gettext(message: str, **variables: object) -> str:
    t = _current.get()
    text = t.ugettext(message)
    if variables:
        text = text % variables
    return in_language(text, _answered_by(message, _current_lang.get(), t))


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    t = _current.get()
    text = t.ungettext(singular, plural, n)
    variables.setdefault("num", n)
    return in_language(text % variables, _answered_by((singular, 0), _current_lang.get(), t))


def lazy_gettext(message: str, **variables: object) -> LazyProxy:
    """A string translated when it is rendered, for module-level definitions."""
    return LazyProxy(gettext, message, enable_cache=False, **variables)


_ = gettext


# -- language of parts (WCAG 3.1.2) -------------------------------------------------

_NONCE = secrets.token_hex(6)
"""Part of every mark, so that text a user typed can never pass for one."""
_OPEN, _SEP, _CLOSE = f"\ue000{_NONCE}:", "\ue001", f"\ue002{_NONCE}\ue002"
"""Private-use characters around a foreign fragment while a page renders: only the
page knows whether the fragment lands in text (then it gets an element with its own
``lang``) or in an attribute or ``<title>`` (then the marks just go)."""
_marking: contextvars.ContextVar[bool] = contextvars.ContextVar("willkommen_marking", default=False)


class Foreign(str):
    """Text in another language than the current one: a fallback translation, or
    content that lacks the reader's language. Rendered into a page, it carries its
    own ``lang`` and ``dir``; everywhere else it is the plain text."""

    lang: str

    def __new__(cls, text: str, lang: str) -> Foreign:
        self = super().__new__(cls, text)
        self.lang = lang
        return self

    def __html__(self) -> str:
        text = str(escape(str(self)))
        if not _marking.get() or not text:
            return text
        return f"{_OPEN}{self.lang}{_SEP}{text}{_CLOSE}"


def in_language(text: str, lang: str) -> str:
    """``text``, known to be in ``lang``: a :class:`Foreign` string where that is not
    the current language, so that a page marks it."""
    if lang == _current_lang.get() or not text:
        return text
    return Foreign(text, lang)


def language_of(text: str) -> str:
    """The language of ``text``: its own for a :class:`Foreign` string, else the current."""
    return text.lang if isinstance(text, Foreign) else _current_lang.get()


def marking() -> contextvars.Token[bool]:
    """Start marking foreign fragments (while a page renders); returns a reset token."""
    return _marking.set(True)


def unmark(token: contextvars.Token[bool]) -> None:
    _marking.reset(token)


# Elements whose content is plain text, for the browser alone, or SVG (where an HTML
# span is not allowed): a mark there is removed, not turned into an element.
_TEXT_ONLY = re.compile(
    r"<(title|option|textarea|script|style|svg)\b[^>]*>.*?</\1\s*>|<[^>]*>",
    re.DOTALL | re.IGNORECASE,
)
_OPENING = re.compile(f"{re.escape(_OPEN)}([A-Za-z0-9-]+){_SEP}")


def _strip(part: str) -> str:
    return _OPENING.sub("", part).replace(_CLOSE, "")


def _elements(part: str) -> str:
    def opening(match: re.Match[str]) -> str:
        code = match.group(1)
        return f'<span lang="{code}" dir="{text_direction(code)}">'

    return _OPENING.sub(opening, part).replace(_CLOSE, "</span>")


def mark_parts(html: str) -> str:
    """Turn the marks of foreign fragments in a rendered page into ``<span lang dir>``
    in text, and drop them inside tags, ``<title>``, ``<option>``, ``<textarea>`` and
    ``<svg>``."""
    if _OPEN not in html:
        return html
    out: list[str] = []
    last = 0
    for match in _TEXT_ONLY.finditer(html):
        out.append(_elements(html[last : match.start()]))
        out.append(_strip(match.group(0)))
        last = match.end()
    out.append(_elements(html[last:]))
    return "".join(out)


# -- languages offered per audience ---------------------------------------------------

AUDIENCES = ("customers", "participants", "staff")
"""Who a page is for: customers of the authority (first information, accessibility
statement), participants of a survey (the self-assessment), or staff (everything
behind the login, and the login itself)."""


def _msgids(lang: str, dirs: tuple[Path, ...]) -> set[str]:
    t = translations(lang, dirs)
    return {k if isinstance(k, str) else k[0] for k in getattr(t, "_catalog", {}) if k}


def missing_messages(lang: str, dirs: Iterable[Path] = (CORE_LOCALE_DIR,)) -> list[str]:
    """The interface strings (msgids of the complete English catalogues over ``dirs``)
    that ``lang`` has no translation for; none for German and English."""
    dirs = tuple(dirs)
    if lang in (SOURCE_LANGUAGE, FALLBACK_LANGUAGE):
        return []
    return sorted(_msgids(FALLBACK_LANGUAGE, dirs) - _msgids(lang, dirs))


def staff_languages(
    languages: Iterable[str], dirs: Iterable[Path] = (CORE_LOCALE_DIR,)
) -> list[str]:
    """Of ``languages``, those staff pages may be offered in: German, English, and
    any other whose catalogues are complete (no staff page ever falls back)."""
    dirs = tuple(dirs)
    return [code for code in languages if not missing_messages(code, dirs)]


def pick_language(asked: str, offered: list[str], accept_language: str = "") -> str:
    """The language to serve when ``asked`` is not among ``offered``: the reader's
    next preference (``Accept-Language``) that is offered, else English (someone who
    asked for another language than German reads it more likely than German), else
    the first offered."""
    if asked in offered:
        return asked
    for part in accept_language.split(","):
        code = part.split(";")[0].strip().lower().split("-")[0]
        if code in offered:
            return code
    return FALLBACK_LANGUAGE if FALLBACK_LANGUAGE in offered else offered[0]
