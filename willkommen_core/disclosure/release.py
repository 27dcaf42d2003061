"""What an instance may publish about one set of answers (a round, a period).

Every figure derived from answers (counts, means, distributions, "cannot
judge" shares, comments) is read from a :class:`Release`. It decides over the
whole set of views at once instead of checking one table at a time, so that
adding, subtracting or intersecting any published figures (pages, filters,
exports, API, comparisons, the state summary) never isolates fewer than
``min_size`` respondents.

How: respondents are sorted into *atoms*, one per combination of their
characteristics (e.g. perspective x work area). An atom smaller than the
minimum has its least important characteristic *withheld* (statistical
offices call this local suppression by recoding): its respondents still count
for the margins, never for the withheld value. Where the withheld pool of a
branch stays too small, the smallest sibling atoms are withheld with it
(secondary suppression); an all-withheld pool still below the minimum is left
out of every figure. Every published number is then a sum over whole atoms of
at least ``min_size``, so any linear combination of published numbers is too:
no subtraction or intersection reaches below an atom.

Ratings repeat the same on each item, over the respondents who gave a real
answer (not "cannot judge"), so an item rated by one person in a group (the
others could not judge) cannot be read off the cornerstone either: item-level
atoms hold at least ``min_size`` real answers, and cornerstone figures are
sums of item figures.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

WITHHELD: None = None
"""A characteristic value withheld to protect a small group (matches only "all" or itself)."""

Key = tuple[str | None, ...]
ANY = object()
"""Filter value: every value of the characteristic (a margin)."""


@dataclass(frozen=True)
class Answers:
    """One respondent's answer set, as a module loaded it: no identity, no time."""

    keys: tuple[str, ...]
    """The respondent's characteristics, in the order of the release's characteristics."""
    values: Mapping[str, int | None]
    """Item id -> value on the scale; ``None``: "cannot judge" (no real answer)."""


@dataclass(frozen=True)
class Text:
    """A free-text answer; it carries the same characteristics as its answer set."""

    keys: tuple[str, ...]
    topic: str
    text: str


@dataclass(frozen=True)
class Stats:
    """An item, or several pooled, in one group. Suppressed: numbers are ``None``."""

    suppressed: bool
    n: int | None = None
    """Real answers (pooled items: respondents who rated at least one of them)."""
    mean: float | None = None
    distribution: dict[str, int] | None = None
    dont_know: int | None = None
    dont_know_share: float | None = None


SUPPRESSED = Stats(True)


def _cascade(sizes: Mapping[Key, int], width: int, min_size: int) -> dict[Key, Key | None]:
    """Map each key to the atom it is published in (``None``: left out).

    Withholds characteristics from the last to the first, so a withheld value
    is always followed by withheld values (the atoms form a tree).
    """
    mapping: dict[Key, Key | None] = {k: k for k in sizes}
    current: Counter[Key] = Counter(sizes)
    for level in range(width - 1, -1, -1):
        pool_tail: tuple[None, ...] = (WITHHELD,) * (width - level)
        branches: dict[Key, list[Key]] = defaultdict(list)
        for k in current:
            branches[k[:level]].append(k)
        moves: dict[Key, Key] = {}
        for prefix, keys in branches.items():
            pool = (*prefix, *pool_tail)
            siblings = [k for k in keys if k != pool and current[k] > 0]
            moving = [k for k in siblings if current[k] < min_size]
            rest = sorted(
                (k for k in siblings if current[k] >= min_size),
                key=lambda k: (current[k], tuple("" if v is None else v for v in k)),
            )
            pooled = current.get(pool, 0) + sum(current[k] for k in moving)
            # Secondary suppression: a pool too small to show takes the smallest siblings.
            while 0 < pooled < min_size and rest:
                sibling = rest.pop(0)
                moving.append(sibling)
                pooled += current[sibling]
            for k in moving:
                moves[k] = pool
                current[pool] += current.pop(k)
        mapping = {o: (moves.get(t, t) if t is not None else None) for o, t in mapping.items()}
    return {
        o: (t if t is not None and current[t] >= min_size else None) for o, t in mapping.items()
    }


def _tail(stats: Stats) -> tuple[float | None, dict[str, int] | None, int | None, float | None]:
    return stats.mean, stats.distribution, stats.dont_know, stats.dont_know_share


def _matches(atom: Key | None, wanted: Sequence[object]) -> bool:
    if atom is None:
        return False
    return all(w is ANY or w == v for w, v in zip(wanted, atom, strict=True))


@dataclass
class _Item:
    """One item, tallied once per atom: every view then sums a few atoms."""

    ratings: dict[Key, Counter[int]]  # item atom -> real values
    raters: dict[Key, set[int]]  # item atom -> respondents rated there
    dont_know: Counter[Key]  # respondent atom -> "cannot judge" answers


