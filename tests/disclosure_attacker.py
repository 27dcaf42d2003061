"""The strongest linear attacker on published figures, black-box.

The attacker sees everything ``publish`` returns (flattened to paths, such as
an export's cells) and may add, subtract and intersect it. Whatever it derives
is the same for respondents that every published figure treats alike: such a
class is the finest group it can isolate. Classes are found by marking one
respondent at a time and watching which published values change:

- a rating: the respondent's real answers become 5, everyone else's 1 (the
  pattern of real answers and "cannot judge", hence every group, stays);
- membership: the respondent alone writes a marked comment.

A respondent is protected when its class has at least the minimum number of
members, or when nothing published counts it at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

MARK = "§marker§"


@dataclass(frozen=True)
class Person:
    keys: tuple[str, ...]
    values: Mapping[str, int | None]
    comment: tuple[str, str] | None = None  # (topic, text)


Publish = Callable[[list[Person]], Any]


def flatten(data: Any, path: tuple[Hashable, ...] = ()) -> dict[tuple[Hashable, ...], Any]:
    """Published data as ``path -> value``; comment lists become sets (order is random)."""
    if isinstance(data, Mapping):
        out: dict[tuple[Hashable, ...], Any] = {}
        for k, v in data.items():
            out.update(flatten(v, (*path, k)))
        return out
    if isinstance(data, list | tuple) and data and all(isinstance(x, str) for x in data):
        return {path: frozenset(data)}
    if isinstance(data, list | tuple):
        out = {}
        for i, v in enumerate(data):
            key = v.get("id", i) if isinstance(v, Mapping) else i
            out.update(flatten(v, (*path, key)))
        return out
    return {path: data}


def _changed(a: Any, b: Any) -> frozenset[tuple[Hashable, ...]]:
    fa, fb = flatten(a), flatten(b)
    return frozenset(p for p in fa.keys() | fb.keys() if fa.get(p) != fb.get(p))


def _rating_probe(people: list[Person], item: str, marked: int | None) -> list[Person]:
    out = []
    for i, p in enumerate(people):
        values = dict(p.values)
        if values.get(item) is not None:
            values[item] = 5 if i == marked else 1
        out.append(Person(p.keys, values, p.comment))
    return out


def rating_classes(people: list[Person], publish: Publish, item: str) -> dict[int, int]:
    """Rater -> size of its class for ``item``; 0 where nothing published counts it."""
    base = publish(_rating_probe(people, item, None))
    seen = {
        r: _changed(base, publish(_rating_probe(people, item, r)))
        for r, p in enumerate(people)
        if p.values.get(item) is not None
    }
    sizes = Counter(seen.values())
    return {r: (sizes[s] if s else 0) for r, s in seen.items()}


def membership_classes(people: list[Person], publish: Publish, topic: str) -> dict[int, int]:
    """Respondent -> size of its class among those the comment lists could show."""
    quiet = [Person(p.keys, p.values) for p in people]
    base = publish(quiet)
    seen = {}
    for r, p in enumerate(people):
        probe = list(quiet)
        probe[r] = Person(p.keys, p.values, (topic, MARK))
        seen[r] = _changed(base, publish(probe))
    sizes = Counter(seen.values())
    return {r: (sizes[s] if s else 0) for r, s in seen.items()}


def assert_protected(classes: Mapping[int, int], minimum: int, what: str) -> None:
    exposed = {r: n for r, n in classes.items() if 0 < n < minimum}
    assert not exposed, (
        f"{what}: respondents {sorted(exposed)} are told apart from all but "
        f"{min(exposed.values()) - 1} others (minimum {minimum})"
    )
