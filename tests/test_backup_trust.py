"""Backups as an attacker sees them: forged, foreign, unsigned and malformed files.

A backup is signed with a key derived from the instance's secret_key and
names its authority. Every refusal names its reason and leaves the target
instance as it was (SQLite and PostgreSQL, fixture ``database``).
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_backup import but_the_audit_log, dump, read_files, rewrite, run, secret

from willkommen_core import accounts
from willkommen_core.errors import UserError
from willkommen_core.storage import backup as backup_mod
from willkommen_core.storage.backup import create_backup, restore_backup

pytestmark = pytest.mark.filterwarnings("ignore:Duplicate name:UserWarning")


@pytest.fixture
def target(make_instance, local_kiste, tmp_path):
    """The instance under attack, with data of its own (kiste as a local plugin)."""
    local_kiste(tmp_path / "target")
    instance = make_instance(["kiste"], name="target")
    accounts.create_user(instance.db, "bleibt", "admin", "unveraendert-123")
    (instance.root / "content").mkdir()
    (instance.root / "content" / "eigen.txt").write_text("bleibt", encoding="utf-8")
    return instance


@pytest.fixture
def own(target, tmp_path) -> Path:
    file = tmp_path / "own.zip"
    create_backup(target, file)
    return file


@pytest.fixture
def foreign(make_instance, local_kiste, tmp_path):
    """Another authority's instance (slug ``andere``) and its backup."""
    local_kiste(tmp_path / "andere")
    other = make_instance(["kiste"], name="andere", authority={"slug": "andere"})
    accounts.create_user(other.db, "fremd", "admin", "fremdes-passwort-123")
    file = tmp_path / "andere.zip"
    create_backup(other, file)
    return other, file


def refused(instance: Any, file: Path, message: str, **options: Any) -> str:
    """Restore must fail naming ``message``; the instance stays exactly as it was."""
    before, files = dump(instance), read_files(instance.root)
    with pytest.raises(UserError) as err:
        restore_backup(instance, file, replace=True, **options)
    assert message in str(err.value), str(err.value)
    assert "nothing was restored" in str(err.value) or "--key-file" in str(err.value)
    assert dump(instance) == before
    assert read_files(instance.root) == files
    return str(err.value)


