"""Login (password, then a second factor where one is set up), logout and the
page to change one's own password.

After a correct password, an account with a second factor gets no session
yet: the signed session cookie only remembers, for a few minutes, whose code
is awaited (:data:`SECOND_STEP`); every page stays closed until the code is
right (:mod:`willkommen_core.web.two_factor`).

Who tries a login is identified for throttling (see :mod:`willkommen_core.accounts`)
either by a browser that logged in to that account before (a signed device
cookie, only sent to ``/login``) or by a keyed hash of the client address,
so no address is ever stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from datetime import timedelta
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from .. import accounts
from ..audit import Actor
from ..i18n import gettext as _
from .audit import arecord
from .middleware import PASSWORD_PAGE, SECOND_STEP_PAGE
from .paths import app_path, in_app
from .routing import MAX_FORM_FIELDS, Page
from .templating import render

DEVICE_COOKIE = "willkommen_device"
DEVICE_MAX_AGE = int(timedelta(days=180).total_seconds())
DEVICE_ACCOUNTS = 8  # accounts one browser is remembered for
SECOND_STEP = "second_step"
"""Session key: whose second factor is awaited after a correct password."""
SECOND_STEP_SECONDS = 300


def _secret(request: Request) -> str:
    return str(request.app.state.instance.settings.secret_key.get_secret_value())


def _devices(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(_secret(request), salt="willkommen.device")


def _device(request: Request) -> tuple[str | None, list[str]]:
    """The browser's device id and the accounts it logged in to, if its cookie is valid."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return None, []
    try:
        data = _devices(request).loads(raw, max_age=DEVICE_MAX_AGE)
    except BadSignature:
        return None, []
    if not isinstance(data, dict) or not isinstance(data.get("d"), str):
        return None, []
    names = data.get("a")
    return data["d"], [n for n in names if isinstance(n, str)] if isinstance(names, list) else []


def client_key(request: Request, username: str) -> tuple[str, bool]:
    """Who tries to log in as ``username``: a known browser, or the client address."""
    device, names = _device(request)
    if device is not None and accounts.account_key(username) in names:
        return f"d:{device}", True
    host = request.client.host if request.client else "unknown"
    digest = hmac.new(_secret(request).encode(), host.encode(), hashlib.sha256).hexdigest()
    return f"a:{digest[:32]}", False


def remember_device(request: Request, response: Response, username: str) -> None:
    device, names = _device(request)
    key = accounts.account_key(username)
    names = [key, *(n for n in names if n != key)][:DEVICE_ACCOUNTS]
    value = _devices(request).dumps({"d": device or secrets.token_urlsafe(16), "a": names})
    response.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=DEVICE_MAX_AGE,
        path="/login",
        secure=request.app.state.instance.settings.web.secure_cookies,
        httponly=True,
        samesite="strict",
    )


def policy(request: Request) -> accounts.ThrottlePolicy:
    web = request.app.state.instance.settings.web
    return accounts.ThrottlePolicy(
        free_failures=web.login_max_failures,
        max_delay=timedelta(minutes=web.login_lockout_minutes),
    )


LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def cookies_cannot_work(request: Request) -> bool:
    """Plain http while cookies are sent over HTTPS only: no session, so no form works.

    Browsers treat ``http://localhost`` as secure and keep Secure cookies there.
    """
    if not request.app.state.instance.settings.web.secure_cookies:
        return False
    host = (request.url.hostname or "").strip("[]").lower()
    loopback = host in LOOPBACK_HOSTS or host.endswith(".localhost")
    return request.url.scheme == "http" and not loopback


def insecure_transport_message() -> str:
    return _(
        "Anmelden ist über diese Adresse nicht möglich: Die Seite wurde über http:// "
        "aufgerufen, die Instanz sendet ihr Sitzungs-Cookie aber nur über HTTPS "
        "(Einstellung secure_cookies = true in willkommen.toml). Rufen Sie die Seite über "
        "https:// auf. Nur für einen Test auf dem eigenen Rechner: secure_cookies = false."
    )


