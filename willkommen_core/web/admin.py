"""The IT admin's page: which plugins are loaded; enable or disable them."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..errors import UserError
from ..instance import Instance
from ..plugin_config import set_enabled
from ..plugins import ALWAYS_ENABLED
from .audit import arecord
from .paths import app_path
from .reloading import announce_settings_change
from .routing import MAX_FORM_FIELDS, Page
from .templating import render


def plugins_page(request: Request) -> Response:
    instance = request.app.state.instance
    listing = Instance(instance.root, inspect_disabled=True).plugins.listing()
    return render(
        request,
        "admin_plugins.html",
        {
            "records": listing,
            "message": request.query_params.get("ok"),
            "error": None,
            "always_enabled": ALWAYS_ENABLED,
        },
    )


def _apply(root: object, name: str, enable: bool) -> None:
    set_enabled(root, name, enable)  # type: ignore[arg-type]
    if enable:
        # A newly enabled module needs its tables before its first page is served.
        fresh = Instance.open(root)  # type: ignore[arg-type]
        fresh.upgrade_storage([name])
        fresh.db.dispose()


async def change_plugin(request: Request) -> Response:
    instance = request.app.state.instance
    form = await request.form(max_fields=MAX_FORM_FIELDS)
    name = str(form.get("name", ""))
    enable = request.path_params["action"] == "enable"
    try:
        await run_in_threadpool(_apply, instance.root, name, enable)
    except UserError as exc:
        listing = Instance(instance.root, inspect_disabled=True).plugins.listing()
        return render(
            request,
            "admin_plugins.html",
            {
                "records": listing,
                "message": None,
                "error": str(exc),
                "always_enabled": ALWAYS_ENABLED,
            },
            400,
        )
    # Every process (on any machine) rebuilds its app at its next request.
    await run_in_threadpool(announce_settings_change, instance)
    await arecord(request, "plugin.enabled" if enable else "plugin.disabled", name)
    return RedirectResponse(app_path(request, f"/-/admin/plugins?ok={name}"), status_code=303)


def routes() -> list[Page]:
    return [
        Page("/-/admin/plugins", plugins_page, roles=("admin",), name="admin-plugins"),
        Page(
            "/-/admin/plugins/{action:str}",
            change_plugin,
            methods=("POST",),
            roles=("admin",),
            name="admin-plugin-change",
        ),
    ]
