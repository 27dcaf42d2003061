"""Training catalogue and staff development (``fortbildung``).

The seed's working group "Personalentwicklung": find out what staff need and
want (an anonymous needs survey), keep a catalogue of professional,
cross-cutting and team-building trainings, plan dated sessions (an internal
training every month), record participation under pseudonyms and show
whether the yearly targets are reached. A weak "Kompetenzen" result of the
self-assessment proposes concrete catalogue entries.
"""

from __future__ import annotations

from willkommen_core.i18n import lazy_gettext as _l
from willkommen_core.sdk import Module

from .settings import FortbildungSettings

NAME = "fortbildung"
CORNERSTONE = "kompetenzen"
STAFF_ROLES = ("leitung", "redaktion")
PERSONAL_ROLES = ("leitung",)
"""Who sees personal participation data (admin always may)."""


module = Module(
    NAME,
    __name__,
    title=_l("Fortbildung"),
    summary=_l(
        "Fortbildungskatalog, Bedarfsermittlung, Jahresplan und Teilnahme der Mitarbeitenden."
    ),
    cornerstones=(CORNERSTONE, "verankerung"),
    nav_path="/fortbildung/",
    nav_roles=STAFF_ROLES,
    settings=FortbildungSettings,
)


# Cards, recommendations, summaries: in hooks.py, which uses the names above.
from . import hooks  # noqa: E402

module.provide_hooks(globals(), hooks)
