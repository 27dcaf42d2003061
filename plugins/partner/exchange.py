"""CSV import/export and vCard 3.0 export of the partner list.

CSV: UTF-8 (a byte order mark is accepted and written, for spreadsheets),
delimiter ``;`` or ``,`` (detected), a header row with the column names of
:data:`COLUMNS`; only ``name`` and ``category`` are required columns. An
import validates every row first and writes nothing when any row is wrong.
A row whose name matches an existing partner (ignoring case) updates it.
Text a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@`` ...) is
exported with a leading apostrophe, which an import removes again.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from willkommen_core.errors import Problem, UserError
from willkommen_core.exports import csv_text, from_spreadsheet_safe
from willkommen_core.i18n import gettext as _
from willkommen_core.storage.db import Database

from . import store
from .categories import Category
from .model import FIELDS, Partner, PartnerData, validate

COLUMNS: tuple[str, ...] = FIELDS
REQUIRED_COLUMNS = ("name", "category")
MAX_ROWS = 5000
MAX_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class RowError:
    """One problem of an import file: line (1 = header), column and reason."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.column:
            return _(
                "Zeile %(line)s, Spalte %(column)s: %(reason)s",
                line=self.line,
                column=self.column,
                reason=self.message,
            )
        return _("Zeile %(line)s: %(reason)s", line=self.line, reason=self.message)


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int


class ImportFailed(UserError):
    """Nothing was imported; ``errors`` says why, row by row."""

    def __init__(self, filename: str, errors: list[RowError]) -> None:
        super().__init__(
            _(
                "%(file)s: nichts importiert, %(n)s Fehler:",
                file=filename,
                n=len(errors),
            ),
            [
                Problem(filename, f"{e.line}:{e.column}" if e.column else str(e.line), e.message)
                for e in errors
            ],
        )
        self.errors = errors


def _decode(data: bytes) -> tuple[str, list[RowError]]:
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return "", [
            RowError(
                line, "", _("Die Datei ist nicht UTF-8-kodiert. Bitte als »CSV UTF-8« speichern.")
            )
        ]


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    sample = text[:8192]
    try:
        return csv.Sniffer().sniff(sample, delimiters=";,")
    except csv.Error:
        # A single column or an odd sample: go by the header row.
        first = sample.splitlines()[0] if sample else ""
        return csv.excel if first.count(",") > first.count(";") else _Semicolon


class _Semicolon(csv.excel):
    delimiter = ";"


def parse_csv(
    data: bytes, categories: Mapping[str, Category], *, today: date | None = None
) -> tuple[list[tuple[int, PartnerData]], list[RowError]]:
    """Every row of ``data`` validated: ``([(line, data), ...], errors)``."""
    if len(data) > MAX_BYTES:
        return [], [RowError(0, "", _("Die Datei ist größer als 2 MB."))]
    text, errors = _decode(data)
    if errors:
        return [], errors
    if not text.strip():
        return [], [RowError(1, "", _("Die Datei ist leer."))]
    reader = csv.reader(io.StringIO(text, newline=""), _dialect(text))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except csv.Error as exc:
        return [], [RowError(1, "", str(exc))]
    for col in header:
        if col not in COLUMNS:
            errors.append(
                RowError(
                    1,
                    col,
                    _("Unbekannte Spalte (erlaubt: %(known)s).", known=", ".join(COLUMNS)),
                )
            )
    for col in REQUIRED_COLUMNS:
        if col not in header:
            errors.append(RowError(1, col, _("Pflichtspalte fehlt.")))
    for col in {c for c in header if header.count(c) > 1}:
        errors.append(RowError(1, col, _("Spalte kommt mehrfach vor.")))
    if errors:
        return [], errors
    rows: list[tuple[int, PartnerData]] = []
    seen: dict[str, int] = {}
    line = reader.line_num
    while True:
        start = line + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(RowError(start, "", str(exc)))
            break
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            errors.append(
                RowError(
                    start,
                    "",
                    _(
                        "%(found)s Felder statt %(expected)s wie in der Kopfzeile.",
                        found=len(values),
                        expected=len(header),
                    ),
                )
            )
            continue
        raw = dict(zip(header, map(from_spreadsheet_safe, values), strict=True))
        raw.setdefault("public", "nein")  # internal unless the row says public
        partner, field_errors = validate(raw, categories, today=today)
        for col, message in field_errors.items():
            errors.append(RowError(start, col, message))
        if partner is None:
            continue
        key = partner.name.lower()
        if key in seen:
            errors.append(
                RowError(
                    start,
                    "name",
                    _("Derselbe Name steht schon in Zeile %(line)s.", line=seen[key]),
                )
            )
            continue
        seen[key] = start
        rows.append((start, partner))
        if len(rows) > MAX_ROWS:
            errors.append(RowError(start, "", _("Mehr als %(n)s Zeilen.", n=MAX_ROWS)))
            break
    if not rows and not errors:
        errors.append(RowError(2, "", _("Die Datei enthält keine Partner.")))
    return rows, errors


