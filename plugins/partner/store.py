"""Queries and changes of the partner list (SQLAlchemy Core, SQLite and PostgreSQL)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import delete, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session

from willkommen_core.storage.db import Database, affected, inserted_id

from .model import Partner, PartnerData
from .tables import languages, partners


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Filters:
    """Search and filters of the internal list (all optional)."""

    q: str = ""
    category: str = ""
    language: str = ""
    status: str = ""
    public_only: bool = False
    stale_before: date | None = None
    """Only partners (not dormant) whose last contact is before this date or unknown."""


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _where(f: Filters, *, search_notes: bool = True) -> list:
    conds = []
    if f.q.strip():
        for word in f.q.split():
            pattern = _like(word)
            cols = [partners.c.name, partners.c.services]
            if search_notes:
                cols.append(partners.c.notes)
            conds.append(or_(*(c.ilike(pattern, escape="\\") for c in cols)))
    if f.category:
        conds.append(partners.c.category == f.category)
    if f.status:
        conds.append(partners.c.status == f.status)
    if f.language:
        conds.append(
            exists().where(languages.c.partner_id == partners.c.id, languages.c.code == f.language)
        )
    if f.public_only:
        conds.append(partners.c.public.is_(True))
    if f.stale_before is not None:
        conds.append(partners.c.status != "ruhend")
        conds.append(
            or_(partners.c.last_contact.is_(None), partners.c.last_contact < f.stale_before)
        )
    return conds


def _languages_of(s: Session, ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {i: [] for i in ids}
    if ids:
        rows = s.execute(
            select(languages.c.partner_id, languages.c.code)
            .where(languages.c.partner_id.in_(ids))
            .order_by(languages.c.partner_id, languages.c.code)
        )
        for pid, code in rows:
            found[pid].append(code)
    return found


def _partner(row, langs: list[str]) -> Partner:  # type: ignore[no-untyped-def]
    values = dict(row._mapping)
    return Partner(languages=langs, **values)


def search(db: Database, f: Filters | None = None, *, search_notes: bool = True) -> list[Partner]:
    f = f or Filters()
    with db.read() as s:
        rows = s.execute(
            select(partners)
            .where(*_where(f, search_notes=search_notes))
            .order_by(func.lower(partners.c.name), partners.c.id)
        ).all()
        langs = _languages_of(s, [r.id for r in rows])
    return [_partner(r, langs[r.id]) for r in rows]


def get(db: Database, partner_id: int) -> Partner | None:
    with db.read() as s:
        row = s.execute(select(partners).where(partners.c.id == partner_id)).first()
        if row is None:
            return None
        return _partner(row, _languages_of(s, [row.id])[row.id])


def _set_languages(s: Session, partner_id: int, codes: list[str]) -> None:
    s.execute(delete(languages).where(languages.c.partner_id == partner_id))
    if codes:
        s.execute(insert(languages), [{"partner_id": partner_id, "code": c} for c in codes])


def create(db: Database, data: PartnerData, *, session: Session | None = None) -> int:
    if session is None:
        with db.write() as s:
            return create(db, data, session=s)
    now = _now()
    pid = inserted_id(
        session.execute(insert(partners).values(**data.columns(), created_at=now, updated_at=now))
    )
    _set_languages(session, pid, data.languages)
    return pid


def save(
    db: Database, partner_id: int, data: PartnerData, *, session: Session | None = None
) -> bool:
    """Update a partner; ``False`` when it does not exist (any more)."""
    if session is None:
        with db.write() as s:
            return save(db, partner_id, data, session=s)
    done = affected(
        session.execute(
            update(partners)
            .where(partners.c.id == partner_id)
            .values(**data.columns(), updated_at=_now())
        )
    )
    if done:
        _set_languages(session, partner_id, data.languages)
    return bool(done)


def remove(db: Database, partner_id: int) -> bool:
    with db.write() as s:
        s.execute(delete(languages).where(languages.c.partner_id == partner_id))
        return bool(affected(s.execute(delete(partners).where(partners.c.id == partner_id))))


def ids_by_name(s: Session) -> dict[str, int]:
    """Lower-cased name -> id, to match imported rows with existing partners."""
    return {name.lower(): pid for pid, name in s.execute(select(partners.c.id, partners.c.name))}


def count(db: Database, f: Filters | None = None) -> int:
    with db.read() as s:
        return int(
            s.execute(
                select(func.count()).select_from(partners).where(*_where(f or Filters()))
            ).scalar_one()
        )


def counts_by(db: Database, column: str, *, public_only: bool = False) -> dict[str, int]:
    col = partners.c[column]
    with db.read() as s:
        q = select(col, func.count()).group_by(col)
        if public_only:
            q = q.where(partners.c.public.is_(True))
        return {k: int(n) for k, n in s.execute(q)}


def language_counts(db: Database, *, public_only: bool = False) -> Counter[str]:
    """Number of partners per offered language."""
    with db.read() as s:
        q = select(languages.c.code, func.count()).group_by(languages.c.code)
        if public_only:
            q = q.join(partners, partners.c.id == languages.c.partner_id).where(
                partners.c.public.is_(True)
            )
        return Counter({k: int(n) for k, n in s.execute(q)})


def subtract_months(day: date, months: int) -> date:
    """``day`` minus whole months, clamped to the month's last day (31.3. - 1 -> 28./29.2.)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")
