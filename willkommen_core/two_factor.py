"""Two-factor login with time-based one-time codes (TOTP, RFC 6238) and recovery codes.

Any authenticator app works: six digits, 30-second steps, SHA-1, as the
apps expect. The shared secret is stored encrypted (AES-GCM, with a key
derived from the instance's ``secret_key`` and bound to the account), so a
copy of the database alone does not give anyone the codes. It counts only
once the person has confirmed it with a first code.

A code is accepted once: the time step of the last accepted code is stored,
and a code of that step or an earlier one is refused, so a code seen over
someone's shoulder is worthless after its owner used it. Wrong codes are
failed logins for the login throttling of :mod:`willkommen_core.accounts`.

Recovery codes (for a lost phone) are random, shown once, stored as SHA-256
hashes and deleted when used.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pyotp
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from . import accounts
from .errors import UserError
from .storage.db import Database, affected
from .storage.tables import recovery_codes, sessions, users

log = logging.getLogger("willkommen.two_factor")

ISSUER = "Willkommen"
STEP_SECONDS = 30
DIGITS = 6
VALID_WINDOW = 1
"""Steps before and after now that still count (clocks of phones drift)."""
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no 0/o, 1/l: easy to read out
RECOVERY_LENGTH = 12  # 60 bits each
_CIPHER_PREFIX = "v1:"
_CODE = re.compile(r"^\d{6}$")


@dataclass(frozen=True)
class Status:
    """Where an account stands with its second factor."""

    confirmed_at: datetime | None
    pending: bool
    """A secret was made but not yet confirmed with a code."""
    required: bool
    """An admin reset it: it must be set up again."""
    recovery_codes_left: int


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def cipher_key(secret_key: str) -> bytes:
    """The key that encrypts TOTP secrets, derived from the instance's ``secret_key``."""
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"willkommen totp secret v1"
    ).derive(secret_key.encode())


def _aad(user_id: int) -> bytes:
    # Bound to the account: a secret copied onto another row does not decrypt.
    return f"core_users.totp_secret:{user_id}".encode()


def encrypt_secret(key: bytes, user_id: int, secret: str) -> str:
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(key).encrypt(nonce, secret.encode(), _aad(user_id))
    return _CIPHER_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def decrypt_secret(key: bytes, user_id: int, stored: str) -> str | None:
    """The plain secret, ``None`` if it cannot be read (e.g. another ``secret_key``)."""
    if not stored.startswith(_CIPHER_PREFIX):
        return None
    try:
        raw = base64.urlsafe_b64decode(stored[len(_CIPHER_PREFIX) :])
        return AESGCM(key).decrypt(raw[:12], raw[12:], _aad(user_id)).decode()
    except (InvalidTag, ValueError):
        log.error(
            "the TOTP secret of account %s cannot be decrypted (secret_key changed?)", user_id
        )
        return None


def provisioning_uri(secret: str, username: str, authority: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=username, issuer_name=f"{ISSUER} {authority}"
    )


def qr_svg(uri: str) -> str:
    """The QR code of ``uri`` as inline SVG (no image request, no script)."""
    import io

    import segno

    from .i18n import gettext as _

    out = io.BytesIO()
    segno.make(uri, error="m").save(
        out, kind="svg", scale=5, border=4, xmldecl=False, svgns=True, title=_("QR-Code")
    )
    return out.getvalue().decode()


def current_step(at: datetime | None = None) -> int:
    moment = (at or datetime.now(UTC)).replace(tzinfo=UTC)
    return int(moment.timestamp()) // STEP_SECONDS


def _matching_step(secret: str, code: str, last_step: int | None, now_step: int) -> int | None:
    """The step (not used before) whose code ``code`` is, if any."""
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    for step in range(now_step - VALID_WINDOW, now_step + VALID_WINDOW + 1):
        if last_step is not None and step <= last_step:
            continue  # used already, or older than a code that was
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def normalise(code: str) -> str:
    """What the person typed, without spaces and dashes, in lower case."""
    return re.sub(r"[\s-]", "", code)[:64].lower()


def _recovery_hash(code: str) -> str:
    return hashlib.sha256(normalise(code).encode()).hexdigest()


def _new_recovery_codes(s: Session, user_id: int) -> list[str]:
    s.execute(delete(recovery_codes).where(recovery_codes.c.user_id == user_id))
    codes = []
    now = _now()
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        code = f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
        s.execute(
            insert(recovery_codes).values(
                user_id=user_id, code_hash=_recovery_hash(code), created_at=now
            )
        )
        codes.append(code)
    return codes


def _row(s: Session, user_id: int) -> Any:
    row = s.execute(select(users).where(users.c.id == user_id)).first()
    if row is None:
        raise UserError("the account no longer exists")
    return row


def status(db: Database, user_id: int) -> Status:
    with db.read() as s:
        row = _row(s, user_id)
        left = s.execute(
            select(func.count()).where(recovery_codes.c.user_id == user_id)
        ).scalar_one()
    return Status(
        row.totp_confirmed_at,
        row.totp_secret is not None and row.totp_confirmed_at is None,
        bool(row.totp_required),
        int(left),
    )


