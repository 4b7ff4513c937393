"""Rules on what a vehicle carries, and on the wheelchair entrances of centres.

Route rules: loads, the seating layout, seats and wheelchair places; a day rule over every
route: the entrances.

The loads after each stop are recomputed once per route
(:attr:`~solver.check.context.RouteContext.loads`); each rule reads them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from solver.check.context import DayContext, RouteContext, clock
from solver.check.violations import (
    LAYOUT,
    LOAD_MISMATCH,
    SEATS,
    WHEELCHAIR_ENTRANCE,
    WHEELCHAIR_PLACES,
    Violation,
)
from solver.domain import Centre, Passenger, Route


def check_load_mismatch(route: RouteContext) -> Iterator[Violation]:
    """CHECK_LOAD_MISMATCH: each stop reports the load recomputed from the route."""
    for index, (stop, load) in enumerate(zip(route.route.stops, route.loads, strict=True)):
        seats, wheelchairs = load.seats, load.wheelchair_places
        if (stop.load_seats, stop.load_wheelchair_places) != (seats, wheelchairs):
            yield route.day.violation(
                LOAD_MISMATCH,
                f"Stop {index} of vehicle {route.vehicle_id} reports a load of "
                f"{stop.load_seats} seats and {stop.load_wheelchair_places} wheelchair places, "
                f"but the pickups and drop-offs so far give {seats} and {wheelchairs}.",
                route.vehicle_id,
            )


def check_layout(route: RouteContext) -> Iterator[Violation]:
    """CHECK_LAYOUT: a reported seating layout is one the vehicle may be driven with."""
    vehicle, layout = route.vehicle, route.route.layout
    if vehicle is None or layout is None or layout in route.allowed_layouts:
        return
    listed = ", ".join(f"{a.seats}+{a.wheelchair_places}" for a in route.allowed_layouts)
    yield route.day.violation(
        LAYOUT,
        f"Route of vehicle {vehicle.vehicle_id} reports the layout {layout.seats} seats "
        f"+ {layout.wheelchair_places} wheelchair places, not one it may use ({listed}).",
        vehicle.vehicle_id,
    )


def check_capacity(route: RouteContext) -> Iterator[Violation]:
    """CHECK_SEATS and CHECK_WHEELCHAIR_PLACES: the busiest loads fit the laid-out vehicle.

    A vehicle without wheelchair places gets one violation per wheelchair passenger aboard:
    the fix is to move them, not to count places.
    """
    vehicle = route.capacity
    if vehicle is None:
        return
    day, vehicle_id = route.day, route.vehicle_id
    peak_seats = peak_wheelchairs = 0
    peak_seats_index = peak_wheelchairs_index = 0
    for index, load in enumerate(route.loads):
        if load.seats > peak_seats:
            peak_seats, peak_seats_index = load.seats, index
        if load.wheelchair_places > peak_wheelchairs:
            peak_wheelchairs, peak_wheelchairs_index = load.wheelchair_places, index
    if peak_seats > vehicle.seats:
        yield day.violation(
            SEATS,
            f"Vehicle {vehicle_id} carries {peak_seats} seated people after stop "
            f"{peak_seats_index}, more than the {vehicle.seats} seats it has.",
            vehicle_id,
        )
    if vehicle.wheelchair_places == 0:
        for stop in route.route.stops:
            for passenger_id in stop.pickups:
                passenger = day.passengers.get(passenger_id)
                if passenger is not None and passenger.needs_wheelchair_place:
                    yield day.violation(
                        WHEELCHAIR_PLACES,
                        f"Passenger {passenger_id} rides in a wheelchair in vehicle "
                        f"{vehicle_id}, which has no wheelchair place.",
                        vehicle_id,
                        passenger_id,
                    )
    elif peak_wheelchairs > vehicle.wheelchair_places:
        yield day.violation(
            WHEELCHAIR_PLACES,
            f"Vehicle {vehicle_id} carries {peak_wheelchairs} wheelchairs after stop "
            f"{peak_wheelchairs_index}, more than the {vehicle.wheelchair_places} "
            f"wheelchair places it has.",
            vehicle_id,
        )


# ------------------------------------------------------------------------------ entrances


@dataclass(frozen=True, slots=True)
class EntrancePeak:
    """The most wheelchair users set down at once at a centre: how many, from when, by whom."""

    holding: int
    at_s: int
    vehicle_id: str


def entrance_peaks(
    routes: Iterable[Route],
    centres: Iterable[Centre],
    passengers: Iterable[Passenger],
    tolerance_s: int = 0,
) -> dict[str, EntrancePeak]:
    """Per centre with ``max_wheelchair_dropoffs``, its busiest moment on these morning routes.

    A stop there that sets down wheelchair users holds the entrance from its ``arrival_s`` to
    its ``departure_s`` (less ``tolerance_s``), once for each of them; spans that only touch do
    not overlap. Centres where nobody in a wheelchair is set down are left out.
    """
    limited = {c.centre_id for c in centres if c.max_wheelchair_dropoffs is not None}
    wheelchair = {p.passenger_id for p in passengers if p.needs_wheelchair_place}
    events: dict[str, list[tuple[int, int, int, str]]] = {}  # (time, order, change, vehicle)
    for route in routes:
        for stop in route.stops:
            if stop.centre_id not in limited:
                continue
            count = sum(1 for pid in stop.dropoffs if pid in wheelchair)
            if count:
                at_centre = events.setdefault(stop.centre_id or "", [])
                at_centre.append((stop.arrival_s, 1, count, route.vehicle_id))
                at_centre.append((stop.departure_s - tolerance_s, 0, -count, route.vehicle_id))
    peaks: dict[str, EntrancePeak] = {}
    for centre_id, changes in events.items():
        holding = 0
        for at_s, _, change, vehicle_id in sorted(changes):  # ends before starts at one time
            holding += change
            if centre_id not in peaks or holding > peaks[centre_id].holding:
                peaks[centre_id] = EntrancePeak(holding, at_s, vehicle_id)
    return peaks


def check_entrances(day: DayContext) -> Iterator[Violation]:
    """CHECK_WHEELCHAIR_ENTRANCE: wheelchair set-downs overlapping at a centre.

    Over every route of a to_centre day.
    """
    if not day.to_centre:
        return
    problem = day.problem
    peaks = entrance_peaks(day.result.routes, problem.centres, problem.passengers, day.tolerance_s)
    for centre_id, peak in sorted(peaks.items()):
        limit = day.centres[centre_id].max_wheelchair_dropoffs or 0
        if peak.holding > limit:
            yield day.violation(
                WHEELCHAIR_ENTRANCE,
                f"{peak.holding} wheelchair users are being set down at centre {centre_id} "
                f"at {clock(peak.at_s)} (vehicle {peak.vehicle_id} arriving), more than "
                f"its max_wheelchair_dropoffs of {limit}.",
                peak.vehicle_id,
            )
