"""Pages of targets and participation: personal data under pseudonyms, leitung/admin only
(with information and erasure for the person)."""

from __future__ import annotations

from starlette.responses import Response

from willkommen_core.i18n import gettext as _
from willkommen_core.sdk import PageRequest

from . import exports, store
from .model import validate_pseudonym
from .web_common import PERSONAL, labels, page, to, year, year_options

EXPORTS = {
    "csv": (exports.participation_csv, "text/csv; charset=utf-8"),
    "json": (exports.participation_json, "application/json"),
}


def _participation(
    p: PageRequest, errors: dict[str, str] | None = None, value: str = "", status: int = 200
) -> Response:
    shown = year(p)
    notice = None
    if p.query("geloescht"):
        notice = _("Das Pseudonym und alle zugehörigen Teilnahmedaten wurden gelöscht.")
    elif p.query("angelegt"):
        notice = _("Das Pseudonym wurde angelegt.")
    return p.render(
        "fortbildung/participation.html",
        {
            "year": shown,
            "year_options": year_options(p, shown),
            "people": store.staff_overview(p.db, shown),
            "targets": store.targets(p.db, shown, p.settings),
            "errors": errors or {},
            "value": value,
            "notice": notice,
            **labels(p),
        },
        status,
    )


@page("/teilnahme", roles=PERSONAL)
def participation(p: PageRequest) -> Response:
    return _participation(p)


@page("/teilnahme/neu", methods=("POST",), roles=PERSONAL)
def staff_add(p: PageRequest) -> Response:
    raw = p.value("pseudonym")
    pseudonym, error = validate_pseudonym(raw)
    if pseudonym is None:
        return _participation(p, {"pseudonym": error or ""}, raw, 400)
    if not store.add_staff(p.db, pseudonym):
        return _participation(p, {"pseudonym": _("Dieses Pseudonym gibt es schon.")}, raw, 409)
    return to(p, "participation", "angelegt=1")


def _pseudonym_or_404(p: PageRequest) -> str:
    pseudonym: str = p.param("pseudonym")
    if not store.staff_exists(p.db, pseudonym):
        p.not_found()
    return pseudonym


@page("/teilnahme/{pseudonym}", roles=PERSONAL)
def person(p: PageRequest) -> Response:
    pseudonym = _pseudonym_or_404(p)
    return p.render(
        "fortbildung/person.html",
        {
            "pseudonym": pseudonym,
            "rows": store.participation_of(p.db, pseudonym) or [],
            **labels(p),
        },
    )


@page("/teilnahme/{pseudonym}/export.{fmt}", roles=PERSONAL)
def person_export(p: PageRequest) -> Response:
    pseudonym = _pseudonym_or_404(p)
    fmt = p.param("fmt")
    if fmt not in EXPORTS:
        p.not_found()
    write, media = EXPORTS[fmt]
    body = write(pseudonym, store.participation_of(p.db, pseudonym) or [])
    p.audit("personal_data.exported", f"fortbildung/{pseudonym}", format=fmt)
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in pseudonym)
    # Not p.download: the header keeps its plain form (no filename*), as before.
    return Response(
        body,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="teilnahme-{safe}.{fmt}"',
            "Cache-Control": "no-store",
        },
    )


@page("/teilnahme/{pseudonym}/loeschen", methods=("GET", "POST"), roles=PERSONAL)
def person_delete(p: PageRequest) -> Response:
    pseudonym = _pseudonym_or_404(p)
    if p.method == "GET":
        return p.render("fortbildung/person_delete.html", {"pseudonym": pseudonym})
    store.delete_staff(p.db, pseudonym)
    p.audit("personal_data.deleted", f"fortbildung/{pseudonym}")
    return to(p, "participation", "geloescht=1")
