"""Backup and restore of an instance's data: every table and the uploaded content.

A backup is one zip file::

    manifest.json              format, authority, versions, revisions, row counts,
                               sizes and checksums of every other member
    manifest.sig               HMAC-SHA256 of manifest.json with a key derived from
                               the instance's secret_key
    tables/<table>.jsonl       one JSON array per row, columns as in the manifest
    files/content/...          the instance's content/ and uploads/ folders
    files/uploads/...

Rows are stored dialect-neutral (datetimes and dates as ISO 8601, bytes as
base64, decimals as strings), so a backup from SQLite restores into
PostgreSQL and back. Values are decoded by the column types of the schema
the restore first migrates to: the revisions the backup was made at.

Restore first checks the zip's listing (no duplicate, absolute or ``..``
names, bounded sizes), then the signature of the manifest with the key of
this instance (or of the instance named by ``signer_secret``), then that the
backup is of this authority, then every member against the manifest. Only a
backup without any signature (format 1, Willkommen 0.1.0) is restored
unauthenticated, and only when the caller asks for that explicitly.

Restore verifies everything before it changes anything, then replaces the
schema and the rows in ONE transaction (both SQLite and PostgreSQL have
transactional DDL), so a failure leaves the database as it was.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import shutil
import uuid
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Connection, MetaData, Table, func, select, text
from sqlalchemy import types as sqltypes
from sqlalchemy.exc import StatementError

from .. import __version__
from ..errors import UserError
from ..progress import Progress
from . import migrate

if TYPE_CHECKING:
    from ..instance import Instance

FORMAT = "willkommen-backup"
FORMAT_VERSION = 2
"""2: signed (``manifest.sig``), sizes of tables in the manifest. 1: unsigned (0.1.0)."""
UNSIGNED_FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
MAC_ALGORITHM = "HMAC-SHA256"
_MAC_CONTEXT = b"willkommen-backup manifest\n"
MAX_MANIFEST = 64 << 20
"""Bytes a manifest (or a signature) may have; anything larger is not a backup."""
MAX_MEMBERS = 1_000_000
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    EOFError,
    ValueError,
    NotImplementedError,
    RuntimeError,
    zlib.error,
)
"""What the zipfile module raises for damaged, encrypted or strange archives."""
TABLES_DIR = "tables/"
FILES_DIR = "files/"
FOLDERS = ("content", "uploads")
"""Instance folders holding data of the authority's own (not settings)."""
VERSION_TABLE_PREFIX = "alembic_version"
CHUNK = 1000
"""Rows per fetch and per insert: memory stays bounded for any table size."""
_IO_CHUNK = 1 << 16


# -- values -----------------------------------------------------------------------


def _encode(value: Any) -> Any:
    """A JSON value for a column value (the column type tells how to decode it)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict | list):
        return value  # JSON columns
    raise TypeError(f"cannot back up a value of type {type(value).__name__}")


def _decoder(column_type: sqltypes.TypeEngine[Any]) -> Any:
    """A function turning a stored JSON value back into the column's Python value."""
    t = column_type
    if isinstance(t, sqltypes.DateTime):
        return datetime.fromisoformat
    if isinstance(t, sqltypes.Date):
        return date.fromisoformat
    if isinstance(t, sqltypes.Time):
        return time.fromisoformat
    if isinstance(t, sqltypes.Interval):
        return lambda v: timedelta(seconds=v)
    if isinstance(t, sqltypes._Binary):
        return base64.b64decode
    if isinstance(t, sqltypes.Float):
        return float
    if isinstance(t, sqltypes.Numeric):
        return Decimal if t.asdecimal else float
    if isinstance(t, sqltypes.Uuid):
        return (lambda v: uuid.UUID(v)) if t.as_uuid else None
    return None


