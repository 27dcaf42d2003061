"""Migrations of ``willkommen.toml`` between layouts (``schema_version``).

When a toolkit release changes the layout of the settings file (a key renamed,
a section split), it raises :data:`CURRENT_SCHEMA` and registers a function
that turns a document of the previous version into the new one. The function
edits a :mod:`tomlkit` document in place, so the authority's comments, values
and order survive. ``willkommen check`` reports an outdated file and names the
command; ``willkommen config migrate`` (and ``willkommen rollout --update``)
applies the functions in order.

A file without ``schema_version`` is version 1 (the first layout).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import Problem, UserError

CURRENT_SCHEMA = 1
"""The layout this toolkit reads. Raise it together with a new entry in MIGRATIONS."""

MIGRATE_COMMAND = "willkommen config migrate"

Migration = Callable[[Any], None]
MIGRATIONS: dict[int, Migration] = {}
"""``{n: function}``: the function migrates a document of version ``n`` to ``n + 1``."""


def migration(from_version: int) -> Callable[[Migration], Migration]:
    """Register ``function`` as the migration from ``from_version`` to the next version."""

    def register(function: Migration) -> Migration:
        MIGRATIONS[from_version] = function
        return function

    return register


def schema_version(raw: dict[str, Any]) -> int:
    value = raw.get("schema_version", 1)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def version_problem(raw: dict[str, Any], file: str) -> Problem | None:
    """The problem to report when the file's layout is not the current one."""
    found = schema_version(raw)
    if found == CURRENT_SCHEMA:
        return None
    if found < 1:
        return Problem(
            file, "schema_version", f"must be a whole number (current: {CURRENT_SCHEMA})"
        )
    if found > CURRENT_SCHEMA:
        return Problem(
            file,
            "schema_version",
            f"is {found}, written for a newer toolkit (this one reads {CURRENT_SCHEMA}): "
            "install the toolkit version pinned in requirements.txt",
        )
    return Problem(
        file,
        "schema_version",
        f"is {found}, this toolkit expects {CURRENT_SCHEMA}: run '{MIGRATE_COMMAND}' "
        "(it rewrites the file to the new layout and keeps your comments and values)",
    )


def migrate_text(text: str, *, file: str = "willkommen.toml") -> tuple[str, list[int]]:
    """``text`` migrated to :data:`CURRENT_SCHEMA`; returns it and the versions passed.

    Raises :class:`UserError` when the file is not TOML, is newer than this
    toolkit, or a step has no registered migration.
    """
    import tomlkit

    try:
        doc = tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as exc:
        raise UserError(f"{file}: invalid TOML: {exc}") from exc
    version = schema_version(doc)
    if version < 1 or version > CURRENT_SCHEMA:
        problem = version_problem(doc, file)
        raise UserError(f"cannot migrate {file}:", [problem] if problem else [])
    passed: list[int] = []
    while version < CURRENT_SCHEMA:
        step = MIGRATIONS.get(version)
        if step is None:
            raise UserError(
                f"{file}: no migration from schema_version {version} to {version + 1} "
                "in this toolkit (a packaging mistake: please report it)"
            )
        step(doc)
        version += 1
        # tomlkit keeps a new top-level key above the first table.
        doc["schema_version"] = version
        passed.append(version)
    return tomlkit.dumps(doc), passed


def migrate_file(path: Path) -> list[int]:
    """Migrate the settings file at ``path`` in place (atomically); returns the versions passed."""
    text = path.read_text(encoding="utf-8")
    new, passed = migrate_text(text, file=str(path))
    if passed:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(new, encoding="utf-8")
        tmp.replace(path)
    return passed
