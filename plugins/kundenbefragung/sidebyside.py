"""The customers' and the staff's view of each cornerstone, side by side.

The staff's view comes through the public hook contract only: every enabled
module's ``state_summary`` read back by the same module's
``read_state_summary``; the ``rounds`` there are closed, disclosure-controlled
cornerstone scores (the self-assessment's). No module is imported.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from willkommen_core.types import CornerstoneRound

from . import NAME, periods
from .results import Cell, Results

if TYPE_CHECKING:
    from willkommen_core.instance import Instance

log = logging.getLogger(__name__)
DISAGREE = 0.5
"""Means this far apart (on 1..5) are marked as a disagreement."""


def staff_rounds(instance: Instance) -> list[CornerstoneRound]:
    """Closed rounds of cornerstone scores any other enabled module publishes."""
    host = instance.plugins
    found: list[CornerstoneRound] = []
    for name in host.enabled:
        if name == NAME:
            continue
        try:
            section = host.call_one(name, "state_summary", instance=instance)
            if section is None:
                continue
            figures = host.call_one(name, "read_state_summary", section=section)
        except Exception:  # one module must not break another's page
            log.warning("module %s: no cornerstone rounds for the comparison", name, exc_info=True)
            continue
        if figures is not None:
            found += [r for r in figures.rounds if r.closed_on]
    return sorted(found, key=lambda r: r.closed_on)


def round_for(
    rounds: list[CornerstoneRound], months: list[str]
) -> tuple[CornerstoneRound | None, bool]:
    """The round closed within the period (the latest), else the latest before its end;
    and whether it lies within the period."""
    if not months:
        return None, False
    start = periods.first_day(months[0]).isoformat()
    end = periods.last_day(months[-1]).isoformat()
    inside = [r for r in rounds if start <= r.closed_on[:10] <= end]
    if inside:
        return inside[-1], True
    before = [r for r in rounds if r.closed_on[:10] < start]
    return (before[-1], False) if before else (None, False)


@dataclass
class Row:
    cornerstone: str
    customers: Cell
    staff: float | None
    staff_suppressed: bool

    @property
    def difference(self) -> float | None:
        if self.customers.mean is None or self.staff is None:
            return None
        return round(self.customers.mean - self.staff, 2)

    @property
    def disagree(self) -> bool:
        return self.difference is not None and abs(self.difference) >= DISAGREE


def compare(results: Results, rnd: CornerstoneRound | None) -> list[Row]:
    rows = []
    for cid, cell in results.cornerstones().items():
        sc = rnd.cells.get(cid) if rnd is not None else None
        staff = None if sc is None or sc.suppressed else sc.mean
        suppressed = bool(sc is not None and sc.suppressed)
        rows.append(Row(cid, cell, staff, suppressed))
    return rows
