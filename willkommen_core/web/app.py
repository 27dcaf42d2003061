"""The app factory: one Starlette app per instance, one plugin host per app."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Match, Mount
from starlette.staticfiles import StaticFiles

from .. import __version__
from ..errors import UserError
from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from ..instance import Instance
from ..oidc import OidcClient
from . import account, admin, admin_accounts, pages, two_factor
from . import audit as audit_web
from . import oidc as oidc_web
from .api import openapi_document
from .middleware import BodyLimit, RequestContext, SecurityHeaders
from .paths import route_path
from .routing import SAFE_METHODS, AccessDenied
from .templating import make_environment, render

if TYPE_CHECKING:
    from ..accounts import User

log = logging.getLogger("willkommen.web")
CORE_STATIC = pages.__file__.rsplit("/", 1)[0] + "/static"
SESSION_COOKIE = "willkommen_session"


@dataclass(frozen=True)
class NavEntry:
    name: str
    title: Any
    href: str


def _routed(routes: list[BaseRoute], path: str) -> bool:
    """Whether a GET of ``path`` reaches a route (through mounts), e.g. not switched off."""
    scope: dict[str, Any] = {"type": "http", "method": "GET", "path": path, "root_path": ""}
    while True:
        for route in routes:
            match, child = route.matches(scope)
            if match is Match.FULL:
                break
        else:
            return False
        if not isinstance(route, Mount):
            return True
        scope = {**scope, **child}
        routes = route.routes


def _navigation(instance: Instance, routes: list[BaseRoute]) -> tuple[Any, list[NavEntry]]:
    staff: list[tuple[NavEntry, tuple[str, ...] | None]] = []
    tail = [
        (NavEntry("admin", _l("Module"), "/-/admin/plugins"), ("admin",)),
        (NavEntry("accounts", _l("Konten"), admin_accounts.ACCOUNTS_PAGE), ("admin",)),
        (NavEntry("audit", _l("Protokoll"), audit_web.AUDIT_PAGE), ("admin",)),
    ]
    public: list[NavEntry] = []
    for name in instance.plugins.active:
        info = instance.plugins.info(name)
        if info.nav_path:
            staff.append((NavEntry(name, info.title, info.nav_path), info.nav_roles))
        # A public page can be switched off in the settings (partner's public_page).
        if info.public_path and _routed(routes, info.public_path):
            public.append(NavEntry(name, info.public_title or info.title, info.public_path))

    def for_user(user: User | None) -> list[NavEntry]:
        if user is None:
            return []
        return [e for e, roles in staff + tail if roles is None or user.has_role(*roles)]

    return for_user, public


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _error_page(request: Request, status: int, message: str) -> Response:
    if route_path(request.scope).startswith("/api/"):
        return JSONResponse({"error": message, "details": []}, status_code=status)
    try:
        return render(request, "error.html", {"status": status, "message": message}, status)
    except Exception:  # the layout itself failed: still answer
        log.exception("error page failed")
        return Response(message, status_code=status, media_type="text/plain")


def create_app(instance: Instance) -> Starlette:
    """The web app of ``instance`` (which must be free of problems)."""
    if instance.problems:
        raise UserError("the instance has problems:", instance.problems)
    settings = instance.settings
    if settings.secret_key is None:
        raise UserError(
            "secret_key is not set: put WILLKOMMEN_SECRET_KEY=<at least 32 random characters> "
            f"into {instance.root / '.env'} or the environment"
        )
    host = instance.plugins
    routes: list[BaseRoute] = [
        *pages.routes(),
        *account.routes(),
        *two_factor.routes(),
        *oidc_web.routes(settings.oidc),
        *admin.routes(),
        *admin_accounts.routes(),
        *audit_web.routes(),
    ]
    for name, plugin_routes in host.call_each("api_routes", instance=instance).items():
        routes.append(Mount(f"/api/v1/{name}", routes=plugin_routes, name=f"api-{name}"))
    for name, plugin_routes in host.call_each("web_routes", instance=instance).items():
        routes.append(Mount(f"/{name}", routes=plugin_routes, name=name))
    for name, folder in host.static_dirs().items():
        routes.append(
            Mount(f"/static/{name}", app=StaticFiles(directory=folder), name=f"static-{name}")
        )
    routes.append(Mount("/static", app=StaticFiles(directory=CORE_STATIC), name="static"))

    async def not_found(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 404:
            # A page's own message ("Diesen Schritt gibt es nicht.") says more than the default.
            own = exc.detail if exc.detail and exc.detail != "Not Found" else None
            return _error_page(request, 404, own or _("Diese Seite gibt es nicht."))
        return _error_page(request, exc.status_code, str(exc.detail))

    async def denied(request: Request, exc: AccessDenied) -> Response:
        if (
            exc.status == 403
            and request.method not in SAFE_METHODS
            and account.cookies_cannot_work(request)
        ):
            # The session cookie never came back (HTTPS-only over http): say so,
            # and name the setting, instead of a puzzling CSRF refusal.
            if route_path(request.scope) == "/login":
                return account.login_page(request, "/", "", None, 403)
            return _error_page(request, 403, account.insecure_transport_message())
        return _error_page(request, exc.status, exc.message)

    async def too_deep(request: Request, exc: RecursionError) -> Response:
        # Only parsing a client's nested JSON or TOML recurses this deep.
        log.warning("nested too deeply: %s %s", request.method, request.url.path)
        return _error_page(
            request, 400, _("Die Daten sind zu tief verschachtelt und werden nicht verarbeitet.")
        )

    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path, exc_info=exc)
        return _error_page(
            request,
            500,
            _("Ein interner Fehler ist aufgetreten. Bitte versuchen Sie es später erneut."),
        )

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        instance.db.dispose()

    middleware = [
        Middleware(
            SecurityHeaders,
            hsts=settings.web.secure_cookies,
            # Logging out sends the browser on to the provider's logout page.
            form_action=(_origin(settings.oidc.issuer),) if settings.oidc is not None else (),
        ),
        Middleware(BodyLimit),
        Middleware(
            SessionMiddleware,
            secret_key=settings.secret_key.get_secret_value(),
            session_cookie=SESSION_COOKIE,
            max_age=settings.web.session_max_age,
            same_site="lax",
            https_only=settings.web.secure_cookies,
        ),
        Middleware(RequestContext, instance=instance),
    ]
    # Each handler takes its own exception type, which Starlette's annotation cannot say.
    handlers: dict[Any, Any] = {
        HTTPException: not_found,
        AccessDenied: denied,
        RecursionError: too_deep,
        Exception: server_error,
    }
    app = Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers=handlers,
        lifespan=lifespan,
    )
    app.state.instance = instance
    app.state.oidc = OidcClient(settings.oidc) if settings.oidc is not None else None
    app.state.templates = make_environment(
        instance.root / "templates", list(host.template_dirs().values())
    )
    app.state.navigation, app.state.public_navigation = _navigation(instance, routes)
    app.state.openapi = openapi_document(
        routes, f"Willkommen – {settings.authority.name}", __version__
    )
    return app
