"""``kiste``: a test-only plugin contributing tables of every column type.

Used by the storage and backup tests, either handed to an instance with
``make_instance(..., extra_plugins=(("kiste", module),))`` or copied into an
instance's ``plugins/`` folder as a local plugin (so the CLI finds it too).
"""

from pathlib import Path

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
)

from willkommen_core.hookspecs import hookimpl
from willkommen_core.types import ModuleInfo, PluginStorage

metadata = MetaData()

items = Table(
    "kiste_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("notes", Text),
    Column("seen_at", DateTime(timezone=False)),
    Column("stamped_at", DateTime(timezone=True)),
    Column("day", Date),
    Column("active", Boolean),
    Column("blob", LargeBinary),
    Column("amount", Numeric(12, 4)),
    # The migration adds a foreign key to core_users: the core's table is not in
    # this metadata, and a backup must load core rows before these.
    Column("owner_id", Integer),
    Column("kategorie", String(30)),  # since kiste_0002
)

# Sorts before kiste_items by name but must be loaded after it.
attachments = Table(
    "kiste_anhang",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("item_id", Integer, ForeignKey("kiste_items.id"), nullable=False),
    Column("label", String(50), nullable=False),
)


@hookimpl
def module_info():
    return ModuleInfo(title="Kiste", summary="test plugin")


@hookimpl
def storage():
    return PluginStorage(metadata, Path(__file__).parent / "migrations")
