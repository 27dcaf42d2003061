"""What the module contributes elsewhere: its hook implementations beyond the
plumbing that ``Module.provide_hooks`` gives."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from willkommen_core.hookspecs import hookimpl
from willkommen_core.i18n import gettext as _
from willkommen_core.types import Card, CustomerLink, Recommendation

from .settings import STAFF

if TYPE_CHECKING:
    from willkommen_core.instance import Instance


@hookimpl
def customer_links(instance: Instance, language: str) -> list[CustomerLink]:
    """The survey for the signs (QR code) and the first-information pages."""
    from .content import current, offered_languages

    survey = current(instance)
    offered = language in offered_languages(instance, survey)
    title = survey.label(language if offered else "de", "title")
    query = f"?lang={language}" if offered and language != "de" else ""
    path = f"/kundenbefragung/{query}"
    return [CustomerLink(path, title.text, title.lang)]


@hookimpl
def dashboard_cards(instance: Instance, user: Any) -> list[Card]:
    if user is None or not user.has_role(*STAFF):
        return []
    from willkommen_core.disclosure.participation import shown_count

    from .periods import label
    from .results import final_months, for_months, min_size

    months = final_months(instance)
    last = months[-1]
    size = for_months(instance, [last]).size()
    return [
        Card(
            _("Kundenbefragung"),
            _(
                "Antworten im Monat %(month)s: %(n)s.",
                month=label(last),
                n=shown_count(size or 0, min_size(instance), closed=True),
            ),
            "/kundenbefragung/ergebnisse",
            _("Zu den Ergebnissen"),
        )
    ]


def _latest(instance: Instance, today: date | None = None) -> Any:
    """The results of the last complete quarter (``None`` when there is none)."""
    from . import periods
    from .results import final_months, for_months

    quarters = periods.complete_periods(final_months(instance, today), "quarter")
    if not quarters:
        return None, ""
    return for_months(instance, periods.months_of(quarters[-1]), today=today), quarters[-1]


@hookimpl
def recommendations(instance: Instance, results: Any) -> list[Recommendation]:
    """From the customers' view of the last complete quarter (not the staff's)."""
    from babel.numbers import format_decimal

    from willkommen_core.i18n import current_language

    from .periods import label
    from .results import LONG_WAIT_BANDS
    from .settings import settings_of

    res, quarter = _latest(instance)
    if res is None:
        return []
    settings = settings_of(instance)
    lang = current_language()
    found = []
    way = res.cornerstone("erscheinungsbild")
    if way.mean is not None and way.mean < settings.recommend_below:
        found.append(
            Recommendation(
                "erscheinungsbild",
                _("Wegweiser und Erstinformation verbessern"),
                _(
                    "Kundinnen und Kunden finden sich schlecht zurecht: %(mean)s von 5 in der "
                    "Kundenbefragung (%(period)s).",
                    mean=format_decimal(way.mean, format="0.0", locale=lang),
                    period=label(quarter),
                ),
                "/leitsystem/" if instance.plugins.is_enabled("leitsystem") else None,
            )
        )
    wait = res.wait()
    long_share = wait.share(LONG_WAIT_BANDS)
    org = res.cornerstone("binnenorganisation")
    if (long_share is not None and long_share >= settings.long_wait_share) or (
        org.mean is not None and org.mean < settings.recommend_below
    ):
        found.append(
            Recommendation(
                "binnenorganisation",
                _("Abläufe und Terminvergabe überprüfen"),
                _(
                    "Kundinnen und Kunden warten lange: %(share)s warteten über eine Stunde "
                    "(Kundenbefragung, %(period)s).",
                    share=f"{round(100 * (long_share or 0))} %",
                    period=label(quarter),
                ),
                "/prozesse/" if instance.plugins.is_enabled("prozesse") else None,
            )
        )
    return found


@hookimpl
def state_summary(instance: Instance) -> dict[str, Any]:
    from .summary import build

    return build(instance)


@hookimpl
def read_state_summary(section: Any) -> Any:
    from .summary import read

    return read(section)


@hookimpl
def content_problems(instance: Instance) -> list[Any]:
    """Broken or missing survey texts. An instance language the survey has no texts
    for is not one: it is simply not offered (German instead), and every check and
    ``serve`` would refuse an instance with a content problem."""
    from .content import load
    from .settings import settings_of

    return load(instance, allow_comment=settings_of(instance).allow_comment)[1]
