"""Disclosure control: the attacker gets every view and still cannot isolate a small group.

The attacker is the strongest linear one: it sees every figure an instance
can publish about an answer set (every filter combination, every item, every
cornerstone, every subset of items a comparison may pool, "cannot judge"
counts, group sizes, comment lists) and may add, subtract and intersect them.
Everything such an attacker can derive is constant on the classes of
respondents that every view treats alike; so no answer of a group below the
minimum is determined exactly when every such class has at least the minimum
number of members. The tests find these classes black-box, by probing the
release with answers that mark one respondent at a time.
"""

from __future__ import annotations

from collections import Counter
from itertools import combinations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from willkommen_core.disclosure import ANY, WITHHELD, Answers, Text, release

PERSPECTIVES = ("leitung", "mitarbeitende")
AREAS = ("EDV", "Einbürgerung", "Publikum", "")
ITEMS = ("a1", "a2", "b1", "b2")
CORNERSTONES = {"a": ("a1", "a2"), "b": ("b1", "b2")}
CHARACTERISTICS = ("perspective", "area")
FILTERS = [
    {k: v for k, v in (("perspective", p), ("area", a)) if v is not ANY}
    for p in (ANY, *PERSPECTIVES, WITHHELD)
    for a in (ANY, *AREAS, WITHHELD)
]
POOLS = [c for n in range(1, len(ITEMS) + 1) for c in combinations(ITEMS, n)]


def views(rel, *, pools=POOLS):
    """Every figure the instance could publish about this release, by view name."""
    out = {}
    for f in FILTERS:
        name = tuple(sorted((k, str(v)) for k, v in f.items()))
        out[(name, "size")] = rel.size(**f)
        for pool in pools:
            stats = rel.pooled(pool, **f)
            out[(name, pool)] = (stats.n, stats.distribution, stats.dont_know)
        for topic in CORNERSTONES:
            out[(name, "texts", topic)] = tuple(sorted(rel.texts(topic, **f)))
    return out


def build(people, min_size, texts=()):
    return release(
        [Answers((p, a), values) for p, a, values in people],
        characteristics=CHARACTERISTICS,
        min_size=min_size,
        texts=[Text((p, a), topic, t) for p, a, topic, t in texts],
    )


def incidence(people, min_size, r, item):
    """Black-box: in which views does respondent ``r``'s real answer to ``item`` count?"""
    probe = []
    for i, (p, a, values) in enumerate(people):
        v = dict(values)
        if v.get(item) is not None:
            v[item] = 5 if i == r else 1
        probe.append((p, a, v))
    seen = views(build(probe, min_size), pools=[(item,)])
    return tuple(
        sorted(
            (str(k), (dist or {}).get("5", 0))
            for k, (_n, dist, _dk) in ((k, v) for k, v in seen.items() if k[1] == (item,))
        )
    )


def membership(people, min_size, r):
    """Black-box: which groups count respondent ``r`` (its "cannot judge" marks it)."""
    probe = [(p, a, {"a1": None if i == r else 3}) for i, (p, a, _v) in enumerate(people)]
    rel = build(probe, min_size)
    return tuple(
        (str(sorted(f.items(), key=str)), rel.pooled(["a1"], **f).dont_know or 0) for f in FILTERS
    )


answer = st.one_of(st.none(), st.integers(1, 5))
person = st.tuples(
    st.sampled_from(PERSPECTIVES),
    st.sampled_from(AREAS),
    st.fixed_dictionaries({i: answer for i in ITEMS}),
)
rounds = st.tuples(st.lists(person, min_size=0, max_size=24), st.integers(3, 5))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rounds)
def test_no_linear_combination_of_views_isolates_fewer_than_the_minimum(data):
    people, k = data
    for item in ITEMS:
        raters = [r for r, (_p, _a, v) in enumerate(people) if v[item] is not None]
        classes = Counter(incidence(people, k, r, item) for r in raters)
        for r in raters:
            pattern = incidence(people, k, r, item)
            counted = any(count for _view, count in pattern)
            assert not counted or classes[pattern] >= k, (
                f"respondent {r}'s answer to {item} is told apart from all but "
                f"{classes[pattern] - 1} others (minimum {k})"
            )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rounds)
