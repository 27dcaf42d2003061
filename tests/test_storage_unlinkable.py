"""Storage that cannot link (issue 11): the attacker holds the database, not the pages.

Whoever has the instance folder (IT, a file backup, a snapshot), a
``willkommen backup`` archive or, on PostgreSQL, table access as database
administrator must not be able to pair a one-time code with answers, order
answer sets by arrival or read a submission day. These tests read what such
a person reads: the raw SQLite files (database, ``-wal``, ``-shm``), the
backup zip, and PostgreSQL's transaction ids, row positions and raw pages.
See docs/privacy.md, "Storage".
"""

from __future__ import annotations

import asyncio
import itertools
import re
import shutil
import sqlite3
import time
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from selbstcheck_support import answer_all, open_token_round, table_counts
from sqlalchemy import Date, DateTime, inspect, select, text

from willkommen_core.storage import backup, migrate
from willkommen_core.storage import db as dbmod
from willkommen_plugins.fortbildung import survey
from willkommen_plugins.fortbildung import tables as ftables
from willkommen_plugins.selbstcheck import store
from willkommen_plugins.selbstcheck import tables as stables
from willkommen_plugins.selbstcheck.store import Submission

ISO_DAY = re.compile(rb"(19|20)\d\d-[01]\d-[0-3]\d")


# -- what an attacker reads ----------------------------------------------------------


def sqlite_path(instance: Any) -> Path:
    return Path(instance.db.engine.url.database)


