"""One day-direction searched: OR-Tools parameters, ``solve_day``, racing, fallbacks.

``solve_day`` screens the passengers, builds the model (:mod:`solver.routing.model`),
searches, repairs (:mod:`solver.routing.repair`) and reads the routes back as domain objects
(:mod:`solver.routing.read`), all inside its time limit.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, replace

import structlog
from google.protobuf.duration_pb2 import Duration
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from solver.domain import (
    DayProblem,
    DayResult,
    Kpis,
    Passenger,
    Route,
    Unassigned,
)
from solver.params import MIN_SOLVE_S
from solver.routing.clusters import CLUSTER_DAY_PASSENGERS, can_decompose, solve_by_clusters
from solver.routing.model import (
    DayModel,
    build_day_model,
)
from solver.routing.parts import (
    PartTask,
    SolvePart,
    SolveParts,
    can_improve_by_parts,
    improve_by_parts,
    one_at_a_time,
    parts_may_apply,
    route_passengers,
)
from solver.routing.read import day_kpis, read_routes
from solver.routing.reasons import left_out
from solver.routing.repair import (
    MIN_REPAIR_S,
    REPAIR_BUDGET_SHARE,
    initial_assignment,
    insert_unserved,
)
from solver.routing.screen import screen
from solver.travel import TravelTimes

log = structlog.get_logger(__name__)


DEFAULT_FIRST_SOLUTION = "PARALLEL_CHEAPEST_INSERTION"

FAST_FIRST_SOLUTION = "LOCAL_CHEAPEST_INSERTION"
"""The first solution when there is very little time per passenger (``sized_for``)."""

ENTRANCE_FIRST_SOLUTION = "LOCAL_CHEAPEST_INSERTION"
"""First solution where a centre's entrance is limited (``DayModel.entrance_limited``).
Parallel cheapest insertion meets the cumulative constraint only when it commits an insertion:
on the generated Bergen week with one ramp per centre it left 96 of 256 passengers of a
Monday morning out at 12 s (138 at 6 s), where local cheapest insertion left 4 out."""


@dataclass(frozen=True, slots=True)
class SearchParams:
    """How OR-Tools searches one day-direction.

    ``time_limit_s`` caps the wall time. ``max_solutions`` is a deterministic work budget: when
    it binds before the time limit, the same problem and seed give the same routes on any
    machine. ``seed`` orders ties among equal passengers.
    """

    time_limit_s: float
    seed: int = 1
    first_solution: str = DEFAULT_FIRST_SOLUTION
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    """OR-Tools' local search metaheuristic. Tabu search ended 0.9-4.4 points of gap below
    guided local search on Cordeau's a5-50, a6-72, a7-56, a7-70 and a8-96 at 30 s and within
    0.1 % of it on the Bergen week, but with it the full test suite failed a flip-seat layout
    test (a 6+1 layout where 4+2 serves everyone better) and service tests that expect a job
    to be still running after a few seconds; not adopted before those are understood
    (2026-11-23)."""
    max_solutions: int | None = None
    insertion_neighbors_ratio: float = 1.0
    """Share of each visit's nearest visits the first solution (parallel cheapest insertion)
    considers inserting it next to (1.0: all; ``sized_for`` lowers it on large days)."""
    by_parts: bool = True
    """Improve the first solution a few neighbouring routes at a time
    (:mod:`solver.routing.parts`) before the local search on the whole day, where the day's
    rules allow it; False: OR-Tools' search alone (as the parts themselves are searched)."""
    ends_at: float | None = None
    """``time.perf_counter()`` value by which the search should end (the end of its phase of
    the week); a search that starts late, after earlier ones overran, gets what is left of
    it (``time_limit_s`` at most, ``MIN_SOLVE_S`` at least). Linux's ``perf_counter`` is the
    system's monotonic clock, so the planner's processes share it."""


def limit_at_start(params: SearchParams, now: float) -> SearchParams:
    """``params`` with the time limit cut to what is left before ``params.ends_at``."""
    if params.ends_at is None:
        return params
    left_s = max(MIN_SOLVE_S, params.ends_at - now)
    return replace(params, time_limit_s=min(params.time_limit_s, left_s))


