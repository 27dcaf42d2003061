"""Signs as a wayfinding designer accepts them (issue 14).

"Eingang / Sie sind hier" at the entrance, one arrow per direction with all its
goals, the floor beside every arrow that leaves the floor, minimum type sizes
for the reading distance (measured in the PDF, A4 and A3), German and the
second language at equal size, the Arabic comma in Arabic-script day lists,
``--lang de,ar``, a default address for the QR codes, and customer pages of
other modules (hook ``customer_links``) printed as further QR codes.
"""

from __future__ import annotations

import importlib.util
import io
import math
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import zxingcpp
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from leitsystem_support import normalize, pdf_text, sized_runs
from PIL import Image

from willkommen_core.cli import cli as main
from willkommen_core.testing import login
from willkommen_plugins.leitsystem import address, content, hours, render, store

LANGS = ["de", "en", "uk", "ru", "ar", "fa", "ps", "pl", "ro", "tr"]
BASE = "https://willkommen.magdeburg.example"
UMFRAGE = Path(__file__).parent / "plugins" / "umfrage"


def load_umfrage() -> ModuleType:
    name = "willkommen_test_umfrage"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(
        name, UMFRAGE / "__init__.py", submodule_search_locations=[str(UMFRAGE)]
    )
    assert spec is not None and spec.loader is not None
    package = importlib.util.module_from_spec(spec)
    sys.modules[name] = package
    spec.loader.exec_module(package)
    return package


def _demo(
    factory: Any,
    *,
    umfrage: list[str] | None = None,
    lang_in_path: bool = False,
    pages: int = 1,
    **settings: Any,
) -> Any:
    extra = (("umfrage", load_umfrage()),) if umfrage is not None else ()
    if umfrage is not None:
        settings["umfrage"] = {"places": umfrage, "lang_in_path": lang_in_path, "pages": pages}
    instance = factory(["leitsystem"], languages=LANGS, extra_plugins=extra, **settings)
    instance.plugins.call_each("demo_content", instance=instance)
    return instance


@pytest.fixture
def demo(make_sqlite_instance):
    return _demo(make_sqlite_instance)


def _signs(instance: Any, lang: str) -> dict[str, render.Sign]:
    theme = render.theme_for(instance)
    return {s.id: s for s in render.signs(instance, store.load(instance.db), lang, theme, BASE)}


# -- direction signs ------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_entrance_sign_says_entrance_you_are_here_never_exit(demo, lang):
    sign = _signs(demo, lang)["weg-haus-a-0-00"]
    header = [r["t"] for r in sign.data["header"]["lines"]]
    assert header[0] == "Eingang / Sie sind hier · Erdgeschoss"
    if lang != "de":
        texts = content.Texts(demo, lang)
        here = str(texts.label("entrance_here", fallback=False))
        assert header[1] == f"{here} · {texts.floor(0, fallback=False)}"
        assert header[1].split(" / ")[0] != str(texts.service("ausgang"))
    assert not any("Ausgang" in h for h in header)
    # Signs at the lifts still name where they hang.
    assert _signs(demo, lang)["weg-haus-a-1-10"].data["header"]["lines"][0]["t"] == (
        "Aufzug · 1. Obergeschoss"
    )


def test_direction_signs_show_each_direction_once_with_all_its_goals(demo):
    sign = _signs(demo, "ar")["weg-haus-a-0-00"]
    arrows = [r["arrow"] for r in sign.data["rows"]]
    order = ["ahead", "left", "right", "up"]
    assert arrows == [
        render.pictogram(demo, "pfeil", render.theme_for(demo).accent, render.ARROW_ROTATION[a])
        for a in order
    ]
    goals = [[item["trail"] for item in row["items"]] for row in sign.data["rows"]]
    # Demo routes from the entrance: ahead 0.01; left 0.02, 0.10; right 0.05, 0.12; up 1.14, 2.05.
    assert goals == [["0.01"], ["0.02", "0.10"], ["0.05", "0.12"], ["1.14", "2.05"]]


@pytest.mark.parametrize("lang", ["de", "ar", "uk"])
def test_a_goal_on_another_floor_names_that_floor_beside_its_arrow(demo, lang):
    texts = {code: content.Texts(demo, code) for code in ("de", lang)}
    for sign in _signs(demo, lang).values():
        if sign.kind != "direction":
            continue
        here = sign.id.rsplit("-", 2)[-2]  # weg-haus-a-<level>-<nn>
        for row in sign.data["rows"]:
            for item in row["items"]:
                level = int(item["trail"].split(".")[0])
                said = {r["t"] for r in item["lines"]}
                for code, t in texts.items():
                    floor = str(t.floor(level, fallback=False))
                    if level != int(here):
                        assert floor in said, (sign.id, item["trail"], code)
                    else:
                        assert floor not in said, (sign.id, item["trail"], code)


