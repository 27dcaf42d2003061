"""CSV and XLSX exports that open safely in spreadsheet programs.

Every CSV the toolkit writes goes through :func:`write_csv` (or :func:`csv_text`),
every XLSX through :func:`xlsx_bytes`, so no cell can carry a live formula (CSV
injection), whatever the export's delimiter and encoding: text is neutralised
by :func:`spreadsheet_safe` in both, and an XLSX text cell is always stored as
text, never as a formula.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TextIO

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
"""What makes a spreadsheet read a cell as a formula (with the full-width forms some convert)."""
_SKIPPED = " \u00a0\"'"
"""Spreadsheets may drop leading spaces and quotes before they look for a formula."""


def spreadsheet_safe(value: object) -> str:
    """The cell text of ``value``; text a spreadsheet could run as a formula gets a leading
    apostrophe. Numbers stay numbers: ``-3`` is a negative number, not a formula."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal):
        return str(value)
    text = str(value)
    return "'" + text if text.lstrip(_SKIPPED).startswith(_FORMULA_START) else text


def from_spreadsheet_safe(text: str) -> str:
    """The text :func:`spreadsheet_safe` neutralised, for an import of the toolkit's own
    exports (a partner's phone ``+49 ...`` comes back without the apostrophe)."""
    if text.startswith("'") and spreadsheet_safe(text[1:]) == text:
        return text[1:]
    return text


def write_csv(
    out: TextIO,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    delimiter: str = ";",
    bom: bool = True,
    lineterminator: str = "\r\n",
) -> None:
    """Write a CSV with every cell passed through :func:`spreadsheet_safe`.

    The default (``;``, UTF-8 byte order mark, CRLF) is what German spreadsheet
    programs open as-is; files read by scripts keep their own dialect.
    """
    if bom:
        out.write("\ufeff")
    writer = csv.writer(out, delimiter=delimiter, lineterminator=lineterminator)
    writer.writerow([spreadsheet_safe(cell) for cell in header])
    writer.writerows([spreadsheet_safe(cell) for cell in row] for row in rows)


def csv_text(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    delimiter: str = ";",
    bom: bool = True,
    lineterminator: str = "\r\n",
) -> str:
    """:func:`write_csv` into a string."""
    out = io.StringIO()
    write_csv(out, header, rows, delimiter=delimiter, bom=bom, lineterminator=lineterminator)
    return out.getvalue()


# -- XLSX ------------------------------------------------------------------------------

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SHEET_TITLE_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", "-"))
_MAX_COLUMN_WIDTH = 60
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
"""Control characters XML 1.0 cannot hold (openpyxl refuses them)."""


@dataclass(frozen=True)
class Sheet:
    """One worksheet: a header row and data rows (frozen header, filter on the columns)."""

    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[object]]
    note: str = ""
    """A line above the table (e.g. how suppression works); empty: none."""


def xlsx_value(value: object) -> object:
    """The value a cell holds: numbers, truth values and dates stay what they are (an
    office suite sums, filters and sorts them), everything else is text as
    :func:`spreadsheet_safe` gives it."""
    if value is None or value == "":
        return None  # an empty cell, not an empty text
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, int | float | date | datetime):
        return value
    return _ILLEGAL.sub("", spreadsheet_safe(value))


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """The workbook of ``sheets``; every text cell stored as text (never a formula)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for sheet in sheets:
        ws: Any = book.create_sheet(_sheet_title(sheet.title))
        widths = [len(str(h)) for h in sheet.header]
        for row in sheet.rows:
            for i, value in enumerate(row[: len(widths)]):
                widths[i] = max(widths[i], min(len(str(value or "")), _MAX_COLUMN_WIDTH))
        for i, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width + 2
        first = 1
        if sheet.note:
            ws.append([_cell(ws, WriteOnlyCell, sheet.note)])
            first = 2
        ws.freeze_panes = f"A{first + 1}"
        header = []
        for title in sheet.header:
            cell = _cell(ws, WriteOnlyCell, title)
            cell.font = bold
            header.append(cell)
        ws.append(header)
        for row in sheet.rows:
            ws.append([_cell(ws, WriteOnlyCell, value) for value in row])
        if sheet.header:
            last = get_column_letter(len(sheet.header))
            ws.auto_filter.ref = f"A{first}:{last}{first + len(sheet.rows)}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(ws: Any, cell_class: Any, value: object) -> Any:
    shown = xlsx_value(value)
    cell = cell_class(ws, value=shown)
    if isinstance(shown, str):
        cell.data_type = "s"  # openpyxl would otherwise store "=..." as a formula
    return cell


def _sheet_title(title: str) -> str:
    return title.translate(_SHEET_TITLE_FORBIDDEN).strip("'")[:31] or "-"