LARGE_DAY_PASSENGERS = 400
"""Above this many passengers a day-direction's first solution inserts each visit only among
its nearest neighbours (``LARGE_DAY_NEIGHBORS_RATIO``). Parallel cheapest insertion weighs
every insertion against every other: on a Bergen morning (256 passengers) it took 3.9 s; on
larger days it did not finish within the day's share of the week (a week of 1000 passengers
at 300 s served 163 of 8,340 trips)."""

LARGE_DAY_NEIGHBORS_RATIO = 0.05
"""Measured on the Bergen Monday morning (256 passengers, 2026-12-07): a first solution in
1.5 s instead of 3.9 s, 1.5 % dearer (at a ratio of 0.1, 5 % dearer after 10 s of search),
which is why smaller days keep every insertion."""

MIN_INSERTION_NEIGHBORS = 20
"""The least neighbours a visit is tried next to when the ratio is lowered."""


FULL_INSERTION_S_PER_PASSENGER = 0.03
"""Seconds of limit per passenger below which a day-direction's first solution inserts among
near neighbours only: parallel cheapest insertion took 3.9 s for the 256 passengers of a
Bergen morning (0.015 s each), building the model about 1 s more, and at 3 s it left 71 of
253 out; a 30 s week gives each of its ten day-directions about 3 s of one core."""

NEAR_INSERTION_S_PER_PASSENGER = 0.015
"""Below this many seconds per passenger even near insertions (1.5 s for the Bergen morning,
0.006 s each, and the model to build) may not finish: local cheapest insertion (0.6 s there,
24 % dearer) builds the first solution instead. Measured 2026-12-07, scenario weeks at 30 s
(about 2.4 s a day-direction): with this at 0.008, four of ten weeks left 674-1,375 trips out
for want of time."""


def sized_for(params: SearchParams, num_passengers: int) -> SearchParams:
    """``params`` for a day-direction of ``num_passengers`` within ``params.time_limit_s``.

    Parallel cheapest insertion (the default first solution) weighs every insertion against
    every other; on a large day, or with little time per passenger, it would not finish and
    the search would leave passengers out for want of time. There the first solution inserts
    among each visit's near neighbours only, and with very little time per passenger local
    cheapest insertion builds it. A caller's own choices (another first solution, its own
    ``insertion_neighbors_ratio``) are kept.
    """
    if params.first_solution != DEFAULT_FIRST_SOLUTION or params.insertion_neighbors_ratio != 1.0:
        return params
    per_passenger_s = params.time_limit_s / max(1, num_passengers)
    if per_passenger_s < NEAR_INSERTION_S_PER_PASSENGER:
        return replace(params, first_solution=FAST_FIRST_SOLUTION)
    if num_passengers > LARGE_DAY_PASSENGERS or per_passenger_s < FULL_INSERTION_S_PER_PASSENGER:
        return replace(params, insertion_neighbors_ratio=LARGE_DAY_NEIGHBORS_RATIO)
    return params


def search_parameters(params: SearchParams) -> pywrapcp.RoutingSearchParameters:
    """OR-Tools search parameters for ``params``."""
    search = pywrapcp.DefaultRoutingSearchParameters()
    search.first_solution_strategy = getattr(
        routing_enums_pb2.FirstSolutionStrategy, params.first_solution
    )
    search.local_search_metaheuristic = getattr(
        routing_enums_pb2.LocalSearchMetaheuristic, params.metaheuristic
    )
    limit = Duration()
    limit.FromMilliseconds(max(1, int(params.time_limit_s * 1000)))
    search.time_limit.CopyFrom(limit)
    if params.max_solutions is not None:
        search.solution_limit = params.max_solutions
    if params.insertion_neighbors_ratio < 1.0:
        insertion = search.global_cheapest_insertion_first_solution_parameters
        insertion.neighbors_ratio = params.insertion_neighbors_ratio
        insertion.min_neighbors = MIN_INSERTION_NEIGHBORS
    return search


def _seeded_order(passengers: Sequence[Passenger], seed: int) -> tuple[Passenger, ...]:
    """Passengers in a fixed order: by id, rotated by the seed (ties in insertion differ)."""
    ordered = sorted(passengers, key=lambda p: p.passenger_id)
    if not ordered:
        return ()
    shift = seed % len(ordered)
    return tuple(ordered[shift:] + ordered[:shift])


