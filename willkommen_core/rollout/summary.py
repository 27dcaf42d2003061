"""Signed anonymous summaries: what an instance sends to the ministry.

``willkommen summary --output FILE.json`` collects every enabled plugin's
``state_summary`` hook into one envelope and signs it with the instance's own
Ed25519 key (``.willkommen/summary-key.pem``, created at rollout, readable
only by its owner). The rollout records each authority's public key
(``keys.json`` in the rollout folder); ``willkommen land report --keys``
verifies each file against it, so a file altered after export, or signed by
a key the ministry does not know, is rejected.

The signature covers the canonical JSON of the envelope without its
``signature`` member (sorted keys, no spaces, UTF-8).

Every envelope carries a ``sequence``: a number that grows with each export
of the instance, so the report counts the newest summary of an authority and
an older one sent again cannot replace it (:func:`next_sequence`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UserError

if TYPE_CHECKING:
    from ..instance import Instance

SCHEMA = "willkommen.summary/1"
KEYS_SCHEMA = "willkommen.keys/1"
KEY_FILE = ".willkommen/summary-key.pem"
SEQUENCE_DIR = ".willkommen/summary-sequence"
ALGORITHM = "Ed25519"
SIGNATURE_FIELDS = frozenset({"algorithm", "key_id", "public_key", "value"})


class SummaryError(Exception):
    """A summary file that must not enter the state report (message says why)."""


def canonical(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def key_id(public_key: str) -> str:
    """Short fingerprint of a public key (first 16 hex digits of its SHA-256)."""
    return hashlib.sha256(base64.b64decode(public_key)).hexdigest()[:16]


def _public_b64(private: Any) -> str:
    from cryptography.hazmat.primitives import serialization

    raw = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return base64.b64encode(raw).decode()


def ensure_key(root: Path) -> tuple[str, bool]:
    """The instance's public key (base64), creating the key pair if missing.

    Returns the key and whether it was created now.
    """
    path = root / KEY_FILE
    if path.is_file():
        return _public_b64(load_private_key(root)), False
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(exist_ok=True)
    # 0600 from the start: the key must never be readable by other users.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    return _public_b64(private), True


def load_private_key(root: Path) -> Any:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = root / KEY_FILE
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError as exc:
        raise UserError(
            f"{path}: no signing key. The ministry's rollout creates it; "
            "ask it to run 'willkommen rollout REGISTER --output DIR --update' for this authority"
        ) from exc
    except ValueError as exc:
        raise UserError(f"{path}: not a readable private key ({exc})") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise UserError(f"{path}: not an Ed25519 key")
    return key


def public_key(root: Path) -> str | None:
    """The instance's public key, or None when it has no key."""
    if not (root / KEY_FILE).is_file():
        return None
    return _public_b64(load_private_key(root))


