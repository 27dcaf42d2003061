"""What the module contributes elsewhere: its hook implementations beyond the
plumbing that ``Module.provide_hooks`` gives (cards, recommendations, summaries, …)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from willkommen_core.hookspecs import hookimpl
from willkommen_core.i18n import gettext as _
from willkommen_core.types import Card, Recommendation

from . import STAFF, TRUSTED

if TYPE_CHECKING:
    from willkommen_core.instance import Instance


@hookimpl
def dashboard_cards(instance: Instance, user: Any) -> list[Card]:
    from willkommen_core.disclosure.participation import coarse_count

    from . import store
    from .summary import min_size

    if user is not None and user.role in TRUSTED:
        waiting = [
            r
            for r in store.list_rounds(instance.db)
            if r.mode == "tokens" and r.status == "open" and not r.code_sheets
        ]
        return [
            Card(
                _("Einmal-Codes drucken"),
                _("Runden, deren Code-Bogen noch nicht gedruckt ist: %(n)s.", n=len(waiting)),
                "/selbstcheck/codebogen/",
                _("Zu den Code-Bögen"),
            )
        ]
    if user is None or not user.has_role(*STAFF):
        return []
    rounds = store.list_rounds(instance.db)
    open_rounds = [r for r in rounds if r.status == "open"]
    if open_rounds:
        r = open_rounds[0]
        count = coarse_count(store.response_count(instance.db, r.id), min_size(instance))
        return [
            Card(
                _("Selbstcheck läuft"),
                _("Runde „%(title)s“, Teilnahmen bisher: %(n)s.", title=r.title, n=count.label()),
                f"/selbstcheck/runden/{r.id}",
                _("Zur Runde"),
            )
        ]
    closed = [r for r in rounds if r.status == "closed"]
    if closed:
        return [
            Card(
                _("Selbstcheck"),
                _(
                    "%(n)s abgeschlossene Runden. Ergebnisse, Fortschritt und Empfehlungen ansehen.",
                    n=len(closed),
                ),
                f"/selbstcheck/runden/{closed[0].id}/ergebnisse",
                _("Zu den Ergebnissen"),
            )
        ]
    return [
        Card(
            _("Selbstcheck"),
            _("Wo steht Ihre Behörde bei den fünf Eckpunkten? Starten Sie die erste Runde."),
            "/selbstcheck/runden/neu",
            _("Runde anlegen"),
        )
    ]


@hookimpl
def recommendations(instance: Instance, results: Any) -> list[Recommendation]:
    from .recommend import own_recommendations

    return own_recommendations(instance, results)


@hookimpl
def state_summary(instance: Instance) -> dict[str, Any]:
    from .summary import build

    return build(instance)


@hookimpl
def read_state_summary(section: Any) -> Any:
    from .state_report import read

    return read(section)


@hookimpl
def content_problems(instance: Instance) -> list[Any]:
    from .questionnaire import assemble

    return assemble(instance)[1]
