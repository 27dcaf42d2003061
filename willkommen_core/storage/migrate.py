"""Schema migrations with Alembic: one history per component.

The core and every plugin keep their own revisions and version table
(``alembic_version_<component>``), so enabling a plugin creates only its
tables and disabling one leaves the database as it is.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, MetaData

from ..errors import Problem
from . import tables
from .db import Database

ENV_DIR = Path(__file__).parent / "migrations"
CORE = "core"


@dataclass(frozen=True)
class Component:
    name: str
    metadata: MetaData
    versions: Path

    @property
    def version_table(self) -> str:
        return f"alembic_version_{self.name}"


@dataclass(frozen=True)
class ComponentState:
    name: str
    current: str | None
    head: str | None

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def core_component() -> Component:
    return Component(CORE, tables.metadata, ENV_DIR / "versions")


def _config(component: Component, connection) -> Config:  # type: ignore[no-untyped-def]
    cfg = Config()
    cfg.set_main_option("script_location", str(ENV_DIR))
    cfg.set_main_option("version_locations", str(component.versions))
    cfg.set_main_option("path_separator", "os")
    cfg.attributes.update(
        connection=connection, metadata=component.metadata, version_table=component.version_table
    )
    return cfg


def head(component: Component) -> str | None:
    return _head(component.versions, _versions_stamp(component.versions))


def _versions_stamp(folder: Path) -> tuple[tuple[str, int], ...]:
    try:
        return tuple(sorted((e.name, e.stat().st_mtime_ns) for e in os.scandir(folder)))
    except FileNotFoundError:
        return ()


@functools.lru_cache(maxsize=64)
def _head(versions: Path, stamp: tuple[tuple[str, int], ...]) -> str | None:
    # Remembered while the revision files stay as they are: a state host checks
    # the schema of every instance it loads, each against the same histories.
    cfg = Config()
    cfg.set_main_option("script_location", str(ENV_DIR))
    cfg.set_main_option("version_locations", str(versions))
    cfg.set_main_option("path_separator", "os")
    return ScriptDirectory.from_config(cfg).get_current_head()


def state(db: Database, component: Component) -> ComponentState:
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"version_table": component.version_table})
        current = ctx.get_current_revision()
    return ComponentState(component.name, current, head(component))


def upgrade(
    db: Database,
    components: list[Component],
    target: str = "head",
    *,
    connection: Connection | None = None,
) -> list[ComponentState]:
    """Bring every component to ``target`` (default: its newest revision).

    With ``connection`` the migrations run inside the caller's transaction
    (restore: schema and data change together or not at all) and no states
    are returned, since reading them on another connection would not see them.
    """
    if connection is not None:
        for component in components:
            command.upgrade(_config(component, connection), target)
        return []
    before = [state(db, c).current for c in components]
    for component in components:
        with db._write_engine.begin() as conn:
            command.upgrade(_config(component, conn), target)
    after = [state(db, c) for c in components]
    upgraded = [
        c
        for c, old, new in zip(components, before, after, strict=True)
        if old not in (None, new.current)
    ]
    if upgraded:
        # Migrations rewrite rows (drop a column, new keys): only rewriting
        # the files leaves neither the old values nor the old order behind.
        db.compact(
            *(t.name for c in upgraded for t in c.metadata.sorted_tables if t.primary_key.columns)
        )
    return after


def revision(db: Database, component: Component, message: str, autogenerate: bool = True) -> None:
    """Write a new revision for a component (for plugin authors)."""
    with db.engine.begin() as conn:
        command.revision(_config(component, conn), message=message, autogenerate=autogenerate)


def outdated(db: Database, components: list[Component]) -> list[Problem]:
    problems = []
    for component in components:
        st = state(db, component)
        if not st.up_to_date:
            problems.append(
                Problem(
                    "database",
                    component.name,
                    f"schema at revision {st.current or 'none'}, expected {st.head}: "
                    "run 'willkommen db upgrade'",
                )
            )
    return problems
