"""Pages of the training module, mounted under ``/fortbildung/``.

Importing this module declares them all; each part lives in a module of its own:
:mod:`.web_overview` (the overview), :mod:`.web_catalogue` (the catalogue),
:mod:`.web_plan` (the annual plan and the public schedule), :mod:`.web_participation`
(targets and personal participation data), :mod:`.web_survey` (the needs survey).
Who edits and plans, and whether the public schedule exists, the instance's settings
say (:mod:`.web_common`).
"""

from __future__ import annotations

from . import web_catalogue, web_overview, web_participation, web_plan, web_survey

__all__ = ["web_catalogue", "web_overview", "web_participation", "web_plan", "web_survey"]
