"""Route rules on time: drives and services between stops, shifts, breaks, route totals.

The drives (:attr:`~solver.check.context.RouteContext.legs`) are looked up once per route;
each rule compares the route's reported times with them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from solver.check.context import RouteContext, clock
from solver.check.violations import (
    DRIVER_BREAK,
    ROUTE_DISTANCE,
    ROUTE_DURATION,
    ROUTE_TOO_LONG,
    SERVICE_TIME,
    SHIFT,
    TRAVEL_TIME,
    UNKNOWN_LOCATION,
    Violation,
)
from solver.domain import Stop, alighting_s, boarding_s

DISTANCE_TOLERANCE_M_PER_LEG: Final = 5
"""Rounding slack allowed per leg when comparing a route's distance with the oracle's."""


def check_legs_known(route: RouteContext) -> Iterator[Violation]:
    """CHECK_UNKNOWN_LOCATION: the oracle knows the drive from each stop to the next."""
    for index, leg in enumerate(route.legs, start=1):
        if leg is None:
            yield route.day.violation(
                UNKNOWN_LOCATION,
                f"The travel times do not cover the drive from stop {index - 1} to stop "
                f"{index} of vehicle {route.vehicle_id}.",
                route.vehicle_id,
            )


def check_travel_times(route: RouteContext) -> Iterator[Violation]:
    """CHECK_TRAVEL_TIME: each stop is reached no sooner than the drive from the last allows."""
    stops = route.route.stops
    for index, leg in enumerate(route.legs, start=1):
        if leg is None:
            continue
        previous, stop = stops[index - 1], stops[index]
        earliest_s = previous.departure_s + leg.duration_s
        if stop.arrival_s < earliest_s - route.day.tolerance_s:
            yield route.day.violation(
                TRAVEL_TIME,
                f"Vehicle {route.vehicle_id} reaches stop {index} at "
                f"{clock(stop.arrival_s)}, before {clock(earliest_s)} when the drive "
                f"from stop {index - 1} allows.",
                route.vehicle_id,
            )


def _service_s(route: RouteContext, stop: Stop) -> int:
    """Seconds needed at ``stop``: the longest boarding or alighting there (one shared)."""
    passengers = route.day.passengers
    service = route.day.problem.settings.service
    longest_s = 0
    for passenger_id in stop.pickups:
        passenger = passengers.get(passenger_id)
        if passenger is not None:
            longest_s = max(longest_s, boarding_s(passenger, service))
    for passenger_id in stop.dropoffs:
        passenger = passengers.get(passenger_id)
        if passenger is not None:
            longest_s = max(longest_s, alighting_s(passenger, service))
    return longest_s


def check_service_times(route: RouteContext) -> Iterator[Violation]:
    """CHECK_SERVICE_TIME: no stop is left before its longest boarding or alighting ends."""
    for index, stop in enumerate(route.route.stops):
        earliest_s = stop.arrival_s + _service_s(route, stop)
        if stop.departure_s < earliest_s - route.day.tolerance_s:
            yield route.day.violation(
                SERVICE_TIME,
                f"Vehicle {route.vehicle_id} leaves stop {index} at "
                f"{clock(stop.departure_s)}, before boarding and alighting end at "
                f"{clock(earliest_s)}.",
                route.vehicle_id,
            )


def check_shift(route: RouteContext) -> Iterator[Violation]:
    """CHECK_SHIFT: the first departure and the last arrival lie inside the vehicle's shift."""
    vehicle = route.vehicle
    if vehicle is None:
        return
    day, stops = route.day, route.route.stops
    start_s = stops[0].departure_s
    end_s = stops[-1].arrival_s
    shift = vehicle.shift
    if start_s < shift.start_s - day.tolerance_s:
        yield day.violation(
            SHIFT,
            f"Vehicle {vehicle.vehicle_id} starts at {clock(start_s)}, before its shift "
            f"starts at {clock(shift.start_s)}.",
            vehicle.vehicle_id,
        )
    if end_s > shift.end_s + day.tolerance_s:
        yield day.violation(
            SHIFT,
            f"Vehicle {vehicle.vehicle_id} ends at {clock(end_s)}, after its shift ends "
            f"at {clock(shift.end_s)}.",
            vehicle.vehicle_id,
        )


def _duration_s(route: RouteContext) -> int:
    """The route's duration: its last stop's arrival minus its first stop's departure."""
    stops = route.route.stops
    return stops[-1].arrival_s - stops[0].departure_s


def check_route_length(route: RouteContext) -> Iterator[Violation]:
    """CHECK_ROUTE_TOO_LONG: with ``max_route_s`` set, the route lasts at most that long."""
    vehicle = route.vehicle
    if vehicle is None or vehicle.max_route_s is None:
        return
    limit_s = vehicle.max_route_s
    duration_s = _duration_s(route)
    if duration_s > limit_s + route.day.tolerance_s:
        yield route.day.violation(
            ROUTE_TOO_LONG,
            f"Route of vehicle {vehicle.vehicle_id} lasts {duration_s} s, more than its "
            f"longest route of {limit_s} s.",
            vehicle.vehicle_id,
        )


