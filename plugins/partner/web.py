"""Pages of the partner list: internal list and editing (staff), public help page.

The internal pages are open to the instance's ``staff_roles`` (:func:`STAFF`); the
public page exists only while ``public_page`` is on (:func:`PUBLIC`).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import UploadFile
from starlette.responses import Response

from willkommen_core.i18n import current_language
from willkommen_core.i18n import gettext as _
from willkommen_core.sdk import PageRequest

from . import PUBLIC, STAFF, exchange, module, store
from . import categories as cats
from .model import FIELDS, STATUSES, Partner, PartnerData, form_values, language_name, validate

page = module.pages.page


def _categories(p: PageRequest) -> dict[str, cats.Category]:
    return cats.load(p.instance)


def _options(p: PageRequest) -> dict[str, Any]:
    """Choices for selects, titles in the current language."""
    lang = current_language()
    categories = _categories(p)
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


def _partner_or_404(p: PageRequest) -> Partner:
    partner = store.get(p.db, p.param("partner_id"))
    if partner is None:
        p.not_found()
    return partner


def _filters(p: PageRequest) -> store.Filters:
    stale_before = None
    if p.query("stale"):
        stale_before = store.subtract_months(date.today(), p.settings.stale_contact_months)
    return store.Filters(
        q=p.query("q")[:200],
        category=p.query("category"),
        language=p.query("language")[:12],
        status=p.query("status"),
        stale_before=stale_before,
    )


def _saved(p: PageRequest, partner_id: int) -> Response:
    return p.redirect(p.url("detail", partner_id=partner_id) + "?saved=1")


# -- internal pages ---------------------------------------------------------------


@page("/", roles=STAFF)
def index(p: PageRequest) -> Response:
    f = _filters(p)
    found = store.search(p.db, f)
    query = {
        k: v
        for k, v in p.request.query_params.items()
        if k in ("q", "category", "language", "status", "stale") and v
    }
    return p.render(
        "partner/list.html",
        {
            "partners": found,
            "filters": f,
            "stale": bool(p.query("stale")),
            "total": store.count(p.db),
            "language_options": _language_options(store.language_counts(p.db)),
            "export_query": ("?" + urlencode(query)) if query else "",
            "notice": _notice(p),
            "months": p.settings.stale_contact_months,
            **_options(p),
        },
    )


def _notice(p: PageRequest) -> str | None:
    q = p.request.query_params
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


@page("/{partner_id:int}", roles=STAFF)
def detail(p: PageRequest) -> Response:
    partner = _partner_or_404(p)
    return p.render(
        "partner/detail.html", {"partner": partner, "notice": _notice(p), **_options(p)}
    )


def _render_form(
    p: PageRequest,
    values: dict[str, str],
    errors: dict[str, str],
    partner: Partner | None,
    status_code: int = 200,
) -> Response:
    return p.render(
        "partner/form.html",
        {"values": values, "errors": errors, "partner": partner, **_options(p)},
        status_code,
    )


def _submitted(p: PageRequest) -> dict[str, str]:
    values = {}
    for name in FIELDS:
        value = p.form.get(name, "")
        values[name] = value if isinstance(value, str) else ""
    values["public"] = "1" if values["public"] else ""
    return values


@page("/neu", methods=("GET", "POST"), roles=STAFF)
def create(p: PageRequest) -> Response:
    if p.method == "GET":
        defaults = {name: "" for name in FIELDS} | {"status": "angesprochen", "public": "1"}
        return _render_form(p, defaults, {}, None)
    values = _submitted(p)
    data, errors = validate(values, _categories(p))
    if data is None:
        return _render_form(p, values, errors, None, 400)
    return _saved(p, store.create(p.db, data))


@page("/{partner_id:int}/bearbeiten", methods=("GET", "POST"), roles=STAFF)
def edit(p: PageRequest) -> Response:
    partner = _partner_or_404(p)
    if p.method == "GET":
        return _render_form(p, form_values(partner), {}, partner)
    values = _submitted(p)
    data, errors = validate(values, _categories(p))
    if data is None:
        return _render_form(p, values, errors, partner, 400)
    if not store.save(p.db, partner.id, data):
        p.not_found()
    return _saved(p, partner.id)


@page("/{partner_id:int}/loeschen", methods=("GET", "POST"), roles=STAFF)
def delete(p: PageRequest) -> Response:
    partner = _partner_or_404(p)
    if p.method == "GET":
        return p.render("partner/delete.html", {"partner": partner})
    store.remove(p.db, partner.id)
    return p.redirect(p.url("index") + "?deleted=1")


@page("/import", methods=("GET", "POST"), roles=STAFF, name="import")
def import_page(p: PageRequest) -> Response:
    context: dict[str, Any] = {
        "errors": [],
        "columns": exchange.COLUMNS,
        "filename": "",
        "category_ids": list(_categories(p)),
    }
    if p.method == "GET":
        return p.render("partner/import.html", context)
    upload = p.form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        context["errors"] = [_("Bitte wählen Sie eine CSV-Datei aus.")]
        return p.render("partner/import.html", context, 400)
    data = upload.file.read(exchange.MAX_BYTES + 1)
    context["filename"] = upload.filename
    try:
        result = exchange.import_csv(p.db, data, _categories(p), filename=upload.filename)
    except exchange.ImportFailed as exc:
        context["errors"] = [str(e) for e in exc.errors]
        return p.render("partner/import.html", context, 400)
    return p.redirect(p.url("index") + f"?imported={result.created}&updated={result.updated}")


@page("/export.csv", roles=STAFF)
def export_csv(p: PageRequest) -> Response:
    found = store.search(p.db, _filters(p))
    return p.download(exchange.export_csv(found), "partner.csv", "text/csv; charset=utf-8")


def _vcards(p: PageRequest, text: str, filename: str) -> Response:
    return p.download(text.encode("utf-8"), filename, "text/vcard; charset=utf-8")


@page("/export.vcf", roles=STAFF)
def export_vcf(p: PageRequest) -> Response:
    found = store.search(p.db, _filters(p))
    uid_domain = f"{p.instance.slug}.willkommen"
    return _vcards(p, exchange.vcards(found, _categories(p), uid_domain), "partner.vcf")


@page("/{partner_id:int}/vcard.vcf", roles=STAFF)
def vcard(p: PageRequest) -> Response:
    partner = _partner_or_404(p)
    uid_domain = f"{p.instance.slug}.willkommen"
    return _vcards(
        p,
        exchange.vcard(partner, _categories(p), uid_domain),
        f"partner-{partner.id}.vcf",
    )


# -- public page ------------------------------------------------------------------


@page("/hilfe", public=True, name="public", when=PUBLIC, audience="customers")
def public_help(p: PageRequest) -> Response:
    language = p.query("language")[:12]
    category = p.query("category")[:40]
    available = store.language_counts(p.db, public_only=True)
    found = store.search(
        p.db,
        store.Filters(language=language, category=category, public_only=True),
        search_notes=False,
    )
    return p.render(
        "partner/public.html",
        {
            "partners": [public_view(partner) for partner in found],
            "language": language,
            "category": category,
            "language_options": [
                (code, name, language_name(code, code))
                for code, name in _language_options(available)
            ],
            **_options(p),
        },
    )


def public_view(partner: PartnerData) -> dict[str, Any]:
    """Only the public fields: what a template for customers may ever see."""
    from .model import PUBLIC_FIELDS

    return {name: getattr(partner, name) for name in PUBLIC_FIELDS}
