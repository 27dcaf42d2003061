"""What the module contributes elsewhere: its hook implementations beyond the
plumbing that ``Module.provide_hooks`` gives (cards, recommendations, summaries, …)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from willkommen_core.hookspecs import hookimpl
from willkommen_core.i18n import gettext as _
from willkommen_core.types import Card, Recommendation

from . import CORNERSTONE, NAME, STAFF_ROLES, module

if TYPE_CHECKING:
    from willkommen_core.instance import Instance


@hookimpl
def dashboard_cards(instance: Instance, user: Any) -> list[Card]:
    from . import store

    if user is None or not user.has_role(*STAFF_ROLES):
        return []
    settings = instance.plugin_settings(NAME)
    year = date.today().year
    t = store.targets(instance.db, year, settings)
    upcoming = [
        s for s in store.list_sessions(instance.db, year=year) if s.starts_at.date() >= date.today()
    ]
    reached = sum(1 for m in t.months if m.status == "reached")
    body = _(
        "%(year)s: interne Fortbildung in %(reached)s von 12 Monaten; %(upcoming)s Termine stehen noch an.",
        year=year,
        reached=reached,
        upcoming=len(upcoming),
    )
    return [Card(_("Fortbildung"), body, "/fortbildung/", _("Zu Fortbildung und Jahresplan"))]


@hookimpl
def recommendations(instance: Instance, results: Any) -> list[Recommendation]:
    """Weak "Kompetenzen": concrete catalogue entries, most wished-for and not yet planned first."""
    from . import store, survey

    why = module.below_threshold(instance, results, CORNERSTONE)
    if why is None:
        return []
    settings = instance.plugin_settings(NAME)
    demand = survey.topic_demand(instance.db, instance.settings.privacy.min_group_size)
    today = date.today()
    planned = {
        s.entry_id
        for s in store.list_sessions(instance.db)
        if today <= s.starts_at.date() and (s.starts_at.date() - today).days <= 365
    }
    candidates = [
        e
        for e in store.list_entries(instance.db, active_only=True)
        if CORNERSTONE in e.cornerstones
    ]
    candidates.sort(key=lambda e: (-demand.get(e.key, 0), e.id in planned, e.id))
    found = []
    for entry in candidates[: settings.max_recommendations]:
        reason = [why]
        if demand.get(entry.key):
            reason.append(
                _(
                    "In der Bedarfsermittlung haben %(n)s Mitarbeitende dieses Thema gewünscht.",
                    n=demand[entry.key],
                )
            )
        if entry.id in planned:
            reason.append(
                _("Ein Termin ist bereits geplant; prüfen Sie, ob alle teilnehmen können.")
            )
        else:
            reason.append(_("Im kommenden Jahr ist noch kein Termin geplant."))
        found.append(
            Recommendation(
                CORNERSTONE,
                _("Fortbildung anbieten: %(title)s", title=entry.title),
                " ".join(reason),
                f"/fortbildung/katalog/{entry.id}",
            )
        )
    return found


@hookimpl
def state_summary(instance: Instance) -> dict[str, Any]:
    """Counts only: never pseudonyms, registrations per person or survey answers."""
    from . import store, survey

    settings = instance.plugin_settings(NAME)
    year = date.today().year
    t = store.targets(instance.db, year, settings)
    sessions = store.list_sessions(instance.db, year=year)
    surveys = survey.list_all(instance.db)
    return {
        "schema_version": 1,
        "year": year,
        "catalogue_by_category": dict(sorted(store.counts_by_category(instance.db).items())),
        "sessions": len(sessions),
        "internal_sessions": sum(1 for s in sessions if s.internal),
        "months_with_internal_training": sum(1 for m in t.months if m.status == "reached"),
        "internal_target_reached": t.internal_reached,
        "professional_target_reached": t.professional_reached,
        "needs_surveys": len(surveys),
    }


@hookimpl
def content_problems(instance: Instance) -> list[Any]:
    from .content import problems

    return problems(instance)
