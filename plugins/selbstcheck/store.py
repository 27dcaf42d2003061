"""Rounds, one-time codes and anonymous submissions.

A submission is stored in ONE transaction: the one-time code is marked used
(or the shared code checked) and the response, its answers and comments are
inserted, or nothing is. The records share nothing that could link them: no
id, no timestamp, no day; a response has a random UUID. Each batch is written
in key order and is a sensitive write (``Database.write``), and closing a
round deletes its codes and compacts the tables, so neither the database
files nor the order of their bytes pair a code with answers
(docs/privacy.md, "Storage").
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, update

from willkommen_core.disclosure import Answers, Headcount, Text, reads_answers, writes_answers
from willkommen_core.storage import group_commit

from .questionnaire import Questionnaire
from .tables import answers, comments, responses, rounds, tokens

PERSPECTIVES = ("leitung", "mitarbeitende")
MODES = ("code", "tokens")
STATUSES = ("draft", "open", "closed")
# Unambiguous when read aloud or printed (no 0/O, 1/I/L).
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
TOKEN_LENGTH = 12


class Refused(Exception):
    """A submission or action that must not happen; ``status`` as for HTTP."""

    def __init__(self, status: int, kind: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.kind = kind
        self.message = message


@dataclass(frozen=True)
class Round:
    id: int
    title: str
    period_start: date | None
    period_end: date | None
    mode: str
    code: str | None
    status: str
    questionnaire_version: str
    notice: str
    require_agreement: bool
    staff_council_agreed_on: date | None
    dpo_agreed_on: date | None
    created_at: datetime
    opened_on: date | None
    closed_on: date | None
    tokens_issued: int | None = None
    """Mode ``tokens``, once closed: how many one-time codes there were (the codes are deleted)."""
    tokens_used: int | None = None
    """Mode ``tokens``, once closed: how many of them were used."""
    tokens_requested: int | None = None
    """One-time codes leadership asked for when opening (mode ``tokens``)."""
    code_sheets: int = 0
    """Code sheets the trusted person printed: the first (``tokens_requested``
    codes) and each later batch; every sheet exactly once."""

    @property
    def display_code(self) -> str:
        return format_code(self.code or "")

    @property
    def agreement_recorded(self) -> bool:
        """Both the staff council's and the data protection officer's consent are on record."""
        return self.staff_council_agreed_on is not None and self.dpo_agreed_on is not None


_ROUND_COLUMNS = [c for c in rounds.c if c.name != "questionnaire"]


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def normalize(code: str) -> str:
    """Codes are typed by people: case, spaces and hyphens do not matter."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def format_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _random_code(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def token_hash(token: str) -> str:
    # 60 random bits per token: a fast hash suffices; only the hash is stored.
    return hashlib.sha256(normalize(token).encode("ascii", "ignore")).hexdigest()


# -- rounds ------------------------------------------------------------------------


def create_round(
    db: Any,
    questionnaire: Questionnaire,
    *,
    title: str,
    mode: str,
    period_start: date | None = None,
    period_end: date | None = None,
    require_agreement: bool = False,
) -> int:
    """A new round in status ``draft`` with the questionnaire frozen into it."""
    assert mode in MODES
    with db.write() as s:
        values: dict[str, Any] = {
            "title": title,
            "mode": mode,
            "status": "draft",
            "period_start": period_start,
            "period_end": period_end,
            "questionnaire_version": questionnaire.version,
            "questionnaire": questionnaire.to_json(),
            "notice": "",
            "require_agreement": require_agreement,
            "created_at": _now(),
        }
        if mode == "code":
            values["code"] = _unique_code(s)
        return int(s.execute(insert(rounds).values(**values)).inserted_primary_key[0])


def _unique_code(session: Any) -> str:
    while True:
        code = _random_code(CODE_LENGTH)
        if session.execute(select(rounds.c.id).where(rounds.c.code == code)).first() is None:
            return code


def get_round(db: Any, round_id: int) -> Round | None:
    with db.read() as s:
        row = s.execute(select(*_ROUND_COLUMNS).where(rounds.c.id == round_id)).first()
    return Round(**row._mapping) if row else None


_recent: dict[tuple[str, int], tuple[float, Round]] = {}
ROUND_CACHE_SECONDS = 2.0


