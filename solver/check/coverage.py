"""Day rules on the result as a whole: its day-direction, its vehicles, who is served.

Each ``check_*`` yields the violations of one rule for a day-direction (see
:mod:`solver.check` for the rules and the registry that runs them).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final

from solver.check.context import DayContext, StopRef
from solver.check.rides import check_trip
from solver.check.violations import (
    INCOMPLETE_TRIP,
    PASSENGER_MISSING,
    PASSENGER_TWICE,
    UNASSIGNED_REASON,
    UNKNOWN_PASSENGER,
    UNKNOWN_VEHICLE,
    VEHICLE_NOT_AVAILABLE,
    VEHICLE_TWICE,
    WRONG_DAY_DIRECTION,
    Violation,
)
from solver.domain import Reason

_REASON_CODES: Final = frozenset(reason.value for reason in Reason)


def check_day_direction(day: DayContext) -> Iterator[Violation]:
    """CHECK_WRONG_DAY_DIRECTION: the result is for the problem's day and direction."""
    problem, result = day.problem, day.result
    if result.day != problem.day or result.direction != problem.direction:
        yield day.violation(
            WRONG_DAY_DIRECTION,
            f"The result is for {result.day} {result.direction} but the problem is for "
            f"{problem.day} {problem.direction}.",
        )


def check_vehicles(day: DayContext) -> Iterator[Violation]:
    """CHECK_VEHICLE_TWICE, CHECK_UNKNOWN_VEHICLE, CHECK_VEHICLE_NOT_AVAILABLE, per route."""
    seen: set[str] = set()
    for route in day.result.routes:
        vehicle_id = route.vehicle_id
        if vehicle_id in seen:
            yield day.violation(
                VEHICLE_TWICE,
                f"Vehicle {vehicle_id} drives more than one route.",
                vehicle_id=vehicle_id,
            )
        seen.add(vehicle_id)
        if vehicle_id not in day.fleet:
            yield day.violation(
                UNKNOWN_VEHICLE,
                f"Vehicle {vehicle_id} is not in the fleet.",
                vehicle_id=vehicle_id,
            )
        elif vehicle_id not in day.available:
            yield day.violation(
                VEHICLE_NOT_AVAILABLE,
                f"Vehicle {vehicle_id} does not drive on {day.problem.day}.",
                vehicle_id=vehicle_id,
            )


@dataclass(slots=True)
class _Visits:
    """Where one passenger id is picked up, dropped off, and listed as unassigned."""

    pickups: list[StopRef] = field(default_factory=list)
    dropoffs: list[StopRef] = field(default_factory=list)
    num_unassigned: int = 0


def _collect_visits(day: DayContext) -> dict[str, _Visits]:
    """Every passenger id of the problem or the result, with where the result names it."""
    visits = {p.passenger_id: _Visits() for p in day.problem.passengers}
    for route_index, route in enumerate(day.result.routes):
        for stop_index, stop in enumerate(route.stops):
            ref = StopRef(route_index, stop_index)
            for passenger_id in stop.pickups:
                visits.setdefault(passenger_id, _Visits()).pickups.append(ref)
            for passenger_id in stop.dropoffs:
                visits.setdefault(passenger_id, _Visits()).dropoffs.append(ref)
    for entry in day.result.unassigned:
        visits.setdefault(entry.passenger_id, _Visits()).num_unassigned += 1
    return visits


def check_coverage(day: DayContext) -> Iterator[Violation]:
    """Each passenger served once or unassigned once, then their trip's order and ride time.

    CHECK_UNKNOWN_PASSENGER, CHECK_PASSENGER_MISSING, CHECK_PASSENGER_TWICE,
    CHECK_INCOMPLETE_TRIP; for a passenger picked up once and dropped off once,
    :func:`~solver.check.rides.check_trip`.
    """
    where = f"{day.problem.day} {day.problem.direction}"
    for passenger_id, visit in _collect_visits(day).items():
        passenger = day.passengers.get(passenger_id)
        if passenger is None:
            yield day.violation(
                UNKNOWN_PASSENGER,
                f"Passenger {passenger_id} does not travel on {where}.",
                passenger_id=passenger_id,
            )
            continue
        num_pickups, num_dropoffs = len(visit.pickups), len(visit.dropoffs)
        is_served = num_pickups > 0 or num_dropoffs > 0
        if not is_served and visit.num_unassigned == 0:
            yield day.violation(
                PASSENGER_MISSING,
                f"Passenger {passenger_id} is neither served nor listed as unassigned.",
                passenger_id=passenger_id,
            )
        elif (
            num_pickups > 1
            or num_dropoffs > 1
            or visit.num_unassigned > 1
            or (is_served and visit.num_unassigned > 0)
        ):
            yield day.violation(
                PASSENGER_TWICE,
                f"Passenger {passenger_id} is picked up {num_pickups}, dropped off "
                f"{num_dropoffs} and listed as unassigned {visit.num_unassigned} times.",
                passenger_id=passenger_id,
            )
        elif num_pickups != num_dropoffs:
            missing = "dropped off" if num_dropoffs == 0 else "picked up"
            yield day.violation(
                INCOMPLETE_TRIP,
                f"Passenger {passenger_id} is never {missing}.",
                passenger_id=passenger_id,
            )
        elif is_served:
            yield from check_trip(day, passenger, visit.pickups[0], visit.dropoffs[0])


def check_unassigned_reasons(day: DayContext) -> Iterator[Violation]:
    """CHECK_UNASSIGNED_REASON: every unassigned entry has a known reason code and a hint."""
    for entry in day.result.unassigned:
        if str(entry.reason) not in _REASON_CODES or not entry.hint.strip():
            yield day.violation(
                UNASSIGNED_REASON,
                f"Unassigned passenger {entry.passenger_id} lacks a known reason code or a hint.",
                passenger_id=entry.passenger_id,
            )
