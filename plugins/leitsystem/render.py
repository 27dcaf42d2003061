"""Signs from the building model: door signs, direction signs, floor directories and
building overviews, in A4 and A3, as PDF, SVG (and PNG for previews).

Rendering is typst (the ``typst`` package) with fonts shipped as Python
packages (``fontpkg-noto-sans``, ``fontpkg-noto-sans-arabic``): system
fonts and typst's embedded fonts are switched off, nothing is fetched, and
the PDF timestamp is fixed, so a sign comes out the same on every machine.
Each sign shows German first and one further language (the sign set's
language) second; a missing translation leaves its line out.
"""

from __future__ import annotations

import io
import json
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from willkommen_core.errors import UserError
from willkommen_core.progress import Progress

from . import content, hours
from .content import Texts, Theme
from .model import Building, Floor, Room, Site

if TYPE_CHECKING:
    from willkommen_core.instance import Instance

HERE = Path(__file__).parent
TEMPLATE = HERE / "typst" / "sign.typ"
SIZES = {"a4": 1.0, "a3": math.sqrt(2)}
FORMATS = ("pdf", "svg")
KINDS = ("door", "direction", "directory", "overview")
KIND_FOLDERS = {"door": "tuer", "direction": "weg", "directory": "etage", "overview": "gebaeude"}
FIXED_TIME = datetime(2026, 1, 1, tzinfo=UTC)
PT_MM = 25.4 / 72
ARROW_ROTATION = {"right": 0, "left": 180, "ahead": -90, "back": 90, "up": -45, "down": 45}
"""ISO 7001 style: an arrow pointing up means straight ahead; diagonals mean up/down stairs."""
ARROW_ORDER = ("ahead", "left", "right", "up", "down", "back")
"""Direction signs list their arrows in this order, each direction once with all its goals."""
ENTRANCE_SERVICE = "ausgang"
"""A direction sign at a room with this service hangs at the entrance ("Sie sind hier")."""
MIN_PT = {"title": 20.0, "detail": 16.0}
"""Smallest type on an A4 sign in pt (A3: times √2): titles (services, destinations,
headers) and details (opening hours, QR captions, floors). With Noto Sans' cap height
of 0.714 em that is 5.0 and 4.0 mm; docs/leitsystem.md gives the reading distances."""
CAP_HEIGHT_EM = 0.714
"""Cap height of Noto Sans (OS/2 sCapHeight 714 of 1000 units)."""


# -- fonts and compiler ---------------------------------------------------------------


def font_paths() -> list[str]:
    """Folders of the shipped font packages (never system fonts)."""
    import fontpkg

    return [str(fontpkg.path(name).parent) for name in ("Noto Sans", "Noto Sans Arabic")]


@lru_cache(maxsize=1)
def _fonts() -> Any:
    import typst

    return typst.Fonts(
        include_system_fonts=False, include_embedded_fonts=False, font_paths=font_paths()
    )


def compiler() -> Any:
    import typst

    return typst.Compiler(TEMPLATE, root=str(HERE), font_paths=_fonts(), ignore_system_fonts=True)


# -- pictograms and QR codes ----------------------------------------------------------


def pictogram(instance: Instance, pid: str, colour: str, rotate: int = 0) -> str:
    path = instance.content_path(content.MODULE, "pictograms", f"{pid}.svg")
    return _pictogram(str(path), path.stat().st_mtime if path.exists() else 0, colour, rotate)


@lru_cache(maxsize=256)
def _pictogram(path: str, _mtime: float, colour: str, rotate: int) -> str:
    svg = Path(path).read_text(encoding="utf-8").replace("currentColor", colour)
    if rotate:
        svg = re.sub(r"(<svg[^>]*>)", rf'\1<g transform="rotate({rotate} 50 50)">', svg, count=1)
        svg = svg.replace("</svg>", "</g></svg>")
    return svg


@lru_cache(maxsize=1024)
def qr_svg(url: str) -> str:
    import segno

    buf = io.BytesIO()
    segno.make(url, error="m").save(
        buf, kind="svg", xmldecl=False, border=4, dark=content.QR_DARK, light=content.QR_LIGHT
    )
    return buf.getvalue().decode("utf-8")


def info_url(base_url: str, service: str, lang: str) -> str:
    return f"{base_url.rstrip('/')}/leitsystem/info/{service}?lang={lang}"


