"""The anonymous needs survey ("Ermittlung der Bedarfe und Wünsche der Mitarbeiter").

Staff answer through a public link with a code, without an account. A
response stores only the work area (optional) and the chosen topics and
formats, under a random key: no name, no IP address, no day or time. It is
written like the self-assessment's answers (a sensitive write, compacted when
the survey closes), so the files do not tell the order answers came in
either (docs/privacy.md, "Storage").
Results are shown only for groups of at least the instance's minimum group
size, and suppressed groups are suppressed together so that no small group
can be worked out by subtracting the shown ones from the total.
"""

from __future__ import annotations

import secrets
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, insert, select, update

from willkommen_core.disclosure import (
    WITHHELD,
    Answers,
    Headcount,
    Release,
    reads_answers,
    release,
    writes_answers,
)
from willkommen_core.storage.db import Database, affected, inserted_id

from .tables import choices, responses, surveys

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed from paper
CODE_LENGTH = 8
NO_AREA = ""


@dataclass(frozen=True)
class Survey:
    id: int
    code: str
    title: str
    open: bool
    created_on: date


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def create(
    db: Database, title: str, *, code: str | None = None, today: date | None = None
) -> Survey:
    with db.write() as s:
        code = code or new_code()
        while s.execute(select(surveys.c.id).where(surveys.c.code == code)).first():
            code = new_code()
        sid = inserted_id(
            s.execute(
                insert(surveys).values(
                    code=code, title=title, open=True, created_on=today or date.today()
                )
            )
        )
    found = get(db, sid)
    assert found is not None
    return found


def _query() -> Any:
    return select(surveys)


def _survey(row: Any) -> Survey:
    v = dict(row._mapping)
    return Survey(**{**v, "open": bool(v["open"])})


@reads_answers
def participants(db: Database, survey_id: int) -> Headcount:
    """How many answered: shown only through ``disclosure.participation``."""
    with db.read() as s:
        n = s.execute(
            select(func.count()).select_from(responses).where(responses.c.survey_id == survey_id)
        ).scalar()
    return Headcount(int(n or 0))


def list_all(db: Database) -> list[Survey]:
    with db.read() as s:
        return [_survey(r) for r in s.execute(_query().order_by(surveys.c.id.desc())).all()]


def get(db: Database, survey_id: int) -> Survey | None:
    with db.read() as s:
        row = s.execute(_query().where(surveys.c.id == survey_id)).first()
    return _survey(row) if row else None


def by_code(db: Database, code: str) -> Survey | None:
    code = code.strip().upper()
    if len(code) > 20:
        return None
    with db.read() as s:
        row = s.execute(_query().where(surveys.c.code == code)).first()
    return _survey(row) if row else None


@writes_answers
def set_open(db: Database, survey_id: int, is_open: bool) -> bool:
    """Open or close a survey; closing rewrites its answers in key order (see
    ``selbstcheck.store.close_round``), so nothing tells the order they came in."""
    with db.write() as s:
        found = bool(
            affected(
                s.execute(update(surveys).where(surveys.c.id == survey_id).values(open=is_open))
            )
        )
        if found and not is_open:
            in_survey = responses.c.survey_id == survey_id
            db.rewrite_in_key_order(
                s,
                (responses, in_survey),
                (choices, choices.c.response_id.in_(select(responses.c.id).where(in_survey))),
            )
    if found and not is_open:
        db.compact(responses.name, choices.name)
    return found


@writes_answers
def submit(
    db: Database,
    survey_id: int,
    *,
    work_area: str,
    topics: list[str],
    formats: list[str],
) -> None:
    """Store one anonymous response (validated by the caller)."""
    rid = uuid.uuid4().hex
    rows = [{"response_id": rid, "kind": "topic", "value": t} for t in dict.fromkeys(topics)]
    rows += [{"response_id": rid, "kind": "format", "value": f} for f in dict.fromkeys(formats)]
    with db.write(sensitive=True) as s:
        s.execute(insert(responses).values(id=rid, survey_id=survey_id, work_area=work_area))
        if rows:
            s.execute(insert(choices), sorted(rows, key=lambda r: (r["kind"], r["value"])))


@dataclass
class Group:
    id: str
    """A work area, ``""`` for none given, ``"*"`` for areas withheld together."""
    respondents: int
    topics: Counter[str] = field(default_factory=Counter)
    formats: Counter[str] = field(default_factory=Counter)


@dataclass
class Results:
    total: int | None
    """Respondents, ``None`` while fewer than ``min_group_size``."""
    min_group_size: int
    enough: bool
    topics: Counter[str] = field(default_factory=Counter)
    formats: Counter[str] = field(default_factory=Counter)
    groups: list[Group] = field(default_factory=list)
    """Work areas shown on their own (each at least ``min_group_size``)."""
    combined: Group | None = None
    """Work areas too small to show, withheld together (at least ``min_group_size``)."""


@reads_answers
def answer_sets(db: Database, survey_id: int) -> list[Answers]:
    """Each response keyed by its work area; every topic or format anyone chose is an
    item answered 1 (chosen) or 0 (not chosen)."""
    with db.read() as s:
        rows = s.execute(
            select(responses.c.id, responses.c.work_area).where(responses.c.survey_id == survey_id)
        ).all()
        picked = s.execute(
            select(choices.c.response_id, choices.c.kind, choices.c.value)
            .join(responses, responses.c.id == choices.c.response_id)
            .where(responses.c.survey_id == survey_id)
        ).all()
    chosen: dict[str, set[str]] = defaultdict(set)
    for rid, kind, value in picked:
        chosen[rid].add(f"{kind}:{value}")
    items = sorted(set().union(*chosen.values())) if chosen else []
    return [Answers((area,), {i: int(i in chosen[rid]) for i in items}) for rid, area in rows]


def _counts(rel: Release, **filters: object) -> tuple[Counter[str], Counter[str]]:
    found: dict[str, Counter[str]] = {"topic": Counter(), "format": Counter()}
    for iid in rel.items:
        stats = rel.item(iid, **filters)
        if stats.distribution and stats.distribution["1"]:
            kind, value = iid.split(":", 1)
            found[kind][value] = stats.distribution["1"]
    return found["topic"], found["format"]


def results(db: Database, survey_id: int, min_group_size: int) -> Results:
    """What may be shown of a survey, from the core's disclosure layer: work areas
    smaller than the minimum are withheld together (and with the next smallest,
    where together they would still be too few), so no subtraction or
    comparison isolates a small area."""
    rel = release(
        answer_sets(db, survey_id),
        characteristics=("work_area",),
        min_size=min_group_size,
        scale=(0, 1),
    )
    total = rel.size()
    found = Results(total, min_group_size, total is not None)
    if total is None:
        return found  # nothing at all below the minimum: not even the topic counts
    found.topics, found.formats = _counts(rel)
    for area in rel.values_of("work_area"):
        size = rel.size(work_area=area)
        if size is None:
            continue
        group = Group("*" if area is WITHHELD else str(area), size, *_counts(rel, work_area=area))
        if area is WITHHELD:
            found.combined = group
        else:
            found.groups.append(group)
    found.groups.sort(key=lambda g: (-g.respondents, g.id))
    return found


def topic_demand(db: Database, min_group_size: int) -> Counter[str]:
    """Topic counts of the latest closed survey with enough responses (for recommendations)."""
    for survey in list_all(db):
        if not survey.open:
            found = results(db, survey.id, min_group_size)
            if found.enough:
                return found.topics
    return Counter()
