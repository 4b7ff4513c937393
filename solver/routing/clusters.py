"""A large day-direction's first routes built cluster by cluster: centres grouped, fleet shared.

One OR-Tools model of a large day does not plan it within a week's share of the time: on a
generated week of 1000 passengers (831 on the Monday morning, 269 vehicles) the whole-day
model's first solution alone took 39 s of the day's 48 s (near insertions), and the week
served 41.6 % of its trips; with 2000 passengers (542 vehicles) a worker grew to 4 GB and the
week served 0.6 %. Such a day has structure the model does not use: every trip ends (mornings)
or starts (afternoons) at one of a few dozen centres, and a route rarely serves centres far
apart.

``solve_by_clusters`` splits the day by it. Centres are grouped with their nearest centres
until a group holds about ``CLUSTER_PASSENGERS`` passengers; the fleet is shared out in
proportion to each group's seats and wheelchair places, each group taking the vehicles whose
depots lie nearest its centres; each group is solved as a day of its own (the same model and
rules, :func:`solver.routing.search.solve_day` on a smaller ``DayProblem``); passengers a
group could not place are solved again with every vehicle no group used. The routes are then
the whole day's start for improvement by parts (:mod:`solver.routing.parts`), which moves
passengers between neighbouring routes of different groups. The whole-day model is never
built, so memory stays that of one group's model.

It applies where parts do (every rule holds within a route) and where no pin ties a
passenger to a vehicle (``can_decompose``).

Written by hand: grouping destinations and sharing a heterogeneous fleet among the groups is
the cluster-first step of cluster-first route-second heuristics, specific to this model's
passengers, centres and vehicles; no library does it for an OR-Tools model.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from solver.domain import (
    DayProblem,
    DayResult,
    LatLon,
    Passenger,
    Reason,
    Route,
    Unassigned,
    Vehicle,
)
from solver.routing.parts import route_passengers
from solver.routing.reasons import fleet_exhausted

CLUSTER_DAY_PASSENGERS = 400
"""Above this many passengers a day-direction is solved cluster by cluster (where
``can_decompose``). The Bergen days (253-256 passengers) stay whole: on the Bergen Monday
morning at 10 s (one core, 2026-12-07) groups of 120 passengers gave 24,072 NOK and groups of
90 23,381 NOK, against 19,765 NOK for the whole day with parts. Its routes serve several
centres each, which groups of centres split, and the whole day's own search is not run."""

CLUSTER_PASSENGERS = 120
"""About how many passengers a group of centres holds. A 120-passenger day's model builds
and finds a first solution in well under a second, and holds 8-15 routes: enough for the
routes of one group to combine, few enough for parts inside it."""

CLUSTERS_SHARE = 0.6
"""Share of the day's time for solving the groups; the passengers they leave out and the
parts across groups get the rest."""

LEFTOVER_SHARE = 0.15
"""Share of the day's time for the passengers the groups left out (with every idle vehicle)."""

FLEET_MARGIN = 1.3
"""A group gets vehicles for this many times its seats and wheelchair places, as far as the
fleet goes: routes are rarely full all the way, and a group short of vehicles leaves
passengers to the leftover pass."""

SolveGroup = Callable[[DayProblem, float], DayResult]
"""Solves a group's day (its problem, a time limit) from scratch."""


def can_decompose(problem: DayProblem) -> bool:
    """Whether the day may be solved as separate groups: no rule or pin across routes.

    Drivers' breaks and limited centre entrances are left to the whole-day model, as parts
    leave them (``solver.routing.parts.can_improve_by_parts``); so is a day with pins, whose
    vehicles would tie groups together.
    """
    if problem.settings.driver_break is not None or problem.pins:
        return False
    return all(c.max_wheelchair_dropoffs is None for c in problem.centres)


@dataclass(frozen=True, slots=True)
class Group:
    """Passengers of some neighbouring centres, and the vehicles shared out to them."""

    passengers: tuple[Passenger, ...]
    vehicles: tuple[Vehicle, ...]


