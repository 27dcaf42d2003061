"""Catalogue entries, sessions and their validation (shared by content file, forms and API)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from babel import Locale, UnknownLocaleError

from willkommen_core.domain import CORNERSTONE_IDS
from willkommen_core.i18n import gettext as _
from willkommen_core.i18n import lazy_gettext as _l

CATEGORIES: dict[str, Any] = {
    "fachlich": _l("Fachliche Weiterbildung"),
    "fachuebergreifend": _l("Fachübergreifende Weiterbildung"),
    "teambildung": _l("Teambildende Maßnahme"),
}
"""The seed's three kinds: professional, cross-cutting, team-building."""

FORMATS: dict[str, Any] = {"intern": _l("intern"), "extern": _l("extern")}

SURVEY_FORMATS: dict[str, Any] = {
    "intern": _l("Interne Schulung im Haus"),
    "extern": _l("Externes Seminar"),
    "online": _l("Online-Seminar"),
    "hospitation": _l("Hospitation oder Besuch bei einer anderen Behörde"),
    "workshop": _l("Mehrtägiger Workshop"),
}
"""Formats staff may wish for in the needs survey."""

KEY = re.compile(r"^[a-z0-9][a-z0-9-]{1,59}$")
LANG_CODE = re.compile(r"^[a-z]{2,3}$")
SPLIT = re.compile(r"[\s,;]+")
MAX = {"title": 200, "provider": 200, "description": 5000, "location": 200, "notes": 5000}


@dataclass
class EntryData:
    """Validated values of one catalogue entry (without id and timestamps)."""

    key: str
    title: str
    category: str
    format: str
    duration_hours: float
    provider: str = ""
    partner_id: int | None = None
    languages: list[str] = field(default_factory=list)
    target_groups: list[str] = field(default_factory=list)
    cornerstones: list[str] = field(default_factory=list)
    description: str = ""
    active: bool = True

    def columns(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "category": self.category,
            "format": self.format,
            "duration_hours": self.duration_hours,
            "provider": self.provider,
            "partner_id": self.partner_id,
            "languages": ",".join(self.languages),
            "target_groups": ",".join(self.target_groups),
            "cornerstones": ",".join(self.cornerstones),
            "description": self.description,
            "active": self.active,
        }


@dataclass
class Entry(EntryData):
    id: int = 0
    shipped: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @classmethod
    def from_row(cls, row: Any) -> Entry:
        v = dict(row._mapping)
        for name in ("languages", "target_groups", "cornerstones"):
            v[name] = [x for x in (v[name] or "").split(",") if x]
        return cls(**v)

    @property
    def internal(self) -> bool:
        return self.format == "intern"


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [p for p in SPLIT.split(value.strip()) if p]
    if isinstance(value, list | tuple):
        return [str(p).strip() for p in value if str(p).strip()]
    return [str(value)]


def _text(raw: Mapping[str, Any], name: str, errors: dict[str, str]) -> str:
    value = raw.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[name] = _("Bitte geben Sie einen Text an.")
        return ""
    value = value.strip()
    if name in MAX and len(value) > MAX[name]:
        errors[name] = _("Höchstens %(n)s Zeichen.", n=MAX[name])
    return value


