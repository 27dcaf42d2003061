"""The rollout report: ``rollout-report.json`` (for scripts) and ``.html`` (for people).

German by default (documents for the state ministry); English with ``--lang en``.
"""

from __future__ import annotations

import json
import shutil
from functools import cache
from pathlib import Path

import jinja2
from babel.numbers import format_decimal

from .. import i18n
from ..i18n import lazy_gettext as _l
from .run import Result

HERE = Path(__file__).parent
JSON_FILE = "rollout-report.json"
HTML_FILE = "rollout-report.html"
CSS_FILE = "report.css"
LABELS = {
    "created": _l("angelegt"),
    "unchanged": _l("unverändert"),
    "updated": _l("aktualisiert"),
    "needs-attention": _l("braucht Aufmerksamkeit"),
    "failed": _l("fehlgeschlagen"),
}


def decimal(value: float, pattern: str = "0.0") -> str:
    """``value`` with the report language's decimal sign (3,4 in German, 3.4 in English)."""
    return format_decimal(value, format=pattern, locale=i18n.current_language())


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(HERE / "templates")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    # German by default; `--lang en` activates English before rendering.
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals["current_language"] = i18n.current_language
    env.globals["decimal"] = decimal
    return env


def copy_css(folder: Path) -> None:
    shutil.copyfile(HERE / "templates" / CSS_FILE, folder / CSS_FILE)


def write(result: Result, folder: Path | None = None) -> tuple[Path, Path]:
    """Write both reports into ``folder`` (default: the rollout's output); returns their paths."""
    folder = Path(folder or result.output)
    folder.mkdir(parents=True, exist_ok=True)
    json_path = folder / JSON_FILE
    json_path.write_text(
        json.dumps(result.as_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    html = (
        environment()
        .get_template("rollout-report.html")
        .render(result=result, labels=LABELS, register_name=Path(result.register).stem)
    )
    html_path = folder / HTML_FILE
    html_path.write_text(html, encoding="utf-8")
    copy_css(folder)
    return json_path, html_path
