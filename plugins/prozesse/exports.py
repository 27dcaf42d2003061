"""The plan leaving the browser: CSV, iCalendar of the milestones, the SVG timeline."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from icalendar import Calendar, Event
from markupsafe import Markup, escape

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


# -- timeline ---------------------------------------------------------------------------

ROW = 26
LABEL = 300
CHART = 560
TOP = 40
PAD = 8


def _months(first: date, last: date) -> list[date]:
    day = date(first.year, first.month, 1)
    found = []
    while day <= last:
        found.append(day)
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return found


def _short(text: str, limit: int = 42) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def timeline_svg(plan: Plan, date_label: Any) -> Markup:
    """A Gantt-like chart: one bar per dated step, grouped by phase, months on top.

    Accessible as one image with title and description; the data table beside
    it on the page carries every value for screen readers and printing.
    """
    dated = [s for s in plan.steps if s.planned_on]
    rows = [(phase, s) for phase in plan.phases for s in phase.steps if s.planned_on]
    width = LABEL + CHART + PAD * 2
    height = TOP + ROW * (len(rows) + len(plan.phases)) + PAD
    title = _("Zeitplan: %(title)s", title=plan.title)
    if dated:
        first = min(s.planned_on for s in dated)
        last = max((s.ends_on or s.planned_on) for s in dated)
        desc = _(
            "%(n)s Schritte in %(phases)s Phasen von %(first)s bis %(last)s; "
            "die Tabelle unter der Grafik enthält alle Angaben.",
            n=len(dated),
            phases=len(plan.phases),
            first=date_label(first),
            last=date_label(last),
        )
    else:
        first = last = plan.start_date
        desc = _("Noch keine datierten Schritte.")
    span = max((last - first).days + 1, 30)

    def x(day: date) -> float:
        return LABEL + PAD + CHART * (day - first).days / span

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="timeline-title timeline-desc">',
        f'<title id="timeline-title">{escape(title)}</title>',
        f'<desc id="timeline-desc">{escape(desc)}</desc>',
    ]
    months = _months(first, last)
    step = max(1, len(months) // 12)
    for i, month in enumerate(months):
        mx = x(month) if month >= first else LABEL + PAD
        out.append(
            f'<line class="tick" x1="{mx:.1f}" y1="{TOP - 6}" x2="{mx:.1f}" y2="{height - PAD}"/>'
        )
        if i % step == 0:
            out.append(
                f'<text class="month" x="{mx + 2:.1f}" y="{TOP - 12}">'
                f"{month.month:02d}/{month.year % 100:02d}</text>"
            )
    y = TOP
    for phase in plan.phases:
        out.append(
            f'<text class="phase" x="{PAD}" y="{y + ROW - 8}">{escape(_short(phase.title, 60))}</text>'
        )
        y += ROW
        for s in phase.steps:
            if not s.planned_on:
                continue
            x1 = x(s.planned_on)
            x2 = max(x((s.ends_on or s.planned_on) + timedelta(days=1)), x1 + 6)
            out.append(
                f'<text class="step" x="{PAD * 2}" y="{y + ROW - 9}">{escape(_short(s.title))}</text>'
                f'<rect class="bar status-{escape(s.status)}" x="{x1:.1f}" y="{y + 5}" '
                f'width="{x2 - x1:.1f}" height="{ROW - 10}" rx="3"/>'
            )
            y += ROW
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 -- every text part above is escaped
