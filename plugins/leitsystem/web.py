"""Pages of the guidance system: editing the building (redaktion), signs with preview and
download, and the public first-information pages per service and language."""

from __future__ import annotations

import logging
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from willkommen_core.errors import UserError
from willkommen_core.i18n import current_language
from willkommen_core.i18n import gettext as _
from willkommen_core.web.routing import MAX_FORM_FIELDS, MAX_FORM_PART, Page
from willkommen_core.web.templating import render

from . import content, exchange, hours, model, store
from .content import ACCESS_FLAGS, ARROWS, INFO_LANGUAGES, PLAIN_GERMAN, Texts

NAME = "leitsystem"
log = logging.getLogger("willkommen.leitsystem")
MAX_UPLOAD = 2 * 1024 * 1024


def _instance(request: Request) -> Any:
    return request.app.state.instance


def _site_names(request: Request) -> list[str]:
    return [s.name for s in _instance(request).settings.authority.sites]


def _load(request: Request) -> list[model.Site]:
    """Every configured site, those without data included (to add buildings)."""
    names = _site_names(request)
    found = {s.name: s for s in store.load(_instance(request).db, names)}
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


def _service_titles(request: Request) -> dict[str, str]:
    de = Texts(_instance(request), "de")
    return {sid: str(de.service(sid) or sid) for sid in content.services(_instance(request))}


def _floor_name(level: int) -> str:
    if level == 0:
        return _("Erdgeschoss")
    if level > 0:
        return _("%(n)s. Obergeschoss", n=level)
    return _("%(n)s. Untergeschoss", n=-level)


def _common(request: Request) -> dict[str, Any]:
    return {
        "service_titles": _service_titles(request),
        "arrow_labels": _arrow_labels(),
        "access_labels": _access_labels(),
        "floor_name": _floor_name,
        "names": lambda ids, labels: ", ".join(labels.get(i, i) for i in ids),
    }


# -- editing --------------------------------------------------------------------------


def index(
    request: Request,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    notice = None
    q = request.query_params
    if q.get("saved"):
        notice = _("Die Angaben wurden gespeichert.")
    elif q.get("deleted"):
        notice = _("Der Eintrag wurde gelöscht.")
    elif q.get("imported"):
        notice = _("Import abgeschlossen: %(n)s Räume.", n=q.get("imported", "0")[:6])
    sites = _load(request)
    titles = _service_titles(request)
    return render(
        request,
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
            "can_edit": request.state.user is not None
            and request.state.user.has_role(*_instance(request).plugin_settings(NAME).editor_roles),
            "errors": errors or {},
            "values": values or {},
            "notice": notice,
            "arrows": ARROWS,
            **_common(request),
        },
        status_code,
    )


async def _form(request: Request) -> dict[str, Any]:
    form = await request.form(max_fields=MAX_FORM_FIELDS, max_part_size=MAX_FORM_PART)
    out: dict[str, Any] = {}
    for key in form:
        values = [v for v in form.getlist(key) if isinstance(v, str)]
        out[key] = values if key in ("services", "accessibility") else (values[0] if values else "")
    return out


def _int(value: Any) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


async def add_building(request: Request) -> Response:
    values = await _form(request)
    site, name = values.get("site", ""), str(values.get("name", "")).strip()
    errors = {}
    if site not in _site_names(request):
        errors["b-site"] = _("Bitte wählen Sie einen Standort.")
    problem = model.check_name(name)
    if problem:
        errors["b-name"] = _("Bitte geben Sie einen Namen an (höchstens 100 Zeichen).")
    elif await run_in_threadpool(store.building_exists, _instance(request).db, site, name):
        errors["b-name"] = _("Dieses Gebäude gibt es an diesem Standort schon.")
    if errors:
        return await run_in_threadpool(
            index, request, errors, {f"b-{k}": v for k, v in values.items()}, 400
        )
    await run_in_threadpool(store.add_building, _instance(request).db, site, name)
    return RedirectResponse("/leitsystem/?saved=1", status_code=303)


