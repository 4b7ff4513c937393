"""A day-direction's routes improved a few neighbouring routes at a time.

OR-Tools' local search on a whole Bergen morning (256 passengers, 512 visits, 83 vehicles)
makes about 60 improving moves in 10 s: each move is weighed against every route and every
rule. The same engine on a part of the day (the passengers of three to five neighbouring
routes, on those routes' vehicles) searches a model a twentieth of the size and settles it in
a fraction of a second. ``improve_by_parts`` repeats that over the day (large-neighbourhood
search by sub-models, as in POPMUSIC): it picks a passenger, takes the routes carrying the
passengers who live nearest to them, solves those routes' passengers afresh from their current
routes, and keeps the result where it serves them all for less. The sub-models are the same
model (:func:`solver.routing.search.solve_day` on a smaller ``DayProblem``), so every rule
holds in them as in the whole day.

Measured on the generated Bergen Monday morning (seed 1, one core, 2026-12-07): from the same
first solution (21,650 NOK), 10 s gave 19,750-20,300 NOK by parts against 21,083 NOK with
guided local search on the whole day; 30 s 18,300-19,000 against 20,470; 60 s 17,750 against
18,768. Selecting routes by their centres of gravity instead of by passengers' neighbours, adding an
idle vehicle to each part, or parts that must do without one of their vehicles, did no better.

Only rules within a route may hold in a part: not where a centre's entrance is limited (a
rule across routes), nor with drivers' breaks or soft pins (their routes cannot be handed to
OR-Tools as a start; ``can_improve_by_parts``).

Written by hand: no library decomposes an OR-Tools routing model; the search inside each part
is OR-Tools'.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace

import numpy as np

from solver.domain import DayProblem, DayResult, Route

MIN_PART_ROUTES = 3
"""Routes in a part to begin with; more (up to ``MAX_PART_ROUTES``) once every part of this
size has been tried without a gain."""

MAX_PART_ROUTES = 5
"""The most routes in a part. Parts of 6-8 routes gained less in the same time on the Bergen
morning (fewer parts searched, each less settled)."""

PART_SEARCH_S = 0.3
"""Time limit of one part's search. 0.2-0.3 s did best on the Bergen morning (a part of 50-70
passengers); 0.5 s and 1.0 s parts settled no better and left time for fewer parts."""

MIN_DAY_ROUTES = 2 * MAX_PART_ROUTES
"""Fewer routes than this: no parts; a part would be most of the day. Measured on Cordeau's
a-set at 30 s (2026-12-07): with parts from 6 routes up, the six instances of 6-7 routes came
out three better and three worse (a7-70 +9.46 % against +6.91 %, a8-96 +7.79 % against
+6.31 %; a6-60 +0.90 % against +2.49 %, a8-64 +3.72 % against +5.29 %); the Bergen days
have 18-24 routes."""

MIN_GAIN_NOK = 0.5
"""A part's routes replace the old ones only if they cost at least this much less."""


SolvePart = Callable[[DayProblem, tuple[Route, ...], int, float], DayResult]
"""Solves a part (its problem, its current routes as the start, a seed, a time limit)."""

PartTask = tuple[DayProblem, tuple[Route, ...], int, float]
"""A part to solve: ``SolvePart``'s arguments."""

SolveParts = Callable[[Sequence[PartTask]], list[DayResult]]
"""Solves disjoint parts (each as ``SolvePart`` would), perhaps at once on several cores."""


def one_at_a_time(solve_part: SolvePart) -> SolveParts:
    """``SolveParts`` that solves the parts in turn with ``solve_part``."""

    def solve_parts(tasks: Sequence[PartTask]) -> list[DayResult]:
        return [solve_part(*task) for task in tasks]

    return solve_parts


