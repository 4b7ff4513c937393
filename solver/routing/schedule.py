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

and, with drivers' breaks placed on legs (``schedule_route_with_breaks``), a start ``b`` per
break: after the visit's service, ending before the next visit, and no stretch of work longer
than the rule allows between the route's start, the breaks and its end.

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


@dataclass(frozen=True, slots=True)
class BreakSlot:
    """A driver's break on leg ``leg`` (after visit ``leg``'s service, before visit ``leg+1``)."""

    leg: int
    duration_s: int


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
    timed = schedule_route_with_breaks(windows, leg_s, rides, max_span_s)
    return None if timed is None else timed[0]


def schedule_route_with_breaks(
    windows: Sequence[tuple[int, int]],
    leg_s: Sequence[int],
    rides: Sequence[RideLimit],
    max_span_s: int | None = None,
    service_s: Sequence[int] = (),
    breaks: Sequence[BreakSlot] = (),
    max_work_s: int | None = None,
) -> tuple[list[int], list[int]] | None:
    """``schedule_route`` with drivers' breaks: (visit times, break starts) or None.

    ``breaks``, sorted by leg, are taken where they are placed: a break on leg ``i`` starts
    after visit ``i``'s own service (``service_s[i]``) and ends by visit ``i+1``'s start, which
    comes that much later (``leg_s`` plus the leg's breaks). ``max_work_s``: the most seconds
    from the first visit's start to the first break, between breaks, and from the last break
    to the last visit's start (the route's end); ``None``: no such limit. Every constraint is
    still a difference of two variables, so the vertex found is whole seconds.
    """
    n = len(windows)
    if n == 0:
        return [], []
    m = len(breaks)
    cost = np.zeros(n + m)
    cost[0] -= DURATION_WEIGHT
    cost[n - 1] += DURATION_WEIGHT
    for ride in rides:
        cost[ride.dropoff] += 1.0
        cost[ride.pickup] -= 1.0
    rows: list[int] = []
    cols: list[int] = []
    values: list[float] = []
    bounds_ub: list[float] = []

    def at_most(plus: int, minus: int, bound: float) -> None:  # x[plus] - x[minus] <= bound
        rows.extend([len(bounds_ub), len(bounds_ub)])
        cols.extend([plus, minus])
        values.extend([1.0, -1.0])
        bounds_ub.append(bound)

    on_leg = [0] * len(leg_s)
    for slot in breaks:
        on_leg[slot.leg] += slot.duration_s
    for i, leg in enumerate(leg_s):  # t[i+1] - t[i] >= leg + breaks there
        at_most(i, i + 1, -float(leg + on_leg[i]))
    for ride in rides:
        at_most(ride.dropoff, ride.pickup, float(ride.max_s))
    if max_span_s is not None and n > 1:
        at_most(n - 1, 0, float(max_span_s))
    for k, slot in enumerate(breaks):
        b = n + k
        at_most(slot.leg, b, -float(service_s[slot.leg]))  # b >= t[leg] + service
        at_most(b, slot.leg + 1, -float(slot.duration_s))  # b + duration <= t[leg + 1]
        if k > 0:
            at_most(b - 1, b, -float(breaks[k - 1].duration_s))  # one after the other
    if max_work_s is not None and n > 1:
        previous, previous_s = 0, 0  # x[previous] + previous_s: when work resumed
        for k, slot in enumerate(breaks):
            at_most(n + k, previous, float(max_work_s + previous_s))
            previous, previous_s = n + k, slot.duration_s
        at_most(n - 1, previous, float(max_work_s + previous_s))
    a_ub = coo_matrix((values, (rows, cols)), shape=(len(bounds_ub), n + m)).tocsr()
    horizon = (float(windows[0][0]), float(windows[-1][1]))
    solution = linprog(
        cost,
        A_ub=a_ub if bounds_ub else None,
        b_ub=np.array(bounds_ub) if bounds_ub else None,
        bounds=[(float(lo), float(hi)) for lo, hi in windows] + [horizon] * m,
        method="highs-ds",
    )
    if solution.status != 0:
        return None
    values_s = [round(float(t)) for t in solution.x]
    times, starts = values_s[:n], values_s[n:]
    if not _satisfies(times, windows, leg_s, rides, max_span_s):
        return None
    if not _breaks_hold(times, starts, service_s, breaks, max_work_s):
        return None
    return times, starts


def _breaks_hold(
    times: Sequence[int],
    starts: Sequence[int],
    service_s: Sequence[int],
    breaks: Sequence[BreakSlot],
    max_work_s: int | None,
) -> bool:
    resumed = times[0]
    for start, slot in zip(starts, breaks, strict=True):
        if start < times[slot.leg] + service_s[slot.leg]:
            return False
        if start + slot.duration_s > times[slot.leg + 1] or start < resumed:
            return False
        if max_work_s is not None and start - resumed > max_work_s:
            return False
        resumed = start + slot.duration_s
    return max_work_s is None or len(times) < 2 or times[-1] - resumed <= max_work_s


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
