"""Pages of the guidance system: editing the building (redaktion), signs with preview and
download, and the public first-information pages per service and language.

Pages are open to :func:`EDITOR_ROLES` (the instance's ``editor_roles``) or
:func:`READER_ROLES` (leadership and those editors).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from markupsafe import Markup
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.responses import Response

from willkommen_core.errors import UserError
from willkommen_core.i18n import current_language, in_language
from willkommen_core.i18n import gettext as _
from willkommen_core.sdk import PageRequest

from . import EDITOR_ROLES, READER_ROLES, address, content, exchange, hours, model, module, store
from .content import ACCESS_FLAGS, ARROWS, INFO_LANGUAGES, PLAIN_GERMAN, Texts

if TYPE_CHECKING:
    from willkommen_core.instance import Instance

log = logging.getLogger("willkommen.leitsystem")
MAX_UPLOAD = 2 * 1024 * 1024
page = module.pages.page


def _site_names(p: PageRequest) -> list[str]:
    return [s.name for s in p.instance.settings.authority.sites]


def _load(p: PageRequest) -> list[model.Site]:
    """Every configured site, those without data included (to add buildings)."""
    names = _site_names(p)
    found = {s.name: s for s in store.load(p.db, names)}
    return [found.get(n, model.Site(n)) for n in names] + [
        s for s in found.values() if s.name not in names
    ]


def _arrow_labels() -> dict[str, str]:
    return {
        "left": _("links"),
        "right": _("rechts"),
        "ahead": _("geradeaus"),
        "up": _("nach oben"),
        "down": _("nach unten"),
        "back": _("zurück"),
    }


def _access_labels() -> dict[str, str]:
    return {
        "stufenlos": _("stufenlos erreichbar"),
        "aufzug": _("mit dem Aufzug erreichbar"),
        "induktion": _("Induktionsschleife"),
        "sitzplaetze": _("Sitzplätze"),
    }


def _service_titles(p: PageRequest) -> dict[str, str]:
    """The services in the page's language; German (marked so) where that has none."""
    texts = Texts(p.instance, current_language())
    titles = {}
    for sid in content.services(p.instance):
        found = texts.service(sid)
        titles[sid] = in_language(found.text, found.lang) if found else sid
    return titles


def _floor_name(level: int) -> str:
    if level == 0:
        return _("Erdgeschoss")
    if level > 0:
        return _("%(n)s. Obergeschoss", n=level)
    return _("%(n)s. Untergeschoss", n=-level)


def _common(p: PageRequest) -> dict[str, Any]:
    return {
        "service_titles": _service_titles(p),
        "arrow_labels": _arrow_labels(),
        "access_labels": _access_labels(),
        "floor_name": _floor_name,
        # Markup keeps each name's own language (a German fallback is marked).
        "names": lambda ids, labels: Markup(", ").join(labels.get(i, i) for i in ids),
    }


def _saved(p: PageRequest) -> Response:
    return p.redirect(p.url("index") + "?saved=1")


# -- editing --------------------------------------------------------------------------


