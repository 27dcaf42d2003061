"""Pages of the self-assessment.

Participation (public, no account, no JavaScript): ``/selbstcheck/teilnahme``.
The participant's answers travel between the pages in one signed hidden field
(``state``): nothing reaches the database before the final submit, and the
server keeps no session of them. Leadership pages (role ``leitung``): rounds,
results, comparison, exports. The one-time codes are printed only by the
trusted person (role ``vertrauensperson``, pages ``/selbstcheck/codebogen/``,
which not even ``admin`` reaches): whoever can read results never holds an
unused code. Participation counts of an open round are shown only coarsely.
"""

from __future__ import annotations

import base64
import json
import secrets
from datetime import date
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from willkommen_core.disclosure.participation import Band, shown_count
from willkommen_core.domain import CORNERSTONES
from willkommen_core.i18n import current_language
from willkommen_core.i18n import gettext as _
from willkommen_core.i18n import lazy_gettext as _l
from willkommen_core.web.audit import arecord, record
from willkommen_core.web.routing import MAX_FORM_FIELDS, Page
from willkommen_core.web.templating import render

from . import charts, store
from . import questionnaire as qmod
from .recommend import collect
from .results import ALL, RoundResults, restrict, shared_items
from .store import PERSPECTIVES, Refused
from .summary import export_csv, export_json, min_size, round_results
from .validation import check

NAME = "selbstcheck"
STAFF = ("leitung",)
TRUSTED = ("vertrauensperson",)
"""Prints the one-time code sheets, and nothing else (separation of duties)."""
DONT_KNOW = "x"

SCALE_LABELS = {
    1: _l("trifft gar nicht zu"),
    2: _l("trifft eher nicht zu"),
    3: _l("teils, teils"),
    4: _l("trifft eher zu"),
    5: _l("trifft voll zu"),
}
DONT_KNOW_LABEL = _l("kann ich nicht beurteilen")
PERSPECTIVE_LABELS = {"leitung": _l("Leitung"), "mitarbeitende": _l("Mitarbeitende")}
STATUS_LABELS = {"draft": _l("Entwurf"), "open": _l("offen"), "closed": _l("abgeschlossen")}
MODE_LABELS = {
    "code": _l("ein gemeinsamer Teilnahmecode"),
    "tokens": _l("Einmal-Codes zum Ausdrucken"),
}
MODE_HINTS = {
    "code": _l(
        "Mit einem gemeinsamen Code kann eine Person mehrfach teilnehmen. Ergebnisse gibt es "
        "deshalb nur für die ganze Behörde, ohne Aufteilung nach Perspektive oder "
        "Arbeitsbereich."
    ),
    "tokens": _l(
        "Einmal-Codes verhindern doppelte Teilnahme. Sie entstehen erst, wenn die "
        "Vertrauensperson (z. B. aus dem Personalrat) den Code-Bogen druckt, und werden nur "
        "ihr ein einziges Mal angezeigt: Leitung und IT erhalten keine Codes."
    ),
}


def _instance(request: Request) -> Any:
    return request.app.state.instance


def _settings(request: Request) -> Any:
    return _instance(request).plugin_settings(NAME)


def default_notice() -> str:
    return _(
        "Die Teilnahme ist freiwillig und anonym. Wir speichern Ihre Antworten ohne Namen, "
        "ohne IP-Adresse, ohne Angaben zu Ihrem Gerät und ohne Uhrzeit. Ergebnisse sehen nur "
        "die Behördenleitung und nur zusammengefasst: Gruppen mit weniger als %(n)s Antworten "
        "werden nirgends gezeigt. Ihre Kommentare erscheinen ohne Bezug zu Ihren Antworten und "
        "in zufälliger Reihenfolge. Die Ergebnisse dienen dazu, gemeinsam Maßnahmen für unsere "
        "Behörde zu planen; sie werden nicht zur Bewertung einzelner Personen genutzt.",
        n="%(n)s",
    )


def notice_text(request: Request) -> str:
    """The instance's notice (setting ``[selbstcheck] notice``) or the standard text."""
    text = _settings(request).notice.strip() or default_notice()
    return text.replace("%(n)s", str(min_size(_instance(request))))


# -- participation ------------------------------------------------------------------


_STATE_PREFIX = "v1."


def _state_key(request: Request) -> bytes:
    return _state_key_for(_instance(request).settings.secret_key.get_secret_value())