def recent_round(db: Any, round_id: int) -> Round | None:
    """``get_round`` remembered for a moment, for the participants' hot paths.

    Only for pre-checks and for finding the frozen questionnaire: whether a
    submission is accepted is decided inside its transaction. Another worker
    process (on this machine or, with PostgreSQL, another one: docs/hosting.md)
    may thus show one more intermediate page of a round closed a second ago,
    but never stores anything for it.
    """
    key = (db.url, round_id)
    now = time.monotonic()
    hit = _recent.get(key)
    if hit is not None and now - hit[0] < ROUND_CACHE_SECONDS:
        return hit[1]
    rnd = get_round(db, round_id)
    if rnd is not None:
        if len(_recent) > 1024:
            _recent.clear()
        _recent[key] = (now, rnd)
    return rnd


def remembered(db: Any, round_id: int) -> tuple[Round, Questionnaire] | None:
    """The round and its questionnaire if this process has both from a moment ago.

    Never touches the database, so the event loop may call it; ``None``
    means: look them up (in a thread) with ``recent_round``/``questionnaire_of``.
    """
    hit = _recent.get((db.url, round_id))
    if hit is None or time.monotonic() - hit[0] >= ROUND_CACHE_SECONDS:
        return None
    rnd = hit[1]
    q = _frozen.get((db.url, rnd.id, rnd.questionnaire_version))
    return (rnd, q) if q is not None else None


def _forget(db: Any, round_id: int) -> None:
    _recent.pop((db.url, round_id), None)


def list_rounds(db: Any) -> list[Round]:
    with db.read() as s:
        rows = s.execute(select(*_ROUND_COLUMNS).order_by(rounds.c.id.desc())).all()
    return [Round(**r._mapping) for r in rows]


_frozen: dict[tuple[str, int, str], Questionnaire] = {}
_frozen_lock = threading.Lock()


def questionnaire_of(db: Any, rnd: Round) -> Questionnaire:
    """The round's frozen questionnaire (parsed once per process: it never changes)."""
    key = (db.url, rnd.id, rnd.questionnaire_version)
    found = _frozen.get(key)
    if found is None:
        with db.read() as s:
            text = s.execute(select(rounds.c.questionnaire).where(rounds.c.id == rnd.id)).scalar()
        found = Questionnaire.from_json(text)
        with _frozen_lock:
            if len(_frozen) > 256:
                _frozen.clear()
            _frozen[key] = found
    return found


def agreement_problems(
    *, required: bool, staff_council: date | None, dpo: date | None, today: date
) -> dict[str, str]:
    """What is wrong with a round's recorded sign-off: ``{"staff_council"|"dpo": kind}``.

    ``kind`` is ``"missing"`` (required but not given) or ``"future"``: an
    agreement is recorded once given, so a date after ``today`` is a mistake.
    Dates before the round was created are fine: consent usually comes first.
    """
    problems = {}
    for name, value in (("staff_council", staff_council), ("dpo", dpo)):
        if value is None:
            if required:
                problems[name] = "missing"
        elif value > today:
            problems[name] = "future"
    return problems


def open_round(
    db: Any,
    round_id: int,
    *,
    notice: str,
    staff_council_agreed_on: date | None = None,
    dpo_agreed_on: date | None = None,
    tokens_count: int = 0,
    require_agreement: bool = False,
) -> None:
    """Open a draft round. Mode ``tokens`` records ``tokens_count`` codes as
    requested: no code exists until the trusted person prints the sheet
    (:func:`print_sheet`), so nobody opening a round ever holds one.
    ``require_agreement`` (the instance's setting) adds to the round's own."""
    with db.write() as s:
        row = s.execute(
            select(rounds.c.status, rounds.c.mode, rounds.c.require_agreement)
            .where(rounds.c.id == round_id)
            .with_for_update()
        ).first()
        if row is None:
            raise Refused(404, "unknown_round", "unknown round")
        if row.status != "draft":
            raise Refused(409, "not_draft", "the round has been opened already")
        required = bool(row.require_agreement) or require_agreement
        problems = agreement_problems(
            required=required,
            staff_council=staff_council_agreed_on,
            dpo=dpo_agreed_on,
            today=date.today(),
        )
        if "future" in problems.values():
            raise Refused(422, "agreement_future", "a date of agreement lies in the future")
        if problems:
            raise Refused(
                422,
                "agreement_missing",
                "this round needs the dates on which the staff council and the data "
                "protection officer agreed",
            )
        if row.mode == "tokens" and tokens_count < 1:
            raise Refused(422, "tokens_missing", "a round with one-time codes needs their number")
        s.execute(
            update(rounds)
            .where(rounds.c.id == round_id)
            .values(
                status="open",
                notice=notice,
                opened_on=date.today(),
                require_agreement=required,
                staff_council_agreed_on=staff_council_agreed_on,
                dpo_agreed_on=dpo_agreed_on,
                tokens_requested=tokens_count if row.mode == "tokens" else None,
            )
        )
    _forget(db, round_id)


