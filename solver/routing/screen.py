"""Pre-solve screening: passengers no vehicle could ever serve, with a reason and a hint.

A passenger who fails a screen is not put into the model; they come back as ``unassigned``
with the first reason found. The checks, in order:

1. no vehicle is available on the day;
2. no vehicle the passenger may ride (``allowed_vehicles`` less ``excluded_vehicles``) is
   available on the day; the checks below consider only the vehicles they may ride;
3. a wheelchair passenger and no vehicle with a wheelchair place that day;
4. the seats needed (with escorts) exceed every vehicle that could otherwise take them;
5. the direct trip already exceeds the passenger's maximum ride time;
6. no vehicle can drive the passenger alone with the pickup and the drop-off inside their
   windows (``solver.routing.model.passenger_windows``), the ride inside its limit, and the route
   inside the vehicle's shift and ``max_route_s``.

With ``settings.choose_layouts`` a vehicle counts with each of its seating layouts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from solver.domain import (
    DayProblem,
    Direction,
    Passenger,
    Reason,
    Unassigned,
    Vehicle,
    alighting_s,
    as_laid_out,
    boarding_s,
    max_ride_limit_s,
)
from solver.routing.model import (
    direct_s,
    passenger_windows,
    trip_ends,
)
from solver.travel import TravelTimes


def clock(t_s: int) -> str:
    """Seconds after midnight -> "HH:MM" (for hints)."""
    return f"{t_s // 3600:02d}:{t_s % 3600 // 60:02d}"


@dataclass(frozen=True)
class Screened:
    """Passengers to model, and those already known to be unservable."""

    candidates: tuple[Passenger, ...]
    unassigned: tuple[Unassigned, ...]


def screen(problem: DayProblem, matrices: TravelTimes) -> Screened:
    """Split the day's passengers into model candidates and unservable ones (with reasons)."""
    candidates: list[Passenger] = []
    unassigned: list[Unassigned] = []
    for passenger in problem.passengers:
        found = screen_passenger(problem, passenger, matrices)
        if found is None:
            candidates.append(passenger)
        else:
            unassigned.append(found)
    return Screened(tuple(candidates), tuple(unassigned))


def screen_passenger(
    problem: DayProblem, passenger: Passenger, matrices: TravelTimes
) -> Unassigned | None:
    """The first reason no vehicle can serve ``passenger`` on this day-direction, or None."""
    pid, day = passenger.passenger_id, problem.day
    if not problem.vehicles:
        return Unassigned(
            pid, Reason.NO_VEHICLE, f"No vehicle is available on {day}; add one for that day."
        )
    laid_out = as_laid_out(problem.vehicles, problem.settings.choose_layouts)
    able: Sequence[Vehicle] = [v for v in laid_out if passenger.may_ride(v.vehicle_id)]
    if not able:
        return Unassigned(pid, Reason.NO_ALLOWED_VEHICLE, _allowed_hint(problem, passenger))
    if passenger.needs_wheelchair_place:
        able = [v for v in able if v.wheelchair_places > 0]
        if not able:
            return Unassigned(
                pid,
                Reason.NO_WHEELCHAIR_VEHICLE,
                f"No vehicle with a wheelchair place is available on {day}; "
                "add one or set a flip-seat layout with a wheelchair place.",
            )
    roomy = [v for v in able if v.seats >= passenger.num_seats]
    if not roomy:
        largest = max(v.seats for v in able)
        return Unassigned(
            pid,
            Reason.TOO_MANY_SEATS,
            f"Needs {passenger.num_seats} seats with escorts but the largest suitable vehicle "
            f"on {day} has {largest}; add a larger vehicle or reduce the escorts.",
        )
    direct = direct_s(problem, passenger, matrices)
    limit = max_ride_limit_s(passenger, direct, problem.settings.max_ride)
    if direct > limit:
        return Unassigned(
            pid,
            Reason.RIDE_TIME_TOO_SHORT,
            f"The direct trip takes {direct // 60 + 1} min but the maximum ride time is "
            f"{limit // 60} min; raise max_ride_s to at least {direct} s.",
        )
    earliest_arrival = min(_earliest_dropoff(problem, passenger, v, matrices) for v in roomy)
    if earliest_arrival is None or earliest_arrival == _NEVER:
        return Unassigned(pid, Reason.WINDOW_UNREACHABLE, _window_hint(problem, passenger))
    return None