def members(file: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(file) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def forge_admin(file: Path, dst: Path) -> Path:
    """The attack of issue 12: a users row added, checksums and sizes recomputed."""
    parts = members(file)
    manifest = json.loads(parts["manifest.json"])
    entry = manifest["tables"]["core_users"]
    row = json.loads(parts["tables/core_users.jsonl"].splitlines()[0])
    columns = entry["columns"]
    row[columns.index("id")] = 999
    row[columns.index("username")] = "eindringling"
    data = parts["tables/core_users.jsonl"] + json.dumps(row).encode() + b"\n"
    entry.update(rows=entry["rows"] + 1, size=len(data), sha256=hashlib.sha256(data).hexdigest())
    raw = json.dumps(manifest).encode()
    return rewrite(file, dst, replace={"tables/core_users.jsonl": data, "manifest.json": raw})


# -- forged -----------------------------------------------------------------------


def test_a_forged_users_row_with_recomputed_checksums_is_refused_as_altered(target, own, tmp_path):
    forged = forge_admin(own, tmp_path / "forged.zip")
    refused(target, forged, "the backup was ALTERED after it was made")


def test_a_forged_backup_signed_with_a_guessed_key_is_refused(target, own, tmp_path):
    forged = forge_admin(own, tmp_path / "forged.zip")
    raw = members(forged)["manifest.json"]
    wrong = backup_mod.backup_key("x" * 40)
    resigned = rewrite(
        forged, tmp_path / "resigned.zip", replace={"manifest.sig": backup_mod.sign(wrong, raw)}
    )
    refused(target, resigned, "signed with another key than this instance's")


def test_a_stripped_signature_is_refused_as_unsigned(target, own, tmp_path):
    forged = forge_admin(own, tmp_path / "forged.zip")
    stripped = rewrite(forged, tmp_path / "stripped.zip", replace={"manifest.sig": None})
    message = refused(target, stripped, "the backup is not signed")
    assert "--unsigned" in message


def test_the_command_refuses_a_forged_admin(target, own, tmp_path):
    forged = forge_admin(own, tmp_path / "forged.zip")
    before = dump(target)
    code, out = run("--instance", str(target.root), "restore", str(forged), "--yes")
    assert code == 1
    assert "ALTERED" in out
    assert dump(target) == before


def test_an_unaltered_own_backup_restores_without_any_option(target, own):
    restore_backup(target, own, replace=True)
    assert accounts.authenticate(
        target.db, "bleibt", "unveraendert-123", max_failures=5, lockout_minutes=10
    )


# -- foreign ----------------------------------------------------------------------


def test_another_authoritys_backup_is_refused_as_foreign(target, foreign):
    _, file = foreign
    message = refused(target, file, "the backup is FOREIGN")
    assert "'andere'" in message and "--from-authority andere" in message


def test_a_foreign_backup_signed_with_the_same_key_is_still_foreign(
    target, make_instance, local_kiste, tmp_path
):
    """A key that verifies: the slug the signature covers refuses it all the same."""
    local_kiste(tmp_path / "kopie")
    other = make_instance(["kiste"], name="kopie", authority={"slug": "andere"})
    file = tmp_path / "kopie.zip"
    create_backup(other, file)
    refused(target, file, "the backup is FOREIGN", signer_secret=secret(other))


def test_a_foreign_backup_needs_its_authority_and_its_key(target, foreign):
    other, file = foreign
    with pytest.raises(UserError, match="pass --key-file"):
        restore_backup(target, file, replace=True, from_authority="andere")
    refused(
        target,
        file,
        "signed with another key",
        from_authority="andere",
        signer_secret=secret(target),
    )
    refused(
        target,
        file,
        "the backup is of the authority 'andere', not of 'dritte'",
        from_authority="dritte",
        signer_secret=secret(other),
    )

    restore_backup(target, file, replace=True, from_authority="andere", signer_secret=secret(other))
    assert dump(target) == dump(other)


def test_restore_command_names_the_foreign_authority(target, foreign):
    other, file = foreign
    root = str(target.root)
    code, out = run("--instance", root, "restore", str(file), "--yes")
    assert code == 1 and "FOREIGN" in out and "--from-authority andere" in out
    code, out = run(
        "--instance",
        root,
        "restore",
        str(file),
        "--yes",
        "--from-authority",
        "andere",
        "--key-file",
        str(other.root / ".env"),
    )
    assert code == 0, out
    assert but_the_audit_log(target) == but_the_audit_log(other)
    (entry,) = target.audit.entries()
    assert (entry.event, entry.details["from_authority"]) == ("backup.restored", "andere")


def test_a_backup_made_before_a_new_secret_key_restores_with_the_old_key_file(
    target, own, tmp_path
):
    old_env = tmp_path / "old.env"
    old_env.write_text(f"WILLKOMMEN_SECRET_KEY='{secret(target)}'\n", encoding="utf-8")
    (target.root / ".env").write_text("WILLKOMMEN_SECRET_KEY=" + "n" * 40 + "\n")
    root = str(target.root)
    code, out = run("--instance", root, "restore", str(own), "--yes")
    assert code == 1 and "signed with another key than this instance's" in out
    code, out = run("--instance", root, "restore", str(own), "--yes", "--key-file", str(old_env))
    assert code == 0, out


def test_a_key_file_without_a_key_is_named(target, own, tmp_path):
    empty = tmp_path / "leer.env"
    empty.write_text("OTHER=1\n", encoding="utf-8")
    code, out = run("--instance", str(target.root), "restore", str(own), "--key-file", str(empty))
    assert code == 1 and "no secret_key found" in out


# -- unsigned (0.1.0) -------------------------------------------------------------


def unsigned_copy(file: Path, dst: Path) -> Path:
    """The backup as Willkommen 0.1.0 wrote it: format 1, no signature."""
    manifest = json.loads(members(file)["manifest.json"])
    manifest["format_version"] = 1
    raw = json.dumps(manifest).encode()
    return rewrite(file, dst, replace={"manifest.json": raw, "manifest.sig": None})


def test_an_old_unsigned_backup_is_refused_unless_unsigned_is_given(target, own, tmp_path):
    old = unsigned_copy(own, tmp_path / "old.zip")
    message = refused(target, old, "the backup is not signed")
    assert "Willkommen 0.1.0" in message and "--unsigned" in message

    root = str(target.root)
    code, out = run("--instance", root, "restore", str(old), "--yes", "--unsigned")
    assert code == 0, out
    assert "warning: --unsigned" in out


def test_unsigned_does_not_accept_an_altered_signed_backup(target, own, tmp_path):
    forged = forge_admin(own, tmp_path / "forged.zip")
    refused(target, forged, "ALTERED", unsigned=True)


def test_an_unsigned_backup_of_another_authority_is_still_foreign(target, foreign, tmp_path):
    _, file = foreign
    old = unsigned_copy(file, tmp_path / "old.zip")
    refused(target, old, "the backup is FOREIGN", unsigned=True)


# -- malformed --------------------------------------------------------------------


def unsigned_with(file: Path, dst: Path, change: Any, extra: dict[str, bytes | None]) -> Path:
    manifest = json.loads(members(file)["manifest.json"])
    manifest["format_version"] = 1
    change(manifest)
    replace: dict[str, bytes | None] = {"manifest.json": json.dumps(manifest).encode()}
    replace["manifest.sig"] = None
    return rewrite(file, dst, replace={**replace, **extra})


def _file_named_content(m: dict[str, Any]) -> None:
    m["files"]["content"] = {"size": 1, "sha256": hashlib.sha256(b"x").hexdigest()}
    m["folders"] = ["content"]


def _file_inside_a_file(m: dict[str, Any]) -> None:
    digest = hashlib.sha256(b"x").hexdigest()
    m["files"]["content/a"] = {"size": 1, "sha256": digest}
    m["files"]["content/a/b"] = {"size": 1, "sha256": digest}


def _file_outside(m: dict[str, Any]) -> None:
    m["files"]["content/../../x"] = {"size": 1, "sha256": hashlib.sha256(b"x").hexdigest()}


@pytest.mark.parametrize(
    ("change", "extra", "message"),
    [
        (_file_named_content, {"files/content": b"x"}, "file 'content' lies outside"),
        (
            _file_inside_a_file,
            {"files/content/a": b"x", "files/content/a/b": b"x"},
            "lies inside another file",
        ),
        (_file_outside, {}, "unsafe name"),
        (lambda m: m["tables"]["core_users"].update(columns=7), {}, "table core_users: bad entry"),
        (lambda m: m["components"].update(core="head~1"), {}, "bad components"),
        (lambda m: m.pop("authority"), {}, "no authority"),
        (lambda m: m.update(tables=[]), {}, "tables, files or components missing"),
    ],
    ids=[
        "member-content",
        "file-in-file",
        "dotdot",
        "columns",
        "revision",
        "authority",
        "tables",
    ],
)
def test_malformed_manifests_are_refused_even_unsigned(
    target, own, tmp_path, change, extra, message
):
    if change is _file_outside:
        extra = {"files/content/../../x": b"x"}
    bad = unsigned_with(own, tmp_path / "bad.zip", change, extra)
    refused(target, bad, message, unsigned=True)


def add_raw(file: Path, dst: Path, entries: list[tuple[str, bytes]]) -> Path:
    """Append members as they are (zipfile would not refuse odd names or duplicates)."""
    dst.write_bytes(file.read_bytes())
    with zipfile.ZipFile(dst, "a") as zf:
        for name, data in entries:
            zf.writestr(zipfile.ZipInfo(name), data)
    return dst


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([("content", b"x")], "unexpected entry content"),
        ([("../outside", b"x")], "unsafe name: '../outside'"),
        ([("/etc/passwd", b"x")], "unsafe name: '/etc/passwd'"),
        ([("files\\content\\x", b"x")], "unsafe name"),
        ([("manifest.json", b"{}")], "the entry 'manifest.json' twice"),
        ([("tables/core_users.jsonl", b"[]\n")], "the entry 'tables/core_users.jsonl' twice"),
    ],
    ids=["content", "dotdot", "absolute", "backslash", "dup-manifest", "dup-table"],
)
def test_odd_members_are_refused(target, own, tmp_path, entries, message):
    refused(target, add_raw(own, tmp_path / "bad.zip", entries), message)


