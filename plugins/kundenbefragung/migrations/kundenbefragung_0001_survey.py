"""kundenbefragung: anonymous responses, answers, comments, day counts, limits, kiosks, exclusions

Revision ID: kundenbefragung_0001
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "kundenbefragung_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kundenbefragung_responses",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("answered_on", sa.Date, nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("site", sa.String(200), nullable=False),
        sa.Column("service", sa.String(40), nullable=False),
        sa.Column("language", sa.String(10), nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_kundenbefragung_responses_answered_on", "kundenbefragung_responses", ["answered_on"]
    )
    op.create_table(
        "kundenbefragung_answers",
        sa.Column(
            "response_id",
            sa.String(32),
            sa.ForeignKey("kundenbefragung_responses.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("question_id", sa.String(40), primary_key=True),
        sa.Column("value", sa.SmallInteger),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "kundenbefragung_comments",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("answered_on", sa.Date, nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("site", sa.String(200), nullable=False),
        sa.Column("service", sa.String(40), nullable=False),
        sa.Column("language", sa.String(10), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_kundenbefragung_comments_answered_on", "kundenbefragung_comments", ["answered_on"]
    )
    op.create_table(
        "kundenbefragung_day_counts",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("site", sa.String(200), primary_key=True),
        sa.Column("channel", sa.String(10), primary_key=True),
        sa.Column("n", sa.Integer, nullable=False),
    )
    op.create_table(
        "kundenbefragung_windows",
        sa.Column("scope", sa.String(220), primary_key=True),
        sa.Column("window_start", sa.DateTime(timezone=False), nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
    )
    op.create_table(
        "kundenbefragung_kiosks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("site", sa.String(200), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("enrolled_on", sa.Date, nullable=False),
        sa.Column("enrolled_by", sa.String(200), nullable=False),
        sa.Column("revoked_on", sa.Date),
    )
    op.create_table(
        "kundenbefragung_exclusions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("site", sa.String(200), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("removed", sa.Integer, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("excluded_by", sa.String(200), nullable=False),
        sa.Column("excluded_on", sa.Date, nullable=False),
    )


def downgrade() -> None:
    for name in (
        "kundenbefragung_exclusions",
        "kundenbefragung_kiosks",
        "kundenbefragung_windows",
        "kundenbefragung_day_counts",
        "kundenbefragung_comments",
        "kundenbefragung_answers",
        "kundenbefragung_responses",
    ):
        op.drop_table(name)
