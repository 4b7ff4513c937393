"""Lower bounds on the vehicles a day-direction needs, to judge how far a plan is from the best.

``vehicle_lower_bound(problem, matrices)`` returns a number of vehicles that every plan
serving all of the day-direction's servable passengers (those ``solver.routing.screen`` keeps) must
use, whatever the search. It is the largest of four valid bounds:

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
3. **Seat-time over an interval** (energetic reasoning, as in cumulative scheduling). Each
   passenger holds their seats at least from their pickup's start to the start of their
   drop-off, ``boarding + direct`` seconds, starting somewhere in ``[ES, LS]`` (the earliest
   pickup start; the latest one that still reaches the drop-off window). Over any interval
   ``[t1, t2)`` they hold them at least ``min(overlap if they start at ES, overlap if they
   start at LS)`` (the overlap is unimodal in the start), and ``K`` vehicles offer at most
   ``K x largest seats x (t2 - t1)`` seat-seconds in it. Intervals run between the starts
   and ends of those extreme placements. Bound 2 is this bound's zero-length case.
4. **Pairwise incompatible passengers.** Two passengers conflict when no single route can
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

from solver.domain import (
    DayProblem,
    Passenger,
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
from solver.routing.screen import screen
from solver.travel import TravelTimes

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
    seat_time: int = 0


def vehicle_lower_bound(problem: DayProblem, matrices: TravelTimes) -> int:
    """Fewest vehicles any plan serving every servable passenger needs (see the module)."""
    return vehicle_bound_parts(problem, matrices).vehicles


def vehicle_bound_parts(problem: DayProblem, matrices: TravelTimes) -> VehicleBound:
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
    max_rides = [
        max_ride_limit_s(p, direct_s(problem, p, matrices), problem.settings.max_ride)
        + boarding_s(p, problem.settings.service)
        for p in passengers
    ]
    seat_time = max(
        _seat_time_bound(trips, max_rides, durations, max_seats, wheelchairs=False),
        _seat_time_bound(trips, max_rides, durations, max_wheelchairs, wheelchairs=True),
    )
    return VehicleBound(
        vehicles=max(1, seats_bound, wheelchair_bound, clique, seat_time),
        aboard_seats=seats_bound,
        aboard_wheelchairs=wheelchair_bound,
        conflicts=clique,
        seat_time=seat_time,
    )


def _trip(
    problem: DayProblem, passenger: Passenger, matrices: TravelTimes
) -> tuple[_Visit, _Visit]:
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


def _seat_time_bound(
    trips: Sequence[tuple[_Visit, _Visit]],
    max_rides_s: Sequence[int],
    durations: npt.NDArray[np.int64],
    capacity: int,
    wheelchairs: bool,
) -> int:
    """Bound 3 of the module: seats (or wheelchair places) held x time, over the best interval.

    A passenger picked up at ``s`` holds their seats until the drop-off starts: at least
    ``hold`` (boarding + direct) seconds, and no earlier than the drop-off window opens
    (``D``). ``s`` lies between ``max(pickup start, D - max ride)`` and the latest pickup
    that reaches the drop-off window; the overlap with an interval, as a function of ``s``,
    first falls (the hold shrinks towards ``D``) and then rises and falls (it slides), so
    its least value is at one of three starts: the earliest, ``D - hold`` and the latest.
    """
    rows = []
    for (pickup, dropoff), max_ride_s in zip(trips, max_rides_s, strict=True):
        taken = pickup.wheelchairs if wheelchairs else pickup.seats
        held_s = pickup.service_s + int(durations[pickup.node, dropoff.node])
        earliest_s = max(pickup.start_s, dropoff.start_s - max_ride_s)
        latest_s = min(pickup.end_s, dropoff.end_s - held_s)
        if taken > 0 and held_s > 0 and earliest_s <= latest_s:
            middle_s = min(max(dropoff.start_s - held_s, earliest_s), latest_s)
            rows.append((taken, held_s, dropoff.start_s, earliest_s, middle_s, latest_s))
    if not rows or capacity <= 0:
        return 0
    table = np.array(rows, dtype=np.int64)
    load, hold, opens = table[:, 0], table[:, 1], table[:, 2]
    placements = [table[:, 3], table[:, 4], table[:, 5]]
    until = [np.maximum(start + hold, opens) for start in placements]
    starts = np.unique(np.concatenate(placements))
    ends = np.unique(np.concatenate(until))
    best = 0
    for t1 in starts:
        t2 = ends[ends > t1]
        if t2.size == 0:
            continue
        held = np.minimum.reduce(
            [_overlap(a, b, int(t1), t2) for a, b in zip(placements, until, strict=True)]
        )
        needed = (load[:, None] * held).sum(axis=0) / (capacity * (t2 - t1))
        best = max(best, int(np.ceil(needed.max() - 1e-9)))
    return best


def _overlap(
    start: npt.NDArray[np.int64], end: npt.NDArray[np.int64], t1: int, t2: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Seconds each ``[start, end)`` shares with each ``[t1, t2)``: trips x interval ends."""
    top = np.minimum(t2[None, :], end[:, None])
    shared: npt.NDArray[np.int64] = np.maximum(0, top - np.maximum(t1, start)[:, None])
    return shared


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
            # (solver.routing.model.visit_transits); the shorter bound is the safe one.
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
