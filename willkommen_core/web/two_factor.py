"""Two-factor login in the web: the code after the password, and setting it up.

``/login/code`` asks for the six-digit code (or a recovery code) after a
correct password; only a right code starts a session. ``/-/konto/zwei-faktor``
sets it up (QR code and the secret as text, confirmed with a first code,
then recovery codes shown once), makes new recovery codes or switches it
off (both with a current code).
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from .. import accounts, two_factor
from ..audit import Actor
from ..errors import UserError
from ..i18n import gettext as _
from .account import (
    SECOND_STEP,
    audit_failed_login,
    awaited_second_step,
    client_key,
    log_in,
    login_page,
    policy,
    remember_device,
)
from .audit import arecord
from .middleware import SECOND_STEP_PAGE, TWO_FACTOR_PAGE
from .paths import app_path
from .routing import MAX_FORM_FIELDS, Page
from .templating import render


def _key(request: Request) -> bytes:
    instance = request.app.state.instance
    return two_factor.cipher_key(instance.settings.secret_key.get_secret_value())


def _wrong_code() -> str:
    return _("Der Code ist falsch, abgelaufen oder wurde schon verwendet.")


def _throttled(seconds: int) -> str:
    return _("Zu viele falsche Versuche. Bitte warten Sie %(seconds)s Sekunden.", seconds=seconds)


async def second_step(request: Request) -> Response:
    awaited = awaited_second_step(request)
    if awaited is None:
        request.session.pop(SECOND_STEP, None)
        if request.method == "GET":
            return RedirectResponse(app_path(request, "/login"), status_code=303)
        error = _("Die Anmeldung ist abgelaufen. Bitte geben Sie Ihr Passwort erneut ein.")
        return login_page(request, "/", "", error, 400)
    errors: dict[str, str] = {}
    if request.method == "GET":
        return render(request, "login_code.html", {"errors": errors})
    form = await request.form(max_fields=MAX_FORM_FIELDS)
    code = str(form.get("code", ""))[:100]
    instance = request.app.state.instance
    client, trusted = client_key(request, awaited["name"])
    try:
        kind = await run_in_threadpool(
            two_factor.verify_login_code,
            instance.db,
            _key(request),
            awaited["uid"],
            code,
            client=client,
            trusted=trusted,
            policy=policy(request),
        )
    except accounts.Throttled as exc:
        await audit_failed_login(request, awaited["name"], "second_factor_throttled")
        errors["code"] = _throttled(exc.seconds)
        response = render(request, "login_code.html", {"errors": errors}, 429)
        response.headers["Retry-After"] = str(exc.seconds)
        return response
    user = None
    if kind is not None:
        user = await run_in_threadpool(accounts.get_user, instance.db, awaited["uid"])
    if user is None or user.stamp != awaited["stamp"]:
        await audit_failed_login(request, awaited["name"], "second_factor")
        errors["code"] = _wrong_code()
        return render(request, "login_code.html", {"errors": errors}, 400)
    recovery = app_path(request, f"{TWO_FACTOR_PAGE}?recovery=1")
    target = recovery if kind == "recovery" else awaited["next"]
    if kind == "recovery":
        await arecord(
            request, "two_factor.recovery_code_used", user.name, actor=Actor("user", user.name)
        )
    done = await log_in(request, user, target, method=f"password+{kind}")
    remember_device(request, done, user.name)
    return done


def _page(request: Request, ctx: dict[str, Any], status: int = 200) -> Response:
    user = request.state.user
    instance = request.app.state.instance
    base: dict[str, Any] = {
        "errors": {},
        "codes": None,
        "status": None,
        "secret": None,
        "qr": None,
        "required": user.role in instance.settings.web.require_two_factor_for,
        "notice": None,
    }
    base.update(ctx)
    if base["codes"] is None and user.has_password and not user.via_token:
        st = two_factor.status(instance.db, user.id)
        base["status"] = st
        if st.confirmed_at is None:
            secret = two_factor.pending_secret(instance.db, _key(request), user.id)
            uri = two_factor.provisioning_uri(secret, user.name, instance.settings.authority.name)
            base["secret"] = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
            base["qr"] = two_factor.qr_svg(uri)
    return render(request, "account_two_factor.html", base, status)


def own_two_factor(request: Request) -> Response:
    notice = None
    if request.query_params.get("recovery") == "1":
        notice = "recovery"
    elif request.query_params.get("ok") in ("off", "on"):
        notice = request.query_params["ok"]
    return _page(request, {"notice": notice})


async def change_two_factor(request: Request) -> Response:
    user = request.state.user
    if user.via_token or not user.has_password:
        return await run_in_threadpool(_page, request, {}, 400)
    form = await request.form(max_fields=MAX_FORM_FIELDS)
    action = str(form.get("action", ""))
    code = str(form.get("code", ""))[:100]
    db = request.app.state.instance.db
    key = _key(request)
    errors: dict[str, str] = {}
    try:
        if action == "confirm":
            codes = await run_in_threadpool(two_factor.confirm, db, key, user.id, code)
            if codes is not None:
                await arecord(request, "two_factor.enabled", user.name)
                return await run_in_threadpool(_page, request, {"codes": codes})
        elif action == "recovery":
            codes = await run_in_threadpool(
                two_factor.regenerate_recovery_codes, db, key, user.id, code
            )
            if codes is not None:
                await arecord(request, "two_factor.recovery_codes_renewed", user.name)
                return await run_in_threadpool(_page, request, {"codes": codes})
        elif action == "disable":
            if user.role in request.app.state.instance.settings.web.require_two_factor_for:
                errors["code"] = _(
                    "Für Ihre Rolle ist die Zwei-Faktor-Anmeldung vorgeschrieben; "
                    "sie kann nicht ausgeschaltet werden."
                )
                return await run_in_threadpool(_page, request, {"errors": errors}, 400)
            if await run_in_threadpool(two_factor.disable, db, key, user.id, code):
                await arecord(request, "two_factor.disabled", user.name)
                return RedirectResponse(
                    app_path(request, f"{TWO_FACTOR_PAGE}?ok=off"), status_code=303
                )
        else:
            errors["code"] = _("Ungültige Angabe.")
            return await run_in_threadpool(_page, request, {"errors": errors}, 400)
    except UserError:
        # Set up meanwhile in another window, or reset by an admin: show how it stands.
        return RedirectResponse(app_path(request, TWO_FACTOR_PAGE), status_code=303)
    errors["code"] = _wrong_code()
    return await run_in_threadpool(_page, request, {"errors": errors, "action": action}, 400)


def routes() -> list[Page]:
    return [
        Page(
            SECOND_STEP_PAGE,
            second_step,
            methods=("GET", "POST"),
            public=True,
            name="login-code",
        ),
        Page(TWO_FACTOR_PAGE, own_two_factor, name="own-two-factor"),
        Page(
            TWO_FACTOR_PAGE,
            change_two_factor,
            methods=("POST",),
            name="own-two-factor-change",
        ),
    ]
