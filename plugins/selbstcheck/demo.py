"""Demo content: Magdeburg's baseline (2014) and follow-up (2015) rounds.

Plausible, invented answers shaped by the seed: in 2014 the signs in the
building were found inadequate, space was short and there was no lift; by
2015 internal trainings ran monthly, a new signage concept existed and the
authority was present in networks. 25 and 27 responses (of 27 staff); the
leadership (3 in 2014) and the small work areas stay below the minimum group
size, so the demo also shows suppression at work.
"""

from __future__ import annotations

import random
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import update

from . import questionnaire as qmod
from . import store
from .tables import rounds

if TYPE_CHECKING:
    from willkommen_core.instance import Instance

# Cornerstone means (staff view) per round; leadership sees things a bit rosier.
BASE = {
    "binnenorganisation": 2.6,
    "verankerung": 2.9,
    "kompetenzen": 2.7,
    "zusammenarbeit": 3.0,
    "erscheinungsbild": 2.2,
}
FOLLOW_UP = {
    "binnenorganisation": 3.1,
    "verankerung": 3.6,
    "kompetenzen": 3.7,
    "zusammenarbeit": 3.6,
    "erscheinungsbild": 2.9,
}
ITEM_SHIFT = {
    "bo_barrierefrei": -0.8,
    "bo_raeume": -0.5,
    "eb_leitsystem": -0.5,
    "ko_intern": -0.3,
    "ve_motivation": 0.8,
    "za_beratung": 0.4,
}
AREAS = [
    ("Publikumsbereich Ausländerrecht", 10),
    ("Integration und Einbürgerung", 4),
    ("Aufenthaltsbeendigung", 3),
    ("Bescheiderstellung und Rechtsmittel", 3),
    ("EDV", 1),
    ("", 1),
]
COMMENTS_2014 = {
    "binnenorganisation": [
        "Der Wartebereich ist viel zu eng, im Sommer ist es kaum auszuhalten.",
        "Ohne Aufzug kommen Menschen mit Rollstuhl oder Kinderwagen nicht zu uns.",
    ],
    "erscheinungsbild": [
        "Die Schilder im Haus helfen kaum; viele fragen am Empfang nach dem Weg.",
    ],
    "kompetenzen": ["Englischkurs und Fortbildungen zum Asylrecht wären wichtig."],
}
COMMENTS_2015 = {
    "kompetenzen": [
        "Die monatlichen internen Fortbildungen sind ein echter Gewinn.",
        "Der Englischkurs hat mir im Alltag am Schalter geholfen.",
    ],
    "erscheinungsbild": ["Das neue Konzept für die Wegweiser muss jetzt auch umgesetzt werden."],
    "zusammenarbeit": ["Durch das Integrationsnetzwerk kennen wir die Beratungsstellen besser."],
}


def _people(leitung: int) -> list[tuple[str, str]]:
    people = [("leitung", "")] * leitung
    for area, count in AREAS:
        people += [("mitarbeitende", area)] * count
    return people


def _answers(
    rng: random.Random, q: qmod.Questionnaire, means: dict[str, float], perspective: str
) -> dict[str, int | None]:
    values: dict[str, int | None] = {}
    for c in q.cornerstones:
        for item in c.items:
            if rng.random() < 0.07:
                values[item.id] = None
                continue
            mean = (
                means[c.id] + ITEM_SHIFT.get(item.id, 0) + (0.3 if perspective == "leitung" else 0)
            )
            values[item.id] = min(5, max(1, round(rng.gauss(mean, 0.85))))
    return values


def _round(
    instance: Instance,
    q: qmod.Questionnaire,
    *,
    title: str,
    period: tuple[date, date],
    means: dict[str, float],
    leitung: int,
    comments: dict[str, list[str]],
    seed: int,
) -> None:
    db = instance.db
    # One-time codes: a shared code would allow results only for the whole authority.
    rid = store.create_round(
        db, q, title=title, mode="tokens", period_start=period[0], period_end=period[1]
    )
    people = _people(leitung)
    store.open_round(
        db,
        rid,
        notice="",
        staff_council_agreed_on=period[0],
        dpo_agreed_on=period[0],
        tokens_count=len(people),
    )
    codes = store.print_sheet(db, rid)  # as the trusted person does; each used once below
    rng = random.Random(seed)  # noqa: S311 (reproducible demo data, not security)
    notes = [(cid, text) for cid, texts in comments.items() for text in texts]
    for (perspective, area), token in zip(people, codes, strict=True):
        texts = dict([notes.pop()]) if notes and perspective == "mitarbeitende" else {}
        store.submit(
            db,
            rid,
            code=None,
            token=token,
            perspective=perspective,
            area=area,
            values=_answers(rng, q, means, perspective),
            texts=texts,
        )
    store.close_round(db, rid)
    with db.write() as s:
        s.execute(
            update(rounds)
            .where(rounds.c.id == rid)
            .values(opened_on=period[0], closed_on=period[1])
        )


def seed(instance: Instance) -> None:
    """Two closed rounds; does nothing when any round exists (idempotent)."""
    if store.list_rounds(instance.db):
        return
    q = qmod.current(instance)
    _round(
        instance,
        q,
        title="Ausgangslage 2014",
        period=(date(2014, 3, 3), date(2014, 3, 21)),
        means=BASE,
        leitung=3,
        comments=COMMENTS_2014,
        seed=2014,
    )
    _round(
        instance,
        q,
        title="Folgerunde 2015",
        period=(date(2015, 5, 4), date(2015, 5, 22)),
        means=FOLLOW_UP,
        leitung=5,
        comments=COMMENTS_2015,
        seed=2015,
    )
