"""Week planning: snap every location once, build one pair of matrices, solve each day-direction.

The whole week shares one time budget (``settings.time_limit_s``), roads and matrices
included. Day-directions are independent and run in up to ``workers`` processes (OR-Tools holds
the interpreter lock while it searches); geometry is drawn in the calling process.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from typing import Protocol

import numpy as np
import numpy.typing as npt

from solver.domain import Day, DayResult, Direction, LatLon, WeekPlan, WeekResult
from solver.errors import InputError
from solver.model import Matrices
from solver.solve import (
    GeometryFn,
    ProgressFn,
    SearchParams,
    day_directions,
    solve_day,
    split_budget,
    week_totals,
)
from solver.validate import plan_places, raise_if_invalid, snap_issues

FINISH_RESERVE_SHARE = 0.06
FINISH_RESERVE_S = 1.0
"""Share and seconds of the budget kept back from the searches for building models, timing
routes, drawing geometry and checking (measured: about 4 s of 60 on the Bergen week)."""


class WeekMatrices(Matrices, Protocol):
    """Matrices that also answer point-to-point queries (for the checker)."""

    def duration_s(self, a: LatLon, b: LatLon) -> int: ...  # noqa: D102

    def distance_m(self, a: LatLon, b: LatLon) -> int: ...  # noqa: D102


class SnapLike(Protocol):
    """Per point, the distance to the road network in metres."""

    @property
    def distances_m(self) -> npt.NDArray[np.float64]: ...  # noqa: D102


class Network(Protocol):
    """What week planning needs from a road network (``solver.roads.RoadNetwork``)."""

    def snap(self, points: Sequence[LatLon]) -> SnapLike: ...  # noqa: D102

    def matrices(self, points: Sequence[LatLon]) -> WeekMatrices: ...  # noqa: D102


def build_week_matrices(plan: WeekPlan, network: Network) -> WeekMatrices:
    """Snap every location (InputError naming each one off the roads) and build matrices."""
    places = plan_places(plan)
    points = [place.location for place in places]
    snapped = network.snap(points)
    issues = snap_issues(
        [(place, float(d)) for place, d in zip(places, snapped.distances_m, strict=True)],
        plan.settings.roads.snap_limit_m,
    )
    if issues:
        raise InputError(tuple(issues))
    return network.matrices(list(dict.fromkeys(points)))


def default_workers() -> int:
    """Worker processes for day-directions: the machine's cores, at most 4."""
    return max(1, min(4, os.cpu_count() or 1))


def solve_week(
    plan: WeekPlan,
    network: Network,
    *,
    days: Sequence[Day] | None = None,
    directions: Sequence[Direction] | None = None,
    geometry: GeometryFn | None = None,
    progress: ProgressFn | None = None,
    workers: int | None = None,
    started: float | None = None,
) -> tuple[WeekResult, WeekMatrices]:
    """Validate, build matrices and solve the chosen day-directions of ``plan``.

    ``started`` (a ``time.perf_counter()`` value) lets a caller count its own loading time
    against the budget. Returns the result and the matrices it was solved on (for checking).
    """
    started = time.perf_counter() if started is None else started
    raise_if_invalid(plan)
    matrices = build_week_matrices(plan, network)
    pairs = day_directions(days, directions)
    problems = [plan.day_problem(day, direction) for day, direction in pairs]
    workers = max(1, min(workers or default_workers(), len(problems)))
    remaining = max(0.0, plan.settings.time_limit_s - (time.perf_counter() - started))
    # Keep back time for what follows the searches: models, timing, geometry, the check.
    remaining = max(0.0, remaining * (1.0 - FINISH_RESERVE_SHARE) - FINISH_RESERVE_S)
    limits = split_budget([len(p.passengers) for p in problems], remaining * workers)
    params = [SearchParams(time_limit_s=limit, seed=plan.settings.seed) for limit in limits]
    results: list[DayResult | None] = [None] * len(problems)
    total = len(problems)
    if progress:
        progress("matrices built", 0, total)
    if workers == 1:
        for i, problem in enumerate(problems):
            results[i] = solve_day(problem, matrices, params[i])
            if progress:
                progress(f"{problem.day} {problem.direction}", i + 1, total)
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [
                pool.submit(solve_day, problem, matrices, p)
                for problem, p in zip(problems, params, strict=True)
            ]
            for i, future in enumerate(futures):
                results[i] = future.result()
                if progress:
                    progress(f"{problems[i].day} {problems[i].direction}", i + 1, total)
    plans = [r for r in results if r is not None]
    if geometry is not None:
        plans = [_with_geometry(r, geometry) for r in plans]
    return (
        WeekResult(plans=tuple(plans), name=plan.name, totals=week_totals(plan, plans)),
        matrices,
    )


def _with_geometry(result: DayResult, geometry: GeometryFn) -> DayResult:
    routes = []
    for route in result.routes:
        line: list[tuple[float, float]] = []
        for a, b in zip(route.stops[:-1], route.stops[1:], strict=True):
            if a.location == b.location:
                continue
            leg = list(geometry(a.location, b.location))
            line.extend(leg[1:] if line and leg and line[-1] == leg[0] else leg)
        routes.append(replace(route, geometry=tuple(line)))
    return replace(result, routes=tuple(routes))
