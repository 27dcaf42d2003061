"""The instantiated process plan: creating it from a template, reading and adapting it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update

from willkommen_core import plan as core_plan
from willkommen_core.i18n import gettext as _
from willkommen_core.i18n import lazy_gettext as _l
from willkommen_core.storage.db import Database, affected, inserted_id

from .model import Template, add_months, step_dates
from .tables import phases, plans, steps

STATUSES: dict[str, Any] = {
    "geplant": _l("geplant"),
    "laufend": _l("laufend"),
    "erledigt": _l("erledigt"),
    "entfallen": _l("entfallen"),
}
CLOSED = ("erledigt", "entfallen")
MAX_TITLE = 300
MAX_SHORT = 200
MAX_TEXT = 5000


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Invalid(Exception):
    """Input with a message per field; forms re-render with them."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class Phase:
    id: int
    key: str
    title: str
    description: str
    position: int
    steps: list[Any] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return bool(self.steps) and all(s.status in CLOSED for s in self.steps)

    @property
    def started(self) -> bool:
        return any(s.status in ("laufend", "erledigt") for s in self.steps)


@dataclass
class Plan:
    id: int
    template_id: str
    template_version: str
    title: str
    start_date: date
    phases: list[Phase]

    @property
    def steps(self) -> list[Any]:
        return [s for p in self.phases for s in p.steps]

    def phase_of(self, step: Any) -> Phase:
        return next(p for p in self.phases if p.id == step.phase_id)


@dataclass(frozen=True)
class Progress:
    """Where the authority stands: the phase it has reached and the share of steps done."""

    phase: Phase | None
    index: int
    total: int
    steps_total: int
    steps_done: int
    completed: bool

    @property
    def share_done(self) -> float:
        counted = self.steps_total
        return round(self.steps_done / counted, 3) if counted else 0.0


def progress(plan: Plan) -> Progress:
    """The reached phase is the furthest one with a step under way or done.

    Before anything has started it is the first phase. Steps that were
    dropped (``entfallen``) count neither as done nor towards the total.
    """
    reached = 0
    for i, phase in enumerate(plan.phases):
        if phase.started:
            reached = i
    counted = [s for s in plan.steps if s.status != "entfallen"]
    done = sum(1 for s in counted if s.status == "erledigt")
    current = plan.phases[reached] if plan.phases else None
    return Progress(
        current,
        reached + 1 if current else 0,
        len(plan.phases),
        len(counted),
        done,
        bool(plan.steps) and all(s.status in CLOSED for s in plan.steps),
    )


def next_milestone(plan: Plan, today: date | None = None) -> Any | None:
    """The next dated step still open, from today on (or overdue ones first)."""
    open_steps = [s for s in plan.steps if s.planned_on and s.status not in CLOSED]
    return min(open_steps, key=lambda s: (s.planned_on, s.position), default=None)


def load(db: Database) -> Plan | None:
    """The authority's plan (there is one at most), phases and steps in order."""
    with db.read() as s:
        row = s.execute(select(plans).order_by(plans.c.id).limit(1)).first()
        if row is None:
            return None
        found = [
            Phase(r.id, r.key, r.title, r.description, r.position)
            for r in s.execute(
                select(phases)
                .where(phases.c.plan_id == row.id)
                .order_by(phases.c.position, phases.c.id)
            )
        ]
        by_id = {p.id: p for p in found}
        for r in s.execute(
            select(steps).where(steps.c.plan_id == row.id).order_by(steps.c.position, steps.c.id)
        ):
            by_id[r.phase_id].steps.append(r)
    return Plan(row.id, row.template_id, row.template_version, row.title, row.start_date, found)


def instantiate(db: Database, template: Template, start: date, *, with_groups: bool = True) -> int:
    """Create the dated plan from ``template``; with its working groups in the action plan.

    Working groups go into the core action plan (one model for the whole
    toolkit). A group of the same name that already exists is kept as it is.
    """
    if load(db) is not None:
        raise Invalid({"start": _("Es gibt bereits einen Prozessplan.")})
    now = _now()
    model = template.model
    with db.write() as s:
        plan_id = inserted_id(
            s.execute(
                insert(plans).values(
                    template_id=template.id,
                    template_version=model.version,
                    title=model.title,
                    start_date=start,
                    created_at=now,
                )
            )
        )
        position = 0
        for p_index, phase in enumerate(model.phases, start=1):
            phase_id = inserted_id(
                s.execute(
                    insert(phases).values(
                        plan_id=plan_id,
                        key=phase.id,
                        title=phase.title,
                        description=phase.description,
                        position=p_index,
                    )
                )
            )
            for step in phase.steps:
                position += 1
                first, last = step_dates(step, start)
                s.execute(
                    insert(steps).values(
                        plan_id=plan_id,
                        phase_id=phase_id,
                        template_step=step.id,
                        title=step.title,
                        description=step.description,
                        planned_on=first,
                        ends_on=last,
                        owner=step.owner,
                        participants=",".join(step.participants),
                        status="geplant",
                        expected_result=step.result,
                        result_notes="",
                        position=position,
                        updated_at=now,
                    )
                )
    if with_groups:
        create_groups(db, template, start)
    return plan_id


