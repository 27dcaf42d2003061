"""The database of an instance: SQLite (embedded default) or PostgreSQL.

Answers that must stay anonymous (self-assessment, needs survey) are written
with ``write(sensitive=True)``: on SQLite the write-ahead log is checkpointed
and truncated right after the transaction, and the file is rewritten in key
order at the next quiet moment (:meth:`Database.compact`), so neither the log
nor the byte order of the database file tells which code was spent for which
answers or in what order answers arrived. See ``docs/privacy.md, "Storage"``.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

try:
    import fcntl
except ImportError:  # Windows: SQLite's own locking alone
    fcntl = None  # type: ignore[assignment]

from sqlalchemy import (
    ColumnElement,
    Connection,
    CursorResult,
    Engine,
    Table,
    create_engine,
    delete,
    event,
    insert,
    select,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_SCRUB_TIMEOUT_MS = 2_000
"""How long a checkpoint waits for readers before it is tried again."""
SCRUB_RETRY_SECONDS = 0.05
"""Pause before trying again a checkpoint that a reader kept from finishing."""
SCRUB_INTERVAL_SECONDS = 0.5
"""Under continuous load, at most one checkpoint per this time: every one costs
two ``fsync`` calls and briefly holds up the writers; a lone write after a
quiet moment is checkpointed at once."""
QUIET_SECONDS = 2.0
"""Compact this long after the last sensitive write ..."""
LATEST_SECONDS = 60.0
"""... but no later than this after the first one not yet compacted."""
COMPACT_SHARE = 20
"""At least this many times the last compaction's duration passes before the
next: compacting a large file under steady load takes at most 1/20 of the time."""
PG_LOCK_TIMEOUT = "5s"
PG_HORIZON_SECONDS = 10.0

log = logging.getLogger(__name__)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # Let SQLAlchemy's "begin" event below issue BEGIN itself.
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL survives a crashed process (SIGKILL) without losing
        # committed transactions; only a power loss may drop the last ones.
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        # Deleted and overwritten content is zeroed, not left in free space.
        cur.execute("PRAGMA secure_delete=ON")
        # Whenever the log restarts after a checkpoint, it is cut back to the
        # frames being written: old transactions never linger at its end.
        cur.execute("PRAGMA journal_size_limit=0")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        # Writers take the write lock up front: a deferred transaction that
        # upgrades from read to write fails with "database is locked" at once
        # when another process writes, whatever the busy timeout.
        if conn.get_execution_options().get("willkommen_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def inserted_id(result: Any) -> int:
    """The primary key of the row an ``INSERT`` just made (typed: SQLAlchemy's
    ``Session.execute`` returns the general ``Result``)."""
    key = cast(CursorResult[Any], result).inserted_primary_key
    assert key is not None, "not the result of an INSERT"
    return int(key[0])


def affected(result: Any) -> int:
    """How many rows an ``UPDATE`` or ``DELETE`` changed."""
    return int(cast(CursorResult[Any], result).rowcount or 0)


class Database:
    """Engine plus read and write sessions for one instance."""

    def __init__(self, url: str) -> None:
        self.url = url
        parsed = make_url(url)
        self.dialect = parsed.get_backend_name()
        self._turn: _Turn | None = None
        self._janitor: _Janitor | None = None
        if self.dialect == "sqlite":
            self.engine = create_engine(
                url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
            )
            _configure_sqlite(self.engine)
            if parsed.database and parsed.database != ":memory:":
                self._turn = _Turn(parsed.database + "-turn")
                self._janitor = _Janitor(self)
        else:
            if parsed.drivername == "postgresql":
                url = str(
                    parsed.set(drivername="postgresql+psycopg").render_as_string(
                        hide_password=False
                    )
                )
            self.engine = create_engine(url, pool_pre_ping=True)
        self._write_engine = self.engine.execution_options(willkommen_write=True)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.engine) as session:
            yield session

    @contextmanager
    def write(self, *, sensitive: bool = False) -> Iterator[Session]:
        """A session whose transaction commits on success and rolls back on error.

        ``sensitive``: the transaction stores anonymous answers or spends the
        code they came with. On SQLite the write-ahead log, which holds the
        transaction as a whole until a checkpoint, is then checkpointed and
        truncated at once (in the background: the caller need not wait for
        the two fsyncs, and the log is not kept any longer for that), and the
        file is compacted at the next quiet moment, so nothing in the files
        pairs this write's parts or orders it among the others.
        """
        if not sensitive or self._turn is None or self._janitor is None:
            with Session(self._write_engine) as session, session.begin():
                yield session
            return
        # Sensitive writers of all processes take turns: see _Turn.
        with self._turn, Session(self._write_engine) as session, session.begin():
            yield session
        self._janitor.written(self._wal_mark())

    def settle(self, timeout: float = 10.0) -> bool:
        """Wait until the log holds no sensitive write of this process; whether it does not."""
        return self._janitor is None or self._janitor.settle(timeout)

    def _wal_mark(self) -> bytes | None:
        """The log header's checkpoint sequence number and salts, which change
        whenever the log restarts; ``None`` while the log is empty."""
        try:
            with open(f"{self.engine.url.database}-wal", "rb") as wal:
                head = wal.read(24)
        except OSError:
            return None
        return head[12:24] if len(head) == 24 else None

    def scrub_journal(self) -> bool:
        """SQLite: move the write-ahead log into the database file and truncate it to 0 bytes.

        Until a checkpoint, the log holds every committed transaction as a
        whole (e.g. a one-time code's page marked used next to the page with
        the answers); with ``secure_delete`` the file itself keeps no stale
        bytes. Returns False when a reader kept the checkpoint from finishing.
        PostgreSQL: its WAL is the server's, nothing to do here (see
        ``docs/privacy.md``).
        """
        if self.dialect != "sqlite":
            return True
        return self._checkpoint("TRUNCATE")

    def _scrub(self, marks: set[bytes]) -> bool:
        """The janitor's checkpoint after sensitive writes whose log had ``marks``."""
        # The slow part, two fsyncs, outside the turn: the other processes
        # commit meanwhile. Truncating (and copying what came since) is quick.
        self._checkpoint("PASSIVE")
        assert self._turn is not None
        with self._turn:
            # A restarted log no longer holds those writes: someone else, or
            # SQLite itself after a complete checkpoint, has dropped them.
            if self._wal_mark() not in marks:
                return True
            return self._checkpoint("TRUNCATE")

    def _checkpoint(self, mode: str) -> bool:
        """``PRAGMA wal_checkpoint(mode)``; whether it did all there was to do."""
        raw = self.engine.raw_connection()
        try:
            cur = raw.cursor()
            cur.execute(f"PRAGMA busy_timeout={SQLITE_SCRUB_TIMEOUT_MS}")
            busy = cur.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()[0]
            cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cur.close()
        except Exception:  # the data is committed: a failed checkpoint must not undo that
            log.warning("checkpointing the SQLite log failed; trying again", exc_info=True)
            raw.invalidate()
            return False
        finally:
            raw.close()
        return not busy

    def compact(self, *tables: str) -> bool:
        """Rewrite the stored rows in key order, so no byte order tells when a row arrived.

        SQLite: ``VACUUM`` (the whole file: every table and index rebuilt in
        key order, free pages dropped), then :meth:`scrub_journal`.
        PostgreSQL: ``CLUSTER`` each of ``tables`` on its primary key (new
        files in key order, dead row versions gone, row versions' xmin kept);
        if its exclusive lock is not granted within ``PG_LOCK_TIMEOUT``, a
        plain ``VACUUM`` instead. ``CLUSTER`` keeps row versions that a
        transaction begun before may still see, so it first waits (at most
        ``PG_HORIZON_SECONDS``) until no such transaction is left in the
        database. Returns whether every step got done.
        """
        if self.dialect == "sqlite":
            raw = self.engine.raw_connection()
            try:
                raw.cursor().execute("VACUUM")
            except Exception:  # e.g. locked longer than the busy timeout: try when quiet
                log.warning("compacting the SQLite file failed; trying again later", exc_info=True)
                if self._janitor is not None:
                    self._janitor.written(None)
                return False
            finally:
                raw.close()
            if self._janitor is not None:
                self._janitor.compacted()
            return self.scrub_journal()
        done = True
        if not tables:
            return done
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            quote = conn.dialect.identifier_preparer.quote
            if not _no_older_snapshots(conn):
                log.warning("a long transaction is open: CLUSTER may keep old row versions")
                done = False
            conn.exec_driver_sql(f"SET lock_timeout = '{PG_LOCK_TIMEOUT}'")
            try:
                for table in tables:
                    index = conn.execute(
                        text(
                            "SELECT indexrelid::regclass::text FROM pg_index"
                            " WHERE indrelid = CAST(:t AS regclass) AND indisprimary"
                        ),
                        {"t": table},
                    ).scalar_one()
                    try:
                        conn.exec_driver_sql(f"CLUSTER {quote(table)} USING {index}")
                    except Exception:
                        log.warning("CLUSTER %s failed; plain VACUUM instead", table, exc_info=True)
                        conn.exec_driver_sql(f"VACUUM {quote(table)}")
                        done = False
            finally:
                conn.exec_driver_sql("RESET lock_timeout")
        return done

    def rewrite_in_key_order(
        self, session: Session, *parts: tuple[Table, ColumnElement[bool]]
    ) -> None:
        """PostgreSQL: delete the rows each ``(table, condition)`` selects and insert
        them again in primary-key order, in the caller's transaction.

        The new row versions then share this transaction's id (xmin) and, once
        :meth:`compact` has dropped the old ones, lie in key order: neither
        reveals the order or the batches in which the rows arrived, nor which
        one-time code (updated in the same transaction as its answers) went
        with which. ``parts`` lists parents before their children. SQLite
        keeps no transaction ids in rows and :meth:`compact` rewrites its
        whole file, so there this does nothing.
        """
        if self.dialect == "sqlite":
            return
        found = [
            (table, session.execute(select(table).where(where).order_by(*table.primary_key)).all())
            for table, where in parts
        ]
        for table, where in reversed(parts):
            session.execute(delete(table).where(where))
        for table, rows in found:
            if rows:
                session.execute(insert(table), [dict(row._mapping) for row in rows])

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    def dispose(self) -> None:
        if self._janitor is not None:
            self._janitor.stop()
        if self._turn is not None:
            self._turn.close()
        self.engine.dispose()


