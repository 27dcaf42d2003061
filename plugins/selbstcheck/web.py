"""Pages of the self-assessment, declared on ``module.pages`` by the modules below.

- :mod:`.pages.participation`: answering, public and without an account
  (``/selbstcheck/teilnahme``); the answers travel sealed between the pages
  (:mod:`.pages.sealed`) and reach the database only with the final submit.
- :mod:`.pages.rounds`: leadership (role ``leitung``) creates, opens, closes rounds.
- :mod:`.pages.code_sheets`: the trusted person (role ``vertrauensperson``,
  pages ``/selbstcheck/codebogen/``, which not even ``admin`` reaches) prints
  the one-time codes: whoever can read results never holds an unused code.
- :mod:`.pages.results`: leadership reads results of closed rounds, exports
  them and compares rounds; :mod:`.pages.office` gives them as XLSX and as a
  PDF report for a staff meeting.

The SDK imports this module to collect the pages.
"""

from __future__ import annotations

from .pages import code_sheets, office, participation, results, rounds
from .pages.common import DONT_KNOW_LABEL, SCALE_LABELS, notice_text

__all__ = [
    "DONT_KNOW_LABEL",
    "SCALE_LABELS",
    "code_sheets",
    "notice_text",
    "office",
    "participation",
    "results",
    "rounds",
]
