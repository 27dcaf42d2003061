"""Paths of the app when it is served under a prefix (``/harz`` in a state host).

The host passes the whole path and the prefix as ``root_path`` (ASGI); pages and
redirects put the prefix in front of the app's own paths, and the core's checks
look at the path within the app.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request


def app_root(request: Request | Any) -> str:
    """The prefix the whole app is served under ("" on its own, "/harz" in a state host);
    ``request`` may also be an ASGI scope."""
    scope = request if isinstance(request, dict) else request.scope
    return str(scope.get("app_root_path", scope.get("root_path", "")))


def app_path(request: Request, path: str) -> str:
    """``path`` of the app (``"/login"``) as the browser must ask for it, with the prefix."""
    return app_root(request) + path


def route_path(scope: Any) -> str:
    """The request's path within the app, without the prefix it is served under."""
    path, root = str(scope["path"]), app_root(scope)
    return path[len(root) :] or "/" if root and path.startswith(root) else path


def in_app(request: Request, path: str) -> str:
    """``path`` (starting with ``/``) as a path of this app: given the prefix unless it
    carries it already (built with ``url()``)."""
    root = app_root(request)
    if root and path != root and not path.startswith(root + "/"):
        return root + path
    return path


def is_app_path(href: str) -> bool:
    """A path of this app (``/partner/``), not another site (``//host``, ``https://...``)."""
    return href.startswith("/") and not href.startswith("//")
