"""Column helpers for a module's ``tables.py``."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer


def belongs_to(name: str, parent: str, *, index: bool = True) -> Column[int]:
    """A required reference to a row of ``parent`` (by its ``id``) that goes with it:
    deleting the parent deletes this row too (e.g. a plan's phases, a round's answers)."""
    return Column(
        name, Integer, ForeignKey(f"{parent}.id", ondelete="CASCADE"), nullable=False, index=index
    )
