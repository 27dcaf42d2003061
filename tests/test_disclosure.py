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

from itertools import combinations

import pytest
from disclosure_attacker import Person, assert_protected, membership_classes, rating_classes
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


def publisher(min_size):
    def publish(persons):
        rel = release(
            [Answers(p.keys, p.values) for p in persons],
            characteristics=CHARACTERISTICS,
            min_size=min_size,
            texts=[Text(p.keys, *p.comment) for p in persons if p.comment],
        )
        return views(rel)

    return publish


answer = st.one_of(st.none(), st.integers(1, 5))
person = st.builds(
    Person,
    st.tuples(st.sampled_from(PERSPECTIVES), st.sampled_from(AREAS)),
    st.fixed_dictionaries({i: answer for i in ITEMS}),
)
rounds = st.tuples(st.lists(person, min_size=0, max_size=24), st.integers(3, 5))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rounds)
def test_no_linear_combination_of_views_isolates_fewer_than_the_minimum(data):
    people, k = data
    for item in ITEMS:
        assert_protected(rating_classes(people, publisher(k), item), k, f"ratings of {item}")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rounds)
def test_group_sizes_cannot_judge_counts_and_comments_never_single_anyone_out(data):
    """A comment shows in the lists of every group its writer belongs to; intersecting
    them (and sizes, "cannot judge" counts) narrows down to a class, never below k."""
    people, k = data
    assert_protected(membership_classes(people, publisher(k), "a"), k, "membership")


@settings(max_examples=80, deadline=None)
@given(rounds)
def test_every_published_count_is_at_least_the_minimum_or_withheld(data):
    persons, k = data
    people = [(*p.keys, p.values) for p in persons]
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
    staff = [("mitarbeitende", "EDV", {"a1": 4})] * 5 + [
        ("mitarbeitende", "Publikum", {"a1": 4})
    ] * 5
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
