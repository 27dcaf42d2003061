"""Plugins: built-in, third-party (entry point group ``willkommen``) and local.

Specification (issue 2, "Plugins (pluggy)"):

- a third-party distribution installed with an entry point in the group
  ``willkommen`` is found, listed by ``willkommen plugins list`` and
  ``GET /-/plugins`` (admin only), and once enabled serves its pages, card and
  tables; with the name of a built-in it overrides the built-in;
- a local plugin in the instance's ``plugins/`` folder loads;
- a broken plugin (raises on import, implements an unknown hook, wants another
  hook API) is marked failed with its error, reported by ``check``, and the
  instance still serves; ``[plugins] strict = true`` makes that fatal;
- ``willkommen plugins enable|disable`` edit ``willkommen.toml`` keeping comments;
- a disabled plugin leaves no trace: no routes, navigation, card, tables,
  CLI group, questions or recommendations.
"""

from __future__ import annotations

import json
import re
import textwrap
from html import unescape
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import inspect
from starlette.routing import Mount

from willkommen_core import accounts
from willkommen_core.cli import cli
from willkommen_core.domain import CORNERSTONE_IDS
from willkommen_core.errors import UserError
from willkommen_core.instance import Instance
from willkommen_core.plugins import OWN_DISTRIBUTION
from willkommen_core.storage import migrate
from willkommen_core.testing import login, write_instance
from willkommen_core.types import AssessmentResult

HALLO_HOOKS = [
    "api_routes",
    "cli_group",
    "content_problems",
    "dashboard_cards",
    "module_info",
    "recommendations",
    "selfassessment_items",
    "settings_model",
    "state_summary",
    "storage",
    "templates_dir",
    "web_routes",
]


def builtin_plugins() -> list[str]:
    """Names of the built-in toolkit modules: the entry points of this distribution."""
    return sorted(
        ep.name
        for ep in entry_points(group="willkommen")
        if ep.dist is not None and ep.dist.name == OWN_DISTRIBUTION
    )


def run(*args: Any, input: str | None = None) -> Result:
    """``willkommen ARGS`` as a user types it; a user mistake never shows a traceback."""
    result = CliRunner().invoke(cli, [str(a) for a in args], input=input)
    assert "Traceback" not in result.output, result.output
    return result


def listed(instance_dir: Path) -> dict[str, dict[str, Any]]:
    result = run("--instance", instance_dir, "plugins", "list", "--json")
    assert result.exit_code == 0, result.output
    return {p["name"]: p for p in json.loads(result.stdout)["plugins"]}


def write_local_plugin(instance_dir: Path, name: str, source: str) -> None:
    folder = instance_dir / "plugins"
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")


def open_migrated(root: Path) -> Instance:
    instance = Instance.open(root)
    migrate.upgrade(instance.db, instance.components())
    return instance


# -- a third-party plugin ------------------------------------------------------------


def test_third_party_plugin_is_listed_with_version_source_status_and_hooks(
    hallo_distribution, tmp_path
):
    root = write_instance(tmp_path / "inst", plugins=["hallo"])
    record = listed(root)["hallo"]
    assert record["version"] == "1.0"
    assert record["source"] == "entrypoint"
    assert record["origin"] == "willkommen-hallo:hallo_plugin"
    assert record["status"] == "enabled"
    assert record["error"] is None
    assert record["hooks"] == HALLO_HOOKS
    assert record["title"] == "Hallo-Modul"


def test_plugins_list_shows_a_disabled_plugin_as_disabled(hallo_distribution, tmp_path):
    root = write_instance(tmp_path / "inst", plugins=[])
    record = listed(root)["hallo"]
    assert record["status"] == "disabled"
    assert record["hooks"] == HALLO_HOOKS