def import_csv(
    db: Database,
    data: bytes,
    categories: Mapping[str, Category],
    *,
    filename: str = "import.csv",
    today: date | None = None,
) -> ImportResult:
    """Import all rows or none: raises :class:`ImportFailed` listing every error."""
    rows, errors = parse_csv(data, categories, today=today)
    if errors:
        raise ImportFailed(filename, errors)
    created = updated = 0
    with db.write() as s:  # one transaction: all rows or none
        existing = store.ids_by_name(s)
        for _line, partner in rows:
            pid = existing.get(partner.name.lower())
            if pid is None:
                store.create(db, partner, session=s)
                created += 1
            else:
                store.save(db, pid, partner, session=s)
                updated += 1
    return ImportResult(created, updated)


def export_csv(partners: list[Partner]) -> bytes:
    """All columns of :data:`COLUMNS`, ``;``-separated, UTF-8 with BOM (opens in spreadsheets)."""
    rows = []
    for p in partners:
        row: list[object] = []
        for col in COLUMNS:
            value = getattr(p, col)
            if col == "languages":
                value = " ".join(value)
            elif col == "last_contact":
                value = value.isoformat() if value else ""
            elif col == "public":
                value = "ja" if value else "nein"
            row.append(value)
        rows.append(row)
    return csv_text(COLUMNS, rows).encode("utf-8")


def vcard(partner: Partner, categories: Mapping[str, Category], uid_domain: str) -> str:
    """One partner as vCard 3.0 (an organisation card)."""
    import vobject

    card = vobject.vCard()
    card.add("version").value = "3.0"
    card.add("uid").value = f"partner-{partner.id}@{uid_domain}"
    card.add("fn").value = partner.name
    card.add("n").value = vobject.vcard.Name(family=partner.name)
    card.add("org").value = [partner.name]
    cat = categories.get(partner.category)
    card.add("categories").value = [cat.title("de") if cat else partner.category]
    if partner.phone:
        tel = card.add("tel")
        tel.value = partner.phone
        tel.type_param = "WORK"
    if partner.email:
        email = card.add("email")
        email.value = partner.email
        email.type_param = "INTERNET"
    if partner.website:
        card.add("url").value = partner.website
    if partner.street or partner.city or partner.postcode:
        adr = card.add("adr")
        adr.value = vobject.vcard.Address(
            street=partner.street, city=partner.city, code=partner.postcode, country="Deutschland"
        )
        adr.type_param = "WORK"
    notes = []
    if partner.services:
        notes.append(partner.services)
    if partner.languages:
        notes.append(_("Sprachen") + ": " + ", ".join(partner.languages))
    if partner.opening_hours:
        notes.append(_("Öffnungszeiten") + ": " + partner.opening_hours)
    if partner.contact_person:
        notes.append(_("Ansprechperson") + ": " + partner.contact_person)
    if notes:
        card.add("note").value = "\n".join(notes)
    if partner.updated_at:
        card.add("rev").value = partner.updated_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return card.serialize()


def vcards(partners: list[Partner], categories: Mapping[str, Category], uid_domain: str) -> str:
    return "".join(vcard(p, categories, uid_domain) for p in partners)
