"""The core's own tables: staff accounts, API tokens, login throttling."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Integer, MetaData, String, Table

metadata = MetaData()

users = Table(
    "core_users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=False), nullable=False),
    Column("last_login_at", DateTime(timezone=False)),
)

api_tokens = Table(
    "core_api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("role", String(16), nullable=False),
    # SHA-256 of a 256-bit random token: a slow hash adds nothing to such
    # entropy and would cost every API request.
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=False), nullable=False),
    Column("last_used_at", DateTime(timezone=False)),
    Column("revoked", Boolean, nullable=False, default=False),
)

login_failures = Table(
    "core_login_failures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, index=True),
    Column("at", DateTime(timezone=False), nullable=False, index=True),
)