def solve_by_clusters(
    problem: DayProblem,
    candidates: Sequence[Passenger],
    solve_group: SolveGroup,
    ends_at: float | None,
    work_limit_s: float,
) -> tuple[tuple[Route, ...], tuple[Unassigned, ...]]:
    """The day's routes built group by group, and the passengers none could serve.

    ``ends_at`` (a ``time.perf_counter()`` value) is the end of the day's search: the groups
    get ``CLUSTERS_SHARE`` of the time to it in proportion to their passengers, the leftover
    pass ``LEFTOVER_SHARE``. With ``ends_at`` None (a deterministic work limit) every solve
    gets ``work_limit_s`` and its own work limit binds.
    """
    groups = share_fleet(problem, group_centres(problem, candidates))
    started = time.perf_counter()
    total_s = 0.0 if ends_at is None else max(0.0, ends_at - started)
    routes: list[Route] = []
    left: list[Passenger] = []
    for group in groups:
        limit_s = (
            work_limit_s
            if ends_at is None
            else CLUSTERS_SHARE * total_s * len(group.passengers) / max(1, len(candidates))
        )
        sub = replace(problem, passengers=group.passengers, vehicles=group.vehicles)
        result = solve_group(sub, limit_s)
        routes.extend(r for r in result.routes if route_passengers(r))
        served = {pid for r in result.routes for pid in route_passengers(r)}
        left.extend(p for p in group.passengers if p.passenger_id not in served)
    if not left:
        return tuple(routes), ()
    used = {r.vehicle_id for r in routes}
    idle = tuple(v for v in problem.vehicles if v.vehicle_id not in used)
    limit_s = work_limit_s if ends_at is None else LEFTOVER_SHARE * total_s
    rest = solve_group(replace(problem, passengers=tuple(left), vehicles=idle), limit_s)
    routes.extend(r for r in rest.routes if route_passengers(r))
    return tuple(routes), leftover_reasons(problem, rest.unassigned)


def leftover_reasons(
    problem: DayProblem, unassigned: Sequence[Unassigned]
) -> tuple[Unassigned, ...]:
    """The leftover pass's unassigned, with reasons true of the whole day's fleet.

    The leftover pass sees only the idle vehicles, so its screening may say that no vehicle
    has a wheelchair place, or none is available, where the day has such vehicles, all busy.
    Every leftover passenger passed the whole day's screening: whatever kept them out is a
    busy fleet (``UNASSIGNED_FLEET_EXHAUSTED``), unless the search saw an idle vehicle that
    could take them (``UNASSIGNED_SEARCH_TIME``, kept).
    """
    by_id = {p.passenger_id: p for p in problem.passengers}
    return tuple(
        u
        if u.reason in (Reason.FLEET_EXHAUSTED, Reason.SEARCH_TIME)
        else fleet_exhausted(problem, by_id[u.passenger_id])
        for u in unassigned
    )


def group_centres(problem: DayProblem, candidates: Sequence[Passenger]) -> list[list[Passenger]]:
    """The passengers in groups of neighbouring centres, each about ``CLUSTER_PASSENGERS``.

    Deterministic: the centre farthest from the day's midpoint starts a group (ties by id),
    which takes the nearest remaining centres until it holds ``CLUSTER_PASSENGERS``; the
    last group is merged into its nearest group when it holds under half that.
    """
    by_centre: dict[str, list[Passenger]] = {}
    for p in candidates:
        by_centre.setdefault(p.centre_id, []).append(p)
    where = {cid: problem.centre(cid).location for cid in by_centre}
    mid = LatLon(
        sum(loc.lat for loc in where.values()) / len(where),
        sum(loc.lon for loc in where.values()) / len(where),
    )
    remaining = sorted(where)
    groups: list[list[str]] = []
    while remaining:
        seed_id = max(remaining, key=lambda cid: (_km(where[cid], mid), cid))
        remaining.remove(seed_id)
        group = [seed_id]
        size = len(by_centre[seed_id])
        while remaining and size < CLUSTER_PASSENGERS:
            nearest = min(remaining, key=lambda cid: (_km(where[cid], where[seed_id]), cid))
            remaining.remove(nearest)
            group.append(nearest)
            size += len(by_centre[nearest])
        groups.append(group)
    if len(groups) > 1 and sum(len(by_centre[c]) for c in groups[-1]) < CLUSTER_PASSENGERS / 2:
        last = groups.pop()
        into = min(
            range(len(groups)),
            key=lambda i: _km(where[groups[i][0]], where[last[0]]),
        )
        groups[into].extend(last)
    return [[p for cid in group for p in by_centre[cid]] for group in groups]


