"""Settings of the guidance system: section ``[leitsystem]`` of ``willkommen.toml``."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .content import SIGN_LANGUAGES


class LeitsystemSettings(BaseModel):
    """What an authority may tune about its signs and first-information pages."""

    model_config = ConfigDict(extra="forbid")

    base_url: str = Field("", pattern=r"^$|^https?://[^\s/?#]+(/[^\s?#]*)?$")
    """Public address of the instance (e.g. ``https://willkommen.magdeburg.de``): the QR
    codes on the signs lead to ``<base_url>/leitsystem/info/<service>?lang=<code>``.
    Empty: the web UI uses the address it is called by; ``build`` asks for it."""
    sign_languages: list[str] | None = None
    """Languages of the sign sets, in this order (default: the instance's ``languages``
    that have sign texts). Each sign shows German first and the language second."""
    theme: str = Field("standard", pattern=r"^[a-z0-9_-]+$")
    """Colour theme from ``themes.toml``; refused when a colour pair misses DIN 32975."""
    editor_roles: list[str] = Field(default_factory=lambda: ["redaktion"], min_length=1)
    """Roles that edit the building data and build signs (admin always may)."""

    @field_validator("sign_languages")
    @classmethod
    def _known(cls, value: list[str] | None) -> list[str] | None:
        for code in value or []:
            if code not in SIGN_LANGUAGES:
                raise ValueError(
                    f"unknown sign language {code!r} (known: {', '.join(SIGN_LANGUAGES)})"
                )
        if value is not None and len(set(value)) != len(value):
            raise ValueError("lists a language twice")
        return value
