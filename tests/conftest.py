"""Shared test setup. The fixtures for instances, clients and databases ship
with the package: see :mod:`willkommen_core.testing.fixtures` (pytest plugin
``willkommen``). Here: installing test plugins as real distributions, and a
real OpenID provider."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

TEST_PLUGINS = Path(__file__).parent / "testplugins"

InstallDistribution = Callable[..., Path]


@pytest.fixture
def install_distribution(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[InstallDistribution]:
    """Install a distribution on disk the way pip would, without pip.

    ``install_distribution("willkommen-hallo", "1.0", {"hallo": "hallo_plugin"},
    packages={"hallo_plugin": folder}, modules={"x": "source"})`` writes the
    package folders or modules plus ``<dist>-<version>.dist-info/`` with
    ``METADATA`` and ``entry_points.txt`` (group ``willkommen``) into a
    site folder on ``sys.path``, so ``importlib.metadata`` finds the entry
    points exactly as for an installed plugin.
    """
    site = tmp_path / "site-packages"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    imported: set[str] = set()

    def install(
        dist: str,
        version: str,
        entry_points: dict[str, str],
        *,
        packages: dict[str, Path] | None = None,
        modules: dict[str, str] | None = None,
    ) -> Path:
        for name, folder in (packages or {}).items():
            shutil.copytree(folder, site / name, ignore=shutil.ignore_patterns("__pycache__"))
            imported.add(name)
        for name, source in (modules or {}).items():
            (site / f"{name}.py").write_text(source, encoding="utf-8")
            imported.add(name)
        info = site / f"{dist.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n", encoding="utf-8"
        )
        lines = "".join(f"{name} = {target}\n" for name, target in entry_points.items())
        (info / "entry_points.txt").write_text(f"[willkommen]\n{lines}", encoding="utf-8")
        return site

    yield install
    # The next test installs its own copy: forget this one's modules.
    for mod in list(sys.modules):
        if mod.split(".")[0] in imported:
            del sys.modules[mod]


@pytest.fixture
def hallo_distribution(install_distribution: InstallDistribution) -> str:
    """The test plugin ``hallo`` installed as distribution ``willkommen-hallo`` 1.0."""
    install_distribution(
        "willkommen-hallo",
        "1.0",
        {"hallo": "hallo_plugin"},
        packages={"hallo_plugin": TEST_PLUGINS / "hallo_plugin"},
    )
    return "hallo"


KISTE_DIR = Path(__file__).parent / "plugins" / "kiste"


def _load_kiste() -> ModuleType:
    name = "willkommen_test_kiste"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, KISTE_DIR / "__init__.py", submodule_search_locations=[str(KISTE_DIR)]
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture
def kiste() -> ModuleType:
    """The test plugin ``kiste`` (tables of every column type), as a module."""
    return _load_kiste()


@pytest.fixture
def local_kiste():
    """``local_kiste(root)`` copies ``kiste`` into the instance's ``plugins/`` folder,
    so that every ``Instance(root)`` (the CLI's too) finds it as a local plugin."""

    def install(root: Path) -> Path:
        target = root / "plugins" / "kiste"
        shutil.copytree(KISTE_DIR, target, ignore=shutil.ignore_patterns("__pycache__"))
        return root

    return install


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A real OpenID provider (npm ``oidc-provider``) on 127.0.0.1, for the whole run.

    See ``tests/oidc_support.py``: its test accounts, the client registered
    for the TestClient's and the browser tests' app, the signing key.
    """
    from oidc_support import start_provider

    yield from start_provider(tmp_path_factory.mktemp("oidc"))
