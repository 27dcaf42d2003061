"""A state report built without ``--keys`` says on every printed page that nothing was verified."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pypdf import PdfReader

from willkommen_core.rollout import summary as signing
from willkommen_core.rollout.land import build_report

CORNERSTONES = ("binnenorganisation", "verankerung", "kompetenzen", "zusammenarbeit")


def _summary(folder: Path, i: int) -> Path:
    doc = {
        "schema": "willkommen.summary/1",
        "authority": {"slug": f"behoerde-{i}", "name": f"Behörde {i:02d}", "type": "Landkreis"},
        "toolkit_version": "0.1.0",
        "created": "2026-03-01",
        "sequence": 1,
        "modules": {
            "selbstcheck": {
                "schema_version": 1,
                "rounds": [
                    {
                        "title": "Ausgangslage",
                        "closed_on": "2026-02-01",
                        "questionnaire_version": f"2025.{i % 3}",  # three sections
                        "responses": 12,
                        "cornerstones": [
                            {"id": c, "n": 12, "mean": 3.0, "suppressed": False}
                            for c in CORNERSTONES
                        ],
                    }
                ],
            }
        },
    }
    path = folder / f"{i}.json"
    path.write_text(json.dumps(signing.sign(doc, Ed25519PrivateKey.generate())))
    return path


def _pages(browser: Any, html: Path) -> list[str]:
    page = browser.new_page()
    try:
        page.goto(html.as_uri())
        pdf = page.pdf(format="A4")
    finally:
        page.close()
    return [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]


def test_every_printed_page_of_an_unverified_report_carries_the_warning(browser, tmp_path):
    files = [_summary(tmp_path, i) for i in range(40)]
    unverified = build_report(files, tmp_path / "ungeprueft")
    pages = _pages(browser, unverified.html_path)
    assert len(pages) > 3
    assert all("NICHT GEPRÜFT" in text for text in pages), [t[:80] for t in pages]

    keys = tmp_path / "keys.json"
    keys.write_text(
        json.dumps(
            {
                "schema": "willkommen.keys/1",
                "authorities": {
                    f"behoerde-{i}": {
                        "public_key": json.loads(f.read_text())["signature"]["public_key"]
                    }
                    for i, f in enumerate(files)
                },
            }
        )
    )
    verified = build_report(files, tmp_path / "geprueft", keys_file=keys)
    assert verified.rejected == []
    assert not any("GEPRÜFT" in text for text in _pages(browser, verified.html_path))
