"""Self-assessment journeys in a real browser, on the Magdeburg demo."""

from __future__ import annotations

import re
from typing import Any

import pytest

from willkommen_core import accounts
from willkommen_core.demo import prepare_demo
from willkommen_core.testing.instance import TEST_PASSWORD


@pytest.fixture
def demo(tmp_path, live_server) -> tuple[str, Any]:
    instance, _password = prepare_demo(tmp_path / "demo")
    accounts.create_user(instance.db, "leitung", "leitung", TEST_PASSWORD)
    return live_server(instance), instance


def _focused(page: Any) -> dict[str, str]:
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return {tag: e.tagName, type: e.type || '', name: e.name || '', value: e.value || ''}; }"
    )


def _answer_page_with_keys(page: Any, forward: str) -> None:
    """Tab through the page; in each radio group pick the second choice with
    the arrow key; press Enter on the forward button (``nav`` = ``forward``)."""
    for _ in range(300):
        page.keyboard.press("Tab")
        el = _focused(page)
        if el["type"] == "radio":
            page.keyboard.press("ArrowDown")  # moves to and checks the next choice
        elif el["tag"] == "BUTTON" and el["name"] == "nav" and el["value"] == forward:
            with page.expect_navigation():
                page.keyboard.press("Enter")
            return
    raise AssertionError(f"no button nav={forward} reached with Tab on {page.url}")


def test_staff_member_completes_the_self_assessment_with_the_keyboard_only(page, demo):
    from willkommen_plugins.selbstcheck import questionnaire, store

    base, instance = demo
    db = instance.db
    rid = store.create_round(db, questionnaire.current(instance), title="Runde 2016", mode="code")
    store.open_round(db, rid, notice="Freiwillig und anonym.")
    rnd = store.get_round(db, rid)
    q = store.questionnaire_of(db, rnd)

    page.goto(f"{base}/selbstcheck/teilnahme?code={rnd.code}")
    assert page.get_by_role("heading", level=1).inner_text() == "Selbstcheck: Runde 2016"
    _answer_page_with_keys(page, "next")  # perspective
    for cornerstone in q.cornerstones:
        heading = page.get_by_role("heading", level=1).inner_text()
        assert heading == cornerstone.label("de")
        unchecked = page.locator("fieldset.item").count()
        _answer_page_with_keys(page, "next")
        assert unchecked > 0
    assert page.get_by_role("heading", level=1).inner_text() == "Ihre Antworten prüfen"
    assert "nicht beantwortet" not in page.locator("main").inner_text()
    _answer_page_with_keys(page, "submit")

    assert page.get_by_role("heading", level=1).inner_text() == "Vielen Dank für Ihre Teilnahme!"
    assert store.response_count(db, rid).n == 1
    [response] = store.load_responses(db, rid)
    assert response.keys[0] in store.PERSPECTIVES  # (perspective, area)
    answered = {item.id for c in q.cornerstones for item in c.items}
    assert set(response.values) == answered
    assert set(response.values.values()) == {2}  # the second choice, picked by ArrowDown