def test_plugins_list_is_readable_for_humans(hallo_distribution, tmp_path):
    root = write_instance(tmp_path / "inst", plugins=["hallo"])
    result = run("--instance", root, "plugins", "list")
    assert result.exit_code == 0
    line = next(x for x in result.output.splitlines() if x.startswith("hallo "))
    assert line.split()[:4] == ["hallo", "1.0", "entrypoint", "enabled"]
    assert "web_routes" in line


def test_plugins_endpoint_shows_the_same_as_json_to_admins_only(
    hallo_distribution, make_sqlite_instance, make_client
):
    instance = make_sqlite_instance(["hallo"])
    anonymous = make_client(instance).get("/-/plugins", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/login")

    leitung = make_client(instance)
    login(leitung, instance, "leitung")
    assert leitung.get("/-/plugins").status_code == 403

    admin = make_client(instance)
    login(admin, instance, "admin")
    response = admin.get("/-/plugins")
    assert response.status_code == 200
    plugins = {p["name"]: p for p in response.json()["plugins"]}
    assert plugins["hallo"]["version"] == "1.0"
    assert plugins["hallo"]["source"] == "entrypoint"
    assert plugins["hallo"]["status"] == "enabled"
    assert plugins["hallo"]["hooks"] == HALLO_HOOKS
    assert set(builtin_plugins()) <= set(plugins)


def test_third_party_plugin_serves_its_page_nav_entry_card_and_table(
    hallo_distribution, make_instance, make_client
):
    instance = make_instance(["hallo"])
    assert "hallo_greetings" in inspect(instance.db.engine).get_table_names()
    client = make_client(instance)
    login(client, instance, "leitung")

    page = client.get("/hallo/")
    assert page.status_code == 200
    assert "<h1>Hallo-Seite: Hallo</h1>" in page.text

    home = client.get("/")
    assert 'href="/hallo/"' in home.text  # navigation entry
    assert "Hallo-Karte" in home.text  # dashboard card
    assert "Grüße aus dem Test-Plugin." in home.text


def test_plugin_settings_section_is_validated_and_available(
    hallo_distribution, make_sqlite_instance, make_client
):
    instance = make_sqlite_instance(["hallo"], hallo={"greeting": "Moin"})
    assert instance.plugin_settings("hallo").greeting == "Moin"
    client = make_client(instance)
    login(client, instance, "leitung")
    assert "Hallo-Seite: Moin" in client.get("/hallo/").text


def test_third_party_distribution_overrides_a_builtin_of_the_same_name(
    install_distribution, tmp_path
):
    install_distribution(
        "willkommen-partner-plus",
        "2.0",
        {"partner": "partner_plus"},
        modules={
            "partner_plus": textwrap.dedent(
                """
                from willkommen_core.hookspecs import hookimpl
                from willkommen_core.types import ModuleInfo

                @hookimpl
                def module_info():
                    return ModuleInfo(title="Partner Plus")
                """
            )
        },
    )
    root = write_instance(tmp_path / "inst", plugins=["partner"])
    instance = Instance(root)
    record = instance.plugins.records["partner"]
    assert record.source == "entrypoint"
    assert record.version == "2.0"
    assert record.origin == "willkommen-partner-plus:partner_plus"
    assert record.overrides == "willkommen:willkommen_plugins.partner"
    assert record.status == "enabled"
    assert str(instance.plugins.info("partner").title) == "Partner Plus"
    assert listed(root)["partner"]["overrides"] == "willkommen:willkommen_plugins.partner"


# -- local plugins -------------------------------------------------------------------

LOCAL_PLUGIN = """
    from starlette.responses import PlainTextResponse

    from willkommen_core.hookspecs import hookimpl
    from willkommen_core.types import ModuleInfo
    from willkommen_core.web.routing import Page


    @hookimpl
    def module_info():
        return ModuleInfo(title="Lokale Erweiterung", nav_path="/lokal/")


    @hookimpl
    def web_routes(instance):
        return [Page("/", lambda request: PlainTextResponse("lokal da"), roles=("redaktion",))]
"""


def test_local_plugin_in_the_instance_folder_loads_and_serves(tmp_path, make_client):
    root = write_instance(tmp_path / "inst", plugins=["lokal"])
    write_local_plugin(root, "lokal", LOCAL_PLUGIN)
    record = listed(root)["lokal"]
    assert (record["source"], record["status"], record["version"]) == ("local", "enabled", "local")
    assert record["hooks"] == ["module_info", "web_routes"]

    instance = open_migrated(root)
    client = make_client(instance)
    login(client, instance, "redaktion")
    assert client.get("/lokal/").text == "lokal da"


def test_local_plugin_overrides_an_installed_one(hallo_distribution, tmp_path):
    root = write_instance(tmp_path / "inst", plugins=["hallo"])
    write_local_plugin(root, "hallo", LOCAL_PLUGIN)
    record = Instance(root).plugins.records["hallo"]
    assert record.source == "local"
    assert record.overrides == "willkommen-hallo:hallo_plugin"


# -- broken plugins ------------------------------------------------------------------

BROKEN = {
    "raises_on_import": (
        """
        raise RuntimeError("kaputt beim Import")
        """,
        "RuntimeError: kaputt beim Import",
    ),
    "unknown_hook": (
        """
        from willkommen_core.hookspecs import hookimpl
        from willkommen_core.types import ModuleInfo

        @hookimpl
        def module_info():
            return ModuleInfo(title="Tippfehler")

        @hookimpl
        def dashbord_cards(instance, user):
            return []
        """,
        "unknown hook 'dashbord_cards'",
    ),
    "future_hook_api": (
        """
        from willkommen_core.hookspecs import hookimpl
        from willkommen_core.types import ModuleInfo

        @hookimpl
        def module_info():
            return ModuleInfo(title="Aus der Zukunft", hook_api=">=2")
        """,
        "supports hook API >=2, this toolkit has 1.2",
    ),
}


@pytest.fixture(params=sorted(BROKEN))
def broken_instance(request, tmp_path) -> tuple[Path, str, str]:
    """An instance with the working ``lokal`` plugin and one broken plugin enabled."""
    name = request.param
    source, error = BROKEN[name]
    root = write_instance(tmp_path / "inst", plugins=["lokal", name])
    write_local_plugin(root, "lokal", LOCAL_PLUGIN)
    write_local_plugin(root, name, source)
    return root, name, error


def test_broken_plugin_is_listed_as_failed_with_its_error(broken_instance):
    root, name, error = broken_instance
    plugins = listed(root)
    assert plugins[name]["status"] == "failed"
    assert error in plugins[name]["error"]
    assert plugins["lokal"]["status"] == "enabled"


def test_broken_plugin_is_reported_by_check(broken_instance):
    root, name, error = broken_instance
    open_migrated(root)
    result = run("--instance", root, "check")
    assert result.exit_code == 1
    assert f"willkommen.toml: plugins.enabled: plugin {name!r} failed to load:" in result.output
    assert error in result.output


def test_broken_plugin_does_not_take_the_instance_down(broken_instance, make_client, monkeypatch):
    root, name, _error = broken_instance
    instance = open_migrated(root)
    assert instance.plugins.enabled == ["lokal"]
    client = make_client(instance)
    assert client.get("/healthz").json()["status"] == "ok"
    login(client, instance, "admin")
    assert client.get("/lokal/").text == "lokal da"
    assert client.get(f"/{name}/").status_code == 404

    # ``serve`` warns and starts.
    started: list[str] = []
    monkeypatch.setattr("uvicorn.run", lambda *a, **kw: started.append("uvicorn"))
    monkeypatch.setenv("WILLKOMMEN_INSTANCE", "")  # serve sets it for its workers
    result = run("--instance", root, "serve")
    assert result.exit_code == 0, result.output
    assert started == ["uvicorn"]
    assert f"warning: willkommen.toml: plugins.enabled: plugin {name!r} failed" in result.output


def test_strict_mode_makes_a_broken_plugin_fatal(broken_instance, monkeypatch):
    root, name, error = broken_instance
    toml = root / "willkommen.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace("[plugins]", "[plugins]\nstrict = true"),
        encoding="utf-8",
    )
    with pytest.raises(UserError, match=f"plugin {name!r} failed to load"):
        Instance(root)

    monkeypatch.setattr("uvicorn.run", lambda *a, **kw: pytest.fail("server started"))
    for command in ("check", "serve"):
        result = run("--instance", root, command)
        assert result.exit_code == 1, command
        assert f"plugin {name!r} failed to load" in result.output
        assert error in result.output
        assert "plugins.strict = true" in result.output


