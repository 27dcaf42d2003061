"""JSON API of the training module, mounted at ``/api/v1/fortbildung/``: catalogue and plan."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BaseModel
from starlette.requests import Request

from willkommen_core.web.api import ApiError

from . import STAFF_ROLES, module, store
from .model import CATEGORIES

STAFF = STAFF_ROLES

# Sessions are stored as the authority's wall-clock time (as in the iCalendar export);
# sent with their offset, as OpenAPI's "date-time" (RFC 3339) requires.
BERLIN = ZoneInfo("Europe/Berlin")
LocalDatetime = Annotated[
    datetime, AfterValidator(lambda v: v if v.tzinfo else v.replace(tzinfo=BERLIN))
]


class PartnerLinkOut(BaseModel):
    id: int
    name: str


class EntryOut(BaseModel):
    """A catalogue entry."""

    id: int
    key: str
    title: str
    category: str
    format: str
    duration_hours: float
    provider: str
    partner: PartnerLinkOut | None
    """The partner-list entry of the provider (only when the partner list is enabled)."""
    languages: list[str]
    target_groups: list[str]
    """Work-area ids; empty: all staff."""
    cornerstones: list[str]
    description: str
    active: bool


class CatalogueOut(BaseModel):
    count: int
    entries: list[EntryOut]


class SessionOut(BaseModel):
    """A dated session of the annual plan; registrations only as counts."""

    id: int
    entry_id: int
    title: str
    category: str
    format: str
    starts_at: LocalDatetime
    ends_at: LocalDatetime
    location: str
    capacity: int | None
    registered: int
    free: int | None


class MonthOut(BaseModel):
    month: int
    internal_sessions: int
    status: str
    """reached | missed | open (month not over yet)."""


class TargetsOut(BaseModel):
    internal_per_month: int
    internal_reached: bool
    months: list[MonthOut]
    professional_per_staff: int
    professional_reached: bool
    staff_total: int
    staff_reached: int


class PlanOut(BaseModel):
    year: int
    count: int
    sessions: list[SessionOut]
    targets: TargetsOut


def _entry(e: Any, partner: store.PartnerRef | None) -> EntryOut:
    return EntryOut(
        id=e.id,
        key=e.key,
        title=e.title,
        category=e.category,
        format=e.format,
        duration_hours=e.duration_hours,
        provider=e.provider,
        partner=PartnerLinkOut(id=partner.id, name=partner.name) if partner else None,
        languages=e.languages,
        target_groups=e.target_groups,
        cornerstones=e.cornerstones,
        description=e.description,
        active=e.active,
    )


def _session(s: store.Session) -> SessionOut:
    return SessionOut(
        id=s.id,
        entry_id=s.entry_id,
        title=s.display_title,
        category=s.category,
        format=s.format,
        starts_at=s.starts_at,
        ends_at=s.ends_at,
        location=s.location,
        capacity=s.capacity,
        registered=s.registered,
        free=s.free,
    )


def _instance(request: Request) -> Any:
    return request.app.state.instance


@module.api.endpoint(
    "/catalogue",
    roles=STAFF,
    summary="The training catalogue",
    response_model=CatalogueOut,
    query={
        "category": "fachlich | fachuebergreifend | teambildung",
        "active": "true | false",
    },
    name="fortbildung_catalogue",
)
def catalogue(request: Request) -> CatalogueOut:
    instance = _instance(request)
    category = request.query_params.get("category", "")
    if category and category not in CATEGORIES:
        raise ApiError(400, f"unknown category {category!r} (known: {', '.join(CATEGORIES)})")
    active = request.query_params.get("active", "")
    if active not in ("", "true", "false"):
        raise ApiError(400, "active must be true or false")
    found = store.list_entries(instance.db, category=category)
    if active:
        found = [e for e in found if e.active == (active == "true")]
    index = store.partner_index(instance)
    return CatalogueOut(
        count=len(found), entries=[_entry(e, store.partner_for(e, index)) for e in found]
    )


@module.api.endpoint(
    "/catalogue/{entry_id:int}",
    roles=STAFF,
    summary="One catalogue entry",
    response_model=EntryOut,
    name="fortbildung_entry",
)
def entry(request: Request) -> EntryOut:
    instance = _instance(request)
    found = store.get_entry(instance.db, request.path_params["entry_id"])
    if found is None:
        raise ApiError(404, "no such catalogue entry")
    return _entry(found, store.partner_for(found, store.partner_index(instance)))


@module.api.endpoint(
    "/plan",
    roles=STAFF,
    summary="The annual plan: sessions (registrations as counts only) and targets",
    response_model=PlanOut,
    query={"year": "calendar year, default: the current one"},
    name="fortbildung_plan",
)
def plan(request: Request) -> PlanOut:
    instance = _instance(request)
    raw = request.query_params.get("year", "")
    if raw and not (raw.isdecimal() and 2000 <= int(raw) <= 2100):
        raise ApiError(400, "year must be a number between 2000 and 2100")
    year = int(raw) if raw else date.today().year
    found = store.list_sessions(instance.db, year=year)
    t = store.targets(instance.db, year, module.settings(instance))
    return PlanOut(
        year=year,
        count=len(found),
        sessions=[_session(s) for s in found],
        targets=TargetsOut(
            internal_per_month=t.internal_target,
            internal_reached=t.internal_reached,
            months=[
                MonthOut(month=m.month, internal_sessions=m.internal, status=m.status)
                for m in t.months
            ],
            professional_per_staff=t.professional_target,
            professional_reached=t.professional_reached,
            staff_total=t.staff_total,
            staff_reached=t.staff_reached,
        ),
    )