def link_url(base_url: str, path: str, lang: str) -> str:
    """Absolute address of another module's customer page, in the sign's language
    (unless the module's path names a language already)."""
    url = f"{base_url.rstrip('/')}/{path.lstrip('/')}"
    if re.search(r"[?&]lang=", path):
        return url
    return f"{url}{'&' if '?' in path else '?'}lang={lang}"


@dataclass(frozen=True)
class PrintedLink:
    """A customer page another module offers for print, with its captions by language."""

    path: str
    titles: tuple[tuple[str, str], ...]
    """(language, caption): German and the sign's language where the module has them."""


def customer_links(instance: Instance, lang: str) -> list[PrintedLink]:
    """Pages other modules offer customers for the signs (hook ``customer_links`` with
    ``signs`` in ``places``), asked in the sign's language (its path is printed) and in
    German; one page is one link whatever its query. A module's fallback caption is
    used only when it has the page in neither language."""
    found: dict[str, tuple[str, dict[str, str]]] = {}
    fallback: dict[str, tuple[str, str]] = {}
    for code in dict.fromkeys((lang, "de")):
        for link in instance.plugins.call_list("customer_links", instance=instance, language=code):
            if "signs" not in link.places or not link.path or not link.title:
                continue
            key = link.path.split("?")[0]
            titles = found.setdefault(key, (link.path, {}))[1]
            if link.language == code:
                titles[code] = link.title
            else:
                fallback.setdefault(key, (link.language, link.title))
    out = []
    for key, (path, titles) in found.items():
        ordered = tuple(
            (code, titles[code]) for code in dict.fromkeys(("de", lang)) if code in titles
        )
        out.append(PrintedLink(path, ordered or (fallback[key],)))
    return out


# -- sign specifications --------------------------------------------------------------


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text.replace("ß", "ss")).encode("ascii", "ignore")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.decode().lower()).strip("-") or "x"


@dataclass
class Sign:
    id: str
    kind: str
    lang: str
    title: str
    data: dict[str, Any]
    qr_urls: list[str] = field(default_factory=list)

    def texts(self) -> list[dict[str, Any]]:
        """Every text run on the sign (what a reader of the PDF must get back)."""
        runs = list(self.data["header"]["lines"])
        for row in self.data["rows"]:
            for item in _items(row):
                runs += item["lines"]
        footer = self.data.get("footer")
        if footer:
            runs += footer["lines"]
            for qr in footer.get("qrs", []):
                runs += qr["lines"]
        return runs

    def page(self, size: str) -> tuple[float, float]:
        portrait = self.kind in ("directory", "overview")
        w, h = (210, 297) if portrait else (297, 210)
        return (w, h) if size == "a4" else (round(w * math.sqrt(2)), round(h * math.sqrt(2)))


def _items(row: dict[str, Any]) -> list[dict[str, Any]]:
    """The goals of a row: a direction sign's row groups several under one arrow."""
    items: list[dict[str, Any]] = row.get("items", [row])
    return items


def _run(
    text: Any, lang: str, size: float, bold: bool = False, kind: str = "title"
) -> dict[str, Any]:
    """A text run; ``kind`` (title or detail) sets the smallest size it may shrink to."""
    return {
        "t": str(text),
        "lang": lang,
        "dir": content.direction(lang),
        "size": max(size, MIN_PT[kind]),
        "min": MIN_PT[kind],
        "bold": bold,
    }


class _Builder:
    """Text runs of one sign set: German plus (optionally) one further language."""

    def __init__(self, instance: Instance, lang: str, theme: Theme, base_url: str) -> None:
        self.instance = instance
        self.lang = lang
        self.de = Texts(instance, "de")
        self.other = Texts(instance, lang) if lang != "de" else None
        self.theme = theme
        self.base_url = base_url
        self.services = content.services(instance)
        self.links = customer_links(instance, lang)

    def both(
        self, get: Any, size: float, bold: bool = False, kind: str = "title"
    ) -> list[dict[str, Any]]:
        """German run and, when translated, the run in the set's language: both at the
        same size and weight (neither language is the lesser one)."""
        out = []
        german = get(self.de)
        if german is not None:
            out.append(_run(german, "de", size, bold, kind))
        if self.other is not None:
            other = get(self.other)
            if other is not None:
                out.append(_run(other, self.lang, size, bold, kind))
        return out

    def service_title(self, t: Texts, sid: str) -> Any:
        return t.service(sid, fallback=False)

    def titles(self, t: Texts, room: Room) -> str | None:
        found = [self.service_title(t, s) for s in room.services]
        if any(f is None for f in found):
            return None
        return " · ".join(str(f) for f in found)

    def floor_of(self, t: Texts, level: int) -> Any:
        return t.floor(level, fallback=False)

    def picto(self, sid: str) -> str:
        svc = self.services.get(sid)
        return pictogram(self.instance, svc.pictogram if svc else sid, self.theme.panel_text)

    def arrow(self, arrow: str) -> str:
        return pictogram(self.instance, "pfeil", self.theme.accent, ARROW_ROTATION[arrow])


