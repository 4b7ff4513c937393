"""Search parameters, time budget and seed -> solved day-directions and weeks.

``solve_day`` screens the passengers, builds the model, searches and reads the routes back as
domain objects. ``solve_week`` snaps every location, builds one pair of matrices for the whole
week and solves each day-direction inside one honest time budget (roads included).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace

import structlog
from google.protobuf.duration_pb2 import Duration
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from solver.domain import (
    DAYS,
    DIRECTIONS,
    Day,
    DayProblem,
    DayResult,
    Direction,
    DriverBreak,
    Kpis,
    LatLon,
    Passenger,
    Reason,
    Route,
    SeatingLayout,
    Stop,
    StopKind,
    Unassigned,
    WeekPlan,
)
from solver.model import (
    TIME_DIMENSION,
    DayModel,
    Matrices,
    Visit,
    VisitKind,
    build_day_model,
    direct_s,
    fixed_times,
    shares_stop,
)
from solver.schedule import DURATION_WEIGHT, BreakSlot, RideLimit, schedule_route_with_breaks
from solver.screen import screen

log = structlog.get_logger(__name__)

GeometryFn = Callable[[LatLon, LatLon], Sequence[tuple[float, float]]]
"""(from, to) -> (lon, lat) points along the roads."""

ProgressFn = Callable[[str, int, int], None]
"""(what is being solved, done, total) -> None."""

MIN_DAY_TIME_LIMIT_S = 1.0

DEFAULT_FIRST_SOLUTION = "PARALLEL_CHEAPEST_INSERTION"

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
    matrices: Matrices,
    params: SearchParams,
    warm_start: DayResult | None = None,
) -> DayResult:
    """Solve one day-direction. Never raises for an infeasible passenger: they are unassigned.

    ``warm_start``: routes to start the search from (e.g. the same day solved with stricter
    pins, or last week's). Passengers and vehicles it names that are not in ``problem`` are
    ignored; if the rest breaks a constraint, the search starts from scratch.
    """
    started = time.perf_counter()
    screened = screen(problem, matrices)
    unassigned = list(screened.unassigned)
    routes: list[Route] = []
    candidates = _seeded_order(screened.candidates, params.seed)
    if candidates and problem.vehicles:
        building = time.perf_counter()
        model = build_day_model(problem, candidates, matrices)
        build_s = time.perf_counter() - building
        if model.entrance_limited and params.first_solution == DEFAULT_FIRST_SOLUTION:
            params = replace(params, first_solution=ENTRANCE_FIRST_SOLUTION)
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
        if initial is not None:
            solution = model.routing.SolveFromAssignmentWithParameters(initial, search)
        elif model.breaks or model.entrance_limited:
            model, solution = _solve_with_fallback(
                model, problem, candidates, matrices, params, search_s
            )
        else:
            solution = model.routing.SolveWithParameters(search)
        if solution is None:
            unassigned.extend(_fleet_exhausted(problem, p) for p in candidates)
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
            served = {pid for r in routes for s in r.stops for pid in s.pickups}
            unassigned.extend(
                _fleet_exhausted(problem, p) for p in candidates if p.passenger_id not in served
            )
    unassigned.sort(key=lambda u: u.passenger_id)
    elapsed = time.perf_counter() - started
    kpis = day_kpis(problem, routes, unassigned, matrices)
    log.info(
        "day solved",
        day=problem.day,
        direction=str(problem.direction),
        passengers=len(problem.passengers),
        vehicles=kpis.num_vehicles,
        unassigned=len(unassigned),
        seconds=round(elapsed, 2),
    )
    return DayResult(
        day=problem.day,
        direction=problem.direction,
        routes=tuple(routes),
        unassigned=tuple(unassigned),
        kpis=kpis,
        solve_s=elapsed,
    )


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


def solve_day_racing(
    problem: DayProblem,
    matrices: Matrices,
    params: SearchParams,
    arms: int,
    warm_start: DayResult | None = None,
) -> DayResult:
    """``solve_day`` with ``arms`` searches at once (``race_params``), one process each.

    For a lone day-direction on a machine with cores to spare: each search gets the whole
    time limit, and ``best_result`` picks among them, so the outcome stays a function of the
    problem and the seed. ``arms`` of 1 is plain ``solve_day``.
    """
    if arms <= 1:
        return solve_day(problem, matrices, params, warm_start)
    started = time.perf_counter()
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
    matrices: Matrices,
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


def initial_assignment(model: DayModel, start: DayResult) -> pywrapcp.Assignment | None:
    """``start``'s routes as an OR-Tools assignment of ``model``, or None if they do not fit.

    None where a centre's entrance is limited: ``ReadAssignmentFromRoutes`` has no time limit
    and can search for minutes over the cumulative constraint (``insert_unserved``).
    """
    if model.entrance_limited:
        return None
    visit_of: dict[tuple[str, VisitKind], int] = {}
    for pickup_id, dropoff_id in model.pairs:
        pid = model.visits[pickup_id].passenger_id
        assert pid is not None
        visit_of[(pid, VisitKind.PICKUP)] = pickup_id
        visit_of[(pid, VisitKind.DROPOFF)] = dropoff_id
    by_vehicle = {route.vehicle_id: route for route in start.routes}
    routes: list[list[int]] = []
    placed: set[str] = set()  # a vehicle laid out several ways takes its route once
    for vehicle in model.vehicles:
        route = by_vehicle.get(vehicle.vehicle_id) if vehicle.vehicle_id not in placed else None
        indices: list[int] = []
        if route is not None:
            # Passengers whose pickup or drop-off moved (a home exception, a new address)
            # are left for the search to insert.
            moved = {
                pid
                for stop in route.stops
                for pid, kind in [(p, VisitKind.PICKUP) for p in stop.pickups]
                + [(p, VisitKind.DROPOFF) for p in stop.dropoffs]
                if (pid, kind) in visit_of
                and model.visits[visit_of[(pid, kind)]].location != stop.location
            }
            for stop in route.stops:
                for pid in stop.dropoffs:
                    if (pid, VisitKind.PICKUP) in visit_of and pid not in moved:
                        indices.append(
                            model.manager.NodeToIndex(visit_of[(pid, VisitKind.DROPOFF)])
                        )
                for pid in stop.pickups:
                    if (pid, VisitKind.PICKUP) in visit_of and pid not in moved:
                        indices.append(model.manager.NodeToIndex(visit_of[(pid, VisitKind.PICKUP)]))
        visit_ids = [model.manager.IndexToNode(i) for i in indices]
        fits = bool(indices) and route_fits(model, len(routes), visit_ids)
        if fits:
            placed.add(vehicle.vehicle_id)
        routes.append(indices if fits else [])
    assignment: pywrapcp.Assignment | None = model.routing.ReadAssignmentFromRoutes(routes, True)
    if assignment is None:
        log.info("warm start rejected; solving from scratch")
    return assignment


MAX_REPAIR_TRIES = 300
"""Most candidate routes ``insert_unserved`` times (each a small LP) per day-direction."""

REPAIR_BUDGET_SHARE = 0.05
"""Share of a day-direction's search time ``insert_unserved`` may take on top (at least
``MIN_REPAIR_S``)."""

MIN_REPAIR_S = 0.2

MAX_REPAIR_ROUTES = 3
"""Timed insertions of one passenger OR-Tools may refuse before ``insert_unserved`` gives up."""


def insert_unserved(
    model: DayModel,
    solution: pywrapcp.Assignment,
    seconds: float | None = MIN_REPAIR_S,
    rebuild: Callable[[], DayModel] | None = None,
) -> tuple[DayModel, pywrapcp.Assignment]:
    """The solution with passengers the search left out inserted where they fit, if any do.

    A short search can end with a passenger unserved whom some route could still take (seen
    on small budgets with soft pins, where no warm start is possible). Each unserved
    passenger, in model order, goes where ``route_fits`` accepts their pickup and drop-off
    back to back at the least extra distance (``_insertions``, cheapest first), once OR-Tools
    accepts the routes so changed (``route_fits`` times a route, but some constraints only
    the model holds; it may refuse ``MAX_REPAIR_ROUTES`` times). At most
    ``MAX_REPAIR_TRIES`` candidate routes
    are timed in all, and none after ``seconds`` (``None``: no clock, so the same solution
    is always repaired the same way), so a day with many truly unservable passengers stays
    quick. Not done where drivers take breaks, nor where a centre's entrance is limited
    (``ReadAssignmentFromRoutes``, which has no time limit, searched for minutes over the
    cumulative constraint on the Bergen week with one ramp per centre).

    A model that has been searched with guided local search may refuse routes that a fresh
    copy of it accepts (seen on pinned Bergen days: every insertion refused, even into an
    empty vehicle); ``rebuild`` makes that copy. Returns the model the solution belongs to
    and the solution.
    """
    deadline = None if seconds is None else time.perf_counter() + seconds
    if model.breaks or model.entrance_limited:
        # Restoring routes whose breaks OR-Tools must place again, or whose set-downs it must
        # fit at a limited entrance, can search for long (ReadAssignmentFromRoutes has no
        # time limit): no repair there.
        return model, solution
    routing, manager = model.routing, model.manager
    routes: list[list[int]] = []
    for vehicle_index in range(len(model.vehicles)):
        index = solution.Value(routing.NextVar(routing.Start(vehicle_index)))
        visit_ids: list[int] = []
        while not routing.IsEnd(index):
            visit_ids.append(manager.IndexToNode(index))
            index = solution.Value(routing.NextVar(index))
        routes.append(visit_ids)
    served = {v for visit_ids in routes for v in visit_ids}
    unserved = [(p, d) for p, d in model.pairs if p not in served]
    tries = 0
    repaired: pywrapcp.Assignment | None = None
    reader = model
    for pickup_id, dropoff_id in unserved:
        refused = 0
        for _, vehicle_index, position in _insertions(model, routes, pickup_id, dropoff_id):
            tries += 1
            late = deadline is not None and time.perf_counter() > deadline
            if tries > MAX_REPAIR_TRIES or late or refused >= MAX_REPAIR_ROUTES:
                break
            visit_ids = routes[vehicle_index]
            route = [*visit_ids[:position], pickup_id, dropoff_id, *visit_ids[position:]]
            if not route_fits(model, vehicle_index, route):
                continue
            candidate = [*routes[:vehicle_index], route, *routes[vehicle_index + 1 :]]
            indices = [[manager.NodeToIndex(v) for v in ids] for ids in candidate]
            # route_fits times the route; OR-Tools also checks what it does not model.
            assignment = reader.routing.ReadAssignmentFromRoutes(indices, True)
            if assignment is None and reader is model and rebuild is not None:
                reader = rebuild()
                assignment = reader.routing.ReadAssignmentFromRoutes(indices, True)
            if assignment is None:
                refused += 1
                continue
            routes, repaired = candidate, assignment
            break
    if repaired is None:
        return model, solution
    if reader is not model:
        log.info("unserved passengers inserted on a fresh model")
    return reader, repaired


def _insertions(
    model: DayModel, routes: Sequence[Sequence[int]], pickup_id: int, dropoff_id: int
) -> list[tuple[int, int, int]]:
    """Where a pickup and its drop-off may go back to back: (extra metres, vehicle, position).

    Cheapest first; vehicles the passenger may not ride (or is strictly pinned away from)
    are left out, and of empty vehicles alike in depot, capacity, shift and tariff only
    the first is listed.
    """
    routing, manager = model.routing, model.manager
    driving = {model.vehicles[i].vehicle_id: i for i, visit_ids in enumerate(routes) if visit_ids}
    pid = model.visits[pickup_id].passenger_id or ""
    pin = model.problem.pins.get(pid)
    passenger = next(p for p in model.passengers if p.passenger_id == pid)
    empty_kinds: set[tuple[object, ...]] = set()
    found: list[tuple[int, int, int]] = []
    for vehicle_index, visit_ids in enumerate(routes):
        vehicle = model.vehicles[vehicle_index]
        if driving.get(vehicle.vehicle_id, vehicle_index) != vehicle_index:
            continue  # another layout of this vehicle drives
        if not passenger.may_ride(vehicle.vehicle_id) or (
            pin is not None and pin.is_strict and pin.vehicle_id not in (None, vehicle.vehicle_id)
        ):
            continue
        start = manager.IndexToNode(routing.Start(vehicle_index))
        end = manager.IndexToNode(routing.End(vehicle_index))
        if not visit_ids:
            kind = (
                *(model.visits[start].node, model.visits[end].node, vehicle.seats),
                *(vehicle.wheelchair_places, vehicle.shift, vehicle.tariff, vehicle.max_route_s),
            )
            if kind in empty_kinds:
                continue
            empty_kinds.add(kind)
        full = [start, *visit_ids, end]
        for position in range(len(visit_ids) + 1):
            before, after = full[position], full[position + 1]
            extra = int(
                model.distances_m[before, pickup_id]
                + model.distances_m[pickup_id, dropoff_id]
                + model.distances_m[dropoff_id, after]
                - model.distances_m[before, after]
            )
            found.append((extra, vehicle_index, position))
    found.sort()
    return found


def _fleet_exhausted(problem: DayProblem, passenger: Passenger) -> Unassigned:
    pin = problem.pins.get(passenger.passenger_id)
    if pin is not None and pin.is_strict and pin.vehicle_id is not None:
        return Unassigned(
            passenger.passenger_id,
            Reason.FLEET_EXHAUSTED,
            f"The passenger must ride vehicle {pin.vehicle_id} (the morning's, or their usual "
            f"one), which is full or out of time on {problem.day}; turn off "
            "same_vehicle_both_ways or consistency, or widen the windows.",
        )
    if passenger.ride_alone:
        return Unassigned(
            passenger.passenger_id,
            Reason.FLEET_EXHAUSTED,
            f"The passenger must ride alone, and no vehicle on {problem.day} has the time to "
            "drive them on their own; add a vehicle that day or widen their windows.",
        )
    return Unassigned(
        passenger.passenger_id,
        Reason.FLEET_EXHAUSTED,
        f"Every suitable vehicle on {problem.day} is full or out of time; add a vehicle that "
        "day, widen the centre's window or allow a longer ride time.",
    )


def read_routes(model: DayModel, solution: pywrapcp.Assignment) -> list[Route]:
    """The solution's non-empty routes as domain objects (no geometry), stops merged per address."""
    routing, manager = model.routing, model.manager
    time_dim = routing.GetDimensionOrDie(TIME_DIMENSION)
    routes: list[Route] = []
    for vehicle_index, vehicle in enumerate(model.vehicles):
        index = routing.Start(vehicle_index)
        if routing.IsEnd(solution.Value(routing.NextVar(index))):
            continue
        sequence: list[tuple[int, int]] = []  # (visit id, service start)
        while True:
            visit_id = manager.IndexToNode(index)
            sequence.append((visit_id, solution.Value(time_dim.CumulVar(index))))
            if routing.IsEnd(index):
                break
            index = solution.Value(routing.NextVar(index))
        if model.visits[sequence[-1][0]].node is None:
            sequence.pop()  # an open route end is no place: the route ends at its last stop
        taken = _breaks_taken(model, vehicle_index, solution, sequence)
        sequence, slots, starts = retime(
            model, vehicle_index, sequence, *taken, fixed=fixed_times(model, sequence)
        )
        stops = _stops([(model.visits[v], t) for v, t in sequence], {s.leg for s in slots})
        distance = sum(
            int(model.distances_m[a, b]) for (a, _), (b, _) in itertools.pairwise(sequence)
        )
        duration = stops[-1].arrival_s - stops[0].departure_s
        cost = vehicle.tariff.route_cost(distance, duration)
        routes.append(
            Route(
                vehicle_id=vehicle.vehicle_id,
                stops=tuple(stops),
                distance_m=distance,
                duration_s=duration,
                cost=round(cost, 2),
                layout=(
                    SeatingLayout(vehicle.seats, vehicle.wheelchair_places)
                    if model.problem.settings.choose_layouts
                    else None
                ),
                breaks=tuple(
                    DriverBreak(start, slot.duration_s)
                    for slot, start in zip(slots, starts, strict=True)
                ),
            )
        )
    return routes


