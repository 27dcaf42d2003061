"""The public address the QR codes on the signs lead to.

In this order: ``--base-url``, ``[leitsystem] base_url``, else the address the
instance was last served at. The staff pages of the module remember that address
(scheme, host, port and prefix of their requests, as the proxy reports them) in
``.willkommen/leitsystem-adresse`` in the instance folder (its folder for the
machine's own state), so ``willkommen leitsystem build`` on a
running demo or a server without the setting prints the QR codes the web
previews show.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import TYPE_CHECKING

from willkommen_core.errors import Problem, UserError

if TYPE_CHECKING:
    from willkommen_core.instance import Instance

FILE = ".willkommen/leitsystem-adresse"
"""In the instance folder: the address the staff pages were last served at."""
_URL = re.compile(r"^https?://[^\s/?#]+(/[^\s?#]*)?$")


def _path(instance: Instance) -> Path:
    return Path(instance.root) / FILE


def remember(instance: Instance, url: str) -> None:
    """Note the address the pages are served at (only when it changed; a read-only
    instance folder just keeps no note)."""
    url = url.rstrip("/")
    if not _URL.match(url) or remembered(instance) == url:
        return
    path = _path(instance)
    with contextlib.suppress(OSError):
        path.parent.mkdir(exist_ok=True)
        path.write_text(url + "\n", encoding="utf-8")


def remembered(instance: Instance) -> str | None:
    try:
        url = _path(instance).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return url if _URL.match(url) else None


def base_url(instance: Instance, given: str | None = None) -> tuple[str, str]:
    """(address, where it came from) for the QR codes; a clear error when none is known."""
    if given:
        if not _URL.match(given.rstrip("/")):
            raise UserError(f"--base-url {given}: expected an address like https://example.org")
        return given.rstrip("/"), "--base-url"
    configured: str = instance.plugin_settings("leitsystem").base_url
    if configured:
        return configured.rstrip("/"), "[leitsystem] base_url"
    served = remembered(instance)
    if served:
        return served, "the address the instance was last served at"
    raise UserError(
        "the QR codes need the instance's public address:",
        [
            Problem(
                "willkommen.toml",
                "leitsystem.base_url",
                "is empty and the instance has not been served yet "
                "(set it, pass --base-url, or open /leitsystem/ of the running instance once)",
            )
        ],
    )
