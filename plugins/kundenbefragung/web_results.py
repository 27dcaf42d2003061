"""Results for leitung: per month, quarter or year, per question and cornerstone,
waiting times, by site, service and language, the trend, the staff's view beside
the customers', unusual bursts, exports. Every figure comes from :mod:`.results`."""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.responses import Response

from willkommen_core.disclosure.participation import coarse_count
from willkommen_core.domain import CORNERSTONES as CORE_CORNERSTONES
from willkommen_core.i18n import current_language, in_language
from willkommen_core.i18n import gettext as _

from . import STAFF, bursts, charts, module, periods, sidebyside, store
from .content import current
from .results import CHARACTERISTICS, Results, final_months, for_months, min_size
from .settings import settings_of
from .summary import export_csv, export_xlsx

page = module.pages.page


def _in_page_language(text: Any) -> str:
    """A content text (``Text(text, lang)``) marked with its language where that is not the page's."""
    return in_language(text.text, text.lang)


TREND_PERIODS = 8
KIND_NAMES = {"month": "Monat", "quarter": "Quartal", "year": "Jahr"}


def cornerstone_title(cid: str) -> str:
    found = next((str(c.title) for c in CORE_CORNERSTONES if c.id == cid), None)
    return found or _("Gesamteindruck")


def _choice(p: Any) -> tuple[str, list[str], str]:
    """The kind of period, the complete periods of that kind, and the one chosen."""
    kind = p.query("art", "quarter")
    if kind not in periods.KINDS:
        kind = "quarter"
    available = periods.complete_periods(final_months(p.instance), kind)
    chosen = p.query("zeitraum")
    if chosen not in available:
        chosen = available[-1] if available else ""
    return kind, available, chosen


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}".replace(".", ",")


def _trend(p: Any, kind: str, available: list[str], chosen: str) -> list[dict[str, Any]]:
    upto = available[: available.index(chosen) + 1][-TREND_PERIODS:] if chosen else []
    rows = []
    for period in upto:
        res = for_months(p.instance, periods.months_of(period))
        rows.append(
            {
                "period": periods.label(period),
                "responses": res.size(),
                "means": {c: cell.mean for c, cell in res.cornerstones().items()},
            }
        )
    return rows


@page("/ergebnisse", roles=STAFF, name="results")
def results_page(p: Any) -> Response:
    return p.render("kundenbefragung/results.html", _context(p))


def _context(p: Any, error: str = "") -> dict[str, Any]:
    kind, available, chosen = _choice(p)
    settings = settings_of(p.instance)
    today = date.today()
    res = (
        for_months(p.instance, periods.months_of(chosen), with_comments=settings.allow_comment)
        if chosen
        else Results(current(p.instance), min_size(p.instance), [])
    )
    survey = res.survey
    rows = [(q, res.question(q.id)) for q in survey.questions if q.kind in ("rating", "wait")]
    corner = res.cornerstones()
    wait = res.wait()
    wait_rows = [
        # In the page's language (a German fallback marked as such).
        (
            _in_page_language(survey.text(current_language(), "wait", str(b))),
            (wait.distribution or {}).get(str(b)),
        )
        for b in range(1, 6)
    ]
    rounds = sidebyside.staff_rounds(p.instance)
    rnd, inside = sidebyside.round_for(rounds, res.months)
    compared = sidebyside.compare(res, rnd) if chosen else []
    found_bursts = bursts.open_bursts(p.instance, settings, today)
    trend = _trend(p, kind, available, chosen)
    return {
        "kind": kind,
        "kinds": KIND_NAMES,
        "available": [(a, periods.label(a)) for a in available],
        "chosen": chosen,
        "chosen_label": periods.label(chosen) if chosen else "",
        "res": res,
        "survey": survey,
        "min_size": res.min_size,
        "responses": res.size(),
        "rows": rows,
        "corner": corner,
        "title_of": cornerstone_title,
        "fmt": _fmt,
        "chart_cornerstones": charts.bars(
            _("Mittelwerte je Eckpunkt (1 bis 5)"),
            [
                (
                    cornerstone_title(c),
                    cell.mean,
                    _fmt(cell.mean) if cell.mean else _("unterdrückt"),
                )
                for c, cell in corner.items()
            ],
            5,
        ),
        "wait": wait,
        "wait_rows": wait_rows,
        "chart_wait": charts.bars(
            _("Wartezeit heute, Anzahl der Antworten je Dauer"),
            [(label, n, str(n) if n is not None else _("unterdrückt")) for label, n in wait_rows],
            max([n or 0 for _l, n in wait_rows] or [0]),
        ),
        "breakdowns": {
            c: [(v, res.size(**{c: v}), res.cornerstones(**{c: v})) for v in res.values_of(c)]
            for c in CHARACTERISTICS
        },
        "service_name": lambda s: survey.text("de", "services", s).text if s else _("keine Angabe"),
        "trend": trend,
        "chart_trend": charts.bars(
            _("Gesamteindruck im Verlauf (Mittelwert 1 bis 5)"),
            [
                (
                    t["period"],
                    t["means"].get("gesamt"),
                    _fmt(t["means"].get("gesamt")) if t["means"].get("gesamt") else "–",
                )
                for t in trend
            ],
            5,
        ),
        "round": rnd,
        "round_inside": inside,
        "compared": compared,
        "bursts": [(b, coarse_count(b.n, res.min_size).label()) for b in found_bursts],
        "exclusions": store.list_exclusions(p.db),
        "comments": res.comments() if settings.allow_comment and chosen else [],
        "allow_comment": settings.allow_comment,
        "done": p.query("ok"),
        "error": error,
    }


