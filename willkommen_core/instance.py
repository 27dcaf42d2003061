"""An instance: one authority's folder with its settings, plugins and database."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from pathlib import Path
from types import ModuleType
from typing import Any

from pydantic import ValidationError

from .audit import AuditLog
from .errors import Problem, UserError
from .plugins import PluginHost
from .settings import CoreSettings, build_settings_class, load_settings, read_raw
from .storage import migrate
from .storage.db import Database


def shipped_content_dir() -> Path:
    """``modules/`` of the toolkit: the Magdeburg model as data, per module."""
    import willkommen_modules

    return Path(willkommen_modules.__file__).parent


def _plugins_section(instance_dir: Path, raw: dict[str, Any]) -> dict[str, Any]:
    # Environment overrides of [plugins] count too; fall back to the file
    # when the rest of the settings is still invalid (check reports that).
    try:
        settings = build_settings_class(instance_dir, {})()  # type: ignore[call-arg]
        return settings.plugins.model_dump()
    except ValidationError:
        section = raw.get("plugins", {})
        return section if isinstance(section, dict) else {}


class Instance:
    """Settings, plugins and database of one authority's instance.

    ``problems`` lists everything wrong found while opening; use
    :meth:`open` where the instance must be usable (serve, commands).
    """

    def __init__(
        self,
        root: Path | str,
        *,
        inspect_disabled: bool = False,
        extra_plugins: tuple[tuple[str, ModuleType], ...] = (),
    ) -> None:
        self.root = Path(root).resolve()
        raw, self.problems = read_raw(self.root)
        section = _plugins_section(self.root, raw) if not self.problems else {}
        enabled = section.get("enabled", [])
        self.plugins = PluginHost(
            self.root,
            enabled if isinstance(enabled, list) else [],
            strict=bool(section.get("strict", False)),
            inspect_disabled=inspect_disabled,
            extra=extra_plugins,
        )
        self.problems += self.plugins.problems
        self._settings: CoreSettings | None = None
        if not raw and self.problems:
            return
        settings, problems = load_settings(
            self.root, self.plugins.settings_models(), known_sections=set(self.plugins.records)
        )
        self._settings = settings
        self.problems += problems

    @classmethod
    def open(cls, root: Path | str, **kwargs: Any) -> Instance:
        """Open an instance, raising :class:`UserError` listing every problem."""
        inst = cls(root, **kwargs)
        if inst.problems:
            raise UserError(f"the instance at {inst.root} has problems:", inst.problems)
        return inst

    @property
    def settings(self) -> CoreSettings:
        if self._settings is None:
            raise UserError("settings are invalid", self.problems)
        return self._settings

    def plugin_settings(self, name: str) -> Any:
        return getattr(self.settings, name)

    @property
    def secret(self) -> str:
        """The instance's ``secret_key`` (``serve`` refuses to start without one)."""
        key = self.settings.secret_key
        if key is None:
            raise UserError("secret_key is not set: put WILLKOMMEN_SECRET_KEY into the .env")
        return key.get_secret_value()

    @property
    def slug(self) -> str:
        return self.settings.authority.slug

    @cached_property
    def db(self) -> Database:
        return Database(self.settings.resolved_database_url(self.root))

    @cached_property
    def audit(self) -> AuditLog:
        return AuditLog(
            self.db,
            retention_days=self.settings.audit.retention_days,
            events=self.plugins.audit_events(),
        )

    def components(self) -> list[migrate.Component]:
        comps = [migrate.core_component()]
        for name, st in self.plugins.storages().items():
            comps.append(migrate.Component(name, st.metadata, Path(st.migrations)))
        return comps

    def upgrade_storage(self, names: Iterable[str] | None = None) -> list[migrate.ComponentState]:
        """Migrate the core and every enabled plugin (or only ``names``) to their newest
        revision, then let each plugin seed its shipped content (``PluginStorage.seed``)."""
        wanted = None if names is None else set(names)
        components = [c for c in self.components() if wanted is None or c.name in wanted]
        states = migrate.upgrade(self.db, components)
        for name, st in self.plugins.storages().items():
            if st.seed is not None and (wanted is None or name in wanted):
                st.seed(self)
        return states

    def content_path(self, module: str, *parts: str) -> Path:
        """A content file: the instance's override in ``content/<module>/`` if present."""
        local = self.root.joinpath("content", module, *parts)
        return local if local.exists() else shipped_content_dir().joinpath(module, *parts)

    def content_problems(self) -> list[Problem]:
        """What the enabled plugins find wrong with their content (hook ``content_problems``)."""
        found = self.plugins.call_each("content_problems", instance=self).values()
        return [problem for problems in found for problem in problems]

    def check(
        self,
        *,
        database: bool = True,
        failed_plugins: bool = True,
        content_problems: list[Problem] | None = None,
    ) -> list[Problem]:
        """Every problem of settings, content and database state.

        Plugins that failed to load are listed too unless ``failed_plugins`` is
        false: they do not stop the instance (``serve`` only warns about them).
        ``content_problems``: those of :meth:`content_problems`, if already known.
        """
        problems = list(self.problems)
        if failed_plugins:
            problems += self.plugins.failures
        if self._settings is None:
            return problems
        if self._settings.secret_key is None:
            problems.append(
                Problem(
                    ".env",
                    "WILLKOMMEN_SECRET_KEY",
                    "secret_key is not set: put WILLKOMMEN_SECRET_KEY=<at least 32 random characters> "
                    "into the instance's .env or the environment",
                )
            )
        # Given by the caller when it knows them already (a rollout of identical content).
        problems += self.content_problems() if content_problems is None else content_problems
        problems += self.plugins.disclosure_problems()
        if database:
            if not self.db.ping():
                problems.append(
                    Problem("database", "database_url", f"cannot connect to {self.db.engine.url!r}")
                )
            else:
                problems.extend(migrate.outdated(self.db, self.components()))
        return problems
