"""Text of a typst PDF in logical order, for checking signs with pypdf.

pypdf's own ``extract_text`` maps each glyph through the font's ToUnicode
table only. Noto Sans Arabic draws the dots of ب ت ث ن ي as separate mark
glyphs on one shared skeleton, so a glyph can stand for several letters;
typst writes the true text of such glyphs as ``/ActualText`` (and marks
right-to-left runs drawn in visual order with ``/ReversedChars``), which PDF
readers honour but pypdf ignores. This reader uses pypdf's content-stream
parser, honours /ActualText, puts right-to-left glyph runs (drawn in visual
order) back into reading order, then orders each line with a small bidi
pass. It assumes Latin digits (as on the signs), not Arabic-Indic ones.
Zero-width glyphs (marks placed on their base) are skipped: their base glyph
carries the text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdf
from pypdf.generic import ContentStream, DictionaryObject

_BFCHAR = re.compile(r"beginbfchar(.*?)endbfchar", re.S)
_BFRANGE = re.compile(r"beginbfrange(.*?)endbfrange", re.S)
_HEX = re.compile(r"<([0-9A-Fa-f]+)>")


def _utf16(hexdigits: str) -> str:
    return bytes.fromhex(hexdigits).decode("utf-16-be")


def _to_unicode(font: Any) -> dict[int, str]:
    out: dict[int, str] = {}
    stream = font.get("/ToUnicode")
    if stream is None:
        return out
    data = stream.get_object().get_data().decode("latin-1")
    for block in _BFCHAR.findall(data):
        hexes = _HEX.findall(block)
        for src, dst in zip(hexes[::2], hexes[1::2], strict=False):
            out[int(src, 16)] = _utf16(dst)
    for block in _BFRANGE.findall(data):
        for line in block.strip().splitlines():
            hexes = _HEX.findall(line)
            if len(hexes) == 3:
                low, high, base = int(hexes[0], 16), int(hexes[1], 16), _utf16(hexes[2])
                for i, code in enumerate(range(low, high + 1)):
                    out[code] = base[:-1] + chr(ord(base[-1]) + i)
    return out


def _widths(font: Any) -> tuple[dict[int, float], float]:
    out: dict[int, float] = {}
    descendants = font.get("/DescendantFonts")
    if not descendants:
        return out, 1000.0
    desc = descendants[0].get_object()
    w = desc.get("/W", [])
    i = 0
    while i < len(w):
        first = int(w[i])
        if isinstance(w[i + 1], list):
            for k, width in enumerate(w[i + 1]):
                out[first + k] = float(width)
            i += 2
        else:
            for code in range(first, int(w[i + 1]) + 1):
                out[code] = float(w[i + 2])
            i += 3
    return out, float(desc.get("/DW", 1000))


def _raw(item: Any) -> bytes:
    original = getattr(item, "original_bytes", None)
    return original if original is not None else bytes(item)


def _mul(a: list[float], b: list[float]) -> list[float]:
    return [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]


@dataclass
class Fragment:
    x: float
    y: float
    size: float
    text: str


def fragments(page: Any) -> list[Fragment]:
    fonts = {
        name: (_to_unicode(ref.get_object()), *_widths(ref.get_object()))
        for name, ref in page["/Resources"].get("/Font", {}).items()
    }
    ctm = [1.0, 0, 0, 1, 0, 0]
    stack: list[list[float]] = []
    tm = [1.0, 0, 0, 1, 0, 0]
    cmap: dict[int, str] = {}
    widths: dict[int, float] = {}
    default_width = 1000.0
    size = 0.0
    marks: list[list[Any]] = []
    out: list[Fragment] = []
    for operands, raw_op in ContentStream(page.get_contents(), page.pdf).operations:
        op = raw_op.decode() if isinstance(raw_op, bytes) else raw_op
        if op == "q":
            stack.append(ctm[:])
        elif op == "Q":
            ctm = stack.pop()
        elif op == "cm":
            ctm = _mul([float(v) for v in operands], ctm)
        elif op == "BT":
            tm = [1.0, 0, 0, 1, 0, 0]
        elif op == "Tm":
            tm = [float(v) for v in operands]
        elif op == "Td":
            tm = _mul([1, 0, 0, 1, float(operands[0]), float(operands[1])], tm)
        elif op == "Tf":
            cmap, widths, default_width = fonts.get(operands[0], ({}, {}, 1000.0))
            size = float(operands[1])
        elif op == "BDC":
            props = operands[1] if len(operands) > 1 else None
            actual = props.get("/ActualText") if isinstance(props, DictionaryObject) else None
            marks.append(["actual", str(actual), None] if actual is not None else ["other"])
        elif op == "BMC":
            marks.append(["rev" if operands[0] == "/ReversedChars" else "other"])
        elif op == "EMC":
            if marks:
                done = marks.pop()
                if done[0] == "actual" and done[2] is not None:
                    out.append(done[2])
        elif op in ("Tj", "TJ"):
            items = operands[0] if op == "TJ" else [operands[0]]
            raw = b"".join(_raw(i) for i in items if not isinstance(i, int | float))
            codes = [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw) - 1, 2)]
            visible = [c for c in codes if widths.get(c, default_width) != 0]
            if not visible:
                continue
            m = _mul(tm, ctm)
            scaled = size * abs(m[3]) or size
            actual = next((mk for mk in reversed(marks) if mk[0] == "actual"), None)
            if actual is not None:
                if actual[2] is None:
                    actual[2] = Fragment(m[4], m[5], scaled, actual[1])
                continue
            text = "".join(cmap.get(c, "") for c in visible)
            # typst draws every glyph run in visual order; it marks right-to-left runs
            # with /ReversedChars, but not every one (not those holding an /ActualText
            # span), so a run of right-to-left letters is reversed by its script.
            if _direction(text) == "R":
                text = text[::-1]
            out.append(Fragment(m[4], m[5], scaled, text))
    return [f for f in out if f.text]


def _direction(text: str) -> str | None:
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return "R"
        if kind == "L":
            return "L"
    return None


def _order(line: list[Fragment]) -> str:
    """Logical order of a line's fragments (given left to right)."""
    frags = sorted(line, key=lambda f: f.x)
    dirs = [_direction(f.text) for f in frags]
    rtl = sum(len(f.text) for f, d in zip(frags, dirs, strict=True) if d == "R")
    ltr = sum(len(f.text) for f, d in zip(frags, dirs, strict=True) if d == "L")
    base = "R" if rtl > ltr else "L"
    resolved = []
    for i, d in enumerate(dirs):
        if d is None:
            before = next((x for x in reversed(dirs[:i]) if x), None)
            after = next((x for x in dirs[i + 1 :] if x), None)
            d = before if before == after and before else base
        resolved.append(d)
    runs: list[tuple[str, list[Fragment]]] = []
    for f, d in zip(frags, resolved, strict=True):
        if runs and runs[-1][0] == d:
            runs[-1][1].append(f)
        else:
            runs.append((d, [f]))
    if base == "R":
        runs.reverse()
    return "".join("".join(x.text for x in (reversed(fs) if d == "R" else fs)) for d, fs in runs)


