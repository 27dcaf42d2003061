"""Pages of a module: declared with a decorator, run as plain synchronous handlers.

::

    @module.pages.page("/schritte/neu", methods=("GET", "POST"), roles=EDIT_ROLES)
    def new_step(page: PageRequest) -> Response:
        if page.method == "GET":
            return page.render("prozesse/step_form.html", {...})
        ...
        return page.redirect("index", notice="added")

The core checks access and CSRF (:class:`~willkommen_core.web.routing.Page`),
reads the form once, and runs the handler in the thread pool: a handler may
touch the database as it likes and never blocks the event loop. There is no
other way for a module page to run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar
from urllib.parse import quote, urlencode

import anyio.from_thread
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..i18n import AUDIENCES
from ..web.audit import record
from ..web.paths import in_app
from ..web.routing import MAX_FORM_FIELDS, MAX_FORM_PART, SAFE_METHODS, Page
from ..web.templating import render, url_path

if TYPE_CHECKING:
    from ..instance import Instance

Handler = Callable[["PageRequest"], Response]
Roles = Sequence[str] | Callable[[Any], Sequence[str]]
"""Roles a page is open to: fixed, or read from the module's settings (``lambda s: s.editor_roles``)."""
Condition = Callable[[Any], bool]
Languages = Sequence[str] | Callable[[Any], Sequence[str]]
"""Languages a page narrows its audience's to: fixed, or read from the module's settings."""
"""Whether a page exists for an instance, from the module's settings."""
T = TypeVar("T")


class PageRequest:
    """What a page handler gets: the request, its form, and the helpers for answering it."""

    def __init__(self, request: Request, form: FormData | None, router: Router) -> None:
        self.request = request
        self._form = form
        self._router = router

    # -- who, where, what --------------------------------------------------------------

    @property
    def method(self) -> str:
        return self.request.method

    @property
    def user(self) -> Any:
        return self.request.state.user

    @property
    def instance(self) -> Any:
        return self.request.app.state.instance

    @property
    def db(self) -> Any:
        return self.instance.db

    @property
    def settings(self) -> Any:
        """The settings section of the module this page belongs to."""
        return self.instance.plugin_settings(self._router.module)

    def param(self, name: str) -> Any:
        """A path parameter (converted by its route: ``{id:int}`` gives an int)."""
        return self.request.path_params[name]

    def query(self, name: str, default: str = "") -> str:
        return self.request.query_params.get(name, default)

    def value(self, name: str, default: str = "", *, limit: int = 10_000) -> str:
        """A form field as text, stripped and cut to ``limit`` characters ("" if absent)."""
        raw = self.form.get(name, default)
        return (raw if isinstance(raw, str) else default).strip()[:limit]

    def values(self, name: str) -> list[str]:
        """Every value of a repeated form field (checkboxes), stripped."""
        return [v.strip() for v in self.form.getlist(name) if isinstance(v, str)]

    @property
    def form(self) -> FormData:
        """The submitted form (empty for GET)."""
        return self._form if self._form is not None else FormData()

    # -- answers -------------------------------------------------------------------------

    def render(
        self, template: str, context: dict[str, Any] | None = None, status: int = 200
    ) -> Response:
        """``template`` in the layout (see :func:`willkommen_core.web.templating.render`);
        in it, ``url(name, **params)`` gives the path of this module's page ``name``
        (or of any route named ``"other:page"``), ``static(file)`` that of a file
        in this module's ``static/`` folder."""
        helpers = {"url": self.url, "static": self.static}
        return render(self.request, template, {**helpers, **(context or {})}, status)

    def url(self, name: str, /, **params: Any) -> str:
        """The path of this module's page ``name``, or of the route ``"other:name"``,
        with the prefix the app is served under."""
        full = name if ":" in name else f"{self._router.module}:{name}"
        return url_path(self.request, full, **params)

    def static(self, file: str) -> str:
        """The path of ``file`` in this module's ``static/`` folder."""
        return url_path(self.request, f"static-{self._router.module}", path=file)

    def redirect(
        self, target: str, /, *, notice: str | None = None, fragment: str = "", **params: Any
    ) -> RedirectResponse:
        """303 to this module's page ``target`` (a route name) or to a path of the app
        starting with ``/`` (given the app's prefix if it lacks it); ``notice`` becomes
        ``?ok=...`` for the page to say what was done."""
        path = (
            in_app(self.request, target) if target.startswith("/") else self.url(target, **params)
        )
        if notice:
            path += "?" + urlencode({"ok": notice})
        if fragment:
            path += "#" + quote(fragment)
        return RedirectResponse(path, status_code=303)

    def not_found(self, message: str | None = None) -> NoReturn:
        """End the request with the 404 page (``message`` says what is missing)."""
        raise HTTPException(404, message)

    def download(self, body: str | bytes, filename: str, media_type: str) -> Response:
        """A file to save: ``Content-Disposition: attachment``, never cached."""
        ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_")
        disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
        return Response(
            body,
            media_type=media_type,
            headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
        )

    def content(self, *parts: str) -> Any:
        """A content file of this module: the instance's override if present."""
        return self.instance.content_path(self._router.module, *parts)

    def run_async(self, function: Callable[..., Coroutine[Any, Any, T]], *args: Any) -> T:
        """Run an async ``function`` (e.g. a group commit, which belongs to the event
        loop) from this handler's thread and wait for its result."""
        return anyio.from_thread.run(function, *args)

    def audit(self, event: str, target: str = "", **details: str | int | bool | None) -> None:
        """Record ``event`` in the audit log as done by this page's user."""
        record(self.request, event, target, **details)


