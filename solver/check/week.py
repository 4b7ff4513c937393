"""Week rules: over several day-directions of one week result."""

from __future__ import annotations

from collections.abc import Iterator

from solver.check.violations import DAY_DIRECTION_TWICE, VEHICLE_CHANGED, Violation
from solver.domain import DayResult, Direction, WeekPlan, WeekResult


def check_day_direction_once(result: WeekResult, index: int) -> Iterator[Violation]:
    """CHECK_DAY_DIRECTION_TWICE: ``result.plans[index]``'s day-direction is not held earlier."""
    day_result = result.plans[index]
    key = (day_result.day, day_result.direction)
    if any((earlier.day, earlier.direction) == key for earlier in result.plans[:index]):
        yield Violation(
            DAY_DIRECTION_TWICE,
            day_result.day,
            day_result.direction,
            None,
            None,
            f"Week result {result.name} holds {day_result.day} "
            f"{day_result.direction} more than once.",
        )


def _vehicles_by_passenger(day_result: DayResult) -> dict[str, str]:
    return {
        passenger_id: route.vehicle_id
        for route in day_result.routes
        for stop in route.stops
        for passenger_id in stop.pickups
    }


def check_same_vehicle_both_ways(plan: WeekPlan, result: WeekResult) -> Iterator[Violation]:
    """CHECK_VEHICLE_CHANGED: a passenger served both ways rides home in the morning's vehicle.

    Only with ``settings.same_vehicle_both_ways``.
    """
    if not plan.settings.same_vehicle_both_ways:
        return
    mornings = {
        r.day: _vehicles_by_passenger(r) for r in result.plans if r.direction == Direction.TO_CENTRE
    }
    for day_result in result.plans:
        if day_result.direction != Direction.FROM_CENTRE or day_result.day not in mornings:
            continue
        morning = mornings[day_result.day]
        for passenger_id, vehicle_id in _vehicles_by_passenger(day_result).items():
            came_in = morning.get(passenger_id)
            if came_in is not None and came_in != vehicle_id:
                yield Violation(
                    VEHICLE_CHANGED,
                    day_result.day,
                    day_result.direction,
                    vehicle_id,
                    passenger_id,
                    f"Passenger {passenger_id} rides home in vehicle {vehicle_id} on "
                    f"{day_result.day} but came in vehicle {came_in}.",
                )
