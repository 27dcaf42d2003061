"""Alembic environment shared by the core and every plugin (one history each)."""