def _breaks_taken(
    model: DayModel,
    vehicle_index: int,
    solution: pywrapcp.Assignment,
    sequence: Sequence[tuple[int, int]],
) -> tuple[list[BreakSlot], list[int]]:
    """The breaks the solution performs within the route: their legs and starts.

    A break on leg ``i`` starts after visit ``i``'s service (OR-Tools keeps breaks off
    services) and before visit ``i+1``. Breaks before the route starts or after it ends
    (OR-Tools may perform an optional one there) are dropped: they count for nothing.
    """
    rule = model.problem.settings.driver_break
    if rule is None or not sequence:
        return [], []
    found: list[tuple[int, int]] = []  # (leg, start)
    for interval in model.breaks.get(vehicle_index, []):
        if not solution.PerformedValue(interval):
            continue
        start = solution.StartValue(interval)
        if start < sequence[0][1] or start + rule.duration_s > sequence[-1][1]:
            continue
        leg = max(i for i, (_, t) in enumerate(sequence) if t <= start)
        if leg < len(sequence) - 1:
            found.append((leg, start))
    found.sort()
    return [BreakSlot(leg, rule.duration_s) for leg, _ in found], [start for _, start in found]


def retime(
    model: DayModel,
    vehicle_index: int,
    sequence: list[tuple[int, int]],
    breaks: Sequence[BreakSlot] = (),
    break_starts: Sequence[int] = (),
    fixed: Mapping[int, int] | None = None,
) -> tuple[list[tuple[int, int]], list[BreakSlot], list[int]]:
    """The route's visits with service starts chosen by ``schedule_route``, and its breaks.

    With a break rule, a route that cannot be timed without a break gets one, on the leg
    where it times best (``best_break``): OR-Tools proves a break fits, but the break start
    it reports need not agree with the cumuls its finalisers choose. Keeps OR-Tools' times
    and ``breaks`` (and logs) in the should-not-happen case that no timing is found; the
    checker then reports what is wrong. ``fixed``: service starts by visit id to keep.
    """
    visit_ids = [visit_id for visit_id, _ in sequence]
    timed = route_timing(model, vehicle_index, visit_ids, fixed=fixed)
    slots: list[BreakSlot] = []
    if timed is None and model.problem.settings.driver_break is not None:
        found = best_break(model, vehicle_index, visit_ids, fixed)
        if found is not None:
            slots, timed = found
    if timed is None:
        log.warning("route timing not found; keeping the search's times")
        return sequence, list(breaks), list(break_starts)
    times, starts = timed
    return list(zip(visit_ids, times, strict=True)), slots, starts


