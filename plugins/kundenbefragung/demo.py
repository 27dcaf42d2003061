"""Demo content: a year of customer feedback for Magdeburg, June 2014 to May 2015.

Plausible, invented answers in several languages that tell the story of the
self-assessment rounds (baseline March 2014, follow-up May 2015): at first the
customers find their way badly and wait long, by spring 2015 the new signage
and the appointment system show. Referral to help elsewhere stays below what the
staff believe (the side-by-side view marks it). Some months are small in a language, so the
demo also shows suppression at work.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import TYPE_CHECKING

from . import periods, store
from .store import Submission

if TYPE_CHECKING:
    from willkommen_core.instance import Instance

MONTHS = periods.months_between("2014-06", "2015-05")
LANGUAGES = [
    ("de", 46),
    ("ar", 14),
    ("en", 10),
    ("ru", 8),
    ("fa", 7),
    ("tr", 6),
    ("pl", 3),
    ("ro", 3),
    ("de-x-ls", 3),
]
SERVICES = [("aufenthalt", 64), ("einbuergerung", 20), ("sonstiges", 10), ("", 6)]
# Customers' means at the start (June 2014) and the end (May 2015) of the year.
START = {
    "orientierung": 2.3,
    "termin": 2.4,
    "respekt": 3.4,
    "weitervermittlung": 2.6,
    "gesamt": 3.0,
}
END = {"orientierung": 3.3, "termin": 3.1, "respekt": 3.9, "weitervermittlung": 3.0, "gesamt": 3.7}
# Waiting-time bands (weights for 1 "< 15 min" .. 5 "> 2 h"), start and end.
WAIT_START = (8, 20, 30, 27, 15)
WAIT_END = (22, 33, 27, 13, 5)


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def _rating(rng: random.Random, mean: float) -> int:
    return max(1, min(5, round(rng.gauss(mean, 0.9))))


def seed(instance: Instance) -> None:
    """Seed the year; does nothing when any answer or day count exists (idempotent)."""
    if store.has_any(instance.db) or store.list_exclusions(instance.db):
        return
    from .results import for_months

    if for_months(instance, MONTHS[:1]).size() is not None:
        return
    rng = random.Random(2014)  # noqa: S311 (demo data, reproducible)
    sites = [s.name for s in instance.settings.authority.sites]
    final_before = periods.first_open_day(date.today(), 7)
    for i, month in enumerate(MONTHS):
        share = i / (len(MONTHS) - 1)
        means = {q: START[q] + (END[q] - START[q]) * share for q in START}
        wait = [a + (b - a) * share for a, b in zip(WAIT_START, WAIT_END, strict=True)]
        first = periods.first_day(month)
        for _n in range(rng.randint(55, 85)):
            day = first + timedelta(days=rng.randint(0, 27))
            values: dict[str, int | None] = {q: _rating(rng, m) for q, m in means.items()}
            if rng.random() < 0.25:
                values["weitervermittlung"] = None  # needed no help elsewhere
            values["wartezeit"] = rng.choices([1, 2, 3, 4, 5], wait)[0]
            sub = Submission(
                "kiosk" if rng.random() < 0.3 else "qr",
                rng.choice(sites),
                _pick(rng, SERVICES),
                _pick(rng, LANGUAGES),
                values,
            )
            store.submit(instance.db, sub, [], today=day, final_before=final_before)