def _line_height_mm(run: dict[str, Any], width_mm: float) -> float:
    size_mm = run["size"] * PT_MM
    chars_per_line = max(1, int(width_mm / (size_mm * 0.56)))
    # Line boxes as sign.typ sets them: Latin 1.36 em, Arabic script 1.6 em.
    box = 1.6 if run["dir"] == "rtl" else 1.36
    return math.ceil(len(run["t"]) / chars_per_line) * size_mm * box + 0.5


def _width_mm(run: dict[str, Any]) -> float:
    """Rough width of a run on one line (0.52 em a character, 0.58 em in bold)."""
    return len(run["t"]) * run["size"] * PT_MM * (0.58 if run["bold"] else 0.52)


def _sized(run: dict[str, Any], factor: float) -> dict[str, Any]:
    return {**run, "size": max(run["min"], run["size"] * factor)}


def _text_height(lines: list[dict[str, Any]], width_mm: float, columns: int) -> float:
    """Height of a goal's lines: stacked, or each language in its own column."""
    if columns == 1:
        return sum(_line_height_mm(r, width_mm) for r in lines)
    langs = dict.fromkeys(r["lang"] for r in lines)
    width = width_mm / len(langs) - 3
    return max(sum(_line_height_mm(r, width) for r in lines if r["lang"] == lang) for lang in langs)


def _fit(
    rows: list[dict[str, Any]],
    avail_mm: float,
    text_width_mm: float,
    picto: float,
    gap: float,
    columns: int = 1,
) -> float:
    """Factor (<= 1.25) that makes the rows fit the space left on the page; no text
    shrinks below its minimum size (:data:`MIN_PT`), so the smallest factor may not fit."""
    for factor in (1.25, 1.1, 1.0, 0.9, 0.8, 0.7, 0.62, 0.55, 0.48, 0.42, 0.36, 0.3):
        total = 0.0
        for row in rows:
            for item in _items(row):
                sized = [_sized(r, factor) for r in item["lines"]]
                text_h = _text_height(sized, text_width_mm, columns)
                total += max(picto * factor, text_h) + gap * factor * 0.4
            total += gap * factor * 0.6
        if total <= avail_mm:
            return factor
    return 0.3


def _scale_rows(rows: list[dict[str, Any]], factor: float) -> None:
    for row in rows:
        for item in _items(row):
            for r in item["lines"]:
                r["size"] = round(max(r["min"], r["size"] * factor), 2)


def _spec(
    b: _Builder,
    kind: str,
    header: dict[str, Any],
    rows: list[dict[str, Any]],
    footer: dict[str, Any] | None,
    *,
    picto: float,
    lead_width: float = 0,
    text_width: float,
    avail: float,
    columns: int = 1,
) -> dict[str, Any]:
    factor = _fit(rows, avail, text_width, picto, 5, columns)
    _scale_rows(rows, factor)
    return {
        "header": header,
        "rows": rows,
        "footer": footer,
        "picto_size": round(max(picto * factor, picto / 2), 2),
        "picto_min": picto / 2,
        "lead_size": round(30 * max(factor, 0.6), 2),
        "lead_width": lead_width,
        "row_gap": round(5 * factor, 2),
        "item_gap": round(2 * factor, 2),
        "qr_size": 38,
        "qr_width": 66,
        "columns": columns,
        "theme": b.theme.__dict__,
    }