@dataclass(frozen=True)
class _Declared:
    path: str
    handler: Handler
    methods: tuple[str, ...]
    roles: Roles | None
    public: bool
    exclusive: bool
    name: str
    when: Condition | None
    audience: str = "staff"
    languages: Languages | None = None


def _settings_of(module: str, instance: Instance | None) -> Any:
    """The module's settings section of ``instance`` (``None``: no instance, or a
    module without settings, such as the core's action plan)."""
    return getattr(instance.settings, module, None) if instance is not None else None


def _roles(roles: Roles | None, settings: Any) -> tuple[str, ...] | None:
    if roles is None:
        return None
    return tuple(roles(settings) if callable(roles) else roles)


def _languages(languages: Languages | None, settings: Any) -> tuple[str, ...] | None:
    if callable(languages):
        return None if settings is None else tuple(languages(settings))
    return None if languages is None else tuple(languages)


class Router:
    """The pages of one module, declared with :meth:`page`."""

    def __init__(self, module: str) -> None:
        self.module = module
        self._declared: list[_Declared] = []

    def page(
        self,
        path: str,
        *,
        methods: Sequence[str] = ("GET",),
        roles: Roles | None = None,
        public: bool = False,
        exclusive: bool = False,
        name: str | None = None,
        when: Condition | None = None,
        audience: str = "staff",
        languages: Languages | None = None,
    ) -> Callable[[Handler], Handler]:
        """Declare the decorated function the page at ``path`` (below the module's
        prefix) for ``methods``, open to ``roles`` (or to anyone with ``public``).

        ``roles`` may be a function of the module's settings (an instance decides
        who edits); ``when`` one that says whether the page exists at all (a
        public page an instance can switch off is then neither routed nor linked).

        ``audience`` says who the page is for: ``"customers"`` or
        ``"participants"`` (offered in every language of the instance, so every
        text on it must be translated into them), or ``"staff"`` (offered only in
        languages whose catalogues are complete); ``languages`` (a list, or a
        function of the module's settings) narrows them for this page."""
        if not public and roles is None:
            raise ValueError(f"page {path!r}: name its roles, or declare it public")
        if audience not in AUDIENCES:
            raise ValueError(f"page {path!r}: audience must be one of {', '.join(AUDIENCES)}")

        def declare(handler: Handler) -> Handler:
            if asyncio.iscoroutinefunction(handler):
                raise TypeError(
                    f"page {handler.__name__}: write a plain function; the core runs it "
                    "in the thread pool"
                )
            self._declared.append(
                _Declared(
                    path,
                    handler,
                    tuple(methods),
                    roles if roles is None or callable(roles) else tuple(roles),
                    public,
                    exclusive,
                    name or handler.__name__,
                    when,
                    audience,
                    languages if languages is None or callable(languages) else tuple(languages),
                )
            )
            return handler

        return declare

    def routes(self, instance: Instance | None = None) -> list[Page]:
        """The pages as ``instance`` configures them (its settings decide roles and
        conditions; without an instance, the settings' defaults do not apply: every
        page with a fixed role list)."""
        settings = _settings_of(self.module, instance)
        return [
            Page(
                d.path,
                self._endpoint(d.handler),
                methods=d.methods,
                roles=_roles(d.roles, settings),
                public=d.public,
                exclusive=d.exclusive,
                name=d.name,
                audience=d.audience,
                languages=_languages(d.languages, settings),
            )
            for d in self._declared
            if d.when is None or d.when(settings)
        ]

    def _endpoint(self, handler: Handler) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            form = None
            if request.method not in SAFE_METHODS:
                # Read once, here (the CSRF check read it already: Starlette keeps it).
                form = await request.form(max_fields=MAX_FORM_FIELDS, max_part_size=MAX_FORM_PART)
            return await run_in_threadpool(handler, PageRequest(request, form, self))

        endpoint.__name__ = handler.__name__
        endpoint.__doc__ = handler.__doc__
        return endpoint


class ApiRouter:
    """The JSON endpoints of one module, declared with :meth:`endpoint`."""

    def __init__(self, module: str) -> None:
        self.module = module
        self._declared: list[tuple[str, Callable[..., Any], dict[str, Any]]] = []

    def endpoint(
        self, path: str, **options: Any
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Declare the decorated function the endpoint at ``path`` (below
        ``/api/v1/<module>``); ``options`` are those of
        :class:`~willkommen_core.web.api.ApiRoute` (methods, roles, summary,
        request_model, response_model, status_code, query), plus ``when``;
        ``roles`` and ``when`` may be functions of the settings as for pages."""

        def declare(handler: Callable[..., Any]) -> Callable[..., Any]:
            self._declared.append((path, handler, options))
            return handler

        return declare

    def routes(self, instance: Instance | None = None) -> list[Any]:
        """The endpoints as ``instance`` configures them (``roles`` and ``when`` as
        for pages)."""
        from ..web.api import ApiRoute

        settings = _settings_of(self.module, instance)
        found = []
        for path, handler, options in self._declared:
            options = dict(options)
            when = options.pop("when", None)
            if when is not None and not when(settings):
                continue
            options["roles"] = _roles(options.get("roles"), settings)
            found.append(ApiRoute(path, handler, **options))
        return found
