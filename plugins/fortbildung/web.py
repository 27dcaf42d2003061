"""Pages of the training module, mounted under ``/fortbildung/``.

Importing this module declares them all; each part lives in a module of its own:
:mod:`.web_overview` (the overview), :mod:`.web_catalogue` (the catalogue),
:mod:`.web_plan` (the annual plan and the public schedule), :mod:`.web_participation`
(targets and personal participation data), :mod:`.web_survey` (the needs survey).
"""

from __future__ import annotations

from typing import Any

from willkommen_core.web.routing import Page

from . import module, web_catalogue, web_overview, web_participation, web_plan, web_survey
from .web_common import EDITORS, PLANNERS, editor_roles, planner_roles
from .web_plan import PUBLIC_SCHEDULE

__all__ = ["routes", "web_catalogue", "web_overview", "web_participation", "web_plan", "web_survey"]


def routes(instance: Any) -> list[Page]:
    """The declared pages for ``instance``: who edits the catalogue and plans sessions
    is its setting ``editor_roles``; the public schedule exists only with
    ``public_schedule``."""
    settings = module.settings(instance)
    roles = {EDITORS: editor_roles(settings), PLANNERS: planner_roles(settings)}
    found = []
    for declared in module.pages.routes(instance):
        if declared.name in PUBLIC_SCHEDULE and not settings.public_schedule:
            continue
        if declared.roles in roles:
            declared = Page(
                declared.path,
                declared.endpoint_func,
                methods=sorted(declared.methods or ()),
                roles=roles[declared.roles],
                exclusive=declared.exclusive,
                name=declared.name,
            )
        found.append(declared)
    return found
