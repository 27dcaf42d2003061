"""Queries and changes of catalogue, annual plan and participation (SQLAlchemy Core)."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import case, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from willkommen_core.storage.db import Database, affected, inserted_id

from . import content
from .model import Entry, EntryData, SessionData
from .tables import entries, meta, registrations, sessions, staff

if TYPE_CHECKING:
    from willkommen_core.instance import Instance

log = logging.getLogger("willkommen.fortbildung")
SEEDED = "catalogue_seeded"


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class DuplicateKey(Exception):
    """Another catalogue entry has this key."""


# -- catalogue -------------------------------------------------------------------


def ensure_seeded(instance: Instance) -> None:
    """Copy the shipped entries into the database once (first use of the module).

    Marked in ``fortbildung_meta`` so entries the redaktion deleted on purpose
    do not come back.
    """
    db: Database = instance.db
    with db.read() as s:
        if s.execute(select(meta.c.value).where(meta.c.key == SEEDED)).first() is not None:
            return
    shipped = content.load(instance).entries
    try:
        with db.write() as s:
            if s.execute(select(meta.c.value).where(meta.c.key == SEEDED)).first() is not None:
                return
            existing = set(s.execute(select(entries.c.key)).scalars())
            now = _now()
            rows = [
                {**e.columns(), "shipped": True, "created_at": now, "updated_at": now}
                for e in shipped
                if e.key not in existing
            ]
            if rows:
                s.execute(insert(entries), rows)
            s.execute(insert(meta).values(key=SEEDED, value=now.date().isoformat()))
    except IntegrityError:  # another worker seeded at the same moment
        log.info("catalogue seeded concurrently")


def list_entries(db: Database, *, active_only: bool = False, category: str = "") -> list[Entry]:
    q = select(entries)
    if active_only:
        q = q.where(entries.c.active.is_(True))
    if category:
        q = q.where(entries.c.category == category)
    with db.read() as s:
        rows = s.execute(q.order_by(entries.c.id)).all()
    return [Entry.from_row(r) for r in rows]


def get_entry(db: Database, entry_id: int) -> Entry | None:
    with db.read() as s:
        row = s.execute(select(entries).where(entries.c.id == entry_id)).first()
    return Entry.from_row(row) if row else None


def _key_taken(s: Any, key: str, other_than: int | None = None) -> bool:
    q = select(entries.c.id).where(entries.c.key == key)
    if other_than is not None:
        q = q.where(entries.c.id != other_than)
    return s.execute(q).first() is not None


def create_entry(db: Database, data: EntryData) -> int:
    with db.write() as s:
        if _key_taken(s, data.key):
            raise DuplicateKey(data.key)
        now = _now()
        return inserted_id(
            s.execute(
                insert(entries).values(
                    **data.columns(), shipped=False, created_at=now, updated_at=now
                )
            )
        )


def save_entry(db: Database, entry_id: int, data: EntryData) -> bool:
    with db.write() as s:
        if _key_taken(s, data.key, entry_id):
            raise DuplicateKey(data.key)
        done = affected(
            s.execute(
                update(entries)
                .where(entries.c.id == entry_id)
                .values(**data.columns(), updated_at=_now())
            )
        )
    return bool(done)


def entry_session_count(db: Database, entry_id: int) -> int:
    with db.read() as s:
        return int(
            s.execute(
                select(func.count()).select_from(sessions).where(sessions.c.entry_id == entry_id)
            ).scalar_one()
        )


def delete_entry(db: Database, entry_id: int) -> str:
    """``"deleted"``, ``"missing"`` or ``"in_use"`` (sessions refer to it: deactivate instead)."""
    with db.write() as s:
        used = s.execute(
            select(func.count()).select_from(sessions).where(sessions.c.entry_id == entry_id)
        ).scalar_one()
        if used:
            return "in_use"
        done = affected(s.execute(delete(entries).where(entries.c.id == entry_id)))
    return "deleted" if done else "missing"


def counts_by_category(db: Database) -> dict[str, int]:
    with db.read() as s:
        return {
            k: int(n)
            for k, n in s.execute(
                select(entries.c.category, func.count())
                .where(entries.c.active.is_(True))
                .group_by(entries.c.category)
            )
        }


# -- partner list (read-only, only when that plugin is enabled) ------------------------


@dataclass(frozen=True)
class PartnerRef:
    id: int
    name: str

    @property
    def href(self) -> str:
        return f"/partner/{self.id}"


def partner_index(instance: Instance) -> dict[int, str] | None:
    """Id -> name of every partner, or ``None`` when no module keeps a partner directory
    (asked through the hook, so whichever plugin is enabled as ``partner`` answers)."""
    found = instance.plugins.call_first(
        "network_directory", instance=instance, language=None, public_only=False
    )
    return None if found is None else {p.id: p.name for p in found}


def partner_for(entry: EntryData, index: dict[int, str] | None) -> PartnerRef | None:
    """The partner an entry's provider is: the chosen one, else a unique name match."""
    if not index:
        return None
    if entry.partner_id is not None:
        name = index.get(entry.partner_id)
        return PartnerRef(entry.partner_id, name) if name else None
    provider = entry.provider.strip().lower()
    if len(provider) < 4:
        return None
    exact = [pid for pid, name in index.items() if name.strip().lower() == provider]
    if len(exact) == 1:
        return PartnerRef(exact[0], index[exact[0]])
    contained = [pid for pid, name in index.items() if provider in name.lower()]
    if len(contained) == 1:
        return PartnerRef(contained[0], index[contained[0]])
    return None


