"""Pages of the action plan under ``/plan/``: leadership edits, editors read."""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.responses import Response

from ..domain import CORNERSTONES
from ..exports import XLSX_MEDIA_TYPE
from ..i18n import gettext as _
from ..i18n import in_language
from ..sdk import PageRequest
from ..storage.tables import plan_goals, plan_groups, plan_measures, plan_results
from . import EDIT, READ, exports, module, service
from .service import Invalid, MeasureInput

page = module.pages.page
BOTH = ("GET", "POST")


def _choices() -> dict[str, Any]:
    return {
        "statuses": list(service.STATUSES.items()),
        "cornerstones": [(c.id, c.title) for c in CORNERSTONES],
    }


def _titles() -> dict[str, Any]:
    return {c.id: c.title for c in CORNERSTONES}


@page("/", roles=READ, name="plan")
def index(p: PageRequest) -> Response:
    plan = service.load_plan(p.db)
    return p.render("plan/index.html", {"plan": plan, "titles": _titles(), **_choices()})


@page("/export.csv", roles=READ, name="plan-export")
def export(p: PageRequest) -> Response:
    """The plan as CSV: the measure rows as always, then groups, goals and first results."""
    body = exports.export_csv(service.load_plan(p.db))
    p.audit("plan.exported", "plan", format="csv")
    return p.download(body, "massnahmenplan.csv", "text/csv; charset=utf-8")


@page("/export.xlsx", roles=READ, name="plan-export-xlsx")
def export_xlsx(p: PageRequest) -> Response:
    body = exports.export_xlsx(service.load_plan(p.db), p.instance.settings.authority.name)
    p.audit("plan.exported", "plan", format="xlsx")
    return p.download(body, "massnahmenplan.xlsx", XLSX_MEDIA_TYPE)


@page("/druck", roles=READ, name="plan-print")
def print_view(p: PageRequest) -> Response:
    """The plan as the seed shows it (goals, measures and first results side by side
    per working group), laid out for paper."""
    p.audit("plan.exported", "plan", format="print")
    context = {
        "plan": service.load_plan(p.db),
        "titles": _titles(),
        "today": date.today(),
        **_choices(),
    }
    return p.render("plan/print.html", context)


def _measure_form(
    p: PageRequest, data: MeasureInput, errors: dict[str, str], measure_id: int | None
) -> Response:
    plan = service.load_plan(p.db)
    context = {
        "data": data,
        "errors": errors,
        "measure_id": measure_id,
        # Names are the staff's German data: marked so on an English page.
        "groups": [(str(g.id), in_language(g.name, "de")) for g in plan.groups],
        **_choices(),
    }
    return p.render("plan/measure_form.html", context, 400 if errors else 200)


@page("/measures/new", methods=BOTH, roles=EDIT, name="plan-measure-new")
def new_measure(p: PageRequest) -> Response:
    if p.method == "GET":
        return _measure_form(p, MeasureInput(group_id=p.query("group")), {}, None)
    data = MeasureInput.from_form(p.form)
    try:
        service.add_measure(p.db, data)
    except Invalid as exc:
        return _measure_form(p, data, exc.errors, None)
    return p.redirect("plan")


@page("/measures/{id:int}", methods=BOTH, roles=EDIT, name="plan-measure-edit")
def edit_measure(p: PageRequest) -> Response:
    row = service.get_measure(p.db, p.param("id"))
    if row is None:
        p.not_found(_("Diese Maßnahme gibt es nicht."))
    if p.method == "GET":
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
        return _measure_form(p, data, {}, row.id)
    data = MeasureInput.from_form(p.form)
    try:
        service.update_measure(p.db, row.id, data)
    except Invalid as exc:
        return _measure_form(p, data, exc.errors, row.id)
    return p.redirect("plan")


@page(
    "/measures/from-recommendation", methods=("POST",), roles=EDIT, name="plan-from-recommendation"
)
def from_recommendation(p: PageRequest) -> Response:
    """One action turns a recommendation (from any module) into a measure."""
    data = MeasureInput(
        title=p.value("title"),
        description=p.value("reason"),
        cornerstone=p.value("cornerstone"),
        source=p.value("source"),
    )
    try:
        measure_id = service.add_measure(p.db, data)
    except Invalid as exc:
        return _measure_form(p, data, exc.errors, None)
    return p.redirect(p.url("plan") + f"?neu={measure_id}", fragment=f"measure-{measure_id}")


def _group_form(
    p: PageRequest, values: dict[str, Any], errors: dict[str, str], group_id: int | None
) -> Response:
    context = {"values": values, "errors": errors, "group_id": group_id, **_choices()}
    return p.render("plan/group_form.html", context, 400 if errors else 200)


