"""Pages of the partner list: internal list and editing (staff), public help page."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from willkommen_core.i18n import current_language
from willkommen_core.i18n import gettext as _
from willkommen_core.web.routing import MAX_FORM_FIELDS, MAX_FORM_PART, Page
from willkommen_core.web.templating import render

from . import categories as cats
from . import exchange, store
from .model import FIELDS, STATUSES, Partner, PartnerData, form_values, language_name, validate

NAME = "partner"


def _instance(request: Request) -> Any:
    return request.app.state.instance


def _settings(request: Request) -> Any:
    return _instance(request).plugin_settings(NAME)


def _categories(request: Request) -> dict[str, cats.Category]:
    return cats.load(_instance(request))


def _options(request: Request) -> dict[str, Any]:
    """Choices for selects, titles in the current language."""
    lang = current_language()
    categories = _categories(request)
    return {
        "category_options": [(c.id, c.title(lang)) for c in categories.values()],
        "status_options": [(k, str(v)) for k, v in STATUSES.items()],
        "category_title": lambda cid: categories[cid].title(lang) if cid in categories else cid,
        "status_title": lambda s: str(STATUSES.get(s, s)),
        "language_name": lambda code: language_name(code, lang),
        "native_name": lambda code: language_name(code, code),
    }


def _language_options(counts: dict[str, int]) -> list[tuple[str, str]]:
    lang = current_language()
    names = {code: language_name(code, lang) for code in counts}
    return sorted(names.items(), key=lambda kv: kv[1].lower())


def _partner_or_404(request: Request) -> Partner:
    partner = store.get(_instance(request).db, request.path_params["partner_id"])
    if partner is None:
        raise HTTPException(404)
    return partner


def _filters(request: Request) -> store.Filters:
    q = request.query_params
    stale_before = None
    if q.get("stale"):
        stale_before = store.subtract_months(date.today(), _settings(request).stale_contact_months)
    return store.Filters(
        q=q.get("q", "")[:200],
        category=q.get("category", ""),
        language=q.get("language", "")[:12],
        status=q.get("status", ""),
        stale_before=stale_before,
    )


# -- internal pages ---------------------------------------------------------------


def index(request: Request) -> Response:
    db = _instance(request).db
    f = _filters(request)
    found = store.search(db, f)
    query = {
        k: v
        for k, v in request.query_params.items()
        if k in ("q", "category", "language", "status", "stale") and v
    }
    return render(
        request,
        "partner/list.html",
        {
            "partners": found,
            "filters": f,
            "stale": bool(request.query_params.get("stale")),
            "total": store.count(db),
            "language_options": _language_options(store.language_counts(db)),
            "export_query": ("?" + urlencode(query)) if query else "",
            "notice": _notice(request),
            "months": _settings(request).stale_contact_months,
            **_options(request),
        },
    )


def _notice(request: Request) -> str | None:
    q = request.query_params
    if q.get("deleted"):
        return _("Der Partner wurde gelöscht.")
    if q.get("imported") is not None and q.get("updated") is not None:
        return _(
            "Import abgeschlossen: %(created)s neu angelegt, %(updated)s aktualisiert.",
            created=q.get("imported", "0")[:6],
            updated=q.get("updated", "0")[:6],
        )
    if q.get("saved"):
        return _("Die Angaben wurden gespeichert.")
    return None


def detail(request: Request) -> Response:
    partner = _partner_or_404(request)
    return render(
        request,
        "partner/detail.html",
        {"partner": partner, "notice": _notice(request), **_options(request)},
    )


def _render_form(
    request: Request,
    values: dict[str, str],
    errors: dict[str, str],
    partner: Partner | None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "partner/form.html",
        {"values": values, "errors": errors, "partner": partner, **_options(request)},
        status_code,
    )


async def _submitted(request: Request) -> dict[str, str]:
    form = await request.form(max_fields=MAX_FORM_FIELDS, max_part_size=MAX_FORM_PART)
    values = {}
    for name in FIELDS:
        value = form.get(name, "")
        values[name] = value if isinstance(value, str) else ""
    values["public"] = "1" if values["public"] else ""
    return values


async def create(request: Request) -> Response:
    if request.method == "GET":
        defaults = {name: "" for name in FIELDS} | {"status": "angesprochen", "public": "1"}
        return _render_form(request, defaults, {}, None)
    values = await _submitted(request)
    data, errors = validate(values, _categories(request))
    if data is None:
        return _render_form(request, values, errors, None, 400)
    pid = await run_in_threadpool(store.create, _instance(request).db, data)
    return RedirectResponse(f"/partner/{pid}?saved=1", status_code=303)


async def edit(request: Request) -> Response:
    partner = await run_in_threadpool(_partner_or_404, request)
    if request.method == "GET":
        return _render_form(request, form_values(partner), {}, partner)
    values = await _submitted(request)
    data, errors = validate(values, _categories(request))
    if data is None:
        return _render_form(request, values, errors, partner, 400)
    if not await run_in_threadpool(store.save, _instance(request).db, partner.id, data):
        raise HTTPException(404)
    return RedirectResponse(f"/partner/{partner.id}?saved=1", status_code=303)


async def delete(request: Request) -> Response:
    partner = await run_in_threadpool(_partner_or_404, request)
    if request.method == "GET":
        return render(request, "partner/delete.html", {"partner": partner})
    await run_in_threadpool(store.remove, _instance(request).db, partner.id)
    return RedirectResponse("/partner/?deleted=1", status_code=303)


async def import_page(request: Request) -> Response:
    context: dict[str, Any] = {
        "errors": [],
        "columns": exchange.COLUMNS,
        "filename": "",
        "category_ids": list(_categories(request)),
    }
    if request.method == "GET":
        return render(request, "partner/import.html", context)
    form = await request.form(max_fields=MAX_FORM_FIELDS, max_part_size=MAX_FORM_PART)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        context["errors"] = [_("Bitte wählen Sie eine CSV-Datei aus.")]
        return render(request, "partner/import.html", context, 400)
    data = await upload.read(exchange.MAX_BYTES + 1)
    context["filename"] = upload.filename
    try:
        result = await run_in_threadpool(
            exchange.import_csv,
            _instance(request).db,
            data,
            _categories(request),
            filename=upload.filename,
        )
    except exchange.ImportFailed as exc:
        context["errors"] = [str(e) for e in exc.errors]
        return render(request, "partner/import.html", context, 400)
    return RedirectResponse(
        f"/partner/?imported={result.created}&updated={result.updated}", status_code=303
    )


def export_csv(request: Request) -> Response:
    found = store.search(_instance(request).db, _filters(request))
    return Response(
        exchange.export_csv(found),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="partner.csv"'},
    )


def _vcard_response(text: str, filename: str) -> Response:
    return Response(
        text.encode("utf-8"),
        media_type="text/vcard; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def export_vcf(request: Request) -> Response:
    instance = _instance(request)
    found = store.search(instance.db, _filters(request))
    return _vcard_response(
        exchange.vcards(found, _categories(request), f"{instance.slug}.willkommen"), "partner.vcf"
    )


def vcard(request: Request) -> Response:
    instance = _instance(request)
    partner = _partner_or_404(request)
    return _vcard_response(
        exchange.vcard(partner, _categories(request), f"{instance.slug}.willkommen"),
        f"partner-{partner.id}.vcf",
    )


# -- public page ------------------------------------------------------------------


def public_help(request: Request) -> Response:
    db = _instance(request).db
    language = request.query_params.get("language", "")[:12]
    category = request.query_params.get("category", "")[:40]
    available = store.language_counts(db, public_only=True)
    found = store.search(
        db,
        store.Filters(language=language, category=category, public_only=True),
        search_notes=False,
    )
    return render(
        request,
        "partner/public.html",
        {
            "partners": [public_view(p) for p in found],
            "language": language,
            "category": category,
            "language_options": [
                (code, name, language_name(code, code))
                for code, name in _language_options(available)
            ],
            **_options(request),
        },
    )


def public_view(partner: PartnerData) -> dict[str, Any]:
    """Only the public fields: what a template for customers may ever see."""
    from .model import PUBLIC_FIELDS

    return {name: getattr(partner, name) for name in PUBLIC_FIELDS}


def routes(instance: Any) -> list[Page]:
    settings = instance.plugin_settings(NAME)
    staff = tuple(settings.staff_roles)
    pages = [
        Page("/", index, roles=staff, name="partner-index"),
        Page("/neu", create, methods=("GET", "POST"), roles=staff, name="partner-create"),
        Page("/import", import_page, methods=("GET", "POST"), roles=staff, name="partner-import"),
        Page("/export.csv", export_csv, roles=staff, name="partner-export-csv"),
        Page("/export.vcf", export_vcf, roles=staff, name="partner-export-vcf"),
        Page("/{partner_id:int}", detail, roles=staff, name="partner-detail"),
        Page(
            "/{partner_id:int}/bearbeiten",
            edit,
            methods=("GET", "POST"),
            roles=staff,
            name="partner-edit",
        ),
        Page(
            "/{partner_id:int}/loeschen",
            delete,
            methods=("GET", "POST"),
            roles=staff,
            name="partner-delete",
        ),
        Page("/{partner_id:int}/vcard.vcf", vcard, roles=staff, name="partner-vcard"),
    ]
    if settings.public_page:
        pages.append(Page("/hilfe", public_help, public=True, name="partner-public"))
    return pages