def _hours_lines(b: _Builder, room: Room) -> list[dict[str, Any]]:
    """Heading and hours in German, then in the set's language (each block together)."""
    heading = b.both(lambda t: t.label("opening_hours", fallback=False), 16, True, "detail")
    if not room.opening_hours:
        by_appointment = b.both(
            lambda t: t.label("by_appointment", fallback=False), 16, False, "detail"
        )
        return _interleave(heading, by_appointment)
    lines = []
    for lang_texts, lang in ((b.de, "de"), (b.other, b.lang)):
        if lang_texts is None:
            continue
        for days, times in hours.localized(room.opening_hours, lang):
            lines.append(_run(f"{days} {times}", lang, 16, kind="detail"))
    return _interleave(heading, lines)


def _qr_block(url: str, lines: list[dict[str, Any]]) -> dict[str, Any]:
    return {"svg": qr_svg(url), "lines": lines}


def door_sign(b: _Builder, building: Building, floor: Floor, room: Room) -> Sign:
    header = {
        "big": room.number,
        "big_size": 58,
        "lines": b.both(
            lambda t: _join(
                t.label("room", fallback=False, number=room.number), b.floor_of(t, floor.level)
            ),
            20,
        ),
    }
    rows = [
        {
            "pictos": [b.picto(sid)],
            "lines": b.both(lambda t, s=sid: b.service_title(t, s), 40, True),
        }
        for sid in room.services
    ]
    info = [sid for sid in room.services if b.services.get(sid) and b.services[sid].info]
    footer: dict[str, Any] | None = None
    urls: list[str] = []
    facility = all(b.services.get(s) and b.services[s].facility for s in room.services)
    if not facility:
        qrs = []
        if info:
            url = info_url(b.base_url, info[0], b.lang)
            urls.append(url)
            scan = b.both(lambda t: t.label("scan_qr", fallback=False), 16, False, "detail")
            qrs.append(_qr_block(url, scan))
        for link in b.links:
            url = link_url(b.base_url, link.path, b.lang)
            urls.append(url)
            qrs.append(
                _qr_block(url, [_run(t, code, 16, kind="detail") for code, t in link.titles])
            )
        lines = _hours_lines(b, room)
        # Languages side by side where each line fits its half: of the width left of one
        # QR code, or of the whole width above a row of more than two.
        if len(qrs) > 2:
            half = (297 - 24 - 6) / 2
        else:
            half = (297 - 24 - 66 - 5 - 6) / 2 if len(qrs) <= 1 else 0
        widest = max((_width_mm(r) for r in lines), default=0)
        footer = {"lines": lines, "qrs": qrs, "side_by_side": widest <= half}
    # Room for the footer: the QR box (code and four caption lines), or with more than
    # two codes the hours above a row of them.
    avail = 210 - 24 - 42 - ((92 if len(footer["qrs"]) <= 2 else 130) if footer else 0)
    data = _spec(b, "door", header, rows, footer, picto=26, text_width=297 - 24 - 36, avail=avail)
    return Sign(
        f"{KIND_FOLDERS['door']}-{slug(building.name)}-{slug(room.number)}",
        "door",
        b.lang,
        f"{building.name} {room.number}",
        data,
        urls,
    )


def _join(*parts: Any) -> str | None:
    if any(p is None for p in parts):
        return None
    return " · ".join(str(p) for p in parts)


def direction_sign(
    b: _Builder, building: Building, origin: tuple[Floor, Room], routes: list[Any]
) -> Sign:
    """Arrows grouped by direction (each once, in :data:`ARROW_ORDER`); a goal on another
    floor names that floor beside its arrow; at the entrance: "Eingang / Sie sind hier"."""
    floor, room = origin
    rooms = building.rooms()
    if ENTRANCE_SERVICE in room.services:

        def here(t: Texts) -> Any:
            return _join(t.label("entrance_here", fallback=False), b.floor_of(t, floor.level))
    else:

        def here(t: Texts) -> Any:
            return _join(b.titles(t, room), b.floor_of(t, floor.level))

    header = {"lines": b.both(here, 20, True)}
    by_arrow: dict[str, list[dict[str, Any]]] = {}
    for w in routes:
        dest_floor, dest = rooms[w.destination]
        lines = b.both(lambda t, d=dest: b.titles(t, d), 28, True)
        if dest_floor.level != floor.level:
            # The goal is on another floor: say which, under its name, in each language.
            level = dest_floor.level
            lines = _interleave(
                lines, b.both(lambda t, n=level: b.floor_of(t, n), 18, True, "detail")
            )
        by_arrow.setdefault(w.arrow, []).append(
            {"pictos": [b.picto(dest.services[0])], "lines": lines, "trail": dest.number}
        )
    rows = [
        {"arrow": b.arrow(arrow), "items": by_arrow[arrow]}
        for arrow in ARROW_ORDER
        if arrow in by_arrow
    ]
    data = _spec(
        b,
        "direction",
        header,
        rows,
        None,
        picto=17,
        text_width=297 - 24 - 90,
        avail=210 - 24 - 32,
        columns=2 if b.other is not None else 1,
    )
    return Sign(
        f"{KIND_FOLDERS['direction']}-{slug(building.name)}-{slug(room.number)}",
        "direction",
        b.lang,
        f"{building.name} {room.number}",
        data,
    )


