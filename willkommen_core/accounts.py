"""Staff accounts, API tokens and login throttling (no web code here).

Throttling slows guessers down and never locks out an account's owner.
Every failed login is stored with the account name and the client that
failed: ``a:`` plus a keyed hash of its address, or ``d:`` plus the id of a
browser that logged in to this account before (a signed device cookie, see
:mod:`willkommen_core.web.account`). Before a password is even checked:

* a client with ``free_failures`` or more failures (for any names) waits
  5 s after its last one, then twice as long after each further failure, up
  to ``max_delay``: guessing many names from one client is slowed;
* a client that has itself failed for an account that ``free_failures`` or
  more failures were made for (from anywhere) waits the same growing delay
  after the account's last failure: many addresses guessing one account are
  slowed too; a browser the owner logged in with before is exempt;
* a client that has not been failing is never made to wait: whatever a
  stranger does from elsewhere, the owner's correct password works.

Failures are kept in the database (shared by every worker process) for
``memory``; a success forgets only that client's failures for that account.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session
from zxcvbn import zxcvbn

from .domain import ROLES
from .errors import UserError
from .storage.db import Database, affected, inserted_id
from .storage.tables import api_tokens, login_failures, sessions, users

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
MIN_PASSWORD_SCORE = 3
"""zxcvbn score (0–4) a new password needs: 3 means at least 10^8 guesses."""
ZXCVBN_MAX_LENGTH = 72  # zxcvbn refuses longer input; the first 72 characters are judged
KNOWN_WORDS = ("willkommen", "willkommensbehörde", "ausländerbehörde", "passwort", "behörde")
ONE_TIME_VALIDITY = timedelta(hours=72)
ONE_TIME_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
TOKEN_PREFIX = "wk_"  # noqa: S105 (a marker, not a secret)
DEFAULT_TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 730
TOKEN_LAST_USED_RESOLUTION = timedelta(minutes=5)
"""``last_used_at`` of a token is written at most this often (not on every request)."""
USERNAME_PATTERN = r"^[A-Za-z0-9._-]{2,64}$"
EXTERNAL_USERNAME_PATTERN = r"^[A-Za-z0-9._@-]{2,64}$"
"""Names from an identity provider may also be e-mail-like (``name@behoerde.de``)."""
NO_PASSWORD = ""
"""``password_hash`` of an account that logs in only through the identity provider."""


@dataclass(frozen=True)
class User:
    """Who is making a request: a staff account or an API token."""

    id: int
    name: str
    role: str
    stamp: str = ""
    """Changes when the password changes, invalidating existing sessions."""
    via_token: bool = False
    must_change_password: bool = False
    """Logged in with a password someone else chose: only the password page is open."""
    has_password: bool = True
    """``False`` for an account that logs in only through the identity provider."""
    two_factor: bool = False
    """A second factor (TOTP) is set up and confirmed."""
    two_factor_required: bool = False
    """An admin reset the second factor: it must be set up again."""

    def has_role(self, *roles: str) -> bool:
        return self.role == "admin" or self.role in roles


@dataclass(frozen=True)
class Account:
    """A staff account as the admin's account list shows it."""

    id: int
    name: str
    role: str
    active: bool
    must_change_password: bool
    password_expires_at: datetime | None
    created_at: datetime
    last_login_at: datetime | None
    two_factor: bool = False
    external: bool = False
    """Logs in through the identity provider (OpenID Connect)."""
    has_password: bool = True


@dataclass(frozen=True)
class TokenInfo:
    name: str
    role: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked: bool


