"""Journeys through the core in a real browser."""

from __future__ import annotations

import re
import textwrap

from willkommen_core import accounts
from willkommen_core.testing.instance import TEST_PASSWORD

LOCAL_PLUGIN = textwrap.dedent(
    """
    from starlette.responses import HTMLResponse
    from willkommen_core.hookspecs import hookimpl
    from willkommen_core.types import ModuleInfo
    from willkommen_core.web.routing import Page

    @hookimpl
    def module_info():
        return ModuleInfo(title="Wartezeiten", nav_path="/wartezeiten/")

    @hookimpl
    def web_routes(instance):
        return [Page("/", lambda request: HTMLResponse("<h1>Wartezeiten</h1>"))]
    """
)


def test_it_admin_disables_a_module_and_the_navigation_changes(
    page, make_sqlite_instance, live_server, log_in
):
    instance = make_sqlite_instance([])
    (instance.root / "plugins").mkdir()
    (instance.root / "plugins" / "wartezeiten.py").write_text(LOCAL_PLUGIN, encoding="utf-8")
    accounts.create_user(instance.db, "it", "admin", TEST_PASSWORD)
    base = live_server(instance)
    log_in(page, base, "it", TEST_PASSWORD)
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    assert nav.get_by_role("link", name="Wartezeiten").count() == 0

    nav.get_by_role("link", name="Module").click()
    page.wait_for_url(f"{base}/-/admin/plugins")
    page.get_by_role("button", name=re.compile(r"Aktivieren\W+wartezeiten")).click()
    assert page.get_by_role("status").is_visible()
    assert nav.get_by_role("link", name="Wartezeiten").count() == 1

    page.get_by_role("button", name=re.compile(r"Deaktivieren\W+wartezeiten")).click()
    assert nav.get_by_role("link", name="Wartezeiten").count() == 0
    assert page.goto(f"{base}/wartezeiten/").status == 404


def test_staff_logs_in_with_the_keyboard_only(page, make_sqlite_instance, live_server):
    instance = make_sqlite_instance([])
    accounts.create_user(instance.db, "leitung", "leitung", TEST_PASSWORD)
    base = live_server(instance)
    page.goto(f"{base}/plan/")
    assert "/login" in page.url
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Enter")
    for _ in range(5):  # into the form, whatever the header holds
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "f-username":
            break
    assert page.evaluate("document.activeElement.id") == "f-username"
    page.keyboard.type("leitung")
    page.keyboard.press("Tab")
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/plan/")
    assert page.get_by_role("heading", level=1).inner_text() == "Maßnahmenplan"


def test_it_admin_creates_an_account_and_the_person_sets_their_own_password(
    page, browser, make_sqlite_instance, live_server, log_in
):
    instance = make_sqlite_instance([])
    accounts.create_user(instance.db, "it", "admin", TEST_PASSWORD)
    base = live_server(instance)
    log_in(page, base, "it", TEST_PASSWORD)
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name="Konten"
    ).click()
    page.wait_for_url(f"{base}/-/admin/accounts")
    page.get_by_label("Benutzername").fill("s.meier")
    page.get_by_label("Rolle").select_option("leitung")
    page.get_by_role("button", name="Konto anlegen").click()
    one_time = page.locator("#one-time-password").inner_text()

    # The new colleague, in another browser: the one-time password opens only one page.
    context = browser.new_context(locale="de-DE")
    colleague = context.new_page()
    try:
        colleague.goto(f"{base}/login")
        colleague.get_by_label("Benutzername").fill("s.meier")
        colleague.get_by_label("Passwort").fill(one_time)
        colleague.get_by_role("button", name="Anmelden").click()
        colleague.wait_for_url(f"{base}/-/konto/passwort")
        colleague.goto(f"{base}/plan/")
        assert colleague.url == f"{base}/-/konto/passwort"
        colleague.get_by_label("Bisheriges Passwort").fill(one_time)
        colleague.locator("#f-new").fill("aaaaaaaaaaaa")
        colleague.locator("#f-repeat").fill("aaaaaaaaaaaa")
        colleague.get_by_role("button", name="Passwort ändern").click()
        assert "zu leicht zu erraten" in colleague.locator("#f-new-error").inner_text()
        colleague.get_by_label("Bisheriges Passwort").fill(one_time)
        colleague.locator("#f-new").fill("Elbe-Dom-Fahrrad-Kompass")
        colleague.locator("#f-repeat").fill("Elbe-Dom-Fahrrad-Kompass")
        colleague.get_by_role("button", name="Passwort ändern").click()
        assert colleague.get_by_role("status").is_visible()
        colleague.goto(f"{base}/plan/")
        assert colleague.get_by_role("heading", level=1).inner_text() == "Maßnahmenplan"
    finally:
        context.close()