# -- annual plan -------------------------------------------------------------------


@dataclass
class Session:
    id: int
    entry_id: int
    entry_title: str
    category: str
    format: str
    title: str
    starts_at: datetime
    ends_at: datetime
    location: str
    capacity: int | None
    notes: str
    registered: int = 0
    attended: int = 0

    @property
    def display_title(self) -> str:
        return self.title or self.entry_title

    @property
    def free(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.registered, 0)

    @property
    def internal(self) -> bool:
        return self.format == "intern"


def _session_query() -> Any:
    reg = (
        select(
            registrations.c.session_id,
            func.count().label("registered"),
            func.sum(case((registrations.c.attended.is_(True), 1), else_=0)).label("attended"),
        )
        .group_by(registrations.c.session_id)
        .subquery()
    )
    return (
        select(
            sessions,
            entries.c.title.label("entry_title"),
            entries.c.category,
            entries.c.format,
            func.coalesce(reg.c.registered, 0).label("registered"),
            func.coalesce(reg.c.attended, 0).label("attended"),
        )
        .join(entries, entries.c.id == sessions.c.entry_id)
        .outerjoin(reg, reg.c.session_id == sessions.c.id)
    )


def _session(row: Any) -> Session:
    v = dict(row._mapping)
    v.pop("created_at", None)
    v["registered"] = int(v["registered"] or 0)
    v["attended"] = int(v["attended"] or 0)
    return Session(**v)


def list_sessions(
    db: Database, *, year: int | None = None, start: datetime | None = None
) -> list[Session]:
    q = _session_query()
    if year is not None:
        q = q.where(
            sessions.c.starts_at >= datetime(year, 1, 1),
            sessions.c.starts_at < datetime(year + 1, 1, 1),
        )
    if start is not None:
        q = q.where(sessions.c.ends_at >= start)
    with db.read() as s:
        rows = s.execute(q.order_by(sessions.c.starts_at, sessions.c.id)).all()
    return [_session(r) for r in rows]


def get_session(db: Database, session_id: int) -> Session | None:
    with db.read() as s:
        row = s.execute(_session_query().where(sessions.c.id == session_id)).first()
    return _session(row) if row else None


def years(db: Database) -> list[int]:
    with db.read() as s:
        found = {d.year for d in s.execute(select(sessions.c.starts_at)).scalars()}
    return sorted(found)


