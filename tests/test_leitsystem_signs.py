"""Signs of the guidance system: the demo site's full set in all ten languages.

Each sign is checked as a reader would: the PDF gives back its words
(Arabic, Persian and Pashto in logical order, after NFKC), the QR codes of the
service signs decode to the service's first-information page in the sign's
language, every SVG is well-formed with an ``svg`` root, and one Arabic and
one Ukrainian sign look like the reviewed reference images.
"""

from __future__ import annotations

import io
import json
import os
import re
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from click.testing import CliRunner
from leitsystem_support import normalize, pdf_text
from PIL import Image, ImageChops

from willkommen_core.cli import cli as main
from willkommen_core.instance import Instance
from willkommen_core.storage import migrate
from willkommen_core.testing.instance import write_instance
from willkommen_plugins.leitsystem import address, content, render, store

ALL = ["de", "en", "uk", "ru", "ar", "fa", "ps", "pl", "ro", "tr"]
BASE = "https://willkommen.magdeburg.example"
REFERENCES = Path(__file__).parent / "leitsystem_refs"


def _instance(root: Path, **settings: Any) -> Instance:
    write_instance(root, plugins=["leitsystem"], languages=ALL, **settings)
    instance = Instance.open(root)
    migrate.upgrade(instance.db, instance.components())
    instance.plugins.call_each("demo_content", instance=instance)
    return instance


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Instance, Path, list[dict[str, Any]]]:
    root = tmp_path_factory.mktemp("leitsystem")
    instance = _instance(root / "inst", leitsystem={"base_url": BASE})
    out = root / "signs"
    result = CliRunner().invoke(
        main, ["--instance", str(instance.root), "leitsystem", "build", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    yield instance, out, manifest
    instance.db.dispose()


def test_the_full_set_covers_every_language_kind_size_and_format(demo):
    _, out, manifest = demo
    assert sorted({m["lang"] for m in manifest}) == sorted(ALL)
    for lang in ALL:
        mine = [m for m in manifest if m["lang"] == lang]
        kinds = {m["kind"] for m in mine}
        assert kinds == {"door", "direction", "directory", "overview"}, lang
        # 16 rooms, 3 sign points, 3 floors, 1 building in the demo.
        assert len(mine) == 16 + 3 + 3 + 1
        for m in mine:
            assert set(m["files"]) == {"a4.pdf", "a4.svg", "a3.pdf", "a3.svg"}
            for rel in m["files"].values():
                assert (out / rel).stat().st_size > 1000


def _bare(word: str) -> str:
    while word and unicodedata.category(word[0]).startswith("P"):
        word = word[1:]
    while word and unicodedata.category(word[-1]).startswith("P"):
        word = word[:-1]
    return word


@pytest.mark.parametrize("lang", ALL)
def test_every_pdf_gives_back_the_words_on_the_sign(demo, lang):
    """Door, direction, floor and building signs: German and the set's language, each run."""
    _, out, manifest = demo
    texts = content.Texts(demo[0], lang)
    for m in (m for m in manifest if m["lang"] == lang):
        for size in ("a4", "a3"):
            text = pdf_text(out / m["files"][f"{size}.pdf"])
            for run in m["texts"]:
                expected = normalize(run)
                # Whole runs must come back in order; a run wrapped over lines (also
                # after a hyphen) still gives back every word. (Where a comma or colon
                # sits between a right-to-left and a left-to-right word is the reader's
                # bidi guess, so punctuation is left out of the word comparison.)
                if expected not in text:
                    words = [_bare(w) for w in re.split(r"\s+|(?<=-)", expected)]
                    words = [w for w in words if w]
                    assert all(w in text for w in words), (m["id"], size, run, text)
        if m["kind"] == "door" and lang != "de":
            # Each door sign names its service in the set's language, never empty.
            assert any(
                str(texts.service(s, fallback=False)) in m["texts"]
                for s in (
                    "empfang",
                    "aufenthalt",
                    "einbuergerung",
                    "kasse",
                    "wartebereich",
                    "aufzug",
                    "treppe",
                    "wc_barrierefrei",
                    "ausgang",
                )
            )


def test_arabic_and_persian_come_back_in_logical_order_with_german_room_numbers(demo):
    _, out, _ = demo
    ar = pdf_text(out / "ar/a4/tuer-haus-a-1-14.pdf")
    assert "الإقامة" in ar  # residence, joined letters, right to left
    # The mixed line (Arabic words, Latin room number): room before floor, as read.
    assert "الغرفة 1.14" in ar and "الطابق 1" in ar
    assert ar.index("الغرفة 1.14") < ar.index("الطابق 1")
    assert "Aufenthaltsrecht" in ar
    fa = pdf_text(out / "fa/a4/weg-haus-a-0-00.pdf")
    for word in ("پذیرش و اطلاعات", "صندوق", "توالت ویژه معلولان", "Kasse", "0.05"):
        assert word in fa
    ps = pdf_text(out / "ps/a4/gebaeude-haus-a.pdf")
    assert "د ودانۍ نقشه" in ps


def _qr_urls(png: bytes) -> set[str]:
    return {r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))}


