"""The training module's tables (own metadata: only these are migrated for the plugin).

Lists (languages, target groups, cornerstones) are stored as comma-separated
ids: they are short, validated against fixed vocabularies and never queried
one by one. Survey choices get their own table because results are counted
with ``GROUP BY``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from willkommen_core.sdk.tables import belongs_to

if TYPE_CHECKING:
    from willkommen_core.instance import Instance

metadata = MetaData()

meta = Table(
    "fortbildung_meta",
    metadata,
    Column("key", String(40), primary_key=True),
    Column("value", String(200), nullable=False),
)
"""Small state of the module, e.g. that the shipped catalogue was seeded once."""

entries = Table(
    "fortbildung_entries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(60), nullable=False, unique=True),
    Column("title", String(200), nullable=False),
    Column("category", String(20), nullable=False),
    Column("format", String(10), nullable=False),
    Column("duration_hours", Float, nullable=False),
    Column("provider", String(200), nullable=False, default=""),
    Column("partner_id", Integer),  # partner_partners.id, no FK: partner may be disabled
    Column("languages", String(200), nullable=False, default=""),
    Column("target_groups", String(500), nullable=False, default=""),
    Column("cornerstones", String(200), nullable=False, default=""),
    Column("description", Text, nullable=False, default=""),
    Column("shipped", Boolean, nullable=False, default=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=False), nullable=False),
    Column("updated_at", DateTime(timezone=False), nullable=False),
)

sessions = Table(
    "fortbildung_sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("entry_id", Integer, ForeignKey("fortbildung_entries.id"), nullable=False, index=True),
    Column("title", String(200), nullable=False, default=""),
    Column("starts_at", DateTime(timezone=False), nullable=False, index=True),
    Column("ends_at", DateTime(timezone=False), nullable=False),
    Column("location", String(200), nullable=False, default=""),
    Column("capacity", Integer),
    Column("notes", Text, nullable=False, default=""),
    Column("created_at", DateTime(timezone=False), nullable=False),
)

staff = Table(
    "fortbildung_staff",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("pseudonym", String(60), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=False), nullable=False),
)
"""Staff members only under a pseudonym or staff number the authority chooses."""

registrations = Table(
    "fortbildung_registrations",
    metadata,
    Column("id", Integer, primary_key=True),
    belongs_to("session_id", "fortbildung_sessions"),
    belongs_to("staff_id", "fortbildung_staff"),
    Column("attended", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=False), nullable=False),
    UniqueConstraint("session_id", "staff_id", name="uq_fortbildung_registration"),
)

surveys = Table(
    "fortbildung_surveys",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(20), nullable=False, unique=True),
    Column("title", String(200), nullable=False),
    Column("open", Boolean, nullable=False, default=True),
    Column("created_on", Date, nullable=False),
)

responses = Table(
    "fortbildung_responses",
    metadata,
    # A random UUID, and on SQLite stored in key order (WITHOUT ROWID): neither
    # the key nor the place of a row tells when it came (docs/privacy.md, "Storage").
    Column("id", String(32), primary_key=True),
    belongs_to("survey_id", "fortbildung_surveys"),
    Column("work_area", String(40), nullable=False, default=""),  # no day, time, IP or name
    sqlite_with_rowid=False,
    info={"answers": True},  # read only to feed the disclosure layer
)

choices = Table(
    "fortbildung_choices",
    metadata,
    Column(
        "response_id",
        String(32),
        ForeignKey("fortbildung_responses.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("kind", String(10), primary_key=True),  # "topic" | "format"
    Column("value", String(60), primary_key=True),
    sqlite_with_rowid=False,
    info={"answers": True},  # read only to feed the disclosure layer
)


def seed(instance: Instance) -> None:
    """After ``db upgrade``: the shipped catalogue, copied once (see store.ensure_seeded)."""
    from .store import ensure_seeded  # the store builds on these tables

    ensure_seeded(instance)
