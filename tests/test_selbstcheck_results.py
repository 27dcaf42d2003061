"""Results for leadership: aggregates, comparisons, charts, and anonymity by suppression."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from itertools import combinations

import pytest
from disclosure_attacker import Person, assert_protected, membership_classes, rating_classes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from selbstcheck_support import API, add_responses, bearer, breakdown_round, open_round

from willkommen_core.disclosure import Answers, Text
from willkommen_core.testing import login
from willkommen_plugins.selbstcheck import store
from willkommen_plugins.selbstcheck.questionnaire import Cornerstone, Item, Questionnaire
from willkommen_plugins.selbstcheck.results import ALL, cell_dict, compute
from willkommen_plugins.selbstcheck.summary import export_json

AREAS = ("EDV", "Aufenthaltsbeendigung")


def _q(items_per_cornerstone: int = 2) -> Questionnaire:
    def item(i: str, c: str) -> Item:
        return Item(i, c, {"de": i, "en": i}, {"de": "", "en": ""})

    return Questionnaire(
        "t-1",
        tuple(
            Cornerstone(
                c,
                {"de": c, "en": c},
                (),
                tuple(item(f"{c}_{n}", c) for n in range(items_per_cornerstone)),
            )
            for c in ("binnenorganisation", "verankerung")
        ),
        work_areas=AREAS,
    )


# -- the attacker, on every view this module publishes ------------------------------------

PERSPECTIVES = ("leitung", "mitarbeitende")


def _publisher(q: Questionnaire, min_size: int):
    """Every figure leitung can get for a round: the JSON export (all groups, all items
    and cornerstones: what pages and API show per filter), the comparison on every
    subset of items, the comments, the recommendations' means."""
    rnd = store.Round(
        1,
        "R",
        None,
        None,
        "tokens",
        None,
        "closed",
        q.version,
        "",
        False,
        None,
        None,
        datetime(2026, 1, 1),
        None,
        None,
    )
    subsets = [set(c) for n in (1, 2) for c in combinations(q.items, n)]

    def publish(persons):
        res = compute(
            q,
            [Answers(p.keys, p.values) for p in persons],
            [Text(p.keys, *p.comment) for p in persons if p.comment],
            min_size,
        )
        views = {"export": export_json(rnd, res, "t")}
        views["comments"] = {str(k): g.comments for k, g in res.groups.items() if not g.suppressed}
        views["compare"] = {str(sorted(s)): _cells(res.over(s)) for s in subsets}
        return views

    return publish


def _cells(group):
    return {cid: cell_dict(c) for cid, c in group.cornerstones.items()}


_answer = st.one_of(st.none(), st.integers(1, 5))
_persons = st.lists(
    st.builds(
        Person,
        st.tuples(st.sampled_from(PERSPECTIVES), st.sampled_from([*AREAS, ""])),
        st.fixed_dictionaries({i: _answer for i in _q().items}),
        st.one_of(st.none(), st.tuples(st.just("verankerung"), st.just("x"))),
    ),
    max_size=20,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_persons, st.integers(3, 5))
def test_no_view_of_a_round_lets_leitung_single_out_a_respondent(persons, k):
    """Subtraction across filters, intersection of comment lists, items against
    cornerstones, comparisons on shared items: every class stays at k or more."""
    q = _q()
    publish = _publisher(q, k)
    for iid in q.items:
        assert_protected(rating_classes(persons, publish, iid), k, f"ratings of {iid}")
    assert_protected(membership_classes(persons, publish, "verankerung"), k, "membership")


def test_the_old_complementary_suppression_fell_to_the_issues_subtraction():
    """leitung x EDV = (all, EDV) - [(mitarbeitende, all) - (mitarbeitende, another area)]:
    with one person in leitung x EDV, every term of the difference is now a sum of
    whole groups of at least five, and the one person is in none of them."""
    q = _q(1)
    iid = "binnenorganisation_0"
    boss = Answers(("leitung", "EDV"), {iid: 1, "verankerung_0": 3})
    staff = [Answers(("mitarbeitende", a), {iid: 4, "verankerung_0": 3}) for a in AREAS] * 5
    others = [Answers(("leitung", ""), {iid: 2, "verankerung_0": 3})] * 5
    res = compute(q, [boss, *staff, *others], [], 5)

    def ones(p=None, a=None):
        dist = res.group(p, a).items[iid].distribution
        return None if dist is None else dist["1"]

    derived = ones(a="EDV") - (
        ones("mitarbeitende") - ones("mitarbeitende", "Aufenthaltsbeendigung")
    )
    assert derived == 0 and ones("leitung", "EDV") is None
    assert res.group("leitung", "EDV").responses is None


