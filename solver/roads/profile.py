"""Which OpenStreetMap ways a vehicle may drive, which way, and how fast.

A :class:`RoadProfile` is the tag-level part of building the road graph. It mimics osmnx's
``"drive_service"`` network filter (osmnx's ``"drive"`` plus ordinary service roads, which in
Norway often are the only access to day centres, nursing homes and blocks of flats) but
excludes driveways, parking aisles, alleys and private roads. Everything in it is part of the
graph cache key.

Speeds are km/h. They are used only where a way has no usable ``maxspeed`` tag; tagged limits
(numeric, ``mph``, or implicit ones such as ``NO:urban``) always win.

:data:`ALL_PROFILE` keeps every ``highway=*`` way, footways and paths included: not a vehicle's
network but a stand-in, in size, for a whole municipality's road graph (benchmarks).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

OnewayDirection = Literal[-1, 0, 1]
"""1: only along the way's node order; -1: only against it; 0: both ways."""

ONEWAY_FORWARD: OnewayDirection = 1
ONEWAY_REVERSED: OnewayDirection = -1
ONEWAY_BOTH: OnewayDirection = 0

# Most specific key first: a motorcar-specific tag overrides the general one.
_ACCESS_KEYS = ("motorcar", "motor_vehicle", "vehicle", "access")
_ONEWAY_KEYS = ("oneway:motorcar", "oneway:motor_vehicle", "oneway:vehicle", "oneway")
_ONEWAY_FORWARD_VALUES = frozenset({"yes", "true", "1"})
_ONEWAY_REVERSED_VALUES = frozenset({"-1", "reverse"})
# "reversible"/"alternating" roads change direction during the day; like osmnx, they are
# treated as two-way.
_ONEWAY_BOTH_VALUES = frozenset({"no", "false", "0", "reversible", "alternating"})
_IMPLIED_ONEWAY_JUNCTIONS = frozenset({"roundabout", "circular"})
_IMPLIED_ONEWAY_HIGHWAYS = frozenset({"motorway", "motorway_link"})

DRIVE_HIGHWAYS: frozenset[str] = frozenset(
    {
        "motorway",
        "motorway_link",
        "trunk",
        "trunk_link",
        "primary",
        "primary_link",
        "secondary",
        "secondary_link",
        "tertiary",
        "tertiary_link",
        "unclassified",
        "residential",
        "living_street",
        "road",
        "service",
    }
)

EXCLUDED_SERVICE: frozenset[str] = frozenset(
    {
        "alley",
        "bus",
        "drive-through",
        "driveway",
        "emergency_access",
        "parking",
        "parking_aisle",
        "private",
    }
)

EXCLUDED_ACCESS: frozenset[str] = frozenset(
    {"no", "private", "agricultural", "forestry", "emergency", "military"}
)

# Typical free-flow speeds in an urban Norwegian municipality, km/h (general limit 50 in
# built-up areas, 30 common on residential streets, "gangfart" on living streets).
NORWAY_SPEEDS_KPH: Mapping[str, float] = {
    "motorway": 90.0,
    "motorway_link": 60.0,
    "trunk": 70.0,
    "trunk_link": 40.0,
    "primary": 50.0,
    "primary_link": 40.0,
    "secondary": 50.0,
    "secondary_link": 40.0,
    "tertiary": 40.0,
    "tertiary_link": 30.0,
    "unclassified": 40.0,
    "residential": 30.0,
    "living_street": 8.0,
    "road": 30.0,
    "service": 20.0,
}

# Ways no car uses, for ALL_PROFILE only: a walking-to-cycling pace, so that the fastest
# routes still follow the roads where they can.
ALL_HIGHWAY_EXTRA_SPEEDS_KPH: Mapping[str, float] = {
    "track": 20.0,
    "cycleway": 15.0,
    "bridleway": 10.0,
    "footway": 10.0,
    "path": 10.0,
    "pedestrian": 10.0,
    "steps": 5.0,
}


def _first_value(value: str) -> str:
    """Return the first of a ``;``-separated OSM multi-value, stripped and lower-cased."""
    return value.split(";", 1)[0].strip().lower()


