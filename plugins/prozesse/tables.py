"""The process module's tables (own metadata: only these are migrated for the plugin).

A plan is a copy of a template made at its instantiation, so leadership can
adapt it freely and a later change of the template file changes no plan.
"""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, Integer, MetaData, String, Table, Text

from willkommen_core.sdk.tables import belongs_to

metadata = MetaData()

plans = Table(
    "prozesse_plans",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("template_id", String(64), nullable=False),
    Column("template_version", String(32), nullable=False),
    Column("title", String(200), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("created_at", DateTime(timezone=False), nullable=False),
)

phases = Table(
    "prozesse_phases",
    metadata,
    Column("id", Integer, primary_key=True),
    belongs_to("plan_id", "prozesse_plans"),
    Column("key", String(64), nullable=False),
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("position", Integer, nullable=False),
)

steps = Table(
    "prozesse_steps",
    metadata,
    Column("id", Integer, primary_key=True),
    belongs_to("plan_id", "prozesse_plans"),
    belongs_to("phase_id", "prozesse_phases"),
    Column("template_step", String(64)),
    Column("title", String(300), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("planned_on", Date),
    Column("ends_on", Date),
    Column("owner", String(200), nullable=False, default=""),
    Column("participants", String(1000), nullable=False, default=""),
    Column("status", String(16), nullable=False, default="geplant"),
    Column("expected_result", Text, nullable=False, default=""),
    Column("result_notes", Text, nullable=False, default=""),
    Column("position", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=False), nullable=False),
)
