"""Serve an instance and pick up changes of its settings without a restart.

Every worker compares the modification time of ``willkommen.toml`` and
``.env`` on each request (one ``stat`` each, microseconds) and rebuilds its
app when they changed: enabling a plugin in the admin page or with the CLI
takes effect in all workers. A change that makes the settings invalid keeps
the running app and logs the problems, so a typo cannot take the site down.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from starlette.applications import Starlette
from starlette.types import Receive, Scope, Send

from ..instance import Instance
from ..settings import ENV_FILE, SETTINGS_FILE

log = logging.getLogger("willkommen.web")


def _stamp(root: Path) -> tuple[int, int]:
    def mtime(name: str) -> int:
        try:
            return (root / name).stat().st_mtime_ns
        except FileNotFoundError:
            return 0

    return mtime(SETTINGS_FILE), mtime(ENV_FILE)


class InstanceApp:
    """ASGI app of one instance that rebuilds itself when its settings change."""

    def __init__(self, root: Path | str) -> None:
        from .app import create_app

        self.root = Path(root).resolve()
        self._create_app = create_app
        self._lock = threading.Lock()
        self._stamp = _stamp(self.root)
        self.app: Starlette = create_app(Instance.open(self.root))

    def _refresh(self) -> None:
        stamp = _stamp(self.root)
        if stamp == self._stamp:
            return
        with self._lock:
            if stamp == self._stamp:
                return
            self._stamp = stamp
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

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            self._refresh()
        await self.app(scope, receive, send)
