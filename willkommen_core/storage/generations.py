"""Generation counters: how processes on several machines learn that shared state changed.

A process may keep a copy of something that lives outside its memory (the
app built from the settings files) only together with the counter it was
built at; it compares that with the database's before using the copy. The
one who changes the state bumps the counter in the same database, so every
process serving the instance, whichever machine it runs on, sees the change
at its next request.
"""

from __future__ import annotations

import logging

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from .db import Database, affected
from .tables import generations

SETTINGS = "settings"
"""The instance's settings (``willkommen.toml``, ``.env``), e.g. which plugins are enabled."""

log = logging.getLogger("willkommen.storage")


def _value(s: Session, name: str) -> int:
    value = s.execute(select(generations.c.value).where(generations.c.name == name)).scalar()
    return int(value or 0)


def current(db: Database, name: str) -> int:
    """The counter ``name`` (0 before its first change)."""
    # A plain connection, no ORM session: this is read for every request.
    with db.engine.connect() as conn:
        value = conn.execute(_CURRENT, {"name": name}).scalar()
    return int(value or 0)


_CURRENT = select(generations.c.value).where(generations.c.name == bindparam("name"))


def bump(db: Database, name: str) -> int:
    """Count a change of ``name``; returns the new value."""
    for _ in range(2):
        try:
            with db.write() as s:
                changed = affected(
                    s.execute(
                        update(generations)
                        .where(generations.c.name == name)
                        .values(value=generations.c.value + 1)
                    )
                )
                if not changed:
                    s.execute(insert(generations).values(name=name, value=1))
                return _value(s, name)
        except IntegrityError:  # another process inserted the row meanwhile: update it
            continue
    raise RuntimeError(f"could not count a change of {name!r}")


def announce(db: Database, name: str) -> bool:
    """:func:`bump`, tolerating a database without the table yet (before ``db upgrade``):
    then no server can be running on it either. Returns whether it was counted."""
    try:
        bump(db, name)
    except (OperationalError, ProgrammingError) as exc:
        log.info("change of %s not announced in the database: %s", name, exc)
        return False
    return True
