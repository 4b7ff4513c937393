"""Violation codes and the ``Violation`` record every rule of the checker yields.

Codes are stable UPPER_SNAKE strings prefixed ``CHECK_``; ``CHECK_CODES`` describes each one
in a sentence (the README's table is made from it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from solver.domain import Day, Direction

WRONG_DAY_DIRECTION: Final = "CHECK_WRONG_DAY_DIRECTION"
DAY_DIRECTION_TWICE: Final = "CHECK_DAY_DIRECTION_TWICE"
PASSENGER_MISSING: Final = "CHECK_PASSENGER_MISSING"
PASSENGER_TWICE: Final = "CHECK_PASSENGER_TWICE"
INCOMPLETE_TRIP: Final = "CHECK_INCOMPLETE_TRIP"
UNKNOWN_PASSENGER: Final = "CHECK_UNKNOWN_PASSENGER"
UNKNOWN_VEHICLE: Final = "CHECK_UNKNOWN_VEHICLE"
VEHICLE_NOT_AVAILABLE: Final = "CHECK_VEHICLE_NOT_AVAILABLE"
VEHICLE_TWICE: Final = "CHECK_VEHICLE_TWICE"
DEPOT: Final = "CHECK_DEPOT"
WRONG_LOCATION: Final = "CHECK_WRONG_LOCATION"
STOP_KIND: Final = "CHECK_STOP_KIND"
EMPTY_STOP: Final = "CHECK_EMPTY_STOP"
DROPOFF_BEFORE_PICKUP: Final = "CHECK_DROPOFF_BEFORE_PICKUP"
PICKUP_DROPOFF_DIFFERENT_VEHICLE: Final = "CHECK_PICKUP_DROPOFF_DIFFERENT_VEHICLE"
TRAVEL_TIME: Final = "CHECK_TRAVEL_TIME"
SERVICE_TIME: Final = "CHECK_SERVICE_TIME"
CENTRE_WINDOW: Final = "CHECK_CENTRE_WINDOW"
PASSENGER_WINDOW: Final = "CHECK_PASSENGER_WINDOW"
SHIFT: Final = "CHECK_SHIFT"
ROUTE_TOO_LONG: Final = "CHECK_ROUTE_TOO_LONG"
SEATS: Final = "CHECK_SEATS"
WHEELCHAIR_PLACES: Final = "CHECK_WHEELCHAIR_PLACES"
LOAD_MISMATCH: Final = "CHECK_LOAD_MISMATCH"
MAX_RIDE_TIME: Final = "CHECK_MAX_RIDE_TIME"
ROUTE_DISTANCE: Final = "CHECK_ROUTE_DISTANCE"
ROUTE_DURATION: Final = "CHECK_ROUTE_DURATION"
UNASSIGNED_REASON: Final = "CHECK_UNASSIGNED_REASON"
UNKNOWN_LOCATION: Final = "CHECK_UNKNOWN_LOCATION"
VEHICLE_NOT_ALLOWED: Final = "CHECK_VEHICLE_NOT_ALLOWED"
RIDE_ALONE: Final = "CHECK_RIDE_ALONE"
INCOMPATIBLE_PAIR: Final = "CHECK_INCOMPATIBLE_PAIR"
VEHICLE_CHANGED: Final = "CHECK_VEHICLE_CHANGED"
LAYOUT: Final = "CHECK_LAYOUT"
DRIVER_BREAK: Final = "CHECK_DRIVER_BREAK"
WHEELCHAIR_ENTRANCE: Final = "CHECK_WHEELCHAIR_ENTRANCE"
ROUTE_RANK: Final = "CHECK_ROUTE_RANK"
PAST_DESTINATION: Final = "CHECK_PAST_DESTINATION"
UNASSIGNED_SERVABLE: Final = "CHECK_UNASSIGNED_SERVABLE"
IDLE_VEHICLE_COULD_SERVE: Final = "CHECK_IDLE_VEHICLE_COULD_SERVE"
DAY_DIRECTION_MISSING: Final = "CHECK_DAY_DIRECTION_MISSING"
ROUTE_COST: Final = "CHECK_ROUTE_COST"
ROUTE_GEOMETRY: Final = "CHECK_ROUTE_GEOMETRY"
KPIS: Final = "CHECK_KPIS"
TOTALS: Final = "CHECK_TOTALS"

CHECK_CODES: Final[Mapping[str, str]] = {
    WRONG_DAY_DIRECTION: "The result is for another day or direction than the problem.",
    DAY_DIRECTION_TWICE: "A week result holds the same day-direction more than once.",
    PASSENGER_MISSING: "A passenger of the day-direction is neither served nor unassigned.",
    PASSENGER_TWICE: (
        "A passenger is picked up or dropped off more than once, listed as unassigned more "
        "than once, or both served and unassigned."
    ),
    INCOMPLETE_TRIP: "A passenger is picked up but never dropped off, or the other way round.",
    UNKNOWN_PASSENGER: "The result names a passenger who does not travel that day-direction.",
    UNKNOWN_VEHICLE: "A route's vehicle is not in the fleet.",
    VEHICLE_NOT_AVAILABLE: "A route's vehicle does not drive on that day.",
    VEHICLE_TWICE: "A vehicle drives more than one route in the same day-direction.",
    DEPOT: (
        "A route does not start (or, with return_to_depot, end) with a passenger-free depot "
        "stop at its vehicle's depot, or has a depot stop elsewhere."
    ),
    WRONG_LOCATION: "A pickup or drop-off happens away from the passenger's home or centre.",
    STOP_KIND: (
        "A stop's kind (home/centre) or centre id does not match the pickups and drop-offs "
        "made there."
    ),
    EMPTY_STOP: "A home or centre stop has neither pickups nor drop-offs.",
    DROPOFF_BEFORE_PICKUP: "A passenger's drop-off is not at a later stop than their pickup.",
    PICKUP_DROPOFF_DIFFERENT_VEHICLE: "A passenger is picked up and dropped off by two vehicles.",
    TRAVEL_TIME: "A stop is reached sooner than the travel time from the previous stop allows.",
    SERVICE_TIME: (
        "A vehicle leaves a stop before the longest boarding or alighting there can be done."
    ),
    CENTRE_WINDOW: (
        "A centre is served outside its arrival (to_centre) or departure (from_centre) window, "
        "or on a day it is closed."
    ),
    PASSENGER_WINDOW: (
        "A passenger is picked up outside their earliest to latest pickup, or dropped off "
        "outside their earliest to latest drop-off."
    ),
    SHIFT: "A route starts before or ends after its vehicle's shift.",
    ROUTE_TOO_LONG: (
        "A route lasts longer (first departure to last arrival) than its vehicle's max_route_s."
    ),
    SEATS: "A vehicle carries more seated people than it has seats.",
    WHEELCHAIR_PLACES: "A vehicle carries more wheelchairs than it has wheelchair places.",
    LOAD_MISMATCH: "A stop's reported load differs from the load recomputed from its route.",
    MAX_RIDE_TIME: "A passenger rides longer than their maximum ride time.",
    ROUTE_DISTANCE: "A route's distance differs from the sum of its legs' distances.",
    ROUTE_DURATION: "A route's duration differs from its last arrival minus its first departure.",
    UNASSIGNED_REASON: "An unassigned passenger has no known reason code or an empty hint.",
    UNKNOWN_LOCATION: (
        "The travel-time oracle does not know a location of the result (it raised a "
        "LookupError), so the rules that need that drive are not checked."
    ),
    VEHICLE_NOT_ALLOWED: (
        "A passenger rides a vehicle outside their allowed_vehicles or in their excluded_vehicles."
    ),
    RIDE_ALONE: "A passenger who must ride alone is aboard with another passenger.",
    INCOMPATIBLE_PAIR: "Two passengers who must not ride together are aboard at the same time.",
    VEHICLE_CHANGED: (
        "With same_vehicle_both_ways, a passenger rides home in another vehicle than the one "
        "that brought them that morning."
    ),
    LAYOUT: (
        "A route reports a seating layout its vehicle does not have (with choose_layouts off, "
        "any other than its seats and wheelchair places)."
    ),
    DRIVER_BREAK: (
        "A route works longer than settings.driver_break allows without a break, or a reported "
        "break is too short, overlaps another, or leaves no time to drive between its stops."
    ),
    WHEELCHAIR_ENTRANCE: (
        "More wheelchair users are being set down at a centre at one time than its "
        "max_wheelchair_dropoffs allows."
    ),
    PAST_DESTINATION: (
        "Advisory, not yet a violation: a vehicle stops at a passenger's destination (their "
        "centre going in, their home going home) with them aboard and drives on without "
        "setting them down."
    ),
    ROUTE_RANK: (
        "A route visits a passenger of a lower route rank after one of a higher rank (week "
        "templates only)."
    ),
    UNASSIGNED_SERVABLE: (
        "An unassigned passenger's reason says no vehicle could serve them (no vehicle, seats, "
        "wheelchair place, ride time or windows), yet a vehicle of the day could drive them "
        "alone within every rule."
    ),
    IDLE_VEHICLE_COULD_SERVE: (
        "Advisory, not a violation: a passenger is left unassigned for want of search time or "
        "fleet while a vehicle driving no route that day-direction could drive them alone "
        "(strict pins and centre entrance limits can make that legitimate)."
    ),
    DAY_DIRECTION_MISSING: (
        "A day-direction of the week is neither planned in the result nor listed in its "
        "not_planned with a reason (a result with a day-direction deleted)."
    ),
    ROUTE_COST: "A route's cost differs from its vehicle's tariff of its distance and duration.",
    ROUTE_GEOMETRY: (
        "A route's drawn line does not start at its first stop, pass its stops in order and "
        "end at its last stop."
    ),
    KPIS: (
        "A day-direction's key figures differ from those recomputed from its routes and "
        "unassigned list."
    ),
    TOTALS: "A week total differs from the one recomputed from the day-directions' routes.",
}
"""Every violation code with a one-line description (for the README)."""


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule in a result.

    ``code``: a key of ``CHECK_CODES``. ``day``/``direction``: the day-direction it is in
    (None for a week total). ``vehicle_id``/``passenger_id``: the offender, where there is
    one. ``message``: one sentence naming the ids, for planners.
    """

    code: str
    day: Day | None
    direction: Direction | None
    vehicle_id: str | None
    passenger_id: str | None
    message: str
