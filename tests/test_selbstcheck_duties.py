"""Separation of duties for one-time codes, coarse counts of open rounds, sign-off (issue 11).

The attacker is leadership (results, API tokens) or IT (``admin``): whoever
can read results must never hold an unused one-time code, or it could pad a
small group with known answers and subtract them again. Only the trusted
person (role ``vertrauensperson``) prints codes, each sheet once, and sees
nothing else. While a round is open its counts show only as bands. A round
opens only with the recorded agreement of staff council and data protection
officer (by default), never dated in the future.
"""

from __future__ import annotations

import re
import shutil
import threading
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from selbstcheck_support import (
    API,
    add_responses,
    answer_all,
    bearer,
    open_round,
    open_token_round,
)
from sqlalchemy import select

from willkommen_core.disclosure import Headcount
from willkommen_core.disclosure.participation import coarse_count, shown_count
from willkommen_core.testing import login
from willkommen_core.testing.instance import csrf_from
from willkommen_core.web.api import ApiRoute
from willkommen_core.web.routing import CSRF_HEADER, Page
from willkommen_plugins.selbstcheck import questionnaire as qmod
from willkommen_plugins.selbstcheck import store
from willkommen_plugins.selbstcheck.settings import SelbstcheckSettings
from willkommen_plugins.selbstcheck.tables import tokens

CHAR = f"[{store.ALPHABET}]"
CODE = re.compile(rf"{CHAR}{{4}}-{CHAR}{{4}}-{CHAR}{{4}}")
AGREED = {"staff_council": "2025-02-01", "dpo": "2025-02-03"}
AGREED_API = {"staff_council_agreed_on": "2025-02-01", "dpo_agreed_on": "2025-02-03"}
FUTURE = "liegt in der Zukunft"


@pytest.fixture
def instance(make_instance):
    return make_instance(["selbstcheck"])


@pytest.fixture
def as_role(instance, make_client):
    """``as_role(role)``: a client logged in with ``role``."""

    def make(role: str) -> Any:
        client = make_client(instance)
        login(client, instance, role)
        return client

    return make


def _post(client: Any, path: str, page: Any = None, **data: str) -> Any:
    page = page if page is not None else client.get("/")
    return client.post(
        path, data={"csrf_token": csrf_from(page.text), **data}, follow_redirects=False
    )


def _hashes(instance: Any) -> set[str]:
    with instance.db.read() as s:
        return set(s.execute(select(tokens.c.token_hash)).scalars())


def _codes_in(text: str, hashes: set[str]) -> set[str]:
    """The valid one-time codes that appear in ``text``."""
    return {c for c in CODE.findall(text) if store.token_hash(c) in hashes}


def _create_and_open(leitung: Any, title: str, count: int, **agreed: str) -> tuple[int, Any]:
    """Leadership creates and opens a round with one-time codes; the id and the answer."""
    created = _post(leitung, "/selbstcheck/runden/neu", title=title, mode="tokens")
    url = created.headers["location"]
    opened = _post(
        leitung,
        f"{url}/oeffnen",
        leitung.get(url),
        notice_read="1",
        tokens=str(count),
        **(agreed or AGREED),
    )
    return int(url.rsplit("/", 1)[1]), opened


def _print(trusted: Any, round_id: int, more: int | None = None) -> Any:
    if more is None:
        return _post(trusted, f"/selbstcheck/codebogen/{round_id}")
    return _post(
        trusted, f"/selbstcheck/codebogen/{round_id}/weitere", **{f"tokens_{round_id}": str(more)}
    )


def _every_route(
    client: Any, round_ids: list[int], *, closing: bool = False
) -> list[tuple[str, Any]]:
    """Every GET of the app and every selbstcheck POST (web and API), per round id,
    as the client's role with a valid CSRF token; ``closing``: only the POSTs
    that close or delete rounds, else all but those."""
    csrf = csrf_from(client.get("/").text)
    calls = []
    for prefix, route in _routes(client.app.routes):
        if not isinstance(route, Page | ApiRoute) or route.public:
            continue
        for method in sorted((route.methods or set()) - {"HEAD"}):
            if method != "GET" and "selbstcheck" not in prefix:
                continue  # logout, accounts, plugins: they cannot reach a code
            for rid in round_ids:
                params = {p: str(rid) for p in route.param_convertors}
                calls.append((method, prefix + route.path_format.format(**params)))
    answers = []
    last = ("schliessen", "loeschen", "close")
    for method, url in sorted(set(calls), key=lambda c: (c[1].endswith(last), c)):
        if closing != (method != "GET" and url.endswith(last)):
            continue
        if method == "GET":
            response = client.get(url, follow_redirects=True)
        elif url.startswith("/api/"):
            body = {"title": "Angriff", "mode": "tokens", "tokens": 5, **AGREED_API}
            response = client.post(url, json=body, headers={CSRF_HEADER: csrf})
        else:
            data = {
                "csrf_token": csrf,
                "title": "Angriff",
                "mode": "tokens",
                "tokens": "5",
                "notice_read": "1",
                **AGREED,
                **{f"tokens_{rid}": "5" for rid in round_ids},
            }
            response = client.post(url, data=data, follow_redirects=True)
        answers.append((f"{method} {url}", response))
    return answers


