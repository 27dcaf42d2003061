"""Storing and loading answers, limits, kiosks and exclusions.

Answer tables are read only by the ``@reads_answers`` functions here, which hand
raw answer sets to the disclosure layer (results.py); nothing else counts them.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from willkommen_core.disclosure import Answers, Text, reads_answers, writes_answers

from .periods import first_day, month_of
from .tables import answers, comments, day_counts, exclusions, kiosks, responses, windows

CHANNELS = ("qr", "kiosk")
COMMENT_TOPIC = "kommentar"


class Limited(Exception):
    """Too many submissions in the current window: nothing was stored."""


@dataclass(frozen=True)
class Submission:
    channel: str
    site: str
    service: str
    language: str
    values: dict[str, int | None]
    """Question id -> 1..5 (rating or waiting band) or ``None`` ("weiß nicht")."""
    comment: str = ""


@dataclass(frozen=True)
class Limit:
    scope: str
    most: int
    window: timedelta


@dataclass
class Kiosk:
    id: int
    name: str
    site: str
    enrolled_on: date
    enrolled_by: str
    revoked_on: date | None = None


@dataclass
class DayCount:
    day: date
    site: str
    channel: str
    n: int


@dataclass
class Exclusion:
    day: date
    site: str
    channel: str
    removed: int
    reason: str
    excluded_by: str
    excluded_on: date


# -- writing ----------------------------------------------------------------------------


def _window_start(now: datetime, window: timedelta) -> datetime:
    seconds = int(window.total_seconds())
    epoch = int(now.timestamp()) // seconds * seconds
    return datetime.fromtimestamp(epoch)


def _take(s: Any, limit: Limit, now: datetime) -> None:
    """Count one submission against ``limit``'s current window, or raise :class:`Limited`."""
    start = _window_start(now, limit.window)
    row = s.execute(select(windows).where(windows.c.scope == limit.scope)).first()
    if row is None:
        s.execute(insert(windows).values(scope=limit.scope, window_start=start, n=1))
        return
    if row.window_start != start:  # a new window: the old count is forgotten
        s.execute(
            update(windows).where(windows.c.scope == limit.scope).values(window_start=start, n=1)
        )
        return
    done = s.execute(
        update(windows)
        .where(windows.c.scope == limit.scope, windows.c.n < limit.most)
        .values(n=windows.c.n + 1)
    )
    if done.rowcount != 1:
        raise Limited(limit.scope)


@writes_answers
def submit(
    db: Any, sub: Submission, limits: list[Limit], *, today: date, final_before: date
) -> None:
    """Store one response (all or nothing), counting it against ``limits``.

    Days of months already final become the first of their month, and their day
    counts go: from then on nothing finer than the month is kept.
    """
    now = datetime.now()
    for attempt in (1, 2):
        try:
            with db.write(sensitive=True) as s:
                for limit in limits:
                    _take(s, limit, now)
                rid = uuid.uuid4().hex
                s.execute(
                    insert(responses).values(
                        id=rid,
                        answered_on=today,
                        channel=sub.channel,
                        site=sub.site,
                        service=sub.service,
                        language=sub.language,
                    )
                )
                rows = [
                    {"response_id": rid, "question_id": q, "value": v}
                    for q, v in sorted(sub.values.items())
                ]
                if rows:
                    s.execute(insert(answers), rows)
                if sub.comment:
                    s.execute(
                        insert(comments).values(
                            id=uuid.uuid4().hex,
                            answered_on=today,
                            channel=sub.channel,
                            site=sub.site,
                            service=sub.service,
                            language=sub.language,
                            text=sub.comment,
                        )
                    )
                _count_day(s, today, sub.site, sub.channel)
                _coarsen(s, final_before)
            return
        except IntegrityError:
            if attempt == 2:  # two writers started the same window at once, twice
                raise Limited("concurrent") from None


def _count_day(s: Any, day: date, site: str, channel: str) -> None:
    key = and_(day_counts.c.day == day, day_counts.c.site == site, day_counts.c.channel == channel)
    done = s.execute(update(day_counts).where(key).values(n=day_counts.c.n + 1))
    if done.rowcount == 0:
        s.execute(insert(day_counts).values(day=day, site=site, channel=channel, n=1))


@writes_answers
def _coarsen(s: Any, final_before: date) -> None:
    for table in (responses, comments):
        days = s.execute(
            select(table.c.answered_on)
            .where(table.c.answered_on < final_before)
            .group_by(table.c.answered_on)
        ).scalars()
        for day in list(days):
            if day.day != 1:
                s.execute(
                    update(table)
                    .where(table.c.answered_on == day)
                    .values(answered_on=first_day(month_of(day)))
                )
    s.execute(delete(day_counts).where(day_counts.c.day < final_before))