# -- type sizes -----------------------------------------------------------------------


def _size_of(runs: list[tuple[str, float]], text: str) -> float:
    found = [size for t, size in runs if normalize(text) in t]
    assert found, (text, runs)
    return found[0]


@pytest.mark.parametrize("size", ["a4", "a3"])
@pytest.mark.parametrize("lang", ["ar", "fa", "uk"])
def test_opening_hours_and_qr_caption_meet_the_minimum_in_both_languages(demo, lang, size):
    """Measured in the PDF: details at least 16 pt on A4 (cap height 4 mm), 16·√2 on
    A3; the second language exactly as large as German."""
    scale = render.SIZES[size]
    sign = _signs(demo, lang)["tuer-haus-a-0-01"]
    runs = sized_runs(render.render(sign, size, "pdf"))
    de, other = content.Texts(demo, "de"), content.Texts(demo, lang)
    checked = []
    for key in ("opening_hours", "scan_qr"):
        sizes = [
            _size_of(runs, str(t.label(key, fallback=False)).split(":")[0]) for t in (de, other)
        ]
        checked.append(sizes)
    (de_days, _), (other_days, _) = (
        hours.localized("Mo-Fr 08:00-12:00", "de")[0],
        hours.localized("Mo-Fr 08:00-12:00", lang)[0],
    )
    checked.append([_size_of(runs, de_days), _size_of(runs, other_days.split("–")[0])])
    for german, second in checked:
        assert german == second
        assert german >= render.MIN_PT["detail"] * scale - 0.01
    # Nothing on any sign is smaller than the details' minimum.
    assert min(s for _, s in runs) >= render.MIN_PT["detail"] * scale - 0.01


@pytest.mark.parametrize("lang", ["de", "ar", "ps"])
def test_no_sign_of_the_demo_has_type_below_the_minimum(demo, lang):
    for sign in _signs(demo, lang).values():
        runs = sized_runs(render.render(sign, "a4", "pdf"))
        assert min(s for _, s in runs) >= render.MIN_PT["detail"] - 0.01, sign.id
        for run in sign.texts():
            assert run["size"] >= run["min"]


def test_the_minimum_cap_heights_are_the_documented_ones():
    """docs/leitsystem.md states 4.0 and 5.0 mm on A4: pt × 0.3528 mm × 0.714."""
    cap = {k: v * render.PT_MM * render.CAP_HEIGHT_EM for k, v in render.MIN_PT.items()}
    assert cap["detail"] == pytest.approx(4.0, abs=0.05)
    assert cap["title"] == pytest.approx(5.0, abs=0.05)
    assert cap["detail"] * math.sqrt(2) == pytest.approx(5.7, abs=0.05)
    docs = (Path(__file__).parents[1] / "docs" / "leitsystem.md").read_text(encoding="utf-8")
    for figure in ("16 pt", "20 pt", "4.0 mm", "5.0 mm", "22.6 pt", "28.3 pt", "DIN 1450"):
        assert figure in docs


def test_a_sign_that_cannot_fit_at_the_minimum_is_refused_by_name(demo):
    sign = _signs(demo, "ar")["weg-haus-a-0-00"]
    sign.data["rows"] = sign.data["rows"] * 4
    with pytest.raises(Exception, match=r"weg-haus-a-0-00 \(ar, a4\) does not fit .* minimum"):
        render.render(sign, "a4", "pdf")


# -- punctuation and plain language ---------------------------------------------------


@pytest.mark.parametrize("lang", ["ar", "fa", "ps"])
def test_arabic_script_day_lists_use_the_arabic_comma(demo, lang):
    (days, times), _ = hours.localized("Di, Do 08:00-12:00, 13:00-16:00; Fr 08:00-09:00", lang)
    assert "،" in days and "," not in days
    assert times.count("،") == 1 and "," not in times
    text = pdf_text_of(_signs(demo, lang)["tuer-haus-a-2-05"])
    assert "،" in text


def pdf_text_of(sign: render.Sign) -> str:
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(render.render(sign, "a4", "pdf"))
        f.flush()
        return pdf_text(f.name)


def test_latin_languages_keep_their_comma():
    assert hours.localized("Di, Do 08:00-12:00", "de") == [("Di., Do.", "08:00–12:00")]
    assert hours.localized("Di, Do 08:00-12:00", "tr")[0][0].count(",") == 1


def test_plain_language_writes_days_and_times_out():
    assert hours.localized("Mo-Fr 08:00-12:00; Di, Do 13:00-18:00", "de-x-ls") == [
        ("Montag bis Freitag", "8:00 bis 12:00 Uhr"),
        ("Dienstag und Donnerstag", "13:00 bis 18:00 Uhr"),
    ]


