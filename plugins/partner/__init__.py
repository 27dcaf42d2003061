"""Partner list (``partner``): the authority's directory of external actors.

The seed's working group "externe Akteure": integration network, migration
counselling, university, state integration council, chambers, job centre,
language course providers, migrant organisations. Staff keep the list with
relationship status, last contact and internal notes; customers find help in
their language on the public page ``/partner/hilfe``, which shows only
public partners and never internal fields.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from willkommen_core.i18n import lazy_gettext as _l
from willkommen_core.sdk import Module

from .settings import PartnerSettings

if TYPE_CHECKING:
    from willkommen_core.instance import Instance

NAME = "partner"
CORNERSTONE = "zusammenarbeit"
STAFF_ROLES = ("leitung", "redaktion")
"""Who keeps the list unless an instance's ``staff_roles`` says otherwise."""


def STAFF(settings: Any) -> list[str]:
    """The internal pages and endpoints are open to the instance's ``staff_roles``."""
    return list(settings.staff_roles)


def PUBLIC(settings: Any) -> bool:
    """The public help page exists (and is linked) only while ``public_page`` is on."""
    return bool(settings.public_page)


module = Module(
    NAME,
    __name__,
    title=_l("Partnerliste"),
    summary=_l(
        "Externe Akteure mit Beziehungsstatus pflegen; Kundinnen und Kunden finden Hilfe in ihrer Sprache."
    ),
    cornerstones=(CORNERSTONE,),
    nav_path="/partner/",
    nav_roles=STAFF_ROLES,
    public_path="/partner/hilfe",
    public_title=_l("Hilfe in Ihrer Sprache"),
    settings=PartnerSettings,
)


def _stale_before(instance: Instance) -> date:
    from .store import subtract_months

    return subtract_months(date.today(), instance.plugin_settings(NAME).stale_contact_months)


# Cards, recommendations, summaries: in hooks.py, which uses the names above.
from . import hooks  # noqa: E402

module.provide_hooks(globals(), hooks)