@pytest.mark.parametrize("lang", ALL)
def test_qr_codes_lead_to_the_service_page_in_the_signs_language(demo, lang):
    instance, _, manifest = demo
    theme = render.theme_for(instance)
    sites = store.load(instance.db)
    signs = {s.id: s for s in render.signs(instance, sites, lang, theme, BASE)}
    with_qr = [m for m in manifest if m["lang"] == lang and m["qr_urls"]]
    # Reception, cashier, two residence-law counters, naturalisation.
    assert len(with_qr) == 5
    for m in with_qr:
        png = render.render(signs[m["id"]], "a4", "png", ppi=110)
        assert _qr_urls(png) == set(m["qr_urls"]), m["id"]
        (url,) = m["qr_urls"]
        assert url.startswith(f"{BASE}/leitsystem/info/") and url.endswith(f"?lang={lang}")
    assert {m["qr_urls"][0].split("/")[-1].split("?")[0] for m in with_qr} == {
        "empfang",
        "kasse",
        "aufenthalt",
        "einbuergerung",
    }
    # Facilities (lift, stairs, toilet, exit) carry no QR code.
    assert all(
        not m["qr_urls"]
        for m in manifest
        if m["lang"] == lang
        and m["id"].endswith(("0-10", "0-11", "0-12", "0-00"))
        and m["kind"] == "door"
    )


def test_every_svg_is_well_formed_with_an_svg_root(demo):
    _, out, manifest = demo
    count = 0
    for m in manifest:
        for key in ("a4.svg", "a3.svg"):
            root = ET.parse(out / m["files"][key]).getroot()  # noqa: S314
            assert root.tag == "{http://www.w3.org/2000/svg}svg", m["files"][key]
            count += 1
    assert count == 2 * len(manifest)


def test_a3_is_the_a4_sign_enlarged(demo):
    _, out, _ = demo
    a4 = ET.parse(out / "de/a4/tuer-haus-a-0-01.svg").getroot()  # noqa: S314
    a3 = ET.parse(out / "de/a3/tuer-haus-a-0-01.svg").getroot()  # noqa: S314
    ratio = float(a3.get("width").rstrip("pt")) / float(a4.get("width").rstrip("pt"))
    assert 1.40 < ratio < 1.43


def _difference(a: Image.Image, b: Image.Image) -> float:
    """Share of pixels that differ clearly (more than a quarter of the range)."""
    diff = ImageChops.difference(a.convert("L"), b.convert("L"))
    histogram = diff.histogram()
    return sum(histogram[64:]) / (a.width * a.height)


@pytest.mark.parametrize(
    ("lang", "sign_id"),
    [("ar", "tuer-haus-a-1-14"), ("uk", "tuer-haus-a-0-01"), ("ar", "weg-haus-a-0-00")],
)
def test_rendered_signs_match_the_reviewed_reference_images(demo, lang, sign_id):
    """A shaping, bidi or font regression changes these pixels (tolerance: 0.5 %).
    After an intended change: look at the new images, then rewrite them with
    ``LEITSYSTEM_UPDATE_IMAGES=1`` (the test then writes instead of comparing)."""
    instance, _, _ = demo
    theme = render.theme_for(instance)
    (sign,) = [
        s
        for s in render.signs(instance, store.load(instance.db), lang, theme, BASE)
        if s.id == sign_id
    ]
    png = render.render(sign, "a4", "png", ppi=50)
    reference = REFERENCES / f"{lang}-{sign_id}.png"
    if os.environ.get("LEITSYSTEM_UPDATE_IMAGES"):
        reference.write_bytes(png)
    got = Image.open(io.BytesIO(png))
    want = Image.open(reference)
    assert got.size == want.size
    assert _difference(got, want) < 0.005, (
        f"{reference.name}: differs; review and replace if intended"
    )


DOC_IMAGES = Path(__file__).parents[1] / "docs" / "img"


@pytest.mark.parametrize(
    ("lang", "sign_id", "name"),
    [
        ("de", "weg-haus-a-0-00", "leitsystem-weg-de.png"),
        ("ar", "weg-haus-a-0-00", "leitsystem-weg-ar.png"),
        ("ar", "tuer-haus-a-0-01", "leitsystem-tuer-ar.png"),
    ],
)
def test_the_screenshots_in_the_docs_show_the_signs_as_they_are(demo, lang, sign_id, name):
    """docs/leitsystem.md explains signs beside these images: they must stay current
    (``LEITSYSTEM_UPDATE_IMAGES=1`` rewrites them, reduced to 64 colours)."""
    instance, _, _ = demo
    theme = render.theme_for(instance)
    (sign,) = [
        s
        for s in render.signs(instance, store.load(instance.db), lang, theme, BASE)
        if s.id == sign_id
    ]
    got = Image.open(io.BytesIO(render.render(sign, "a4", "png", ppi=60))).convert("RGB")
    path = DOC_IMAGES / name
    if os.environ.get("LEITSYSTEM_UPDATE_IMAGES"):
        got.quantize(64).save(path, optimize=True)
    assert name in (DOC_IMAGES.parent / "leitsystem.md").read_text(encoding="utf-8")
    want = Image.open(path)
    assert got.size == want.size
    assert _difference(got, want.convert("RGB")) < 0.005, f"{name}: differs; review and replace"
    assert path.stat().st_size < 80_000


