"""Participation (public, no account, no JavaScript): ``/selbstcheck/teilnahme``.

The participant's answers travel between the pages in one sealed hidden
field (``state``, see :mod:`.sealed`): nothing reaches the database before
the final submit, and the server keeps no session of them. The submit joins
the asyncio group commit, so answers that arrive together share a
transaction and are stored in no order of arrival.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from willkommen_core.i18n import current_language, native_name, text_direction
from willkommen_core.i18n import gettext as _
from willkommen_core.sdk import PageRequest

from .. import questionnaire as qmod
from .. import store
from ..store import PERSPECTIVES, Refused
from ..validation import check
from . import sealed
from .common import (
    DONT_KNOW,
    DONT_KNOW_LABEL,
    PERSPECTIVE_LABELS,
    SCALE_LABELS,
    page,
    participation_notice,
    refusal_message,
)


def _raw(p: PageRequest, name: str, default: str = "") -> str:
    """A form field exactly as sent (the state and comments may be long)."""
    value = p.form.get(name, default)
    return value if isinstance(value, str) else default


def _in_every_language(p: PageRequest, q: qmod.Questionnaire) -> qmod.Questionnaire:
    """A round's questionnaire with the translations the content gained since it opened."""
    return qmod.translated(q, qmod.current(p.instance))


def _steps(q: qmod.Questionnaire) -> list[str]:
    return ["start", *(c.id for c in q.cornerstones), "review"]


def _values_from_state(state: dict[str, Any]) -> dict[str, int | None]:
    return {k: (None if v == DONT_KNOW else v) for k, v in state.get("v", {}).items()}


