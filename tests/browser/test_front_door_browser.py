"""The front door in a real browser: the start page by keyboard, at 320 px and under
axe in German, Arabic and Leichte Sprache; the focused error summary; a phone
header that leaves the page title in view.

Base: the Magdeburg demo (all modules), served live.
"""

from __future__ import annotations

from typing import Any

import pytest

PHONE = {"width": 375, "height": 667}
TITLE_WITHIN = 200
"""The page title (h1) is fully in view within this many pixels from the top on a phone."""


def _focused(page: Any) -> dict[str, str]:
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return {tag: e.tagName, text: (e.innerText || '').trim(), id: e.id,"
        " href: e.getAttribute('href') || '', outline: getComputedStyle(e).outlineStyle}; }"
    )


def _tab_to(page: Any, text: str, limit: int = 40) -> dict[str, str]:
    """Press Tab until the focused element's text is ``text``; each stop shows its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = _focused(page)
        assert focused["outline"] != "none", f"no visible focus on {focused}"
        if focused["text"] == text:
            return focused
    raise AssertionError(f"{text!r} not reached with {limit} presses of Tab")


def test_the_start_page_works_by_keyboard_alone(page, demo):
    page.goto(f"{demo.base}/")
    page.keyboard.press("Tab")
    assert _focused(page)["href"] == "#main", "the skip link comes first"
    # Language: Leichte Sprache from the one selector, by keyboard.
    _tab_to(page, "Leichte Sprache")
    page.keyboard.press("Enter")
    page.wait_for_url("**/?lang=de-x-ls")
    assert page.locator("section.plain-language h2").inner_text() == "Die Seite in Leichter Sprache"
    # The first information, from the start page's own links.
    page.goto(f"{demo.base}/?lang=de")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # skip to the content
    focused = _tab_to(page, "Erstinformation")
    assert focused["href"].endswith("/leitsystem/info/")
    page.keyboard.press("Enter")
    page.wait_for_url("**/leitsystem/info/")
    # The staff login is reachable too, at the end of the menu.
    page.goto(f"{demo.base}/")
    _tab_to(page, "Anmelden für Mitarbeitende")


@pytest.mark.parametrize("lang", ["de", "ar", "de-x-ls"])
def test_the_start_page_passes_axe_and_reflows_at_320px(
    page, demo, lang, assert_accessible, assert_reflows_at_320px
):
    response = page.goto(f"{demo.base}/?lang={lang}")
    assert response is not None and response.status == 200
    html = page.locator("html")
    assert html.get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    assert html.get_attribute("lang") == ("ar" if lang == "ar" else "de")
    assert_accessible(page, f"/ [{lang}]")
    assert_reflows_at_320px(page, f"/ [{lang}]")
    # Folded on a narrow screen, then opened: still no horizontal scrolling, still clean.
    page.set_viewport_size({"width": 320, "height": 640})
    for fold in ("details.language-fold", "details.menu-fold"):
        summary = page.locator(f"{fold} > summary")
        assert summary.is_visible()
        summary.focus()
        page.keyboard.press("Enter")
        assert page.locator(fold).get_attribute("open") is not None
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"/ [{lang}] with open folds scrolls by {overflow}px at 320px"
    assert page.locator("nav.languages a[hreflang=ar]").is_visible()
    assert_accessible(page, f"/ [{lang}] at 320px with open folds")


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_on_a_phone_the_page_title_is_in_view_within_200px(page, demo, lang, log_in):
    page.set_viewport_size(PHONE)
    public = ["/", "/leitsystem/info/", "/leitsystem/info/kasse", "/barrierefreiheit"]
    public += ["/partner/hilfe", "/login", f"/selbstcheck/teilnahme?code={demo.code}"]
    heights = {}
    for path in public:
        sep = "&" if "?" in path else "?"
        page.goto(f"{demo.base}{path}{sep}lang={lang}")
        box = page.locator("h1").bounding_box()
        assert box is not None
        first_line = min(box["height"], 48)
        heights[path] = round(box["y"] + first_line)
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, demo.base, "admin", demo.password)
    page.set_viewport_size(PHONE)
    for path in ["/", "/selbstcheck/", "/plan/"]:
        page.goto(f"{demo.base}{path}?lang={'de' if lang == 'de' else 'en'}")
        box = page.locator("h1").bounding_box()
        assert box is not None
        heights[f"staff {path}"] = round(box["y"] + min(box["height"], 48))
    too_low = {p: h for p, h in heights.items() if h > TITLE_WITHIN}
    assert not too_low, f"page title below {TITLE_WITHIN}px at 375px width: {too_low}"


def test_the_error_summary_takes_the_focus_and_leads_to_the_field(page, demo, log_in):
    log_in(page, demo.base, "admin", demo.password)
    page.goto(f"{demo.base}/plan/groups/new")
    page.get_by_role("button", name="Speichern").click()
    page.wait_for_load_state()
    assert page.title().startswith("Fehler: ")
    focused = _focused(page)
    assert focused["id"] == "error-summary", f"focus is on {focused}"
    assert "Bitte korrigieren Sie folgende Angaben:" in focused["text"]
    # Tab reaches the first message's link; following it lands at the field: the next
    # Tab continues right after it (the field is the new starting point).
    page.keyboard.press("Tab")
    link = _focused(page)
    assert link["href"] == "#f-name"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#f-name"
    assert page.locator("#f-name").is_visible()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "f-name"


def test_the_error_summary_is_focused_without_javascript(browser, demo):
    context = browser.new_context(locale="de-DE", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{demo.base}/login")
        page.get_by_label("Benutzername").fill("admin")
        page.get_by_label("Passwort").fill(demo.password)
        page.get_by_role("button", name="Anmelden").click()
        page.wait_for_url(f"{demo.base}/")
        page.goto(f"{demo.base}/plan/groups/new")
        page.get_by_role("button", name="Speichern").click()
        page.wait_for_load_state()
        assert page.title().startswith("Fehler: ")
        assert page.locator("#error-summary").evaluate("e => e === document.activeElement")
    finally:
        context.close()
