"""core: server-side sessions (logout and password changes end them for good)

Revision ID: core_0003
Revises: core_0002
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "core_0003"
down_revision = "core_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "core_sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column(
            "user_id",
            sa.Integer,
            sa.ForeignKey("core_users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=False), nullable=False),
    )
    op.create_index("ix_core_sessions_user_id", "core_sessions", ["user_id"])
    op.create_index("ix_core_sessions_expires_at", "core_sessions", ["expires_at"])


def downgrade() -> None:
    op.drop_table("core_sessions")
