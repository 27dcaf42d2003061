"""leitsystem: buildings, floors, rooms and routes

Revision ID: leitsystem_0001
Revises:
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "leitsystem_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "leitsystem_buildings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("site", sa.String(200), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.UniqueConstraint("site", "name", name="uq_leitsystem_buildings_site_name"),
    )
    op.create_index("ix_leitsystem_buildings_site", "leitsystem_buildings", ["site"])
    op.create_table(
        "leitsystem_floors",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "building_id",
            sa.Integer,
            sa.ForeignKey("leitsystem_buildings.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("level", sa.Integer, nullable=False),
        sa.UniqueConstraint("building_id", "level", name="uq_leitsystem_floors_building_level"),
    )
    op.create_index("ix_leitsystem_floors_building_id", "leitsystem_floors", ["building_id"])
    op.create_table(
        "leitsystem_rooms",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "floor_id",
            sa.Integer,
            sa.ForeignKey("leitsystem_floors.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("number", sa.String(20), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("services", sa.Text, nullable=False),
        sa.Column("opening_hours", sa.Text, nullable=False),
        sa.Column("accessibility", sa.Text, nullable=False),
    )
    op.create_index("ix_leitsystem_rooms_floor_id", "leitsystem_rooms", ["floor_id"])
    op.create_table(
        "leitsystem_routes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "from_room_id",
            sa.Integer,
            sa.ForeignKey("leitsystem_rooms.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "to_room_id",
            sa.Integer,
            sa.ForeignKey("leitsystem_rooms.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("arrow", sa.String(10), nullable=False),
        sa.UniqueConstraint("from_room_id", "to_room_id", name="uq_leitsystem_routes_from_to"),
    )
    op.create_index("ix_leitsystem_routes_from_room_id", "leitsystem_routes", ["from_room_id"])
    op.create_index("ix_leitsystem_routes_to_room_id", "leitsystem_routes", ["to_room_id"])


def downgrade() -> None:
    op.drop_table("leitsystem_routes")
    op.drop_table("leitsystem_rooms")
    op.drop_table("leitsystem_floors")
    op.drop_table("leitsystem_buildings")