def pending_secret(db: Database, key: bytes, user_id: int) -> str:
    """The secret being set up for ``user_id``: made on first call, kept until confirmed.

    Showing the same secret again lets a person who already scanned the code
    reload the page. Raises :class:`UserError` when a second factor is active.
    """
    with db.write() as s:
        row = _row(s, user_id)
        if row.totp_confirmed_at is not None:
            raise UserError("two-factor login is set up already")
        if row.totp_secret is not None:
            secret = decrypt_secret(key, user_id, row.totp_secret)
            if secret is not None:
                return secret
        secret = pyotp.random_base32()  # 160 bits, as RFC 4226 recommends
        s.execute(
            update(users)
            .where(users.c.id == user_id)
            .values(totp_secret=encrypt_secret(key, user_id, secret), totp_last_step=None)
        )
    return secret


def confirm(db: Database, key: bytes, user_id: int, code: str) -> list[str] | None:
    """Activate the pending secret if ``code`` is its current code; returns the
    recovery codes (shown once), ``None`` for a wrong code."""
    code = normalise(code)
    with db.write() as s:
        row = _row(s, user_id)
        if row.totp_confirmed_at is not None or row.totp_secret is None:
            raise UserError("no two-factor setup is pending")
        secret = decrypt_secret(key, user_id, row.totp_secret)
        if secret is None or not _CODE.match(code):
            return None
        step = _matching_step(secret, code, None, current_step())
        if step is None:
            return None
        s.execute(
            update(users)
            .where(users.c.id == user_id)
            .values(totp_confirmed_at=_now(), totp_last_step=step, totp_required=False)
        )
        return _new_recovery_codes(s, user_id)


def _check_code(s: Session, key: bytes, row: Any, code: str) -> str | None:
    """``"totp"`` or ``"recovery"`` when ``code`` is good (and uses it up), else ``None``."""
    code = normalise(code)
    if _CODE.match(code):
        secret = decrypt_secret(key, row.id, row.totp_secret or "")
        if secret is None:
            return None
        step = _matching_step(secret, code, row.totp_last_step, current_step())
        if step is None:
            return None
        # Conditional on the step read, so two requests with one code cannot both pass.
        done = affected(
            s.execute(
                update(users)
                .where(
                    users.c.id == row.id,
                    (users.c.totp_last_step.is_(None)) | (users.c.totp_last_step < step),
                )
                .values(totp_last_step=step)
            )
        )
        return "totp" if done == 1 else None
    if not code:
        return None
    used = affected(
        s.execute(
            delete(recovery_codes).where(
                recovery_codes.c.user_id == row.id,
                recovery_codes.c.code_hash == _recovery_hash(code),
            )
        )
    )
    return "recovery" if used == 1 else None


def verify_login_code(
    db: Database,
    key: bytes,
    user_id: int,
    code: str,
    *,
    client: str,
    trusted: bool,
    policy: accounts.ThrottlePolicy,
) -> str | None:
    """The second step of a login: ``"totp"``/``"recovery"`` for a good code, else ``None``.

    Throttled like the password (raises :class:`accounts.Throttled`); a wrong
    code is a failed login; a good one completes the login (failures of this
    client forgotten, last login recorded).
    """
    now = _now()
    with db.write() as s:
        row = _row(s, user_id)
        account = accounts.account_key(row.username)
        accounts.check_throttle(s, account, client, trusted, policy, now)
        kind = None
        if row.active and row.totp_confirmed_at is not None:
            kind = _check_code(s, key, row, code)
        if kind is None:
            accounts.record_failure(s, account, client, policy, now)
            return None
        accounts.forget_failures(s, account, client)
        s.execute(update(users).where(users.c.id == user_id).values(last_login_at=now))
    return kind


def regenerate_recovery_codes(
    db: Database, key: bytes, user_id: int, code: str
) -> list[str] | None:
    """New recovery codes (the old ones stop working), if ``code`` is good."""
    with db.write() as s:
        row = _row(s, user_id)
        if row.totp_confirmed_at is None or _check_code(s, key, row, code) is None:
            return None
        return _new_recovery_codes(s, user_id)


def disable(db: Database, key: bytes, user_id: int, code: str) -> bool:
    """Switch the second factor off, if ``code`` is good."""
    with db.write() as s:
        row = _row(s, user_id)
        if row.totp_confirmed_at is None or _check_code(s, key, row, code) is None:
            return False
        _clear(s, user_id, required=False)
    return True


def _clear(s: Session, user_id: int, *, required: bool) -> None:
    s.execute(
        update(users)
        .where(users.c.id == user_id)
        .values(
            totp_secret=None,
            totp_confirmed_at=None,
            totp_last_step=None,
            totp_required=required,
        )
    )
    s.execute(delete(recovery_codes).where(recovery_codes.c.user_id == user_id))


def reset(db: Database, user_id: int) -> None:
    """An admin's reset (e.g. a lost phone): the secret and recovery codes are
    gone, every session of the account ends, and the person must set up the
    second factor again at the next login."""
    with db.write() as s:
        row = _row(s, user_id)
        _clear(s, row.id, required=bool(row.password_hash))
        s.execute(delete(sessions).where(sessions.c.user_id == user_id))
