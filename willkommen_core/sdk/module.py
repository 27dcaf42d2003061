"""A toolkit module declared in one place, its plumbing hooks provided by convention.

The hook contract (:mod:`willkommen_core.hookspecs`) stays as it is; a module
written with the SDK still is a package whose attributes are hook
implementations. :meth:`Module.provide_hooks` adds, for every plumbing hook
the package does not implement itself, the implementation its folder implies:

========================  ==================================================
hook                      provided when
========================  ==================================================
``module_info``           always (from the arguments of :class:`Module`)
``settings_model``        ``settings=`` is given
``storage``               ``tables.py`` (with ``metadata``, optionally
                          ``seed(instance)``) and ``migrations/``
``web_routes``            ``web.py`` declares pages on :attr:`Module.pages`
``api_routes``            ``api.py`` declares endpoints on :attr:`Module.api`
``cli_group``             ``cli.py`` defines ``group``
``demo_content``          ``demo.py`` defines ``seed(instance)``
``templates_dir`` etc.    the folders ``templates/``, ``static/``, ``locale/``
========================  ==================================================

Everything else (cards, recommendations, summaries, demo content) the
package implements with ``@hookimpl`` as before.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, MutableMapping
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Generic

from pydantic import BaseModel
from typing_extensions import TypeVar  # PEP 696 default (pydantic requires typing_extensions)

from ..hookspecs import PROJECT, hookimpl
from ..types import ModuleInfo, PluginStorage
from .pages import ApiRouter, Router

if TYPE_CHECKING:
    import click

    from ..instance import Instance
    from ..types import AssessmentResult

SettingsT = TypeVar("SettingsT", bound=BaseModel, default=BaseModel)


class Module(Generic[SettingsT]):
    """One toolkit module: its name, what it tells the core, and its routers.

    ``package`` is the module's ``__name__``; the folder it lives in is found
    from it. ``name`` is the plugin name (the entry point's, and the settings
    section's).
    """

    def __init__(
        self,
        name: str,
        package: str,
        *,
        title: Any,
        summary: Any = "",
        cornerstones: tuple[str, ...] = (),
        nav_path: str | None = None,
        nav_roles: tuple[str, ...] | None = None,
        public_path: str | None = None,
        public_title: Any = None,
        settings: type[SettingsT] | None = None,
        hook_api: str = ">=1.0,<2",
        audit_events: dict[str, Any] | None = None,
    ) -> None:
        self.name = name
        self.package = package
        self.info = ModuleInfo(
            title=title,
            summary=summary,
            cornerstones=cornerstones,
            nav_path=nav_path,
            nav_roles=nav_roles,
            public_path=public_path,
            public_title=public_title,
            hook_api=hook_api,
            audit_events={
                f"{name}.{event}": label for event, label in (audit_events or {}).items()
            },
        )
        self.settings_class = settings
        self.pages = Router(name)
        """The module's pages, mounted under ``/<name>``; declare them with ``@module.pages.page``."""
        self.api = ApiRouter(name)
        """The module's JSON endpoints, mounted under ``/api/v1/<name>``; declare them
        with ``@module.api.endpoint``."""

    @property
    def folder(self) -> Path:
        file = sys.modules[self.package].__file__
        assert file is not None
        return Path(file).parent

    def _has(self, *parts: str) -> bool:
        return self.folder.joinpath(*parts).exists()

    def _submodule(self, name: str) -> Any:
        return importlib.import_module(f"{self.package}.{name}")

    def settings(self, instance: Instance) -> SettingsT:
        """This module's settings section of ``instance``, of the class given as ``settings=``."""
        section: SettingsT = instance.plugin_settings(self.name)
        return section

    def below_threshold(
        self, instance: Instance, results: AssessmentResult, cornerstone: str
    ) -> str | None:
        """For the ``recommendations`` hook: why to recommend something, when the
        self-assessment's mean of ``cornerstone`` lies below this module's setting
        ``recommend_below``; ``None`` when it does not (or there is no mean)."""
        from babel.numbers import format_decimal

        from ..domain import CORNERSTONES
        from ..i18n import current_language
        from ..i18n import gettext as _

        limit: float = getattr(self.settings(instance), "recommend_below")  # noqa: B009 -- a setting of this module's own class
        mean = results.means.get(cornerstone)
        if mean is None or mean >= limit:
            return None
        lang = current_language()
        title = next((str(c.title) for c in CORNERSTONES if c.id == cornerstone), cornerstone)
        return _(
            "Der Eckpunkt »%(title)s« erreicht im Selbstcheck %(mean)s (unter %(limit)s).",
            title=title,
            mean=format_decimal(mean, format="0.0", locale=lang),
            limit=format_decimal(limit, format="0.0", locale=lang),
        )

    # -- the hooks a folder implies -------------------------------------------------

    def default_hooks(self) -> dict[str, Callable[..., Any]]:
        """The plumbing hooks this module's folder implies, marked as implementations."""
        hooks: dict[str, Callable[..., Any]] = {"module_info": lambda: self.info}
        if self.settings_class is not None:
            hooks["settings_model"] = lambda: self.settings_class
        if self._has("tables.py") and self._has("migrations"):
            hooks["storage"] = lambda: PluginStorage(
                self._submodule("tables").metadata,
                self.folder / "migrations",
                getattr(self._submodule("tables"), "seed", None),
            )
        if self._has("web.py"):
            hooks["web_routes"] = self._routes("web", self.pages)
        if self._has("api.py"):
            hooks["api_routes"] = self._routes("api", self.api)
        if self._has("demo.py"):
            hooks["demo_content"] = lambda instance: self._submodule("demo").seed(instance)
        if self._has("cli.py"):
            hooks["cli_group"] = lambda: self._cli_group()
        for hook, folder in (
            ("templates_dir", "templates"),
            ("static_dir", "static"),
            ("locale_dir", "locale"),
        ):
            if self._has(folder):
                hooks[hook] = lambda folder=folder: self.folder / folder
        return {name: hookimpl(_named(fn, name)) for name, fn in hooks.items()}

    def _routes(self, submodule: str, router: Router | ApiRouter) -> Callable[[Any], list[Any]]:
        def routes(instance: Instance) -> list[Any]:
            self._submodule(submodule)  # its decorators fill the router
            return router.routes(instance)

        return routes

    def _cli_group(self) -> click.Group:
        group: click.Group = self._submodule("cli").group
        return group

    def provide_hooks(self, namespace: MutableMapping[str, Any], *sources: ModuleType) -> None:
        """Add to the package's ``namespace`` (its ``globals()``) the hook
        implementations of ``sources`` (e.g. its ``hooks`` module with cards and
        recommendations), then the implied plumbing hooks, except those it
        implements itself."""
        namespace.setdefault("module", self)
        for source in sources:
            for name in dir(source):
                value = getattr(source, name)
                if callable(value) and hasattr(value, f"{PROJECT}_impl"):
                    namespace.setdefault(name, value)
        for name, fn in self.default_hooks().items():
            namespace.setdefault(name, fn)


def _named(fn: Callable[..., Any], name: str) -> Callable[..., Any]:
    fn.__name__ = fn.__qualname__ = name
    return fn