def solve_day(
    problem: DayProblem,
    matrices: TravelTimes,
    params: SearchParams,
    warm_start: DayResult | None = None,
    helpers: PartHelpers | None = None,
) -> DayResult:
    """Solve one day-direction. Never raises for an infeasible passenger: they are unassigned.

    ``warm_start``: routes to start the search from (e.g. the same day solved with stricter
    pins, or last week's). Passengers and vehicles it names that are not in ``problem`` are
    ignored; if the rest breaks a constraint, the search starts from scratch. ``helpers``:
    processes that solve parts of the day alongside this one (``solve_day_racing``).
    """
    started = time.perf_counter()
    result = _solve(problem, matrices, params, warm_start, started, helpers)
    log.info(
        "day solved",
        day=problem.day,
        direction=str(problem.direction),
        passengers=len(problem.passengers),
        vehicles=result.kpis.num_vehicles,
        unassigned=len(result.unassigned),
        seconds=round(result.solve_s, 2),
    )
    return result


def _solve(
    problem: DayProblem,
    matrices: TravelTimes,
    params: SearchParams,
    warm_start: DayResult | None,
    started: float,
    helpers: PartHelpers | None = None,
) -> DayResult:
    """``solve_day`` without its log line (parts of a day are solved by it too)."""
    params = limit_at_start(params, started)
    screened = screen(problem, matrices)
    unassigned = list(screened.unassigned)
    routes: list[Route] = []
    candidates = _seeded_order(screened.candidates, params.seed)
    if (
        params.by_parts
        and warm_start is None
        and len(candidates) > CLUSTER_DAY_PASSENGERS
        and can_decompose(problem)
    ):
        grouped, left = _solve_by_clusters(problem, candidates, matrices, params, started, helpers)
        return _day_result(problem, grouped, [*unassigned, *left], matrices, started)
    if candidates and problem.vehicles:
        building = time.perf_counter()
        model = build_day_model(problem, candidates, matrices)
        build_s = time.perf_counter() - building
        if model.entrance_limited and params.first_solution == DEFAULT_FIRST_SOLUTION:
            params = replace(params, first_solution=ENTRANCE_FIRST_SOLUTION)
        params = sized_for(params, len(candidates))
        # The limit is the day's whole wall time, so a week's phases end when planned: the
        # search leaves REPAIR_BUDGET_SHARE of it to insert_unserved, less the time already
        # spent screening and building the model (about a second on a Bergen day), and
        # keeps that build time again for the fresh model the repair may read routes on.
        spent_s = time.perf_counter() - started + build_s
        search_s = max(MIN_REPAIR_S, params.time_limit_s * (1.0 - REPAIR_BUDGET_SHARE) - spent_s)
        search = search_parameters(replace(params, time_limit_s=search_s))
        # Restoring routes under soft pin bounds ran for minutes in ReadAssignmentFromRoutes
        # (it has no time limit): warm starts are only used when every pin is hard.
        all_hard = all(p.is_strict and p.holds_time for p in problem.pins.values())
        initial = initial_assignment(model, warm_start) if warm_start and all_hard else None
        rival: Future[DayResult] | None = None
        if params.by_parts and can_improve_by_parts(
            problem, bool(model.breaks), model.entrance_limited
        ):
            model, solution, rival = _solve_by_parts(
                model,
                initial,
                lambda: build_day_model(problem, candidates, matrices),
                matrices,
                replace(params, time_limit_s=search_s),
                helpers,
            )
        elif initial is not None:
            solution = model.routing.SolveFromAssignmentWithParameters(initial, search)
        elif model.breaks or model.entrance_limited:
            model, solution = _solve_with_fallback(
                model, problem, candidates, matrices, params, search_s
            )
        else:
            solution = model.routing.SolveWithParameters(search)
        if solution is None:
            unassigned.extend(left_out(model, problem, candidates, routes))
        else:
            # A deterministic work budget (max_solutions) gets no clock in the repair either.
            repair_s = (
                max(MIN_REPAIR_S, REPAIR_BUDGET_SHARE * params.time_limit_s)
                if params.max_solutions is None
                else None
            )
            model, solution = insert_unserved(
                model,
                solution,
                repair_s,
                lambda: build_day_model(problem, candidates, matrices),
            )
            routes = read_routes(model, solution)
            unassigned.extend(_unserved(model, candidates, routes))
        if rival is not None:
            # The helper's whole-day search from the same improved routes (_solve_by_parts).
            ours = _day_result(problem, routes, unassigned, matrices, started)
            best = best_result([ours, rival.result()])
            return replace(best, solve_s=time.perf_counter() - started)
    return _day_result(problem, routes, unassigned, matrices, started)