def _row_decoder(columns: list[str], table: Table) -> Any:
    decoders = [_decoder(table.c[name].type) for name in columns]

    def decode(values: list[Any]) -> dict[str, Any]:
        return {
            name: (dec(v) if dec is not None and v is not None else v)
            for name, dec, v in zip(columns, decoders, values, strict=True)
        }

    return decode


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# -- the key -----------------------------------------------------------------------


def backup_key(secret_key: str) -> bytes:
    """The HMAC key of backups, derived from an instance's ``secret_key``."""
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"willkommen backup mac v1"
    ).derive(secret_key.encode())


def key_id(key: bytes) -> str:
    """A short public name of a backup key (tells "another key" from "altered")."""
    return hmac.new(key, b"willkommen backup key id", hashlib.sha256).hexdigest()[:16]


def _mac(key: bytes, manifest: bytes) -> str:
    return hmac.new(key, _MAC_CONTEXT + manifest, hashlib.sha256).hexdigest()


def sign(key: bytes, manifest: bytes) -> bytes:
    """The content of ``manifest.sig`` for the exact bytes of ``manifest.json``."""
    sig = {"algorithm": MAC_ALGORITHM, "key_id": key_id(key), "mac": _mac(key, manifest)}
    return json.dumps(sig).encode()


def _instance_key(instance: Instance) -> bytes:
    secret = instance.settings.secret_key
    if secret is None:
        raise UserError(
            "secret_key is not set: backups are signed with a key derived from it; "
            "put WILLKOMMEN_SECRET_KEY into the instance's .env"
        )
    return backup_key(secret.get_secret_value())


def read_key_file(path: Path) -> str:
    """The secret_key in ``path``: an instance's ``.env`` or a file holding only the key."""
    try:
        text_ = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot read the key file ({exc})") from None
    secret = text_.strip()
    for line in text_.splitlines():
        name, sep, value = line.strip().partition("=")
        if sep and name.strip().removeprefix("export ").strip() == "WILLKOMMEN_SECRET_KEY":
            secret = value.strip().strip("'\"")
    if len(secret) < 32 or "\n" in secret:
        raise UserError(
            f"{path}: no secret_key found (a line WILLKOMMEN_SECRET_KEY=... of at least "
            "32 characters, or a file holding only the key)"
        )
    return secret


# -- reading the database -----------------------------------------------------------


def _reflect(conn: Connection) -> MetaData:
    metadata = MetaData()
    metadata.reflect(conn)
    return metadata


def _data_tables(metadata: MetaData) -> list[Table]:
    """Tables in foreign-key order, without the Alembic version tables."""
    return [t for t in metadata.sorted_tables if not t.name.startswith(VERSION_TABLE_PREFIX)]


def _revisions(conn: Connection, metadata: MetaData) -> dict[str, str]:
    """``{component: revision}`` from the version tables ``alembic_version_<name>``."""
    found: dict[str, str] = {}
    for table in metadata.sorted_tables:
        if not table.name.startswith(VERSION_TABLE_PREFIX + "_"):
            continue
        revs = [r[0] for r in conn.execute(select(table.c.version_num))]
        if len(revs) > 1:
            raise UserError(
                f"table {table.name} holds several revisions ({', '.join(revs)}); "
                "branched histories cannot be backed up"
            )
        if revs:
            found[table.name[len(VERSION_TABLE_PREFIX) + 1 :]] = revs[0]
    return found


def _ordered_select(table: Table) -> Any:
    # A stable order makes the same data give the same file and checksum.
    order = list(table.primary_key.columns) or list(table.columns)
    return select(table).order_by(*order)


# -- backup -----------------------------------------------------------------------


def _files(root: Path) -> Iterator[tuple[str, Path]]:
    """``(archive name, path)`` of every regular file in the data folders."""
    for folder in FOLDERS:
        base = root / folder
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            # Symbolic links may point anywhere outside the instance: not data of it.
            if path.is_file() and not path.is_symlink():
                yield path.relative_to(root).as_posix(), path


def _human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{size} B"  # pragma: no cover