def _insert_tokens(session: Any, round_id: int, count: int) -> list[str]:
    new = [_random_code(TOKEN_LENGTH) for _ in range(count)]
    if new:
        # In hash order, not the sheet's: the order rows are written in can
        # show in the files (PostgreSQL: their place in the table).
        session.execute(
            insert(tokens),
            [
                {"token_hash": digest, "round_id": round_id, "used": False}
                for digest in sorted(token_hash(t) for t in new)
            ],
        )
    return [format_code(t) for t in new]


def _sheet_round(session: Any, round_id: int) -> Any:
    """The round's row for printing codes, locked; :class:`Refused` unless open with tokens."""
    row = session.execute(
        select(rounds.c.status, rounds.c.mode, rounds.c.tokens_requested, rounds.c.code_sheets)
        .where(rounds.c.id == round_id)
        .with_for_update()
    ).first()
    if row is None or row.mode != "tokens":
        raise Refused(404, "unknown_round", "unknown round")
    if row.status != "open":
        closed = row.status == "closed"
        raise Refused(409, "closed" if closed else "not_open", "the round is not open")
    return row


def print_sheet(db: Any, round_id: int) -> list[str]:
    """The round's first code sheet: creates the requested one-time codes and
    returns them, exactly once per round (only their hashes are stored).

    Call it only for the trusted person (role ``vertrauensperson``): the
    codes exist nowhere but in this return value.
    """
    with db.write() as s:
        row = _sheet_round(s, round_id)
        # Conditional, so two concurrent requests can never both print.
        done = s.execute(
            update(rounds)
            .where(rounds.c.id == round_id, rounds.c.code_sheets == 0)
            .values(code_sheets=1)
        )
        if done.rowcount != 1:
            raise Refused(409, "sheet_printed", "the code sheet of this round has been printed")
        return _insert_tokens(s, round_id, int(row.tokens_requested or 0))


def print_more(db: Any, round_id: int, count: int, *, limit: int) -> list[str]:
    """A further sheet of ``count`` one-time codes (lost sheets, new staff),
    after the first; at most ``limit`` codes per round. Returned once, like
    :func:`print_sheet`."""
    with db.write() as s:
        row = _sheet_round(s, round_id)
        if not row.code_sheets:
            raise Refused(409, "sheet_missing", "print the round's code sheet first")
        issued = int(
            s.execute(
                select(func.count()).select_from(tokens).where(tokens.c.round_id == round_id)
            ).scalar()
            or 0
        )
        if count < 1 or issued + count > limit:
            raise Refused(
                422, "too_many_tokens", f"at most {max(0, limit - issued)} more one-time codes"
            )
        s.execute(
            update(rounds)
            .where(rounds.c.id == round_id)
            .values(code_sheets=rounds.c.code_sheets + 1)
        )
        return _insert_tokens(s, round_id, count)


def token_counts(db: Any, round_id: int) -> tuple[int, int]:
    """(issued, used) one-time codes of a round.

    A closed round's codes are deleted: then the numbers recorded at closing.
    """
    with db.read() as s:
        kept = s.execute(
            select(rounds.c.tokens_issued, rounds.c.tokens_used).where(rounds.c.id == round_id)
        ).first()
        if kept is not None and kept.tokens_issued is not None:
            return int(kept.tokens_issued), int(kept.tokens_used or 0)
        return _count_tokens(s, round_id)