def _routes(routes: list[Any], prefix: str = "") -> list[tuple[str, Any]]:
    from starlette.routing import Mount

    found = []
    for route in routes:
        if isinstance(route, Mount) and hasattr(route, "routes") and route.routes:
            found += _routes(route.routes, prefix + route.path)
        else:
            found.append((prefix, route))
    return found


# -- only the trusted person ever sees a code -------------------------------------------


@pytest.mark.parametrize("attacker", ["leitung", "admin"])
def test_leadership_and_admin_never_obtain_a_code_by_any_route(instance, as_role, attacker):
    leitung, trusted, client = as_role("leitung"), as_role("vertrauensperson"), as_role(attacker)
    printed_round, opening = _create_and_open(leitung, "Ausgedruckt", 6)
    waiting_round, _ = _create_and_open(leitung, "Wartet", 4)
    api_round = client.post(
        f"{API}/rounds",
        json={"title": "Per API", "mode": "tokens", "tokens": 3, **AGREED_API},
        headers={CSRF_HEADER: csrf_from(client.get("/").text)},
    )
    sheet = _print(trusted, printed_round)  # codes exist from now on
    rounds = [printed_round, waiting_round, api_round.json()["id"]]
    seen = [("opening", opening), ("creating by API", api_round)]
    seen += _every_route(client, rounds)
    hashes = _hashes(instance)
    leaks = {what: _codes_in(r.text, hashes) for what, r in seen if _codes_in(r.text, hashes)}
    assert leaks == {}
    assert api_round.status_code == 201 and api_round.json()["tokens"] is None
    # The check can see codes: the trusted person's sheet has them, and nobody made others.
    assert sheet.status_code == 200 and len(_codes_in(sheet.text, hashes)) == 6 == len(hashes)
    closing = _every_route(client, rounds, closing=True)  # (closing deletes a round's codes)
    assert not any(_codes_in(r.text, hashes) for _, r in closing)
    for what, response in seen + closing:
        if "/codebogen/" in what:
            assert response.status_code == 403, what  # admin too: the page is exclusive


def test_the_trusted_person_reaches_only_the_code_sheets(instance, as_role, make_client):
    rnd = open_round(instance)
    add_responses(instance, rnd, 6)
    store.close_round(instance.db, rnd.id)
    trusted = as_role("vertrauensperson")
    for url in [
        "/selbstcheck/",
        "/selbstcheck/runden/neu",
        f"/selbstcheck/runden/{rnd.id}",
        f"/selbstcheck/runden/{rnd.id}/ergebnisse",
        f"/selbstcheck/runden/{rnd.id}/bericht",
        f"/selbstcheck/runden/{rnd.id}/ergebnisse.csv",
        f"/selbstcheck/runden/{rnd.id}/ergebnisse.json",
        "/selbstcheck/vergleich",
    ]:
        assert trusted.get(url).status_code == 403, url
    api = make_client(instance)
    headers = bearer(instance, "vertrauensperson")
    assert api.get(f"{API}/rounds/{rnd.id}/results", headers=headers).status_code == 403
    home = trusted.get("/")
    assert "/selbstcheck/codebogen/" in home.text and "Teilnahmen" not in home.text
    assert trusted.get("/selbstcheck/codebogen/").status_code == 200


