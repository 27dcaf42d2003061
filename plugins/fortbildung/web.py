"""Pages of the training module: catalogue, annual plan, participation, needs survey."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from willkommen_core.disclosure.participation import shown_count
from willkommen_core.domain import CORNERSTONES
from willkommen_core.i18n import current_language
from willkommen_core.i18n import gettext as _
from willkommen_core.i18n import lazy_gettext as _l
from willkommen_core.web.audit import arecord, record
from willkommen_core.web.routing import MAX_FORM_FIELDS, MAX_FORM_PART, Page
from willkommen_core.web.templating import render

from . import content, exports, store, survey
from .model import (
    CATEGORIES,
    FORMATS,
    SURVEY_FORMATS,
    Entry,
    validate_entry,
    validate_pseudonym,
    validate_session,
)

NAME = "fortbildung"
STAFF = ("leitung", "redaktion")
PERSONAL = ("leitung",)
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


def _instance(request: Request) -> Any:
    return request.app.state.instance


def _settings(request: Request) -> Any:
    return _instance(request).plugin_settings(NAME)


def _db(request: Request) -> Any:
    return _instance(request).db


def _can(request: Request, *roles: str) -> bool:
    user = request.state.user
    return user is not None and user.has_role(*roles)


def _editor_roles(request: Request) -> tuple[str, ...]:
    return tuple(_settings(request).editor_roles)


def _plan_roles(request: Request) -> tuple[str, ...]:
    return tuple(dict.fromkeys([*_settings(request).editor_roles, "leitung"]))


def _labels(request: Request) -> dict[str, Any]:
    """Titles for ids, in the current language, for every template."""
    lang = current_language()
    areas = content.load(_instance(request)).work_areas
    stones = {c.id: str(c.title) for c in CORNERSTONES}
    return {
        "categories": [(k, str(v)) for k, v in CATEGORIES.items()],
        "formats": [(k, str(v)) for k, v in FORMATS.items()],
        "category_title": lambda k: str(CATEGORIES.get(k, k)),
        "format_title": lambda k: str(FORMATS.get(k, k)),
        "area_title": lambda k: areas[k].title(lang) if k in areas else k,
        "work_areas": [(a.id, a.title(lang)) for a in areas.values()],
        "cornerstone_options": list(stones.items()),
        "cornerstone_title": lambda k: stones.get(k, k),
        "hours": _hours,
        "month_name": lambda m: str(MONTHS[m - 1]),
        "can_edit": _can(request, *_editor_roles(request)),
        "can_plan": _can(request, *_plan_roles(request)),
        "can_personal": _can(request, *PERSONAL),
        "public_schedule": _settings(request).public_schedule,
    }


def _hours(value: float) -> str:
    from babel.numbers import format_decimal

    return format_decimal(value, format="0.##", locale=current_language())


def _year(request: Request) -> int:
    raw = request.query_params.get("jahr", "")
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return date.today().year


async def _form(request: Request) -> Any:
    return await request.form(max_fields=MAX_FORM_FIELDS, max_part_size=MAX_FORM_PART)


def _str(form: Any, name: str) -> str:
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


def _list(form: Any, name: str) -> list[str]:
    return [v for v in form.getlist(name) if isinstance(v, str)]


# -- overview ------------------------------------------------------------------------


def index(request: Request) -> Response:
    instance = _instance(request)
    store.ensure_seeded(instance)
    year = _year(request)
    today = datetime.now().replace(second=0, microsecond=0)
    upcoming = store.list_sessions(instance.db, start=today)[:5]
    return render(
        request,
        "fortbildung/index.html",
        {
            "year": year,
            "targets": store.targets(instance.db, year, _settings(request)),
            "upcoming": upcoming,
            "entry_counts": store.counts_by_category(instance.db),
            "surveys": survey.list_all(instance.db)[:3],
            "participants": _participants(request),
            **_labels(request),
        },
    )


# -- catalogue -------------------------------------------------------------------------


def _partners(request: Request, found: list[Entry]) -> dict[int, store.PartnerRef | None]:
    index = store.partner_index(_instance(request))
    return {e.id: store.partner_for(e, index) for e in found}


def catalogue(request: Request) -> Response:
    instance = _instance(request)
    store.ensure_seeded(instance)
    category = request.query_params.get("kategorie", "")
    if category not in CATEGORIES:
        category = ""
    found = store.list_entries(instance.db, category=category)
    notice = None
    if request.query_params.get("geloescht"):
        notice = _("Der Eintrag wurde gelöscht.")
    return render(
        request,
        "fortbildung/catalogue.html",
        {
            "entries": found,
            "category": category,
            "partners": _partners(request, found),
            "notice": notice,
            **_labels(request),
        },
    )


def _entry_or_404(request: Request) -> Entry:
    entry = store.get_entry(_db(request), request.path_params["entry_id"])
    if entry is None:
        raise HTTPException(404)
    return entry


def entry_detail(request: Request) -> Response:
    entry = _entry_or_404(request)
    year = date.today().year
    sessions = [s for s in store.list_sessions(_db(request)) if s.entry_id == entry.id]
    notice = (
        _("Die Angaben wurden gespeichert.") if request.query_params.get("gespeichert") else None
    )
    return render(
        request,
        "fortbildung/entry.html",
        {
            "entry": entry,
            "partner": _partners(request, [entry])[entry.id],
            "sessions": sessions,
            "year": year,
            "notice": notice,
            **_labels(request),
        },
    )


ENTRY_FIELDS = (
    "key",
    "title",
    "category",
    "format",
    "duration_hours",
    "provider",
    "partner_id",
    "languages",
    "description",
)


def _entry_values(entry: Entry) -> dict[str, Any]:
    return {
        "key": entry.key,
        "title": entry.title,
        "category": entry.category,
        "format": entry.format,
        "duration_hours": _hours(entry.duration_hours),
        "provider": entry.provider,
        "partner_id": "" if entry.partner_id is None else str(entry.partner_id),
        "languages": ", ".join(entry.languages),
        "target_groups": entry.target_groups,
        "cornerstones": entry.cornerstones,
        "description": entry.description,
        "active": "1" if entry.active else "",
    }


def _render_entry_form(
    request: Request,
    values: dict[str, Any],
    errors: dict[str, str],
    entry: Entry | None,
    status_code: int = 200,
) -> Response:
    index = store.partner_index(_instance(request))
    partner_options = (
        sorted(((str(pid), name) for pid, name in index.items()), key=lambda kv: kv[1].lower())
        if index is not None
        else None
    )
    return render(
        request,
        "fortbildung/entry_form.html",
        {
            "values": values,
            "errors": errors,
            "entry": entry,
            "partner_options": partner_options,
            **_labels(request),
        },
        status_code,
    )


def _check_partner(request: Request, values: dict[str, Any], errors: dict[str, str]) -> None:
    pid = values.get("partner_id", "")
    if not pid:
        return
    index = store.partner_index(_instance(request)) or {}
    if not pid.isdigit() or int(pid) not in index:
        errors["partner_id"] = _("Diesen Partner gibt es nicht (mehr) in der Partnerliste.")


async def _entry_submitted(request: Request) -> dict[str, Any]:
    form = await _form(request)
    values: dict[str, Any] = {name: _str(form, name) for name in ENTRY_FIELDS}
    values["target_groups"] = _list(form, "target_groups")
    values["cornerstones"] = _list(form, "cornerstones")
    values["active"] = "1" if _str(form, "active") else ""
    if store.partner_index(_instance(request)) is None:
        values["partner_id"] = ""  # no partner list: a stale id from the form means nothing
    return values


def _save_entry(
    request: Request, values: dict[str, Any], entry: Entry | None
) -> tuple[int | None, dict[str, str]]:
    areas = content.load(_instance(request)).work_areas
    data, errors = validate_entry(values, areas)
    _check_partner(request, values, errors)
    if data is None or errors:
        return None, errors
    try:
        if entry is None:
            return store.create_entry(_db(request), data), {}
        if not store.save_entry(_db(request), entry.id, data):
            raise HTTPException(404)
        return entry.id, {}
    except store.DuplicateKey:
        return None, {"key": _("Diese Kennung ist schon vergeben.")}


async def entry_create(request: Request) -> Response:
    await run_in_threadpool(store.ensure_seeded, _instance(request))
    if request.method == "GET":
        values = {name: "" for name in ENTRY_FIELDS} | {
            "category": "fachlich",
            "format": "intern",
            "languages": "de",
            "target_groups": [],
            "cornerstones": ["kompetenzen"],
            "active": "1",
        }
        return _render_entry_form(request, values, {}, None)
    values = await _entry_submitted(request)
    eid, errors = await run_in_threadpool(_save_entry, request, values, None)
    if eid is None:
        return _render_entry_form(request, values, errors, None, 400)
    return RedirectResponse(f"/fortbildung/katalog/{eid}?gespeichert=1", status_code=303)


async def entry_edit(request: Request) -> Response:
    entry = await run_in_threadpool(_entry_or_404, request)
    if request.method == "GET":
        return _render_entry_form(request, _entry_values(entry), {}, entry)
    values = await _entry_submitted(request)
    eid, errors = await run_in_threadpool(_save_entry, request, values, entry)
    if eid is None:
        return _render_entry_form(request, values, errors, entry, 400)
    return RedirectResponse(f"/fortbildung/katalog/{eid}?gespeichert=1", status_code=303)


async def entry_delete(request: Request) -> Response:
    entry = await run_in_threadpool(_entry_or_404, request)
    used = await run_in_threadpool(store.entry_session_count, _db(request), entry.id)
    if request.method == "GET":
        return render(request, "fortbildung/entry_delete.html", {"entry": entry, "used": used})
    result = await run_in_threadpool(store.delete_entry, _db(request), entry.id)
    if result == "in_use":
        return render(request, "fortbildung/entry_delete.html", {"entry": entry, "used": used}, 409)
    return RedirectResponse("/fortbildung/katalog?geloescht=1", status_code=303)


def catalogue_csv(request: Request) -> Response:
    store.ensure_seeded(_instance(request))
    found = store.list_entries(_db(request))
    return Response(
        exports.catalogue_csv(found, _partners(request, found)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="fortbildung-katalog.csv"'},
    )


# -- annual plan ------------------------------------------------------------------------


def plan(request: Request) -> Response:
    instance = _instance(request)
    store.ensure_seeded(instance)
    year = _year(request)
    years = sorted({*store.years(instance.db), date.today().year, year})
    notice = None
    if request.query_params.get("geloescht"):
        notice = _("Der Termin wurde gelöscht.")
    return render(
        request,
        "fortbildung/plan.html",
        {
            "year": year,
            "year_options": [(str(y), str(y)) for y in years],
            "sessions": store.list_sessions(instance.db, year=year),
            "targets": store.targets(instance.db, year, _settings(request)),
            "notice": notice,
            **_labels(request),
        },
    )


def _session_or_404(request: Request) -> store.Session:
    found = store.get_session(_db(request), request.path_params["session_id"])
    if found is None:
        raise HTTPException(404)
    return found


def _notice(request: Request) -> str | None:
    q = request.query_params
    messages = {
        "gespeichert": _("Die Angaben wurden gespeichert."),
        "angemeldet": _("Die Anmeldung wurde gespeichert."),
        "abgemeldet": _("Die Anmeldung wurde entfernt."),
        "teilnahme": _("Die Teilnahme wurde gespeichert."),
    }
    for key, text in messages.items():
        if q.get(key):
            return text
    return None


def session_detail(
    request: Request,
    *,
    errors: dict[str, str] | None = None,
    pseudonym: str = "",
    status_code: int = 200,
) -> Response:
    found = _session_or_404(request)
    personal = _can(request, *PERSONAL)
    return render(
        request,
        "fortbildung/session.html",
        {
            "s": found,
            "registrations": store.session_registrations(_db(request), found.id)
            if personal
            else [],
            "errors": errors or {},
            "pseudonym": pseudonym,
            "notice": _notice(request),
            **_labels(request),
        },
        status_code,
    )


def _session_values(found: store.Session) -> dict[str, str]:
    return {
        "entry_id": str(found.entry_id),
        "title": found.title,
        "day": found.starts_at.date().isoformat(),
        "start": found.starts_at.strftime("%H:%M"),
        "end": found.ends_at.strftime("%H:%M"),
        "location": found.location,
        "capacity": "" if found.capacity is None else str(found.capacity),
        "notes": found.notes,
    }


SESSION_FIELDS = ("entry_id", "title", "day", "start", "end", "location", "capacity", "notes")


def _render_session_form(
    request: Request,
    values: dict[str, str],
    errors: dict[str, str],
    found: store.Session | None,
    status_code: int = 200,
) -> Response:
    entries = store.list_entries(_db(request), active_only=True)
    if found is not None and all(e.id != found.entry_id for e in entries):
        current = store.get_entry(_db(request), found.entry_id)
        if current is not None:
            entries.append(current)
    return render(
        request,
        "fortbildung/session_form.html",
        {
            "values": values,
            "errors": errors,
            "s": found,
            "entry_options": [(str(e.id), e.title) for e in entries],
            **_labels(request),
        },
        status_code,
    )


def _validate_session(request: Request, values: dict[str, str]) -> Any:
    ids = {e.id for e in store.list_entries(_db(request))}
    return validate_session(values, ids)


async def session_create(request: Request) -> Response:
    await run_in_threadpool(store.ensure_seeded, _instance(request))
    if request.method == "GET":
        values = {name: "" for name in SESSION_FIELDS} | {
            "entry_id": request.query_params.get("eintrag", "")[:10],
            "start": "09:00",
            "end": "11:00",
        }
        return await run_in_threadpool(_render_session_form, request, values, {}, None)
    form = await _form(request)
    values = {name: _str(form, name) for name in SESSION_FIELDS}
    data, errors = await run_in_threadpool(_validate_session, request, values)
    if data is None:
        return await run_in_threadpool(_render_session_form, request, values, errors, None, 400)
    sid = await run_in_threadpool(store.create_session, _db(request), data)
    return RedirectResponse(f"/fortbildung/plan/{sid}?gespeichert=1", status_code=303)


async def session_edit(request: Request) -> Response:
    found = await run_in_threadpool(_session_or_404, request)
    if request.method == "GET":
        return await run_in_threadpool(
            _render_session_form, request, _session_values(found), {}, found
        )
    form = await _form(request)
    values = {name: _str(form, name) for name in SESSION_FIELDS}
    data, errors = await run_in_threadpool(_validate_session, request, values)
    if data is None:
        return await run_in_threadpool(_render_session_form, request, values, errors, found, 400)
    if data.capacity is not None and data.capacity < found.registered:
        errors = {
            "capacity": _(
                "Es sind schon %(n)s Personen angemeldet; die Zahl der Plätze darf nicht kleiner sein.",
                n=found.registered,
            )
        }
        return await run_in_threadpool(_render_session_form, request, values, errors, found, 400)
    await run_in_threadpool(store.save_session, _db(request), found.id, data)
    return RedirectResponse(f"/fortbildung/plan/{found.id}?gespeichert=1", status_code=303)


async def session_delete(request: Request) -> Response:
    found = await run_in_threadpool(_session_or_404, request)
    if request.method == "GET":
        return render(request, "fortbildung/session_delete.html", {"s": found, **_labels(request)})
    await run_in_threadpool(store.delete_session, _db(request), found.id)
    return RedirectResponse(
        f"/fortbildung/plan?jahr={found.starts_at.year}&geloescht=1", status_code=303
    )


async def session_register(request: Request) -> Response:
    found = await run_in_threadpool(_session_or_404, request)
    form = await _form(request)
    raw = _str(form, "pseudonym")
    pseudonym, error = validate_pseudonym(raw)
    if pseudonym is None:
        return await run_in_threadpool(
            lambda: session_detail(
                request, errors={"pseudonym": error or ""}, pseudonym=raw, status_code=400
            )
        )
    result = await run_in_threadpool(
        store.register, _db(request), found.id, pseudonym, attended=bool(_str(form, "attended"))
    )
    if result != "ok":
        message = {
            "full": _("Alle Plätze sind belegt: %(n)s von %(n)s.", n=found.capacity or 0),
            "duplicate": _("%(p)s ist für diesen Termin schon angemeldet.", p=pseudonym),
            "missing": _("Diesen Termin gibt es nicht mehr."),
        }[result]
        return await run_in_threadpool(
            lambda: session_detail(
                request, errors={"pseudonym": message}, pseudonym=raw, status_code=409
            )
        )
    return RedirectResponse(f"/fortbildung/plan/{found.id}?angemeldet=1", status_code=303)


async def session_attendance(request: Request) -> Response:
    found = await run_in_threadpool(_session_or_404, request)
    form = await _form(request)
    ids = {int(v) for v in _list(form, "attended") if v.isdigit()}
    await run_in_threadpool(store.set_attended, _db(request), found.id, ids)
    return RedirectResponse(f"/fortbildung/plan/{found.id}?teilnahme=1", status_code=303)


async def session_unregister(request: Request) -> Response:
    found = await run_in_threadpool(_session_or_404, request)
    form = await _form(request)
    rid = _str(form, "registration")
    if rid.isdigit():
        await run_in_threadpool(store.unregister, _db(request), found.id, int(rid))
    return RedirectResponse(f"/fortbildung/plan/{found.id}?abgemeldet=1", status_code=303)


def plan_csv(request: Request) -> Response:
    year = _year(request)
    return Response(
        exports.plan_csv(store.list_sessions(_db(request), year=year)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="fortbildung-plan-{year}.csv"'},
    )


def _ics(request: Request, found: list[store.Session], filename: str) -> Response:
    instance = _instance(request)
    body = exports.calendar(
        found,
        name=_("Fortbildungen – %(authority)s", authority=instance.settings.authority.name),
        domain=f"{instance.slug}.willkommen",
    )
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def plan_ics(request: Request) -> Response:
    year = _year(request)
    return _ics(request, store.list_sessions(_db(request), year=year), f"fortbildung-{year}.ics")


# -- public "what is on" -----------------------------------------------------------------


def _upcoming(request: Request) -> list[store.Session]:
    start = datetime.combine(date.today(), datetime.min.time())
    return store.list_sessions(_db(request), start=start)


def schedule(request: Request) -> Response:
    """For staff without an account: dates, places free. Never who registered."""
    return render(
        request,
        "fortbildung/schedule.html",
        {"sessions": _upcoming(request), **_labels(request)},
    )


def schedule_ics(request: Request) -> Response:
    return _ics(request, _upcoming(request), "fortbildung-termine.ics")


# -- targets and participation (personal data: leitung/admin only) ----------------------------


def participation(
    request: Request,
    *,
    errors: dict[str, str] | None = None,
    value: str = "",
    status_code: int = 200,
) -> Response:
    year = _year(request)
    notice = None
    if request.query_params.get("geloescht"):
        notice = _("Das Pseudonym und alle zugehörigen Teilnahmedaten wurden gelöscht.")
    elif request.query_params.get("angelegt"):
        notice = _("Das Pseudonym wurde angelegt.")
    return render(
        request,
        "fortbildung/participation.html",
        {
            "year": year,
            "year_options": [
                (str(y), str(y))
                for y in sorted({*store.years(_db(request)), date.today().year, year})
            ],
            "people": store.staff_overview(_db(request), year),
            "targets": store.targets(_db(request), year, _settings(request)),
            "errors": errors or {},
            "value": value,
            "notice": notice,
            **_labels(request),
        },
        status_code,
    )


async def staff_add(request: Request) -> Response:
    form = await _form(request)
    raw = _str(form, "pseudonym")
    pseudonym, error = validate_pseudonym(raw)
    if pseudonym is None:
        return await run_in_threadpool(
            lambda: participation(
                request, errors={"pseudonym": error or ""}, value=raw, status_code=400
            )
        )
    if not await run_in_threadpool(store.add_staff, _db(request), pseudonym):
        return await run_in_threadpool(
            lambda: participation(
                request,
                errors={"pseudonym": _("Dieses Pseudonym gibt es schon.")},
                value=raw,
                status_code=409,
            )
        )
    return RedirectResponse("/fortbildung/teilnahme?angelegt=1", status_code=303)


def _pseudonym_or_404(request: Request) -> str:
    pseudonym = request.path_params["pseudonym"]
    if not store.staff_exists(_db(request), pseudonym):
        raise HTTPException(404)
    return pseudonym


def person(request: Request) -> Response:
    pseudonym = _pseudonym_or_404(request)
    return render(
        request,
        "fortbildung/person.html",
        {
            "pseudonym": pseudonym,
            "rows": store.participation_of(_db(request), pseudonym) or [],
            **_labels(request),
        },
    )


def person_export(request: Request) -> Response:
    pseudonym = _pseudonym_or_404(request)
    rows = store.participation_of(_db(request), pseudonym) or []
    fmt = request.path_params["fmt"]
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in pseudonym)
    if fmt == "csv":
        body, media = exports.participation_csv(pseudonym, rows), "text/csv; charset=utf-8"
    elif fmt == "json":
        body, media = exports.participation_json(pseudonym, rows), "application/json"
    else:
        raise HTTPException(404)
    record(request, "personal_data.exported", f"fortbildung/{pseudonym}", format=fmt)
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="teilnahme-{safe}.{fmt}"'},
    )


async def person_delete(request: Request) -> Response:
    pseudonym = await run_in_threadpool(_pseudonym_or_404, request)
    if request.method == "GET":
        return render(request, "fortbildung/person_delete.html", {"pseudonym": pseudonym})
    await run_in_threadpool(store.delete_staff, _db(request), pseudonym)
    await arecord(request, "personal_data.deleted", f"fortbildung/{pseudonym}")
    return RedirectResponse("/fortbildung/teilnahme?geloescht=1", status_code=303)


# -- needs survey -------------------------------------------------------------------------


def surveys(
    request: Request,
    *,
    errors: dict[str, str] | None = None,
    title: str = "",
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "fortbildung/surveys.html",
        {
            "surveys": survey.list_all(_db(request)),
            "participants": _participants(request),
            "errors": errors or {},
            "title_value": title,
            "base_url": str(request.base_url).rstrip("/"),
            "min_group": _instance(request).settings.privacy.min_group_size,
            **_labels(request),
        },
        status_code,
    )


async def survey_create(request: Request) -> Response:
    form = await _form(request)
    title = _str(form, "title").strip()
    error = None
    if not title:
        error = _("Bitte geben Sie einen Titel an, z. B. »Bedarfsermittlung 2025«.")
    elif len(title) > 200:
        error = _("Höchstens %(n)s Zeichen.", n=200)
    if error:
        return await run_in_threadpool(
            lambda: surveys(request, errors={"title": error}, title=title, status_code=400)
        )
    found = await run_in_threadpool(survey.create, _db(request), title)
    return RedirectResponse(f"/fortbildung/umfragen/{found.id}", status_code=303)


def _survey_or_404(request: Request) -> survey.Survey:
    found = survey.get(_db(request), request.path_params["survey_id"])
    if found is None:
        raise HTTPException(404)
    return found


def _participants(request: Request) -> Callable[[survey.Survey], str]:
    """How many answered a survey, as pages may say it: in bands while it is open."""
    db, k = _db(request), _instance(request).settings.privacy.min_group_size
    return lambda sv: shown_count(survey.participants(db, sv.id), k, closed=not sv.open)


def survey_results(request: Request) -> Response:
    instance = _instance(request)
    found = _survey_or_404(request)
    k = instance.settings.privacy.min_group_size
    entries = {e.key: e.title for e in store.list_entries(instance.db)}
    # Results only once closed: two looks at a running survey would show one answer.
    return render(
        request,
        "fortbildung/survey_results.html",
        {
            "survey": found,
            "participants": _participants(request)(found),
            "results": None if found.open else survey.results(instance.db, found.id, k),
            "min_group_size": k,
            "topic_title": lambda key: entries.get(key, key),
            "survey_format_title": lambda key: str(SURVEY_FORMATS.get(key, key)),
            "link": str(request.base_url).rstrip("/") + found.path,
            **_labels(request),
        },
    )


async def survey_status(request: Request) -> Response:
    found = await run_in_threadpool(_survey_or_404, request)
    form = await _form(request)
    opened = _str(form, "open") == "1"
    await run_in_threadpool(survey.set_open, _db(request), found.id, opened)
    if opened != found.open:
        event = "round.opened" if opened else "round.closed"
        await arecord(request, event, f"fortbildung/umfrage/{found.id}")
    return RedirectResponse(f"/fortbildung/umfragen/{found.id}", status_code=303)


def _survey_by_code_or_404(request: Request) -> survey.Survey:
    found = survey.by_code(_db(request), request.path_params["code"])
    if found is None:
        raise HTTPException(404)
    return found


def _survey_topics(request: Request) -> list[tuple[str, list[Entry]]]:
    store.ensure_seeded(_instance(request))
    active = store.list_entries(_db(request), active_only=True)
    return [
        (k, [e for e in active if e.category == k])
        for k in CATEGORIES
        if any(e.category == k for e in active)
    ]


def _render_survey(
    request: Request,
    found: survey.Survey,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "fortbildung/survey_form.html",
        {
            "survey": found,
            "groups": _survey_topics(request),
            "survey_formats": [(k, str(v)) for k, v in SURVEY_FORMATS.items()],
            "values": values,
            "errors": errors,
            "min_group": _instance(request).settings.privacy.min_group_size,
            **_labels(request),
        },
        status_code,
    )


async def survey_answer(request: Request) -> Response:
    """The public participation page: no account, nothing that identifies the person."""
    found = await run_in_threadpool(_survey_by_code_or_404, request)
    if not found.open:
        return render(request, "fortbildung/survey_closed.html", {"survey": found}, 410)
    empty = {"topics": [], "formats": [], "work_area": ""}
    if request.method == "GET":
        if request.query_params.get("danke"):
            return render(request, "fortbildung/survey_thanks.html", {"survey": found})
        return await run_in_threadpool(_render_survey, request, found, empty, {})
    form = await _form(request)
    values = {
        "topics": _list(form, "topics"),
        "formats": _list(form, "formats"),
        "work_area": _str(form, "work_area"),
    }
    errors: dict[str, str] = {}
    keys = {
        e.key for e in await run_in_threadpool(store.list_entries, _db(request), active_only=True)
    }
    if any(t not in keys for t in values["topics"]):
        errors["topics"] = _("Ein gewähltes Thema gibt es nicht (mehr). Bitte wählen Sie erneut.")
    if any(f not in SURVEY_FORMATS for f in values["formats"]):
        errors["formats"] = _("Ein gewähltes Format gibt es nicht.")
    areas = content.load(_instance(request)).work_areas
    if values["work_area"] and values["work_area"] not in areas:
        errors["work_area"] = _("Diesen Arbeitsbereich gibt es nicht.")
    if not values["topics"] and not values["formats"] and not errors:
        errors["topics"] = _("Bitte wählen Sie mindestens ein Thema oder ein Format.")
    if errors:
        return await run_in_threadpool(_render_survey, request, found, values, errors, 400)
    await run_in_threadpool(
        lambda: survey.submit(
            _db(request),
            found.id,
            work_area=values["work_area"],
            topics=values["topics"],
            formats=values["formats"],
        )
    )
    return RedirectResponse(f"{found.path}?danke=1", status_code=303)


def routes(instance: Any) -> list[Page]:
    settings = instance.plugin_settings(NAME)
    editors = tuple(settings.editor_roles)
    planners = tuple(dict.fromkeys([*settings.editor_roles, "leitung"]))
    pages = [
        Page("/", index, roles=STAFF, name="fortbildung-index"),
        Page("/katalog", catalogue, roles=STAFF, name="fortbildung-catalogue"),
        Page("/katalog.csv", catalogue_csv, roles=STAFF, name="fortbildung-catalogue-csv"),
        Page(
            "/katalog/neu",
            entry_create,
            methods=("GET", "POST"),
            roles=editors,
            name="fortbildung-entry-create",
        ),
        Page("/katalog/{entry_id:int}", entry_detail, roles=STAFF, name="fortbildung-entry"),
        Page(
            "/katalog/{entry_id:int}/bearbeiten",
            entry_edit,
            methods=("GET", "POST"),
            roles=editors,
            name="fortbildung-entry-edit",
        ),
        Page(
            "/katalog/{entry_id:int}/loeschen",
            entry_delete,
            methods=("GET", "POST"),
            roles=editors,
            name="fortbildung-entry-delete",
        ),
        Page("/plan", plan, roles=STAFF, name="fortbildung-plan"),
        Page("/plan.csv", plan_csv, roles=STAFF, name="fortbildung-plan-csv"),
        Page("/plan.ics", plan_ics, roles=STAFF, name="fortbildung-plan-ics"),
        Page(
            "/plan/neu",
            session_create,
            methods=("GET", "POST"),
            roles=planners,
            name="fortbildung-session-create",
        ),
        Page("/plan/{session_id:int}", session_detail, roles=STAFF, name="fortbildung-session"),
        Page(
            "/plan/{session_id:int}/bearbeiten",
            session_edit,
            methods=("GET", "POST"),
            roles=planners,
            name="fortbildung-session-edit",
        ),
        Page(
            "/plan/{session_id:int}/loeschen",
            session_delete,
            methods=("GET", "POST"),
            roles=planners,
            name="fortbildung-session-delete",
        ),
        Page(
            "/plan/{session_id:int}/anmelden",
            session_register,
            methods=("POST",),
            roles=PERSONAL,
            name="fortbildung-session-register",
        ),
        Page(
            "/plan/{session_id:int}/teilnahme",
            session_attendance,
            methods=("POST",),
            roles=PERSONAL,
            name="fortbildung-session-attendance",
        ),
        Page(
            "/plan/{session_id:int}/abmelden",
            session_unregister,
            methods=("POST",),
            roles=PERSONAL,
            name="fortbildung-session-unregister",
        ),
        Page("/teilnahme", participation, roles=PERSONAL, name="fortbildung-participation"),
        Page(
            "/teilnahme/neu",
            staff_add,
            methods=("POST",),
            roles=PERSONAL,
            name="fortbildung-staff-add",
        ),
        Page("/teilnahme/{pseudonym}", person, roles=PERSONAL, name="fortbildung-person"),
        Page(
            "/teilnahme/{pseudonym}/export.{fmt}",
            person_export,
            roles=PERSONAL,
            name="fortbildung-person-export",
        ),
        Page(
            "/teilnahme/{pseudonym}/loeschen",
            person_delete,
            methods=("GET", "POST"),
            roles=PERSONAL,
            name="fortbildung-person-delete",
        ),
        Page("/umfragen", surveys, roles=STAFF, name="fortbildung-surveys"),
        Page(
            "/umfragen/neu",
            survey_create,
            methods=("POST",),
            roles=PERSONAL,
            name="fortbildung-survey-create",
        ),
        Page("/umfragen/{survey_id:int}", survey_results, roles=STAFF, name="fortbildung-survey"),
        Page(
            "/umfragen/{survey_id:int}/status",
            survey_status,
            methods=("POST",),
            roles=PERSONAL,
            name="fortbildung-survey-status",
        ),
        Page(
            "/umfrage/{code}",
            survey_answer,
            methods=("GET", "POST"),
            public=True,
            name="fortbildung-survey-answer",
        ),
    ]
    if settings.public_schedule:
        pages.append(Page("/termine", schedule, public=True, name="fortbildung-schedule"))
        pages.append(
            Page("/termine.ics", schedule_ics, public=True, name="fortbildung-schedule-ics")
        )
    return pages
