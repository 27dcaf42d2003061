"""The action plan in the shape of the Magdeburg model, for files people open.

Working groups, each with its goals, measures (owner, due date, status) and
first results, then the measures without a group. The CSV keeps its measure
rows and columns as before and adds the other entries below them (column
``eintrag`` says which kind a row is); the XLSX shows the same shape with
readable headings, plus the measures as one filterable table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..domain import CORNERSTONES
from ..exports import Sheet, csv_text, xlsx_bytes
from ..i18n import gettext as _
from .service import STATUSES, Plan

CSV_COLUMNS = [
    "arbeitsgruppe",
    "massnahme",
    "beschreibung",
    "eckpunkt",
    "verantwortlich",
    "faellig",
    "status",
    "herkunft",
    # Added with the seed's shape (the columns above stay where they were).
    "eintrag",
    "ziel",
    "erstes_ergebnis",
    "erfasst_am",
]


@dataclass(frozen=True)
class Entry:
    """One line of the plan: a working group, a goal, a measure or a first result."""

    kind: str
    group: str
    text: str = ""
    description: str = ""
    cornerstones: tuple[str, ...] = ()
    owner: str = ""
    due: date | None = None
    status: str = ""
    source: str = ""
    recorded_on: date | None = None


def entries(plan: Plan) -> list[Entry]:
    """The plan in the seed's order: per working group the group, its goals, its
    measures and its first results; then the measures without a group."""
    found: list[Entry] = []
    for g in plan.groups:
        found.append(Entry("arbeitsgruppe", g.name, g.name, g.description, tuple(g.cornerstones)))
        found += [Entry("ziel", g.name, goal.text) for goal in g.goals]
        found += [_measure(g.name, m) for m in g.measures]
        found += [Entry("ergebnis", g.name, r.text, recorded_on=r.recorded_on) for r in g.results]
    found += [_measure("", m) for m in plan.ungrouped]
    return found


def _measure(group: str, m: Any) -> Entry:
    return Entry(
        "massnahme",
        group,
        m.title,
        m.description,
        (m.cornerstone,) if m.cornerstone else (),
        m.owner,
        m.due,
        m.status,
        m.source,
    )


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""


def _csv_row(**cells: object) -> list[object]:
    return [cells.get(column, "") for column in CSV_COLUMNS]


def csv_rows(plan: Plan) -> list[list[object]]:
    """The measure rows first, in the order and columns the CSV always had, then
    each working group with its goals and first results."""
    everything = entries(plan)
    rows = [
        _csv_row(
            arbeitsgruppe=e.group,
            massnahme=e.text,
            beschreibung=e.description,
            eckpunkt=",".join(e.cornerstones),
            verantwortlich=e.owner,
            faellig=_iso(e.due),
            status=e.status,
            herkunft=e.source,
            eintrag=e.kind,
        )
        for e in everything
        if e.kind == "massnahme"
    ]
    for e in everything:
        if e.kind == "arbeitsgruppe":
            rows.append(
                _csv_row(
                    arbeitsgruppe=e.group,
                    beschreibung=e.description,
                    eckpunkt=",".join(e.cornerstones),
                    eintrag=e.kind,
                )
            )
        elif e.kind == "ziel":
            rows.append(_csv_row(arbeitsgruppe=e.group, eintrag=e.kind, ziel=e.text))
        elif e.kind == "ergebnis":
            rows.append(
                _csv_row(
                    arbeitsgruppe=e.group,
                    eintrag=e.kind,
                    erstes_ergebnis=e.text,
                    erfasst_am=_iso(e.recorded_on),
                )
            )
    return rows


def export_csv(plan: Plan) -> str:
    return csv_text(CSV_COLUMNS, csv_rows(plan))


def kind_labels() -> dict[str, str]:
    return {
        "arbeitsgruppe": _("Arbeitsgruppe"),
        "ziel": _("Ziel"),
        "massnahme": _("Maßnahme"),
        "ergebnis": _("Erstes Ergebnis"),
    }


def cornerstone_label(ids: Sequence[str]) -> str:
    titles = {c.id: str(c.title) for c in CORNERSTONES}
    return ", ".join(titles.get(c, c) for c in ids)


def export_xlsx(plan: Plan, authority: str) -> bytes:
    """Two sheets: the plan in the seed's shape, and the measures as one table."""
    kinds = kind_labels()
    statuses = {k: str(v) for k, v in STATUSES.items()}
    shape = Sheet(
        _("Maßnahmenplan"),
        [
            _("Arbeitsgruppe"),
            _("Eintrag"),
            _("Text"),
            _("Beschreibung"),
            _("Eckpunkte"),
            _("Verantwortlich"),
            _("Fällig"),
            _("Status"),
            _("Erfasst am"),
        ],
        [
            [
                e.group or _("ohne Arbeitsgruppe"),
                kinds[e.kind],
                e.text,
                e.description,
                cornerstone_label(e.cornerstones),
                e.owner,
                e.due,
                statuses.get(e.status, e.status),
                e.recorded_on,
            ]
            for e in entries(plan)
        ],
        note=_(
            "Maßnahmenplan – %(authority)s, Stand %(date)s",
            authority=authority,
            date=date.today().strftime("%d.%m.%Y"),
        ),
    )
    measures = Sheet(
        _("Maßnahmen"),
        [
            _("Arbeitsgruppe"),
            _("Maßnahme"),
            _("Beschreibung"),
            _("Eckpunkt"),
            _("Verantwortlich"),
            _("Fällig"),
            _("Status"),
            _("Herkunft"),
        ],
        [
            [
                e.group,
                e.text,
                e.description,
                cornerstone_label(e.cornerstones),
                e.owner,
                e.due,
                statuses.get(e.status, e.status),
                e.source,
            ]
            for e in entries(plan)
            if e.kind == "massnahme"
        ],
    )
    return xlsx_bytes([shape, measures])