def _question_page(
    p: PageRequest,
    rnd: store.Round,
    q: qmod.Questionnaire,
    state: dict[str, Any],
    step: str,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    steps = _steps(q)
    review = None
    if step == "review":
        review = [
            {
                "cornerstone": c,
                "answers": [(item, state.get("v", {}).get(item.id)) for item in c.items],
                "comment": state.get("k", {}).get(c.id, ""),
                "step": steps.index(c.id),
            }
            for c in q.cornerstones
        ]
    context = {
        "round": rnd,
        "q": q,
        "step": step,
        "step_index": steps.index(step),
        "step_count": len(steps),
        "cornerstone": q.cornerstone(step),
        "lang_code": current_language(),
        "state": sealed.dump(p.instance, state),
        "values": state.get("v", {}),
        "comments": state.get("k", {}),
        "perspective": state.get("p", ""),
        "area": state.get("a", ""),
        "errors": errors or {},
        "scale": list(SCALE_LABELS.items()),
        "dont_know_label": DONT_KNOW_LABEL,
        "dont_know": DONT_KNOW,
        "perspective_labels": PERSPECTIVE_LABELS,
        "review": review,
        "notice": participation_notice(p.instance, rnd.notice),
        "max_comment": p.settings.max_comment_length,
        "languages_here": [
            (code, native_name(code), text_direction(code))
            for code in p.request.state.offered_languages
        ],
    }
    return p.render("selbstcheck/teilnahme.html", context, status)


def _entry_page(
    p: PageRequest, entered: str = "", error: str | None = None, status: int = 200
) -> Response:
    return p.render("selbstcheck/teilnahme_code.html", {"entered": entered, "error": error}, status)


def _refused_page(p: PageRequest, message: str, status: int) -> Response:
    return p.render("selbstcheck/teilnahme_abgelehnt.html", {"message": message}, status)


def _refused(p: PageRequest, exc: Refused) -> Response:
    status = exc.status if exc.status in (400, 403, 404, 409) else 400
    return _refused_page(p, refusal_message(exc), status)


@page(
    "/teilnahme",
    methods=("GET", "POST"),
    public=True,
    audience="participants",
    languages=lambda s: s.participant_languages,
)
def participate(p: PageRequest) -> Response:
    """GET: the code form, or with ``?code=`` the first page of the round;
    POST: the code form sent, or a page of the questionnaire."""
    if p.method == "GET":
        entered = p.query("code")
        return _enter(p, entered) if entered else _entry_page(p)
    raw_state = _raw(p, "state")
    if not raw_state:  # the code form
        return _enter(p, _raw(p, "code"))
    return _answer(p, raw_state)


def _enter(p: PageRequest, entered: str) -> Response:
    """The first page of the round ``entered`` (a shared or one-time code) opens;
    ``?schritt=n`` starts at the n-th cornerstone."""
    entered = entered[:64]
    found = store.remembered_access(p.db, entered)
    if found is None:
        try:
            access = store.find_access(p.db, entered)
        except Refused as exc:
            if exc.kind in ("unknown_code", "no_code"):
                return _entry_page(p, entered, refusal_message(exc), exc.status)
            return _refused(p, exc)
        found = access, store.questionnaire_of(p.db, access.round)
    access, q = found
    q = _in_every_language(p, q)
    state: dict[str, Any] = {
        "r": access.round.id,
        "c": access.code,
        "t": access.token,
        "v": {},
        "k": {},
    }
    step = "start"
    wanted = p.query("schritt")
    steps = _steps(q)
    if wanted.isdecimal() and 0 < int(wanted) < len(steps) - 1:
        step = steps[int(wanted)]
    return _question_page(p, access.round, q, state, step)


def _answer(p: PageRequest, raw_state: str) -> Response:
    """A page of the questionnaire sent: merge it, then move, complain or store."""
    state = sealed.load(p.instance, raw_state)
    if state is None:
        return _refused_page(
            p,
            _("Ihre Eingaben konnten nicht gelesen werden. Bitte beginnen Sie neu mit Ihrem Code."),
            400,
        )
    rnd = store.recent_round(p.db, state["r"])
    if rnd is None:
        return _refused(p, Refused(404, "unknown_round", "unknown round"))
    try:
        store.check_access(p.db, rnd, code=state.get("c"), token=state.get("t"))
    except Refused as exc:
        return _refused(p, exc)
    q = _in_every_language(p, store.questionnaire_of(p.db, rnd))
    steps = _steps(q)
    step = _raw(p, "step", "start")
    if step not in steps:
        step = "start"
    max_len = p.settings.max_comment_length
    _merge(p, state, q, step, max_len)
    nav = _raw(p, "nav", "next")
    index = steps.index(step)
    if nav == "stay":
        return _question_page(p, rnd, q, state, step)
    if nav == "back":
        return _question_page(p, rnd, q, state, steps[max(0, index - 1)])
    if nav.startswith("edit:") and nav[5:] in steps:
        return _question_page(p, rnd, q, state, nav[5:])
    errors = _step_errors(q, state, step, max_len)
    if errors:
        return _question_page(p, rnd, q, state, step, errors, 400)
    if nav == "submit" and step == "review":
        return _submit(p, rnd, q, state, max_len)
    return _question_page(p, rnd, q, state, steps[min(len(steps) - 1, index + 1)])


def _submit(
    p: PageRequest, rnd: store.Round, q: qmod.Questionnaire, state: dict[str, Any], max_len: int
) -> Response:
    """Check the whole questionnaire and store it (group commit), all or nothing."""
    issues = check(
        q,
        perspective=state.get("p"),
        area=state.get("a", ""),
        answers=_values_from_state(state),
        comments=state.get("k", {}),
        max_comment_length=max_len,
    )
    if issues:
        errors = {i.field: i.message() for i in issues}
        return _question_page(p, rnd, q, state, "review", errors, 400)
    submission = store.Submission(
        rnd.id,
        code=state.get("c"),
        token=state.get("t"),
        perspective=state["p"],
        area=state.get("a", ""),
        values=_values_from_state(state),
        texts={k: v.strip() for k, v in state.get("k", {}).items() if v.strip()},
    )
    try:
        p.run_async(store.submit_grouped, p.db, submission)
    except Refused as exc:
        return _refused(p, exc)
    return p.render("selbstcheck/teilnahme_danke.html", {"round": rnd})


def _merge(
    p: PageRequest, state: dict[str, Any], q: qmod.Questionnaire, step: str, max_len: int
) -> None:
    """Take the current page's inputs into the state (also when going back)."""
    if step == "start":
        perspective = _raw(p, "perspective")
        state["p"] = perspective if perspective in PERSPECTIVES else ""
        area = _raw(p, "area")
        state["a"] = area if area in q.work_areas else ""
        return
    cornerstone = q.cornerstone(step)
    if cornerstone is None:
        return
    values = state.setdefault("v", {})
    for item in cornerstone.items:
        raw = _raw(p, f"a_{item.id}")
        if raw == DONT_KNOW:
            values[item.id] = DONT_KNOW
        elif raw in ("1", "2", "3", "4", "5"):
            values[item.id] = int(raw)
    if max_len:
        # Kept as typed (also when too long) so the participant can shorten it.
        text = _raw(p, f"k_{cornerstone.id}")[: max_len * 2]
        state.setdefault("k", {})[cornerstone.id] = text


def _step_errors(
    q: qmod.Questionnaire, state: dict[str, Any], step: str, max_len: int
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if step == "start":
        if state.get("p") not in PERSPECTIVES:
            errors["perspective"] = _("Bitte wählen Sie Ihre Perspektive.")
        return errors
    cornerstone = q.cornerstone(step)
    if cornerstone is None:
        return errors
    issues = check(
        q,
        perspective=None,
        area=None,
        answers=_values_from_state(state),
        comments={cornerstone.id: state.get("k", {}).get(cornerstone.id, "")},
        max_comment_length=max_len,
        partial={i.id for i in cornerstone.items},
    )
    for issue in issues:
        errors[issue.field.replace("answers.", "a_").replace("comments.", "k_")] = issue.message()
    return errors
