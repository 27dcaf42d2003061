"""Settings of the training module: section ``[fortbildung]`` of ``willkommen.toml``."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

EditorRole = Literal["leitung", "redaktion"]

DEFAULT_EDITOR_ROLES: tuple[EditorRole, ...] = ("redaktion",)


class FortbildungSettings(BaseModel):
    """What an authority may tune about its training catalogue and annual plan."""

    model_config = ConfigDict(extra="forbid")

    editor_roles: list[EditorRole] = Field(
        default_factory=lambda: list(DEFAULT_EDITOR_ROLES), min_length=1
    )
    """Roles that edit the catalogue and the annual plan (admin always may)."""
    public_schedule: bool = True
    """Show the public "what is on" page ``/fortbildung/termine`` (no personal data)."""
    internal_per_month: int = Field(1, ge=0, le=31)
    """Target: internal trainings per month (the seed: once a month)."""
    professional_per_staff: int = Field(1, ge=0, le=20)
    """Target: professional trainings per staff member and year (the seed: at least one)."""
    recommend_below: float = Field(3.5, ge=1, le=5)
    """Propose catalogue entries when the cornerstone "kompetenzen" scores below this."""
    max_recommendations: int = Field(5, ge=1, le=20)