def test_enabling_an_unknown_plugin_name_is_a_problem_naming_the_known_ones(tmp_path):
    root = write_instance(tmp_path / "inst", plugins=["gibtsnicht"])
    result = run("--instance", root, "check")
    assert result.exit_code == 1
    assert "willkommen.toml: plugins.enabled: unknown plugin 'gibtsnicht' (known: " in result.output
    for name in builtin_plugins():
        assert name in result.output


# -- enable / disable ----------------------------------------------------------------


def test_enable_and_disable_edit_willkommen_toml_keeping_comments(hallo_distribution, tmp_path):
    root = write_instance(tmp_path / "inst", plugins=[])
    toml = root / "willkommen.toml"
    comment = "# Module dieser Behörde: willkommen plugins enable NAME"
    text = toml.read_text(encoding="utf-8").replace("[plugins]", f"{comment}\n[plugins]")
    toml.write_text(text + "# Ende der Datei\n", encoding="utf-8")

    result = run("--instance", root, "plugins", "enable", "hallo")
    assert result.exit_code == 0, result.output
    assert "hallo enabled" in result.output
    assert Instance(root).plugins.enabled == ["hallo"]
    assert comment in toml.read_text(encoding="utf-8")
    assert "# Ende der Datei" in toml.read_text(encoding="utf-8")

    result = run("--instance", root, "plugins", "enable", "hallo")
    assert "hallo is already enabled" in result.output

    result = run("--instance", root, "plugins", "disable", "hallo")
    assert result.exit_code == 0, result.output
    assert Instance(root).plugins.enabled == []
    assert comment in toml.read_text(encoding="utf-8")
    assert "# Ende der Datei" in toml.read_text(encoding="utf-8")