def test_plain_language_first_information_reads_right(demo, make_client):
    client = make_client(demo)
    html = client.get("/leitsystem/info/empfang?lang=de-x-ls").text
    assert "Sie starten hier: Eingang. Dann geradeaus gehen." in html
    assert "gerade aus" not in html and "Von Ausgang" not in html
    assert "Montag bis Freitag" in html
    assert not re.search(r">\s*(Mo|Di|Mi|Do|Fr)\.?[\s–,<]", html)
    # Standard German names the entrance too, not the exit.
    assert "Ab Eingang: geradeaus" in client.get("/leitsystem/info/empfang?lang=de").text


# -- the command ----------------------------------------------------------------------


def test_build_takes_comma_separated_and_repeated_languages(make_sqlite_instance, tmp_path):
    instance = _demo(make_sqlite_instance, leitsystem={"base_url": BASE})
    out = tmp_path / "out"
    args = ["--instance", str(instance.root), "leitsystem", "build", "-o", str(out)]
    result = CliRunner().invoke(
        main, [*args, "--lang", "de,ar", "--lang", "uk", "--size", "a4", "--format", "pdf"]
    )
    assert result.exit_code == 0, result.output
    assert "in 3 language(s) (de, ar, uk)" in result.output
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["ar", "de", "uk"]
    result = CliRunner().invoke(main, [*args, "--lang", "de, xx"])
    assert result.exit_code == 1
    assert "--lang xx: no sign texts for this language" in result.output


def test_without_base_url_the_signs_lead_to_the_address_the_instance_is_served_at(
    make_sqlite_instance, make_client, tmp_path
):
    instance = _demo(make_sqlite_instance)
    out = tmp_path / "out"
    args = ["--instance", str(instance.root), "leitsystem", "build", "-o", str(out)]
    args += ["--lang", "ar", "--size", "a4", "--format", "pdf"]
    # The demo's signs lead to where `willkommen demo` serves, out of the box.
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "QR codes lead to http://127.0.0.1:8000 (the address the instance was last" in (
        result.output
    )
    (instance.root / address.FILE).unlink()
    # A public page's Host header must not decide where printed codes lead.
    make_client(instance).get("/leitsystem/info/", headers={"host": "evil.example"})
    refused = CliRunner().invoke(main, args)
    assert refused.exit_code == 1 and "leitsystem.base_url: is empty" in refused.output
    staff = make_client(instance)
    login(staff, instance, "redaktion")
    assert staff.get("/leitsystem/").status_code == 200
    assert address.remembered(instance) == "https://testserver"
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "QR codes lead to https://testserver" in result.output
    manifest = (out / "manifest.json").read_text(encoding="utf-8")
    assert "https://testserver/leitsystem/info/empfang?lang=ar" in manifest
    # --base-url wins over the remembered address.
    assert address.base_url(instance, "https://other.example/") == (
        "https://other.example",
        "--base-url",
    )


# -- customer pages of other modules (hook API 1.2) -----------------------------------


def _qr_urls(png: bytes) -> set[str]:
    return {r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))}


def test_a_customer_page_offered_for_signs_gets_its_own_qr_code_and_caption(
    make_sqlite_instance,
):
    instance = _demo(make_sqlite_instance, umfrage=["signs", "pages"])
    sign = _signs(instance, "ar")["tuer-haus-a-0-01"]
    survey = f"{BASE}/umfrage/?lang=ar"
    assert sign.qr_urls == [f"{BASE}/leitsystem/info/empfang?lang=ar", survey]
    assert _qr_urls(render.render(sign, "a4", "png", ppi=110)) == set(sign.qr_urls)
    text = pdf_text_of(sign)
    assert "Wie war Ihr Besuch?" in text and "كيف كانت زيارتك؟" in text
    caption = sign.data["footer"]["qrs"][1]["lines"]
    assert [(r["t"], r["lang"], r["size"]) for r in caption] == [
        ("Wie war Ihr Besuch?", "de", render.MIN_PT["detail"]),
        ("كيف كانت زيارتك؟", "ar", render.MIN_PT["detail"]),
    ]
    runs = sized_runs(render.render(sign, "a4", "pdf"))
    assert min(size for _, size in runs) >= render.MIN_PT["detail"]
    # Facilities carry none; a language the module lacks shows its German caption.
    assert _signs(instance, "ar")["tuer-haus-a-0-10"].qr_urls == []
    uk = _signs(instance, "uk")["tuer-haus-a-0-01"]
    assert [r["t"] for r in uk.data["footer"]["qrs"][1]["lines"]] == ["Wie war Ihr Besuch?"]