def _count_tokens(session: Any, round_id: int) -> tuple[int, int]:
    rows = session.execute(
        select(tokens.c.used, func.count())
        .where(tokens.c.round_id == round_id)
        .group_by(tokens.c.used)
    ).all()
    counts = {bool(used): int(n) for used, n in rows}
    return counts.get(False, 0) + counts.get(True, 0), counts.get(True, 0)


@writes_answers
def close_round(db: Any, round_id: int) -> None:
    """Close an open round and delete its one-time codes, keeping their number.

    Nothing then pairs a code with answers or tells the order answers came
    in: on PostgreSQL the round's rows are written anew in key order in the
    closing transaction (one transaction id for all) and the tables are
    compacted after it; on SQLite the file is (docs/privacy.md, "Storage").
    """
    with db.write() as s:
        row = s.execute(
            select(rounds.c.status, rounds.c.mode).where(rounds.c.id == round_id).with_for_update()
        ).first()
        if row is None:
            raise Refused(404, "unknown_round", "unknown round")
        if row.status != "open":
            raise Refused(409, "not_open", "only an open round can be closed")
        issued = used = None
        if row.mode == "tokens":
            issued, used = _count_tokens(s, round_id)
        s.execute(delete(tokens).where(tokens.c.round_id == round_id))
        s.execute(
            update(rounds)
            .where(rounds.c.id == round_id)
            .values(status="closed", closed_on=date.today(), tokens_issued=issued, tokens_used=used)
        )
        in_round = responses.c.round_id == round_id
        db.rewrite_in_key_order(
            s,
            (responses, in_round),
            (answers, answers.c.response_id.in_(select(responses.c.id).where(in_round))),
            (comments, comments.c.round_id == round_id),
        )
    _forget(db, round_id)
    db.compact(responses.name, answers.name, comments.name, tokens.name)


def delete_draft(db: Any, round_id: int) -> bool:
    with db.write() as s:
        result = s.execute(
            delete(rounds).where(rounds.c.id == round_id, rounds.c.status == "draft")
        )
    _forget(db, round_id)
    return bool(result.rowcount)


@reads_answers
def response_count(db: Any, round_id: int) -> Headcount:
    """How many answer sets a round has: shown only through ``disclosure.participation``."""
    with db.read() as s:
        n = s.execute(
            select(func.count()).select_from(responses).where(responses.c.round_id == round_id)
        ).scalar()
    return Headcount(int(n or 0))


# -- participation -------------------------------------------------------------------


@dataclass(frozen=True)
class Access:
    """What a participant's code opens: a round, by shared code or one-time code."""

    round: Round
    code: str | None = None
    token: str | None = None


def find_access(db: Any, entered: str) -> Access:
    """The open round a code belongs to, or :class:`Refused` with the reason."""
    value = normalize(entered)
    if not value:
        raise Refused(400, "no_code", "no code given")
    if len(value) == CODE_LENGTH:
        rnd = _round_for_code(db, value)
        if rnd is not None:
            _require_open(rnd)
            return Access(rnd, code=value)
    elif len(value) == TOKEN_LENGTH:
        with db.read() as s:
            row = s.execute(
                select(tokens.c.round_id, tokens.c.used).where(
                    tokens.c.token_hash == token_hash(value)
                )
            ).first()
        rnd = recent_round(db, row.round_id) if row is not None else None
        if row is not None and rnd is not None:
            _require_open(rnd)
            if row.used:
                raise Refused(409, "token_used", "this one-time code has already been used")
            return Access(rnd, token=value)
    raise Refused(403, "unknown_code", "unknown code")


# Shared code -> round id, so the participants' pages need no query per
# request. Only found codes are kept (unknown ones cannot fill it), and the
# round is always re-read through ``recent_round`` and its code compared, so a
# deleted draft's code can never open a later round that reuses its id.
_code_ids: dict[tuple[str, str], int] = {}


def remembered_access(db: Any, entered: str) -> tuple[Access, Questionnaire] | None:
    """:func:`find_access` for a shared code from memory only (never a query).

    ``None`` whenever memory does not settle it (a one-time code, a round not
    seen a moment ago, a closed round...): then ask :func:`find_access`,
    which also gives the reason for a refusal.
    """
    value = normalize(entered)
    rid = _code_ids.get((db.url, value))
    found = remembered(db, rid) if rid is not None else None
    if found is None:
        return None
    rnd, q = found
    if rnd.status != "open" or not _is_code_of(rnd.code, value):
        return None
    return Access(rnd, code=value), q


