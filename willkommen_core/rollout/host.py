"""``willkommen serve --instances DIR``: every instance of a rollout folder in one process.

Each instance folder ``DIR/<slug>/`` is served under ``/<slug>/`` with its own
settings, plugins, secret key and database; ``/`` is an index page of the
state's authorities and ``/healthz`` gives the status to anyone and reports each
instance only to a bearer API token of one of the hosted instances.

How an instance works under a prefix: the host passes the request on with the
prefix as ASGI ``root_path`` (the path stays whole), so the instance's routes
match below it, and every link, form, redirect and printed address the
instance makes (``url()`` in templates, the SDK's ``redirect``, the core's
``app_path``, ``request.base_url`` for QR codes) carries the prefix: nothing is
rewritten on the way out, so no link in ``srcset``, CSS or JSON is missed. Only
the ``Path`` of cookies is set to the prefix (so sessions and the language
choice stay per instance: a login at one authority is never sent to another).
A folder named like a path of the app (``api``, ``login``, a plugin's name) is
not served. A single instance served by ``willkommen serve`` is untouched.

Instances are loaded on first use and unloaded when idle: at start the host
only reads each folder's settings file (for the index page), the first request
to an instance opens it (settings, plugins, database check, app; well under a
second), and an instance without requests for ``idle_seconds`` is unloaded,
as is the least recently used one when more than ``max_loaded`` are loaded.
So a state's hundreds of authorities fit in one modest machine, and several
such processes on several machines can serve the same instances: everything
they must share lives in the instances' databases (``docs/hosting.md``).

An instance whose settings file does not parse, or that fails to open or whose
database schema is not current at its first request, is listed on the index
page as not available (the reason goes to the log) and the others are served;
it is tried again at a request ``RETRY_SECONDS`` later.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import gc
import html
import json
import logging
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.types import Message, Receive, Scope, Send

from ..errors import UserError
from ..settings import SETTINGS_FILE, read_raw

if TYPE_CHECKING:
    from ..instance import Instance
    from ..web.reloading import InstanceApp

log = logging.getLogger("willkommen.host")


_COOKIE_PATH = re.compile(r"(;\s*path=)(/[^;]*)", re.I)
RESERVED = {"healthz", "static", "-"}
APP_SEGMENTS = {"api", "login", "logout", "barrierefreiheit", "healthz", "static", "-"}
"""First path segments of the core's routes (plugins add their names)."""
SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'none'; style-src 'self'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]
IDLE_SECONDS = 15 * 60
"""An instance without a request for this long is unloaded."""
MAX_LOADED = 100
"""At most this many instances are loaded at once (the least recently used goes)."""
RETRY_SECONDS = 30.0
"""An instance that failed to load is tried again after this long (its database may
have been away for a moment, or its settings file is being fixed)."""


@dataclass
class Hosted:
    """One instance folder: known from the start, loaded while in use."""

    slug: str
    root: Path
    name: str
    problem: str | None = None
    app: InstanceApp | None = None
    """The loaded app, ``None`` while unloaded."""
    last_used: float = 0.0
    active: int = 0
    """Requests in progress (counted on the event loop: an instance in use stays loaded)."""
    retry_at: float | None = None
    """When an instance that failed to load is tried again (``None``: never)."""
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def available(self) -> bool:
        return self.problem is None

    def due(self) -> bool:
        """Whether a failed instance is to be tried again now."""
        return self.retry_at is not None and time.monotonic() >= self.retry_at

    def failed(self, problem: str) -> None:
        self.problem = problem
        self.retry_at = time.monotonic() + RETRY_SECONDS


def find_instances(folder: Path) -> list[Path]:
    """Instance folders directly below ``folder`` (hidden folders are skipped)."""
    if not folder.is_dir():
        raise UserError(
            f"{folder}: not a folder (expected a rollout folder with one instance per authority)"
        )
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_dir() and not p.name.startswith(".") and (p / SETTINGS_FILE).is_file()
    )


