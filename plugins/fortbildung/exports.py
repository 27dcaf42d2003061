"""CSV and iCalendar exports of catalogue and annual plan (no personal data in them)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from willkommen_core.exports import csv_text

from .model import CATEGORIES, FORMATS, Entry
from .store import PartnerRef, Session

TIMEZONE = ZoneInfo("Europe/Berlin")
"""Sessions are stored as local wall-clock time of the authority (all in Germany)."""


def catalogue_csv(entries: Iterable[Entry], partners: dict[int, PartnerRef | None]) -> str:
    header = [
        "key",
        "title",
        "category",
        "format",
        "duration_hours",
        "provider",
        "partner",
        "languages",
        "target_groups",
        "cornerstones",
        "active",
        "description",
    ]
    rows = []
    for e in entries:
        partner = partners.get(e.id)
        rows.append(
            [
                e.key,
                e.title,
                e.category,
                e.format,
                f"{e.duration_hours:g}",
                e.provider,
                partner.name if partner else "",
                ",".join(e.languages),
                ",".join(e.target_groups),
                ",".join(e.cornerstones),
                "1" if e.active else "0",
                e.description,
            ]
        )
    return csv_text(header, rows)


def plan_csv(found: Iterable[Session]) -> str:
    header = [
        "date",
        "start",
        "end",
        "title",
        "catalogue_entry",
        "category",
        "format",
        "location",
        "capacity",
        "registered",
        "free",
    ]
    rows = [
        [
            s.starts_at.date().isoformat(),
            s.starts_at.strftime("%H:%M"),
            s.ends_at.strftime("%H:%M"),
            s.display_title,
            s.entry_title,
            s.category,
            s.format,
            s.location,
            "" if s.capacity is None else s.capacity,
            s.registered,
            "" if s.free is None else s.free,
        ]
        for s in found
    ]
    return csv_text(header, rows)


def calendar(found: Iterable[Session], *, name: str, domain: str) -> bytes:
    """An iCalendar file of the sessions (RFC 5545, with the Europe/Berlin time zone)."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//Willkommen//fortbildung//DE")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    stamp = datetime.now(UTC)
    for s in found:
        event = Event()
        event.add("uid", f"fortbildung-session-{s.id}@{domain}")
        event.add("dtstamp", stamp)
        event.add("dtstart", s.starts_at.replace(tzinfo=TIMEZONE))
        event.add("dtend", s.ends_at.replace(tzinfo=TIMEZONE))
        event.add("summary", s.display_title)
        if s.location:
            event.add("location", s.location)
        kind = f"{CATEGORIES.get(s.category, s.category)}, {FORMATS.get(s.format, s.format)}"
        details = [str(kind)]
        if s.capacity is not None:
            details.append(f"{s.free} / {s.capacity}")
        event.add("description", " · ".join(details))
        event.add("categories", [s.category])
        cal.add_component(event)
    if hasattr(cal, "add_missing_timezones"):
        cal.add_missing_timezones()
    return cal.to_ical()


def participation_csv(pseudonym: str, rows: list[dict[str, Any]]) -> str:
    header = ["pseudonym", *(rows[0].keys() if rows else ["date"])]
    return csv_text(header, [[pseudonym, *r.values()] for r in rows])


def participation_json(pseudonym: str, rows: list[dict[str, Any]]) -> str:
    return json.dumps({"pseudonym": pseudonym, "participation": rows}, ensure_ascii=False, indent=2)
