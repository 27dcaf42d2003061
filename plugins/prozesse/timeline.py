"""The process timeline as server-rendered SVG that stays readable at every width.

The SVG has no viewBox: it fills its column, horizontal positions are
percentages and text keeps its CSS pixel size, so nothing shrinks on a phone.
Each step's title sits on its own line above its bar (no label column to
squeeze). The month axis is thinned by the width actually available, without
JavaScript: every label carries the smallest container width at which its
level fits (``from-<px>``, see prozesse.css, CSS container queries): the year
labels always show, month names of quarters from a middle width, every
month name only where all of them fit. Titles too long for a narrow column
show shortened there and in full where they fit. Right-to-left pages get the
mirrored axis: time runs from the right.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from datetime import date, timedelta

from babel.dates import format_date
from markupsafe import Markup, escape

from willkommen_core.i18n import current_language, text_direction
from willkommen_core.i18n import gettext as _

from .store import Plan

# Container widths (CSS px) with a rule in prozesse.css; keep both lists equal.
BREAKPOINTS = (360, 420, 480, 560, 640, 720, 800, 900, 1000, 1100)
NARROWEST = 300  # the chart's width at 320 px viewport width (minus the page margins)
CHAR_EM = 0.62  # generous average advance of a character, in em (Latin and Arabic)
AXIS_PX, STEP_PX, PHASE_PX = 12, 13, 14  # font sizes
GAP = 10  # px kept free between two axis labels
YEAR_Y, MONTH_Y, TOP = 16, 34, 44
PHASE_ROW, STEP_ROW, BAR = 28, 38, 12
SHORT = 38  # characters of a title shown below the width where it fits
MIN_BAR = 0.02  # share of the span below which a step is drawn as a diamond
DAY = timedelta(days=1)


def months(first: date, last: date) -> list[date]:
    """The first day of every month from ``first``'s month to ``last``'s."""
    day = date(first.year, first.month, 1)
    found = []
    while day <= last:
        found.append(day)
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return found


def text_px(text: str, size: int) -> float:
    """An upper estimate of the rendered width of ``text`` (no font metrics on the server)."""
    return len(text) * size * CHAR_EM


def needed_width(labels: list[tuple[float, str]], size: int) -> float:
    """The smallest chart width (px) at which no label runs into the next one.

    ``labels`` are (position as a share 0..1 of the width, text) in axis order;
    each label starts at its position and may use the room up to the next.
    """
    need = 0.0
    for (pos, text), nxt in zip(labels, [p for p, _t in labels[1:]] + [1.0], strict=True):
        room = max(nxt - pos, 1e-6)
        need = max(need, (text_px(text, size) + GAP) / room)
    return need


def breakpoint_for(width: float) -> int | None:
    """The smallest container breakpoint at which ``width`` px are available, if any."""
    if width <= NARROWEST:
        return 0
    return next((b for b in BREAKPOINTS if b >= width), None)


def thin_to_fit(labels: list[tuple[float, str]], size: int) -> list[tuple[float, str]]:
    """Every k-th label with the smallest k that fits the narrowest chart."""
    for k in (1, 2, 3, 4, 5, 10, 20, 50):
        kept = labels[::k]
        if needed_width(kept, size) <= NARROWEST:
            return kept
    return labels[:1]


def shown_from(width: float) -> str | None:
    """The class that shows a text needing ``width`` px: "" (always), ``from-<bp>``, None (never)."""
    bp = breakpoint_for(width)
    if bp is None:
        return None
    return f"from-{bp}" if bp else ""


class _Axis:
    def __init__(self, first: date, span_days: int, rtl: bool) -> None:
        self.first, self.span, self.rtl = first, span_days, rtl

    def share(self, day: date) -> float:
        return min(max((day - self.first).days / self.span, 0.0), 1.0)

    def at(self, share: float) -> str:
        """The x attribute for a share of the time span; 1 % kept free at both ends."""
        pct = 1 + 98 * share
        return f"{100 - pct if self.rtl else pct:.3f}%"

    def x(self, day: date) -> str:
        return self.at(self.share(day))

    @property
    def sign(self) -> int:
        return -1 if self.rtl else 1

    @property
    def start(self) -> str:
        return "100%" if self.rtl else "0"


def _text(x: str, y: float, text: str, cls: str, extra: str = "") -> str:
    return f'<text class="{cls.strip()}" x="{x}" y="{y:.0f}"{extra}>{escape(text)}</text>'


def own_direction(text: str) -> str:
    """``"rtl"`` or ``"ltr"`` by the text's first strong character (HTML's ``dir="auto"``)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return ""


def _start_text(axis: _Axis, y: float, text: str, cls: str) -> str:
    """Text from the start edge; text of the other direction (a German title on an
    Arabic page) keeps its own, so its punctuation and "…" stay in place."""
    own = own_direction(text)
    if own and (own == "rtl") != axis.rtl:  # its end lies at the page's start edge
        return _text(axis.start, y, text, cls, f' direction="{own}" text-anchor="end"')
    return _text(axis.start, y, text, cls)