def _no_older_snapshots(conn: Connection) -> bool:
    """Wait until no other session of this database sees data older than now."""
    now = conn.execute(text("SELECT mod(txid_current(), 4294967296)")).scalar()
    older = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND pid <> pg_backend_pid() AND backend_xmin IS NOT NULL"
        " AND age(backend_xmin) > age(CAST(CAST(:now AS text) AS xid))"
    )
    deadline = time.monotonic() + PG_HORIZON_SECONDS
    while conn.execute(older, {"now": now}).scalar():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


class _Turn:
    """Sensitive writes of all processes take turns to commit and to finish scrubbing.

    SQLite makes a waiting writer poll (sleeping 1, 2, 5, 10 ms ...), which
    with a checkpoint after every batch would leave the worker processes
    mostly asleep. A kernel lock (``flock``) on a file next to the database
    hands the turn over at once; a thread lock orders the threads of one
    process, which share the file.
    """

    def __init__(self, path: str) -> None:
        self._path = path
        self._threads = threading.Lock()
        self._fd: int | None = None
        self._pid = 0

    def __enter__(self) -> None:
        self._threads.acquire()
        try:
            if fcntl is None:
                return
            if self._fd is None or self._pid != os.getpid():
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
                self._pid = os.getpid()
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise

    def __exit__(self, *_exc: object) -> None:
        try:
            if fcntl is not None and self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def close(self) -> None:
        with self._threads:
            if self._fd is not None and self._pid == os.getpid():
                os.close(self._fd)
            self._fd = None


