"""Pages under ``/prozesse/``: leadership plans and adapts the process, editors read it."""

from __future__ import annotations

from datetime import date
from typing import Any

from babel.dates import format_date
from starlette.responses import Response

from willkommen_core.i18n import current_language
from willkommen_core.i18n import gettext as _
from willkommen_core.sdk import PageRequest

from . import EDIT_ROLES, READ_ROLES, exports, module, store, timeline
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
page = module.pages.page


def date_label(day: date | None) -> str:
    return format_date(day, format="medium", locale=current_language()) if day else "–"


def _template_of(p: PageRequest, plan: store.Plan | None) -> Template | None:
    templates = load_all(p.instance)
    if plan is not None:
        return templates.get(plan.template_id)
    return templates.get(p.settings.template)


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


def _common(p: PageRequest, plan: store.Plan | None) -> dict[str, Any]:
    template = _template_of(p, plan)
    return {
        "plan": plan,
        "template": template,
        "statuses": [(k, str(v)) for k, v in STATUSES.items()],
        "status_title": lambda s: str(STATUSES.get(s, s)),
        "participant_title": _participant_title(template),
        "date_label": date_label,
        "can_edit": p.user is not None and p.user.has_role(*EDIT_ROLES),
    }


def _plan_or_404(p: PageRequest) -> store.Plan:
    plan = store.load(p.db)
    if plan is None:
        p.not_found(_("Es gibt noch keinen Prozessplan."))
    return plan


def _step_or_404(p: PageRequest, plan: store.Plan) -> Any:
    step = next((s for s in plan.steps if s.id == p.param("step_id")), None)
    if step is None:
        p.not_found(_("Diesen Schritt gibt es nicht."))
    return step


# -- overview and start -------------------------------------------------------------------


def _index(
    p: PageRequest, values: dict[str, Any] | None = None, errors: dict[str, str] | None = None
) -> Response:
    plan = store.load(p.db)
    context = _common(p, plan)
    notice = NOTICES.get(p.query("ok"))
    templates = load_all(p.instance)
    context.update(
        {
            "notice": notice() if notice else None,
            "errors": errors or {},
            "values": values
            or {
                "template": p.settings.template,
                "start": "",
                "with_groups": "1",
            },
            "template_options": [(t.id, f"{t.title} ({t.version})") for t in templates.values()],
        }
    )
    if plan is not None:
        context["progress"] = store.progress(plan)
        context["milestone"] = store.next_milestone(plan)
    return p.render("prozesse/index.html", context, 400 if errors else 200)


@page("/", roles=READ_ROLES)
def index(p: PageRequest) -> Response:
    return _index(p)


@page("/starten", methods=("POST",), roles=EDIT_ROLES)
def start(p: PageRequest) -> Response:
    values = {
        "template": p.value("template"),
        "start": p.value("start"),
        "with_groups": "1" if p.value("with_groups") else "",
    }
    errors: dict[str, str] = {}
    template = load_all(p.instance).get(values["template"])
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
            store.instantiate(p.db, template, start_date, with_groups=bool(values["with_groups"]))
        except Invalid as exc:
            errors.update(exc.errors)
    if errors:
        return _index(p, values, errors)
    return p.redirect("index", notice="started")


@page("/verwerfen", methods=("GET", "POST"), roles=EDIT_ROLES)
def discard(p: PageRequest) -> Response:
    plan = _plan_or_404(p)
    if p.method == "GET":
        return p.render("prozesse/discard.html", _common(p, plan))
    store.delete_plan(p.db)
    return p.redirect("index", notice="discarded")


# -- steps -------------------------------------------------------------------------------------


def _step_form(
    p: PageRequest, plan: store.Plan, data: StepInput, errors: dict[str, str], step: Any | None
) -> Response:
    context = _common(p, plan)
    context.update(
        {
            "data": data,
            "errors": errors,
            "step": step,
            "phase_options": [(str(p.id), p.title) for p in plan.phases],
            "participant_options": _participant_options(context["template"], data.participants),
        }
    )
    return p.render("prozesse/step_form.html", context, 400 if errors else 200)


