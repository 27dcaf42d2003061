"""Staff accounts, API tokens and login throttling (no web code here)."""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, insert, select, update

from .domain import ROLES
from .errors import UserError
from .storage.db import Database
from .storage.tables import api_tokens, login_failures, sessions, users

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 12
TOKEN_PREFIX = "wk_"  # noqa: S105 (a marker, not a secret)
USERNAME_PATTERN = r"^[A-Za-z0-9._-]{2,64}$"


@dataclass(frozen=True)
class User:
    """Who is making a request: a staff account or an API token."""

    id: int
    name: str
    role: str
    stamp: str = ""
    """Changes when the password changes, invalidating existing sessions."""
    via_token: bool = False

    def has_role(self, *roles: str) -> bool:
        return self.role == "admin" or self.role in roles


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _stamp(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def validate_role(role: str) -> str:
    if role not in ROLES:
        raise UserError(f"unknown role {role!r} (known: {', '.join(ROLES)})")
    return role


def validate_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    return password


def create_user(db: Database, username: str, role: str, password: str) -> User:
    import re

    if not re.match(USERNAME_PATTERN, username):
        raise UserError("username: 2–64 letters, digits, '.', '_' or '-'")
    validate_role(role)
    validate_password(password)
    with db.write() as s:
        if s.execute(
            select(users.c.id).where(func.lower(users.c.username) == username.lower())
        ).first():
            raise UserError(f"an account named {username!r} exists already")
        pw_hash = _hasher.hash(password)
        uid = s.execute(
            insert(users).values(
                username=username, role=role, password_hash=pw_hash, active=True, created_at=_now()
            )
        ).inserted_primary_key[0]
    return User(uid, username, role, _stamp(pw_hash))


def set_password(db: Database, username: str, password: str) -> None:
    validate_password(password)
    with db.write() as s:
        result = s.execute(
            update(users)
            .where(users.c.username == username)
            .values(password_hash=_hasher.hash(password))
        )
        if result.rowcount == 0:
            raise UserError(f"no account named {username!r}")
        # A new password ends every session of the account.
        uid = select(users.c.id).where(users.c.username == username).scalar_subquery()
        s.execute(delete(sessions).where(sessions.c.user_id == uid))


def start_session(db: Database, user: User, max_age_seconds: int) -> str:
    """A new server-side session for ``user``; returns the token for the cookie.

    Sessions live in the database so that logging out, a password change or
    an expired session ends them for good, even where a copy of the cookie
    survives.
    """
    token = secrets.token_urlsafe(32)
    now = _now()
    with db.write() as s:
        s.execute(delete(sessions).where(sessions.c.expires_at < now))
        s.execute(
            insert(sessions).values(
                id=_token_hash(token),
                user_id=user.id,
                created_at=now,
                expires_at=now + timedelta(seconds=max_age_seconds),
            )
        )
    return token


def end_session(db: Database, token: str) -> None:
    with db.write() as s:
        s.execute(delete(sessions).where(sessions.c.id == _token_hash(token)))


def load_user(db: Database, session_token: str) -> User | None:
    """The user of a live session, ``None`` when it ended, expired or the account is off."""
    with db.read() as s:
        row = s.execute(
            select(users)
            .join(sessions, sessions.c.user_id == users.c.id)
            .where(
                sessions.c.id == _token_hash(session_token),
                sessions.c.expires_at > _now(),
                users.c.active.is_(True),
            )
        ).first()
    if row is None:
        return None
    return User(row.id, row.username, row.role, _stamp(row.password_hash))


class Throttled(Exception):
    def __init__(self, minutes: int) -> None:
        self.minutes = minutes


def authenticate(
    db: Database, username: str, password: str, *, max_failures: int, lockout_minutes: int
) -> User | None:
    """The user for these credentials, ``None`` when they are wrong.

    Raises :class:`Throttled` after ``max_failures`` failed attempts for the
    name within ``lockout_minutes`` (counted per name, so no addresses are
    stored), whether or not the password given now is right.
    """
    key = username.strip().lower()[:64]
    since = _now() - timedelta(minutes=lockout_minutes)
    with db.write() as s:
        s.execute(delete(login_failures).where(login_failures.c.at < since))
        failures = s.execute(
            select(func.count()).select_from(login_failures).where(login_failures.c.username == key)
        ).scalar_one()
        if failures >= max_failures:
            raise Throttled(lockout_minutes)
        row = s.execute(
            select(users).where(func.lower(users.c.username) == key, users.c.active.is_(True))
        ).first()
        ok = False
        if row is not None:
            try:
                ok = _hasher.verify(row.password_hash, password)
            except (VerificationError, InvalidHashError):
                ok = False
        else:
            # Same work for unknown names, so timing does not reveal accounts.
            with contextlib.suppress(VerificationError, InvalidHashError):
                _hasher.verify(_DUMMY_HASH, password)
        if not ok:
            s.execute(insert(login_failures).values(username=key, at=_now()))
            return None
        s.execute(delete(login_failures).where(login_failures.c.username == key))
        values: dict[str, object] = {"last_login_at": _now()}
        pw_hash = row.password_hash
        if _hasher.check_needs_rehash(pw_hash):
            pw_hash = values["password_hash"] = _hasher.hash(password)
        s.execute(update(users).where(users.c.id == row.id).values(**values))
    return User(row.id, row.username, row.role, _stamp(pw_hash))


_DUMMY_HASH = _hasher.hash("willkommen-timing-equaliser")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(db: Database, name: str, role: str) -> str:
    """A new bearer token; only its hash is stored, so it is shown once."""
    validate_role(role)
    if not name.strip() or len(name) > 100:
        raise UserError("token name: 1–100 characters")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with db.write() as s:
        s.execute(
            insert(api_tokens).values(
                name=name,
                role=role,
                token_hash=_token_hash(token),
                created_at=_now(),
                revoked=False,
            )
        )
    return token


def user_for_token(db: Database, token: str) -> User | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    with db.read() as s:
        row = s.execute(
            select(api_tokens).where(
                api_tokens.c.token_hash == _token_hash(token), api_tokens.c.revoked.is_(False)
            )
        ).first()
    if row is None:
        return None
    return User(row.id, f"token:{row.name}", row.role, via_token=True)


def revoke_token(db: Database, name: str) -> int:
    with db.write() as s:
        return s.execute(
            update(api_tokens).where(api_tokens.c.name == name).values(revoked=True)
        ).rowcount