def can_improve_by_parts(problem: DayProblem, breaks: bool, entrance_limited: bool) -> bool:
    """Whether the day's rules all hold within routes, so parts may be solved apart."""
    if breaks or entrance_limited:
        return False
    return all(pin.is_strict and pin.holds_time for pin in problem.pins.values())


def parts_may_apply(problem: DayProblem) -> bool:
    """``can_improve_by_parts`` judged from the problem alone, before any model is built.

    Cautious: a break rule or a centre with a limited entrance counts, whether or not the
    day's vehicles and passengers make them bind.
    """
    return can_improve_by_parts(
        problem,
        problem.settings.driver_break is not None,
        any(c.max_wheelchair_dropoffs is not None for c in problem.centres),
    )


@dataclass(frozen=True, slots=True)
class PartsReport:
    """What ``improve_by_parts`` did: parts searched, parts kept, and the cost before/after."""

    num_searched: int
    num_kept: int
    cost_before: float
    cost_after: float


def improve_by_parts(
    problem: DayProblem,
    routes: Sequence[Route],
    solve_parts: SolveParts,
    seed: int,
    ends_at: float | None,
    max_rounds: int | None = None,
    width: int = 1,
) -> tuple[tuple[Route, ...], PartsReport]:
    """``routes`` improved part by part, until ``ends_at`` or ``max_rounds`` parts.

    ``width`` parts that share no route are chosen at a time and handed to ``solve_parts``
    together (which may solve them at once, one core each); each is kept or not on its own.
    With a ``width`` of 1 the parts are chosen one after another.

    ``ends_at`` is a ``time.perf_counter()`` value; whichever limit comes first ends it.

    Each round picks a passenger (in an order fixed by ``seed``) and takes the routes of the
    passengers living nearest to them until it has ``size`` routes; a set of routes already
    searched without a gain, and unchanged since, is skipped. When every part of the current
    size has been searched, the size grows by one up to ``MAX_PART_ROUTES``, and back to
    ``MIN_PART_ROUTES`` after a gain; when no part of any size gains, the routes are a local
    optimum for this neighbourhood and the function returns early. A day of fewer than
    ``MIN_DAY_ROUTES`` routes is returned as it is (a part would be most of it). With
    ``ends_at`` None (a deterministic work limit) ``max_rounds`` must be given: the same
    routes and seed then give the same result.
    """
    by_vehicle = {route.vehicle_id: route for route in routes if route_passengers(route)}
    others = [route for route in routes if not route_passengers(route)]
    cost_before = sum(route.cost for route in routes)
    neighbours = _Neighbours(problem)
    by_id = {p.passenger_id: p for p in problem.passengers}
    vehicles = {v.vehicle_id: v for v in problem.vehicles}
    rng = random.Random(seed)
    size = MIN_PART_ROUTES
    searched: set[tuple[str, ...]] = set()
    num_searched = num_kept = 0
    if len(by_vehicle) < MIN_DAY_ROUTES:
        # A part would be most of the day: OR-Tools' search on it needs no parts.
        return tuple(routes), PartsReport(0, 0, cost_before, cost_before)
    while True:
        if max_rounds is not None and num_searched >= max_rounds:
            break
        if ends_at is not None and ends_at - time.perf_counter() < PART_SEARCH_S:
            break
        batch: list[tuple[str, ...]] = []
        busy: set[str] = set()
        while len(batch) < width:
            if max_rounds is not None and num_searched + len(batch) >= max_rounds:
                break
            part = _next_part(by_vehicle, neighbours, rng, size, searched, busy)
            if part is None:
                break
            batch.append(part)
            busy.update(part)
        if not batch:
            if size >= min(MAX_PART_ROUTES, len(by_vehicle)):
                break
            size += 1
            continue
        limit_s = PART_SEARCH_S
        if ends_at is not None:
            limit_s = min(limit_s, max(0.05, ends_at - time.perf_counter()))
        tasks: list[PartTask] = []
        for part in batch:
            num_searched += 1
            old = tuple(by_vehicle[vid] for vid in part)
            passengers = tuple(by_id[pid] for route in old for pid in route_passengers(route))
            sub = replace(
                problem,
                passengers=passengers,
                vehicles=tuple(vehicles[vid] for vid in part),
            )
            tasks.append((sub, old, seed + num_searched, limit_s))
        gained = False
        for part, (sub, old, _, _), found in zip(batch, tasks, solve_parts(tasks), strict=True):
            gain = sum(r.cost for r in old) - sum(r.cost for r in found.routes)
            serves_all = {pid for r in found.routes for pid in route_passengers(r)} == {
                p.passenger_id for p in sub.passengers
            }
            if found.unassigned or not serves_all or gain < MIN_GAIN_NOK:
                searched.add(part)
                continue
            num_kept += 1
            gained = True
            for vid in part:
                del by_vehicle[vid]
            for route in found.routes:
                if route_passengers(route):
                    by_vehicle[route.vehicle_id] = route
            changed = set(part)
            searched = {s for s in searched if not changed.intersection(s)}
        if gained:
            size = MIN_PART_ROUTES
    order = {route.vehicle_id: i for i, route in enumerate(routes)}
    improved = tuple(
        sorted(
            [*others, *by_vehicle.values()],
            key=lambda r: (order.get(r.vehicle_id, len(order)), r.vehicle_id),
        )
    )
    report = PartsReport(num_searched, num_kept, cost_before, sum(route.cost for route in improved))
    return improved, report


