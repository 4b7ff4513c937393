"""Rules on a passenger's ride: its order, its length, and the windows at both its ends.

:func:`check_trip` runs for each passenger picked up once and dropped off once (called from
the coverage rule, so that each passenger's violations stay together); :func:`check_windows`
is a route rule.
"""

from __future__ import annotations

from collections.abc import Iterator

from solver.check.context import DayContext, RouteContext, StopRef, clock
from solver.check.violations import (
    CENTRE_WINDOW,
    DROPOFF_BEFORE_PICKUP,
    MAX_RIDE_TIME,
    PASSENGER_WINDOW,
    PICKUP_DROPOFF_DIFFERENT_VEHICLE,
    UNKNOWN_LOCATION,
    Violation,
)
from solver.domain import Passenger, Stop, alighting_s, boarding_s, max_ride_limit_s

# ------------------------------------------------------------------------------- one trip


def check_trip(
    day: DayContext, passenger: Passenger, pickup: StopRef, dropoff: StopRef
) -> Iterator[Violation]:
    """Order and ride time of one passenger picked up once and dropped off once.

    CHECK_PICKUP_DROPOFF_DIFFERENT_VEHICLE, CHECK_DROPOFF_BEFORE_PICKUP, then (when those
    hold) :func:`check_ride_time`.
    """
    passenger_id = passenger.passenger_id
    pickup_route = day.result.routes[pickup.route_index]
    dropoff_route = day.result.routes[dropoff.route_index]
    if pickup.route_index != dropoff.route_index:
        yield day.violation(
            PICKUP_DROPOFF_DIFFERENT_VEHICLE,
            f"Passenger {passenger_id} is picked up by vehicle {pickup_route.vehicle_id} "
            f"but dropped off by vehicle {dropoff_route.vehicle_id}.",
            vehicle_id=pickup_route.vehicle_id,
            passenger_id=passenger_id,
        )
        return
    if dropoff.stop_index <= pickup.stop_index:
        yield day.violation(
            DROPOFF_BEFORE_PICKUP,
            f"Passenger {passenger_id} is dropped off at stop {dropoff.stop_index} of "
            f"vehicle {pickup_route.vehicle_id}, not after their pickup at stop "
            f"{pickup.stop_index}.",
            vehicle_id=pickup_route.vehicle_id,
            passenger_id=passenger_id,
        )
        return
    yield from check_ride_time(
        day,
        passenger,
        pickup_route.vehicle_id,
        pickup_route.stops[pickup.stop_index],
        pickup_route.stops[dropoff.stop_index],
    )


def check_ride_time(
    day: DayContext, passenger: Passenger, vehicle_id: str, pickup: Stop, dropoff: Stop
) -> Iterator[Violation]:
    """CHECK_MAX_RIDE_TIME: the pickup stop's departure to the drop-off stop's arrival.

    At most ``max_ride_limit_s`` of the direct drive; CHECK_UNKNOWN_LOCATION when the oracle
    does not know that drive.
    """
    start = day.pickup_location(passenger)
    end = day.dropoff_location(passenger)
    if start is None or end is None:
        return
    try:
        direct_s = day.travel.duration_s(start, end)
    except LookupError:
        yield day.violation(
            UNKNOWN_LOCATION,
            f"The travel times do not cover the direct trip of passenger "
            f"{passenger.passenger_id}, so their maximum ride time is unknown.",
            vehicle_id,
            passenger.passenger_id,
        )
        return
    limit_s = max_ride_limit_s(passenger, direct_s, day.problem.settings.max_ride)
    ride_s = dropoff.arrival_s - pickup.departure_s
    if ride_s > limit_s + day.tolerance_s:
        yield day.violation(
            MAX_RIDE_TIME,
            f"Passenger {passenger.passenger_id} rides {ride_s} s in vehicle {vehicle_id}, "
            f"more than their maximum of {limit_s} s.",
            vehicle_id=vehicle_id,
            passenger_id=passenger.passenger_id,
        )


# -------------------------------------------------------------------------------- windows


