"""Example of a local plugin: a notice of the authority on the start page.

Disabled until listed in willkommen.toml: `willkommen plugins enable hinweis`.
Then set the text in its own settings section:

    [hinweis]
    text = "Am 24. Dezember ist die Behörde geschlossen."

Every function marked with @hookimpl implements one hook of
willkommen_core.hookspecs; module_info is required, the rest is optional.
"""

from pydantic import BaseModel, Field

from willkommen_core.hookspecs import hookimpl
from willkommen_core.i18n import lazy_gettext as _l
from willkommen_core.types import Card, ModuleInfo


class HinweisSettings(BaseModel):
    """The section [hinweis] of willkommen.toml, validated at start."""

    text: str = Field(default="", max_length=500)


@hookimpl
def module_info():
    # No navigation entry: the plugin only contributes a card.
    return ModuleInfo(title=_l("Hinweis"), summary=_l("Ein Hinweis der Behörde auf der Startseite"))


@hookimpl
def settings_model():
    return HinweisSettings


@hookimpl
def dashboard_cards(instance, user):
    text = instance.plugin_settings("hinweis").text
    if not text:
        return []
    return [Card(title=_l("Hinweis"), body=text)]
