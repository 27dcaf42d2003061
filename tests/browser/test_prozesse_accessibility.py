"""The process module's pages meet WCAG 2.1 A/AA (axe-core) and reflow at 320 px."""

from __future__ import annotations

import pytest
from test_core_accessibility import assert_accessible, assert_reflows_at_320px

from willkommen_core import accounts
from willkommen_core.testing.instance import TEST_PASSWORD


@pytest.fixture
def empty_site(make_sqlite_instance, live_server):
    instance = make_sqlite_instance(["prozesse"], languages=["de", "en", "ar"])
    accounts.create_user(instance.db, "leitung", "leitung", TEST_PASSWORD)
    return live_server(instance)


@pytest.fixture
def demo_site(make_sqlite_instance, live_server):
    from willkommen_plugins.prozesse import demo

    instance = make_sqlite_instance(["prozesse"], languages=["de", "en", "ar"])
    accounts.create_user(instance.db, "leitung", "leitung", TEST_PASSWORD)
    demo.seed(instance)
    return live_server(instance)


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_process_pages_are_accessible(page, demo_site, lang, log_in):
    log_in(page, demo_site, "leitung", TEST_PASSWORD)
    for path in [
        "/prozesse/",
        "/prozesse/zeitplan",
        "/prozesse/druck",
        "/prozesse/schritte/neu",
        "/prozesse/schritte/3",
        "/prozesse/schritte/3/loeschen",
    ]:
        page.goto(f"{demo_site}{path}?lang={lang}")
        assert_accessible(page, f"{path} [{lang}]")
        assert_reflows_at_320px(page, f"{path} [{lang}]")


def test_start_form_with_errors_is_accessible(page, empty_site, log_in):
    log_in(page, empty_site, "leitung", TEST_PASSWORD)
    page.goto(f"{empty_site}/prozesse/")
    assert_accessible(page, "/prozesse/ without a plan")
    page.get_by_label("Startdatum").fill("")
    page.get_by_role("button", name="Prozessplan anlegen").click()
    assert page.get_by_role("alert").is_visible()
    assert_accessible(page, "start form with errors")


def test_a_step_moves_up_with_the_keyboard_only(page, demo_site, log_in):
    log_in(page, demo_site, "leitung", TEST_PASSWORD)
    page.goto(f"{demo_site}/prozesse/")
    button = page.get_by_role("button", name="Nach oben: Durchführung der Interviews").first
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/prozesse/?ok=moved*")
    rows = page.locator("#phase-1 tbody th").all_inner_texts()
    assert rows.index(next(r for r in rows if r.startswith("Durchführung der Interviews"))) == 1
