"""selbstcheck: rounds, one-time codes, anonymous responses, answers, comments

Revision ID: selbstcheck_0001
Revises:
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "selbstcheck_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "selbstcheck_rounds",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("period_start", sa.Date),
        sa.Column("period_end", sa.Date),
        sa.Column("mode", sa.String(10), nullable=False),
        sa.Column("code", sa.String(20), unique=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("questionnaire_version", sa.String(40), nullable=False),
        sa.Column("questionnaire", sa.Text, nullable=False),
        sa.Column("notice", sa.Text, nullable=False),
        sa.Column("require_agreement", sa.Boolean, nullable=False),
        sa.Column("staff_council_agreed_on", sa.Date),
        sa.Column("dpo_agreed_on", sa.Date),
        sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("opened_on", sa.Date),
        sa.Column("closed_on", sa.Date),
    )
    op.create_table(
        "selbstcheck_tokens",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column(
            "round_id",
            sa.Integer,
            sa.ForeignKey("selbstcheck_rounds.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("used", sa.Boolean, nullable=False),
    )
    op.create_index("ix_selbstcheck_tokens_round_id", "selbstcheck_tokens", ["round_id"])
    op.create_table(
        "selbstcheck_responses",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "round_id",
            sa.Integer,
            sa.ForeignKey("selbstcheck_rounds.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("perspective", sa.String(20), nullable=False),
        sa.Column("area", sa.String(100), nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_selbstcheck_responses_round_id", "selbstcheck_responses", ["round_id"])
    op.create_table(
        "selbstcheck_answers",
        sa.Column(
            "response_id",
            sa.String(32),
            sa.ForeignKey("selbstcheck_responses.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("item_id", sa.String(60), primary_key=True),
        sa.Column("value", sa.SmallInteger),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "selbstcheck_comments",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "round_id",
            sa.Integer,
            sa.ForeignKey("selbstcheck_rounds.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("cornerstone", sa.String(40), nullable=False),
        sa.Column("perspective", sa.String(20), nullable=False),
        sa.Column("area", sa.String(100), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_selbstcheck_comments_round_id", "selbstcheck_comments", ["round_id"])


def downgrade() -> None:
    op.drop_table("selbstcheck_comments")
    op.drop_table("selbstcheck_answers")
    op.drop_table("selbstcheck_responses")
    op.drop_table("selbstcheck_tokens")
    op.drop_table("selbstcheck_rounds")