@dataclass
class Release:
    """The publishable figures of one answer set. Build with :func:`release`."""

    characteristics: tuple[str, ...]
    min_size: int
    scale: tuple[int, ...]
    _sizes: Counter[Key]  # published respondent atom -> respondents
    _items: dict[str, _Item]
    _texts: list[tuple[Key | None, Text]]

    @property
    def items(self) -> list[str]:
        """Ids of the items answered in this set, in order of first appearance."""
        return list(self._items)

    # -- groups ----------------------------------------------------------------------

    def _wanted(self, filters: Mapping[str, object]) -> tuple[object, ...]:
        unknown = set(filters) - set(self.characteristics)
        if unknown:
            raise KeyError(f"not a characteristic of this release: {sorted(unknown)}")
        return tuple(filters.get(c, ANY) for c in self.characteristics)

    def _members(self, wanted: tuple[object, ...]) -> int:
        return sum(n for atom, n in self._sizes.items() if _matches(atom, wanted))

    def size(self, **filters: object) -> int | None:
        """Respondents in the group, or ``None`` when fewer than the minimum may be shown."""
        n = self._members(self._wanted(filters))
        return n if n >= self.min_size else None

    def suppressed(self, **filters: object) -> bool:
        return self.size(**filters) is None

    def item(self, item_id: str, **filters: object) -> Stats:
        """One item in a group; ``n`` counts its real answers that may be shown."""
        stats = self.pooled([item_id], **filters)
        if stats.distribution is None:
            return stats
        return Stats(False, sum(stats.distribution.values()), *_tail(stats))

    def pooled(self, item_ids: Iterable[str], **filters: object) -> Stats:
        """Items pooled (a cornerstone) as sums of item figures, so never finer than an item.

        ``n`` is the number of respondents with at least one rating shown here;
        "cannot judge" counts are taken over the group's respondents.
        """
        wanted = self._wanted(filters)
        members = self._members(wanted)
        if members < self.min_size:
            return SUPPRESSED
        items = [self._items[i] for i in item_ids if i in self._items]
        dist = {str(v): 0 for v in self.scale}
        raters: set[int] = set()
        dont_know = 0
        for item in items:
            # Ratings count by item atom, which may be coarser than the group's
            # respondents: only whole item atoms inside the group are summed.
            for atom, values in item.ratings.items():
                if _matches(atom, wanted):
                    for value, n in values.items():
                        dist[str(value)] += n
                    raters |= item.raters[atom]
            dont_know += sum(n for atom, n in item.dont_know.items() if _matches(atom, wanted))
        slots = members * len(items)
        share = round(dont_know / slots, 3) if slots else None
        answers = sum(dist.values())
        if answers == 0:  # every item atom of this group was too small to show
            return Stats(True, None, None, None, dont_know, share)
        mean = round(sum(int(k) * c for k, c in dist.items()) / answers, 2)
        return Stats(False, len(raters), mean, dist, dont_know, share)

    def texts(self, topic: str, **filters: object) -> list[str]:
        """Free texts of the group on ``topic``, in random order (never arrival order)."""
        wanted = self._wanted(filters)
        if self._members(wanted) < self.min_size:
            return []
        found = [t.text for atom, t in self._texts if t.topic == topic and _matches(atom, wanted)]
        random.SystemRandom().shuffle(found)
        return found

    def values_of(self, characteristic: str) -> list[str | None]:
        """Values of a characteristic that occur in published atoms (withheld last)."""
        pos = self.characteristics.index(characteristic)
        seen = {atom[pos] for atom in self._sizes}
        return sorted(v for v in seen if v is not None) + ([None] if None in seen else [])


def release(
    answers: Sequence[Answers],
    *,
    characteristics: Sequence[str],
    min_size: int,
    texts: Sequence[Text] = (),
    scale: Sequence[int] = (1, 2, 3, 4, 5),
) -> Release:
    """The figures of ``answers`` that may be published with groups of at least ``min_size``.

    ``characteristics`` name the breakdowns offered, most important first (the
    last is withheld first). Pass none to publish the whole set only (e.g. a
    round where one person may submit many times).
    """
    if min_size < 1:
        raise ValueError("min_size must be at least 1")
    width = len(characteristics)
    for a in answers:
        if len(a.keys) != width:
            raise ValueError(f"answer set with {len(a.keys)} characteristics, expected {width}")
    sizes: Counter[Key] = Counter(tuple(a.keys) for a in answers)
    mapping = _cascade(sizes, width, min_size)
    atoms = [mapping[tuple(a.keys)] for a in answers]

    items: dict[str, _Item] = {}
    for iid in dict.fromkeys(i for a in answers for i in a.values):
        real: Counter[Key] = Counter()
        dont_know: Counter[Key] = Counter()
        for a, atom in zip(answers, atoms, strict=True):
            if atom is not None and iid in a.values:
                if a.values[iid] is None:
                    dont_know[atom] += 1
                else:
                    real[atom] += 1
        item_map = _cascade(real, width, min_size)
        item = _Item({}, {}, dont_know)
        for r, (a, atom) in enumerate(zip(answers, atoms, strict=True)):
            value = a.values.get(iid)
            placed = item_map.get(atom) if atom is not None and value is not None else None
            if placed is not None:
                item.ratings.setdefault(placed, Counter())[value] += 1  # type: ignore[index]
                item.raters.setdefault(placed, set()).add(r)
        items[iid] = item
    published = Counter(atom for atom in atoms if atom is not None)
    texts_placed = [(mapping.get(tuple(t.keys)), t) for t in texts]
    return Release(tuple(characteristics), min_size, tuple(scale), published, items, texts_placed)
