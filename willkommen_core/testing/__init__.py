"""Test helpers for the toolkit and for plugin authors.

Installed with the package and registered as the pytest plugin
``willkommen`` (entry point ``pytest11``), so a local IT team tests its own
plugins exactly as the toolkit tests its modules: an instance with only the
plugins you name, on SQLite or the real PostgreSQL, a client, a logged-in role.
"""

from .instance import (
    POSTGRES_URL_ENV,
    InstanceFactory,
    login,
    postgres_available,
    write_instance,
)

__all__ = ["POSTGRES_URL_ENV", "InstanceFactory", "login", "postgres_available", "write_instance"]