def test_a_code_sheet_is_printed_once_and_each_further_batch_once(instance, as_role):
    leitung, trusted = as_role("leitung"), as_role("vertrauensperson")
    rid, _ = _create_and_open(leitung, "Zettel", 6)
    listing = trusted.get("/selbstcheck/codebogen/")
    assert "Zettel" in listing.text and "Angefordert: 6 Einmal-Codes" in listing.text
    first = _print(trusted, rid)
    assert first.status_code == 200 and first.headers["cache-control"] == "no-store"
    codes = _codes_in(first.text, _hashes(instance))
    assert len(codes) == 6
    again = _print(trusted, rid)
    assert again.status_code == 409 and "bereits gedruckt" in again.text
    assert not CODE.search(again.text) and not CODE.search(
        trusted.get("/selbstcheck/codebogen/").text
    )
    more = _print(trusted, rid, more=2)
    extra = _codes_in(more.text, _hashes(instance))
    assert more.headers["cache-control"] == "no-store" and len(extra) == 2
    resent = _print(trusted, rid, more=2)  # a reload sends the form again: a new batch
    assert not _codes_in(resent.text, _hashes(instance)) & (codes | extra)
    too_many = _print(trusted, rid, more=500)
    assert too_many.status_code == 400 and "Bitte eine Anzahl von 1 bis 490" in too_many.text
    assert store.token_counts(instance.db, rid) == (10, 0)
    assert store.get_round(instance.db, rid).code_sheets == 3
    page = leitung.get(f"/selbstcheck/runden/{rid}")
    assert "10 gedruckt (Bögen: 3)" in page.text and not CODE.search(page.text)


def test_two_concurrent_prints_of_a_sheet_give_codes_once(instance):
    rid = store.create_round(instance.db, qmod.current(instance), title="R", mode="tokens")
    store.open_round(instance.db, rid, notice="Hinweis", tokens_count=5)
    barrier = threading.Barrier(2)
    outcomes: list[Any] = []

    def attempt() -> None:
        barrier.wait()
        try:
            outcomes.append(store.print_sheet(instance.db, rid))
        except store.Refused as exc:
            outcomes.append(exc.kind)

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(type(o).__name__ for o in outcomes) == ["list", "str"]
    assert "sheet_printed" in outcomes and store.token_counts(instance.db, rid) == (5, 0)


def test_no_sheet_for_a_draft_a_closed_or_a_shared_code_round(instance, as_role):
    trusted = as_role("vertrauensperson")
    q = qmod.current(instance)
    draft = store.create_round(instance.db, q, title="Entwurf", mode="tokens")
    assert _print(trusted, draft).status_code == 409
    closed = store.create_round(instance.db, q, title="Zu", mode="tokens")
    store.open_round(instance.db, closed, notice="Hinweis", tokens_count=3)
    store.close_round(instance.db, closed)
    assert _print(trusted, closed).status_code == 409
    shared = open_round(instance)
    assert _print(trusted, shared.id).status_code == 404
    assert _hashes(instance) == set()


def test_leadership_cannot_pad_a_small_group(instance, as_role, make_client):
    """The padding attack: keep codes, answer into a group where one colleague
    answered, let it reach the minimum, subtract the known answers. Leadership
    holds no code at any point, so not one answer of its own gets in."""
    leitung, trusted = as_role("leitung"), as_role("vertrauensperson")
    rid, opening = _create_and_open(leitung, "Klein", 10)
    rnd = store.get_round(instance.db, rid)
    seen = _every_route(leitung, [rid])
    candidates = set(CODE.findall(opening.text + "".join(r.text for _, r in seen)))
    api = make_client(instance)
    own = {
        "perspective": "mitarbeitende",
        "area": "EDV",
        "answers": answer_all(instance, rnd, 5),
    }
    url = f"{API}/rounds/{rid}/responses"
    stored = [api.post(url, json={"token": c, **own}).status_code for c in candidates]
    assert 201 not in stored
    # Meanwhile the trusted person prints the sheet and a colleague answers.
    handed_out = sorted(_codes_in(_print(trusted, rid).text, _hashes(instance)))
    store.submit(
        instance.db,
        rid,
        code=None,
        token=handed_out[0],
        perspective="mitarbeitende",
        area="EDV",
        values=answer_all(instance, rnd, 2),
        texts={},
    )
    seen = _every_route(leitung, [rid])
    candidates = set(CODE.findall("".join(r.text for _, r in seen)))
    assert [api.post(url, json={"token": c, **own}).status_code for c in candidates] == []
    assert [r.values for r in store.load_responses(instance.db, rid)] == [
        answer_all(instance, rnd, 2)
    ]


