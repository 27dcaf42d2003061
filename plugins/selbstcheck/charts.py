"""Accessible SVG charts rendered on the server (no JavaScript, no inline CSS).

Each chart is an ``<svg role="img">`` with ``<title>`` and ``<desc>``;
the pages always put a data table with the same numbers beside it. Series
differ by colour AND by line pattern / marker, so nothing depends on colour
alone; colours meet 3:1 against white. Suppressed values are drawn as gaps
and named in the description.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from xml.sax.saxutils import escape

from markupsafe import Markup

# Colour, dash pattern: distinguishable in greyscale and for colour-blind readers.
SERIES = [
    ("#00457d", ""),
    ("#b34700", "6 4"),
    ("#1e6b30", "2 3"),
    ("#6b2c91", "10 3 2 3"),
]


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]  # one per axis/category, None = suppressed


def _fmt(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def _svg(width: int, height: int, title: str, desc: str, body: str, uid: str) -> Markup:
    # Every text in body and here went through escape(): safe to mark as markup.
    return Markup(  # noqa: S704
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{uid}-t {uid}-d" focusable="false">'
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


def radar(
    labels: list[str], series: list[Series], *, title: str, missing: str, uid: str = "radar"
) -> Markup:
    """A radar over the cornerstones, scale 1 (centre) to 5 (rim)."""
    size, cx, cy, radius = 520, 260, 250, 160
    count = len(labels)

    def point(axis: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * axis / count
        r = radius * (value - 1) / 4 if value >= 1 else 0
        return cx + r * math.cos(angle), cy + r * math.sin(angle)

    body = []
    for level in range(1, 6):
        ring = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(a, level) for a in range(count)))
        body.append(f'<polygon points="{ring}" fill="none" stroke="#9a9a9a" stroke-width="1"/>')
        x, y = point(0, level)
        body.append(
            f'<text x="{x + 4:.1f}" y="{y + 4:.1f}" font-size="12" fill="#4a4a4a">{level}</text>'
        )
    for axis, label in enumerate(labels):
        x, y = point(axis, 5)
        body.append(
            f'<line x1="{cx}" y1="{cy}" x2="{x:.1f}" y2="{y:.1f}" stroke="#9a9a9a" stroke-width="1"/>'
        )
        lx, ly = point(axis, 5.9)
        anchor = "middle" if abs(lx - cx) < 20 else ("start" if lx > cx else "end")
        body.append(
            f'<text x="{lx:.1f}" y="{ly:.1f}" font-size="14" text-anchor="{anchor}" '
            f'fill="#1b1b1b">{escape(label)}</text>'
        )
    for n, s in enumerate(series):
        colour, dash = SERIES[n % len(SERIES)]
        pts = [(a, v) for a, v in enumerate(s.values) if v is not None]
        coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(a, v) for a, v in pts))
        shape = "polygon" if len(pts) == count else "polyline"
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        if len(pts) >= 2:
            body.append(
                f'<{shape} points="{coords}" fill="none" stroke="{colour}" stroke-width="3"{dash_attr}/>'
            )
        for a, v in pts:
            x, y = point(a, v)
            body.append(_marker(n, x, y, colour))
    # Legend
    for n, s in enumerate(series):
        colour, dash = SERIES[n % len(SERIES)]
        y = size - 10 - 22 * (len(series) - 1 - n)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        body.append(
            f'<line x1="20" y1="{y - 5}" x2="60" y2="{y - 5}" stroke="{colour}" stroke-width="3"{dash_attr}/>'
            + _marker(n, 40, y - 5, colour)
            + f'<text x="70" y="{y}" font-size="14" fill="#1b1b1b">{escape(s.name)}</text>'
        )
    height = size + 22 * max(0, len(series) - 1)
    return _svg(
        size,
        height,
        title,
        _describe(labels, series, missing),
        "".join(body),
        uid,
    )


def _marker(n: int, x: float, y: float, colour: str) -> str:
    kind = n % 3
    if kind == 0:
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{colour}"/>'
    if kind == 1:
        return f'<rect x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10" fill="{colour}"/>'
    return (
        f'<polygon points="{x:.1f},{y - 6:.1f} {x + 6:.1f},{y + 5:.1f} {x - 6:.1f},{y + 5:.1f}" '
        f'fill="{colour}"/>'
    )


def bars(
    labels: list[str],
    series: list[Series],
    *,
    title: str,
    missing: str,
    uid: str = "bars",
    label_width: int = 330,
) -> Markup:
    """Horizontal bars of means on the scale 1..5, one row per label, one bar per series."""
    bar_h, gap, width = 16, 12, 760
    plot_x, plot_w = label_width, width - label_width - 50
    per_row = bar_h * len(series) + gap
    top = 24
    height = top + per_row * len(labels) + 10 + 22 * len(series)

    def xpos(value: float) -> float:
        return plot_x + plot_w * (value - 1) / 4

    body = []
    for level in range(1, 6):
        x = xpos(level)
        body.append(
            f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{top + per_row * len(labels)}" '
            f'stroke="#9a9a9a" stroke-width="1"/>'
            f'<text x="{x:.1f}" y="{top - 10}" font-size="12" text-anchor="middle" fill="#4a4a4a">{level}</text>'
        )
    for row, label in enumerate(labels):
        y0 = top + row * per_row
        short = label if len(label) <= 48 else label[:46] + "…"
        body.append(
            f'<text x="{plot_x - 8}" y="{y0 + bar_h * len(series) / 2 + 5:.1f}" font-size="13" '
            f'text-anchor="end" fill="#1b1b1b">{escape(short)}</text>'
        )
        for n, s in enumerate(series):
            colour, _dash = SERIES[n % len(SERIES)]
            value = s.values[row] if row < len(s.values) else None
            y = y0 + n * bar_h
            if value is None:
                body.append(
                    f'<text x="{plot_x + 4}" y="{y + bar_h - 4}" font-size="12" fill="#4a4a4a">'
                    f"{escape(missing)}</text>"
                )
                continue
            w = max(2.0, xpos(value) - plot_x)
            pattern = (
                "" if n % 2 == 0 else ' stroke="#1b1b1b" stroke-width="1" stroke-dasharray="3 2"'
            )
            body.append(
                f'<rect x="{plot_x}" y="{y + 1}" width="{w:.1f}" height="{bar_h - 2}" fill="{colour}"{pattern}/>'
                f'<text x="{plot_x + w + 4:.1f}" y="{y + bar_h - 4}" font-size="12" fill="#1b1b1b">{_fmt(value)}</text>'
            )
    if len(series) > 1:
        for n, s in enumerate(series):
            colour, _dash = SERIES[n % len(SERIES)]
            y = top + per_row * len(labels) + 10 + 22 * n
            body.append(
                f'<rect x="{plot_x}" y="{y}" width="30" height="14" fill="{colour}"/>'
                f'<text x="{plot_x + 38}" y="{y + 12}" font-size="13" fill="#1b1b1b">{escape(s.name)}</text>'
            )
    return _svg(width, height, title, _describe(labels, series, missing), "".join(body), uid)
