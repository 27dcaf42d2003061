"""CSV exports that open safely in spreadsheet programs.

Every CSV the toolkit writes goes through :func:`write_csv` (or :func:`csv_text`),
so no cell can carry a live formula (CSV injection), whatever the export's
delimiter and encoding.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TextIO

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
