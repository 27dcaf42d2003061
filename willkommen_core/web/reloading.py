"""Serve an instance and pick up changes of its settings without a restart.

Every worker compares the modification time of ``willkommen.toml`` and
``.env`` on each request (one ``stat`` each, microseconds) and rebuilds its
app when they changed: enabling a plugin in the admin page or with the CLI
takes effect in all workers. A change that makes the settings invalid keeps
the running app and logs the problems, so a typo cannot take the site down.

On PostgreSQL, processes on other machines may serve the same instance
(``docs/hosting.md``), where a file's modification time can arrive late
(network file systems cache it). Whoever changes the settings therefore also
bumps the ``settings`` generation in the database
(:func:`announce_settings_change`), and each request compares it with the one
the running app was built at: a change made through one process is seen by
every other at its next request.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.types import Receive, Scope, Send

from ..instance import Instance
from ..settings import ENV_FILE, SETTINGS_FILE
from ..storage import generations
from ..storage.db import Database

log = logging.getLogger("willkommen.web")
T = TypeVar("T")


def _stamp(root: Path) -> tuple[int, int]:
    def mtime(name: str) -> int:
        try:
            return (root / name).stat().st_mtime_ns
        except FileNotFoundError:
            return 0

    return mtime(SETTINGS_FILE), mtime(ENV_FILE)


def _generation(db: Database) -> int | None:
    """The settings generation, ``None`` where the database cannot say (not yet upgraded)."""
    try:
        return generations.current(db, generations.SETTINGS)
    except Exception as exc:  # a database problem must not stop serving the built app
        log.warning("cannot read the settings generation: %s", exc)
        return None


def announce_settings_change(instance: Instance) -> None:
    """Tell every process serving ``instance`` that its settings files changed
    (SQLite: nothing to tell, its processes see the files' modification time)."""
    if instance.db.dialect != "sqlite":
        generations.announce(instance.db, generations.SETTINGS)


class SharedRead(Generic[T]):
    """``read`` (blocking; run in a worker thread) for many requests at the cost of few.

    A request waits for the next read that starts after it arrived, never for
    one already under way (which might have seen the database before a change
    the request must see); every request that arrives meanwhile shares that
    next read. Alone, a request costs one read; under load, one read serves
    all the requests of its moment.
    """

    def __init__(self, read: Callable[[], T]) -> None:
        self._read = read
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiting: asyncio.Future[T] | None = None
        self._reader: asyncio.Task[None] | None = None

    async def __call__(self) -> T:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # futures belong to one loop (tests run several)
            self._loop, self._waiting, self._reader = loop, None, None
        if self._waiting is None:
            self._waiting = loop.create_future()
        waiting = self._waiting
        if self._reader is None:
            self._reader = loop.create_task(self._drain())
        return await asyncio.shield(waiting)

    async def _drain(self) -> None:
        try:
            while self._waiting is not None:
                waiting, self._waiting = self._waiting, None
                try:
                    value = await run_in_threadpool(self._read)
                except Exception as exc:
                    waiting.set_exception(exc)
                else:
                    waiting.set_result(value)
        finally:
            self._reader = None


class InstanceApp:
    """ASGI app of one instance that rebuilds itself when its settings change."""

    def __init__(self, root: Path | str, *, instance: Instance | None = None) -> None:
        """``instance``: the one at ``root`` if the caller has just opened it."""
        from .app import create_app

        self.root = Path(root).resolve()
        self._create_app = create_app
        self._lock = threading.Lock()
        self._stamp = _stamp(self.root)
        if instance is None:
            instance = Instance.open(self.root)
        # SQLite is one file on one machine: its processes share the folder, and
        # the stat above suffices. Any other database may be shared across machines.
        self.shared = instance.db.dialect != "sqlite"
        self._generation = _generation(instance.db) if self.shared else None
        self._read_generation = SharedRead(lambda: _generation(self.app.state.instance.db))
        self.app: Starlette = create_app(instance)

    def _changed(self, generation: int | None) -> bool:
        return _stamp(self.root) != self._stamp or generation != self._generation

    def _refresh(self, generation: int | None) -> None:
        """Rebuild the app if the files or the ``generation`` differ from those it was built at."""
        stamp = _stamp(self.root)
        with self._lock:
            if stamp == self._stamp and generation == self._generation:
                return
            self._stamp, self._generation = stamp, generation
            try:
                new_app = self._create_app(Instance.open(self.root))
            except Exception as exc:
                log.error("settings changed but are not usable, keeping the running app: %s", exc)
                return
            old, self.app = self.app, new_app
            old.state.instance.db.dispose()
            log.info(
                "settings changed: app rebuilt (plugins: %s)",
                ", ".join(new_app.state.instance.plugins.enabled),
            )

    def close(self) -> None:
        """Release the database connections (the app is not used afterwards)."""
        self.app.state.instance.db.dispose()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            if self.shared:
                seen = await self._read_generation()
                # Unreadable (database briefly away): keep serving what was built.
                generation = self._generation if seen is None else seen
                if self._changed(generation):
                    await run_in_threadpool(self._refresh, generation)
            elif self._changed(self._generation):
                self._refresh(self._generation)
        await self.app(scope, receive, send)
