"""Settings of the self-assessment: section ``[selbstcheck]`` of ``willkommen.toml``.

The minimum group size is deliberately NOT here: it is the instance-wide
privacy setting ``[privacy] min_group_size`` (default 5, never below 3), so
one value protects every module's aggregates.
"""

from __future__ import annotations

from babel import Locale, UnknownLocaleError
from pydantic import BaseModel, ConfigDict, Field, field_validator

DEFAULT_WORK_AREAS = [
    "Publikumsbereich Ausländerrecht",
    "Integration und Einbürgerung",
    "Aufenthaltsbeendigung",
    "Bescheiderstellung und Rechtsmittel",
    "EDV",
]


class SelbstcheckSettings(BaseModel):
    """What an authority may tune about its self-assessment."""

    model_config = ConfigDict(extra="forbid")

    work_areas: list[str] = Field(default_factory=lambda: list(DEFAULT_WORK_AREAS), max_length=30)
    """Work areas respondents may name (optional for them); empty: the question is not asked."""
    ask_work_area: bool = True
    """Ask for the work area at all (small authorities may prefer not to)."""
    max_comment_length: int = Field(2000, ge=0, le=10000)
    """Longest comment per cornerstone, in characters; 0 switches comments off."""
    max_tokens: int = Field(500, ge=1, le=5000)
    """Most one-time codes one round may have."""
    notice: str | dict[str, str] = Field("")
    """Notice on voluntary, anonymous participation shown before a round opens and to
    every participant: one German text, or one per language (``{de = "...", en =
    "...", ar = "..."}``, German required); empty: the toolkit's standard text,
    translated into every language."""
    require_agreement: bool = True
    """Every round must record the consent of staff council and data protection officer
    (dates, none in the future) before it opens, in the web and the API. Switched off,
    a round may open without it, and its results say that no agreement was recorded."""
    participant_languages: list[str] = Field(default_factory=list)
    """Languages the participation pages are offered in, of the instance's
    ``languages`` (e.g. ``["de", "en", "uk"]``); empty: all of them. German is
    always offered: the authority works in it."""
    recommend_below: float = Field(3.5, ge=1, le=5)
    """Propose measures for a cornerstone whose mean is below this."""

    @field_validator("participant_languages")
    @classmethod
    def _known_languages(cls, value: list[str]) -> list[str]:
        for code in value:
            try:
                Locale.parse(code)
            except (UnknownLocaleError, ValueError) as exc:
                raise ValueError(f"unknown language code {code!r}") from exc
        if len(set(value)) != len(value):
            raise ValueError("lists a language twice")
        if value and "de" not in value:
            value = ["de", *value]
        return value

    @field_validator("notice")
    @classmethod
    def _notice_texts(cls, value: str | dict[str, str]) -> str | dict[str, str]:
        texts = value if isinstance(value, dict) else {"de": value}
        for lang, text in texts.items():
            if len(text) > 5000:
                raise ValueError(f"the notice in {lang!r} is longer than 5000 characters")
        if isinstance(value, dict):
            if not value.get("de", "").strip():
                raise ValueError("a notice per language needs the German text (de)")
            for lang in value:
                try:
                    Locale.parse(lang)
                except (UnknownLocaleError, ValueError) as exc:
                    raise ValueError(f"unknown language code {lang!r}") from exc
            return {lang: text.strip() for lang, text in value.items() if text.strip()}
        return value

    @field_validator("work_areas")
    @classmethod
    def _clean_areas(cls, value: list[str]) -> list[str]:
        cleaned = [v.strip() for v in value]
        for v in cleaned:
            if not v or len(v) > 100:
                raise ValueError("each work area needs 1 to 100 characters")
        if len(set(cleaned)) != len(cleaned):
            raise ValueError("lists a work area twice")
        return cleaned
