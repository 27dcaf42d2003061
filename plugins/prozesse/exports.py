"""The plan leaving the browser: CSV and iCalendar of the milestones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from icalendar import Calendar, Event

from willkommen_core.exports import csv_text
from willkommen_core.i18n import gettext as _

from .store import STATUSES, Plan

CSV_COLUMNS = [
    "phase",
    "nr",
    "schritt",
    "beginn",
    "ende",
    "verantwortlich",
    "beteiligte",
    "status",
    "erwartetes_ergebnis",
    "ergebnis",
]


def export_csv(plan: Plan, participant_title: Any) -> str:
    """One row per step, phases in order; participants by title, dates ISO."""
    rows = []
    for number, step in enumerate(plan.steps, start=1):
        rows.append(
            [
                plan.phase_of(step).title,
                number,
                step.title,
                step.planned_on.isoformat() if step.planned_on else "",
                step.ends_on.isoformat() if step.ends_on else "",
                step.owner,
                ", ".join(participant_title(p) for p in step.participants.split(",") if p),
                step.status,
                step.expected_result,
                step.result_notes,
            ]
        )
    return csv_text(CSV_COLUMNS, rows)


def icalendar(plan: Plan, authority: str, domain: str) -> bytes:
    """Every dated step that is not dropped, as an all-day event (RFC 5545).

    UIDs are stable per step, so a calendar that subscribes to the export
    updates events instead of duplicating them.
    """
    cal = Calendar()
    cal.add("prodid", "-//Willkommen//prozesse//DE")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{plan.title} – {authority}")
    stamp = datetime.now(UTC).replace(microsecond=0)
    for step in plan.steps:
        if step.planned_on is None or step.status == "entfallen":
            continue
        event = Event()
        event.add("uid", f"prozesse-step-{step.id}@{domain}")
        event.add("dtstamp", stamp)
        event.add("summary", step.title)
        event.add("dtstart", step.planned_on)
        # DTEND of an all-day event is exclusive: the day after the last day.
        event.add("dtend", (step.ends_on or step.planned_on) + timedelta(days=1))
        lines = [_("Phase: %(phase)s", phase=plan.phase_of(step).title)]
        if step.owner:
            lines.append(_("Verantwortlich: %(owner)s", owner=step.owner))
        if step.expected_result:
            lines.append(_("Ergebnis: %(result)s", result=step.expected_result))
        lines.append(_("Status: %(status)s", status=str(STATUSES[step.status])))
        event.add("description", "\n".join(lines))
        event.add("categories", [plan.phase_of(step).title])
        event.add("status", "CONFIRMED" if step.status == "erledigt" else "TENTATIVE")
        cal.add_component(event)
    return cal.to_ical()
