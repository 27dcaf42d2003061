"""selbstcheck: storage that cannot link (no submission day, no codes of closed rounds)

* ``selbstcheck_responses.day`` goes: the round's opening and closing days
  are all that is kept of when answers came.
* A closed round's one-time codes are deleted (useless after closing); how
  many there were and were used stays in the new columns
  ``selbstcheck_rounds.tokens_issued`` and ``tokens_used``.
* PostgreSQL: the answer tables are rewritten, so every existing row gets
  this transaction's id and the files hold them in key order, without the
  dropped column's values (``DROP COLUMN`` alone leaves them in the rows).
  SQLite rewrites the rows without the column here and the whole file in
  key order right after the upgrade (``migrate.upgrade`` compacts it).

See docs/privacy.md, "Storage".

Revision ID: selbstcheck_0002
Revises: selbstcheck_0001
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "selbstcheck_0002"
down_revision = "selbstcheck_0001"
branch_labels = None
depends_on = None

KEYS = {
    # parents before children
    "selbstcheck_responses": "id",
    "selbstcheck_answers": "response_id, item_id",
    "selbstcheck_comments": "id",
}
OF_ROUND = "FROM selbstcheck_tokens t WHERE t.round_id = selbstcheck_rounds.id"


def upgrade() -> None:
    # Plain ALTER TABLE (SQLite >= 3.35): no copy of the table, whose
    # dependants would otherwise go with it (ON DELETE CASCADE).
    op.drop_column("selbstcheck_responses", "day")
    op.add_column("selbstcheck_rounds", sa.Column("tokens_issued", sa.Integer))
    op.add_column("selbstcheck_rounds", sa.Column("tokens_used", sa.Integer))
    op.execute(
        f"UPDATE selbstcheck_rounds SET tokens_issued = (SELECT count(*) {OF_ROUND}),"  # noqa: S608 (constants)
        f" tokens_used = (SELECT count(*) {OF_ROUND} AND t.used)"
        " WHERE status = 'closed' AND mode = 'tokens'"
    )
    op.execute(
        "DELETE FROM selbstcheck_tokens WHERE round_id IN"
        " (SELECT id FROM selbstcheck_rounds WHERE status = 'closed')"
    )
    if op.get_context().dialect.name == "postgresql":
        _rewrite_in_key_order()


def _rewrite_in_key_order() -> None:
    """Every answer row anew, in key order, in this transaction; then new files."""
    for table in KEYS:
        op.execute(f"CREATE TEMPORARY TABLE keep_{table} ON COMMIT DROP AS SELECT * FROM {table}")  # noqa: S608
    for table in reversed(KEYS):
        op.execute(f"DELETE FROM {table}")  # noqa: S608 (table names are constants)
    for table, key in KEYS.items():
        op.execute(f"INSERT INTO {table} SELECT * FROM keep_{table} ORDER BY {key}")  # noqa: S608
    for table in (*KEYS, "selbstcheck_tokens"):
        # A rewrite: dead row versions and the dropped column's values go.
        op.execute(f"CLUSTER {table} USING {table}_pkey")


def downgrade() -> None:
    # The days are gone for good: a response gets its round's opening day
    # (or, never opened, the day the round was created).
    created = "CAST(r.created_at AS DATE)"
    if op.get_context().dialect.name == "sqlite":
        created = "date(r.created_at)"
    op.add_column("selbstcheck_responses", sa.Column("day", sa.Date))
    op.execute(
        f"UPDATE selbstcheck_responses SET day = (SELECT coalesce(r.opened_on, {created})"  # noqa: S608
        " FROM selbstcheck_rounds r WHERE r.id = selbstcheck_responses.round_id)"
    )
    op.drop_column("selbstcheck_rounds", "tokens_used")
    op.drop_column("selbstcheck_rounds", "tokens_issued")
