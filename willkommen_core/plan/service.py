"""Reading and changing the action plan; validation with field-specific messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update

from ..domain import CORNERSTONE_IDS
from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from ..storage.db import Database, affected, inserted_id
from ..storage.tables import plan_goals, plan_groups, plan_measures, plan_results

STATUSES: dict[str, Any] = {
    "offen": _l("offen"),
    "in_arbeit": _l("in Arbeit"),
    "erledigt": _l("erledigt"),
    "verworfen": _l("verworfen"),
}
MAX_TITLE = 300
MAX_TEXT = 5000
MAX_SHORT = 200


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Invalid(Exception):
    """Form input with a message per field; the form re-renders with them."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class MeasureInput:
    """A measure as a form or an API sends it, before validation."""

    title: str = ""
    description: str = ""
    group_id: str = ""
    cornerstone: str = ""
    owner: str = ""
    due: str = ""
    status: str = "offen"
    source: str = ""

    @classmethod
    def from_form(cls, form: Any) -> MeasureInput:
        return cls(**{k: str(form.get(k, "") or "").strip() for k in cls.__dataclass_fields__})

    def validate(self, db: Database) -> dict[str, Any]:
        errors: dict[str, str] = {}
        values: dict[str, Any] = {}
        if not self.title:
            errors["title"] = _("Bitte geben Sie einen Titel an.")
        elif len(self.title) > MAX_TITLE:
            errors["title"] = _("Der Titel darf höchstens %(n)s Zeichen haben.", n=MAX_TITLE)
        values["title"] = self.title
        if len(self.description) > MAX_TEXT:
            errors["description"] = _(
                "Die Beschreibung darf höchstens %(n)s Zeichen haben.", n=MAX_TEXT
            )
        values["description"] = self.description
        values["group_id"] = None
        if self.group_id:
            gid = int(self.group_id) if self.group_id.isdecimal() else None
            if gid is None or not _group_exists(db, gid):
                errors["group_id"] = _("Diese Arbeitsgruppe gibt es nicht.")
            values["group_id"] = gid
        if self.cornerstone and self.cornerstone not in CORNERSTONE_IDS:
            errors["cornerstone"] = _("Unbekannter Eckpunkt.")
        values["cornerstone"] = self.cornerstone or None
        if len(self.owner) > MAX_SHORT:
            errors["owner"] = _("Höchstens %(n)s Zeichen.", n=MAX_SHORT)
        values["owner"] = self.owner
        values["due"] = None
        if self.due:
            try:
                values["due"] = date.fromisoformat(self.due)
            except ValueError:
                errors["due"] = _("Bitte ein Datum im Format JJJJ-MM-TT angeben.")
        if self.status not in STATUSES:
            errors["status"] = _("Unbekannter Status.")
        values["status"] = self.status
        values["source"] = self.source[:MAX_SHORT]
        if errors:
            raise Invalid(errors)
        return values


def _group_exists(db: Database, group_id: int) -> bool:
    with db.read() as s:
        return (
            s.execute(select(plan_groups.c.id).where(plan_groups.c.id == group_id)).first()
            is not None
        )


@dataclass
class Group:
    id: int
    name: str
    description: str
    cornerstones: list[str]
    goals: list[Any] = field(default_factory=list)
    measures: list[Any] = field(default_factory=list)
    results: list[Any] = field(default_factory=list)


@dataclass
class Plan:
    groups: list[Group]
    ungrouped: list[Any]

    @property
    def measures(self) -> list[Any]:
        return [m for g in self.groups for m in g.measures] + self.ungrouped


def load_plan(db: Database) -> Plan:
    with db.read() as s:
        groups = {
            r.id: Group(r.id, r.name, r.description, [c for c in r.cornerstones.split(",") if c])
            for r in s.execute(
                select(plan_groups).order_by(plan_groups.c.position, plan_groups.c.id)
            )
        }
        for r in s.execute(select(plan_goals).order_by(plan_goals.c.position, plan_goals.c.id)):
            groups[r.group_id].goals.append(r)
        ungrouped: list[Any] = []
        order = (plan_measures.c.due.is_(None), plan_measures.c.due, plan_measures.c.id)
        for r in s.execute(select(plan_measures).order_by(*order)):
            (groups[r.group_id].measures if r.group_id in groups else ungrouped).append(r)
        for r in s.execute(
            select(plan_results).order_by(plan_results.c.recorded_on, plan_results.c.id)
        ):
            groups[r.group_id].results.append(r)
    return Plan(list(groups.values()), ungrouped)


def get_measure(db: Database, measure_id: int) -> Any | None:
    with db.read() as s:
        return s.execute(select(plan_measures).where(plan_measures.c.id == measure_id)).first()


