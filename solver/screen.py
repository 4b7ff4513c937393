"""Pre-solve screening: passengers no vehicle could ever serve, with a reason and a hint.

A passenger who fails a screen is not put into the model; they come back as ``unassigned``
with the first reason found. The checks, in order:

1. no vehicle is available on the day;
2. a wheelchair passenger and no vehicle with a wheelchair place that day;
3. the seats needed (with escorts) exceed every vehicle that could otherwise take them;
4. the direct trip already exceeds the passenger's maximum ride time;
5. no vehicle can reach the pickup and the drop-off inside their windows and its shift.
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
    boarding_s,
    max_ride_limit_s,
)
from solver.model import Matrices, direct_s, passenger_windows, trip_ends


def clock(t_s: int) -> str:
    """Seconds after midnight -> "HH:MM" (for hints)."""
    return f"{t_s // 3600:02d}:{t_s % 3600 // 60:02d}"


@dataclass(frozen=True)
class Screened:
    """Passengers to model, and those already known to be unservable."""

    candidates: tuple[Passenger, ...]
    unassigned: tuple[Unassigned, ...]


def screen(problem: DayProblem, matrices: Matrices) -> Screened:
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
    problem: DayProblem, passenger: Passenger, matrices: Matrices
) -> Unassigned | None:
    """The first reason no vehicle can serve ``passenger`` on this day-direction, or None."""
    pid, day = passenger.passenger_id, problem.day
    if not problem.vehicles:
        return Unassigned(
            pid, Reason.NO_VEHICLE, f"No vehicle is available on {day}; add one for that day."
        )
    able: Sequence[Vehicle] = problem.vehicles
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
    problem: DayProblem, passenger: Passenger, vehicle: Vehicle, matrices: Matrices
) -> int:
    """Earliest drop-off service start if ``vehicle`` drove this passenger alone, or _NEVER."""
    service = problem.settings.service
    origin, destination = trip_ends(problem, passenger)
    depot = matrices.index_of(vehicle.depot)
    o, d = matrices.index_of(origin), matrices.index_of(destination)
    pickup_window, dropoff_window = passenger_windows(problem, passenger)
    pickup = max(vehicle.shift.start_s + int(matrices.durations_s[depot, o]), pickup_window.start_s)
    if pickup > pickup_window.end_s:
        return _NEVER
    dropoff = max(
        pickup + boarding_s(passenger, service) + int(matrices.durations_s[o, d]),
        dropoff_window.start_s,
    )
    if dropoff > dropoff_window.end_s:
        return _NEVER
    back = int(matrices.durations_s[d, depot]) if problem.settings.return_to_depot else 0
    if dropoff + alighting_s(passenger, service) + back > vehicle.shift.end_s:
        return _NEVER
    return dropoff


def _window_hint(problem: DayProblem, passenger: Passenger) -> str:
    centre = problem.centre(passenger.centre_id)
    hours = centre.hours[problem.day]
    if problem.direction is Direction.TO_CENTRE:
        return (
            f"No vehicle can bring the passenger to centre {centre.centre_id} between "
            f"{clock(hours.arrival.start_s)} and {clock(hours.arrival.end_s)} within its shift; "
            "widen the arrival window, drop the earliest pickup or extend a shift."
        )
    return (
        f"No vehicle can take the passenger home from centre {centre.centre_id} "
        f"(departing {clock(hours.departure.start_s)}-{clock(hours.departure.end_s)}) "
        "in time; move the latest drop-off, the departure window or extend a shift."
    )
