"""The module's content: services, standard texts per language, colour themes.

Shipped in ``modules/leitsystem/`` and overridable per instance in
``content/leitsystem/`` (same file names). German (``texts/de.toml``) is the
reference set: every other language must carry every key of it.
``willkommen check`` lists each missing or broken text (hook
``content_problems``); at run time a missing text falls back to German on
the web pages (marked with its language) and is left out of a sign, never
shown empty.
"""

from __future__ import annotations

import contextlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from willkommen_core.errors import Problem

if TYPE_CHECKING:
    from willkommen_core.instance import Instance

MODULE = "leitsystem"
SIGN_LANGUAGES = ("de", "en", "uk", "ru", "ar", "fa", "ps", "pl", "ro", "tr")
"""Languages with standard sign texts, in the toolkit's default order."""
PLAIN_GERMAN = "de-x-ls"
"""German in plain language (Leichte Sprache): first information only."""
INFO_LANGUAGES = (*SIGN_LANGUAGES, PLAIN_GERMAN)
RTL_LANGUAGES = frozenset({"ar", "fa", "ps"})
ARROWS = ("left", "right", "ahead", "up", "down", "back")
ACCESS_FLAGS = ("stufenlos", "aufzug", "induktion", "sitzplaetze")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
ALLOWED_PLACEHOLDERS = {
    "floor_upper": {"n", "storey"},
    "floor_lower": {"n"},
    "room": {"number"},
    "route_from": {"origin", "direction"},
}


def direction(lang: str) -> str:
    return "rtl" if lang in RTL_LANGUAGES else "ltr"


def native(lang: str) -> str:
    """The language's own name, for language links (plain language by its German name)."""
    if lang == PLAIN_GERMAN:
        return "Leichte Sprache"
    from willkommen_core.i18n import native_name

    return native_name(lang)


def html_lang(lang: str) -> str:
    """The value of an HTML ``lang`` attribute: plain language is German."""
    return "de" if lang == PLAIN_GERMAN else lang


@dataclass(frozen=True)
class Service:
    id: str
    pictogram: str
    info: bool
    facility: bool


@dataclass(frozen=True)
class Localized:
    """A text with the language it is actually in (a fallback says so)."""

    text: str
    lang: str

    def __str__(self) -> str:
        return self.text


@dataclass
class TextSet:
    lang: str
    labels: dict[str, str] = field(default_factory=dict)
    services: dict[str, str] = field(default_factory=dict)
    info: dict[str, dict[str, Any]] = field(default_factory=dict)


def _display(path: Path, instance: Instance) -> str:
    try:
        return str(path.relative_to(instance.root))
    except ValueError:
        from willkommen_core.instance import shipped_content_dir

        try:
            return "modules/" + str(path.relative_to(shipped_content_dir()))
        except ValueError:
            return str(path)


def _read_toml(path: Path, shown: str) -> tuple[dict[str, Any], list[Problem]]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8")), []
    except FileNotFoundError:
        return {}, [Problem(shown, "", "file not found")]
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return {}, [Problem(shown, "", f"invalid TOML: {exc}")]


# -- services -------------------------------------------------------------------------


def parse_services(path: Path, shown: str) -> tuple[dict[str, Service], list[Problem]]:
    data, problems = _read_toml(path, shown)
    found: dict[str, Service] = {}
    section = data.get("services", {})
    if not problems and (not isinstance(section, dict) or not section):
        problems.append(Problem(shown, "services", "must list at least one service"))
        return found, problems
    for sid, entry in section.items():
        key = f"services.{sid}"
        if not _ID.match(sid):
            problems.append(Problem(shown, key, "id must be lower case letters, digits, _"))
            continue
        if not isinstance(entry, dict):
            problems.append(Problem(shown, key, "must be a table"))
            continue
        unknown = set(entry) - {"pictogram", "info", "kind"}
        if unknown:
            problems.append(Problem(shown, f"{key}.{sorted(unknown)[0]}", "unknown key"))
        picto = entry.get("pictogram", sid)
        if not isinstance(picto, str) or not _ID.match(picto):
            problems.append(Problem(shown, f"{key}.pictogram", "must be a pictogram id"))
            continue
        kind = entry.get("kind", "service")
        if kind not in ("service", "facility"):
            problems.append(Problem(shown, f"{key}.kind", "must be 'service' or 'facility'"))
            continue
        info = entry.get("info", False)
        if not isinstance(info, bool):
            problems.append(Problem(shown, f"{key}.info", "must be true or false"))
            continue
        found[sid] = Service(sid, picto, info, kind == "facility")
    return found, problems


def services(instance: Instance) -> dict[str, Service]:
    path = instance.content_path(MODULE, "services.toml")
    return _cached(("services", path), lambda: parse_services(path, _display(path, instance)))


