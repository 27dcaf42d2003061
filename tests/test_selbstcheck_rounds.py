"""Leadership runs rounds in the web UI: create, notice and consent, open, close.

The one-time codes are printed by the trusted person (tests/test_selbstcheck_duties.py).
"""

from __future__ import annotations

import re

import pytest
from selbstcheck_support import add_responses

from willkommen_core.testing import login
from willkommen_core.testing.instance import csrf_from
from willkommen_plugins.selbstcheck import store


@pytest.fixture
def instance(make_instance):
    return make_instance(["selbstcheck"])


@pytest.fixture
def staff(instance, make_client):
    client = make_client(instance)
    login(client, instance, "leitung")
    return client


def _post(client, path, page, **data):
    return client.post(
        path, data={"csrf_token": csrf_from(page.text), **data}, follow_redirects=False
    )


def _create(staff, **fields):
    page = staff.get("/selbstcheck/runden/neu")
    return _post(staff, "/selbstcheck/runden/neu", page, **fields)


AGREED = {"staff_council": "2025-02-01", "dpo": "2025-02-03"}
"""Recorded agreement, which an instance requires by default before a round opens."""


def test_leadership_creates_a_round_sees_the_notice_and_opens_it(instance, staff):
    response = _create(staff, title="Ausgangslage 2025", mode="code", period_start="2025-03-01")
    assert response.status_code == 303
    detail_url = response.headers["location"]
    detail = staff.get(detail_url)
    assert "Runde öffnen" in detail.text
    assert "Die Teilnahme ist freiwillig und anonym" in detail.text
    assert "weniger als 5 Antworten" in detail.text
    refused = _post(staff, f"{detail_url}/oeffnen", detail, **AGREED)
    assert refused.status_code == 400 and "Bitte bestätigen Sie" in refused.text
    opened = _post(staff, f"{detail_url}/oeffnen", detail, notice_read="1", **AGREED)
    assert opened.status_code == 303
    page = staff.get(detail_url)
    rnd = store.list_rounds(instance.db)[0]
    assert rnd.status == "open" and rnd.opened_on is not None
    assert rnd.notice.startswith("Die Teilnahme ist freiwillig")
    assert rnd.display_code in page.text and "/selbstcheck/teilnahme?code=" in page.text


def test_the_instance_notice_replaces_the_standard_text(make_instance, make_client):
    instance = make_instance(
        ["selbstcheck"], selbstcheck={"notice": "Eigener Hinweis der Behörde; Minimum %(n)s."}
    )
    client = make_client(instance)
    login(client, instance, "leitung")
    _create(client, title="R", mode="code")
    rnd = store.list_rounds(instance.db)[0]
    detail = client.get(f"/selbstcheck/runden/{rnd.id}")
    assert "Eigener Hinweis der Behörde; Minimum 5." in detail.text
    _post(client, f"/selbstcheck/runden/{rnd.id}/oeffnen", detail, notice_read="1", **AGREED)
    participant = make_client(instance)
    page = participant.get("/selbstcheck/teilnahme", params={"code": rnd.code})
    assert "Eigener Hinweis der Behörde; Minimum 5." in page.text


def test_a_round_requiring_consent_opens_only_with_both_dates(make_instance, make_client):
    instance = make_instance(["selbstcheck"], selbstcheck={"require_agreement": False})
    staff = make_client(instance)
    login(staff, instance, "leitung")
    _create(staff, title="Mit Zustimmung", mode="code", require_agreement="1")
    rnd = store.list_rounds(instance.db)[0]
    assert rnd.require_agreement
    url = f"/selbstcheck/runden/{rnd.id}"
    detail = staff.get(url)
    refused = _post(staff, f"{url}/oeffnen", detail, notice_read="1", staff_council="2025-02-01")
    assert refused.status_code == 400
    assert "Datenschutzbeauftragten" in refused.text
    assert 'value="2025-02-01"' in refused.text  # input kept
    assert store.get_round(instance.db, rnd.id).status == "draft"
    ok = _post(
        staff,
        f"{url}/oeffnen",
        detail,
        notice_read="1",
        staff_council="2025-02-01",
        dpo="2025-02-03",
    )
    assert ok.status_code == 303
    rnd = store.get_round(instance.db, rnd.id)
    assert (rnd.staff_council_agreed_on.isoformat(), rnd.dpo_agreed_on.isoformat()) == (
        "2025-02-01",
        "2025-02-03",
    )