def test_a_distribution_resting_on_too_few_real_answers_is_suppressed_but_the_group_shown():
    q = _q(1)
    iid = "binnenorganisation_0"
    people = [Answers(("mitarbeitende", ""), {iid: None, "verankerung_0": 4})] * 8
    people += [Answers(("mitarbeitende", ""), {iid: 2, "verankerung_0": 4})] * 2
    res = compute(q, people, [], 5)
    cell = res.total.items[iid]
    assert not res.total.suppressed
    assert cell.suppressed and cell.mean is None and cell.distribution is None
    assert cell.n is None and cell.dont_know == 8 and cell.dont_know_share == 0.8
    assert res.total.items["verankerung_0"].mean == 4.0


def test_comments_appear_with_their_group_only_and_in_random_order():
    q = _q(1)
    people = [Answers(("mitarbeitende", ""), dict.fromkeys(q.items, 3))] * 8
    people += [Answers(("leitung", ""), dict.fromkeys(q.items, 3))] * 2
    notes = [Text(("mitarbeitende", ""), "verankerung", f"Kommentar {n}") for n in range(8)]
    notes += [Text(("leitung", ""), "verankerung", "Nur die Leitung schreibt das")]
    orders = set()
    for _n in range(10):
        res = compute(q, people, notes, 5)
        # leitung (2) is withheld into the whole authority, and mitarbeitende with it
        # (the total minus mitarbeitende would be leitung): the small group's comment
        # is only ever among the total's ten possible writers.
        assert res.group("leitung").comments == res.group("mitarbeitende").comments == {}
        assert res.group("leitung").responses is res.group("mitarbeitende").responses is None
        texts = res.total.comments["verankerung"]
        assert sorted(texts) == sorted(n.text for n in notes)
        orders.add(tuple(texts))
    assert len(orders) > 1


def test_a_shared_code_round_is_published_for_the_whole_authority_only():
    q = _q(1)
    people = [Answers(("leitung", "EDV"), dict.fromkeys(q.items, 2))] * 6
    people += [Answers(("mitarbeitende", ""), dict.fromkeys(q.items, 4))] * 6
    res = compute(q, people, [], 5, breakdown=False)
    assert not res.breakdown and res.perspectives == () and res.areas == ()
    assert list(res.groups) == [(ALL, ALL)] and res.total.responses == 12


# -- through the web and the API --------------------------------------------------------------


@pytest.fixture
def instance(make_instance):
    return make_instance(["selbstcheck"])


def _closed_round(instance, leitung: int, staff: int, **kw) -> store.Round:
    rnd, codes = breakdown_round(instance)
    add_responses(instance, rnd, leitung, perspective="leitung", value=2, codes=codes, **kw)
    add_responses(instance, rnd, staff, perspective="mitarbeitende", value=4, codes=codes, **kw)
    store.close_round(instance.db, rnd.id)
    return rnd


def test_api_results_show_totals_and_suppress_a_small_group_and_its_complement(
    instance, make_client
):
    rnd = _closed_round(instance, 3, 9, comment={"verankerung": "Mehr Austausch bitte"})
    client = make_client(instance)
    headers = bearer(instance)
    total = client.get(f"{API}/rounds/{rnd.id}/results", headers=headers).json()
    assert total["responses"] == 12 and not total["suppressed"]
    by_id = {c["id"]: c for c in total["cornerstones"]}
    assert by_id["verankerung"]["mean"] == pytest.approx((3 * 2 + 9 * 4) / 12, abs=0.01)
    assert sum(by_id["verankerung"]["distribution"].values()) > 0
    assert len(by_id["verankerung"]["comments"]) == 12
    for perspective in ("leitung", "mitarbeitende"):
        body = client.get(
            f"{API}/rounds/{rnd.id}/results", params={"perspective": perspective}, headers=headers
        ).json()
        assert body["suppressed"] is True, perspective
        for c in body["cornerstones"]:
            assert c["suppressed"] is True
            assert c["mean"] is None and c["distribution"] is None and c["comments"] is None
        assert all(i["mean"] is None and i["distribution"] is None for i in body["items"])


def test_groups_at_the_minimum_are_shown_and_the_minimum_is_the_core_setting(
    make_instance, make_client
):
    instance = make_instance(["selbstcheck"], privacy={"min_group_size": 3})
    rnd = _closed_round(instance, 3, 9)
    client = make_client(instance)
    body = client.get(
        f"{API}/rounds/{rnd.id}/results",
        params={"perspective": "leitung"},
        headers=bearer(instance),
    ).json()
    assert body["suppressed"] is False and body["min_group_size"] == 3
    assert {c["mean"] for c in body["cornerstones"]} == {2.0}


