"""The partner list's tables (own metadata: only these are migrated for the plugin)."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

partners = Table(
    "partner_partners",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, index=True),
    Column("category", String(40), nullable=False),
    Column("services", Text, nullable=False, default=""),
    Column("contact_person", String(200), nullable=False, default=""),
    Column("phone", String(50), nullable=False, default=""),
    Column("email", String(254), nullable=False, default=""),
    Column("website", String(500), nullable=False, default=""),
    Column("street", String(200), nullable=False, default=""),
    Column("postcode", String(10), nullable=False, default=""),
    Column("city", String(100), nullable=False, default=""),
    Column("opening_hours", Text, nullable=False, default=""),
    Column("status", String(20), nullable=False),
    Column("last_contact", Date),
    Column("notes", Text, nullable=False, default=""),
    Column("public", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=False), nullable=False),
    Column("updated_at", DateTime(timezone=False), nullable=False),
)

# One row per language a partner offers: filterable with a plain join on both databases.
languages = Table(
    "partner_languages",
    metadata,
    Column(
        "partner_id",
        Integer,
        ForeignKey("partner_partners.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("code", String(12), primary_key=True, index=True),
)
