"""prozesse: instantiated process plans, their phases and steps

Revision ID: prozesse_0001
Revises:
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "prozesse_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "prozesse_plans",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("template_id", sa.String(64), nullable=False),
        sa.Column("template_version", sa.String(32), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("start_date", sa.Date, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
    )
    op.create_table(
        "prozesse_phases",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "plan_id",
            sa.Integer,
            sa.ForeignKey("prozesse_plans.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.create_index("ix_prozesse_phases_plan_id", "prozesse_phases", ["plan_id"])
    op.create_table(
        "prozesse_steps",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "plan_id",
            sa.Integer,
            sa.ForeignKey("prozesse_plans.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "phase_id",
            sa.Integer,
            sa.ForeignKey("prozesse_phases.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("template_step", sa.String(64)),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("planned_on", sa.Date),
        sa.Column("ends_on", sa.Date),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("participants", sa.String(1000), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("expected_result", sa.Text, nullable=False),
        sa.Column("result_notes", sa.Text, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=False), nullable=False),
    )
    op.create_index("ix_prozesse_steps_plan_id", "prozesse_steps", ["plan_id"])
    op.create_index("ix_prozesse_steps_phase_id", "prozesse_steps", ["phase_id"])


def downgrade() -> None:
    op.drop_table("prozesse_steps")
    op.drop_table("prozesse_phases")
    op.drop_table("prozesse_plans")