@pytest.mark.parametrize("action", ["enable", "disable"])
def test_enable_or_disable_of_an_unknown_name_exits_1_listing_the_known_ones(
    hallo_distribution, tmp_path, action
):
    root = write_instance(tmp_path / "inst", plugins=[])
    before = (root / "willkommen.toml").read_text(encoding="utf-8")
    result = run("--instance", root, "plugins", action, "halo")
    assert result.exit_code == 1
    assert "unknown plugin 'halo' (known: " in result.output
    for name in [*builtin_plugins(), "hallo"]:
        assert name in result.output
    assert (root / "willkommen.toml").read_text(encoding="utf-8") == before


# -- a disabled plugin leaves no trace -----------------------------------------------


def _module_of(name: str) -> ModuleType:
    return next(ep for ep in entry_points(group="willkommen") if ep.name == name).load()


def _mounted_paths(app: Any, name: str) -> list[str]:
    """Concrete URLs of every route mounted for plugin ``name`` (path parameters = 1)."""
    paths = []
    for mount in app.routes:
        if isinstance(mount, Mount) and mount.path in (f"/{name}", f"/api/v1/{name}"):
            for route in getattr(mount, "routes", []):
                params = dict.fromkeys(route.param_convertors, "1")
                paths.append(mount.path + route.path_format.format(**params))
    return paths


def card_titles(html: str) -> list[str]:
    """Titles of the cards on the start page."""
    return [
        unescape(t.strip()) for t in re.findall(r'<li class="card">\s*<h2>(.*?)</h2>', html, re.S)
    ]