_NEVER = 10**9


def _earliest_dropoff(
    problem: DayProblem, passenger: Passenger, vehicle: Vehicle, matrices: TravelTimes
) -> int:
    """Drop-off service start if ``vehicle`` drove this passenger alone, or _NEVER.

    The solo route leaves the depot, picks up at ``p``, drops off at ``q`` and ends (at the
    depot, or after alighting for an open route). Leaving the depot just in time and picking
    up as late as helps (until no wait is left before the drop-off window) makes the ride and
    the route as short as they can be, so the passenger is servable by ``vehicle`` exactly
    when this one timing keeps the windows, the ride limit, the shift and ``max_route_s``
    (counted as the model counts the span: up to the route's end).
    """
    service = problem.settings.service
    origin, destination = trip_ends(problem, passenger)
    depot = matrices.index_of(vehicle.depot)
    o, d = matrices.index_of(origin), matrices.index_of(destination)
    pickup_window, dropoff_window = passenger_windows(problem, passenger)
    to_pickup = int(matrices.durations_s[depot, o])
    board, drive = boarding_s(passenger, service), int(matrices.durations_s[o, d])
    back = int(matrices.durations_s[d, depot]) if problem.settings.return_to_depot else 0
    finish = alighting_s(passenger, service) + back  # from the drop-off's start to the end
    earliest_pickup = max(vehicle.shift.start_s + to_pickup, pickup_window.start_s)
    latest_pickup = min(
        pickup_window.end_s,
        dropoff_window.end_s - board - drive,
        vehicle.shift.end_s - finish - board - drive,
    )
    if earliest_pickup > latest_pickup:
        return _NEVER
    pickup = min(latest_pickup, max(earliest_pickup, dropoff_window.start_s - board - drive))
    dropoff = max(pickup + board + drive, dropoff_window.start_s)
    ride_limit = max_ride_limit_s(passenger, drive, problem.settings.max_ride)
    span = dropoff + finish - (pickup - to_pickup)
    if (
        dropoff > dropoff_window.end_s
        or dropoff - pickup - board > ride_limit
        or (vehicle.max_route_s is not None and span > vehicle.max_route_s)
    ):
        return _NEVER
    return dropoff


def _allowed_hint(problem: DayProblem, passenger: Passenger) -> str:
    if passenger.allowed_vehicles is not None:
        allowed = sorted(passenger.allowed_vehicles - passenger.excluded_vehicles)
        return (
            f"The passenger may only ride {', '.join(allowed) or 'no vehicle'}, and none of "
            f"them drives on {problem.day}; add one of them that day or allow another vehicle "
            "in allowed_vehicles."
        )
    return (
        f"Every vehicle driving on {problem.day} is in the passenger's excluded_vehicles; "
        "add another vehicle that day or shorten excluded_vehicles."
    )


def _window_hint(problem: DayProblem, passenger: Passenger) -> str:
    centre = problem.centre(passenger.centre_id)
    pickup_window, dropoff_window = passenger_windows(problem, passenger)
    if problem.direction is Direction.TO_CENTRE:
        return (
            f"No vehicle can bring the passenger to centre {centre.centre_id} between "
            f"{clock(dropoff_window.start_s)} and {clock(dropoff_window.end_s)} within its shift "
            "and longest route; widen the arrival window, the passenger's own pickup or "
            "drop-off times, or extend a shift."
        )
    return (
        f"No vehicle can take the passenger home from centre {centre.centre_id} "
        f"(departing {clock(pickup_window.start_s)}-{clock(pickup_window.end_s)}) "
        "in time; move the passenger's own drop-off times, the departure window or extend a "
        "shift."
    )
