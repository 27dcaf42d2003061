"""Disclosure control: the one door through which figures derived from answers leave an instance.

Modules load raw answer sets (:func:`reads_answers`) and ask a
:class:`Release` for every number, distribution and comment they show,
export or send; participation counts go through :mod:`.participation`.
See ``docs/privacy.md`` for the threat model this answers.
"""

from .boundary import Headcount, bypasses, reads_answers, writes_answers
from .release import ANY, WITHHELD, Answers, Release, Stats, Text, release

__all__ = [
    "ANY",
    "WITHHELD",
    "Answers",
    "Headcount",
    "Release",
    "Stats",
    "Text",
    "bypasses",
    "reads_answers",
    "release",
    "writes_answers",
]