def _footprint(instance: Instance, client: Any, name: str, seen: dict[str, Any]) -> dict[str, Any]:
    """What of plugin ``name`` shows in ``instance``; ``seen`` is what it showed when enabled."""
    host = instance.plugins
    weak = AssessmentResult(dict.fromkeys(CORNERSTONE_IDS, 1.0))
    home = client.get("/").text
    public = client.get("/barrierefreiheit").text
    return {
        "routes": [
            path
            for path in [f"/{name}/", *seen["routes"]]
            if client.get(path, follow_redirects=False).status_code != 404
        ],
        "mounts": [
            m.path
            for m in client.app.routes
            if isinstance(m, Mount) and m.path in (f"/{name}", f"/api/v1/{name}", f"/static/{name}")
        ],
        "nav": [p for p in seen["nav"] if f'href="{p}"' in home or f'href="{p}"' in public],
        "cards": [title for title in seen["cards"] if title in card_titles(home)],
        "tables": sorted(
            set(inspect(instance.db.engine).get_table_names())
            & {*seen["tables"], f"alembic_version_{name}"}
        ),
        "hook_impls": sorted(
            hook
            for hook in vars(host.pm.hook)
            if not hook.startswith("_")
            and any(i.plugin_name == name for i in getattr(host.pm.hook, hook).get_hookimpls())
        ),
        "questions": [
            item.id
            for item in host.call_list("selfassessment_items", instance=instance)
            if item.id in seen["questions"]
        ],
        "recommendations": [
            str(r.title)
            for r in host.call_list("recommendations", instance=instance, results=weak)
            if str(r.title) in seen["recommendations"]
        ],
        "cli_group": run("--instance", instance.root, name, "--help").exit_code == 0,
    }


@pytest.mark.parametrize("name", [*builtin_plugins(), "hallo"])
def test_a_disabled_plugin_leaves_no_trace(name, hallo_distribution, make_instance, make_client):
    everything = [*builtin_plugins(), "hallo"]
    module = _module_of(name)
    info = module.module_info()

    # Enabled, the plugin shows wherever it has something to show ...
    with_it = make_instance(everything, name="with")
    assert with_it.plugins.enabled == everything, with_it.plugins.failures
    client = make_client(with_it)
    login(client, with_it, "admin")
    user = accounts.User(0, "admin-user", "admin")
    weak = AssessmentResult(dict.fromkeys(CORNERSTONE_IDS, 1.0))
    host = with_it.plugins
    storage = host.call_one(name, "storage")
    seen: dict[str, Any] = {
        "routes": _mounted_paths(client.app, name),
        "nav": [p for p in (info.nav_path, info.public_path) if p],
        "cards": [
            str(c.title)
            for c in host.call_one(name, "dashboard_cards", instance=with_it, user=user) or []
        ],
        "tables": [t.name for t in storage.metadata.sorted_tables] if storage else [],
        "questions": [
            i.id for i in host.call_one(name, "selfassessment_items", instance=with_it) or []
        ],
        "recommendations": [
            str(r.title)
            for r in host.call_one(name, "recommendations", instance=with_it, results=weak) or []
        ],
    }
    present = _footprint(with_it, client, name, seen)
    assert present["hook_impls"], "the enabled plugin implements hooks"
    assert present["cli_group"] == hasattr(module, "cli_group")
    if name == "hallo":  # the test plugin uses every kind of trace: the check can see each
        assert all(present.values()), present

    # ... and disabled, nowhere.
    without = make_instance([n for n in everything if n != name], name="without")
    client = make_client(without)
    login(client, without, "admin")
    assert _footprint(without, client, name, seen) == {
        "routes": [],
        "mounts": [],
        "nav": [],
        "cards": [],
        "tables": [],
        "hook_impls": [],
        "questions": [],
        "recommendations": [],
        "cli_group": False,
    }
    assert without.plugins.enabled == [n for n in everything if n != name]
