"""One customer's answers: read from the form or the API, checked, limited, stored."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from . import periods, store
from .content import Survey
from .settings import KundenbefragungSettings

if TYPE_CHECKING:
    from willkommen_core.instance import Instance

DONT_KNOW = "x"
"""Form value of "weiß nicht / trifft nicht zu"."""


class Invalid(ValueError):
    """A submission that cannot be stored; ``field`` names the culprit."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Given:
    """What a customer sent, before checking (form fields or API body alike)."""

    answers: Mapping[str, Any]
    """Question id -> 1..5, ``None``/"x" for "weiß nicht", or a service id."""
    comment: str = ""


def check(
    survey: Survey,
    settings: KundenbefragungSettings,
    given: Given,
    *,
    channel: str,
    site: str,
    language: str,
) -> store.Submission:
    """The submission to store, or :class:`Invalid` naming the first problem."""
    if language not in survey.texts:
        raise Invalid("language", f"not a language of the survey: {language!r}")
    values: dict[str, int | None] = {}
    service = ""
    for qid, raw in given.answers.items():
        q = survey.question(qid)
        if q is None:
            raise Invalid(qid, "not a question of the survey")
        if raw is None or raw == "":
            if q.kind == "rating":
                values[qid] = None
            continue
        if q.kind == "service":
            if raw not in survey.services:
                raise Invalid(qid, f"not a service of the survey: {raw!r}")
            service = str(raw)
            continue
        if raw == DONT_KNOW and q.kind == "rating":
            values[qid] = None
            continue
        number = raw if isinstance(raw, int) and not isinstance(raw, bool) else None
        if isinstance(raw, str) and raw.isdecimal():  # int() reads every decimal digit, not "²"
            number = int(raw)
        if number is None or not 1 <= number <= 5:
            raise Invalid(qid, "must be 1 to 5" + (" or 'x'" if q.kind == "rating" else ""))
        values[qid] = number
    comment = " ".join(given.comment.split())
    if comment and not settings.allow_comment:
        raise Invalid("comment", "this survey takes no comments")
    if len(comment) > settings.comment_length:
        raise Invalid("comment", f"at most {settings.comment_length} characters")
    if not service and not any(v is not None for v in values.values()) and not comment:
        raise Invalid("answers", "answer at least one question")
    return store.Submission(channel, site, service, language, values, comment)


def limits(
    settings: KundenbefragungSettings, channel: str, site: str, kiosk: int | None
) -> list[store.Limit]:
    window = timedelta(minutes=settings.limit_window_minutes)
    if channel == "kiosk" and kiosk is not None:
        return [store.Limit(f"kiosk:{kiosk}", settings.kiosk_limit, window)]
    return [store.Limit(f"qr:{site}", settings.qr_limit, window)]


def save(
    instance: Instance,
    sub: store.Submission,
    settings: KundenbefragungSettings,
    *,
    kiosk: int | None = None,
    today: date | None = None,
) -> None:
    """Store ``sub`` or raise :class:`store.Limited` (nothing stored)."""
    today = today or date.today()
    store.submit(
        instance.db,
        sub,
        limits(settings, sub.channel, sub.site, kiosk),
        today=today,
        final_before=periods.first_open_day(today, settings.review_days),
    )


def site_of(instance: Instance, asked: str) -> str:
    """The site named by a link (``?standort=``); the only site when there is one."""
    names = [s.name for s in instance.settings.authority.sites]
    if asked in names:
        return asked
    return names[0] if len(names) == 1 else ""