def test_work_area_filter_suppresses_small_areas(instance, make_client):
    rnd, codes = breakdown_round(instance)
    add_responses(instance, rnd, 6, area="Publikumsbereich Ausländerrecht", value=3, codes=codes)
    add_responses(instance, rnd, 6, area="Integration und Einbürgerung", value=4, codes=codes)
    add_responses(instance, rnd, 2, area="EDV", value=1, codes=codes)
    store.close_round(instance.db, rnd.id)
    client = make_client(instance)
    headers = bearer(instance)

    def get(area):
        return client.get(
            f"{API}/rounds/{rnd.id}/results", params={"area": area}, headers=headers
        ).json()

    assert get("EDV")["suppressed"] is True
    # EDV (2) is protected together with the next smallest area, never alone.
    shown = [
        a
        for a in ("Publikumsbereich Ausländerrecht", "Integration und Einbürgerung")
        if not get(a)["suppressed"]
    ]
    assert len(shown) == 1
    assert (
        client.get(
            f"{API}/rounds/{rnd.id}/results", params={"area": "Mond"}, headers=headers
        ).status_code
        == 400
    )


def test_results_exist_only_for_closed_rounds(instance, make_client):
    rnd = open_round(instance)
    add_responses(instance, rnd, 6)
    client = make_client(instance)
    response = client.get(f"{API}/rounds/{rnd.id}/results", headers=bearer(instance))
    assert response.status_code == 409 and "closed" in response.json()["error"]
    login(client, instance, "leitung")
    assert client.get(f"/selbstcheck/runden/{rnd.id}/ergebnisse").status_code == 409


def test_results_page_has_charts_with_data_tables_and_marks_suppressed_groups(
    instance, make_client
):
    rnd = _closed_round(instance, 2, 8)
    client = make_client(instance)
    login(client, instance, "leitung")
    page = client.get(f"/selbstcheck/runden/{rnd.id}/ergebnisse")
    assert page.status_code == 200
    html = page.text
    assert html.count("<h1>") == 1
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' in html
    assert 'role="img" aria-labelledby="overview-t overview-d"' in html
    assert "<desc" in html and ">Ergebnis je Eckpunkt</caption>" in html
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 6  # dots, bars
    assert "unterdrückt" in html  # leitung (2) and, as its complement, mitarbeitende
    assert "style=" not in html  # CSP: no inline styles
    filtered = client.get(f"/selbstcheck/runden/{rnd.id}/ergebnisse?perspektive=leitung")
    assert "zu klein" in filtered.text and 'class="chart"' not in filtered.text
    report = client.get(f"/selbstcheck/runden/{rnd.id}/bericht")
    assert report.status_code == 200 and 'media="print"' in report.text
    assert "/plan/measures/from-recommendation" not in report.text


def test_exports_hold_aggregates_only_with_suppression(instance, make_client):
    rnd = _closed_round(instance, 2, 8)
    client = make_client(instance)
    login(client, instance, "leitung")
    text = client.get(f"/selbstcheck/runden/{rnd.id}/ergebnisse.csv").text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and {"perspective", "area", "n", "mean", "count_1", "dont_know"} <= set(rows[0])
    for row in rows:
        if row["perspective"] in ("leitung", "mitarbeitende"):
            assert row["suppressed"] == "True" and row["mean"] == "" and row["count_1"] == ""
    total = [r for r in rows if r["perspective"] == "" and r["area"] == "(alle)"]
    assert total and all(r["mean"] for r in total)
    data = json.loads(client.get(f"/selbstcheck/runden/{rnd.id}/ergebnisse.json").text)
    assert data["min_group_size"] == 5
    dumped = json.dumps(data)
    for response_row in store.load_responses(instance.db, rnd.id)[:1]:
        assert response_row.keys[0] in dumped  # groups, yes ...
    with instance.db.read() as s:
        from willkommen_plugins.selbstcheck.tables import responses

        ids = [r.id for r in s.execute(responses.select())]
    assert not any(i in dumped or i in text for i in ids)  # ... respondents, never
    for group in data["groups"]:
        if group["suppressed"]:
            assert all(c["mean"] is None for c in group["cornerstones"])


def test_rounds_are_compared_on_shared_items_only(instance, make_client):
    first = _closed_round(instance, 0, 6)
    local = instance.root / "content" / "selbstcheck"
    local.mkdir(parents=True)
    (local / "local.toml").write_text('hide = ["bo_termine"]\n', encoding="utf-8")
    second = open_round(instance, title="Folgerunde")
    add_responses(instance, second, 6, value=5)
    store.close_round(instance.db, second.id)
    assert (
        first.questionnaire_version != store.get_round(instance.db, second.id).questionnaire_version
    )
    client = make_client(instance)
    login(client, instance, "leitung")
    page = client.get("/selbstcheck/vergleich", params={"runde": [first.id, second.id]})
    assert page.status_code == 200
    n = len(store.questionnaire_of(instance.db, first).items)
    assert f"nur die {n - 1} Aussagen" in page.text and f"von insgesamt {n})" in page.text
    assert page.text.count('class="chart"') == 2 and "<caption" in page.text
    assert "4,0" in page.text and "5,0" in page.text
