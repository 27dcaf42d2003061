"""What the module contributes elsewhere: its hook implementations beyond the
plumbing that ``Module.provide_hooks`` gives (cards, recommendations, summaries, …)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from willkommen_core.hookspecs import hookimpl
from willkommen_core.i18n import gettext as _
from willkommen_core.types import Card, Recommendation

from . import CORNERSTONE, NAME, _stale_before, module

if TYPE_CHECKING:
    from willkommen_core.instance import Instance


@hookimpl
def dashboard_cards(instance: Instance, user: Any) -> list[Card]:
    from . import store
    from .model import STATUSES

    settings = instance.plugin_settings(NAME)
    if user is None or not user.has_role(*settings.staff_roles):
        return []
    by_status = store.counts_by(instance.db, "status")
    total = sum(by_status.values())
    if not total:
        return [
            Card(
                _("Partnerliste"),
                _("Noch keine Partner erfasst."),
                "/partner/neu",
                _("Partner anlegen"),
            )
        ]
    details = ", ".join(f"{by_status[k]} {v}" for k, v in STATUSES.items() if by_status.get(k))
    cards = [
        Card(
            _("Partnerliste"),
            _("%(n)s Partner: %(details)s.", n=total, details=details),
            "/partner/",
            _("Zur Partnerliste"),
        )
    ]
    stale = store.count(instance.db, store.Filters(stale_before=_stale_before(instance)))
    if stale:
        cards.append(
            Card(
                _("Kontakte pflegen"),
                _(
                    "%(n)s Partner ohne Kontakt seit mehr als %(months)s Monaten.",
                    n=stale,
                    months=settings.stale_contact_months,
                ),
                "/partner/?stale=1",
                _("Diese Partner anzeigen"),
            )
        )
    return cards


@hookimpl
def recommendations(instance: Instance, results: Any) -> list[Recommendation]:
    from . import store

    why = module.below_threshold(instance, results, CORNERSTONE)
    if why is None:
        return []
    settings = instance.plugin_settings(NAME)
    by_status = store.counts_by(instance.db, "status")
    total = sum(by_status.values())
    stale = store.count(instance.db, store.Filters(stale_before=_stale_before(instance)))
    public_languages = len(store.language_counts(instance.db, public_only=True))
    found: list[Recommendation] = []

    def add(title: str, reason: str, href: str) -> None:
        found.append(Recommendation(CORNERSTONE, title, f"{why} {reason}", href))

    if total < 10:
        add(
            _("Partnerliste aufbauen: relevante Akteure der Region erfassen"),
            _(
                "Die Partnerliste enthält erst %(n)s Partner. Erfassen Sie Migrationsberatung, "
                "Sprachkursträger, Jobcenter, Kammern, Hochschulen und Migrantenorganisationen.",
                n=total,
            ),
            "/partner/neu",
        )
    if stale:
        add(
            _("Lange nicht gepflegte Kontakte wieder aufnehmen"),
            _(
                "%(n)s Partner hatten seit mehr als %(months)s Monaten keinen Kontakt.",
                n=stale,
                months=settings.stale_contact_months,
            ),
            "/partner/?stale=1",
        )
    if by_status.get("interesse"):
        add(
            _("Interessierte Partner für eine feste Zusammenarbeit gewinnen"),
            _(
                "%(n)s Partner haben Interesse bekundet; vereinbaren Sie Ansprechpersonen und "
                "regelmäßige Treffen.",
                n=by_status["interesse"],
            ),
            "/partner/?status=interesse",
        )
    add(
        _("Präsenz der Behörde in Netzwerken und Gremien verstärken"),
        _(
            "In Magdeburg haben Projektvorstellungen im Integrationsnetzwerk, im "
            "Landesintegrationsbeirat und an der Universität neue Partner gewonnen."
        ),
        "/partner/?category=netzwerk",
    )
    if public_languages < 5:
        add(
            _("Hilfe in mehr Sprachen sichtbar machen"),
            _(
                "Die öffentliche Seite nennt Beratung in %(n)s Sprachen; ergänzen Sie Partner, "
                "die in den Sprachen Ihrer Kundinnen und Kunden beraten.",
                n=public_languages,
            ),
            "/partner/hilfe",
        )
    return found


@hookimpl
def state_summary(instance: Instance) -> dict[str, Any]:
    """Counts of organisations only: never names, notes or contact persons."""
    from . import store

    by_status = store.counts_by(instance.db, "status")
    return {
        "schema_version": 1,
        "partners": sum(by_status.values()),
        "public_partners": sum(store.counts_by(instance.db, "status", public_only=True).values()),
        "by_category": dict(sorted(store.counts_by(instance.db, "category").items())),
        "by_status": dict(sorted(by_status.items())),
        "languages_covered": len(store.language_counts(instance.db)),
        "public_languages_covered": len(store.language_counts(instance.db, public_only=True)),
        "stale_contacts": store.count(
            instance.db, store.Filters(stale_before=_stale_before(instance))
        ),
    }


@hookimpl
def network_directory(instance: Instance, language: str | None, public_only: bool) -> list[Any]:
    from .directory import directory

    return directory(instance, language, public_only)


@hookimpl
def content_problems(instance: Instance) -> list[Any]:
    from .categories import problems

    return problems(instance)
