"""What every rule of the checker reads: the problem, the result, and what is recomputed once.

A :class:`DayContext` holds one day-direction's problem and result, the travel-time oracle,
the tolerance and the lookups by id; a :class:`RouteContext` adds one route with its vehicle
and what is recomputed from the input for it, once for all the route rules: the drive from
each stop to the next (:class:`Leg`) and the load after each stop (:class:`Load`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Final

from solver.check.violations import Violation
from solver.domain import (
    Centre,
    DayProblem,
    DayResult,
    Direction,
    LatLon,
    Passenger,
    Route,
    SeatingLayout,
    StopKind,
    Vehicle,
    layouts_of,
)
from solver.travel import TravelTimes

LOCATION_TOLERANCE_DEG: Final = 1e-6
"""Largest difference in latitude or longitude for two locations to count as the same."""

DEFAULT_TOLERANCE_S: Final = 1
"""Default rounding slack in every time comparison."""


def clock(t_s: int) -> str:
    """``t_s`` seconds after midnight as HH:MM:SS (for messages)."""
    sign = "-" if t_s < 0 else ""
    t_s = abs(t_s)
    return f"{sign}{t_s // 3600:02d}:{t_s % 3600 // 60:02d}:{t_s % 60:02d}"


def same_place(a: LatLon, b: LatLon) -> bool:
    """Whether two locations are the same within ``LOCATION_TOLERANCE_DEG``."""
    return (
        abs(a.lat - b.lat) <= LOCATION_TOLERANCE_DEG
        and abs(a.lon - b.lon) <= LOCATION_TOLERANCE_DEG
    )


@dataclass(frozen=True, slots=True)
class DayContext:
    """One day-direction's problem and result, as every day rule reads them.

    ``fleet``: every vehicle the result may name, by id (a vehicle in it but not in
    ``problem.vehicles`` is not available that day). ``available``: the ids of the problem's
    vehicles that drive that day.
    """

    problem: DayProblem
    result: DayResult
    travel: TravelTimes
    tolerance_s: int
    passengers: Mapping[str, Passenger]
    centres: Mapping[str, Centre]
    fleet: Mapping[str, Vehicle]
    available: frozenset[str]

    @property
    def to_centre(self) -> bool:
        """Whether the day-direction goes to the centres.

        Compared with ==, so that a plain "to_centre" string works as well as the enum.
        """
        return self.problem.direction == Direction.TO_CENTRE

    def violation(
        self,
        code: str,
        message: str,
        vehicle_id: str | None = None,
        passenger_id: str | None = None,
    ) -> Violation:
        """A violation of this day-direction."""
        problem = self.problem
        return Violation(code, problem.day, problem.direction, vehicle_id, passenger_id, message)

    def centre_of(self, passenger: Passenger) -> Centre | None:
        """The passenger's centre, or ``None`` when it is not in the problem.

        That is an input error for validate; the checker then has no expected location to
        compare with.
        """
        return self.centres.get(passenger.centre_id)

    def pickup_location(self, passenger: Passenger) -> LatLon | None:
        """Where the passenger is picked up: home going in, their centre going home."""
        if self.to_centre:
            return passenger.home_on(self.problem.day)
        centre = self.centre_of(passenger)
        return None if centre is None else centre.location

    def dropoff_location(self, passenger: Passenger) -> LatLon | None:
        """Where the passenger is dropped off: their centre going in, home going home."""
        if not self.to_centre:
            return passenger.home_on(self.problem.day)
        centre = self.centre_of(passenger)
        return None if centre is None else centre.location

    @property
    def pickup_kind(self) -> StopKind:
        """The kind of stop where passengers are picked up."""
        return StopKind.HOME if self.to_centre else StopKind.CENTRE

    @property
    def dropoff_kind(self) -> StopKind:
        """The kind of stop where passengers are dropped off."""
        return StopKind.CENTRE if self.to_centre else StopKind.HOME


def day_context(
    problem: DayProblem,
    result: DayResult,
    travel: TravelTimes,
    tolerance_s: int,
    fleet: Iterable[Vehicle],
) -> DayContext:
    """The context for checking ``result`` against ``problem``; ``fleet`` as in DayContext."""
    return DayContext(
        problem=problem,
        result=result,
        travel=travel,
        tolerance_s=tolerance_s,
        passengers={p.passenger_id: p for p in problem.passengers},
        centres={c.centre_id: c for c in problem.centres},
        fleet={v.vehicle_id: v for v in fleet},
        available=frozenset(v.vehicle_id for v in problem.vehicles if problem.day in v.days),
    )


@dataclass(frozen=True, slots=True)
class StopRef:
    """Where something happens in a result: route index and stop index."""

    route_index: int
    stop_index: int


@dataclass(frozen=True, slots=True)
class Leg:
    """The drive between two consecutive stops."""

    duration_s: int
    distance_m: int


@dataclass(frozen=True, slots=True)
class Load:
    """Seats and wheelchair places taken after a stop, recomputed from pickups and drop-offs."""

    seats: int
    wheelchair_places: int


@dataclass(frozen=True, slots=True)
class RouteContext:
    """One route of a day-direction (with at least one stop) and what is recomputed for it.

    ``vehicle``: the route's vehicle, ``None`` when it is not in the fleet. ``legs[i]``: the
    drive from stop ``i`` to stop ``i + 1``, ``None`` where the oracle does not know a
    location. ``loads[i]``: the load after stop ``i``. ``allowed_layouts``: the seating
    layouts the vehicle may be driven with (its ``layouts`` with ``settings.choose_layouts``,
    else only its current seats and places); empty without a vehicle.
    """

    day: DayContext
    route: Route
    vehicle: Vehicle | None
    legs: tuple[Leg | None, ...]
    loads: tuple[Load, ...]
    allowed_layouts: tuple[SeatingLayout, ...]

    @property
    def vehicle_id(self) -> str:
        """The route's vehicle id."""
        return self.route.vehicle_id

    @property
    def capacity(self) -> Vehicle | None:
        """The vehicle with the route's reported layout, if it is one it may be driven with.

        A layout it may not have is reported by ``check_layout``; the loads are then checked
        against the current seats and places.
        """
        vehicle, layout = self.vehicle, self.route.layout
        if vehicle is None or layout is None or layout not in self.allowed_layouts:
            return vehicle
        return replace(vehicle, seats=layout.seats, wheelchair_places=layout.wheelchair_places)


