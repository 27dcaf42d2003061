"""What the module contributes elsewhere: its hook implementations beyond the
plumbing that ``Module.provide_hooks`` gives (cards, recommendations, summaries, …)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from willkommen_core.hookspecs import hookimpl
from willkommen_core.i18n import gettext as _
from willkommen_core.types import Card, CustomerService, Recommendation

from . import CORNERSTONE, NAME

if TYPE_CHECKING:
    from willkommen_core.instance import Instance


@hookimpl
def dashboard_cards(instance: Instance, user: Any) -> list[Card]:
    from . import store

    settings = instance.plugin_settings(NAME)
    if user is None or not user.has_role(*settings.editor_roles):
        return []
    sites = store.load(instance.db)
    rooms = sum(len(f.rooms) for s in sites for b in s.buildings for f in b.floors)
    if not rooms:
        return [
            Card(
                _("Leitsystem"),
                _("Noch keine Räume erfasst."),
                "/leitsystem/",
                _("Gebäude erfassen"),
            )
        ]
    return [
        Card(
            _("Leitsystem"),
            _("%(n)s Räume und Schalter; Schilder und Erstinformation daraus.", n=rooms),
            "/leitsystem/schilder",
            _("Schilder ansehen"),
        )
    ]


@hookimpl
def recommendations(instance: Instance, results: Any) -> list[Recommendation]:
    mean = results.means.get(CORNERSTONE)
    if mean is None or mean >= 3.5:
        return []
    return [
        Recommendation(
            CORNERSTONE,
            _("Gebäudeleitsystem und Erstinformation erneuern"),
            _(
                "Der Eckpunkt »Erscheinungsbild und Kommunikation« ist schwach. In Magdeburg "
                "erwiesen sich die Wegweiser im Haus als wenig hilfreich; erfassen Sie Räume und "
                "Wege und drucken Sie mehrsprachige Schilder mit QR-Codes zur Erstinformation."
            ),
            "/leitsystem/",
        )
    ]


@hookimpl
def state_summary(instance: Instance) -> dict[str, Any]:
    """Counts only: how far the authority's guidance system is."""
    from . import render, store

    sites = store.load(instance.db)
    return {
        "schema_version": 1,
        "buildings": sum(len(s.buildings) for s in sites),
        "rooms": sum(len(f.rooms) for s in sites for b in s.buildings for f in b.floors),
        "routes": sum(len(b.routes) for s in sites for b in s.buildings),
        "sign_languages": render.sign_languages(instance),
    }


@hookimpl
def content_problems(instance: Instance) -> list[Any]:
    from .content import problems

    return problems(instance, instance.plugin_settings(NAME))


@hookimpl
def customer_services(instance: Instance, language: str) -> list[CustomerService]:
    """The services with first information (counters, not lifts or stairs), titled
    in ``language`` where its text file has them, else in German."""
    from .content import services, text_set

    def titles(lang: str) -> dict[str, str]:
        if not instance.content_path(NAME, "texts", f"{lang}.toml").is_file():
            return {}
        return text_set(instance, lang).services

    wanted, german = titles(language), titles("de")
    found = []
    for sid, service in services(instance).items():
        if not service.info or service.facility:
            continue
        if wanted.get(sid):
            found.append(CustomerService(sid, wanted[sid], language))
        elif german.get(sid):
            found.append(CustomerService(sid, german[sid], "de"))
    return found
