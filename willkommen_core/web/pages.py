"""The core's own pages: start page, health, plugins, accessibility statement.

Login, logout and the own password are in :mod:`.account`.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .. import __version__
from ..hookspecs import HOOK_API_VERSION
from ..storage import migrate
from .routing import Page
from .templating import render


def home(request: Request) -> Response:
    instance = request.app.state.instance
    cards = instance.plugins.call_list(
        "dashboard_cards", instance=instance, user=request.state.user
    )
    # The enabled modules by their own titles: the core names none of them.
    modules = [str(instance.plugins.info(name).title) for name in instance.plugins.active]
    return render(request, "home.html", {"cards": cards, "modules": modules})


def healthz(request: Request) -> Response:
    """The status for anyone; version, database and revisions for admins and API tokens."""
    instance = request.app.state.instance
    reachable = instance.db.ping()
    components: dict[str, dict[str, str | None]] = {}
    schema = "unknown"
    if reachable:
        states = [migrate.state(instance.db, c) for c in instance.components()]
        components = {s.name: {"current": s.current, "head": s.head} for s in states}
        schema = "current" if all(s.up_to_date for s in states) else "outdated"
    ok = reachable and schema == "current"
    status = 200 if ok else 503
    user = request.state.user
    if user is None or not (user.via_token or user.role == "admin"):
        return JSONResponse({"status": "ok" if ok else "degraded"}, status_code=status)
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
    return JSONResponse(body, status_code=status)


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
        Page("/healthz", healthz, public=True, name="healthz"),
        Page("/-/plugins", plugins_json, roles=("admin",), name="plugins"),
        Page("/barrierefreiheit", accessibility, public=True, name="accessibility"),
        Page("/api/openapi.json", openapi, public=True, name="openapi"),
    ]