def create_backup(instance: Instance, file: Path, *, progress: Progress | None = None) -> str:
    """Write every table and the content folders of ``instance`` to the zip ``file``.

    Returns a one-line summary. The file is written next to its target and
    renamed at the end, so an interrupted backup never leaves a truncated
    file under the requested name. ``progress`` counts one step per table
    and per file.
    """
    file = Path(file)
    if not file.parent.is_dir():
        raise UserError(f"{file}: the folder {file.parent} does not exist")
    key = _instance_key(instance)
    db = instance.db
    tmp = file.with_name(f".{file.name}.{uuid.uuid4().hex[:8]}.part")
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "toolkit_version": __version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "authority": instance.slug,
        "dialect": db.dialect,
        "components": {},
        "tables": {},
        "folders": [f for f in FOLDERS if (instance.root / f).is_dir()],
        "files": {},
    }
    total_rows = 0
    bar = Progress.of(progress)
    files = list(_files(instance.root))
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            engine = db.engine
            if db.dialect == "postgresql":
                # One snapshot for all tables, as with SQLite's read transaction.
                engine = engine.execution_options(isolation_level="REPEATABLE READ")
            with engine.connect() as conn, conn.begin():
                metadata = _reflect(conn)
                manifest["components"] = _revisions(conn, metadata)
                tables = _data_tables(metadata)
                bar.start(len(tables) + len(files))
                for table in tables:
                    entry = _write_table(conn, table, zf)
                    manifest["tables"][table.name] = entry
                    total_rows += entry["rows"]
                    bar.advance(table.name)
            total_size = 0
            for name, path in files:
                digest = hashlib.sha256()
                with (
                    path.open("rb") as src,
                    zf.open(FILES_DIR + name, "w", force_zip64=True) as dst,
                ):
                    while chunk := src.read(_IO_CHUNK):
                        digest.update(chunk)
                        dst.write(chunk)
                size = path.stat().st_size
                total_size += size
                manifest["files"][name] = {"size": size, "sha256": digest.hexdigest()}
                bar.advance(name)
            manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
            zf.writestr(MANIFEST, manifest_bytes)
            zf.writestr(SIGNATURE, sign(key, manifest_bytes))
        tmp.replace(file)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return (
        f"{total_rows} rows in {len(manifest['tables'])} tables, "
        f"{len(manifest['files'])} files ({_human_size(total_size)}), "
        + ", ".join(f"{c} at {r}" for c, r in sorted(manifest["components"].items()))
    )


def _type_name(column_type: sqltypes.TypeEngine[Any], conn: Connection) -> str:
    """The column's SQL type, for people reading the manifest (restore does not use it)."""
    try:
        return str(column_type.compile(conn.dialect))
    except Exception:  # e.g. a type SQLAlchemy reflected as NullType
        return type(column_type).__name__


def _write_table(conn: Connection, table: Table, zf: zipfile.ZipFile) -> dict[str, Any]:
    columns = [c.name for c in table.columns]
    digest = hashlib.sha256()
    rows = size = 0
    name = f"{TABLES_DIR}{table.name}.jsonl"
    result = conn.execution_options(yield_per=CHUNK).execute(_ordered_select(table))
    with zf.open(name, "w", force_zip64=True) as out:
        for partition in result.partitions():
            lines = b"".join(_dumps([_encode(v) for v in row]) + b"\n" for row in partition)
            digest.update(lines)
            out.write(lines)
            rows += len(partition)
            size += len(lines)
    return {
        "file": name,
        "columns": columns,
        "types": [_type_name(c.type, conn) for c in table.columns],
        "rows": rows,
        "size": size,
        "sha256": digest.hexdigest(),
    }


# -- restore ----------------------------------------------------------------------


@dataclass
class _Backup:
    """A verified backup file: its manifest and the zip it came from."""

    path: Path
    zf: zipfile.ZipFile
    manifest: dict[str, Any]
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)

    def rows(self, table: str) -> Iterator[list[Any]]:
        with self.zf.open(self.tables[table]["file"]) as src:
            for line in src:
                yield json.loads(line)


