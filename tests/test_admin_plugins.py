"""An IT admin switches modules on and off in the browser; every worker follows."""

from __future__ import annotations

import textwrap

from starlette.testclient import TestClient

from willkommen_core.testing import login
from willkommen_core.testing.instance import csrf_from
from willkommen_core.web.reloading import InstanceApp

LOCAL_PLUGIN = textwrap.dedent(
    '''
    """A local plugin with a page and a navigation entry."""
    from starlette.responses import HTMLResponse
    from willkommen_core.hookspecs import hookimpl
    from willkommen_core.types import ModuleInfo
    from willkommen_core.web.routing import Page

    @hookimpl
    def module_info():
        return ModuleInfo(title="Wartezeiten", nav_path="/wartezeiten/")

    def index(request):
        return HTMLResponse("<h1>Wartezeiten</h1>")

    @hookimpl
    def web_routes(instance):
        return [Page("/", index)]
    '''
)


def _client(instance):
    (instance.root / "plugins").mkdir(exist_ok=True)
    (instance.root / "plugins" / "wartezeiten.py").write_text(LOCAL_PLUGIN, encoding="utf-8")
    client = TestClient(InstanceApp(instance.root), base_url="https://testserver")
    login(client, instance, "admin")
    return client


def _switch(client, action, name):
    token = csrf_from(client.get("/-/admin/plugins").text)
    return client.post(
        f"/-/admin/plugins/{action}",
        data={"name": name, "csrf_token": token},
        follow_redirects=False,
    )


def test_admin_enables_a_plugin_and_the_navigation_changes(make_sqlite_instance):
    instance = make_sqlite_instance([])
    client = _client(instance)
    page = client.get("/-/admin/plugins").text
    assert "wartezeiten" in page and "deaktiviert" in page
    assert 'href="/wartezeiten/"' not in client.get("/").text
    assert client.get("/wartezeiten/").status_code == 404

    response = _switch(client, "enable", "wartezeiten")
    assert response.status_code == 303
    assert 'href="/wartezeiten/"' in client.get("/").text
    assert client.get("/wartezeiten/").text == "<h1>Wartezeiten</h1>"
    assert (
        "enabled" in (instance.root / "willkommen.toml").read_text()
        and "wartezeiten" in (instance.root / "willkommen.toml").read_text()
    )

    assert _switch(client, "disable", "wartezeiten").status_code == 303
    assert 'href="/wartezeiten/"' not in client.get("/").text
    assert client.get("/wartezeiten/").status_code == 404


def test_unknown_plugin_name_is_refused_with_the_known_names(make_sqlite_instance):
    instance = make_sqlite_instance([])
    client = _client(instance)
    response = _switch(client, "enable", "gibtsnicht")
    assert response.status_code == 400
    assert "unknown plugin &#39;gibtsnicht&#39;" in response.text
    assert "wartezeiten" in response.text


def test_only_admins_see_the_plugin_page(make_sqlite_instance):
    instance = make_sqlite_instance([])
    client = TestClient(InstanceApp(instance.root), base_url="https://testserver")
    login(client, instance, "leitung")
    assert client.get("/-/admin/plugins").status_code == 403
    assert 'href="/-/admin/plugins"' not in client.get("/").text


def test_a_broken_settings_change_keeps_the_running_app(make_sqlite_instance):
    instance = make_sqlite_instance([])
    client = _client(instance)
    settings = instance.root / "willkommen.toml"
    settings.write_text(
        settings.read_text() + "\nlanguages = [\n", encoding="utf-8"
    )  # invalid TOML
    assert client.get("/healthz").status_code == 200
