"""Luminance contrast after DIN 32975 (visual information in public spaces).

DIN 32975 measures the contrast of two adjacent surfaces by their luminances
L1 > L2 as the Michelson contrast ``K = (L1 - L2) / (L1 + L2)`` and asks
``K >= 0.7`` for orientation signs with text (0.83 for warnings, which signs
here are not). On paper the luminance under one light is proportional to the
surface's luminance factor, so we compute it from the sRGB colour as the
relative luminance Y of IEC 61966-2-1 (the same Y WCAG uses), with
``L1``, ``L2`` in 0..1. Black on white gives K = 1.0.
"""

from __future__ import annotations

from typing import Any

MINIMUM = 0.7
"""DIN 32975's minimum for text and pictograms on orientation signs."""


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """Relative luminance (0 black .. 1 white) of ``#rrggbb``."""
    h = colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(colour_a: str, colour_b: str) -> float:
    """DIN 32975 luminance contrast K of two colours (order does not matter)."""
    l1, l2 = sorted((luminance(colour_a), luminance(colour_b)), reverse=True)
    return 0.0 if l1 + l2 == 0 else (l1 - l2) / (l1 + l2)


def theme_problems(theme: Any) -> list[str]:
    """One message per colour pair of ``theme`` below the minimum, naming the pair."""
    found = []
    for fg_name, fg, bg_name, bg in theme.pairs():
        k = contrast(fg, bg)
        if k < MINIMUM:
            found.append(
                f"contrast of {fg_name} {fg} on {bg_name} {bg} is K = {k:.2f}, "
                f"below DIN 32975's minimum {MINIMUM} for signs"
            )
    return found
