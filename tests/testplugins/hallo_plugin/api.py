from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import insert, select
from starlette.requests import Request

from willkommen_core.storage.db import inserted_id
from willkommen_core.web.api import ApiError

from . import module
from .tables import greetings

endpoint = module.api.endpoint


class GreetingIn(BaseModel):
    text: str = Field(min_length=1, max_length=200)


class GreetingOut(BaseModel):
    id: int
    text: str


def _db(request: Request) -> Any:
    return request.app.state.instance.db


@endpoint("/greetings", roles=("leitung",), summary="List greetings", name="api_list")
def api_list(request: Request) -> list[dict[str, object]]:
    with _db(request).read() as s:
        return [dict(r._mapping) for r in s.execute(select(greetings))]


@endpoint(
    "/greetings",
    methods=("POST",),
    roles=("redaktion",),
    request_model=GreetingIn,
    response_model=GreetingOut,
    status_code=201,
    summary="Add a greeting",
    name="api_add",
)
def api_add(request: Request, body: GreetingIn) -> GreetingOut:
    with _db(request).write() as s:
        new_id = inserted_id(s.execute(insert(greetings).values(text=body.text)))
    return GreetingOut(id=new_id, text=body.text)


@endpoint(
    "/greetings/{greeting_id:int}",
    roles=("leitung", "redaktion"),
    response_model=GreetingOut,
    summary="One greeting",
    name="api_get",
)
def api_get(request: Request) -> GreetingOut:
    with _db(request).read() as s:
        row = s.execute(
            select(greetings).where(greetings.c.id == request.path_params["greeting_id"])
        ).first()
    if row is None:
        raise ApiError(404, "no such greeting")
    return GreetingOut(id=row.id, text=row.text)