def _round_for_code(db: Any, code: str) -> Round | None:
    key = (db.url, code)
    rid = _code_ids.get(key)
    if rid is not None:
        rnd = recent_round(db, rid)
        if rnd is not None and _is_code_of(rnd.code, code):
            return rnd
        _code_ids.pop(key, None)
    with db.read() as s:
        rid = s.execute(select(rounds.c.id).where(rounds.c.code == code)).scalar()
    if rid is None:
        return None
    if len(_code_ids) > 1024:
        _code_ids.clear()
    _code_ids[key] = rid
    return recent_round(db, rid)


def _require_open(rnd: Round) -> None:
    if rnd.status == "draft":
        raise Refused(409, "not_open", "the round has not been opened yet")
    if rnd.status == "closed":
        raise Refused(409, "closed", "the round is closed")


def check_access(db: Any, rnd: Round, *, code: str | None, token: str | None) -> None:
    """Refuse unless ``code``/``token`` lets one take part in ``rnd`` now (no change made)."""
    _require_open(rnd)
    _check_credential(rnd.mode, rnd.code, code, token)
    if rnd.mode == "code":
        return
    with db.read() as s:
        used = _token_used(s, token_hash(token or ""), rnd.id)
    if used is not False:
        raise _token_refused(used)


def _check_credential(
    mode: str, round_code: str | None, code: str | None, token: str | None
) -> None:
    """The shared code must be the round's; a tokens round needs a token (checked by the caller)."""
    if mode == "code":
        if not code or not _is_code_of(round_code, normalize(code)):
            raise Refused(403, "wrong_code", "wrong participation code for this round")
    elif not token:
        raise Refused(403, "token_required", "this round needs a one-time code (token)")


def _is_code_of(round_code: str | None, code: str) -> bool:
    return hmac.compare_digest(round_code or "", code)


def _token_used(conn: Any, digest: str, round_id: int) -> bool | None:
    """Whether the round's one-time code is used; ``None`` if the round has no such code."""
    row = conn.execute(
        select(tokens.c.used).where(tokens.c.token_hash == digest, tokens.c.round_id == round_id)
    ).first()
    return None if row is None else bool(row.used)


def _token_refused(used: bool | None) -> Refused:
    if used is None:
        return Refused(403, "unknown_token", "unknown one-time code for this round")
    return Refused(409, "token_used", "this one-time code has already been used")


@dataclass(frozen=True)
class Submission:
    """One validated questionnaire, as it will be stored (no one's identity in it)."""

    round_id: int
    code: str | None
    token: str | None
    perspective: str
    area: str
    values: dict[str, int | None]
    texts: dict[str, str]


def submit(
    db: Any,
    round_id: int,
    *,
    code: str | None,
    token: str | None,
    perspective: str,
    area: str,
    values: dict[str, int | None],
    texts: dict[str, str],
) -> None:
    """Store one validated submission, all or nothing; :class:`Refused` if it may not be."""
    sub = Submission(round_id, code, token, perspective, area, values, texts)
    [refused] = submit_many(db, [sub])
    if refused is not None:
        raise refused


async def submit_grouped(db: Any, sub: Submission) -> None:
    """:func:`submit` for the event loop: shares a transaction with concurrent submissions."""
    refused = await group_commit.for_loop(db, submit_many).write(sub)
    if refused is not None:
        raise refused


