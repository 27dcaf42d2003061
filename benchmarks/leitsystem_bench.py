"""Sign generation: the Magdeburg demo site's full sign set in all ten languages.

Builds every sign (door, direction, floor directory, building overview) in
A4 and A3 as PDF and SVG into a temporary folder, as ``willkommen leitsystem
build`` does, and prints the time per sign and per file. Reference in the
same run: one typst compile of an empty page with the same fonts (the floor
any sign costs). Goal (issue 5): the full set in all languages under 15 s.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from willkommen_core.instance import Instance
from willkommen_core.storage import migrate
from willkommen_core.testing.instance import write_instance
from willkommen_plugins.leitsystem import content, render, store

GOAL_S = 15.0


def main() -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_instance(
            root / "inst",
            plugins=["leitsystem"],
            languages=list(content.SIGN_LANGUAGES),
            leitsystem={"base_url": "https://willkommen.magdeburg.example"},
        )
        instance = Instance.open(root / "inst")
        migrate.upgrade(instance.db, instance.components())
        instance.plugins.call_each("demo_content", instance=instance)
        sites = store.load(instance.db)

        import typst

        fonts = typst.Fonts(
            include_system_fonts=False, include_embedded_fonts=False, font_paths=render.font_paths()
        )
        start = time.perf_counter()
        page = root / "empty.typ"
        page.write_text("#set page(width: 10mm, height: 10mm)\n.", encoding="utf-8")
        empty = typst.Compiler(page, font_paths=fonts, ignore_system_fonts=True)
        for _ in range(20):
            empty.compile(format="pdf")
        empty_ms = (time.perf_counter() - start) / 20 * 1000

        start = time.perf_counter()
        manifest = render.build(
            instance,
            sites,
            root / "out",
            langs=list(content.SIGN_LANGUAGES),
            base_url="https://willkommen.magdeburg.example",
        )
        total = time.perf_counter() - start
        instance.db.dispose()
    signs = len(manifest)
    files = sum(len(m["files"]) for m in manifest)
    verdict = "ok" if total < GOAL_S else "MISSED"
    return [
        f"leitsystem signs: {signs} signs ({signs // len(content.SIGN_LANGUAGES)} per language x "
        f"{len(content.SIGN_LANGUAGES)} languages), {files} files (A4+A3, PDF+SVG) in {total:.1f} s: "
        f"{total / signs * 1000:.0f} ms per sign, {total / files * 1000:.1f} ms per file; "
        f"empty typst page {empty_ms:.1f} ms; goal < {GOAL_S:.0f} s: {verdict}"
    ]


if __name__ == "__main__":
    lines = main()
    print("\n".join(lines))
    sys.exit(0 if "MISSED" not in lines[-1] else 1)