def _legs(route: Route, travel: TravelTimes) -> tuple[Leg | None, ...]:
    """Travel time and distance from each stop to the next (``None``: unknown location)."""
    legs: list[Leg | None] = []
    for previous, stop in zip(route.stops, route.stops[1:], strict=False):
        try:
            legs.append(
                Leg(
                    travel.duration_s(previous.location, stop.location),
                    travel.distance_m(previous.location, stop.location),
                )
            )
        except LookupError:
            legs.append(None)
    return tuple(legs)


def _loads(route: Route, passengers: Mapping[str, Passenger]) -> tuple[Load, ...]:
    """The load after each stop: pickups add their seats and places, drop-offs subtract them.

    Passengers not in the problem (reported by the coverage rule) count for nothing.
    """
    loads: list[Load] = []
    seats = wheelchairs = 0
    for stop in route.stops:
        for passenger_id in stop.pickups:
            passenger = passengers.get(passenger_id)
            if passenger is not None:
                seats += passenger.num_seats
                wheelchairs += passenger.num_wheelchair_places
        for passenger_id in stop.dropoffs:
            passenger = passengers.get(passenger_id)
            if passenger is not None:
                seats -= passenger.num_seats
                wheelchairs -= passenger.num_wheelchair_places
        loads.append(Load(seats, wheelchairs))
    return tuple(loads)


def route_context(day: DayContext, route: Route) -> RouteContext:
    """The context for checking ``route`` (which has stops), its recomputations done once."""
    vehicle = day.fleet.get(route.vehicle_id)
    allowed: tuple[SeatingLayout, ...] = ()
    if vehicle is not None:
        current = SeatingLayout(vehicle.seats, vehicle.wheelchair_places)
        allowed = layouts_of(vehicle) if day.problem.settings.choose_layouts else (current,)
    return RouteContext(
        day=day,
        route=route,
        vehicle=vehicle,
        legs=_legs(route, day.travel),
        loads=_loads(route, day.passengers),
        allowed_layouts=allowed,
    )
