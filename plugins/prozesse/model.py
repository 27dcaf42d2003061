"""Process templates: TOML files validated with pydantic, shipped and per instance.

A template (``modules/prozesse/templates/<id>.toml``, or an instance's
``content/prozesse/templates/<id>.toml``, which wins for the same id) holds
phases of steps timed relative to the start, and working-group templates with
goals and suggested measures. Every problem names the file, the step (or
group) and the field, so ``willkommen check`` can point at the mistake.
"""

from __future__ import annotations

import calendar
import logging
import re
import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from willkommen_core.errors import Problem
from willkommen_core.i18n import lazy_gettext as _l

if TYPE_CHECKING:
    from willkommen_core.instance import Instance

log = logging.getLogger("willkommen.prozesse")

TEMPLATES_DIR = "templates"
ID_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"
ID_RE = re.compile(ID_PATTERN)

CornerstoneId = Literal[
    "binnenorganisation", "verankerung", "kompetenzen", "zusammenarbeit", "erscheinungsbild"
]

# Who takes part in a step: the roles of the Magdeburg model process. A template
# may add its own in [participants] (id = "German title").
PARTICIPANTS: dict[str, Any] = {
    "leitung": _l("Behördenleitung"),
    "mitarbeitende": _l("alle Mitarbeitenden"),
    "prozessbegleitung": _l("externe Prozessbegleitung"),
    "arbeitsgruppen": _l("Arbeitsgruppen"),
    "personalrat": _l("Personalrat"),
    "ministerium": _l("Landesministerium"),
    "bamf": _l("Bundesamt für Migration und Flüchtlinge"),
    "oberbuergermeister": _l("Oberbürgermeister/in"),
    "landraete": _l("Landrätinnen und Landräte"),
    "integrationsbeirat": _l("Integrationsbeirat"),
    "integrationsnetzwerk": _l("Integrationsnetzwerk"),
    "migrationsdienste": _l("Migrationsdienste"),
    "auslaenderbehoerden": _l("Ausländerbehörden des Landes"),
    "landesverwaltungsamt": _l("Landesverwaltungsamt"),
    "projektbehoerden": _l("andere Projektbehörden"),
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class StepTemplate(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1, max_length=300)
    description: str = Field("", max_length=5000)
    offset_months: int = Field(0, ge=0, le=120)
    offset_weeks: int = Field(0, ge=0, le=520)
    duration_days: int = Field(1, ge=1, le=366)
    participants: list[str] = Field(default_factory=list)
    owner: str = Field("", max_length=200)
    result: str = Field("", max_length=5000)


class PhaseTemplate(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=5000)
    steps: list[StepTemplate] = Field(min_length=1)


class MeasureTemplate(_Strict):
    title: str = Field(min_length=1, max_length=300)
    description: str = Field("", max_length=5000)
    cornerstone: CornerstoneId
    due_months: int | None = Field(None, ge=0, le=120)


class GroupTemplate(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=5000)
    cornerstones: list[CornerstoneId] = Field(min_length=1)
    goals: list[str] = Field(default_factory=list)
    measures: list[MeasureTemplate] = Field(default_factory=list)

    @field_validator("goals")
    @classmethod
    def _goals_not_empty(cls, goals: list[str]) -> list[str]:
        for goal in goals:
            if not goal.strip():
                raise ValueError("a goal must be a non-empty text")
            if len(goal) > 5000:
                raise ValueError("a goal may have at most 5000 characters")
        return [g.strip() for g in goals]


class ProcessTemplate(_Strict):
    """A whole template file; its id is the file name."""

    version: str = Field(min_length=1, max_length=32)
    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=5000)
    participants: dict[str, str] = Field(default_factory=dict)
    phases: list[PhaseTemplate] = Field(min_length=1)
    groups: list[GroupTemplate] = Field(default_factory=list)

    @field_validator("participants")
    @classmethod
    def _participant_ids(cls, value: dict[str, str]) -> dict[str, str]:
        for pid, title in value.items():
            if not ID_RE.match(pid):
                raise ValueError(f"participant id {pid!r}: lowercase letters, digits and '_'")
            if not title.strip():
                raise ValueError(f"participant {pid!r}: title must be a non-empty text")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> ProcessTemplate:
        seen_phases: set[str] = set()
        seen_steps: set[str] = set()
        known = set(PARTICIPANTS) | set(self.participants)
        for phase in self.phases:
            if phase.id in seen_phases:
                raise TemplateFieldError(
                    ("phases", phase.id, "id"), f"duplicate phase id {phase.id!r}"
                )
            seen_phases.add(phase.id)
            for step in phase.steps:
                where = ("phases", phase.id, "steps", step.id)
                if step.id in seen_steps:
                    raise TemplateFieldError((*where, "id"), f"duplicate step id {step.id!r}")
                seen_steps.add(step.id)
                for pid in step.participants:
                    if pid not in known:
                        raise TemplateFieldError(
                            (*where, "participants"),
                            f"unknown participant {pid!r} (known: {', '.join(sorted(known))}; "
                            "add your own under [participants])",
                        )
        groups: set[str] = set()
        for group in self.groups:
            if group.id in groups:
                raise TemplateFieldError(
                    ("groups", group.id, "id"), f"duplicate group id {group.id!r}"
                )
            groups.add(group.id)
        return self

    def participant_title(self, pid: str) -> str:
        return self.participants.get(pid) or str(PARTICIPANTS.get(pid, pid))