def directory_sign(b: _Builder, building: Building, floor: Floor) -> Sign:
    header = {
        "big": str(floor.level),
        "big_size": 58,
        "lines": b.both(lambda t: b.floor_of(t, floor.level), 24, True)
        + b.both(lambda t: t.label("floor_directory", fallback=False), 16, False, "detail"),
    }
    rows = [
        {
            "lead": room.number,
            "pictos": [b.picto(sid) for sid in room.services[:3]],
            "lines": b.both(lambda t, r=room: b.titles(t, r), 24, True),
        }
        for room in floor.rooms
    ]
    data = _spec(
        b,
        "directory",
        header,
        rows,
        None,
        picto=18,
        lead_width=24,
        text_width=210 - 24 - 90,
        avail=297 - 24 - 48,
    )
    return Sign(
        f"{KIND_FOLDERS['directory']}-{slug(building.name)}-{floor.level}",
        "directory",
        b.lang,
        f"{building.name} {floor.level}",
        data,
    )


def _interleave(
    titles: list[dict[str, Any]], details: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """German title and details first, then the other language's (each as far as present)."""
    out = []
    for lang in dict.fromkeys(r["lang"] for r in titles + details):
        out += [r for r in titles if r["lang"] == lang] + [r for r in details if r["lang"] == lang]
    return out


def overview_sign(b: _Builder, building: Building) -> Sign:
    header = {
        "lines": [
            _run(building.name, "de", 26, True),
            *b.both(lambda t: t.label("building_overview", fallback=False), 16, False, "detail"),
        ],
    }
    rows = []
    for floor in sorted(building.floors, key=lambda f: -f.level):
        sids = list(dict.fromkeys(s for r in floor.rooms for s in r.services))

        def services_of(t: Texts, ids: list[str] = sids) -> str | None:
            found = [t.service(s, fallback=False) for s in ids]
            return None if any(f is None for f in found) else " · ".join(map(str, found))

        rows.append(
            {
                "lead": str(floor.level),
                "pictos": [b.picto(s) for s in sids[:4]],
                "lines": _interleave(
                    b.both(lambda t, f=floor: b.floor_of(t, f.level), 22, True),
                    b.both(services_of, 16, False, "detail"),
                ),
            }
        )
    data = _spec(
        b,
        "overview",
        header,
        rows,
        None,
        picto=16,
        lead_width=16,
        text_width=210 - 24 - 90,
        avail=297 - 24 - 40,
    )
    return Sign(
        f"{KIND_FOLDERS['overview']}-{slug(building.name)}",
        "overview",
        b.lang,
        building.name,
        data,
    )


def signs(
    instance: Instance, sites: list[Site], lang: str, theme: Theme, base_url: str
) -> list[Sign]:
    """Every sign of the sites in one sign language."""
    b = _Builder(instance, lang, theme, base_url)
    out: list[Sign] = []
    for site in sites:
        for building in site.buildings:
            rooms = building.rooms()
            for floor in building.floors:
                for room in floor.rooms:
                    out.append(door_sign(b, building, floor, room))
            by_origin: dict[str, list[Any]] = {}
            for w in building.routes:
                by_origin.setdefault(w.origin, []).append(w)
            for origin, routes in by_origin.items():
                out.append(direction_sign(b, building, rooms[origin], routes))
            for floor in building.floors:
                if floor.rooms:
                    out.append(directory_sign(b, building, floor))
            out.append(overview_sign(b, building))
    return out


# -- compiling ------------------------------------------------------------------------


def _pdf_pages(data: bytes, fmt: str) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data)) if fmt == "pdf" else 1


