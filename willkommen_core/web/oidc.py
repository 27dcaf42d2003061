"""Login through the identity provider (OpenID Connect) in the web.

``/login/oidc`` sends the browser to the provider (state, nonce and PKCE
verifier kept in the signed session cookie); ``/login/oidc/callback`` takes
the answer, verifies it (:mod:`willkommen_core.oidc`), maps the role from
the claims and logs the person into their local account. Refusals are the
login page with the reason, never a 500. Both routes exist only when
``[oidc]`` is configured.
"""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from .. import accounts
from ..audit import Actor
from ..i18n import gettext as _
from ..oidc import OidcClient, OidcError, Pending, claim, mapped_role
from ..settings import OidcSection
from .account import audit_failed_login, log_in, login_page, safe_next
from .audit import arecord
from .routing import Page

log = logging.getLogger("willkommen.oidc")
PENDING = "oidc_pending"
CALLBACK = "/login/oidc/callback"


def _provider(request: Request) -> tuple[OidcClient, OidcSection]:
    client: OidcClient = request.app.state.oidc
    return client, client.settings


def _refused(request: Request, message: str, status: int) -> Response:
    return login_page(request, "/", "", message, status)


def _error_message(exc: OidcError, provider: str) -> tuple[str, int]:
    if exc.reason == "unreachable":
        return (
            _(
                "%(provider)s ist gerade nicht erreichbar. Bitte versuchen Sie es später "
                "erneut oder melden Sie sich mit Passwort an.",
                provider=provider,
            ),
            502,
        )
    if exc.reason == "state":
        return (
            _(
                "Die Anmeldung über %(provider)s ist abgelaufen oder wurde in einem anderen "
                "Fenster begonnen. Bitte versuchen Sie es erneut.",
                provider=provider,
            ),
            400,
        )
    if exc.reason == "denied":
        return _("%(provider)s hat die Anmeldung nicht bestätigt.", provider=provider), 403
    return (
        _(
            "Die Antwort von %(provider)s ließ sich nicht als echt bestätigen; Sie wurden "
            "nicht angemeldet.",
            provider=provider,
        ),
        400,
    )


def _refusal_message(reason: str, provider: str, name: str) -> str:
    if reason == "disabled":
        return _("Ihr Konto ist hier deaktiviert. Bitte wenden Sie sich an die Administration.")
    if reason == "unknown":
        return _(
            "Für Sie gibt es hier noch kein Konto. Bitten Sie die Administration, eines mit "
            "dem Namen »%(name)s« und der Anmeldung über %(provider)s anzulegen.",
            name=name,
            provider=provider,
        )
    if reason == "taken":
        return _(
            "Den Namen »%(name)s« hat hier schon ein Konto, das sich anders anmeldet. "
            "Bitte wenden Sie sich an die Administration.",
            name=name,
        )
    return _(
        "Ihr Name bei %(provider)s (»%(name)s«) taugt hier nicht als Benutzername "
        "(2 bis 64 Buchstaben, Ziffern, Punkte, @, Unter- oder Bindestriche).",
        name=name,
        provider=provider,
    )


async def start(request: Request) -> Response:
    client, settings = _provider(request)
    next_url = safe_next(request, request.query_params.get("next"))
    try:
        url, pending = await client.start(str(request.url_for("oidc-callback")), next_url)
    except OidcError as exc:
        log.warning("OpenID provider: %s", exc)
        return _refused(request, *_error_message(exc, settings.display_name))
    request.session[PENDING] = pending.to_dict()
    return RedirectResponse(url, status_code=303)


async def callback(request: Request) -> Response:
    client, settings = _provider(request)
    provider = settings.display_name
    pending = Pending.from_dict(request.session.pop(PENDING, None))
    params = {k: v[:4096] for k, v in request.query_params.items()}
    try:
        login = await client.finish(params, pending)
    except OidcError as exc:
        log.warning("OpenID login refused: %s", exc)
        return _refused(request, *_error_message(exc, provider))
    claims = login.claims
    raw_name = claim(claims, settings.username_claim)
    name = raw_name.strip() if isinstance(raw_name, str) else ""
    role = mapped_role(claims, settings)
    if role is None:
        message = _(
            "Ihr Konto bei %(provider)s hat keine Rolle für dieses Werkzeug. Bitten Sie die "
            "Stelle, die %(provider)s verwaltet, Ihnen eine zuzuweisen.",
            provider=provider,
        )
        await audit_failed_login(request, name, "no_role_at_provider")
        return _refused(request, message, 403)
    try:
        outcome = await run_in_threadpool(
            accounts.external_login,
            request.app.state.instance.db,
            subject=str(claims["sub"])[:255],
            username=name,
            role=role,
            create=settings.create_accounts,
        )
    except accounts.ExternalLoginRefused as exc:
        await audit_failed_login(request, name, f"provider_login_{exc.reason}")
        return _refused(request, _refusal_message(exc.reason, provider, name), 403)
    assert pending is not None  # finish() refuses a login without one
    user = outcome.user
    # The provider vouched for these changes: it is the actor.
    via_provider = Actor("oidc", settings.issuer)
    if outcome.created:
        await arecord(request, "account.created", user.name, actor=via_provider, role=user.role)
    elif outcome.previous_role is not None:
        await arecord(
            request,
            "account.role_changed",
            user.name,
            actor=via_provider,
            old=outcome.previous_role,
            new=user.role,
        )
    return await log_in(
        request, user, pending.next_url, method="oidc", via="oidc", oidc_id_token=login.id_token
    )


def routes(settings: OidcSection | None) -> list[Page]:
    if settings is None:
        return []
    return [
        Page("/login/oidc", start, public=True, name="oidc-login"),
        Page(CALLBACK, callback, public=True, name="oidc-callback"),
    ]
