"""Opening hours as typed by staff (German day abbreviations), shown in every language.

Format: entries separated by ``;`` or new lines, each ``DAYS TIME[, TIME]`` with
DAYS like ``Mo``, ``Mo-Fr`` or ``Mo,Di,Do`` and TIME like ``08:00-12:00``.
Example: ``Mo-Fr 08:00-12:00; Di 13:00-18:00``. Day names on signs and pages
come from CLDR (Babel), so no translation is needed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DAYS = ("mo", "di", "mi", "do", "fr", "sa", "so")
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)\s*[-–]\s*([01]?\d|2[0-4])[:.]([0-5]\d)$")


class HoursError(ValueError):
    """Opening hours that cannot be read; the message quotes the part and the expected form."""


@dataclass(frozen=True)
class Entry:
    days: tuple[int, ...]
    times: tuple[tuple[str, str], ...]


def _days(text: str) -> tuple[int, ...]:
    found: list[int] = []
    for part in text.lower().split(","):
        part = part.strip().rstrip(".")
        if "-" in part or "–" in part:
            a, b = (p.strip().rstrip(".") for p in re.split(r"[-–]", part, maxsplit=1))
            if a not in DAYS or b not in DAYS or DAYS.index(a) > DAYS.index(b):
                raise HoursError(f"unknown day range {part!r} (use Mo, Di, Mi, Do, Fr, Sa, So)")
            found.extend(range(DAYS.index(a), DAYS.index(b) + 1))
        elif part in DAYS:
            found.append(DAYS.index(part))
        else:
            raise HoursError(f"unknown day {part!r} (use Mo, Di, Mi, Do, Fr, Sa, So)")
    return tuple(dict.fromkeys(found))


def parse(text: str) -> list[Entry]:
    """The entries of ``text``; :class:`HoursError` names the first bad part."""
    entries = []
    for raw in re.split(r"[;\n]", text or ""):
        raw = raw.strip()
        if not raw:
            continue
        match = re.match(r"^([A-Za-z.,\s\-–]+?)\s+(\d.*)$", raw)
        if not match:
            raise HoursError(f"{raw!r}: expected days and times, e.g. 'Mo-Fr 08:00-12:00'")
        days = _days(re.sub(r"\s*([,\-–])\s*", r"\1", match.group(1).strip()))
        times = []
        for t in match.group(2).split(","):
            m = _TIME.match(t.strip())
            if not m:
                raise HoursError(f"{t.strip()!r}: expected a time range like 08:00-12:00")
            start = f"{int(m.group(1)):02d}:{m.group(2)}"
            end = f"{int(m.group(3)):02d}:{m.group(4)}"
            if end <= start:
                raise HoursError(f"{t.strip()!r}: the end must be after the start")
            times.append((start, end))
        entries.append(Entry(days, tuple(times)))
    return entries


LIST_SEPARATOR = {"ar": "، ", "fa": "، ", "ps": "، "}
"""The comma of the Arabic script (U+060C) in Arabic, Persian and Pashto day lists."""
PLAIN_GERMAN = "de-x-ls"


def separator(lang: str) -> str:
    """The list separator of ``lang``: the Arabic comma in Arabic-script languages."""
    return LIST_SEPARATOR.get(lang, ", ")


def localized(text: str, lang: str) -> list[tuple[str, str]]:
    """(days, times) per entry in ``lang``, e.g. ("Mo–Fr", "08:00–12:00").

    Plain language (Leichte Sprache) writes days and ranges out: "Montag bis Freitag",
    "Dienstag und Donnerstag", "8:00 bis 12:00 Uhr"; abbreviations are hard to read."""
    from babel.dates import get_day_names

    plain = lang == PLAIN_GERMAN
    locale = "de" if lang.startswith("de") else lang
    names = get_day_names("wide" if plain else "abbreviated", locale=locale)
    try:
        entries = parse(text)
    except HoursError:
        return []
    out = []
    for e in entries:
        d = list(e.days)
        if len(d) > 2 and d == list(range(d[0], d[-1] + 1)):
            days = f"{names[d[0]]} bis {names[d[-1]]}" if plain else f"{names[d[0]]}–{names[d[-1]]}"
        elif plain:
            head = ", ".join(names[i] for i in d[:-1])
            days = f"{head} und {names[d[-1]]}" if head else names[d[0]]
        else:
            days = separator(lang).join(names[i] for i in d)
        if plain:
            times = " und ".join(f"{_plain_time(a)} bis {_plain_time(b)} Uhr" for a, b in e.times)
        else:
            times = separator(lang).join(f"{a}–{b}" for a, b in e.times)
        out.append((days, times))
    return out


def _plain_time(value: str) -> str:
    """``08:00`` as ``8:00``: a leading zero is one more thing to read."""
    return value.lstrip("0") if not value.startswith("00") else value[1:]
