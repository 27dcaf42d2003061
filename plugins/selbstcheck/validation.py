"""Checking a submission against the round's frozen questionnaire.

One set of rules for the web form and the API. Every item must be answered:
with 1..5, or ``None`` for "kann ich nicht beurteilen" (so a missing answer
is always a mistake, never a silent "don't know"). Problems come back as
:class:`Issue` so the API can say them in English and the pages in the
participant's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from willkommen_core.i18n import gettext as _

from .questionnaire import Questionnaire
from .store import PERSPECTIVES

SCALE = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class Issue:
    field: str  # "perspective", "area", "answers.<item>", "comments.<cornerstone>"
    kind: str
    limit: int = 0

    def english(self) -> str:
        name = self.field.split(".", 1)[-1]
        return {
            "perspective": "perspective must be 'leitung' or 'mitarbeitende'",
            "area": "unknown work area (see the round's questionnaire)",
            "unknown_item": f"unknown item {name!r}",
            "missing": f"item {name!r} is not answered (1..5, or null for 'cannot judge')",
            "range": f"item {name!r}: value must be an integer 1..5 or null",
            "unknown_cornerstone": f"comment for unknown cornerstone {name!r}",
            "comment_type": f"comment on {name!r} must be text",
            "too_long": f"comment on {name!r} is longer than {self.limit} characters",
            "comments_off": "comments are switched off for this self-assessment",
        }[self.kind]

    def message(self) -> str:
        """The message in the current language (German msgids)."""
        return {
            "perspective": lambda: _("Bitte wählen Sie Ihre Perspektive."),
            "area": lambda: _("Bitte wählen Sie einen Arbeitsbereich aus der Liste."),
            "unknown_item": lambda: _("Unbekannte Frage."),
            "missing": lambda: _(
                "Bitte wählen Sie eine Antwort (oder „kann ich nicht beurteilen“)."
            ),
            "range": lambda: _("Bitte wählen Sie eine der angebotenen Antworten."),
            "unknown_cornerstone": lambda: _("Unbekannter Eckpunkt."),
            "comment_type": lambda: _("Der Kommentar muss ein Text sein."),
            "too_long": lambda: _(
                "Der Kommentar darf höchstens %(n)s Zeichen haben.", n=self.limit
            ),
            "comments_off": lambda: _("Kommentare sind in diesem Selbstcheck abgeschaltet."),
        }[self.kind]()


def check(
    questionnaire: Questionnaire,
    *,
    perspective: Any,
    area: Any,
    answers: dict[str, Any],
    comments: dict[str, Any],
    max_comment_length: int,
    partial: set[str] | None = None,
) -> list[Issue]:
    """Every problem of a submission; ``partial``: check only these items (one page)."""
    issues: list[Issue] = []
    items = questionnaire.items
    if partial is None:
        if perspective not in PERSPECTIVES:
            issues.append(Issue("perspective", "perspective"))
        if area not in ("", None) and area not in questionnaire.work_areas:
            issues.append(Issue("area", "area"))
    for iid in answers:
        if iid not in items:
            issues.append(Issue(f"answers.{iid}", "unknown_item"))
    for iid in items if partial is None else [i for i in items if i in partial]:
        if iid not in answers:
            issues.append(Issue(f"answers.{iid}", "missing"))
            continue
        value = answers[iid]
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value not in SCALE
        ):
            issues.append(Issue(f"answers.{iid}", "range"))
    cornerstones = {c.id for c in questionnaire.cornerstones}
    for cid, text in comments.items():
        key = f"comments.{cid}"
        if cid not in cornerstones:
            issues.append(Issue(key, "unknown_cornerstone"))
        elif not isinstance(text, str):
            issues.append(Issue(key, "comment_type"))
        elif text.strip() and max_comment_length == 0:
            issues.append(Issue(key, "comments_off"))
        elif len(text.strip()) > max_comment_length:
            issues.append(Issue(key, "too_long", max_comment_length))
    return issues