def best_break(
    model: DayModel,
    vehicle_index: int,
    visit_ids: Sequence[int],
    fixed: Mapping[int, int] | None = None,
) -> tuple[list[BreakSlot], tuple[list[int], list[int]]] | None:
    """The leg where one driver's break times the route best, with that timing, or None.

    Tries the break on every leg (one LP each) and keeps the shortest route, then the least
    riding (as ``schedule_route`` ranks timings); the earliest leg wins ties.
    """
    rule = model.problem.settings.driver_break
    if rule is None:
        return None
    best: tuple[float, list[BreakSlot], tuple[list[int], list[int]]] | None = None
    position = {v: i for i, v in enumerate(visit_ids)}
    rides = [(position[p], position[d]) for p, d in model.pairs if p in position]
    for leg in range(len(visit_ids) - 1):
        slots = [BreakSlot(leg, rule.duration_s)]
        timed = route_timing(model, vehicle_index, visit_ids, slots, fixed)
        if timed is None:
            continue
        times = timed[0]
        score = DURATION_WEIGHT * (times[-1] - times[0]) + sum(
            times[d] - times[p] for p, d in rides
        )
        if best is None or score < best[0]:
            best = (score, slots, timed)
    return None if best is None else (best[1], best[2])


def route_times(model: DayModel, vehicle_index: int, visit_ids: Sequence[int]) -> list[int] | None:
    """Service starts for a vehicle's visits in this order (depot to depot), or None.

    Honours windows (the shift at the depot), travel and service times (one shared boarding
    time at an address, as the model counts it: ``model.transit_s``), ride limits and the
    vehicle's longest route; with a break rule, the route takes no break, so it must be short
    enough to need none.
    """
    timed = route_timing(model, vehicle_index, visit_ids)
    return None if timed is None else timed[0]


