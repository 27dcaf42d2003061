"""A partner's data and its validation, shared by web form, CSV import and API."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from babel import Locale, UnknownLocaleError

from willkommen_core.i18n import gettext as _
from willkommen_core.i18n import lazy_gettext as _l

from .categories import Category

STATUSES: dict[str, object] = {
    "angesprochen": _l("angesprochen"),
    "interesse": _l("Interesse bekundet"),
    "kooperation": _l("Kooperation"),
    "ruhend": _l("ruhend"),
}
"""Relationship status (the seed: addressed, showed interest, cooperation, dormant)."""

FIELDS: tuple[str, ...] = (
    "name",
    "category",
    "services",
    "languages",
    "contact_person",
    "phone",
    "email",
    "website",
    "street",
    "postcode",
    "city",
    "opening_hours",
    "status",
    "last_contact",
    "notes",
    "public",
)
"""Editable fields, in form and CSV column order."""

PUBLIC_FIELDS: tuple[str, ...] = (
    "name",
    "category",
    "services",
    "languages",
    "phone",
    "email",
    "website",
    "street",
    "postcode",
    "city",
    "opening_hours",
)
"""What customers may see. Never status, last contact, notes or the contact person
(a named employee of another organisation is personal data, not needed to find help)."""

MAX_LENGTH = {
    "name": 200,
    "services": 4000,
    "contact_person": 200,
    "phone": 50,
    "email": 254,
    "website": 500,
    "street": 200,
    "city": 100,
    "opening_hours": 1000,
    "notes": 10000,
}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^[0-9+()/.\-\s]*$")
POSTCODE = re.compile(r"^\d{5}$")
WEBSITE = re.compile(r"^https?://[^\s/$.?#][^\s]*\.[^\s]+$", re.IGNORECASE)
LANG_CODE = re.compile(r"^[a-z]{2,3}$")
LANG_SPLIT = re.compile(r"[\s,;]+")
TRUE_WORDS = {"1", "ja", "j", "x", "true", "yes", "y", "wahr", "on"}
FALSE_WORDS = {"", "0", "nein", "n", "false", "no", "falsch", "off"}


@dataclass
class PartnerData:
    """Validated, normalised values of one partner (without id and timestamps)."""

    name: str
    category: str
    services: str = ""
    languages: list[str] = field(default_factory=list)
    contact_person: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    street: str = ""
    postcode: str = ""
    city: str = ""
    opening_hours: str = ""
    status: str = "angesprochen"
    last_contact: date | None = None
    notes: str = ""
    public: bool = True

    def columns(self) -> dict[str, object]:
        values = {k: getattr(self, k) for k in FIELDS if k != "languages"}
        return values


@dataclass
class Partner(PartnerData):
    id: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None


def parse_languages(text: str) -> tuple[list[str], list[str]]:
    """Codes from ``"ar, fa uk"`` -> (known codes, unknown codes), order kept, no duplicates."""
    codes, unknown = [], []
    for part in LANG_SPLIT.split(text.strip().lower()):
        if not part or part in codes:
            continue
        try:
            if not LANG_CODE.match(part):
                raise ValueError(part)
            Locale.parse(part)
        except (UnknownLocaleError, ValueError):
            unknown.append(part)
            continue
        codes.append(part)
    return codes, unknown


def parse_date(text: str) -> date:
    """``2025-03-14`` (form, CSV, API) or ``14.03.2025`` (German spreadsheets)."""
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def language_name(code: str, lang: str) -> str:
    """Name of language ``code`` in language ``lang`` (``"Arabisch"`` for ar in de)."""
    try:
        name = Locale.parse(code).get_display_name(lang) or code
    except (UnknownLocaleError, ValueError):
        return code
    return name[:1].upper() + name[1:]


def validate(
    data: Mapping[str, object],
    categories: Mapping[str, Category],
    *,
    today: date | None = None,
) -> tuple[PartnerData | None, dict[str, str]]:
    """Check raw input (strings, as from a form or a CSV row).

    Returns the normalised data, or ``None`` and one specific message per field.
    ``public`` may be a checkbox value or a word (ja/nein, true/false, 1/0).
    """
    today = today or date.today()
    errors: dict[str, str] = {}

    def text(name: str) -> str:
        value = data.get(name)
        value = "" if value is None else str(value)
        # Normalise line endings; strip only the outer whitespace.
        value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
        limit = MAX_LENGTH.get(name)
        if limit and len(value) > limit:
            errors[name] = _("Höchstens %(n)s Zeichen erlaubt.", n=limit)
        return value

    values: dict[str, object] = {}
    name = text("name")
    if not name and "name" not in errors:
        errors["name"] = _("Bitte geben Sie den Namen der Organisation an.")
    values["name"] = name

    category = text("category")
    if not category:
        errors["category"] = _("Bitte wählen Sie eine Kategorie.")
    elif category not in categories:
        errors["category"] = _(
            "Unbekannte Kategorie »%(value)s« (bekannt: %(known)s).",
            value=category,
            known=", ".join(categories),
        )
    values["category"] = category

    for plain in ("services", "contact_person", "street", "city", "opening_hours", "notes"):
        values[plain] = text(plain)

    raw_languages = data.get("languages", "")
    if isinstance(raw_languages, list | tuple):
        raw_languages = " ".join(str(x) for x in raw_languages)
    codes, unknown = parse_languages(str(raw_languages or ""))
    if unknown:
        errors["languages"] = _(
            "Unbekannter Sprachcode: %(codes)s. Bitte ISO-639-Codes wie de, en, ar, uk verwenden.",
            codes=", ".join(unknown),
        )
    values["languages"] = codes

    phone = text("phone")
    if phone and "phone" not in errors and not PHONE.match(phone):
        errors["phone"] = _(
            "Die Telefonnummer darf nur Ziffern, Leerzeichen und + ( ) / - . enthalten."
        )
    values["phone"] = phone

    email = text("email")
    if email and "email" not in errors and not EMAIL.match(email):
        errors["email"] = _("»%(value)s« ist keine gültige E-Mail-Adresse.", value=email)
    values["email"] = email

    website = text("website")
    if website and "://" not in website and "." in website and " " not in website:
        website = "https://" + website  # people type "www.example.org"
    if website and "website" not in errors and not WEBSITE.match(website):
        errors["website"] = _(
            "Die Webadresse muss mit https:// oder http:// beginnen, z. B. https://www.example.org."
        )
    values["website"] = website

    postcode = text("postcode")
    if postcode and not POSTCODE.match(postcode):
        errors["postcode"] = _("Die Postleitzahl besteht aus fünf Ziffern.")
    values["postcode"] = postcode

    status = text("status") or "angesprochen"
    if status not in STATUSES:
        errors["status"] = _(
            "Unbekannter Status »%(value)s« (erlaubt: %(known)s).",
            value=status,
            known=", ".join(STATUSES),
        )
    values["status"] = status

    last_contact = text("last_contact")
    values["last_contact"] = None
    if last_contact:
        try:
            when = parse_date(last_contact)
        except ValueError:
            errors["last_contact"] = _(
                "»%(value)s« ist kein Datum. Bitte im Format JJJJ-MM-TT oder TT.MM.JJJJ angeben.",
                value=last_contact,
            )
        else:
            if when > today:
                errors["last_contact"] = _(
                    "Der letzte Kontakt kann nicht in der Zukunft liegen (%(value)s).",
                    value=when.isoformat(),
                )
            values["last_contact"] = when

    public = data.get("public", "")
    if isinstance(public, bool):
        values["public"] = public
    else:
        word = str(public or "").strip().lower()
        if word in TRUE_WORDS:
            values["public"] = True
        elif word in FALSE_WORDS:
            values["public"] = False
        else:
            errors["public"] = _("»%(value)s« ist weder ja noch nein.", value=word)

    if errors:
        return None, errors
    return PartnerData(**values), {}  # type: ignore[arg-type]


def form_values(partner: PartnerData) -> dict[str, str]:
    """A partner as the strings a form shows (the inverse of :func:`validate`)."""
    return {
        "name": partner.name,
        "category": partner.category,
        "services": partner.services,
        "languages": ", ".join(partner.languages),
        "contact_person": partner.contact_person,
        "phone": partner.phone,
        "email": partner.email,
        "website": partner.website,
        "street": partner.street,
        "postcode": partner.postcode,
        "city": partner.city,
        "opening_hours": partner.opening_hours,
        "status": partner.status,
        "last_contact": partner.last_contact.isoformat() if partner.last_contact else "",
        "notes": partner.notes,
        "public": "1" if partner.public else "",
    }
