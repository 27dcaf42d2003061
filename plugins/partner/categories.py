"""Partner categories: content in ``modules/partner/categories.toml``, overridable per instance."""

from __future__ import annotations

import logging
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from babel import Locale, UnknownLocaleError

from willkommen_core.errors import Problem
from willkommen_core.i18n import (
    FALLBACK_LANGUAGE,
    SOURCE_LANGUAGE,
    current_language,
    in_language,
)

if TYPE_CHECKING:
    from willkommen_core.instance import Instance

log = logging.getLogger("willkommen.partner")

CATEGORIES_FILE = "categories.toml"
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
REQUIRED_LANGUAGES = (SOURCE_LANGUAGE, FALLBACK_LANGUAGE)
ALLOWED_KEYS = {"title", "description"}


@dataclass(frozen=True)
class Category:
    id: str
    titles: dict[str, str]
    description: str = ""

    def title(self, lang: str | None = None) -> str:
        """The title in ``lang`` (default: the current language), else English, else
        German; a fallback is marked with its language for the page."""
        lang = lang or current_language()
        if self.titles.get(lang):
            return self.titles[lang]
        if self.titles.get(FALLBACK_LANGUAGE):
            return in_language(self.titles[FALLBACK_LANGUAGE], FALLBACK_LANGUAGE)
        return in_language(self.titles["de"], SOURCE_LANGUAGE)


def _display_name(path: Path, instance_root: Path) -> str:
    """``content/partner/categories.toml`` for an override, else the shipped path."""
    try:
        return str(path.relative_to(instance_root))
    except ValueError:
        return f"modules/partner/{path.name}"


def parse(path: Path, shown: str) -> tuple[dict[str, Category], list[Problem]]:
    """Read and validate a categories file; every problem names file, key and reason."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        return {}, [Problem(shown, "", f"cannot read: {exc.strerror or exc}")]
    except UnicodeDecodeError:
        return {}, [Problem(shown, "", "not UTF-8 encoded")]
    except tomllib.TOMLDecodeError as exc:
        return {}, [Problem(shown, "", f"invalid TOML: {exc}")]
    problems: list[Problem] = []
    for key in raw:
        if key != "categories":
            problems.append(Problem(shown, key, "unknown key (expected only [categories.<id>])"))
    section = raw.get("categories")
    if not isinstance(section, dict) or not section:
        problems.append(Problem(shown, "categories", "missing or empty: define [categories.<id>]"))
        return {}, problems
    found: dict[str, Category] = {}
    for cid, entry in section.items():
        key = f"categories.{cid}"
        if not ID_PATTERN.match(cid):
            problems.append(
                Problem(shown, key, "id must be lowercase letters, digits, '-' or '_' (max. 40)")
            )
            continue
        if not isinstance(entry, dict):
            problems.append(Problem(shown, key, "must be a table with a title"))
            continue
        for extra in sorted(set(entry) - ALLOWED_KEYS):
            problems.append(
                Problem(shown, f"{key}.{extra}", "unknown key (allowed: title, description)")
            )
        titles = entry.get("title")
        if not isinstance(titles, dict):
            problems.append(
                Problem(
                    shown,
                    f"{key}.title",
                    'must be a table of languages, e.g. { de = "…", en = "…" }',
                )
            )
            continue
        ok = True
        for lang in REQUIRED_LANGUAGES:
            if not isinstance(titles.get(lang), str) or not titles[lang].strip():
                problems.append(Problem(shown, f"{key}.title.{lang}", "required, a non-empty text"))
                ok = False
        for lang, text in titles.items():
            try:
                Locale.parse(lang)
            except (UnknownLocaleError, ValueError):
                problems.append(
                    Problem(shown, f"{key}.title.{lang}", f"unknown language code {lang!r}")
                )
                ok = False
                continue
            if not isinstance(text, str) or not text.strip():
                if lang not in REQUIRED_LANGUAGES:
                    problems.append(
                        Problem(shown, f"{key}.title.{lang}", "must be a non-empty text")
                    )
                    ok = False
            elif len(text) > 100:
                problems.append(Problem(shown, f"{key}.title.{lang}", "longer than 100 characters"))
                ok = False
        description = entry.get("description", "")
        if not isinstance(description, str):
            problems.append(Problem(shown, f"{key}.description", "must be a text"))
            ok = False
        if ok:
            found[cid] = Category(cid, {k: v.strip() for k, v in titles.items()}, description)
    return found, problems


def shipped_path() -> Path:
    from willkommen_core.instance import shipped_content_dir

    return shipped_content_dir() / "partner" / CATEGORIES_FILE


def problems(instance: Instance) -> list[Problem]:
    """Problems of the shipped file and of the instance's override, if there is one."""
    found = parse(shipped_path(), f"modules/partner/{CATEGORIES_FILE}")[1]
    path = instance.content_path("partner", CATEGORIES_FILE)
    if path != shipped_path():
        found += parse(path, _display_name(path, instance.root))[1]
    return found


_cache: dict[tuple[str, int, int], dict[str, Category]] = {}


def load(instance: Instance) -> dict[str, Category]:
    """The categories in effect, in file order.

    A broken override falls back to the shipped file (``willkommen check``
    reports it), so a typo in local content never takes the pages down.
    """
    path = instance.content_path("partner", CATEGORIES_FILE)
    for candidate in dict.fromkeys((path, shipped_path())):
        try:
            stat = candidate.stat()
            key = (str(candidate), stat.st_mtime_ns, stat.st_size)
        except OSError:
            continue
        if key in _cache:
            return _cache[key]
        found, errors = parse(candidate, _display_name(candidate, instance.root))
        if not errors:
            _cache[key] = found
            return found
        log.warning("partner categories %s invalid, ignoring: %s", candidate, errors[0])
    return {}
