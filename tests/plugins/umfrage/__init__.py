"""``umfrage``: a customer survey reduced to what other modules see of it, its page
offered through the hook ``customer_links`` (hook API 1.2). The guidance system's
tests enable it to print the page as a QR code and link it from first information."""

from pydantic import BaseModel

from willkommen_core.hookspecs import hookimpl
from willkommen_core.sdk import Module
from willkommen_core.types import CustomerLink

TITLES = {"de": "Wie war Ihr Besuch?", "ar": "كيف كانت زيارتك؟", "en": "How was your visit?"}


class UmfrageSettings(BaseModel):
    places: list[str] = ["signs", "pages"]
    """Where the link is offered; empty: the module offers no link at all."""
    pages: int = 1
    """How many pages it offers (``/umfrage/``, ``/umfrage/2/``, …)."""
    lang_in_path: bool = False
    """Name the language in the path (``/umfrage/?lang=ar``) as some modules do."""


module = Module("umfrage", __name__, title="Umfrage", settings=UmfrageSettings, hook_api=">=1.2,<2")
module.provide_hooks(globals())


@hookimpl
def customer_links(instance, language):
    places = frozenset(instance.plugin_settings("umfrage").places)
    if not places:
        return []
    title, lang = (TITLES[language], language) if language in TITLES else (TITLES["de"], "de")
    settings = instance.plugin_settings("umfrage")
    out = []
    for n in range(1, settings.pages + 1):
        path = "/umfrage/" if n == 1 else f"/umfrage/{n}/"
        if settings.lang_in_path:
            path += f"?lang={language}"
        out.append(CustomerLink(path, title, lang, places))
    return out
