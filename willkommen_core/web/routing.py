"""Routes that declare who may use them; the core enforces it in one place.

Every page of the core and of every plugin is a :class:`Page`. It states its
access (``public=True``, or the roles allowed; ``admin`` may use every
staff page except those declared ``exclusive``) and the core wraps its
endpoint so that access and CSRF are checked before the endpoint runs. ``tests/test_routes_security.py`` walks
all routes of an app and verifies both.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ..i18n import AUDIENCES
from ..i18n import gettext as _
from .languages import settle_language
from .paths import app_path

if TYPE_CHECKING:
    from ..accounts import User

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
MAX_FORM_FIELDS = 2000
MAX_FORM_PART = 1024 * 1024

Endpoint = Callable[[Request], Awaitable[Response] | Response]


class AccessDenied(Exception):
    """Raised to render a 401/403 page in the layout."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use."""
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def _cookie_needs_https(request: Request) -> bool:
    instance = getattr(request.app.state, "instance", None)
    if instance is None or request.url.scheme != "http":
        return False
    return bool(instance.settings.web.secure_cookies)


async def check_csrf(request: Request) -> None:
    expected = request.session.get("csrf", "")
    given = request.headers.get(CSRF_HEADER, "")
    if not given:
        form = await request.form(max_fields=MAX_FORM_FIELDS, max_part_size=MAX_FORM_PART)
        value = form.get(CSRF_FIELD, "")
        given = value if isinstance(value, str) else ""
    if not expected or not hmac.compare_digest(expected, given):
        if not expected and _cookie_needs_https(request):
            # No session at all: the client kept the Secure cookie from http:// to itself
            # (any client but Chrome and Firefox on 127.0.0.1): name that cause.
            from .account import insecure_transport_message

            raise AccessDenied(403, insecure_transport_message())
        raise AccessDenied(
            403,
            _(
                "Das Formular ist abgelaufen oder ungültig (CSRF-Schutz). Bitte laden Sie die Seite neu."
            ),
        )


class Page(Route):
    """A page route with declared access.

    ``public``: anyone, also without login. Otherwise a logged-in user is
    required, and with ``roles`` one of those roles (or ``admin``).
    ``exclusive=True``: only the named ``roles``, not even ``admin``; for
    separation of duties, e.g. the self-assessment's one-time code sheets,
    which nobody who can read results (leadership, IT) may ever see.
    ``csrf`` can only be switched off for endpoints that change nothing.
    ``audience`` (customers, participants, staff) decides the languages the page
    is offered in (see :mod:`.languages`); ``languages`` narrows them further.
    """

    def __init__(
        self,
        path: str,
        endpoint: Endpoint,
        *,
        methods: Sequence[str] = ("GET",),
        public: bool = False,
        roles: Sequence[str] | None = None,
        name: str | None = None,
        csrf: bool = True,
        exclusive: bool = False,
        audience: str = "staff",
        languages: Sequence[str] | None = None,
    ) -> None:
        if exclusive and (public or not roles):
            raise ValueError("an exclusive page names its roles and is not public")
        self.public = public
        self.roles = tuple(roles) if roles else None
        self.exclusive = exclusive
        self.csrf = csrf
        if audience not in AUDIENCES:
            raise ValueError(f"unknown audience {audience!r} (known: {', '.join(AUDIENCES)})")
        self.audience = audience
        self.languages = tuple(languages) if languages is not None else None
        super().__init__(
            path, self._guard(endpoint), methods=list(methods), name=name or endpoint.__name__
        )

    def _guard(self, endpoint: Endpoint) -> Callable[[Request], Awaitable[Response]]:
        import asyncio

        is_async = asyncio.iscoroutinefunction(endpoint)

        async def guarded(request: Request) -> Response:
            settle_language(request, self.audience, self.languages)
            user = request.state.user
            if not self.public:
                if user is None:
                    if request.method == "GET":
                        target = request.url.path + (
                            f"?{request.url.query}" if request.url.query else ""
                        )
                        login = app_path(request, "/login")
                        return RedirectResponse(f"{login}?next={quote(target)}", status_code=303)
                    raise AccessDenied(401, _("Bitte melden Sie sich an."))
                if not self.allows(user):
                    raise AccessDenied(403, _("Ihre Rolle hat keinen Zugriff auf diese Seite."))
            if self.csrf and request.method not in SAFE_METHODS:
                await check_csrf(request)
            if is_async:
                response: Response = await endpoint(request)  # type: ignore[misc]
                return response
            return await run_in_threadpool(endpoint, request)  # type: ignore[arg-type]

        return guarded

    def allows(self, user: User) -> bool:
        """Whether the logged-in ``user`` has a role that may use this page."""
        if self.roles is None:
            return True
        if self.exclusive:
            return user.role in self.roles
        return bool(user.has_role(*self.roles))
