"""The five cornerstones (Eckpunkte) of a Willkommensbehörde.

From the Magdeburg pilot (BAMF project "Ausländerbehörden – Willkommens-
behörden", 2013–2015). Their ids are the interface every module uses.
"""

from __future__ import annotations

from dataclasses import dataclass

from .i18n import lazy_gettext as _l


@dataclass(frozen=True)
class Cornerstone:
    id: str
    title: object
    statement: object


CORNERSTONES: tuple[Cornerstone, ...] = (
    Cornerstone(
        "binnenorganisation",
        _l("Kundenorientierte Binnenorganisation"),
        _l("Die Binnenorganisation ist auf die Bedarfe der Kundinnen und Kunden ausgerichtet."),
    ),
    Cornerstone(
        "verankerung",
        _l("Verankerung"),
        _l("Die Idee einer Willkommensbehörde ist in der Ausländerbehörde verankert."),
    ),
    Cornerstone(
        "kompetenzen",
        _l("Kompetenzen"),
        _l("Die Mitarbeitenden haben die für eine Willkommensbehörde notwendigen Kompetenzen."),
    ),
    Cornerstone(
        "zusammenarbeit",
        _l("Zusammenarbeit"),
        _l(
            "Die Ausländerbehörde arbeitet mit allen relevanten Akteuren in Kommune, "
            "Region und Land zusammen."
        ),
    ),
    Cornerstone(
        "erscheinungsbild",
        _l("Erscheinungsbild und Kommunikation"),
        _l(
            "Äußeres Erscheinungsbild und externe Kommunikation schaffen Orientierung "
            "für Kundinnen, Kunden und Öffentlichkeit."
        ),
    ),
)

CORNERSTONE_IDS: tuple[str, ...] = tuple(c.id for c in CORNERSTONES)

ROLES: tuple[str, ...] = ("admin", "leitung", "redaktion", "vertrauensperson")
"""Staff roles: IT administration, leadership, content editors, and a trusted
person (e.g. of the staff council) who prints the one-time code sheets of the
self-assessment and sees nothing else: whoever reads results must never hold
unused codes, so pages for this role are declared ``exclusive`` (see
:class:`willkommen_core.web.routing.Page`), where ``admin`` does not pass."""