def route_timing(
    model: DayModel,
    vehicle_index: int,
    visit_ids: Sequence[int],
    breaks: Sequence[BreakSlot] = (),
    fixed: Mapping[int, int] | None = None,
) -> tuple[list[int], list[int]] | None:
    """``route_times`` with the driver's ``breaks`` on their legs: (visit times, break starts).

    ``fixed``: service starts by visit id that the timing must keep (``fixed_times``).
    """
    shift = model.vehicles[vehicle_index].shift
    fixed = fixed or {}
    windows = [
        (fixed[v], fixed[v])
        if v in fixed
        else (shift.start_s, shift.end_s)
        if model.visits[v].at_depot
        else (model.visits[v].window.start_s, model.visits[v].window.end_s)
        for v in visit_ids
    ]
    legs = [int(model.transit_s[a, b]) for a, b in itertools.pairwise(visit_ids)]
    position = {v: i for i, v in enumerate(visit_ids)}
    rides = []
    for pickup_id, dropoff_id in model.pairs:
        if pickup_id in position:
            pickup = model.visits[pickup_id]
            assert pickup.passenger_id is not None
            limit = model.max_ride_s[pickup.passenger_id] + pickup.service_s
            rides.append(RideLimit(position[pickup_id], position[dropoff_id], limit))
    rule = model.problem.settings.driver_break
    return schedule_route_with_breaks(
        windows,
        legs,
        rides,
        model.vehicles[vehicle_index].max_route_s,
        service_s=[model.visits[v].service_s for v in visit_ids],
        breaks=breaks,
        max_work_s=None if rule is None else rule.max_work_s,
    )


