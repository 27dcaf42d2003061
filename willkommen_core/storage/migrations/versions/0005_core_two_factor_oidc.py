"""core: two-factor login (TOTP) and login through OpenID Connect

Accounts get an encrypted TOTP secret, the time step of the last accepted
code (no replay), a flag an admin's reset sets (set it up again), one-time
recovery codes (hashed), and the OpenID Connect subject of an account that
logs in through the identity provider.

Revision ID: core_0005
Revises: core_0004
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "core_0005"
down_revision = "core_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("core_users") as batch:
        batch.add_column(sa.Column("totp_secret", sa.Text))
        batch.add_column(sa.Column("totp_confirmed_at", sa.DateTime(timezone=False)))
        batch.add_column(sa.Column("totp_last_step", sa.Integer))
        batch.add_column(
            sa.Column("totp_required", sa.Boolean, nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("oidc_subject", sa.String(255)))
        batch.create_unique_constraint("uq_core_users_oidc_subject", ["oidc_subject"])
    op.create_table(
        "core_recovery_codes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "user_id",
            sa.Integer,
            sa.ForeignKey("core_users.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("code_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("core_recovery_codes")
    with op.batch_alter_table("core_users") as batch:
        batch.drop_constraint("uq_core_users_oidc_subject", type_="unique")
        batch.drop_column("oidc_subject")
        batch.drop_column("totp_required")
        batch.drop_column("totp_last_step")
        batch.drop_column("totp_confirmed_at")
        batch.drop_column("totp_secret")
