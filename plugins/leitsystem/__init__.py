"""Guidance system (``leitsystem``): building signs and multilingual first information.

The seed's working group "Wegweiser Online – Offline" found the signs in the
building inadequate and began new online information. From one model of the
building (sites, buildings, floors, rooms with their services, routes) this
module makes print-ready signs in German plus one further language each, and
public first-information pages per service and language, linked by QR codes.
"""

from __future__ import annotations

from typing import Any

from willkommen_core.i18n import lazy_gettext as _l
from willkommen_core.sdk import Module

from .settings import LeitsystemSettings

NAME = "leitsystem"
CORNERSTONE = "erscheinungsbild"


def EDITOR_ROLES(settings: Any) -> list[str]:
    """Who changes the building data and the signs: the instance's ``editor_roles``."""
    return list(settings.editor_roles)


def READER_ROLES(settings: Any) -> list[str]:
    """Leadership sees the building data and the signs (it approves the concept), and
    the editors."""
    return list(dict.fromkeys(("leitung", *settings.editor_roles)))


module = Module(
    NAME,
    __name__,
    title=_l("Leitsystem"),
    summary=_l(
        "Gebäudeleitsystem und mehrsprachige Erstinformation: Schilder für das Haus, "
        "Informationsseiten im Netz, verbunden durch QR-Codes."
    ),
    cornerstones=(CORNERSTONE,),
    nav_path="/leitsystem/",
    nav_roles=("leitung", "redaktion"),
    public_path="/leitsystem/info/",
    public_title=_l("Erstinformation"),
    settings=LeitsystemSettings,
)


# Cards, recommendations, summaries: in hooks.py, which uses the names above.
from . import hooks  # noqa: E402

module.provide_hooks(globals(), hooks)