def share_fleet(problem: DayProblem, groups: Sequence[Sequence[Passenger]]) -> list[Group]:
    """Each group with its share of the day's vehicles, nearest depots first.

    Wheelchair places first: the groups take turns, the one furthest below its need (times
    ``FLEET_MARGIN``) choosing the vehicle with wheelchair places nearest its centres; then
    seats the same way from all vehicles left. Vehicles no group needs stay out of every
    group (the leftover pass may use them). A group never gets a vehicle none of its
    passengers may ride.
    """
    anchors = [_midpoint(problem, g) for g in groups]
    taken: list[list[Vehicle]] = [[] for _ in groups]
    free = sorted(problem.vehicles, key=lambda v: v.vehicle_id)
    places = [float(sum(p.num_wheelchair_places for p in g)) for g in groups]
    seats = [float(sum(max(1, p.num_seats) for p in g)) for g in groups]
    for need, size_of in ((places, _wheelchair_places), (seats, _seats)):
        shortfall = {
            i: FLEET_MARGIN * need[i] - sum(size_of(v) for v in taken[i])
            for i in range(len(groups))
        }
        short = {i: s for i, s in shortfall.items() if s > 0}
        while short:
            i = max(short, key=lambda j: (short[j] / max(1.0, seats[j]), -j))
            usable = [
                v
                for v in free
                if size_of(v) > 0 and any(p.may_ride(v.vehicle_id) for p in groups[i])
            ]
            if not usable:
                del short[i]
                continue
            chosen = min(usable, key=lambda v: (_km(v.depot, anchors[i]), v.vehicle_id))
            free.remove(chosen)
            taken[i].append(chosen)
            short[i] -= size_of(chosen)
            if short[i] <= 0:
                del short[i]
    return [
        Group(tuple(g), tuple(sorted(t, key=lambda v: v.vehicle_id)))
        for g, t in zip(groups, taken, strict=True)
    ]


def _wheelchair_places(vehicle: Vehicle) -> int:
    return vehicle.wheelchair_places


def _seats(vehicle: Vehicle) -> int:
    return vehicle.seats


def _midpoint(problem: DayProblem, passengers: Sequence[Passenger]) -> LatLon:
    """Where a group's trips meet: the mean of its centres and homes."""
    points = [problem.centre(p.centre_id).location for p in passengers] + [
        p.home_on(problem.day) for p in passengers
    ]
    return LatLon(
        sum(pt.lat for pt in points) / len(points), sum(pt.lon for pt in points) / len(points)
    )


def _km(a: LatLon, b: LatLon) -> float:
    """Straight-line distance (equirectangular: ordering only, over a city)."""
    x = math.radians(b.lon - a.lon) * math.cos(math.radians((a.lat + b.lat) / 2))
    y = math.radians(b.lat - a.lat)
    return 6371.0 * math.hypot(x, y)


__all__ = [
    "CLUSTER_DAY_PASSENGERS",
    "CLUSTER_PASSENGERS",
    "Group",
    "can_decompose",
    "group_centres",
    "leftover_reasons",
    "share_fleet",
    "solve_by_clusters",
]
