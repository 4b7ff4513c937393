"""Route rules on where a route stops: depot stops at its ends, each stop at the right place."""

from __future__ import annotations

from collections.abc import Iterator

from solver.check.context import RouteContext, same_place
from solver.check.violations import DEPOT, EMPTY_STOP, STOP_KIND, WRONG_LOCATION, Violation
from solver.domain import Stop, StopKind


def check_depot_stops(route: RouteContext) -> Iterator[Violation]:
    """CHECK_DEPOT: passenger-free depot stops at the vehicle's depot, first (and last).

    The last stop is a depot stop with ``settings.return_to_depot``; no other stop is one.
    """
    day, vehicle, vehicle_id = route.day, route.vehicle, route.vehicle_id
    stops = route.route.stops
    last = len(stops) - 1
    must_return = day.problem.settings.return_to_depot
    depot_indices = {0, last} if must_return else {0}
    if must_return and (last == 0 or stops[last].kind != StopKind.DEPOT):
        yield day.violation(
            DEPOT, f"Route of vehicle {vehicle_id} does not end at its depot.", vehicle_id
        )
    if stops[0].kind != StopKind.DEPOT:
        yield day.violation(
            DEPOT, f"Route of vehicle {vehicle_id} does not start at its depot.", vehicle_id
        )
    for index, stop in enumerate(stops):
        if stop.kind != StopKind.DEPOT:
            continue
        if index not in depot_indices:
            yield day.violation(
                DEPOT,
                f"Route of vehicle {vehicle_id} has a depot stop at stop {index}, where "
                f"only a pickup or drop-off may be.",
                vehicle_id,
            )
        if stop.pickups or stop.dropoffs:
            yield day.violation(
                DEPOT,
                f"Depot stop {index} of vehicle {vehicle_id} picks up or drops off passengers.",
                vehicle_id,
            )
        if vehicle is not None and not same_place(stop.location, vehicle.depot):
            yield day.violation(
                DEPOT,
                f"Depot stop {index} of vehicle {vehicle_id} is not at the vehicle's depot.",
                vehicle_id,
            )


def check_stop_places(route: RouteContext) -> Iterator[Violation]:
    """CHECK_EMPTY_STOP, CHECK_WRONG_LOCATION, CHECK_STOP_KIND for each stop of the route."""
    for index, stop in enumerate(route.route.stops):
        yield from _stop_places(route, index, stop)


def _stop_places(route: RouteContext, index: int, stop: Stop) -> Iterator[Violation]:
    """Location, kind and centre id of a stop against the passengers served there."""
    day, vehicle_id = route.day, route.vehicle_id
    if stop.kind != StopKind.DEPOT and not stop.pickups and not stop.dropoffs:
        yield day.violation(
            EMPTY_STOP,
            f"Stop {index} of vehicle {vehicle_id} neither picks up nor drops off anyone.",
            vehicle_id,
        )
        return
    expected_kinds: set[StopKind] = set()
    centre_ids: set[str] = set()
    actions = [(pid, True) for pid in stop.pickups] + [(pid, False) for pid in stop.dropoffs]
    for passenger_id, is_pickup in actions:
        passenger = day.passengers.get(passenger_id)
        if passenger is None:
            continue
        expected = day.pickup_location(passenger) if is_pickup else day.dropoff_location(passenger)
        kind = day.pickup_kind if is_pickup else day.dropoff_kind
        expected_kinds.add(kind)
        if kind is StopKind.CENTRE:
            centre_ids.add(passenger.centre_id)
        if expected is not None and not same_place(stop.location, expected):
            action = "picked up" if is_pickup else "dropped off"
            place = "home" if kind is StopKind.HOME else f"centre {passenger.centre_id}"
            yield day.violation(
                WRONG_LOCATION,
                f"Passenger {passenger_id} is {action} by vehicle {vehicle_id} at stop "
                f"{index}, which is not at their {place}.",
                vehicle_id,
                passenger_id,
            )
    if stop.kind == StopKind.DEPOT:
        return  # passengers at a depot stop are reported by check_depot_stops
    if expected_kinds - {stop.kind}:
        wanted = " and ".join(sorted(expected_kinds))
        yield day.violation(
            STOP_KIND,
            f"Stop {index} of vehicle {vehicle_id} is a {stop.kind} stop but serves "
            f"passengers at a {wanted}.",
            vehicle_id,
        )
    elif stop.centre_id is not None and centre_ids - {stop.centre_id}:
        yield day.violation(
            STOP_KIND,
            f"Stop {index} of vehicle {vehicle_id} names centre {stop.centre_id} but serves "
            f"passengers of centre {', '.join(sorted(centre_ids))}.",
            vehicle_id,
        )