async def add_floor(request: Request) -> Response:
    values = await _form(request)
    db = _instance(request).db
    building_id = _int(values.get("building"))
    level, problem = model.check_level(values.get("level", ""))
    errors = {}
    buildings = {b.id for s in _load(request) for b in s.buildings}
    if building_id not in buildings:
        errors["f-building"] = _("Bitte wählen Sie ein Gebäude.")
    if problem or level is None:
        errors["f-level"] = _(
            "Die Etage muss eine ganze Zahl zwischen -5 und 60 sein (0 = Erdgeschoss)."
        )
    elif building_id in buildings and await run_in_threadpool(
        store.floor_exists, db, building_id, level
    ):
        errors["f-level"] = _("Diese Etage gibt es in dem Gebäude schon.")
    if errors:
        return await run_in_threadpool(
            index, request, errors, {f"f-{k}": v for k, v in values.items()}, 400
        )
    await run_in_threadpool(store.add_floor, db, building_id, level)
    return RedirectResponse("/leitsystem/?saved=1", status_code=303)


async def add_route(request: Request) -> Response:
    values = await _form(request)
    db = _instance(request).db
    origin, dest = _int(values.get("origin")), _int(values.get("destination"))
    arrow = values.get("arrow", "")
    building_of: dict[int, int] = {}
    for s in _load(request):
        for b in s.buildings:
            for f in b.floors:
                for r in f.rooms:
                    building_of[r.id] = b.id  # type: ignore[index]
    errors = {}
    if origin not in building_of:
        errors["w-origin"] = _("Bitte wählen Sie den Standort des Schildes.")
    if dest not in building_of:
        errors["w-destination"] = _("Bitte wählen Sie das Ziel.")
    if model.check_arrow(arrow):
        errors["w-arrow"] = _("Bitte wählen Sie eine Richtung.")
    if not errors:
        if origin == dest:
            errors["w-destination"] = _("Das Ziel muss ein anderer Raum sein.")
        elif building_of[origin] != building_of[dest]:  # type: ignore[index]
            errors["w-destination"] = _("Das Ziel muss im selben Gebäude liegen.")
        elif await run_in_threadpool(store.route_exists, db, origin, dest):
            errors["w-destination"] = _("Diesen Weg gibt es schon.")
    if errors:
        return await run_in_threadpool(
            index, request, errors, {f"w-{k}": v for k, v in values.items()}, 400
        )
    await run_in_threadpool(store.add_route, db, origin, dest, arrow)
    return RedirectResponse("/leitsystem/?saved=1", status_code=303)


async def delete(request: Request) -> Response:
    kind = request.path_params["kind"]
    if kind not in store.TABLES:
        raise HTTPException(404)
    removed = await run_in_threadpool(
        store.remove, _instance(request).db, kind, request.path_params["item_id"]
    )
    if not removed:
        raise HTTPException(404)
    return RedirectResponse("/leitsystem/?deleted=1", status_code=303)


def _floors(request: Request) -> list[tuple[int, str]]:
    return [
        (str(f.id), f"{s.name} – {b.name} – {_floor_name(f.level)}")
        for s in _load(request)
        for b in s.buildings
        for f in b.floors
    ]


def _room_form(
    request: Request,
    values: dict[str, Any],
    errors: dict[str, str],
    room_id: int | None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "leitsystem/room.html",
        {
            "values": values,
            "errors": errors,
            "room_id": room_id,
            "floors": _floors(request),
            "access_flags": ACCESS_FLAGS,
            **_common(request),
        },
        status_code,
    )


async def room(request: Request) -> Response:
    db = _instance(request).db
    room_id = request.path_params.get("room_id")
    if request.method == "GET":
        if room_id is None:
            values: dict[str, Any] = {
                "floor": request.query_params.get("floor", ""),
                "services": [],
                "accessibility": [],
            }
        else:
            row = await run_in_threadpool(store.room_row, db, room_id)
            if row is None:
                raise HTTPException(404)
            values = {
                "floor": str(row.floor_id),
                "number": row.number,
                "name": row.name,
                "services": row.services.split(),
                "opening_hours": row.opening_hours,
                "accessibility": row.accessibility.split(),
            }
        return _room_form(request, values, {}, room_id)
    if room_id is not None and not await run_in_threadpool(store.room_exists, db, room_id):
        raise HTTPException(404)
    values = await _form(request)
    values.setdefault("services", [])
    values.setdefault("accessibility", [])
    errors: dict[str, str] = {}
    floor_id = _int(values.get("floor"))
    building_id = (
        await run_in_threadpool(store.building_of_floor, db, floor_id) if floor_id else None
    )
    if building_id is None:
        errors["floor"] = _("Bitte wählen Sie eine Etage.")
    number = str(values.get("number", "")).strip()
    if model.check_room_number(number):
        errors["number"] = _(
            "Raumnummer: 1 bis 20 Zeichen aus Buchstaben, Ziffern, Punkt, Strich, Schrägstrich (z. B. 1.14)."
        )
    elif building_id is not None and await run_in_threadpool(
        store.room_number_taken, db, building_id, number, room_id
    ):
        errors["number"] = _("Diese Raumnummer gibt es in dem Gebäude schon.")
    name = str(values.get("name", "")).strip()
    if len(name) > 100:
        errors["name"] = _("Der Name darf höchstens 100 Zeichen haben.")
    if model.check_services(values["services"], set(content.services(_instance(request)))):
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
    if errors:
        return _room_form(request, values, errors, room_id, 400)
    data = model.Room(
        number,
        tuple(dict.fromkeys(values["services"])),
        name,
        str(values.get("opening_hours", "")).strip(),
        tuple(dict.fromkeys(values["accessibility"])),
    )
    await run_in_threadpool(store.save_room, db, floor_id, data, room_id)
    return RedirectResponse("/leitsystem/?saved=1", status_code=303)


