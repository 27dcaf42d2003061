"""Every module's hand-written migrations create exactly the tables its ``tables.py``
declares: nothing is left for Alembic to autogenerate (on SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

MODULES = ["fortbildung", "kundenbefragung", "leitsystem", "partner", "prozesse", "selbstcheck"]


@pytest.mark.parametrize("name", MODULES)
def test_the_migrations_of_a_module_match_its_tables(make_instance, name):
    instance = make_instance([name])
    metadata = instance.plugins.storages()[name].metadata
    own = {t.name for t in metadata.sorted_tables}
    with instance.db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn,  # the core's and other modules' tables are not this module's business
            opts={"include_name": lambda table, kind, _p: kind != "table" or table in own},
        )
        assert compare_metadata(context, metadata) == []
