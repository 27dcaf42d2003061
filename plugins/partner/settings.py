"""Settings of the partner list: section ``[partner]`` of ``willkommen.toml``."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

StaffRole = Literal["leitung", "redaktion"]

DEFAULT_STAFF_ROLES: tuple[StaffRole, ...] = ("leitung", "redaktion")


class PartnerSettings(BaseModel):
    """What an authority may tune about its partner list."""

    model_config = ConfigDict(extra="forbid")

    public_page: bool = True
    """Show the customer page ``/partner/hilfe`` and the public API."""
    stale_contact_months: int = Field(12, ge=1, le=120)
    """A partner whose last contact is older than this counts as a stale contact."""
    staff_roles: list[StaffRole] = Field(
        default_factory=lambda: list(DEFAULT_STAFF_ROLES), min_length=1
    )
    """Roles that see and edit the internal list (admin always may)."""
    recommend_below: float = Field(3.5, ge=1, le=5)
    """Propose partner-list measures when the cornerstone "zusammenarbeit" scores below this."""