def create_session(db: Database, data: SessionData) -> int:
    with db.write() as s:
        return inserted_id(s.execute(insert(sessions).values(**data.columns(), created_at=_now())))


def save_session(db: Database, session_id: int, data: SessionData) -> bool:
    with db.write() as s:
        return bool(
            affected(
                s.execute(
                    update(sessions).where(sessions.c.id == session_id).values(**data.columns())
                )
            )
        )


def delete_session(db: Database, session_id: int) -> bool:
    with db.write() as s:
        s.execute(delete(registrations).where(registrations.c.session_id == session_id))
        return bool(affected(s.execute(delete(sessions).where(sessions.c.id == session_id))))


# -- registrations and participation (personal data: leitung/admin only) ------------------


def _staff_id(s: Any, pseudonym: str, *, create: bool) -> int | None:
    found = s.execute(select(staff.c.id).where(staff.c.pseudonym == pseudonym)).scalar()
    if found is None and create:
        found = inserted_id(s.execute(insert(staff).values(pseudonym=pseudonym, created_at=_now())))
    return None if found is None else int(found)


def register(db: Database, session_id: int, pseudonym: str, *, attended: bool = False) -> str:
    """Register a staff member: ``"ok"``, ``"full"``, ``"duplicate"`` or ``"missing"``."""
    with db.write() as s:
        cap = s.execute(select(sessions.c.capacity).where(sessions.c.id == session_id)).first()
        if cap is None:
            return "missing"
        sid = _staff_id(s, pseudonym, create=True)
        taken = s.execute(
            select(registrations.c.id).where(
                registrations.c.session_id == session_id, registrations.c.staff_id == sid
            )
        ).first()
        if taken is not None:
            return "duplicate"
        if cap[0] is not None:
            count = s.execute(
                select(func.count())
                .select_from(registrations)
                .where(registrations.c.session_id == session_id)
            ).scalar_one()
            if count >= cap[0]:
                return "full"
        s.execute(
            insert(registrations).values(
                session_id=session_id, staff_id=sid, attended=attended, created_at=_now()
            )
        )
    return "ok"


@dataclass(frozen=True)
class Registration:
    id: int
    pseudonym: str
    attended: bool


def session_registrations(db: Database, session_id: int) -> list[Registration]:
    with db.read() as s:
        rows = s.execute(
            select(registrations.c.id, staff.c.pseudonym, registrations.c.attended)
            .join(staff, staff.c.id == registrations.c.staff_id)
            .where(registrations.c.session_id == session_id)
            .order_by(staff.c.pseudonym)
        ).all()
    return [Registration(r.id, r.pseudonym, bool(r.attended)) for r in rows]


def set_attended(db: Database, session_id: int, attended_ids: set[int]) -> None:
    with db.write() as s:
        for (rid,) in s.execute(
            select(registrations.c.id).where(registrations.c.session_id == session_id)
        ).all():
            s.execute(
                update(registrations)
                .where(registrations.c.id == rid)
                .values(attended=rid in attended_ids)
            )


def unregister(db: Database, session_id: int, registration_id: int) -> bool:
    with db.write() as s:
        return bool(
            affected(
                s.execute(
                    delete(registrations).where(
                        registrations.c.id == registration_id,
                        registrations.c.session_id == session_id,
                    )
                )
            )
        )


@dataclass(frozen=True)
class StaffRow:
    pseudonym: str
    registered: int
    attended: int
    professional: int


def staff_overview(db: Database, year: int) -> list[StaffRow]:
    """Per pseudonym: registrations and attended trainings in ``year``."""
    start, end = datetime(year, 1, 1), datetime(year + 1, 1, 1)
    with db.read() as s:
        people = s.execute(select(staff.c.id, staff.c.pseudonym).order_by(staff.c.pseudonym)).all()
        rows = s.execute(
            select(registrations.c.staff_id, registrations.c.attended, entries.c.category)
            .join(sessions, sessions.c.id == registrations.c.session_id)
            .join(entries, entries.c.id == sessions.c.entry_id)
            .where(sessions.c.starts_at >= start, sessions.c.starts_at < end)
        ).all()
    reg: Counter[int] = Counter()
    att: Counter[int] = Counter()
    pro: Counter[int] = Counter()
    for sid, attended, category in rows:
        reg[sid] += 1
        if attended:
            att[sid] += 1
            if category == "fachlich":
                pro[sid] += 1
    return [StaffRow(p, reg[i], att[i], pro[i]) for i, p in people]