def create_groups(db: Database, template: Template, start: date) -> dict[str, int]:
    """The template's working groups, goals and suggested measures in the action plan.

    Returns the core group id per template group id; existing groups (same
    name) are reused untouched, so calling this twice adds nothing.
    """
    existing = {g.name: g.id for g in core_plan.load_plan(db).groups}
    ids: dict[str, int] = {}
    for group in template.model.groups:
        if group.name in existing:
            ids[group.id] = existing[group.name]
            continue
        gid = core_plan.create_group(db, group.name, group.description, list(group.cornerstones))
        ids[group.id] = gid
        for goal in group.goals:
            core_plan.add_goal(db, gid, goal)
        for measure in group.measures:
            due = add_months(start, measure.due_months) if measure.due_months is not None else None
            core_plan.add_measure(
                db,
                core_plan.MeasureInput(
                    title=measure.title,
                    description=measure.description,
                    group_id=str(gid),
                    cornerstone=measure.cornerstone,
                    owner=f"Arbeitsgruppe {group.name}",  # data in the template's language
                    due=due.isoformat() if due else "",
                    status="offen",
                    source=f"prozesse:{template.id}",
                ),
            )
    return ids


def delete_plan(db: Database) -> None:
    """Discard the process plan (steps and phases go with it); the action plan stays."""
    with db.write() as s:
        s.execute(delete(steps))
        s.execute(delete(phases))
        s.execute(delete(plans))


# -- steps ---------------------------------------------------------------------------


@dataclass
class StepInput:
    """A step as the form sends it, before validation."""

    phase_id: str = ""
    title: str = ""
    description: str = ""
    planned_on: str = ""
    ends_on: str = ""
    owner: str = ""
    participants: list[str] = field(default_factory=list)
    status: str = "geplant"
    expected_result: str = ""
    result_notes: str = ""

    @classmethod
    def from_form(cls, form: Any) -> StepInput:
        values: dict[str, Any] = {}
        for name in cls.__dataclass_fields__:
            if name == "participants":
                values[name] = [str(v) for v in form.getlist(name)][:50]
            else:
                value = form.get(name, "")
                values[name] = value.strip() if isinstance(value, str) else ""
        return cls(**values)

    @classmethod
    def from_row(cls, row: Any) -> StepInput:
        return cls(
            phase_id=str(row.phase_id),
            title=row.title,
            description=row.description,
            planned_on=row.planned_on.isoformat() if row.planned_on else "",
            ends_on=row.ends_on.isoformat() if row.ends_on else "",
            owner=row.owner,
            participants=[p for p in row.participants.split(",") if p],
            status=row.status,
            expected_result=row.expected_result,
            result_notes=row.result_notes,
        )

    def validate(self, plan: Plan, known_participants: set[str]) -> dict[str, Any]:
        errors: dict[str, str] = {}
        values: dict[str, Any] = {}
        phase_ids = {str(p.id): p.id for p in plan.phases}
        if self.phase_id not in phase_ids:
            errors["phase_id"] = _("Bitte wählen Sie eine Phase des Plans.")
        values["phase_id"] = phase_ids.get(self.phase_id)
        if not self.title:
            errors["title"] = _("Bitte geben Sie einen Titel an.")
        elif len(self.title) > MAX_TITLE:
            errors["title"] = _("Der Titel darf höchstens %(n)s Zeichen haben.", n=MAX_TITLE)
        values["title"] = self.title
        for name in ("description", "expected_result", "result_notes"):
            if len(getattr(self, name)) > MAX_TEXT:
                errors[name] = _("Höchstens %(n)s Zeichen.", n=MAX_TEXT)
            values[name] = getattr(self, name)
        for name in ("planned_on", "ends_on"):
            values[name] = None
            if getattr(self, name):
                try:
                    values[name] = date.fromisoformat(getattr(self, name))
                except ValueError:
                    errors[name] = _("Bitte ein Datum im Format JJJJ-MM-TT angeben.")
        if values["ends_on"] and "ends_on" not in errors:
            if values["planned_on"] is None and "planned_on" not in errors:
                errors["planned_on"] = _("Ein Enddatum braucht auch ein Datum für den Beginn.")
            elif values["planned_on"] and values["ends_on"] < values["planned_on"]:
                errors["ends_on"] = _("Das Ende darf nicht vor dem Beginn liegen.")
        if len(self.owner) > MAX_SHORT:
            errors["owner"] = _("Höchstens %(n)s Zeichen.", n=MAX_SHORT)
        values["owner"] = self.owner
        unknown = [p for p in self.participants if p not in known_participants]
        if unknown:
            errors["participants"] = _("Unbekannte Beteiligte: %(ids)s", ids=", ".join(unknown))
        values["participants"] = ",".join(dict.fromkeys(self.participants))
        if self.status not in STATUSES:
            errors["status"] = _("Bitte wählen Sie einen der angebotenen Status.")
        values["status"] = self.status
        if errors:
            raise Invalid(errors)
        return values


