"""Staff accounts for admins: create, change role, disable, reset the password.

A password an admin sets (typed or generated) is a one-time password: it is
shown once, expires after 72 hours and opens only the page where the person
chooses their own. Admins cannot disable themselves or change their own
role, and the last active admin stays one, so an instance never loses its IT.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from .. import accounts, two_factor
from ..domain import ROLES
from ..errors import UserError
from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from .account import password_context, weak_password_message
from .api import MAX_ID
from .audit import arecord
from .paths import app_path
from .routing import MAX_FORM_FIELDS, Page
from .templating import render

ACCOUNTS_PAGE = "/-/admin/accounts"
ROLE_LABELS: dict[str, Any] = {
    "admin": _l("Administration (IT)"),
    "leitung": _l("Leitung"),
    "redaktion": _l("Redaktion"),
    "vertrauensperson": _l("Vertrauensperson"),
}


def _oidc_name(request: Request) -> str | None:
    oidc = request.app.state.instance.settings.oidc
    return oidc.display_name if oidc is not None else None


def role_options() -> list[tuple[str, str]]:
    return [(r, str(ROLE_LABELS.get(r, r))) for r in ROLES]


def _list_context(request: Request, **extra: Any) -> dict[str, Any]:
    ctx: dict[str, Any] = {
        "accounts": accounts.list_accounts(request.app.state.instance.db),
        "roles": role_options(),
        "role_labels": {k: str(v) for k, v in ROLE_LABELS.items()},
        "errors": {},
        "values": {"username": "", "role": "redaktion", "login": "password"},
        "issued": None,
        "message": request.query_params.get("ok"),
        "oidc_name": _oidc_name(request),
    }
    ctx.update(extra)
    return ctx


def accounts_page(request: Request) -> Response:
    return render(request, "admin_accounts.html", _list_context(request))


async def create_account(request: Request) -> Response:
    form = await request.form(max_fields=MAX_FORM_FIELDS)
    username = str(form.get("username", "")).strip()[:64]
    role = str(form.get("role", ""))
    password = str(form.get("password", ""))[:1024]
    login = str(form.get("login", "password"))
    external = login == "oidc" and _oidc_name(request) is not None
    errors: dict[str, str] = {}
    if role not in ROLES:
        errors["role"] = _("Bitte wählen Sie eine Rolle.")
    if login not in ("password", "oidc") or (login == "oidc" and not external):
        errors["login"] = _("Ungültige Angabe.")
    issued = password or accounts.one_time_password()
    try:
        accounts.validate_username(username, external=external)
    except UserError:
        errors["username"] = _(
            "Der Benutzername besteht aus 2 bis 64 Buchstaben, Ziffern, Punkten, "
            "Unter- oder Bindestrichen."
        )
    if external and password:
        errors["password"] = _("Ein Konto für den Identitätsanbieter hat kein Passwort.")
    elif password:
        try:
            await run_in_threadpool(
                accounts.validate_password,
                password,
                username=username,
                context=password_context(request),
            )
        except accounts.WeakPassword as exc:
            errors["password"] = weak_password_message(exc)
    if not errors and external:
        try:
            await run_in_threadpool(
                accounts.create_external_user, request.app.state.instance.db, username, role
            )
        except UserError:
            errors["username"] = _("Ein Konto mit diesem Namen gibt es schon.")
    elif not errors:
        try:
            await run_in_threadpool(
                accounts.create_user,
                request.app.state.instance.db,
                username,
                role,
                issued,
                one_time=True,
                context=password_context(request),
            )
        except accounts.WeakPassword as exc:
            errors["password"] = weak_password_message(exc)
        except UserError:
            errors["username"] = _("Ein Konto mit diesem Namen gibt es schon.")
    values = {"username": username, "role": role, "login": login}
    if errors:
        ctx = _list_context(request, errors=errors, values=values)
        return render(request, "admin_accounts.html", ctx, 400)
    await arecord(request, "account.created", username, role=role, login=login)
    ctx = _list_context(
        request, issued={"username": username, "password": None if external else issued}
    )
    return render(request, "admin_accounts.html", ctx)


def _target(request: Request) -> accounts.Account:
    user_id = request.path_params["id"]
    account = (
        accounts.get_account(request.app.state.instance.db, user_id) if user_id < MAX_ID else None
    )
    if account is None:
        raise HTTPException(404)
    return account


def _is_self(request: Request, account: accounts.Account) -> bool:
    user = request.state.user
    return not user.via_token and user.id == account.id


def _detail(
    request: Request,
    account: accounts.Account,
    *,
    errors: dict[str, str] | None = None,
    issued: str | None = None,
    status: int = 200,
) -> Response:
    ctx = {
        "account": account,
        "roles": role_options(),
        "role_labels": {k: str(v) for k, v in ROLE_LABELS.items()},
        "errors": errors or {},
        "issued": issued,
        "is_self": _is_self(request, account),
        "message": request.query_params.get("ok"),
    }
    return render(request, "admin_account.html", ctx, status)


def account_page(request: Request) -> Response:
    return _detail(request, _target(request))


def _done(request: Request, account: accounts.Account, what: str) -> Response:
    path = app_path(request, f"{ACCOUNTS_PAGE}/{account.id}?ok={what}")
    return RedirectResponse(path, status_code=303)


def _last_admin_message() -> str:
    return _(
        "Das letzte aktive Administrationskonto muss ein aktives Administrationskonto bleiben."
    )


async def change_role(request: Request) -> Response:
    account = await run_in_threadpool(_target, request)
    form = await request.form(max_fields=MAX_FORM_FIELDS)
    role = str(form.get("role", ""))
    error = None
    if _is_self(request, account):
        error = _(
            "Die eigene Rolle kann nur über ein anderes Administrationskonto geändert werden."
        )
    elif role not in ROLES:
        error = _("Bitte wählen Sie eine Rolle.")
    else:
        try:
            await run_in_threadpool(
                accounts.set_role, request.app.state.instance.db, account.id, role
            )
        except UserError:
            error = _last_admin_message()
    if error:
        return _detail(request, account, errors={"role": error}, status=400)
    await arecord(request, "account.role_changed", account.name, old=account.role, new=role)
    return _done(request, account, "role")


async def change_active(request: Request) -> Response:
    account = await run_in_threadpool(_target, request)
    form = await request.form(max_fields=MAX_FORM_FIELDS)
    value = str(form.get("active", ""))
    error = None
    if _is_self(request, account):
        error = _(
            "Das eigene Konto kann nur über ein anderes Administrationskonto deaktiviert werden."
        )
    elif value not in ("0", "1"):
        error = _("Ungültige Angabe.")
    else:
        try:
            await run_in_threadpool(
                accounts.set_active, request.app.state.instance.db, account.id, value == "1"
            )
        except UserError:
            error = _last_admin_message()
    if error:
        return _detail(request, account, errors={"active": error}, status=400)
    event = "account.enabled" if value == "1" else "account.disabled"
    await arecord(request, event, account.name)
    return _done(request, account, "enabled" if value == "1" else "disabled")


async def reset_password(request: Request) -> Response:
    account = await run_in_threadpool(_target, request)
    form = await request.form(max_fields=MAX_FORM_FIELDS)
    password = str(form.get("password", ""))[:1024]
    if _is_self(request, account):
        error = _("Ihr eigenes Passwort ändern Sie auf der Seite »Passwort ändern«.")
        return _detail(request, account, errors={"password": error}, status=400)
    issued = password or accounts.one_time_password()
    try:
        await run_in_threadpool(
            accounts.set_password,
            request.app.state.instance.db,
            account.name,
            issued,
            one_time=True,
            context=password_context(request),
        )
    except accounts.WeakPassword as exc:
        return _detail(
            request, account, errors={"password": weak_password_message(exc)}, status=400
        )
    await arecord(request, "account.password_reset", account.name)
    account = await run_in_threadpool(_target, request)
    return _detail(request, account, issued=issued)


async def reset_two_factor(request: Request) -> Response:
    account = await run_in_threadpool(_target, request)
    if _is_self(request, account):
        error = _(
            "Ihre eigene Zwei-Faktor-Anmeldung ändern Sie auf der Seite »Zwei-Faktor-Anmeldung«."
        )
        return _detail(request, account, errors={"two_factor": error}, status=400)
    await run_in_threadpool(two_factor.reset, request.app.state.instance.db, account.id)
    await arecord(request, "account.two_factor_reset", account.name)
    return _done(request, account, "two-factor")


def routes() -> list[Page]:
    admin = ("admin",)
    return [
        Page(
            ACCOUNTS_PAGE,
            accounts_page,
            roles=admin,
            name="admin-accounts",
        ),
        Page(
            ACCOUNTS_PAGE,
            create_account,
            methods=("POST",),
            roles=admin,
            name="admin-account-create",
        ),
        Page(f"{ACCOUNTS_PAGE}/{{id:int}}", account_page, roles=admin, name="admin-account"),
        Page(
            f"{ACCOUNTS_PAGE}/{{id:int}}/role",
            change_role,
            methods=("POST",),
            roles=admin,
            name="admin-account-role",
        ),
        Page(
            f"{ACCOUNTS_PAGE}/{{id:int}}/active",
            change_active,
            methods=("POST",),
            roles=admin,
            name="admin-account-active",
        ),
        Page(
            f"{ACCOUNTS_PAGE}/{{id:int}}/password",
            reset_password,
            methods=("POST",),
            roles=admin,
            name="admin-account-password",
        ),
        Page(
            f"{ACCOUNTS_PAGE}/{{id:int}}/two-factor",
            reset_two_factor,
            methods=("POST",),
            roles=admin,
            name="admin-account-two-factor",
        ),
    ]