def _year_labels(axis: _Axis, ticks: list[date]) -> Iterable[tuple[float, str, str]]:
    """(share, year, width class): each January, thinned to fit; the start's year where it fits."""
    januaries = [(axis.share(t), str(t.year)) for t in ticks if t.month == 1]
    kept = thin_to_fit(januaries, AXIS_PX)
    start = ticks[0]
    if start.month != 1 or not kept or kept[0][1] != str(start.year):
        head = (axis.share(axis.first), str(start.year))
        cls = shown_from(needed_width([head, *januaries[:1]], AXIS_PX))
        if cls is not None:
            yield (*head, cls)
    for share, text in kept:
        yield share, text, ""


def _axis_labels(axis: _Axis, ticks: list[date], lang: str) -> Iterable[str]:
    dx = f' dx="{3 * axis.sign}"'
    for share, text, year_class in _year_labels(axis, ticks):
        yield _text(axis.at(share), YEAR_Y, text, f"year {year_class}", dx)
    names = [(t, format_date(t, "LLL", locale=lang)) for t in ticks]
    if len(ticks) > 1 and (ticks[1] - axis.first).days < 15:
        names = names[1:]  # the plan starts late in its first month: no room for its name
    every = [(axis.share(max(t, axis.first)), name) for t, name in names]
    quarters = [(axis.share(max(t, axis.first)), n) for t, n in names if t.month % 3 == 1]
    every_class = shown_from(needed_width(every, AXIS_PX))
    quarter_class = shown_from(needed_width(quarters, AXIS_PX))
    for t, name in names:
        cls = quarter_class if t.month % 3 == 1 and quarter_class is not None else every_class
        if cls is None:
            continue  # does not fit even in the widest column
        yield _text(axis.x(max(t, axis.first)), MONTH_Y, name, f"month {cls}", dx)


def _label(axis: _Axis, y: float, text: str, cls: str, size: int) -> Iterable[str]:
    """The full text where it fits, a shortened one below that width."""
    full = shown_from(text_px(text, size))
    if full == "":
        yield _start_text(axis, y, text, cls)
        return
    short = text[: SHORT - 1].rstrip() + "…"
    if full is None:
        yield _start_text(axis, y, short, cls)
        return
    yield _start_text(axis, y, text, f"{cls} {full}")
    yield _start_text(axis, y, short, f"{cls} {full.replace('from-', 'until-')}")


def timeline_svg(plan: Plan, date_label: Callable[[date | None], str]) -> Markup:
    """A Gantt-like chart: one bar per dated step (a diamond for a single day), by phase.

    Accessible as one image with title and description; the data table beside
    it on the page carries every value for screen readers and printing.
    """
    lang = current_language()
    dated = [s for s in plan.steps if s.planned_on]
    title = _("Zeitplan: %(title)s", title=plan.title)
    if dated:
        first = min(s.planned_on for s in dated)
        last = max((s.ends_on or s.planned_on) for s in dated)
        desc = _(
            "%(n)s Schritte in %(phases)s Phasen von %(first)s bis %(last)s; "
            "die Tabelle unter der Grafik enthält alle Angaben.",
            n=len(dated),
            phases=len(plan.phases),
            first=date_label(first),
            last=date_label(last),
        )
    else:
        first = last = plan.start_date
        desc = _("Noch keine datierten Schritte.")
    # A little room after the last day: its bar or diamond and the last month's name.
    axis = _Axis(first, max((last - first).days + 1, 30) + 10, text_direction(lang) == "rtl")
    ticks = months(first, last)
    body = list(_axis_labels(axis, ticks, lang))
    y = TOP
    rows: list[str] = []
    for phase in plan.phases:
        steps = [s for s in phase.steps if s.planned_on]
        if not steps:
            continue
        rows.extend(_label(axis, y + PHASE_ROW - 8, phase.title, "phase", PHASE_PX))
        y += PHASE_ROW
        for s in steps:
            rows.extend(_label(axis, y + 14, s.title, "step", STEP_PX))
            bar_y = y + 20
            status = escape(s.status)
            x1, x2 = axis.share(s.planned_on), axis.share((s.ends_on or s.planned_on) + DAY)
            if x2 - x1 >= MIN_BAR:
                left = 1 - x2 if axis.rtl else x1
                rows.append(
                    f'<rect class="bar status-{status}" x="{1 + 98 * left:.3f}%" y="{bar_y}" '
                    f'width="{98 * (x2 - x1):.3f}%" height="{BAR}" rx="3"/>'
                )
            else:  # too short to show its length at a phone's width: a point in time
                rows.append(
                    f'<use class="bar status-{status}" href="#timeline-day" '
                    f'x="{axis.x(s.planned_on)}" y="{bar_y + BAR / 2:.0f}"/>'
                )
            y += STEP_ROW
    height = y + 8
    grid = "".join(
        f'<line class="tick" x1="{axis.x(max(t, first))}" y1="{TOP - 6}" '
        f'x2="{axis.x(max(t, first))}" y2="{height}"/>'
        for t in ticks
    )
    return Markup(  # noqa: S704 -- every text part is escaped
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" role="img" '
        f'width="100%" height="{height}" aria-labelledby="timeline-title timeline-desc">'
        f'<title id="timeline-title">{escape(title)}</title>'
        f'<desc id="timeline-desc">{escape(desc)}</desc>'
        '<defs><polygon id="timeline-day" points="0,-7 7,0 0,7 -7,0"/></defs>'
        f"{grid}{''.join(body)}{''.join(rows)}</svg>"
    )
