"""The guidance system's tables (own metadata: only these are migrated for the plugin).

Per site (``authority.sites[].name``): buildings, their floors, the rooms and
counters on each floor with the services offered there, and routes: from a
point (a room such as the entrance, the lift or the stairs) the direction to
a destination room.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, Text, UniqueConstraint

metadata = MetaData()

buildings = Table(
    "leitsystem_buildings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site", String(200), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("position", Integer, nullable=False, default=0),
    UniqueConstraint("site", "name", name="uq_leitsystem_buildings_site_name"),
)

floors = Table(
    "leitsystem_floors",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "building_id",
        Integer,
        ForeignKey("leitsystem_buildings.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("level", Integer, nullable=False),
    UniqueConstraint("building_id", "level", name="uq_leitsystem_floors_building_level"),
)

rooms = Table(
    "leitsystem_rooms",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "floor_id",
        Integer,
        ForeignKey("leitsystem_floors.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("number", String(20), nullable=False),
    Column("name", String(100), nullable=False, default=""),
    # Space-separated ids from services.toml / access flags: plain text on both databases.
    Column("services", Text, nullable=False, default=""),
    Column("opening_hours", Text, nullable=False, default=""),
    Column("accessibility", Text, nullable=False, default=""),
)

routes = Table(
    "leitsystem_routes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "from_room_id",
        Integer,
        ForeignKey("leitsystem_rooms.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column(
        "to_room_id",
        Integer,
        ForeignKey("leitsystem_rooms.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("arrow", String(10), nullable=False),
    UniqueConstraint("from_room_id", "to_room_id", name="uq_leitsystem_routes_from_to"),
)
