"""The shipped catalogue (``modules/fortbildung/katalog.toml``), overridable per instance."""

from __future__ import annotations

import logging
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from willkommen_core.errors import Problem
from willkommen_core.i18n import FALLBACK_LANGUAGE, current_language

from .model import EntryData, validate_entry

if TYPE_CHECKING:
    from willkommen_core.instance import Instance

log = logging.getLogger("willkommen.fortbildung")

NAME = "fortbildung"
CATALOGUE_FILE = "katalog.toml"
AREA_ID = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
ENTRY_KEYS = {
    "key",
    "title",
    "category",
    "format",
    "duration_hours",
    "provider",
    "languages",
    "target_groups",
    "cornerstones",
    "description",
}


@dataclass(frozen=True)
class WorkArea:
    id: str
    titles: dict[str, str]

    def title(self, lang: str | None = None) -> str:
        lang = lang or current_language()
        return self.titles.get(lang) or self.titles.get(FALLBACK_LANGUAGE) or self.titles["de"]


@dataclass
class Catalogue:
    work_areas: dict[str, WorkArea] = field(default_factory=dict)
    entries: list[EntryData] = field(default_factory=list)


def parse(path: Path, shown: str) -> tuple[Catalogue, list[Problem]]:
    """Read and validate a catalogue file; every problem names file, key and reason."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        return Catalogue(), [Problem(shown, "", f"cannot read: {exc.strerror or exc}")]
    except UnicodeDecodeError:
        return Catalogue(), [Problem(shown, "", "not UTF-8 encoded")]
    except tomllib.TOMLDecodeError as exc:
        return Catalogue(), [Problem(shown, "", f"invalid TOML: {exc}")]
    problems: list[Problem] = []
    for key in raw:
        if key not in ("work_areas", "entries"):
            problems.append(Problem(shown, key, "unknown key (expected work_areas and entries)"))
    found = Catalogue()
    areas = raw.get("work_areas", {})
    if not isinstance(areas, dict) or not areas:
        problems.append(Problem(shown, "work_areas", "missing or empty: define [work_areas.<id>]"))
        areas = {}
    for aid, titles in areas.items():
        key = f"work_areas.{aid}"
        if not AREA_ID.match(aid):
            problems.append(Problem(shown, key, "id must be lowercase letters, digits, '-', '_'"))
            continue
        if not isinstance(titles, dict) or not all(
            isinstance(titles.get(lang), str) and titles[lang].strip() for lang in ("de", "en")
        ):
            problems.append(Problem(shown, key, 'needs titles de and en, e.g. de = "…", en = "…"'))
            continue
        found.work_areas[aid] = WorkArea(aid, {k: str(v).strip() for k, v in titles.items()})
    entries = raw.get("entries", [])
    if not isinstance(entries, list) or not entries:
        problems.append(Problem(shown, "entries", "missing or empty: define [[entries]]"))
        entries = []
    seen: set[str] = set()
    for index, entry in enumerate(entries, start=1):
        where = f"entries[{index}]"
        if not isinstance(entry, dict):
            problems.append(Problem(shown, where, "must be a table"))
            continue
        if isinstance(entry.get("key"), str):
            where = f"entries[{index}] ({entry['key']})"
        for extra in sorted(set(entry) - ENTRY_KEYS):
            problems.append(Problem(shown, f"{where}.{extra}", "unknown field"))
        data, errors = validate_entry(entry, found.work_areas)
        for name, message in errors.items():
            problems.append(Problem(shown, f"{where}.{name}", message))
        if data is None:
            continue
        if data.key in seen:
            problems.append(Problem(shown, f"{where}.key", f"duplicate key {data.key!r}"))
            continue
        seen.add(data.key)
        found.entries.append(data)
    return found, problems


def shipped_path() -> Path:
    from willkommen_core.instance import shipped_content_dir

    return shipped_content_dir() / NAME / CATALOGUE_FILE


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return f"modules/{NAME}/{path.name}"


def problems(instance: Instance) -> list[Problem]:
    found = parse(shipped_path(), f"modules/{NAME}/{CATALOGUE_FILE}")[1]
    path = instance.content_path(NAME, CATALOGUE_FILE)
    if path != shipped_path():
        found += parse(path, _shown(path, instance.root))[1]
    return found


_cache: dict[tuple[str, float], Catalogue] = {}


def load(instance: Instance) -> Catalogue:
    """The catalogue content in effect; a broken override falls back to the shipped file."""
    path = instance.content_path(NAME, CATALOGUE_FILE)
    for candidate in dict.fromkeys((path, shipped_path())):
        try:
            key = (str(candidate), candidate.stat().st_mtime)
        except OSError:
            continue
        if key in _cache:
            return _cache[key]
        found, errors = parse(candidate, _shown(candidate, instance.root))
        if not errors:
            _cache[key] = found
            return found
        log.warning("training catalogue %s invalid, ignoring: %s", candidate, errors[0])
    return Catalogue()
