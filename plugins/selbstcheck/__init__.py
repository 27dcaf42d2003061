"""Self-assessment (``selbstcheck``): anonymous rounds on the five cornerstones.

Leadership (role ``leitung``) opens a round with a shared participation code
or one-time codes, which only the trusted person (role ``vertrauensperson``)
prints, once; staff answer without an account, one page per
cornerstone; leadership sees aggregated results (never a group below the
instance's ``[privacy] min_group_size``), compares rounds, perspectives and
work areas, and turns recommendations of all modules into measures of the
core action plan. ``willkommen selbstcheck summary`` exports the anonymous
state summary for the ministry.
"""

from __future__ import annotations

from willkommen_core.i18n import lazy_gettext as _l
from willkommen_core.sdk import Module

from .settings import SelbstcheckSettings

NAME = "selbstcheck"
STAFF = ("leitung",)
TRUSTED = ("vertrauensperson",)
"""Prints the one-time code sheets, and nothing else (separation of duties)."""

module = Module(
    NAME,
    __name__,
    title=_l("Selbstcheck"),
    summary=_l(
        "Anonyme Selbsteinschätzung der Behörde zu den fünf Eckpunkten einer "
        "Willkommensbehörde, mit Ergebnissen, Fortschritt und Empfehlungen."
    ),
    cornerstones=(
        "binnenorganisation",
        "verankerung",
        "kompetenzen",
        "zusammenarbeit",
        "erscheinungsbild",
    ),
    nav_path="/selbstcheck/",
    nav_roles=STAFF,
    public_path="/selbstcheck/teilnahme",
    public_title=_l("Am Selbstcheck teilnehmen"),
    settings=SelbstcheckSettings,
)


# Cards, recommendations, summaries: in hooks.py, which uses the names above.
from . import hooks  # noqa: E402

module.provide_hooks(globals(), hooks)
