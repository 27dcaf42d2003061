"""JSON API under ``/api/v1/kundenbefragung/`` (in ``/api/openapi.json``).

``POST /responses`` is public (the same survey as the QR page, with the same
per-site limit); ``GET /results`` needs leitung or admin and gives the
published figures of whole, final months only, through the disclosure layer.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt
from starlette.requests import Request

from willkommen_core.web.api import ApiError
from willkommen_core.web.audit import record

from . import module, periods, store
from . import survey as sv
from .content import current
from .results import CHARACTERISTICS, Results, for_months
from .settings import settings_of

endpoint = module.api.endpoint


class ResponseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    language: str = Field(
        "de", max_length=10, description="A language of the survey, e.g. de, ar, de-x-ls"
    )
    site: str = Field(
        "", max_length=200, description="A site of the authority ('' or unknown: none)"
    )
    answers: dict[str, StrictInt | str | None] = Field(
        description="Question id -> 1..5 (rating or waiting band), null for 'don't know', "
        "or for the service question a service id"
    )
    comment: str = Field("", max_length=1000, description="Only where the instance allows comments")


class Stored(BaseModel):
    status: Literal["stored"]


class CellOut(BaseModel):
    n: int | None
    mean: float | None
    distribution: dict[str, int] | None
    dont_know: int | None
    suppressed: bool


class GroupOut(BaseModel):
    responses: int | None = Field(description="null when fewer than the minimum group size")
    questions: dict[str, CellOut]
    cornerstones: dict[str, CellOut]


class ResultsOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: date = Field(alias="from")
    to: date
    months: list[str] = Field(description="The final months the figures cover")
    min_group_size: int
    total: GroupOut
    by_site: dict[str, GroupOut]
    by_service: dict[str, GroupOut]
    by_language: dict[str, GroupOut]


@endpoint(
    "/responses",
    methods=("POST",),
    public=True,
    summary="Submit one anonymous customer response",
    request_model=ResponseIn,
    response_model=Stored,
    status_code=201,
    name="kundenbefragung_submit",
)
def submit(request: Request, body: ResponseIn) -> Any:
    instance = request.app.state.instance
    settings = settings_of(instance)
    survey = current(instance)
    site = sv.site_of(instance, body.site)
    try:
        sub = sv.check(
            survey,
            settings,
            sv.Given(body.answers, body.comment),
            channel="qr",
            site=site,
            language=body.language,
        )
        sv.save(instance, sub, settings)
    except sv.Invalid as exc:
        raise ApiError(
            422,
            f"invalid request: {exc.field}: {exc.message}",
            [{"field": exc.field, "message": exc.message}],
        ) from exc
    except store.Limited as exc:
        raise ApiError(429, "too many responses right now; try again later") from exc
    return {"status": "stored"}


def _day(request: Request, name: str) -> date:
    raw = request.query_params.get(name, "")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ApiError(400, f"{name} must be a date YYYY-MM-DD, got {raw!r}") from None


def _results_json(res: Results, start: date, end: date) -> dict[str, Any]:
    breakdowns = res.breakdowns()
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "months": res.months,
        "min_group_size": res.min_size,
        "total": res.group(),
        **{f"by_{c}": breakdowns[c] for c in CHARACTERISTICS},
    }


@endpoint(
    "/results",
    roles=("leitung",),
    summary="Published figures of whole final months (suppression applied)",
    response_model=ResultsOut,
    query={
        "from": "first day of a month, YYYY-MM-DD",
        "to": "last day of a month, YYYY-MM-DD",
    },
    name="kundenbefragung_results",
)
def results(request: Request) -> Any:
    instance = request.app.state.instance
    start, end = _day(request, "from"), _day(request, "to")
    try:
        months = periods.range_months(start, end)
    except ValueError as exc:
        raise ApiError(400, str(exc)) from exc
    if len(months) > 120:
        raise ApiError(400, "at most ten years at once")
    review = settings_of(instance).review_days
    if not periods.is_final(months[-1], date.today(), review):
        raise ApiError(
            400,
            f"{months[-1]} is not final yet (results appear {review} days after a month ends)",
        )
    record(request, "results.exported", f"kundenbefragung/{months[0]}..{months[-1]}", format="api")
    return _results_json(for_months(instance, months), start, end)
