"""The hook contract between the Willkommen core and its plugins.

Every toolkit module (``selbstcheck``, ``prozesse``, ``leitsystem``,
``fortbildung``, ``partner``) and every third-party or local plugin talks to
the core only through these hooks. The contract is versioned by
:data:`HOOK_API_VERSION`: hooks and arguments are only ever *added* within a
major version (an implementation may accept fewer arguments than the spec
names), never renamed or removed. ``docs/hooks.md`` documents each hook;
``tests/test_hookspecs.py`` fails when one is missing there.

Hooks marked *per plugin* are called for one plugin at a time by the core
(the result belongs to that plugin: its settings section, its URL prefix
``/<name>/``, its CLI group). All other hooks are called for every enabled
plugin at once and their results are combined.

Arguments:

``instance``
    The running :class:`willkommen_core.instance.Instance`: settings,
    database, content lookup, the facade over the enabled plugins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from pathlib import Path

    import click
    from pydantic import BaseModel
    from starlette.routing import BaseRoute

    from .accounts import User
    from .errors import Problem
    from .instance import Instance
    from .types import (
        AssessmentItem,
        AssessmentResult,
        Card,
        CustomerLink,
        CustomerService,
        ModuleInfo,
        NetworkContact,
        PluginStorage,
        Recommendation,
        StateFigures,
    )

HOOK_API_VERSION = "1.2"
"""Major.minor of this contract. A plugin declares the range it supports in
:class:`willkommen_core.types.ModuleInfo.hook_api`; a plugin whose range does
not include this version is marked failed, not loaded."""

PROJECT = "willkommen"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec(firstresult=True)
def module_info() -> ModuleInfo:  # type: ignore[empty-body]
    """*Per plugin.* Describe the module.

    Called once when the plugin is loaded. Return a
    :class:`~willkommen_core.types.ModuleInfo` with the human title
    (translatable), a one-line summary, the cornerstones (Eckpunkte) the
    module serves, its navigation entry and the hook API range it supports.

    Example::

        @hookimpl
        def module_info():
            return ModuleInfo(title=_l("Partnerliste"), summary=...,
                              cornerstones=("zusammenarbeit",), nav_path="/partner/")
    """


@hookspec(firstresult=True)
def settings_model() -> type[BaseModel]:  # type: ignore[empty-body]
    """*Per plugin.* The pydantic model of the plugin's settings section.

    The section ``[<name>]`` of ``willkommen.toml`` (and environment variables
    ``WILLKOMMEN_<NAME>__<KEY>``) is validated against it when the instance
    starts; ``willkommen check`` reports every error with file and key.
    Every field needs a default, so an instance without the section works.

    Example::

        class PartnerSettings(BaseModel):
            public_page: bool = True

        @hookimpl
        def settings_model():
            return PartnerSettings
    """


@hookspec(firstresult=True)
def storage() -> PluginStorage:  # type: ignore[empty-body]
    """*Per plugin.* The plugin's tables and migrations.

    Return a :class:`~willkommen_core.types.PluginStorage`: the SQLAlchemy
    ``MetaData`` holding only this plugin's tables (names prefixed with the
    plugin name) and the folder of its Alembic revisions. Each plugin has its
    own migration history (version table ``alembic_version_<name>``), so a
    disabled plugin's tables are neither created nor touched.
    """


@hookspec
def web_routes(instance: Instance) -> list[BaseRoute]:  # type: ignore[empty-body]
    """*Per plugin.* Pages of the module, mounted under ``/<name>/``.

    Return a list of :class:`willkommen_core.web.routing.Page` routes; each
    declares who may use it (``public=True`` or ``roles=(...)``), which the
    core enforces, together with CSRF protection of state-changing requests.

    Example::

        @hookimpl
        def web_routes(instance):
            return [Page("/", index, roles=("leitung", "redaktion"))]
    """


@hookspec
def api_routes(instance: Instance) -> list[BaseRoute]:  # type: ignore[empty-body]
    """*Per plugin.* JSON endpoints mounted under ``/api/v1/<name>/``.

    Return a list of :class:`willkommen_core.web.api.ApiRoute`; their request
    and response models appear in ``/api/openapi.json``. Authentication is
    by bearer token (``willkommen token create``) or session.
    """


@hookspec(firstresult=True)
def templates_dir() -> Path:  # type: ignore[empty-body]
    """*Per plugin.* Folder with a sub-folder ``<name>/`` of Jinja2 templates.

    Templates extend ``"layout.html"`` and are rendered as ``"<name>/<file>"``.
    An instance may override any template by placing a file of the same path
    in its own ``templates/`` folder.
    """


@hookspec(firstresult=True)
def static_dir() -> Path:  # type: ignore[empty-body]
    """*Per plugin.* Folder of static files, served under ``/static/<name>/``."""


@hookspec(firstresult=True)
def locale_dir() -> Path:  # type: ignore[empty-body]
    """*Per plugin.* Folder of gettext catalogues ``<lang>/LC_MESSAGES/*.po``.

    Merged into the core catalogues, so templates and code of the plugin
    translate with the same ``_()``.
    """


@hookspec(firstresult=True)
def cli_group() -> click.Group:  # type: ignore[empty-body]
    """*Per plugin.* A ``click.Group`` with the module's commands.

    The core registers it as ``willkommen <name> ...``; its commands receive
    the instance through ``click.pass_obj`` (an
    :class:`~willkommen_core.cli.CliContext`).
    """


@hookspec
def dashboard_cards(instance: Instance, user: User) -> list[Card]:  # type: ignore[empty-body]
    """What the module shows on the instance's start page.

    Called on every render of ``/`` for a logged-in user. Return a list of
    :class:`~willkommen_core.types.Card` (or an empty list, e.g. when the user's
    role has nothing to see in the module).
    """


@hookspec
def selfassessment_items(instance: Instance) -> list[AssessmentItem]:  # type: ignore[empty-body]
    """Contribute questions to the self-assessment (Selbstcheck).

    Return a list of :class:`~willkommen_core.types.AssessmentItem`; each names
    the cornerstone it belongs to. Called when a questionnaire version is
    assembled; a disabled plugin contributes nothing.
    """


@hookspec
def recommendations(instance: Instance, results: AssessmentResult) -> list[Recommendation]:  # type: ignore[empty-body]
    """Propose measures from a self-assessment result.

    ``results`` is a :class:`~willkommen_core.types.AssessmentResult` (mean per
    cornerstone, suppressed groups left out). Return a list of
    :class:`~willkommen_core.types.Recommendation`, each saying why it was
    proposed. Example: a weak ``kompetenzen`` score points at the training
    catalogue.
    """


@hookspec
def state_summary(instance: Instance) -> dict[str, Any] | None:
    """The module's anonymous contribution to the ministry's state report.

    Return a JSON-serialisable ``dict`` (or ``None``) holding only aggregates
    that identify no person. Collected under the plugin's name.
    """


@hookspec
def content_problems(instance: Instance) -> list[Problem]:  # type: ignore[empty-body]
    """Validate the module's content (shipped and local overrides).

    Called by ``willkommen check`` and before ``serve``. Return a list of
    :class:`~willkommen_core.errors.Problem` naming file, key and reason.
    """


@hookspec
def demo_content(instance: Instance) -> None:
    """Seed plausible demo content for the Magdeburg demo instance.

    Called by ``willkommen demo`` after migrations on an empty database; must
    be idempotent (do nothing when content is already there).
    """


@hookspec(firstresult=True)
def network_directory(
    instance: Instance, language: str | None, public_only: bool
) -> list[NetworkContact] | None:
    """The authority's network partners (counselling services, associations,
    other offices) for other modules to show or link: training providers, the
    signs' "help nearby" pages.

    ``language``: only partners advising in this language code (``None``:
    all); ``public_only``: only those marked for customers. Return a list of
    :class:`~willkommen_core.types.NetworkContact`; a module that keeps no
    directory does not implement it (the caller gets ``None``). Added in
    hook API 1.1.
    """


@hookspec(firstresult=True)
def read_state_summary(section: Any) -> StateFigures:  # type: ignore[empty-body]
    """Read this module's section of an authority's signed summary for the state report.

    ``section`` is what the module's ``state_summary`` wrote (in any version
    the module still reads), as found in the file. Return
    :class:`~willkommen_core.types.StateFigures`; raise ``ValueError`` naming
    what is wrong (unknown ``schema_version``, a malformed field): the file is
    then rejected with that reason. Called by ``willkommen land report`` with
    every installed module loaded, for the section under the module's name.
    Added in hook API 1.1; ``StateFigures.tables`` in 1.2.
    """


@hookspec
def customer_links(instance: Instance, language: str) -> list[CustomerLink]:  # type: ignore[empty-body]
    """Pages the module offers to customers for other modules to point at: a short
    survey, a booking page. The signs print them as QR codes, the first-information
    and start pages link them; a module never imports another to learn of them.

    ``language``: the language of the sign or page; give ``title`` in it where you
    can and say which language it is in. Return a list of
    :class:`~willkommen_core.types.CustomerLink`. Added in hook API 1.2.
    """


@hookspec
def customer_services(instance: Instance, language: str) -> list[CustomerService]:  # type: ignore[empty-body]
    """The services the authority offers its customers (residence permits,
    naturalisation, the cash desk), for other modules to ask about: a customer survey
    asks which one a visit was for. Implemented by the module that keeps them (the
    signage's service list); a module never imports another to learn of them.

    ``language``: give ``title`` in it where you can and say which language it is.
    Return a list of :class:`~willkommen_core.types.CustomerService` in the order
    customers should see them. Added in hook API 1.2.
    """
