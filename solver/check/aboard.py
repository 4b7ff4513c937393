"""Route rules on who rides what with whom.

Allowed vehicles, riding alone, incompatible pairs, and the order of week templates' route
ranks. Aboard after a stop are those picked up at it or earlier and not yet dropped off
(within a stop drop-offs may come first), so exactly who must share the vehicle at some
moment.
"""

from __future__ import annotations

from collections.abc import Iterator

from solver.check.context import RouteContext, clock, same_place
from solver.check.violations import (
    INCOMPATIBLE_PAIR,
    PAST_DESTINATION,
    RIDE_ALONE,
    ROUTE_RANK,
    VEHICLE_NOT_ALLOWED,
    Violation,
)


def check_allowed_vehicle(route: RouteContext) -> Iterator[Violation]:
    """CHECK_VEHICLE_NOT_ALLOWED: each passenger's allowed and excluded vehicles hold.

    Checked only for a vehicle in the fleet.
    """
    if route.vehicle is None:
        return
    day, vehicle_id = route.day, route.vehicle_id
    for stop in route.route.stops:
        for passenger_id in stop.pickups:
            passenger = day.passengers.get(passenger_id)
            if passenger is not None and not passenger.may_ride(vehicle_id):
                yield day.violation(
                    VEHICLE_NOT_ALLOWED,
                    f"Passenger {passenger_id} rides vehicle {vehicle_id}, which their "
                    "allowed_vehicles or excluded_vehicles rule out.",
                    vehicle_id,
                    passenger_id,
                )


def check_sharing(route: RouteContext) -> Iterator[Violation]:
    """CHECK_RIDE_ALONE and CHECK_INCOMPATIBLE_PAIR on who is aboard after each stop.

    Each passenger and each pair is reported once per route, at the first stop it happens.
    """
    day, vehicle_id = route.day, route.vehicle_id
    pairs = {(min(a, b), max(a, b)) for a, b in day.problem.incompatible_pairs if a != b}
    aboard: dict[str, None] = {}  # ordered set
    reported_alone: set[str] = set()
    reported_pairs: set[tuple[str, str]] = set()
    for index, stop in enumerate(route.route.stops):
        for passenger_id in stop.dropoffs:
            aboard.pop(passenger_id, None)
        for passenger_id in stop.pickups:
            aboard[passenger_id] = None
        if len(aboard) < 2:
            continue
        for passenger_id in aboard:
            passenger = day.passengers.get(passenger_id)
            if passenger is None or not passenger.ride_alone:
                continue
            if passenger_id not in reported_alone:
                reported_alone.add(passenger_id)
                others = ", ".join(p for p in aboard if p != passenger_id)
                yield day.violation(
                    RIDE_ALONE,
                    f"Passenger {passenger_id} must ride alone but is aboard vehicle "
                    f"{vehicle_id} with {others} after stop {index}.",
                    vehicle_id,
                    passenger_id,
                )
        for first, second in sorted(pairs):
            if first in aboard and second in aboard and (first, second) not in reported_pairs:
                reported_pairs.add((first, second))
                yield day.violation(
                    INCOMPATIBLE_PAIR,
                    f"Passengers {first} and {second} must not ride together but are both "
                    f"aboard vehicle {vehicle_id} after stop {index}.",
                    vehicle_id,
                    first,
                )


def check_route_ranks(route: RouteContext) -> Iterator[Violation]:
    """CHECK_ROUTE_RANK: no visit of a lower ``route_ranks`` rank after one of a higher rank.

    A stop's drop-offs count before its pickups; only the first such visit is reported.
    """
    day = route.day
    ranks = day.problem.route_ranks
    if not ranks:
        return
    highest = 0
    for index, stop in enumerate(route.route.stops):
        for passenger_id in (*stop.dropoffs, *stop.pickups):
            rank = ranks.get(passenger_id, 0)
            if rank < highest:
                yield day.violation(
                    ROUTE_RANK,
                    f"Passenger {passenger_id} (route rank {rank}) is visited at stop "
                    f"{index} of vehicle {route.vehicle_id}, after a passenger of rank "
                    f"{highest}.",
                    route.vehicle_id,
                    passenger_id,
                )
                return
            highest = rank


def check_set_down_at_destination(route: RouteContext) -> Iterator[Violation]:
    """CHECK_PAST_DESTINATION: nobody rides past the place they are going to.

    A passenger aboard when the vehicle comes to their destination (picked up before it got
    there) is set down before it leaves: in the morning a vehicle at a centre sets down
    everyone aboard for that centre; in the afternoon nobody is driven past their own home
    and brought back. Consecutive stops at one place (a pickup at a home next to the
    centre, then the set-downs there) are one visit to it. Reported once per passenger.
    """
    day, vehicle_id = route.day, route.vehicle_id
    stops = route.route.stops
    # Where this route sets each passenger down; a trip it never completes, or completes
    # in the wrong order, is another rule's (CHECK_INCOMPLETE_TRIP, CHECK_DROPOFF_BEFORE_PICKUP).
    set_down_at = {pid: i for i, stop in enumerate(stops) for pid in stop.dropoffs}
    aboard: dict[str, None] = {}  # picked up before the vehicle came to this place, ordered
    first = 0
    while first < len(stops):
        last = first
        while last + 1 < len(stops) and same_place(stops[last + 1].location, stops[first].location):
            last += 1
        place = stops[first : last + 1]
        set_down = {pid for stop in place for pid in stop.dropoffs}
        for passenger_id in list(aboard):
            passenger = day.passengers.get(passenger_id)
            destination = None if passenger is None else day.dropoff_location(passenger)
            later = set_down_at.get(passenger_id, -1) > last
            if passenger_id in set_down or destination is None or not later:
                continue
            if same_place(destination, stops[first].location):
                del aboard[passenger_id]  # reported once
                yield day.violation(
                    PAST_DESTINATION,
                    f"Passenger {passenger_id} stays aboard vehicle {vehicle_id} at their "
                    f"destination at {clock(stops[first].arrival_s)} and is set down there "
                    "later.",
                    vehicle_id,
                    passenger_id,
                )
        for stop in place:
            for passenger_id in stop.dropoffs:
                aboard.pop(passenger_id, None)
            for passenger_id in stop.pickups:
                aboard[passenger_id] = None
        first = last + 1
