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

An instance that does not open or whose database schema is not current is
listed on the index page as not available (the reason goes to the log) and
the others are served.
"""

from __future__ import annotations

import html
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.types import Message, Receive, Scope, Send

from ..errors import UserError
from ..settings import SETTINGS_FILE

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


@dataclass
class Hosted:
    slug: str
    root: Path
    name: str
    app: Any | None = None
    problem: str | None = None


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


def _open(root: Path) -> Hosted:
    from ..web.reloading import InstanceApp

    slug = root.name
    hosted = Hosted(slug, root, slug)
    if slug in RESERVED:
        hosted.problem = f"the folder name {slug!r} is reserved by the host"
        return hosted
    try:
        from ..instance import Instance

        instance = Instance.open(root)
        hosted.name = instance.settings.authority.name
        if slug in instance.plugins.records or slug in APP_SEGMENTS:
            # "/partner/..." could not be told from a page of the instance "partner".
            hosted.problem = f"the folder name {slug!r} is also a path of the app"
            return hosted
        problems = instance.check(failed_plugins=False)
        if "db" in instance.__dict__:
            instance.db.dispose()
        if problems:
            raise UserError(f"the instance at {root} has problems:", problems)
        hosted.app = InstanceApp(root)
    except UserError as exc:
        hosted.problem = str(exc)
    except Exception as exc:  # one broken instance must not take the state's host down
        log.exception("instance %s failed to start", root)
        hosted.problem = f"failed to start: {exc!r}"
    return hosted


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

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder).resolve()
        self.hosted = {h.slug: h for h in map(_open, find_instances(self.folder))}
        if not self.hosted:
            raise UserError(f"{self.folder}: no instance folders (with {SETTINGS_FILE}) found")
        self.apps = {
            slug: PrefixedApp(h.app, f"/{slug}")
            for slug, h in self.hosted.items()
            if h.app is not None
        }
        for h in self.hosted.values():
            if h.problem:
                log.error("not serving %s: %s", h.slug, h.problem)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        path: str = scope["path"]
        slug = path.strip("/").split("/", 1)[0]
        app = self.apps.get(slug)
        if app is not None and path.startswith(f"/{slug}/"):
            await app(scope, receive, send)
        elif app is not None and path == f"/{slug}":
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

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    def close(self) -> None:
        for h in self.hosted.values():
            if h.app is not None:
                h.app.app.state.instance.db.dispose()

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
        """Whether ``Authorization: Bearer ...`` names a valid API token of a hosted instance."""
        from ..accounts import user_for_token

        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return False
        return any(
            user_for_token(h.app.app.state.instance.db, token.strip()) is not None
            for h in self.hosted.values()
            if h.app is not None
        )

    def health(self, *, detailed: bool = False) -> dict[str, Any]:
        """The status for anyone; the list of instances only with ``detailed``."""
        status = "ok" if all(h.app for h in self.hosted.values()) else "degraded"
        if not detailed:
            return {"status": status}
        from .. import __version__

        return {
            "status": status,
            "version": __version__,
            "instances": {
                slug: {"served": h.app is not None, "path": f"/{slug}/"}
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
                if h.app is not None:
                    cell = f'<a href="/{h.slug}/">{name}</a>'
                    state = _("erreichbar")
                else:
                    cell = name
                    state = _("derzeit nicht verfügbar")
                rows.append(f'<tr><th scope="row">{cell}</th><td>{html.escape(state)}</td></tr>')
            served = sum(1 for h in self.hosted.values() if h.app)
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


def app_from_env() -> InstancesHost:
    """App factory for uvicorn workers (``WILLKOMMEN_INSTANCES`` names the folder)."""
    import os

    return InstancesHost(os.environ[INSTANCES_ENV])


INSTANCES_ENV = "WILLKOMMEN_INSTANCES"


def serve(folder: Path, *, host: str, port: int, workers: int, access_log: bool = False) -> None:
    import os

    import uvicorn

    hosted = InstancesHost(folder)  # fail here, in the calling process, with the user's message
    for h in hosted.hosted.values():
        print(f"/{h.slug}/  {'ok' if h.app else 'NOT SERVED: ' + (h.problem or '')}")
    hosted.close()
    os.environ[INSTANCES_ENV] = str(Path(folder).resolve())
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
