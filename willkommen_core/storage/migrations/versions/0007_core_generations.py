"""core: generation counters of shared state

One row per kind of state that processes keep a copy of (``settings``):
a change bumps it, and every process serving the instance, on any machine,
rebuilds its copy when the number it sees differs from the one it built from.

Revision ID: core_0007
Revises: core_0006
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "core_0007"
down_revision = "core_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Empty: a counter's row appears with its first change (an empty new
    # database stays empty, e.g. to restore a backup into).
    op.create_table(
        "core_generations",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("value", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("core_generations")
