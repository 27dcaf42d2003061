"""JSON API under ``/api/v1/selbstcheck/`` (in ``/api/openapi.json``).

Listing, creating and closing rounds and reading results need a bearer
token (or session) of role ``leitung`` or ``admin``; the list shows a round's
number of answer sets only as the pages do (a band while it runs). Reading
the questionnaire and submitting need only the round's participation code
or a one-time code. Results exist only for closed rounds and carry no mean,
distribution or comments for a suppressed group. Every refusal is a 4xx with
a specific message and stores nothing.

No API route ever returns a one-time code: whoever can read results must not
hold unused codes, so only the trusted person prints them, on a web page
(``/selbstcheck/codebogen/``). Where the instance requires it (the default),
a round opens only with the dates of agreement, none in the future.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from willkommen_core.disclosure.participation import coarse_count
from willkommen_core.i18n import current_language
from willkommen_core.web.api import ApiError
from willkommen_core.web.audit import record

from . import STAFF, module, store
from . import questionnaire as qmod
from .pages.common import DONT_KNOW_LABEL, SCALE_LABELS, notice_text
from .results import ALL, Stats, cell_dict
from .summary import min_size, round_results
from .validation import check

endpoint = module.api.endpoint


class RoundCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    mode: Literal["code", "tokens"] = "code"
    tokens: int | None = Field(
        None,
        ge=1,
        le=5000,
        description="Number of one-time codes requested (mode tokens); the trusted person "
        "(role vertrauensperson) prints them on /selbstcheck/codebogen/",
    )
    period_start: date | None = None
    period_end: date | None = None
    staff_council_agreed_on: date | None = Field(
        None,
        description="Date the staff council agreed; required when the instance requires "
        "recorded agreement (the default); never in the future",
    )
    dpo_agreed_on: date | None = Field(
        None,
        description="Date the data protection officer agreed; required like the above; "
        "never in the future",
    )


class RoundCreated(BaseModel):
    id: int
    code: str | None = Field(None, description="Shared participation code (mode code)")
    tokens: list[str] | None = Field(
        None,
        description="Always null (withdrawn): one-time codes are never given to whoever "
        "creates a round; the trusted person (role vertrauensperson) prints them once on "
        "/selbstcheck/codebogen/. Present for mode tokens, as before.",
    )


class RoundClosed(BaseModel):
    id: int
    status: Literal["closed"]
    responses: int | None = Field(
        description="Answer sets of the round; null when fewer than the minimum group size "
        "(a suppressed group never shows its size)"
    )


class ItemOut(BaseModel):
    id: str
    text: str
    explanation: str


class CornerstoneOut(BaseModel):
    id: str
    title: str
    items: list[ItemOut]


class QuestionnaireOut(BaseModel):
    version: str
    round: int
    scale: dict[str, str]
    work_areas: list[str]
    notice: str
    cornerstones: list[CornerstoneOut]


class ResponseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str | None = Field(None, max_length=64)
    token: str | None = Field(None, max_length=64)
    perspective: Literal["leitung", "mitarbeitende"]
    area: str = Field("", max_length=100)
    answers: dict[str, StrictInt | None] = Field(
        description="Every item of the round: 1..5, or null for 'cannot judge'"
    )
    comments: dict[str, str] = Field(default_factory=dict)


class Stored(BaseModel):
    status: Literal["stored"]


class CellOut(BaseModel):
    """An item or cornerstone. Suppressed: n, mean and distribution are null; the
    "cannot judge" count stays while its group is shown."""

    id: str
    n: int | None
    mean: float | None
    distribution: dict[str, int] | None
    dont_know: int | None
    suppressed: bool


class CornerstoneResult(CellOut):
    comments: list[str] | None = None


class ResultsOut(BaseModel):
    round: int
    questionnaire_version: str
    min_group_size: int
    perspective: str | None
    area: str | None
    responses: int | None = Field(
        description="Respondents in the group; null when fewer than min_group_size "
        "(a suppressed group never shows its size)"
    )
    suppressed: bool
    cornerstones: list[CornerstoneResult]
    items: list[CellOut]


class ParticipationBand(BaseModel):
    at_least: int
    below: int


class RoundOut(BaseModel):
    """A round as the list shows it: no code, and its size only as the pages show it."""

    id: int
    title: str
    mode: Literal["code", "tokens"]
    status: Literal["draft", "open", "closed"]
    questionnaire_version: str
    period_start: date | None
    period_end: date | None
    opened_on: date | None
    closed_on: date | None
    responses: int | None = Field(
        description="Answer sets, once the round is closed and only when at least the "
        "minimum group size; otherwise null (see participation)"
    )
    participation: ParticipationBand | None = Field(
        description="While the round is open, or when a closed round stayed below the "
        "minimum group size: the band its number of answer sets lies in (at_least <= n < "
        "below), never the exact number; null when responses is given"
    )
    results: bool = Field(description="Whether results can be read (the round is closed)")


class RoundList(BaseModel):
    min_group_size: int
    rounds: list[RoundOut] = Field(description="Newest first")


def _round(request: Request, *, recent: bool = False) -> store.Round:
    raw = request.path_params["id"]
    db = request.app.state.instance.db
    lookup = store.recent_round if recent else store.get_round
    rnd = lookup(db, int(raw)) if raw.isdecimal() else None
    if rnd is None:
        raise ApiError(404, "unknown round")
    return rnd


def _refused(exc: store.Refused) -> ApiError:
    return ApiError(exc.status, exc.message)


@endpoint(
    "/rounds",
    roles=STAFF,
    summary="The rounds, newest first, with their status and (coarse) participation",
    response_model=RoundList,
    name="selbstcheck_list_rounds",
)
def list_rounds(request: Request) -> Any:
    instance = request.app.state.instance
    minimum = min_size(instance)
    found = []
    for rnd in store.list_rounds(instance.db):
        count = store.response_count(instance.db, rnd.id) if rnd.status != "draft" else None
        closed = rnd.status == "closed"
        exact = count is not None and closed and count.n >= minimum
        found.append(
            {
                "id": rnd.id,
                "title": rnd.title,
                "mode": rnd.mode,
                "status": rnd.status,
                "questionnaire_version": rnd.questionnaire_version,
                "period_start": rnd.period_start,
                "period_end": rnd.period_end,
                "opened_on": rnd.opened_on,
                "closed_on": rnd.closed_on,
                "responses": count.n if exact and count is not None else None,
                "participation": None
                if exact or count is None
                else coarse_count(count, minimum).as_json(),
                "results": closed,
            }
        )
    return RoundList(min_group_size=minimum, rounds=[RoundOut.model_validate(r) for r in found])


@endpoint(
    "/rounds",
    methods=("POST",),
    roles=STAFF,
    summary="Create and open a self-assessment round (one-time codes are printed "
    "by the trusted person, never returned)",
    request_model=RoundCreate,
    response_model=RoundCreated,
    status_code=201,
    name="selbstcheck_create_round",
)
def create_round(request: Request, body: RoundCreate) -> Any:
    instance = request.app.state.instance
    settings = module.settings(instance)
    if body.mode == "tokens" and not body.tokens:
        raise ApiError(422, "invalid request: tokens: mode 'tokens' needs the number of tokens")
    if body.mode == "code" and body.tokens:
        raise ApiError(422, "invalid request: tokens: only for mode 'tokens'")
    if body.tokens and body.tokens > settings.max_tokens:
        raise ApiError(422, f"invalid request: tokens: at most {settings.max_tokens}")
    if body.period_start and body.period_end and body.period_end < body.period_start:
        raise ApiError(422, "invalid request: period_end: before period_start")
    _check_agreement(settings.require_agreement, body)
    round_id = store.create_round(
        instance.db,
        qmod.current(instance),
        title=body.title.strip(),
        mode=body.mode,
        period_start=body.period_start,
        period_end=body.period_end,
        require_agreement=settings.require_agreement,
    )
    try:
        store.open_round(
            instance.db,
            round_id,
            notice=notice_text(instance),
            staff_council_agreed_on=body.staff_council_agreed_on,
            dpo_agreed_on=body.dpo_agreed_on,
            tokens_count=body.tokens or 0,
            require_agreement=settings.require_agreement,
        )
    except store.Refused as exc:  # checked above; e.g. midnight passed in between
        store.delete_draft(instance.db, round_id)
        raise ApiError(422, f"invalid request: {exc.message}") from exc
    rnd = store.get_round(instance.db, round_id)
    assert rnd is not None
    record(
        request, "round.opened", f"selbstcheck/{round_id}", mode=body.mode, codes=body.tokens or 0
    )
    if body.mode == "tokens":
        return {"id": round_id, "tokens": None}
    return {"id": round_id, "code": rnd.display_code}


def _check_agreement(required: bool, body: RoundCreate) -> None:
    """422 naming each date of agreement that is missing (when required) or in the future."""
    problems = store.agreement_problems(
        required=required,
        staff_council=body.staff_council_agreed_on,
        dpo=body.dpo_agreed_on,
        today=date.today(),
    )
    texts = {
        "missing": "required by this instance before a round opens",
        "future": "lies in the future: record an agreement once it has been given",
    }
    details = [
        {"field": f"{name}_agreed_on", "message": texts[kind]} for name, kind in problems.items()
    ]
    if details:
        first = details[0]
        raise ApiError(422, f"invalid request: {first['field']}: {first['message']}", details)


@endpoint(
    "/rounds/{id}/close",
    methods=("POST",),
    roles=STAFF,
    summary="Close a round (no more responses; results become available)",
    response_model=RoundClosed,
    name="selbstcheck_close_round",
)
def close_round(request: Request) -> Any:
    rnd = _round(request)
    db = request.app.state.instance.db
    try:
        store.close_round(db, rnd.id)
    except store.Refused as exc:
        raise _refused(exc) from exc
    record(request, "round.closed", f"selbstcheck/{rnd.id}")
    count = store.response_count(db, rnd.id).n
    shown = count if count >= min_size(request.app.state.instance) else None
    return {"id": rnd.id, "status": "closed", "responses": shown}


@endpoint(
    "/rounds/{id}/questionnaire",
    public=True,
    summary="The round's frozen questionnaire, for participants",
    response_model=QuestionnaireOut,
    query={
        "code": "participation code (mode code)",
        "token": "one-time code (mode tokens)",
    },
    name="selbstcheck_questionnaire",
)
def questionnaire(request: Request) -> Any:
    rnd = _round(request)
    db = request.app.state.instance.db
    code = request.query_params.get("code")
    token = request.query_params.get("token")
    if not code and not token:
        raise ApiError(400, "give ?code=... or ?token=...")
    try:
        store.check_access(db, rnd, code=code, token=token)
    except store.Refused as exc:
        raise _refused(exc) from exc
    q = store.questionnaire_of(db, rnd)
    lang = current_language()
    return {
        "version": q.version,
        "round": rnd.id,
        "scale": {
            **{str(k): str(v) for k, v in SCALE_LABELS.items()},
            "null": str(DONT_KNOW_LABEL),
        },
        "work_areas": list(q.work_areas),
        "notice": rnd.notice,
        "cornerstones": [
            {
                "id": c.id,
                "title": c.label(lang),
                "items": [
                    {"id": i.id, "text": i.label(lang), "explanation": i.hint(lang)}
                    for i in c.items
                ],
            }
            for c in q.cornerstones
        ],
    }


@endpoint(
    "/rounds/{id}/responses",
    methods=("POST",),
    public=True,
    summary="Submit one anonymous response",
    request_model=ResponseIn,
    response_model=Stored,
    status_code=201,
    name="selbstcheck_submit",
)
async def submit(request: Request, body: ResponseIn) -> Any:
    instance = request.app.state.instance
    db = instance.db
    # The round (for its frozen questionnaire) may come from a moment ago:
    # status, code and one-time code are checked inside the transaction.
    raw = request.path_params["id"]
    found = store.remembered(db, int(raw)) if raw.isdecimal() else None
    if found is None:
        found = await run_in_threadpool(_round_and_questionnaire, request)
    rnd, q = found
    if body.code and body.token:
        raise ApiError(422, "invalid request: give either code or token, not both")
    if not body.code and not body.token:
        raise ApiError(
            403,
            f"this round needs a {'participation code' if rnd.mode == 'code' else 'one-time code (token)'}",
        )
    issues = check(
        q,
        perspective=body.perspective,
        area=body.area,
        answers=body.answers,
        comments=body.comments,
        max_comment_length=module.settings(instance).max_comment_length,
    )
    if issues:
        details = [{"field": i.field, "message": i.english()} for i in issues]
        raise ApiError(422, f"invalid request: {issues[0].field}: {issues[0].english()}", details)
    submission = store.Submission(
        rnd.id,
        code=body.code,
        token=body.token,
        perspective=body.perspective,
        area=body.area,
        values=dict(body.answers),
        texts={k: v.strip() for k, v in body.comments.items() if v.strip()},
    )
    try:
        await store.submit_grouped(db, submission)
    except store.Refused as exc:
        raise _refused(exc) from exc
    return {"status": "stored"}


def _round_and_questionnaire(request: Request) -> tuple[store.Round, qmod.Questionnaire]:
    rnd = _round(request, recent=True)
    return rnd, store.questionnaire_of(request.app.state.instance.db, rnd)


@endpoint(
    "/rounds/{id}/results",
    roles=STAFF,
    summary="Aggregated results of a closed round (suppression applied)",
    response_model=ResultsOut,
    query={
        "perspective": "leitung or mitarbeitende",
        "area": "a work area of the round ('' = no area given)",
    },
    name="selbstcheck_results",
)
def results(request: Request) -> Any:
    instance = request.app.state.instance
    rnd = _round(request)
    if rnd.status != "closed":
        raise ApiError(409, "results are available once the round is closed")
    res = round_results(instance, rnd)
    perspective = request.query_params.get("perspective") or None
    area = request.query_params.get("area")
    if not res.breakdown and (perspective is not None or area is not None):
        raise ApiError(
            400,
            "this round was run with a shared code, where one person can answer many "
            "times: results exist for the whole authority only",
        )
    if perspective is not None and perspective not in res.perspectives:
        raise ApiError(400, "perspective must be 'leitung' or 'mitarbeitende'")
    if area is not None and area not in res.areas:
        raise ApiError(
            400, f"unknown area {area!r} (known: {', '.join(a for a in res.areas if a)})"
        )
    group = res.group(perspective, area)
    record(request, "results.exported", f"selbstcheck/{rnd.id}", format="api")

    def cell(cid: str, c: Stats) -> dict[str, Any]:
        found = cell_dict(c)
        del found["dont_know_share"]
        return {"id": cid, **found}

    return {
        "round": rnd.id,
        "questionnaire_version": rnd.questionnaire_version,
        "min_group_size": min_size(instance),
        "perspective": perspective,
        "area": None if area is None or area == ALL else area,
        "responses": group.responses,
        "suppressed": group.suppressed,
        "cornerstones": [
            {
                **cell(c.id, group.cornerstones[c.id]),
                "comments": None if group.suppressed else group.comments.get(c.id, []),
            }
            for c in res.questionnaire.cornerstones
        ],
        "items": [cell(iid, c) for iid, c in group.items.items()],
    }