def test_a_page_whose_path_names_the_language_is_one_qr_code_in_that_language(
    make_sqlite_instance,
):
    instance = _demo(make_sqlite_instance, umfrage=["signs"], lang_in_path=True)
    sign = _signs(instance, "ar")["tuer-haus-a-0-01"]
    assert sign.qr_urls == [f"{BASE}/leitsystem/info/empfang?lang=ar", f"{BASE}/umfrage/?lang=ar"]
    assert [r["lang"] for r in sign.data["footer"]["qrs"][1]["lines"]] == ["de", "ar"]


def test_many_customer_pages_still_fit_one_sign_with_every_code_readable(make_sqlite_instance):
    instance = _demo(make_sqlite_instance, umfrage=["signs"], pages=3)
    sign = _signs(instance, "ar")["tuer-haus-a-0-01"]
    assert len(sign.qr_urls) == 4
    assert _qr_urls(render.render(sign, "a4", "png", ppi=110)) == set(sign.qr_urls)
    runs = sized_runs(render.render(sign, "a4", "pdf"))  # one page, else this fails
    assert min(size for _, size in runs) >= render.MIN_PT["detail"]


@pytest.mark.parametrize("places", [[], ["pages"]])
def test_without_a_link_for_signs_the_signs_are_byte_for_byte_unchanged(
    make_sqlite_instance, places
):
    plain = _demo(make_sqlite_instance)
    other = _demo(make_sqlite_instance, umfrage=places)
    for lang in ("de", "ar"):
        mine, theirs = _signs(plain, lang), _signs(other, lang)
        assert mine.keys() == theirs.keys()
        for sign_id in ("tuer-haus-a-0-01", "tuer-haus-a-1-14", "weg-haus-a-0-00"):
            for fmt in ("pdf", "svg"):
                assert render.render(mine[sign_id], "a4", fmt) == render.render(
                    theirs[sign_id], "a4", fmt
                ), (lang, sign_id, fmt)


def test_first_information_links_the_pages_offered_for_pages(make_sqlite_instance, make_client):
    instance = _demo(make_sqlite_instance, umfrage=["pages"])
    client = make_client(instance)
    for path in ("/leitsystem/info/?lang=ar", "/leitsystem/info/kasse?lang=ar"):
        html = client.get(path).text
        assert '<a href="/umfrage/">كيف كانت زيارتك؟</a>' in html, path
    # A caption in another language than the page is marked with its own.
    html = client.get("/leitsystem/info/kasse?lang=uk").text
    assert '<a href="/umfrage/" lang="de" dir="ltr">Wie war Ihr Besuch?</a>' in html
    only_signs = _demo(make_sqlite_instance, umfrage=["signs"])
    assert "/umfrage/" not in make_client(only_signs).get("/leitsystem/info/kasse").text


# -- markup ---------------------------------------------------------------------------


def test_the_editing_page_nests_no_form_in_a_paragraph(demo, make_client):
    from html.parser import HTMLParser

    client = make_client(demo)
    login(client, demo, "redaktion")
    html = client.get("/leitsystem/").text

    class Nesting(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.open: list[str] = []
            self.bad = 0

        def handle_starttag(self, tag: str, attrs: Any) -> None:
            if tag == "form" and "p" in self.open:
                self.bad += 1
            if tag not in ("input", "br", "img", "meta", "link", "hr"):
                self.open.append(tag)

        def handle_endtag(self, tag: str) -> None:
            if tag in self.open:
                del self.open[len(self.open) - 1 - self.open[::-1].index(tag) :]

    checker = Nesting()
    checker.feed(html)
    assert "<form" in html and checker.bad == 0


# -- properties -----------------------------------------------------------------------

_DAY = st.sampled_from(["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"])


@given(days=st.lists(_DAY, min_size=1, max_size=7, unique=True), lang=st.sampled_from(LANGS))
def test_any_day_list_takes_the_comma_of_its_script(days, lang):
    order = ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"]
    typed = ", ".join(sorted(days, key=order.index)) + " 08:00-12:00, 13:00-14:00"
    ((shown, times),) = hours.localized(typed, lang)
    if lang in ("ar", "fa", "ps"):
        assert "," not in shown + times and "،" in times
    else:
        assert "،" not in shown + times
    plain = hours.localized(typed, "de-x-ls")[0][0]
    assert "." not in plain and not set(re.findall(r"\w+", plain)) & set(order)


@given(st.lists(st.lists(st.sampled_from(LANGS), min_size=1, max_size=3), min_size=1, max_size=3))
def test_comma_separated_and_repeated_languages_mean_the_same(groups):
    from willkommen_plugins.leitsystem.cli import split_languages

    joined = tuple(" , ".join(group) for group in groups)
    assert split_languages(joined) == [code for group in groups for code in group]