def _index(
    p: PageRequest,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    notice = None
    if p.query("saved"):
        notice = _("Die Angaben wurden gespeichert.")
    elif p.query("deleted"):
        notice = _("Der Eintrag wurde gelöscht.")
    elif p.query("imported"):
        notice = _("Import abgeschlossen: %(n)s Räume.", n=p.query("imported", "0")[:6])
    sites = _load(p)
    titles = _service_titles(p)
    return p.render(
        "leitsystem/index.html",
        {
            "sites": sites,
            "site_options": [(s.name, s.name) for s in sites],
            "building_options": [
                (str(b.id), f"{s.name} – {b.name}") for s in sites for b in s.buildings
            ],
            "room_options": [
                (
                    str(r.id),
                    f"{b.name} {r.number} ({', '.join(titles.get(x, x) for x in r.services)})",
                )
                for s in sites
                for b in s.buildings
                for f in b.floors
                for r in f.rooms
            ],
            "arrow_options": list(_arrow_labels().items()),
            "can_edit": p.user is not None and p.user.has_role(*p.settings.editor_roles),
            "errors": errors or {},
            "values": values or {},
            "notice": notice,
            "arrows": ARROWS,
            **_common(p),
        },
        status_code,
    )


@page("/", roles=READER_ROLES)
def index(p: PageRequest) -> Response:
    _base_url(p)  # staff pages only: a public request's Host header must not set it
    return _index(p)


def _form(p: PageRequest) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in p.form:
        values = [v for v in p.form.getlist(key) if isinstance(v, str)]
        out[key] = values if key in ("services", "accessibility") else (values[0] if values else "")
    return out


def _int(value: Any) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


@page("/gebaeude", methods=("POST",), roles=EDITOR_ROLES)
def add_building(p: PageRequest) -> Response:
    values = _form(p)
    site, name = values.get("site", ""), str(values.get("name", "")).strip()
    errors = {}
    if site not in _site_names(p):
        errors["b-site"] = _("Bitte wählen Sie einen Standort.")
    problem = model.check_name(name)
    if problem:
        errors["b-name"] = _("Bitte geben Sie einen Namen an (höchstens 100 Zeichen).")
    elif store.building_exists(p.db, site, name):
        errors["b-name"] = _("Dieses Gebäude gibt es an diesem Standort schon.")
    if errors:
        return _index(p, errors, {f"b-{k}": v for k, v in values.items()}, 400)
    store.add_building(p.db, site, name)
    return _saved(p)


@page("/etage", methods=("POST",), roles=EDITOR_ROLES)
def add_floor(p: PageRequest) -> Response:
    values = _form(p)
    building_id = _int(values.get("building"))
    level, problem = model.check_level(values.get("level", ""))
    errors = {}
    buildings = {b.id for s in _load(p) for b in s.buildings}
    if building_id not in buildings:
        errors["f-building"] = _("Bitte wählen Sie ein Gebäude.")
    if problem or level is None:
        errors["f-level"] = _(
            "Die Etage muss eine ganze Zahl zwischen -5 und 60 sein (0 = Erdgeschoss)."
        )
    elif (
        building_id is not None
        and building_id in buildings
        and store.floor_exists(p.db, building_id, level)
    ):
        errors["f-level"] = _("Diese Etage gibt es in dem Gebäude schon.")
    if errors or building_id is None or level is None:
        # The checks above already reported a missing building or level.
        return _index(p, errors, {f"f-{k}": v for k, v in values.items()}, 400)
    store.add_floor(p.db, building_id, level)
    return _saved(p)


@page("/weg", methods=("POST",), roles=EDITOR_ROLES)
def add_route(p: PageRequest) -> Response:
    values = _form(p)
    origin, dest = _int(values.get("origin")), _int(values.get("destination"))
    arrow = values.get("arrow", "")
    building_of: dict[int, int] = {}
    for s in _load(p):
        for b in s.buildings:
            for f in b.floors:
                for r in f.rooms:
                    if r.id is not None and b.id is not None:  # loaded rows have ids
                        building_of[r.id] = b.id
    errors = {}
    if origin not in building_of:
        errors["w-origin"] = _("Bitte wählen Sie den Standort des Schildes.")
    if dest not in building_of:
        errors["w-destination"] = _("Bitte wählen Sie das Ziel.")
    if model.check_arrow(arrow):
        errors["w-arrow"] = _("Bitte wählen Sie eine Richtung.")
    # Without errors both rooms are keys of ``building_of``, so neither is None.
    if not errors and origin is not None and dest is not None:
        if origin == dest:
            errors["w-destination"] = _("Das Ziel muss ein anderer Raum sein.")
        elif building_of[origin] != building_of[dest]:
            errors["w-destination"] = _("Das Ziel muss im selben Gebäude liegen.")
        elif store.route_exists(p.db, origin, dest):
            errors["w-destination"] = _("Diesen Weg gibt es schon.")
    if errors or origin is None or dest is None:
        return _index(p, errors, {f"w-{k}": v for k, v in values.items()}, 400)
    store.add_route(p.db, origin, dest, arrow)
    return _saved(p)


@page("/loeschen/{kind}/{item_id:int}", methods=("POST",), roles=EDITOR_ROLES)
def delete(p: PageRequest) -> Response:
    kind = p.param("kind")
    if kind not in store.TABLES:
        p.not_found()
    if not store.remove(p.db, kind, p.param("item_id")):
        p.not_found()
    return p.redirect(p.url("index") + "?deleted=1")


def _floors(p: PageRequest) -> list[tuple[str, str]]:
    return [
        (str(f.id), f"{s.name} – {b.name} – {_floor_name(f.level)}")
        for s in _load(p)
        for b in s.buildings
        for f in b.floors
    ]


def _room_form(
    p: PageRequest,
    values: dict[str, Any],
    errors: dict[str, str],
    room_id: int | None,
    status_code: int = 200,
) -> Response:
    return p.render(
        "leitsystem/room.html",
        {
            "values": values,
            "errors": errors,
            "room_id": room_id,
            "floors": _floors(p),
            "access_flags": ACCESS_FLAGS,
            **_common(p),
        },
        status_code,
    )


@page("/raum/neu", methods=("GET", "POST"), roles=EDITOR_ROLES, name="room_new")
@page("/raum/{room_id:int}", methods=("GET", "POST"), roles=EDITOR_ROLES, name="room_edit")
def room(p: PageRequest) -> Response:
    db = p.db
    room_id: int | None = p.request.path_params.get("room_id")
    if p.method == "GET":
        if room_id is None:
            values: dict[str, Any] = {
                "floor": p.query("floor"),
                "services": [],
                "accessibility": [],
            }
        else:
            row = store.room_row(db, room_id)
            if row is None:
                p.not_found()
            values = {
                "floor": str(row.floor_id),
                "number": row.number,
                "name": row.name,
                "services": row.services.split(),
                "opening_hours": row.opening_hours,
                "accessibility": row.accessibility.split(),
            }
        return _room_form(p, values, {}, room_id)
    if room_id is not None and not store.room_exists(db, room_id):
        p.not_found()
    values = _form(p)
    values.setdefault("services", [])
    values.setdefault("accessibility", [])
    errors: dict[str, str] = {}
    floor_id = _int(values.get("floor"))
    building_id = store.building_of_floor(db, floor_id) if floor_id else None
    if building_id is None:
        errors["floor"] = _("Bitte wählen Sie eine Etage.")
    number = str(values.get("number", "")).strip()
    if model.check_room_number(number):
        errors["number"] = _(
            "Raumnummer: 1 bis 20 Zeichen aus Buchstaben, Ziffern, Punkt, Strich, Schrägstrich (z. B. 1.14)."
        )
    elif building_id is not None and store.room_number_taken(db, building_id, number, room_id):
        errors["number"] = _("Diese Raumnummer gibt es in dem Gebäude schon.")
    name = str(values.get("name", "")).strip()
    if len(name) > 100:
        errors["name"] = _("Der Name darf höchstens 100 Zeichen haben.")
    if model.check_services(values["services"], set(content.services(p.instance))):
        errors["services"] = _("Bitte wählen Sie mindestens ein Angebot.")
    if model.check_access(values["accessibility"]):
        errors["accessibility"] = _("Unbekannter Hinweis zur Barrierefreiheit.")
    try:
        hours.parse(str(values.get("opening_hours", "")))
    except hours.HoursError as exc:
        errors["opening_hours"] = _(
            "Öffnungszeiten nicht lesbar: %(detail)s. Beispiel: Mo-Fr 08:00-12:00; Di 13:00-18:00",
            detail=str(exc),
        )
    if errors or floor_id is None:
        # A missing floor was reported above (no building for it).
        return _room_form(p, values, errors, room_id, 400)
    data = model.Room(
        number,
        tuple(dict.fromkeys(values["services"])),
        name,
        str(values.get("opening_hours", "")).strip(),
        tuple(dict.fromkeys(values["accessibility"])),
    )
    store.save_room(db, floor_id, data, room_id)
    return _saved(p)


@page("/import", methods=("GET", "POST"), roles=EDITOR_ROLES)
def import_page(p: PageRequest) -> Response:
    ctx: dict[str, Any] = {"errors": [], "filename": ""}
    if p.method == "GET":
        return p.render("leitsystem/import.html", ctx)
    upload = p.form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        ctx["errors"] = [_("Bitte wählen Sie eine Datei (TOML oder JSON).")]
        return p.render("leitsystem/import.html", ctx, 400)
    data = upload.file.read(MAX_UPLOAD + 1)
    ctx["filename"] = upload.filename
    if len(data) > MAX_UPLOAD:
        ctx["errors"] = [_("Die Datei ist größer als 2 MB.")]
        return p.render("leitsystem/import.html", ctx, 400)
    try:
        sites = exchange.import_file(p.instance, data, upload.filename)
    except UserError as exc:
        ctx["errors"] = [str(exc.args[0])] + [f"{x.key}: {x.reason}" for x in exc.problems]
        return p.render("leitsystem/import.html", ctx, 400)
    rooms = sum(len(f.rooms) for s in sites for b in s.buildings for f in b.floors)
    return p.redirect(p.url("index") + f"?imported={rooms}")


@page("/export.{fmt:str}", roles=READER_ROLES)
def export_file(p: PageRequest) -> Response:
    fmt = p.param("fmt")
    if fmt not in ("toml", "json"):
        p.not_found()
    data = exchange.export(p.instance, fmt)
    media = "application/json" if fmt == "json" else "application/toml"
    return p.download(data, f"leitsystem-{p.instance.slug}.{fmt}", media)


# -- signs ----------------------------------------------------------------------------


def _base_url(p: PageRequest) -> str:
    """``[leitsystem] base_url``, else the address these pages are served at (remembered
    for ``willkommen leitsystem build``)."""
    configured: str = p.settings.base_url
    if configured:
        return configured
    served = str(p.request.base_url).rstrip("/")
    address.remember(p.instance, served)
    return served


def _sign_set(p: PageRequest, lang: str) -> list[Any]:
    from . import render as signs

    theme = signs.theme_for(p.instance)
    return signs.signs(p.instance, store.load(p.db, _site_names(p)), lang, theme, _base_url(p))


@page("/schilder", roles=READER_ROLES)
def signs_page(p: PageRequest) -> Response:
    from . import render as signs

    langs = signs.sign_languages(p.instance)
    lang = p.query("sprache", langs[0] if langs else "de")
    if lang not in langs:
        lang = langs[0] if langs else "de"
    error = None
    found: list[Any] = []
    try:
        found = _sign_set(p, lang)
    except UserError as exc:
        error = str(exc)
    kinds = {
        "door": _("Türschilder"),
        "direction": _("Richtungsschilder"),
        "directory": _("Etagenübersichten"),
        "overview": _("Gebäudeübersichten"),
    }
    return p.render(
        "leitsystem/signs.html",
        {
            "signs": found,
            "lang": current_language(),
            "sign_lang": lang,
            "sign_langs": [(code, content.native(code)) for code in langs],
            "kinds": kinds,
            "error": error,
            "missing": content.missing_texts(p.instance, lang) if lang != "de" else [],
        },
    )


@page("/schilder/{lang}/{size}/{sign_id}.{fmt}", roles=READER_ROLES)
def sign_file(p: PageRequest) -> Response:
    from . import render as signs

    lang, size, sign_id, fmt = (p.param(k) for k in ("lang", "size", "sign_id", "fmt"))
    if (
        lang not in content.SIGN_LANGUAGES
        or size not in signs.SIZES
        or fmt not in ("pdf", "svg", "png")
    ):
        p.not_found()
    try:
        found = [s for s in _sign_set(p, lang) if s.id == sign_id]
    except UserError as exc:
        raise HTTPException(409, str(exc)) from exc
    if not found:
        p.not_found()
    try:
        data = signs.render(found[0], size, fmt, ppi=48 if fmt == "png" else None)
    except UserError as exc:  # does not fit at the minimum type sizes: say which sign
        raise HTTPException(409, str(exc)) from exc
    media = {"pdf": "application/pdf", "svg": "image/svg+xml", "png": "image/png"}[fmt]
    if p.query("download"):
        return p.download(data, f"{sign_id}-{lang}-{size}.{fmt}", media)
    return Response(data, media_type=media)


# -- first information (public) -------------------------------------------------------


def _content_lang(p: PageRequest) -> str:
    """The language of the texts: the reader's choice in the layout's one language
    selector (Leichte Sprache included) when the instance offers it, else the UI's."""
    asked = p.query("lang") or getattr(p.request.state, "language_choice", "")
    offered = list(p.instance.settings.languages)
    if asked == PLAIN_GERMAN or (asked in offered and asked in INFO_LANGUAGES):
        return asked
    lang = current_language()
    return lang if lang in INFO_LANGUAGES else "de"


@page("/info/", public=True, audience="customers")
def info_index(p: PageRequest) -> Response:
    lang = _content_lang(p)
    t = Texts(p.instance, lang)
    offered = {
        s
        for site in store.load(p.db)
        for b in site.buildings
        for f in b.floors
        for r in f.rooms
        for s in r.services
    }
    items = [
        (sid, t.service(sid), t.info(sid, "summary"))
        for sid, svc in content.services(p.instance).items()
        if svc.info and sid in offered
    ]
    return p.render(
        "leitsystem/info_index.html",
        {
            "t": t,
            "items": items,
            "links": customer_links(p.instance, lang),
            "content_lang": lang,
            "lang": content.html_lang(lang),
            "dir": t.dir,
        },
    )


def _language_name(code: str, lang: str) -> str:
    from babel import Locale, UnknownLocaleError

    try:
        name = Locale.parse(code).get_display_name(lang) or code
    except (UnknownLocaleError, ValueError):
        return code
    return name[:1].upper() + name[1:]


def _partners(instance: Instance, lang: str) -> list[Any] | None:
    """Public partners advising in ``lang``; ``None`` when no module keeps a directory
    (asked through the hook: whichever plugin is enabled as ``partner`` answers)."""
    code = "de" if lang == PLAIN_GERMAN else lang
    found = instance.plugins.call_first(
        "network_directory", instance=instance, language=code, public_only=True
    )
    if found is None:
        return None
    return [
        {
            "name": p.name,
            "address": ", ".join(x for x in (p.street, f"{p.postcode} {p.city}".strip()) if x),
            "phone": p.phone,
            "website": p.website,
            "languages": ", ".join(_language_name(c, code) for c in p.languages),
        }
        for p in found
    ]


def _origin(t: Texts, room: model.Room) -> str:
    """Where a route starts, as its sign says: the entrance by that name (not "exit")."""
    from .render import ENTRANCE_SERVICE

    if ENTRANCE_SERVICE in room.services:
        return str(t.label("entrance"))
    return " · ".join(str(t.service(s)) for s in room.services)


def customer_links(instance: Instance, lang: str) -> list[dict[str, str]]:
    """Customer pages other modules offer for these pages (hook ``customer_links`` with
    ``pages`` in ``places``), each with the language its caption is in."""
    code = content.html_lang(lang)
    found = instance.plugins.call_list("customer_links", instance=instance, language=code)
    return [
        {"path": link.path, "title": link.title, "lang": link.language}
        for link in found
        if "pages" in link.places and link.path and link.title
    ]


@page("/info/{service}", public=True, audience="customers")
def info(p: PageRequest) -> Response:
    instance = p.instance
    sid = p.param("service")
    svc = content.services(instance).get(sid)
    if svc is None or not svc.info:
        p.not_found()
    lang = _content_lang(p)
    t = Texts(instance, lang)
    places = []
    for site in store.load(instance.db, _site_names(p)):
        for b in site.buildings:
            rooms = b.rooms()
            for f in b.floors:
                for r in f.rooms:
                    if sid not in r.services:
                        continue
                    routes = [
                        t.label(
                            "route_from",
                            origin=_origin(t, rooms[w.origin][1]),
                            direction=str(t.arrow(w.arrow)),
                        )
                        for w in b.routes
                        if w.destination == r.number
                    ]
                    places.append(
                        {
                            "site": site.name,
                            "building": b.name,
                            "floor": t.floor(f.level),
                            "room": t.label("room", number=r.number),
                            "name": r.name,
                            "hours": hours.localized(r.opening_hours, lang),
                            "access": [t.label(f"access_{a}") for a in r.accessibility],
                            "routes": routes,
                        }
                    )
    return p.render(
        "leitsystem/info.html",
        {
            "t": t,
            "sid": sid,
            "title": t.service(sid),
            "summary": t.info(sid, "summary"),
            "bring": t.info(sid, "bring") or [],
            "appointment": t.info(sid, "appointment"),
            "places": places,
            "partners": _partners(instance, lang),
            "links": customer_links(instance, lang),
            "content_lang": lang,
            "lang": content.html_lang(lang),
            "dir": t.dir,
        },
    )