# -- texts ----------------------------------------------------------------------------


def parse_texts(path: Path, shown: str, lang: str) -> tuple[TextSet, list[Problem]]:
    data, problems = _read_toml(path, shown)
    texts = TextSet(lang)
    if problems:
        return texts, problems
    if data.get("language") != lang:
        problems.append(Problem(shown, "language", f"must be {lang!r} (the file's name)"))
    for section in ("labels", "services"):
        table = data.get(section, {})
        if not isinstance(table, dict):
            problems.append(Problem(shown, section, "must be a table"))
            continue
        for key, value in table.items():
            if not isinstance(value, str):
                problems.append(Problem(shown, f"{section}.{key}", "must be a text"))
            elif value.strip():
                getattr(texts, section)[key] = value.strip()
    info = data.get("info", {})
    if not isinstance(info, dict):
        problems.append(Problem(shown, "info", "must be a table"))
        info = {}
    for sid, entry in info.items():
        if not isinstance(entry, dict):
            problems.append(Problem(shown, f"info.{sid}", "must be a table"))
            continue
        clean: dict[str, Any] = {}
        for key in ("summary", "appointment"):
            value = entry.get(key)
            if isinstance(value, str) and value.strip():
                clean[key] = value.strip()
            elif value is not None:
                problems.append(Problem(shown, f"info.{sid}.{key}", "must be a text"))
        bring = entry.get("bring")
        if bring is not None:
            if isinstance(bring, list) and all(isinstance(b, str) and b.strip() for b in bring):
                clean["bring"] = [b.strip() for b in bring]
            else:
                problems.append(
                    Problem(shown, f"info.{sid}.bring", "must be a list of non-empty texts")
                )
        texts.info[sid] = clean
    return texts, problems


def _text_path(instance: Instance, lang: str) -> Path:
    return instance.content_path(MODULE, "texts", f"{lang}.toml")


def text_set(instance: Instance, lang: str) -> TextSet:
    path = _text_path(instance, lang)
    return _cached(("texts", path), lambda: parse_texts(path, _display(path, instance), lang))


def _keys(texts: TextSet) -> dict[str, str]:
    """Every text of a set by its dotted key (bring lists as one key)."""
    out = {f"labels.{k}": v for k, v in texts.labels.items()}
    out |= {f"services.{k}": v for k, v in texts.services.items()}
    for sid, entry in texts.info.items():
        for key, value in entry.items():
            out[f"info.{sid}.{key}"] = value if isinstance(value, str) else " ".join(value)
    return out


def missing_texts(instance: Instance, lang: str) -> list[str]:
    """Dotted keys the German reference has and ``lang`` lacks (or has empty)."""
    reference = _keys(text_set(instance, "de"))
    have = _keys(text_set(instance, lang))
    return [key for key in reference if key not in have]


class Texts:
    """Texts of one language with German as the fallback for web pages."""

    def __init__(self, instance: Instance, lang: str) -> None:
        self.lang = lang
        self.dir = direction(lang)
        self._own = text_set(instance, lang)
        self._de = text_set(instance, "de")

    def _pick(self, own: str | None, german: str | None) -> Localized | None:
        if own:
            return Localized(own, self.lang)
        if german:
            return Localized(german, "de")
        return None

    def label(self, key: str, *, fallback: bool = True, **values: Any) -> Localized | None:
        own = self._own.labels.get(key)
        german = self._de.labels.get(key) if fallback else None
        found = self._pick(own, german)
        if found is None:
            return None
        try:
            return Localized(found.text.format(**values), found.lang) if values else found
        except (KeyError, IndexError, ValueError):
            return Localized(self._de.labels.get(key, key).format(**values), "de")

    def service(self, sid: str, *, fallback: bool = True) -> Localized | None:
        own = self._own.services.get(sid)
        return self._pick(own, self._de.services.get(sid) if fallback else None)

    def info(self, sid: str, key: str) -> Localized | list[Localized] | None:
        own = self._own.info.get(sid, {}).get(key)
        german = self._de.info.get(sid, {}).get(key)
        value, lang = (own, self.lang) if own else (german, "de")
        if not value:
            return None
        if isinstance(value, list):
            return [Localized(v, lang) for v in value]
        return Localized(value, lang)

    def floor(self, level: int, *, fallback: bool = True) -> Localized | None:
        if level == 0:
            return self.label("floor_ground", fallback=fallback)
        if level > 0:
            return self.label("floor_upper", fallback=fallback, n=level, storey=level + 1)
        return self.label("floor_lower", fallback=fallback, n=-level)

    def arrow(self, arrow: str, *, fallback: bool = True) -> Localized | None:
        return self.label(f"direction_{arrow}", fallback=fallback)


# -- themes ---------------------------------------------------------------------------


