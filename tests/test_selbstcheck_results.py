"""Results for leadership: aggregates, comparisons, charts, and anonymity by suppression."""

from __future__ import annotations

import csv
import io
import json
import random

import pytest
from selbstcheck_support import API, add_responses, bearer, open_round

from willkommen_core.testing import login
from willkommen_plugins.selbstcheck import store
from willkommen_plugins.selbstcheck.questionnaire import Cornerstone, Item, Questionnaire
from willkommen_plugins.selbstcheck.results import ALL, _lines, compute, protect
from willkommen_plugins.selbstcheck.store import Comment, Response

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


# -- the suppression rule ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("sizes", "hidden"),
    [
        ({"leitung": 3, "mitarbeitende": 10}, {"leitung", "mitarbeitende"}),  # 13 - 10 = 3
        ({"leitung": 0, "mitarbeitende": 10}, {"leitung"}),  # nothing to protect
        ({"leitung": 5, "mitarbeitende": 10}, set()),
    ],
)
def test_a_small_group_takes_its_complement_with_it(sizes, hidden):
    keys = {(p, ALL): n for p, n in sizes.items()}
    keys[(ALL, ALL)] = sum(sizes.values())
    lines = [([(p, ALL) for p in sizes], (ALL, ALL))]
    got = protect(keys, 5, lines, set())
    assert {p for p, _a in got} == hidden


def test_leaving_only_groups_below_the_minimum_hides_them_together_not_the_total():
    # 4 + 4: each is hidden, together they are 8 >= 5, so the total (8) stays visible.
    sizes = {("leitung", ALL): 4, ("mitarbeitende", ALL): 4, (ALL, ALL): 8}
    lines = [([("leitung", ALL), ("mitarbeitende", ALL)], (ALL, ALL))]
    assert protect(sizes, 5, lines, set()) == {("leitung", ALL), ("mitarbeitende", ALL)}


def _responses(rng: random.Random, q: Questionnaire, count: int) -> list[Response]:
    out = []
    for _n in range(count):
        out.append(
            Response(
                rng.choice(["leitung", "mitarbeitende", "mitarbeitende", "mitarbeitende"]),
                rng.choice([*AREAS, "", ""]),
                {i: rng.choice([1, 2, 3, 4, 5, None]) for i in q.items},
            )
        )
    return out


@pytest.mark.parametrize("seed", range(40))
def test_no_suppressed_value_can_be_recovered_by_subtraction(seed):
    """In every row and column of perspective x area whose margin is shown, the hidden
    cells together hold no answers or at least the minimum: margin minus visible cells
    never isolates a small group (checked for group sizes and every item's answers)."""
    rng = random.Random(seed)
    q = _q()
    min_size = rng.choice([3, 5, 7])
    responses = _responses(rng, q, rng.randint(4, 40))
    res = compute(q, responses, [], min_size)
    lines = _lines(res.perspectives, res.areas)

    def members(key):
        p, a = key
        return [
            r for r in responses if (p == ALL or r.perspective == p) and (a == ALL or r.area == a)
        ]

    for members_keys, margin in lines:
        if res.groups[margin].suppressed:
            continue
        hidden = [k for k in members_keys if res.groups[k].suppressed]
        total = sum(len(members(k)) for k in hidden)
        assert total == 0 or total >= min_size, (margin, hidden, total)
        for iid in q.items:
            if res.groups[margin].items[iid].suppressed:
                continue
            hidden_cells = [
                k for k in members_keys if res.groups[k].items[iid].distribution is None
            ]
            answers = sum(1 for k in hidden_cells for r in members(k) if r.values[iid] is not None)
            assert answers == 0 or answers >= min_size, (margin, iid, hidden_cells, answers)
    # What is shown is exact.
    total = res.total
    if not total.items[next(iter(q.items))].suppressed:
        iid = next(iter(q.items))
        values = [r.values[iid] for r in responses if r.values[iid] is not None]
        assert total.items[iid].mean == round(sum(values) / len(values), 2)


def test_a_distribution_resting_on_too_few_real_answers_is_suppressed_but_the_group_shown():
    q = _q(1)
    iid = "binnenorganisation_0"
    responses = [Response("mitarbeitende", "", {iid: None, "verankerung_0": 4}) for _n in range(8)]
    responses += [Response("mitarbeitende", "", {iid: 2, "verankerung_0": 4}) for _n in range(2)]
    res = compute(q, responses, [], 5)
    cell = res.total.items[iid]
    assert not res.total.suppressed
    assert cell.suppressed and cell.mean is None and cell.distribution is None
    assert cell.n == 2 and cell.dont_know == 8 and cell.dont_know_share == 0.8
    assert res.total.items["verankerung_0"].mean == 4.0


def test_comments_appear_only_for_groups_at_the_minimum_and_in_random_order():
    q = _q(1)
    responses = [Response("mitarbeitende", "", dict.fromkeys(q.items, 3)) for _n in range(8)]
    responses += [Response("leitung", "", dict.fromkeys(q.items, 3)) for _n in range(2)]
    notes = [Comment("verankerung", "mitarbeitende", "", f"Kommentar {n}") for n in range(8)]
    notes += [Comment("verankerung", "leitung", "", "Nur die Leitung schreibt das")]
    orders = set()
    for _n in range(10):
        res = compute(q, responses, notes, 5)
        assert res.group("leitung").comments == {}
        assert res.group("mitarbeitende").comments == {}  # complement of a hidden group
        texts = res.total.comments["verankerung"]
        assert sorted(texts) == sorted(n.text for n in notes)
        orders.add(tuple(texts))
    assert len(orders) > 1


# -- through the web and the API --------------------------------------------------------------


@pytest.fixture
def instance(make_instance):
    return make_instance(["selbstcheck"])


def _closed_round(instance, leitung: int, staff: int, **kw) -> store.Round:
    rnd = open_round(instance)
    add_responses(instance, rnd, leitung, perspective="leitung", value=2, **kw)
    add_responses(instance, rnd, staff, perspective="mitarbeitende", value=4, **kw)
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
    rnd = open_round(instance)
    add_responses(instance, rnd, 6, area="Publikumsbereich Ausländerrecht", value=3)
    add_responses(instance, rnd, 6, area="Integration und Einbürgerung", value=4)
    add_responses(instance, rnd, 2, area="EDV", value=1)
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
    assert 'role="img" aria-labelledby="radar-t radar-d"' in html
    assert "<desc" in html and "<caption>Ergebnis je Eckpunkt</caption>" in html
    assert html.count("<svg") == 6  # radar + bars per cornerstone
    assert "unterdrückt" in html  # leitung (2) and, as its complement, mitarbeitende
    assert "style=" not in html  # CSP: no inline styles
    filtered = client.get(f"/selbstcheck/runden/{rnd.id}/ergebnisse?perspektive=leitung")
    assert "zu klein" in filtered.text and "<svg" not in filtered.text
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
        assert response_row.perspective in dumped  # groups, yes ...
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
    assert page.text.count("<svg") == 2 and "<caption>" in page.text
    assert "4,0" in page.text and "5,0" in page.text
