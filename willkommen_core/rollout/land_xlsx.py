"""The state report as an XLSX workbook (``landesbericht.xlsx``), for the ministry's office suite.

The sheets hold exactly the rows of the report's CSV files (the caller passes
them in), with readable headings: a figure the CSV leaves empty because it is
suppressed stays empty here. A first line says whether the senders were
verified and how suppression works.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..exports import Sheet, xlsx_bytes
from ..i18n import gettext as _

XLSX_FILE = "landesbericht.xlsx"


def _headings() -> dict[str, str]:
    return {
        "authority": _("Kennung"),
        "name": _("Behörde"),
        "type": _("Art"),
        "rollout_status": _("Rollout"),
        "summary_created": _("Zusammenfassung vom"),
        "verified_by": _("Geprüft mit"),
        "process_phase": _("Phase im Veränderungsprozess"),
        "phase_index": _("Phase (Nr.)"),
        "phase_total": _("Phasen insgesamt"),
        "questionnaire_version": _("Fragebogen"),
        "round": _("Runde"),
        "round_closed_on": _("Abgeschlossen am"),
        "cornerstone": _("Eckpunkt"),
        "n": _("Antworten"),
        "mean": _("Mittelwert"),
        "suppressed": _("unterdrückt"),
        "previous_mean": _("Mittelwert der Vorrunde"),
        "change": _("Veränderung"),
        "state_average": _("Landesdurchschnitt"),
        "summary_sequence": _("Laufnummer"),
        "table": _("Tabelle"),
        "column": _("Spalte"),
        "value": _("Wert"),
    }


def _header(columns: Sequence[str]) -> list[str]:
    names = _headings()
    return [names.get(c, c) for c in columns]


def write_xlsx(
    path: Path,
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    verified: bool,
    tables: tuple[Sequence[str], Sequence[Sequence[object]]] | None = None,
) -> None:
    """Write the report's rows (and the modules' tables in long form, if any) to ``path``."""
    checked = (
        _("Jede Zusammenfassung wurde mit dem Schlüssel der Behörde aus dem Rollout geprüft.")
        if verified
        else _("Nicht geprüft: die Absender wurden nicht gegen das Register geprüft.")
    )
    note = " ".join(
        (
            checked,
            _(
                "Alle Werte sind anonym; Gruppen mit zu wenigen Antworten bleiben "
                "unterdrückt und gehen in keinen Durchschnitt ein."
            ),
        )
    )
    sheets = [Sheet(_("Landesbericht"), _header(columns), rows, note=note)]
    if tables is not None:
        sheets.append(Sheet(_("Module"), _header(tables[0]), tables[1]))
    path.write_bytes(xlsx_bytes(sheets))