def _text(p: PageRequest, name: str) -> str:
    raw = p.form.get(name, "")
    return raw if isinstance(raw, str) else ""


def _group_values(p: PageRequest) -> dict[str, Any]:
    return {
        "name": _text(p, "name"),
        "description": _text(p, "description"),
        "cornerstones": p.values("cornerstones"),
    }


@page("/groups/new", methods=BOTH, roles=EDIT, name="plan-group-new")
def new_group(p: PageRequest) -> Response:
    if p.method == "GET":
        return _group_form(p, {"name": "", "description": "", "cornerstones": []}, {}, None)
    values = _group_values(p)
    try:
        service.create_group(p.db, values["name"], values["description"], values["cornerstones"])
    except Invalid as exc:
        return _group_form(p, values, exc.errors, None)
    return p.redirect("plan")


@page("/groups/{id:int}", methods=BOTH, roles=EDIT, name="plan-group-edit")
def edit_group(p: PageRequest) -> Response:
    row = service.get_group(p.db, p.param("id"))
    if row is None:
        p.not_found(_("Diese Arbeitsgruppe gibt es nicht."))
    if p.method == "GET":
        values = {
            "name": row.name,
            "description": row.description,
            "cornerstones": row.cornerstones.split(","),
        }
        return _group_form(p, values, {}, row.id)
    values = _group_values(p)
    try:
        service.update_group(
            p.db, row.id, values["name"], values["description"], values["cornerstones"]
        )
    except Invalid as exc:
        return _group_form(p, values, exc.errors, row.id)
    return p.redirect("plan")


def _entry_form(
    p: PageRequest, kind: str, entry_id: int, values: dict[str, str], errors: dict[str, str]
) -> Response:
    context = {"kind": kind, "entry_id": entry_id, "values": values, "errors": errors}
    return p.render("plan/entry_form.html", context, 400 if errors else 200)


@page("/{kind:str}/{id:int}", methods=BOTH, roles=EDIT, name="plan-entry-edit")
def edit_entry(p: PageRequest) -> Response:
    """Changes a goal's text, or a first result's text and date."""
    kind = p.param("kind")
    row = service.get_entry(p.db, kind, p.param("id")) if kind in ("goals", "results") else None
    if row is None:
        p.not_found(_("Diesen Eintrag gibt es nicht."))
    if p.method == "GET":
        values = {"text": row.text}
        if kind == "results":
            values["recorded_on"] = row.recorded_on.isoformat()
        return _entry_form(p, kind, row.id, values, {})
    values = {"text": _text(p, "text"), "recorded_on": _text(p, "recorded_on")}
    try:
        if kind == "goals":
            service.update_goal(p.db, row.id, values["text"])
        else:
            service.update_result(p.db, row.id, values["text"], values["recorded_on"])
    except Invalid as exc:
        return _entry_form(p, kind, row.id, values, exc.errors)
    return p.redirect("plan", fragment=f"group-{row.group_id}")


_DELETABLE = {
    "measures": plan_measures,
    "groups": plan_groups,
    "goals": plan_goals,
    "results": plan_results,
}


# Before the goals/results route, which would take "delete" for its kind.
@page("/{kind:str}/{id:int}/delete", methods=("POST",), roles=EDIT, name="plan-delete")
def delete(p: PageRequest) -> Response:
    table = _DELETABLE.get(p.param("kind"))
    if table is None or not service.delete_row(p.db, table, p.param("id")):
        p.not_found(_("Diesen Eintrag gibt es nicht."))
    return p.redirect("plan")


@page("/groups/{id:int}/{kind:str}", methods=("POST",), roles=EDIT, name="plan-entry-add")
def add_entry(p: PageRequest) -> Response:
    """Adds a goal or a first result to a working group (the form names which)."""
    group = service.get_group(p.db, p.param("id"))
    kind = p.param("kind")
    if group is None or kind not in ("goals", "results"):
        p.not_found(_("Diese Arbeitsgruppe gibt es nicht."))
    text = _text(p, "text")
    try:
        if kind == "goals":
            service.add_goal(p.db, group.id, text)
        else:
            service.add_result(p.db, group.id, text)
    except Invalid as exc:
        context = {
            "plan": service.load_plan(p.db),
            "titles": _titles(),
            "entry_error": (group.id, kind, next(iter(exc.errors.values()))),
            "entry_text": text,
            **_choices(),
        }
        return p.render("plan/index.html", context, 400)
    return p.redirect("plan", fragment=f"group-{group.id}")
