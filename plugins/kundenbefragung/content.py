"""The survey's content: questions, services and texts in every customer language.

Shipped as ``modules/kundenbefragung/survey.toml``; an instance replaces it with
``content/kundenbefragung/survey.toml`` or adapts it with
``content/kundenbefragung/local.toml`` (``hide``, ``services``, ``[texts.<lang>...]``
merged over the shipped texts). German is the reference: every other language
must carry every text of it (``willkommen check`` names each missing one); at
run time a missing text falls back to German, marked with its own ``lang``.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from willkommen_core.domain import CORNERSTONE_IDS
from willkommen_core.errors import Problem

if TYPE_CHECKING:
    from willkommen_core.instance import Instance

MODULE = "kundenbefragung"
SURVEY_FILE = "survey.toml"
LOCAL_FILE = "local.toml"
PLAIN_GERMAN = "de-x-ls"
"""German in plain language (Leichte Sprache), offered in every instance."""
RTL_LANGUAGES = frozenset({"ar", "fa", "ps"})
KINDS = ("rating", "wait", "service")
OVERALL = "gesamt"
"""The overall question's "cornerstone": not one of the five, shown beside them."""
CORNERSTONES = (*CORNERSTONE_IDS, OVERALL)
MAX_QUESTIONS = 8
SCALE = (5, 4, 3, 2, 1)
WAIT_BANDS = (1, 2, 3, 4, 5)
LABELS = (
    "kiosk_pause",
    "skip",
    "title",
    "intro",
    "privacy",
    "language",
    "submit",
    "thanks",
    "kiosk_again",
    "comment_label",
    "comment_warning",
    "too_many",
    "not_a_kiosk",
    "empty",
    "no_answer",
    "scan",
)


@dataclass(frozen=True)
class Question:
    id: str
    kind: str
    cornerstone: str = ""


@dataclass(frozen=True)
class Text:
    """A text with the language it is actually in (a German fallback says so)."""

    text: str
    lang: str

    @property
    def html_lang(self) -> str:
        return html_lang(self.lang)

    def __str__(self) -> str:
        return self.text


@dataclass
class Survey:
    version: str
    questions: tuple[Question, ...]
    services: tuple[str, ...]
    texts: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.texts)

    @property
    def ratings(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.kind == "rating")

    def question(self, qid: str) -> Question | None:
        return next((q for q in self.questions if q.id == qid), None)

    def has(self, kind: str) -> bool:
        return any(q.kind == kind for q in self.questions)

    def text(self, lang: str, *path: str) -> Text:
        """The text at ``path`` (e.g. ``"questions", "gesamt"``) in ``lang``, else German."""
        for code in (lang, "de"):
            node: Any = self.texts.get(code, {})
            for part in path:
                node = node.get(part) if isinstance(node, dict) else None
            if isinstance(node, str) and node.strip():
                return Text(node, code)
        return Text(path[-1], "de")

    def label(self, lang: str, key: str) -> Text:
        return self.text(lang, key)


def html_lang(lang: str) -> str:
    """The value of an HTML ``lang`` attribute: plain language is German."""
    return "de" if lang == PLAIN_GERMAN else lang


def direction(lang: str) -> str:
    return "rtl" if lang in RTL_LANGUAGES else "ltr"


def native(lang: str) -> str:
    """The language's own name (plain language by its German name)."""
    if lang == PLAIN_GERMAN:
        return "Leichte Sprache"
    from willkommen_core.i18n import native_name

    return native_name(lang)


def offered_languages(instance: Instance, survey: Survey) -> list[str]:
    """The instance's customer languages the survey has texts for, then Leichte Sprache."""
    found = [c for c in instance.settings.languages if c in survey.texts]
    return [*found, PLAIN_GERMAN] if PLAIN_GERMAN in survey.texts else found


# -- reading -------------------------------------------------------------------------


def _shown(path: Path, instance: Instance) -> str:
    try:
        return str(path.relative_to(instance.root))
    except ValueError:
        return f"modules/{MODULE}/{path.name}"


