"""Demo content: Magdeburg's process from November 2013 with its real milestones.

From the seed's "Vorleistungen / Projektablauf": the dates the pilot actually
met, all done, and its five working groups in the action plan with the goals,
measures and first results it reported. Idempotent: an existing plan is kept.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import update

from willkommen_core import plan as core_plan
from willkommen_core.plan.service import update_measure

from . import store
from .model import load_all
from .tables import steps

if TYPE_CHECKING:
    from willkommen_core.instance import Instance

START = date(2013, 11, 1)

# template step id -> (first day, last day or None, title as in the seed or None, result)
MILESTONES: dict[str, tuple[date, date | None, str | None, str]] = {
    "auftaktgespraeche": (
        date(2013, 11, 4),
        None,
        "Auftaktgespräche zwischen Behördenleitung und Firma imap",
        "Vorgehen vereinbart: alle Mitarbeitenden von Anfang an einbeziehen, externe "
        "Begleitung durch imap als Prozess- und Projektbegleiter.",
    ),
    "auftaktveranstaltung": (
        date(2013, 11, 20),
        None,
        "Auftaktveranstaltung mit allen Mitarbeiter/innen der ABH Magdeburg",
        "Alle 27 Mitarbeitenden sind über Ziele und Ablauf des Projekts informiert.",
    ),
    "interviews": (
        date(2013, 12, 2),
        date(2013, 12, 20),
        "Durchführung der Interviews mit allen Mitarbeitern durch imap",
        "Interviews mit allen Mitarbeitenden geführt.",
    ),
    "beobachtung": (
        date(2013, 12, 2),
        date(2013, 12, 20),
        "Teilnehmende Beobachtungen",
        "Beobachtungen im Publikumsbereich Ausländerrecht und Integration/Einbürgerung.",
    ),
    "auswertung": (
        date(2014, 1, 6),
        date(2014, 1, 21),
        "Auswertung der Interviews und teilnehmenden Beobachtungen",
        "Handlungsfelder Organisationsentwicklung, Vernetzung und Personalentwicklung benannt.",
    ),
    "vorstellung_verwaltungsspitze": (
        date(2014, 1, 22),
        None,
        "Projektvorstellung MI, OB, Landräte",
        "",
    ),
    "workshop_arbeitsgruppen": (
        date(2014, 2, 12),
        None,
        "Erster Workshop mit allen Mitarbeitern/innen – Bildung von Arbeitsgruppen",
        "Fünf Arbeitsgruppen gebildet: Personalentwicklung, Öffentlichkeitsarbeit, Räumliche "
        "Situation und Infrastruktur, Wegweiser »Online – Offline«, externe Akteure.",
    ),
    "vorstellung_integrationsbeirat": (
        date(2014, 2, 20),
        None,
        "Projektvorstellung bei Integrationsminister N. Bischoff und im Integrationsbeirat",
        "",
    ),
    "vorstellung_netzwerk": (
        date(2014, 4, 2),
        None,
        "Projektvorstellung im Integrationsnetzwerk Magdeburg und bei Migrationsdiensten",
        "Angesprochene Externe haben Interesse an einer Zusammenarbeit bekundet.",
    ),
    "vorstellung_fachnetzwerke": (date(2014, 4, 8), None, "Projektvorstellung EuCities", ""),
    "zwischenfazit": (
        date(2014, 7, 7),
        None,
        "Erstes Zwischenfazit der Arbeitsgruppen",
        "Alle fünf Arbeitsgruppen berichten erste Ergebnisse (siehe Maßnahmenplan).",
    ),
    "vorstellung_auslaenderbehoerden": (
        date(2014, 7, 9),
        None,
        "Projektvorstellung auf der Dienstberatung der ABH'n, LVA und dem MI",
        "",
    ),
    "workshop_alle": (date(2014, 7, 16), None, "Workshop mit allen Mitarbeitern", ""),
    "lernevent": (
        date(2014, 11, 20),
        date(2014, 11, 21),
        "Lernevent der 10 Projektbehörden, BAMF, Landesministerien",
        "",
    ),
    "teambildung": (
        date(2015, 4, 14),
        date(2015, 4, 15),
        "Zweitägiger Workshop in Huysburg: Teambildung, Verankerung der Mitarbeiter im Projekt",
        "",
    ),
    "bilanz": (
        date(2015, 6, 10),
        None,
        "Arbeitstreffen mit MI LSA, BAMF, imap und Behördenleitung",
        "Der ABH Magdeburg wurde ein guter Stand attestiert.",
    ),
}

FIRST_REVIEW = date(2014, 7, 7)

# working group name -> [(recorded on, first result)]
RESULTS: dict[str, list[tuple[date, str]]] = {
    "Personalentwicklung": [
        (
            FIRST_REVIEW,
            "Bedarfe und Wünsche der Mitarbeiter ermittelt: fachliche und fachübergreifende "
            "Weiterbildungen, teambildende Maßnahmen",
        ),
        (
            FIRST_REVIEW,
            "Mindestens eine fachliche Weiterbildung pro Jahr; interne Weiterbildungen werden "
            "einmal im Monat organisiert",
        ),
        (
            date(2014, 9, 30),
            "Teamveranstaltung im September 2014: gemeinsamer Besuch der Bundes- und "
            "Landesbehörden BAMF, ZAST und ZABST",
        ),
        (
            date(2014, 12, 19),
            "Fachübergreifende Weiterbildungen organisiert: Sprachkurse, interkulturelle "
            "Kompetenz; Englischkurs September – Dezember 2014",
        ),
        (date(2015, 4, 15), "April 2015: Workshop mit imap; Supervision"),
    ],
    "Öffentlichkeitsarbeit": [
        (
            FIRST_REVIEW,
            "Entwicklung eines Konzeptes für die Öffentlichkeitsarbeit – in Bearbeitung",
        ),
    ],
    "Räumliche Situation und Infrastruktur": [
        (FIRST_REVIEW, "Bedarf im Haus ermittelt"),
        (FIRST_REVIEW, "Schaffung eines zusätzlichen Schalterraumes"),
        (
            FIRST_REVIEW,
            "Glaswand im Publikumsbereich wurde in der Höhe gekürzt; mobile Klimaanlage "
            "bereitgestellt",
        ),
        (FIRST_REVIEW, "Einbau eines Fahrstuhls beantragt"),
    ],
    "Wegweiser »Online – Offline«": [
        (
            FIRST_REVIEW,
            "Vorhandene Wegweiser im Haus als unzureichend bzw. wenig hilfreich getestet",
        ),
        (FIRST_REVIEW, "Neues Konzept erstellt, liegt der Verwaltung vor"),
        (FIRST_REVIEW, "Mit der Überarbeitung der Online-Informationen begonnen"),
    ],
    "Externe Akteure": [
        (
            FIRST_REVIEW,
            "Interviews durch die Firma imap durchgeführt; angesprochene Externe haben "
            "Interesse bekundet",
        ),
        (
            FIRST_REVIEW,
            "Projektvorstellung in verschiedenen Gremien: Landesintegrationsbeirat, "
            "Integrationsnetzwerk, Universität u. a.",
        ),
    ],
}

# measure title -> status reached by mid-2015
MEASURE_STATUS: dict[str, str] = {
    "Bedarfe und Wünsche der Mitarbeitenden ermitteln": "erledigt",
    "Mindestens eine fachliche Weiterbildung pro Mitarbeiterin und Mitarbeiter im Jahr": "in_arbeit",
    "Interne Weiterbildung einmal im Monat organisieren": "erledigt",
    "Fachübergreifende Weiterbildungen: Sprachkurse und interkulturelle Kompetenz": "erledigt",
    "Teamveranstaltungen: gemeinsame Besuche bei Bundes- und Landesbehörden, Supervision": "erledigt",
    "Konzept für die Öffentlichkeitsarbeit entwickeln": "in_arbeit",
    "Vorschläge zur bedarfsorientierten Umgestaltung der Publikumsbereiche einholen": "erledigt",
    "Aufzug einbauen": "in_arbeit",
    "Zusätzliche Räume zur Nutzung bringen oder ein neues Gebäude suchen": "in_arbeit",
    "Gebäudeleitsystem erarbeiten": "in_arbeit",
    "Internetauftritt überarbeiten": "in_arbeit",
    "Enge Zusammenarbeit mit den Partnern aufbauen": "in_arbeit",
    "Bedarfe der externen Partner ermitteln": "in_arbeit",
}


def seed(instance: Instance) -> None:
    db = instance.db
    if store.load(db) is not None:
        return
    template = load_all(instance).get("magdeburg")
    if template is None:  # the shipped template is missing: `willkommen check` says why
        return
    existing_groups = {g.name for g in core_plan.load_plan(db).groups}
    store.instantiate(db, template, START, with_groups=True)
    plan = store.load(db)
    assert plan is not None
    with db.write() as s:
        for step in plan.steps:
            first, last, title, result = MILESTONES.get(
                step.template_step or "", (step.planned_on, step.ends_on, None, "")
            )
            s.execute(
                update(steps)
                .where(steps.c.id == step.id)
                .values(
                    planned_on=first,
                    ends_on=last,
                    title=title or step.title,
                    status="erledigt",
                    result_notes=result,
                )
            )
    for group in core_plan.load_plan(db).groups:
        if group.name in existing_groups:
            continue  # someone else's group of that name: leave it alone
        for recorded_on, text in RESULTS.get(group.name, []):
            core_plan.add_result(db, group.id, text, recorded_on)
        for m in group.measures:
            status = MEASURE_STATUS.get(m.title)
            if status is None:
                continue
            update_measure(
                db,
                m.id,
                core_plan.MeasureInput(
                    title=m.title,
                    description=m.description,
                    group_id=str(m.group_id),
                    cornerstone=m.cornerstone or "",
                    owner=m.owner,
                    due=m.due.isoformat() if m.due else "",
                    status=status,
                ),
            )
