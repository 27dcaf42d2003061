"""JSON API of the action plan: ``GET /api/v1/plan/`` (in ``/api/openapi.json``).

Read-only, for the roles that read the plan's pages; the answer has the seed's
shape: working groups with goals, measures and first results, then the
measures without a group. Every read is written to the audit log.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field
from starlette.requests import Request

from ..web.audit import record
from . import READ, module
from .service import load_plan

Status = Literal["offen", "in_arbeit", "erledigt", "verworfen"]


class GoalOut(BaseModel):
    id: int
    text: str


class MeasureOut(BaseModel):
    id: int
    title: str
    description: str
    cornerstone: str | None = Field(description="Cornerstone id, or null")
    owner: str
    due: date | None
    status: Status
    source: str = Field(description="Where the measure came from, e.g. a recommendation")


class ResultOut(BaseModel):
    id: int
    text: str
    recorded_on: date


class GroupOut(BaseModel):
    id: int
    name: str
    description: str
    cornerstones: list[str]
    goals: list[GoalOut]
    measures: list[MeasureOut]
    results: list[ResultOut] = Field(description="First results, oldest first")


class ActionPlanOut(BaseModel):
    groups: list[GroupOut] = Field(description="Working groups in the plan's order")
    ungrouped: list[MeasureOut] = Field(description="Measures without a working group")


def _measure(m: Any) -> dict[str, Any]:
    return {
        "id": m.id,
        "title": m.title,
        "description": m.description,
        "cornerstone": m.cornerstone,
        "owner": m.owner,
        "due": m.due,
        "status": m.status,
        "source": m.source,
    }


@module.api.endpoint(
    "/",
    roles=READ,
    summary="The action plan: working groups with goals, measures and first results",
    response_model=ActionPlanOut,
    name="plan_read",
)
def read_plan(request: Request) -> ActionPlanOut:
    plan = load_plan(request.app.state.instance.db)
    record(request, "plan.exported", "plan", format="api")
    return ActionPlanOut.model_validate(
        {
            "groups": [
                {
                    "id": g.id,
                    "name": g.name,
                    "description": g.description,
                    "cornerstones": g.cornerstones,
                    "goals": [{"id": x.id, "text": x.text} for x in g.goals],
                    "measures": [_measure(m) for m in g.measures],
                    "results": [
                        {"id": r.id, "text": r.text, "recorded_on": r.recorded_on}
                        for r in g.results
                    ],
                }
                for g in plan.groups
            ],
            "ungrouped": [_measure(m) for m in plan.ungrouped],
        }
    )