def _renumber(s: Any, plan: Plan, order: list[int]) -> None:
    """Positions 1..n in ``order`` (step ids across all phases)."""
    for position, step_id in enumerate(order, start=1):
        s.execute(update(steps).where(steps.c.id == step_id).values(position=position))


def _order(plan: Plan) -> list[tuple[int, int]]:
    """(phase id, step id) for every step, phases in order, steps in order."""
    return [(p.id, st.id) for p in plan.phases for st in p.steps]


def add_step(db: Database, plan: Plan, data: StepInput, known: set[str]) -> int:
    values = data.validate(plan, known)
    with db.write() as s:
        step_id = inserted_id(
            s.execute(
                insert(steps).values(
                    **values,
                    plan_id=plan.id,
                    template_step=None,
                    position=0,
                    updated_at=_now(),
                )
            )
        )
        # A new step goes to the end of its phase.
        order = [sid for _pid, sid in _order(plan)]
        _insert_at_end_of_phase(plan, order, step_id, values["phase_id"])
        _renumber(s, plan, order)
    return step_id


def _phase_index(plan: Plan, phase_id: int) -> int:
    return next(i for i, p in enumerate(plan.phases) if p.id == phase_id)


def _insert_at_end_of_phase(plan: Plan, order: list[int], step_id: int, phase_id: int) -> None:
    target = [st.id for st in plan.phases[_phase_index(plan, phase_id)].steps if st.id != step_id]
    anchor = target[-1] if target else _last_before(plan, phase_id, step_id)
    order.insert(order.index(anchor) + 1 if anchor is not None else 0, step_id)


def _last_before(plan: Plan, phase_id: int, exclude: int) -> int | None:
    """The last step (other than ``exclude``) of the phases before ``phase_id``, or None."""
    last = None
    for p in plan.phases:
        if p.id == phase_id:
            return last
        for st in p.steps:
            if st.id != exclude:
                last = st.id
    return last


def update_step(db: Database, plan: Plan, step_id: int, data: StepInput, known: set[str]) -> None:
    values = data.validate(plan, known)
    current = next(st for st in plan.steps if st.id == step_id)
    with db.write() as s:
        s.execute(update(steps).where(steps.c.id == step_id).values(**values, updated_at=_now()))
        if values["phase_id"] != current.phase_id:
            # Moved to another phase: it goes to the end of that phase.
            order = [sid for _pid, sid in _order(plan) if sid != step_id]
            _insert_at_end_of_phase(plan, order, step_id, values["phase_id"])
            _renumber(s, plan, order)


def set_status(db: Database, step_id: int, status: str, result_notes: str | None = None) -> None:
    if status not in STATUSES:
        raise Invalid({"status": _("Bitte wählen Sie einen der angebotenen Status.")})
    values: dict[str, Any] = {"status": status, "updated_at": _now()}
    if result_notes is not None:
        if len(result_notes) > MAX_TEXT:
            raise Invalid({"result_notes": _("Höchstens %(n)s Zeichen.", n=MAX_TEXT)})
        values["result_notes"] = result_notes
    with db.write() as s:
        s.execute(update(steps).where(steps.c.id == step_id).values(**values))


def delete_step(db: Database, step_id: int) -> bool:
    with db.write() as s:
        return affected(s.execute(delete(steps).where(steps.c.id == step_id))) > 0


def move_step(db: Database, plan: Plan, step_id: int, direction: str) -> None:
    """One place up or down; across a phase boundary the step changes phase.

    Up from the top of a phase puts it at the end of the previous phase, down
    from the bottom at the start of the next one, so buttons alone can move a
    step anywhere.
    """
    index = _phase_index(plan, next(st.phase_id for st in plan.steps if st.id == step_id))
    phase = plan.phases[index]
    ids = [st.id for st in phase.steps]
    i = ids.index(step_id)
    order = [sid for _pid, sid in _order(plan)]
    new_phase = phase.id
    if direction == "up":
        if i > 0:
            j = order.index(step_id)
            order[j - 1], order[j] = order[j], order[j - 1]
        elif index > 0:
            new_phase = plan.phases[index - 1].id  # stays in place in the overall order
        else:
            return
    elif direction == "down":
        if i < len(ids) - 1:
            j = order.index(step_id)
            order[j + 1], order[j] = order[j], order[j + 1]
        elif index < len(plan.phases) - 1:
            new_phase = plan.phases[index + 1].id
        else:
            return
    else:
        raise ValueError(direction)
    with db.write() as s:
        if new_phase != phase.id:
            s.execute(
                update(steps)
                .where(steps.c.id == step_id)
                .values(phase_id=new_phase, updated_at=_now())
            )
        _renumber(s, plan, order)


def count_plans(db: Database) -> int:
    with db.read() as s:
        return s.execute(select(func.count()).select_from(plans)).scalar_one()
