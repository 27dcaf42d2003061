"""The results report of a closed round as a PDF, rendered with typst.

For the staff meeting: the cornerstones' means as bars, the groups by
perspective and work area as a table, the recommendations, then every
statement. Every figure comes from the round's one disclosure release
(:func:`.summary.round_results`), so the PDF shows nothing the results page
suppresses; a suppressed figure is the word "unterdrückt". Comments are left
out (a handout travels further than a screen).

Fonts are the shipped Noto packages (no system fonts, nothing fetched), as
for the guidance system's signs.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from babel.dates import format_date
from babel.numbers import format_decimal

from willkommen_core.disclosure.participation import Band
from willkommen_core.domain import CORNERSTONES
from willkommen_core.i18n import current_language, text_direction
from willkommen_core.i18n import gettext as _

from . import store
from .recommend import collect
from .results import RoundResults, Stats
from .xlsx import suppression_note

if TYPE_CHECKING:
    from willkommen_core.instance import Instance

HERE = Path(__file__).parent / "typst"
TEMPLATE = HERE / "report.typ"
MEDIA_TYPE = "application/pdf"


@lru_cache(maxsize=1)
def _fonts() -> Any:
    import fontpkg
    import typst

    folders = [str(fontpkg.path(name).parent) for name in ("Noto Sans", "Noto Sans Arabic")]
    return typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=folders)


def _mean(value: float | None) -> str:
    return "" if value is None else format_decimal(value, format="0.0", locale=current_language())


def _count(n: int | None, minimum: int) -> str:
    return str(n) if n is not None else Band(0, minimum).label()


def _bar(label: str, cell: Stats) -> dict[str, Any]:
    value = None if cell.suppressed else cell.mean
    return {
        "label": label,
        "value": value,
        "shown": _mean(value),
        "n": "" if cell.suppressed or cell.n is None else str(cell.n),
    }


def _labels() -> dict[str, str]:
    return {
        "overview": _("Überblick über die fünf Eckpunkte"),
        "cornerstone": _("Eckpunkt"),
        "mean": _("Mittelwert"),
        "answers": _("Antworten"),
        "groups": _("Nach Perspektive und Arbeitsbereich"),
        "group": _("Gruppe"),
        "responses": _("Teilnahmen"),
        "recommendations": _("Empfehlungen"),
        "statement": _("Aussage"),
        "dont_know": _("kann ich nicht beurteilen"),
        "suppressed": _("unterdrückt"),
        "page": _("Seite"),
    }


def report_data(
    instance: Instance, rnd: store.Round, res: RoundResults, perspective_labels: dict[str, Any]
) -> dict[str, Any]:
    """Everything the template prints, as plain JSON (text, numbers, null for suppressed)."""
    lang = current_language()
    q = res.questionnaire
    total = res.total
    minimum = res.min_size
    notes = [
        _("%(n)s Teilnahmen; Fragebogen %(v)s.", n=_count(total.responses, minimum), v=q.version)
        + " "
        + suppression_note(minimum)
    ]
    if not res.breakdown:
        notes.append(
            _(
                "Diese Runde lief mit einem gemeinsamen Code, mit dem eine Person mehrmals "
                "antworten kann. Ergebnisse gibt es darum nur für die ganze Behörde, nicht "
                "nach Perspektive oder Arbeitsbereich."
            )
        )
    if total.suppressed:
        notes.append(
            _(
                "Diese Gruppe ist zu klein (oder ließe sich aus anderen Gruppen errechnen) "
                "und wird zum Schutz der Anonymität nicht gezeigt."
            )
        )
    groups: list[dict[str, Any]] = []
    for label, group in [
        *[(str(perspective_labels.get(p, p)), res.group(p, None)) for p in res.perspectives],
        *[(a or _("keine Angabe"), res.group(None, a)) for a in res.areas],
    ]:
        groups.append(
            {
                "label": label,
                "responses": _count(group.responses, minimum),
                "cells": [
                    None
                    if group.cornerstones[c.id].suppressed
                    else _mean(group.cornerstones[c.id].mean) or "–"
                    for c in q.cornerstones
                ],
            }
        )
    recommendations = [] if total.suppressed else collect(instance, total.means())
    titles = {c.id: str(c.title) for c in CORNERSTONES}
    period = " – ".join(
        format_date(d, format="medium", locale=lang)
        for d in (rnd.period_start, rnd.period_end)
        if d is not None
    )
    subtitle = ", ".join(
        x
        for x in (
            period,
            _("abgeschlossen am %(d)s", d=format_date(rnd.closed_on, format="medium", locale=lang))
            if rnd.closed_on
            else "",
        )
        if x
    )
    return {
        "title": _("Ergebnisse: %(title)s", title=rnd.title),
        "authority": str(instance.settings.authority.name),
        "subtitle": subtitle,
        "round": {"id": rnd.id, "title": rnd.title},
        "lang": lang,
        "dir": text_direction(lang),
        "labels": _labels(),
        "notes": notes,
        "overview_intro": _("Mittelwerte je Eckpunkt (1 bis 5)"),
        "overview": [_bar(c.label(lang), total.cornerstones[c.id]) for c in q.cornerstones],
        "cornerstones": [c.label(lang) for c in q.cornerstones],
        "groups_intro": _(
            "Mittelwerte je Eckpunkt; eine zu kleine Gruppe bleibt leer (»unterdrückt«)."
        ),
        "groups": groups,
        "recommendations_intro": _("Vorschläge der Module, die schwächsten Eckpunkte zuerst."),
        "recommendations": [
            {
                "title": str(r.title),
                "reason": str(r.reason),
                "cornerstone": titles.get(r.cornerstone, r.cornerstone),
            }
            for r in recommendations
        ],
        "sections": [
            {
                "title": c.label(lang),
                "items": [
                    {
                        **_bar(i.label(lang), total.items[i.id]),
                        "text": i.label(lang),
                        "dont_know": ""
                        if total.items[i.id].dont_know is None
                        else str(total.items[i.id].dont_know),
                    }
                    for i in c.items
                ],
            }
            for c in q.cornerstones
        ],
        "footer": _(
            "Erstellt am %(d)s mit dem Selbstcheck des Werkzeugkastens Willkommen.",
            d=format_date(date.today(), format="medium", locale=lang),
        ),
    }


def render_pdf(data: dict[str, Any]) -> bytes:
    """The report as PDF bytes."""
    import typst

    compiler = typst.Compiler(
        str(TEMPLATE), root=str(HERE), font_paths=_fonts(), ignore_system_fonts=True
    )
    result = compiler.compile(
        format="pdf",
        sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
        timestamp=datetime.now(UTC).replace(microsecond=0),
    )
    if not isinstance(result, bytes):  # a PDF is one document, never a list of pages
        raise RuntimeError(f"typst gave {type(result).__name__} instead of a PDF")
    return result
