"""The anonymous needs survey ("Ermittlung der Bedarfe und Wünsche der Mitarbeiter").

Staff answer through a public link with a code, without an account. A
response stores only the work area (optional), the chosen topics and
formats and the day it arrived: no name, no IP address, no time of day.
Results are shown only for groups of at least the instance's minimum group
size, and suppressed groups are suppressed together so that no small group
can be worked out by subtracting the shown ones from the total.
"""

from __future__ import annotations

import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, insert, select, update

from willkommen_core.storage.db import Database

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
    responses: int = 0

    @property
    def path(self) -> str:
        return f"/fortbildung/umfrage/{self.code}"


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def create(
    db: Database, title: str, *, code: str | None = None, today: date | None = None
) -> Survey:
    with db.write() as s:
        code = code or new_code()
        while s.execute(select(surveys.c.id).where(surveys.c.code == code)).first():
            code = new_code()
        sid = s.execute(
            insert(surveys).values(
                code=code, title=title, open=True, created_on=today or date.today()
            )
        ).inserted_primary_key[0]
    found = get(db, int(sid))
    assert found is not None
    return found


def _query() -> Any:
    counts = (
        select(responses.c.survey_id, func.count().label("n"))
        .group_by(responses.c.survey_id)
        .subquery()
    )
    return select(surveys, func.coalesce(counts.c.n, 0).label("responses")).outerjoin(
        counts, counts.c.survey_id == surveys.c.id
    )


def _survey(row: Any) -> Survey:
    v = dict(row._mapping)
    return Survey(**{**v, "open": bool(v["open"]), "responses": int(v["responses"])})


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


def set_open(db: Database, survey_id: int, is_open: bool) -> bool:
    with db.write() as s:
        return bool(
            s.execute(
                update(surveys).where(surveys.c.id == survey_id).values(open=is_open)
            ).rowcount
        )


def submit(
    db: Database,
    survey_id: int,
    *,
    work_area: str,
    topics: list[str],
    formats: list[str],
    today: date | None = None,
) -> None:
    """Store one anonymous response (validated by the caller)."""
    with db.write() as s:
        rid = s.execute(
            insert(responses).values(
                survey_id=survey_id, work_area=work_area, submitted_on=today or date.today()
            )
        ).inserted_primary_key[0]
        rows = [{"response_id": rid, "kind": "topic", "value": t} for t in dict.fromkeys(topics)]
        rows += [{"response_id": rid, "kind": "format", "value": f} for f in dict.fromkeys(formats)]
        if rows:
            s.execute(insert(choices), rows)


@dataclass
class Group:
    id: str
    respondents: int
    topics: Counter[str] = field(default_factory=Counter)
    formats: Counter[str] = field(default_factory=Counter)


@dataclass
class Results:
    total: int
    min_group_size: int
    enough: bool
    topics: Counter[str] = field(default_factory=Counter)
    formats: Counter[str] = field(default_factory=Counter)
    groups: list[Group] = field(default_factory=list)
    """Work areas with at least ``min_group_size`` respondents."""
    combined: Group | None = None
    """The suppressed work areas together (at least ``min_group_size`` respondents)."""
    suppressed_groups: int = 0


def suppress(sizes: dict[str, int], k: int) -> set[str]:
    """Groups to hide: every group below ``k``, plus the smallest further groups
    until the hidden ones together hold at least ``k`` respondents (so the total
    minus the shown groups reveals no small group)."""
    hidden = {g for g, n in sizes.items() if 0 < n < k}
    visible = sorted((n, g) for g, n in sizes.items() if n >= k)
    while hidden and sum(sizes[g] for g in hidden) < k and visible:
        hidden.add(visible.pop(0)[1])
    return hidden


def results(db: Database, survey_id: int, min_group_size: int) -> Results:
    with db.read() as s:
        rows = s.execute(
            select(responses.c.id, responses.c.work_area).where(responses.c.survey_id == survey_id)
        ).all()
        picked = s.execute(
            select(choices.c.response_id, choices.c.kind, choices.c.value)
            .join(responses, responses.c.id == choices.c.response_id)
            .where(responses.c.survey_id == survey_id)
        ).all()
    total = len(rows)
    found = Results(total=total, min_group_size=min_group_size, enough=total >= min_group_size)
    if not found.enough:
        return found  # nothing at all below the minimum: not even the topic counts
    area_of = {rid: area for rid, area in rows}
    sizes = Counter(area_of.values())
    per_group: dict[str, Group] = defaultdict(lambda: Group("", 0))
    for area, n in sizes.items():
        per_group[area] = Group(area, n)
    for rid, kind, value in picked:
        group = per_group[area_of[rid]]
        target = (found.topics, group.topics) if kind == "topic" else (found.formats, group.formats)
        for counter in target:
            counter[value] += 1
    hidden = suppress(dict(sizes), min_group_size)
    found.suppressed_groups = len(hidden)
    found.groups = sorted(
        (g for a, g in per_group.items() if a not in hidden), key=lambda g: (-g.respondents, g.id)
    )
    if hidden:
        combined = Group("*", sum(sizes[a] for a in hidden))
        for a in hidden:
            combined.topics.update(per_group[a].topics)
            combined.formats.update(per_group[a].formats)
        # suppress() guarantees this; a single hidden group is never shown on its own.
        found.combined = combined if combined.respondents >= min_group_size else None
    return found


def topic_demand(db: Database, min_group_size: int) -> Counter[str]:
    """Topic counts of the latest survey with enough responses (for recommendations)."""
    for survey in list_all(db):
        if survey.responses >= min_group_size:
            return results(db, survey.id, min_group_size).topics
    return Counter()
