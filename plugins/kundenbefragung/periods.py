"""Months, quarters and years, and which months are final.

Results are published per whole month only: a month's figures appear once it has
ended and its review days have passed, and never change afterwards. Quarters
and years are sums of their final months' published figures, so no figure can
be subtracted from another to reach below a month's groups (see results.py).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

KINDS = ("month", "quarter", "year")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def first_day(month: str) -> date:
    year, mon = month.split("-")
    return date(int(year), int(mon), 1)


def last_day(month: str) -> date:
    start = first_day(month)
    following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return following - timedelta(days=1)


def next_month(month: str) -> str:
    return month_of(last_day(month) + timedelta(days=1))


def months_between(start: str, end: str) -> list[str]:
    found, m = [], start
    while m <= end:
        found.append(m)
        m = next_month(m)
    return found


def is_final(month: str, today: date, review_days: int) -> bool:
    """Whether ``month`` has ended and its review days have passed."""
    return today > last_day(month) + timedelta(days=review_days)


def first_open_day(today: date, review_days: int) -> date:
    """The first day of the earliest month that is not final yet."""
    month = month_of(today)
    while True:
        previous = month_of(first_day(month) - timedelta(days=1))
        if is_final(previous, today, review_days):
            return first_day(month)
        month = previous


def kind_of(period: str) -> str:
    if _MONTH.match(period):
        return "month"
    if _QUARTER.match(period):
        return "quarter"
    if _YEAR.match(period):
        return "year"
    raise ValueError(f"not a month (2026-03), quarter (2026-Q1) or year (2026): {period!r}")


def months_of(period: str) -> list[str]:
    kind = kind_of(period)
    if kind == "month":
        return [period]
    if kind == "quarter":
        year, q = period.split("-Q")
        first = (int(q) - 1) * 3 + 1
        return [f"{year}-{m:02d}" for m in range(first, first + 3)]
    return [f"{period}-{m:02d}" for m in range(1, 13)]


def period_of(month: str, kind: str) -> str:
    year, mon = month.split("-")
    if kind == "month":
        return month
    if kind == "quarter":
        return f"{year}-Q{(int(mon) - 1) // 3 + 1}"
    return year


def complete_periods(final_months: list[str], kind: str) -> list[str]:
    """Periods of ``kind`` all of whose months are final, oldest first."""
    final = set(final_months)
    seen = dict.fromkeys(period_of(m, kind) for m in sorted(final))
    return [p for p in seen if all(m in final for m in months_of(p))]


def label(period: str) -> str:
    """A period as people write it: "März 2026"-style is left to the templates; here
    ``2026-03`` -> ``03/2026``, ``2026-Q1`` -> ``1. Quartal 2026``, years as they are."""
    kind = kind_of(period)
    if kind == "month":
        year, mon = period.split("-")
        return f"{mon}/{year}"
    if kind == "quarter":
        year, q = period.split("-Q")
        return f"{q}. Quartal {year}"
    return period


def range_months(start: date, end: date) -> list[str]:
    """The months exactly covered by ``start``..``end`` (the API's from/to)."""
    if start.day != 1:
        raise ValueError("from must be the first day of a month (results exist per whole month)")
    if end != last_day(month_of(end)):
        raise ValueError("to must be the last day of a month (results exist per whole month)")
    if end < start:
        raise ValueError("to lies before from")
    return months_between(month_of(start), month_of(end))
