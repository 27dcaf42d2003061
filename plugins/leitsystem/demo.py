"""The Magdeburg demo site: one building with three floors, counters and routes.

Plausible, not surveyed: the ground floor has the entrance, reception,
waiting area and cashier; the residence-law counters are on the first floor,
integration and naturalisation on the second; lift, stairs and an accessible
toilet on every floor that needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import address, store
from .model import Building, Floor, Room, Route, Site

if TYPE_CHECKING:
    from willkommen_core.instance import Instance

HOURS_MAIN = "Mo-Fr 08:00-12:00; Di, Do 13:00-18:00"
DEMO_ADDRESS = "http://127.0.0.1:8000"
"""Where ``willkommen demo`` serves by default: the demo's signs lead there until a
staff page of the running demo notes the address it is really served at."""


def demo_site(site_name: str) -> Site:
    ground = Floor(
        0,
        [
            Room("0.00", ("ausgang",), "Haupteingang Breiter Weg", "", ("stufenlos",)),
            Room("0.01", ("empfang",), "Empfang", HOURS_MAIN, ("stufenlos", "induktion")),
            Room(
                "0.02", ("wartebereich",), "Wartezone Erdgeschoss", "", ("stufenlos", "sitzplaetze")
            ),
            Room("0.05", ("kasse",), "Kasse", "Mo-Fr 08:00-12:00; Do 13:00-17:30", ("stufenlos",)),
            Room("0.10", ("aufzug",), "Aufzug", "", ("stufenlos",)),
            Room("0.11", ("treppe",), "Treppenhaus", ""),
            Room("0.12", ("wc_barrierefrei",), "WC", "", ("stufenlos",)),
        ],
    )
    first = Floor(
        1,
        [
            Room("1.10", ("aufzug",), "Aufzug", "", ("aufzug",)),
            Room("1.11", ("treppe",), "Treppenhaus", ""),
            Room(
                "1.14", ("aufenthalt",), "Aufenthaltsrecht A–K", HOURS_MAIN, ("aufzug", "induktion")
            ),
            Room("1.16", ("aufenthalt",), "Aufenthaltsrecht L–Z", HOURS_MAIN, ("aufzug",)),
            Room("1.20", ("wartebereich",), "Wartezone 1. OG", "", ("aufzug", "sitzplaetze")),
        ],
    )
    second = Floor(
        2,
        [
            Room(
                "2.05",
                ("einbuergerung",),
                "Integration und Einbürgerung",
                "Di, Do 08:00-12:00, 13:00-16:00",
                ("aufzug",),
            ),
            Room("2.10", ("aufzug",), "Aufzug", "", ("aufzug",)),
            Room("2.11", ("treppe",), "Treppenhaus", ""),
            Room("2.12", ("wc_barrierefrei",), "WC", "", ("aufzug",)),
        ],
    )
    routes = [
        Route("0.00", "0.01", "ahead"),
        Route("0.00", "0.02", "left"),
        Route("0.00", "0.05", "right"),
        Route("0.00", "0.10", "left"),
        Route("0.00", "0.12", "right"),
        Route("0.00", "1.14", "up"),
        Route("0.00", "2.05", "up"),
        Route("1.10", "1.14", "left"),
        Route("1.10", "1.16", "left"),
        Route("1.10", "1.20", "right"),
        Route("1.10", "0.00", "down"),
        Route("2.10", "2.05", "right"),
        Route("2.10", "2.12", "left"),
        Route("2.10", "0.00", "down"),
    ]
    return Site(site_name, [Building("Haus A", [ground, first, second], routes)])


def seed(instance: Instance) -> None:
    """Idempotent: only an empty guidance system gets the demo site."""
    if address.remembered(instance) is None:
        address.remember(instance, DEMO_ADDRESS)
    if not store.is_empty(instance.db):
        return
    store.replace(instance.db, [demo_site(instance.settings.authority.sites[0].name)])
