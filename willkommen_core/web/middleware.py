"""ASGI middleware of the shell: security headers, body limit, request context."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import accounts, i18n
from .paths import app_root, route_path

if TYPE_CHECKING:
    from ..instance import Instance

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
MAX_BODY = 8 * 1024 * 1024
LANG_COOKIE = "lang"
PLAIN_LANGUAGE = "de-x-ls"
"""German in Leichte Sprache: chosen like a language, shown in German where a page
has no plain-language text of its own (the start page and first information have)."""
PASSWORD_PAGE = "/-/konto/passwort"  # noqa: S105 (a path, not a secret)
"""The one page (with logout) open to someone who must change a one-time password."""
OPEN_WHILE_PASSWORD_PENDING = frozenset({PASSWORD_PAGE, "/logout"})
SECOND_STEP_PAGE = "/login/code"
"""Where the code is entered after a correct password (no session before it is right)."""
TWO_FACTOR_PAGE = "/-/konto/zwei-faktor"
"""Setting up the second factor: the one page (with logout) open while it is due."""
OPEN_WHILE_TWO_FACTOR_DUE = frozenset({TWO_FACTOR_PAGE, "/logout"})
NO_STORE = (b"cache-control", b"no-store")


class SecurityHeaders:
    """The same security headers on every response.

    ``form_action``: further origins a form may end up at, e.g. the identity
    provider's, where logging out redirects to (RP-initiated logout).
    """

    def __init__(self, app: ASGIApp, *, hsts: bool, form_action: tuple[str, ...] = ()) -> None:
        self.app = app
        # Encoded once: these go out with every response.
        fixed = {
            "x-content-type-options": "nosniff",
            "referrer-policy": "same-origin",
            "x-frame-options": "DENY",
            "cross-origin-opener-policy": "same-origin",
            "permissions-policy": "camera=(), microphone=(), geolocation=()",
        }
        if hsts:
            fixed["strict-transport-security"] = "max-age=31536000"
        self.fixed = [(k.encode(), v.encode()) for k, v in fixed.items()]
        self.fixed_names = {k for k, _ in self.fixed}
        csp = CSP
        if form_action:
            csp = csp.replace("form-action 'self'", " ".join(("form-action 'self'", *form_action)))
        self.csp = (b"content-security-policy", csp.encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                # Ours replace any of the same name; a page's own CSP is kept.
                headers = [h for h in message.get("headers", []) if h[0] not in self.fixed_names]
                if not any(name == self.csp[0] for name, _ in headers):
                    headers.append(self.csp)
                headers.extend(self.fixed)
                if not route_path(scope).startswith("/static/"):
                    # Nothing a person or a participant sees is kept in a cache: a
                    # page may allow caching only for anonymous visitors.
                    own = any(name == NO_STORE[0] for name, _ in headers)
                    if scope.get("state", {}).get("user") is not None or not own:
                        headers = [h for h in headers if h[0] != NO_STORE[0]]
                        headers.append(NO_STORE)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """Refuse bodies over ``limit`` bytes before anything reads them."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            length = dict(scope["headers"]).get(b"content-length")
            if length is not None and (not length.isdigit() or int(length) > self.limit):
                await PlainTextResponse("Request body too large", status_code=413)(
                    scope, receive, send
                )
                return
            received = 0

            async def limited() -> Message:
                nonlocal received
                message = await receive()
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise ValueError("request body too large")
                return message

            await self.app(scope, limited, send)
            return
        await self.app(scope, receive, send)


class RequestContext:
    """Sets the request's user (session or bearer token) and language."""

    def __init__(self, app: ASGIApp, instance: Instance) -> None:
        self.app = app
        self.instance = instance
        self.languages = list(instance.settings.languages)
        self.two_factor_roles = frozenset(instance.settings.web.require_two_factor_for)
        self.locale_dirs = (i18n.CORE_LOCALE_DIR, *instance.plugins.locale_dirs())

    def _language(self, request: Request) -> tuple[str, bool]:
        offered = [*self.languages, PLAIN_LANGUAGE]
        asked = request.query_params.get("lang")
        if asked is not None and asked in offered:
            return asked, True
        cookie = request.cookies.get(LANG_COOKIE)
        if cookie is not None and cookie in offered:
            return cookie, False
        header = request.headers.get("accept-language", "")
        for part in header.split(","):
            code = part.split(";")[0].strip().lower().split("-")[0]
            if code in self.languages:
                return code, False
        return self.languages[0], False

    def two_factor_due(self, request: Request, user: accounts.User) -> bool:
        """Whether ``user`` must set up a second factor before anything else:
        their role requires it (``[web] require_two_factor_for``) or an admin
        reset it. Token requests and identity-provider logins are exempt."""
        if user.via_token or user.two_factor or request.session.get("via") == "oidc":
            return False
        return user.two_factor_required or user.role in self.two_factor_roles

    def _user(self, request: Request) -> accounts.User | None:
        db = self.instance.db
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            return accounts.user_for_token(db, auth[7:].strip())
        sid = request.session.get("sid")
        if isinstance(sid, str):
            return accounts.load_user(db, sid)
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        lang, chosen = self._language(request)
        # Leichte Sprache has no catalogue: the interface around it is German.
        ui = i18n.SOURCE_LANGUAGE if lang == PLAIN_LANGUAGE else lang
        token = i18n.activate(ui, self.locale_dirs)
        scope.setdefault("state", {})
        # Only a bearer token or a session id costs a database lookup (in a
        # thread); anonymous requests, most of a round's traffic, skip the hop.
        needs_user = not route_path(scope).startswith("/static/") and (
            "authorization" in request.headers or isinstance(request.session.get("sid"), str)
        )
        scope["state"]["user"] = (
            await run_in_threadpool(self._user, request) if needs_user else None
        )
        scope["state"]["lang"] = ui
        # What the reader chose, Leichte Sprache included: pages with plain-language
        # text of their own read it (``PLAIN_LANGUAGE``).
        scope["state"]["language_choice"] = lang
        user = scope["state"]["user"]
        pending: tuple[str, str] | None = None
        here = route_path(scope)
        if user is not None and not here.startswith("/static/"):
            if user.must_change_password and here not in OPEN_WHILE_PASSWORD_PENDING:
                pending = (PASSWORD_PAGE, "the account's one-time password must be changed first")
            elif (
                not user.must_change_password
                and here not in OPEN_WHILE_TWO_FACTOR_DUE
                and self.two_factor_due(request, user)
            ):
                pending = (TWO_FACTOR_PAGE, "the account must set up two-factor login first")
        if pending is not None:
            blocked: PlainTextResponse | JSONResponse | RedirectResponse
            if here.startswith("/api/"):
                blocked = JSONResponse({"error": pending[1], "details": []}, status_code=403)
            else:
                blocked = RedirectResponse(app_root(scope) + pending[0], status_code=303)
            try:
                await blocked(scope, receive, send)
            finally:
                i18n._current.reset(token)
            return

        async def send_with_lang(message: Message) -> None:
            if chosen and message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.append(
                    "Set-Cookie", f"{LANG_COOKIE}={lang}; Path=/; Max-Age=31536000; SameSite=Lax"
                )
            await send(message)

        try:
            await self.app(scope, receive, send_with_lang)
        finally:
            i18n._current.reset(token)
