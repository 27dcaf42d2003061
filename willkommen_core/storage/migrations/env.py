"""Alembic env: runs one component's history (core or a plugin) on a given connection.

:mod:`willkommen_core.storage.migrate` passes the connection, the
component's metadata and its version table through ``config.attributes``.
"""

from alembic import context

config = context.config
connection = config.attributes["connection"]
metadata = config.attributes["metadata"]
version_table = config.attributes["version_table"]
own_tables = {t.name for t in metadata.sorted_tables}


def include_name(name, type_, _parent_names):  # type: ignore[no-untyped-def]
    # Other components' tables live in the same database: never touch them.
    return type_ != "table" or name in own_tables


context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=version_table,
    include_name=include_name,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
