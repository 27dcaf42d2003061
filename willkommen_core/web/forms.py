"""Reading form fields the same way on every page."""

from __future__ import annotations

from datetime import date

from ..i18n import gettext as _


def parse_date(value: str, field: str, errors: dict[str, str]) -> date | None:
    """``value`` as a date (``JJJJ-MM-TT``); ``None`` when empty. A wrong value puts the
    message under ``field`` in ``errors`` and returns ``None``."""
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[field] = _("Bitte ein Datum im Format JJJJ-MM-TT angeben.")
        return None
