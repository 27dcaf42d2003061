"""The core's own pages: start page (the customers' front door, the staff's
dashboard once logged in), health, plugins, accessibility statement.

Login, logout and the own password are in :mod:`.account`.
"""

from __future__ import annotations

from babel.dates import format_date
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .. import __version__
from ..hookspecs import HOOK_API_VERSION
from ..storage import migrate
from . import opening_hours
from .languages import settle_language
from .middleware import PLAIN_LANGUAGE
from .routing import Page
from .templating import render


def home(request: Request) -> Response:
    """``/``: staff see their dashboard, everyone else the public start page."""
    if request.state.user is None:
        return front_door(request)
    return dashboard(request)


def dashboard(request: Request) -> Response:
    # The same address as the front door, but for staff: their languages only.
    settle_language(request, "staff", None)
    instance = request.app.state.instance
    cards = instance.plugins.call_list(
        "dashboard_cards", instance=instance, user=request.state.user
    )
    # The enabled modules by their own titles: the core names none of them.
    modules = [str(instance.plugins.info(name).title) for name in instance.plugins.active]
    return render(request, "home.html", {"cards": cards, "modules": modules})


def front_door(request: Request) -> Response:
    """The customers' start page: who we are, where and when, what is offered, in
    which languages; Leichte Sprache and sign language as BITV 2.0 § 4 asks."""
    instance = request.app.state.instance
    settings = instance.settings
    choice = request.state.language_choice
    lang = request.state.lang
    # Modules' customer pages: their public page, and the pages they offer others to link.
    offers = [
        {"title": e.title, "href": e.href, "lang": None}
        for e in request.app.state.public_navigation
    ]
    for link in instance.plugins.call_list("customer_links", instance=instance, language=lang):
        if "pages" in link.places and all(o["href"] != link.path for o in offers):
            offers.append(
                {
                    "title": link.title,
                    "href": link.path,
                    "lang": link.language if link.language != lang else None,
                }
            )
    sites = [
        {"site": site, "hours": opening_hours.rows(site.opening_hours, choice)}
        for site in settings.authority.sites
    ]
    return render(
        request,
        "front.html",
        {
            "offers": offers,
            "sites": sites,
            "plain": choice == PLAIN_LANGUAGE,
            "plain_url": f"{request.url.path}?lang={PLAIN_LANGUAGE}",
            "video_url": settings.web.sign_language_video_url,
        },
    )


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
    settings = request.app.state.instance.settings
    statement = settings.accessibility
    locale = request.state.lang
    return render(
        request,
        "barrierefreiheit.html",
        {
            "statement": statement,
            "prepared": format_date(statement.prepared, "long", locale=locale),
            "reviewed": format_date(statement.reviewed, "long", locale=locale),
            "contact": settings.web.accessibility_contact or settings.authority.contact_email,
        },
    )


def openapi(request: Request) -> Response:
    return JSONResponse(request.app.state.openapi)


def routes() -> list[Page]:
    return [
        Page("/", home, public=True, name="home", audience="customers"),
        Page("/healthz", healthz, public=True, name="healthz"),
        Page("/-/plugins", plugins_json, roles=("admin",), name="plugins"),
        Page(
            "/barrierefreiheit",
            accessibility,
            public=True,
            name="accessibility",
            audience="customers",
        ),
        Page("/api/openapi.json", openapi, public=True, name="openapi"),
    ]