def _known(p: PageRequest, plan: store.Plan, step: Any | None) -> set[str]:
    options = _participant_options(_template_of(p, plan), [])
    known = {p for p, _t in options}
    if step is not None:  # ids a step already has stay valid, whatever the template says now
        known |= {p for p in step.participants.split(",") if p}
    return known


@page("/schritte/neu", methods=("GET", "POST"), roles=EDIT_ROLES, name="step_new")
def new_step(p: PageRequest) -> Response:
    plan = _plan_or_404(p)
    if p.method == "GET":
        return _step_form(p, plan, StepInput(phase_id=p.query("phase")), {}, None)
    data = StepInput.from_form(p.form)
    try:
        step_id = store.add_step(p.db, plan, data, _known(p, plan, None))
    except Invalid as exc:
        return _step_form(p, plan, data, exc.errors, None)
    return p.redirect("index", notice="added", fragment=f"step-{step_id}")


STEP = "/schritte/{step_id:int}"


@page(STEP, methods=("GET", "POST"), roles=EDIT_ROLES, name="step")
def edit_step(p: PageRequest) -> Response:
    plan = _plan_or_404(p)
    step = _step_or_404(p, plan)
    if p.method == "GET":
        return _step_form(p, plan, StepInput.from_row(step), {}, step)
    data = StepInput.from_form(p.form)
    try:
        store.update_step(p.db, plan, step.id, data, _known(p, plan, step))
    except Invalid as exc:
        return _step_form(p, plan, data, exc.errors, step)
    return p.redirect("index", notice="saved", fragment=f"step-{step.id}")


@page(STEP + "/loeschen", methods=("GET", "POST"), roles=EDIT_ROLES, name="step_delete")
def delete_step(p: PageRequest) -> Response:
    plan = _plan_or_404(p)
    step = _step_or_404(p, plan)
    if p.method == "GET":
        return p.render("prozesse/delete.html", {**_common(p, plan), "step": step})
    store.delete_step(p.db, step.id)
    return p.redirect("index", notice="deleted")


@page(STEP + "/verschieben", methods=("POST",), roles=EDIT_ROLES, name="step_move")
def move_step(p: PageRequest) -> Response:
    plan = _plan_or_404(p)
    step = _step_or_404(p, plan)
    direction = p.value("direction")
    if direction not in ("up", "down"):
        return _index(p, errors={"direction": _("Unbekannte Richtung.")})
    store.move_step(p.db, plan, step.id, direction)
    return p.redirect("index", notice="moved", fragment=f"step-{step.id}")


# -- views and exports -----------------------------------------------------------------------------


@page("/zeitplan", roles=READ_ROLES, name="timeline")
def timeline_page(p: PageRequest) -> Response:
    plan = _plan_or_404(p)
    context = _common(p, plan)
    context["svg"] = timeline.timeline_svg(plan, date_label)
    return p.render("prozesse/timeline.html", context)


@page("/druck", roles=READ_ROLES, name="print")
def printable(p: PageRequest) -> Response:
    plan = _plan_or_404(p)
    context = _common(p, plan)
    context["progress"] = store.progress(plan)
    return p.render("prozesse/print.html", context)


@page("/export.csv", roles=READ_ROLES)
def export_csv(p: PageRequest) -> Response:
    plan = _plan_or_404(p)
    body = exports.export_csv(plan, _participant_title(_template_of(p, plan)))
    return p.download(body, "prozessplan.csv", "text/csv; charset=utf-8")


@page("/zeitplan.ics", roles=READ_ROLES)
def export_ics(p: PageRequest) -> Response:
    plan = _plan_or_404(p)
    body = exports.icalendar(
        plan, p.instance.settings.authority.name, f"{p.instance.slug}.willkommen"
    )
    return p.download(body, "prozessplan.ics", "text/calendar; charset=utf-8")
