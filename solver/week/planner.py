"""Week planning: snap every location once, build one pair of matrices, solve each day-direction.

The whole week shares one :class:`~solver.params.Deadline` (``SolveParams.time_limit_s``),
roads and matrices included; every phase takes its share of what is left. Day-directions run
in up to ``workers`` processes (OR-Tools holds the interpreter lock while it searches);
geometry is drawn in the calling process.

One module on purpose (about 630 lines): the phases of one week (templates, days, the same
vehicle both ways, unpinning, hints) share its problems, results and deadline.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence, Set
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from typing import Protocol

import numpy as np
import numpy.typing as npt

from solver.domain import (
    DAYS,
    DIRECTIONS,
    Day,
    DayProblem,
    DayResult,
    Direction,
    LatLon,
    Pin,
    Unassigned,
    WeekPlan,
    WeekResult,
)
from solver.errors import InputError
from solver.params import Deadline, SolveParams
from solver.routing.search import SearchParams, solve_day, solve_day_racing
from solver.travel import TravelTimes
from solver.validate import plan_places, raise_if_invalid, snap_issues
from solver.week.consistency import (
    Consistency,
    busiest_day,
    pinned_problems,
    previous_week_templates,
    share_vehicles,
    template_problem,
    templates_from,
)
from solver.week.explain import explain_day, explainable
from solver.week.totals import week_result

GeometryFn = Callable[[LatLon, LatLon], Sequence[tuple[float, float]]]
"""(from, to) -> (lon, lat) points along the roads."""

ProgressFn = Callable[[str, int, int], None]
"""(what is being solved, done, total) -> None."""


def day_directions(
    days: Sequence[Day] | None = None, directions: Sequence[Direction] | None = None
) -> list[tuple[Day, Direction]]:
    """The (day, direction) pairs to solve, in week order."""
    return [(d, r) for d in (days or DAYS) for r in (directions or DIRECTIONS)]


TEMPLATE_BUDGET_SHARE = 0.3
"""Share of the search budget for the template days (``soft`` consistency, no previous week):
soft pins leave the days much to search."""

STRICT_TEMPLATE_BUDGET_SHARE = 0.7
"""The same for ``strict``: each day is its template's routes less the passengers away, so
the templates' vehicle counts set the week's cost, and the days need little search (the
Bergen week, seed 1, 60 s, one run each: 60 % of the time gave +11.1 % against independent
days, 70 % +8.1 %, 80 % +9.5 %; docs/benchmarks.md)."""

FALLBACK_BUDGET_SHARE = 0.15
"""Share kept for re-solving days where strict pins left passengers unserved."""

STRANDED_BUDGET_SHARE = 0.2
"""With ``same_vehicle_both_ways``: share kept for re-solving days where the morning's
vehicle could not take someone home (``_bring_stranded_home``)."""

EXPLAIN_BUDGET_SHARE = 0.1
"""Share kept for counterfactual hints (``solver.week.explain``): solving relaxed copies of the
day-directions that left someone out. Never more than this share of ``time_limit_s``."""


class SnapLike(Protocol):
    """Per point, the distance to the road network in metres."""

    @property
    def distances_m(self) -> npt.NDArray[np.float64]: ...  # noqa: D102


class Network(Protocol):
    """What week planning needs from a road network (``solver.roads.RoadNetwork``)."""

    def snap(self, points: Sequence[LatLon]) -> SnapLike: ...  # noqa: D102

    def matrices(self, points: Sequence[LatLon]) -> TravelTimes: ...  # noqa: D102


def build_week_matrices(plan: WeekPlan, network: Network) -> TravelTimes:
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


DayResultFn = Callable[[DayResult, TravelTimes], None]
"""Called with each day-direction's result once it is final (geometry drawn), and the
matrices it was planned on (for checking it)."""


def solve_week(
    plan: WeekPlan,
    network: Network,
    *,
    days: Sequence[Day] | None = None,
    directions: Sequence[Direction] | None = None,
    geometry: GeometryFn | None = None,
    progress: ProgressFn | None = None,
    workers: int | None = None,
    params: SolveParams | None = None,
    deadline: Deadline | None = None,
    previous: WeekResult | None = None,
    kept: WeekResult | None = None,
    on_solved: DayResultFn | None = None,
    start: WeekResult | None = None,
) -> tuple[WeekResult, TravelTimes]:
    """Validate, build matrices and solve the chosen day-directions of ``plan``.

    The one week planner: the CLI, the service's worker and scenario batches all call it.
    ``params``: time limit, seed and processes (default: the plan's ``settings.time_limit_s``
    and ``seed``, ``workers`` processes). ``deadline``: the clock of the whole command, so a
    caller counts its own loading time against the limit (default: starts now). Every phase
    takes its share of what the deadline has left. Returns the result and the matrices it was
    solved on (for checking).
    With ``settings.consistency`` other than ``off``, passengers are pinned to template routes
    (``solver.week.consistency``); ``previous`` (last week's result) then serves as the template,
    and turns consistency ``off`` into ``soft``.

    ``kept``: day-directions of this week already planned (a resumed service job): they are
    not planned again, come back as they are in the result, and with consistency on serve as
    the templates of their direction, so the resumed week stays consistent with them.
    ``start``: routes each day-direction's search starts from (a what-if scenario starts from
    its base week's routes, ``solver.scenarios.batch``); passengers and vehicles they name that
    are not in the day are left out, and a day whose start does not fit is searched from
    scratch. Used where consistency is off (pinned days start from their templates).
    ``on_solved`` is called with each newly planned day-direction as soon as nothing later
    can change it (a day with nobody left out right after its search; the others after the
    repairs and hints that may change them), so a caller can store it at once.
    """
    params = params or SolveParams.from_settings(plan.settings, workers=workers)
    deadline = deadline or params.deadline()
    seed = params.seed
    # Seed and work limit of every day-direction's search (each gets its own time limit).
    search = SearchParams(time_limit_s=0.0, seed=seed, max_solutions=params.max_solutions)
    if previous is not None and Consistency(plan.settings.consistency) is Consistency.OFF:
        # Keeping last week's routes is what consistency does: at least soft.
        plan = plan.replace(settings=replace(plan.settings, consistency=Consistency.SOFT.value))
    raise_if_invalid(plan)
    matrices = build_week_matrices(plan, network)
    kept_plans = {(r.day, r.direction): r for r in kept.plans} if kept is not None else {}
    wanted = day_directions(days, directions)
    pairs = [pair for pair in wanted if pair not in kept_plans]
    if not pairs:
        return week_result(plan, [kept_plans[pair] for pair in wanted], previous, wanted), matrices
    problems = [plan.day_problem(day, direction) for day, direction in pairs]
    workers = max(1, min(params.workers or default_workers(), len(problems)))
    final: dict[tuple[Day, Direction], DayResult] = {}

    def finish(result: DayResult) -> None:
        """Draw a final day-direction and hand it to ``on_solved`` (once)."""
        key = (result.day, result.direction)
        if key in final:
            return
        final[key] = with_geometry(result, geometry) if geometry is not None else result
        if on_solved is not None:
            on_solved(final[key], matrices)

    mode = Consistency(plan.settings.consistency)
    if mode is not Consistency.STRICT and not plan.settings.same_vehicle_both_ways:
        deadline = deadline.plain()  # no rounds of repairs follow the searches
    warm_starts: list[DayResult | None] = [None] * len(problems)
    pinned = mode is not Consistency.OFF
    tolerance = plan.settings.consistency_tolerance_s

    resumed = kept_directions_cover(kept_plans, pairs)
    from_templates = pinned and previous is None and not resumed
    total = len(problems) + (len({d for _, d in pairs}) if from_templates else 0)
    done = 0
    same_vehicle = plan.settings.same_vehicle_both_ways

    def count(problem: DayProblem, _result: DayResult | None = None) -> None:
        nonlocal done
        done += 1
        if progress:
            progress(f"{problem.day} {problem.direction}", done, total)

    def report(problem: DayProblem, result: DayResult) -> None:
        """Progress, and ``finish`` unless a later step may change the day (not final yet)."""
        count(problem)
        if result.unassigned:
            return
        if same_vehicle and result.direction is Direction.TO_CENTRE:
            return  # its afternoon may still move a passenger onto another vehicle
        finish(result)

    if progress:
        progress("matrices built", 0, total)
    if pinned:
        if previous is not None:
            templates = previous_week_templates(previous)
            by_day = {(r.day, r.direction): r for r in previous.plans}
            warm_starts = [by_day.get((p.day, p.direction)) for p in problems]
        elif resumed:
            # A resumed job: the days already planned are the templates (and warm starts).
            assert kept is not None
            templates = previous_week_templates(kept)
            by_direction_kept = {r.direction: r for r in kept.plans}
            warm_starts = [by_direction_kept.get(p.direction) for p in problems]
        else:
            template_days = [template_problem(plan, d) for d in dict.fromkeys(d for _, d in pairs)]
            strict = mode is Consistency.STRICT
            share_of_budget = STRICT_TEMPLATE_BUDGET_SHARE if strict else TEMPLATE_BUDGET_SHARE
            template_results = share_vehicles(
                _solve_all(
                    template_days,
                    deadline.limits(
                        [len(p.passengers) for p in template_days],
                        workers,
                        deadline.share_s(share_of_budget),
                    ),
                    search,
                    matrices,
                    workers,
                    count,
                ),
                plan,
            )
            templates = {
                (None, r.direction): templates_from(r, problem)
                for r, problem in zip(template_results, template_days, strict=True)
            }
            # Each day starts from its template's routes, less the passengers away that day:
            # the pinned day is feasible that way, and a cold search often misses it.
            by_direction = {r.direction: r for r in template_results}
            warm_starts = [by_direction.get(p.direction) for p in problems]
        template_day = None if previous is not None or resumed else busiest_day(plan)
        problems = pinned_problems(problems, templates, mode, tolerance, template_day)
    elif start is not None:
        starts = {(r.day, r.direction): r for r in start.plans}
        warm_starts = [starts.get((p.day, p.direction)) for p in problems]
    reserve = FALLBACK_BUDGET_SHARE if mode is Consistency.STRICT else 0.0
    stranded_share = STRANDED_BUDGET_SHARE if same_vehicle else 0.0
    explain_share = EXPLAIN_BUDGET_SHARE
    limits = deadline.limits(
        [len(p.passengers) for p in problems],
        workers,
        deadline.share_s(1 - reserve - stranded_share - explain_share),
    )
    kept_vehicles: list[dict[str, str]] = [{} for _ in problems]
    if same_vehicle:
        problems, plans, kept_vehicles = _solve_mornings_first(
            problems, limits, search, matrices, workers, report, warm_starts
        )
        fraction = stranded_share / (stranded_share + reserve + explain_share)
        problems, plans, kept_vehicles = _bring_stranded_home(
            problems, plans, kept_vehicles, search, matrices, workers, deadline, fraction
        )
    else:
        plans = _solve_all(problems, limits, search, matrices, workers, report, warm_starts)
    if mode is Consistency.STRICT:
        fraction = reserve / (reserve + explain_share)
        problems, plans = _unpin_unserved(
            problems, plans, search, matrices, workers, deadline, fraction, kept_vehicles
        )
    seconds = min(deadline.search_s(), explain_share * params.time_limit_s)
    plans = _explain_all(problems, plans, seed, matrices, workers, seconds)
    for day_result in plans:
        finish(day_result)
    solved = {**kept_plans, **final}
    return week_result(plan, [solved[pair] for pair in wanted], previous, wanted), matrices


def kept_directions_cover(
    kept_plans: Mapping[tuple[Day, Direction], DayResult], pairs: Sequence[tuple[Day, Direction]]
) -> bool:
    """Whether every direction of ``pairs`` has a day already planned (to serve as template)."""
    return bool(kept_plans) and {d for _, d in kept_plans} >= {d for _, d in pairs}


def _solve_all(
    problems: Sequence[DayProblem],
    limits: Sequence[float],
    search: SearchParams,
    matrices: TravelTimes,
    workers: int,
    done: Callable[[DayProblem, DayResult], None] | None = None,
    warm_starts: Sequence[DayResult | None] | None = None,
) -> list[DayResult]:
    """Solve independent day-directions, in up to ``workers`` processes, in order.

    A lone day-direction with workers to spare races several searches on them
    (``solve_day_racing``).
    """
    # The phase ends when its solves would, shared over the workers: a solve that starts late
    # (earlier ones overran: building, reading, process start) gets what is left of it, so
    # overruns do not add up round after round (measured on a lightly loaded machine: a strict
    # Bergen week's 8 pinned days on 2 workers ended 6.5 s past their phase's 15.4 s).
    ends_at = time.perf_counter() + max(sum(limits) / max(1, workers), max(limits, default=0))
    params = [replace(search, time_limit_s=limit, ends_at=ends_at) for limit in limits]
    starts = list(warm_starts) if warm_starts is not None else [None] * len(problems)
    jobs = list(zip(problems, params, starts, strict=True))
    if len(problems) == 1 and workers > 1:
        problem, p, start = jobs[0]
        result = solve_day_racing(problem, matrices, p, workers, start)
        if done:
            done(problem, result)
        return [result]
    if workers == 1:
        results = []
        for problem, p, start in jobs:
            results.append(solve_day(problem, matrices, p, start))
            if done:
                done(problem, results[-1])
        return results
    with ProcessPoolExecutor(max_workers=min(workers, len(problems))) as pool:
        futures = [
            pool.submit(solve_day, problem, matrices, p, start) for problem, p, start in jobs
        ]
        results = []
        for problem, future in zip(problems, futures, strict=True):
            results.append(future.result())
            if done:
                done(problem, results[-1])
        return results


def morning_vehicles(morning: DayResult) -> dict[str, str]:
    """Per passenger served in ``morning``: the vehicle that brought them."""
    return {pid: r.vehicle_id for r in morning.routes for s in r.stops for pid in s.pickups}


def morning_vehicle_pins(problem: DayProblem, vehicles: Mapping[str, str]) -> DayProblem:
    """An afternoon ``problem`` with its passengers pinned to the vehicle that brought them.

    ``vehicles``: passenger -> the morning's vehicle (``settings.same_vehicle_both_ways``);
    those pins are strict. A consistency pin's time stays as it was; its vehicle becomes the
    morning's.
    """
    pins = dict(problem.pins)
    for pid, vehicle_id in vehicles.items():
        old = pins.get(pid)
        if old is None:
            pins[pid] = Pin(vehicle_id, None, 0, is_strict=True)
        else:
            pins[pid] = Pin(
                vehicle_id,
                old.pickup_s,
                old.tolerance_s,
                is_strict=True,
                is_time_strict=old.holds_time,
            )
    return replace(problem, pins=pins)


def _solve_mornings_first(
    problems: Sequence[DayProblem],
    limits: Sequence[float],
    search: SearchParams,
    matrices: TravelTimes,
    workers: int,
    done: Callable[[DayProblem, DayResult], None] | None,
    warm_starts: Sequence[DayResult | None],
) -> tuple[list[DayProblem], list[DayResult], list[dict[str, str]]]:
    """Solve the mornings, pin each afternoon to its morning's vehicles, then solve those.

    Returns, in order, the problems as solved (afternoons with their pins), their results
    and per problem the morning vehicle each afternoon passenger must keep.
    """
    solved: list[DayProblem] = list(problems)
    results: list[DayResult | None] = [None] * len(problems)
    kept: list[dict[str, str]] = [{} for _ in problems]
    mornings: dict[Day, dict[str, str]] = {}
    waves = [[i for i, p in enumerate(problems) if p.direction is d] for d in DIRECTIONS]
    # ``limits`` share the budget as if every problem ran in one batch; two batches, each
    # rounded up to whole rounds of ``workers``, must run in the same time.
    rounds = sum(-(-len(wave) // workers) for wave in waves if wave)
    scale = min(1.0, len(problems) / workers / rounds) if rounds else 1.0
    for direction, wave in zip(DIRECTIONS, waves, strict=True):
        if not wave:
            continue
        for i in wave:
            if direction is Direction.FROM_CENTRE and problems[i].day in mornings:
                travelling = {p.passenger_id for p in problems[i].passengers}
                kept[i] = {
                    pid: vehicle_id
                    for pid, vehicle_id in mornings[problems[i].day].items()
                    if pid in travelling
                }
                solved[i] = morning_vehicle_pins(problems[i], kept[i])
        wave_results = _solve_all(
            [solved[i] for i in wave],
            [limits[i] * scale for i in wave],
            search,
            matrices,
            workers,
            done,
            [warm_starts[i] for i in wave],
        )
        for i, result in zip(wave, wave_results, strict=True):
            results[i] = result
            if direction is Direction.TO_CENTRE:
                mornings[result.day] = morning_vehicles(result)
    return solved, [r for r in results if r is not None], kept


def without_passengers(result: DayResult, passenger_ids: Set[str]) -> DayResult:
    """``result`` with these passengers' pickups and drop-offs taken out (a warm start)."""
    routes = tuple(
        replace(
            route,
            stops=tuple(
                replace(
                    stop,
                    pickups=tuple(p for p in stop.pickups if p not in passenger_ids),
                    dropoffs=tuple(p for p in stop.dropoffs if p not in passenger_ids),
                )
                for stop in route.stops
            ),
        )
        for route in result.routes
    )
    return replace(result, routes=routes)


def _bring_stranded_home(
    problems: Sequence[DayProblem],
    results: Sequence[DayResult],
    kept: Sequence[dict[str, str]],
    search: SearchParams,
    matrices: TravelTimes,
    workers: int,
    deadline: Deadline,
    fraction: float,
) -> tuple[list[DayProblem], list[DayResult], list[dict[str, str]]]:
    """Move passengers the morning's vehicle cannot take home to one that can, both ways.

    Takes ``fraction`` of the searching time ``deadline`` has left, half for the afternoons
    and half for the mornings; left out once the searching time is used up.

    For each day where some afternoon passengers were left out by their morning-vehicle pin
    (``_solve_mornings_first``): solve the afternoon again with those pins lifted (from the
    pinned afternoon), then the morning again with every passenger pinned to their vehicle,
    the stranded ones to the vehicle the new afternoon found for them (from the morning less
    them). Both new days are kept only if each serves everyone its old one did, and the
    stranded passengers ride the same vehicle both ways; otherwise nothing changes.
    """
    problems, results, kept = list(problems), list(results), [dict(k) for k in kept]
    mornings = {p.day: i for i, p in enumerate(problems) if p.direction is Direction.TO_CENTRE}
    days: list[tuple[int, int, set[str]]] = []  # (afternoon, morning, stranded)
    for i, (problem, result) in enumerate(zip(problems, results, strict=True)):
        stranded = {u.passenger_id for u in result.unassigned} & set(kept[i])
        if problem.direction is Direction.FROM_CENTRE and stranded and problem.day in mornings:
            days.append((i, mornings[problem.day], stranded))
    if not days:
        return problems, results, kept
    afternoons = [
        replace(problems[i], pins={p: pin for p, pin in problems[i].pins.items() if p not in s})
        for i, _, s in days
    ]
    weights = [len(p.passengers) for p in afternoons]
    limits = deadline.optional_limits(weights, workers, deadline.share_s(fraction / 2))
    if limits is None:
        return problems, results, kept  # no time left for it: the week stays as solved
    new_afternoons = _solve_all(
        afternoons, limits, search, matrices, workers, warm_starts=[results[i] for i, _, _ in days]
    )
    moved: list[dict[str, str]] = []
    new_mornings_problems = []
    for (_, j, stranded), afternoon in zip(days, new_afternoons, strict=True):
        home_in = {p: v for p, v in morning_vehicles(afternoon).items() if p in stranded}
        moved.append(home_in)
        vehicles = {**morning_vehicles(results[j]), **home_in}
        pins = {pid: pin for pid, pin in problems[j].pins.items() if pid not in home_in}
        new_mornings_problems.append(
            morning_vehicle_pins(replace(problems[j], pins=pins), vehicles)
        )
    weights = [len(p.passengers) for p in new_mornings_problems]
    # The other half of the phase's time: (fraction / 2) of the time left before the
    # afternoons is fraction / (2 - fraction) of what they left.
    limits = deadline.optional_limits(weights, workers, deadline.share_s(fraction / (2 - fraction)))
    if limits is None:
        return problems, results, kept
    starts = [
        without_passengers(results[j], set(m)) for (_, j, _), m in zip(days, moved, strict=True)
    ]
    new_mornings = _solve_all(
        new_mornings_problems, limits, search, matrices, workers, warm_starts=starts
    )
    for k, (i, j, _) in enumerate(days):
        home_in, afternoon, morning = moved[k], new_afternoons[k], new_mornings[k]
        came_in = morning_vehicles(morning)
        keeps_mornings = set(morning_vehicles(results[j])) <= set(came_in)
        keeps_afternoons = set(morning_vehicles(results[i])) <= set(morning_vehicles(afternoon))
        rides_both_ways = all(came_in.get(p) == v for p, v in home_in.items())
        if not (home_in and rides_both_ways and keeps_mornings and keeps_afternoons):
            continue
        kept[i].update(home_in)
        problems[i] = morning_vehicle_pins(afternoons[k], home_in)
        problems[j] = new_mornings_problems[k]
        results[i], results[j] = afternoon, morning
    return problems, results, kept


def _unpin_unserved(
    problems: Sequence[DayProblem],
    results: Sequence[DayResult],
    search: SearchParams,
    matrices: TravelTimes,
    workers: int,
    deadline: Deadline,
    fraction: float,
    kept: Sequence[Mapping[str, str]] | None = None,
) -> tuple[list[DayProblem], list[DayResult]]:
    """Solve again the days where a strict pin left someone unserved: serving comes first.

    Round 1: without the pins of the passengers left out (the others keep theirs), starting
    from the pinned solution where its pins allow a warm start. Where someone is still left
    out, round 2: the others' pins keep their vehicle but their time becomes a preference.
    Round 3: no pins on that day. Round 1 is kept if it serves at least as many; the later
    rounds, which give up more of the week's consistency, only if they serve more. Round 1
    always runs (serving comes first); the later ones do not start once the searching time
    is used up.
    ``kept``: per problem, passengers who must keep a vehicle whatever happens (the morning's,
    with ``settings.same_vehicle_both_ways``): their pin loses only its time. Returns the
    problems as last solved (with the pins they kept) and their results.
    """
    merged = list(results)
    merged_problems = list(problems)
    rounds = ("stuck", "times", "all")
    for round_index, relaxed in enumerate(rounds):
        again: list[int] = []
        retry: list[DayProblem] = []
        starts: list[DayResult | None] = []
        for i, (problem, result) in enumerate(zip(problems, merged, strict=True)):
            stuck = {u.passenger_id for u in result.unassigned}
            if not stuck & set(problem.pins):
                continue
            if relaxed == "all":
                pins = {}
            elif relaxed == "times":
                pins = {
                    pid: replace(pin, is_strict=True, is_time_strict=False)
                    for pid, pin in problem.pins.items()
                    if pin.vehicle_id is not None and pid not in stuck
                }
            else:
                pins = {pid: pin for pid, pin in problem.pins.items() if pid not in stuck}
            must_keep = kept[i] if kept is not None else {}
            for pid, vehicle_id in must_keep.items():
                if pid not in pins:
                    pins[pid] = Pin(vehicle_id, None, 0, is_strict=True)
            if pins == problem.pins:
                continue
            again.append(i)
            retry.append(replace(problem, pins=pins))
            starts.append(result)
        if not retry:
            break
        # Each round takes its part of ``fraction`` of what is left; a later round gets what
        # an earlier one did not use.
        share = deadline.share_s(fraction / (len(rounds) - round_index))
        fraction -= fraction / (len(rounds) - round_index)
        weights = [len(p.passengers) for p in retry]
        # Serving comes first: round 1 runs even when the searching time is used up (its solves
        # get the floor, about 1.5 s on a Bergen day); the later rounds only with time left.
        limits = (
            deadline.limits(weights, workers, share)
            if relaxed == "stuck"
            else deadline.optional_limits(weights, workers, share)
        )
        if limits is None:
            break  # no time left for this round (nor a later one): keep what is solved
        solved = _solve_all(retry, limits, search, matrices, workers, warm_starts=starts)
        for i, result, problem in zip(again, solved, retry, strict=True):
            before = len(merged[i].unassigned)
            if len(result.unassigned) < before or (
                relaxed == "stuck" and len(result.unassigned) == before
            ):
                merged[i] = result
                merged_problems[i] = problem
    return merged_problems, merged


def _explain_all(
    problems: Sequence[DayProblem],
    results: Sequence[DayResult],
    seed: int,
    matrices: TravelTimes,
    workers: int,
    seconds: float,
) -> list[DayResult]:
    """``results`` with counterfactual hints for their unassigned passengers (``explain_day``).

    Only day-directions with an explainable passenger take part; they share ``seconds`` on
    ``workers`` in proportion to their passengers (a day-direction given too little for one
    relaxed solve is left as it is).
    """
    todo = [i for i, result in enumerate(results) if explainable(result)]
    if not todo or seconds <= 0:
        return list(results)
    weights = [max(1, len(problems[i].passengers)) for i in todo]
    rounds = -(-len(todo) // workers)
    scale = min(1.0, len(todo) / workers / rounds)
    limits = [seconds * workers * scale * w / sum(weights) for w in weights]
    jobs = [
        (problems[i], results[i], matrices, limit, seed)
        for i, limit in zip(todo, limits, strict=True)
    ]
    if workers == 1 or len(jobs) == 1:
        entries = [explain_day(*job) for job in jobs]
    else:
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
            entries = list(pool.map(_explain_job, jobs))
    explained = list(results)
    for i, unassigned in zip(todo, entries, strict=True):
        explained[i] = replace(results[i], unassigned=unassigned)
    return explained


def _explain_job(
    job: tuple[DayProblem, DayResult, TravelTimes, float, int],
) -> tuple[Unassigned, ...]:
    return explain_day(*job)


def with_geometry(result: DayResult, geometry: GeometryFn) -> DayResult:
    """``result`` with each route's line along the roads, stop to stop (for maps)."""
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
