"""Screenshots for the docs: the demo instance in a real browser (Debian's Chromium).

Run from the repository root with the dev environment::

    python docs/screenshots/make_screenshots.py            # all shots into docs/img/
    python docs/screenshots/make_screenshots.py --out /tmp/shots --only results

It prepares the Magdeburg demo in a temporary folder, serves it on a free
local port, logs in as the admin and shoots each page in German and Arabic
at desktop width (1,280 px) and phone width (375 px). The PNGs are reduced to
a palette (Pillow) so each stays well under 300 KB. Nothing is left running.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "docs" / "img"
WIDTHS = {"desktop": 1280, "phone": 375}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
MAX_BYTES = 300_000


@dataclass(frozen=True)
class Shot:
    name: str  # file name stem: <name>-<lang>-<width>.png
    path: str  # page path on the demo
    selector: str  # the part of the page to shoot (its first match) ...
    until: str  # ... down to the end of this element


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve_demo(directory: Path) -> Iterator[tuple[str, Any, str]]:
    """The demo instance served by uvicorn in a thread: (base URL, instance, admin password)."""
    import uvicorn

    from willkommen_core import accounts
    from willkommen_core.demo import prepare_demo
    from willkommen_core.web.reloading import InstanceApp

    instance, password = prepare_demo(directory)
    if password is None:
        raise SystemExit(f"{directory}: demo exists already; use an empty folder")
    # The one-time password opens only the password page: make it the admin's own.
    accounts.set_password(instance.db, "admin", password)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(InstanceApp(instance.root), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    if not server.started:
        raise SystemExit("the demo server did not start")
    try:
        yield f"http://localhost:{port}", instance, password
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def shots(instance: Any) -> list[Shot]:
    from willkommen_plugins.selbstcheck import store

    closed = [r for r in store.list_rounds(instance.db) if r.status == "closed"]
    # The latest closed round: the one a leader looks at first.
    latest = max(closed, key=lambda r: r.id)
    return [
        Shot(
            "selbstcheck-ergebnisse",
            f"/selbstcheck/runden/{latest.id}/ergebnisse",
            "#main",
            ".chart-with-table",
        ),
        Shot("prozesse-zeitplan", "/prozesse/zeitplan", "#main", ".timeline-figure"),
    ]


def rtl_preview(instance: Any) -> str:
    """The same charts for an Arabic page, as a page of its own.

    Staff pages are offered in Arabic only once its staff catalogue is complete
    (``willkommen_core.web.languages``), so the live pages cannot show them in
    Arabic yet. The words here come from the content files and catalogues only:
    the cornerstones' Arabic titles, the perspectives, Babel's month names; the
    process plan's titles are the authority's own (German) data.
    """
    from willkommen_core import i18n
    from willkommen_core.web.languages import locale_dirs
    from willkommen_plugins.prozesse import store as plans
    from willkommen_plugins.prozesse.timeline import timeline_svg
    from willkommen_plugins.prozesse.web import date_label
    from willkommen_plugins.selbstcheck import charts, store
    from willkommen_plugins.selbstcheck.pages.common import PERSPECTIVE_LABELS
    from willkommen_plugins.selbstcheck.summary import round_results

    latest = max(
        (r for r in store.list_rounds(instance.db) if r.status == "closed"), key=lambda r: r.id
    )
    res = round_results(instance, latest, with_comments=False)
    i18n.activate("ar", locale_dirs(instance))
    try:
        q = res.questionnaire
        dots = charts.dot_plot(
            [c.label("ar") for c in q.cornerstones],
            [
                charts.Series(
                    str(label), [res.group(key).cornerstones[c.id].mean for c in q.cornerstones]
                )
                for key, label in PERSPECTIVE_LABELS.items()
            ],
            title="",
            missing="",
            uid="preview",
        )
        plan = plans.load(instance.db)
        timeline = timeline_svg(plan, date_label) if plan is not None else ""
    finally:
        i18n.activate("de")
    css = "".join(
        (REPO / path).read_text(encoding="utf-8")
        for path in (
            "willkommen_core/web/static/willkommen.css",
            "plugins/selbstcheck/static/selbstcheck.css",
            "plugins/prozesse/static/prozesse.css",
        )
    )
    return (
        f'<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><style>{css}</style>'
        f'</head><body><main class="wrap"><figure id="dots">{dots}</figure>'
        f'<figure class="timeline-figure" id="timeline"><div class="timeline-wrap">{timeline}'
        "</div></figure></main></body></html>"
    )


def optimise(png: bytes) -> bytes:
    """A 256-colour palette PNG: screenshots of flat UI lose nothing visible."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    small = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    small.save(out, format="PNG", optimize=True)
    return out.getvalue()


def chromium() -> str:
    path = (
        os.environ.get("WILLKOMMEN_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )
    if path is None:
        raise SystemExit("no Chromium found (apt-get install chromium, or set WILLKOMMEN_CHROMIUM)")
    return path


def shoot(base: str, instance: Any, password: str, out: Path, only: list[str] | None) -> None:
    """Log in as the admin; write the German shots and the right-to-left preview to ``out``."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as play:
        browser = play.chromium.launch(
            executable_path=chromium(), headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_context(
            locale="de-DE", viewport={"width": 1280, "height": 900}
        ).new_page()
        page.goto(f"{base}/login?lang=de")
        page.get_by_label("Benutzername").fill("admin")
        page.get_by_label("Passwort").fill(password)
        page.get_by_role("button", name="Anmelden").click()
        page.wait_for_url(f"{base}/")
        wanted = [s for s in shots(instance) if not only or any(o in s.name for o in only)]
        for shot in wanted:
            for label, width in WIDTHS.items():
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(f"{base}{shot.path}?lang=de")
                save(page, shot.selector, out / f"{shot.name}-de-{label}.png", shot.until)
        # Arabic: a page of its own (the site's CSP would refuse the inline styles).
        preview = browser.new_context(
            locale="ar", viewport={"width": 1280, "height": 900}
        ).new_page()
        preview.set_content(rtl_preview(instance))
        for shot in wanted:
            selector = "#dots" if shot.name.startswith("selbstcheck") else "#timeline"
            for label, width in WIDTHS.items():
                preview.set_viewport_size({"width": width, "height": 900})
                save(preview, selector, out / f"{shot.name}-ar-{label}.png")
        browser.close()


def save(page: Any, selector: str, target: Path, until: str | None = None) -> None:
    """Shoot ``selector`` (down to the end of ``until`` when given) into ``target``."""
    box = page.locator(selector).first.bounding_box()
    end = page.locator(until).first.bounding_box() if until else box
    if box is None or end is None:
        raise SystemExit(f"{page.url}: {selector} or {until} is not visible")
    clip = {**box, "height": end["y"] + end["height"] - box["y"] + 2}
    png = optimise(page.screenshot(full_page=True, clip=clip))
    target.write_bytes(png)
    print(f"{target}: {len(png) // 1024} KB")
    if len(png) > MAX_BYTES:
        print(f"  larger than {MAX_BYTES // 1000} KB", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the PNGs")
    parser.add_argument("--only", action="append", help="shoot only names containing this")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, serve_demo(Path(tmp) / "demo") as served:
        shoot(*served, args.out, args.only)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