@writes_answers
def exclude(
    db: Any, day: date, site: str, channel: str, *, reason: str, by: str, today: date
) -> int:
    """Remove the responses (and comments) of one day, site and channel; record why."""

    def where(t: Any) -> Any:
        return (t.c.answered_on == day) & (t.c.site == site) & (t.c.channel == channel)

    with db.write(sensitive=True) as s:
        ids = select(responses.c.id).where(where(responses))
        s.execute(delete(answers).where(answers.c.response_id.in_(ids)))
        removed = s.execute(delete(responses).where(where(responses))).rowcount
        s.execute(delete(comments).where(where(comments)))
        s.execute(
            delete(day_counts).where(
                (day_counts.c.day == day)
                & (day_counts.c.site == site)
                & (day_counts.c.channel == channel)
            )
        )
        s.execute(
            insert(exclusions).values(
                day=day,
                site=site,
                channel=channel,
                removed=removed,
                reason=reason,
                excluded_by=by,
                excluded_on=today,
            )
        )
    return int(removed)


# -- reading answers (only for the disclosure layer) ----------------------------------


@reads_answers
def load_answers(db: Any, start: date, end: date) -> list[Answers]:
    """Responses answered ``start``..``end`` with keys (month, site, service, language)."""
    with db.read() as s:
        heads = s.execute(
            select(
                responses.c.id,
                responses.c.answered_on,
                responses.c.site,
                responses.c.service,
                responses.c.language,
            ).where(responses.c.answered_on >= start, responses.c.answered_on <= end)
        ).all()
        values: dict[str, dict[str, int | None]] = {h.id: {} for h in heads}
        rows = s.execute(
            select(answers.c.response_id, answers.c.question_id, answers.c.value)
            .join(responses, responses.c.id == answers.c.response_id)
            .where(responses.c.answered_on >= start, responses.c.answered_on <= end)
        ).all()
    for r in rows:
        values[r.response_id][r.question_id] = r.value
    return [
        Answers((month_of(h.answered_on), h.site, h.service, h.language), values[h.id])
        for h in heads
    ]


@reads_answers
def load_comments(db: Any, start: date, end: date) -> list[Text]:
    with db.read() as s:
        rows = s.execute(
            select(comments.c.answered_on, comments.c.site, comments.c.service)
            .add_columns(comments.c.language, comments.c.text)
            .where(comments.c.answered_on >= start, comments.c.answered_on <= end)
        ).all()
    return [
        Text((month_of(r.answered_on), r.site, r.service, r.language), COMMENT_TOPIC, r.text)
        for r in rows
    ]


# -- day counts, kiosks, exclusions ---------------------------------------------------


def day_counts_from(db: Any, start: date) -> list[DayCount]:
    with db.read() as s:
        rows = s.execute(select(day_counts).where(day_counts.c.day >= start)).all()
    return [DayCount(r.day, r.site, r.channel, r.n) for r in rows]


def list_exclusions(db: Any) -> list[Exclusion]:
    with db.read() as s:
        rows = s.execute(select(exclusions).order_by(exclusions.c.day.desc())).all()
    return [
        Exclusion(r.day, r.site, r.channel, r.removed, r.reason, r.excluded_by, r.excluded_on)
        for r in rows
    ]


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def enrol(db: Any, name: str, site: str, by: str, today: date) -> tuple[int, str]:
    """A new kiosk and its device key (shown once: only its hash is stored)."""
    key = secrets.token_urlsafe(32)
    with db.write() as s:
        kid = s.execute(
            insert(kiosks).values(
                name=name, site=site, key_hash=key_hash(key), enrolled_on=today, enrolled_by=by
            )
        ).inserted_primary_key[0]
    return int(kid), key


def kiosk_for(db: Any, cookie: str) -> Kiosk | None:
    """The active kiosk whose device key the cookie ``"<id>.<key>"`` holds."""
    kid, _, key = cookie.partition(".")
    if not kid.isdecimal() or not key or len(kid) > 9:
        return None
    with db.read() as s:
        row = s.execute(select(kiosks).where(kiosks.c.id == int(kid))).first()
    if row is None or row.revoked_on is not None:
        return None
    if not secrets.compare_digest(row.key_hash, key_hash(key)):
        return None
    return Kiosk(row.id, row.name, row.site, row.enrolled_on, row.enrolled_by)


def list_kiosks(db: Any) -> list[Kiosk]:
    with db.read() as s:
        rows = s.execute(select(kiosks).order_by(kiosks.c.id)).all()
    return [Kiosk(r.id, r.name, r.site, r.enrolled_on, r.enrolled_by, r.revoked_on) for r in rows]


def revoke(db: Any, kid: int, today: date) -> bool:
    with db.write() as s:
        done = s.execute(
            update(kiosks)
            .where(kiosks.c.id == kid, kiosks.c.revoked_on.is_(None))
            .values(revoked_on=today)
        )
    return bool(done.rowcount)


def has_any(db: Any) -> bool:
    """Whether any day count exists (a cheap "is the survey in use" for the card)."""
    with db.read() as s:
        return bool(s.execute(select(func.count()).select_from(day_counts)).scalar())