def route_passengers(route: Route) -> tuple[str, ...]:
    """The passengers a route picks up, in order."""
    return tuple(pid for stop in route.stops for pid in stop.pickups)


class _Neighbours:
    """Each passenger's fellow passengers, nearest home first (computed when first asked)."""

    def __init__(self, problem: DayProblem) -> None:
        self._ids = [p.passenger_id for p in problem.passengers]
        self._row = {pid: i for i, pid in enumerate(self._ids)}
        homes = [p.home_on(problem.day) for p in problem.passengers]
        lat = np.array([h.lat for h in homes])
        lon = np.array([h.lon for h in homes])
        # Straight-line distance, longitude shrunk at the day's latitude (ordering only).
        shrink = np.cos(np.radians(lat.mean())) if homes else 1.0
        self._xy = np.column_stack([lat, lon * shrink])
        self._nearest: dict[str, tuple[str, ...]] = {}

    def of(self, passenger_id: str) -> tuple[str, ...]:
        """Every passenger of the day, nearest to ``passenger_id``'s home first (them first)."""
        found = self._nearest.get(passenger_id)
        if found is None:
            here = self._xy[self._row[passenger_id]]
            distances = np.hypot(*(self._xy - here).T)
            found = tuple(self._ids[i] for i in np.argsort(distances, kind="stable"))
            self._nearest[passenger_id] = found
        return found


def _next_part(
    by_vehicle: dict[str, Route],
    neighbours: _Neighbours,
    rng: random.Random,
    size: int,
    searched: set[tuple[str, ...]],
    busy: Collection[str] = (),
) -> tuple[str, ...] | None:
    """The next part of ``size`` routes not yet searched, or None if every one has been.

    Passengers are tried in a random order (``rng``); a passenger's part is the routes of
    the passengers nearest to their home, their own first. Routes in ``busy`` (in a part
    being solved) are not taken, nor are passengers riding them.
    """
    riders = {
        pid: vid
        for vid, route in by_vehicle.items()
        if vid not in busy
        for pid in route_passengers(route)
    }
    order = sorted(riders)
    for pid in rng.sample(order, len(order)):
        part: list[str] = []
        for other in neighbours.of(pid):
            vid = riders.get(other)
            if vid is not None and vid not in part:
                part.append(vid)
                if len(part) == size:
                    break
        key = tuple(sorted(part))
        if key not in searched:
            return key
    return None