def test_leadership_runs_a_round_and_turns_a_recommendation_into_a_measure(page, demo, log_in):
    from willkommen_plugins.selbstcheck import store

    base, instance = demo
    db = instance.db
    log_in(page, base, "leitung", TEST_PASSWORD)
    page.goto(f"{base}/selbstcheck/runden/neu")
    page.get_by_label("Titel").fill("Zwischenstand Herbst")
    page.locator("#f-mode-code").check()
    page.get_by_role("button", name="Runde anlegen").click()
    page.wait_for_url(re.compile(r".*/selbstcheck/runden/\d+"))
    rid = int(re.search(r"/runden/(\d+)", page.url).group(1))
    page.get_by_label(re.compile("Hinweis zur freiwilligen und anonymen Teilnahme")).check()
    page.get_by_label("Zustimmung des Personalrats am").fill("2025-09-01")
    page.get_by_label("Zustimmung der/des Datenschutzbeauftragten am").fill("2025-09-02")
    page.get_by_role("button", name="Runde öffnen").click()
    assert page.get_by_text("Teilnahmecode:").is_visible()

    # Staff answer meanwhile (through the service API): enough for every group.
    rnd = store.get_round(db, rid)
    q = store.questionnaire_of(db, rnd)
    low = {item.id: 2 for c in q.cornerstones for item in c.items}
    for n in range(12):
        store.submit(
            db,
            rid,
            code=rnd.code,
            token=None,
            perspective="leitung" if n < 6 else "mitarbeitende",
            area="",
            values=low,
            texts={},
        )
    page.reload()
    page.get_by_role("button", name="Runde abschließen").click()
    page.get_by_role("link", name="Ergebnisse ansehen").click()
    page.wait_for_url(f"{base}/selbstcheck/runden/{rid}/ergebnisse")
    assert page.get_by_role("heading", name="Empfehlungen").is_visible()

    first = page.locator("ol.recommendations > li").first
    title = first.locator("h3").inner_text()
    first.get_by_role("button", name=re.compile("Als Maßnahme übernehmen")).click()
    page.wait_for_url(re.compile(r".*/plan/\?neu=\d+.*"))
    page.goto(f"{base}/plan/")
    assert page.locator("main").get_by_text(title).count() >= 1


def test_the_trusted_person_prints_the_codes_once_and_a_colleague_uses_one(
    page, demo, log_in, assert_accessible, assert_reflows_at_320px
):
    """Leadership asks for codes, the trusted person prints them (once), a colleague answers."""
    from willkommen_plugins.selbstcheck import store

    base, instance = demo
    db = instance.db
    accounts.create_user(db, "personalrat", "vertrauensperson", TEST_PASSWORD)
    log_in(page, base, "leitung", TEST_PASSWORD)
    page.goto(f"{base}/selbstcheck/runden/neu")
    page.get_by_label("Titel").fill("Mit Zetteln")
    page.locator("#f-mode-tokens").check()
    page.get_by_role("button", name="Runde anlegen").click()
    page.wait_for_url(re.compile(r".*/selbstcheck/runden/\d+"))
    rid = int(re.search(r"/runden/(\d+)", page.url).group(1))
    page.get_by_label(re.compile("Hinweis zur freiwilligen und anonymen Teilnahme")).check()
    page.get_by_label("Zustimmung des Personalrats am").fill("2025-09-01")
    page.get_by_label("Zustimmung der/des Datenschutzbeauftragten am").fill("2025-09-02")
    page.get_by_label("Anzahl Einmal-Codes").fill("4")
    page.get_by_role("button", name="Runde öffnen").click()
    page.wait_for_url(f"{base}/selbstcheck/runden/{rid}")
    assert page.get_by_text("noch nicht gedruckt").is_visible()
    assert page.locator("strong.code").count() == 0  # leadership never sees a code
    page.context.clear_cookies()

    log_in(page, base, "personalrat", TEST_PASSWORD)
    page.get_by_role("link", name="Zu den Code-Bögen").click()
    assert_accessible(page, "code sheets")
    assert_reflows_at_320px(page, "code sheets")
    with page.expect_navigation():
        page.get_by_role("button", name="Code-Bogen jetzt drucken").click()
    codes = page.locator("strong.code").all_inner_texts()
    assert len(set(codes)) == 4
    assert_accessible(page, "code sheet")
    page.goto(f"{base}/selbstcheck/runden/{rid}/ergebnisse")
    assert page.get_by_text("Ihre Rolle hat keinen Zugriff").is_visible()
    page.goto(f"{base}/selbstcheck/codebogen/")
    assert page.locator("strong.code").count() == 0  # shown once only
    page.context.clear_cookies()

    page.goto(f"{base}/selbstcheck/teilnahme?code={codes[0]}")
    assert page.get_by_role("heading", level=1).inner_text() == "Selbstcheck: Mit Zetteln"
    assert store.token_counts(db, rid) == (4, 0)
