"""Value types exchanged through the hooks (see :mod:`willkommen_core.hookspecs`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData


@dataclass(frozen=True)
class ModuleInfo:
    """What a plugin says about itself (hook ``module_info``)."""

    title: Any  # str or lazy translatable string
    summary: Any = ""
    cornerstones: tuple[str, ...] = ()
    nav_path: str | None = None
    """Path of its navigation entry, e.g. ``"/partner/"``; ``None``: no entry."""
    nav_roles: tuple[str, ...] | None = None
    """Roles that see the entry; ``None``: everyone who is logged in."""
    public_path: str | None = None
    """Path of a page for customers, linked in the public navigation."""
    public_title: Any = None
    hook_api: str = ">=1.0,<2"
    """Range of :data:`~willkommen_core.hookspecs.HOOK_API_VERSION` supported."""


@dataclass(frozen=True)
class PluginStorage:
    """A plugin's tables and the folder of its Alembic revisions (hook ``storage``)."""

    metadata: MetaData
    migrations: Path


@dataclass(frozen=True)
class Card:
    """A card on the start page (hook ``dashboard_cards``)."""

    title: Any
    body: Any
    href: str | None = None
    link_text: Any = None


@dataclass(frozen=True)
class AssessmentItem:
    """A self-assessment question contributed by a plugin."""

    id: str
    cornerstone: str
    text: Any
    explanation: Any = ""


@dataclass(frozen=True)
class AssessmentResult:
    """Means per cornerstone (1..5) of a self-assessment result; suppressed ones absent."""

    means: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Recommendation:
    """A measure a plugin proposes from a self-assessment result."""

    cornerstone: str
    title: Any
    reason: Any
    href: str | None = None


@dataclass(frozen=True)
class NetworkContact:
    """A network partner as other modules see it (hook ``network_directory``)."""

    id: int
    name: str
    street: str = ""
    postcode: str = ""
    city: str = ""
    phone: str = ""
    website: str = ""
    languages: tuple[str, ...] = ()
    """Language codes the partner advises in."""
    public: bool = False
    """Marked for customers (first information, signs)."""


@dataclass
class CornerstoneCell:
    """One cornerstone of one round in the state report: mean and size, or suppressed."""

    n: int | None
    mean: float | None
    suppressed: bool


@dataclass
class CornerstoneRound:
    """A closed round of cornerstone scores (the self-assessment's, for instance)."""

    title: str
    closed_on: str
    questionnaire_version: str
    responses: int | None
    cells: dict[str, CornerstoneCell]


@dataclass
class ProcessPhase:
    """How far an authority's change process has come."""

    title: str
    index: int | None = None
    total: int | None = None
    share_done: float | None = None
    completed: bool = False


@dataclass
class StateFigures:
    """What a module's section of a signed summary contributes to the state report
    (hook ``read_state_summary``): cornerstone scores per round, a process phase."""

    rounds: list[CornerstoneRound] = field(default_factory=list)
    phase: ProcessPhase | None = None
