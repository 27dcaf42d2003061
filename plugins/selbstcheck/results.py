"""A round's results, as the core disclosure layer lets them be shown.

Nothing here counts answers: every figure (group sizes, means,
distributions, "cannot judge" shares, comments) is asked of the round's one
:class:`~willkommen_core.disclosure.Release`, which decides over all views of
the round together (filters, items, cornerstones, comparisons, exports, API,
state summary). Pages, exports, API and summary read these results.

Groups are ``(p, a)`` with ``p`` in leitung/mitarbeitende/``*`` and ``a`` a
work area of the round, ``""`` (no area given) or ``*``. A round run with a
shared code (one person may submit many times) offers the whole authority
only: ``perspectives`` and ``areas`` are then empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from willkommen_core.disclosure import Answers, Release, Stats, Text, release

from .questionnaire import Questionnaire
from .store import PERSPECTIVES

ALL = "*"
Key = tuple[str, str]
SCALE = (1, 2, 3, 4, 5)
BREAKDOWN = ("perspective", "area")

Cell = Stats
"""One item or cornerstone in one group (suppressed: its numbers are ``None``)."""


def cell_dict(cell: Stats) -> dict[str, Any]:
    return {
        "n": cell.n,
        "mean": cell.mean,
        "distribution": cell.distribution,
        "dont_know": cell.dont_know,
        "dont_know_share": cell.dont_know_share,
        "suppressed": cell.suppressed,
    }


@dataclass
class GroupResult:
    key: Key
    responses: int | None
    """Respondents shown for the group; ``None`` when fewer than the minimum."""
    suppressed: bool
    cornerstones: dict[str, Stats] = field(default_factory=dict)
    items: dict[str, Stats] = field(default_factory=dict)
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
    release: Release
    perspectives: tuple[str, ...]
    areas: tuple[str, ...]
    with_comments: bool = True
    _groups: dict[Key, GroupResult] = field(default_factory=dict)

    @property
    def breakdown(self) -> bool:
        """Whether results by perspective and work area are offered at all."""
        return bool(self.release.characteristics)

    @property
    def keys(self) -> list[Key]:
        return [(p, a) for p in [*self.perspectives, ALL] for a in [*self.areas, ALL]]

    @property
    def groups(self) -> dict[Key, GroupResult]:
        return {k: self.group_at(k) for k in self.keys}

    @property
    def total(self) -> GroupResult:
        return self.group_at((ALL, ALL))

    def group(self, perspective: str | None = None, area: str | None = None) -> GroupResult:
        return self.group_at((perspective or ALL, ALL if area is None else area))

    def group_at(self, key: Key) -> GroupResult:
        found = self._groups.get(key)
        if found is None:
            if key not in self.keys:
                raise KeyError(key)
            found = self._groups[key] = self._build(key)
        return found

    def _filters(self, key: Key) -> dict[str, str]:
        p, a = key
        return {
            name: value
            for name, value in zip(BREAKDOWN, (p, a), strict=True)
            if value != ALL and self.breakdown
        }

    def _build(self, key: Key) -> GroupResult:
        rel, filters = self.release, self._filters(key)
        size = rel.size(**filters)
        group = GroupResult(key, size, size is None)
        for c in self.questionnaire.cornerstones:
            group.cornerstones[c.id] = rel.pooled([i.id for i in c.items], **filters)
            for i in c.items:
                group.items[i.id] = rel.item(i.id, **filters)
            if self.with_comments and size is not None:
                group.comments[c.id] = rel.texts(c.id, **filters)
        return group

    def over(self, item_ids: set[str]) -> GroupResult:
        """The whole authority on ``item_ids`` only (comparing rounds on shared items).

        Pooled by the same release, so the figures are sums of the same atoms
        as every other view of this round.
        """
        q = restrict(self.questionnaire, item_ids)
        return replace(self, questionnaire=q, with_comments=False, _groups={}).total


def compute(
    questionnaire: Questionnaire,
    answers: list[Answers],
    texts: list[Text],
    min_size: int,
    *,
    breakdown: bool = True,
) -> RoundResults:
    """The round's release and the groups it offers.

    ``answers`` and ``texts`` carry the keys ``(perspective, area)``; without
    ``breakdown`` they are published for the whole authority only.
    """
    if not breakdown:
        answers = [Answers((), a.values) for a in answers]
        texts = [Text((), t.topic, t.text) for t in texts]
    rel = release(
        answers,
        characteristics=BREAKDOWN if breakdown else (),
        min_size=min_size,
        texts=texts,
        scale=SCALE,
    )
    areas = (*questionnaire.work_areas, "") if breakdown else ()
    return RoundResults(
        questionnaire,
        min_size,
        rel,
        PERSPECTIVES if breakdown else (),
        areas,
        with_comments=bool(texts),
    )


def restrict(questionnaire: Questionnaire, item_ids: set[str]) -> Questionnaire:
    """The questionnaire with only ``item_ids`` (comparing rounds on shared items)."""
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
