"""Settings of the process module: section ``[prozesse]`` of ``willkommen.toml``."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from .model import ID_PATTERN


class ProzesseSettings(BaseModel):
    """What an authority may tune about its change process."""

    model_config = ConfigDict(extra="forbid")

    template: str = Field("magdeburg", pattern=ID_PATTERN)
    """Id of the process template to start from: a file in ``modules/prozesse/templates/``
    or the instance's ``content/prozesse/templates/``."""
    recommend_below: float = Field(3.5, ge=1, le=5)
    """Propose the change process when the cornerstone "verankerung" scores below this."""
