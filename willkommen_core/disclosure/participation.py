"""Participation counts of a running survey, published only coarsely.

Whoever watches the number of participants of an open round could tell when
one more answer arrived, and so who just answered (the colleague who just
came back to the room). While a round is open, pages and the API therefore
show its count only as a :class:`Band`: "fewer than ``min_size``", then bands
of growing width on the 1-2-5 series (10, 20, 50, 100, ...), none narrower
than ``min_size``. Within a band one more answer changes nothing visible.
Exact counts are shown once the round is closed.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import gettext as _
from .boundary import Headcount

SERIES = (1, 2, 5)


@dataclass(frozen=True)
class Band:
    """The counts ``low <= n < below``."""

    low: int
    below: int

    def label(self) -> str:
        """Translated text, e.g. "weniger als 5" or "10 bis 19"."""
        if self.low == 0:
            return _("weniger als %(n)s", n=self.below)
        return _("%(low)s bis %(high)s", low=self.low, high=self.below - 1)

    def as_json(self) -> dict[str, int]:
        """The machine form for the API: ``{"at_least": low, "below": below}``."""
        return {"at_least": self.low, "below": self.below}


def _round_up(n: int) -> int:
    """The smallest number of the 1-2-5 series (1, 2, 5, 10, 20, 50, ...) not below ``n``."""
    scale = 1
    while True:
        for step in SERIES:
            if step * scale >= n:
                return step * scale
        scale *= 10


def coarse_count(count: int | Headcount, min_size: int) -> Band:
    """The band of ``count`` participants, for the minimum group size ``min_size``.

    With ``min_size`` 5: 0-4 "weniger als 5", 5-9, 10-19, 20-49, 50-99, 100-199...
    """
    n = count.n if isinstance(count, Headcount) else count
    if n < 0 or min_size < 1:
        raise ValueError("a count is not negative and the minimum group size is at least 1")
    low, below = 0, min_size
    while n >= below:
        low, below = below, _round_up(below + min_size)
    return Band(low, below)


def shown_count(count: int | Headcount, min_size: int, *, closed: bool) -> str:
    """A count of participants as a page shows it: exact once the round is
    ``closed`` (nothing can change any more) and the count reaches the minimum
    (a smaller group never shows its size), only its band while it is open."""
    n = count.n if isinstance(count, Headcount) else count
    if closed and n >= min_size:
        return str(n)
    return coarse_count(n, min_size).label()
