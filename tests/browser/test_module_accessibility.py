"""Every page type of the modules meets WCAG 2.1 A/AA (axe-core), in German and Arabic.

The Magdeburg demo (all modules with their content) is the base. On each
page: no axe violation, one h1, a skip link, no horizontal scrolling at
320 px width. Staff pages are checked logged in as the admin (who may use
every staff page), public pages logged out. Known exceptions, if any, are
listed in docs/accessibility.md.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

LANGS = ["de", "ar"]


def staff_login(page: Any, demo: Any, log_in: Any) -> None:
    """Log in as the admin through the German form (a public page may have switched the language)."""
    page.goto(f"{demo.base}/login?lang=de")
    log_in(page, demo.base, "admin", demo.password)


def check(page: Any, base: str, path: str, lang: str, assert_accessible, reflows) -> None:
    sep = "&" if "?" in path else "?"
    response = page.goto(f"{base}{path}{sep}lang={lang}")
    assert response is not None and response.status == 200, f"{path}: {response.status}"
    # Staff pages are offered only in languages with a complete catalogue: Arabic
    # asked for gives English there; customer and participant pages are Arabic.
    served = page.locator("html").get_attribute("lang")
    assert served in (lang, "de", "en"), f"{path}: served in {served}"
    assert page.locator("html").get_attribute("dir") == ("rtl" if served == "ar" else "ltr")
    assert_accessible(page, f"{path} [{lang}]")
    reflows(page, f"{path} [{lang}]")


def _check_all(page, demo, paths, lang, assert_accessible, reflows) -> None:
    for path in paths:
        check(page, demo.base, path, lang, assert_accessible, reflows)


def _first_id(demo: Any, table: Any, column: str = "id") -> Any:
    with demo.instance.db.read() as s:
        return s.execute(select(table.c[column]).order_by(table.c.id)).scalars().first()


@pytest.mark.parametrize("lang", LANGS)
def test_selbstcheck_staff_pages(
    page, demo, lang, log_in, assert_accessible, assert_reflows_at_320px
):
    from willkommen_plugins.selbstcheck import store

    rounds = store.list_rounds(demo.instance.db)
    closed = next(r.id for r in rounds if r.status == "closed")
    open_ = next(r.id for r in rounds if r.status == "open")
    staff_login(page, demo, log_in)
    paths = [
        "/selbstcheck/",
        "/selbstcheck/runden/neu",
        f"/selbstcheck/runden/{open_}",
        f"/selbstcheck/runden/{closed}",
        f"/selbstcheck/runden/{closed}/ergebnisse",
        f"/selbstcheck/runden/{closed}/bericht",
        "/selbstcheck/vergleich",
    ]
    _check_all(page, demo, paths, lang, assert_accessible, assert_reflows_at_320px)


@pytest.mark.parametrize("lang", LANGS)
def test_selbstcheck_participation_pages(
    page, demo, lang, assert_accessible, assert_reflows_at_320px
):
    """Code entry, start, every cornerstone page and the review, logged out."""
    from willkommen_plugins.selbstcheck import store

    rnd = next(r for r in store.list_rounds(demo.instance.db) if r.status == "open")
    q = store.questionnaire_of(demo.instance.db, rnd)
    paths = ["/selbstcheck/teilnahme", f"/selbstcheck/teilnahme?code={rnd.code}"]
    paths += [
        f"/selbstcheck/teilnahme?code={rnd.code}&schritt={n}"
        for n in range(1, len(q.cornerstones) + 1)
    ]
    _check_all(page, demo, paths, lang, assert_accessible, assert_reflows_at_320px)

    # The review page is only reached by answering: pick the first choice everywhere.
    page.goto(f"{demo.base}/selbstcheck/teilnahme?code={rnd.code}&lang={lang}")
    page.locator("input[name=perspective]").first.check()
    page.locator("button[name=nav][value=next]").click()
    for _ in q.cornerstones:
        for fieldset in page.locator("fieldset.item").all():
            fieldset.locator("input[type=radio]").first.check()
        page.locator("button[name=nav][value=next]").click()
    assert page.locator("button[name=nav][value=submit]").count() == 1
    assert_accessible(page, f"review [{lang}]")
    assert_reflows_at_320px(page, f"review [{lang}]")


@pytest.mark.parametrize("lang", LANGS)
def test_partner_pages(page, demo, lang, log_in, assert_accessible, assert_reflows_at_320px):
    from willkommen_plugins.partner.tables import partners

    pid = _first_id(demo, partners)
    check(page, demo.base, "/partner/hilfe", lang, assert_accessible, assert_reflows_at_320px)
    staff_login(page, demo, log_in)
    paths = [
        "/partner/",
        "/partner/neu",
        f"/partner/{pid}",
        f"/partner/{pid}/bearbeiten",
        f"/partner/{pid}/loeschen",
        "/partner/import",
    ]
    _check_all(page, demo, paths, lang, assert_accessible, assert_reflows_at_320px)


@pytest.mark.parametrize("lang", LANGS)
def test_fortbildung_pages(page, demo, lang, log_in, assert_accessible, assert_reflows_at_320px):
    from willkommen_plugins.fortbildung import survey
    from willkommen_plugins.fortbildung.tables import entries, sessions, surveys

    open_survey = survey.create(demo.instance.db, "Rückmeldung zur Schulung")
    public = ["/fortbildung/termine", f"/fortbildung/umfrage/{open_survey.code}"]
    _check_all(page, demo, public, lang, assert_accessible, assert_reflows_at_320px)
    staff_login(page, demo, log_in)
    eid, sid, vid = (_first_id(demo, t) for t in (entries, sessions, surveys))
    paths = [
        "/fortbildung/",
        "/fortbildung/katalog",
        "/fortbildung/katalog/neu",
        f"/fortbildung/katalog/{eid}",
        f"/fortbildung/katalog/{eid}/bearbeiten",
        "/fortbildung/plan",
        "/fortbildung/plan/neu",
        f"/fortbildung/plan/{sid}",
        "/fortbildung/teilnahme",
        "/fortbildung/umfragen",
        f"/fortbildung/umfragen/{vid}",
    ]
    _check_all(page, demo, paths, lang, assert_accessible, assert_reflows_at_320px)


@pytest.mark.parametrize("lang", LANGS)
def test_leitsystem_pages(page, demo, lang, log_in, assert_accessible, assert_reflows_at_320px):
    from willkommen_plugins.leitsystem.tables import rooms

    rid = _first_id(demo, rooms)
    public = ["/leitsystem/info/", "/leitsystem/info/kasse"]
    _check_all(page, demo, public, lang, assert_accessible, assert_reflows_at_320px)
    staff_login(page, demo, log_in)
    paths = [
        "/leitsystem/",
        "/leitsystem/raum/neu",
        f"/leitsystem/raum/{rid}",
        "/leitsystem/import",
        "/leitsystem/schilder",
    ]
    _check_all(page, demo, paths, lang, assert_accessible, assert_reflows_at_320px)
