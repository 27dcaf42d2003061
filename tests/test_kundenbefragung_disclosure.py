"""The attacker on customer feedback: every view the module can publish (months,
quarters and API ranges; sites, services and languages alone and combined;
questions, cornerstones, waiting times, group sizes, comments) and any sum or
difference of them still never isolates fewer than the minimum group size.

Written before the results code was trusted: the classes of customers that all
views treat alike are found black-box (tests/disclosure_attacker.py) on random
data with many small groups.
"""

from __future__ import annotations

from itertools import product

from disclosure_attacker import Person, assert_protected, membership_classes, rating_classes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from willkommen_core.disclosure import Answers, Text
from willkommen_plugins.kundenbefragung.content import Question, Survey
from willkommen_plugins.kundenbefragung.results import compute
from willkommen_plugins.kundenbefragung.store import COMMENT_TOPIC

MONTHS = ("2026-01", "2026-02", "2026-03")
SITES = ("Hauptsitz", "Außenstelle")
SERVICES = ("aufenthalt", "einbuergerung", "")
LANGUAGES = ("de", "ar", "tr")
SURVEY = Survey(
    "test",
    (
        Question("orientierung", "rating", "erscheinungsbild"),
        Question("termin", "rating", "binnenorganisation"),
        Question("gesamt", "rating", "gesamt"),
        Question("wartezeit", "wait"),
    ),
    ("aufenthalt", "einbuergerung"),
    {},
)
RANGES = [list(MONTHS[i:j]) for i in range(3) for j in range(i + 1, 4)]
"""Every API range (from the first to the last day of whole months) and so every
month and the quarter."""
FILTERS = [
    {k: v for k, v in zip(("site", "service", "language"), combo, strict=True) if v is not None}
    for combo in product((None, *SITES), (None, *SERVICES), (None, *LANGUAGES))
]


def publisher(min_size: int):
    def publish(people: list[Person]) -> dict:
        answers = [Answers(p.keys, p.values) for p in people]
        texts = [Text(p.keys, *p.comment) for p in people if p.comment]
        out = {}
        for months in RANGES:
            res = compute(SURVEY, answers, texts, min_size, months)
            for f in FILTERS:
                name = (tuple(months), tuple(sorted(f.items())))
                out[name] = {
                    **res.group(**f),
                    "wait": res.wait(**f).as_dict(),
                    "comments": sorted(res.comments(**f)),
                }
            out[(tuple(months), "breakdowns")] = res.breakdowns()
        return out

    return publish


answer = st.one_of(st.none(), st.integers(1, 5))
customer = st.builds(
    Person,
    st.tuples(
        st.sampled_from(MONTHS),
        st.sampled_from(SITES),
        st.sampled_from(SERVICES),
        st.sampled_from(LANGUAGES),
    ),
    st.fixed_dictionaries(
        {"orientierung": answer, "termin": answer, "gesamt": answer, "wartezeit": answer}
    ),
)
data = st.tuples(st.lists(customer, min_size=0, max_size=18), st.integers(3, 5))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data)
def test_no_view_or_difference_isolates_a_small_group_of_customers(case):
    people, min_size = case
    publish = publisher(min_size)
    for item in ("orientierung", "gesamt", "wartezeit"):
        assert_protected(rating_classes(people, publish, item), min_size, item)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data)
def test_comments_never_tell_who_wrote_them(case):
    people, min_size = case
    assert_protected(
        membership_classes(people, publisher(min_size), COMMENT_TOPIC), min_size, "comments"
    )


def test_a_lone_language_in_a_busy_month_is_not_shown_nor_derivable():
    """Twelve German answers and one Arabic one: neither "ar" nor "total minus de"."""
    people = [Person(("2026-01", "Hauptsitz", "", "de"), {"gesamt": 4})] * 12
    people.append(Person(("2026-01", "Hauptsitz", "", "ar"), {"gesamt": 1}))
    res = compute(SURVEY, [Answers(p.keys, p.values) for p in people], [], 5, ["2026-01"])
    assert res.size(language="ar") is None
    total, german = res.question("gesamt"), res.question("gesamt", language="de")
    assert german.suppressed or german.n == total.n  # never 12 of 13
    assert res.size() == 13


def test_a_quarter_is_the_sum_of_its_published_months_only():
    """A month too small to show never enters the quarter: the quarter minus the
    other months would be that month."""
    big = [Person(("2026-01", "Hauptsitz", "", "de"), {"gesamt": 5})] * 6
    small = [Person(("2026-02", "Hauptsitz", "", "de"), {"gesamt": 1})] * 2
    people = big + small
    res = compute(SURVEY, [Answers(p.keys, p.values) for p in people], [], 5, list(MONTHS))
    assert res.size() == 6 and res.question("gesamt").mean == 5