def route_fits(model: DayModel, vehicle_index: int, visit_ids: Sequence[int]) -> bool:
    """Whether the vehicle can drive these visits (between its start and end) in this order.

    Checks pairs, strict vehicle pins, allowed vehicles, seats, wheelchair places, riding
    alone, incompatible pairs and timing, so that only feasible routes reach
    ``ReadAssignmentFromRoutes`` (which searches without a time limit).
    """
    vehicle = model.vehicles[vehicle_index]
    by_id = {p.passenger_id: p for p in model.passengers}
    alone = {pid for pid, p in by_id.items() if p.ride_alone}
    apart = [set(pair) for pair in model.problem.incompatible_pairs]
    seats = wheelchairs = 0
    aboard: set[int] = set()
    riding: set[str] = set()
    pickup_of = {d: p for p, d in model.pairs}
    for visit_id in visit_ids:
        visit = model.visits[visit_id]
        pid = visit.passenger_id or ""
        pin = model.problem.pins.get(pid)
        if pin is not None and pin.is_strict and pin.vehicle_id not in (None, vehicle.vehicle_id):
            return False
        if pid in by_id and not by_id[pid].may_ride(vehicle.vehicle_id):
            return False
        if visit.kind == VisitKind.DROPOFF:
            if pickup_of[visit_id] not in aboard:
                return False
            aboard.discard(pickup_of[visit_id])
            riding.discard(pid)
        else:
            aboard.add(visit_id)
            riding.add(pid)
        seats += visit.seats_delta
        wheelchairs += visit.wheelchair_delta
        if seats > vehicle.seats or wheelchairs > vehicle.wheelchair_places:
            return False
        if len(riding) > 1 and (riding & alone or any(pair <= riding for pair in apart)):
            return False
    if aboard:
        return False
    ends = [model.manager.IndexToNode(model.routing.Start(vehicle_index))]
    last = [model.manager.IndexToNode(model.routing.End(vehicle_index))]
    return route_times(model, vehicle_index, ends + list(visit_ids) + last) is not None


