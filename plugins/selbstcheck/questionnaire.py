"""The questionnaire: content, local additions, items of other plugins, versions.

Sources, assembled in this order:

1. ``questionnaire.toml`` (shipped in ``modules/selbstcheck/``; an instance
   may replace it by ``content/selbstcheck/questionnaire.toml``);
2. items of other enabled plugins (hook ``selfassessment_items``);
3. ``content/selbstcheck/local.toml`` of the instance: ``[[items]]`` added
   to a cornerstone, ``hide = [...]`` item ids left out.

The assembled questionnaire has the version ``<version>-<hash>``, the hash
over cornerstones, item ids and German texts: any change of content gives a
new version, the same content on two instances the same one. A round stores
the whole assembled questionnaire as JSON (:meth:`Questionnaire.to_json`), so
later edits never change what a round asked.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from willkommen_core import i18n
from willkommen_core.domain import CORNERSTONE_IDS, CORNERSTONES
from willkommen_core.errors import Problem
from willkommen_core.i18n import current_language

if TYPE_CHECKING:
    from willkommen_core.instance import Instance

NAME = "selbstcheck"
FILE = "questionnaire.toml"
LOCAL_FILE = "local.toml"
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,59}$")
REQUIRED_LANGUAGES = ("de", "en")
MAX_TEXT = 400


@dataclass(frozen=True)
class Item:
    id: str
    cornerstone: str
    text: dict[str, str]
    explanation: dict[str, str]
    working_group: str | None = None
    source: str = NAME

    def label(self, lang: str | None = None) -> str:
        """The statement in ``lang`` (default: current), else German: staff work in
        German. A German fallback is marked as such (:class:`~willkommen_core.i18n.Foreign`)
        so that a page gives it its own ``lang``."""
        return _pick(self.text, lang)

    def hint(self, lang: str | None = None) -> str:
        return _pick(self.explanation, lang)


@dataclass(frozen=True)
class Cornerstone:
    id: str
    title: dict[str, str]
    caf: tuple[dict[str, str], ...]
    items: tuple[Item, ...]

    def label(self, lang: str | None = None) -> str:
        return _pick(self.title, lang)


@dataclass(frozen=True)
class Questionnaire:
    version: str
    cornerstones: tuple[Cornerstone, ...]
    working_groups: dict[str, dict[str, str]] = field(default_factory=dict)
    work_areas: tuple[str, ...] = ()
    area_names: dict[str, dict[str, str]] = field(default_factory=dict)
    """Work areas (German, as stored) in further languages, from the content file."""

    def area_label(self, area: str, lang: str | None = None) -> str:
        """The work area ``area`` in ``lang`` (default: current), else its German name."""
        return _pick({"de": area, **self.area_names.get(area, {})}, lang)

    @property
    def items(self) -> dict[str, Item]:
        return {i.id: i for c in self.cornerstones for i in c.items}

    def cornerstone(self, cid: str) -> Cornerstone | None:
        return next((c for c in self.cornerstones if c.id == cid), None)

    def to_json(self) -> str:
        return json.dumps(
            {
                "version": self.version,
                "work_areas": list(self.work_areas),
                "working_groups": self.working_groups,
                "cornerstones": [
                    {
                        "id": c.id,
                        "title": c.title,
                        "caf": list(c.caf),
                        "items": [
                            {
                                "id": i.id,
                                "text": i.text,
                                "explanation": i.explanation,
                                "working_group": i.working_group,
                                "source": i.source,
                            }
                            for i in c.items
                        ],
                    }
                    for c in self.cornerstones
                ],
            },
            ensure_ascii=False,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> Questionnaire:
        data = json.loads(text)
        return cls(
            version=data["version"],
            work_areas=tuple(data.get("work_areas", ())),
            working_groups=data.get("working_groups", {}),
            cornerstones=tuple(
                Cornerstone(
                    c["id"],
                    c["title"],
                    tuple(c.get("caf", ())),
                    tuple(
                        Item(
                            i["id"],
                            c["id"],
                            i["text"],
                            i.get("explanation", {}),
                            i.get("working_group"),
                            i.get("source", NAME),
                        )
                        for i in c["items"]
                    ),
                )
                for c in data["cornerstones"]
            ),
        )


def _pick(texts: dict[str, str], lang: str | None) -> str:
    lang = lang or current_language()
    if texts.get(lang):
        return texts[lang]
    source = "de" if texts.get("de") else next(iter(texts), "de")
    return i18n.in_language(texts.get(source, ""), source)


def translated(stored: Questionnaire, current: Questionnaire) -> Questionnaire:
    """``stored`` (a round's frozen questionnaire) with the translations that
    ``current`` has since gained, for the items, titles and working groups whose
    German text is unchanged: a translation never changes what was asked."""

    def more(old: dict[str, str], new: dict[str, str] | None) -> dict[str, str]:
        if not new or new.get("de") != old.get("de"):
            return old
        return {**new, **old}

    items = current.items
    titles = {c.id: c.title for c in current.cornerstones}
    return Questionnaire(
        stored.version,
        tuple(
            Cornerstone(
                c.id,
                more(c.title, titles.get(c.id)),
                c.caf,
                tuple(
                    Item(
                        i.id,
                        i.cornerstone,
                        more(i.text, items[i.id].text if i.id in items else None),
                        more(
                            i.explanation,
                            items[i.id].explanation
                            if i.id in items and items[i.id].text.get("de") == i.text.get("de")
                            else None,
                        ),
                        i.working_group,
                        i.source,
                    )
                    for i in c.items
                ),
            )
            for c in stored.cornerstones
        ),
        {g: more(t, current.working_groups.get(g)) for g, t in stored.working_groups.items()},
        stored.work_areas,
        current.area_names,
    )


# -- parsing ---------------------------------------------------------------------


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return f"modules/{NAME}/{path.name}"


def _read_toml(path: Path, shown: str) -> tuple[dict[str, Any], list[Problem]]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8")), []
    except OSError as exc:
        return {}, [Problem(shown, "", f"cannot read: {exc.strerror or exc}")]
    except UnicodeDecodeError:
        return {}, [Problem(shown, "", "not UTF-8 encoded")]
    except tomllib.TOMLDecodeError as exc:
        return {}, [Problem(shown, "", f"invalid TOML: {exc}")]


def _texts(value: Any, shown: str, key: str, problems: list[Problem]) -> dict[str, str]:
    if not isinstance(value, dict):
        problems.append(
            Problem(shown, key, "must be a table of texts per language {de=..., en=...}")
        )
        return {}
    out: dict[str, str] = {}
    for lang, text in value.items():
        if not isinstance(text, str) or not text.strip():
            problems.append(Problem(shown, f"{key}.{lang}", "must be a non-empty text"))
        elif len(text) > MAX_TEXT:
            problems.append(Problem(shown, f"{key}.{lang}", f"longer than {MAX_TEXT} characters"))
        else:
            out[lang] = text.strip()
    for lang in REQUIRED_LANGUAGES:
        if lang not in out and not any(p.key == f"{key}.{lang}" for p in problems):
            problems.append(
                Problem(shown, f"{key}.{lang}", "missing (German and English required)")
            )
    return out


ITEM_KEYS = {"id", "text", "explanation", "working_group", "cornerstone"}


def _item(
    raw: Any,
    cornerstone: str,
    key: str,
    shown: str,
    groups: dict[str, Any],
    problems: list[Problem],
    source: str,
) -> Item | None:
    if not isinstance(raw, dict):
        problems.append(Problem(shown, key, "must be a table"))
        return None
    for extra in sorted(set(raw) - ITEM_KEYS):
        problems.append(Problem(shown, f"{key}.{extra}", "unknown key"))
    iid = raw.get("id")
    if not isinstance(iid, str) or not ID_PATTERN.match(iid):
        problems.append(
            Problem(shown, f"{key}.id", "must be 2-60 lowercase letters, digits or '_'")
        )
        return None
    key = f"{key}[{iid}]"
    text = _texts(raw.get("text"), shown, f"{key}.text", problems)
    explanation = _texts(raw.get("explanation"), shown, f"{key}.explanation", problems)
    group = raw.get("working_group")
    if group is not None and group not in groups:
        problems.append(Problem(shown, f"{key}.working_group", f"unknown working group {group!r}"))
        group = None
    if not text or not explanation:
        return None
    return Item(iid, cornerstone, text, explanation, group, source)


@dataclass
class _Parsed:
    version: str = ""
    groups: dict[str, dict[str, str]] = field(default_factory=dict)
    caf: dict[str, tuple[dict[str, str], ...]] = field(default_factory=dict)
    titles: dict[str, dict[str, str]] = field(default_factory=dict)
    areas: dict[str, dict[str, str]] = field(default_factory=dict)
    items: dict[str, list[Item]] = field(default_factory=dict)


def parse_main(path: Path, shown: str) -> tuple[_Parsed, list[Problem]]:
    raw, problems = _read_toml(path, shown)
    out = _Parsed(items={c: [] for c in CORNERSTONE_IDS})
    if problems:
        return out, problems
    for key in sorted(set(raw) - {"version", "working_groups", "work_areas", "cornerstones"}):
        problems.append(Problem(shown, key, "unknown key"))
    version = raw.get("version")
    if not isinstance(version, str) or not re.match(r"^[A-Za-z0-9._]{1,20}$", version):
        problems.append(Problem(shown, "version", 'must be a short version text like "2025.1"'))
    else:
        out.version = version
    groups = raw.get("working_groups", {})
    if not isinstance(groups, dict):
        problems.append(Problem(shown, "working_groups", "must be a table"))
        groups = {}
    for gid, titles in groups.items():
        out.groups[gid] = _texts(titles, shown, f"working_groups.{gid}", problems)
    areas = raw.get("work_areas", {})
    if not isinstance(areas, dict):
        problems.append(Problem(shown, "work_areas", "must be a table of names per language"))
        areas = {}
    for name, texts in areas.items():
        if not isinstance(texts, dict) or not all(
            isinstance(t, str) and t.strip() for t in texts.values()
        ):
            problems.append(
                Problem(shown, f"work_areas.{name}", "must be a table {en = ..., ar = ...}")
            )
            continue
        out.areas[name] = {lang: text.strip() for lang, text in texts.items()}
    seen: set[str] = set()
    cornerstones = raw.get("cornerstones")
    if not isinstance(cornerstones, list):
        problems.append(Problem(shown, "cornerstones", "missing: define [[cornerstones]]"))
        return out, problems
    for n, cs in enumerate(cornerstones):
        key = f"cornerstones[{n}]"
        cid = cs.get("id") if isinstance(cs, dict) else None
        if cid not in CORNERSTONE_IDS:
            problems.append(
                Problem(shown, f"{key}.id", f"must be one of {', '.join(CORNERSTONE_IDS)}")
            )
            continue
        if cid in seen:
            problems.append(Problem(shown, f"{key}.id", f"cornerstone {cid!r} defined twice"))
            continue
        seen.add(cid)
        for extra in sorted(set(cs) - {"id", "title", "caf", "items"}):
            problems.append(Problem(shown, f"{key}.{extra}", "unknown key"))
        if "title" in cs:
            out.titles[cid] = _texts(cs["title"], shown, f"{key}.title", problems)
        caf = []
        for m, entry in enumerate(cs.get("caf", [])):
            ckey = f"{key}.caf[{m}]"
            if not isinstance(entry, dict) or not re.match(r"^\d\.\d$", str(entry.get("id", ""))):
                problems.append(Problem(shown, ckey, 'needs id = "<criterion>.<sub>", de, en'))
                continue
            titles = _texts({k: v for k, v in entry.items() if k != "id"}, shown, ckey, problems)
            caf.append({"id": entry["id"], **titles})
        out.caf[cid] = tuple(caf)
        items = cs.get("items", [])
        if not isinstance(items, list) or not items:
            problems.append(
                Problem(shown, f"{key}.items", "no items: define [[cornerstones.items]]")
            )
            continue
        for m, raw_item in enumerate(items):
            item = _item(raw_item, cid, f"{key}.items[{m}]", shown, out.groups, problems, NAME)
            if item is not None:
                out.items[cid].append(item)
    for cid in CORNERSTONE_IDS:
        if cid not in seen:
            problems.append(Problem(shown, "cornerstones", f"cornerstone {cid!r} is missing"))
    return out, problems


def parse_local(
    path: Path, shown: str, groups: dict[str, Any]
) -> tuple[list[Item], list[str], list[Problem]]:
    """``local.toml``: ``hide = [ids]`` and ``[[items]]`` each with a ``cornerstone``."""
    raw, problems = _read_toml(path, shown)
    if problems:
        return [], [], problems
    for key in sorted(set(raw) - {"hide", "items"}):
        problems.append(Problem(shown, key, "unknown key (allowed: hide, items)"))
    hide = raw.get("hide", [])
    if not isinstance(hide, list) or not all(isinstance(h, str) for h in hide):
        problems.append(Problem(shown, "hide", "must be a list of item ids"))
        hide = []
    added: list[Item] = []
    for n, raw_item in enumerate(raw.get("items", [])):
        key = f"items[{n}]"
        cid = raw_item.get("cornerstone") if isinstance(raw_item, dict) else None
        if cid not in CORNERSTONE_IDS:
            problems.append(
                Problem(shown, f"{key}.cornerstone", f"must be one of {', '.join(CORNERSTONE_IDS)}")
            )
            continue
        item = _item(raw_item, cid, key, shown, groups, problems, "local")
        if item is not None:
            added.append(item)
    return added, hide, problems


def _in_language(lang: str, dirs: tuple[Path, ...], value: Any) -> str:
    previous = i18n.current_language()
    token = i18n.activate(lang, dirs)
    try:
        return str(value)
    finally:
        i18n._current.reset(token)
        i18n._current_lang.set(previous)


def _plugin_items(instance: Instance, problems: list[Problem]) -> list[Item]:
    dirs = (i18n.CORE_LOCALE_DIR, *instance.plugins.locale_dirs())
    found = []
    for plugin, items in instance.plugins.call_each(
        "selfassessment_items", instance=instance
    ).items():
        for item in items or []:
            key = f"selfassessment_items[{getattr(item, 'id', '?')}]"
            if item.cornerstone not in CORNERSTONE_IDS or not ID_PATTERN.match(item.id):
                problems.append(
                    Problem(f"plugin {plugin}", key, "unknown cornerstone or invalid item id")
                )
                continue
            text = {lang: _in_language(lang, dirs, item.text) for lang in REQUIRED_LANGUAGES}
            explanation = {
                lang: _in_language(lang, dirs, item.explanation or item.text)
                for lang in REQUIRED_LANGUAGES
            }
            found.append(
                Item(item.id, item.cornerstone, text, explanation, None, f"plugin:{plugin}")
            )
    return found


def content_hash(cornerstones: tuple[Cornerstone, ...]) -> str:
    canon = json.dumps(
        [[c.id, [[i.id, i.text.get("de", "")] for i in c.items]] for c in cornerstones],
        ensure_ascii=False,
    )
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()[:10]


def assemble(instance: Instance) -> tuple[Questionnaire, list[Problem]]:
    """The instance's current questionnaire and every problem found in its sources."""
    root = Path(instance.root)
    main_path = instance.content_path(NAME, FILE)
    parsed, problems = parse_main(main_path, _shown(main_path, root))
    items = {cid: list(v) for cid, v in parsed.items.items()}
    for item in _plugin_items(instance, problems):
        items[item.cornerstone].append(item)
    local_path = root / "content" / NAME / LOCAL_FILE
    hidden: list[str] = []
    if local_path.is_file():
        added, hidden, local_problems = parse_local(
            local_path, _shown(local_path, root), parsed.groups
        )
        problems += local_problems
        for item in added:
            items[item.cornerstone].append(item)
        known = {i.id for v in items.values() for i in v}
        for hid in hidden:
            if hid not in known:
                problems.append(
                    Problem(_shown(local_path, root), "hide", f"unknown item id {hid!r}")
                )
    seen: set[str] = set()
    for cid in CORNERSTONE_IDS:
        unique = []
        for item in items[cid]:
            if item.id in seen:
                problems.append(
                    Problem(
                        _shown(main_path, root) if item.source == NAME else item.source,
                        item.id,
                        "item id used twice",
                    )
                )
                continue
            seen.add(item.id)
            if item.id not in hidden:
                unique.append(item)
        items[cid] = unique
        if not unique:
            problems.append(Problem(_shown(main_path, root), cid, "cornerstone has no items left"))
    titles = {c.id: c.title for c in CORNERSTONES}
    dirs = (i18n.CORE_LOCALE_DIR, *instance.plugins.locale_dirs())
    cornerstones = tuple(
        Cornerstone(
            cid,
            # The content file's titles (every language it has), else the toolkit's.
            parsed.titles.get(cid)
            or {lang: _in_language(lang, dirs, titles[cid]) for lang in REQUIRED_LANGUAGES},
            parsed.caf.get(cid, ()),
            tuple(items[cid]),
        )
        for cid in CORNERSTONE_IDS
    )
    version = f"{parsed.version or '0'}-{content_hash(cornerstones)}"
    settings = instance.plugin_settings(NAME)
    areas = tuple(settings.work_areas) if settings.ask_work_area else ()
    return Questionnaire(version, cornerstones, parsed.groups, areas, parsed.areas), problems


_cache: weakref.WeakKeyDictionary[Any, tuple[tuple[Any, ...], Questionnaire]] = (
    weakref.WeakKeyDictionary()
)


def _stamp(instance: Instance) -> tuple[Any, ...]:
    paths = [
        instance.content_path(NAME, FILE),
        Path(instance.root) / "content" / NAME / LOCAL_FILE,
    ]
    return tuple(p.stat().st_mtime_ns if p.exists() else None for p in paths)


def current(instance: Instance) -> Questionnaire:
    """The assembled questionnaire, cached until a content file changes."""
    stamp = _stamp(instance)
    hit = _cache.get(instance)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    questionnaire, _problems = assemble(instance)
    _cache[instance] = (stamp, questionnaire)
    return questionnaire
