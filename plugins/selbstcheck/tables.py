"""Tables of the self-assessment (own metadata: only these are migrated for it).

Anonymity by construction (docs/privacy.md, "Storage"):

* ``selbstcheck_responses`` holds perspective and optional work area only:
  no name, address, user agent, token, day or time. When answers came is
  kept only per round (``opened_on``/``closed_on``). Its key is a random
  UUID and on SQLite the table is ``WITHOUT ROWID`` (stored in key order),
  so neither the key nor, once compacted, the storage order reveals who
  answered when.
* ``selbstcheck_tokens`` knows only whether a one-time code is used: no
  timestamp, no reference to a response. Closing a round deletes its codes
  and keeps only their number (``tokens_issued``).
* ``selbstcheck_comments`` are stored apart from the answers (own random
  key, no response id), so a comment's wording cannot be used to read the
  writer's ratings.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
)

from willkommen_core.sdk.tables import belongs_to

metadata = MetaData()

rounds = Table(
    "selbstcheck_rounds",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", String(200), nullable=False),
    Column("period_start", Date),
    Column("period_end", Date),
    Column("mode", String(10), nullable=False),  # "code" | "tokens"
    Column("code", String(20), unique=True),  # shared participation code (mode "code")
    Column("status", String(10), nullable=False),  # "entwurf" | "offen" | "geschlossen"
    Column("questionnaire_version", String(40), nullable=False),
    Column("questionnaire", Text, nullable=False),  # the assembled questionnaire, frozen
    Column("notice", Text, nullable=False, default=""),  # the notice shown, frozen at opening
    Column("require_agreement", Boolean, nullable=False, default=False),
    Column("staff_council_agreed_on", Date),
    Column("dpo_agreed_on", Date),
    Column("created_at", DateTime(timezone=False), nullable=False),
    Column("opened_on", Date),
    Column("closed_on", Date),
    # Mode "tokens": how many one-time codes there were and were used, kept
    # when closing the round deletes the codes.
    Column("tokens_issued", Integer),
    Column("tokens_used", Integer),
    # Mode "tokens": codes asked for at opening; sheets printed by the trusted person.
    Column("tokens_requested", Integer),
    Column("code_sheets", Integer, nullable=False, default=0, server_default="0"),
)

tokens = Table(
    "selbstcheck_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    belongs_to("round_id", "selbstcheck_rounds"),
    Column("used", Boolean, nullable=False, default=False),
)

responses = Table(
    "selbstcheck_responses",
    metadata,
    Column("id", String(32), primary_key=True),  # random UUID
    belongs_to("round_id", "selbstcheck_rounds"),
    Column("perspective", String(20), nullable=False),
    Column("area", String(100), nullable=False, default=""),
    sqlite_with_rowid=False,
    info={"answers": True},  # read only to feed the disclosure layer
)

answers = Table(
    "selbstcheck_answers",
    metadata,
    Column(
        "response_id",
        String(32),
        ForeignKey("selbstcheck_responses.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("item_id", String(60), primary_key=True),
    Column("value", SmallInteger),  # 1..5; NULL: "kann ich nicht beurteilen"
    sqlite_with_rowid=False,
    info={"answers": True},  # read only to feed the disclosure layer
)

comments = Table(
    "selbstcheck_comments",
    metadata,
    Column("id", String(32), primary_key=True),  # random UUID, no link to a response
    belongs_to("round_id", "selbstcheck_rounds"),
    Column("cornerstone", String(40), nullable=False),
    Column("perspective", String(20), nullable=False),
    Column("area", String(100), nullable=False, default=""),
    Column("text", Text, nullable=False),
    sqlite_with_rowid=False,
    info={"answers": True},  # read only to feed the disclosure layer
)
