"""Jinja2 environment and the ``render`` helper every page uses.

Template lookup order: the instance's own ``templates/`` (local overrides),
the enabled plugins' folders (each holding ``<name>/...``), the core's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse

from .. import __version__, i18n
from .middleware import PLAIN_LANGUAGE
from .paths import in_app, is_app_path
from .routing import csrf_token

CORE_TEMPLATES = Path(__file__).parent / "templates"


def make_environment(instance_templates: Path, plugin_dirs: list[Path]) -> jinja2.Environment:
    loader = jinja2.FileSystemLoader(
        [str(instance_templates), *map(str, plugin_dirs), str(CORE_TEMPLATES)]
    )
    env = jinja2.Environment(
        loader=loader,
        autoescape=jinja2.select_autoescape(default=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals["version"] = __version__
    # Text known to be in another language (staff's German data, a missing
    # translation): ``{{ round.title|in_language("de") }}`` gets its own lang and dir.
    env.filters["in_language"] = i18n.in_language
    return env


def _language_links(request: Request, languages: list[str]) -> list[dict[str, Any]]:
    """The one language selector: the offered languages and, for customers (not
    logged in), Leichte Sprache; ``lang`` is the link text's own language."""
    choice = getattr(request.state, "language_choice", None)
    audience = getattr(request.state, "audience", None)
    plain = audience == "customers" or (audience is None and request.state.user is None)
    codes = [*languages, *([PLAIN_LANGUAGE] if plain else [])]
    links = []
    for code in codes:
        plain = code == PLAIN_LANGUAGE
        query = dict(request.query_params)
        query["lang"] = code
        links.append(
            {
                "code": code,
                "lang": i18n.SOURCE_LANGUAGE if plain else code,
                "name": "Leichte Sprache" if plain else i18n.native_name(code),
                "dir": "ltr" if plain else i18n.text_direction(code),
                "url": f"{request.url.path}?{urlencode(query)}",
                "current": code == choice,
            }
        )
    return links


def url_path(request: Request, name: str, /, **params: Any) -> str:
    """The path of the route ``name`` (``"module:page"`` for a module's page,
    ``"static-<module>"`` with ``path=`` for its files), with the prefix the
    app is served under."""
    return request.url_for(name, **params).path


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    """Render ``template`` in the layout with the request's user, language and navigation."""
    state = request.app.state
    lang = i18n.current_language()
    ctx: dict[str, Any] = {
        "request": request,
        "user": request.state.user,
        "authority": state.instance.settings.authority,
        "nav": state.navigation(request.state.user),
        "public_nav": state.public_navigation,
        "lang": lang,
        "dir": i18n.text_direction(lang),
        # Only what this page's audience is offered (see .languages).
        "languages": _language_links(
            request,
            getattr(request.state, "offered_languages", state.instance.settings.languages),
        ),
        "csrf_token": lambda: csrf_token(request),
        "path": request.url.path,
        # app_url: any route of the app by name; url: the same here, a module's own
        # page by its short name where a module renders (see sdk.PageRequest.render).
        "app_url": lambda name, **params: url_path(request, name, **params),
        "url": lambda name, **params: url_path(request, name, **params),
        # Paths that hooks give without a request (navigation, cards, recommendations).
        "app_link": lambda href: in_app(request, href) if is_app_path(href) else href,
    }
    if context:
        ctx.update(context)
    marking = i18n.marking()
    try:
        html = i18n.mark_parts(state.templates.get_template(template).render(ctx))
    finally:
        i18n.unmark(marking)
    return HTMLResponse(html, status_code=status_code)