def check_windows(route: RouteContext) -> Iterator[Violation]:
    """CHECK_CENTRE_WINDOW and CHECK_PASSENGER_WINDOW at each stop of the route, in order."""
    day = route.day
    for index, stop in enumerate(route.route.stops):
        # to_centre: centres are where passengers are dropped off, homes where picked up.
        centre_ids = stop.dropoffs if day.to_centre else stop.pickups
        served_centres: dict[str, None] = {}  # ordered set
        for passenger_id in centre_ids:
            passenger = day.passengers.get(passenger_id)
            if passenger is not None:
                served_centres[passenger.centre_id] = None
        for centre_id in served_centres:
            yield from _centre_window(route, index, stop, centre_id)
        for passenger_ids, is_pickup in ((stop.pickups, True), (stop.dropoffs, False)):
            for passenger_id in passenger_ids:
                passenger = day.passengers.get(passenger_id)
                if passenger is not None:
                    yield from _passenger_window(route, stop, passenger, is_pickup)


def _centre_window(
    route: RouteContext, index: int, stop: Stop, centre_id: str
) -> Iterator[Violation]:
    """A centre served at a stop: open that day, and the stop's arrival inside its window."""
    day, vehicle_id = route.day, route.vehicle_id
    centre = day.centres.get(centre_id)
    if centre is None:
        return
    hours = centre.hours.get(day.problem.day)
    if hours is None:
        yield day.violation(
            CENTRE_WINDOW,
            f"Vehicle {vehicle_id} serves centre {centre_id} at stop {index} on "
            f"{day.problem.day}, when the centre is closed.",
            vehicle_id,
        )
        return
    window = hours.arrival if day.to_centre else hours.departure
    tolerance_s = day.tolerance_s
    if not window.start_s - tolerance_s <= stop.arrival_s <= window.end_s + tolerance_s:
        yield day.violation(
            CENTRE_WINDOW,
            f"Vehicle {vehicle_id} serves centre {centre_id} at stop {index} at "
            f"{clock(stop.arrival_s)}, outside its window {clock(window.start_s)}-"
            f"{clock(window.end_s)}.",
            vehicle_id,
        )


def _passenger_window(
    route: RouteContext, stop: Stop, passenger: Passenger, is_pickup: bool
) -> Iterator[Violation]:
    """A passenger's own pickup (or drop-off) window at one stop.

    Several passengers may board or alight at one stop, one after the other, in an order
    the result does not record. A passenger's own service can start as early as the
    stop's ``arrival_s`` and as late as ``departure_s`` minus their own service time; the
    window holds if some start in that range meets it.
    """
    day, vehicle_id = route.day, route.vehicle_id
    passenger_id = passenger.passenger_id
    service = day.problem.settings.service
    if is_pickup:
        earliest_s, latest_s = passenger.earliest_pickup_s, passenger.latest_pickup_s
        own_s = boarding_s(passenger, service)
        action, what = "picked up", "pickup"
    else:
        earliest_s, latest_s = passenger.earliest_dropoff_s, passenger.latest_dropoff_s
        own_s = alighting_s(passenger, service)
        action, what = "dropped off", "drop-off"
    first_start_s = stop.arrival_s
    last_start_s = max(stop.arrival_s, stop.departure_s - own_s)
    if earliest_s is not None and last_start_s < earliest_s - day.tolerance_s:
        yield day.violation(
            PASSENGER_WINDOW,
            f"Passenger {passenger_id} is {action} by vehicle {vehicle_id} at "
            f"{clock(last_start_s)}, before their earliest {what} {clock(earliest_s)}.",
            vehicle_id,
            passenger_id,
        )
    if latest_s is not None and first_start_s > latest_s + day.tolerance_s:
        yield day.violation(
            PASSENGER_WINDOW,
            f"Passenger {passenger_id} is {action} by vehicle {vehicle_id} at "
            f"{clock(first_start_s)}, after their latest {what} {clock(latest_s)}.",
            vehicle_id,
            passenger_id,
        )