def add_staff(db: Database, pseudonym: str) -> bool:
    """``False`` when the pseudonym exists already."""
    with db.write() as s:
        if _staff_id(s, pseudonym, create=False) is not None:
            return False
        _staff_id(s, pseudonym, create=True)
    return True


def staff_exists(db: Database, pseudonym: str) -> bool:
    with db.read() as s:
        return _staff_id(s, pseudonym, create=False) is not None


def participation_of(db: Database, pseudonym: str) -> list[dict[str, Any]] | None:
    """Everything stored about one pseudonym (data subject access), or ``None``."""
    with db.read() as s:
        sid = _staff_id(s, pseudonym, create=False)
        if sid is None:
            return None
        rows = s.execute(
            select(
                sessions.c.starts_at,
                sessions.c.ends_at,
                sessions.c.title,
                sessions.c.location,
                entries.c.title.label("entry_title"),
                entries.c.category,
                entries.c.format,
                entries.c.duration_hours,
                registrations.c.attended,
                registrations.c.created_at,
            )
            .join(sessions, sessions.c.id == registrations.c.session_id)
            .join(entries, entries.c.id == sessions.c.entry_id)
            .where(registrations.c.staff_id == sid)
            .order_by(sessions.c.starts_at)
        ).all()
    return [
        {
            "date": r.starts_at.date().isoformat(),
            "start": r.starts_at.strftime("%H:%M"),
            "end": r.ends_at.strftime("%H:%M"),
            "training": r.title or r.entry_title,
            "catalogue_entry": r.entry_title,
            "category": r.category,
            "format": r.format,
            "duration_hours": r.duration_hours,
            "location": r.location,
            "attended": bool(r.attended),
            "registered_on": r.created_at.date().isoformat(),
        }
        for r in rows
    ]


def delete_staff(db: Database, pseudonym: str) -> bool:
    """Erase a pseudonym with all its registrations and participation."""
    with db.write() as s:
        sid = _staff_id(s, pseudonym, create=False)
        if sid is None:
            return False
        s.execute(delete(registrations).where(registrations.c.staff_id == sid))
        s.execute(delete(staff).where(staff.c.id == sid))
    return True


# -- targets --------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthTarget:
    month: int
    internal: int
    status: str  # "reached" | "missed" | "open" (month not over yet)


@dataclass(frozen=True)
class Targets:
    year: int
    months: list[MonthTarget]
    internal_target: int
    internal_reached: bool
    staff_total: int
    staff_reached: int
    professional_target: int
    professional_reached: bool


def targets(db: Database, year: int, settings: Any, today: date | None = None) -> Targets:
    """The seed's yearly targets: internal trainings each month, professional ones per person."""
    today = today or date.today()
    per_month: Counter[int] = Counter()
    for session in list_sessions(db, year=year):
        if session.internal:
            per_month[session.starts_at.month] += 1
    months = []
    for m in range(1, 13):
        n = per_month[m]
        if n >= settings.internal_per_month:
            status = "reached"
        elif (year, m) >= (today.year, today.month):
            status = "open"
        else:
            status = "missed"
        months.append(MonthTarget(m, n, status))
    people = staff_overview(db, year)
    reached = sum(1 for p in people if p.professional >= settings.professional_per_staff)
    return Targets(
        year=year,
        months=months,
        internal_target=settings.internal_per_month,
        internal_reached=all(m.status == "reached" for m in months),
        staff_total=len(people),
        staff_reached=reached,
        professional_target=settings.professional_per_staff,
        professional_reached=bool(people) and reached == len(people),
    )
