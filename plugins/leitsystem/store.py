"""Reading and writing the building model (SQLAlchemy Core, both databases)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select, update

from .model import Building, Floor, Room, Route, Site
from .tables import buildings, floors, rooms, routes


def _split(value: str) -> tuple[str, ...]:
    return tuple(v for v in (value or "").split() if v)


def load(db: Any, site_names: list[str] | None = None) -> list[Site]:
    """All sites with data, in the order of ``site_names`` (the settings' order)."""
    with db.read() as s:
        b_rows = s.execute(select(buildings).order_by(buildings.c.position, buildings.c.id)).all()
        f_rows = s.execute(select(floors).order_by(floors.c.level)).all()
        r_rows = s.execute(select(rooms).order_by(rooms.c.number, rooms.c.id)).all()
        w_rows = s.execute(select(routes).order_by(routes.c.id)).all()
    by_floor: dict[int, list[Room]] = {}
    number_of: dict[int, str] = {}
    building_of_floor: dict[int, int] = {}
    for r in r_rows:
        number_of[r.id] = r.number
        by_floor.setdefault(r.floor_id, []).append(
            Room(
                r.number,
                _split(r.services),
                r.name,
                r.opening_hours,
                _split(r.accessibility),
                r.id,
            )
        )
    by_building: dict[int, list[Floor]] = {}
    for f in f_rows:
        building_of_floor[f.id] = f.building_id
        by_building.setdefault(f.building_id, []).append(
            Floor(f.level, by_floor.get(f.id, []), f.id)
        )
    room_building = {
        r.id: building_of_floor.get(r.floor_id) for r in r_rows if r.floor_id in building_of_floor
    }
    routes_of: dict[int, list[Route]] = {}
    for w in w_rows:
        bid = room_building.get(w.from_room_id)
        if bid is None or w.to_room_id not in number_of:
            continue
        routes_of.setdefault(bid, []).append(
            Route(number_of[w.from_room_id], number_of[w.to_room_id], w.arrow, w.id)
        )
    sites: dict[str, Site] = {}
    for b in b_rows:
        site = sites.setdefault(b.site, Site(b.site))
        site.buildings.append(
            Building(b.name, by_building.get(b.id, []), routes_of.get(b.id, []), b.id)
        )
    order = {name: i for i, name in enumerate(site_names or [])}
    return sorted(sites.values(), key=lambda s: (order.get(s.name, len(order)), s.name))


def replace(db: Any, sites: list[Site]) -> None:
    """Replace the data of each given site with it, in one transaction."""
    with db.write() as s:
        for site in sites:
            s.execute(delete(buildings).where(buildings.c.site == site.name))
            for pos, b in enumerate(site.buildings):
                bid = s.execute(
                    insert(buildings).values(site=site.name, name=b.name, position=pos)
                ).inserted_primary_key[0]
                ids: dict[str, int] = {}
                for f in b.floors:
                    fid = s.execute(
                        insert(floors).values(building_id=bid, level=f.level)
                    ).inserted_primary_key[0]
                    for r in f.rooms:
                        ids[r.number] = s.execute(
                            insert(rooms).values(**_room_values(r), floor_id=fid)
                        ).inserted_primary_key[0]
                for w in b.routes:
                    s.execute(
                        insert(routes).values(
                            from_room_id=ids[w.origin], to_room_id=ids[w.destination], arrow=w.arrow
                        )
                    )


def _room_values(r: Room) -> dict[str, Any]:
    return {
        "number": r.number,
        "name": r.name,
        "services": " ".join(r.services),
        "opening_hours": r.opening_hours,
        "accessibility": " ".join(r.accessibility),
    }


def is_empty(db: Any) -> bool:
    with db.read() as s:
        return s.execute(select(buildings.c.id).limit(1)).first() is None


# -- single edits from the web forms -------------------------------------------------


def building_exists(db: Any, site: str, name: str, except_id: int | None = None) -> bool:
    q = select(buildings.c.id).where(buildings.c.site == site, buildings.c.name == name)
    if except_id is not None:
        q = q.where(buildings.c.id != except_id)
    with db.read() as s:
        return s.execute(q).first() is not None


def add_building(db: Any, site: str, name: str) -> int:
    with db.write() as s:
        count = len(s.execute(select(buildings.c.id).where(buildings.c.site == site)).all())
        return s.execute(
            insert(buildings).values(site=site, name=name, position=count)
        ).inserted_primary_key[0]


def floor_exists(db: Any, building_id: int, level: int) -> bool:
    with db.read() as s:
        return (
            s.execute(
                select(floors.c.id).where(
                    floors.c.building_id == building_id, floors.c.level == level
                )
            ).first()
            is not None
        )


def add_floor(db: Any, building_id: int, level: int) -> int:
    with db.write() as s:
        return s.execute(
            insert(floors).values(building_id=building_id, level=level)
        ).inserted_primary_key[0]


def building_of_floor(db: Any, floor_id: int) -> int | None:
    with db.read() as s:
        return s.execute(
            select(floors.c.building_id).where(floors.c.id == floor_id)
        ).scalar_one_or_none()


def room_number_taken(db: Any, building_id: int, number: str, except_id: int | None) -> bool:
    q = (
        select(rooms.c.id)
        .join(floors, rooms.c.floor_id == floors.c.id)
        .where(floors.c.building_id == building_id, rooms.c.number == number)
    )
    if except_id is not None:
        q = q.where(rooms.c.id != except_id)
    with db.read() as s:
        return s.execute(q).first() is not None


def save_room(db: Any, floor_id: int, room: Room, room_id: int | None = None) -> int:
    with db.write() as s:
        if room_id is None:
            return s.execute(
                insert(rooms).values(**_room_values(room), floor_id=floor_id)
            ).inserted_primary_key[0]
        s.execute(
            update(rooms)
            .where(rooms.c.id == room_id)
            .values(**_room_values(room), floor_id=floor_id)
        )
        return room_id


def room_row(db: Any, room_id: int) -> Any:
    with db.read() as s:
        return s.execute(select(rooms).where(rooms.c.id == room_id)).first()


def route_exists(db: Any, from_id: int, to_id: int) -> bool:
    with db.read() as s:
        return (
            s.execute(
                select(routes.c.id).where(
                    routes.c.from_room_id == from_id, routes.c.to_room_id == to_id
                )
            ).first()
            is not None
        )


def add_route(db: Any, from_id: int, to_id: int, arrow: str) -> int:
    with db.write() as s:
        return s.execute(
            insert(routes).values(from_room_id=from_id, to_room_id=to_id, arrow=arrow)
        ).inserted_primary_key[0]


TABLES = {"building": buildings, "floor": floors, "room": rooms, "route": routes}


def remove(db: Any, kind: str, item_id: int) -> bool:
    """Delete one item (and, by cascade, what it contains)."""
    table = TABLES[kind]
    with db.write() as s:
        # SQLite cascades only with foreign keys on; delete dependants explicitly too.
        if kind == "building":
            fids = select(floors.c.id).where(floors.c.building_id == item_id)
            _delete_rooms(s, select(rooms.c.id).where(rooms.c.floor_id.in_(fids)))
            s.execute(delete(floors).where(floors.c.building_id == item_id))
        elif kind == "floor":
            _delete_rooms(s, select(rooms.c.id).where(rooms.c.floor_id == item_id))
        elif kind == "room":
            found = s.execute(select(rooms.c.id).where(rooms.c.id == item_id)).first()
            _delete_rooms(s, select(rooms.c.id).where(rooms.c.id == item_id))
            return found is not None
        return s.execute(delete(table).where(table.c.id == item_id)).rowcount > 0


def _delete_rooms(s: Any, ids: Any) -> None:
    ids = [row[0] for row in s.execute(ids).all()]
    if not ids:
        return
    s.execute(delete(routes).where(routes.c.from_room_id.in_(ids) | routes.c.to_room_id.in_(ids)))
    s.execute(delete(rooms).where(rooms.c.id.in_(ids)))


def room_exists(db: Any, room_id: int) -> bool:
    return room_row(db, room_id) is not None
