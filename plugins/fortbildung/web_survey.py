"""Pages of the needs survey: staff pages to run it, the public page to answer it."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from willkommen_core.i18n import gettext as _
from willkommen_core.sdk import PageRequest

from . import content, store, survey
from .model import CATEGORIES, SURVEY_FORMATS, Entry
from .web_common import PERSONAL, STAFF, answer_link, labels, page, participants, to


def _surveys(
    p: PageRequest, errors: dict[str, str] | None = None, title: str = "", status: int = 200
) -> Response:
    return p.render(
        "fortbildung/surveys.html",
        {
            "surveys": survey.list_all(p.db),
            "participants": participants(p),
            "answer_link": answer_link(p),
            "errors": errors or {},
            "title_value": title,
            "min_group": p.instance.settings.privacy.min_group_size,
            **labels(p),
        },
        status,
    )


@page("/umfragen", roles=STAFF)
def surveys(p: PageRequest) -> Response:
    return _surveys(p)


@page("/umfragen/neu", methods=("POST",), roles=PERSONAL)
def survey_create(p: PageRequest) -> Response:
    title = p.value("title")
    error = None
    if not title:
        error = _("Bitte geben Sie einen Titel an, z. B. »Bedarfsermittlung 2025«.")
    elif len(title) > 200:
        error = _("Höchstens %(n)s Zeichen.", n=200)
    if error:
        return _surveys(p, {"title": error}, title, 400)
    found = survey.create(p.db, title)
    return to(p, "survey_results", survey_id=found.id)


def _survey_or_404(p: PageRequest) -> survey.Survey:
    found = survey.get(p.db, p.param("survey_id"))
    if found is None:
        p.not_found()
    return found


@page("/umfragen/{survey_id:int}", roles=STAFF)
def survey_results(p: PageRequest) -> Response:
    found = _survey_or_404(p)
    k = p.instance.settings.privacy.min_group_size
    entries = {e.key: e.title for e in store.list_entries(p.db)}
    # Results only once closed: two looks at a running survey would show one answer.
    return p.render(
        "fortbildung/survey_results.html",
        {
            "survey": found,
            "participants": participants(p)(found),
            "results": None if found.open else survey.results(p.db, found.id, k),
            "min_group_size": k,
            "topic_title": lambda key: entries.get(key, key),
            "survey_format_title": lambda key: str(SURVEY_FORMATS.get(key, key)),
            "link": answer_link(p)(found),
            **labels(p),
        },
    )


@page("/umfragen/{survey_id:int}/status", methods=("POST",), roles=PERSONAL)
def survey_status(p: PageRequest) -> Response:
    found = _survey_or_404(p)
    opened = p.value("open") == "1"
    survey.set_open(p.db, found.id, opened)
    if opened != found.open:
        p.audit("round.opened" if opened else "round.closed", f"fortbildung/umfrage/{found.id}")
    return to(p, "survey_results", survey_id=found.id)


# -- the public participation page ----------------------------------------------------------


def _topics(p: PageRequest) -> list[tuple[str, list[Entry]]]:
    active = store.list_entries(p.db, active_only=True)
    return [
        (k, [e for e in active if e.category == k])
        for k in CATEGORIES
        if any(e.category == k for e in active)
    ]


def _survey_form(
    p: PageRequest,
    found: survey.Survey,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    return p.render(
        "fortbildung/survey_form.html",
        {
            "survey": found,
            "groups": _topics(p),
            "survey_formats": [(k, str(v)) for k, v in SURVEY_FORMATS.items()],
            "values": values,
            "errors": errors,
            "min_group": p.instance.settings.privacy.min_group_size,
            **labels(p),
        },
        status,
    )


def _check(p: PageRequest, values: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    keys = {e.key for e in store.list_entries(p.db, active_only=True)}
    if any(t not in keys for t in values["topics"]):
        errors["topics"] = _("Ein gewähltes Thema gibt es nicht (mehr). Bitte wählen Sie erneut.")
    if any(f not in SURVEY_FORMATS for f in values["formats"]):
        errors["formats"] = _("Ein gewähltes Format gibt es nicht.")
    areas = content.load(p.instance).work_areas
    if values["work_area"] and values["work_area"] not in areas:
        errors["work_area"] = _("Diesen Arbeitsbereich gibt es nicht.")
    if not values["topics"] and not values["formats"] and not errors:
        errors["topics"] = _("Bitte wählen Sie mindestens ein Thema oder ein Format.")
    return errors


@page("/umfrage/{code}", methods=("GET", "POST"), public=True)
def survey_answer(p: PageRequest) -> Response:
    """The public participation page: no account, nothing that identifies the person."""
    found = survey.by_code(p.db, p.param("code"))
    if found is None:
        p.not_found()
    if not found.open:
        return p.render("fortbildung/survey_closed.html", {"survey": found}, 410)
    if p.method == "GET":
        if p.query("danke"):
            return p.render("fortbildung/survey_thanks.html", {"survey": found})
        return _survey_form(p, found, {"topics": [], "formats": [], "work_area": ""}, {})
    values: dict[str, Any] = {
        "topics": p.values("topics"),
        "formats": p.values("formats"),
        "work_area": p.value("work_area"),
    }
    errors = _check(p, values)
    if errors:
        return _survey_form(p, found, values, errors, 400)
    survey.submit(
        p.db,
        found.id,
        work_area=values["work_area"],
        topics=values["topics"],
        formats=values["formats"],
    )
    return to(p, "survey_answer", "danke=1", code=found.code)