def _stops(sequence: list[tuple[Visit, int]], break_legs: Set[int] = frozenset()) -> list[Stop]:
    """Merge consecutive visits at one address into one stop.

    The stop starts with its first visit's service and ends with its last one's; visits there
    share one boarding time (``solver.model.visit_transits``), so the stop lasts at least the
    longest of theirs, however they are ordered, and any waiting between them stays inside.
    A driver's break (on a leg in ``break_legs``) ends a stop even at one address.
    """
    seats = wheelchairs = 0
    stops: list[Stop] = []
    open_group: list[tuple[Visit, int]] = []

    def close_group() -> None:
        nonlocal seats, wheelchairs
        first_visit, first_time = open_group[0]
        last_visit, last_time = open_group[-1]
        for visit, _ in open_group:
            seats += visit.seats_delta
            wheelchairs += visit.wheelchair_delta
        kind = (
            StopKind.DEPOT
            if first_visit.at_depot
            else StopKind.CENTRE
            if first_visit.centre_id is not None
            else StopKind.HOME
        )
        stops.append(
            Stop(
                kind=kind,
                location=first_visit.location,
                arrival_s=first_time,
                departure_s=last_time + last_visit.service_s,
                pickups=tuple(
                    v.passenger_id
                    for v, _ in open_group
                    if v.kind == VisitKind.PICKUP and v.passenger_id is not None
                ),
                dropoffs=tuple(
                    v.passenger_id
                    for v, _ in open_group
                    if v.kind == VisitKind.DROPOFF and v.passenger_id is not None
                ),
                load_seats=seats,
                load_wheelchair_places=wheelchairs,
                centre_id=first_visit.centre_id,
            )
        )
        open_group.clear()

    for position, (visit, cumul) in enumerate(sequence):
        if open_group:
            previous, _ = open_group[-1]
            if not shares_stop(previous, visit) or position - 1 in break_legs:
                close_group()
        open_group.append((visit, cumul))
    close_group()
    return stops


