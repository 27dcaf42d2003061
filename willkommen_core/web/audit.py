"""The audit log on the web: recording from a request, the admin's list, and
the same entries as JSON lines (download and ``GET /api/v1/audit``) for the
IT department's log system."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ..audit import Actor, Entry, Scalar, json_lines
from ..i18n import gettext as _
from .api import ApiError, ApiRoute
from .forms import parse_date
from .routing import Page
from .templating import render

AUDIT_PAGE = "/-/admin/audit"
PAGE_SIZE = 100
MAX_EXPORT = 100_000


def record(request: Request, event: str, target: str = "", **details: Scalar) -> None:
    """Record ``event`` as done by the request's user (blocking: call it from a
    thread-pool handler or through ``run_in_threadpool``)."""
    request.app.state.instance.audit.record(event, Actor.of(request.state.user), target, **details)


async def arecord(
    request: Request, event: str, target: str = "", *, actor: Actor | None = None, **details: Scalar
) -> None:
    """:func:`record` from an async handler (in the thread pool); ``actor``
    defaults to the request's user."""
    audit = request.app.state.instance.audit
    who = actor if actor is not None else Actor.of(request.state.user)
    await run_in_threadpool(audit.record, event, who, target, **details)


def _filters(request: Request) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    q = request.query_params
    values = {k: q.get(k, "").strip() for k in ("since", "until", "event", "actor")}
    errors: dict[str, str] = {}
    filters: dict[str, Any] = {
        "since": parse_date(values["since"], "since", errors),
        "until": parse_date(values["until"], "until", errors),
        "actor": values["actor"] or None,
        "event": None,
    }
    if values["event"]:
        if request.app.state.instance.audit.knows(values["event"]):
            filters["event"] = values["event"]
        else:
            errors["event"] = _("Dieses Ereignis gibt es nicht.")
    return filters, values, errors


def audit_page(request: Request) -> Response:
    filters, values, errors = _filters(request)
    try:
        page = max(1, int(request.query_params.get("seite", "1")))
    except ValueError:
        page = 1
    entries: list[Entry] = []
    if not errors:
        entries = request.app.state.instance.audit.entries(
            **filters, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE
        )
    query = urlencode({k: v for k, v in values.items() if v})
    response = render(
        request,
        "admin_audit.html",
        {
            "entries": entries[:PAGE_SIZE],
            "more": len(entries) > PAGE_SIZE,
            "page": page,
            "query": query,
            "values": values,
            "errors": errors,
            "events": [("", _("alle"))]
            + [(k, str(v)) for k, v in request.app.state.instance.audit.events.items()],
            "retention": request.app.state.instance.settings.audit.retention_days,
        },
        400 if errors else 200,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _export(request: Request, filters: dict[str, Any]) -> str:
    audit = request.app.state.instance.audit
    entries = audit.entries(**filters, limit=MAX_EXPORT, newest_first=False)
    record(request, "audit.exported", count=len(entries))
    return json_lines(entries)


def audit_download(request: Request) -> Response:
    filters, _values, errors = _filters(request)
    if errors:
        return audit_page(request)
    return Response(
        _export(request, filters),
        media_type="application/x-ndjson; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="audit.jsonl"',
            "Cache-Control": "no-store",
        },
    )


class AuditEntry(BaseModel):
    id: int
    at: str
    event: str
    actor: dict[str, str]
    target: str
    details: dict[str, Any]


class AuditEntries(BaseModel):
    entries: list[AuditEntry]


def audit_api(request: Request) -> Any:
    """Entries oldest first; ``after`` = the last id already fetched, for polling."""
    q = request.query_params
    filters: dict[str, Any] = {}
    try:
        if q.get("since"):
            filters["since"] = date.fromisoformat(q["since"])
        if q.get("after"):
            filters["after_id"] = int(q["after"])
        limit = min(int(q.get("limit", "1000")), MAX_EXPORT)
    except ValueError as exc:
        raise ApiError(400, f"invalid query parameter: {exc}") from exc
    if limit < 1:
        raise ApiError(400, "limit must be at least 1")
    if q.get("event"):
        filters["event"] = q["event"]
    entries = request.app.state.instance.audit.entries(**filters, limit=limit, newest_first=False)
    record(request, "audit.exported", count=len(entries))
    return AuditEntries(entries=[AuditEntry(**e.as_json()) for e in entries])


def routes() -> list[Any]:
    return [
        Page(AUDIT_PAGE, audit_page, roles=("admin",), name="admin-audit"),
        Page(f"{AUDIT_PAGE}.jsonl", audit_download, roles=("admin",), name="admin-audit-jsonl"),
        ApiRoute(
            "/api/v1/audit",
            audit_api,
            roles=("admin",),
            summary="The audit log as entries, oldest first (admin).",
            response_model=AuditEntries,
            query={
                "since": "first day (YYYY-MM-DD)",
                "after": "only entries with a larger id (polling)",
                "event": "an event or its prefix, e.g. login",
                "limit": "at most this many (default 1000)",
            },
            name="api-audit",
        ),
    ]
