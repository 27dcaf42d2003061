"""Recommendations: collected from every enabled module, weakest cornerstone first.

The self-assessment itself proposes measures only for cornerstones no other
enabled module serves (by their ``ModuleInfo.cornerstones``): today
``verankerung`` (until the process templates are enabled) and
``binnenorganisation``. Its proposals come from what the Magdeburg pilot did,
nothing invented.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from babel.numbers import format_decimal

from willkommen_core.i18n import current_language
from willkommen_core.i18n import gettext as _
from willkommen_core.types import AssessmentResult, Recommendation

if TYPE_CHECKING:
    from willkommen_core.instance import Instance

NAME = "selbstcheck"


def _served_by_others(instance: Instance, cornerstone: str) -> bool:
    return any(
        cornerstone in instance.plugins.info(name).cornerstones
        for name in instance.plugins.enabled
        if name != NAME
    )


def own_recommendations(instance: Instance, results: AssessmentResult) -> list[Recommendation]:
    limit = instance.plugin_settings(NAME).recommend_below
    lang = current_language()
    found: list[Recommendation] = []

    def weak(cid: str) -> str | None:
        mean = results.means.get(cid)
        if mean is None or mean >= limit or _served_by_others(instance, cid):
            return None
        return _(
            "Der Eckpunkt »%(title)s« erreicht im Selbstcheck %(mean)s (unter %(limit)s).",
            title=_title(cid),
            mean=format_decimal(mean, format="0.0", locale=lang),
            limit=format_decimal(limit, format="0.0", locale=lang),
        )

    why = weak("verankerung")
    if why:
        found.append(
            Recommendation(
                "verankerung",
                _(
                    "Gemeinsam mit allen Mitarbeitenden klären, was „Willkommensbehörde“ bei uns heißt"
                ),
                why
                + " "
                + _(
                    "In Magdeburg begann der Prozess mit Auftaktgesprächen der Leitung, einer "
                    "Auftaktveranstaltung mit allen Mitarbeitenden und Interviews mit jeder und "
                    "jedem Einzelnen; die Idee wurde so zur „Sache“ der Mitarbeitenden."
                ),
                None,
            )
        )
        found.append(
            Recommendation(
                "verankerung",
                _("In einem Workshop aller Mitarbeitenden Arbeitsgruppen bilden"),
                why
                + " "
                + _(
                    "Der erste Workshop aller Mitarbeitenden bildete in Magdeburg die "
                    "Arbeitsgruppen; eine Zwischenbilanz nach einigen Monaten hielt den Prozess "
                    "in Gang. Ziele und Maßnahmen der Gruppen gehören in den Maßnahmenplan."
                ),
                "/plan/",
            )
        )
    why = weak("binnenorganisation")
    if why:
        found.append(
            Recommendation(
                "binnenorganisation",
                _("Vorschläge zur bedarfsgerechten Umgestaltung der Publikumsbereiche einholen"),
                why
                + " "
                + _(
                    "Die Magdeburger Arbeitsgruppe „Räumliche Situation und Infrastruktur“ "
                    "ermittelte den Bedarf im Haus, schuf einen zusätzlichen Schalterraum und "
                    "beantragte einen Aufzug für den barrierefreien Zugang."
                ),
                None,
            )
        )
    return found


def _title(cid: str) -> str:
    from willkommen_core.domain import CORNERSTONES

    return next(str(c.title) for c in CORNERSTONES if c.id == cid)


def collect(instance: Instance, means: dict[str, float]) -> list[Recommendation]:
    """All modules' recommendations for these (already suppressed) means,
    the weakest cornerstone first; within one cornerstone in module order."""
    found = instance.plugins.call_list(
        "recommendations", instance=instance, results=AssessmentResult(means=dict(means))
    )
    ranked = sorted(
        enumerate(found), key=lambda t: (means.get(t[1].cornerstone, float("inf")), t[0])
    )
    return [r for _n, r in ranked]