async def import_page(request: Request) -> Response:
    ctx: dict[str, Any] = {"errors": [], "filename": ""}
    if request.method == "GET":
        return render(request, "leitsystem/import.html", ctx)
    form = await request.form(max_fields=MAX_FORM_FIELDS, max_part_size=MAX_FORM_PART)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        ctx["errors"] = [_("Bitte wählen Sie eine Datei (TOML oder JSON).")]
        return render(request, "leitsystem/import.html", ctx, 400)
    data = await upload.read(MAX_UPLOAD + 1)
    ctx["filename"] = upload.filename
    if len(data) > MAX_UPLOAD:
        ctx["errors"] = [_("Die Datei ist größer als 2 MB.")]
        return render(request, "leitsystem/import.html", ctx, 400)
    try:
        sites = await run_in_threadpool(
            exchange.import_file, _instance(request), data, upload.filename
        )
    except UserError as exc:
        ctx["errors"] = [str(exc.args[0])] + [f"{p.key}: {p.reason}" for p in exc.problems]
        return render(request, "leitsystem/import.html", ctx, 400)
    rooms = sum(len(f.rooms) for s in sites for b in s.buildings for f in b.floors)
    return RedirectResponse(f"/leitsystem/?imported={rooms}", status_code=303)


def export_file(request: Request) -> Response:
    fmt = request.path_params["fmt"]
    if fmt not in ("toml", "json"):
        raise HTTPException(404)
    data = exchange.export(_instance(request), fmt)
    media = "application/json" if fmt == "json" else "application/toml"
    name = f"leitsystem-{_instance(request).slug}.{fmt}"
    return Response(
        data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


# -- signs ----------------------------------------------------------------------------


def _base_url(request: Request) -> str:
    configured = _instance(request).plugin_settings(NAME).base_url
    return configured or str(request.base_url).rstrip("/")


def _sign_set(request: Request, lang: str) -> list[Any]:
    from . import render as signs

    instance = _instance(request)
    theme = signs.theme_for(instance)
    return signs.signs(
        instance, store.load(instance.db, _site_names(request)), lang, theme, _base_url(request)
    )


def signs_page(request: Request) -> Response:
    from . import render as signs

    instance = _instance(request)
    langs = signs.sign_languages(instance)
    lang = request.query_params.get("sprache", langs[0] if langs else "de")
    if lang not in langs:
        lang = langs[0] if langs else "de"
    error = None
    found: list[Any] = []
    try:
        found = _sign_set(request, lang)
    except UserError as exc:
        error = str(exc)
    kinds = {
        "door": _("Türschilder"),
        "direction": _("Richtungsschilder"),
        "directory": _("Etagenübersichten"),
        "overview": _("Gebäudeübersichten"),
    }
    return render(
        request,
        "leitsystem/signs.html",
        {
            "signs": found,
            "lang": current_language(),
            "sign_lang": lang,
            "sign_langs": [(code, content.native(code)) for code in langs],
            "kinds": kinds,
            "error": error,
            "missing": content.missing_texts(instance, lang) if lang != "de" else [],
        },
    )


def sign_file(request: Request) -> Response:
    from . import render as signs

    lang, size, sign_id, fmt = (request.path_params[k] for k in ("lang", "size", "sign_id", "fmt"))
    if (
        lang not in content.SIGN_LANGUAGES
        or size not in signs.SIZES
        or fmt not in ("pdf", "svg", "png")
    ):
        raise HTTPException(404)
    try:
        found = [s for s in _sign_set(request, lang) if s.id == sign_id]
    except UserError as exc:
        raise HTTPException(409, str(exc)) from exc
    if not found:
        raise HTTPException(404)
    data = signs.render(found[0], size, fmt, ppi=48 if fmt == "png" else None)
    media = {"pdf": "application/pdf", "svg": "image/svg+xml", "png": "image/png"}[fmt]
    headers = {}
    if request.query_params.get("download"):
        headers["Content-Disposition"] = f'attachment; filename="{sign_id}-{lang}-{size}.{fmt}"'
    return Response(data, media_type=media, headers=headers)


# -- first information (public) -------------------------------------------------------


def _content_lang(request: Request) -> str:
    """The language of the texts: ``?lang=`` when the instance offers it, else the UI's."""
    asked = request.query_params.get("lang", "")
    offered = list(_instance(request).settings.languages)
    if asked == PLAIN_GERMAN or (asked in offered and asked in INFO_LANGUAGES):
        return asked
    lang = current_language()
    return lang if lang in INFO_LANGUAGES else "de"


def _info_languages(request: Request) -> list[tuple[str, str]]:
    offered = [c for c in _instance(request).settings.languages if c in INFO_LANGUAGES]
    return [(code, content.native(code)) for code in [*offered, PLAIN_GERMAN]]


def info_index(request: Request) -> Response:
    instance = _instance(request)
    lang = _content_lang(request)
    t = Texts(instance, lang)
    offered = {
        s
        for site in store.load(instance.db)
        for b in site.buildings
        for f in b.floors
        for r in f.rooms
        for s in r.services
    }
    items = [
        (sid, t.service(sid), t.info(sid, "summary"))
        for sid, svc in content.services(instance).items()
        if svc.info and sid in offered
    ]
    return render(
        request,
        "leitsystem/info_index.html",
        {
            "t": t,
            "items": items,
            "content_lang": lang,
            "info_langs": _info_languages(request),
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


def _partners(instance: Any, lang: str) -> list[Any] | None:
    """Public partners advising in ``lang``; ``None`` when the partner list is off."""
    if not instance.plugins.is_enabled("partner"):
        return None
    try:
        from willkommen_plugins.partner import store as partner_store

        code = "de" if lang == PLAIN_GERMAN else lang
        found = partner_store.search(
            instance.db, partner_store.Filters(language=code, public_only=True), search_notes=False
        )
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
    except Exception:  # the other module's failure must not take this page down
        log.exception("reading the partner list failed")
        return None


def info(request: Request) -> Response:
    instance = _instance(request)
    sid = request.path_params["service"]
    svc = content.services(instance).get(sid)
    if svc is None or not svc.info:
        raise HTTPException(404)
    lang = _content_lang(request)
    t = Texts(instance, lang)
    places = []
    for site in store.load(instance.db, _site_names(request)):
        for b in site.buildings:
            rooms = b.rooms()
            for f in b.floors:
                for r in f.rooms:
                    if sid not in r.services:
                        continue
                    routes = [
                        t.label(
                            "route_from",
                            origin=" · ".join(
                                str(t.service(s)) for s in rooms[w.origin][1].services
                            ),
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
    return render(
        request,
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
            "content_lang": lang,
            "info_langs": _info_languages(request),
            "lang": content.html_lang(lang),
            "dir": t.dir,
        },
    )


def routes(instance: Any) -> list[Page]:
    editors = tuple(instance.plugin_settings(NAME).editor_roles)
    # Leadership sees the building data and the signs (it approves the concept);
    # only the editors change them.
    readers = tuple(dict.fromkeys(("leitung", *editors)))
    return [
        Page("/", index, roles=readers),
        Page("/gebaeude", add_building, methods=("POST",), roles=editors),
        Page("/etage", add_floor, methods=("POST",), roles=editors),
        Page("/weg", add_route, methods=("POST",), roles=editors),
        Page("/raum/neu", room, methods=("GET", "POST"), roles=editors, name="room_new"),
        Page("/raum/{room_id:int}", room, methods=("GET", "POST"), roles=editors, name="room_edit"),
        Page("/loeschen/{kind}/{item_id:int}", delete, methods=("POST",), roles=editors),
        Page("/import", import_page, methods=("GET", "POST"), roles=editors),
        Page("/export.{fmt:str}", export_file, roles=readers),
        Page("/schilder", signs_page, roles=readers),
        Page("/schilder/{lang}/{size}/{sign_id}.{fmt}", sign_file, roles=readers),
        Page("/info/", info_index, public=True),
        Page("/info/{service}", info, public=True),
    ]