@dataclass(frozen=True)
class RoadProfile:
    """Tag rules for one kind of vehicle.

    ``highways``: ``highway=*`` values kept. ``excluded_service``: ``service=*`` values dropped
    from ``highway=service``. ``excluded_access``: access values (the most specific of
    ``motorcar``, ``motor_vehicle``, ``vehicle``, ``access``) that close a way.
    ``default_speeds_kph``: speed per highway type where ``maxspeed`` is missing, km/h.
    ``fallback_speed_kph``: speed for any other highway type, km/h.
    ``keeps_all_highways``: keep a way whatever its ``highway`` value (``highways`` unused).
    """

    name: str
    highways: frozenset[str]
    excluded_service: frozenset[str]
    excluded_access: frozenset[str]
    default_speeds_kph: tuple[tuple[str, float], ...]
    fallback_speed_kph: float
    keeps_all_highways: bool = False

    def is_drivable(self, tags: Mapping[str, str]) -> bool:
        """Whether a way with these OSM tags is open to the profile's vehicle."""
        highway = tags.get("highway")
        if highway is None or not (self.keeps_all_highways or highway in self.highways):
            return False
        if tags.get("area", "").strip().lower() == "yes":
            return False
        if highway == "service" and _first_value(tags.get("service", "")) in self.excluded_service:
            return False
        access = motor_access(tags)
        return access is None or access not in self.excluded_access

    def speeds_kph(self) -> dict[str, float]:
        """Return the default speed per highway type, km/h."""
        return dict(self.default_speeds_kph)

    def cache_fields(self) -> dict[str, object]:
        """Return everything that changes the built graph, in a stable JSON-serialisable form."""
        fields: dict[str, object] = {
            "name": self.name,
            "highways": sorted(self.highways),
            "excluded_service": sorted(self.excluded_service),
            "excluded_access": sorted(self.excluded_access),
            "default_speeds_kph": sorted(self.default_speeds_kph),
            "fallback_speed_kph": self.fallback_speed_kph,
        }
        if self.keeps_all_highways:  # only when set, so older profiles keep their cache keys
            fields["keeps_all_highways"] = True
        return fields


def motor_access(tags: Mapping[str, str]) -> str | None:
    """Return the access value for a car: the most specific access tag, or None."""
    for key in _ACCESS_KEYS:
        if key in tags:
            return _first_value(tags[key])
    return None


def oneway_direction(tags: Mapping[str, str]) -> OnewayDirection:
    """Return which way a car may drive along a way, from its OSM tags.

    Explicit ``oneway`` tags (the most specific of ``oneway:motorcar``,
    ``oneway:motor_vehicle``, ``oneway:vehicle``, ``oneway``) win; otherwise roundabouts,
    ``junction=circular`` and motorways (and their links) are one-way along the node order.
    """
    for key in _ONEWAY_KEYS:
        if key not in tags:
            continue
        value = _first_value(tags[key])
        if value in _ONEWAY_FORWARD_VALUES:
            return ONEWAY_FORWARD
        if value in _ONEWAY_REVERSED_VALUES:
            return ONEWAY_REVERSED
        if value in _ONEWAY_BOTH_VALUES:
            return ONEWAY_BOTH
    if _first_value(tags.get("junction", "")) in _IMPLIED_ONEWAY_JUNCTIONS:
        return ONEWAY_FORWARD
    if tags.get("highway") in _IMPLIED_ONEWAY_HIGHWAYS:
        return ONEWAY_FORWARD
    return ONEWAY_BOTH


DRIVE_PROFILE = RoadProfile(
    name="drive",
    highways=DRIVE_HIGHWAYS,
    excluded_service=EXCLUDED_SERVICE,
    excluded_access=EXCLUDED_ACCESS,
    default_speeds_kph=tuple(sorted(NORWAY_SPEEDS_KPH.items())),
    fallback_speed_kph=30.0,
)
"""Cars and minibuses on public roads and ordinary service roads (the default)."""

DRIVE_MAIN_PROFILE = RoadProfile(
    name="drive_main",
    highways=DRIVE_HIGHWAYS - {"service"},
    excluded_service=EXCLUDED_SERVICE,
    excluded_access=EXCLUDED_ACCESS,
    default_speeds_kph=tuple(sorted(NORWAY_SPEEDS_KPH.items())),
    fallback_speed_kph=30.0,
)
"""Like osmnx's ``"drive"``: public roads without any ``highway=service``."""

ALL_PROFILE = RoadProfile(
    name="all",
    highways=frozenset(),
    excluded_service=frozenset(),
    excluded_access=frozenset(),
    default_speeds_kph=tuple(sorted({**NORWAY_SPEEDS_KPH, **ALL_HIGHWAY_EXTRA_SPEEDS_KPH}.items())),
    fallback_speed_kph=10.0,
    keeps_all_highways=True,
)
"""Every ``highway=*`` way, whatever its access tags (about 18 700 nodes on the bundled
extract, four times the drive graph): a stand-in for a whole municipality's graph when
measuring speed. Car rules for oneways; walking-to-cycling speeds off the roads."""
