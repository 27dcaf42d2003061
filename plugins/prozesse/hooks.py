"""What the module contributes elsewhere: its hook implementations beyond the
plumbing that ``Module.provide_hooks`` gives (cards, recommendations, summaries, …)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from willkommen_core.hookspecs import hookimpl
from willkommen_core.i18n import gettext as _
from willkommen_core.sdk.summaries import section_version
from willkommen_core.types import Card, ProcessPhase, Recommendation, StateFigures

from . import CORNERSTONE, READ_ROLES, _date, module

if TYPE_CHECKING:
    from willkommen_core.instance import Instance


@hookimpl
def dashboard_cards(instance: Instance, user: Any) -> list[Card]:
    from . import store

    if user is None or not user.has_role(*READ_ROLES):
        return []
    plan = store.load(instance.db)
    if plan is None:
        return [
            Card(
                _("Veränderungsprozess"),
                _("Noch kein Prozessplan: starten Sie mit dem Modellprozess Magdeburg."),
                "/prozesse/",
                _("Prozess planen"),
            )
        ]
    p = store.progress(plan)
    if p.completed:
        body = _("Alle Schritte sind abgeschlossen.")
    else:
        body = _(
            "Phase %(index)s von %(total)s: %(phase)s. %(done)s von %(steps)s Schritten erledigt.",
            index=p.index,
            total=p.total,
            phase=p.phase.title if p.phase else "",
            done=p.steps_done,
            steps=p.steps_total,
        )
        milestone = store.next_milestone(plan)
        if milestone is not None:
            body += " " + _(
                "Nächster Meilenstein: %(title)s am %(date)s.",
                title=milestone.title,
                date=_date(milestone.planned_on),
            )
    return [Card(_("Veränderungsprozess"), body, "/prozesse/", _("Zum Prozessplan"))]


@hookimpl
def recommendations(instance: Instance, results: Any) -> list[Recommendation]:
    from . import store

    why = module.below_threshold(instance, results, CORNERSTONE)
    if why is None:
        return []
    plan = store.load(instance.db)
    found: list[Recommendation] = []
    if plan is None:
        found.append(
            Recommendation(
                CORNERSTONE,
                _("Veränderungsprozess nach dem Modell Magdeburg beginnen"),
                why
                + " "
                + _(
                    "In Magdeburg wurden alle Mitarbeitenden von Anfang an beteiligt: "
                    "Interviews, Workshops und Arbeitsgruppen machten das Projekt zu ihrer Sache."
                ),
                "/prozesse/",
            )
        )
    found.append(
        Recommendation(
            CORNERSTONE,
            _("Workshop mit allen Mitarbeitenden durchführen"),
            why
            + " "
            + _(
                "Ein gemeinsamer Workshop macht Ergebnisse sichtbar und lässt alle an Zielen "
                "und Maßnahmen mitwirken."
            ),
            "/prozesse/",
        )
    )
    found.append(
        Recommendation(
            CORNERSTONE,
            _("Arbeitsgruppen bilden, die Ziele und Maßnahmen selbst erarbeiten"),
            why
            + " "
            + _(
                "Arbeitsgruppen zu Personalentwicklung, Öffentlichkeitsarbeit, Räumen, "
                "Wegweisern und externen Akteuren tragen die Idee in den Alltag."
            ),
            "/prozesse/",
        )
    )
    return found


STATE_SUMMARY_VERSION = 1


@hookimpl
def read_state_summary(section: Any) -> StateFigures:
    """The phase reached, from the section :func:`state_summary` wrote."""
    section_version(section, (STATE_SUMMARY_VERSION,), "process summary")
    if not section.get("started"):
        return StateFigures(phase=ProcessPhase("nicht begonnen", 0, None, 0))
    phase = section.get("phase") or {}
    return StateFigures(
        phase=ProcessPhase(
            title=phase.get("title") or "–",
            index=phase.get("index"),
            total=phase.get("total"),
            share_done=section.get("share_done"),
            completed=bool(section.get("completed", False)),
        )
    )


@hookimpl
def state_summary(instance: Instance) -> dict[str, Any]:
    """How far the process has come: phase and share of steps; no names, no notes."""
    from . import store

    plan = store.load(instance.db)
    if plan is None:
        return {"schema_version": STATE_SUMMARY_VERSION, "started": False}
    p = store.progress(plan)
    return {
        "schema_version": STATE_SUMMARY_VERSION,
        "started": True,
        "template": plan.template_id,
        "template_version": plan.template_version,
        "start_date": plan.start_date.isoformat(),
        "phase": {
            "id": p.phase.key if p.phase else None,
            "title": p.phase.title if p.phase else None,
            "index": p.index,
            "total": p.total,
        },
        "steps_total": p.steps_total,
        "steps_done": p.steps_done,
        "share_done": p.share_done,
        "completed": p.completed,
    }


@hookimpl
def content_problems(instance: Instance) -> list[Any]:
    from .model import problems

    return problems(instance)
