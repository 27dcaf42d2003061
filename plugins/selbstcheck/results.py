"""Aggregating a round's answers, with the minimum group size enforced.

Groups are the cells of a table perspective x work area plus its margins:
``(p, a)`` with ``p`` in leitung/mitarbeitende/``*`` and ``a`` in the round's
work areas, ``""`` (no area given) or ``*``. ``("*", "*")`` is everyone.

Suppression has two levels, both with *complementary* suppression, so a
hidden group can never be recovered by subtraction (a margin minus the
visible cells of its row or column):

1. **Groups.** A group with fewer respondents than the minimum is hidden
   (no n, mean, distribution, "cannot judge" share or comments). In every
   row and column whose margin is visible, the hidden cells together must
   count 0 or at least the minimum; otherwise the smallest visible cell is
   hidden too, until that holds (iterated over rows and columns).
2. **Distributions.** Per item and per cornerstone, a distribution (and its
   mean) is shown only if it rests on at least the minimum of real answers
   (1..5); the same complementary rule runs on these answer counts, starting
   from the groups hidden in step 1.

Everything that leaves this module (pages, exports, API, summary,
recommendations) reads these results, so no path shows a suppressed group.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .questionnaire import Questionnaire
from .store import PERSPECTIVES, Comment, Response

ALL = "*"
Key = tuple[str, str]
SCALE = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class Cell:
    """One item or cornerstone in one group. Suppressed: numbers are ``None``."""

    suppressed: bool
    n: int | None = None  # answers 1..5 (cornerstone: respondents with at least one)
    mean: float | None = None
    distribution: dict[str, int] | None = None  # "1".."5" -> count
    dont_know: int | None = None  # "kann ich nicht beurteilen"
    dont_know_share: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "mean": self.mean,
            "distribution": self.distribution,
            "dont_know": self.dont_know,
            "dont_know_share": self.dont_know_share,
            "suppressed": self.suppressed,
        }


@dataclass
class GroupResult:
    key: Key
    responses: int
    suppressed: bool
    cornerstones: dict[str, Cell] = field(default_factory=dict)
    items: dict[str, Cell] = field(default_factory=dict)
    comments: dict[str, list[str]] = field(default_factory=dict)

    def means(self) -> dict[str, float]:
        """Cornerstone means that may be shown (suppressed ones left out)."""
        return {
            cid: cell.mean
            for cid, cell in self.cornerstones.items()
            if not cell.suppressed and cell.mean is not None
        }


@dataclass
class RoundResults:
    questionnaire: Questionnaire
    min_size: int
    groups: dict[Key, GroupResult]
    perspectives: tuple[str, ...]
    areas: tuple[str, ...]

    @property
    def total(self) -> GroupResult:
        return self.groups[(ALL, ALL)]

    def group(self, perspective: str | None = None, area: str | None = None) -> GroupResult:
        return self.groups[(perspective or ALL, ALL if area is None else area)]


# -- complementary suppression --------------------------------------------------------


def _lines(perspectives: Iterable[str], areas: Iterable[str]) -> list[tuple[list[Key], Key]]:
    """Rows and columns of the table, each with the margin it adds up to."""
    ps, ars = list(perspectives), list(areas)
    lines = [([(p, a) for a in ars], (p, ALL)) for p in [*ps, ALL]]
    lines += [([(p, a) for p in ps], (ALL, a)) for a in [*ars, ALL]]
    return lines


def protect(
    sizes: dict[Key, int], min_size: int, lines: list[tuple[list[Key], Key]], start: set[Key]
) -> set[Key]:
    """Cells to hide: those below ``min_size`` plus complements, so that in
    every line with a visible margin the hidden cells sum to 0 or >= min_size."""
    hidden = set(start) | {k for k, n in sizes.items() if n < min_size}
    order = {k: i for i, k in enumerate(sizes)}
    changed = True
    while changed:
        changed = False
        for members, margin in lines:
            if margin in hidden:
                continue
            hidden_sum = sum(sizes[m] for m in members if m in hidden)
            if 0 < hidden_sum < min_size:
                candidates = [m for m in members if m not in hidden and sizes[m] > 0]
                if candidates:
                    hidden.add(min(candidates, key=lambda m: (sizes[m], order[m])))
                else:  # cannot happen with consistent sums; hide the margin to be safe
                    hidden.add(margin)
                changed = True
    return hidden


# -- aggregation ---------------------------------------------------------------------


def _matches(resp: Response, key: Key) -> bool:
    p, a = key
    return (p == ALL or resp.perspective == p) and (a == ALL or resp.area == a)


def _stats(values: list[int | None]) -> tuple[int, dict[str, int], int, float | None]:
    dist = {str(v): 0 for v in SCALE}
    dont_know = 0
    for v in values:
        if v is None:
            dont_know += 1
        else:
            dist[str(v)] += 1
    n = sum(dist.values())
    mean = round(sum(int(k) * c for k, c in dist.items()) / n, 2) if n else None
    return n, dist, dont_know, mean


def compute(
    questionnaire: Questionnaire,
    responses: list[Response],
    comments: list[Comment],
    min_size: int,
) -> RoundResults:
    """All groups of a round with suppression applied."""
    perspectives = PERSPECTIVES
    known = list(questionnaire.work_areas)
    extra = sorted({r.area for r in responses if r.area and r.area not in known})
    areas = (*known, *extra, "")
    keys: list[Key] = [(p, a) for p in [*perspectives, ALL] for a in [*areas, ALL]]
    lines = _lines(perspectives, areas)
    members = {k: [r for r in responses if _matches(r, k)] for k in keys}
    sizes = {k: len(v) for k, v in members.items()}
    hidden_groups = protect(sizes, min_size, lines, set())

    measures: dict[str, list[str]] = {
        c.id: [i.id for i in c.items] for c in questionnaire.cornerstones
    }
    raw: dict[Key, dict[str, tuple[int, dict[str, int], int, float | None, int]]] = {}
    for k in keys:
        per: dict[str, tuple[int, dict[str, int], int, float | None, int]] = {}
        for iid in questionnaire.items:
            n, dist, dk, mean = _stats([r.values.get(iid) for r in members[k]])
            per[iid] = (n, dist, dk, mean, sizes[k])
        for cid, iids in measures.items():
            pooled = [r.values.get(iid) for r in members[k] for iid in iids]
            _n, dist, dk, mean = _stats(pooled)
            respondents = sum(
                1 for r in members[k] if any(r.values.get(iid) is not None for iid in iids)
            )
            per[f"@{cid}"] = (respondents, dist, dk, mean, sizes[k] * len(iids))
        raw[k] = per

    measure_ids = [*questionnaire.items, *(f"@{cid}" for cid in measures)]
    visible_dist: dict[str, set[Key]] = {}
    for mid in measure_ids:
        msizes = {k: raw[k][mid][0] for k in keys}
        visible_dist[mid] = set(keys) - protect(msizes, min_size, lines, hidden_groups)

    rng = secrets.SystemRandom()
    groups: dict[Key, GroupResult] = {}
    for k in keys:
        hidden = k in hidden_groups
        group = GroupResult(k, sizes[k], hidden)
        for mid in measure_ids:
            n, dist, dk, mean, slots = raw[k][mid]
            if hidden:
                cell = Cell(True)
            elif k in visible_dist[mid]:
                share = round(dk / slots, 3) if slots else None
                cell = Cell(False, n, mean, dist, dk, share)
            else:  # the group may be shown, this distribution may not
                share = round(dk / slots, 3) if slots else None
                cell = Cell(True, n, None, None, dk, share)
            if mid.startswith("@"):
                group.cornerstones[mid[1:]] = cell
            else:
                group.items[mid] = cell
        if not hidden:
            for c in questionnaire.cornerstones:
                texts = [x.text for x in comments if x.cornerstone == c.id and _matches(x, k)]  # type: ignore[arg-type]
                rng.shuffle(texts)
                group.comments[c.id] = texts
        groups[k] = group
    return RoundResults(questionnaire, min_size, groups, perspectives, areas)


def restrict(questionnaire: Questionnaire, item_ids: set[str]) -> Questionnaire:
    """The questionnaire with only ``item_ids`` (comparing rounds on shared items)."""
    from dataclasses import replace

    return replace(
        questionnaire,
        cornerstones=tuple(
            replace(c, items=tuple(i for i in c.items if i.id in item_ids))
            for c in questionnaire.cornerstones
        ),
    )


def shared_items(questionnaires: list[Questionnaire]) -> set[str]:
    if not questionnaires:
        return set()
    shared = set(questionnaires[0].items)
    for q in questionnaires[1:]:
        shared &= set(q.items)
    return shared