def _unserved(
    model: DayModel, candidates: Sequence[Passenger], routes: Sequence[Route]
) -> list[Unassigned]:
    """The candidates no route serves, each with the reason (``left_out``)."""
    served = {pid for route in routes for pid in route_passengers(route)}
    unserved = [p for p in candidates if p.passenger_id not in served]
    return left_out(model, model.problem, unserved, routes)


def _day_result(
    problem: DayProblem,
    routes: Sequence[Route],
    unassigned: list[Unassigned],
    matrices: TravelTimes,
    started: float,
) -> DayResult:
    """The day's result: routes, unassigned by id, key figures and the time since ``started``."""
    unassigned.sort(key=lambda u: u.passenger_id)
    return DayResult(
        day=problem.day,
        direction=problem.direction,
        routes=tuple(routes),
        unassigned=tuple(unassigned),
        kpis=day_kpis(problem, routes, unassigned, matrices),
        solve_s=time.perf_counter() - started,
    )


PARTS_SHARE = 0.7
"""Share of the search time left after the first solution that goes to improving by parts;
OR-Tools' search on the whole day, from the improved routes, gets the rest (it moves
passengers between distant routes, which no part holds). Measured on the Bergen Monday
morning at 30 s and 60 s (2026-12-07): parts alone 18,300-18,700 and 17,745 NOK, parts for
2/3 and 1/2 of the time then the whole day 18,880 and 17,567 NOK: within the noise of one
another, and both far below the whole-day search alone (20,470 and 18,768 NOK)."""

NO_KPIS = Kpis(0, 0, 0, 0, 0, 0.0, 0.0, 0, 0.0)
"""Key figures of a start handed to the search, which reads only its routes."""


def _solve_by_parts(
    model: DayModel,
    initial: pywrapcp.Assignment | None,
    rebuild: Callable[[], DayModel],
    matrices: TravelTimes,
    params: SearchParams,
    helpers: PartHelpers | None,
) -> tuple[DayModel, pywrapcp.Assignment | None, Future[DayResult] | None]:
    """First solution (or ``initial``), parts, then the whole day, within the time limit.

    Parts: :mod:`solver.routing.parts`; the whole day's search then starts from the improved
    routes, and all of it ends within ``params.time_limit_s``. With ``helpers`` the parts go
    several at a time, and then a helper searches the whole day too, from the same routes
    with the other metaheuristic (``RACE_METAHEURISTICS``): the last element, a future
    result for the caller to weigh against its own (``best_result``). Measured on the Bergen
    Monday morning on two cores (2026-12-07): parts two at a time and one whole-day search
    after them ended at 16,907 NOK at 300 s, where racing two whole searches had ended at
    15,924 NOK.

    Under a work limit (``params.max_solutions``) every step is bounded by solutions and
    rounds instead of the clock, so the same problem and seed give the same routes.
    """
    started = time.perf_counter()
    work_limited = params.max_solutions is not None
    first = initial
    if first is None:
        first_search = search_parameters(replace(params, max_solutions=1))
        first = model.routing.SolveWithParameters(first_search)
    if first is None:
        return model, None, None
    routes = read_routes(model, first)
    if sum(len(route_passengers(r)) for r in routes) < len(model.pairs):
        # Serving comes first: parts only rearrange the passengers already served, so a
        # first solution that leaves someone out gets the whole day's search, which places
        # them (each is worth a large penalty), for all its time.
        left_s = max(MIN_REPAIR_S, params.time_limit_s - (time.perf_counter() - started))
        rest = search_parameters(replace(params, time_limit_s=left_s))
        solution = model.routing.SolveFromAssignmentWithParameters(first, rest)
        return model, solution if solution is not None else first, None
    problem = model.problem
    left_s = params.time_limit_s - (time.perf_counter() - started)
    improved = _improve_by_parts(
        problem,
        routes,
        matrices,
        params,
        ends_at=None if work_limited else time.perf_counter() + PARTS_SHARE * left_s,
        helpers=helpers,
    )
    start = DayResult(problem.day, problem.direction, improved, (), NO_KPIS)
    restored = initial_assignment(model, start)
    if restored is None:
        # A model already searched may refuse routes a fresh copy takes (insert_unserved).
        model = rebuild()
        restored = initial_assignment(model, start)
    if restored is None:
        log.warning("improved routes refused by the model; searching from the first solution")
        restored = first
    left_s = max(MIN_REPAIR_S, params.time_limit_s - (time.perf_counter() - started))
    rival = None
    if helpers is not None:
        other = next(m for m in RACE_METAHEURISTICS if m != params.metaheuristic)
        rival_params = replace(
            params, metaheuristic=other, by_parts=False, ends_at=None, time_limit_s=left_s
        )
        rival = helpers.pool.submit(_search_in_helper, problem, rival_params, start)
    rest = search_parameters(replace(params, time_limit_s=left_s))
    solution = model.routing.SolveFromAssignmentWithParameters(restored, rest)
    return model, solution if solution is not None else restored, rival


