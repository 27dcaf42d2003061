"""The audit log: who did what security-relevant thing, and when.

IT departments and data protection officers need to answer "who logged in,
who changed a role, who printed code sheets, who exported results?".
Every such event is one row of ``core_audit_log`` (kept for
``[audit] retention_days``) and one JSON line on the logger
``willkommen.audit`` (stderr, so journald or a log shipper takes it).

An entry never links to an answer: participants' actions (entering a
code, answering, submitting) are not events at all, an entry's details
are a few scalars chosen by the caller (round number, format, count),
and a failed login names an account only if it exists, so a password typed
into the name field is never written down.
"""

from __future__ import annotations

import getpass
import json
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, insert, select

from .i18n import lazy_gettext as _l
from .storage.db import Database, affected
from .storage.tables import audit_log

if TYPE_CHECKING:
    from .accounts import User

log = logging.getLogger("willkommen.audit")

EVENTS: dict[str, Any] = {
    "login.succeeded": _l("Anmeldung erfolgreich"),
    "login.failed": _l("Anmeldung fehlgeschlagen"),
    "logout": _l("Abmeldung"),
    "password.changed": _l("Eigenes Passwort geändert"),
    "two_factor.enabled": _l("Zweiter Faktor eingerichtet"),
    "two_factor.disabled": _l("Zweiter Faktor abgeschaltet"),
    "two_factor.recovery_code_used": _l("Wiederherstellungscode benutzt"),
    "two_factor.recovery_codes_renewed": _l("Neue Wiederherstellungscodes erzeugt"),
    "account.created": _l("Konto angelegt"),
    "account.role_changed": _l("Rolle geändert"),
    "account.disabled": _l("Konto gesperrt"),
    "account.enabled": _l("Konto entsperrt"),
    "account.password_reset": _l("Passwort zurückgesetzt"),
    "account.two_factor_reset": _l("Zweiter Faktor zurückgesetzt"),
    "token.created": _l("API-Token erstellt"),
    "token.revoked": _l("API-Token widerrufen"),
    "round.opened": _l("Befragungsrunde geöffnet"),
    "round.closed": _l("Befragungsrunde abgeschlossen"),
    "codes.printed": _l("Codebogen gedruckt"),
    "results.exported": _l("Ergebnisse exportiert oder abgerufen"),
    "plan.exported": _l("Maßnahmenplan exportiert oder abgerufen"),
    "personal_data.exported": _l("Personenbezogene Daten exportiert (Auskunft)"),
    "personal_data.deleted": _l("Personenbezogene Daten gelöscht"),
    "backup.created": _l("Sicherung erstellt"),
    "backup.restored": _l("Sicherung wiederhergestellt"),
    "plugin.enabled": _l("Modul aktiviert"),
    "plugin.disabled": _l("Modul deaktiviert"),
    "audit.exported": _l("Protokoll exportiert"),
}
"""Every event the log knows, with its label in the admin's list."""

MAX_DETAIL_TEXT = 200
PURGE_INTERVAL = 3600.0
"""Seconds between deletions of expired entries (per database, per process)."""

Scalar = str | int | bool | None


@dataclass(frozen=True)
class Actor:
    """Who caused an event: a staff account, an API token, a command line or the system."""

    kind: str
    """``user``, ``token``, ``cli``, ``oidc`` (the identity provider, named by its
    issuer, for accounts it created or re-roled) or ``anonymous`` (a failed login)."""
    name: str = ""

    @classmethod
    def of(cls, user: User | None) -> Actor:
        """The actor of a request's user (an :class:`~willkommen_core.accounts.User` or None)."""
        if user is None:
            return cls("anonymous")
        if user.via_token:
            return cls("token", user.name.removeprefix("token:"))
        return cls("user", user.name)

    @classmethod
    def command_line(cls) -> Actor:
        """Whoever runs ``willkommen`` on the server (the operating system's account)."""
        try:
            return cls("cli", getpass.getuser())
        except (KeyError, OSError):  # no passwd entry, e.g. in a container
            return cls("cli")


@dataclass(frozen=True)
class Entry:
    id: int
    at: datetime
    event: str
    actor: Actor
    target: str
    details: dict[str, Scalar] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return str(EVENTS.get(self.event, self.event))  # a module's: its name, as recorded

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at.replace(tzinfo=UTC).isoformat(),
            "event": self.event,
            "actor": {"kind": self.actor.kind, "name": self.actor.name},
            "target": self.target,
            "details": self.details,
        }


