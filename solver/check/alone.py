"""Unassigned passengers a vehicle could have driven alone: reasons that do not hold.

An ``unassigned`` entry's reason is a claim about the day. Six reasons say that no vehicle
could ever serve the passenger (no vehicle, none they may ride, no wheelchair place, too
many seats, a ride limit below the direct drive, windows no vehicle can reach); the checker
tests that claim by timing the one route that would prove it wrong: a vehicle of the day
leaving its depot, picking the passenger up, driving them straight to their destination and
ending its route, inside every rule. Where such a route exists the reason is false
(``CHECK_UNASSIGNED_SERVABLE``, a violation): e.g. a served passenger moved to
``unassigned`` with an invented reason. ``UNASSIGNED_FLEET_EXHAUSTED`` says every suitable
vehicle was busy; where a vehicle that drives no route could have taken the passenger alone
that is reported as advisory (``CHECK_IDLE_VEHICLE_COULD_SERVE``): strict pins to another
vehicle and a centre's entrance limit make it legitimate. ``UNASSIGNED_SEARCH_TIME`` already
says an idle vehicle could have.

Written here rather than reusing the solver's screening (:mod:`solver.routing.screen`), on
purpose: the checker recomputes from the input alone. Where the two could count a rule
differently (an open route's end), this timing takes the stricter count, so that it only
claims what holds under both.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from solver.check.context import DayContext
from solver.check.violations import IDLE_VEHICLE_COULD_SERVE, UNASSIGNED_SERVABLE, Violation
from solver.domain import (
    Passenger,
    Reason,
    SeatingLayout,
    Unassigned,
    Vehicle,
    alighting_s,
    boarding_s,
    layouts_of,
    max_ride_limit_s,
)

NO_VEHICLE_REASONS: Final = frozenset(
    {
        Reason.NO_VEHICLE,
        Reason.NO_ALLOWED_VEHICLE,
        Reason.NO_WHEELCHAIR_VEHICLE,
        Reason.TOO_MANY_SEATS,
        Reason.RIDE_TIME_TOO_SHORT,
        Reason.WINDOW_UNREACHABLE,
    }
)
"""Reasons that claim no vehicle of the day could serve the passenger at all."""

FLEET_REASONS: Final = frozenset({Reason.FLEET_EXHAUSTED})
"""The reason that claims every suitable vehicle was busy."""

_OPEN: Final = 10**9
"""An unset end of a window: no bound."""


@dataclass(frozen=True, slots=True)
class _Window:
    start_s: int
    end_s: int

    def meet(self, start_s: int | None, end_s: int | None) -> _Window:
        return _Window(
            self.start_s if start_s is None else max(self.start_s, start_s),
            self.end_s if end_s is None else min(self.end_s, end_s),
        )


def _fits(vehicle: Vehicle, passenger: Passenger, choose_layouts: bool) -> bool:
    """Whether some layout the vehicle may be driven with seats the passenger's party."""
    current = SeatingLayout(vehicle.seats, vehicle.wheelchair_places)
    layouts = layouts_of(vehicle) if choose_layouts else (current,)
    return any(
        passenger.num_seats <= layout.seats
        and passenger.num_wheelchair_places <= layout.wheelchair_places
        for layout in layouts
    )


