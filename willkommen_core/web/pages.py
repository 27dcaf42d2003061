"""The core's own pages: start page, login, health, plugins, accessibility statement."""

from __future__ import annotations

import secrets

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from .. import __version__, accounts
from ..hookspecs import HOOK_API_VERSION
from ..i18n import gettext as _
from ..storage import migrate
from .routing import MAX_FORM_FIELDS, Page
from .templating import render


def home(request: Request) -> Response:
    instance = request.app.state.instance
    cards = instance.plugins.call_list(
        "dashboard_cards", instance=instance, user=request.state.user
    )
    return render(request, "home.html", {"cards": cards})


def _safe_next(target: str | None) -> str:
    # Only local paths: "//host" or "http://..." would be an open redirect.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


async def login(request: Request) -> Response:
    next_url = _safe_next(request.query_params.get("next"))
    if request.method == "GET":
        return render(request, "login.html", {"next": next_url, "username": "", "error": None})
    form = await request.form(max_fields=MAX_FORM_FIELDS)
    username = str(form.get("username", ""))[:64]
    password = str(form.get("password", ""))[:1024]
    next_url = _safe_next(str(form.get("next", "/")))
    web = request.app.state.instance.settings.web

    try:
        user = await run_in_threadpool(
            accounts.authenticate,
            request.app.state.instance.db,
            username,
            password,
            max_failures=web.login_max_failures,
            lockout_minutes=web.login_lockout_minutes,
        )
    except accounts.Throttled as exc:
        error = _(
            "Zu viele fehlgeschlagene Anmeldungen. Bitte versuchen Sie es in %(minutes)s Minuten erneut.",
            minutes=exc.minutes,
        )
        return render(
            request, "login.html", {"next": next_url, "username": username, "error": error}, 429
        )
    if user is None:
        error = _("Benutzername oder Passwort ist falsch.")
        return render(
            request, "login.html", {"next": next_url, "username": username, "error": error}, 400
        )
    # A fresh session on login: nothing from before survives (no fixation).
    request.session.clear()
    sid = await run_in_threadpool(
        accounts.start_session, request.app.state.instance.db, user, web.session_max_age
    )
    request.session.update({"sid": sid, "csrf": secrets.token_urlsafe(32)})
    return RedirectResponse(next_url, status_code=303)


def logout(request: Request) -> Response:
    sid = request.session.get("sid")
    if isinstance(sid, str):
        accounts.end_session(request.app.state.instance.db, sid)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


def healthz(request: Request) -> Response:
    instance = request.app.state.instance
    reachable = instance.db.ping()
    components: dict[str, dict[str, str | None]] = {}
    schema = "unknown"
    if reachable:
        states = [migrate.state(instance.db, c) for c in instance.components()]
        components = {s.name: {"current": s.current, "head": s.head} for s in states}
        schema = "current" if all(s.up_to_date for s in states) else "outdated"
    ok = reachable and schema == "current"
    body = {
        "status": "ok" if ok else "degraded",
        "version": __version__,
        "database": {
            "dialect": instance.db.dialect,
            "reachable": reachable,
            "schema": schema,
            "components": components,
        },
    }
    return JSONResponse(body, status_code=200 if ok else 503)


def plugins_json(request: Request) -> Response:
    host = request.app.state.instance.plugins
    return JSONResponse(
        {"hook_api_version": HOOK_API_VERSION, "plugins": [r.as_dict() for r in host.listing()]}
    )


def accessibility(request: Request) -> Response:
    return render(request, "barrierefreiheit.html")


def openapi(request: Request) -> Response:
    return JSONResponse(request.app.state.openapi)


def routes() -> list[Page]:
    return [
        Page("/", home, name="home"),
        Page("/login", login, methods=("GET", "POST"), public=True, name="login"),
        Page("/logout", logout, methods=("POST",), name="logout"),
        Page("/healthz", healthz, public=True, name="healthz"),
        Page("/-/plugins", plugins_json, roles=("admin",), name="plugins"),
        Page("/barrierefreiheit", accessibility, public=True, name="accessibility"),
        Page("/api/openapi.json", openapi, public=True, name="openapi"),
    ]
