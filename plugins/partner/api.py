"""JSON API of the partner list, mounted at ``/api/v1/partner/``.

The staff endpoints are open to the instance's ``staff_roles`` (:func:`STAFF`);
``/public`` exists only while ``public_page`` is on (:func:`PUBLIC`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel
from starlette.requests import Request

from willkommen_core.web.api import ApiError

from . import PUBLIC, STAFF, module, store
from . import categories as cats
from .model import Partner, language_name

# Stored as naive UTC; sent with its offset, as OpenAPI's "date-time" (RFC 3339) requires.
UtcDatetime = Annotated[
    datetime, AfterValidator(lambda v: v if v.tzinfo else v.replace(tzinfo=UTC))
]


class PublicPartnerOut(BaseModel):
    """What customers may see of a partner: never status, notes or contact person."""

    id: int
    name: str
    category: str
    category_title: str
    services: str
    languages: list[str]
    phone: str
    email: str
    website: str
    street: str
    postcode: str
    city: str
    opening_hours: str


class PartnerOut(PublicPartnerOut):
    """A partner with the internal fields, for staff and scripts."""

    contact_person: str
    status: str
    last_contact: date | None
    notes: str
    public: bool
    created_at: UtcDatetime
    updated_at: UtcDatetime


class PartnerList(BaseModel):
    count: int
    partners: list[PartnerOut]


class LanguageOut(BaseModel):
    code: str
    name: str
    """The language's own name, e.g. "العربية"."""
    partners: int


class PublicPartnerList(BaseModel):
    count: int
    partners: list[PublicPartnerOut]
    languages: list[LanguageOut]
    """Every language offered by at least one public partner."""


def _title(categories: dict[str, cats.Category], cid: str, lang: str) -> str:
    return categories[cid].title(lang) if cid in categories else cid


def _public(p: Partner, categories: dict[str, cats.Category], lang: str) -> PublicPartnerOut:
    fields = PublicPartnerOut.model_fields
    values = {k: getattr(p, k) for k in fields if k != "category_title"}
    return PublicPartnerOut(**values, category_title=_title(categories, p.category, lang))


def _full(p: Partner, categories: dict[str, cats.Category], lang: str) -> PartnerOut:
    values = {k: getattr(p, k) for k in PartnerOut.model_fields if k != "category_title"}
    return PartnerOut(**values, category_title=_title(categories, p.category, lang))


def _instance(request: Request) -> Any:
    return request.app.state.instance


@module.api.endpoint(
    "/partners",
    roles=STAFF,
    summary="Partners with internal fields (search and filters)",
    response_model=PartnerList,
    query={
        "q": "words searched in name, services and notes",
        "category": "category id (modules/partner/categories.toml)",
        "language": "ISO 639 code of a language offered",
        "status": "angesprochen | interesse | kooperation | ruhend",
        "public": "true | false",
    },
    name="partner_list",
)
def list_partners(request: Request) -> PartnerList:
    instance = _instance(request)
    q = request.query_params
    status = q.get("status", "")
    if status and status not in ("angesprochen", "interesse", "kooperation", "ruhend"):
        raise ApiError(400, f"unknown status {status!r}")
    public = q.get("public", "")
    if public not in ("", "true", "false"):
        raise ApiError(400, "public must be true or false")
    found = store.search(
        instance.db,
        store.Filters(
            q=q.get("q", "")[:200],
            category=q.get("category", ""),
            language=q.get("language", "")[:12],
            status=status,
        ),
    )
    if public:
        found = [p for p in found if p.public == (public == "true")]
    categories = cats.load(instance)
    lang = request.state.lang
    return PartnerList(count=len(found), partners=[_full(p, categories, lang) for p in found])


@module.api.endpoint(
    "/partners/{partner_id:int}",
    roles=STAFF,
    summary="One partner with internal fields",
    response_model=PartnerOut,
    name="partner_get",
)
def get_partner(request: Request) -> PartnerOut:
    instance = _instance(request)
    partner = store.get(instance.db, request.path_params["partner_id"])
    if partner is None:
        raise ApiError(404, "no such partner")
    return _full(partner, cats.load(instance), request.state.lang)


@module.api.endpoint(
    "/public",
    public=True,
    when=PUBLIC,
    summary="Public partners and their public fields ('help in your language')",
    response_model=PublicPartnerList,
    query={
        "lang": "ISO 639 code: only partners offering this language",
        "category": "category id",
    },
    name="partner_public",
)
def public_partners(request: Request) -> PublicPartnerList:
    instance = _instance(request)
    lang = request.query_params.get("lang", "")[:12]
    category = request.query_params.get("category", "")[:40]
    found = store.search(
        instance.db,
        store.Filters(language=lang, category=category, public_only=True),
        search_notes=False,
    )
    categories = cats.load(instance)
    title_lang = lang or request.state.lang
    counts = store.language_counts(instance.db, public_only=True)
    return PublicPartnerList(
        count=len(found),
        partners=[_public(p, categories, title_lang) for p in found],
        languages=[
            LanguageOut(code=c, name=language_name(c, c), partners=n)
            for c, n in sorted(counts.items())
        ],
    )