THEME_COLOURS = ("background", "text", "accent", "panel", "panel_text")
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
QR_DARK, QR_LIGHT = "#000000", "#ffffff"
"""QR codes are always black on white: every reader decodes that."""


@dataclass(frozen=True)
class Theme:
    id: str
    title: str
    background: str
    text: str
    accent: str
    panel: str
    panel_text: str

    def pairs(self) -> list[tuple[str, str, str, str]]:
        """Every (foreground name, colour, background name, colour) a sign puts together."""
        return [
            ("text", self.text, "background", self.background),
            ("accent", self.accent, "background", self.background),
            ("panel_text", self.panel_text, "panel", self.panel),
            ("panel", self.panel, "background", self.background),
            ("qr", QR_DARK, "qr_background", QR_LIGHT),
        ]


def parse_themes(path: Path, shown: str) -> tuple[dict[str, Theme], list[Problem]]:
    from .contrast import theme_problems

    data, problems = _read_toml(path, shown)
    found: dict[str, Theme] = {}
    for tid, entry in data.items():
        if not isinstance(entry, dict):
            problems.append(Problem(shown, tid, "must be a table"))
            continue
        ok = True
        for colour in THEME_COLOURS:
            value = entry.get(colour)
            if not isinstance(value, str) or not _HEX.match(value):
                problems.append(Problem(shown, f"{tid}.{colour}", "must be a colour like #0b2a4a"))
                ok = False
        if not ok:
            continue
        theme = Theme(tid, str(entry.get("title", tid)), *(entry[c] for c in THEME_COLOURS))
        below = theme_problems(theme)
        if below:
            problems.extend(Problem(shown, f"{tid}", reason) for reason in below)
            continue
        found[tid] = theme
    return found, problems


def themes(instance: Instance) -> tuple[dict[str, Theme], list[Problem]]:
    path = instance.content_path(MODULE, "themes.toml")
    key = ("themes", path)
    result = _cache_get(key, path)
    if result is None:
        result = parse_themes(path, _display(path, instance))
        _cache_put(key, path, result)
    return result


# -- problems and cache ---------------------------------------------------------------


def problems(instance: Instance, settings: Any | None = None) -> list[Problem]:
    """Everything wrong with the content in effect: files, missing translations, theme."""
    found: list[Problem] = []
    path = instance.content_path(MODULE, "services.toml")
    svc, errs = parse_services(path, _display(path, instance))
    found += errs
    de_path = _text_path(instance, "de")
    de, errs = parse_texts(de_path, _display(de_path, instance), "de")
    found += errs
    for sid in svc:
        if sid not in de.services:
            found.append(Problem(_display(de_path, instance), f"services.{sid}", "missing"))
        if svc[sid].info and sid not in de.info:
            found.append(Problem(_display(de_path, instance), f"info.{sid}", "missing"))
    reference = _keys(de)
    for lang in INFO_LANGUAGES[1:]:
        path = _text_path(instance, lang)
        shown = _display(path, instance)
        texts, errs = parse_texts(path, shown, lang)
        found += errs
        if errs and not texts.labels:
            continue
        have = _keys(texts)
        for key, german in reference.items():
            if key not in have:
                found.append(Problem(shown, key, f"missing translation (German: {german[:60]!r})"))
                continue
            name = key.split(".", 1)[1]
            if key.startswith("labels.") and name in ALLOWED_PLACEHOLDERS:
                used = set(_PLACEHOLDER.findall(have[key]))
                if not used <= ALLOWED_PLACEHOLDERS[name] or (
                    set(_PLACEHOLDER.findall(german)) - {"n", "storey"} - used
                ):
                    found.append(
                        Problem(shown, key, f"placeholders must match the German text {german!r}")
                    )
    all_themes, errs = themes(instance)
    found += errs
    if settings is not None and settings.theme not in all_themes and not errs:
        found.append(
            Problem(
                "willkommen.toml",
                "leitsystem.theme",
                f"unknown theme {settings.theme!r} (known: {', '.join(all_themes)})",
            )
        )
    return found


_cache: dict[tuple[str, str], tuple[float, Any]] = {}


def _cache_get(key: tuple[str, Path], path: Path) -> Any:
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return None
    hit = _cache.get((key[0], str(path)))
    return hit[1] if hit and hit[0] == mtime else None


def _cache_put(key: tuple[str, Path], path: Path, value: Any) -> None:
    with contextlib.suppress(OSError):
        _cache[(key[0], str(path))] = (path.stat().st_mtime, value)


def _cached(key: tuple[str, Path], parse: Any) -> Any:
    """Parsed content, re-read when the file changes; a broken file yields what parsed."""
    path = key[1]
    hit = _cache_get(key, path)
    if hit is not None:
        return hit
    value = parse()[0]
    _cache_put(key, path, value)
    return value