def render(sign: Sign, size: str, fmt: str, comp: Any = None, ppi: float | None = None) -> bytes:
    """One sign as PDF, SVG or PNG bytes."""
    import typst

    width, height = sign.page(size)
    data = {
        **sign.data,
        "scale": SIZES[size],
        "width": width,
        "height": height,
        "title": sign.title,
    }
    comp = comp or compiler()
    for _attempt in range(6):
        try:
            result = comp.compile(
                format=fmt,
                ppi=ppi,
                sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
                timestamp=FIXED_TIME,
            )
        except typst.TypstError as exc:  # a layout bug, not a user mistake: say which sign
            raise RuntimeError(f"sign {sign.id} ({sign.lang}, {size}): {exc}") from exc
        pages = len(result) if isinstance(result, list) else _pdf_pages(result, fmt)
        if pages == 1:
            return result[0] if isinstance(result, list) else result
        # The size estimate was too generous: shrink the rows for every format of this
        # sign, never below the minimum type sizes.
        _scale_rows(sign.data["rows"], 0.88)
        sign.data["picto_size"] = round(
            max(sign.data["picto_size"] * 0.88, sign.data["picto_min"]), 2
        )
        data = {**data, **sign.data}
    raise UserError(
        f"sign {sign.id} ({sign.lang}, {size}) does not fit on one page at the minimum type "
        f"sizes ({MIN_PT['title']:g} pt titles, {MIN_PT['detail']:g} pt details on A4): "
        "give it fewer routes, rooms or QR codes, or shorter texts"
    )


def theme_for(instance: Instance) -> Theme:
    """The configured theme, refused (naming the colour pair) when below DIN 32975."""
    name = instance.plugin_settings(content.MODULE).theme
    all_themes, problems = content.themes(instance)
    if name not in all_themes:
        mine = [p for p in problems if p.key == name]
        raise UserError(
            f"theme {name!r} cannot be used for signs:",
            mine or [content.Problem("themes.toml", name, "no such theme")],
        )
    return all_themes[name]


def sign_languages(instance: Instance, asked: Iterable[str] | None = None) -> list[str]:
    """The languages to build: asked ones, else the setting, else the instance's languages."""
    if asked:
        langs = list(dict.fromkeys(asked))
        unknown = [code for code in langs if code not in content.SIGN_LANGUAGES]
        if unknown:
            raise UserError(
                f"--lang {unknown[0]}: no sign texts for this language "
                f"(available: {', '.join(content.SIGN_LANGUAGES)})"
            )
        return langs
    configured = instance.plugin_settings(content.MODULE).sign_languages
    if configured:
        return list(configured)
    return [code for code in instance.settings.languages if code in content.SIGN_LANGUAGES]


def build(
    instance: Instance,
    sites: list[Site],
    output: Path,
    *,
    langs: list[str],
    base_url: str,
    sizes: Iterable[str] = tuple(SIZES),
    formats: Iterable[str] = FORMATS,
    progress: Progress | None = None,
) -> list[dict[str, Any]]:
    """Write every sign into ``output/<lang>/<size>/<id>.<fmt>`` plus ``manifest.json``;
    ``progress`` counts one step per sign and language."""
    theme = theme_for(instance)
    comp = compiler()
    manifest: list[dict[str, Any]] = []
    sets = [(lang, signs(instance, sites, lang, theme, base_url)) for lang in langs]
    bar = Progress.of(progress)
    bar.start(sum(len(found) for _lang, found in sets))
    for lang, found in sets:
        for sign in found:
            files: dict[str, str] = {}
            entry: dict[str, Any] = {
                "id": sign.id,
                "kind": sign.kind,
                "lang": lang,
                "title": sign.title,
                "qr_urls": sign.qr_urls,
                "texts": [r["t"] for r in sign.texts()],
                "files": files,
            }
            for size in sizes:
                folder = output / lang / size
                folder.mkdir(parents=True, exist_ok=True)
                for fmt in formats:
                    path = folder / f"{sign.id}.{fmt}"
                    path.write_bytes(render(sign, size, fmt, comp))
                    files[f"{size}.{fmt}"] = str(path.relative_to(output))
            manifest.append(entry)
            bar.advance(f"{lang}/{sign.id}")
    (output / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return manifest
