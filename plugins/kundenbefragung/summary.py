"""The module's part of the signed state summary, its reading for the ministry's
state report, and the aggregate exports (CSV, XLSX): all from :mod:`.results`,
so every export shows exactly what the pages may."""

from __future__ import annotations

import io
from datetime import date
from typing import TYPE_CHECKING, Any

from willkommen_core.exports import csv_text
from willkommen_core.sdk.summaries import section_version
from willkommen_core.types import StateCell, StateFigures, StateTable

from . import periods
from .content import CORNERSTONES
from .results import CHARACTERISTICS, Results, final_months, for_months

if TYPE_CHECKING:
    from willkommen_core.instance import Instance

SCHEMA_VERSION = 1
READABLE_VERSIONS = (SCHEMA_VERSION,)
QUARTERS_IN_SUMMARY = 4
SHORT_WAIT = ("1", "2")
LONG_WAIT = ("4", "5")
CORNERSTONE_TITLES = {
    "erscheinungsbild": "Erscheinungsbild",
    "binnenorganisation": "Binnenorganisation",
    "kompetenzen": "Kompetenzen",
    "zusammenarbeit": "Zusammenarbeit",
    "verankerung": "Verankerung",
    "gesamt": "Gesamteindruck",
}


def _period_entry(period: str, res: Results) -> dict[str, Any]:
    wait = res.wait()
    return {
        "period": period,
        "responses": res.size(),
        "suppressed": res.size() is None,
        "cornerstones": {c: cell.mean for c, cell in res.cornerstones().items()},
        "wait": None if wait.suppressed else wait.distribution,
        "wait_n": wait.n,
    }


def build(instance: Instance, today: date | None = None) -> dict[str, Any]:
    """Hook ``state_summary``: per complete quarter (the last four with answers
    to show) the number of answers, the cornerstone means and the waiting-time bands of the whole
    authority, each ``null`` where the disclosure layer suppresses it."""
    months = final_months(instance, today)
    entries = []
    for q in periods.complete_periods(months, "quarter"):
        entry = _period_entry(q, for_months(instance, periods.months_of(q), today=today))
        if entry["responses"] is not None:
            entries.append(entry)
    entries = entries[-QUARTERS_IN_SUMMARY:]
    return {
        "schema_version": SCHEMA_VERSION,
        "min_group_size": int(instance.settings.privacy.min_group_size),
        "quarters": entries,
    }


def _share(dist: dict[str, int] | None, n: int | None, bands: tuple[str, ...]) -> StateCell:
    if not dist or not n:
        return StateCell(None, True)
    return StateCell(round(100 * sum(dist.get(b, 0) for b in bands) / n, 1))


def read(section: Any) -> StateFigures:
    """Hook ``read_state_summary``: one table row per quarter, suppressed where it was."""
    section_version(section, READABLE_VERSIONS, "customer survey summary")
    tables = []
    shown = [c for c in CORNERSTONES if c != "verankerung"]
    columns = [
        "Antworten",
        *[f"Mittel {CORNERSTONE_TITLES[c]} (1–5)" for c in shown],
        "Wartezeit unter 30 Minuten (%)",
        "Wartezeit über 1 Stunde (%)",
    ]
    try:
        for q in section.get("quarters", []):
            period = str(q["period"])
            periods.kind_of(period)
            means = q.get("cornerstones") or {}
            cells = [StateCell(q.get("responses"), q.get("responses") is None)]
            cells += [StateCell(means.get(c), means.get(c) is None) for c in shown]
            cells += [
                _share(q.get("wait"), q.get("wait_n"), SHORT_WAIT),
                _share(q.get("wait"), q.get("wait_n"), LONG_WAIT),
            ]
            tables.append(
                StateTable(
                    f"kundenbefragung.{period}",
                    f"Kundenbefragung, {periods.label(period)}",
                    columns,
                    cells,
                    "Sicht der Kundinnen und Kunden (sehr schlecht 1 bis sehr gut 5); "
                    "unterdrückt: weniger Antworten als die Mindestgruppengröße.",
                )
            )
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise ValueError(f"customer survey quarters are malformed ({exc!r})") from exc
    return StateFigures(tables=tables)


# -- exports of aggregates ------------------------------------------------------------

EXPORT_FIELDS = [
    "period",
    "group",
    "value",
    "level",
    "id",
    "suppressed",
    "n",
    "mean",
    *[f"count_{v}" for v in range(1, 6)],
    "dont_know",
]


def export_rows(period: str, res: Results) -> list[dict[str, Any]]:
    """One row per group and question or cornerstone; suppressed values empty."""
    groups: list[tuple[str, str, dict[str, str | None]]] = [("alle", "", {})]
    for c in CHARACTERISTICS:
        groups += [(c, v, {c: v}) for v in res.values_of(c)]
    rows = []
    for group, value, filters in groups:
        cells = [("cornerstone", cid, cell) for cid, cell in res.cornerstones(**filters).items()]
        cells += [
            ("question", q.id, res.question(q.id, **filters))
            for q in res.survey.questions
            if q.kind in ("rating", "wait")
        ]
        for level, cid, cell in cells:
            dist = cell.distribution or {}
            rows.append(
                {
                    "period": period,
                    "group": group,
                    "value": value,
                    "level": level,
                    "id": cid,
                    "suppressed": cell.suppressed,
                    "n": cell.n,
                    "mean": cell.mean,
                    **{f"count_{v}": dist.get(str(v)) for v in range(1, 6)},
                    "dont_know": cell.dont_know,
                }
            )
    return rows


def export_csv(period: str, res: Results) -> str:
    rows = ([row[k] for k in EXPORT_FIELDS] for row in export_rows(period, res))
    return csv_text(EXPORT_FIELDS, rows, delimiter=",", bom=False, lineterminator="\n")


def export_xlsx(period: str, res: Results) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = f"Kundenbefragung {period}"[:31]
    sheet.append(EXPORT_FIELDS)
    for row in export_rows(period, res):
        sheet.append([_cell(row[k]) for k in EXPORT_FIELDS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula is kept as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
