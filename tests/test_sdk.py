"""The plugin SDK (issue 13): a module in a few dozen lines, pages that never block the
event loop, links that know the prefix the app is served under.

``tests/plugins/gruss`` is a whole module written as docs/hooks.md shows it: a
``Module`` with settings, pages declared with a decorator, templates; every
plumbing hook comes from :meth:`Module.provide_hooks`.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from starlette.testclient import TestClient

from willkommen_core.hookspecs import hookimpl
from willkommen_core.sdk import Module
from willkommen_core.testing import login
from willkommen_core.testing.instance import csrf_from
from willkommen_core.web.app import create_app

GRUSS = Path(__file__).parent / "plugins" / "gruss"


def load_gruss() -> ModuleType:
    name = "willkommen_test_gruss"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(
        name, GRUSS / "__init__.py", submodule_search_locations=[str(GRUSS)]
    )
    assert spec is not None and spec.loader is not None
    package = importlib.util.module_from_spec(spec)
    sys.modules[name] = package
    spec.loader.exec_module(package)
    return package


@pytest.fixture
def instance(make_sqlite_instance):
    return make_sqlite_instance(
        extra_plugins=(("gruss", load_gruss()),), gruss={"greeting": "Moin"}
    )


@pytest.fixture
def leitung(instance, make_client):
    client = make_client(instance)
    login(client, instance, "leitung")
    return client


def test_the_whole_module_is_a_few_dozen_lines():
    """Settings, eight pages (forms, downloads, 404, settings-dependent roles, a
    page that can be switched off) and the wiring: about a line per feature."""
    lines = [
        line
        for f in (GRUSS / "__init__.py", GRUSS / "web.py")
        for line in f.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith(("#", '"""'))
    ]
    assert len(lines) < 72


def test_the_folder_implies_the_plumbing_hooks(instance):
    hooks = set(instance.plugins.records["gruss"].hooks)
    assert {"module_info", "settings_model", "web_routes", "templates_dir"} <= hooks
    assert "storage" not in hooks, "no tables.py: no storage hook"
    assert instance.plugins.info("gruss").nav_path == "/gruss/"


def test_the_guides_example_module_fits_in_150_lines():
    """docs/plugin-guide.md: staff page, public page, table and migration, setting,
    command, card and recommendation (the JSON API is an extra the tests use)."""
    hallo = Path(__file__).parent / "testplugins" / "hallo_plugin"
    files = ["__init__.py", "tables.py", "web.py", "cli.py", "migrations/hallo_0001.py"]
    lines = [
        line
        for name in files
        for line in (hallo / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    assert len(lines) <= 150
    guide = (Path(__file__).parents[1] / "docs" / "plugin-guide.md").read_text(encoding="utf-8")
    assert "tests/testplugins/hallo_plugin/" in guide and f"{len(lines)} lines" in guide


def test_a_hook_written_by_hand_wins_over_the_default():
    namespace: dict[str, Any] = {"__name__": "x"}

    @hookimpl
    def module_info() -> str:
        return "by hand"

    namespace["module_info"] = module_info
    sys.modules.setdefault("willkommen_test_sdk_x", ModuleType("willkommen_test_sdk_x"))
    sys.modules["willkommen_test_sdk_x"].__file__ = str(GRUSS / "__init__.py")
    Module("x", "willkommen_test_sdk_x", title="X").provide_hooks(namespace)
    assert namespace["module_info"] is module_info
    assert "settings_model" not in namespace


def test_pages_render_with_settings_and_links_of_the_module(leitung):
    page = leitung.get("/gruss/?an=Anna")
    assert page.status_code == 200
    assert "Moin Anna" in page.text
    assert 'href="/gruss/"' in page.text and 'href="/gruss/an/anna"' in page.text
    assert 'href="/plan/"' in page.text


def test_links_carry_the_prefix_the_app_is_served_under(instance):
    app = create_app(instance)
    with TestClient(app, base_url="https://testserver", root_path="/harz") as client:
        login(client, instance, "leitung")
        page = client.get("/harz/gruss/")  # the path as an ASGI server passes it: with the prefix
    assert 'href="/harz/gruss/"' in page.text and 'href="/harz/gruss/an/anna"' in page.text


def test_a_page_runs_in_the_thread_pool_not_on_the_event_loop(leitung):
    answer = leitung.get("/gruss/wo")
    assert answer.text.endswith("loop=False")


def test_a_page_can_wait_for_work_of_the_event_loop(leitung):
    assert leitung.get("/gruss/doppelt/21").text == "42"


def test_a_form_is_read_once_and_bad_input_renders_again_with_the_message(leitung):
    form = leitung.get("/gruss/an/anna")
    empty = leitung.post("/gruss/an/anna", data={"text": "  ", "csrf_token": csrf_from(form.text)})
    assert empty.status_code == 400 and "Bitte Text angeben." in empty.text
    sent = leitung.post(
        "/gruss/an/anna",
        data={"text": "Hallo", "csrf_token": csrf_from(form.text)},
        follow_redirects=False,
    )
    assert sent.status_code == 303 and sent.headers["location"] == "/gruss/?ok=Hallo"


def test_access_and_csrf_are_the_cores(instance, make_client, leitung):
    stranger = make_client(instance)
    assert stranger.get("/gruss/", follow_redirects=False).status_code == 303
    redaktion = make_client(instance)
    login(redaktion, instance, "redaktion")
    assert redaktion.get("/gruss/").status_code == 403
    assert leitung.post("/gruss/an/anna", data={"text": "x"}).status_code == 403


def test_downloads_are_attachments_never_cached(leitung):
    answer = leitung.get("/gruss/datei")
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["content-disposition"] == (
        "attachment; filename=\"Gr__e M_rz.csv\"; filename*=UTF-8''Gr%C3%BC%C3%9Fe%20M%C3%A4rz.csv"
    )


def test_not_found_is_the_404_page_with_its_message(instance, make_client):
    answer = make_client(instance).get("/gruss/fehlt")
    assert answer.status_code == 404 and "Diesen Gruß gibt es nicht." in answer.text


def test_roles_and_pages_can_follow_the_instances_settings(make_sqlite_instance, make_client):
    strict = make_sqlite_instance(
        name="streng",
        extra_plugins=(("gruss", load_gruss()),),
        gruss={"editors": ["redaktion"], "public_help": False},
    )
    leitung, redaktion = make_client(strict), make_client(strict)
    login(leitung, strict, "leitung")
    login(redaktion, strict, "redaktion")
    assert redaktion.get("/gruss/bearbeiten").text == "darf"
    assert leitung.get("/gruss/bearbeiten").status_code == 403
    assert make_client(strict).get("/gruss/hilfe").status_code == 404


def test_by_default_the_settings_defaults_apply(instance, make_client, leitung):
    assert leitung.get("/gruss/bearbeiten").text == "darf"
    assert make_client(instance).get("/gruss/hilfe").text == "Hilfe"


def test_an_async_page_or_one_without_roles_is_refused_when_declared():
    router = Module("y", __name__, title="Y").pages

    with pytest.raises(TypeError, match="plain function"):

        @router.page("/", roles=("leitung",))
        async def page(p: Any) -> Any:
            return None

    with pytest.raises(ValueError, match="roles"):

        @router.page("/offen")
        def open_page(p: Any) -> Any:
            return None
