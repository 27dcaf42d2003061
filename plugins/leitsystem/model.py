"""The building model as plain data, with the validation shared by forms and file import.

A site (Standort, from ``authority.sites``) has buildings; a building has
floors (level 0 = ground floor) with rooms and counters, and routes: from a
room that serves as a point of orientation (entrance, lift, stairs) the
arrow towards a destination room of the same building.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from . import hours
from .content import ACCESS_FLAGS, ARROWS

ROOM_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-/ ]{0,19}$")
MIN_LEVEL, MAX_LEVEL = -5, 60


@dataclass
class Room:
    number: str
    services: tuple[str, ...]
    name: str = ""
    opening_hours: str = ""
    accessibility: tuple[str, ...] = ()
    id: int | None = None


@dataclass
class Floor:
    level: int
    rooms: list[Room] = field(default_factory=list)
    id: int | None = None


@dataclass
class Route:
    origin: str
    """Room number of the point the sign hangs at."""
    destination: str
    arrow: str
    id: int | None = None


@dataclass
class Building:
    name: str
    floors: list[Floor] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    id: int | None = None

    def rooms(self) -> dict[str, tuple[Floor, Room]]:
        return {r.number: (f, r) for f in self.floors for r in f.rooms}


@dataclass
class Site:
    name: str
    buildings: list[Building] = field(default_factory=list)


# -- single fields (forms and import share these) -------------------------------------


def check_name(value: Any, what: str = "name", max_length: int = 100) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return f"{what} must not be empty"
    if len(value.strip()) > max_length:
        return f"{what} must have at most {max_length} characters"
    return None


def check_level(value: Any) -> tuple[int | None, str | None]:
    try:
        level = int(str(value).strip())
    except (TypeError, ValueError):
        return None, "level must be a whole number (0 = ground floor, -1 = basement)"
    if not MIN_LEVEL <= level <= MAX_LEVEL:
        return None, f"level must be between {MIN_LEVEL} and {MAX_LEVEL}"
    return level, None


def check_room_number(value: Any) -> str | None:
    if not isinstance(value, str) or not ROOM_NUMBER.match(value.strip()):
        return "room number: 1 to 20 letters, digits, '.', '-', '/' (e.g. 1.14)"
    return None


def check_services(value: Any, known: set[str]) -> str | None:
    if not isinstance(value, list | tuple) or not value:
        return "choose at least one service"
    unknown = [s for s in value if s not in known]
    if unknown:
        return f"unknown service {unknown[0]!r} (known: {', '.join(sorted(known))})"
    return None


def check_access(value: Any) -> str | None:
    if not isinstance(value, list | tuple):
        return "must be a list of accessibility notes"
    unknown = [a for a in value if a not in ACCESS_FLAGS]
    if unknown:
        return f"unknown accessibility note {unknown[0]!r} (known: {', '.join(ACCESS_FLAGS)})"
    return None


def check_hours(value: Any) -> str | None:
    if not isinstance(value, str):
        return "opening hours must be a text like 'Mo-Fr 08:00-12:00'"
    try:
        hours.parse(value)
    except hours.HoursError as exc:
        return f"opening hours: {exc}"
    return None


def check_arrow(value: Any) -> str | None:
    if value not in ARROWS:
        return f"arrow must be one of {', '.join(ARROWS)}"
    return None


# -- whole documents (file import) ----------------------------------------------------


SCHEMA = 1


def _list(value: Any) -> list[Any] | None:
    return value if isinstance(value, list) else None


def parse_document(
    data: Any, *, site_names: list[str], services: set[str]
) -> tuple[list[Site], list[tuple[str, str]]]:
    """Sites from an imported document, or (key, reason) for every error."""
    errors: list[tuple[str, str]] = []
    if not isinstance(data, dict):
        return [], [("", "must be a table with 'schema' and 'sites'")]
    if data.get("schema") != SCHEMA:
        errors.append(("schema", f"must be {SCHEMA}"))
    unknown = set(data) - {"schema", "sites"}
    if unknown:
        errors.append((sorted(unknown)[0], "unknown key"))
    sites_raw = _list(data.get("sites"))
    if sites_raw is None:
        return [], [*errors, ("sites", "must be a list of sites")]
    sites: list[Site] = []
    seen_sites: set[str] = set()
    for si, s in enumerate(sites_raw):
        key = f"sites[{si}]"
        if not isinstance(s, dict):
            errors.append((key, "must be a table"))
            continue
        name = s.get("name")
        if name not in site_names:
            errors.append(
                (f"{key}.name", f"unknown site {name!r} (sites in willkommen.toml: {site_names})")
            )
            continue
        if name in seen_sites:
            errors.append((f"{key}.name", f"site {name!r} appears twice"))
            continue
        seen_sites.add(name)
        site = Site(name)
        seen_buildings: set[str] = set()
        for bi, b in enumerate(_list(s.get("buildings", [])) or []):
            bkey = f"{key}.buildings[{bi}]"
            if not isinstance(b, dict):
                errors.append((bkey, "must be a table"))
                continue
            problem = check_name(b.get("name"), "building name")
            if problem:
                errors.append((f"{bkey}.name", problem))
                continue
            bname = b["name"].strip()
            if bname in seen_buildings:
                errors.append((f"{bkey}.name", f"building {bname!r} appears twice"))
                continue
            seen_buildings.add(bname)
            building = Building(bname)
            numbers: set[str] = set()
            levels: set[int] = set()
            for fi, f in enumerate(_list(b.get("floors", [])) or []):
                fkey = f"{bkey}.floors[{fi}]"
                if not isinstance(f, dict):
                    errors.append((fkey, "must be a table"))
                    continue
                level, problem = check_level(f.get("level"))
                if problem or level is None:
                    errors.append((f"{fkey}.level", problem or "missing"))
                    continue
                if level in levels:
                    errors.append((f"{fkey}.level", f"level {level} appears twice"))
                    continue
                levels.add(level)
                floor = Floor(level)
                for ri, r in enumerate(_list(f.get("rooms", [])) or []):
                    rkey = f"{fkey}.rooms[{ri}]"
                    room = _room(r, rkey, services, errors)
                    if room is None:
                        # Known by its number all the same: routes to it are not errors too.
                        if isinstance(r, dict) and not check_room_number(r.get("number")):
                            numbers.add(r["number"].strip())
                        continue
                    if room.number in numbers:
                        errors.append((f"{rkey}.number", f"room {room.number!r} appears twice"))
                        continue
                    numbers.add(room.number)
                    floor.rooms.append(room)
                building.floors.append(floor)
            pairs: set[tuple[str, str]] = set()
            for wi, w in enumerate(_list(b.get("routes", [])) or []):
                wkey = f"{bkey}.routes[{wi}]"
                if not isinstance(w, dict):
                    errors.append((wkey, "must be a table"))
                    continue
                origin, dest, arrow = (str(w.get(k, "")).strip() for k in ("from", "to", "arrow"))
                bad = False
                for k, v in (("from", origin), ("to", dest)):
                    if v not in numbers:
                        errors.append((f"{wkey}.{k}", f"no room {v!r} in building {bname!r}"))
                        bad = True
                problem = check_arrow(arrow)
                if problem:
                    errors.append((f"{wkey}.arrow", problem))
                    bad = True
                if not bad and origin == dest:
                    errors.append((f"{wkey}.to", "a route must lead to another room"))
                    bad = True
                if not bad and (origin, dest) in pairs:
                    errors.append((wkey, f"route {origin} -> {dest} appears twice"))
                    bad = True
                if not bad:
                    pairs.add((origin, dest))
                    building.routes.append(Route(origin, dest, arrow))
            site.buildings.append(building)
        sites.append(site)
    return sites, errors


def _room(r: Any, key: str, services: set[str], errors: list[tuple[str, str]]) -> Room | None:
    if not isinstance(r, dict):
        errors.append((key, "must be a table"))
        return None
    unknown = set(r) - {"number", "name", "services", "opening_hours", "accessibility"}
    if unknown:
        errors.append((f"{key}.{sorted(unknown)[0]}", "unknown key"))
        return None
    checks = [
        ("number", check_room_number(r.get("number"))),
        ("services", check_services(r.get("services"), services)),
        ("opening_hours", check_hours(r.get("opening_hours", ""))),
        ("accessibility", check_access(r.get("accessibility", []))),
    ]
    name = r.get("name", "")
    if not isinstance(name, str) or len(name) > 100:
        checks.append(("name", "name must be a text of at most 100 characters"))
    bad = [(f"{key}.{k}", p) for k, p in checks if p]
    if bad:
        errors.extend(bad)
        return None
    return Room(
        r["number"].strip(),
        tuple(dict.fromkeys(r["services"])),
        name.strip(),
        r.get("opening_hours", "").strip(),
        tuple(dict.fromkeys(r.get("accessibility", []))),
    )


def to_document(sites: list[Site]) -> dict[str, Any]:
    """The export format: the same shape :func:`parse_document` reads."""
    return {
        "schema": SCHEMA,
        "sites": [
            {
                "name": s.name,
                "buildings": [
                    {
                        "name": b.name,
                        "floors": [
                            {
                                "level": f.level,
                                "rooms": [
                                    {
                                        "number": r.number,
                                        "name": r.name,
                                        "services": list(r.services),
                                        "opening_hours": r.opening_hours,
                                        "accessibility": list(r.accessibility),
                                    }
                                    for r in f.rooms
                                ],
                            }
                            for f in b.floors
                        ],
                        "routes": [
                            {"from": w.origin, "to": w.destination, "arrow": w.arrow}
                            for w in b.routes
                        ],
                    }
                    for b in s.buildings
                ],
            }
            for s in sites
        ],
    }