@lru_cache(maxsize=8)
def _state_key_for(secret: str) -> bytes:
    """The key that seals the participant's hidden state, derived from ``secret_key``."""
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"willkommen selbstcheck state v1"
    ).derive(secret.encode())


def _dump(request: Request, state: dict[str, Any]) -> str:
    """The state sealed with AES-GCM: neither the code nor any answer can be read from it."""
    nonce = secrets.token_bytes(12)
    plain = json.dumps(state, separators=(",", ":")).encode()
    sealed = AESGCM(_state_key(request)).encrypt(nonce, plain, _STATE_PREFIX.encode())
    return _STATE_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")


def _load(request: Request, raw: str) -> dict[str, Any] | None:
    if not raw.startswith(_STATE_PREFIX):
        return None
    body = raw[len(_STATE_PREFIX) :]
    try:
        blob = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        plain = AESGCM(_state_key(request)).decrypt(blob[:12], blob[12:], _STATE_PREFIX.encode())
        state = json.loads(plain)
    except (InvalidTag, ValueError):
        return None
    return state if isinstance(state, dict) and isinstance(state.get("r"), int) else None


def _refusal_message(exc: Refused) -> str:
    return {
        "no_code": _("Bitte geben Sie Ihren Teilnahmecode ein."),
        "unknown_code": _("Diesen Code kennen wir nicht. Bitte prüfen Sie die Schreibweise."),
        "wrong_code": _("Der Teilnahmecode passt nicht zu dieser Runde."),
        "unknown_token": _("Diesen Einmal-Code kennen wir nicht."),
        "token_required": _("Für diese Runde brauchen Sie einen Einmal-Code."),
        "token_used": _(
            "Dieser Einmal-Code wurde bereits verwendet. Jeder Einmal-Code gilt nur für eine "
            "Teilnahme."
        ),
        "not_open": _("Diese Runde ist noch nicht geöffnet."),
        "sheet_printed": _(
            "Der Code-Bogen dieser Runde ist bereits gedruckt; jeder Bogen wird nur einmal "
            "angezeigt. Für verlorene Zettel oder neue Mitarbeitende drucken Sie weitere "
            "Einmal-Codes."
        ),
        "sheet_missing": _("Bitte drucken Sie zuerst den Code-Bogen dieser Runde."),
        "closed": _("Diese Runde ist abgeschlossen; Antworten werden nicht mehr angenommen."),
        "unknown_round": _("Diese Runde gibt es nicht."),
    }.get(exc.kind, exc.message)


def _steps(q: qmod.Questionnaire) -> list[str]:
    return ["start", *(c.id for c in q.cornerstones), "review"]


def _values_from_state(state: dict[str, Any]) -> dict[str, int | None]:
    return {k: (None if v == DONT_KNOW else v) for k, v in state.get("v", {}).items()}


