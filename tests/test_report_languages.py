"""The ministry's reports are German by default and English on request."""

from __future__ import annotations

from click.testing import CliRunner

from willkommen_core.cli import cli


def _rollout(tmp_path, *args):
    result = CliRunner().invoke(
        cli, ["rollout", "sachsen-anhalt", "--output", str(tmp_path), "--only", "magdeburg", *args]
    )
    assert result.exit_code == 0, result.output
    return (tmp_path / "rollout-report.html").read_text(encoding="utf-8")


def test_the_rollout_report_is_german_by_default(tmp_path):
    html = _rollout(tmp_path)
    assert '<html lang="de">' in html
    assert "Rollout-Bericht: sachsen-anhalt" in html
    assert "angelegt" in html


def test_the_rollout_report_can_be_english(tmp_path):
    html = _rollout(tmp_path, "--lang", "en")
    assert '<html lang="en">' in html
    assert "Rollout report: sachsen-anhalt" in html
    assert ">created<" in html
    assert "Rollout-Bericht" not in html


def test_the_rollout_reports_duration_has_the_languages_decimal_sign(tmp_path):
    import re

    german = _rollout(tmp_path / "de")
    english = _rollout(tmp_path / "en", "--lang", "en")
    assert re.search(r"Dauer \d+,\d s\.", german)
    assert re.search(r"duration \d+\.\d s\.", english)
