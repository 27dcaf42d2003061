"""Pages under ``/prozesse/``: leadership plans and adapts the process, editors read it."""

from __future__ import annotations

from datetime import date
from typing import Any

from babel.dates import format_date
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from willkommen_core.i18n import current_language
from willkommen_core.i18n import gettext as _
from willkommen_core.web.routing import MAX_FORM_FIELDS, Page
from willkommen_core.web.templating import render

from . import EDIT_ROLES, NAME, READ_ROLES, exports, store
from .model import PARTICIPANTS, Template, load_all
from .store import STATUSES, Invalid, StepInput

NOTICES = {
    "started": lambda: _("Der Prozessplan wurde angelegt."),
    "saved": lambda: _("Der Schritt wurde gespeichert."),
    "added": lambda: _("Der Schritt wurde hinzugefügt."),
    "deleted": lambda: _("Der Schritt wurde entfernt."),
    "moved": lambda: _("Der Schritt wurde verschoben."),
    "discarded": lambda: _("Der Prozessplan wurde verworfen."),
}


def _instance(request: Request) -> Any:
    return request.app.state.instance


def date_label(day: date | None) -> str:
    return format_date(day, format="medium", locale=current_language()) if day else "–"


def _template_of(request: Request, plan: store.Plan | None) -> Template | None:
    templates = load_all(_instance(request))
    if plan is not None:
        return templates.get(plan.template_id)
    return templates.get(_instance(request).plugin_settings(NAME).template)


def _participant_title(template: Template | None) -> Any:
    def title(pid: str) -> str:
        if template is not None:
            return template.model.participant_title(pid)
        return str(PARTICIPANTS.get(pid, pid))

    return title


def _participant_options(template: Template | None, extra: list[str]) -> list[tuple[str, str]]:
    ids = list(PARTICIPANTS)
    if template is not None:
        ids += [p for p in template.model.participants if p not in ids]
    ids += [p for p in extra if p not in ids]
    title = _participant_title(template)
    return [(p, title(p)) for p in ids]


def _common(request: Request, plan: store.Plan | None) -> dict[str, Any]:
    template = _template_of(request, plan)
    user = request.state.user
    return {
        "plan": plan,
        "template": template,
        "statuses": [(k, str(v)) for k, v in STATUSES.items()],
        "status_title": lambda s: str(STATUSES.get(s, s)),
        "participant_title": _participant_title(template),
        "date_label": date_label,
        "can_edit": user is not None and user.has_role(*EDIT_ROLES),
    }


def _plan_or_404(request: Request) -> store.Plan:
    plan = store.load(_instance(request).db)
    if plan is None:
        raise HTTPException(404, _("Es gibt noch keinen Prozessplan."))
    return plan


def _step_or_404(request: Request, plan: store.Plan) -> Any:
    step_id = request.path_params["step_id"]
    step = next((s for s in plan.steps if s.id == step_id), None)
    if step is None:
        raise HTTPException(404, _("Diesen Schritt gibt es nicht."))
    return step


# -- overview and start -------------------------------------------------------------------


def _index(
    request: Request, values: dict[str, Any] | None = None, errors: dict[str, str] | None = None
) -> Response:
    instance = _instance(request)
    plan = store.load(instance.db)
    context = _common(request, plan)
    notice = NOTICES.get(request.query_params.get("ok", ""))
    templates = load_all(instance)
    context.update(
        {
            "notice": notice() if notice else None,
            "errors": errors or {},
            "values": values
            or {
                "template": instance.plugin_settings(NAME).template,
                "start": "",
                "with_groups": "1",
            },
            "template_options": [(t.id, f"{t.title} ({t.version})") for t in templates.values()],
        }
    )
    if plan is not None:
        context["progress"] = store.progress(plan)
        context["milestone"] = store.next_milestone(plan)
    return render(request, "prozesse/index.html", context, 400 if errors else 200)


def index(request: Request) -> Response:
    return _index(request)


async def start(request: Request) -> Response:
    form = await request.form(max_fields=MAX_FORM_FIELDS)
    values = {
        "template": str(form.get("template", "")).strip(),
        "start": str(form.get("start", "")).strip(),
        "with_groups": "1" if form.get("with_groups") else "",
    }
    instance = _instance(request)
    errors: dict[str, str] = {}
    template = load_all(instance).get(values["template"])
    if template is None:
        errors["template"] = _("Bitte wählen Sie eine der angebotenen Vorlagen.")
    start_date = None
    if not values["start"]:
        errors["start"] = _("Bitte geben Sie das Startdatum an.")
    else:
        try:
            start_date = date.fromisoformat(values["start"])
        except ValueError:
            errors["start"] = _("Bitte ein Datum im Format JJJJ-MM-TT angeben.")
        else:
            if not 2000 <= start_date.year <= 2100:
                errors["start"] = _("Bitte ein Datum zwischen 2000 und 2100 angeben.")
    if not errors and template is not None and start_date is not None:
        try:
            store.instantiate(
                instance.db, template, start_date, with_groups=bool(values["with_groups"])
            )
        except Invalid as exc:
            errors.update(exc.errors)
    if errors:
        return _index(request, values, errors)
    return RedirectResponse("/prozesse/?ok=started", status_code=303)


async def discard(request: Request) -> Response:
    plan = _plan_or_404(request)
    if request.method == "GET":
        return render(request, "prozesse/discard.html", _common(request, plan))
    store.delete_plan(_instance(request).db)
    return RedirectResponse("/prozesse/?ok=discarded", status_code=303)


