"""Taking part: no account, no JavaScript, one page per cornerstone, anonymous storage."""

from __future__ import annotations

import base64
import binascii
import contextlib
import re
import zlib
from html import unescape

import pytest
from selbstcheck_support import add_responses, open_round, open_token_round, table_counts
from sqlalchemy import Date, DateTime, inspect

from willkommen_core.domain import CORNERSTONE_IDS
from willkommen_core.testing.instance import csrf_from
from willkommen_plugins.selbstcheck import store
from willkommen_plugins.selbstcheck.tables import comments, responses, tokens

START = "/selbstcheck/teilnahme"


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden field {name}"
    return unescape(match.group(1))


def _items_on(html: str) -> list[str]:
    return list(dict.fromkeys(re.findall(r'name="a_([a-z0-9_]+)"', html)))


class Participant:
    """Walks the participation pages like a browser without JavaScript."""

    def __init__(self, client):
        self.client = client
        self.page = None

    def start(self, code: str):
        self.page = self.client.get(START, params={"code": code})
        return self.page

    def post(self, nav: str = "next", **fields):
        html = self.page.text
        data = {
            "csrf_token": csrf_from(html),
            "state": _hidden(html, "state"),
            "step": _hidden(html, "step"),
            "nav": nav,
            **fields,
        }
        self.page = self.client.post(START, data=data)
        return self.page

    def answer_page(self, value: str = "4", **extra):
        return self.post(**{f"a_{i}": value for i in _items_on(self.page.text)}, **extra)

    def complete(self, code: str, perspective="mitarbeitende", value="4", area=""):
        self.start(code)
        self.post(perspective=perspective, area=area)
        for _cid in CORNERSTONE_IDS:
            assert self.page.status_code == 200, self.page.text
            self.answer_page(value)
        assert "Ihre Antworten prüfen" in self.page.text
        return self.post("submit")


@pytest.fixture
def instance(make_instance):
    return make_instance(["selbstcheck"])


@pytest.fixture
def participant(instance, make_client):
    return Participant(make_client(instance))


def test_a_full_participation_stores_one_anonymous_response(instance, participant):
    rnd = open_round(instance)
    first = participant.start(rnd.display_code)
    assert first.status_code == 200
    assert "Hinweis zur Teilnahme" in first.text and "freiwillig" in first.text
    assert "<script" not in first.text
    page = participant.post(perspective="leitung", area="EDV")
    assert "<h1>Kundenorientierte Binnenorganisation</h1>" in page.text
    assert 'value="2" aria-labelledby="progress-label"' in page.text  # step 2 of 7
    assert "kann ich nicht beurteilen" in page.text
    for _cid in CORNERSTONE_IDS:
        page = participant.answer_page("5")
    assert "Ihre Antworten prüfen" in page.text and "5 – trifft voll zu" in page.text
    # Nothing reaches the database before the final submit.
    assert table_counts(instance)["selbstcheck_responses"] == 0
    done = participant.post("submit")
    assert done.status_code == 200 and "Vielen Dank" in done.text
    counts = table_counts(instance)
    assert counts["selbstcheck_responses"] == 1
    assert counts["selbstcheck_answers"] == len(store.questionnaire_of(instance.db, rnd).items)
    loaded = store.load_responses(instance.db, rnd.id)
    assert loaded[0].keys == ("leitung", "EDV")
    assert set(loaded[0].values.values()) == {5}


def test_a_missing_answer_keeps_the_others_and_names_the_item(instance, participant):
    rnd = open_round(instance)
    participant.start(rnd.code)
    page = participant.post(perspective="mitarbeitende")
    ids = _items_on(page.text)
    answers = {f"a_{i}": "2" for i in ids[1:]}
    page = participant.post(**answers, k_binnenorganisation="Mehr Platz im Wartebereich")
    assert page.status_code == 400
    assert "Bitte korrigieren Sie folgende Angaben" in page.text
    assert f'href="#f-a_{ids[0]}"' in page.text
    assert page.text.count('value="2" checked') == len(ids) - 1
    assert "Mehr Platz im Wartebereich" in page.text
    page = participant.post(**{f"a_{ids[0]}": "x"})
    assert "<h1>Verankerung</h1>" in page.text