def _part_solver(params: SearchParams, matrices: TravelTimes) -> SolvePart:
    """Parts solved as small days from their routes: by the clock, or under the work limit."""
    work_limited = params.max_solutions is not None

    def solve_part(
        part: DayProblem, start: tuple[Route, ...], seed: int, limit_s: float
    ) -> DayResult:
        begun = time.perf_counter()
        part_params = replace(
            params,
            seed=seed,
            by_parts=False,
            ends_at=None,
            time_limit_s=params.time_limit_s if work_limited else limit_s,
        )
        warm = DayResult(part.day, part.direction, start, (), NO_KPIS)
        return _solve(part, matrices, part_params, warm, begun)

    return solve_part


@dataclass(frozen=True, slots=True)
class PartHelpers:
    """Processes that solve parts of a day alongside the process searching it.

    Made by ``solve_day_racing``: its pool's processes keep the day's matrices
    (``_keep_matrices``), so a part travels to them without them.
    """

    pool: Executor
    workers: int


_HELPER_MATRICES: list[TravelTimes] = []
"""The matrices of the day a helper process solves parts of (set once, when it starts)."""


def _keep_matrices(matrices: TravelTimes) -> None:
    _HELPER_MATRICES[:] = [matrices]


def _solve_part_in_helper(params: SearchParams, task: PartTask) -> DayResult:
    return _part_solver(params, _HELPER_MATRICES[0])(*task)


def _search_in_helper(problem: DayProblem, params: SearchParams, start: DayResult) -> DayResult:
    return _solve(problem, _HELPER_MATRICES[0], params, start, time.perf_counter())


def _parts_solver(
    params: SearchParams, matrices: TravelTimes, helpers: PartHelpers | None
) -> SolveParts:
    """Parts solved in turn here, or the first here and the others by ``helpers`` at once."""
    here = _part_solver(params, matrices)
    if helpers is None:
        return one_at_a_time(here)

    def solve_parts(tasks: Sequence[PartTask]) -> list[DayResult]:
        elsewhere = [helpers.pool.submit(_solve_part_in_helper, params, t) for t in tasks[1:]]
        first = here(*tasks[0])
        return [first, *(future.result() for future in elsewhere)]

    return solve_parts


def _improve_by_parts(
    problem: DayProblem,
    routes: Sequence[Route],
    matrices: TravelTimes,
    params: SearchParams,
    ends_at: float | None,
    helpers: PartHelpers | None = None,
) -> tuple[Route, ...]:
    """``routes`` improved by parts until ``ends_at`` (None: a round per route, work-limited).

    With ``helpers``, as many parts at once as there are processes (``helpers`` and this).
    """
    improved, report = improve_by_parts(
        problem,
        routes,
        _parts_solver(params, matrices, helpers),
        params.seed,
        ends_at=ends_at,
        max_rounds=len(routes) if ends_at is None else None,
        width=1 + (helpers.workers if helpers is not None else 0),
    )
    log.debug(
        "day improved by parts",
        searched=report.num_searched,
        kept=report.num_kept,
        cost_before=round(report.cost_before),
        cost_after=round(report.cost_after),
    )
    return improved