def test_a_shaping_regression_would_be_caught(demo):
    """The comparison is sharp enough: the Ukrainian sign differs from the Arabic one."""
    want = Image.open(REFERENCES / "ar-tuer-haus-a-1-14.png")
    other = Image.open(REFERENCES / "uk-tuer-haus-a-0-01.png")
    assert _difference(want, other) > 0.005


def test_rendering_uses_only_the_shipped_fonts():
    import typst

    fonts = typst.Fonts(
        include_system_fonts=False, include_embedded_fonts=False, font_paths=render.font_paths()
    )
    assert set(fonts.families()) == {"Noto Sans", "Noto Sans Arabic"}
    assert all("fontpkg_noto_sans" in f.path for f in fonts.fonts())


def test_the_same_sign_renders_byte_for_byte_the_same(demo):
    instance, out, _ = demo
    theme = render.theme_for(instance)
    (sign,) = [
        s
        for s in render.signs(instance, store.load(instance.db), "ar", theme, BASE)
        if s.id == "tuer-haus-a-1-14"
    ]
    assert render.render(sign, "a4", "pdf") == (out / "ar/a4/tuer-haus-a-1-14.pdf").read_bytes()


# -- the command ----------------------------------------------------------------------


def test_build_with_chosen_languages_sizes_and_formats(tmp_path):
    instance = _instance(tmp_path / "inst", leitsystem={"base_url": BASE})
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        [
            "--instance",
            str(instance.root),
            "leitsystem",
            "build",
            "-o",
            str(out),
            "--lang",
            "ar",
            "--lang",
            "pl",
            "--size",
            "a3",
            "--format",
            "pdf",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "46 signs in 2 language(s) (ar, pl), 46 files" in result.output
    assert sorted(p.relative_to(out).parts[:2] for p in out.glob("*/*")) == [
        ("ar", "a3"),
        ("pl", "a3"),
    ]
    assert not list(out.rglob("*.svg"))
    # Not on a terminal: progress as a few plain lines with counts, on standard error.
    assert "signs: 46/46" in result.stderr
    quiet = CliRunner().invoke(
        main,
        [
            *("--instance", str(instance.root), "leitsystem", "build", "-o", str(out)),
            *("--quiet", "--lang", "de", "--size", "a4", "--format", "svg"),
        ],
    )
    assert quiet.exit_code == 0 and quiet.output == "", quiet.output
    instance.db.dispose()


def test_build_refuses_unknown_languages_and_a_missing_base_url(tmp_path):
    instance = _instance(tmp_path / "inst")
    runner = CliRunner()
    result = runner.invoke(
        main,
        [
            "--instance",
            str(instance.root),
            "leitsystem",
            "build",
            "-o",
            str(tmp_path / "o"),
            "--lang",
            "xx",
            "--base-url",
            BASE,
        ],
    )
    assert result.exit_code == 1
    assert "--lang xx: no sign texts for this language" in result.output
    # The demo content notes where `willkommen demo` serves; without it, no address.
    (instance.root / address.FILE).unlink()
    result = runner.invoke(
        main, ["--instance", str(instance.root), "leitsystem", "build", "-o", str(tmp_path / "o")]
    )
    assert result.exit_code == 1
    assert "leitsystem.base_url: is empty" in result.output
    assert "Traceback" not in result.output
    instance.db.dispose()


def test_build_refuses_a_theme_below_the_din_contrast_naming_the_pair(tmp_path):
    instance = _instance(tmp_path / "inst", leitsystem={"base_url": BASE, "theme": "blass"})
    themes = instance.root / "content" / "leitsystem" / "themes.toml"
    themes.parent.mkdir(parents=True)
    themes.write_text(
        '[blass]\nbackground = "#ffffff"\ntext = "#999999"\naccent = "#000000"\n'
        'panel = "#000000"\npanel_text = "#ffffff"\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        main, ["--instance", str(instance.root), "leitsystem", "build", "-o", str(tmp_path / "o")]
    )
    assert result.exit_code == 1
    assert (
        "contrast of text #999999 on background #ffffff is K = 0.52, below DIN 32975's minimum 0.7"
        in result.output
    )
    assert not (tmp_path / "o").exists()
    instance.db.dispose()