# -- steps -------------------------------------------------------------------------------------


def _step_form(
    request: Request,
    plan: store.Plan,
    data: StepInput,
    errors: dict[str, str],
    step: Any | None,
) -> Response:
    context = _common(request, plan)
    context.update(
        {
            "data": data,
            "errors": errors,
            "step": step,
            "phase_options": [(str(p.id), p.title) for p in plan.phases],
            "participant_options": _participant_options(context["template"], data.participants),
        }
    )
    return render(request, "prozesse/step_form.html", context, 400 if errors else 200)


def _known(request: Request, plan: store.Plan, step: Any | None) -> set[str]:
    options = _participant_options(_template_of(request, plan), [])
    known = {p for p, _t in options}
    if step is not None:  # ids a step already has stay valid, whatever the template says now
        known |= {p for p in step.participants.split(",") if p}
    return known


async def new_step(request: Request) -> Response:
    plan = _plan_or_404(request)
    if request.method == "GET":
        phase = request.query_params.get("phase", "")
        return _step_form(request, plan, StepInput(phase_id=phase), {}, None)
    data = StepInput.from_form(await request.form(max_fields=MAX_FORM_FIELDS))
    try:
        step_id = store.add_step(_instance(request).db, plan, data, _known(request, plan, None))
    except Invalid as exc:
        return _step_form(request, plan, data, exc.errors, None)
    return RedirectResponse(f"/prozesse/?ok=added#step-{step_id}", status_code=303)


async def edit_step(request: Request) -> Response:
    plan = _plan_or_404(request)
    step = _step_or_404(request, plan)
    if request.method == "GET":
        return _step_form(request, plan, StepInput.from_row(step), {}, step)
    data = StepInput.from_form(await request.form(max_fields=MAX_FORM_FIELDS))
    try:
        store.update_step(_instance(request).db, plan, step.id, data, _known(request, plan, step))
    except Invalid as exc:
        return _step_form(request, plan, data, exc.errors, step)
    return RedirectResponse(f"/prozesse/?ok=saved#step-{step.id}", status_code=303)


async def delete_step(request: Request) -> Response:
    plan = _plan_or_404(request)
    step = _step_or_404(request, plan)
    if request.method == "GET":
        return render(request, "prozesse/delete.html", {**_common(request, plan), "step": step})
    store.delete_step(_instance(request).db, step.id)
    return RedirectResponse("/prozesse/?ok=deleted", status_code=303)


async def move_step(request: Request) -> Response:
    plan = _plan_or_404(request)
    step = _step_or_404(request, plan)
    form = await request.form(max_fields=MAX_FORM_FIELDS)
    direction = str(form.get("direction", ""))
    if direction not in ("up", "down"):
        raise HTTPException(400, _("Unbekannte Richtung."))
    store.move_step(_instance(request).db, plan, step.id, direction)
    return RedirectResponse(f"/prozesse/?ok=moved#step-{step.id}", status_code=303)


# -- views and exports -----------------------------------------------------------------------------


def timeline(request: Request) -> Response:
    plan = _plan_or_404(request)
    context = _common(request, plan)
    context["svg"] = exports.timeline_svg(plan, date_label)
    return render(request, "prozesse/timeline.html", context)


def printable(request: Request) -> Response:
    plan = _plan_or_404(request)
    context = _common(request, plan)
    context["progress"] = store.progress(plan)
    return render(request, "prozesse/print.html", context)


def export_csv(request: Request) -> Response:
    plan = _plan_or_404(request)
    return Response(
        exports.export_csv(plan, _participant_title(_template_of(request, plan))),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="prozessplan.csv"'},
    )


def export_ics(request: Request) -> Response:
    instance = _instance(request)
    plan = _plan_or_404(request)
    body = exports.icalendar(plan, instance.settings.authority.name, f"{instance.slug}.willkommen")
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="prozessplan.ics"'},
    )


def routes(instance: Any) -> list[Page]:
    step = "/schritte/{step_id:int}"
    return [
        Page("/", index, roles=READ_ROLES, name="prozesse-index"),
        Page("/starten", start, methods=("POST",), roles=EDIT_ROLES, name="prozesse-start"),
        Page(
            "/verwerfen",
            discard,
            methods=("GET", "POST"),
            roles=EDIT_ROLES,
            name="prozesse-discard",
        ),
        Page(
            "/schritte/neu",
            new_step,
            methods=("GET", "POST"),
            roles=EDIT_ROLES,
            name="prozesse-step-new",
        ),
        Page(step, edit_step, methods=("GET", "POST"), roles=EDIT_ROLES, name="prozesse-step"),
        Page(
            step + "/loeschen",
            delete_step,
            methods=("GET", "POST"),
            roles=EDIT_ROLES,
            name="prozesse-step-delete",
        ),
        Page(
            step + "/verschieben",
            move_step,
            methods=("POST",),
            roles=EDIT_ROLES,
            name="prozesse-step-move",
        ),
        Page("/zeitplan", timeline, roles=READ_ROLES, name="prozesse-timeline"),
        Page("/druck", printable, roles=READ_ROLES, name="prozesse-print"),
        Page("/export.csv", export_csv, roles=READ_ROLES, name="prozesse-export-csv"),
        Page("/zeitplan.ics", export_ics, roles=READ_ROLES, name="prozesse-export-ics"),
    ]