def _solve_by_clusters(
    problem: DayProblem,
    candidates: Sequence[Passenger],
    matrices: TravelTimes,
    params: SearchParams,
    started: float,
    helpers: PartHelpers | None,
) -> tuple[tuple[Route, ...], tuple[Unassigned, ...]]:
    """A large day: first routes group by group (:mod:`solver.routing.clusters`), then parts.

    The groups, the passengers they left out and the parts across groups all end within the
    day's limit less the repair share (nothing is repaired: no whole-day model is built).
    Under a work limit each step is bounded by solutions and rounds, not the clock.
    """
    work_limited = params.max_solutions is not None
    ends_at = None if work_limited else started + params.time_limit_s * (1.0 - REPAIR_BUDGET_SHARE)

    def solve_group(group: DayProblem, limit_s: float) -> DayResult:
        begun = time.perf_counter()
        group_params = replace(params, time_limit_s=limit_s, ends_at=None)
        return _solve(group, matrices, group_params, None, begun, helpers)

    routes, left = solve_by_clusters(
        problem, candidates, solve_group, ends_at, work_limit_s=params.time_limit_s
    )
    day = replace(problem, passengers=tuple(candidates))
    improved = _improve_by_parts(day, routes, matrices, params, ends_at, helpers)
    log.debug("day solved by clusters", routes=len(improved), left_out=len(left))
    return improved, left


def read_start(
    problem: DayProblem,
    matrices: TravelTimes,
    start: DayResult,
    seed: int = 1,
) -> DayResult | None:
    """``start``'s routes as a result of ``problem``, without searching; None if refused.

    The routes ``solve_day`` would start its search from with ``warm_start=start``: its
    passengers and vehicles not in ``problem`` are left out, a route that no longer fits is
    dropped (its passengers unassigned), and the rest is read and timed as a solution is.
    None where no warm start is possible (a centre's entrance is limited, a soft pin, or
    OR-Tools refuses the routes). A scenario batch keeps this when the search from it came
    out dearer (``solver.scenarios.batch``).
    """
    started = time.perf_counter()
    screened = screen(problem, matrices)
    unassigned = list(screened.unassigned)
    routes: list[Route] = []
    candidates = _seeded_order(screened.candidates, seed)
    if candidates and problem.vehicles:
        if not all(p.is_strict and p.holds_time for p in problem.pins.values()):
            return None
        model = build_day_model(problem, candidates, matrices)
        initial = initial_assignment(model, start)
        if initial is None:
            return None
        routes = read_routes(model, initial)
        unassigned.extend(_unserved(model, candidates, routes))
    return _day_result(problem, routes, unassigned, matrices, started)


RACE_METAHEURISTICS = ("GUIDED_LOCAL_SEARCH", "TABU_SEARCH")
"""Searches raced on spare cores (``solve_day_racing``), in turn; then again with other seeds.
Neither wins everywhere: at 30 s tabu search ended 0.9-4.4 gap points lower than guided local
search on five of Cordeau's a-instances, guided local search lower on others."""


def race_params(params: SearchParams, arms: int) -> list[SearchParams]:
    """``arms`` variants of ``params`` to race.

    ``params`` itself first, then the other searches of ``RACE_METAHEURISTICS``, then the
    same with seeds ``seed + 1``, ``seed + 2``...
    """
    searches = [params.metaheuristic] + [
        m for m in RACE_METAHEURISTICS if m != params.metaheuristic
    ]
    return [
        replace(
            params,
            metaheuristic=searches[arm % len(searches)],
            seed=params.seed + arm // len(searches),
        )
        for arm in range(arms)
    ]


def best_result(results: Sequence[DayResult]) -> DayResult:
    """The result serving the most passengers, then the cheapest; the first on ties."""
    return min(results, key=lambda r: (len(r.unassigned), r.kpis.cost))


PARALLEL_PARTS_PASSENGERS = 150
"""Passengers from which a lone day-direction's spare cores solve parts rather than race
searches: parts need 10 routes (``solver.routing.parts.MIN_DAY_ROUTES``), about 130
passengers on the Bergen days; below, racing guided local search against tabu search gains
more (Cordeau's instances, 16-96 passengers on 2-8 routes)."""


