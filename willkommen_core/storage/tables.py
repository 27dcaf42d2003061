"""The core's own tables: staff accounts, two-factor recovery codes, API tokens, login
throttling, action plan, audit log."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    false,
)

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
    # Set for a password someone else chose (the demo's, an admin's reset):
    # it opens only the page to choose one's own, and only until it expires.
    Column("must_change_password", Boolean, nullable=False, default=False, server_default=false()),
    Column("password_expires_at", DateTime(timezone=False)),
    # Two-factor login (TOTP, see willkommen_core.two_factor): the secret is
    # encrypted with a key derived from the instance's secret_key; it counts
    # once confirmed; the last accepted time step refuses a replayed code.
    Column("totp_secret", Text),
    Column("totp_confirmed_at", DateTime(timezone=False)),
    Column("totp_last_step", Integer),
    # Set when an admin resets the second factor: set it up again at next login.
    Column("totp_required", Boolean, nullable=False, default=False, server_default=false()),
    # The OpenID Connect subject of an account that logs in through the
    # identity provider; such an account may have no password ("").
    Column("oidc_subject", String(255), unique=True),
)

recovery_codes = Table(
    "core_recovery_codes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "user_id",
        Integer,
        ForeignKey("core_users.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    # SHA-256 of a one-time code of ~58 random bits; a used code is deleted.
    Column("code_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=False), nullable=False),
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
    Column("expires_at", DateTime(timezone=False), nullable=False),
    Column("revoked", Boolean, nullable=False, default=False),
)

sessions = Table(
    "core_sessions",
    metadata,
    # SHA-256 of the session token in the cookie: a copy of the database
    # does not let anyone take over a session.
    Column("id", String(64), primary_key=True),
    Column(
        "user_id",
        Integer,
        ForeignKey("core_users.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("created_at", DateTime(timezone=False), nullable=False),
    Column("expires_at", DateTime(timezone=False), nullable=False, index=True),
)

login_failures = Table(
    "core_login_failures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, index=True),
    # Who failed: "a:" + a keyed hash of the client address (no address is
    # stored) or "d:" + the id of a browser that logged in to the account before.
    Column("client", String(64), index=True),
    Column("at", DateTime(timezone=False), nullable=False, index=True),
)

# -- The action plan (Maßnahmenplan) ----------------------------------------------
# In the core because it is one model shared by the modules: the self-assessment
# turns recommendations into measures, the process templates fill working groups.
# Shaped like Magdeburg's working groups: goals, measures, first results.

plan_groups = Table(
    "core_plan_groups",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("cornerstones", String(200), nullable=False, default=""),
    Column("position", Integer, nullable=False, default=0),
    Column("created_at", DateTime(timezone=False), nullable=False),
)

plan_goals = Table(
    "core_plan_goals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "group_id",
        Integer,
        ForeignKey("core_plan_groups.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("text", Text, nullable=False),
    Column("position", Integer, nullable=False, default=0),
)

plan_measures = Table(
    "core_plan_measures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("group_id", Integer, ForeignKey("core_plan_groups.id", ondelete="SET NULL"), index=True),
    Column("title", String(300), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("cornerstone", String(32)),
    Column("owner", String(200), nullable=False, default=""),
    Column("due", Date),
    Column("status", String(16), nullable=False, default="offen"),
    Column("source", String(200), nullable=False, default=""),
    Column("created_at", DateTime(timezone=False), nullable=False),
    Column("updated_at", DateTime(timezone=False), nullable=False),
)

plan_results = Table(
    "core_plan_results",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "group_id",
        Integer,
        ForeignKey("core_plan_groups.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("text", Text, nullable=False),
    Column("recorded_on", Date, nullable=False),
)

# -- The audit log (see willkommen_core.audit) ---------------------------------------
# Who did what and when; never anything that links to an answer.

audit_log = Table(
    "core_audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    # UTC, to the second.
    Column("at", DateTime(timezone=False), nullable=False, index=True),
    Column("event", String(64), nullable=False, index=True),
    Column("actor_kind", String(16), nullable=False),
    Column("actor", String(100), nullable=False, default=""),
    Column("target", String(200), nullable=False, default=""),
    Column("details", Text, nullable=False, default="{}"),
)

generations = Table(
    "core_generations",
    metadata,
    # A counter per kind of shared state (e.g. "settings"): every process of
    # every machine compares it with the one it built its copy from, so a
    # change made through one process is seen by all at their next request.
    Column("name", String(32), primary_key=True),
    Column("value", Integer, nullable=False, default=0),
)
