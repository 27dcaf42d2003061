"""The guidance system's tables (own metadata: only these are migrated for the plugin).

Per site (``authority.sites[].name``): buildings, their floors, the rooms and
counters on each floor with the services offered there, and routes: from a
point (a room such as the entrance, the lift or the stairs) the direction to
a destination room.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table, Text, UniqueConstraint

from willkommen_core.sdk.tables import belongs_to

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
    belongs_to("building_id", "leitsystem_buildings"),
    Column("level", Integer, nullable=False),
    UniqueConstraint("building_id", "level", name="uq_leitsystem_floors_building_level"),
)

rooms = Table(
    "leitsystem_rooms",
    metadata,
    Column("id", Integer, primary_key=True),
    belongs_to("floor_id", "leitsystem_floors"),
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
    belongs_to("from_room_id", "leitsystem_rooms"),
    belongs_to("to_room_id", "leitsystem_rooms"),
    Column("arrow", String(10), nullable=False),
    UniqueConstraint("from_room_id", "to_room_id", name="uq_leitsystem_routes_from_to"),
)