def safe_next(request: Request, target: str | None) -> str:
    """Where to go after the login: a path of this app (with the prefix it is served
    under), never another site: "//host" or "http://..." would be an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return in_app(request, target)
    return app_path(request, "/")


def login_page(
    request: Request, next_url: str, username: str, error: str | None, status: int = 200
) -> Response:
    notice = insecure_transport_message() if cookies_cannot_work(request) else None
    oidc = request.app.state.instance.settings.oidc
    context = {
        "next": next_url,
        "username": username,
        "error": error,
        "notice": notice,
        "oidc_name": oidc.display_name if oidc is not None else None,
    }
    return render(request, "login.html", context, status)


async def log_in(
    request: Request, user: accounts.User, target: str, *, method: str, **session: Any
) -> RedirectResponse:
    """Log ``user`` in: a fresh session (nothing from before survives: no
    fixation), a new CSRF token, and the way to ``target``. ``method`` says
    how the person proved who they are, for the audit log."""
    instance = request.app.state.instance
    await arecord(
        request, "login.succeeded", user.name, actor=Actor("user", user.name), method=method
    )
    sid = await run_in_threadpool(
        accounts.start_session, instance.db, user, instance.settings.web.session_max_age
    )
    request.session.clear()
    request.session.update({"sid": sid, "csrf": secrets.token_urlsafe(32), **session})
    return RedirectResponse(
        app_path(request, PASSWORD_PAGE) if user.must_change_password else target, 303
    )


async def login(request: Request) -> Response:
    if request.method == "GET":
        return login_page(request, safe_next(request, request.query_params.get("next")), "", None)
    form = await request.form(max_fields=MAX_FORM_FIELDS)
    username = str(form.get("username", ""))[:64]
    password = str(form.get("password", ""))[:1024]
    next_url = safe_next(request, str(form.get("next", "/")))
    instance = request.app.state.instance
    client, trusted = client_key(request, username)
    try:
        user = await run_in_threadpool(
            accounts.authenticate,
            instance.db,
            username,
            password,
            client=client,
            trusted=trusted,
            policy=policy(request),
        )
    except accounts.Throttled as exc:
        error = _(
            "Zu viele fehlgeschlagene Anmeldungen von diesem Gerät. Bitte warten Sie "
            "%(seconds)s Sekunden und versuchen Sie es dann erneut.",
            seconds=exc.seconds,
        )
        await audit_failed_login(request, username, "throttled")
        response = login_page(request, next_url, username, error, 429)
        response.headers["Retry-After"] = str(exc.seconds)
        return response
    except accounts.PasswordExpired:
        await audit_failed_login(request, username, "one_time_password_expired")
        error = _(
            "Dieses Einmalpasswort ist abgelaufen. Bitten Sie die Administration um ein neues."
        )
        return login_page(request, next_url, username, error, 400)
    if user is None:
        await audit_failed_login(request, username, "password")
        error = _("Benutzername oder Passwort ist falsch.")
        return login_page(request, next_url, username, error, 400)
    if user.two_factor:
        # Half a login: no session until the code is right too.
        request.session.clear()
        request.session.update(
            {
                SECOND_STEP: {
                    "uid": user.id,
                    "name": user.name,
                    "stamp": user.stamp,
                    "next": next_url,
                    "until": int(time.time()) + SECOND_STEP_SECONDS,
                },
                "csrf": secrets.token_urlsafe(32),
            }
        )
        return RedirectResponse(app_path(request, SECOND_STEP_PAGE), status_code=303)
    response = await log_in(request, user, next_url, method="password")
    remember_device(request, response, user.name)
    return response


async def audit_failed_login(request: Request, username: str, reason: str) -> None:
    """Record a failed login; the name only if such an account exists (a
    password typed into the name field must not end up in the log)."""
    instance = request.app.state.instance
    known = await run_in_threadpool(accounts.exists, instance.db, username)
    await arecord(
        request,
        "login.failed",
        username if known else "",
        actor=Actor("anonymous"),
        reason=reason,
        known_account=known,
    )


def awaited_second_step(request: Request) -> dict[str, Any] | None:
    """Whose second factor this browser may enter now (after their password)."""
    data = request.session.get(SECOND_STEP)
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("uid"), int)
        or not isinstance(data.get("name"), str)
        or not isinstance(data.get("stamp"), str)
        or not isinstance(data.get("until"), int)
        or data["until"] < time.time()
    ):
        return None
    return data


async def logout(request: Request) -> Response:
    sid = request.session.get("sid")
    if request.state.user is not None:
        await arecord(request, "logout", request.state.user.name)
    if isinstance(sid, str):
        await run_in_threadpool(accounts.end_session, request.app.state.instance.db, sid)
    id_token = request.session.get("oidc_id_token")
    request.session.clear()
    client = getattr(request.app.state, "oidc", None)
    if client is not None and isinstance(id_token, str):
        url = await client.logout_url(id_token, str(request.url_for("login")))
        if url:
            return RedirectResponse(url, status_code=303)
    return RedirectResponse(app_path(request, "/login"), status_code=303)


def weak_password_message(exc: accounts.WeakPassword) -> str:
    """The web's words for why a new password is refused."""
    if exc.reason == "short":
        return _(
            "Das Passwort muss mindestens %(n)s Zeichen lang sein.", n=accounts.MIN_PASSWORD_LENGTH
        )
    if exc.reason == "long":
        return _(
            "Das Passwort darf höchstens %(n)s Zeichen lang sein.", n=accounts.MAX_PASSWORD_LENGTH
        )
    if exc.reason == "same":
        return _("Das neue Passwort muss sich vom bisherigen unterscheiden.")
    return _(
        "Dieses Passwort ist zu leicht zu erraten: Es steht in Listen häufiger oder "
        "gestohlener Passwörter oder folgt einem einfachen Muster. Wählen Sie ein längeres, "
        "z. B. aus mehreren Wörtern, die nichts miteinander zu tun haben."
    )


