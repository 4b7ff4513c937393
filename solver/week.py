"""Week planning: snap every location once, build one pair of matrices, solve each day-direction.

The whole week shares one time budget (``settings.time_limit_s``), roads and matrices
included. Day-directions are independent and run in up to ``workers`` processes (OR-Tools holds
the interpreter lock while it searches); geometry is drawn in the calling process.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from typing import Protocol

import numpy as np
import numpy.typing as npt

from solver.consistency import (
    Consistency,
    busiest_day,
    churn,
    measure,
    pinned_problems,
    previous_week_templates,
    template_problem,
    templates_from,
)
from solver.domain import Day, DayProblem, DayResult, Direction, LatLon, WeekPlan, WeekResult
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

TEMPLATE_BUDGET_SHARE = 0.3
"""Share of the search budget for the template days (consistency on, no previous week)."""

FALLBACK_BUDGET_SHARE = 0.15
"""Share kept for re-solving days where strict pins left passengers unserved."""

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
    previous: WeekResult | None = None,
) -> tuple[WeekResult, WeekMatrices]:
    """Validate, build matrices and solve the chosen day-directions of ``plan``.

    ``started`` (a ``time.perf_counter()`` value) lets a caller count its own loading time
    against the budget. Returns the result and the matrices it was solved on (for checking).
    With ``settings.consistency`` other than ``off``, passengers are pinned to template routes
    (``solver.consistency``); ``previous`` (last week's result) then serves as the template.
    """
    started = time.perf_counter() if started is None else started
    raise_if_invalid(plan)
    matrices = build_week_matrices(plan, network)
    pairs = day_directions(days, directions)
    problems = [plan.day_problem(day, direction) for day, direction in pairs]
    workers = max(1, min(workers or default_workers(), len(problems)))
    mode = Consistency(plan.settings.consistency)
    warm_starts: list[DayResult | None] = [None] * len(problems)
    pinned = mode is not Consistency.OFF
    tolerance = plan.settings.consistency_tolerance_s

    def budget() -> float:
        """Seconds left for searching, keeping back time for what follows them."""
        left = max(0.0, plan.settings.time_limit_s - (time.perf_counter() - started))
        return max(0.0, left * (1.0 - FINISH_RESERVE_SHARE) - FINISH_RESERVE_S)

    total = len(problems) + (len({d for _, d in pairs}) if pinned and previous is None else 0)
    done = 0

    def report(problem: DayProblem) -> None:
        nonlocal done
        done += 1
        if progress:
            progress(f"{problem.day} {problem.direction}", done, total)

    if progress:
        progress("matrices built", 0, total)
    if pinned:
        if previous is not None:
            templates = previous_week_templates(previous)
            by_day = {(r.day, r.direction): r for r in previous.plans}
            warm_starts = [by_day.get((p.day, p.direction)) for p in problems]
        else:
            template_days = [template_problem(plan, d) for d in dict.fromkeys(d for _, d in pairs)]
            # Templates get a share of the budget like two more (larger) days.
            share = TEMPLATE_BUDGET_SHARE * budget() * workers
            template_results = _solve_all(
                template_days,
                split_budget([len(p.passengers) for p in template_days], share),
                plan.settings.seed,
                matrices,
                workers,
                report,
            )
            templates = {
                (None, r.direction): templates_from(r, problem)
                for r, problem in zip(template_results, template_days, strict=True)
            }
            # Each day starts from its template's routes, less the passengers away that day:
            # the pinned day is feasible that way, and a cold search often misses it.
            by_direction = {r.direction: r for r in template_results}
            warm_starts = [by_direction.get(p.direction) for p in problems]
        template_day = None if previous is not None else busiest_day(plan)
        problems = pinned_problems(problems, templates, mode, tolerance, template_day)
    reserve = FALLBACK_BUDGET_SHARE if mode is Consistency.STRICT else 0.0
    limits = split_budget([len(p.passengers) for p in problems], budget() * workers * (1 - reserve))
    plans = _solve_all(problems, limits, plan.settings.seed, matrices, workers, report, warm_starts)
    if mode is Consistency.STRICT:
        plans = _unpin_unserved(problems, plans, plan.settings.seed, matrices, workers, budget())
    if geometry is not None:
        plans = [_with_geometry(r, geometry) for r in plans]
    result = WeekResult(plans=tuple(plans), name=plan.name, totals=week_totals(plan, plans))
    if pinned:
        totals = dict(result.totals)
        figures = measure(result, tolerance).as_dict()
        totals.update({f"consistency_{key}": value for key, value in figures.items()})
        if previous is not None:
            moved = churn(previous, result).as_dict()
            totals.update({f"stability_{key}": value for key, value in moved.items()})
        result = replace(result, totals=totals)
    return result, matrices


def _solve_all(
    problems: Sequence[DayProblem],
    limits: Sequence[float],
    seed: int,
    matrices: WeekMatrices,
    workers: int,
    done: Callable[[DayProblem], None] | None = None,
    warm_starts: Sequence[DayResult | None] | None = None,
) -> list[DayResult]:
    """Solve independent day-directions, in up to ``workers`` processes, in order."""
    params = [SearchParams(time_limit_s=limit, seed=seed) for limit in limits]
    starts = list(warm_starts) if warm_starts is not None else [None] * len(problems)
    jobs = list(zip(problems, params, starts, strict=True))
    if workers == 1 or len(problems) == 1:
        results = []
        for problem, p, start in jobs:
            results.append(solve_day(problem, matrices, p, start))
            if done:
                done(problem)
        return results
    with ProcessPoolExecutor(max_workers=min(workers, len(problems))) as pool:
        futures = [
            pool.submit(solve_day, problem, matrices, p, start) for problem, p, start in jobs
        ]
        results = []
        for problem, future in zip(problems, futures, strict=True):
            results.append(future.result())
            if done:
                done(problem)
        return results


def _unpin_unserved(
    problems: Sequence[DayProblem],
    results: Sequence[DayResult],
    seed: int,
    matrices: WeekMatrices,
    workers: int,
    seconds: float,
) -> list[DayResult]:
    """Solve again the days where a strict pin left someone unserved: serving comes first.

    First without the pins of the passengers left out (the others keep theirs), starting from
    the pinned solution where its pins allow a warm start; where someone is still left out,
    then without any pins on that day. A retry is kept only if it serves at least as many.
    """
    merged = list(results)
    rounds = (False, True)
    for round_index, drop_all in enumerate(rounds):
        again: list[int] = []
        retry: list[DayProblem] = []
        starts: list[DayResult | None] = []
        for i, (problem, result) in enumerate(zip(problems, merged, strict=True)):
            stuck = {u.passenger_id for u in result.unassigned}
            if not stuck & set(problem.pins):
                continue
            if drop_all:
                pins = {}
            else:
                pins = {pid: pin for pid, pin in problem.pins.items() if pid not in stuck}
            again.append(i)
            retry.append(replace(problem, pins=pins))
            starts.append(result)
        if not retry:
            break
        share = seconds / (len(rounds) - round_index)
        seconds -= share
        limits = split_budget([len(p.passengers) for p in retry], max(1.0, share) * workers)
        solved = _solve_all(retry, limits, seed, matrices, workers, warm_starts=starts)
        for i, result in zip(again, solved, strict=True):
            if len(result.unassigned) <= len(merged[i].unassigned):
                merged[i] = result
    return merged


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
