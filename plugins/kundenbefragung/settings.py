"""Settings of the customer survey: section ``[kundenbefragung]`` of ``willkommen.toml``.

The minimum group size is the instance-wide ``[privacy] min_group_size``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from willkommen_core.instance import Instance

STAFF = ("leitung",)
"""Who reads results, enrols kiosks and prints posters (admin always may)."""


class KundenbefragungSettings(BaseModel):
    """What an authority may tune about its customer survey."""

    model_config = ConfigDict(extra="forbid")

    allow_comment: bool = False
    """Offer a short free-text comment (with a warning not to write names or case
    numbers). Comments are shown only to leitung, only for groups above the minimum."""
    comment_length: int = Field(300, ge=20, le=1000)
    """Longest comment, in characters."""
    qr_limit: int = Field(60, ge=1, le=10000)
    """Most submissions per site through the QR code / short link (and the API) in one
    window of ``limit_window_minutes``; more are refused and not stored."""
    kiosk_limit: int = Field(30, ge=1, le=10000)
    """Most submissions of one enrolled kiosk per window."""
    limit_window_minutes: int = Field(60, ge=5, le=1440)
    kiosk_reset_seconds: int = Field(180, ge=60, le=1200)
    """A kiosk page starts over this long after it was shown (the page says so): the
    next person never sees what someone who walked away had chosen. No script, so
    the time runs from the page's start, not from the last tap: leave it long enough
    to read and answer slowly."""
    burst_factor: float = Field(3.0, ge=1.5, le=50)
    """A day counts as unusual when it has this many times the median of the month's days..."""
    burst_minimum: int = Field(20, ge=5, le=10000)
    """...and at least this many submissions (through one channel at one site)."""
    review_days: int = Field(7, ge=0, le=31)
    """A month's results appear this many days after it ended; until then unusual days
    can be excluded (afterwards the figures are final, so no later change can be
    subtracted from earlier ones)."""
    recommend_below: float = Field(3.5, ge=1, le=5)
    """Propose measures for a cornerstone whose customers' mean is below this."""
    long_wait_share: float = Field(0.25, ge=0.05, le=1)
    """Propose process work when at least this share waited more than an hour."""


def settings_of(instance: Instance) -> KundenbefragungSettings:
    section: KundenbefragungSettings = instance.plugin_settings("kundenbefragung")
    return section
