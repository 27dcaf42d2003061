"""``hallo``: the worked example of docs/plugin-guide.md, a whole module with the SDK.

Installed in the tests as the distribution ``willkommen-hallo`` 1.0 (entry
point group ``willkommen``): staff pages, a public page, a JSON API, a table
with its migration, a setting, a CLI command, a start-page card, a statement
for the self-assessment and a recommendation. The tests check that each
appears when enabled and leaves no trace when disabled.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select

from willkommen_core.hookspecs import hookimpl
from willkommen_core.sdk import Module
from willkommen_core.types import AssessmentItem, Card, Recommendation


class HalloSettings(BaseModel):
    greeting: str = "Hallo"
    repeat: int = Field(default=1, ge=1, le=10)


module = Module(
    "hallo",
    __name__,
    title="Hallo-Modul",
    summary="Begrüßt die Mitarbeitenden.",
    cornerstones=("verankerung",),
    nav_path="/hallo/",
    public_path="/hallo/oeffentlich",
    public_title="Hallo öffentlich",
    settings=HalloSettings,
)


@hookimpl
def dashboard_cards(instance: Any, user: Any) -> list[Card]:
    return [Card("Hallo-Karte", "Grüße aus dem Test-Plugin.", "/hallo/", "Zum Hallo-Modul")]


@hookimpl
def selfassessment_items(instance: Any) -> list[AssessmentItem]:
    return [AssessmentItem("hallo_gruss", "verankerung", "Wir grüßen unsere Kundschaft.")]


@hookimpl
def recommendations(instance: Any, results: Any) -> list[Recommendation]:
    return [Recommendation("verankerung", "Mehr grüßen", "Test-Plugin", "/hallo/")]


@hookimpl
def state_summary(instance: Any) -> dict[str, int]:
    from .tables import greetings

    with instance.db.read() as s:
        return {"greetings": len(s.execute(select(greetings.c.id)).all())}


@hookimpl
def content_problems(instance: Any) -> list[Any]:
    return []


module.provide_hooks(globals())
