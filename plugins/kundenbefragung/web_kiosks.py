"""Enrolling a tablet at the counter as a kiosk (role leitung), and revoking it.

Enrolling sets a long-lived cookie with the kiosk's device key on this browser
(only the key's hash is stored; who enrolled and revoked it, and when, stays in
the kiosk table) and logs leitung out, so the tablet is left with
the survey only. Its submissions count as the kiosk's, with their own limit.
"""

from __future__ import annotations

from datetime import date

from starlette.responses import RedirectResponse, Response

from willkommen_core import accounts
from willkommen_core.sdk import PageRequest

from . import STAFF, module, store
from .web import KIOSK_COOKIE

page = module.pages.page
KIOSK_COOKIE_DAYS = 5 * 365


def _sites(p: PageRequest) -> list[str]:
    return [s.name for s in p.instance.settings.authority.sites]


def _list(p: PageRequest, error: str = "", name: str = "", status: int = 200) -> Response:
    return p.render(
        "kundenbefragung/kiosks.html",
        {
            "kiosks": store.list_kiosks(p.db),
            "sites": _sites(p),
            "error": error,
            "name": name,
            "done": p.query("ok"),
        },
        status,
    )


@page("/kiosks", roles=STAFF, name="kiosks")
def kiosks(p: PageRequest) -> Response:
    return _list(p)


@page("/kiosks", methods=("POST",), roles=STAFF, name="enrol")
def enrol(p: PageRequest) -> Response:
    name = p.value("name", limit=100)
    site = p.value("standort", limit=200)
    sites = _sites(p)
    if not name:
        return _list(
            p, "Bitte geben Sie dem Gerät einen Namen (z. B. „Tablet Empfang“).", name, 400
        )
    if site not in sites:
        if len(sites) == 1:
            site = sites[0]
        else:
            return _list(p, "Bitte wählen Sie den Standort des Geräts.", name, 400)
    kid, key = store.enrol(p.db, name, site, p.user.name, date.today())
    p.audit("kundenbefragung.kiosk_enrolled", f"kiosk {kid}", name=name, site=site)
    # The tablet stays in the public area: end leitung's session on it.
    sid = p.request.session.get("sid")
    if sid:
        accounts.end_session(p.db, sid)
    p.request.session.clear()
    response = RedirectResponse(p.url("kiosk"), status_code=303)
    response.set_cookie(
        KIOSK_COOKIE,
        f"{kid}.{key}",
        max_age=KIOSK_COOKIE_DAYS * 86400,
        path=p.url("survey"),
        secure=p.instance.settings.web.secure_cookies,
        httponly=True,
        samesite="strict",
    )
    return response


@page("/kiosks/{kiosk:int}/widerrufen", methods=("POST",), roles=STAFF, name="revoke")
def revoke(p: PageRequest) -> Response:
    kid = p.param("kiosk")
    if not store.revoke(p.db, kid, date.today()):
        p.not_found("Kein aktives Kiosk-Gerät mit dieser Nummer.")
    p.audit("kundenbefragung.kiosk_revoked", f"kiosk {kid}")
    return p.redirect("kiosks", notice="revoked")
