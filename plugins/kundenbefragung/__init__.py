"""Customer survey (``kundenbefragung``): the customers' view of the five cornerstones.

Customers answer at most eight questions in their language or in Leichte Sprache,
reached by a QR code (on the signs, when the signage module is on, and on a poster
or counter card) or on an enrolled kiosk tablet at the counter; no login, no
JavaScript, nothing personal. Leadership (role ``leitung``) sees results per month,
quarter or year, by site, service and language, beside the staff's self-assessment,
every figure through the core's disclosure layer. The module uses the SDK and the
public hook contract only: no change of the core.
"""

from __future__ import annotations

from willkommen_core.i18n import lazy_gettext as _l
from willkommen_core.sdk import Module

from .settings import STAFF, KundenbefragungSettings

NAME = "kundenbefragung"

module = Module(
    NAME,
    __name__,
    title=_l("Kundenbefragung"),
    summary=_l(
        "Kurze anonyme Befragung der Kundinnen und Kunden in ihren Sprachen, per QR-Code "
        "oder am Tablet, mit Ergebnissen neben dem Selbstcheck der Mitarbeitenden."
    ),
    cornerstones=("erscheinungsbild", "binnenorganisation", "kompetenzen", "zusammenarbeit"),
    nav_path="/kundenbefragung/ergebnisse",
    nav_roles=STAFF,
    public_path="/kundenbefragung/",
    public_title=_l("Wie war Ihr Besuch?"),
    settings=KundenbefragungSettings,
    hook_api=">=1.2,<2",
    audit_events={
        "kiosk_enrolled": _l("Kiosk-Gerät der Kundenbefragung angemeldet"),
        "kiosk_revoked": _l("Kiosk-Gerät der Kundenbefragung abgemeldet"),
        "day_excluded": _l("Auffälliger Tag der Kundenbefragung ausgeschlossen"),
    },
)

from . import hooks  # noqa: E402

module.provide_hooks(globals(), hooks)
