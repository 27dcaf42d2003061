"""fortbildung: needs survey answers that cannot be linked

A response's key becomes a random UUID instead of a counter (stored in key
order: WITHOUT ROWID on SQLite, inserted in key order elsewhere) and the day
it came (``submitted_on``) goes; its choices follow the new key. Existing
answers are kept, each under a new random key.

Revision ID: fortbildung_0002
Revises: fortbildung_0001
Create Date: 2026-11-26
"""

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "fortbildung_0002"
down_revision = "fortbildung_0001"
branch_labels = None
depends_on = None

RESPONSES = "fortbildung_responses"
CHOICES = "fortbildung_choices"
TMP = "_tmp"


def upgrade() -> None:
    _rebuild(sa.String(32), lambda _old, _n: uuid.uuid4().hex, with_day=False)


def downgrade() -> None:
    # Counters in key order; the days are gone for good: each gets its survey's creation day.
    _rebuild(sa.Integer(), lambda _old, n: n + 1, with_day=True)


def _rebuild(
    key: sa.types.TypeEngine[Any], new_key: Callable[[Any, int], Any], *, with_day: bool
) -> None:
    conn = op.get_bind()
    old_responses = sa.table(
        RESPONSES, sa.column("id"), sa.column("survey_id"), sa.column("work_area")
    )
    old_choices = sa.table(CHOICES, sa.column("response_id"), sa.column("kind"), sa.column("value"))
    surveys = sa.table("fortbildung_surveys", sa.column("id"), sa.column("created_on"))
    found = conn.execute(
        sa.select(old_responses, surveys.c.created_on)
        .join(surveys, surveys.c.id == old_responses.c.survey_id)
        .order_by(old_responses.c.id)
    ).all()
    keys = {row.id: new_key(row.id, n) for n, row in enumerate(found)}
    picked = conn.execute(sa.select(old_choices)).all()

    rowid = with_day  # the counter table had a rowid; the UUID one has none
    day = [sa.Column("submitted_on", sa.Date, nullable=False)] if with_day else []
    new_responses = op.create_table(
        RESPONSES + TMP,
        sa.Column("id", key, primary_key=True),
        sa.Column(
            "survey_id",
            sa.Integer,
            sa.ForeignKey("fortbildung_surveys.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("work_area", sa.String(40), nullable=False),
        *day,
        sqlite_with_rowid=rowid,
    )
    new_choices = op.create_table(
        CHOICES + TMP,
        sa.Column(
            "response_id",
            key,
            sa.ForeignKey(f"{RESPONSES}{TMP}.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("kind", sa.String(10), primary_key=True),
        sa.Column("value", sa.String(60), primary_key=True),
        sqlite_with_rowid=rowid,
    )
    heads: list[dict[str, Any]] = [
        {
            "id": keys[row.id],
            "survey_id": row.survey_id,
            "work_area": row.work_area,
            **({"submitted_on": _day(row.created_on)} if with_day else {}),
        }
        for row in found
    ]
    rows = [{"response_id": keys[r.response_id], "kind": r.kind, "value": r.value} for r in picked]
    # In key order, so the order rows are stored in tells nothing either.
    if heads:
        op.bulk_insert(new_responses, sorted(heads, key=lambda h: h["id"]))
    if rows:
        op.bulk_insert(
            new_choices, sorted(rows, key=lambda r: (r["response_id"], r["kind"], r["value"]))
        )
    op.drop_table(CHOICES)
    op.drop_table(RESPONSES)  # its rows' choices are gone already: no cascade
    # SQLite rewrites the choices' reference to the renamed table (no legacy_alter_table).
    op.rename_table(RESPONSES + TMP, RESPONSES)
    op.rename_table(CHOICES + TMP, CHOICES)
    if conn.dialect.name == "postgresql":
        for table, old, new in (
            (RESPONSES, f"{RESPONSES}{TMP}_pkey", f"{RESPONSES}_pkey"),
            (RESPONSES, f"{RESPONSES}{TMP}_survey_id_fkey", f"{RESPONSES}_survey_id_fkey"),
            (CHOICES, f"{CHOICES}{TMP}_pkey", f"{CHOICES}_pkey"),
            (CHOICES, f"{CHOICES}{TMP}_response_id_fkey", f"{CHOICES}_response_id_fkey"),
        ):
            op.execute(f"ALTER TABLE {table} RENAME CONSTRAINT {old} TO {new}")
    op.create_index("ix_fortbildung_responses_survey_id", RESPONSES, ["survey_id"])


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