def _bad(path: Path, what: str) -> UserError:
    return UserError(f"{path}: {what}; nothing was restored")


@dataclass(frozen=True)
class Trust:
    """Whom a restore believes: keys it accepts, the authority it expects."""

    keys: tuple[bytes, ...]
    """Backup keys whose signature is accepted."""
    authority: str
    """The authority the backup must be of."""
    own_authority: str
    unsigned: bool = False
    """Accept a backup without any signature (format 1)."""


def _open_verified(path: Path, trust: Trust) -> _Backup:
    """Open ``path``; check listing, signature, authority, every member against the manifest."""
    try:
        zf = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except _ZIP_ERRORS as exc:
        raise _bad(path, f"not a Willkommen backup (not a readable zip file: {exc})") from None
    try:
        backup = _verify(path, zf, trust)
    except BaseException:
        zf.close()
        raise
    return backup


def _check_listing(path: Path, zf: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """The members by name; refuses names a zip of ours never has."""
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise _bad(path, f"the archive has {len(infos)} entries (at most {MAX_MEMBERS})")
    members: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        name = info.filename
        parts = name.split("/")
        if (
            not name
            or name.startswith("/")
            or "\\" in name
            or "\x00" in name
            or (len(name) > 1 and name[1] == ":")
            or any(p in ("", ".", "..") for p in parts)
        ):
            raise _bad(path, f"the archive holds an entry with an unsafe name: {name!r}")
        if name in members:
            raise _bad(path, f"the archive holds the entry {name!r} twice")
        members[name] = info
    return members


def _read_small(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    if info.file_size > MAX_MANIFEST:
        raise _bad(path, f"{info.filename} is too large ({info.file_size} bytes)")
    try:
        with zf.open(info) as src:
            data = src.read(MAX_MANIFEST + 1)
    except _ZIP_ERRORS as exc:
        raise _bad(path, f"{info.filename} is damaged ({exc})") from None
    if len(data) > MAX_MANIFEST:
        raise _bad(path, f"{info.filename} is too large")
    return data


def _peek_authority(manifest: bytes) -> str | None:
    """The authority an unverified manifest claims: only to word a refusal."""
    try:
        value = json.loads(manifest).get("authority")
    except (ValueError, AttributeError, RecursionError):
        return None
    return value if isinstance(value, str) else None


def _check_signature(
    path: Path, zf: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], trust: Trust
) -> bytes:
    """The bytes of ``manifest.json``, once its signature is verified (or none is required)."""
    if MANIFEST not in members:
        raise _bad(path, f"not a Willkommen backup ({MANIFEST} is missing)")
    manifest = _read_small(path, zf, members[MANIFEST])
    if SIGNATURE not in members:
        if trust.unsigned:
            return manifest
        raise _bad(
            path,
            "the backup is not signed, so nobody can tell whether it was altered "
            "(a backup of Willkommen 0.1.0, or not made by Willkommen); if you know where it "
            "comes from, restore it deliberately with --unsigned",
        )
    try:
        sig = json.loads(_read_small(path, zf, members[SIGNATURE]))
        mac, kid = sig["mac"], sig["key_id"]
        if sig["algorithm"] != MAC_ALGORITHM or not (isinstance(mac, str) and mac.isascii()):
            raise ValueError(sig["algorithm"])
    except (ValueError, TypeError, KeyError, RecursionError):
        raise _bad(path, f"{SIGNATURE} is damaged (not a {MAC_ALGORITHM} signature)") from None
    for key in trust.keys:
        if hmac.compare_digest(_mac(key, manifest), mac):
            return manifest
    if any(kid == key_id(key) for key in trust.keys):
        raise _bad(
            path,
            "the backup was ALTERED after it was made (its signature does not match "
            f"{MANIFEST}); do not use it",
        )
    claimed = _peek_authority(manifest)
    if claimed is not None and claimed != trust.authority:
        raise _bad(
            path,
            f"the backup is FOREIGN: it says it is of the authority {claimed!r} (not verified), "
            f"this instance is {trust.own_authority!r}; to restore another authority's backup "
            f"pass --from-authority {claimed} --key-file <.env of the instance that made it>",
        )
    given = " or the one of --key-file" if len(trust.keys) > 1 else ""
    raise _bad(
        path,
        f"the backup is signed with another key than this instance's{given} (made by "
        "another instance, or before the secret_key was changed); pass --key-file with "
        "the .env (secret_key) of the instance that made it",
    )


_COMPONENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_REVISION = re.compile(r"[A-Za-z0-9_]{1,64}")
"""A plain revision id: no ``head``-relative or range syntax reaches Alembic."""


def _matches(pattern: re.Pattern[str], value: Any) -> bool:
    return isinstance(value, str) and pattern.fullmatch(value) is not None


def _is_digest(value: Any) -> bool:
    return (
        isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value)
    )


