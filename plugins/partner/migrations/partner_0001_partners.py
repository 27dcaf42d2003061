"""partner: partners and the languages they offer

Revision ID: partner_0001
Revises:
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "partner_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "partner_partners",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("services", sa.Text, nullable=False),
        sa.Column("contact_person", sa.String(200), nullable=False),
        sa.Column("phone", sa.String(50), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("website", sa.String(500), nullable=False),
        sa.Column("street", sa.String(200), nullable=False),
        sa.Column("postcode", sa.String(10), nullable=False),
        sa.Column("city", sa.String(100), nullable=False),
        sa.Column("opening_hours", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("last_contact", sa.Date),
        sa.Column("notes", sa.Text, nullable=False),
        sa.Column("public", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=False), nullable=False),
    )
    op.create_index("ix_partner_partners_name", "partner_partners", ["name"])
    op.create_table(
        "partner_languages",
        sa.Column(
            "partner_id",
            sa.Integer,
            sa.ForeignKey("partner_partners.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("code", sa.String(12), primary_key=True),
    )
    op.create_index("ix_partner_languages_code", "partner_languages", ["code"])


def downgrade() -> None:
    op.drop_table("partner_languages")
    op.drop_table("partner_partners")
