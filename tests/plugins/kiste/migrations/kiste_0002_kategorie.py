"""kiste: a category for every item, "alt" for the items that existed before

Revision ID: kiste_0002
Revises: kiste_0001
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "kiste_0002"
down_revision = "kiste_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("kiste_items", sa.Column("kategorie", sa.String(30)))
    # A data migration: restoring an older backup must run it on the restored rows.
    op.execute("UPDATE kiste_items SET kategorie = 'alt'")


def downgrade() -> None:
    with op.batch_alter_table("kiste_items") as batch:
        batch.drop_column("kategorie")
