"""Leadership (role ``leitung``): the rounds, from draft to open to closed.

Opening a round creates no code anyone here could see: one-time codes are
printed only by the trusted person (:mod:`.code_sheets`). Participation
counts of an open round are shown only coarsely.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from starlette.responses import Response

from willkommen_core.i18n import gettext as _
from willkommen_core.sdk import PageRequest
from willkommen_core.web.forms import parse_date

from .. import STAFF, store
from .. import questionnaire as qmod
from ..store import Refused
from ..summary import min_size
from .common import (
    MODE_HINTS,
    MODE_LABELS,
    STATUS_LABELS,
    absolute_url,
    notice_text,
    page,
    participants,
    refusal_message,
    round_or_404,
    token_count,
)


@page("/", roles=STAFF)
def index(p: PageRequest) -> Response:
    rounds = store.list_rounds(p.db)
    counts = {r.id: participants(p, r, store.response_count(p.db, r.id)) for r in rounds}
    return p.render(
        "selbstcheck/index.html",
        {
            "rounds": rounds,
            "counts": counts,
            "status_labels": STATUS_LABELS,
            "mode_labels": MODE_LABELS,
            "q": qmod.current(p.instance),
            "min_size": min_size(p.instance),
            "closed_count": sum(1 for r in rounds if r.status == "closed"),
        },
    )


def _new_round_form(
    p: PageRequest, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> Response:
    return p.render(
        "selbstcheck/runde_neu.html",
        {
            "values": values,
            "errors": errors,
            "mode_options": [(k, str(v)) for k, v in MODE_LABELS.items()],
            "mode_hints": MODE_HINTS,
            "require_agreement_forced": p.settings.require_agreement,
        },
        status,
    )


@page("/runden/neu", methods=("GET", "POST"), roles=STAFF, name="round_new")
def new_round(p: PageRequest) -> Response:
    if p.method == "GET":
        values = {"title": "", "mode": "code", "period_start": "", "period_end": ""}
        return _new_round_form(p, values, {})
    values = {
        k: p.value(k) for k in ("title", "mode", "period_start", "period_end", "require_agreement")
    }
    errors: dict[str, str] = {}
    if not values["title"]:
        errors["title"] = _("Bitte geben Sie einen Titel an.")
    elif len(values["title"]) > 200:
        errors["title"] = _("Der Titel darf höchstens %(n)s Zeichen haben.", n=200)
    if values["mode"] not in store.MODES:
        errors["mode"] = _("Bitte wählen Sie, wie teilgenommen wird.")
    start = parse_date(values["period_start"], "period_start", errors)
    end = parse_date(values["period_end"], "period_end", errors)
    if start and end and end < start:
        errors["period_end"] = _("Das Ende liegt vor dem Beginn.")
    if errors:
        return _new_round_form(p, values, errors, 400)
    round_id = store.create_round(
        p.db,
        qmod.current(p.instance),
        title=values["title"],
        mode=values["mode"],
        period_start=start,
        period_end=end,
        require_agreement=bool(values["require_agreement"]) or p.settings.require_agreement,
    )
    return p.redirect("round", round_id=round_id)


def _round_page(
    p: PageRequest,
    rnd: store.Round,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    issued, used = store.token_counts(p.db, rnd.id)
    link = ""
    if rnd.code:
        link = f"{absolute_url(p, 'participate')}?{urlencode({'code': rnd.display_code})}"
    return p.render(
        "selbstcheck/runde.html",
        {
            "round": rnd,
            "count": participants(p, rnd, store.response_count(p.db, rnd.id)),
            "issued": issued,
            "used": participants(p, rnd, used),
            "agreement_required": rnd.require_agreement or p.settings.require_agreement,
            "mode_hints": MODE_HINTS,
            "link": link,
            "status_labels": STATUS_LABELS,
            "mode_labels": MODE_LABELS,
            "notice": notice_text(p.instance),
            "errors": errors or {},
            "values": values or {"tokens": "30", "staff_council": "", "dpo": ""},
            "max_tokens": p.settings.max_tokens,
            "min_size": min_size(p.instance),
        },
        status,
    )


@page("/runden/{round_id:int}", roles=STAFF, name="round")
def round_detail(p: PageRequest) -> Response:
    return _round_page(p, round_or_404(p))


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


@page("/runden/{round_id:int}/oeffnen", methods=("POST",), roles=STAFF, name="round_open")
def open_round(p: PageRequest) -> Response:
    rnd = round_or_404(p)
    values = {k: p.value(k) for k in ("tokens", "staff_council", "dpo", "notice_read")}
    errors: dict[str, str] = {}
    if not values["notice_read"]:
        errors["notice_read"] = _(
            "Bitte bestätigen Sie, dass der Hinweis zur Teilnahme gezeigt wird."
        )
    council = parse_date(values["staff_council"], "staff_council", errors)
    dpo = parse_date(values["dpo"], "dpo", errors)
    required = rnd.require_agreement or p.settings.require_agreement
    _agreement_errors(required, council, dpo, errors)
    count = 0
    if rnd.mode == "tokens":
        count = token_count(values["tokens"], p.settings.max_tokens, errors)
    if errors:
        return _round_page(p, rnd, errors=errors, values=values, status=400)
    try:
        store.open_round(
            p.db,
            rnd.id,
            notice=notice_text(p.instance),
            staff_council_agreed_on=council,
            dpo_agreed_on=dpo,
            tokens_count=count,
            require_agreement=required,
        )
    except Refused as exc:
        return _round_page(p, rnd, errors={"open": refusal_message(exc)}, status=409)
    p.audit("round.opened", f"selbstcheck/{rnd.id}", mode=rnd.mode, codes=count)
    # No codes here: the trusted person prints them (code_sheets).
    return p.redirect("round", round_id=rnd.id)


@page("/runden/{round_id:int}/schliessen", methods=("POST",), roles=STAFF, name="round_close")
def close_round(p: PageRequest) -> Response:
    rnd = round_or_404(p)
    try:
        store.close_round(p.db, rnd.id)
    except Refused as exc:
        return _round_page(p, rnd, errors={"close": refusal_message(exc)}, status=409)
    p.audit("round.closed", f"selbstcheck/{rnd.id}")
    return p.redirect("round", round_id=rnd.id)


@page("/runden/{round_id:int}/loeschen", methods=("POST",), roles=STAFF, name="round_delete")
def delete_round(p: PageRequest) -> Response:
    rnd = round_or_404(p)
    if not store.delete_draft(p.db, rnd.id):
        return _round_page(
            p, rnd, errors={"delete": _("Nur Entwürfe können gelöscht werden.")}, status=409
        )
    return p.redirect("index")
