"""The action plan (Maßnahmenplan): working groups with goals, measures and first results.

One model for the whole toolkit: the self-assessment turns a recommendation
into a measure here, the process templates fill it with working groups.
It is a built-in plugin (``plan``) written with the SDK like the modules,
always enabled: its tables are the core's (``core_plan_*``).
"""

from ..i18n import lazy_gettext as _l
from ..sdk import Module
from .service import (
    STATUSES,
    MeasureInput,
    add_goal,
    add_measure,
    add_result,
    create_group,
    load_plan,
)

__all__ = [
    "STATUSES",
    "MeasureInput",
    "add_goal",
    "add_measure",
    "add_result",
    "create_group",
    "load_plan",
]

READ = ("leitung", "redaktion")
EDIT = ("leitung",)

module = Module(
    "plan",
    __name__,
    title=_l("Maßnahmenplan"),
    summary=_l("Arbeitsgruppen mit Zielen, Maßnahmen und ersten Ergebnissen."),
    nav_path="/plan/",
    nav_roles=READ,
)
module.provide_hooks(globals())