def _discover(root: Path, plugin_names: set[str]) -> Hosted:
    """What the index page needs, from the settings file alone (milliseconds)."""
    slug = root.name
    hosted = Hosted(slug, root, slug)
    if slug in RESERVED:
        hosted.problem = f"the folder name {slug!r} is reserved by the host"
        return hosted
    if slug in plugin_names or slug in APP_SEGMENTS:
        # "/partner/..." could not be told from a page of the instance "partner".
        hosted.problem = f"the folder name {slug!r} is also a path of the app"
        return hosted
    raw, problems = read_raw(root)
    if problems:
        hosted.failed(f"the instance at {root} has problems: " + "; ".join(map(str, problems)))
        return hosted
    authority = raw.get("authority")
    if isinstance(authority, dict) and isinstance(authority.get("name"), str):
        hosted.name = authority["name"]
    return hosted


def _load(hosted: Hosted) -> InstanceApp | None:
    """Open and check the instance and build its app; ``None`` (and the reason in
    ``hosted.problem``) if it cannot be served. Runs in a worker thread."""
    from ..instance import Instance
    from ..web.reloading import InstanceApp

    with hosted.lock:
        if hosted.app is not None or (hosted.problem is not None and not hosted.due()):
            return hosted.app
        hosted.problem = hosted.retry_at = None
        root = hosted.root
        try:
            instance = Instance.open(root)
            if hosted.slug in instance.plugins.records:
                raise UserError(f"the folder name {hosted.slug!r} is also a path of the app")
            problems = instance.check(failed_plugins=False, content_problems=_content(instance))
            if problems:
                instance.db.dispose()
                raise UserError(f"the instance at {root} has problems:", problems)
            hosted.name = instance.settings.authority.name
            hosted.app = InstanceApp(root, instance=instance)
        except UserError as exc:
            hosted.failed(str(exc))
        except Exception as exc:  # one broken instance must not take the state's host down
            log.exception("instance %s failed to start", root)
            hosted.failed(f"failed to start: {exc!r}")
        if hosted.problem is not None:
            log.error("not serving %s: %s", hosted.slug, hosted.problem)
        else:
            log.info("loaded %s", hosted.slug)
        return hosted.app


def _content(instance: Instance) -> list[Any]:
    """The content problems of ``instance``: those of the shipped content are the
    same for every instance with the same settings and no local content files, so
    they are found once per process (as the rollout does)."""
    from .run import _Checker

    global _shipped_content
    if _shipped_content is None:
        _shipped_content = _Checker(migrate=False)
    key = _shipped_content._content_key(instance)
    if key is None:
        problems: list[Any] = instance.content_problems()
        return problems
    found: list[Any] | None = _shipped_content.content.get(key)
    if found is None:
        found = _shipped_content.content[key] = instance.content_problems()
    return found


_shipped_content: Any = None
"""The rollout's checker, for its memory of the shipped content's problems."""


def _release_memory() -> None:
    """Give the memory of unloaded instances back to the system (glibc keeps it otherwise).

    A full collection holds the interpreter for a moment (every loaded instance's
    objects are visited), so the sweeper does it, never a visitor's request."""
    gc.collect()
    name = ctypes.util.find_library("c")
    if name is not None:
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(name).malloc_trim(0)


