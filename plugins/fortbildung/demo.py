"""Trainings in Magdeburg 2014/2015 (the seed's working group "Personalentwicklung").

Monthly internal trainings from March 2014 to December 2015, the English
course September–December 2014, a team event in September 2014, the joint
visit to BAMF, ZASt and ZABH in Halberstadt, the two-day team-building
workshop with imap in April 2015, supervision; participation of some of the 27 staff under pseudonyms; a needs
survey with enough responses for results (and small work areas suppressed).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from . import store, survey
from .model import SessionData
from .tables import sessions, surveys

if TYPE_CHECKING:
    from willkommen_core.instance import Instance

INTERNAL_TOPICS = [
    (2014, 3, "Neuerungen im Aufenthaltsgesetz: Aufenthaltserlaubnis für Fachkräfte"),
    (2014, 4, "Blaue Karte EU in der Praxis"),
    (2014, 5, "Familiennachzug: aktuelle Rechtsprechung"),
    (2014, 6, "Bescheide verständlich begründen"),
    (2014, 7, "Duldung und Ausbildung"),
    (2014, 8, "Erlasse des Landes im ersten Halbjahr"),
    (2014, 9, "Freizügigkeit von EU-Bürgerinnen und -Bürgern"),
    (2014, 10, "Einbürgerung: Sprachnachweis und Einbürgerungstest"),
    (2014, 11, "Asylverfahren: Schnittstellen zur Ausländerbehörde"),
    (2014, 12, "Jahresrückblick Rechtsprechung 2014"),
    (2015, 1, "Neuregelungen zum Jahreswechsel"),
    (2015, 2, "Integrationskurs: Verpflichtung und Berechtigung"),
    (2015, 3, "Wartezeiten und Terminvergabe: Ergebnisse der Arbeitsgruppe"),
    (2015, 5, "Aufenthaltsbeendigung: Zusammenarbeit mit der ZABH"),
    (2015, 6, "Erstinformationen in einfacher Sprache"),
    (2015, 7, "Beschäftigung von Asylsuchenden und Geduldeten"),
    (2015, 8, "Gesetz zur Neubestimmung des Bleiberechts und der Aufenthaltsbeendigung"),
    (2015, 9, "Erstaufnahme und Verteilung: Zusammenarbeit mit der ZASt"),
    (2015, 10, "Asylverfahrensbeschleunigungsgesetz: was sich für uns ändert"),
    (2015, 11, "Unbegleitete minderjährige Ausländer: Verteilung ab 1. November"),
    (2015, 12, "Jahresrückblick Rechtsprechung 2015"),
]
"""Two full years (2014 from March). April 2015 has no internal training (the Huysburg
workshop): the one target the plan of 2015, which the plan opens on, shows as missed."""

ROOM = "Ausländerbehörde, Besprechungsraum 1. OG"
STAFF = [f"MA-{n:02d}" for n in range(1, 28)]


def _entry_ids(instance: Instance) -> dict[str, int]:
    return {e.key: e.id for e in store.list_entries(instance.db)}


def _session(entry_id: int, day: date, start: str, end: str, **kw: Any) -> SessionData:
    h1, m1 = map(int, start.split(":"))
    h2, m2 = map(int, end.split(":"))
    return SessionData(
        entry_id=entry_id,
        starts_at=datetime(day.year, day.month, day.day, h1, m1),
        ends_at=datetime(day.year, day.month, day.day, h2, m2),
        **kw,
    )


def _plan(ids: dict[str, int]) -> list[tuple[SessionData, list[str]]]:
    """Sessions and who took part (pseudonyms)."""
    plan: list[tuple[SessionData, list[str]]] = []
    for year, month, topic in INTERNAL_TOPICS:
        day = date(year, month, 15 if month != 12 else 10)
        present = STAFF[(month % 5) : (month % 5) + 14]
        plan.append(
            (
                _session(
                    ids["interne-fachschulung"], day, "13:30", "15:30", title=topic, location=ROOM
                ),
                present,
            )
        )
    english = STAFF[:12]
    for week, day in enumerate(
        [date(2014, 9, 2), date(2014, 10, 7), date(2014, 11, 4), date(2014, 12, 2)]
    ):
        plan.append(
            (
                _session(
                    ids["englisch-publikum"],
                    day,
                    "15:00",
                    "17:00",
                    title=f"Englisch für den Publikumsverkehr (Block {week + 1})",
                    location="Volkshochschule Magdeburg, Leibnizstraße 23",
                    capacity=12,
                ),
                english,
            )
        )
    plan += [
        (
            _session(
                ids["teamtag"],
                date(2014, 9, 19),
                "09:00",
                "15:00",
                title="Teamveranstaltung der Ausländerbehörde",
                location="Elbauenpark Magdeburg",
                capacity=31,
            ),
            STAFF[:24],
        ),
        (
            _session(
                ids["besuch-zast"],
                date(2014, 10, 22),
                "08:00",
                "16:00",
                title="Gemeinsamer Besuch von BAMF, ZASt und ZABH in Halberstadt",
                location="Halberstadt, Friedrich-List-Straße",
                capacity=20,
                notes="Gemeinsame Anreise mit dem Kleinbus ab Behörde, 7:15 Uhr.",
            ),
            STAFF[2:20],
        ),
        (
            _session(
                ids["aufenthaltsrecht-aktuell"],
                date(2014, 11, 26),
                "09:00",
                "15:00",
                location="Landesverwaltungsamt, Halle (Saale)",
                capacity=6,
            ),
            STAFF[0:6],
        ),
        (
            _session(
                ids["asylverfahren"],
                date(2015, 2, 24),
                "09:00",
                "15:00",
                location="BAMF-Außenstelle Halberstadt",
                capacity=8,
            ),
            STAFF[6:14],
        ),
        (
            _session(
                ids["bescheide-rechtsmittel"],
                date(2015, 3, 17),
                "09:00",
                "16:00",
                location="Studieninstitut, Magdeburg",
                capacity=6,
            ),
            STAFF[14:18],
        ),
        (
            _session(
                ids["teamworkshop-extern"],
                date(2015, 4, 23),
                "09:00",
                "17:00",
                title="Zweitägiger Workshop mit imap in Huysburg: Teambildung und Verankerung",
                location="Kloster Huysburg, Dingelstedt",
                capacity=31,
                notes="23. und 24. April 2015, mit Übernachtung.",
            ),
            STAFF[:25],
        ),
    ]
    for day in (date(2015, 1, 20), date(2015, 3, 24), date(2015, 5, 19)):
        plan.append(
            (
                _session(
                    ids["supervision"],
                    day,
                    "14:00",
                    "17:00",
                    title="Supervision Publikumsbereich",
                    location=ROOM,
                    capacity=8,
                ),
                STAFF[day.month % 4 : day.month % 4 + 7],
            )
        )
    return plan


SURVEY_CODE = "MD2014BW"
SURVEY_ANSWERS: list[tuple[str, list[str], list[str]]] = [
    # Publikumsbereich Ausländerrecht (13 staff): 9 answers
    *[
        (
            "aufenthalt",
            ["englisch-publikum", "deeskalation", "aufenthaltsrecht-aktuell"],
            ["extern", "intern"],
        )
    ]
    * 4,
    *[("aufenthalt", ["interkulturelle-kompetenz", "englisch-publikum"], ["intern"])] * 3,
    *[("aufenthalt", ["supervision", "besuch-zast"], ["hospitation"])] * 2,
    # Integration und Einbürgerung (4 staff): 3 answers, a group below the minimum
    *[("integration", ["interkulturelle-kompetenz", "einfache-sprache"], ["intern"])] * 3,
    # Aufenthaltsbeendigung (5 staff): 5 answers
    *[("beendigung", ["aufenthaltsbeendigung", "asylverfahren", "supervision"], ["extern"])] * 5,
    # Bescheide und Rechtsmittel (4 staff): 2 answers
    *[("bescheide", ["bescheide-rechtsmittel", "einfache-sprache"], ["extern", "online"])] * 2,
    # no work area given
    *[("", ["teamtag", "besuch-bamf"], ["workshop"])] * 3,
]


def seed(instance: Instance) -> None:
    """Idempotent: nothing happens when sessions or the demo survey exist already."""
    store.ensure_seeded(instance)
    db = instance.db
    ids = _entry_ids(instance)
    with db.read() as s:
        has_sessions = s.execute(select(func.count()).select_from(sessions)).scalar_one() > 0
        has_survey = (
            s.execute(select(surveys.c.id).where(surveys.c.code == SURVEY_CODE)).first() is not None
        )
    if not has_sessions and all(
        k in ids
        for k in (
            "interne-fachschulung",
            "englisch-publikum",
            "teamtag",
            "besuch-zast",
            "aufenthaltsrecht-aktuell",
            "asylverfahren",
            "bescheide-rechtsmittel",
            "teamworkshop-extern",
            "supervision",
        )
    ):
        for pseudonym in STAFF:
            store.add_staff(db, pseudonym)
        for data, present in _plan(ids):
            sid = store.create_session(db, data)
            for pseudonym in present:
                store.register(db, sid, pseudonym, attended=True)
    if not has_survey:
        found = survey.create(
            db,
            "Ermittlung der Bedarfe und Wünsche der Mitarbeiter 2014",
            code=SURVEY_CODE,
            today=date(2014, 3, 3),
        )
        keys = set(ids)
        for area, topics, formats in SURVEY_ANSWERS:
            survey.submit(
                db,
                found.id,
                work_area=area,
                topics=[t for t in topics if t in keys],
                formats=formats,
            )
        survey.set_open(db, found.id, False)
