"""``willkommen backup`` / ``restore``: an instance's data round-trips exactly.

Every test runs on SQLite and on PostgreSQL (fixture ``database``). The data
covers every column type of the test plugin ``kiste`` (tests/plugins/kiste):
unicode (Arabic, ß), NULLs, empty strings and bytes, binary, decimals,
microsecond timestamps, dates, booleans, and more rows than one chunk.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import MetaData, insert, select

from willkommen_core import accounts
from willkommen_core.cli import cli
from willkommen_core.errors import UserError
from willkommen_core.storage import backup as backup_mod
from willkommen_core.storage import migrate
from willkommen_core.storage.backup import create_backup, restore_backup

ARABIC = "مرحبا بكم في مكتب الأجانب"
BLOB = bytes(range(256)) * 3
SEEN = datetime(2024, 2, 29, 13, 45, 7, 123456)
STAMPED = datetime(2024, 3, 31, 1, 30, 59, 999999, tzinfo=timezone(timedelta(hours=2)))
BULK = backup_mod.CHUNK * 2 + 17  # several chunks when writing and loading


def dump(instance: Any) -> dict[str, list[tuple[tuple[str, Any], ...]]]:
    """Every row of every table (version tables too), with each value's type."""
    with instance.db.engine.connect() as conn:
        metadata = MetaData()
        metadata.reflect(conn)
        out = {}
        for table in metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            out[table.name] = [
                tuple((type(v).__name__, v) for v in row)
                for row in conn.execute(select(table).order_by(*order))
            ]
    return out


def secret(instance: Any) -> str:
    """The secret_key of ``instance``: what ``--key-file`` reads from its .env."""
    return str(instance.settings.secret_key.get_secret_value())


def data_tables(instance: Any) -> dict[str, list[Any]]:
    return {k: v for k, v in dump(instance).items() if not k.startswith("alembic_version")}


def fill(instance: Any, kiste: Any, *, with_tz: bool = True) -> None:
    """Accounts, a token, a login failure and kiste rows of every type."""
    user = accounts.create_user(instance.db, "guel.strasse", "redaktion", "lange-passwort-123")
    accounts.create_token(instance.db, "Skript für Berichte", "leitung")
    assert (
        accounts.authenticate(
            instance.db, "niemand", "falsch-falsch-falsch", max_failures=5, lockout_minutes=10
        )
        is None
    )
    with instance.db.write() as s:
        s.execute(
            insert(kiste.items).values(
                id=1,
                name="Beratung Straße",
                notes=ARABIC,
                seen_at=SEEN,
                stamped_at=STAMPED if with_tz else None,
                day=date(1999, 12, 31),
                active=True,
                blob=BLOB,
                amount=Decimal("12345678.1234"),
                owner_id=user.id,
            )
        )
        s.execute(insert(kiste.items).values(id=2, name="nur ein Name", active=False))
        s.execute(
            insert(kiste.items).values(
                id=3,
                name="Zeile 1\nZeile 2 \u200f😀",
                notes="",
                blob=b"",
                amount=Decimal("-0.0001"),
            )
        )
        s.execute(
            insert(kiste.items),
            [
                {"id": 100 + i, "name": f"Eintrag {i}", "amount": Decimal(i) / 4}
                for i in range(BULK)
            ],
        )
        s.execute(
            insert(kiste.attachments),
            [{"item_id": 1, "label": "Pass"}, {"item_id": 3, "label": "Foto بطاقة"}],
        )


def write_files(root: Path) -> dict[str, bytes]:
    files = {
        "content/partner/partner.csv": "Name;Sprache\nIntegrationsnetzwerk;العربية\n".encode(),
        "content/selbstcheck/items.toml": b'[extra]\ntext = "Gr\xc3\xbc\xc3\x9fe"\n',
        "uploads/2024/scan.pdf": BLOB * 50,
        "uploads/leer.txt": b"",
    }
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return files


