"""Pages of the training catalogue: list, entry, create/edit/delete, CSV export."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from willkommen_core.i18n import gettext as _
from willkommen_core.sdk import PageRequest

from . import content, exports, store
from .model import CATEGORIES, Entry, validate_entry
from .web_common import EDITORS, STAFF, hours, labels, page, partners, to

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


@page("/katalog", roles=STAFF)
def catalogue(p: PageRequest) -> Response:
    category = p.query("kategorie")
    if category not in CATEGORIES:
        category = ""
    found = store.list_entries(p.db, category=category)
    return p.render(
        "fortbildung/catalogue.html",
        {
            "entries": found,
            "category": category,
            "partners": partners(p, found),
            "notice": _("Der Eintrag wurde gelöscht.") if p.query("geloescht") else None,
            **labels(p),
        },
    )


@page("/katalog.csv", roles=STAFF)
def catalogue_csv(p: PageRequest) -> Response:
    found = store.list_entries(p.db)
    body = exports.catalogue_csv(found, partners(p, found))
    return p.download(body, "fortbildung-katalog.csv", "text/csv; charset=utf-8")


def _entry_or_404(p: PageRequest) -> Entry:
    entry = store.get_entry(p.db, p.param("entry_id"))
    if entry is None:
        p.not_found()
    return entry


@page("/katalog/{entry_id:int}", roles=STAFF)
def entry(p: PageRequest) -> Response:
    found = _entry_or_404(p)
    sessions = [s for s in store.list_sessions(p.db) if s.entry_id == found.id]
    return p.render(
        "fortbildung/entry.html",
        {
            "entry": found,
            "partner": partners(p, [found])[found.id],
            "sessions": sessions,
            "notice": _("Die Angaben wurden gespeichert.") if p.query("gespeichert") else None,
            **labels(p),
        },
    )


def _entry_values(entry: Entry) -> dict[str, Any]:
    return {
        "key": entry.key,
        "title": entry.title,
        "category": entry.category,
        "format": entry.format,
        "duration_hours": hours(entry.duration_hours),
        "provider": entry.provider,
        "partner_id": "" if entry.partner_id is None else str(entry.partner_id),
        "languages": ", ".join(entry.languages),
        "target_groups": entry.target_groups,
        "cornerstones": entry.cornerstones,
        "description": entry.description,
        "active": "1" if entry.active else "",
    }


def _entry_form(
    p: PageRequest,
    values: dict[str, Any],
    errors: dict[str, str],
    entry: Entry | None,
    status: int = 200,
) -> Response:
    index = store.partner_index(p.instance)
    partner_options = (
        sorted(((str(pid), name) for pid, name in index.items()), key=lambda kv: kv[1].lower())
        if index is not None
        else None
    )
    return p.render(
        "fortbildung/entry_form.html",
        {
            "values": values,
            "errors": errors,
            "entry": entry,
            "partner_options": partner_options,
            **labels(p),
        },
        status,
    )


def _submitted(p: PageRequest) -> dict[str, Any]:
    values: dict[str, Any] = {name: p.value(name) for name in ENTRY_FIELDS}
    values["target_groups"] = p.values("target_groups")
    values["cornerstones"] = p.values("cornerstones")
    values["active"] = "1" if p.value("active") else ""
    if store.partner_index(p.instance) is None:
        values["partner_id"] = ""  # no partner list: a stale id from the form means nothing
    return values


def _check_partner(p: PageRequest, values: dict[str, Any], errors: dict[str, str]) -> None:
    pid = values.get("partner_id", "")
    if not pid:
        return
    index = store.partner_index(p.instance) or {}
    if not pid.isdecimal() or int(pid) not in index:
        errors["partner_id"] = _("Diesen Partner gibt es nicht (mehr) in der Partnerliste.")


def _save(
    p: PageRequest, values: dict[str, Any], entry: Entry | None
) -> tuple[int | None, dict[str, str]]:
    data, errors = validate_entry(values, content.load(p.instance).work_areas)
    _check_partner(p, values, errors)
    if data is None or errors:
        return None, errors
    try:
        if entry is None:
            return store.create_entry(p.db, data), {}
        if not store.save_entry(p.db, entry.id, data):
            p.not_found()
        return entry.id, {}
    except store.DuplicateKey:
        return None, {"key": _("Diese Kennung ist schon vergeben.")}


def _save_and_show(p: PageRequest, entry: Entry | None) -> Response:
    values = _submitted(p)
    eid, errors = _save(p, values, entry)
    if eid is None:
        return _entry_form(p, values, errors, entry, 400)
    return to(p, "entry", "gespeichert=1", entry_id=eid)


@page("/katalog/neu", methods=("GET", "POST"), roles=EDITORS)
def entry_create(p: PageRequest) -> Response:
    if p.method == "GET":
        values = {name: "" for name in ENTRY_FIELDS} | {
            "category": "fachlich",
            "format": "intern",
            "languages": "de",
            "target_groups": [],
            "cornerstones": ["kompetenzen"],
            "active": "1",
        }
        return _entry_form(p, values, {}, None)
    return _save_and_show(p, None)


@page("/katalog/{entry_id:int}/bearbeiten", methods=("GET", "POST"), roles=EDITORS)
def entry_edit(p: PageRequest) -> Response:
    found = _entry_or_404(p)
    if p.method == "GET":
        return _entry_form(p, _entry_values(found), {}, found)
    return _save_and_show(p, found)


@page("/katalog/{entry_id:int}/loeschen", methods=("GET", "POST"), roles=EDITORS)
def entry_delete(p: PageRequest) -> Response:
    found = _entry_or_404(p)
    context = {"entry": found, "used": store.entry_session_count(p.db, found.id)}
    if p.method == "GET":
        return p.render("fortbildung/entry_delete.html", context)
    if store.delete_entry(p.db, found.id) == "in_use":
        return p.render("fortbildung/entry_delete.html", context, 409)
    return to(p, "catalogue", "geloescht=1")