def parse_hours(value: Any) -> float | None:
    """``6``, ``1.5`` or the German ``1,5``; ``None`` when it is no number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip().replace(",", "."))
        except ValueError:
            return None
    return None


def validate_entry(
    raw: Mapping[str, Any], work_areas: Mapping[str, Any]
) -> tuple[EntryData | None, dict[str, str]]:
    """Check an entry from a form (strings) or the content file (typed values).

    Returns the normalised data or, per field, a specific message.
    """
    errors: dict[str, str] = {}
    key = _text(raw, "key", errors).lower()
    if "key" not in errors and not KEY.match(key):
        errors["key"] = _(
            "Die Kennung besteht aus 2 bis 60 Kleinbuchstaben, Ziffern und Bindestrichen, "
            "z. B. »deeskalation-2025«."
        )
    title = _text(raw, "title", errors)
    if not title and "title" not in errors:
        errors["title"] = _("Bitte geben Sie einen Titel an.")
    category = _text(raw, "category", errors)
    if category not in CATEGORIES:
        errors["category"] = _(
            "Bitte wählen Sie eine Kategorie: fachlich, fachübergreifend oder teambildend."
        )
    fmt = _text(raw, "format", errors)
    if fmt not in FORMATS:
        errors["format"] = _("Bitte wählen Sie intern oder extern.")
    hours = parse_hours(raw.get("duration_hours", ""))
    if hours is None:
        errors["duration_hours"] = _(
            "Bitte geben Sie die Dauer in Stunden als Zahl an, z. B. 6 oder 1,5."
        )
    elif not 0.25 <= hours <= 500:
        errors["duration_hours"] = _("Die Dauer muss zwischen 0,25 und 500 Stunden liegen.")
    provider = _text(raw, "provider", errors)
    description = _text(raw, "description", errors)
    languages: list[str] = []
    unknown: list[str] = []
    for code in _as_list(raw.get("languages")):
        code = code.lower()
        if code in languages:
            continue
        try:
            if not LANG_CODE.match(code):
                raise ValueError(code)
            Locale.parse(code)
        except (UnknownLocaleError, ValueError):
            unknown.append(code)
            continue
        languages.append(code)
    if unknown:
        errors["languages"] = _(
            "Unbekannte Sprachcodes: %(codes)s. Verwenden Sie ISO-Codes wie de, en, ar.",
            codes=", ".join(unknown),
        )
    elif not languages:
        errors["languages"] = _("Bitte geben Sie mindestens eine Sprache an, z. B. de.")
    groups = list(dict.fromkeys(_as_list(raw.get("target_groups"))))
    bad = [g for g in groups if g not in work_areas]
    if bad:
        errors["target_groups"] = _("Unbekannte Arbeitsbereiche: %(ids)s.", ids=", ".join(bad))
    stones = list(dict.fromkeys(_as_list(raw.get("cornerstones"))))
    bad = [c for c in stones if c not in CORNERSTONE_IDS]
    if bad:
        errors["cornerstones"] = _("Unbekannte Eckpunkte: %(ids)s.", ids=", ".join(bad))
    elif not stones:
        errors["cornerstones"] = _("Bitte wählen Sie mindestens einen Eckpunkt.")
    partner_id: int | None = None
    raw_partner = raw.get("partner_id", "")
    if raw_partner not in ("", None):
        if isinstance(raw_partner, int) and not isinstance(raw_partner, bool):
            partner_id = raw_partner
        elif isinstance(raw_partner, str) and raw_partner.strip().isdecimal():
            partner_id = int(raw_partner.strip())
        else:
            errors["partner_id"] = _("Diesen Partner gibt es nicht.")
    active = raw.get("active", True)
    if isinstance(active, str):
        active = active.strip().lower() in ("1", "on", "true", "ja")
    if errors:
        return None, errors
    return (
        EntryData(
            key=key,
            title=title,
            category=category,
            format=fmt,
            duration_hours=float(hours or 0),
            provider=provider,
            partner_id=partner_id,
            languages=languages,
            target_groups=groups,
            cornerstones=stones,
            description=description,
            active=bool(active),
        ),
        {},
    )


@dataclass
class SessionData:
    entry_id: int
    starts_at: datetime
    ends_at: datetime
    title: str = ""
    location: str = ""
    capacity: int | None = None
    notes: str = ""

    def columns(self) -> dict[str, Any]:
        return {
            "entry_id": self.entry_id,
            "starts_at": self.starts_at,
            "ends_at": self.ends_at,
            "title": self.title,
            "location": self.location,
            "capacity": self.capacity,
            "notes": self.notes,
        }


def _parse_date(text: str) -> date | None:
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def _parse_time(text: str) -> time | None:
    for fmt in ("%H:%M", "%H.%M", "%H:%M:%S"):
        try:
            return datetime.strptime(text.strip(), fmt).time()
        except ValueError:
            continue
    return None


def validate_session(
    raw: Mapping[str, str], entry_ids: set[int]
) -> tuple[SessionData | None, dict[str, str]]:
    """A dated session from the form: entry, day, start and end time, place, capacity."""
    errors: dict[str, str] = {}
    entry = raw.get("entry_id", "").strip()
    entry_id = int(entry) if entry.isdecimal() else 0
    if entry_id not in entry_ids:
        errors["entry_id"] = _("Bitte wählen Sie eine Fortbildung aus dem Katalog.")
    day = _parse_date(raw.get("day", ""))
    if day is None:
        errors["day"] = _("Bitte geben Sie das Datum im Format JJJJ-MM-TT an.")
    elif not 2000 <= day.year <= 2100:
        errors["day"] = _("Das Datum muss zwischen 2000 und 2100 liegen.")
    start = _parse_time(raw.get("start", ""))
    if start is None:
        errors["start"] = _("Bitte geben Sie die Anfangszeit im Format HH:MM an.")
    end = _parse_time(raw.get("end", ""))
    if end is None:
        errors["end"] = _("Bitte geben Sie die Endzeit im Format HH:MM an.")
    elif start is not None and end <= start:
        errors["end"] = _("Die Endzeit muss nach der Anfangszeit liegen.")
    capacity: int | None = None
    cap = raw.get("capacity", "").strip()
    if cap:
        if not cap.isdecimal() or not 1 <= int(cap) <= 1000:
            errors["capacity"] = _(
                "Die Zahl der Plätze ist eine ganze Zahl von 1 bis 1000 (leer: unbegrenzt)."
            )
        else:
            capacity = int(cap)
    values = {}
    for name in ("title", "location", "notes"):
        values[name] = raw.get(name, "").strip()
        if len(values[name]) > MAX[name if name != "title" else "title"]:
            errors[name] = _("Höchstens %(n)s Zeichen.", n=MAX[name])
    if errors:
        return None, errors
    assert day is not None and start is not None and end is not None
    return (
        SessionData(
            entry_id=entry_id,
            starts_at=datetime.combine(day, start),
            ends_at=datetime.combine(day, end),
            capacity=capacity,
            **values,
        ),
        {},
    )


PSEUDONYM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$")


def validate_pseudonym(text: str) -> tuple[str | None, str | None]:
    """A pseudonym or staff number: letters, digits, '.', '_', '-' (no spaces, so no names)."""
    value = text.strip()
    if not value:
        return None, _("Bitte geben Sie ein Pseudonym oder eine Personalnummer an.")
    if not PSEUDONYM.match(value):
        return None, _(
            "Pseudonym oder Personalnummer: bis 60 Zeichen aus Buchstaben, Ziffern, ».«, »_« "
            "und »-«, ohne Leerzeichen (z. B. MA-07 oder 4711)."
        )
    return value, None