def test_going_back_keeps_answers_and_the_choice_of_perspective(instance, participant):
    rnd = open_round(instance)
    participant.start(rnd.code)
    participant.post(perspective="leitung")
    participant.answer_page("1")
    page = participant.post("back")
    assert "<h1>Kundenorientierte Binnenorganisation</h1>" in page.text
    assert 'value="1" checked' in page.text
    page = participant.post("back")
    assert 'value="leitung" checked' in page.text


def test_switching_language_midway_keeps_the_answers(instance, participant):
    rnd = open_round(instance)
    participant.start(rnd.code)
    participant.post(perspective="leitung")
    html = participant.page.text
    ids = _items_on(html)
    data = {
        "csrf_token": csrf_from(html),
        "state": _hidden(html, "state"),
        "step": _hidden(html, "step"),
        "nav": "stay",
        **{f"a_{i}": "3" for i in ids},
    }
    page = participant.client.post(f"{START}?lang=en", data=data)
    assert '<html lang="en"' in page.text
    assert "Customers get an appointment within a reasonable time." in page.text
    assert page.text.count('value="3" checked') == len(ids)


def test_the_review_page_refuses_an_incomplete_submission(instance, participant):
    rnd = open_round(instance)
    participant.start(rnd.code)
    participant.post(perspective="mitarbeitende")
    # Jump straight to the review (as a crafted request could): nothing stored.
    page = participant.post("edit:review")
    page = participant.post("submit")
    assert page.status_code == 400
    assert "nicht beantwortet" in page.text
    assert table_counts(instance)["selbstcheck_responses"] == 0


def test_unknown_code_closed_round_and_draft_round_get_clear_messages(instance, participant):
    page = participant.client.get(START, params={"code": "ABCD-EFGH"})
    assert page.status_code == 403 and "Diesen Code kennen wir nicht" in page.text
    rnd = open_round(instance)
    store.close_round(instance.db, rnd.id)
    page = participant.client.get(START, params={"code": rnd.code})
    assert page.status_code == 409 and "Diese Runde ist abgeschlossen" in page.text
    assert table_counts(instance)["selbstcheck_responses"] == 0


def test_a_round_closed_while_someone_answers_stores_nothing(instance, participant):
    rnd = open_round(instance)
    participant.start(rnd.code)
    participant.post(perspective="mitarbeitende")
    store.close_round(instance.db, rnd.id)
    page = participant.answer_page("3")
    assert page.status_code == 409 and "abgeschlossen" in page.text
    assert table_counts(instance)["selbstcheck_responses"] == 0


def test_a_one_time_code_works_once(instance, make_client):
    rnd, codes = open_token_round(instance, 3)
    first = Participant(make_client(instance))
    assert "Vielen Dank" in first.complete(codes[0].lower().replace("-", " ")).text
    second = Participant(make_client(instance))
    page = second.start(codes[0])
    assert page.status_code == 409 and "bereits verwendet" in page.text
    assert store.token_counts(instance.db, rnd.id) == (3, 1)
    assert table_counts(instance)["selbstcheck_responses"] == 1


def test_a_one_time_code_used_in_another_tab_meanwhile_stores_nothing_twice(instance, make_client):
    _rnd, codes = open_token_round(instance, 1)
    a, b = Participant(make_client(instance)), Participant(make_client(instance))
    for p in (a, b):
        p.start(codes[0])
        p.post(perspective="mitarbeitende")
        for _cid in CORNERSTONE_IDS:
            p.answer_page("2")
    assert a.post("submit").status_code == 200
    page = b.post("submit")
    assert page.status_code == 409 and "bereits verwendet" in page.text
    assert table_counts(instance)["selbstcheck_responses"] == 1


def test_a_tampered_state_is_refused(instance, participant):
    rnd = open_round(instance)
    participant.start(rnd.code)
    html = participant.page.text
    page = participant.client.post(
        START,
        data={
            "csrf_token": csrf_from(html),
            "state": _hidden(html, "state") + "x",
            "step": "review",
            "nav": "submit",
        },
    )
    assert page.status_code == 400 and "nicht gelesen werden" in page.text