def read_files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for folder in ("content", "uploads")
        for p in sorted((root / folder).rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def source(make_instance, kiste):
    instance = make_instance(name="source", extra_plugins=(("kiste", kiste),))
    fill(instance, kiste)
    return instance


@pytest.fixture
def fresh(make_instance, kiste):
    """A newly created, migrated, empty instance to restore into."""
    return make_instance(name="fresh", extra_plugins=(("kiste", kiste),))


def test_round_trip_restores_every_row_type_and_value_exactly(source, fresh, tmp_path, kiste):
    expected_files = write_files(source.root)
    file = tmp_path / "backup.zip"

    summary = create_backup(source, file)
    data = data_tables(source)
    assert f"{sum(map(len, data.values()))} rows in {len(data)} tables" in summary
    assert "4 files" in summary

    restore_backup(fresh, file, replace=False, signer_secret=secret(source))

    assert dump(fresh) == dump(source)
    assert read_files(fresh.root) == expected_files
    with fresh.db.read() as s:
        row = s.execute(select(kiste.items).where(kiste.items.c.id == 1)).one()
        empty = s.execute(select(kiste.items).where(kiste.items.c.id == 3)).one()
        nulls = s.execute(select(kiste.items).where(kiste.items.c.id == 2)).one()
    assert (row.name, row.notes, row.seen_at, row.day) == (
        "Beratung Straße",
        ARABIC,
        SEEN,
        date(1999, 12, 31),
    )
    assert row.blob == BLOB and row.active is True and row.amount == Decimal("12345678.1234")
    if fresh.db.dialect == "postgresql":
        assert row.stamped_at == STAMPED  # the instant, whatever the session time zone
    assert (empty.notes, empty.blob, empty.amount) == ("", b"", Decimal("-0.0001"))
    assert nulls.notes is None and nulls.blob is None and nulls.active is False
    assert accounts.authenticate(
        fresh.db, "guel.strasse", "lange-passwort-123", max_failures=5, lockout_minutes=10
    )


def test_restored_instance_keeps_working_new_rows_get_fresh_ids(source, fresh, tmp_path):
    """On PostgreSQL the sequences continue after the restored ids."""
    file = tmp_path / "b.zip"
    create_backup(source, file)
    restore_backup(fresh, file, replace=False, signer_secret=secret(source))
    new = accounts.create_user(fresh.db, "neu", "leitung", "noch-ein-passwort")
    with source.db.read() as s:
        assert new.id > max(s.execute(select(accounts.users.c.id)).scalars())


def test_manifest_records_versions_revisions_counts_and_checksums(source, tmp_path):
    file = tmp_path / "b.zip"
    create_backup(source, file)
    with zipfile.ZipFile(file) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        items = zf.read("tables/kiste_items.jsonl")
    assert manifest["format"] == "willkommen-backup" and manifest["format_version"] == 2
    assert manifest["authority"] == "teststadt"
    assert manifest["dialect"] == source.db.dialect
    assert datetime.fromisoformat(manifest["created"]) <= datetime.now(UTC)
    assert manifest["components"] == {
        "core": migrate.head(migrate.core_component()),
        "kiste": "kiste_0002",
    }
    # Every table, but the version tables: their revisions are in "components".
    assert set(manifest["tables"]) == set(data_tables(source))
    assert {"core_users", "core_api_tokens", "kiste_items", "kiste_anhang"} <= set(
        manifest["tables"]
    )
    assert manifest["tables"]["core_users"]["rows"] == 1
    assert manifest["tables"]["kiste_items"]["rows"] == BULK + 3
    first = json.loads(items.splitlines()[0])
    # Dialect-neutral values: ISO dates, base64 bytes, decimals as strings.
    columns = manifest["tables"]["kiste_items"]["columns"]
    as_dict = dict(zip(columns, first, strict=True))
    assert as_dict["seen_at"] == "2024-02-29T13:45:07.123456"
    assert as_dict["day"] == "1999-12-31"
    assert as_dict["amount"] == "12345678.1234"
    assert as_dict["active"] is True
    assert as_dict["notes"] == ARABIC


def test_tables_of_a_disabled_plugin_are_backed_up_and_restored(
    make_instance, local_kiste, kiste, tmp_path
):
    """Disabling a plugin keeps its data; a backup must not lose it."""
    src_root = local_kiste(tmp_path / "src")
    source = make_instance(["kiste"], name="src")
    fill(source, kiste)
    tomlfile = src_root / "willkommen.toml"
    tomlfile.write_text(tomlfile.read_text().replace('"kiste"', ""), encoding="utf-8")
    from willkommen_core.instance import Instance

    disabled = Instance.open(src_root)
    assert not disabled.plugins.is_enabled("kiste")
    file = tmp_path / "b.zip"
    assert "kiste at kiste_0002" in create_backup(disabled, file)

    local_kiste(tmp_path / "dst")
    target = make_instance([], name="dst")  # kiste installed here, but not enabled
    restore_backup(target, file, replace=False, signer_secret=secret(source))
    assert dump(target) == dump(source)


def test_a_backup_from_sqlite_restores_into_either_database(
    make_sqlite_instance, make_instance, kiste, tmp_path
):
    source = make_sqlite_instance(name="lite", extra_plugins=(("kiste", kiste),))
    fill(source, kiste, with_tz=False)  # SQLite keeps no time zone to carry over
    file = tmp_path / "b.zip"
    create_backup(source, file)
    target = make_instance(name="target", extra_plugins=(("kiste", kiste),))
    restore_backup(target, file, replace=False, signer_secret=secret(source))
    assert dump(target) == dump(source)


def test_an_older_backup_is_restored_at_its_revisions_then_upgraded(make_instance, kiste, tmp_path):
    """A backup made before kiste_0002 loads into the schema it was made with; the
    newer migration (which fills the new column) then runs on the restored rows."""
    source = make_instance(name="old", migrate_db=False, extra_plugins=(("kiste", kiste),))
    core, kiste_component = source.components()
    migrate.upgrade(source.db, [core])
    migrate.upgrade(source.db, [kiste_component], "kiste_0001")
    with source.db.write() as s:  # names only columns that exist at kiste_0001
        s.execute(insert(kiste.items).values(id=7, name="von früher", amount=Decimal("1.5")))
    file = tmp_path / "alt.zip"
    assert "kiste at kiste_0001" in create_backup(source, file)
    target = make_instance(name="new", extra_plugins=(("kiste", kiste),))

    restore_backup(target, file, replace=False, signer_secret=secret(source))

    assert migrate.state(target.db, kiste_component).current == "kiste_0002"
    with target.db.read() as s:
        row = s.execute(select(kiste.items)).one()
    assert (row.id, row.name, row.amount, row.kategorie) == (7, "von früher", Decimal("1.5"), "alt")


# -- refusals: nothing changes ----------------------------------------------------


def rewrite(src: Path, dst: Path, *, replace: dict[str, bytes | None]) -> Path:
    """Copy the zip ``src`` to ``dst`` with members replaced or added (``None``: removed)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            if info.filename in replace:
                if replace[info.filename] is not None:
                    zout.writestr(info.filename, replace[info.filename])
            else:
                zout.writestr(info, zin.read(info.filename))
        for name in replace.keys() - set(zin.namelist()):
            if replace[name] is not None:
                zout.writestr(name, replace[name])
    return dst


def edit_manifest(src: Path, dst: Path, change: Any, key: str | None = None) -> Path:
    """``change`` the manifest; signed again with the secret ``key`` if given."""
    with zipfile.ZipFile(src) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    change(manifest)
    raw = json.dumps(manifest).encode()
    replace: dict[str, bytes | None] = {"manifest.json": raw}
    if key is not None:
        replace["manifest.sig"] = backup_mod.sign(backup_mod.backup_key(key), raw)
    return rewrite(src, dst, replace=replace)


@pytest.fixture
def occupied(make_instance, kiste):
    """A target that holds data of its own, which a refused restore must keep."""
    instance = make_instance(name="occupied", extra_plugins=(("kiste", kiste),))
    accounts.create_user(instance.db, "bleibt", "admin", "unveraendert-123")
    (instance.root / "content").mkdir()
    (instance.root / "content" / "eigen.txt").write_text("bleibt", encoding="utf-8")
    return instance


def _changed_row(file: Path, tmp: Path, key: str | None = None) -> Path:
    with zipfile.ZipFile(file) as zf:
        data = zf.read("tables/kiste_items.jsonl")
    return rewrite(
        file, tmp, replace={"tables/kiste_items.jsonl": data.replace(b"Beratung", b"Beratunk")}
    )


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (_changed_row, "table kiste_items was changed or damaged"),
        (
            lambda f, t, k: rewrite(f, t, replace={"tables/core_users.jsonl": None}),
            "table core_users is missing (tables/core_users.jsonl)",
        ),
        (
            lambda f, t, k: rewrite(f, t, replace={"files/uploads/leer.txt": b"neu"}),
            "file uploads/leer.txt has 3 bytes, the manifest says 0",
        ),
        (
            lambda f, t, k: rewrite(f, t, replace={"tables/extra.jsonl": b"[]\n"}),
            "unexpected entry tables/extra.jsonl",
        ),
        (
            lambda f, t, k: edit_manifest(f, t, lambda m: m.update(format_version=99), k),
            "unsupported backup format version 99",
        ),
        (
            lambda f, t, k: edit_manifest(
                f, t, lambda m: m["components"].update(kiste="kiste_0099"), k
            ),
            "component kiste is at revision kiste_0099, which this toolkit",
        ),
        (
            lambda f, t, k: edit_manifest(f, t, lambda m: m["components"].update(fremd="f_1"), k),
            "plugin 'fremd', which is not installed here",
        ),
        (
            lambda f, t, k: rewrite(f, t, replace={"manifest.json": None}),
            "not a Willkommen backup (manifest.json is missing)",
        ),
        (
            lambda f, t, k: t.write_bytes(b"PK\x03\x04 kaputt") and t,
            "not a Willkommen backup (not a readable zip file",
        ),
    ],
    ids=[
        "changed-row",
        "missing-table",
        "changed-file",
        "extra-entry",
        "format-version",
        "newer-revision",
        "unknown-plugin",
        "no-manifest",
        "not-a-zip",
    ],
)
def test_a_damaged_or_altered_backup_is_refused_and_nothing_changes(
    source, occupied, tmp_path, tamper, message
):
    write_files(source.root)
    good = tmp_path / "good.zip"
    create_backup(source, good)
    bad = tamper(good, tmp_path / "bad.zip", secret(source))
    before = dump(occupied)

    with pytest.raises(UserError) as err:
        restore_backup(occupied, bad, replace=True, signer_secret=secret(source))

    assert message in str(err.value)
    assert str(bad) in str(err.value)
    assert dump(occupied) == before
    assert read_files(occupied.root) == {"content/eigen.txt": b"bleibt"}


def test_a_row_the_schema_rejects_rolls_everything_back(source, occupied, tmp_path):
    """A well-formed backup whose rows cannot be loaded leaves the target as it was,
    though the restore had already replaced the schema within its transaction."""
    good = tmp_path / "good.zip"
    create_backup(source, good)
    with zipfile.ZipFile(good) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        lines = zf.read("tables/kiste_anhang.jsonl").splitlines(keepends=True)
    bad_row = json.loads(lines[0])
    bad_row[1] = 999_999  # attachment of an item that does not exist
    data = json.dumps(bad_row).encode() + b"\n" + b"".join(lines[1:])
    import hashlib

    manifest["tables"]["kiste_anhang"]["sha256"] = hashlib.sha256(data).hexdigest()
    manifest["tables"]["kiste_anhang"]["size"] = len(data)
    raw = json.dumps(manifest).encode()
    bad = rewrite(
        good,
        tmp_path / "bad.zip",
        replace={
            "tables/kiste_anhang.jsonl": data,
            "manifest.json": raw,
            # signed by the instance that made it: a bug of that instance, not an attack
            "manifest.sig": backup_mod.sign(backup_mod.backup_key(secret(source)), raw),
        },
    )
    before = dump(occupied)

    with pytest.raises(UserError, match="table kiste_anhang: rows cannot be restored"):
        restore_backup(occupied, bad, replace=True, signer_secret=secret(source))

    assert dump(occupied) == before


def test_restoring_over_existing_data_needs_replace(source, occupied, tmp_path):
    file = tmp_path / "b.zip"
    write_files(source.root)
    create_backup(source, file)
    before = dump(occupied)

    with pytest.raises(UserError, match=r"already holds data .*pass --yes to replace it"):
        restore_backup(occupied, file, replace=False, signer_secret=secret(source))
    assert dump(occupied) == before

    restore_backup(occupied, file, replace=True, signer_secret=secret(source))
    assert dump(occupied) == dump(source)
    # content/ is the backup's now: the target's own file went with the old data.
    assert read_files(occupied.root) == read_files(source.root)


# -- the commands -----------------------------------------------------------------


def run(*args: str) -> tuple[int, str]:
    """Run ``willkommen ARGS``: exit code and output (a user error is a message)."""
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_backup_and_restore_commands_round_trip(make_instance, local_kiste, kiste, tmp_path):
    src = local_kiste(tmp_path / "src")
    source = make_instance(["kiste"], name="src")
    fill(source, kiste)
    files = write_files(src)
    file = tmp_path / "sicherung.zip"
    before = data_tables(source)

    code, out = run("--instance", str(src), "backup", str(file))
    assert code == 0, out
    assert f"wrote {file}: {sum(map(len, before.values()))} rows in {len(before)} tables" in out

    dst = local_kiste(tmp_path / "dst")
    target = make_instance(["kiste"], name="dst")
    code, out = run("--instance", str(dst), "restore", str(file))
    assert code == 1
    assert "signed with another key than this instance's" in out and "--key-file" in out

    key = ("--key-file", str(src / ".env"))
    code, out = run("--instance", str(dst), "restore", str(file), *key)
    assert code == 0, out
    assert f"restored {file}: " in out
    assert but_the_audit_log(target) == but_the_audit_log(source)
    assert read_files(dst) == files

    code, out = run("--instance", str(dst), "restore", str(file), *key)
    assert code == 1
    assert "already holds data" in out and "--yes" in out

    code, out = run("--instance", str(dst), "restore", str(file), "--yes", *key)
    assert code == 0, out
    assert but_the_audit_log(target) == but_the_audit_log(source)
    # Each instance's log tells its own story: the backup made here, the restore there.
    assert [e.event for e in source.audit.entries()] == ["backup.created"]
    assert [e.event for e in target.audit.entries()] == ["backup.restored"]


def but_the_audit_log(instance: Any) -> dict[str, Any]:
    return {k: v for k, v in dump(instance).items() if k != "core_audit_log"}


def test_commands_name_a_missing_file_or_folder(make_instance, local_kiste, tmp_path):
    root = local_kiste(tmp_path / "inst")
    make_instance(["kiste"], name="inst")
    missing = tmp_path / "gibt-es-nicht.zip"

    code, out = run("--instance", str(root), "restore", str(missing))
    assert code != 0
    assert str(missing) in out

    nowhere = tmp_path / "kein-ordner" / "b.zip"
    code, out = run("--instance", str(root), "backup", str(nowhere))
    assert code == 1
    assert str(nowhere.parent) in out
    assert not nowhere.parent.exists()


def test_restore_command_refuses_a_tampered_file(make_instance, local_kiste, kiste, tmp_path):
    src = local_kiste(tmp_path / "src")
    fill(make_instance(["kiste"], name="src"), kiste)
    good = tmp_path / "good.zip"
    assert run("--instance", str(src), "backup", str(good))[0] == 0
    bad = _changed_row(good, tmp_path / "bad.zip")
    dst = local_kiste(tmp_path / "dst")
    target = make_instance(["kiste"], name="dst")
    before = dump(target)

    code, out = run(
        "--instance", str(dst), "restore", str(bad), "--yes", "--key-file", str(src / ".env")
    )

    assert code == 1
    assert "table kiste_items was changed or damaged" in out
    assert dump(target) == before


def test_the_backup_file_is_a_plain_zip_without_pickles(source, tmp_path):
    file = tmp_path / "b.zip"
    create_backup(source, file)
    with zipfile.ZipFile(file) as zf:
        for name in zf.namelist():
            data = zf.read(name)
            if name.endswith(".jsonl"):
                for line in io.BytesIO(data):
                    assert isinstance(json.loads(line), list)
    assert not list(tmp_path.glob(".*.part"))  # no temporary file left behind