def _participation_page(
    request: Request,
    access_round: store.Round,
    q: qmod.Questionnaire,
    state: dict[str, Any],
    step: str,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    steps = _steps(q)
    index = steps.index(step)
    cornerstone = q.cornerstone(step)
    lang = current_language()
    review = None
    if step == "review":
        review = [
            {
                "cornerstone": c,
                "answers": [
                    (
                        item,
                        state.get("v", {}).get(item.id),
                    )
                    for item in c.items
                ],
                "comment": state.get("k", {}).get(c.id, ""),
                "step": steps.index(c.id),
            }
            for c in q.cornerstones
        ]
    context = {
        "round": access_round,
        "q": q,
        "step": step,
        "step_index": index,
        "step_count": len(steps),
        "cornerstone": cornerstone,
        "lang_code": lang,
        "state": _dump(request, state),
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
        "notice": access_round.notice or notice_text(request),
        "max_comment": _settings(request).max_comment_length,
        "languages_here": _participation_languages(request),
    }
    return render(request, "selbstcheck/teilnahme.html", context, status)


def _participation_languages(request: Request) -> list[tuple[str, str]]:
    from willkommen_core.i18n import native_name

    return [(code, native_name(code)) for code in _instance(request).settings.languages]


def _entry_page(
    request: Request, entered: str = "", error: str | None = None, status: int = 200
) -> Response:
    return render(
        request,
        "selbstcheck/teilnahme_code.html",
        {"entered": entered, "error": error},
        status,
    )


def _refused_page(request: Request, exc: Refused) -> Response:
    status = exc.status if exc.status in (400, 403, 404, 409) else 400
    return render(
        request, "selbstcheck/teilnahme_abgelehnt.html", {"message": _refusal_message(exc)}, status
    )


async def participate(request: Request) -> Response:
    """GET: the code form, or with ``?code=`` the first page of the round.

    When a round is busy its code and questionnaire are in this process's
    memory, and the page is rendered without a thread hop or a query.
    """
    entered = request.query_params.get("code", "")
    if not entered:
        return _entry_page(request)
    found = store.remembered_access(_instance(request).db, entered)
    if found is not None:
        return _first_page(request, *found)
    return await run_in_threadpool(_participate, request, entered)


def _participate(request: Request, entered: str) -> Response:
    db = _instance(request).db
    try:
        access = store.find_access(db, entered)
    except Refused as exc:
        if exc.kind in ("unknown_code", "no_code"):
            return _entry_page(request, entered, _refusal_message(exc), exc.status)
        return _refused_page(request, exc)
    return _first_page(request, access, store.questionnaire_of(db, access.round))


def _first_page(request: Request, access: store.Access, q: qmod.Questionnaire) -> Response:
    state: dict[str, Any] = {
        "r": access.round.id,
        "c": access.code,
        "t": access.token,
        "v": {},
        "k": {},
    }
    step = "start"
    wanted = request.query_params.get("schritt", "")
    steps = _steps(q)
    if wanted.isdigit() and 0 < int(wanted) < len(steps) - 1:
        step = steps[int(wanted)]
    return _participation_page(request, access.round, q, state, step)


async def participate_post(request: Request) -> Response:
    form = await request.form(max_fields=MAX_FORM_FIELDS)
    return await run_in_threadpool(_participate_post, request, form)


def _participate_post(request: Request, form: Any) -> Response:
    instance = _instance(request)
    db = instance.db
    raw_state = str(form.get("state", ""))
    if not raw_state:  # the code form
        entered = str(form.get("code", ""))[:64]
        try:
            access = store.find_access(db, entered)
        except Refused as exc:
            if exc.kind in ("unknown_code", "no_code"):
                return _entry_page(request, entered, _refusal_message(exc), exc.status)
            return _refused_page(request, exc)
        q = store.questionnaire_of(db, access.round)
        state = {"r": access.round.id, "c": access.code, "t": access.token, "v": {}, "k": {}}
        return _participation_page(request, access.round, q, state, "start")
    state = _load(request, raw_state)
    if state is None:
        return render(
            request,
            "selbstcheck/teilnahme_abgelehnt.html",
            {
                "message": _(
                    "Ihre Eingaben konnten nicht gelesen werden. Bitte beginnen Sie neu mit "
                    "Ihrem Code."
                )
            },
            400,
        )
    rnd = store.recent_round(db, state["r"])
    if rnd is None:
        return _refused_page(request, Refused(404, "unknown_round", "unknown round"))
    try:
        store.check_access(db, rnd, code=state.get("c"), token=state.get("t"))
    except Refused as exc:
        return _refused_page(request, exc)
    q = store.questionnaire_of(db, rnd)
    steps = _steps(q)
    step = str(form.get("step", "start"))
    if step not in steps:
        step = "start"
    settings = instance.plugin_settings(NAME)
    _merge(form, state, q, step, settings.max_comment_length)
    nav = str(form.get("nav", "next"))
    index = steps.index(step)
    if nav == "stay":
        return _participation_page(request, rnd, q, state, step)
    if nav == "back":
        return _participation_page(request, rnd, q, state, steps[max(0, index - 1)])
    if nav.startswith("edit:") and nav[5:] in steps:
        return _participation_page(request, rnd, q, state, nav[5:])
    errors = _step_errors(q, state, step, settings.max_comment_length)
    if errors:
        return _participation_page(request, rnd, q, state, step, errors, 400)
    if nav == "submit" and step == "review":
        issues = check(
            q,
            perspective=state.get("p"),
            area=state.get("a", ""),
            answers=_values_from_state(state),
            comments=state.get("k", {}),
            max_comment_length=settings.max_comment_length,
        )
        if issues:
            errors = {i.field: i.message() for i in issues}
            return _participation_page(request, rnd, q, state, "review", errors, 400)
        try:
            store.submit(
                db,
                rnd.id,
                code=state.get("c"),
                token=state.get("t"),
                perspective=state["p"],
                area=state.get("a", ""),
                values=_values_from_state(state),
                texts={k: v.strip() for k, v in state.get("k", {}).items() if v.strip()},
            )
        except Refused as exc:
            return _refused_page(request, exc)
        return render(request, "selbstcheck/teilnahme_danke.html", {"round": rnd})
    return _participation_page(request, rnd, q, state, steps[min(len(steps) - 1, index + 1)])


def _merge(
    form: Any, state: dict[str, Any], q: qmod.Questionnaire, step: str, max_len: int
) -> None:
    """Take the current page's inputs into the state (also when going back)."""
    if step == "start":
        perspective = str(form.get("perspective", ""))
        state["p"] = perspective if perspective in PERSPECTIVES else ""
        area = str(form.get("area", ""))
        state["a"] = area if area in q.work_areas else ""
        return
    cornerstone = q.cornerstone(step)
    if cornerstone is None:
        return
    values = state.setdefault("v", {})
    for item in cornerstone.items:
        raw = str(form.get(f"a_{item.id}", ""))
        if raw == DONT_KNOW:
            values[item.id] = DONT_KNOW
        elif raw in ("1", "2", "3", "4", "5"):
            values[item.id] = int(raw)
    if max_len:
        # Kept as typed (also when too long) so the participant can shorten it.
        text = str(form.get(f"k_{cornerstone.id}", ""))[: max_len * 2]
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


# -- leadership: rounds ---------------------------------------------------------------


def _round_or_404(request: Request) -> store.Round:
    from starlette.exceptions import HTTPException

    rnd = store.get_round(_instance(request).db, int(request.path_params["round_id"]))
    if rnd is None:
        raise HTTPException(404)
    return rnd


def index(request: Request) -> Response:
    db = _instance(request).db
    rounds = store.list_rounds(db)
    counts = {r.id: _participants(request, r, store.response_count(db, r.id)) for r in rounds}
    q = qmod.current(_instance(request))
    return render(
        request,
        "selbstcheck/index.html",
        {
            "rounds": rounds,
            "counts": counts,
            "status_labels": STATUS_LABELS,
            "mode_labels": MODE_LABELS,
            "q": q,
            "min_size": min_size(_instance(request)),
            "closed_count": sum(1 for r in rounds if r.status == "closed"),
        },
    )


def _participants(request: Request, rnd: store.Round, count: Any) -> str:
    """A count of participants (or used codes) as leadership may see it:
    exact once the round is closed (or never opened), only its band while open."""
    return shown_count(count, min_size(_instance(request)), closed=rnd.status != "open")


def _parse_date(value: str, field: str, errors: dict[str, str]) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[field] = _("Bitte ein Datum im Format JJJJ-MM-TT angeben.")
        return None


def _new_round_form(
    request: Request, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> Response:
    return render(
        request,
        "selbstcheck/runde_neu.html",
        {
            "values": values,
            "errors": errors,
            "mode_options": [(k, str(v)) for k, v in MODE_LABELS.items()],
            "mode_hints": MODE_HINTS,
            "require_agreement_forced": _settings(request).require_agreement,
        },
        status,
    )


async def new_round(request: Request) -> Response:
    if request.method == "GET":
        values = {"title": "", "mode": "code", "period_start": "", "period_end": ""}
        return _new_round_form(request, values, {})
    form = await request.form(max_fields=MAX_FORM_FIELDS)
    values = {
        k: str(form.get(k, "")).strip()
        for k in ("title", "mode", "period_start", "period_end", "require_agreement")
    }
    errors: dict[str, str] = {}
    if not values["title"]:
        errors["title"] = _("Bitte geben Sie einen Titel an.")
    elif len(values["title"]) > 200:
        errors["title"] = _("Der Titel darf höchstens %(n)s Zeichen haben.", n=200)
    if values["mode"] not in store.MODES:
        errors["mode"] = _("Bitte wählen Sie, wie teilgenommen wird.")
    start = _parse_date(values["period_start"], "period_start", errors)
    end = _parse_date(values["period_end"], "period_end", errors)
    if start and end and end < start:
        errors["period_end"] = _("Das Ende liegt vor dem Beginn.")
    if errors:
        return _new_round_form(request, values, errors, 400)
    instance = _instance(request)
    round_id = store.create_round(
        instance.db,
        qmod.current(instance),
        title=values["title"],
        mode=values["mode"],
        period_start=start,
        period_end=end,
        require_agreement=bool(values["require_agreement"]) or _settings(request).require_agreement,
    )
    return RedirectResponse(f"/selbstcheck/runden/{round_id}", status_code=303)


def _round_page(
    request: Request,
    rnd: store.Round,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    db = _instance(request).db
    issued, used = store.token_counts(db, rnd.id)
    settings = _settings(request)
    base = str(request.base_url).rstrip("/")
    link = (
        f"{base}/selbstcheck/teilnahme?{urlencode({'code': rnd.display_code})}" if rnd.code else ""
    )
    return render(
        request,
        "selbstcheck/runde.html",
        {
            "round": rnd,
            "count": _participants(request, rnd, store.response_count(db, rnd.id)),
            "issued": issued,
            "used": _participants(request, rnd, used),
            "agreement_required": rnd.require_agreement or settings.require_agreement,
            "mode_hints": MODE_HINTS,
            "link": link,
            "status_labels": STATUS_LABELS,
            "mode_labels": MODE_LABELS,
            "notice": notice_text(request),
            "errors": errors or {},
            "values": values or {"tokens": "30", "staff_council": "", "dpo": ""},
            "max_tokens": settings.max_tokens,
            "min_size": min_size(_instance(request)),
        },
        status,
    )


def round_detail(request: Request) -> Response:
    return _round_page(request, _round_or_404(request))


def _token_count(raw: str, limit: int, errors: dict[str, str], field: str = "tokens") -> int:
    if limit < 1:
        errors[field] = _(
            "Für diese Runde sind bereits so viele Einmal-Codes gedruckt wie erlaubt."
        )
        return 0
    if not raw.isdigit() or not 1 <= int(raw) <= limit:
        errors[field] = _("Bitte eine Anzahl von 1 bis %(n)s angeben.", n=limit)
        return 0
    return int(raw)


def _agreement_errors(
    required: bool, council: date | None, dpo: date | None, errors: dict[str, str]
) -> None:
    """Messages, tied to the date fields, for a missing or future date of agreement."""
    missing = {
        "staff_council": _("Bitte das Datum der Zustimmung des Personalrats angeben."),
        "dpo": _("Bitte das Datum der Zustimmung der/des Datenschutzbeauftragten angeben."),
    }
    problems = store.agreement_problems(
        required=required, staff_council=council, dpo=dpo, today=date.today()
    )
    for field, kind in problems.items():
        if field in errors:
            continue  # not a date at all: that message says more
        errors[field] = (
            missing[field]
            if kind == "missing"
            else _(
                "Dieses Datum liegt in der Zukunft. Bitte erfassen Sie eine Zustimmung erst, "
                "wenn sie erteilt ist."
            )
        )


async def open_round(request: Request) -> Response:
    rnd = _round_or_404(request)
    form = await request.form(max_fields=MAX_FORM_FIELDS)
    values = {
        k: str(form.get(k, "")).strip() for k in ("tokens", "staff_council", "dpo", "notice_read")
    }
    errors: dict[str, str] = {}
    if not values["notice_read"]:
        errors["notice_read"] = _(
            "Bitte bestätigen Sie, dass der Hinweis zur Teilnahme gezeigt wird."
        )
    council = _parse_date(values["staff_council"], "staff_council", errors)
    dpo = _parse_date(values["dpo"], "dpo", errors)
    required = rnd.require_agreement or _settings(request).require_agreement
    _agreement_errors(required, council, dpo, errors)
    count = 0
    if rnd.mode == "tokens":
        count = _token_count(values["tokens"], _settings(request).max_tokens, errors)
    if errors:
        return _round_page(request, rnd, errors=errors, values=values, status=400)
    try:
        store.open_round(
            _instance(request).db,
            rnd.id,
            notice=notice_text(request),
            staff_council_agreed_on=council,
            dpo_agreed_on=dpo,
            tokens_count=count,
            require_agreement=required,
        )
    except Refused as exc:
        return _round_page(request, rnd, errors={"open": _refusal_message(exc)}, status=409)
    await arecord(request, "round.opened", f"selbstcheck/{rnd.id}", mode=rnd.mode, codes=count)
    # No codes here: the trusted person prints them (code_sheets).
    return RedirectResponse(f"/selbstcheck/runden/{rnd.id}", status_code=303)


# -- trusted person: code sheets ----------------------------------------------------------


def _sheets_page(
    request: Request,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    """The open rounds with one-time codes: first sheet to print, or further codes."""
    db = _instance(request).db
    rounds = [r for r in store.list_rounds(db) if r.mode == "tokens" and r.status == "open"]
    limit = _settings(request).max_tokens
    return render(
        request,
        "selbstcheck/codebogen.html",
        {
            "rounds": rounds,
            "issued": {r.id: store.token_counts(db, r.id)[0] for r in rounds},
            "max_tokens": limit,
            "errors": errors or {},
            "values": values or {},
        },
        status,
    )


def code_sheets(request: Request) -> Response:
    return _sheets_page(request)


def _token_sheet(request: Request, rnd: store.Round, tokens: list[str]) -> Response:
    """The printable sheet: the only place the codes ever exist in plain text."""
    base = str(request.base_url).rstrip("/")
    response = render(
        request,
        "selbstcheck/codes.html",
        {"round": rnd, "tokens": tokens, "link": f"{base}/selbstcheck/teilnahme"},
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def print_sheet(request: Request) -> Response:
    rnd = _round_or_404(request)
    try:
        tokens = store.print_sheet(_instance(request).db, rnd.id)
    except Refused as exc:
        errors = {f"sheet_{rnd.id}": _refusal_message(exc)}
        return _sheets_page(request, errors=errors, status=exc.status)
    record(request, "codes.printed", f"selbstcheck/{rnd.id}", count=len(tokens), sheet="first")
    return _token_sheet(request, rnd, tokens)


async def print_more(request: Request) -> Response:
    rnd = _round_or_404(request)
    form = await request.form(max_fields=MAX_FORM_FIELDS)
    field = f"tokens_{rnd.id}"
    raw = str(form.get(field, "")).strip()
    db = _instance(request).db
    limit = _settings(request).max_tokens
    errors: dict[str, str] = {}
    count = _token_count(raw, limit - store.token_counts(db, rnd.id)[0], errors, field)
    if errors:
        return _sheets_page(request, errors=errors, values={field: raw}, status=400)
    try:
        tokens = await run_in_threadpool(store.print_more, db, rnd.id, count, limit=limit)
    except Refused as exc:
        errors[field] = _refusal_message(exc)
        return _sheets_page(request, errors=errors, values={field: raw}, status=exc.status)
    await arecord(
        request, "codes.printed", f"selbstcheck/{rnd.id}", count=len(tokens), sheet="more"
    )
    return _token_sheet(request, rnd, tokens)


def close_round(request: Request) -> Response:
    rnd = _round_or_404(request)
    try:
        store.close_round(_instance(request).db, rnd.id)
    except Refused as exc:
        return _round_page(request, rnd, errors={"close": _refusal_message(exc)}, status=409)
    record(request, "round.closed", f"selbstcheck/{rnd.id}")
    return RedirectResponse(f"/selbstcheck/runden/{rnd.id}", status_code=303)


def delete_round(request: Request) -> Response:
    rnd = _round_or_404(request)
    if not store.delete_draft(_instance(request).db, rnd.id):
        return _round_page(
            request,
            rnd,
            errors={"delete": _("Nur Entwürfe können gelöscht werden.")},
            status=409,
        )
    return RedirectResponse("/selbstcheck/", status_code=303)


# -- leadership: results ----------------------------------------------------------------


def _closed_or_409(request: Request, rnd: store.Round) -> Response | None:
    if rnd.status != "closed":
        return render(
            request,
            "error.html",
            {
                "status": 409,
                "message": _(
                    "Ergebnisse gibt es erst, wenn die Runde abgeschlossen ist: so lässt sich "
                    "aus dem Zuwachs einzelner Antworten nichts ablesen."
                ),
            },
            409,
        )
    return None


def _filters(request: Request, res: RoundResults) -> tuple[str | None, str | None]:
    p = request.query_params.get("perspektive") or None
    a = request.query_params.get("bereich")
    if p not in (None, *res.perspectives):
        p = None
    if a is not None and a not in res.areas:
        a = None
    return p, a


def _area_label(area: str) -> str:
    return area or _("keine Angabe")


def _results_context(request: Request, rnd: store.Round, *, report: bool) -> dict[str, Any]:
    instance = _instance(request)
    res = round_results(instance, rnd)
    q = res.questionnaire
    lang = current_language()
    p, a = _filters(request, res)
    group = res.group(p, a)
    labels = [c.label(lang) for c in q.cornerstones]
    missing = _("unterdrückt")
    series = [
        charts.Series(_("Mittelwert"), [group.cornerstones[c.id].mean for c in q.cornerstones])
    ]
    perspective_groups = [(PERSPECTIVE_LABELS[x], res.group(x, a)) for x in res.perspectives]
    area_groups = [(_area_label(x), res.group(p, x)) for x in res.areas]
    radar = charts.radar(
        labels,
        series
        + [
            charts.Series(str(label), [g.cornerstones[c.id].mean for c in q.cornerstones])
            for label, g in perspective_groups
            if not g.suppressed and p is None
        ],
        title=_("Mittelwerte je Eckpunkt (1 bis 5)"),
        missing=missing,
        uid="radar",
    )
    item_charts = [
        (
            c,
            charts.bars(
                [i.label(lang) for i in c.items],
                [charts.Series(_("Mittelwert"), [group.items[i.id].mean for i in c.items])],
                title=_("Mittelwerte je Aussage: %(title)s", title=c.label(lang)),
                missing=missing,
                uid=f"bars-{c.id}",
            ),
        )
        for c in q.cornerstones
    ]
    recs = collect(instance, res.total.means()) if not group.suppressed else []
    filter_label = ", ".join(
        x
        for x in (
            str(PERSPECTIVE_LABELS[p]) if p else "",
            _area_label(a) if a is not None else "",
        )
        if x
    )
    return {
        "round": rnd,
        "res": res,
        "q": q,
        "group": group,
        "lang_code": lang,
        "perspective": p,
        "area": a,
        "filter_label": filter_label,
        "perspective_groups": perspective_groups,
        "area_groups": area_groups,
        "radar": radar,
        "item_charts": item_charts,
        "recommendations": recs,
        "scale": list(SCALE_LABELS.items()),
        "perspective_labels": PERSPECTIVE_LABELS,
        "area_label": _area_label,
        "min_size": res.min_size,
        "report": report,
        "source": f"selbstcheck:round:{rnd.id}",
        "agreement_notice": _agreement_notice(rnd),
        "cornerstone_titles": {c.id: c.title for c in CORNERSTONES},
        "fmt": _fmt,
        "pct": _pct,
        "count": lambda n: _count(n, res.min_size),
        "today": date.today(),
    }


def _agreement_notice(rnd: store.Round) -> str | None:
    """What the results must say when a round opened without recorded consent."""
    if rnd.agreement_recorded:
        return None
    if rnd.staff_council_agreed_on is not None:
        return _("Für diese Runde ist keine Zustimmung der/des Datenschutzbeauftragten erfasst.")
    if rnd.dpo_agreed_on is not None:
        return _("Für diese Runde ist keine Zustimmung des Personalrats erfasst.")
    return _(
        "Für diese Runde ist keine Zustimmung des Personalrats und der/des "
        "Datenschutzbeauftragten erfasst."
    )


def _count(n: int | None, minimum: int) -> str:
    """A group's size as shown: a suppressed group never shows its size."""
    return str(n) if n is not None else Band(0, minimum).label()


def _fmt(value: float | None) -> str:
    if value is None:
        return "–"
    from babel.numbers import format_decimal

    return format_decimal(value, format="0.0#", locale=current_language())


def _pct(value: float | None) -> str:
    if value is None:
        return "–"
    from babel.numbers import format_percent

    return format_percent(value, locale=current_language())


def results_page(request: Request) -> Response:
    rnd = _round_or_404(request)
    blocked = _closed_or_409(request, rnd)
    if blocked:
        return blocked
    return render(
        request, "selbstcheck/ergebnisse.html", _results_context(request, rnd, report=False)
    )


def report_page(request: Request) -> Response:
    rnd = _round_or_404(request)
    blocked = _closed_or_409(request, rnd)
    if blocked:
        return blocked
    record(request, "results.exported", f"selbstcheck/{rnd.id}", format="print")
    return render(
        request, "selbstcheck/ergebnisse.html", _results_context(request, rnd, report=True)
    )


def export_csv_page(request: Request) -> Response:
    rnd = _round_or_404(request)
    blocked = _closed_or_409(request, rnd)
    if blocked:
        return blocked
    res = round_results(_instance(request), rnd, with_comments=False)
    record(request, "results.exported", f"selbstcheck/{rnd.id}", format="csv")
    return Response(
        export_csv(res),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="selbstcheck-runde-{rnd.id}.csv"'},
    )


def export_json_page(request: Request) -> Response:
    rnd = _round_or_404(request)
    blocked = _closed_or_409(request, rnd)
    if blocked:
        return blocked
    instance = _instance(request)
    res = round_results(instance, rnd, with_comments=False)
    body = json.dumps(export_json(rnd, res, instance.slug), ensure_ascii=False, indent=2)
    record(request, "results.exported", f"selbstcheck/{rnd.id}", format="json")
    return Response(
        body,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="selbstcheck-runde-{rnd.id}.json"'},
    )


def compare_page(request: Request) -> Response:
    """Progress between closed rounds, on the items they share."""
    instance = _instance(request)
    db = instance.db
    closed = [r for r in reversed(store.list_rounds(db)) if r.status == "closed"]
    wanted = [int(x) for x in request.query_params.getlist("runde") if x.isdigit()]
    chosen = [r for r in closed if r.id in wanted] if wanted else closed[-4:]
    lang = current_language()
    context: dict[str, Any] = {
        "closed": closed,
        "chosen": chosen,
        "chosen_ids": {r.id for r in chosen},
        "fmt": _fmt,
        "count": lambda n: _count(n, min_size(instance)),
    }
    if len(chosen) >= 2:
        frozen = [store.questionnaire_of(db, r) for r in chosen]
        shared = shared_items(frozen)
        rows = []
        series = []
        for rnd in chosen:
            total = round_results(instance, rnd, with_comments=False).over(shared)
            rows.append((rnd, total))
            series.append(
                charts.Series(rnd.title, [cell.mean for cell in total.cornerstones.values()])
            )
        base_q = restrict(frozen[0], shared)
        labels = [c.label(lang) for c in base_q.cornerstones]
        context.update(
            {
                "shared": shared,
                "all_items": set().union(*(set(q.items) for q in frozen)),
                "rows": rows,
                "cornerstones": base_q.cornerstones,
                "radar": charts.radar(
                    labels,
                    series,
                    title=_("Fortschritt je Eckpunkt (gemeinsame Aussagen)"),
                    missing=_("unterdrückt"),
                    uid="radar-progress",
                ),
                "bars": charts.bars(
                    labels,
                    series,
                    title=_("Fortschritt je Eckpunkt (gemeinsame Aussagen)"),
                    missing=_("unterdrückt"),
                    uid="bars-progress",
                    label_width=260,
                ),
            }
        )
    return render(request, "selbstcheck/vergleich.html", context)


def routes(instance: Any) -> list[Page]:
    both = ("GET", "POST")
    return [
        Page("/teilnahme", participate, public=True, name="selbstcheck-participate"),
        Page(
            "/teilnahme",
            participate_post,
            methods=("POST",),
            public=True,
            name="selbstcheck-participate-post",
        ),
        Page("/", index, roles=STAFF, name="selbstcheck"),
        Page("/runden/neu", new_round, methods=both, roles=STAFF, name="selbstcheck-round-new"),
        Page("/runden/{round_id:int}", round_detail, roles=STAFF, name="selbstcheck-round"),
        Page(
            "/runden/{round_id:int}/oeffnen",
            open_round,
            methods=("POST",),
            roles=STAFF,
            name="selbstcheck-round-open",
        ),
        Page(
            "/runden/{round_id:int}/schliessen",
            close_round,
            methods=("POST",),
            roles=STAFF,
            name="selbstcheck-round-close",
        ),
        Page(
            "/runden/{round_id:int}/loeschen",
            delete_round,
            methods=("POST",),
            roles=STAFF,
            name="selbstcheck-round-delete",
        ),
        Page(
            "/runden/{round_id:int}/ergebnisse",
            results_page,
            roles=STAFF,
            name="selbstcheck-results",
        ),
        Page("/runden/{round_id:int}/bericht", report_page, roles=STAFF, name="selbstcheck-report"),
        Page(
            "/runden/{round_id:int}/ergebnisse.csv",
            export_csv_page,
            roles=STAFF,
            name="selbstcheck-export-csv",
        ),
        Page(
            "/runden/{round_id:int}/ergebnisse.json",
            export_json_page,
            roles=STAFF,
            name="selbstcheck-export-json",
        ),
        Page("/vergleich", compare_page, roles=STAFF, name="selbstcheck-compare"),
        # Exclusive: not even admin passes; no other page shows a code.
        Page(
            "/codebogen/",
            code_sheets,
            roles=TRUSTED,
            exclusive=True,
            name="selbstcheck-code-sheets",
        ),
        Page(
            "/codebogen/{round_id:int}",
            print_sheet,
            methods=("POST",),
            roles=TRUSTED,
            exclusive=True,
            name="selbstcheck-code-sheet-print",
        ),
        Page(
            "/codebogen/{round_id:int}/weitere",
            print_more,
            methods=("POST",),
            roles=TRUSTED,
            exclusive=True,
            name="selbstcheck-code-sheet-more",
        ),
    ]


__all__ = ["ALL", "routes"]
