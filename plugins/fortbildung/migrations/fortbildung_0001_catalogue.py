"""fortbildung: catalogue, annual plan, participation, needs survey

Revision ID: fortbildung_0001
Revises:
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "fortbildung_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fortbildung_meta",
        sa.Column("key", sa.String(40), primary_key=True),
        sa.Column("value", sa.String(200), nullable=False),
    )
    op.create_table(
        "fortbildung_entries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(60), nullable=False, unique=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("format", sa.String(10), nullable=False),
        sa.Column("duration_hours", sa.Float, nullable=False),
        sa.Column("provider", sa.String(200), nullable=False),
        sa.Column("partner_id", sa.Integer),
        sa.Column("languages", sa.String(200), nullable=False),
        sa.Column("target_groups", sa.String(500), nullable=False),
        sa.Column("cornerstones", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("shipped", sa.Boolean, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=False), nullable=False),
    )
    op.create_table(
        "fortbildung_sessions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("entry_id", sa.Integer, sa.ForeignKey("fortbildung_entries.id"), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("location", sa.String(200), nullable=False),
        sa.Column("capacity", sa.Integer),
        sa.Column("notes", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
    )
    op.create_index("ix_fortbildung_sessions_entry_id", "fortbildung_sessions", ["entry_id"])
    op.create_index("ix_fortbildung_sessions_starts_at", "fortbildung_sessions", ["starts_at"])
    op.create_table(
        "fortbildung_staff",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("pseudonym", sa.String(60), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
    )
    op.create_table(
        "fortbildung_registrations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "session_id",
            sa.Integer,
            sa.ForeignKey("fortbildung_sessions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "staff_id",
            sa.Integer,
            sa.ForeignKey("fortbildung_staff.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("attended", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
        sa.UniqueConstraint("session_id", "staff_id", name="uq_fortbildung_registration"),
    )
    op.create_index(
        "ix_fortbildung_registrations_session_id", "fortbildung_registrations", ["session_id"]
    )
    op.create_index(
        "ix_fortbildung_registrations_staff_id", "fortbildung_registrations", ["staff_id"]
    )
    op.create_table(
        "fortbildung_surveys",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(20), nullable=False, unique=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("open", sa.Boolean, nullable=False),
        sa.Column("created_on", sa.Date, nullable=False),
    )
    op.create_table(
        "fortbildung_responses",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "survey_id",
            sa.Integer,
            sa.ForeignKey("fortbildung_surveys.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("work_area", sa.String(40), nullable=False),
        sa.Column("submitted_on", sa.Date, nullable=False),
    )
    op.create_index("ix_fortbildung_responses_survey_id", "fortbildung_responses", ["survey_id"])
    op.create_table(
        "fortbildung_choices",
        sa.Column(
            "response_id",
            sa.Integer,
            sa.ForeignKey("fortbildung_responses.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("kind", sa.String(10), primary_key=True),
        sa.Column("value", sa.String(60), primary_key=True),
    )


def downgrade() -> None:
    for table in (
        "fortbildung_choices",
        "fortbildung_responses",
        "fortbildung_surveys",
        "fortbildung_registrations",
        "fortbildung_staff",
        "fortbildung_sessions",
        "fortbildung_entries",
        "fortbildung_meta",
    ):
        op.drop_table(table)
