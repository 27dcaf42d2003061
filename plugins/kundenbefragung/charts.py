"""Accessible SVG bar charts: a title, an accessible name, and always a data table
beside them in the page (the chart is the picture, the table the figures)."""

from __future__ import annotations

from html import escape

from markupsafe import Markup

WIDTH = 320
ROW = 28
LABEL = 130


def bars(title: str, rows: list[tuple[str, float | None, str]], maximum: float) -> Markup:
    """Horizontal bars: ``(label, value or None, shown value)`` each; ``None`` draws no bar."""
    height = ROW * len(rows) + 8
    parts = [
        f'<svg class="kb-chart" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    span = WIDTH - LABEL - 50
    for i, (label, value, shown) in enumerate(rows):
        y = 4 + i * ROW
        parts.append(
            f'<text x="0" y="{y + 18}" font-size="12" fill="#1a1a1a">{escape(label[:22])}</text>'
        )
        if value is not None and maximum > 0:
            w = max(1, round(span * value / maximum))
            parts.append(
                f'<rect x="{LABEL}" y="{y + 4}" width="{w}" height="{ROW - 10}" fill="#1a4d80"/>'
            )
            parts.append(
                f'<text x="{LABEL + w + 4}" y="{y + 18}" font-size="12" fill="#1a1a1a">'
                f"{escape(shown)}</text>"
            )
        else:
            parts.append(
                f'<text x="{LABEL}" y="{y + 18}" font-size="12" fill="#595959">{escape(shown)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text above is escaped)