def files(instance: Any) -> dict[str, bytes]:
    """The database file and its companions, as a file backup would copy them."""
    path = sqlite_path(instance)
    found = {}
    for suffix in ("", "-wal", "-shm", "-journal"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            found[suffix or "db"] = companion.read_bytes()
    return found


def wal_size(instance: Any) -> int:
    wal = sqlite_path(instance).with_name(sqlite_path(instance).name + "-wal")
    return wal.stat().st_size if wal.exists() else 0


def attacker_copy(instance: Any, folder: Path) -> Path:
    """The database as whoever copies the folder sees it: write-ahead log applied."""
    path = sqlite_path(instance)
    folder.mkdir()
    for suffix in ("", "-wal", "-shm"):
        if path.with_name(path.name + suffix).exists():
            shutil.copyfile(path.with_name(path.name + suffix), folder / (path.name + suffix))
    with closing(sqlite3.connect(folder / path.name)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return folder / path.name


def pages_of(path: Path, btree: str, kind: str | None = "leaf") -> list[bytes]:
    """The raw pages of a table or index, in page-number order (SQLite's ``dbstat``)."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        numbers = [
            n
            for (n, pagetype) in conn.execute(
                "SELECT pageno, pagetype FROM dbstat WHERE name = ? ORDER BY pageno", (btree,)
            )
            if kind is None or pagetype == kind
        ]
    data = path.read_bytes()
    return [data[(n - 1) * size : n * size] for n in numbers]


def file_order(path: Path, btree: str, keys: Iterable[str]) -> list[str]:
    """``keys`` as the leaf pages of ``btree`` hold them: pages ascending, each
    from its end (where SQLite puts a page's first cell when it builds the page
    in key order) to its start. Consecutive repeats (a response's answers) fold."""
    pattern = re.compile(b"|".join(re.escape(k.encode()) for k in keys))
    found: list[str] = []
    for page in pages_of(path, btree):
        for _pos, key in sorted(
            ((m.start(), m.group().decode()) for m in pattern.finditer(page)), reverse=True
        ):
            if not found or found[-1] != key:
                found.append(key)
    return found


def unordered(instance: Any, btrees: dict[str, list[str]]) -> list[str]:
    """The b-trees whose bytes tell more than their content: the order rows came in.

    Compared with ``VACUUM INTO`` a fresh file, which SQLite builds from the
    content alone, in key order: every page of an answer table must be equal.
    Tables with one cell per key must also list their keys in key order.
    """
    path = sqlite_path(instance)
    canonical = path.with_name("canonical.sqlite")
    canonical.unlink(missing_ok=True)
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("VACUUM INTO ?", (str(canonical),))
    wrong = []
    for btree, keys in btrees.items():
        seq = file_order(path, btree, keys)
        single = btree != "selbstcheck_answers" and btree != "fortbildung_choices"
        if (
            set(seq) != set(keys)
            or (single and seq != sorted(keys))
            or pages_of(path, btree, None) != pages_of(canonical, btree, None)
        ):
            wrong.append(btree)
    canonical.unlink()
    return wrong


def selbstcheck_btrees(instance: Any, round_id: int) -> dict[str, list[str]]:
    """The round's response and comment keys, per table and index holding them."""
    with instance.db.read() as s:
        ids = list(
            s.scalars(
                select(stables.responses.c.id).where(stables.responses.c.round_id == round_id)
            )
        )
        notes = list(
            s.scalars(select(stables.comments.c.id).where(stables.comments.c.round_id == round_id))
        )
    found = {
        "selbstcheck_responses": ids,
        "ix_selbstcheck_responses_round_id": ids,
        "selbstcheck_answers": ids,
        "selbstcheck_comments": notes,
        "ix_selbstcheck_comments_round_id": notes,
    }
    return {btree: keys for btree, keys in found.items() if keys}


def survey_btrees(instance: Any, survey_id: int) -> dict[str, list[str]]:
    with instance.db.read() as s:
        ids = list(
            s.scalars(
                select(ftables.responses.c.id).where(ftables.responses.c.survey_id == survey_id)
            )
        )
    return {
        "fortbildung_responses": ids,
        "ix_fortbildung_responses_survey_id": ids,
        "fortbildung_choices": ids,
    }


def wait_for_compaction(instance: Any, runs: int, timeout: float = 30.0) -> None:
    compactor = instance.db._janitor
    deadline = time.monotonic() + timeout
    while compactor.runs <= runs:
        assert time.monotonic() < deadline, "the file was not compacted after the writes paused"
        time.sleep(0.05)


# -- fixtures ------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def quick_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Compact half a second after the last answers (2 s in production), and
    checkpoint after every batch (under continuous load at most every half
    second in production: see test_under_continuous_load_...)."""
    monkeypatch.setattr(dbmod, "QUIET_SECONDS", 0.5)
    monkeypatch.setattr(dbmod, "SCRUB_INTERVAL_SECONDS", 0.0)


def _sub(
    rnd: store.Round, answers: dict[str, int | None], token: str, note: str, area: str
) -> Submission:
    return Submission(
        rnd.id,
        code=None,
        token=token,
        perspective="mitarbeitende",
        area=area,
        values=answers,
        texts={"verankerung": note} if note else {},
    )


@pytest.fixture
def submitted(
    make_instance, monkeypatch
) -> Iterator[tuple[Any, store.Round, list[str], list[int]]]:
    """A tokens round after a run of submissions: one by one, then concurrent ones
    that the group commit gathers into batches. Yields the instance, the round,
    the codes spent and the WAL size seen once each write batch's scrubbing is done."""
    instance = make_instance(["selbstcheck"])
    rnd, codes = open_token_round(instance, 40)
    answers = answer_all(instance, rnd, 3)
    seen: list[int] = []
    watching = [True]  # until the tests' own writes
    original = store.submit_many

    def observed(db: Any, subs: list[Submission]) -> list[Any]:
        outcomes = original(db, subs)
        if watching[0]:
            # Scrubbed right after the commit (the writer need not wait for it).
            assert db.settle(5.0)
            seen.append(wal_size(instance) if db.dialect == "sqlite" else 0)
        return outcomes

    monkeypatch.setattr(store, "submit_many", observed)
    spent = codes[:30]
    for n, token in enumerate(spent[:6]):
        assert store.submit_many(instance.db, [_sub(rnd, answers, token, f"Notiz {n}", "EDV")]) == [
            None
        ]

    async def one(n: int, token: str) -> None:
        await asyncio.sleep(n % 4 * 0.02)  # in waves: the group commit makes several batches
        await store.submit_grouped(instance.db, _sub(rnd, answers, token, "", ""))

    async def together() -> None:
        await asyncio.gather(*(one(n, t) for n, t in enumerate(spent[6:])))

    asyncio.run(together())
    assert table_counts(instance)["selbstcheck_responses"] == 30
    assert len(seen) >= 8  # one by one, then at least two batches
    watching[0] = False
    yield instance, rnd, spent, seen


# -- SQLite: the files ---------------------------------------------------------------


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_no_journal_outlives_a_write_batch(submitted):
    instance, _rnd, spent, seen = submitted
    with instance.db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    assert seen and set(seen) == {0}, f"WAL bytes after each batch: {seen}"
    found = files(instance)
    assert "-journal" not in found
    assert found.get("-wal", b"") == b""
    # The shared-memory index holds page numbers only, never a code or a key.
    shm = found.get("-shm", b"")
    for token in spent:
        digest = store.token_hash(token)
        assert digest.encode() not in shm and bytes.fromhex(digest) not in shm


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_the_file_holds_answers_in_key_order_once_writes_pause(submitted):
    instance, rnd, _spent, _seen = submitted
    btrees = selbstcheck_btrees(instance, rnd.id)
    wait_for_compaction(instance, 0)
    assert unordered(instance, btrees) == []
    # Each key once per place it belongs: no stale copy anywhere (secure_delete).
    data = files(instance)["db"]
    items = len(answer_all(instance, rnd, 3))
    for rid in btrees["selbstcheck_responses"]:
        assert data.count(rid.encode()) == 2 + items  # table, round index, answers


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_no_token_is_left_in_any_file_after_closing(submitted):
    instance, rnd, _spent, _seen = submitted
    with instance.db.read() as s:
        all_hashes = s.execute(stables.tokens.select()).all()
    assert len(all_hashes) == 40
    store.close_round(instance.db, rnd.id)
    assert store.token_counts(instance.db, rnd.id) == (40, 30)
    found = files(instance)
    assert found.get("-wal", b"") == b""
    for row in all_hashes:
        for name, data in found.items():
            assert row.token_hash.encode() not in data, name
            assert bytes.fromhex(row.token_hash) not in data, name
    assert unordered(instance, selbstcheck_btrees(instance, rnd.id)) == []


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    batches=st.lists(st.integers(min_value=1, max_value=6), min_size=2, max_size=5),
    areas=st.lists(st.sampled_from(["", "EDV", "Aufenthalt", "Einbürgerung"]), min_size=1),
)
@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_any_run_of_batches_leaves_key_order_only_and_an_empty_journal(
    make_instance, batches, areas
):
    instance = make_instance(["selbstcheck"])
    rnd, codes = open_token_round(instance, sum(batches))
    answers = answer_all(instance, rnd, 4)
    runs = instance.db._janitor.runs
    for size in batches:
        subs = [
            _sub(
                rnd,
                answers,
                codes.pop(),
                f"n{len(codes)}" if len(codes) % 3 else "",
                areas[len(codes) % len(areas)],
            )
            for _ in range(size)
        ]
        assert store.submit_many(instance.db, subs) == [None] * size
        assert instance.db.settle(5.0) and wal_size(instance) == 0
    wait_for_compaction(instance, runs)
    assert unordered(instance, selbstcheck_btrees(instance, rnd.id)) == []


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_a_checkpoint_kept_from_finishing_by_a_reader_is_tried_again(submitted, monkeypatch):
    instance, _rnd, _spent, _seen = submitted
    other, codes = open_token_round(instance, 2)
    answers = answer_all(instance, other, 2)
    monkeypatch.setattr(dbmod, "SQLITE_SCRUB_TIMEOUT_MS", 50)
    with closing(sqlite3.connect(sqlite_path(instance), isolation_level=None)) as reader:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM selbstcheck_tokens").fetchone()
        sub = _sub(other, answers, codes[0], "", "")
        assert store.submit_many(instance.db, [sub]) == [None]
        assert not instance.db.settle(0.5)  # the reader holds the log
        assert wal_size(instance) > 0
    # Once the reader is done, the janitor's next attempt succeeds, no write needed.
    assert instance.db.settle(5.0)
    assert wal_size(instance) == 0


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_under_continuous_load_checkpoints_are_spaced_and_the_log_keeps_no_answer(
    make_instance, monkeypatch
):
    """Production spacing: at most one checkpoint per ``SCRUB_INTERVAL_SECONDS`` while
    batches keep coming (each costs two fsyncs and holds up the writers), the
    first at once; once writes pause, the log holds no frame: no code, no comment."""
    monkeypatch.setattr(dbmod, "SCRUB_INTERVAL_SECONDS", 0.5)
    instance = make_instance(["selbstcheck"])
    rnd, codes = open_token_round(instance, 30)
    answers = answer_all(instance, rnd, 4)
    scrubs: list[float] = []
    original = instance.db._scrub

    def counted(marks: set[bytes]) -> bool:
        scrubs.append(time.monotonic())
        return bool(original(marks))

    monkeypatch.setattr(instance.db, "_scrub", counted)
    started = time.monotonic()
    for n in range(30):
        sub = _sub(rnd, answers, codes[n], f"Kommentar-{n}", "EDV")
        assert store.submit_many(instance.db, [sub]) == [None]
        time.sleep(0.02)
    assert instance.db.settle(5.0)
    spent = time.monotonic() - started
    assert scrubs and scrubs[0] - started < 0.25, "the first write is scrubbed at once"
    assert len(scrubs) <= spent / 0.5 + 2, f"{len(scrubs)} checkpoints in {spent:.2f} s"
    assert all(b - a >= 0.45 for a, b in itertools.pairwise(scrubs))
    log = files(instance).get("-wal", b"")
    assert len(log) <= 32, "at most the log's header, no frame"
    for n in range(30):
        assert f"Kommentar-{n}".encode() not in log


# -- no day, no time ----------------------------------------------------------------


def test_no_answer_table_has_a_day_or_time():
    for table in (
        stables.responses,
        stables.answers,
        stables.comments,
        stables.tokens,
        ftables.responses,
        ftables.choices,
    ):
        assert not [c.name for c in table.columns if isinstance(c.type, Date | DateTime)], (
            table.name
        )
    assert not [c for c in store.Submission.__dataclass_fields__ if c in {"day", "today"}]


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_no_date_is_written_next_to_answers(submitted, tmp_path):
    instance, rnd, _spent, _seen = submitted
    path = attacker_copy(instance, tmp_path / "copy")
    for btree in selbstcheck_btrees(instance, rnd.id):
        for page in pages_of(path, btree, kind=None):
            assert not ISO_DAY.search(page), btree


# -- the needs survey follows the same rules ------------------------------------------


@pytest.fixture
def survey_answered(make_instance) -> Iterator[tuple[Any, survey.Survey, list[int]]]:
    instance = make_instance(["fortbildung"])
    found = survey.create(instance.db, "Bedarfe 2026", today=date(2020, 2, 2))
    seen = []
    for n in range(25):
        survey.submit(
            instance.db,
            found.id,
            work_area=["", "edv", "aufenthalt"][n % 3],
            topics=["deeskalation", "teamtag"][: 1 + n % 2],
            formats=["intern"] if n % 4 else [],
        )
        assert instance.db.settle(5.0)
        seen.append(wal_size(instance) if instance.db.dialect == "sqlite" else 0)
    yield instance, found, seen


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_survey_answers_leave_no_journal_and_no_order_or_day_in_the_file(survey_answered):
    instance, found, seen = survey_answered
    assert set(seen) == {0}
    btrees = survey_btrees(instance, found.id)
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in btrees["fortbildung_responses"])
    assert survey.set_open(instance.db, found.id, False)
    assert unordered(instance, btrees) == []
    path = sqlite_path(instance)
    for btree in btrees:
        for page in pages_of(path, btree, kind=None):
            assert not ISO_DAY.search(page), btree
    assert survey.results(instance.db, found.id, 5).total == 25


# -- PostgreSQL: transaction ids, row positions, raw pages ----------------------------


def _pg(instance: Any, sql: str, **params: Any) -> list[Any]:
    with instance.db.engine.connect() as conn:
        return list(conn.execute(text(sql), params))


def raw_pages(instance: Any, relations: Iterable[str]) -> bytes:
    """Every page of the relations as the server's files hold them (pageinspect)."""
    with instance.db.engine.connect() as conn:
        schema = conn.execute(
            text(
                "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pageinspect'"
            )
        ).scalar()
        if schema is None:
            try:
                conn.execute(text("CREATE EXTENSION pageinspect"))
            except Exception as exc:  # not a superuser, or contrib not installed
                pytest.skip(f"pageinspect unavailable: {exc}")
            conn.commit()
            schema = conn.execute(text("SELECT current_schema()")).scalar()
        out = b""
        for rel in relations:
            blocks = conn.execute(
                text(
                    "SELECT pg_relation_size(CAST(:r AS regclass)) / current_setting('block_size')::int"
                ),
                {"r": rel},
            ).scalar()
            for n in range(int(blocks or 0)):
                out += bytes(
                    conn.execute(
                        text(f"SELECT {schema}.get_raw_page(:r, :n)"), {"r": rel, "n": n}
                    ).scalar()
                )
    return out


def physical(instance: Any, table: str, key: str, where: str = "true") -> tuple[list[Any], int]:
    """The table's keys in the order of their row positions (ctid), and the number
    of distinct transaction ids (xmin) among them."""
    sql = f"SELECT {key}, xmin::text AS x FROM {table} WHERE {where} ORDER BY ctid"  # noqa: S608
    rows = _pg(instance, sql)
    return [r[0] if len(r) == 2 else tuple(r[:-1]) for r in rows], len({r.x for r in rows})


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_postgresql_after_closing_one_xmin_key_order_and_no_tokens(submitted):
    instance, rnd, spent, _seen = submitted
    where = f"round_id = {rnd.id}"
    # While open: the documented residual. A batch's code updates and its
    # answers carry the same transaction id, and rows lie in arrival order.
    _ids, xmins = physical(instance, "selbstcheck_responses", "id", where)
    assert xmins > 1
    store.close_round(instance.db, rnd.id)
    assert store.token_counts(instance.db, rnd.id) == (40, 30)
    for table, key, cond in (
        ("selbstcheck_responses", "id", where),
        ("selbstcheck_comments", "id", where),
        (
            "selbstcheck_answers",
            "response_id, item_id",
            f"response_id IN (SELECT id FROM selbstcheck_responses WHERE {where})",  # noqa: S608
        ),
    ):
        keys, xmins = physical(instance, table, key, cond)
        assert keys and keys == sorted(keys), table
        assert xmins == 1, table
    assert _pg(instance, "SELECT count(*) FROM selbstcheck_tokens")[0][0] == 0
    pages = raw_pages(
        instance,
        ["selbstcheck_tokens", "selbstcheck_tokens_pkey", "ix_selbstcheck_tokens_round_id"],
    )
    for token in spent:
        assert store.token_hash(token).encode() not in pages
    # No dead version of a response is left in the table's pages either.
    pages = raw_pages(instance, ["selbstcheck_responses"])
    for rid in selbstcheck_btrees(instance, rnd.id)["selbstcheck_responses"]:
        assert pages.count(rid.encode()) == 1


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_postgresql_closing_a_survey_leaves_one_xmin_and_key_order(survey_answered):
    instance, found, _seen = survey_answered
    assert survey.set_open(instance.db, found.id, False)
    keys, xmins = physical(instance, "fortbildung_responses", "id", f"survey_id = {found.id}")
    assert keys == sorted(keys) and len(keys) == 25 and xmins == 1
    keys, xmins = physical(instance, "fortbildung_choices", "response_id, kind, value")
    assert keys == sorted(keys) and xmins == 1


# -- backups ----------------------------------------------------------------------


def _backup_tables(path: Path) -> dict[str, list[list[Any]]]:
    import json

    with zipfile.ZipFile(path) as zf:
        return {
            name.removeprefix("tables/").removesuffix(".jsonl"): [
                json.loads(line) for line in zf.read(name).splitlines()
            ]
            for name in zf.namelist()
            if name.startswith("tables/")
        }


def test_a_backup_holds_rows_in_key_order_and_no_link_between_codes_and_answers(
    submitted, tmp_path
):
    instance, rnd, spent, _seen = submitted
    during = tmp_path / "open.zip"
    backup.create_backup(instance, during)
    tables = _backup_tables(during)
    for name in (
        "selbstcheck_responses",
        "selbstcheck_answers",
        "selbstcheck_comments",
        "selbstcheck_tokens",
    ):
        rows = tables[name]
        assert rows == sorted(rows), name  # primary key first: key order, never arrival
    tokens = tables["selbstcheck_tokens"]
    assert [len(r) for r in tokens] == [3] * 40  # hash, round, used: nothing else
    used = {r[0] for r in tokens if r[2]}
    assert used == {store.token_hash(t) for t in spent}
    responses = tables["selbstcheck_responses"]
    assert len(responses[0]) == 4  # id, round, perspective, area: no day
    shared = {v for r in tokens for v in r} & {v for r in responses for v in r}
    assert shared == {rnd.id}  # the round: nothing finer

    store.close_round(instance.db, rnd.id)
    after = tmp_path / "closed.zip"
    backup.create_backup(instance, after)
    with zipfile.ZipFile(after) as zf:
        content = b"".join(zf.read(n) for n in zf.namelist())
    assert _backup_tables(after)["selbstcheck_tokens"] == []
    for token in spent:
        assert store.token_hash(token).encode() not in content


# -- migrating an existing instance -----------------------------------------------


def test_upgrading_drops_days_and_closed_rounds_codes_and_keeps_every_answer(
    make_instance, tmp_path
):
    instance = make_instance(["selbstcheck", "fortbildung"], migrate_db=False)
    targets = {"selbstcheck": "selbstcheck_0001", "fortbildung": "fortbildung_0001"}
    for component in instance.components():
        migrate.upgrade(instance.db, [component], targets.get(component.name, "head"))
    with instance.db.engine.begin() as conn:
        for rid, status in ((1, "closed"), (2, "open")):
            conn.execute(
                text(
                    "INSERT INTO selbstcheck_rounds (id, title, mode, status, questionnaire_version,"
                    " questionnaire, notice, require_agreement, created_at)"
                    " VALUES (:id, 'R', 'tokens', :status, 'v', '{}', '', false, '2025-01-01 10:00:00')"
                ),
                {"id": rid, "status": status},
            )
            for n in range(3):
                conn.execute(
                    text("INSERT INTO selbstcheck_tokens VALUES (:h, :r, :u)"),
                    {"h": f"{rid}{n}".ljust(64, "a"), "r": rid, "u": n == 0},
                )
            conn.execute(
                text(
                    "INSERT INTO selbstcheck_responses VALUES (:id, :r, '2025-03-04', 'leitung', '')"
                ),
                {"id": f"{rid}".ljust(32, "b"), "r": rid},
            )
            conn.execute(
                text("INSERT INTO selbstcheck_answers VALUES (:id, 'i1', 4)"),
                {"id": f"{rid}".ljust(32, "b")},
            )
        conn.execute(
            text(
                "INSERT INTO fortbildung_surveys (id, code, title, open, created_on)"
                " VALUES (1, 'ABCDEFGH', 'S', true, '2025-01-01')"
            )
        )
        for n, area in enumerate(["edv", "", "edv"], start=1):
            conn.execute(
                text("INSERT INTO fortbildung_responses VALUES (:n, 1, :a, :d)"),
                {"n": n, "a": area, "d": date(2025, 3, n)},
            )
            conn.execute(
                text("INSERT INTO fortbildung_choices VALUES (:n, 'topic', :t)"),
                {"n": n, "t": f"thema{n}"},
            )

    migrate.upgrade(instance.db, instance.components())

    with instance.db.engine.connect() as conn:
        cols = {c["name"] for c in inspect(conn).get_columns("selbstcheck_responses")}
        assert "day" not in cols
        assert {
            r
            for r in conn.execute(
                text("SELECT round_id, count(*) FROM selbstcheck_tokens GROUP BY round_id")
            )
        } == {(2, 3)}
        assert conn.execute(
            text("SELECT id, tokens_issued, tokens_used FROM selbstcheck_rounds ORDER BY id")
        ).all() == [(1, 3, 1), (2, None, None)]
        assert conn.execute(text("SELECT count(*), sum(value) FROM selbstcheck_answers")).one() == (
            2,
            8,
        )
        fb = conn.execute(
            text(
                "SELECT r.id, r.work_area, c.value FROM fortbildung_responses r"
                " JOIN fortbildung_choices c ON c.response_id = r.id ORDER BY c.value"
            )
        ).all()
        assert [(a, v) for _id, a, v in fb] == [
            ("edv", "thema1"),
            ("", "thema2"),
            ("edv", "thema3"),
        ]
        assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i, _a, _v in fb)
        fcols = {c["name"] for c in inspect(conn).get_columns("fortbildung_responses")}
        assert fcols == {"id", "survey_id", "work_area"}
    if instance.db.dialect == "postgresql":
        # Rewritten after the upgrade: no old row version (with its day) left in the pages.
        pages = raw_pages(instance, ["selbstcheck_responses"])
        assert pages.count(b"1".ljust(32, b"b")) == 1
    else:
        path = attacker_copy(instance, tmp_path / "copy")
        for btree in ("selbstcheck_responses", "fortbildung_responses"):
            for page in pages_of(path, btree, kind=None):
                assert not ISO_DAY.search(page), btree
    found = survey.results(instance.db, 1, 1)
    assert found.total == 3 and found.topics == {"thema1": 1, "thema2": 1, "thema3": 1}
    # New answers go on working under the new keys.
    survey.submit(instance.db, 1, work_area="edv", topics=["thema1"], formats=[])
    assert survey.results(instance.db, 1, 1).topics["thema1"] == 2