class _Janitor:
    """Per database and process, a thread that cleans up after sensitive writes.

    It checkpoints and truncates the log as soon as a sensitive write has
    committed (several at once when they come fast, at most one checkpoint
    per ``SCRUB_INTERVAL_SECONDS``; again after ``SCRUB_RETRY_SECONDS`` while
    a reader keeps it from finishing), and
    compacts the file ``QUIET_SECONDS`` after the last of them, at the latest
    ``LATEST_SECONDS`` after the first, never sooner than ``COMPACT_SHARE``
    times the last compaction's duration after it. It holds the database only
    weakly; at exit it finishes the scrubbing that is due.
    """

    def __init__(self, db: Database) -> None:
        self._db = weakref.ref(db)
        self._cond = threading.Condition()
        self._marks: set[bytes] = set()
        self._scrub_due = False
        self._scrubbing = False
        self._retry_at = 0.0
        self._scrubbed_at = float("-inf")
        self._first: float | None = None
        self._last = 0.0
        self._not_before = 0.0
        self._stopped = False
        self._thread: threading.Thread | None = None
        self._pid = 0
        self.runs = 0
        """Compactions done by this janitor (for tests)."""
        atexit.register(self.settle, 5.0)

    def written(self, mark: bytes | None) -> None:
        """A sensitive write committed; the log then had ``mark``."""
        with self._cond:
            now = time.monotonic()
            if mark is not None:
                self._marks.add(mark)
                self._scrub_due = True
            if self._first is None:
                self._first = now
            self._last = now
            # A thread does not survive fork(): a worker process starts its own.
            if self._thread is None or self._pid != os.getpid():
                self._pid = os.getpid()
                self._thread = threading.Thread(
                    target=self._loop, name="willkommen-janitor", daemon=True
                )
                self._thread.start()
            self._cond.notify_all()

    def compacted(self) -> None:
        """The file was just compacted: nothing to do until the next sensitive write."""
        with self._cond:
            self._first = None

    def settle(self, timeout: float) -> bool:
        """Wait until no scrubbing is due or under way; whether none is."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._scrub_due or self._scrubbing:
                left = deadline - time.monotonic()
                if left <= 0 or self._stopped or self._thread is None:
                    return False
                self._cond.wait(left)
        return True

    def stop(self) -> None:
        self.settle(5.0)
        # Nothing left to settle at exit: a host that loads and unloads instances
        # all day must not keep every janitor it ever had.
        atexit.unregister(self.settle)
        with self._cond:
            self._stopped = True
            self._cond.notify_all()

    def _next(self) -> str | None:
        """What is due now, ``"scrub"`` or ``"compact"`` (call under the lock)."""
        now = time.monotonic()
        if self._scrub_due and now >= self._scrub_at():
            return "scrub"
        if self._first is not None:
            quiet = min(self._last + QUIET_SECONDS, self._first + LATEST_SECONDS)
            if now >= max(quiet, self._not_before):
                return "compact"
        return None

    def _wait(self) -> float:
        """Seconds until something may be due (at most a minute: then see whether
        the database still exists)."""
        waits = [time.monotonic() + 60.0]
        if self._scrub_due:
            waits.append(self._scrub_at())
        if self._first is not None:
            quiet = min(self._last + QUIET_SECONDS, self._first + LATEST_SECONDS)
            waits.append(max(quiet, self._not_before))
        return max(0.0, min(waits) - time.monotonic())

    def _scrub_at(self) -> float:
        return max(self._retry_at, self._scrubbed_at + SCRUB_INTERVAL_SECONDS)

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._stopped and (task := self._next()) is None:
                    if self._db() is None:
                        return
                    self._cond.wait(self._wait())
                if self._stopped:
                    return
                if task == "scrub":
                    marks, self._marks = self._marks, set()
                    self._scrub_due, self._scrubbing = False, True
                    self._scrubbed_at = time.monotonic()
                else:
                    self._first = None
            db = self._db()
            if db is None:
                with self._cond:
                    self._scrubbing = False
                    self._cond.notify_all()
                return
            started = time.monotonic()
            done = False
            try:
                if task == "scrub":
                    done = db._scrub(marks)
                else:
                    db.compact()
            except Exception:  # keep the thread: the next attempt may well work
                log.warning("cleaning up after writing answers failed", exc_info=True)
            del db
            with self._cond:
                if task == "scrub":
                    self._scrubbing = False
                    if not done:  # a reader held it: again in a moment
                        self._marks |= marks
                        self._scrub_due = True
                        self._retry_at = time.monotonic() + SCRUB_RETRY_SECONDS
                else:
                    spent = time.monotonic() - started
                    self._not_before = time.monotonic() + COMPACT_SHARE * spent
                    self.runs += 1
                self._cond.notify_all()