def _check_manifest(path: Path, manifest: Any) -> None:
    """Refuses a manifest whose parts have the wrong shape (signed ones included)."""

    def need(ok: bool, what: str) -> None:
        if not ok:
            raise _bad(path, f"{MANIFEST} is damaged ({what})")

    version = manifest.get("format_version")
    tables, files = manifest.get("tables"), manifest.get("files")
    components, folders = manifest.get("components"), manifest.get("folders", [])
    need(
        isinstance(tables, dict) and isinstance(files, dict) and isinstance(components, dict),
        "tables, files or components missing",
    )
    need(isinstance(manifest.get("authority"), str), "no authority")
    need(
        all(_matches(_COMPONENT, k) and _matches(_REVISION, v) for k, v in components.items()),
        "bad components",
    )
    need(isinstance(folders, list) and all(f in FOLDERS for f in folders), "bad folders")
    for name, entry in tables.items():
        need(
            isinstance(entry, dict)
            and entry.get("file") == f"{TABLES_DIR}{name}.jsonl"
            and isinstance(entry.get("columns"), list)
            and all(isinstance(c, str) for c in entry["columns"])
            and isinstance(entry.get("rows"), int)
            and _is_digest(entry.get("sha256"))
            and (version == UNSIGNED_FORMAT_VERSION or isinstance(entry.get("size"), int)),
            f"table {name}: bad entry",
        )
    names = set(files)
    for name, entry in files.items():
        parts = name.split("/")
        if (
            len(parts) < 2
            or parts[0] not in FOLDERS
            or any(p in ("", ".", "..") for p in parts)
            or "\\" in name
            or "\x00" in name
        ):
            raise _bad(path, f"{MANIFEST}: file {name!r} lies outside {', '.join(FOLDERS)}")
        # A file "content/a" and a file "content/a/b" cannot both be extracted.
        for i in range(2, len(parts)):
            need("/".join(parts[:i]) not in names, f"file {name!r} lies inside another file")
        need(
            isinstance(entry, dict)
            and isinstance(entry.get("size"), int)
            and _is_digest(entry.get("sha256")),
            f"file {name}: bad entry",
        )