class PrefixedApp:
    """An instance's app served under ``prefix`` (see the module docstring)."""

    def __init__(self, app: Any, prefix: str) -> None:
        self.app = app
        self.prefix = prefix

    def _cookies(self, headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
        out = []
        for key, value in headers:
            if key.lower() == b"set-cookie":
                text = value.decode("latin-1")
                if _COOKIE_PATH.search(text):
                    text = _COOKIE_PATH.sub(lambda m: m.group(1) + self.prefix + m.group(2), text)
                else:
                    text += f"; Path={self.prefix}/"
                value = text.encode("latin-1")
            out.append((key, value))
        return out

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        child = dict(scope)
        # ASGI: the whole path, and the part the app is mounted at as root_path.
        child["root_path"] = scope.get("root_path", "") + self.prefix
        child.pop("app_root_path", None)
        if scope["type"] != "http":
            await self.app(child, receive, send)
            return

        async def with_cookie_paths(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = self._cookies(list(message.get("headers", [])))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(child, receive, with_cookie_paths)


class InstancesHost:
    """ASGI app serving every instance below a rollout folder, plus an index page."""

    def __init__(
        self,
        folder: Path | str,
        *,
        idle_seconds: float = IDLE_SECONDS,
        max_loaded: int = MAX_LOADED,
    ) -> None:
        from ..plugins import installed_names

        if max_loaded < 1:
            raise UserError("max_loaded: at least 1 instance")
        self.folder = Path(folder).resolve()
        self.idle_seconds = idle_seconds
        self.max_loaded = max_loaded
        names = set(installed_names())
        self.hosted = {
            h.slug: h for h in (_discover(p, names) for p in find_instances(self.folder))
        }
        if not self.hosted:
            raise UserError(f"{self.folder}: no instance folders (with {SETTINGS_FILE}) found")
        for h in self.hosted.values():
            if h.problem:
                log.error("not serving %s: %s", h.slug, h.problem)
        self._sweeper: asyncio.Task[None] | None = None
        self._unloaded_since_release = False

    def warm_up(self) -> str | None:
        """Load the first instance that opens, at start: the modules' code is imported
        and checked once per process, so no visitor's first request waits for that
        (later instances load in a fraction of the time). Returns its slug."""
        for h in self.hosted.values():
            if h.available and _load(h) is not None:
                h.last_used = time.monotonic()
                return h.slug
        return None

    @property
    def apps(self) -> dict[str, Hosted]:
        """The instances served (loaded or not): all but those known to be broken."""
        return {slug: h for slug, h in self.hosted.items() if h.available}

    def loaded(self) -> list[str]:
        """Slugs of the instances loaded now."""
        return [slug for slug, h in self.hosted.items() if h.app is not None]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        path: str = scope["path"]
        slug = path.strip("/").split("/", 1)[0]
        hosted = self.hosted.get(slug) if slug else None
        servable = hosted is not None and (hosted.available or hosted.due())
        if hosted is not None and servable and path.startswith(f"/{slug}/"):
            await self._serve(hosted, scope, receive, send)
        elif hosted is not None and servable and path == f"/{slug}":
            await self._respond(send, 308, b"", [(b"location", f"/{slug}/".encode())])
        elif path == "/":
            accept = dict(scope.get("headers") or []).get(b"accept-language", b"").decode("latin-1")
            lang = (
                "en"
                if accept.lower().startswith("en")
                or "lang=en" in scope.get("query_string", b"").decode()
                else "de"
            )
            await self._respond(
                send,
                200,
                self.index(lang).encode(),
                [(b"content-type", b"text/html; charset=utf-8")],
            )
        elif path == "/healthz":
            auth = dict(scope.get("headers") or []).get(b"authorization", b"").decode("latin-1")
            detailed = await run_in_threadpool(self._token_valid, auth)
            await self._respond(
                send,
                200,
                json.dumps(self.health(detailed=detailed)).encode(),
                [(b"content-type", b"application/json"), (b"cache-control", b"no-store")],
            )
        else:
            await self._respond(
                send, 404, b"Not found", [(b"content-type", b"text/plain; charset=utf-8")]
            )

    async def _serve(self, hosted: Hosted, scope: Scope, receive: Receive, send: Send) -> None:
        # Counted before the first await: an instance is never unloaded under a request.
        hosted.active += 1
        loaded = False
        try:
            app = hosted.app
            if app is None:
                app = await run_in_threadpool(_load, hosted)
                if app is None:
                    await self._respond(
                        send,
                        503,
                        "Derzeit nicht verfügbar / currently unavailable".encode(),
                        [(b"content-type", b"text/plain; charset=utf-8"), (b"retry-after", b"60")],
                    )
                    return
                loaded = True
            hosted.last_used = time.monotonic()
            await PrefixedApp(app, f"/{hosted.slug}")(scope, receive, send)
        finally:
            hosted.active -= 1
            hosted.last_used = time.monotonic()
        if loaded:
            # After the answer is sent: closing another instance keeps no visitor waiting.
            await self._evict(keep=hosted)

    def _detach(self, victims: list[Hosted]) -> list[InstanceApp]:
        """Take the apps of ``victims`` that are idle right now (on the event loop, so
        no request can start on one between the check and the detaching)."""
        apps = []
        for h in victims:
            if h.app is not None and h.active == 0:
                apps.append(h.app)
                h.app = None
                log.info("unloaded %s", h.slug)
        return apps

    async def _unload(self, apps: list[InstanceApp]) -> None:
        if apps:
            await run_in_threadpool(self._close_apps, apps)
            self._unloaded_since_release = True

    @staticmethod
    def _close_apps(apps: list[InstanceApp]) -> None:
        for app in apps:
            app.close()

    async def _evict(self, *, keep: Hosted) -> None:
        """Unload the least recently used idle instances beyond ``max_loaded``."""
        loaded = [h for h in self.hosted.values() if h.app is not None and h is not keep]
        excess = len(loaded) + 1 - self.max_loaded
        if excess > 0:
            idle = sorted((h for h in loaded if h.active == 0), key=lambda h: h.last_used)
            await self._unload(self._detach(idle[:excess]))

    async def sweep(self, now: float | None = None) -> list[str]:
        """Unload every instance idle for ``idle_seconds``; returns their slugs."""
        now = time.monotonic() if now is None else now
        idle = [
            h
            for h in self.hosted.values()
            if h.app is not None and h.active == 0 and now - h.last_used >= self.idle_seconds
        ]
        apps = self._detach(idle)
        await self._unload(apps)
        if self._unloaded_since_release:
            self._unloaded_since_release = False
            await run_in_threadpool(_release_memory)
        return [h.slug for h in idle if h.app is None]

    async def _sweep_forever(self) -> None:
        interval = max(1.0, min(60.0, self.idle_seconds / 4))
        while True:
            await asyncio.sleep(interval)
            try:
                await self.sweep()
            except Exception:  # keep sweeping; an instance that fails to close is logged
                log.exception("unloading idle instances failed")

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await run_in_threadpool(self.warm_up)
                self._sweeper = asyncio.create_task(self._sweep_forever())
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._sweeper is not None:
                    self._sweeper.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await self._sweeper
                self.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    def close(self) -> None:
        for h in self.hosted.values():
            app, h.app = h.app, None
            if app is not None:
                app.close()

    @staticmethod
    async def _respond(
        send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]
    ) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    *headers,
                    *SECURITY_HEADERS,
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    def _token_valid(self, authorization: str) -> bool:
        """Whether ``Authorization: Bearer ...`` names a valid API token of a hosted instance.

        Loaded instances are asked first; an unloaded one is asked through a
        connection of its own, without loading its app."""
        from ..accounts import TOKEN_PREFIX, user_for_token

        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token.startswith(TOKEN_PREFIX):
            return False
        loaded = [h.app for h in self.hosted.values() if h.app is not None]
        if any(user_for_token(app.app.state.instance.db, token) for app in loaded):
            return True
        for h in list(self.hosted.values()):
            if h.app is not None or not h.available:
                continue
            db = _database_of(h.root)
            if db is None:
                continue
            try:
                if user_for_token(db, token) is not None:
                    return True
            except Exception as exc:  # e.g. its database is down: not this instance's token
                log.warning("cannot check the token against %s: %s", h.slug, exc)
            finally:
                db.dispose()
        return False

    def health(self, *, detailed: bool = False) -> dict[str, Any]:
        """The status for anyone; the list of instances only with ``detailed``."""
        status = "ok" if all(h.available for h in self.hosted.values()) else "degraded"
        if not detailed:
            return {"status": status}
        from .. import __version__

        return {
            "status": status,
            "version": __version__,
            "instances": {
                slug: {"served": h.available, "loaded": h.app is not None, "path": f"/{slug}/"}
                for slug, h in self.hosted.items()
            },
        }

    def index(self, lang: str = "de") -> str:
        from .. import i18n
        from ..i18n import gettext as _

        token = i18n.activate(lang)
        try:
            rows = []
            for h in sorted(self.hosted.values(), key=lambda h: h.name):
                name = html.escape(h.name)
                if h.available:
                    cell = f'<a href="/{h.slug}/">{name}</a>'
                    state = _("erreichbar")
                else:
                    cell = name
                    state = _("derzeit nicht verfügbar")
                rows.append(f'<tr><th scope="row">{cell}</th><td>{html.escape(state)}</td></tr>')
            served = sum(1 for h in self.hosted.values() if h.available)
            title = html.escape(_("Willkommensbehörden"))
            summary = _(
                "%(served)s von %(total)s Behörden erreichbar.",
                served=served,
                total=len(self.hosted),
            )
            caption = _("Ausländerbehörden und ihr Werkzeugkasten")
            return (
                f'<!doctype html>\n<html lang="{lang}">\n<head><meta charset="utf-8">'
                '<meta name="viewport" content="width=device-width, initial-scale=1">'
                f"<title>{title}</title></head>\n<body>\n<main>\n"
                f"<h1>{title}</h1>\n"
                f"<p>{html.escape(summary)}</p>\n"
                f"<table>\n<caption>{html.escape(caption)}</caption>\n"
                f'<thead><tr><th scope="col">{html.escape(_("Behörde"))}</th>'
                f'<th scope="col">{html.escape(_("Stand"))}</th></tr></thead>\n'
                f"<tbody>\n{chr(10).join(rows)}\n</tbody>\n</table>\n</main>\n</body>\n</html>\n"
            )
        finally:
            i18n._current.reset(token)


INSTANCES_ENV = "WILLKOMMEN_INSTANCES"
IDLE_ENV = "WILLKOMMEN_INSTANCES_IDLE_SECONDS"
MAX_LOADED_ENV = "WILLKOMMEN_INSTANCES_MAX_LOADED"


def app_from_env() -> InstancesHost:
    """App factory for uvicorn workers (``WILLKOMMEN_INSTANCES`` names the folder)."""
    import os

    return InstancesHost(
        os.environ[INSTANCES_ENV],
        idle_seconds=float(os.environ.get(IDLE_ENV, IDLE_SECONDS)),
        max_loaded=int(os.environ.get(MAX_LOADED_ENV, MAX_LOADED)),
    )


def _database_of(root: Path) -> Any:
    """A :class:`Database` of the instance at ``root`` from its core settings alone
    (no plugins, no app), ``None`` if they do not say."""
    from ..settings import build_settings_class
    from ..storage.db import Database

    try:
        settings: Any = build_settings_class(root, {})()  # type: ignore[call-arg]
        return Database(settings.resolved_database_url(root))
    except Exception as exc:  # settings the instance's own first load will report
        log.warning("no database for %s: %s", root.name, exc)
        return None


def serve(
    folder: Path,
    *,
    host: str,
    port: int,
    workers: int,
    access_log: bool = False,
    idle_minutes: float = IDLE_SECONDS / 60,
    max_loaded: int = MAX_LOADED,
) -> None:
    import os

    import uvicorn

    # Fail here, in the calling process, with the user's message.
    hosted = InstancesHost(folder, idle_seconds=idle_minutes * 60, max_loaded=max_loaded)
    for h in hosted.hosted.values():
        print(f"/{h.slug}/  {h.name if h.available else 'NOT SERVED: ' + (h.problem or '')}")
    print(
        f"{len(hosted.apps)} instances; each is loaded (and checked) at its first request, "
        f"unloaded after {idle_minutes:g} minutes without one; at most {max_loaded} loaded"
    )
    os.environ[INSTANCES_ENV] = str(Path(folder).resolve())
    os.environ[IDLE_ENV] = str(idle_minutes * 60)
    os.environ[MAX_LOADED_ENV] = str(max_loaded)
    uvicorn.run(
        "willkommen_core.rollout.host:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        log_level="info",
        # Off by default: client addresses with timestamps could de-anonymise answers.
        access_log=access_log,
    )
