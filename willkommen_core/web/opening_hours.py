"""A site's opening hours (``[[authority.sites]] opening_hours``) in the reader's language.

Day and time formats come from CLDR (Babel), so no translation is needed;
consecutive days are joined to a range ("Mo.–Fr."), lines with the same days
share one row. Leichte Sprache writes days and ranges out ("Montag bis Freitag").
"""

from __future__ import annotations

from collections.abc import Sequence

from babel.dates import format_time, get_day_names
from babel.lists import format_list

from ..settings import WEEKDAYS, OpeningHours
from .middleware import PLAIN_LANGUAGE


def _day_groups(days: Sequence[int]) -> list[tuple[int, int]]:
    """Runs of consecutive weekdays, e.g. [0, 1, 2, 4] -> [(0, 2), (4, 4)]."""
    runs: list[tuple[int, int]] = []
    for day in days:
        if runs and runs[-1][1] == day - 1:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _days(days: Sequence[str], locale: str, plain: bool) -> str:
    names = get_day_names("wide" if plain else "abbreviated", locale=locale)
    to = " bis " if plain else "–"
    parts = []
    for first, last in _day_groups([WEEKDAYS.index(d) for d in days]):
        if first == last:
            parts.append(names[first])
        elif last == first + 1:
            parts.extend((names[first], names[last]))
        else:
            parts.append(f"{names[first]}{to}{names[last]}")
    # CLDR's list pattern gives each script its own comma ("،" in Arabic).
    return format_list(parts, locale=locale)


def rows(hours: Sequence[OpeningHours], lang: str) -> list[tuple[str, str]]:
    """``(days, times)`` per distinct set of days, in the order of the week."""
    plain = lang == PLAIN_LANGUAGE
    locale = "de" if lang.startswith("de") else lang
    to = " bis " if plain else "–"
    grouped: dict[tuple[str, ...], list[str]] = {}
    for line in sorted(hours, key=lambda h: (WEEKDAYS.index(h.days[0]), h.opens)):
        span = (
            f"{format_time(line.opens, 'short', locale=locale)}"
            f"{to}{format_time(line.closes, 'short', locale=locale)}"
        )
        grouped.setdefault(tuple(line.days), []).append(span)
    return [
        (_days(days, locale, plain), format_list(spans, locale=locale))
        for days, spans in grouped.items()
    ]