def _lines(page: Any) -> list[list[Fragment]]:
    lines: list[tuple[float, list[Fragment]]] = []
    for f in sorted(fragments(page), key=lambda f: -f.y):
        if lines and abs(lines[-1][0] - f.y) < 0.6 * max(f.size, 1):
            lines[-1][1].append(f)
        else:
            lines.append((f.y, [f]))
    return [fs for _, fs in lines]


def page_text(page: Any) -> str:
    return "\n".join(_order(fs) for fs in _lines(page))


def sized_runs(data: bytes) -> list[tuple[str, float]]:
    """(text, font size in pt) of every run of text on a one-page PDF, in logical order;
    runs of different sizes on one line (German and Arabic columns) stay apart."""
    import io

    (page,) = pypdf.PdfReader(io.BytesIO(data)).pages
    out = []
    for line in _lines(page):
        for size in sorted({round(f.size, 2) for f in line}):
            same = [f for f in line if round(f.size, 2) == size]
            for direction in ("L", "R"):
                # Columns side by side: German (left to right) and right-to-left apart.
                part = [f for f in same if (_direction(f.text) or "L") == direction]
                if part:
                    out.append((normalize(_order(part)), size))
    return out


def normalize(text: str) -> str:
    """NFKC (Arabic presentation forms to letters), no invisible format characters
    (the Persian zero-width non-joiner only shapes), single spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return " ".join(text.split())


def pdf_text(path: Path | str) -> str:
    reader = pypdf.PdfReader(str(path))
    return normalize(" ".join(page_text(p) for p in reader.pages))
