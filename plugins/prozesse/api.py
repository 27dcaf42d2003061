"""JSON API of the process plan, mounted at ``/api/v1/prozesse/``."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel
from starlette.requests import Request

from willkommen_core.web.api import ApiError

from . import READ_ROLES, module, store


class PhaseRef(BaseModel):
    id: str
    """The phase's id from the template, e.g. ``auftakt``."""
    title: str
    index: int
    """1-based position among the plan's phases."""
    total: int


class MilestoneOut(BaseModel):
    step_id: int
    title: str
    date: date


class PhaseStatus(BaseModel):
    id: str
    title: str
    steps: int
    done: int
    """Steps with status ``erledigt``."""
    closed: bool
    """Every step is done or dropped."""


class StatusOut(BaseModel):
    """Where the authority stands in its change process."""

    started: bool
    template: str | None = None
    template_version: str | None = None
    title: str | None = None
    start_date: date | None = None
    phase: PhaseRef | None = None
    """The phase reached: the furthest one with a step under way or done."""
    steps_total: int = 0
    """Steps not dropped (status other than ``entfallen``)."""
    steps_done: int = 0
    share_done: float = 0.0
    completed: bool = False
    next_milestone: MilestoneOut | None = None
    phases: list[PhaseStatus] = []


class StepOut(BaseModel):
    id: int
    phase: str
    """Id of the phase, e.g. ``auftakt``."""
    phase_title: str
    position: int
    """1-based position in the whole plan."""
    template_step: str | None
    """Id of the template step it came from; ``null`` for steps added later."""
    title: str
    description: str
    planned_on: date | None
    ends_on: date | None
    owner: str
    participants: list[str]
    status: str
    """geplant | laufend | erledigt | entfallen"""
    expected_result: str
    result_notes: str


class StepList(BaseModel):
    count: int
    steps: list[StepOut]


def status_of(plan: store.Plan | None) -> StatusOut:
    if plan is None:
        return StatusOut(started=False)
    p = store.progress(plan)
    milestone = store.next_milestone(plan)
    return StatusOut(
        started=True,
        template=plan.template_id,
        template_version=plan.template_version,
        title=plan.title,
        start_date=plan.start_date,
        phase=PhaseRef(id=p.phase.key, title=p.phase.title, index=p.index, total=p.total)
        if p.phase
        else None,
        steps_total=p.steps_total,
        steps_done=p.steps_done,
        share_done=p.share_done,
        completed=p.completed,
        next_milestone=MilestoneOut(
            step_id=milestone.id, title=milestone.title, date=milestone.planned_on
        )
        if milestone
        else None,
        phases=[
            PhaseStatus(
                id=ph.key,
                title=ph.title,
                steps=len(ph.steps),
                done=sum(1 for s in ph.steps if s.status == "erledigt"),
                closed=ph.done,
            )
            for ph in plan.phases
        ],
    )


@module.api.endpoint(
    "/status",
    roles=READ_ROLES,
    summary="Process status: phase reached, share of steps done, next milestone",
    response_model=StatusOut,
    name="prozesse_status",
)
def status(request: Request) -> StatusOut:
    return status_of(store.load(request.app.state.instance.db))


@module.api.endpoint(
    "/steps",
    roles=READ_ROLES,
    summary="Steps of the process plan in order",
    response_model=StepList,
    query={"status": "geplant | laufend | erledigt | entfallen"},
    name="prozesse_steps",
)
def steps(request: Request) -> StepList:
    plan = store.load(request.app.state.instance.db)
    wanted = request.query_params.get("status", "")
    if wanted and wanted not in store.STATUSES:
        raise ApiError(400, f"unknown status {wanted!r} (geplant, laufend, erledigt, entfallen)")
    if plan is None:
        return StepList(count=0, steps=[])
    found = [
        StepOut(
            id=s.id,
            phase=plan.phase_of(s).key,
            phase_title=plan.phase_of(s).title,
            position=number,
            template_step=s.template_step,
            title=s.title,
            description=s.description,
            planned_on=s.planned_on,
            ends_on=s.ends_on,
            owner=s.owner,
            participants=[p for p in s.participants.split(",") if p],
            status=s.status,
            expected_result=s.expected_result,
            result_notes=s.result_notes,
        )
        for number, s in enumerate(plan.steps, start=1)
        if not wanted or s.status == wanted
    ]
    return StepList(count=len(found), steps=found)