def test_group_sizes_and_cannot_judge_counts_never_single_anyone_out(data):
    people, k = data
    patterns = [membership(people, k, r) for r in range(len(people))]
    classes = Counter(patterns)
    for pattern in patterns:
        if any(count for _f, count in pattern):
            assert classes[pattern] >= k


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rounds, st.data())
def test_comments_are_never_shown_where_intersections_isolate_a_small_group(data, draw):
    people, k = data
    notes = [
        (p, a, draw.draw(st.sampled_from(sorted(CORNERSTONES))), f"comment {i}")
        for i, (p, a, _v) in enumerate(people)
        if draw.draw(st.booleans())
    ]
    rel = build(people, k, notes)
    lists = {
        (str(sorted(f.items(), key=str)), topic): set(rel.texts(topic, **f))
        for f in FILTERS
        for topic in CORNERSTONES
    }
    members = [membership(people, k, r) for r in range(len(people))]
    for p, a, _topic, text in notes:
        shown_in = {
            group for (group, _t), texts in lists.items() if text in texts
        }  # the attacker intersects all of these
        if not shown_in:
            continue
        writers = [
            r
            for r, pattern in enumerate(members)
            if {group for group, count in pattern if count} == shown_in
        ]
        assert len(writers) >= k, f"{text!r} can be traced to {len(writers)} possible writers"


@settings(max_examples=80, deadline=None)
@given(rounds)
def test_every_published_count_is_at_least_the_minimum_or_withheld(data):
    people, k = data
    for (_view, what), value in ((key[:2], v) for key, v in views(build(people, k)).items()):
        if what == "size":
            assert value is None or value >= k
        elif what != "texts":
            n, dist, _dk = value
            if dist is not None:
                assert sum(dist.values()) >= k and n >= k


def test_the_subtraction_attack_of_the_issue_finds_no_one():
    """leitung x EDV = (all, EDV) - [(mitarbeitende, all) - (mitarbeitende, another area)]."""
    boss = ("leitung", "EDV", {"a1": 1})
    staff = [("mitarbeitende", "EDV", {"a1": 4})] * 5 + [("mitarbeitende", "Publikum", {"a1": 4})] * 5
    others = [("leitung", "Publikum", {"a1": 2})] * 5
    rel = build([boss, *staff, *others], 5)

    def ones(**f):
        stats = rel.item("a1", **f)
        return None if stats.distribution is None else stats.distribution["1"]

    edv, mitarbeitende = ones(area="EDV"), ones(perspective="mitarbeitende")
    mitarbeitende_publikum = ones(perspective="mitarbeitende", area="Publikum")
    assert edv == 0  # the boss is not in EDV's published figures at all
    assert ones(perspective="leitung") == 1  # but counts for leadership as a whole
    assert edv - (mitarbeitende - mitarbeitende_publikum) == 0
    assert rel.size(perspective="leitung", area="EDV") is None


def test_an_item_one_person_rated_is_not_read_off_the_cornerstone():
    """Four of five cannot judge a2: its one rating must not follow from a minus a1."""
    people = [("mitarbeitende", "", {"a1": 3, "a2": None})] * 4
    people += [("mitarbeitende", "", {"a1": 3, "a2": 1})]
    rel = build(people, 5)
    assert rel.item("a2").distribution is None
    assert rel.item("a2").n is None
    cornerstone, a1 = rel.pooled(["a1", "a2"]), rel.item("a1")
    assert cornerstone.distribution == a1.distribution  # the lone rating is in neither
    assert rel.item("a2").dont_know == 4  # the group is shown, so its "cannot judge" count is


def test_small_cells_are_withheld_upwards_and_answers_left_out_only_as_a_last_resort():
    people = [("leitung", "EDV", {"a1": 5})]
    people += [("leitung", "Publikum", {"a1": 4})] * 4
    people += [("mitarbeitende", "Publikum", {"a1": 2})] * 6
    rel = build(people, 5)
    assert rel.size() == 11
    assert rel.size(perspective="leitung") == 5  # EDV and Publikum withheld together
    assert rel.size(perspective="leitung", area="Publikum") is None
    assert rel.size(area="Publikum") == 6
    assert rel.values_of("area") == ["Publikum", WITHHELD]

    alone = build([("leitung", "EDV", {"a1": 5})] * 2, 5)
    assert alone.size() is None
    assert alone.item("a1").distribution is None


def test_no_characteristics_publish_the_whole_set_only():
    people = [Answers((), {"a1": v}) for v in (1, 2, 3, 4, 5)]
    rel = release(people, characteristics=(), min_size=5)
    assert rel.size() == 5
    assert rel.item("a1").mean == 3.0
    with pytest.raises(KeyError):
        rel.size(perspective="leitung")


def test_comment_lists_come_in_random_order_not_arrival_order():
    people = [Answers(("x",), {"a1": 3})] * 6
    notes = [Text(("x",), "a", f"t{i}") for i in range(30)]
    rel = release(people, characteristics=("c",), min_size=5, texts=notes)
    orders = {tuple(rel.texts("a")) for _ in range(5)}
    assert len(orders) > 1
