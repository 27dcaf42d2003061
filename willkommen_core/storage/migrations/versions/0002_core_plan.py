"""core: action plan (Maßnahmenplan) with working groups, goals, measures, first results

Revision ID: core_0002
Revises: core_0001
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "core_0002"
down_revision = "core_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "core_plan_groups",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("cornerstones", sa.String(200), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
    )
    op.create_table(
        "core_plan_goals",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "group_id",
            sa.Integer,
            sa.ForeignKey("core_plan_groups.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.create_index("ix_core_plan_goals_group_id", "core_plan_goals", ["group_id"])
    op.create_table(
        "core_plan_measures",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "group_id", sa.Integer, sa.ForeignKey("core_plan_groups.id", ondelete="SET NULL")
        ),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("cornerstone", sa.String(32)),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("due", sa.Date),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=False), nullable=False),
    )
    op.create_index("ix_core_plan_measures_group_id", "core_plan_measures", ["group_id"])
    op.create_table(
        "core_plan_results",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "group_id",
            sa.Integer,
            sa.ForeignKey("core_plan_groups.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("recorded_on", sa.Date, nullable=False),
    )
    op.create_index("ix_core_plan_results_group_id", "core_plan_results", ["group_id"])


def downgrade() -> None:
    op.drop_table("core_plan_results")
    op.drop_table("core_plan_measures")
    op.drop_table("core_plan_goals")
    op.drop_table("core_plan_groups")
