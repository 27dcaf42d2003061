"""What the training module's pages share: roles, labels for templates, small lookups."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from babel.numbers import format_decimal
from starlette.responses import Response

from willkommen_core.disclosure.participation import shown_count
from willkommen_core.domain import CORNERSTONES
from willkommen_core.i18n import current_language
from willkommen_core.i18n import lazy_gettext as _l
from willkommen_core.sdk import PageRequest

from . import PERSONAL_ROLES, STAFF_ROLES, content, module, store, survey
from .model import CATEGORIES, FORMATS, Entry

STAFF = STAFF_ROLES
PERSONAL = PERSONAL_ROLES
MONTHS = (
    _l("Januar"),
    _l("Februar"),
    _l("März"),
    _l("April"),
    _l("Mai"),
    _l("Juni"),
    _l("Juli"),
    _l("August"),
    _l("September"),
    _l("Oktober"),
    _l("November"),
    _l("Dezember"),
)

page = module.pages.page


def EDITORS(settings: Any) -> tuple[str, ...]:
    """Who edits the catalogue: the instance's ``editor_roles``."""
    return tuple(settings.editor_roles)


def PLANNERS(settings: Any) -> tuple[str, ...]:
    """Who plans sessions: the editors and leadership."""
    return tuple(dict.fromkeys([*settings.editor_roles, "leitung"]))


def PUBLIC_SCHEDULE(settings: Any) -> bool:
    """The public schedule exists (and is linked) only with ``public_schedule``."""
    return bool(settings.public_schedule)


def can(p: PageRequest, *roles: str) -> bool:
    return p.user is not None and bool(p.user.has_role(*roles))


def hours(value: float) -> str:
    return format_decimal(value, format="0.##", locale=current_language())


def labels(p: PageRequest) -> dict[str, Any]:
    """Titles for ids, in the current language, for every template."""
    lang = current_language()
    areas = content.load(p.instance).work_areas
    stones = {c.id: str(c.title) for c in CORNERSTONES}
    settings = p.settings
    return {
        "categories": [(k, str(v)) for k, v in CATEGORIES.items()],
        "formats": [(k, str(v)) for k, v in FORMATS.items()],
        "category_title": lambda k: str(CATEGORIES.get(k, k)),
        "format_title": lambda k: str(FORMATS.get(k, k)),
        "area_title": lambda k: areas[k].title(lang) if k in areas else k,
        "work_areas": [(a.id, a.title(lang)) for a in areas.values()],
        "cornerstone_options": list(stones.items()),
        "cornerstone_title": lambda k: stones.get(k, k),
        "hours": hours,
        "month_name": lambda m: str(MONTHS[m - 1]),
        "can_edit": can(p, *EDITORS(settings)),
        "can_plan": can(p, *PLANNERS(settings)),
        "can_personal": can(p, *PERSONAL),
        "public_schedule": settings.public_schedule,
    }


def year(p: PageRequest) -> int:
    """The year asked for with ``?jahr=``, else the current one."""
    raw = p.query("jahr")
    if raw.isdecimal() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return date.today().year


def year_options(p: PageRequest, shown: int) -> list[tuple[str, str]]:
    years = sorted({*store.years(p.db), date.today().year, shown})
    return [(str(y), str(y)) for y in years]


def to(p: PageRequest, name: str, query: str = "", **params: Any) -> Response:
    """303 to this module's page ``name``, with a query string of its own (``jahr=...``)."""
    return p.redirect(p.url(name, **params) + (f"?{query}" if query else ""))


def partners(p: PageRequest, found: list[Entry]) -> dict[int, store.PartnerRef | None]:
    index = store.partner_index(p.instance)
    return {e.id: store.partner_for(e, index) for e in found}


def participants(p: PageRequest) -> Callable[[survey.Survey], str]:
    """How many answered a survey, as pages may say it: in bands while it is open."""
    db, k = p.db, p.instance.settings.privacy.min_group_size
    return lambda sv: shown_count(survey.participants(db, sv.id), k, closed=not sv.open)


def answer_link(p: PageRequest) -> Callable[[survey.Survey], str]:
    """The full address of a survey's public participation page, to pass on to staff."""
    return lambda sv: str(p.request.url_for(f"{module.name}:survey_answer", code=sv.code))
