"""Tables of the customer survey (own metadata: only these are migrated for it).

Nothing personal by construction (docs/kundenbefragung.md, "What is stored"):
a response holds the day (turned into the first of its month once the month's
results are final), the channel (QR code or kiosk), the site, the service and the
survey language if given, the waiting-time band and the ratings; no name,
address, user agent, time of day or kiosk. Keys are random and on SQLite the
answer tables are ``WITHOUT ROWID``, so no counter tells the order of arrival.
Comments are stored apart from the ratings (own random key).
"""

from __future__ import annotations

from sqlalchemy import (
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

metadata = MetaData()

responses = Table(
    "kundenbefragung_responses",
    metadata,
    Column("id", String(32), primary_key=True),  # random UUID
    Column("answered_on", Date, nullable=False, index=True),
    Column("channel", String(10), nullable=False),  # "qr" | "kiosk"
    Column("site", String(200), nullable=False, default=""),
    Column("service", String(40), nullable=False, default=""),
    Column("language", String(10), nullable=False),
    sqlite_with_rowid=False,
    info={"answers": True},  # read only to feed the disclosure layer
)

answers = Table(
    "kundenbefragung_answers",
    metadata,
    Column(
        "response_id",
        String(32),
        ForeignKey("kundenbefragung_responses.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("question_id", String(40), primary_key=True),
    Column("value", SmallInteger),  # 1..5 (rating or waiting band); NULL: "weiß nicht"
    sqlite_with_rowid=False,
    info={"answers": True},  # read only to feed the disclosure layer
)

comments = Table(
    "kundenbefragung_comments",
    metadata,
    Column("id", String(32), primary_key=True),  # random UUID, no link to a response
    Column("answered_on", Date, nullable=False, index=True),
    Column("channel", String(10), nullable=False),
    Column("site", String(200), nullable=False, default=""),
    Column("service", String(40), nullable=False, default=""),
    Column("language", String(10), nullable=False),
    Column("text", Text, nullable=False),
    sqlite_with_rowid=False,
    info={"answers": True},  # read only to feed the disclosure layer
)

day_counts = Table(
    "kundenbefragung_day_counts",
    metadata,
    # Submissions per day, site and channel of months not yet final: finding
    # unusual bursts needs no answer. Deleted when a month becomes final.
    Column("day", Date, primary_key=True),
    Column("site", String(200), primary_key=True),
    Column("channel", String(10), primary_key=True),
    Column("n", Integer, nullable=False),
)

windows = Table(
    "kundenbefragung_windows",
    metadata,
    # The submission limit: one row per scope ("qr:<site>", "kiosk:<id>") for the
    # current window only, so no history of when answers came is kept.
    Column("scope", String(220), primary_key=True),
    Column("window_start", DateTime(timezone=False), nullable=False),
    Column("n", Integer, nullable=False),
)

kiosks = Table(
    "kundenbefragung_kiosks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("site", String(200), nullable=False, default=""),
    Column("key_hash", String(64), nullable=False, unique=True),  # SHA-256 of the device key
    Column("enrolled_on", Date, nullable=False),
    Column("enrolled_by", String(200), nullable=False),
    Column("revoked_on", Date),
)

exclusions = Table(
    "kundenbefragung_exclusions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("day", Date, nullable=False),
    Column("site", String(200), nullable=False, default=""),
    Column("channel", String(10), nullable=False),
    Column("removed", Integer, nullable=False),
    Column("reason", Text, nullable=False),
    Column("excluded_by", String(200), nullable=False),
    Column("excluded_on", Date, nullable=False),
)