@page("/ergebnisse/ausschliessen", methods=("POST",), roles=STAFF, name="exclude")
def exclude(p: Any) -> Response:
    settings = settings_of(p.instance)
    today = date.today()
    day_text, site, channel = (
        p.value("tag", limit=10),
        p.value("standort", limit=200),
        p.value("kanal", limit=10),
    )
    reason = p.value("grund", limit=1000)
    flagged = {
        (b.day.isoformat(), b.site, b.channel)
        for b in bursts.open_bursts(p.instance, settings, today)
    }
    if (day_text, site, channel) not in flagged:
        p.not_found("Dieser Tag ist nicht (mehr) als auffällig markiert.")
    if len(reason) < 10:
        error = _("Bitte begründen Sie den Ausschluss (mindestens 10 Zeichen).")
        return p.render("kundenbefragung/results.html", _context(p, error), 400)
    removed = store.exclude(
        p.db,
        date.fromisoformat(day_text),
        site,
        channel,
        reason=reason,
        by=p.user.name,
        today=today,
    )
    # The reason is shown with the exclusions below the results; the audit log
    # says who did it, when, and what (the reason's text is the module's record).
    p.audit("kundenbefragung.day_excluded", day_text, site=site, channel=channel, answers=removed)
    return p.render(
        "kundenbefragung/results.html", {**_context(p), "done": "excluded", "removed": removed}
    )


@page("/ergebnisse/export.{fmt}", roles=STAFF, name="export")
def export(p: Any) -> Response:
    fmt = p.param("fmt")
    if fmt not in ("csv", "xlsx"):
        p.not_found("Export als CSV oder XLSX.")
    _kind, _available, chosen = _choice(p)
    if not chosen:
        p.not_found("Noch kein abgeschlossener Zeitraum.")
    res = for_months(p.instance, periods.months_of(chosen))
    name = f"kundenbefragung-{chosen}.{fmt}"
    p.audit("results.exported", f"kundenbefragung/{chosen}", format=fmt)
    if fmt == "csv":
        return p.download(export_csv(chosen, res), name, "text/csv; charset=utf-8")
    return p.download(
        export_xlsx(chosen, res),
        name,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@page("/aushang", roles=STAFF, name="poster")
def poster(p: Any) -> Response:
    """The poster (A4) or counter card (A6) as PDF; without ``format`` the choice."""
    from . import render

    sites = [s.name for s in p.instance.settings.authority.sites]
    size = p.query("format")
    if not size:
        return p.render("kundenbefragung/poster.html", {"sites": sites, "sizes": render.SIZES})
    if size not in render.SIZES:
        p.not_found("Format a4 oder card.")
    site = p.query("standort")
    site = site if site in sites and len(sites) > 1 else ""
    base = str(p.request.base_url).rstrip("/") + p.url("survey").rsplit("/kundenbefragung/", 1)[0]
    pdf = render.poster(p.instance, base, size, site)
    return p.download(pdf, f"kundenbefragung-{size}.pdf", "application/pdf")