def can_drive_alone(day: DayContext, passenger: Passenger, vehicle: Vehicle) -> bool:
    """Whether ``vehicle`` could drive ``passenger`` alone on the day-direction, within the rules.

    Depot -> pickup -> drop-off -> route end: the vehicle drives that day and the passenger
    may ride it; a layout seats them; the centre is open; the pickup and the drop-off start
    inside their windows (the passenger's own, met with the centre's); the ride (waiting
    included) is within its limit; the route, from leaving the depot to the end of alighting
    (and the drive back, with ``return_to_depot``), lies inside the shift and ``max_route_s``.
    Picking up as late as the drop-off window makes useful keeps the ride and the route as
    short as they can be, so that one timing decides. Conservative where a rule reaches past
    the one route: False where a centre limits its wheelchair entrance (a rule across
    routes), where the drivers' break rule would bind, and where the travel times do not
    know a location.
    """
    problem = day.problem
    settings = problem.settings
    centre = day.centre_of(passenger)
    hours = None if centre is None else centre.hours.get(problem.day)
    start, end = day.pickup_location(passenger), day.dropoff_location(passenger)
    if (
        centre is None
        or hours is None
        or start is None
        or end is None
        or vehicle.vehicle_id not in day.available
        or not passenger.may_ride(vehicle.vehicle_id)
        or not _fits(vehicle, passenger, settings.choose_layouts)
        or (day.to_centre and centre.max_wheelchair_dropoffs is not None)
    ):
        return False
    try:
        to_pickup_s = day.travel.duration_s(vehicle.depot, start)
        direct_s = day.travel.duration_s(start, end)
        back_s = day.travel.duration_s(end, vehicle.depot) if settings.return_to_depot else 0
    except LookupError:
        return False
    pickup = _Window(-_OPEN, _OPEN).meet(passenger.earliest_pickup_s, passenger.latest_pickup_s)
    dropoff = _Window(-_OPEN, _OPEN).meet(passenger.earliest_dropoff_s, passenger.latest_dropoff_s)
    if day.to_centre:
        dropoff = dropoff.meet(hours.arrival.start_s, hours.arrival.end_s)
    else:
        pickup = pickup.meet(hours.departure.start_s, hours.departure.end_s)
    board_s = boarding_s(passenger, settings.service)
    limit_s = max_ride_limit_s(passenger, direct_s, settings.max_ride)
    earliest_s = max(pickup.start_s, vehicle.shift.start_s + to_pickup_s)
    latest_s = min(pickup.end_s, dropoff.end_s - board_s - direct_s)
    if direct_s > limit_s or earliest_s > latest_s:
        return False
    pickup_s = min(latest_s, max(earliest_s, dropoff.start_s - board_s - direct_s))
    dropoff_s = max(pickup_s + board_s + direct_s, dropoff.start_s)
    route_start_s = pickup_s - to_pickup_s
    route_end_s = dropoff_s + alighting_s(passenger, settings.service) + back_s
    rule = settings.driver_break
    return (
        dropoff_s <= dropoff.end_s
        and dropoff_s - pickup_s - board_s <= limit_s
        and route_end_s <= vehicle.shift.end_s
        and (vehicle.max_route_s is None or route_end_s - route_start_s <= vehicle.max_route_s)
        and (rule is None or route_end_s - route_start_s <= rule.max_work_s)
    )


def _taker(day: DayContext, passenger: Passenger, vehicles: list[Vehicle]) -> str | None:
    """The first of ``vehicles`` that could drive ``passenger`` alone, if any."""
    for vehicle in vehicles:
        if can_drive_alone(day, passenger, vehicle):
            return vehicle.vehicle_id
    return None


def _served(day: DayContext) -> set[str]:
    """Everyone the result picks up or drops off."""
    return {
        passenger_id
        for route in day.result.routes
        for stop in route.stops
        for passenger_id in (*stop.pickups, *stop.dropoffs)
    }


def _claims(day: DayContext, reasons: frozenset[Reason]) -> Iterator[tuple[Unassigned, Passenger]]:
    """Unassigned entries of ``reasons``, with their passengers, that the rules here judge.

    A passenger also served in the result is left to the coverage rule, and an entry without
    a hint to the reason rule (one fault, one violation).
    """
    served = _served(day)
    for entry in day.result.unassigned:
        passenger = day.passengers.get(entry.passenger_id)
        if (
            passenger is not None
            and entry.reason in reasons
            and entry.passenger_id not in served
            and entry.hint.strip()
        ):
            yield entry, passenger


def check_unassigned_servable(day: DayContext) -> Iterator[Violation]:
    """CHECK_UNASSIGNED_SERVABLE: a no-vehicle reason for a passenger a vehicle could drive."""
    vehicles = list(day.problem.vehicles)
    for entry, passenger in _claims(day, NO_VEHICLE_REASONS):
        taker = _taker(day, passenger, vehicles)
        if taker is not None:
            yield day.violation(
                UNASSIGNED_SERVABLE,
                f"Passenger {entry.passenger_id} is unassigned with {entry.reason}, but vehicle "
                f"{taker} could drive them alone within every rule.",
                taker,
                entry.passenger_id,
            )


def advise_idle_vehicles(day: DayContext) -> Iterator[Violation]:
    """CHECK_IDLE_VEHICLE_COULD_SERVE (advisory): fleet exhausted, yet an idle vehicle fits."""
    busy = {route.vehicle_id for route in day.result.routes}
    idle = [v for v in day.problem.vehicles if v.vehicle_id not in busy]
    for entry, passenger in _claims(day, FLEET_REASONS):
        taker = _taker(day, passenger, idle)
        if taker is not None:
            yield day.violation(
                IDLE_VEHICLE_COULD_SERVE,
                f"Passenger {entry.passenger_id} is unassigned with {entry.reason} while "
                f"vehicle {taker}, which drives no route, could drive them alone.",
                taker,
                entry.passenger_id,
            )