class TemplateFieldError(ValueError):
    """A cross-field problem with its location spelled with ids."""

    def __init__(self, loc: tuple[str, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc
        self.message = message


@dataclass(frozen=True)
class Template:
    id: str
    source: str
    """Where it came from, for messages: ``modules/prozesse/templates/x.toml`` or the override."""
    model: ProcessTemplate

    @property
    def version(self) -> str:
        return self.model.version

    @property
    def title(self) -> str:
        return self.model.title


# -- locations in messages -------------------------------------------------------------


def _location(raw: Any, loc: tuple[Any, ...]) -> str:
    """``phases.auftakt.steps.interviews.offset_weeks``: list indices replaced by ids.

    A list entry without a usable id is named by its 1-based position.
    """
    parts: list[str] = []
    node = raw
    for part in loc:
        if isinstance(part, int) and isinstance(node, list):
            entry = node[part] if part < len(node) else None
            ident = entry.get("id") if isinstance(entry, dict) else None
            parts.append(ident if isinstance(ident, str) and ident else str(part + 1))
            node = entry
        else:
            parts.append(str(part))
            node = node.get(part) if isinstance(node, dict) else None
    return ".".join(parts)


def _messages(exc: ValidationError, raw: Any, shown: str) -> list[Problem]:
    problems: list[Problem] = []
    for error in exc.errors():
        ctx_error = (error.get("ctx") or {}).get("error")
        if isinstance(ctx_error, TemplateFieldError):
            problems.append(Problem(shown, ".".join(ctx_error.loc), ctx_error.message))
            continue
        loc = tuple(error["loc"])
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unknown field"
        elif error["type"] == "missing":
            message = "required field is missing"
        elif error["type"] == "string_pattern_mismatch":
            message = "must be lowercase letters, digits or '_' (starting with a letter, max. 64)"
        elif error["type"] == "value_error" and message.startswith("Value error, "):
            message = message.removeprefix("Value error, ")
        problems.append(Problem(shown, _location(raw, loc), message))
    return problems


def parse(path: Path, shown: str) -> tuple[Template | None, list[Problem]]:
    """Read and validate one template file; every problem names file, location and field."""
    tid = path.stem
    if not ID_RE.match(tid):
        return None, [
            Problem(shown, "", "file name must be an id: lowercase letters, digits or '_'")
        ]
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        return None, [Problem(shown, "", f"cannot read: {exc.strerror or exc}")]
    except UnicodeDecodeError:
        return None, [Problem(shown, "", "not UTF-8 encoded")]
    except tomllib.TOMLDecodeError as exc:
        return None, [Problem(shown, "", f"invalid TOML: {exc}")]
    try:
        model = ProcessTemplate.model_validate(raw)
    except ValidationError as exc:
        return None, _messages(exc, raw, shown)
    return Template(tid, shown, model), []


# -- where templates live ----------------------------------------------------------------


def shipped_dir() -> Path:
    from willkommen_core.instance import shipped_content_dir

    return shipped_content_dir() / "prozesse" / TEMPLATES_DIR


def local_dir(instance: Instance) -> Path:
    return Path(instance.root) / "content" / "prozesse" / TEMPLATES_DIR


def _files(instance: Instance) -> list[tuple[Path, str]]:
    found = [
        (p, f"modules/prozesse/{TEMPLATES_DIR}/{p.name}")
        for p in sorted(shipped_dir().glob("*.toml"))
    ]
    local = local_dir(instance)
    if local.is_dir():
        found += [
            (p, f"content/prozesse/{TEMPLATES_DIR}/{p.name}") for p in sorted(local.glob("*.toml"))
        ]
    return found


_cache: dict[tuple[str, float], tuple[Template | None, list[Problem]]] = {}


def _parse_cached(path: Path, shown: str) -> tuple[Template | None, list[Problem]]:
    try:
        key = (str(path), path.stat().st_mtime)
    except OSError:
        return parse(path, shown)
    if key not in _cache:
        _cache[key] = parse(path, shown)
    return _cache[key]


def load_all(instance: Instance) -> dict[str, Template]:
    """Every valid template by id; a valid local file overrides the shipped one.

    A broken local file leaves the shipped template of that id in effect
    (``willkommen check`` reports the file), so a typo never takes pages down.
    """
    templates: dict[str, Template] = {}
    for path, shown in _files(instance):
        template, problems = _parse_cached(path, shown)
        if template is not None:
            templates[template.id] = template
        elif problems:
            log.warning("process template %s invalid, ignoring: %s", shown, problems[0])
    return templates


def problems(instance: Instance) -> list[Problem]:
    """Problems of every template file and of the setting that picks one."""
    found: list[Problem] = []
    for path, shown in _files(instance):
        found += _parse_cached(path, shown)[1]
    chosen = instance.plugin_settings("prozesse").template
    available = load_all(instance)
    if chosen not in available:
        found.append(
            Problem(
                "willkommen.toml",
                "prozesse.template",
                f"unknown process template {chosen!r} (available: {', '.join(sorted(available)) or 'none'})",
            )
        )
    return found


# -- dates -------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """``day`` plus whole months, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def step_dates(step: StepTemplate, start: date) -> tuple[date, date | None]:
    """Planned first day and, for steps longer than a day, the last day."""
    first = add_months(start, step.offset_months) + timedelta(weeks=step.offset_weeks)
    last = first + timedelta(days=step.duration_days - 1) if step.duration_days > 1 else None
    return first, last
