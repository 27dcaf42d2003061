"""Accessible SVG charts rendered on the server (no JavaScript, no inline CSS).

Each chart is an ``<svg role="img">`` with ``<title>`` and ``<desc>``; the
pages always put a data table with the same numbers beside it.

The charts are *responsive without scaling text*: the SVG has no viewBox and
fills the width of its column; horizontal positions are percentages, text
sizes stay in CSS pixels. Labels therefore never shrink on a phone and never
run out of the picture: each label sits on its own line(s) above its row,
wrapped on the server, and the values below it.

Series differ by colour AND by marker shape (dot plot) or fill pattern
(bars), each on its own lane, so nothing depends on colour alone and close
values never hide each other; colours meet 3:1 against white (text 4.5:1).
Right-to-left pages get the mirrored chart: the scale runs from the right.
Suppressed values are named in the lane and in the description.
"""

from __future__ import annotations

import textwrap
import unicodedata
from dataclasses import dataclass
from xml.sax.saxutils import escape

from markupsafe import Markup

from willkommen_core.i18n import current_language, text_direction

# Colour, dash pattern of bar outlines: distinguishable in greyscale too.
SERIES = [
    ("#00457d", ""),
    ("#b34700", "6 4"),
    ("#1e6b30", "2 3"),
    ("#6b2c91", "10 3 2 3"),
]
# Marker shapes around (0, 0), one per series: circle, square, triangle, diamond.
SHAPES = [
    '<circle r="6"/>',
    '<rect x="-5.5" y="-5.5" width="11" height="11"/>',
    '<polygon points="0,-7 7,5.5 -7,5.5"/>',
    '<polygon points="0,-7.5 7.5,0 0,7.5 -7.5,0"/>',
]
INK, MUTED, GRID, BAND = "#1b1b1b", "#4a4a4a", "#767676", "#f2f4f7"

WRAP = 36  # characters per label line: fits a 320 px wide screen at 15 px type
LINE = 20  # px per label line
LANE = 18  # px per series lane
PLOT_START, PLOT_END = 3.0, 91.0  # % of the width for the values 1 and 5


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]  # one per axis/category, None = suppressed


def _fmt(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def _rtl() -> bool:
    return text_direction(current_language()) == "rtl"


class _Axis:
    """Percent positions of the scale 1..5, mirrored for right-to-left pages."""

    def __init__(self, rtl: bool) -> None:
        self.rtl = rtl
        self.sign = -1 if rtl else 1  # pixel offsets towards the reading direction

    def pct(self, value: float) -> float:
        share = PLOT_START + (PLOT_END - PLOT_START) * (value - 1) / 4
        return 100 - share if self.rtl else share

    def at(self, value: float) -> str:
        return f"{self.pct(value):.2f}%"

    @property
    def start(self) -> str:
        """Where text in the reading direction begins (the start edge)."""
        return "100%" if self.rtl else "0"


def _svg(height: int, title: str, desc: str, body: str, uid: str, rtl: bool) -> Markup:
    # Every text in body and here went through escape(): safe to mark as markup.
    direction = ' direction="rtl"' if rtl else ""
    return Markup(  # noqa: S704
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="100%" height="{height}" '
        f'role="img" aria-labelledby="{uid}-t {uid}-d" focusable="false"{direction}>'
        f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(desc)}</desc>'
        f"{body}</svg>"
    )


def _describe(labels: list[str], series: list[Series], missing: str) -> str:
    parts = []
    for s in series:
        values = ", ".join(
            f"{label}: {_fmt(v) if v is not None else missing}"
            for label, v in zip(labels, s.values, strict=False)
        )
        parts.append(f"{s.name}: {values}")
    return ". ".join(parts)


def _text(x: str, y: float, text: str, *, size: int, fill: str = INK, extra: str = "") -> str:
    return (
        f'<text x="{x}" y="{y:.0f}" font-size="{size}" fill="{fill}"{extra}>{escape(text)}</text>'
    )


