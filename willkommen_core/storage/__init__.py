"""Storage: SQLAlchemy engine, core tables, migrations, backup."""

from .db import Database

__all__ = ["Database"]
