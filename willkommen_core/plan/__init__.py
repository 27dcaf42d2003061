"""The action plan (Maßnahmenplan): working groups with goals, measures and first results.

One model for the whole toolkit: the self-assessment turns a recommendation
into a measure here, the process templates fill it with working groups.
"""

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