def _read(path: Path, shown: str, problems: list[Problem]) -> dict[str, Any]:
    """The file's content (not to be changed: it is shared while the file is unchanged)."""
    try:
        stat = path.stat()
        return _parsed(path, stat.st_mtime_ns, stat.st_size)
    except FileNotFoundError:
        problems.append(Problem(shown, "", "file not found"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        problems.append(Problem(shown, "", f"invalid TOML: {exc}"))
    return {}


@functools.lru_cache(maxsize=64)
def _parsed(path: Path, _mtime_ns: int, _size: int) -> dict[str, Any]:
    """Parsed once per version of the file: every survey page reads the survey."""
    return tomllib.loads(path.read_text(encoding="utf-8"))


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _questions(raw: Any, shown: str, problems: list[Problem]) -> list[Question]:
    found: list[Question] = []
    if not isinstance(raw, list) or not raw:
        problems.append(Problem(shown, "questions", "must list at least one question"))
        return found
    for n, entry in enumerate(raw):
        key = f"questions[{n}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            problems.append(Problem(shown, key, "needs an id"))
            continue
        qid, kind = entry["id"], entry.get("kind")
        if kind not in KINDS:
            problems.append(Problem(shown, f"{key}.kind", f"must be one of {', '.join(KINDS)}"))
            continue
        cornerstone = str(entry.get("cornerstone", ""))
        if kind == "rating" and cornerstone not in CORNERSTONES:
            problems.append(
                Problem(
                    shown,
                    f"{key}.cornerstone",
                    f"unknown cornerstone {cornerstone!r} (known: {', '.join(CORNERSTONES)})",
                )
            )
            continue
        if any(q.id == qid for q in found):
            problems.append(Problem(shown, f"{key}.id", f"question id {qid!r} appears twice"))
            continue
        found.append(Question(qid, kind, cornerstone if kind == "rating" else ""))
    for kind in ("wait", "service"):
        if sum(q.kind == kind for q in found) > 1:
            problems.append(Problem(shown, "questions", f"more than one question of kind {kind}"))
    return found


def _text_problems(survey: Survey, shown: str) -> list[Problem]:
    """Every text German has that another language lacks."""
    reference = survey.texts.get("de", {})
    wanted: list[tuple[str, ...]] = [(k,) for k in LABELS]
    wanted += [("questions", q.id) for q in survey.questions]
    wanted += [("scale", str(v)) for v in SCALE] + [("scale", "none")]
    if survey.has("wait"):
        wanted += [("wait", str(b)) for b in WAIT_BANDS]
    wanted += [("services", s) for s in survey.services]
    problems = []
    for lang, texts in survey.texts.items():
        for path in wanted:
            node: Any = texts
            for part in path:
                node = node.get(part) if isinstance(node, dict) else None
            if not (isinstance(node, str) and node.strip()):
                what = "missing" if lang != "de" else "missing in the reference language"
                problems.append(Problem(shown, f"texts.{lang}.{'.'.join(path)}", what))
    if not reference:
        problems.append(Problem(shown, "texts.de", "German texts are required"))
    return problems


def load(instance: Instance, *, allow_comment: bool = False) -> tuple[Survey, list[Problem]]:
    """The survey as this instance shows it, and what is wrong with its content."""
    problems: list[Problem] = []
    path = instance.content_path(MODULE, SURVEY_FILE)
    shown = _shown(path, instance)
    data = _read(path, shown, problems)
    local_path = instance.root / "content" / MODULE / LOCAL_FILE
    hidden: list[str] = []
    local_services = False
    if local_path.is_file():
        local_shown = _shown(local_path, instance)
        local = _read(local_path, local_shown, problems)
        hide = local.get("hide", [])
        if not isinstance(hide, list) or not all(isinstance(h, str) for h in hide):
            problems.append(Problem(local_shown, "hide", "must be a list of question ids"))
        else:
            hidden = hide
        local_services = "services" in local
        data = _merge(data, {k: v for k, v in local.items() if k != "hide"})
    questions = _questions(data.get("questions"), shown, problems)
    for qid in hidden:
        if not any(q.id == qid for q in questions):
            problems.append(
                Problem(
                    "content/kundenbefragung/local.toml", "hide", f"unknown question id {qid!r}"
                )
            )
    questions = [q for q in questions if q.id not in hidden]
    services = data.get("services", [])
    if not isinstance(services, list) or not all(isinstance(s, str) for s in services):
        problems.append(Problem(shown, "services", "must be a list of service ids"))
        services = []
    if any(q.kind == "service" for q in questions) and not services:
        problems.append(Problem(shown, "services", "the service question needs services"))
    count = len(questions) + (1 if allow_comment else 0)
    if count > MAX_QUESTIONS:
        problems.append(
            Problem(
                shown,
                "questions",
                f"{count} questions (with the comment field): at most {MAX_QUESTIONS}, "
                "about a minute",
            )
        )
    texts = data.get("texts", {})
    if not isinstance(texts, dict):
        problems.append(Problem(shown, "texts", "must be a table of languages"))
        texts = {}
    survey = Survey(
        str(data.get("version", "1")),
        tuple(questions),
        tuple(services),
        {k: v for k, v in texts.items() if isinstance(v, dict)},
    )
    problems += _text_problems(survey, shown)
    if survey.has("service") and not local_services:
        survey = _with_offered_services(instance, survey)
    return survey, problems


def _with_offered_services(instance: Instance, survey: Survey) -> Survey:
    """The authority's own services, where a module keeps them (hook
    ``customer_services``, e.g. the signage's), before this file's extra choices
    ("something else"); titles in each language unless this survey words one itself.
    The instance's ``local.toml`` with ``services`` keeps its own list."""
    offered: dict[str, dict[str, str]] = {}
    for lang in survey.languages:
        for service in instance.plugins.call_list(
            "customer_services", instance=instance, language=lang
        ):
            titles = offered.setdefault(service.id, {})
            if service.language == lang:
                titles[lang] = service.title
    if not offered:
        return survey
    texts = {lang: dict(t) for lang, t in survey.texts.items()}
    for lang, t in texts.items():
        own = dict(t.get("services") or {})
        for sid, titles in offered.items():
            if not own.get(sid) and titles.get(lang):
                own[sid] = titles[lang]
        t["services"] = own
    extra = tuple(s for s in survey.services if s not in offered)
    return Survey(survey.version, survey.questions, (*offered, *extra), texts)


def current(instance: Instance) -> Survey:
    from .settings import settings_of

    return load(instance, allow_comment=settings_of(instance).allow_comment)[0]
