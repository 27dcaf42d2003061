"""Process templates (``prozesse``): the Magdeburg model process as a reusable plan.

An authority instantiates a process template (Magdeburg's, or one its state
ships) with a start date and gets a dated plan of phases and steps, from the
kick-off talks to the review with ministry and federal office. Leadership
adapts it in the web UI; the working groups with their goals and suggested
measures go into the core action plan, the same measures the self-assessment
proposes. The ministry sees per authority which phase it has reached.
"""

from __future__ import annotations

from datetime import date

from willkommen_core.i18n import current_language
from willkommen_core.i18n import lazy_gettext as _l
from willkommen_core.sdk import Module

from .settings import ProzesseSettings

NAME = "prozesse"
CORNERSTONE = "verankerung"
READ_ROLES = ("leitung", "redaktion")
EDIT_ROLES = ("leitung",)

module = Module(
    NAME,
    __name__,
    title=_l("Veränderungsprozess"),
    summary=_l(
        "Den Modellprozess Magdeburg als datierten Plan übernehmen, anpassen und verfolgen."
    ),
    cornerstones=("verankerung", "binnenorganisation"),
    nav_path="/prozesse/",
    nav_roles=READ_ROLES,
    settings=ProzesseSettings,
)


def _date(day: date) -> str:
    from babel.dates import format_date

    return format_date(day, format="medium", locale=current_language())


# Cards, recommendations, summaries: in hooks.py, which uses the names above.
from . import hooks  # noqa: E402

module.provide_hooks(globals(), hooks)
