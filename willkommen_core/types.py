"""Value types exchanged through the hooks (see :mod:`willkommen_core.hookspecs`)."""

from __future__ import annotations

from collections.abc import Callable
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
    audit_events: dict[str, Any] = field(default_factory=dict)
    """Events the module writes to the audit log, ``{"<module>.<event>": label}``
    (hook API 1.2); the core refuses any other event name."""


@dataclass(frozen=True)
class PluginStorage:
    """A plugin's tables and the folder of its Alembic revisions (hook ``storage``)."""

    metadata: MetaData
    migrations: Path
    seed: Callable[[Any], None] | None = None
    """Copies shipped content into the tables, called with the instance after every
    ``db upgrade`` (so never on a page's read path); must do nothing when already
    done. Added in hook API 1.2."""


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


@dataclass(frozen=True)
class CustomerLink:
    """A page a module offers to customers for other modules to point at (hook
    ``customer_links``): the signs print it as a QR code with its caption, the
    first-information and start pages link it."""

    path: str
    """Path inside the instance, e.g. ``/kundenbefragung/``; the caller makes it
    absolute (signs) or relative to the prefix (pages)."""
    title: str
    """Short caption in the requested language, e.g. "Wie war Ihr Besuch?"."""
    language: str = "de"
    """Language of ``title`` (a fallback is marked with its own ``lang``)."""
    places: frozenset[str] = frozenset({"signs", "pages"})
    """Where it belongs: ``signs`` (printed), ``pages`` (first information, start page)."""


@dataclass(frozen=True)
class CustomerService:
    """A service the authority offers customers, as another module names it (hook
    ``customer_services``): e.g. residence permits at counter 1.14."""

    id: str
    """Stable across languages, e.g. ``aufenthalt``."""
    title: str
    """In the requested language where the module has it."""
    language: str = "de"
    """Language of ``title``."""


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


@dataclass(frozen=True)
class StateCell:
    """One figure of a module's own table in the state report; a suppressed figure
    has no value and is shown as "unterdrückt"."""

    value: float | int | str | None
    suppressed: bool = False


@dataclass
class StateTable:
    """A module's own comparison table in the state report: this authority's row.

    Rows of all authorities with the same ``key`` form one table (one row per
    authority), e.g. customer feedback per quarter. The module has already applied
    its disclosure control: the core shows exactly these cells.
    """

    key: str
    """Stable and unique across modules, e.g. ``kundenbefragung.2026-Q3``."""
    title: str
    """Caption of the table, in the report's language."""
    columns: list[str]
    cells: list[StateCell]
    """One per column."""
    note: str = ""
    """A sentence under the table (what the figures mean, what was suppressed)."""

    def __post_init__(self) -> None:
        if len(self.cells) != len(self.columns):
            raise ValueError(
                f"state table {self.key!r}: {len(self.cells)} cells for {len(self.columns)} columns"
            )


@dataclass
class StateFigures:
    """What a module's section of a signed summary contributes to the state report
    (hook ``read_state_summary``): cornerstone scores per round, a process phase,
    and tables of the module's own (added in hook API 1.2)."""

    rounds: list[CornerstoneRound] = field(default_factory=list)
    phase: ProcessPhase | None = None
    tables: list[StateTable] = field(default_factory=list)