class WeakPassword(UserError):
    """A password the policy refuses; ``reason`` is ``short``, ``long``, ``common`` or ``same``."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class Throttled(Exception):
    """This client must wait ``seconds`` before its next attempt."""

    def __init__(self, seconds: int) -> None:
        super().__init__(f"retry in {seconds} s")
        self.seconds = seconds


class PasswordExpired(Exception):
    """The right one-time password, but it expired: an admin must set a new one."""


class ExternalLoginRefused(Exception):
    """An identity provider's login that gets no session; ``reason`` says why:
    ``disabled``, ``unknown`` (no such account, none may be created),
    ``taken`` (the name belongs to another account) or ``invalid_name``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ThrottlePolicy:
    """How failures slow a client down: ``free_failures`` cost nothing, then
    each failure makes it wait ``first_delay``, doubling up to ``max_delay``."""

    free_failures: int = 5
    first_delay: timedelta = timedelta(seconds=5)
    max_delay: timedelta = timedelta(minutes=15)
    memory: timedelta = timedelta(hours=24)

    def wait_until(self, failures: int, last: datetime | None) -> datetime | None:
        """When a key with ``failures`` (the last at ``last``) may try again."""
        if last is None or failures < self.free_failures:
            return None
        exponent = min(failures - self.free_failures, 30)
        delay: timedelta = min(self.first_delay * 2**exponent, self.max_delay)
        return last + delay


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _stamp(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def account_key(username: str) -> str:
    """The name failures are counted under (also for names that have no account)."""
    return username.strip().lower()[:64]


def validate_role(role: str) -> str:
    if role not in ROLES:
        raise UserError(f"unknown role {role!r} (known: {', '.join(ROLES)})")
    return role


def validate_username(username: str, *, external: bool = False) -> str:
    if external:
        if not re.match(EXTERNAL_USERNAME_PATTERN, username):
            raise UserError("username: 2–64 letters, digits, '.', '_', '@' or '-'")
    elif not re.match(USERNAME_PATTERN, username):
        raise UserError("username: 2–64 letters, digits, '.', '_' or '-'")
    return username


def validate_password(password: str, *, username: str = "", context: Sequence[str] = ()) -> str:
    """``password`` if the policy accepts it, else :class:`WeakPassword`.

    At least 12 characters, and zxcvbn must estimate at least 10^8 guesses:
    it knows the most common and leaked passwords, words and names, and
    sees repeats (``aaaaaaaaaaaa``), sequences, keyboard walks and dates.
    ``username`` and ``context`` (e.g. the authority's name) count as known.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword("short", f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPassword("long", f"password must have at most {MAX_PASSWORD_LENGTH} characters")
    words = [username, *context]
    parts = {p for w in words for p in re.split(r"[\s._-]+", w)}
    known = [w for w in {*words, *parts, *KNOWN_WORDS} if w]
    result = zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=known)
    if result["score"] < MIN_PASSWORD_SCORE:
        hint = result["feedback"]["warning"] or "a simple pattern"
        raise WeakPassword(
            "common",
            f"password is too easy to guess ({hint}); use a longer one, e.g. several "
            "unrelated words",
        )
    return password


def one_time_password() -> str:
    """A random password for someone else to read out or hand over: 4×4 characters, ~92 bits."""
    chars = "".join(secrets.choice(ONE_TIME_ALPHABET) for _ in range(16))
    return "-".join(chars[i : i + 4] for i in range(0, 16, 4))


def _password_values(password: str, *, one_time: bool) -> dict[str, object]:
    return {
        "password_hash": _hasher.hash(password),
        "must_change_password": one_time,
        "password_expires_at": _now() + ONE_TIME_VALIDITY if one_time else None,
    }


def _find(s: Session, username: str) -> object | None:
    return s.execute(
        select(users).where(func.lower(users.c.username) == account_key(username))
    ).first()


def exists(db: Database, username: str) -> bool:
    """Whether an account of that name exists (names compare case-insensitively)."""
    with db.read() as s:
        return _find(s, username) is not None


def create_user(
    db: Database,
    username: str,
    role: str,
    password: str,
    *,
    one_time: bool = False,
    context: Sequence[str] = (),
) -> User:
    """A new active account. With ``one_time`` (a password someone else chose)
    it must be changed at the first login and expires after 72 hours."""
    validate_username(username)
    validate_role(role)
    validate_password(password, username=username, context=context)
    with db.write() as s:
        if _find(s, username):
            raise UserError(f"an account named {username!r} exists already")
        values = _password_values(password, one_time=one_time)
        uid = inserted_id(
            s.execute(
                insert(users).values(
                    username=username, role=role, active=True, created_at=_now(), **values
                )
            )
        )
    return User(
        uid, username, role, _stamp(str(values["password_hash"])), must_change_password=one_time
    )


def set_password(
    db: Database,
    username: str,
    password: str,
    *,
    one_time: bool = False,
    context: Sequence[str] = (),
) -> None:
    """A new password for ``username``; ends every session of the account."""
    validate_password(password, username=username, context=context)
    with db.write() as s:
        row = _find(s, username)
        if row is None:
            raise UserError(f"no account named {username!r}")
        uid = row.id  # type: ignore[attr-defined]
        s.execute(
            update(users)
            .where(users.c.id == uid)
            .values(**_password_values(password, one_time=one_time))
        )
        s.execute(delete(sessions).where(sessions.c.user_id == uid))


def create_external_user(db: Database, username: str, role: str) -> User:
    """An account without a password that logs in through the identity provider.

    The first OpenID Connect login whose name claim is ``username`` takes it
    (and binds it to that person's subject); see :func:`external_login`.
    """
    validate_username(username, external=True)
    validate_role(role)
    with db.write() as s:
        if _find(s, username):
            raise UserError(f"an account named {username!r} exists already")
        uid = inserted_id(
            s.execute(
                insert(users).values(
                    username=username,
                    role=role,
                    active=True,
                    created_at=_now(),
                    password_hash=NO_PASSWORD,
                )
            )
        )
    return User(uid, username, role, _stamp(NO_PASSWORD), has_password=False)


@dataclass(frozen=True)
class ExternalLogin:
    """The outcome of :func:`external_login`, with what it changed (for the audit log)."""

    user: User
    created: bool = False
    previous_role: str | None = None
    """The account's role before the provider's replaced it, if it differed."""


def external_login(
    db: Database, *, subject: str, username: str, role: str, create: bool
) -> ExternalLogin:
    """The local account of a person the identity provider vouched for.

    Found by ``subject`` (the provider's ``sub``); at the first login by
    ``username`` if an admin created it for the provider (no password, not yet
    bound), or created when ``create`` allows. An account with a password is
    never taken over by a provider's name. The provider's ``role`` replaces
    the account's; a disabled account stays disabled whatever the provider
    says. Raises :class:`ExternalLoginRefused`.
    """
    validate_role(role)
    now = _now()
    created = False
    with db.write() as s:
        row: Any = s.execute(select(users).where(users.c.oidc_subject == subject)).first()
        if row is None:
            by_name: Any = _find(s, username)
            if by_name is not None:
                if by_name.oidc_subject is not None or by_name.password_hash:
                    raise ExternalLoginRefused("taken")
                row = by_name
                s.execute(update(users).where(users.c.id == row.id).values(oidc_subject=subject))
            elif not create:
                raise ExternalLoginRefused("unknown")
            else:
                try:
                    validate_username(username, external=True)
                except UserError:
                    raise ExternalLoginRefused("invalid_name") from None
                uid = inserted_id(
                    s.execute(
                        insert(users).values(
                            username=username,
                            role=role,
                            active=True,
                            created_at=now,
                            password_hash=NO_PASSWORD,
                            oidc_subject=subject,
                        )
                    )
                )
                row = s.execute(select(users).where(users.c.id == uid)).first()
                created = True
        assert row is not None
        if not row.active:
            raise ExternalLoginRefused("disabled")
        previous = row.role if row.role != role else None
        s.execute(update(users).where(users.c.id == row.id).values(role=role, last_login_at=now))
        row = s.execute(select(users).where(users.c.id == row.id)).first()
    return ExternalLogin(_user(row), created, previous)


def change_own_password(db: Database, user_id: int, current: str, new: str) -> None:
    """Replace a password the caller has just proven to know (see :func:`authenticate`).

    Clears the one-time flag and ends every session of the account; the
    caller starts a fresh one for the browser that made the change.
    """
    if new == current:
        raise WeakPassword("same", "the new password must differ from the current one")
    with db.write() as s:
        row = s.execute(select(users).where(users.c.id == user_id)).first()
        if row is None:
            raise UserError("the account no longer exists")
        validate_password(new, username=row.username)
        s.execute(
            update(users)
            .where(users.c.id == user_id)
            .values(**_password_values(new, one_time=False))
        )
        s.execute(delete(sessions).where(sessions.c.user_id == user_id))


def _account(row: object) -> Account:
    r = row._mapping  # type: ignore[attr-defined]
    return Account(
        r["id"],
        r["username"],
        r["role"],
        bool(r["active"]),
        bool(r["must_change_password"]),
        r["password_expires_at"],
        r["created_at"],
        r["last_login_at"],
        two_factor=r["totp_confirmed_at"] is not None,
        external=r["oidc_subject"] is not None or not r["password_hash"],
        has_password=bool(r["password_hash"]),
    )


def _user(row: object, pw_hash: str | None = None) -> User:
    """The :class:`User` of a ``core_users`` row."""
    r = row._mapping  # type: ignore[attr-defined]
    pw = r["password_hash"] if pw_hash is None else pw_hash
    return User(
        r["id"],
        r["username"],
        r["role"],
        _stamp(pw),
        must_change_password=bool(r["must_change_password"]),
        has_password=bool(pw),
        two_factor=r["totp_confirmed_at"] is not None,
        two_factor_required=bool(r["totp_required"]),
    )


def list_accounts(db: Database) -> list[Account]:
    with db.read() as s:
        rows = s.execute(select(users).order_by(func.lower(users.c.username))).all()
    return [_account(r) for r in rows]


def get_account(db: Database, user_id: int) -> Account | None:
    with db.read() as s:
        row = s.execute(select(users).where(users.c.id == user_id)).first()
    return _account(row) if row is not None else None


def _guard_last_admin(s: Session, user_id: int) -> None:
    # Locks the admin rows (PostgreSQL), so two admins disabling each other at
    # the same moment cannot both succeed; SQLite writers are serialised anyway.
    admins = s.execute(
        select(users.c.id)
        .where(users.c.role == "admin", users.c.active.is_(True))
        .with_for_update()
    ).scalars()
    if not [uid for uid in admins if uid != user_id]:
        raise UserError("the last active admin account must stay an active admin")


def set_role(db: Database, user_id: int, role: str) -> None:
    """Takes effect on the account's next request (sessions read the role anew)."""
    validate_role(role)
    with db.write() as s:
        row = s.execute(select(users).where(users.c.id == user_id)).first()
        if row is None:
            raise UserError("no such account")
        if row.role == "admin" and role != "admin" and row.active:
            _guard_last_admin(s, user_id)
        s.execute(update(users).where(users.c.id == user_id).values(role=role))


def set_active(db: Database, user_id: int, active: bool) -> None:
    """Enable or disable an account; disabling ends its sessions at once."""
    with db.write() as s:
        row = s.execute(select(users).where(users.c.id == user_id)).first()
        if row is None:
            raise UserError("no such account")
        if not active and row.role == "admin" and row.active:
            _guard_last_admin(s, user_id)
        s.execute(update(users).where(users.c.id == user_id).values(active=active))
        if not active:
            s.execute(delete(sessions).where(sessions.c.user_id == user_id))


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
    return _user(row)


def get_user(db: Database, user_id: int) -> User | None:
    """The active account ``user_id`` as a :class:`User` (``None`` if gone or disabled)."""
    with db.read() as s:
        row = s.execute(
            select(users).where(users.c.id == user_id, users.c.active.is_(True))
        ).first()
    return _user(row) if row is not None else None


# -- login throttling ----------------------------------------------------------------


def _lock_client(s: Session, client: str) -> None:
    """Serialise the attempts of one client across processes (PostgreSQL).

    SQLite needs nothing: a write transaction holds the database's only
    write lock (``BEGIN IMMEDIATE``) until it commits.
    """
    if s.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(client.encode()).digest()[:8], "big", signed=True)
        s.execute(select(func.pg_advisory_xact_lock(key)))


def _failures(s: Session, since: datetime, *conditions: object) -> tuple[int, datetime | None]:
    count, last = s.execute(
        select(func.count(), func.max(login_failures.c.at)).where(
            login_failures.c.at > since,
            *conditions,  # type: ignore[arg-type]
        )
    ).one()
    return int(count), last


def _wait(
    s: Session, account: str, client: str, trusted: bool, policy: ThrottlePolicy, now: datetime
) -> int:
    """Seconds ``client`` must still wait before trying ``account`` (0: go ahead)."""
    since = now - policy.memory
    until = [policy.wait_until(*_failures(s, since, login_failures.c.client == client))]
    if not trusted:
        own, _ = _failures(
            s, since, login_failures.c.username == account, login_failures.c.client == client
        )
        if own:
            until.append(
                policy.wait_until(*_failures(s, since, login_failures.c.username == account))
            )
    latest = max((u for u in until if u is not None), default=None)
    if latest is None or latest <= now:
        return 0
    return max(1, int((latest - now).total_seconds() + 0.999))


def check_throttle(
    s: Session, account: str, client: str, trusted: bool, policy: ThrottlePolicy, now: datetime
) -> None:
    """Serialise ``client``'s attempts and raise :class:`Throttled` while it must wait.

    Every step of a login that checks something secret (the password, then a
    second factor) goes through here first, in its write transaction.
    """
    _lock_client(s, client)
    seconds = _wait(s, account, client, trusted, policy, now)
    if seconds:
        raise Throttled(seconds)


def record_failure(
    s: Session, account: str, client: str, policy: ThrottlePolicy, now: datetime
) -> None:
    """A failed attempt (wrong password or wrong second factor) counts for throttling."""
    s.execute(delete(login_failures).where(login_failures.c.at < now - policy.memory))
    s.execute(insert(login_failures).values(username=account, client=client, at=now))


def forget_failures(s: Session, account: str, client: str) -> None:
    """A complete login forgets this client's failures for this account."""
    s.execute(
        delete(login_failures).where(
            login_failures.c.username == account, login_failures.c.client == client
        )
    )


def authenticate(
    db: Database,
    username: str,
    password: str,
    *,
    client: str = "local",
    trusted: bool = False,
    policy: ThrottlePolicy | None = None,
    max_failures: int | None = None,
    lockout_minutes: int | None = None,
) -> User | None:
    """The user for these credentials, ``None`` when they are wrong.

    ``client`` names who tries (see the module docstring); ``trusted`` says it
    is a browser that logged in to this account before. Raises
    :class:`Throttled` while this client has to wait (the password is then
    not even checked) and :class:`PasswordExpired` for a correct one-time
    password past its expiry. ``max_failures`` and ``lockout_minutes`` (the
    ``[web]`` settings) stand for a policy's ``free_failures`` and ``max_delay``.

    For an account with a second factor (``User.two_factor``) a correct
    password is only half a login: the client's failures are kept until the
    code is right too (see :func:`willkommen_core.two_factor.verify_login_code`),
    so entering the password again never buys more guesses at the code.
    """
    if policy is None:
        policy = ThrottlePolicy()
        if max_failures is not None:
            policy = replace(policy, free_failures=max_failures)
        if lockout_minutes is not None:
            policy = replace(policy, max_delay=timedelta(minutes=lockout_minutes))
    key = account_key(username)
    now = _now()
    with db.write() as s:
        check_throttle(s, key, client, trusted, policy, now)
        row = s.execute(
            select(users).where(func.lower(users.c.username) == key, users.c.active.is_(True))
        ).first()
        ok = False
        if row is not None and row.password_hash:
            try:
                ok = _hasher.verify(row.password_hash, password)
            except (VerificationError, InvalidHashError):
                ok = False
        else:
            # Same work for unknown names and accounts without a password, so
            # timing reveals neither.
            with contextlib.suppress(VerificationError, InvalidHashError):
                _hasher.verify(_DUMMY_HASH, password)
        if not ok:
            record_failure(s, key, client, policy, now)
            return None
        assert row is not None
        second_step = row.totp_confirmed_at is not None
        if not second_step:
            forget_failures(s, key, client)
        if row.password_expires_at is not None and row.password_expires_at < now:
            raise PasswordExpired
        values: dict[str, object] = {} if second_step else {"last_login_at": now}
        pw_hash = row.password_hash
        if _hasher.check_needs_rehash(pw_hash):
            pw_hash = values["password_hash"] = _hasher.hash(password)
        if values:
            s.execute(update(users).where(users.c.id == row.id).values(**values))
    return _user(row, pw_hash)


_DUMMY_HASH = _hasher.hash("willkommen-timing-equaliser")


# -- API tokens ------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(db: Database, name: str, role: str, *, days: int = DEFAULT_TOKEN_DAYS) -> str:
    """A new bearer token valid for ``days``; only its hash is stored, so it is shown once."""
    validate_role(role)
    if not name.strip() or len(name) > 100:
        raise UserError("token name: 1–100 characters")
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise UserError(f"token validity: 1–{MAX_TOKEN_DAYS} days")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = _now()
    with db.write() as s:
        s.execute(
            insert(api_tokens).values(
                name=name,
                role=role,
                token_hash=_token_hash(token),
                created_at=now,
                expires_at=now + timedelta(days=days),
                revoked=False,
            )
        )
    return token


def user_for_token(db: Database, token: str) -> User | None:
    """The token's user while it is neither revoked nor expired; records its use."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    now = _now()
    with db.read() as s:
        row = s.execute(
            select(api_tokens).where(
                api_tokens.c.token_hash == _token_hash(token),
                api_tokens.c.revoked.is_(False),
                api_tokens.c.expires_at > now,
            )
        ).first()
    if row is None:
        return None
    if row.last_used_at is None or row.last_used_at < now - TOKEN_LAST_USED_RESOLUTION:
        with db.write() as s:
            s.execute(update(api_tokens).where(api_tokens.c.id == row.id).values(last_used_at=now))
    return User(row.id, f"token:{row.name}", row.role, via_token=True)


def list_tokens(db: Database) -> list[TokenInfo]:
    with db.read() as s:
        rows = s.execute(select(api_tokens).order_by(api_tokens.c.name, api_tokens.c.id)).all()
    return [
        TokenInfo(r.name, r.role, r.created_at, r.expires_at, r.last_used_at, bool(r.revoked))
        for r in rows
    ]


def revoke_token(db: Database, name: str) -> int:
    with db.write() as s:
        return affected(
            s.execute(update(api_tokens).where(api_tokens.c.name == name).values(revoked=True))
        )