def test_opening_a_token_round_records_the_number_and_shows_no_code(instance, staff):
    _create(staff, title="Zettel", mode="tokens")
    rnd = store.list_rounds(instance.db)[0]
    url = f"/selbstcheck/runden/{rnd.id}"
    too_many = _post(
        staff, f"{url}/oeffnen", staff.get(url), notice_read="1", tokens="501", **AGREED
    )
    assert too_many.status_code == 400 and "Bitte eine Anzahl von 1 bis 500" in too_many.text
    opened = _post(staff, f"{url}/oeffnen", staff.get(url), notice_read="1", tokens="4", **AGREED)
    assert opened.status_code == 303
    rnd = store.get_round(instance.db, rnd.id)
    assert (rnd.status, rnd.tokens_requested, rnd.code_sheets) == ("open", 4, 0)
    assert store.token_counts(instance.db, rnd.id) == (0, 0)  # no code exists yet
    page = staff.get(url)
    assert "die Vertrauensperson hat den Code-Bogen noch nicht gedruckt" in page.text
    assert not re.search(r'<strong class="code">', page.text)


def test_bad_round_input_is_reported_per_field_and_kept(instance, staff):
    response = _create(staff, title="", mode="code", period_start="2025-13-01")
    assert response.status_code == 400
    assert "Bitte geben Sie einen Titel an." in response.text
    assert "JJJJ-MM-TT" in response.text and 'value="2025-13-01"' in response.text
    assert store.list_rounds(instance.db) == []


def test_closing_a_round_shows_the_count_and_opens_results(instance, staff):
    _create(staff, title="R", mode="code")
    rnd = store.list_rounds(instance.db)[0]
    url = f"/selbstcheck/runden/{rnd.id}"
    _post(staff, f"{url}/oeffnen", staff.get(url), notice_read="1", **AGREED)
    add_responses(instance, store.get_round(instance.db, rnd.id), 6)
    page = staff.get(url)
    assert "<dt>Teilnahmen</dt><dd>5 bis 9</dd>" in page.text  # open: only coarsely
    assert _post(staff, f"{url}/schliessen", page).status_code == 303
    page = staff.get(url)
    assert "<dt>Teilnahmen</dt><dd>6</dd>" in page.text
    assert "abgeschlossen" in page.text and f"{url}/ergebnisse" in page.text
    assert staff.get(f"{url}/ergebnisse").status_code == 200


def test_only_leadership_and_admin_reach_the_management_pages(instance, make_client):
    editor = make_client(instance)
    login(editor, instance, "redaktion")
    assert editor.get("/selbstcheck/").status_code == 403
    anonymous = make_client(instance)
    assert anonymous.get("/selbstcheck/", follow_redirects=False).status_code == 303
    assert anonymous.get("/selbstcheck/teilnahme").status_code == 200
    admin = make_client(instance)
    login(admin, instance, "admin")
    assert admin.get("/selbstcheck/").status_code == 200


def test_a_draft_can_be_deleted_an_open_round_cannot(instance, staff):
    _create(staff, title="Weg damit", mode="code")
    rnd = store.list_rounds(instance.db)[0]
    url = f"/selbstcheck/runden/{rnd.id}"
    assert _post(staff, f"{url}/loeschen", staff.get(url)).status_code == 303
    assert store.list_rounds(instance.db) == []
    _create(staff, title="Bleibt", mode="code")
    rnd = store.list_rounds(instance.db)[0]
    url = f"/selbstcheck/runden/{rnd.id}"
    _post(staff, f"{url}/oeffnen", staff.get(url), notice_read="1", **AGREED)
    assert _post(staff, f"{url}/loeschen", staff.get(url)).status_code == 409
