"""Lower bounds on the vehicles a day-direction needs, to judge how far a plan is from the best.

``vehicle_lower_bound(problem, matrices)`` returns a number of vehicles that every plan
serving all of the day-direction's servable passengers (those ``solver.screen`` keeps) must
use, whatever the search. It is the largest of three valid bounds:

1. **One vehicle** as soon as anybody is servable.
2. **Certainly aboard at once.** Whatever the timing, passenger ``p`` is aboard from the
   latest moment their pickup can start, ``LP = min(pickup end, drop-off end - boarding -
   direct)``, to the earliest their drop-off can start, ``ED = max(drop-off start, pickup
   start + boarding + direct)`` (``direct``: the straight drive from pickup to drop-off; any
   other way is at least as long when travel times keep the triangle inequality, as
   shortest-path times do). Where ``LP < ED`` the passenger occupies their seats (wheelchair
   place) throughout ``[LP, ED)``; at any instant no vehicle holds more than the fleet's
   largest ``seats`` (``wheelchair_places``), so the vehicles are at least the peak of the
   seats (places) certainly in use divided by that, rounded up.
3. **Pairwise incompatible passengers.** Two passengers conflict when no single route can
   serve both: none of the six orders of their two pickups and two drop-offs (each pickup
   before its drop-off) keeps every window with the earliest-start timing (waiting allowed)
   and the load within the fleet's largest seats and wheelchair places. Vehicles, depots,
   shifts and ride limits are ignored: dropping constraints only removes conflicts, so the
   bound stays valid. A set of pairwise conflicting passengers needs one vehicle each; the
   set is grown greedily (any such set is a valid bound; the largest one is hard to find).

The bounds count vehicles per day-direction, each vehicle driving one route that may serve
passengers one after the other: a plain "seats needed / seats per vehicle" is *not* a valid
bound, since one vehicle may bring two loads to a centre within its arrival window.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from solver.domain import DayProblem, Passenger, alighting_s, as_laid_out, boarding_s
from solver.model import Matrices, passenger_windows, trip_ends
from solver.screen import screen

_ORDERS: tuple[tuple[int, ...], ...] = tuple(
    order
    for order in itertools.permutations(range(4))
    if order.index(0) < order.index(1) and order.index(2) < order.index(3)
)
"""The six orders of pickup 0, drop-off 1 (first passenger), pickup 2, drop-off 3 (second)."""


@dataclass(frozen=True, slots=True)
class _Visit:
    node: int
    start_s: int
    end_s: int
    service_s: int
    seats: int
    wheelchairs: int


@dataclass(frozen=True, slots=True)
class VehicleBound:
    """The lower bound and which of its parts gave it (for reports)."""

    vehicles: int
    aboard_seats: int
    aboard_wheelchairs: int
    conflicts: int


def vehicle_lower_bound(problem: DayProblem, matrices: Matrices) -> int:
    """Fewest vehicles any plan serving every servable passenger needs (see the module)."""
    return vehicle_bound_parts(problem, matrices).vehicles


def vehicle_bound_parts(problem: DayProblem, matrices: Matrices) -> VehicleBound:
    """``vehicle_lower_bound`` with the value of each of its three parts."""
    passengers = screen(problem, matrices).candidates
    if not passengers or not problem.vehicles:
        return VehicleBound(0, 0, 0, 0)
    # With layouts to choose from, the largest of each over every layout: still a bound.
    fleet = as_laid_out(problem.vehicles, problem.settings.choose_layouts)
    max_seats = max(v.seats for v in fleet)
    max_wheelchairs = max(v.wheelchair_places for v in fleet)
    trips = [_trip(problem, p, matrices) for p in passengers]
    durations = np.asarray(matrices.durations_s, dtype=np.int64)
    seats_bound, wheelchair_bound = _aboard_bounds(trips, durations, max_seats, max_wheelchairs)
    conflicts = _conflict_graph(trips, durations, max_seats, max_wheelchairs)
    clique = _greedy_clique(conflicts)
    return VehicleBound(
        vehicles=max(1, seats_bound, wheelchair_bound, clique),
        aboard_seats=seats_bound,
        aboard_wheelchairs=wheelchair_bound,
        conflicts=clique,
    )


def _trip(problem: DayProblem, passenger: Passenger, matrices: Matrices) -> tuple[_Visit, _Visit]:
    origin, destination = trip_ends(problem, passenger)
    pickup_window, dropoff_window = passenger_windows(problem, passenger)
    service = problem.settings.service
    seats, wheelchairs = passenger.num_seats, passenger.num_wheelchair_places
    return (
        _Visit(
            matrices.index_of(origin),
            pickup_window.start_s,
            pickup_window.end_s,
            boarding_s(passenger, service),
            seats,
            wheelchairs,
        ),
        _Visit(
            matrices.index_of(destination),
            dropoff_window.start_s,
            dropoff_window.end_s,
            alighting_s(passenger, service),
            -seats,
            -wheelchairs,
        ),
    )


def _aboard_bounds(
    trips: Sequence[tuple[_Visit, _Visit]],
    durations: npt.NDArray[np.int64],
    max_seats: int,
    max_wheelchairs: int,
) -> tuple[int, int]:
    """Peak seats and wheelchair places certainly in use at one instant, over the largest."""
    events: list[tuple[int, int, int]] = []  # (time, seats change, wheelchair change)
    for pickup, dropoff in trips:
        direct = int(durations[pickup.node, dropoff.node])
        aboard_from = min(pickup.end_s, dropoff.end_s - pickup.service_s - direct)
        aboard_until = max(dropoff.start_s, pickup.start_s + pickup.service_s + direct)
        if aboard_from < aboard_until:
            events.append((aboard_from, pickup.seats, pickup.wheelchairs))
            events.append((aboard_until, -pickup.seats, -pickup.wheelchairs))
    seats = wheelchairs = peak_seats = peak_wheelchairs = 0
    for _, seats_change, wheelchair_change in sorted(events):  # ends sort before starts
        seats += seats_change
        wheelchairs += wheelchair_change
        peak_seats = max(peak_seats, seats)
        peak_wheelchairs = max(peak_wheelchairs, wheelchairs)
    return _ceil_div(peak_seats, max_seats), _ceil_div(peak_wheelchairs, max_wheelchairs)


def _ceil_div(load: int, capacity: int) -> int:
    if load <= 0:
        return 0
    return math.ceil(load / capacity) if capacity > 0 else 0


def _conflict_graph(
    trips: Sequence[tuple[_Visit, _Visit]],
    durations: npt.NDArray[np.int64],
    max_seats: int,
    max_wheelchairs: int,
) -> npt.NDArray[np.bool_]:
    """Symmetric matrix: True where no single route can serve both passengers."""
    n = len(trips)
    conflicts = np.zeros((n, n), dtype=np.bool_)
    for i, j in itertools.combinations(range(n), 2):
        visits = (*trips[i], *trips[j])
        if not any(
            _order_fits(visits, order, durations, max_seats, max_wheelchairs) for order in _ORDERS
        ):
            conflicts[i, j] = conflicts[j, i] = True
    return conflicts


def _order_fits(
    visits: tuple[_Visit, ...],
    order: tuple[int, ...],
    durations: npt.NDArray[np.int64],
    max_seats: int,
    max_wheelchairs: int,
) -> bool:
    """Whether the visits in ``order`` keep windows (earliest start) and the largest loads."""
    time_s = seats = wheelchairs = 0
    previous: _Visit | None = None
    for index in order:
        visit = visits[index]
        if previous is None:
            arrival = visit.start_s
        elif previous.node == visit.node:
            # One address may be one stop, sharing the longest boarding time
            # (solver.model.visit_transits); the shorter bound is the safe one.
            arrival = time_s + max(0, previous.service_s - visit.service_s)
        else:
            arrival = time_s + previous.service_s + int(durations[previous.node, visit.node])
        time_s = max(arrival, visit.start_s)
        seats += visit.seats
        wheelchairs += visit.wheelchairs
        if time_s > visit.end_s or seats > max_seats or wheelchairs > max_wheelchairs:
            return False
        previous = visit
    return True


def _greedy_clique(adjacent: npt.NDArray[np.bool_]) -> int:
    """Size of the largest clique found by growing one greedily from every vertex."""
    n = len(adjacent)
    if n == 0:
        return 0
    best = 1
    for start in range(n):
        candidates = adjacent[start].copy()
        size = 1
        while candidates.any():
            indices = np.flatnonzero(candidates)
            within = adjacent[np.ix_(indices, indices)].sum(axis=1)
            chosen = int(indices[int(np.argmax(within))])
            candidates &= adjacent[chosen]
            size += 1
        best = max(best, size)
    return best
