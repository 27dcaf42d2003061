"""core: accounts as IT departments run them

Passwords someone else chose must be changed at first login and expire;
API tokens expire (existing ones 90 days after this upgrade); login
failures remember which client failed, so throttling slows the guesser
and never locks out the account's owner.

Revision ID: core_0004
Revises: core_0003
Create Date: 2026-11-26
"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "core_0004"
down_revision = "core_0003"
branch_labels = None
depends_on = None

EXISTING_TOKENS_VALID_FOR = timedelta(days=90)


def upgrade() -> None:
    with op.batch_alter_table("core_users") as batch:
        batch.add_column(
            sa.Column("must_change_password", sa.Boolean, nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("password_expires_at", sa.DateTime(timezone=False)))

    op.add_column("core_api_tokens", sa.Column("expires_at", sa.DateTime(timezone=False)))
    expiry = datetime.now(UTC).replace(tzinfo=None) + EXISTING_TOKENS_VALID_FOR
    tokens = sa.table("core_api_tokens", sa.column("expires_at", sa.DateTime))
    op.execute(tokens.update().values(expires_at=expiry))
    with op.batch_alter_table("core_api_tokens") as batch:
        batch.alter_column("expires_at", existing_type=sa.DateTime(timezone=False), nullable=False)

    op.add_column("core_login_failures", sa.Column("client", sa.String(64)))
    op.create_index("ix_core_login_failures_client", "core_login_failures", ["client"])


def downgrade() -> None:
    op.drop_index("ix_core_login_failures_client", "core_login_failures")
    with op.batch_alter_table("core_login_failures") as batch:
        batch.drop_column("client")
    with op.batch_alter_table("core_api_tokens") as batch:
        batch.drop_column("expires_at")
    with op.batch_alter_table("core_users") as batch:
        batch.drop_column("password_expires_at")
        batch.drop_column("must_change_password")
