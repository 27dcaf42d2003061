"""The poster (A4) and the counter card (A6) with the survey's QR code, by typst.

Fonts come from the shipped font packages only (no system fonts, nothing
fetched) and the PDF timestamp is fixed, so a poster comes out the same on every
machine. Every title carries its language and direction (Arabic, Persian and
Pashto right to left).
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from . import content

if TYPE_CHECKING:
    from willkommen_core.instance import Instance

HERE = Path(__file__).parent
TEMPLATE = HERE / "typst" / "poster.typ"
SIZES = ("a4", "card")
FIXED_TIME = datetime(2026, 1, 1, tzinfo=UTC)


@lru_cache(maxsize=1)
def _fonts() -> Any:
    import fontpkg
    import typst

    paths = [str(fontpkg.path(n).parent) for n in ("Noto Sans", "Noto Sans Arabic")]
    return typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=paths)


def qr_svg(url: str) -> str:
    import segno

    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="svg", xmldecl=False, border=4)
    return buf.getvalue().decode("utf-8")


def survey_url(base: str, site: str = "") -> str:
    """The short link printed under the code (``?standort=`` for one site of several)."""
    from urllib.parse import urlencode

    url = base.rstrip("/") + "/kundenbefragung/"
    return url + ("?" + urlencode({"standort": site}) if site else "")


def poster_data(instance: Instance, base: str, size: str, site: str = "") -> dict[str, Any]:
    """What the poster shows: the survey's title in every offered language, the
    code, the link and how to use it."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {', '.join(SIZES)}")
    survey = content.current(instance)
    langs = content.offered_languages(instance, survey)

    def lines(key: str) -> list[dict[str, str]]:
        found: list[dict[str, str]] = []
        for lang in langs:
            text = survey.label(lang, key)
            if any(f["text"] == text.text for f in found):
                continue  # Leichte Sprache may say it as German does
            if text.lang == lang or lang == "de":
                found.append(
                    {
                        "text": text.text,
                        "lang": content.html_lang(lang),
                        "dir": content.direction(lang),
                    }
                )
        return found

    url = survey_url(base, site)
    return {
        "size": size,
        "authority": instance.settings.authority.name,
        "titles": lines("title"),
        "scans": lines("scan"),
        "qr": qr_svg(url),
        "url": url,
    }


def poster(
    instance: Instance,
    base: str,
    size: str,
    site: str = "",
    *,
    fmt: Literal["pdf", "png"] = "pdf",
    ppi: float = 144,
) -> bytes:
    """The poster as PDF (or a PNG preview of its page)."""
    import typst

    data = poster_data(instance, base, size, site)
    compiler = typst.Compiler(
        str(TEMPLATE), root=str(HERE), font_paths=_fonts(), ignore_system_fonts=True
    )
    result = compiler.compile(
        format=fmt,
        ppi=ppi,
        sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
        timestamp=FIXED_TIME,
    )
    assert isinstance(result, bytes), "the poster is one page"
    return result