def test_the_storage_cannot_identify_or_link_anyone(instance, participant):
    """No name, IP, user agent, token, day or time; tokens unlinked to answers
    (the files themselves: tests/test_storage_unlinkable.py)."""
    _rnd, codes = open_token_round(instance, 2)
    participant.complete(codes[0])
    columns = {t.name: {c.name for c in t.columns} for t in (responses, tokens, comments)}
    assert columns["selbstcheck_responses"] == {"id", "round_id", "perspective", "area"}
    assert columns["selbstcheck_tokens"] == {"token_hash", "round_id", "used"}
    assert "response_id" not in columns["selbstcheck_comments"]
    for table in (responses, tokens, comments):
        assert not any(isinstance(c.type, Date | DateTime) for c in table.columns)
    db_columns = {
        c["name"]
        for t in inspect(instance.db.engine).get_table_names()
        if t.startswith("selbstcheck_") and t != "selbstcheck_rounds"
        for c in inspect(instance.db.engine).get_columns(t)
    }
    assert not db_columns & {"ip", "user_agent", "name", "token", "created_at", "submitted_at"}
    # The response key is random, not a counter.
    with instance.db.read() as s:
        key = s.execute(responses.select()).first().id
    assert re.fullmatch(r"[0-9a-f]{32}", key)
    if instance.db.dialect == "sqlite":
        with instance.db.engine.connect() as conn:
            sql = conn.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = 'selbstcheck_responses'"
            ).scalar()
        assert "WITHOUT ROWID" in sql


def test_comments_are_stored_apart_and_shown_escaped(instance, participant, make_client):
    from willkommen_core.testing import login

    rnd = open_round(instance)
    participant.start(rnd.code)
    participant.post(perspective="mitarbeitende")
    participant.answer_page("4", k_binnenorganisation="<script>alert(1)</script> Wartebereich")
    for _cid in CORNERSTONE_IDS[1:]:
        participant.answer_page("4")
    participant.post("submit")
    add_responses(instance, rnd, 5, value=4)
    store.close_round(instance.db, rnd.id)
    staff = make_client(instance)
    login(staff, instance, "leitung")
    page = staff.get(f"/selbstcheck/runden/{rnd.id}/ergebnisse")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Wartebereich" in page.text
    assert "<script>alert(1)" not in page.text


def test_participation_chrome_is_translated_for_staff_languages(instance, make_client):
    client = make_client(instance)
    rnd = open_round(instance)
    p = Participant(client)
    page = client.get(START, params={"code": rnd.code, "lang": "uk"})
    assert 'lang="uk"' in page.text
    p.page = page
    page = p.post(perspective="mitarbeitende")
    assert "повністю" in page.text or "Далі" in page.text  # scale or button in Ukrainian
    page = client.get(START, params={"code": rnd.code, "lang": "ar"})
    assert 'dir="rtl"' in page.text


def _decodings(value: str) -> list[bytes]:
    """The hidden value as it is and under every base64 variant an onlooker would try."""
    out = [value.encode()]
    for part in [value, *value.replace("~", ".").split(".")]:
        padded = part + "=" * (-len(part) % 4)
        for decode in (base64.urlsafe_b64decode, base64.b64decode):
            try:
                raw = decode(padded)
            except (ValueError, binascii.Error):
                continue
            out.append(raw)
            with contextlib.suppress(zlib.error):
                out.append(zlib.decompress(raw))
    return out


def test_the_hidden_state_reveals_neither_code_nor_answers(instance, participant):
    """Issue 12: the state between pages is encrypted, not only signed."""
    rnd = open_round(instance)
    participant.start(rnd.code)
    participant.post(perspective="mitarbeitende")
    items = _items_on(participant.page.text)
    assert items
    participant.answer_page("4")
    state = _hidden(participant.page.text, "state")
    secrets_shown = [rnd.code.encode(), *(i.encode() for i in items), b"mitarbeitende"]
    for raw in _decodings(state):
        for secret in secrets_shown:
            assert secret not in raw, f"{secret!r} readable in the hidden state"
    # Still authenticated: one flipped character is refused like before.
    flipped = state[:-2] + ("A" if state[-2] != "A" else "B") + state[-1]
    page = participant.client.post(
        START,
        data={
            "csrf_token": csrf_from(participant.page.text),
            "state": flipped,
            "step": _hidden(participant.page.text, "step"),
            "nav": "next",
        },
    )
    assert page.status_code == 400 and "nicht gelesen werden" in page.text