# -- coarse counts while a round is open ---------------------------------------------------


@given(n=st.integers(0, 100_000), min_size=st.integers(3, 50))
def test_a_band_holds_the_count_and_hides_at_least_min_size_arrivals(n, min_size):
    band = coarse_count(n, min_size)
    assert band.low <= n < band.below
    assert (band.low == 0) == (n < min_size)
    assert band.below - band.low >= min_size  # one more answer inside a band changes nothing
    assert coarse_count(band.low, min_size) == band == coarse_count(band.below - 1, min_size)
    assert coarse_count(band.below, min_size).low == band.below  # bands tile the counts
    assert band.as_json() == {"at_least": band.low, "below": band.below}


def test_band_labels_read_like_the_issue():
    assert [coarse_count(n, 5).label() for n in (0, 4, 5, 9, 10, 19, 20)] == [
        "weniger als 5",
        "weniger als 5",
        "5 bis 9",
        "5 bis 9",
        "10 bis 19",
        "10 bis 19",
        "20 bis 49",
    ]
    assert shown_count(Headcount(7), 5, closed=False) == "5 bis 9"
    assert shown_count(Headcount(7), 5, closed=True) == shown_count(7, 5, closed=True) == "7"


def test_leadership_watching_an_open_round_cannot_tell_one_more_answer(instance, as_role):
    leitung = as_role("leitung")
    shared = open_round(instance, title="Gemeinsamer Code")
    rnd, codes = open_token_round(instance, 12, title="Zettel")
    rid = rnd.id
    pages = ["/", "/selbstcheck/", f"/selbstcheck/runden/{shared.id}", f"/selbstcheck/runden/{rid}"]
    views: dict[Any, list[str]] = {}
    for n in range(12):
        now = [leitung.get(p).text for p in pages]
        band = coarse_count(n, 5)
        assert views.setdefault(band, now) == now, f"answer {n} showed"
        add_responses(instance, shared, 1)
        store.submit(
            instance.db,
            rid,
            code=None,
            token=codes[n],
            perspective="leitung",
            area="",
            values=answer_all(instance, rnd, 3),
            texts={},
        )
    assert len({tuple(v) for v in views.values()}) == 3  # weniger als 5, 5 bis 9, 10 bis 19
    assert "10 bis 19" in leitung.get(f"/selbstcheck/runden/{rid}").text
    store.close_round(instance.db, rid)
    closed = leitung.get(f"/selbstcheck/runden/{rid}").text
    assert "<dt>Teilnahmen</dt><dd>12</dd>" in closed and "12 gedruckt" in closed


# -- sign-off before a round opens -------------------------------------------------------------


def test_agreement_is_required_by_default():
    assert SelbstcheckSettings().require_agreement is True


def test_the_web_refuses_to_open_without_agreement_or_with_a_future_date(instance, as_role):
    leitung = as_role("leitung")
    created = _post(leitung, "/selbstcheck/runden/neu", title="R", mode="code")
    url = created.headers["location"]
    refused = _post(leitung, f"{url}/oeffnen", leitung.get(url), notice_read="1")
    assert refused.status_code == 400
    assert re.search(
        r'id="f-staff_council-error">Bitte das Datum der Zustimmung des Personalrats', refused.text
    )
    assert re.search(r'id="f-dpo-error">Bitte das Datum der Zustimmung der/des Daten', refused.text)
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    future = _post(
        leitung,
        f"{url}/oeffnen",
        leitung.get(url),
        notice_read="1",
        staff_council=tomorrow,
        dpo="2025-01-01",
    )
    assert future.status_code == 400
    assert re.search(rf'id="f-staff_council-error">Dieses Datum {FUTURE}', future.text)
    assert f'value="{tomorrow}"' in future.text  # the input is kept
    rid = int(url.rsplit("/", 1)[1])
    assert store.get_round(instance.db, rid).status == "draft"
    today = date.today().isoformat()
    ok = _post(
        leitung, f"{url}/oeffnen", leitung.get(url), notice_read="1", staff_council=today, dpo=today
    )
    assert ok.status_code == 303 and store.get_round(instance.db, rid).agreement_recorded


