"""Results of the customer survey, as the core disclosure layer lets them be shown.

Each final month gets its own :class:`~willkommen_core.disclosure.Release` over the
characteristics site, service and language (the survey language can single
someone out, so it is protected like the others and withheld first). Every
figure of a month is a sum of that release's atoms of at least the minimum
group size; a quarter, a year or an API range is the sum of its months'
published figures (suppressed groups count nothing), and a month's figures never
change once it is final. Any sum or difference of published figures (periods,
sites, services, languages, exports, API, summary) is therefore a sum of whole
atoms of at least the minimum: no subtraction isolates a smaller group.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from willkommen_core.disclosure import Answers, Release, Stats, Text, release

from . import periods, store
from .content import Survey
from .store import COMMENT_TOPIC

if TYPE_CHECKING:
    from willkommen_core.instance import Instance

CHARACTERISTICS = ("site", "service", "language")
SCALE = (1, 2, 3, 4, 5)
WAIT = "wartezeit"
LONG_WAIT_BANDS = ("4", "5")
EPOCH = date(2000, 1, 1)
"""Waiting-time bands of more than an hour."""


@dataclass(frozen=True)
class Cell:
    """One question, cornerstone or waiting time in one group over a period."""

    suppressed: bool
    n: int | None = None
    mean: float | None = None
    distribution: dict[str, int] | None = None
    dont_know: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "mean": self.mean,
            "distribution": self.distribution,
            "dont_know": self.dont_know,
            "suppressed": self.suppressed,
        }

    def share(self, bands: Iterable[str]) -> float | None:
        if self.distribution is None or not self.n:
            return None
        return round(sum(self.distribution.get(b, 0) for b in bands) / self.n, 3)


SUPPRESSED = Cell(True)


def _sum(stats: list[Stats]) -> Cell:
    """Published month figures added up (suppressed months count nothing)."""
    shown = [s for s in stats if not s.suppressed and s.distribution is not None]
    if not shown:
        return SUPPRESSED
    dist = {str(v): 0 for v in SCALE}
    for s in shown:
        for k, v in (s.distribution or {}).items():
            dist[k] += v
    answers = sum(dist.values())
    mean = round(sum(int(k) * c for k, c in dist.items()) / answers, 2) if answers else None
    return Cell(
        False,
        sum(s.n or 0 for s in shown),
        mean,
        dist,
        sum(s.dont_know or 0 for s in shown),
    )


@dataclass
class Results:
    """The published figures of some final months (a month, quarter, year or range)."""

    survey: Survey
    min_size: int
    months: list[str]
    releases: dict[str, Release] = field(default_factory=dict)

    def _filters(self, filters: dict[str, str | None]) -> dict[str, object]:
        return {k: v for k, v in filters.items() if k in CHARACTERISTICS}

    def size(self, **filters: str | None) -> int | None:
        f = self._filters(filters)
        sizes = [r.size(**f) for r in self.releases.values()]
        total = sum(n for n in sizes if n is not None)
        return total or None

    def question(self, qid: str, **filters: str | None) -> Cell:
        f = self._filters(filters)
        return _sum([r.item(qid, **f) for r in self.releases.values()])

    def cornerstone(self, cid: str, **filters: str | None) -> Cell:
        f = self._filters(filters)
        ids = [q.id for q in self.survey.ratings if q.cornerstone == cid]
        if not ids:
            return SUPPRESSED
        return _sum([r.pooled(ids, **f) for r in self.releases.values()])

    def wait(self, **filters: str | None) -> Cell:
        return self.question(WAIT, **filters)

    def cornerstones(self, **filters: str | None) -> dict[str, Cell]:
        ids = dict.fromkeys(q.cornerstone for q in self.survey.ratings)
        return {cid: self.cornerstone(cid, **filters) for cid in ids}

    def values_of(self, characteristic: str) -> list[str]:
        """Values shown in some month's groups (withheld ones are not a group)."""
        seen: set[str] = set()
        for r in self.releases.values():
            seen |= {v for v in r.values_of(characteristic) if v is not None}
        return sorted(seen)

    def comments(self, **filters: str | None) -> list[str]:
        """Comments of groups of at least the minimum, in random order."""
        f = self._filters(filters)
        found = [t for r in self.releases.values() for t in r.texts(COMMENT_TOPIC, **f)]
        random.SystemRandom().shuffle(found)
        return found

    def group(self, **filters: str | None) -> dict[str, Any]:
        """Everything published about one group, as plain data (API, exports, tests)."""
        return {
            "responses": self.size(**filters),
            "questions": {
                q.id: self.question(q.id, **filters).as_dict()
                for q in self.survey.questions
                if q.kind in ("rating", "wait")
            },
            "cornerstones": {c: cell.as_dict() for c, cell in self.cornerstones(**filters).items()},
        }

    def breakdowns(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Per site, per service and per language: each group on its own."""
        return {c: {v: self.group(**{c: v}) for v in self.values_of(c)} for c in CHARACTERISTICS}


def compute(
    survey: Survey,
    answers: list[Answers],
    texts: list[Text],
    min_size: int,
    months: list[str],
) -> Results:
    """The releases of ``months`` from answers keyed (month, site, service, language)."""
    wanted = set(months)
    by_month: dict[str, list[Answers]] = {m: [] for m in months}
    texts_by_month: dict[str, list[Text]] = {m: [] for m in months}
    for a in answers:
        if a.keys[0] in wanted:
            by_month[a.keys[0]].append(Answers(a.keys[1:], a.values))
    for t in texts:
        if t.keys[0] in wanted:
            texts_by_month[t.keys[0]].append(Text(t.keys[1:], t.topic, t.text))
    releases = {
        m: release(
            by_month[m],
            characteristics=CHARACTERISTICS,
            min_size=min_size,
            texts=texts_by_month[m],
            scale=SCALE,
        )
        for m in months
    }
    return Results(survey, min_size, list(months), releases)


# -- from an instance -------------------------------------------------------------------


def min_size(instance: Instance) -> int:
    return int(instance.settings.privacy.min_group_size)


def final_months(instance: Instance, today: date | None = None) -> list[str]:
    """The final months from the first that publishes anything (a whole-authority
    group of at least the minimum) until the last final one, oldest first."""
    from .settings import settings_of

    today = today or date.today()
    before = periods.first_open_day(today, settings_of(instance).review_days)
    last = periods.month_of(before - timedelta(days=1))
    answers = store.load_answers(instance.db, EPOCH, periods.last_day(last))
    by_month: dict[str, list[Answers]] = {}
    for a in answers:
        by_month.setdefault(a.keys[0], []).append(Answers((), a.values))
    size = min_size(instance)
    shown = [
        m
        for m in sorted(by_month)
        if release(by_month[m], characteristics=(), min_size=size).size() is not None
    ]
    return periods.months_between(shown[0], last) if shown else [last]


def for_months(
    instance: Instance, months: list[str], *, today: date | None = None, with_comments: bool = False
) -> Results:
    """The published figures of ``months``; months not final yet count nothing."""
    from .content import current
    from .settings import settings_of

    today = today or date.today()
    review = settings_of(instance).review_days
    final = [m for m in months if periods.is_final(m, today, review)]
    survey = current(instance)
    if not final:
        return Results(survey, min_size(instance), [])
    start, end = periods.first_day(final[0]), periods.last_day(final[-1])
    answers = store.load_answers(instance.db, start, end)
    texts = store.load_comments(instance.db, start, end) if with_comments else []
    return compute(survey, answers, texts, min_size(instance), final)
