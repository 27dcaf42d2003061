"""Every core page type meets WCAG 2.1 A/AA (axe-core), in German and Arabic.

Also checked on each page: one h1, a skip link to the main content, no
horizontal scrolling at 320 px width (400 % zoom), a visible focus outline.
Module pages add their own cases in their browser test files.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from willkommen_core import accounts, plan
from willkommen_core.testing.instance import TEST_PASSWORD

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
_axe = Axe()


def assert_accessible(page, what: str) -> None:
    results = _axe.run(page, options=WCAG_21_AA)
    violations = results.response["violations"]
    assert not violations, f"{what}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}" for v in violations
    )
    assert page.locator("h1").count() == 1, f"{what}: exactly one h1"
    skip = page.locator("a.skip-link")
    assert skip.count() == 1 and skip.get_attribute("href") == "#main", f"{what}: skip link"


def assert_reflows_at_320px(page, what: str) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{what}: scrolls horizontally by {overflow}px at 320px width"
    page.set_viewport_size({"width": 1280, "height": 800})


@pytest.fixture
def site(make_sqlite_instance, live_server):
    instance = make_sqlite_instance([], languages=["de", "en", "ar"])
    accounts.create_user(instance.db, "leitung", "leitung", TEST_PASSWORD)
    accounts.create_user(instance.db, "it", "admin", TEST_PASSWORD)
    gid = plan.create_group(instance.db, "Personalentwicklung", cornerstones=["kompetenzen"])
    plan.add_goal(instance.db, gid, "Motivation stärken")
    plan.add_measure(
        instance.db, plan.MeasureInput(title="Englischkurs", group_id=str(gid), due="2014-12-31")
    )
    return live_server(instance)


PUBLIC_PAGES = ["/login", "/barrierefreiheit", "/gibt-es-nicht"]
STAFF_PAGES = ["/", "/plan/", "/plan/measures/new", "/plan/groups/new"]


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_public_pages_are_accessible(page, site, lang):
    for path in PUBLIC_PAGES:
        page.goto(f"{site}{path}?lang={lang}")
        # The staff login is offered in German and English only (a complete catalogue):
        # Arabic asked for gives the browser's next preference of those.
        served = page.locator("html").get_attribute("lang")
        assert served == lang or (path == "/login" and served in ("de", "en")), path
        assert page.locator("html").get_attribute("dir") == ("rtl" if served == "ar" else "ltr")
        assert_accessible(page, f"{path} [{lang}]")
        assert_reflows_at_320px(page, f"{path} [{lang}]")


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_staff_pages_are_accessible(page, site, lang, log_in):
    log_in(page, site, "leitung", TEST_PASSWORD)
    for path in STAFF_PAGES:
        page.goto(f"{site}{path}?lang={lang}")
        assert_accessible(page, f"{path} [{lang}]")
        assert_reflows_at_320px(page, f"{path} [{lang}]")


def test_form_with_errors_is_accessible(page, site, log_in):
    log_in(page, site, "leitung", TEST_PASSWORD)
    page.goto(f"{site}/plan/measures/new")
    page.get_by_label("Fällig am").fill("2015-01-01")
    page.get_by_role("button", name="Speichern").click()
    assert page.get_by_role("alert").is_visible()
    assert_accessible(page, "measure form with errors")


def test_admin_page_is_accessible(page, site, log_in):
    log_in(page, site, "it", TEST_PASSWORD)
    page.goto(f"{site}/-/admin/plugins")
    assert_accessible(page, "/-/admin/plugins")


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_account_pages_are_accessible(page, site, lang, log_in):
    log_in(page, site, "it", TEST_PASSWORD)
    for path in ("/-/admin/accounts", "/-/admin/accounts/1", "/-/konto/passwort"):
        page.goto(f"{site}{path}?lang={lang}")
        assert_accessible(page, f"{path} [{lang}]")
        assert_reflows_at_320px(page, f"{path} [{lang}]")
    page.goto(f"{site}/-/konto/passwort?lang=de")
    page.get_by_role("button", name="Passwort ändern").click()
    assert page.get_by_role("alert").is_visible()
    assert_accessible(page, "own password form with errors")
    page.goto(f"{site}/-/admin/accounts?lang=de")
    page.get_by_role("button", name="Konto anlegen").click()
    assert page.get_by_role("alert").is_visible()
    assert_accessible(page, "new account form with errors")


def test_keyboard_focus_is_visible_and_the_skip_link_comes_first(page, site):
    page.goto(f"{site}/login")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    assert page.locator("a.skip-link").is_visible()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
