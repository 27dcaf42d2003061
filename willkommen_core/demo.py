"""``willkommen demo``: the Magdeburg model authority as a ready-to-try instance.

Magdeburg's foreigners' authority was the pilot of the BAMF project
"Ausländerbehörden – Willkommensbehörden" (2013–2015) whose process the
toolkit models; the demo shows every built-in module with its content.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import tomlkit
from sqlalchemy import func, select

from . import accounts
from .errors import UserError
from .instance import Instance
from .plugins import _entry_point_candidates
from .scaffold import is_instance, new_instance
from .settings import SETTINGS_FILE
from .storage.tables import users

DEMO_NAME = "Ausländerbehörde Magdeburg"
DEMO_ADMIN = "admin"
DEMO_SETTINGS = {
    "slug": "magdeburg",
    "authority_type": "kreisfreie Stadt",
    "federal_state": "Sachsen-Anhalt",
    "site_name": "Ausländerbehörde im Bürgerbüro Mitte",
    "street": "Breiter Weg 222",
    "postcode": "39104",
    "city": "Magdeburg",
    "contact_email": "auslaenderbehoerde@magdeburg.example.org",
    "model_authority": "true",
    "database_url": "sqlite:///willkommen.db",
}

DEMO_OPENING_HOURS = [
    {"days": ["mo", "di", "mi", "do", "fr"], "opens": "08:00", "closes": "12:00"},
    {"days": ["di", "do"], "opens": "13:00", "closes": "18:00"},
]


def default_directory() -> Path:
    """Where ``willkommen demo`` keeps its instance unless told otherwise.

    The user's data folder (``$XDG_DATA_HOME/willkommen/demo``, usually
    ``~/.local/share/willkommen/demo``; ``%LOCALAPPDATA%`` on Windows), never the
    current folder: run from a git clone, the demo's database and its ``.env``
    secret would otherwise land in the clone.
    """
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        base = Path(os.environ["LOCALAPPDATA"])
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "willkommen" / "demo"


def builtin_plugins() -> list[str]:
    """The toolkit's own modules that are installed (entry points of this distribution)."""
    return sorted({c.name for c in _entry_point_candidates() if c.source == "builtin"})


def _allow_plain_http(root: Path) -> None:
    # The demo serves http://127.0.0.1 without TLS: cookies must not require HTTPS.
    path = root / SETTINGS_FILE
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    web = doc["web"]
    web["secure_cookies"] = tomlkit.item(False).comment(
        "demo on http://127.0.0.1 only; true in production"
    )
    # The start page shows them (the signs' rooms keep their own hours).
    doc["authority"]["sites"][0]["opening_hours"] = DEMO_OPENING_HOURS
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")


def _account_exists(instance: Instance, name: str) -> bool:
    with instance.db.read() as s:
        return (
            s.execute(select(users.c.id).where(func.lower(users.c.username) == name)).first()
            is not None
        )


def prepare_demo(directory: Path) -> tuple[Instance, str | None]:
    """Create (or reuse) the demo instance in ``directory``, migrated and seeded.

    Returns the instance and the admin's one-time password (it expires after
    72 hours and must be replaced at the first login), or ``None`` when the
    admin account exists already (an earlier run created it).
    """
    directory = Path(directory)
    if not is_instance(directory):
        if directory.exists() and any(directory.iterdir()):
            raise UserError(
                f"{directory}: exists but is no instance (no {SETTINGS_FILE}); "
                "choose another folder with --dir"
            )
        overrides = DEMO_SETTINGS | {"modules": ",".join(builtin_plugins())}
        root = new_instance(directory, DEMO_NAME, overrides)
        try:
            _allow_plain_http(root)
        except BaseException:
            # Half a demo would be reused next time: leave nothing instead.
            shutil.rmtree(root, ignore_errors=True)
            raise
    instance = Instance.open(directory)
    instance.upgrade_storage()
    instance.plugins.call_each("demo_content", instance=instance)
    password = None
    if not _account_exists(instance, DEMO_ADMIN):
        password = accounts.one_time_password()
        accounts.create_user(instance.db, DEMO_ADMIN, "admin", password, one_time=True)
    return instance, password
