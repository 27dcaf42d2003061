"""A round's results as an XLSX workbook, for office suites.

The rows are the CSV's (:func:`.summary.export_rows`, read from the round's
one disclosure release), in the same order and columns, with readable
headings and the text of each item or cornerstone added at the end: the
workbook never holds a figure the CSV and the pages suppress. Comments are
not exported (as in the CSV).
"""

from __future__ import annotations

from typing import Any

from willkommen_core.exports import Sheet, xlsx_bytes
from willkommen_core.i18n import current_language
from willkommen_core.i18n import gettext as _

from . import store
from .results import RoundResults
from .summary import CSV_FIELDS, export_rows


def headings() -> dict[str, str]:
    """Readable headings of the CSV's fields (the CSV keeps its field names for scripts)."""
    return {
        "perspective": _("Perspektive"),
        "area": _("Arbeitsbereich"),
        "responses": _("Teilnahmen"),
        "level": _("Ebene"),
        "cornerstone": _("Eckpunkt"),
        "id": _("Kennung"),
        "suppressed": _("unterdrückt"),
        "n": _("Antworten"),
        "mean": _("Mittelwert"),
        **{f"count_{v}": _("Anzahl %(v)s", v=v) for v in range(1, 6)},
        "dont_know": _("kann ich nicht beurteilen"),
    }


def suppression_note(min_size: int) -> str:
    return _(
        "Gruppen mit weniger als %(k)s Antworten werden unterdrückt, auch dort, wo sie "
        "sich durch Abziehen ergeben würden: ihre Zellen bleiben leer.",
        k=min_size,
    )


def sheet_rows(res: RoundResults) -> list[list[Any]]:
    """The CSV's rows with the item's or cornerstone's text as a last column."""
    lang = current_language()
    q = res.questionnaire
    texts = {c.id: c.label(lang) for c in q.cornerstones}
    texts.update({iid: item.label(lang) for iid, item in q.items.items()})
    return [[row[f] for f in CSV_FIELDS] + [texts.get(row["id"], "")] for row in export_rows(res)]


def export_xlsx(rnd: store.Round, res: RoundResults, authority: str) -> bytes:
    note = f"{authority} – {rnd.title}. {suppression_note(res.min_size)}"
    names = headings()
    sheet = Sheet(
        _("Ergebnisse"),
        [names[f] for f in CSV_FIELDS] + [_("Text")],
        sheet_rows(res),
        note=note,
    )
    return xlsx_bytes([sheet])