def _verify(path: Path, zf: zipfile.ZipFile, trust: Trust) -> _Backup:
    members = _check_listing(path, zf)
    raw = _check_signature(path, zf, members, trust)
    try:
        manifest = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise _bad(path, f"{MANIFEST} is damaged ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _bad(path, f"not a Willkommen backup ({MANIFEST} has no format {FORMAT!r})")
    version = manifest.get("format_version")
    readable: tuple[int, ...] = (FORMAT_VERSION,)
    if SIGNATURE not in members:  # accepted unsigned: 0.1.0, or a signature removed
        readable += (UNSIGNED_FORMAT_VERSION,)
    if version not in readable:
        raise _bad(
            path,
            f"unsupported backup format version {version!r} "
            f"(this toolkit {__version__} reads version {FORMAT_VERSION}, signed, "
            f"and {UNSIGNED_FORMAT_VERSION}, unsigned)",
        )
    _check_manifest(path, manifest)
    authority = manifest["authority"]
    if authority != trust.authority:
        if trust.authority != trust.own_authority:
            raise _bad(
                path,
                f"the backup is of the authority {authority!r}, not of {trust.authority!r} "
                "named by --from-authority",
            )
        raise _bad(
            path,
            f"the backup is FOREIGN: it is of the authority {authority!r}, this instance is "
            f"{trust.own_authority!r}; to restore it here all the same pass "
            f"--from-authority {authority}",
        )
    tables, files = manifest["tables"], manifest["files"]
    backup = _Backup(path, zf, manifest, tables, files)
    expected = {MANIFEST} | ({SIGNATURE} & set(members))
    for name, entry in tables.items():
        member = entry["file"]
        expected.add(member)
        _check_member(backup, members, member, f"table {name}", entry, count_rows=True)
    for name, entry in files.items():
        member = FILES_DIR + name
        expected.add(member)
        _check_member(backup, members, member, f"file {name}", entry, count_rows=False)
    unexpected = sorted(set(members) - expected)
    if unexpected:
        raise _bad(path, f"unexpected entry {unexpected[0]} (not in {MANIFEST})")
    return backup


def _check_member(
    backup: _Backup,
    members: dict[str, zipfile.ZipInfo],
    member: str,
    what: str,
    entry: dict[str, Any],
    *,
    count_rows: bool,
) -> None:
    info = members.get(member)
    if info is None:
        raise _bad(backup.path, f"{what} is missing ({member})")
    limit = entry.get("size")
    if isinstance(limit, int) and info.file_size != limit:
        raise _bad(backup.path, f"{what} has {info.file_size} bytes, the manifest says {limit}")
    digest = hashlib.sha256()
    lines = size = 0
    try:
        with backup.zf.open(info) as src:
            while chunk := src.read(_IO_CHUNK):
                digest.update(chunk)
                lines += chunk.count(b"\n")
                size += len(chunk)
                if isinstance(limit, int) and size > limit:
                    break
    except _ZIP_ERRORS as exc:
        raise _bad(backup.path, f"{what} is damaged ({exc})") from None
    if isinstance(limit, int) and size != limit:
        raise _bad(backup.path, f"{what} has {size} bytes, the manifest says {limit}")
    if digest.hexdigest() != entry.get("sha256"):
        raise _bad(backup.path, f"{what} was changed or damaged (checksum differs)")
    if count_rows and lines != entry.get("rows"):
        raise _bad(backup.path, f"{what} has {lines} rows, the manifest says {entry.get('rows')}")


def _components(instance: Instance, names: list[str]) -> dict[str, migrate.Component]:
    """The components (with their migrations) the backup needs, from this toolkit.

    A plugin that is installed but disabled here still brings its
    migrations: its tables are data of the authority's all the same.
    """
    found = {c.name: c for c in instance.components()}
    missing = [n for n in names if n not in found]
    if missing:
        from ..plugins import PluginHost

        host = PluginHost(instance.root, [], inspect_disabled=True)
        for name in missing:
            record = host.records.get(name)
            storage_hook = getattr(record.module, "storage", None) if record else None
            storage = storage_hook() if storage_hook else None
            if storage is not None:
                found[name] = migrate.Component(name, storage.metadata, Path(storage.migrations))
    return found


def _check_revisions(
    path: Path, instance: Instance, revisions: dict[str, str]
) -> dict[str, migrate.Component]:
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    known = _components(instance, list(revisions))
    for name, rev in revisions.items():
        component = known.get(name)
        if component is None:
            raise _bad(
                path,
                f"it holds tables of the plugin {name!r}, which is not installed here: "
                "install it first",
            )
        scripts = ScriptDirectory.from_config(migrate._config(component, None))
        try:
            scripts.get_revision(rev)
        except CommandError:
            raise _bad(
                path,
                f"component {name} is at revision {rev}, which this toolkit "
                f"({__version__}, {name} up to {scripts.get_current_head()}) does not know: "
                "it was made by a newer version; upgrade the toolkit first",
            ) from None
    return {name: known[name] for name in revisions}


def _row_counts(conn: Connection, metadata: MetaData) -> dict[str, int]:
    return {
        t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
        for t in _data_tables(metadata)
    }


def restore_backup(
    instance: Instance,
    file: Path,
    *,
    replace: bool,
    from_authority: str | None = None,
    signer_secret: str | None = None,
    unsigned: bool = False,
    progress: Progress | None = None,
) -> str:
    """Make the instance's database and content folders those of the backup ``file``.

    Refuses (``UserError``, nothing changed) a damaged, altered, unsigned or
    foreign file, a backup from a newer toolkit, and a database that holds
    data unless ``replace`` is true. The backup must be signed with this
    instance's key or with the key of ``signer_secret`` (the ``secret_key`` of
    the instance that made it); a backup of another authority is restored
    only if ``from_authority`` names it, and then only with ``signer_secret``.
    ``unsigned`` accepts a backup without any signature (Willkommen 0.1.0).
    ``progress`` counts one step per file and per table. Returns a one-line summary.
    """
    file = Path(file)
    own = instance.slug
    if from_authority is not None and from_authority != own:
        if signer_secret is None and not unsigned:
            raise UserError(
                f"--from-authority {from_authority}: pass --key-file with the secret_key of "
                "that authority's instance (its .env): its backups are signed with that key"
            )
        keys: tuple[bytes, ...] = (backup_key(signer_secret),) if signer_secret else ()
    else:
        keys = (_instance_key(instance),)
        if signer_secret is not None:
            keys += (backup_key(signer_secret),)
    trust = Trust(keys, from_authority or own, own, unsigned)
    backup = _open_verified(file, trust)
    with backup.zf:
        revisions = backup.manifest["components"]
        components = _check_revisions(file, instance, revisions)
        db = instance.db
        with db.engine.connect() as conn:
            counts = _row_counts(conn, _reflect(conn))
        filled = {t: n for t, n in counts.items() if n}
        if filled and not replace:
            raise UserError(
                f"the database of {instance.root} already holds data "
                f"({sum(filled.values())} rows in {len(filled)} tables, e.g. {next(iter(filled))}); "
                "pass --yes to replace it with the backup"
            )
        bar = Progress.of(progress)
        bar.start(len(backup.files) + len(backup.tables))
        staging = _stage_files(instance.root, backup, bar)
        try:
            rows = _restore_database(instance, backup, components, bar)
            _swap_folders(instance.root, staging, backup.manifest.get("folders", []))
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return (
        f"{rows} rows in {len(backup.tables)} tables, {len(backup.files)} files, "
        f"from {backup.manifest.get('authority')} ({backup.manifest.get('dialect')}, "
        f"{backup.manifest.get('created')})"
    )


def _restore_database(
    instance: Instance, backup: _Backup, components: dict[str, migrate.Component], bar: Progress
) -> int:
    db = instance.db
    rows = 0
    with db._write_engine.connect() as conn, conn.begin():
        if db.dialect == "sqlite":
            # Rows of a table referring to later rows of the same table.
            conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        # Start from nothing: the schema exactly at the backup's revisions.
        _reflect(conn).drop_all(conn)
        for name, rev in backup.manifest["components"].items():
            migrate.upgrade(db, [components[name]], rev, connection=conn)
        metadata = _reflect(conn)
        for table in reversed(_data_tables(metadata)):
            conn.execute(table.delete())  # rows a data migration may have added
        order = [t for t in _data_tables(metadata) if t.name in backup.tables]
        absent = sorted(set(backup.tables) - {t.name for t in order})
        if absent:
            raise UserError(
                f"{backup.path}: table {absent[0]} does not exist at the backup's revisions; "
                "nothing was restored"
            )
        for table in order:
            rows += _load_table(conn, table, backup)
            bar.advance(table.name)
        if db.dialect == "sqlite":
            _check_foreign_keys(conn, backup.path)
        if db.dialect == "postgresql":
            _reset_sequences(conn, order)
        # Then on to this toolkit's schema, in the same transaction.
        migrate.upgrade(db, instance.components(), connection=conn)
    return rows


def _load_table(conn: Connection, table: Table, backup: _Backup) -> int:
    entry = backup.tables[table.name]
    columns = entry["columns"]
    unknown = [c for c in columns if c not in table.c]
    if unknown:
        raise UserError(
            f"{backup.path}: table {table.name}: column {unknown[0]} does not exist at the "
            "backup's revisions; nothing was restored"
        )
    decode = _row_decoder(columns, table)
    count = 0
    chunk: list[dict[str, Any]] = []
    try:
        for values in backup.rows(table.name):
            chunk.append(decode(values))
            if len(chunk) >= CHUNK:
                conn.execute(table.insert(), chunk)
                count += len(chunk)
                chunk = []
        if chunk:
            conn.execute(table.insert(), chunk)
            count += len(chunk)
    except (StatementError, ValueError, TypeError, RecursionError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise UserError(
            f"{backup.path}: table {table.name}: rows cannot be restored ({reason}); "
            "nothing was restored"
        ) from None
    return count


def _check_foreign_keys(conn: Connection, path: Path) -> None:
    """SQLite defers foreign keys to the commit; find violations while they can be named."""
    bad = conn.exec_driver_sql("PRAGMA foreign_key_check").first()
    if bad is not None:
        raise UserError(
            f"{path}: table {bad[0]}: rows cannot be restored (row {bad[1]} refers to a "
            f"missing row of {bad[2]}); nothing was restored"
        )


def _reset_sequences(conn: Connection, tables: list[Table]) -> None:
    """Let new rows continue after the restored ids (rows came with explicit ids)."""
    quote = conn.dialect.identifier_preparer.quote
    for table in tables:
        for column in table.columns:
            if not isinstance(column.type, sqltypes.Integer):
                continue
            seq = conn.execute(
                text("SELECT pg_get_serial_sequence(:t, :c)"),
                {"t": quote(table.name), "c": column.name},
            ).scalar_one()
            if seq is None:
                continue
            conn.execute(
                text(
                    f"SELECT setval(:seq, COALESCE((SELECT MAX({quote(column.name)}) "  # noqa: S608
                    f"FROM {quote(table.name)}), 1), "
                    f"(SELECT MAX({quote(column.name)}) FROM {quote(table.name)}) IS NOT NULL)"
                ),
                {"seq": seq},
            )


def _stage_files(root: Path, backup: _Backup, bar: Progress) -> Path:
    """Extract the content folders beside their targets, ready to be swapped in."""
    staging = root / f".restore-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        for folder in backup.manifest.get("folders", []):
            if folder in FOLDERS:
                (staging / folder).mkdir(parents=True, exist_ok=True)
        for name in backup.files:
            target = staging.joinpath(*PurePosixPath(name).parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with backup.zf.open(FILES_DIR + name) as src, target.open("wb") as dst:
                shutil.copyfileobj(src, dst, _IO_CHUNK)
            bar.advance(name)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def _swap_folders(root: Path, staging: Path, folders: list[str]) -> None:
    """Replace each backed-up folder by its staged copy; others stay as they are."""
    old = staging / ".old"
    old.mkdir()
    for folder in folders:
        if folder not in FOLDERS or not (staging / folder).is_dir():
            continue
        target = root / folder
        if target.exists():
            target.replace(old / folder)
        (staging / folder).replace(target)
