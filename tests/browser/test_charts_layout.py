"""Charts and tables stay readable at a phone's and a desktop's width (issue 14).

On the Magdeburg demo in a real browser: the self-assessment's dot plots keep
every label inside the picture and never draw two series on top of each
other; the process timeline's axis labels never run into each other; the
results tables fit their column at 1,280 px or scroll in a focusable region
named by their caption; axe finds nothing on these pages, German or Arabic.
Right-to-left rendering is checked on the charts themselves, rendered for an
Arabic page (staff pages are offered in Arabic once its staff catalogue is
complete, see willkommen_core.web.languages).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from willkommen_core import accounts
from willkommen_core.demo import prepare_demo

WIDTHS = [375, 1280]
LANGS = ["de", "ar"]
ROOT = Path(__file__).resolve().parents[2]

# Boxes (client rectangles) of the visible texts of each chart, with the chart's own box.
TEXT_BOXES = """sel => [...document.querySelectorAll(sel)].map(svg => ({
  svg: svg.getBoundingClientRect().toJSON(),
  texts: [...svg.querySelectorAll('text')]
    .filter(t => getComputedStyle(t).display !== 'none')
    .map(t => ({text: t.textContent, cls: t.getAttribute('class') || '',
                box: t.getBoundingClientRect().toJSON()})),
}))"""


class Demo:
    def __init__(self, base: str, instance: Any) -> None:
        self.base = base
        self.instance = instance

    def closed_round(self) -> int:
        from willkommen_plugins.selbstcheck import store

        return max(r.id for r in store.list_rounds(self.instance.db) if r.status == "closed")


@pytest.fixture
def demo(tmp_path, live_server, page, log_in) -> Demo:
    """The demo served live, the page logged in as the admin."""
    instance, password = prepare_demo(tmp_path / "demo")
    assert password is not None
    accounts.set_password(instance.db, "admin", password)  # the one-time one opens no page
    base = live_server(instance)
    page.goto(f"{base}/login?lang=de")
    log_in(page, base, "admin", password)
    return Demo(base, instance)


def _open(page: Any, url: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    response = page.goto(url)
    assert response is not None and response.status == 200, url


def _inside(box: dict[str, float], outer: dict[str, float], slack: float = 1.0) -> bool:
    return (
        box["left"] >= outer["left"] - slack
        and box["right"] <= outer["right"] + slack
        and box["top"] >= outer["top"] - slack
        and box["bottom"] <= outer["bottom"] + slack
    )


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["left"] < b["right"] - 0.5
        and b["left"] < a["right"] - 0.5
        and a["top"] < b["bottom"] - 0.5
        and b["top"] < a["bottom"] - 0.5
    )


def assert_labels_inside(page: Any, selector: str, what: str) -> int:
    charts = page.evaluate(TEXT_BOXES, selector)
    assert charts, f"{what}: no {selector}"
    for chart in charts:
        for t in chart["texts"]:
            assert _inside(t["box"], chart["svg"]), f"{what}: {t['text']!r} leaves the chart"
    return sum(len(c["texts"]) for c in charts)


def assert_no_text_overlaps(page: Any, selector: str, what: str) -> None:
    for chart in page.evaluate(TEXT_BOXES, selector):
        texts = chart["texts"]
        for i, a in enumerate(texts):
            for b in texts[i + 1 :]:
                assert not _overlap(a["box"], b["box"]), (
                    f"{what}: {a['text']!r} and {b['text']!r} overlap"
                )


def assert_markers_apart(page: Any, what: str) -> None:
    """No two series' markers share a spot, however close their values."""
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('svg.chart')].map(svg =>
             [...svg.querySelectorAll('use')].map(u => u.getBoundingClientRect().toJSON()))"""
    )
    for markers in boxes:
        for i, a in enumerate(markers):
            for b in markers[i + 1 :]:
                assert not _overlap(a, b), f"{what}: two markers overlap at {a}"


@pytest.mark.parametrize("width", [320, *WIDTHS])
@pytest.mark.parametrize("lang", LANGS)
def test_self_assessment_charts_keep_labels_inside_and_series_apart(page, demo, width, lang):
    url = f"{demo.base}/selbstcheck/runden/{demo.closed_round()}/ergebnisse?lang={lang}"
    _open(page, url, width)
    what = f"results [{lang}, {width}px]"
    assert assert_labels_inside(page, "svg.chart", what) > 50
    assert_no_text_overlaps(page, "svg.chart", what)
    assert_markers_apart(page, what)
    # Three series (all, leadership, staff) in the overview, each told apart by its shape.
    assert page.locator("#overview-t").count() == 1
    shapes = page.evaluate(
        """() => [...document.querySelectorAll('svg.chart defs > g')].slice(0, 3)
             .map(g => g.firstElementChild.tagName)"""
    )
    assert len(set(shapes)) == 3, shapes


@pytest.mark.parametrize("width", [320, 375, 768, 1280])
def test_timeline_axis_labels_never_overlap(page, demo, width):
    _open(page, f"{demo.base}/prozesse/zeitplan?lang=de", width)
    what = f"timeline [{width}px]"
    assert_labels_inside(page, "svg.timeline", what)
    assert_no_text_overlaps(page, "svg.timeline", what)
    axis = page.evaluate(TEXT_BOXES, "svg.timeline")[0]["texts"]
    years = [t for t in axis if "year" in t["cls"]]
    months = [t for t in axis if "month" in t["cls"]]
    assert years, f"{what}: no year on the axis"
    if width >= 768:  # a desktop shows more than the years
        assert len(months) >= 4, f"{what}: {len(months)} month labels"
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", WIDTHS)
def test_results_tables_fit_or_scroll_in_a_named_focusable_region(page, demo, width):
    _open(page, f"{demo.base}/selbstcheck/runden/{demo.closed_round()}/ergebnisse", width)
    regions = page.evaluate(
        """() => [...document.querySelectorAll('main .table-wrap')].map(w => ({
             overflow: w.scrollWidth - w.clientWidth,
             role: w.getAttribute('role'), tabindex: w.getAttribute('tabindex'),
             name: (document.getElementById(w.getAttribute('aria-labelledby') || '') || {})
                   .textContent || '',
             caption: (w.querySelector('caption') || {}).textContent || ''}))"""
    )
    assert regions
    for r in regions:
        assert r["role"] == "region" and r["tabindex"] == "0", r
        assert r["name"] and r["name"] == r["caption"], r
    if width == 1280:  # the overview table fits beside its chart, nothing cut off
        assert regions[0]["overflow"] <= 0, regions[0]
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("lang", LANGS)
def test_chart_pages_pass_axe(page, demo, lang, assert_accessible):
    for path in (
        f"/selbstcheck/runden/{demo.closed_round()}/ergebnisse",
        "/selbstcheck/vergleich",
        "/prozesse/zeitplan",
        "/fortbildung/plan",
    ):
        for width in WIDTHS:
            _open(page, f"{demo.base}{path}?lang={lang}", width)
            assert_accessible(page, f"{path} [{lang}, {width}px]")


def _rtl_page(body: str) -> str:
    css = "".join(
        (ROOT / p).read_text(encoding="utf-8")
        for p in (
            "willkommen_core/web/static/willkommen.css",
            "plugins/selbstcheck/static/selbstcheck.css",
            "plugins/prozesse/static/prozesse.css",
        )
    )
    return (
        f'<!doctype html><html lang="ar" dir="rtl"><style>{css}</style><main>{body}</main></html>'
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_charts_run_right_to_left_on_arabic_pages(browser, demo, width):
    from willkommen_core import i18n
    from willkommen_plugins.prozesse import store as plans
    from willkommen_plugins.prozesse.timeline import timeline_svg
    from willkommen_plugins.selbstcheck import charts

    i18n.activate("ar")
    try:
        dots = charts.dot_plot(
            ["الشراكة", "الكفاءات والتدريب المستمر للموظفين في جميع الأقسام"],
            [charts.Series("الكل", [1.0, 5.0]), charts.Series("الإدارة", [3.0, None])],
            title="المتوسطات",
            missing="محجوب",
            uid="rtl",
        )
        plan = plans.load(demo.instance.db)
        assert plan is not None
        timeline = timeline_svg(plan, str)
    finally:
        i18n.activate("de")
    # A page of its own: the site's Content-Security-Policy would refuse the inline styles.
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_content(
        _rtl_page(f"<figure>{dots}</figure><div class='timeline-wrap'>{timeline}</div>")
    )
    assert_labels_inside(page, "svg.chart", f"dot plot rtl [{width}px]")
    assert_labels_inside(page, "svg.timeline", f"timeline rtl [{width}px]")
    assert_no_text_overlaps(page, "svg.timeline", f"timeline rtl [{width}px]")
    # The scale runs from the right: 1 (first marker) right of 5 (second marker).
    low, high = page.evaluate(
        """() => [...document.querySelectorAll('svg.chart use[href="#rtl-m0"]')].slice(1)
             .map(u => u.getBoundingClientRect().left)"""
    )
    assert low > high
    # Labels start at the right edge, as Arabic text does.
    svg_right, label_right = page.evaluate(
        """() => { const svg = document.querySelector('svg.chart');
                   const label = [...svg.querySelectorAll('text')].find(t => t.textContent === 'الشراكة');
                   return [svg.getBoundingClientRect().right, label.getBoundingClientRect().right]; }"""
    )
    assert svg_right - label_right < 4
    # Time runs from the right too: the first month line is right of the last.
    ticks = page.evaluate(
        "() => [...document.querySelectorAll('svg.timeline line.tick')]"
        ".map(l => l.getBoundingClientRect().left)"
    )
    assert ticks[0] > ticks[-1]
    context.close()


# -- the axis arithmetic behind the timeline (no browser needed) ------------------------------


@settings(deadline=None)
@given(
    st.lists(st.floats(0, 0.999), min_size=1, max_size=60, unique=True),
    st.text(min_size=1, max_size=12),
)
def test_thinned_axis_labels_fit_the_narrowest_chart(positions, text):
    from willkommen_plugins.prozesse.timeline import NARROWEST, needed_width, thin_to_fit

    labels = [(p, text) for p in sorted(positions)]
    kept = thin_to_fit(labels, 12)
    assert kept and set(kept) <= set(labels)
    assert len(kept) == 1 or needed_width(kept, 12) <= NARROWEST


@given(st.floats(0, 5000))
def test_a_label_is_shown_from_a_width_at_which_it_fits(width):
    from willkommen_plugins.prozesse.timeline import BREAKPOINTS, NARROWEST, shown_from

    shown = shown_from(width)
    if width <= NARROWEST:
        assert shown == ""
    elif width > BREAKPOINTS[-1]:
        assert shown is None
    else:
        assert shown is not None and int(shown.removeprefix("from-")) >= width


def test_every_breakpoint_has_its_rule_in_the_stylesheet():
    from willkommen_plugins.prozesse.timeline import BREAKPOINTS

    css = (ROOT / "plugins/prozesse/static/prozesse.css").read_text(encoding="utf-8")
    for bp in BREAKPOINTS:
        assert f"@container timeline (min-width: {bp}px)" in css
        assert f".timeline .from-{bp} {{ display: inline; }}" in css
        assert f".timeline .until-{bp} {{ display: none; }}" in css