def password_context(request: Request) -> list[str]:
    """Words a password of this instance must not be built from."""
    authority = request.app.state.instance.settings.authority
    return [authority.name, authority.slug, *authority.name.split()]


async def own_password(request: Request) -> Response:
    user = request.state.user
    ctx: dict[str, Any] = {"errors": {}, "changed": request.query_params.get("ok") == "1"}
    if user.via_token:
        ctx["errors"]["current"] = _("Ein API-Token hat kein Passwort.")
        return render(request, "account_password.html", ctx, 400)
    if not user.has_password:
        ctx["errors"]["current"] = _(
            "Ihr Konto meldet sich über den Identitätsanbieter an und hat hier kein Passwort."
        )
        return render(request, "account_password.html", ctx, 400)
    if request.method == "GET":
        return render(request, "account_password.html", ctx)
    form = await request.form(max_fields=MAX_FORM_FIELDS)
    current = str(form.get("current", ""))[:1024]
    new = str(form.get("new", ""))[:1024]
    repeat = str(form.get("repeat", ""))[:1024]
    errors: dict[str, str] = ctx["errors"]
    instance = request.app.state.instance
    if new != repeat:
        errors["repeat"] = _("Die beiden neuen Passwörter stimmen nicht überein.")
    else:
        try:
            await run_in_threadpool(
                accounts.validate_password,
                new,
                username=user.name,
                context=password_context(request),
            )
        except accounts.WeakPassword as exc:
            errors["new"] = weak_password_message(exc)
    if errors:
        return render(request, "account_password.html", ctx, 400)
    client, trusted = client_key(request, user.name)
    try:
        proven = await run_in_threadpool(
            accounts.authenticate,
            instance.db,
            user.name,
            current,
            client=client,
            trusted=trusted,
            policy=policy(request),
        )
    except accounts.Throttled as exc:
        errors["current"] = _(
            "Zu viele falsche Versuche. Bitte warten Sie %(seconds)s Sekunden.",
            seconds=exc.seconds,
        )
        return render(request, "account_password.html", ctx, 429)
    except accounts.PasswordExpired:
        errors["current"] = _(
            "Dieses Einmalpasswort ist abgelaufen. Bitten Sie die Administration um ein neues."
        )
        return render(request, "account_password.html", ctx, 400)
    if proven is None or proven.id != user.id:
        errors["current"] = _("Das bisherige Passwort ist falsch.")
        return render(request, "account_password.html", ctx, 400)
    try:
        await run_in_threadpool(accounts.change_own_password, instance.db, user.id, current, new)
    except accounts.WeakPassword as exc:
        errors["new"] = weak_password_message(exc)
        return render(request, "account_password.html", ctx, 400)
    await arecord(request, "password.changed", user.name)
    # Every other session of the account ended; this browser gets a fresh one.
    sid = await run_in_threadpool(
        accounts.start_session, instance.db, user, instance.settings.web.session_max_age
    )
    request.session.clear()
    request.session.update({"sid": sid, "csrf": secrets.token_urlsafe(32)})
    return RedirectResponse(app_path(request, f"{PASSWORD_PAGE}?ok=1"), status_code=303)


def routes() -> list[Page]:
    return [
        Page("/login", login, methods=("GET", "POST"), public=True, name="login"),
        Page("/logout", logout, methods=("POST",), name="logout"),
        Page(PASSWORD_PAGE, own_password, methods=("GET", "POST"), name="own-password"),
    ]