@writes_answers
def submit_many(db: Any, subs: Sequence[Submission]) -> list[Refused | None]:
    """Store several submissions in ONE transaction; each is all or nothing.

    Returns, per submission, ``None`` when stored or the :class:`Refused`
    saying why not. Each round is re-checked inside the transaction (locked
    against a concurrent close on PostgreSQL; SQLite serialises writers
    anyway) and a one-time code is consumed by a conditional update as the
    last check, so a refused submission consumes nothing and two submissions
    with the same code never both succeed, in one batch or in two.

    Nothing is written in the order the submissions arrived: codes are spent
    in the order of their hashes and rows inserted in key order, so within a
    batch neither the files nor PostgreSQL's row placement pair a code with
    its answers or order the answer sets.
    """
    outcomes: list[Refused | None] = [None] * len(subs)
    heads: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    # Sorting is stable: of two submissions with one code the first still wins.
    order = sorted(range(len(subs)), key=lambda i: token_hash(subs[i].token or ""))
    # Core statements on the session's connection: the hot path of a round.
    with db.write(sensitive=True) as session:
        conn = session.connection()
        round_rows: dict[int, Any] = {}
        for i in order:
            sub = subs[i]
            if sub.round_id not in round_rows:
                round_rows[sub.round_id] = conn.execute(
                    _ROUND_FOR_SUBMIT, {"rid": sub.round_id}
                ).first()
            try:
                _admit(conn, round_rows[sub.round_id], sub)
            except Refused as exc:
                outcomes[i] = exc
                continue
            response_id = uuid.uuid4().hex
            heads.append(
                {
                    "id": response_id,
                    "round_id": sub.round_id,
                    "perspective": sub.perspective,
                    "area": sub.area,
                }
            )
            rows.extend(
                {"response_id": response_id, "item_id": iid, "value": value}
                for iid, value in sub.values.items()
            )
            notes.extend(
                {
                    "id": uuid.uuid4().hex,
                    "round_id": sub.round_id,
                    "cornerstone": cid,
                    "perspective": sub.perspective,
                    "area": sub.area,
                    "text": text,
                }
                for cid, text in sub.texts.items()
                if text
            )
        if heads:
            conn.execute(insert(responses), sorted(heads, key=itemgetter("id")))
        if rows:
            conn.execute(insert(answers), sorted(rows, key=itemgetter("response_id", "item_id")))
        if notes:
            conn.execute(insert(comments), sorted(notes, key=itemgetter("id")))
    return outcomes


def _admit(conn: Any, row: Any, sub: Submission) -> None:
    """Refuse unless ``sub`` may be stored now; consumes its one-time code as the last step."""
    if row is None:
        raise Refused(404, "unknown_round", "unknown round")
    if row.status != "open":
        raise Refused(
            409,
            "closed" if row.status == "closed" else "not_open",
            "the round is closed" if row.status == "closed" else "the round is not open",
        )
    _check_credential(row.mode, row.code, sub.code, sub.token)
    if row.mode == "code":
        return
    digest = token_hash(sub.token or "")
    result = conn.execute(_USE_TOKEN, {"digest": digest, "rid": sub.round_id})
    if result.rowcount != 1:
        raise _token_refused(_token_used(conn, digest, sub.round_id))


_ROUND_FOR_SUBMIT = (
    select(rounds.c.status, rounds.c.mode, rounds.c.code)
    .where(rounds.c.id == bindparam("rid"))
    .with_for_update(read=True)
)
_USE_TOKEN = (
    update(tokens)
    .where(
        tokens.c.token_hash == bindparam("digest"),
        tokens.c.round_id == bindparam("rid"),
        tokens.c.used.is_(False),
    )
    .values(used=True)
)


# -- reading answers for the disclosure layer ---------------------------------------


@reads_answers
def load_responses(db: Any, round_id: int) -> list[Answers]:
    """The round's answer sets keyed ``(perspective, area)``, in no meaningful order."""
    with db.read() as s:
        heads = s.execute(
            select(responses.c.id, responses.c.perspective, responses.c.area).where(
                responses.c.round_id == round_id
            )
        ).all()
        rows = s.execute(
            select(answers.c.response_id, answers.c.item_id, answers.c.value)
            .join(responses, responses.c.id == answers.c.response_id)
            .where(responses.c.round_id == round_id)
        ).all()
    by_id: dict[str, dict[str, int | None]] = {h.id: {} for h in heads}
    for r in rows:
        by_id[r.response_id][r.item_id] = r.value
    return [Answers((h.perspective, h.area), by_id[h.id]) for h in heads]


@reads_answers
def load_comments(db: Any, round_id: int) -> list[Text]:
    """The round's comments keyed like the answer sets, topic = cornerstone."""
    with db.read() as s:
        rows = s.execute(
            select(
                comments.c.cornerstone, comments.c.perspective, comments.c.area, comments.c.text
            ).where(comments.c.round_id == round_id)
        ).all()
    return [Text((r.perspective, r.area), r.cornerstone, r.text) for r in rows]
