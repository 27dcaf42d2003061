"""The participant's answers between pages: one hidden field, sealed with AES-GCM.

Nothing reaches the database before the final submit and the server keeps
no session of the answers; neither the code nor any answer can be read from
the field, and a changed field is refused.
"""

from __future__ import annotations

import base64
import json
import secrets
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

if TYPE_CHECKING:
    from willkommen_core.instance import Instance

_STATE_PREFIX = "v1."


def _state_key(instance: Instance) -> bytes:
    return _state_key_for(instance.secret)


@lru_cache(maxsize=8)
def _state_key_for(secret: str) -> bytes:
    """The key that seals the participant's hidden state, derived from ``secret_key``."""
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"willkommen selbstcheck state v1"
    ).derive(secret.encode())


def dump(instance: Instance, state: dict[str, Any]) -> str:
    """The state sealed with AES-GCM: neither the code nor any answer can be read from it."""
    nonce = secrets.token_bytes(12)
    plain = json.dumps(state, separators=(",", ":")).encode()
    sealed = AESGCM(_state_key(instance)).encrypt(nonce, plain, _STATE_PREFIX.encode())
    return _STATE_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")


def load(instance: Instance, raw: str) -> dict[str, Any] | None:
    """The state sealed in ``raw``, or ``None`` if it is not one this instance sealed."""
    if not raw.startswith(_STATE_PREFIX):
        return None
    body = raw[len(_STATE_PREFIX) :]
    try:
        blob = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        plain = AESGCM(_state_key(instance)).decrypt(blob[:12], blob[12:], _STATE_PREFIX.encode())
        state = json.loads(plain)
    except (InvalidTag, ValueError):
        return None
    return state if isinstance(state, dict) and isinstance(state.get("r"), int) else None