def _clean_details(details: Mapping[str, Scalar]) -> dict[str, Scalar]:
    clean: dict[str, Scalar] = {}
    for key, value in details.items():
        if not isinstance(value, str | int | bool | type(None)):
            raise TypeError(f"audit detail {key!r} must be a scalar, not {type(value).__name__}")
        clean[key] = value[:MAX_DETAIL_TEXT] if isinstance(value, str) else value
    return clean


_purged: dict[str, float] = {}
_purge_lock = threading.Lock()


class AuditLog:
    """The audit log of one instance's database."""

    def __init__(
        self, db: Database, *, retention_days: int, events: Mapping[str, Any] | None = None
    ) -> None:
        self.db = db
        self.retention = timedelta(days=retention_days)
        self.events: dict[str, Any] = {**EVENTS, **(events or {})}
        """The core's events and those the enabled modules declare."""

    def knows(self, event: str) -> bool:
        """Whether ``event`` is an event or the prefix of some (``login``, ``login.failed``)."""
        return event in self.events or any(e.startswith(event + ".") for e in self.events)

    def record(self, event: str, actor: Actor, target: str = "", **details: Scalar) -> None:
        """Write one entry (its own transaction) and emit it as a JSON line."""
        if event not in self.events:
            raise ValueError(f"unknown audit event {event!r}")
        clean = _clean_details(details)
        now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
        with self.db.write() as s:
            entry_id = s.execute(
                insert(audit_log)
                .values(
                    at=now,
                    event=event,
                    actor_kind=actor.kind,
                    actor=actor.name[:100],
                    target=target[:MAX_DETAIL_TEXT],
                    details=json.dumps(clean, ensure_ascii=False, sort_keys=True),
                )
                .returning(audit_log.c.id)
            ).scalar_one()
        entry = Entry(entry_id, now, event, actor, target[:MAX_DETAIL_TEXT], clean)
        log.info(json.dumps(entry.as_json(), ensure_ascii=False, sort_keys=True))
        self._purge_now_and_then()

    def _purge_now_and_then(self) -> None:
        key = str(self.db.url)
        with _purge_lock:
            if time.monotonic() - _purged.get(key, float("-inf")) < PURGE_INTERVAL:
                return
            _purged[key] = time.monotonic()
        self.purge()

    def purge(self, now: datetime | None = None) -> int:
        """Delete the entries older than the retention time; returns how many."""
        cutoff = (now or datetime.now(UTC)).replace(tzinfo=None) - self.retention
        with self.db.write() as s:
            result = s.execute(delete(audit_log).where(audit_log.c.at < cutoff))
            return affected(result)

    def entries(
        self,
        *,
        since: date | datetime | None = None,
        until: date | None = None,
        event: str | None = None,
        actor: str | None = None,
        after_id: int | None = None,
        limit: int | None = 100,
        offset: int = 0,
        newest_first: bool = True,
    ) -> list[Entry]:
        """Entries matching the filters (``until`` includes its whole day)."""
        query = select(audit_log)
        if since is not None:
            start = (
                since
                if isinstance(since, datetime)
                else datetime.combine(since, datetime.min.time())
            )
            query = query.where(audit_log.c.at >= start.replace(tzinfo=None))
        if until is not None:
            end = datetime.combine(until + timedelta(days=1), datetime.min.time())
            query = query.where(audit_log.c.at < end)
        if event:
            query = query.where(
                (audit_log.c.event == event) | audit_log.c.event.startswith(f"{event}.")
            )
        if actor:
            query = query.where(audit_log.c.actor == actor)
        if after_id is not None:
            query = query.where(audit_log.c.id > after_id)
        order = audit_log.c.id.desc() if newest_first else audit_log.c.id.asc()
        query = query.order_by(order).offset(offset)
        if limit is not None:
            query = query.limit(limit)
        with self.db.read() as s:
            rows = s.execute(query).all()
        return [
            Entry(
                row.id,
                row.at,
                row.event,
                Actor(row.actor_kind, row.actor),
                row.target,
                json.loads(row.details or "{}"),
            )
            for row in rows
        ]

    def count(self) -> int:
        with self.db.read() as s:
            return int(s.execute(select(func.count()).select_from(audit_log)).scalar_one())


def json_lines(entries: list[Entry]) -> str:
    """Entries as JSON lines (one object per line), the format log systems read."""
    return "".join(
        json.dumps(e.as_json(), ensure_ascii=False, sort_keys=True) + "\n" for e in entries
    )
