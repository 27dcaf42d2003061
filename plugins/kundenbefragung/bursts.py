"""Unusual bursts of submissions: days far above the usual, per site and channel.

Found from the day counts of months not yet final (no answer is read); leitung
may exclude such a day with a recorded reason until the month becomes final.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from statistics import median
from typing import TYPE_CHECKING

from . import periods, store
from .settings import KundenbefragungSettings

if TYPE_CHECKING:
    from willkommen_core.instance import Instance


@dataclass(frozen=True)
class Burst:
    day: date
    site: str
    channel: str
    n: int
    usual: float


def find(counts: list[store.DayCount], settings: KundenbefragungSettings) -> list[Burst]:
    groups: dict[tuple[str, str, str], list[store.DayCount]] = {}
    for c in counts:
        groups.setdefault((periods.month_of(c.day), c.site, c.channel), []).append(c)
    found = []
    for days in groups.values():
        for c in days:
            others = [d.n for d in days if d.day != c.day]
            usual = float(median(others)) if others else 1.0
            if c.n >= settings.burst_minimum and c.n >= settings.burst_factor * usual:
                found.append(Burst(c.day, c.site, c.channel, c.n, usual))
    return sorted(found, key=lambda b: (b.day, b.site, b.channel))


def open_bursts(instance: Instance, settings: KundenbefragungSettings, today: date) -> list[Burst]:
    start = periods.first_open_day(today, settings.review_days)
    return find(store.day_counts_from(instance.db, start), settings)