def test_the_api_opens_a_round_only_with_agreement_none_in_the_future(instance, make_client):
    client = make_client(instance)
    headers = bearer(instance)
    missing = client.post(
        f"{API}/rounds", json={"title": "x", "dpo_agreed_on": "2025-01-01"}, headers=headers
    )
    assert missing.status_code == 422
    assert missing.json()["error"].startswith("invalid request: staff_council_agreed_on: required")
    assert store.list_rounds(instance.db) == []

    @settings(max_examples=20, deadline=None, database=None)
    @given(council=st.integers(-3650, 3650), dpo=st.integers(-3650, 3650))
    def attempt(council: int, dpo: int) -> None:
        before = len(store.list_rounds(instance.db))
        days = {"staff_council_agreed_on": council, "dpo_agreed_on": dpo}
        body = {k: (date.today() + timedelta(days=v)).isoformat() for k, v in days.items()}
        made = client.post(f"{API}/rounds", json={"title": "x", **body}, headers=headers)
        late = sorted(k for k, v in days.items() if v > 0)
        if late:
            assert made.status_code == 422
            assert sorted(d["field"] for d in made.json()["details"]) == late
            assert "lies in the future" in made.json()["error"]
            assert len(store.list_rounds(instance.db)) == before  # nothing created
        else:
            assert made.status_code == 201
            assert store.get_round(instance.db, made.json()["id"]).agreement_recorded

    attempt()


def test_the_store_refuses_a_future_date_whoever_calls_it(instance):
    rid = store.create_round(instance.db, qmod.current(instance), title="R", mode="code")
    with pytest.raises(store.Refused) as refused:
        store.open_round(
            instance.db, rid, notice="", dpo_agreed_on=date.today() + timedelta(days=1)
        )
    assert refused.value.kind == "agreement_future"
    with pytest.raises(store.Refused) as missing:
        store.open_round(instance.db, rid, notice="", require_agreement=True)
    assert missing.value.kind == "agreement_missing"
    assert store.get_round(instance.db, rid).status == "draft"


def test_results_say_when_no_agreement_was_recorded(make_instance, make_client):
    instance = make_instance(["selbstcheck"], selbstcheck={"require_agreement": False})
    client = make_client(instance)
    login(client, instance, "leitung")
    without = open_round(instance, title="Ohne")
    rid = store.create_round(instance.db, qmod.current(instance), title="Mit", mode="code")
    store.open_round(
        instance.db,
        rid,
        notice="",
        staff_council_agreed_on=date(2025, 1, 2),
        dpo_agreed_on=date(2025, 1, 3),
    )
    with_agreement = store.get_round(instance.db, rid)
    notice = "keine Zustimmung des Personalrats und der/des Datenschutzbeauftragten erfasst"
    for rnd, shown in ((without, True), (with_agreement, False)):
        add_responses(instance, rnd, 6)
        store.close_round(instance.db, rnd.id)
        page = client.get(f"/selbstcheck/runden/{rnd.id}/ergebnisse")
        assert page.status_code == 200 and (notice in page.text) is shown, rnd.title


# -- a shared code offers only the whole authority ------------------------------------------


def test_a_shared_code_round_says_it_offers_no_breakdown(instance, as_role):
    leitung = as_role("leitung")
    form = leitung.get("/selbstcheck/runden/neu").text
    wording = "Ergebnisse gibt es deshalb nur für die ganze Behörde"
    assert wording in form
    created = _post(leitung, "/selbstcheck/runden/neu", title="R", mode="code")
    assert wording in leitung.get(created.headers["location"]).text


# -- upgrading: rounds that got their codes the old way -----------------------------------------


def test_rounds_opened_before_the_upgrade_count_as_printed(tmp_path):
    from willkommen_core.demo import DEMO_NAME, DEMO_SETTINGS
    from willkommen_core.instance import Instance
    from willkommen_core.scaffold import new_instance
    from willkommen_core.storage import migrate

    root = new_instance(tmp_path / "i", DEMO_NAME, DEMO_SETTINGS | {"modules": "selbstcheck"})
    fixture = Path(__file__).parent / "fixtures" / "release-0.1.0.sqlite"
    shutil.copyfile(fixture, root / "willkommen.db")
    instance = Instance.open(root)
    migrate.upgrade(instance.db, instance.components())
    [old] = [r for r in store.list_rounds(instance.db) if r.title == "Runde mit Einmalcodes"]
    assert (old.status, old.tokens_requested, old.code_sheets) == ("open", 5, 1)
    with pytest.raises(store.Refused) as refused:
        store.print_sheet(instance.db, old.id)
    assert refused.value.kind == "sheet_printed"
    instance.db.engine.dispose()
