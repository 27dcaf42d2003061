"""kiste: items of every column type and their attachments

Revision ID: kiste_0001
Revises:
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "kiste_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kiste_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("notes", sa.Text),
        sa.Column("seen_at", sa.DateTime(timezone=False)),
        sa.Column("stamped_at", sa.DateTime(timezone=True)),
        sa.Column("day", sa.Date),
        sa.Column("active", sa.Boolean),
        sa.Column("blob", sa.LargeBinary),
        sa.Column("amount", sa.Numeric(12, 4)),
        sa.Column("owner_id", sa.Integer, sa.ForeignKey("core_users.id")),
    )
    op.create_table(
        "kiste_anhang",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("kiste_items.id"), nullable=False),
        sa.Column("label", sa.String(50), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("kiste_anhang")
    op.drop_table("kiste_items")
