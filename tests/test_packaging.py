"""`pip install .` yields a working toolkit from any working directory.

Under tox the tests run against the installed wheel (not the source tree),
so these checks see exactly what a local IT team installs.
"""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import willkommen_core
import willkommen_modules
import willkommen_plugins


def test_wheel_carries_templates_static_files_catalogues_and_migrations():
    core = Path(willkommen_core.__file__).parent
    for relative in [
        "web/templates/layout.html",
        "web/static/willkommen.css",
        "web/static/print.css",
        "locale/en/LC_MESSAGES/willkommen.po",
        "locale/ar/LC_MESSAGES/willkommen.po",
        "storage/migrations/env.py",
        "storage/migrations/script.py.mako",
        "storage/migrations/versions/0001_core_accounts.py",
        "rollout/deploy/willkommen-host.service",
        "rollout/deploy/willkommen@.service",
        "rollout/deploy/nginx-host.conf",
    ]:
        assert (core / relative).is_file(), relative


def test_every_builtin_plugin_is_importable_with_its_content():
    builtins = [
        ep for ep in entry_points(group="willkommen") if ep.dist and ep.dist.name == "willkommen"
    ]
    assert {ep.name for ep in builtins} >= {"partner"}
    for ep in builtins:
        module = ep.load()
        assert module.__name__.startswith("willkommen_plugins."), ep
    assert Path(willkommen_plugins.__file__).parent.is_dir()
    assert Path(willkommen_modules.__file__).parent.is_dir()


def test_the_command_runs_from_an_unrelated_folder(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "willkommen_core", "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "plugins" in result.stdout and "serve" in result.stdout


def test_an_installation_serves_with_the_c_http_parser_and_event_loop():
    """Plain uvicorn falls back to h11/asyncio, about fifty times slower per request."""
    import sys

    from uvicorn.config import Config

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        raise AssertionError("only loaded, never called")

    config = Config(app=app, http="auto", loop="auto")
    config.load()
    assert config.http_protocol_class.__name__ == "HttpToolsProtocol"
    if sys.platform != "win32":
        import uvloop

        assert uvloop.__version__