def check_break_places(route: RouteContext) -> Iterator[Violation]:
    """CHECK_DRIVER_BREAK: where the reported breaks lie.

    Each is long enough, overlaps no other, and lies between two stops that leave time for the
    drive plus the breaks there.
    """
    day, vehicle_id, stops = route.day, route.vehicle_id, route.route.stops
    tolerance_s = day.tolerance_s
    rule = day.problem.settings.driver_break
    breaks = sorted(route.route.breaks, key=lambda b: b.start_s)
    in_gap: dict[int, int] = {}
    previous_end_s: int | None = None
    for taken in breaks:
        at = clock(taken.start_s)
        if rule is not None and taken.duration_s < rule.duration_s:
            yield day.violation(
                DRIVER_BREAK,
                f"Vehicle {vehicle_id}'s break at {at} lasts {taken.duration_s} s, less "
                f"than the {rule.duration_s} s a break must last.",
                vehicle_id,
            )
        if previous_end_s is not None and taken.start_s < previous_end_s - tolerance_s:
            yield day.violation(
                DRIVER_BREAK,
                f"Vehicle {vehicle_id}'s break at {at} overlaps another.",
                vehicle_id,
            )
        previous_end_s = taken.start_s + taken.duration_s
        gap = next(
            (
                i
                for i in range(len(stops) - 1)
                if stops[i].departure_s - tolerance_s <= taken.start_s
                and taken.start_s + taken.duration_s <= stops[i + 1].arrival_s + tolerance_s
            ),
            None,
        )
        if gap is None:
            yield day.violation(
                DRIVER_BREAK,
                f"Vehicle {vehicle_id}'s break at {at} does not lie between two stops "
                "(it overlaps a stop's service or the route's ends).",
                vehicle_id,
            )
            continue
        in_gap[gap] = in_gap.get(gap, 0) + taken.duration_s
    for gap, total_s in in_gap.items():
        leg = route.legs[gap]
        idle_s = stops[gap + 1].arrival_s - stops[gap].departure_s
        if leg is not None and idle_s < leg.duration_s + total_s - tolerance_s:
            yield day.violation(
                DRIVER_BREAK,
                f"Vehicle {vehicle_id} breaks for {total_s} s between stops {gap} and "
                f"{gap + 1}, leaving less than the {leg.duration_s} s drive between them.",
                vehicle_id,
            )


def check_work_stretches(route: RouteContext) -> Iterator[Violation]:
    """CHECK_DRIVER_BREAK: how long the route works between long-enough breaks.

    With ``settings.driver_break``, no stretch (route start -> each break at least
    ``duration_s`` long -> route end) is longer than ``max_work_s``.
    """
    day, vehicle_id, stops = route.day, route.vehicle_id, route.route.stops
    rule = day.problem.settings.driver_break
    if rule is None:
        return
    breaks = sorted(route.route.breaks, key=lambda b: b.start_s)
    resumed_s = stops[0].departure_s
    pauses = [(b.start_s, b.duration_s) for b in breaks if b.duration_s >= rule.duration_s]
    for pause_s, duration_s in [*pauses, (stops[-1].arrival_s, 0)]:
        stretch_s = pause_s - resumed_s
        if stretch_s > rule.max_work_s + day.tolerance_s:
            yield day.violation(
                DRIVER_BREAK,
                f"Vehicle {vehicle_id} works {stretch_s} s from {clock(resumed_s)} without "
                f"a break of {rule.duration_s} s, more than the {rule.max_work_s} s allowed.",
                vehicle_id,
            )
            return
        resumed_s = max(resumed_s, pause_s + duration_s)


def check_totals(route: RouteContext) -> Iterator[Violation]:
    """CHECK_ROUTE_DISTANCE and CHECK_ROUTE_DURATION: the route's totals match its stops."""
    day, reported = route.day, route.route
    known_legs = [leg for leg in route.legs if leg is not None]
    distance_m = sum(leg.distance_m for leg in known_legs)
    slack_m = DISTANCE_TOLERANCE_M_PER_LEG * max(1, len(route.legs))
    if len(known_legs) == len(route.legs) and abs(reported.distance_m - distance_m) > slack_m:
        yield day.violation(
            ROUTE_DISTANCE,
            f"Route of vehicle {route.vehicle_id} reports {reported.distance_m} m but its legs "
            f"add up to {distance_m} m.",
            route.vehicle_id,
        )
    duration_s = _duration_s(route)
    if abs(reported.duration_s - duration_s) > day.tolerance_s:
        yield day.violation(
            ROUTE_DURATION,
            f"Route of vehicle {route.vehicle_id} reports {reported.duration_s} s but runs "
            f"{duration_s} s from first departure to last arrival.",
            route.vehicle_id,
        )