def next_sequence(root: Path) -> int:
    """Claim the next summary number of the instance at ``root``.

    Each claim is a file named by its number in ``.willkommen/summary-sequence/``,
    created exclusively: two concurrent exports never get the same number, and
    a crash cannot leave a lock behind. The folder is not in the database, so
    ``willkommen restore`` does not set the count back. The number is at least
    the current time in milliseconds: even a restore of the instance folder from
    an older copy, or a rebuilt machine, continues above every number sent before.
    """
    folder = root / SEQUENCE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    while True:
        claimed = (int(p.name) for p in folder.iterdir() if p.name.isascii() and p.name.isdecimal())
        number = max(max(claimed, default=0) + 1, time.time_ns() // 1_000_000)
        try:
            os.close(os.open(folder / str(number), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            continue  # another export took this number first: look again
        return number


def build(instance: Instance, sequence: int) -> dict[str, Any]:
    """The unsigned envelope: every enabled plugin's ``state_summary``."""
    from .. import __version__

    authority = instance.settings.authority
    modules = {
        name: data
        for name, data in sorted(
            instance.plugins.call_each("state_summary", instance=instance).items()
        )
        if data is not None
    }
    return {
        "schema": SCHEMA,
        "authority": {
            "slug": authority.slug,
            "name": authority.name,
            "type": authority.type,
            "federal_state": authority.federal_state,
        },
        "toolkit_version": __version__,
        "created": date.today().isoformat(),
        "sequence": sequence,
        "modules": modules,
    }


def sign(envelope: dict[str, Any], private: Any) -> dict[str, Any]:
    body = {k: v for k, v in envelope.items() if k != "signature"}
    public = _public_b64(private)
    signature = base64.b64encode(private.sign(canonical(body))).decode()
    return {
        **body,
        "signature": {
            "algorithm": ALGORITHM,
            "key_id": key_id(public),
            "public_key": public,
            "value": signature,
        },
    }


def export(instance: Instance, output: Path) -> dict[str, Any]:
    """Write the signed summary of ``instance`` to ``output``; returns it."""
    private = load_private_key(instance.root)
    envelope = build(instance, next_sequence(instance.root))
    signed = sign(envelope, private)
    text = json.dumps(signed, ensure_ascii=False, indent=2) + "\n"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    # The claim records what was sent under its number (sha256sum format), for
    # when the ministry asks which of two files is the authority's own.
    claim = instance.root / SEQUENCE_DIR / str(envelope["sequence"])
    claim.write_text(f"{hashlib.sha256(text.encode()).hexdigest()}  {output.name}\n")
    return signed


def verify(doc: Any, keys: dict[str, str] | None, *, source: str) -> tuple[dict[str, Any], bool]:
    """Check a signed envelope; returns it (without signature) and whether the key was known.

    ``keys`` maps slug -> public key (from ``keys.json``): then only a signature
    by the key registered for the envelope's slug counts. Without it, the key
    embedded in the file is used: that detects alteration but cannot tell who
    signed, so the report marks such files as not verified against the register.
    """
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    if not isinstance(doc, dict):
        raise SummaryError(f"{source}: not a JSON object")
    if doc.get("schema") != SCHEMA:
        raise SummaryError(
            f"{source}: unknown schema {doc.get('schema')!r} (this toolkit reads {SCHEMA!r})"
        )
    sig = doc.get("signature")
    if not isinstance(sig, dict) or sig.get("algorithm") != ALGORITHM:
        raise SummaryError(f"{source}: not signed (expected an {ALGORITHM} signature)")
    if set(sig) != SIGNATURE_FIELDS or not all(isinstance(v, str) for v in sig.values()):
        raise SummaryError(
            f"{source}: the signature must have exactly the text fields "
            f"{', '.join(sorted(SIGNATURE_FIELDS))}"
        )
    body = {k: v for k, v in doc.items() if k != "signature"}
    authority = body.get("authority")
    slug = authority.get("slug") if isinstance(authority, dict) else None
    if not isinstance(slug, str) or not slug:
        raise SummaryError(f"{source}: names no authority (authority.slug)")
    embedded = sig["public_key"]
    # The key_id is not signed: a wrong one would mislead whoever reads the file.
    if not _b64ok(embedded) or sig["key_id"] != key_id(embedded):
        raise SummaryError(f"{source}: key_id {sig['key_id']!r} does not match the public key")
    known = None
    if keys is not None:
        known = keys.get(slug)
        if known is None:
            raise SummaryError(f"{source}: authority {slug!r} is not in the keys file")
        if embedded != known:
            raise SummaryError(
                f"{source}: signed with key {key_id(embedded)}, "
                f"but {slug!r} has key {key_id(known)} in the keys file"
            )
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(known or embedded))
        public.verify(base64.b64decode(sig["value"], validate=True), canonical(body))
    except (InvalidSignature, ValueError) as exc:
        raise SummaryError(
            f"{source}: signature does not match: the file was altered after export"
        ) from exc
    sequence = body.get("sequence")
    if type(sequence) is not int or sequence < 1:
        raise SummaryError(
            f"{source}: no valid sequence number (summaries of toolkit versions before the "
            "signed sequence have none): export it again with 'willkommen summary'"
        )
    return body, known is not None


def _b64ok(value: str) -> bool:
    try:
        base64.b64decode(value, validate=True)
        return True
    except ValueError:
        return False


def read_keys(path: Path) -> dict[str, str]:
    """``{slug: public key}`` from a rollout's ``keys.json``."""

    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        # Two entries for one slug: whichever JSON reader wins, one key would be ignored.
        names = [name for name, _value in pairs]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise UserError(f"{path}: {', '.join(map(repr, twice))} appears more than once")
        return dict(pairs)

    try:
        data = json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=unique)
    except (OSError, ValueError, RecursionError) as exc:
        raise UserError(f"{path}: cannot read the keys file ({exc})") from exc
    if not isinstance(data, dict) or data.get("schema") != KEYS_SCHEMA:
        raise UserError(f"{path}: not a keys file of schema {KEYS_SCHEMA!r}")
    return {
        slug: entry["public_key"]
        for slug, entry in data.get("authorities", {}).items()
        if isinstance(entry, dict) and entry.get("public_key")
    }
