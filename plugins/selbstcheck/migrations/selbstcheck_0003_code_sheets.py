"""selbstcheck: one-time codes printed by the trusted person (separation of duties)

Leadership records how many codes a round needs; the codes are created only
when the trusted person (role ``vertrauensperson``) prints the sheet, once.
Rounds opened before this revision got their codes from leadership: they
count as printed, so no first sheet can be printed for them again.

Revision ID: selbstcheck_0003
Revises: selbstcheck_0002
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "selbstcheck_0003"
down_revision = "selbstcheck_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("selbstcheck_rounds", sa.Column("tokens_requested", sa.Integer))
    op.add_column(
        "selbstcheck_rounds",
        sa.Column("code_sheets", sa.Integer, nullable=False, server_default="0"),
    )
    # Closed rounds keep only the number of their codes (selbstcheck_0002).
    op.execute(
        "UPDATE selbstcheck_rounds SET code_sheets = 1, tokens_requested = coalesce("
        "tokens_issued, (SELECT count(*) FROM selbstcheck_tokens t"
        " WHERE t.round_id = selbstcheck_rounds.id))"
        " WHERE mode = 'tokens' AND status <> 'draft'"
    )


def downgrade() -> None:
    # Plain ALTER TABLE (SQLite >= 3.35): no copy of the table, whose
    # dependants would otherwise go with it (ON DELETE CASCADE).
    op.drop_column("selbstcheck_rounds", "code_sheets")
    op.drop_column("selbstcheck_rounds", "tokens_requested")