def parts_in_parallel(problem: DayProblem, params: SearchParams) -> bool:
    """Whether a lone day-direction's spare cores should solve parts (``solve_day_racing``)."""
    return (
        params.by_parts
        and len(problem.passengers) >= PARALLEL_PARTS_PASSENGERS
        and parts_may_apply(problem)
    )


def solve_day_racing(
    problem: DayProblem,
    matrices: TravelTimes,
    params: SearchParams,
    arms: int,
    warm_start: DayResult | None = None,
) -> DayResult:
    """``solve_day`` with ``arms`` searches at once (``race_params``), one process each.

    For a lone day-direction on a machine with cores to spare: each search gets the whole
    time limit, and ``best_result`` picks among them, so the outcome stays a function of the
    problem and the seed. ``arms`` of 1 is plain ``solve_day``.

    A day that parts will improve (``parts_in_parallel``) is not raced: the other processes
    solve its parts alongside this one (``PartHelpers``), several parts at once. Measured on
    the Bergen Monday morning at 10 s on two cores (2026-12-07): racing ended within 0.5 % of
    one search alone (19,684 against 19,765 NOK).
    """
    if arms <= 1:
        return solve_day(problem, matrices, params, warm_start)
    started = time.perf_counter()
    if parts_in_parallel(problem, params):
        with ProcessPoolExecutor(
            max_workers=arms - 1, initializer=_keep_matrices, initargs=(matrices,)
        ) as pool:
            result = solve_day(problem, matrices, params, warm_start, PartHelpers(pool, arms - 1))
        log.info(
            "day solved with parts in parallel",
            processes=arms,
            seconds=round(time.perf_counter() - started, 2),
        )
        return replace(result, solve_s=time.perf_counter() - started)
    variants = race_params(params, arms)
    with ProcessPoolExecutor(max_workers=arms) as pool:
        futures = [pool.submit(solve_day, problem, matrices, v, warm_start) for v in variants]
        results = [future.result() for future in futures]
    best = best_result(results)
    log.info(
        "day raced",
        arms=arms,
        winner=variants[results.index(best)].metaheuristic,
        seconds=round(time.perf_counter() - started, 2),
    )
    return replace(best, solve_s=time.perf_counter() - started)


FIRST_SOLUTION_SHARE_WITH_FALLBACK = 0.5
"""Share of the search time the first-solution heuristic may take where drivers break (or a
centre's entrance is limited: there too it may find nothing in the whole time)."""


def _solve_with_fallback(
    model: DayModel,
    problem: DayProblem,
    candidates: Sequence[Passenger],
    matrices: TravelTimes,
    params: SearchParams,
    search_s: float,
) -> tuple[DayModel, pywrapcp.Assignment | None]:
    """Search a model whose first solution may not come: (model searched last, its solution).

    With drivers' breaks on short work limits the first-solution heuristic may search the whole
    time and find nothing (seen on a generated 106-passenger day with an hour's work limit), and
    so may it where a centre's entrance is limited (a Bergen Tuesday morning). So it
    gets ``FIRST_SOLUTION_SHARE_WITH_FALLBACK`` of the time; if it finds a solution, the rest
    improves it, and if not, a fresh model starts from nobody served (which always holds) and
    the local search inserts passengers in the rest.
    """
    started = time.perf_counter()
    first_s = search_s * FIRST_SOLUTION_SHARE_WITH_FALLBACK
    solution = model.routing.SolveWithParameters(
        search_parameters(replace(params, time_limit_s=first_s))
    )
    left_s = max(MIN_REPAIR_S, search_s - (time.perf_counter() - started))
    if solution is not None:
        rest = search_parameters(replace(params, time_limit_s=left_s))
        improved = model.routing.SolveFromAssignmentWithParameters(solution, rest)
        return model, improved if improved is not None else solution
    log.info("no first solution; starting from nobody served")
    fresh = build_day_model(problem, candidates, matrices)
    start = replace(params, time_limit_s=left_s, first_solution="ALL_UNPERFORMED")
    found: pywrapcp.Assignment | None = fresh.routing.SolveWithParameters(search_parameters(start))
    return fresh, found