def get_group(db: Database, group_id: int) -> Any | None:
    with db.read() as s:
        return s.execute(select(plan_groups).where(plan_groups.c.id == group_id)).first()


def add_measure(db: Database, data: MeasureInput) -> int:
    values = data.validate(db)
    now = _now()
    with db.write() as s:
        return inserted_id(
            s.execute(insert(plan_measures).values(**values, created_at=now, updated_at=now))
        )


def update_measure(db: Database, measure_id: int, data: MeasureInput) -> None:
    values = data.validate(db)
    values.pop("source")  # where a measure came from does not change
    with db.write() as s:
        s.execute(
            update(plan_measures)
            .where(plan_measures.c.id == measure_id)
            .values(**values, updated_at=_now())
        )


def delete_row(db: Database, table: Any, row_id: int) -> bool:
    with db.write() as s:
        return affected(s.execute(delete(table).where(table.c.id == row_id))) > 0


def _group_values(name: str, description: str, cornerstones: list[str]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Bitte geben Sie einen Namen an.")
    elif len(name) > MAX_SHORT:
        errors["name"] = _("Höchstens %(n)s Zeichen.", n=MAX_SHORT)
    if len(description) > MAX_TEXT:
        errors["description"] = _(
            "Die Beschreibung darf höchstens %(n)s Zeichen haben.", n=MAX_TEXT
        )
    unknown = [c for c in cornerstones if c not in CORNERSTONE_IDS]
    if unknown:
        errors["cornerstones"] = _("Unbekannter Eckpunkt.")
    if errors:
        raise Invalid(errors)
    return {"name": name, "description": description, "cornerstones": ",".join(cornerstones)}


def create_group(
    db: Database, name: str, description: str = "", cornerstones: list[str] | None = None
) -> int:
    values = _group_values(name.strip(), description.strip(), cornerstones or [])
    with db.write() as s:
        position = (
            s.execute(select(func.coalesce(func.max(plan_groups.c.position), 0))).scalar_one() + 1
        )
        return inserted_id(
            s.execute(insert(plan_groups).values(**values, position=position, created_at=_now()))
        )


def update_group(
    db: Database, group_id: int, name: str, description: str, cornerstones: list[str]
) -> None:
    values = _group_values(name.strip(), description.strip(), cornerstones)
    with db.write() as s:
        s.execute(update(plan_groups).where(plan_groups.c.id == group_id).values(**values))


def _text(value: str, field_name: str) -> str:
    value = value.strip()
    if not value:
        raise Invalid({field_name: _("Bitte geben Sie einen Text ein.")})
    if len(value) > MAX_TEXT:
        raise Invalid({field_name: _("Höchstens %(n)s Zeichen.", n=MAX_TEXT)})
    return value


def add_goal(db: Database, group_id: int, text: str) -> int:
    value = _text(text, "goal")
    with db.write() as s:
        position = s.execute(
            select(func.coalesce(func.max(plan_goals.c.position), 0)).where(
                plan_goals.c.group_id == group_id
            )
        ).scalar_one()
        return inserted_id(
            s.execute(
                insert(plan_goals).values(group_id=group_id, text=value, position=position + 1)
            )
        )


def add_result(db: Database, group_id: int, text: str, recorded_on: date | None = None) -> int:
    value = _text(text, "result")
    with db.write() as s:
        return inserted_id(
            s.execute(
                insert(plan_results).values(
                    group_id=group_id, text=value, recorded_on=recorded_on or date.today()
                )
            )
        )


def get_entry(db: Database, kind: str, entry_id: int) -> Any | None:
    """A goal (``kind`` "goals") or a first result ("results"), or ``None``."""
    table = plan_goals if kind == "goals" else plan_results
    with db.read() as s:
        return s.execute(select(table).where(table.c.id == entry_id)).first()


def update_goal(db: Database, goal_id: int, text: str) -> None:
    value = _text(text, "text")
    with db.write() as s:
        s.execute(update(plan_goals).where(plan_goals.c.id == goal_id).values(text=value))


def update_result(db: Database, result_id: int, text: str, recorded_on: str) -> None:
    """Change a first result's text and the day it was recorded (``JJJJ-MM-TT``)."""
    errors: dict[str, str] = {}
    try:
        value = _text(text, "text")
    except Invalid as exc:
        errors.update(exc.errors)
    day: date | None = None
    try:
        day = date.fromisoformat(recorded_on.strip())
    except ValueError:
        errors["recorded_on"] = _("Bitte ein Datum im Format JJJJ-MM-TT angeben.")
    if errors:
        raise Invalid(errors)
    with db.write() as s:
        s.execute(
            update(plan_results)
            .where(plan_results.c.id == result_id)
            .values(text=value, recorded_on=day)
        )