def test_a_huge_member_is_refused_by_its_size_before_reading(target, own, tmp_path):
    parts = members(own)
    bomb = parts["tables/core_users.jsonl"] + b"\n" * (1 << 22)
    bad = rewrite(own, tmp_path / "bad.zip", replace={"tables/core_users.jsonl": bomb})
    refused(target, bad, f"table core_users has {len(bomb)} bytes, the manifest says")


def test_a_truncated_backup_is_refused(target, own, tmp_path):
    data = own.read_bytes()
    for cut in (len(data) // 2, len(data) - 10, 30):
        bad = tmp_path / f"cut{cut}.zip"
        bad.write_bytes(data[:cut])
        refused(target, bad, "")


# -- fuzzing: every malformed file is a message, never a traceback ------------------


def _flip(data: bytes, flips: list[tuple[int, int]]) -> bytes:
    out = bytearray(data)
    for pos, mask in flips:
        out[pos % len(out)] ^= mask
    return bytes(out)


FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _expect_message(target: Any, file: Path, *options: str) -> None:
    """Without --yes: even a file that passes every check stops before changing data."""
    code, out = run("--instance", str(target.root), "restore", str(file), *options)
    assert code == 1, out
    assert out.strip() and "Traceback" not in out


@pytest.fixture
def lite_target(make_sqlite_instance, local_kiste, tmp_path):
    local_kiste(tmp_path / "sqlite" / "lite")
    instance = make_sqlite_instance(["kiste"], name="lite")
    accounts.create_user(instance.db, "bleibt", "admin", "unveraendert-123")
    return instance


@FUZZ
@given(
    flips=st.lists(
        st.tuples(st.integers(min_value=0), st.integers(min_value=1, max_value=255)),
        min_size=1,
        max_size=4,
    ),
    unsigned=st.booleans(),
)
def test_fuzz_flipped_bytes(lite_target, tmp_path, flips, unsigned):
    file = tmp_path / "own.zip"
    if not file.exists():
        create_backup(lite_target, file)
    bad = tmp_path / "flipped.zip"
    bad.write_bytes(_flip(file.read_bytes(), flips))
    _expect_message(lite_target, bad, *(["--unsigned"] if unsigned else []))


NAMES = st.one_of(
    st.sampled_from(
        ["content", "files/content", "files", "manifest.json", "manifest.sig", "tables/"]
    ),
    st.text(min_size=0, max_size=30),
    st.lists(st.sampled_from(["..", ".", "", "files", "content", "uploads", "x", "C:"])).map(
        "/".join
    ),
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=8,
)


@FUZZ
@given(
    names=st.lists(st.tuples(NAMES, st.binary(max_size=20)), min_size=1, max_size=3),
    key=st.sampled_from(["tables", "files", "components", "folders", "authority", "format"]),
    value=JSON,
    sub=st.one_of(st.none(), st.text(max_size=12)),
)
def test_fuzz_member_names_and_manifests(lite_target, tmp_path, names, key, value, sub):
    file = tmp_path / "own.zip"
    if not file.exists():
        create_backup(lite_target, file)
    with_names = tmp_path / "names.zip"
    try:
        add_raw(file, with_names, names)
    except (ValueError, UnicodeEncodeError):
        return  # a name the zip format cannot hold at all
    _expect_message(lite_target, with_names)

    def change(m: dict[str, Any]) -> None:
        if sub is not None and isinstance(m.get(key), dict):
            m[key][sub] = value
        else:
            m[key] = value

    bad = unsigned_with(file, tmp_path / "manifest.zip", change, {})
    _expect_message(lite_target, bad, "--unsigned")
