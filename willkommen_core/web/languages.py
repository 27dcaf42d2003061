"""The languages a page is offered in, by its audience.

The request context (:mod:`.middleware`) picks the reader's language among all
the instance's languages (``languages`` in ``willkommen.toml``: its customer
languages). Once the route is known, :func:`settle_language` narrows that to
what the page's audience is offered:

- customers and participants: the instance's languages (a module may narrow
  them for its pages, e.g. ``[selbstcheck] participant_languages``);
- staff: only the languages whose catalogues are complete, German and English
  today (:func:`willkommen_core.i18n.staff_languages`). Someone asking for
  Arabic on a staff page gets English (or German), and the language selector
  lists only what the page offers: no staff page ever falls back half-way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from starlette.requests import Request

from .. import i18n

if TYPE_CHECKING:
    from ..instance import Instance


def locale_dirs(instance: Instance) -> tuple[Any, ...]:
    return (i18n.CORE_LOCALE_DIR, *instance.plugins.locale_dirs())


def offered_languages(
    app_state: Any, audience: str, narrowed: Sequence[str] | None = None
) -> list[str]:
    """The instance's languages for ``audience`` (``narrowed``: a page's own subset)."""
    instance = app_state.instance
    languages = list(instance.settings.languages)
    if audience == "staff":
        cached: list[str] | None = getattr(app_state, "staff_languages", None)
        if cached is None:
            cached = i18n.staff_languages(languages, locale_dirs(instance))
            app_state.staff_languages = cached
        languages = cached
    if narrowed is not None:
        languages = [code for code in languages if code in narrowed] or languages
    return languages


def settle_language(request: Request, audience: str, narrowed: Sequence[str] | None) -> None:
    """Serve the page in a language its audience is offered; the selector lists those."""
    offered = offered_languages(request.app.state, audience, narrowed)
    request.state.audience = audience
    request.state.offered_languages = offered
    current = i18n.current_language()
    if current in offered:
        return
    lang = i18n.pick_language(current, offered, request.headers.get("accept-language", ""))
    i18n.activate(lang, locale_dirs(request.app.state.instance))
    request.state.lang = lang
