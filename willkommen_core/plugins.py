"""The plugin host: finds, loads, validates and calls the plugins of an instance.

Sources, in rising precedence (a later one with the same name overrides an
earlier one): built-in modules of this distribution and third-party
distributions (entry point group ``willkommen``), then local plugins in the
instance's ``plugins/`` folder. Only plugins listed in ``[plugins] enabled``
are imported and registered; a disabled plugin leaves no trace.

A plugin that fails to import, declares an unsupported hook API or
implements an unknown hook is marked *failed* with its error, unless
``[plugins] strict = true`` makes that fatal. Core code calls plugins only
through :class:`PluginHost`, never ``pm.hook.*``.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import sys
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

import pluggy
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from . import hookspecs
from .errors import Problem, UserError
from .types import ModuleInfo

Source = Literal["builtin", "entrypoint", "local"]
Status = Literal["enabled", "disabled", "failed"]
log = logging.getLogger("willkommen.plugins")
OWN_DISTRIBUTION = "willkommen"
LOCAL_PLUGIN_DIR = "plugins"
ALWAYS_ENABLED = {"plan": "willkommen_core.plan"}
"""Built-in plugins of the core itself: loaded like the others, never switched off."""


@dataclass
class PluginRecord:
    """What the host knows of one plugin, as ``willkommen plugins list`` shows it."""

    name: str
    source: Source
    origin: str
    version: str
    status: Status = "disabled"
    error: str | None = None
    hooks: list[str] = field(default_factory=list)
    overrides: str | None = None
    module: ModuleType | None = field(default=None, repr=False)
    info: ModuleInfo | None = field(default=None, repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "source": self.source,
            "origin": self.origin,
            "status": self.status,
            "error": self.error,
            "hooks": self.hooks,
            "overrides": self.overrides,
            "title": str(self.info.title) if self.info else None,
        }


@dataclass
class _Candidate:
    name: str
    source: Source
    origin: str
    version: str
    load: Callable[[], ModuleType]


_discovered: dict[tuple[str, ...], list[_Candidate]] = {}


def _entry_point_candidates() -> list[_Candidate]:
    """Installed plugins, read once per import path.

    Scanning every installed distribution costs milliseconds; a rollout opens
    hundreds of instances. Keyed by ``sys.path`` so a distribution that becomes
    importable later (as in the tests) is still found.
    """
    key = tuple(sys.path)
    if key not in _discovered:
        _discovered[key] = _discover_entry_points()
    return list(_discovered[key])


def _discover_entry_points() -> list[_Candidate]:
    found = []
    for ep in entry_points(group=hookspecs.PROJECT):
        dist = ep.dist
        dist_name = dist.name if dist else "?"
        source: Source = "builtin" if dist_name == OWN_DISTRIBUTION else "entrypoint"
        found.append(
            _Candidate(
                ep.name,
                source,
                f"{dist_name}:{ep.value}",
                dist.version if dist else "?",
                _ep_loader(ep),
            )
        )
    # Built-ins first, so third-party distributions override them by name.
    return sorted(found, key=lambda c: c.source != "builtin")


def _core_candidates() -> list[_Candidate]:
    from . import __version__

    return [
        _Candidate(name, "builtin", f"{OWN_DISTRIBUTION}:{module}", __version__, _importer(module))
        for name, module in ALWAYS_ENABLED.items()
    ]


def installed_names() -> list[str]:
    """Every plugin installed in this environment (not an instance's local ones)."""
    return list(dict.fromkeys(c.name for c in [*_core_candidates(), *_entry_point_candidates()]))


def _importer(module: str) -> Callable[[], ModuleType]:
    return lambda: importlib.import_module(module)


def _given(module: ModuleType) -> Callable[[], ModuleType]:
    return lambda: module


def _ep_loader(ep: EntryPoint) -> Callable[[], ModuleType]:
    return lambda: ep.load()


def _local_candidates(instance_dir: Path) -> list[_Candidate]:
    folder = instance_dir / LOCAL_PLUGIN_DIR
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(("_", ".")):
            continue
        if path.suffix == ".py":
            name, file = path.stem, path
        elif path.is_dir() and (path / "__init__.py").is_file():
            name, file = path.name, path / "__init__.py"
        else:
            continue
        found.append(
            _Candidate(name, "local", str(path), "local", _file_loader(instance_dir, name, file))
        )
    return found


def _file_loader(instance_dir: Path, name: str, file: Path) -> Callable[[], ModuleType]:
    def load() -> ModuleType:
        # Unique per instance: several instances may share one process.
        modname = f"willkommen_local_{abs(hash(str(instance_dir.resolve())))}_{name}"
        spec = importlib.util.spec_from_file_location(
            modname,
            file,
            submodule_search_locations=[str(file.parent)] if file.name == "__init__.py" else None,
        )
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {file}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[modname] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            sys.modules.pop(modname, None)
            raise
        return module

    return load


def _short_error(exc: BaseException) -> str:
    frame = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    where = f" ({Path(frame[0].filename).name}:{frame[0].lineno})" if frame else ""
    return f"{type(exc).__name__}: {exc}{where}"


def _hook_names(module: ModuleType) -> list[str]:
    names = []
    for attr in dir(module):
        obj = getattr(module, attr, None)
        if callable(obj) and hasattr(obj, f"{hookspecs.PROJECT}_impl"):
            names.append(attr)
    return sorted(names)


class PluginHost:
    """The plugins of one instance. One per app: there is no global state."""

    def __init__(
        self,
        instance_dir: Path,
        enabled: Iterable[str],
        *,
        strict: bool = False,
        inspect_disabled: bool = False,
        extra: Iterable[tuple[str, ModuleType]] = (),
    ) -> None:
        self.instance_dir = instance_dir
        self.enabled_requested = list(dict.fromkeys([*ALWAYS_ENABLED, *enabled]))
        self.strict = strict
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.records: dict[str, PluginRecord] = {}
        self.problems: list[Problem] = []
        # Plugins that failed to load: reported by check, not fatal (unless strict).
        self.failures: list[Problem] = []
        candidates: dict[str, _Candidate] = {}
        overridden: dict[str, str] = {}
        for cand in [
            *_core_candidates(),
            *_entry_point_candidates(),
            *_local_candidates(instance_dir),
        ]:
            if cand.name in candidates:
                overridden[cand.name] = candidates[cand.name].origin
            candidates[cand.name] = cand
        for name, module in extra:  # plugins handed in by tests or embedding code
            candidates[name] = _Candidate(name, "local", module.__name__, "test", _given(module))
        for name, cand in candidates.items():
            self.records[name] = PluginRecord(
                name, cand.source, cand.origin, cand.version, overrides=overridden.get(name)
            )
        for name in self.enabled_requested:
            if name not in candidates:
                known = ", ".join(sorted(candidates)) or "none"
                self.problems.append(
                    Problem(
                        "willkommen.toml",
                        "plugins.enabled",
                        f"unknown plugin {name!r} (known: {known})",
                    )
                )
                continue
            self._load(candidates[name], register=True)
        if inspect_disabled:
            for name, cand in candidates.items():
                if name not in self.enabled_requested:
                    self._load(cand, register=False)

    def _load(self, cand: _Candidate, *, register: bool) -> None:
        rec = self.records[cand.name]
        try:
            module = cand.load()
            rec.module = module
            rec.hooks = _hook_names(module)
            info = self._module_info(module)
            rec.info = info
            self._check_api(info)
            if register:
                self.pm.register(module, name=cand.name)
                try:
                    self.pm.check_pending()
                except pluggy.PluginValidationError:
                    self.pm.unregister(name=cand.name)
                    raise
                rec.status = "enabled"
        except Exception as exc:  # a broken plugin must not take the instance down
            rec.status = "failed" if register else "disabled"
            rec.error = _short_error(exc)
            if register:
                msg = f"plugin {cand.name!r} failed to load: {rec.error}"
                if self.strict:
                    raise UserError(msg + " (plugins.strict = true)") from exc
                self.failures.append(Problem("willkommen.toml", "plugins.enabled", msg))

    @staticmethod
    def _module_info(module: ModuleType) -> ModuleInfo:
        fn = getattr(module, "module_info", None)
        if fn is None:
            raise TypeError("plugin implements no module_info hook")
        info = fn()
        if not isinstance(info, ModuleInfo):
            raise TypeError("module_info must return a ModuleInfo")
        return info

    @staticmethod
    def _check_api(info: ModuleInfo) -> None:
        try:
            spec = SpecifierSet(info.hook_api)
        except InvalidSpecifier as exc:
            raise ValueError(f"invalid hook_api range {info.hook_api!r}") from exc
        if Version(hookspecs.HOOK_API_VERSION) not in spec:
            raise ValueError(
                f"supports hook API {info.hook_api}, this toolkit has {hookspecs.HOOK_API_VERSION}"
            )

    # -- queries ------------------------------------------------------------------

    @property
    def active(self) -> list[str]:
        """Names of every loaded plugin, the core's own first, then in the configured order."""
        return [
            n
            for n in self.enabled_requested
            if n in self.records and self.records[n].status == "enabled"
        ]

    @property
    def enabled(self) -> list[str]:
        """Names of the loaded plugins the instance enabled (``[plugins] enabled``), in order;
        not the core's own (:data:`ALWAYS_ENABLED`)."""
        return [n for n in self.active if n not in ALWAYS_ENABLED]

    def audit_events(self) -> dict[str, Any]:
        """The audit events the active modules declare, each under its module's name."""
        events: dict[str, Any] = {}
        for name in self.active:
            info = self.records[name].info
            for event, label in (info.audit_events if info else {}).items():
                if event.startswith(f"{name}."):  # a module cannot write another's events
                    events[event] = label
        return events

    def is_enabled(self, name: str) -> bool:
        return name in self.active

    def info(self, name: str) -> ModuleInfo:
        info = self.records[name].info
        assert info is not None
        return info

    def listing(self) -> list[PluginRecord]:
        return sorted(self.records.values(), key=lambda r: r.name)

    def disclosure_problems(self) -> list[Problem]:
        """Code of enabled and local plugins that reads answers outside the disclosure layer.

        Static (nothing is imported), so a local plugin is checked before it is enabled.
        """
        from .disclosure import bypasses

        found = []
        for rec in self.listing():
            source = self._source(rec)
            if source is None:
                continue
            shown = f"{LOCAL_PLUGIN_DIR}/{source.name}" if rec.source == "local" else rec.origin
            for b in bypasses(source):
                inner = "/".join(b.file.parts[1:])
                where = f"{shown}/{inner}" if inner else shown
                found.append(Problem(where, "disclosure", f"line {b.line} {b.reason}"))
        return found

    def _source(self, rec: PluginRecord) -> Path | None:
        if rec.source == "local":
            path = Path(rec.origin)
            return path if path.exists() else None
        if rec.status != "enabled" or rec.module is None or not rec.module.__file__:
            return None
        path = Path(rec.module.__file__)
        return path.parent if path.name == "__init__.py" else path

    # -- calls --------------------------------------------------------------------

    def call_one(self, name: str, hook: str, **kwargs: Any) -> Any:
        """Call ``hook`` of plugin ``name`` only; ``None`` when it has no such hook."""
        for impl in getattr(self.pm.hook, hook).get_hookimpls():
            if impl.plugin_name == name:
                return impl.function(**{a: kwargs[a] for a in impl.argnames})
        return None

    def call_first(self, hook: str, **kwargs: Any) -> Any:
        """The first result other than ``None`` of the loaded plugins, in order, for a
        ``firstresult`` hook that another module provides (``None`` if none does).
        A plugin that fails is logged and skipped: one module must not break another."""
        for name in self.active:
            try:
                result = self.call_one(name, hook, **kwargs)
            except Exception:
                log.warning("plugin %s failed in hook %s", name, hook, exc_info=True)
                continue
            if result is not None:
                return result
        return None

    def call_each(self, hook: str, **kwargs: Any) -> dict[str, Any]:
        """``{plugin: result}`` for every loaded plugin implementing ``hook``, in order."""
        results = {}
        for name in self.active:
            result = self.call_one(name, hook, **kwargs)
            if result is not None:
                results[name] = result
        return results

    def call_list(self, hook: str, **kwargs: Any) -> list[Any]:
        """The lists every enabled plugin returns for ``hook``, concatenated in order."""
        return [item for result in self.call_each(hook, **kwargs).values() for item in result]

    # Typed facade used by the core.
    def settings_models(self) -> dict[str, type]:
        return self.call_each("settings_model")

    def storages(self) -> dict[str, Any]:
        return self.call_each("storage")

    def template_dirs(self) -> dict[str, Path]:
        return {k: Path(v) for k, v in self.call_each("templates_dir").items()}

    def static_dirs(self) -> dict[str, Path]:
        return {k: Path(v) for k, v in self.call_each("static_dir").items()}

    def locale_dirs(self) -> list[Path]:
        return [Path(v) for v in self.call_each("locale_dir").values()]

    def cli_groups(self) -> dict[str, Any]:
        return self.call_each("cli_group")
