"""Pages of the action plan under ``/plan/``: leadership edits, editors read."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..domain import CORNERSTONES
from ..i18n import gettext as _
from ..storage.tables import plan_goals, plan_groups, plan_measures, plan_results
from ..web.routing import MAX_FORM_FIELDS, Page
from ..web.templating import render
from . import service
from .service import Invalid, MeasureInput

READ = ("leitung", "redaktion")
EDIT = ("leitung",)


def _db(request: Request) -> Any:
    return request.app.state.instance.db


def _id(request: Request, name: str = "id") -> int:
    return int(request.path_params[name])


def _choices() -> dict[str, Any]:
    return {
        "statuses": list(service.STATUSES.items()),
        "cornerstones": [(c.id, c.title) for c in CORNERSTONES],
    }


def index(request: Request) -> Response:
    plan = service.load_plan(_db(request))
    titles = {c.id: c.title for c in CORNERSTONES}
    return render(request, "plan/index.html", {"plan": plan, "titles": titles, **_choices()})


def export(request: Request) -> Response:
    return Response(
        service.export_csv(_db(request)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="massnahmenplan.csv"'},
    )


def _measure_form(
    request: Request, data: MeasureInput, errors: dict[str, str], measure_id: int | None
) -> Response:
    plan = service.load_plan(_db(request))
    groups = [(str(g.id), g.name) for g in plan.groups]
    status = 400 if errors else 200
    context = {
        "data": data,
        "errors": errors,
        "measure_id": measure_id,
        "groups": groups,
        **_choices(),
    }
    return render(request, "plan/measure_form.html", context, status)


async def new_measure(request: Request) -> Response:
    if request.method == "GET":
        return _measure_form(
            request, MeasureInput(group_id=request.query_params.get("group", "")), {}, None
        )
    data = MeasureInput.from_form(await request.form(max_fields=MAX_FORM_FIELDS))
    try:
        service.add_measure(_db(request), data)
    except Invalid as exc:
        return _measure_form(request, data, exc.errors, None)
    return RedirectResponse("/plan/", status_code=303)


async def edit_measure(request: Request) -> Response:
    db = _db(request)
    row = service.get_measure(db, _id(request))
    if row is None:
        return render(
            request,
            "error.html",
            {"status": 404, "message": _("Diese Maßnahme gibt es nicht.")},
            404,
        )
    if request.method == "GET":
        data = MeasureInput(
            title=row.title,
            description=row.description,
            group_id=str(row.group_id or ""),
            cornerstone=row.cornerstone or "",
            owner=row.owner,
            due=row.due.isoformat() if row.due else "",
            status=row.status,
            source=row.source,
        )
        return _measure_form(request, data, {}, row.id)
    data = MeasureInput.from_form(await request.form(max_fields=MAX_FORM_FIELDS))
    try:
        service.update_measure(db, row.id, data)
    except Invalid as exc:
        return _measure_form(request, data, exc.errors, row.id)
    return RedirectResponse("/plan/", status_code=303)


async def from_recommendation(request: Request) -> Response:
    """One action turns a recommendation (from any module) into a measure."""
    form = await request.form(max_fields=MAX_FORM_FIELDS)
    data = MeasureInput(
        title=str(form.get("title", "")).strip(),
        description=str(form.get("reason", "")).strip(),
        cornerstone=str(form.get("cornerstone", "")).strip(),
        source=str(form.get("source", "")).strip(),
    )
    try:
        measure_id = service.add_measure(_db(request), data)
    except Invalid as exc:
        return _measure_form(request, data, exc.errors, None)
    return RedirectResponse(f"/plan/?neu={measure_id}#measure-{measure_id}", status_code=303)


def _group_form(
    request: Request, values: dict[str, Any], errors: dict[str, str], group_id: int | None
) -> Response:
    context = {"values": values, "errors": errors, "group_id": group_id, **_choices()}
    return render(request, "plan/group_form.html", context, 400 if errors else 200)


async def new_group(request: Request) -> Response:
    if request.method == "GET":
        return _group_form(request, {"name": "", "description": "", "cornerstones": []}, {}, None)
    form = await request.form(max_fields=MAX_FORM_FIELDS)
    values = {
        "name": str(form.get("name", "")),
        "description": str(form.get("description", "")),
        "cornerstones": [str(c) for c in form.getlist("cornerstones")],
    }
    try:
        service.create_group(
            _db(request), values["name"], values["description"], values["cornerstones"]
        )
    except Invalid as exc:
        return _group_form(request, values, exc.errors, None)
    return RedirectResponse("/plan/", status_code=303)


async def edit_group(request: Request) -> Response:
    db = _db(request)
    row = service.get_group(db, _id(request))
    if row is None:
        return render(
            request,
            "error.html",
            {"status": 404, "message": _("Diese Arbeitsgruppe gibt es nicht.")},
            404,
        )
    if request.method == "GET":
        values = {
            "name": row.name,
            "description": row.description,
            "cornerstones": row.cornerstones.split(","),
        }
        return _group_form(request, values, {}, row.id)
    form = await request.form(max_fields=MAX_FORM_FIELDS)
    values = {
        "name": str(form.get("name", "")),
        "description": str(form.get("description", "")),
        "cornerstones": [str(c) for c in form.getlist("cornerstones")],
    }
    try:
        service.update_group(
            db, row.id, values["name"], values["description"], values["cornerstones"]
        )
    except Invalid as exc:
        return _group_form(request, values, exc.errors, row.id)
    return RedirectResponse("/plan/", status_code=303)


async def add_entry(request: Request) -> Response:
    """Adds a goal or a first result to a working group (the form names which)."""
    db = _db(request)
    group = service.get_group(db, _id(request))
    kind = request.path_params["kind"]
    if group is None or kind not in ("goals", "results"):
        return render(
            request,
            "error.html",
            {"status": 404, "message": _("Diese Arbeitsgruppe gibt es nicht.")},
            404,
        )
    form = await request.form(max_fields=MAX_FORM_FIELDS)
    text = str(form.get("text", ""))
    try:
        if kind == "goals":
            service.add_goal(db, group.id, text)
        else:
            service.add_result(db, group.id, text)
    except Invalid as exc:
        plan = service.load_plan(db)
        titles = {c.id: c.title for c in CORNERSTONES}
        context = {
            "plan": plan,
            "titles": titles,
            "entry_error": (group.id, kind, next(iter(exc.errors.values()))),
            "entry_text": text,
            **_choices(),
        }
        return render(request, "plan/index.html", context, 400)
    return RedirectResponse(f"/plan/#group-{group.id}", status_code=303)


_DELETABLE = {
    "measures": plan_measures,
    "groups": plan_groups,
    "goals": plan_goals,
    "results": plan_results,
}


def delete(request: Request) -> Response:
    table = _DELETABLE.get(request.path_params["kind"])
    if table is None or not service.delete_row(_db(request), table, _id(request)):
        return render(
            request,
            "error.html",
            {"status": 404, "message": _("Diesen Eintrag gibt es nicht.")},
            404,
        )
    return RedirectResponse("/plan/", status_code=303)


def routes() -> list[Page]:
    both = ("GET", "POST")
    return [
        Page("/", index, roles=READ, name="plan"),
        Page("/export.csv", export, roles=READ, name="plan-export"),
        Page("/measures/new", new_measure, methods=both, roles=EDIT, name="plan-measure-new"),
        Page(
            "/measures/{id:int}", edit_measure, methods=both, roles=EDIT, name="plan-measure-edit"
        ),
        Page(
            "/measures/from-recommendation",
            from_recommendation,
            methods=("POST",),
            roles=EDIT,
            name="plan-from-recommendation",
        ),
        Page("/groups/new", new_group, methods=both, roles=EDIT, name="plan-group-new"),
        Page("/groups/{id:int}", edit_group, methods=both, roles=EDIT, name="plan-group-edit"),
        # Before the goals/results route, which would take "delete" for its kind.
        Page(
            "/{kind:str}/{id:int}/delete", delete, methods=("POST",), roles=EDIT, name="plan-delete"
        ),
        Page(
            "/groups/{id:int}/{kind:str}",
            add_entry,
            methods=("POST",),
            roles=EDIT,
            name="plan-entry-add",
        ),
    ]
