"""Leadership (role ``leitung``): results of closed rounds, exports and progress.

Results exist only once a round is closed; a group below the instance's
minimum size shows no mean, no distribution and no size (see
:mod:`..results`). Every export is written to the audit log.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from starlette.responses import Response

from willkommen_core.disclosure.participation import Band
from willkommen_core.domain import CORNERSTONES
from willkommen_core.i18n import current_language
from willkommen_core.i18n import gettext as _
from willkommen_core.sdk import PageRequest

from .. import STAFF, charts, store
from ..recommend import collect
from ..results import RoundResults, restrict, shared_items
from ..summary import export_csv, export_json, min_size, round_results
from .common import PERSPECTIVE_LABELS, SCALE_LABELS, page, round_or_404


def _closed_round(p: PageRequest) -> tuple[store.Round, Response | None]:
    """The round of the path, and the 409 page if it is not closed yet."""
    rnd = round_or_404(p)
    if rnd.status == "closed":
        return rnd, None
    message = _(
        "Ergebnisse gibt es erst, wenn die Runde abgeschlossen ist: so lässt sich "
        "aus dem Zuwachs einzelner Antworten nichts ablesen."
    )
    return rnd, p.render("error.html", {"status": 409, "message": message}, 409)


def _filters(p: PageRequest, res: RoundResults) -> tuple[str | None, str | None]:
    perspective = p.query("perspektive") or None
    area = p.request.query_params.get("bereich")  # "" (no area given) is a group of its own
    if perspective not in (None, *res.perspectives):
        perspective = None
    if area is not None and area not in res.areas:
        area = None
    return perspective, area


def _area_label(area: str) -> str:
    return area or _("keine Angabe")


def _results_context(p: PageRequest, rnd: store.Round, *, report: bool) -> dict[str, Any]:
    res = round_results(p.instance, rnd)
    q = res.questionnaire
    lang = current_language()
    perspective, area = _filters(p, res)
    group = res.group(perspective, area)
    labels = [c.label(lang) for c in q.cornerstones]
    missing = _("unterdrückt")
    series = [
        charts.Series(_("Mittelwert"), [group.cornerstones[c.id].mean for c in q.cornerstones])
    ]
    perspective_groups = [(PERSPECTIVE_LABELS[x], res.group(x, area)) for x in res.perspectives]
    area_groups = [(_area_label(x), res.group(perspective, x)) for x in res.areas]
    overview_chart = charts.dot_plot(
        labels,
        series
        + [
            charts.Series(str(label), [g.cornerstones[c.id].mean for c in q.cornerstones])
            for label, g in perspective_groups
            if not g.suppressed and perspective is None
        ],
        title=_("Mittelwerte je Eckpunkt (1 bis 5)"),
        missing=missing,
        uid="overview",
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
    recs = collect(p.instance, res.total.means()) if not group.suppressed else []
    filter_label = ", ".join(
        x
        for x in (
            str(PERSPECTIVE_LABELS[perspective]) if perspective else "",
            _area_label(area) if area is not None else "",
        )
        if x
    )
    return {
        "round": rnd,
        "res": res,
        "q": q,
        "group": group,
        "lang_code": lang,
        "perspective": perspective,
        "area": area,
        "filter_label": filter_label,
        "perspective_groups": perspective_groups,
        "area_groups": area_groups,
        "overview_chart": overview_chart,
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


@page("/runden/{round_id:int}/ergebnisse", roles=STAFF, name="results")
def results_page(p: PageRequest) -> Response:
    rnd, blocked = _closed_round(p)
    if blocked:
        return blocked
    return p.render("selbstcheck/ergebnisse.html", _results_context(p, rnd, report=False))


@page("/runden/{round_id:int}/bericht", roles=STAFF, name="report")
def report_page(p: PageRequest) -> Response:
    rnd, blocked = _closed_round(p)
    if blocked:
        return blocked
    p.audit("results.exported", f"selbstcheck/{rnd.id}", format="print")
    return p.render("selbstcheck/ergebnisse.html", _results_context(p, rnd, report=True))


@page("/runden/{round_id:int}/ergebnisse.csv", roles=STAFF, name="export_csv")
def export_csv_page(p: PageRequest) -> Response:
    rnd, blocked = _closed_round(p)
    if blocked:
        return blocked
    res = round_results(p.instance, rnd, with_comments=False)
    p.audit("results.exported", f"selbstcheck/{rnd.id}", format="csv")
    return p.download(export_csv(res), f"selbstcheck-runde-{rnd.id}.csv", "text/csv; charset=utf-8")


@page("/runden/{round_id:int}/ergebnisse.json", roles=STAFF, name="export_json")
def export_json_page(p: PageRequest) -> Response:
    rnd, blocked = _closed_round(p)
    if blocked:
        return blocked
    res = round_results(p.instance, rnd, with_comments=False)
    body = json.dumps(export_json(rnd, res, p.instance.slug), ensure_ascii=False, indent=2)
    p.audit("results.exported", f"selbstcheck/{rnd.id}", format="json")
    return p.download(body, f"selbstcheck-runde-{rnd.id}.json", "application/json")


@page("/vergleich", roles=STAFF, name="compare")
def compare_page(p: PageRequest) -> Response:
    """Progress between closed rounds, on the items they share."""
    closed = [r for r in reversed(store.list_rounds(p.db)) if r.status == "closed"]
    wanted = [int(x) for x in p.request.query_params.getlist("runde") if x.isdecimal()]
    chosen = [r for r in closed if r.id in wanted] if wanted else closed[-4:]
    lang = current_language()
    minimum = min_size(p.instance)
    context: dict[str, Any] = {
        "closed": closed,
        "chosen": chosen,
        "chosen_ids": {r.id for r in chosen},
        "fmt": _fmt,
        "count": lambda n: _count(n, minimum),
    }
    if len(chosen) >= 2:
        frozen = [store.questionnaire_of(p.db, r) for r in chosen]
        shared = shared_items(frozen)
        rows = []
        series = []
        for rnd in chosen:
            total = round_results(p.instance, rnd, with_comments=False).over(shared)
            rows.append((rnd, total))
            series.append(
                charts.Series(rnd.title, [cell.mean for cell in total.cornerstones.values()])
            )
        base_q = restrict(frozen[0], shared)
        labels = [c.label(lang) for c in base_q.cornerstones]
        title = _("Fortschritt je Eckpunkt (gemeinsame Aussagen)")
        context.update(
            {
                "shared": shared,
                "all_items": set().union(*(set(q.items) for q in frozen)),
                "rows": rows,
                "cornerstones": base_q.cornerstones,
                "overview_chart": charts.dot_plot(
                    labels, series, title=title, missing=_("unterdrückt"), uid="dots-progress"
                ),
                "bars": charts.bars(
                    labels,
                    series,
                    title=title,
                    missing=_("unterdrückt"),
                    uid="bars-progress",
                ),
            }
        )
    return p.render("selbstcheck/vergleich.html", context)
