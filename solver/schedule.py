"""Timing a fixed route: when each visit's service starts.

OR-Tools proves a route can be timed within its windows and ride-time limits, but the times it
reports come from a finaliser that knows nothing of the ride-time limits: it may park a full
vehicle for twenty minutes. Here the times are chosen again, as a small linear programme over
the route's visits:

    minimise    DURATION_WEIGHT x (end - start) + sum over passengers of (drop-off - pickup)
    subject to  t[i+1] - t[i] >= service[i] + travel[i, i+1]      (driving, serving)
                window_start[i] <= t[i] <= window_end[i]          (windows and the shift)
                t[dropoff] - t[pickup] <= limit                   (ride time, service included)
                t[last] - t[first] <= max_span                    (the vehicle's max_route_s)

Every constraint is a difference of two variables or a bound, so the matrix is totally
unimodular and a simplex vertex is whole seconds (checked, never assumed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

DURATION_WEIGHT = 1000.0
"""How much a second of route duration (cost) outweighs a second of one passenger's ride."""


@dataclass(frozen=True, slots=True)
class RideLimit:
    """Positions of a passenger's pickup and drop-off in the route, and the most between them."""

    pickup: int
    dropoff: int
    max_s: int


def schedule_route(
    windows: Sequence[tuple[int, int]],
    leg_s: Sequence[int],
    rides: Sequence[RideLimit],
    max_span_s: int | None = None,
) -> list[int] | None:
    """Service start times for a route's visits, or None if none satisfy every constraint.

    ``windows``: per visit (earliest, latest) service start. ``leg_s``: per consecutive pair,
    service at the first plus travel to the second (``len(windows) - 1`` values).
    ``max_span_s``: the most seconds from the first visit's start to the last one's (the
    vehicle's ``max_route_s``); ``None``: no limit.
    """
    n = len(windows)
    if n == 0:
        return []
    cost = np.zeros(n)
    cost[0] -= DURATION_WEIGHT
    cost[-1] += DURATION_WEIGHT
    for ride in rides:
        cost[ride.dropoff] += 1.0
        cost[ride.pickup] -= 1.0
    rows: list[int] = []
    cols: list[int] = []
    values: list[float] = []
    bounds_ub: list[float] = []
    for i, leg in enumerate(leg_s):  # t[i] - t[i+1] <= -leg
        rows += [len(bounds_ub), len(bounds_ub)]
        cols += [i, i + 1]
        values += [1.0, -1.0]
        bounds_ub.append(-float(leg))
    for ride in rides:  # t[d] - t[p] <= max
        rows += [len(bounds_ub), len(bounds_ub)]
        cols += [ride.dropoff, ride.pickup]
        values += [1.0, -1.0]
        bounds_ub.append(float(ride.max_s))
    if max_span_s is not None and n > 1:  # t[last] - t[0] <= max_span
        rows += [len(bounds_ub), len(bounds_ub)]
        cols += [n - 1, 0]
        values += [1.0, -1.0]
        bounds_ub.append(float(max_span_s))
    a_ub = coo_matrix((values, (rows, cols)), shape=(len(bounds_ub), n)).tocsr()
    solution = linprog(
        cost,
        A_ub=a_ub if bounds_ub else None,
        b_ub=np.array(bounds_ub) if bounds_ub else None,
        bounds=[(float(lo), float(hi)) for lo, hi in windows],
        method="highs-ds",
    )
    if solution.status != 0:
        return None
    times = [round(float(t)) for t in solution.x]
    if not _satisfies(times, windows, leg_s, rides, max_span_s):
        return None
    return times


def _satisfies(
    times: Sequence[int],
    windows: Sequence[tuple[int, int]],
    leg_s: Sequence[int],
    rides: Sequence[RideLimit],
    max_span_s: int | None,
) -> bool:
    in_windows = all(lo <= t <= hi for t, (lo, hi) in zip(times, windows, strict=True))
    legs_ok = all(times[i + 1] - times[i] >= leg for i, leg in enumerate(leg_s))
    rides_ok = all(times[r.dropoff] - times[r.pickup] <= r.max_s for r in rides)
    span_ok = max_span_s is None or times[-1] - times[0] <= max_span_s
    return in_windows and legs_ok and rides_ok and span_ok