def ride_times(routes: Iterable[Route]) -> dict[str, int]:
    """Per served passenger: drop-off stop arrival - pickup stop departure, seconds."""
    picked: dict[str, int] = {}
    rides: dict[str, int] = {}
    for route in routes:
        for stop in route.stops:
            for pid in stop.pickups:
                picked[pid] = stop.departure_s
            for pid in stop.dropoffs:
                rides[pid] = stop.arrival_s - picked[pid]
    return rides


def day_kpis(
    problem: DayProblem,
    routes: Sequence[Route],
    unassigned: Sequence[Unassigned],
    matrices: Matrices,
) -> Kpis:
    """Vehicles, distance, vehicle time, cost and ride-time figures of a day-direction."""
    rides = ride_times(routes)
    by_id = {p.passenger_id: p for p in problem.passengers}
    ratios = []
    for pid, ride in rides.items():
        direct = direct_s(problem, by_id[pid], matrices)
        if direct > 0:
            ratios.append(ride / direct)
    return Kpis(
        num_vehicles=len(routes),
        num_passengers=len(rides),
        num_unassigned=len(unassigned),
        distance_m=sum(r.distance_m for r in routes),
        vehicle_s=sum(r.duration_s for r in routes),
        cost=round(sum(r.cost for r in routes), 2),
        mean_ride_s=round(sum(rides.values()) / len(rides), 1) if rides else 0.0,
        max_ride_s=max(rides.values(), default=0),
        mean_ride_ratio=round(sum(ratios) / len(ratios), 3) if ratios else 0.0,
    )


def day_directions(
    days: Sequence[Day] | None = None, directions: Sequence[Direction] | None = None
) -> list[tuple[Day, Direction]]:
    """The (day, direction) pairs to solve, in week order."""
    return [(d, r) for d in (days or DAYS) for r in (directions or DIRECTIONS)]


def split_budget(weights: Sequence[int], total_s: float) -> list[float]:
    """Share ``total_s`` among solves in proportion to ``weights`` (at least 1 s each)."""
    total_weight = sum(max(1, w) for w in weights) or 1
    return [max(MIN_DAY_TIME_LIMIT_S, total_s * max(1, w) / total_weight) for w in weights]


def week_totals(plan: WeekPlan, plans: Sequence[DayResult]) -> dict[str, float]:
    """Week figures; a vehicle's per-day cost counts once per day however many trips it does."""
    tariffs = {v.vehicle_id: v.tariff for v in plan.vehicles}
    used_days = {(d.day, r.vehicle_id) for d in plans for r in d.routes}
    day_cost_counted = sum(
        tariffs[vid].per_vehicle_day for d in plans for r in d.routes for vid in [r.vehicle_id]
    )
    day_cost_once = sum(tariffs[vid].per_vehicle_day for _, vid in used_days)
    num_trips = sum(d.kpis.num_passengers for d in plans)
    all_rides = [ride for d in plans for ride in ride_times(d.routes).values()]
    return {
        "day_directions": len(plans),
        "trips": num_trips,
        "unassigned_trips": sum(d.kpis.num_unassigned for d in plans),
        "peak_vehicles": max((d.kpis.num_vehicles for d in plans), default=0),
        "vehicle_days": len(used_days),
        "km": round(sum(d.kpis.distance_m for d in plans) / 1000.0, 1),
        "vehicle_hours": round(sum(d.kpis.vehicle_s for d in plans) / 3600.0, 2),
        "cost": round(sum(d.kpis.cost for d in plans) - day_cost_counted + day_cost_once, 2),
        "mean_ride_min": round(sum(all_rides) / len(all_rides) / 60.0, 1) if all_rides else 0.0,
        "max_ride_min": round(max(all_rides, default=0) / 60.0, 1),
        "solve_s": round(sum(d.solve_s for d in plans), 2),
    }