def own_direction(text: str) -> str:
    """``"rtl"`` or ``"ltr"`` by the text's first strong character (HTML's ``dir="auto"``)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return ""


def _start_text(axis: _Axis, y: float, text: str, *, size: int, extra: str = "") -> str:
    """Text from the start edge; text of the other direction (a German title on an
    Arabic page) keeps its own, so its punctuation stays in place."""
    own = own_direction(text)
    if own and (own == "rtl") != axis.rtl:  # its end lies at the page's start edge
        extra += f' direction="{own}" text-anchor="end"'
    return _text(axis.start, y, text, size=size, extra=extra)


def _defs(uid: str, count: int) -> str:
    shapes = "".join(
        f'<g id="{uid}-m{n}" fill="{SERIES[n % len(SERIES)][0]}" stroke="#ffffff" '
        f'stroke-width="1">{SHAPES[n % len(SHAPES)]}</g>'
        for n in range(count)
    )
    return f"<defs>{shapes}</defs>"


def _legend(uid: str, series: list[Series], axis: _Axis, y: int, *, bars: bool) -> tuple[str, int]:
    """One line per series (names may be long): the marker or swatch, then the name."""
    if len(series) < 2:
        return "", y
    out = []
    for n, s in enumerate(series):
        mid = y + LANE / 2
        if bars:
            out.append(_bar_rect(n, axis.start, mid - 6, "22", 12, mirror=axis.rtl))
        else:
            out.append(
                f'<use href="#{uid}-m{n}" x="{axis.start}" y="{mid:.0f}" '
                f'transform="translate({10 * axis.sign},0)"/>'
            )
        out.append(_start_text(axis, mid + 5, s.name, size=14, extra=f' dx="{30 * axis.sign}"'))
        y += LANE + 4
    return "".join(out), y + 6


def _scale(axis: _Axis, y: int) -> str:
    """The numbers 1 to 5 above the rows."""
    return "".join(
        _text(axis.at(v), y, str(v), size=13, fill=MUTED, extra=' text-anchor="middle"')
        for v in range(1, 6)
    )


def _grid(axis: _Axis, top: float, bottom: float) -> str:
    band = (
        f'<rect x="{min(axis.pct(1), axis.pct(5)):.2f}%" y="{top:.0f}" '
        f'width="{PLOT_END - PLOT_START:.2f}%" height="{bottom - top:.0f}" fill="{BAND}"/>'
    )
    dotted = ' stroke-dasharray="2 3"'
    lines = "".join(
        f'<line x1="{axis.at(v)}" y1="{top:.0f}" x2="{axis.at(v)}" y2="{bottom:.0f}" '
        f'stroke="{GRID}" stroke-width="1"{"" if v in (1, 5) else dotted}/>'
        for v in range(1, 6)
    )
    return band + lines


def _bar_rect(n: int, x: str, y: float, width: str, height: int, *, mirror: bool) -> str:
    colour, dash = SERIES[n % len(SERIES)]
    outline = f' stroke="{INK}" stroke-width="1.5" stroke-dasharray="{dash}"' if dash else ""
    shift = f' transform="translate(-{width},0)"' if mirror and not width.endswith("%") else ""
    return f'<rect x="{x}" y="{y:.0f}" width="{width}" height="{height}" fill="{colour}"{outline}{shift}/>'


def _rows(
    labels: list[str],
    series: list[Series],
    *,
    title: str,
    missing: str,
    uid: str,
    bars: bool,
) -> Markup:
    axis = _Axis(_rtl())
    body = [] if bars else [_defs(uid, len(series))]
    legend, y = _legend(uid, series, axis, 4, bars=bars)
    body.append(legend)
    y += 16
    body.append(_scale(axis, y))
    y += 8
    for row, label in enumerate(labels):
        lines = textwrap.wrap(label, WRAP) or [""]
        for line in lines:
            y += LINE
            body.append(_start_text(axis, y - 5, line, size=15))
        top = y + 3
        bottom = top + LANE * len(series) + 4
        body.append(_grid(axis, top, bottom))
        for n, s in enumerate(series):
            value = s.values[row] if row < len(s.values) else None
            mid = top + 2 + LANE * n + LANE / 2
            if value is None:
                body.append(
                    _text(
                        axis.at(1),
                        mid + 5,
                        missing,
                        size=13,
                        fill=MUTED,
                        extra=f' dx="{6 * axis.sign}" font-style="italic"',
                    )
                )
                continue
            body.append(_value(uid, n, value, mid, axis, bars=bars))
        y = bottom + 10
    return _svg(y, title, _describe(labels, series, missing), "".join(body), uid, axis.rtl)


def _value(uid: str, n: int, value: float, mid: float, axis: _Axis, *, bars: bool) -> str:
    """A marker (or bar) at the value, with the number beside it on the roomier side."""
    pos = axis.at(value)
    inside = value >= 4  # near the end of the scale the number goes before the marker
    if bars:
        first, last = sorted((axis.pct(1), axis.pct(value)))
        shape = _bar_rect(
            n, f"{first:.2f}%", mid - 7, f"{max(last - first, 0.4):.2f}%", 14, mirror=False
        )
    else:
        shape = f'<use href="#{uid}-m{n}" x="{pos}" y="{mid:.0f}"/>'
    offset = (-10 if inside else 10) * axis.sign
    anchor = "end" if inside else "start"
    number = _text(
        pos, mid + 5, _fmt(value), size=13, extra=f' dx="{offset}" text-anchor="{anchor}"'
    )
    if bars and inside:  # on the bar: white on the series colour (>= 4.5:1 for all colours)
        number = number.replace(f'fill="{INK}"', 'fill="#ffffff"', 1)
    else:  # a halo of the band's colour where the number crosses a grid line
        number = number.replace(
            "<text ", f'<text paint-order="stroke" stroke="{BAND}" stroke-width="3" ', 1
        )
    return shape + number


def dot_plot(
    labels: list[str], series: list[Series], *, title: str, missing: str, uid: str = "dots"
) -> Markup:
    """One row per label on the scale 1 to 5; each series a marker on its own lane."""
    return _rows(labels, series, title=title, missing=missing, uid=uid, bars=False)


def bars(
    labels: list[str], series: list[Series], *, title: str, missing: str, uid: str = "bars"
) -> Markup:
    """Horizontal bars of means on the scale 1..5, one row per label, one bar per series."""
    return _rows(labels, series, title=title, missing=missing, uid=uid, bars=True)
