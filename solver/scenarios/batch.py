"""Batch runner: a base week and its scenarios, solved in parallel, priced and compared.

Flow (:func:`run_batch`)::

    base plan + ScenarioBatch
      -> prepare: apply each scenario's changes to a copy of the base (pure), explain them,
         add the naive twin of each attendance-day optimisation (Friday dropped), and merge
         scenarios whose weeks route identically (they differ only in contract-only tariff
         terms: per trip, distance bands, fixed sums) into one solve
      -> roads: snap every location of every scenario once and build ONE pair of matrices
         for their union (the road graph is loaded once, by the caller, from its disk cache)
      -> solve: one task per distinct week on a backend (local processes, or Dask when
         DAGRUTE_DASK_ADDRESS is set), the matrices shipped to each worker once; every
         task solves its week's ten day-directions in one process within the per-scenario
         time limit and runs the independent checker on the result. The base is routed
         first (with the weeks that cannot start from it); a week whose changes all keep
         the base routes feasible (``ChangeKind.base_routes_feasible``: it only removes
         passengers, days or trips, adds vehicles or changes prices) then starts each
         day-direction's search from the base's routes less the removed visits, and keeps
         that start wherever its search came out dearer (:func:`solve_task`)
      -> share days: a weekday that routes alike in several weeks (the same passengers,
         fleet, windows and rules; tariffs may differ) keeps, in each of them, the cheapest
         routes any of those weeks found for it (:func:`share_days`)
      -> price: each scenario's routes priced in the contract's terms (solver.costs), every
         unassigned trip at the fallback fare in the ``priced_*`` figures

"Cheaper" and "dearer" between routings of one weekday mean one thing throughout: the
**priced day cost** (:func:`priced_day_cost`): route cost in the week's own tariffs (each
vehicle-day once) + per-trip and distance-band prices of the trips carried + the fallback
fare for each trip left unassigned.

The guarantee of a week that starts from the base (``starts_from_base``): on every weekday
its routes' priced day cost is at most that of its start, the base's routes for that weekday
less the removed visits, read in the changed week and priced in its tariffs (the start, if
OR-Tools accepts it; a weekday whose start it refuses is searched from scratch and has no
such bound; ``SolvedTask.start_refused``). Summed over the week: its priced weekly cost is
at most the start's. When no change raises a price, the start is no dearer than the base
itself wherever taking visits out of a route does not lengthen it (road travel times obey
the triangle inequality), so such a scenario does not come out dearer than the base; it
carries fewer trips, so per-trip and band prices fall with them.

Backends (:mod:`solver.scenarios.backends`) share one code path: a
``concurrent.futures.Executor`` (in-process for one worker, ``ProcessPoolExecutor`` for more,
``distributed.Client.get_executor()`` for Dask) and a ``share`` step (Dask scatters the
matrices to every worker; local backends pass them along).
A job can pass ``progress`` to follow the batch: ``progress(what, done, total)``.

One module on purpose (about 810 lines): the stages of one batch run (prepare, roads,
solve on a backend, price) share its task and result types.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import as_completed
from dataclasses import dataclass, field, replace
from typing import Any, Protocol, TypeVar

import numpy as np
import numpy.typing as npt

from solver.check import Violation, check_week
from solver.costs import Costing, TripDistances, WeekCosts, figures, price_week
from solver.domain import (
    DAYS,
    Day,
    DayResult,
    LatLon,
    Route,
    Tariff,
    Vehicle,
    WeekPlan,
    WeekResult,
)
from solver.errors import InputError, Issue
from solver.params import SolveParams
from solver.routing.search import read_start
from solver.scenarios.backends import Backend, LocalBackend
from solver.scenarios.changes import (
    ApplyContext,
    CapDays,
    Change,
    OptimiseDays,
    apply_changes_steps,
    starts_from_base,
)
from solver.scenarios.days import estimated_vehicle_trips
from solver.scenarios.explain import explain_all
from solver.scenarios.spec import Scenario, ScenarioBatch
from solver.straight import StraightMatrices, straight_matrices
from solver.validate import plan_places, raise_if_invalid, snap_issues
from solver.week import ProgressFn, solve_week
from solver.week.consistency import Consistency
from solver.week.totals import week_totals

BASE_ID = "base"
NAIVE_SUFFIX = ".naive"
NAIVE_DROP: tuple[Day, ...] = ("fri",)
"""The naive attendance-day choice an optimised one is compared with: drop Friday."""

T = TypeVar("T")


class RoadNetworkLike(Protocol):
    """What the batch needs from ``solver.roads.RoadNetwork``."""

    def snap(self, points: Sequence[LatLon]) -> Any: ...  # noqa: D102

    def matrices(self, points: Sequence[LatLon]) -> Any: ...  # noqa: D102

    def random_node_locations(self, n: int, rng: np.random.Generator) -> list[LatLon]: ...  # noqa: D102


# ---------------------------------------------------------------------------- data types


@dataclass(frozen=True)
class PreparedScenario:
    """A scenario's week, ready to solve.

    ``task_id``: the solve whose routes it uses (shared by scenarios that route alike).
    ``naive_of``: set on the naive twin (Friday dropped) of an optimised scenario.
    ``naive_twin``: on an optimised scenario, the id of the scenario with the naive choice.
    """

    scenario_id: str
    name: str
    plan: WeekPlan
    changes: tuple[Change, ...] = ()
    starts_from_base: bool = False
    """Its week is routed from the base's routes (every change keeps them feasible)."""
    notes: tuple[str, ...] = ()
    description: str = ""
    task_id: str = ""
    naive_of: str | None = None
    naive_twin: str | None = None

    @property
    def is_base(self) -> bool:
        """Whether this is the base week."""
        return self.scenario_id == BASE_ID


@dataclass(frozen=True)
class SolveTask:
    """One distinct week to route within ``time_limit_s`` seconds.

    ``start``: routes to start from (the base week's, for a week whose changes keep them
    feasible); its weekdays are then never dearer than that start, priced with ``costing``.
    """

    task_id: str
    plan: WeekPlan
    time_limit_s: float
    start: WeekResult | None = None
    costing: Costing = field(default_factory=Costing)


@dataclass(frozen=True)
class SolvedTask:
    """A routed week, with the checker's verdict, wall seconds and where it ran."""

    task_id: str
    result: WeekResult
    violations: tuple[Violation, ...]
    wall_s: float
    worker: str
    start_kept: tuple[Day, ...] = ()
    """Weekdays where the search came out dearer than its start, which was kept instead."""
    start_refused: tuple[Day, ...] = ()
    """Weekdays with a start OR-Tools refused in some direction (searched from scratch)."""


class _Snap:
    def __init__(self, distances_m: npt.NDArray[np.float64]) -> None:
        self.distances_m = distances_m


@dataclass(frozen=True)
class SharedRoads:
    """Matrices over the union of every scenario's locations; a network for ``solve_week``.

    Shipped once to each worker. ``snap_m``: each point's distance to its road node.
    """

    matrices: StraightMatrices
    snap_m: Mapping[LatLon, float] = field(default_factory=dict)

    def snap(self, points: Sequence[LatLon]) -> _Snap:
        """Each point's snapping distance in metres (0 where unknown: straight-line)."""
        return _Snap(np.array([self.snap_m.get(p, 0.0) for p in points], dtype=np.float64))

    def matrices_for(self, points: Sequence[LatLon]) -> StraightMatrices:
        """The union matrices (a superset of ``points``: rows are found by location)."""
        return self.matrices


class _SolveNetwork:
    """Adapts :class:`SharedRoads` to ``solver.week.Network``."""

    def __init__(self, roads: SharedRoads) -> None:
        self._roads = roads

    def snap(self, points: Sequence[LatLon]) -> _Snap:
        return self._roads.snap(points)

    def matrices(self, points: Sequence[LatLon]) -> StraightMatrices:
        return self._roads.matrices_for(points)


@dataclass(frozen=True)
class ScenarioOutcome:
    """A scenario solved and priced: routes, checker verdict, costs and flat figures."""

    scenario: PreparedScenario
    result: WeekResult
    violations: tuple[Violation, ...]
    costs: WeekCosts
    figures: Mapping[str, float]
    estimated_trips: Mapping[Day, int]
    solve_wall_s: float
    routes_from: Mapping[Day, str] = field(default_factory=dict)
    """Weekdays whose routes another routing found (see :func:`share_days`): its task id."""
    start_kept: tuple[Day, ...] = ()
    """Weekdays whose routes are the base-derived start (the search came out dearer)."""


@dataclass(frozen=True)
class BatchResult:
    """Every scenario of a batch, the base first, with how the batch ran."""

    name: str
    base_name: str
    outcomes: tuple[ScenarioOutcome, ...]
    costing: Costing
    time_limit_s: float
    backend: str
    workers: int
    num_solves: int
    prepare_s: float
    wall_s: float
    source: Mapping[str, Any] | None = None

    @property
    def base(self) -> ScenarioOutcome:
        """The base week's outcome."""
        return self.outcomes[0]

    def outcome(self, scenario_id: str) -> ScenarioOutcome:
        """The outcome of ``scenario_id`` (KeyError if none)."""
        for outcome in self.outcomes:
            if outcome.scenario.scenario_id == scenario_id:
                return outcome
        raise KeyError(scenario_id)


# ---------------------------------------------------------------------------- preparing


def _routing_key(plan: WeekPlan) -> WeekPlan:
    """The plan as the routing model sees it: contract-only tariff terms and name dropped."""
    return plan.replace(
        name="",
        vehicles=tuple(
            replace(v, tariff=Tariff(v.tariff.per_km, v.tariff.per_hour, v.tariff.per_vehicle_day))
            for v in plan.vehicles
        ),
    )


def _is_optimised(change: Change) -> bool:
    return isinstance(change, OptimiseDays) or (
        isinstance(change, CapDays) and change.drop == "optimise"
    )


def naive_changes(changes: Sequence[Change]) -> tuple[Change, ...]:
    """``changes`` with every optimised day choice made naively (drop Friday, keep days)."""
    out: list[Change] = []
    for change in changes:
        if isinstance(change, CapDays) and change.drop == "optimise":
            out.append(replace(change, drop=NAIVE_DROP))
        elif not isinstance(change, OptimiseDays):
            out.append(change)
    return tuple(out)


def context_for(network: RoadNetworkLike | None) -> ApplyContext:
    """Road travel times and node locations from ``network`` for the changes that need them."""
    if network is None:
        return ApplyContext()

    def travel(
        origins: Sequence[LatLon], destinations: Sequence[LatLon]
    ) -> npt.NDArray[np.float64]:
        points = list(dict.fromkeys([*origins, *destinations]))
        matrices = network.matrices(points)
        rows = [matrices.index_of(p) for p in origins]
        columns = [matrices.index_of(p) for p in destinations]
        block: npt.NDArray[np.float64] = np.asarray(matrices.durations_s, dtype=np.float64)[
            np.ix_(rows, columns)
        ]
        return block

    return ApplyContext(travel=travel, locations=network)


def prepare_scenarios(
    base: WeekPlan, batch: ScenarioBatch, context: ApplyContext
) -> list[PreparedScenario]:
    """The base and every scenario (plus naive twins) as weeks, before any solving.

    Raises :class:`~solver.errors.InputError` for an invalid base, or listing every
    scenario with a change that cannot be applied or a week that is not valid (each issue
    naming its scenario).
    """
    raise_if_invalid(base, source="base plan")
    prepared = [PreparedScenario(BASE_ID, batch.base_name, base.replace(name=batch.base_name))]
    issues: list[Issue] = []
    for index, scenario in enumerate(batch.scenarios):
        try:
            prepared.extend(_prepare_one(base, scenario, index, context))
        except InputError as error:
            issues.extend(error.issues)
    if issues:
        raise InputError(issues)
    return _merge_twins(prepared)


def reserved_id_issue(scenario: Scenario, path: str) -> Issue | None:
    """``SCENARIO_DUPLICATE_ID`` if the scenario at ``path`` takes the base week's id."""
    if scenario.scenario_id != BASE_ID:
        return None
    return Issue(
        "SCENARIO_DUPLICATE_ID",
        f"Scenario id {BASE_ID} is kept for the base week.",
        "Rename the scenario.",
        path=f"{path}.id",
        id=BASE_ID,
    )


def _prepare_one(
    base: WeekPlan, scenario: Scenario, index: int, context: ApplyContext
) -> list[PreparedScenario]:
    path = f"scenarios[{index}]"
    reserved = reserved_id_issue(scenario, path)
    if reserved is not None:
        raise InputError([reserved])
    steps = apply_changes_steps(
        base, scenario.changes, context, scenario_id=scenario.scenario_id, path=path
    )
    main = PreparedScenario(
        scenario_id=scenario.scenario_id,
        name=scenario.name,
        plan=steps[-1].replace(name=scenario.name),
        changes=scenario.changes,
        starts_from_base=_can_start_from_base(base, scenario.changes),
        notes=tuple(explain_all(steps, scenario.changes)),
        description=scenario.description,
    )
    if not any(_is_optimised(c) for c in scenario.changes):
        return [main]
    twin_changes = naive_changes(scenario.changes)
    twin_id = scenario.scenario_id + NAIVE_SUFFIX
    twin_steps = apply_changes_steps(base, twin_changes, context, scenario_id=twin_id, path=path)
    twin_name = f"{scenario.name} (naive: drop Friday)"
    twin = PreparedScenario(
        scenario_id=twin_id,
        name=twin_name,
        plan=twin_steps[-1].replace(name=twin_name),
        changes=twin_changes,
        starts_from_base=_can_start_from_base(base, twin_changes),
        notes=tuple(explain_all(twin_steps, twin_changes)),
        description=f"The naive attendance-day choice of scenario {scenario.scenario_id}, "
        "for comparison.",
        naive_of=scenario.scenario_id,
    )
    return [replace(main, naive_twin=twin_id), twin]


def _can_start_from_base(base: WeekPlan, changes: Sequence[Change]) -> bool:
    """Whether a week of ``changes`` starts from the base's routes.

    Every change must keep them feasible, and the base must not be held to consistency
    (pinned days start from their templates).
    """
    return starts_from_base(changes) and (Consistency(base.settings.consistency) is Consistency.OFF)


def _merge_twins(prepared: list[PreparedScenario]) -> list[PreparedScenario]:
    """Drop a naive twin that is exactly an explicit scenario; point its original there."""
    explicit = [p for p in prepared if p.naive_of is None]
    out: list[PreparedScenario] = []
    renamed: dict[str, str] = {}
    for p in prepared:
        if p.naive_of is not None:
            same = next(
                (e for e in explicit if e.plan.replace(name="") == p.plan.replace(name="")),
                None,
            )
            if same is not None:
                renamed[p.scenario_id] = same.scenario_id
                continue
        out.append(p)
    return [
        replace(p, naive_twin=renamed.get(p.naive_twin, p.naive_twin)) if p.naive_twin else p
        for p in out
    ]


def plan_tasks(
    prepared: Sequence[PreparedScenario], time_limit_s: float
) -> tuple[list[PreparedScenario], list[SolveTask]]:
    """One solve per distinct routing week; each scenario learns its ``task_id``.

    A task whose first scenario starts from the base gets its ``start`` later, once the base
    is routed (:func:`run_batch`).
    """
    keys: list[tuple[WeekPlan, str]] = []
    tasks: list[SolveTask] = []
    out: list[PreparedScenario] = []
    for p in prepared:
        key = _routing_key(p.plan)
        task_id = next((tid for k, tid in keys if k == key), None)
        if task_id is None:
            task_id = p.scenario_id
            keys.append((key, task_id))
            tasks.append(SolveTask(task_id, p.plan, time_limit_s))
        out.append(replace(p, task_id=task_id))
    return out, tasks


def build_shared_roads(plans: Sequence[WeekPlan], network: RoadNetworkLike | None) -> SharedRoads:
    """Snap every location of ``plans`` once and build one pair of matrices for their union.

    Raises :class:`~solver.errors.InputError` ``INPUT_OFF_ROAD`` for places too far from the
    roads (named, with the scenario). Without a network: straight-line matrices.
    """
    points = list(dict.fromkeys(place.location for plan in plans for place in plan_places(plan)))
    if network is None:
        return SharedRoads(straight_matrices(points))
    snapped = network.snap(points)
    snap_m = {p: float(d) for p, d in zip(points, snapped.distances_m, strict=True)}
    issues: list[Issue] = []
    checked: set[LatLon] = set()
    for plan in plans:
        fresh = [place for place in plan_places(plan) if place.location not in checked]
        checked.update(place.location for place in fresh)
        found = snap_issues(
            [(place, snap_m[place.location]) for place in fresh], plan.settings.roads.snap_limit_m
        )
        issues.extend(replace(i, message=f"{plan.name}: {i.message}") for i in found)
    if issues:
        raise InputError(issues)
    matrices = network.matrices(points)
    return SharedRoads(
        StraightMatrices(
            tuple(points),
            np.asarray(matrices.durations_s, dtype=np.int64),
            np.asarray(matrices.distances_m, dtype=np.int64),
        ),
        snap_m,
    )


# ----------------------------------------------------------------------------- solving


def solve_task(roads: SharedRoads, task: SolveTask) -> SolvedTask:
    """Route one week on the shared matrices within its time limit, then check it.

    Runs wherever the backend puts it (a local process or a Dask worker): module-level and
    picklable, day-directions solved one after another in this process.
    """
    params = SolveParams.from_settings(
        task.plan.settings, time_limit_s=task.time_limit_s, workers=1
    )
    deadline = params.deadline()
    plan = task.plan
    network = _SolveNetwork(roads)
    kept: tuple[Day, ...] = ()
    refused: tuple[Day, ...] = ()
    if task.start is None:
        result, matrices = solve_week(plan, network, params=params, deadline=deadline)
    else:
        # The start is read inside the week's time limit, before the searches share the rest.
        starts = _read_starts(plan, task.start, roads.matrices, params.seed)
        result, matrices = solve_week(
            plan, network, params=params, deadline=deadline, start=task.start
        )
        result, kept, refused = keep_cheaper_start(
            plan, result, starts, roads.matrices, task.costing
        )
    violations = check_week(plan, result, matrices)
    return SolvedTask(
        task.task_id,
        result,
        tuple(violations),
        deadline.elapsed_s(),
        f"{socket.gethostname()}:{os.getpid()}",
        kept,
        refused,
    )


def _read_starts(
    plan: WeekPlan, start: WeekResult, matrices: StraightMatrices, seed: int
) -> dict[tuple[Day, str], DayResult | None]:
    """Per (weekday, direction) of ``plan``: ``start``'s routes read in it (None: refused)."""
    by_pair = {(d.day, str(d.direction)): d for d in start.plans}
    out: dict[tuple[Day, str], DayResult | None] = {}
    for (day, direction), day_start in by_pair.items():
        problem = plan.day_problem(day, day_start.direction)
        out[(day, direction)] = read_start(problem, matrices, day_start, seed)
    return out


def keep_cheaper_start(
    plan: WeekPlan,
    result: WeekResult,
    starts: Mapping[tuple[Day, str], DayResult | None],
    distances: TripDistances,
    costing: Costing,
) -> tuple[WeekResult, tuple[Day, ...], tuple[Day, ...]]:
    """``result`` with each weekday no dearer than its start: (week, days kept, days refused).

    Per weekday, both directions together (vehicle-days are paid per day, and a passenger's
    vehicle both ways stays one routing): where the searched routes' :func:`priced_day_cost`
    exceeds the start's, the start's routes replace them. A weekday whose start was refused
    in some direction (None) keeps its searched routes. Ties keep the search's routes.
    """
    vehicles = {v.vehicle_id: v for v in plan.vehicles}
    plans: list[DayResult] = []
    kept: list[Day] = []
    refused: list[Day] = []
    for day in DAYS:
        searched = [d for d in result.plans if d.day == day]
        day_starts = [starts.get((d.day, str(d.direction))) for d in searched]
        if not searched or any(s is None for s in day_starts):
            if any(s is None for s in day_starts):
                refused.append(day)
            plans.extend(searched)
            continue
        start_plans = [s for s in day_starts if s is not None]
        searched_cost = priced_day_cost(plan, _priced_day(searched, vehicles), distances, costing)
        start_cost = priced_day_cost(plan, _priced_day(start_plans, vehicles), distances, costing)
        if searched_cost > start_cost + PRICE_TOLERANCE:
            plans.extend(start_plans)
            kept.append(day)
        else:
            plans.extend(searched)
    week = WeekResult(
        plans=tuple(plans),
        name=plan.name,
        totals=week_totals(plan, plans),
        not_planned=result.not_planned,
    )
    return week, tuple(kept), tuple(refused)


PRICE_TOLERANCE = 0.005
"""NOK: priced day costs closer than this (rounding to öre) are equal."""


def priced_day_cost(
    plan: WeekPlan, day_plans: Sequence[DayResult], distances: TripDistances, costing: Costing
) -> float:
    """NOK for ``day_plans`` (a weekday's day-directions of ``plan``), unserved trips priced.

    Route cost in the plan's tariffs (each vehicle-day once) + per-trip and distance-band
    prices of the trips carried + ``costing.fallback_fare`` per unassigned trip: the week's
    ``priced_weekly_cost`` less the fixed weekly sums, for this weekday alone.
    """
    costs = price_week(plan, WeekResult(plans=tuple(day_plans)), distances)
    return costs.priced_weekly_cost(costing) - costs.total("fixed_week_cost")


def _run_tasks(
    backend: Backend,
    shared: SharedRoads,
    tasks: Sequence[SolveTask],
    progress: ProgressFn | None,
    names: Mapping[str, str],
    done_before: int = 0,
    total: int | None = None,
) -> Iterator[SolvedTask]:
    if not tasks:
        return
    executor = backend.executor()
    total = total if total is not None else done_before + len(tasks)
    futures = {executor.submit(solve_task, shared, task): task for task in tasks}
    for done, future in enumerate(as_completed(futures), start=done_before + 1):
        solved = future.result()
        if progress is not None:
            progress(names.get(solved.task_id, solved.task_id), done, total)
        yield solved


def run_batch(
    base: WeekPlan,
    batch: ScenarioBatch,
    *,
    network: RoadNetworkLike | None = None,
    context: ApplyContext | None = None,
    backend: Backend | None = None,
    time_limit_s: float | None = None,
    progress: ProgressFn | None = None,
) -> BatchResult:
    """Solve the base week and every scenario of ``batch``; price and compare them.

    ``network``: the loaded road network (matrices, nearest centres by road, growth's new
    homes); without it, straight-line matrices (tests) and ``context`` for growth.
    ``backend``: where weeks are solved (default: local processes, one per core up to 4).
    ``time_limit_s``: seconds per scenario week (default: the batch's, else the plan's).
    ``progress(what, done, total)`` is called as each week is solved (``done`` 0: prepared).
    Raises :class:`~solver.errors.InputError` before solving anything if a scenario is bad.
    """
    started = time.perf_counter()
    limit = time_limit_s or batch.time_limit_s or base.settings.time_limit_s
    prepared = prepare_scenarios(base, batch, context or context_for(network))
    prepared, tasks = plan_tasks(prepared, limit)
    roads = build_shared_roads([t.plan for t in tasks], network)
    prepare_s = time.perf_counter() - started
    names = {p.task_id: p.name for p in reversed(prepared)}
    if progress is not None:
        progress("scenarios prepared", 0, len(tasks))
    own_backend = backend is None
    backend = backend or LocalBackend()
    warm = {p.task_id for p in prepared if p.starts_from_base and p.scenario_id == p.task_id}
    tasks = [replace(t, costing=batch.costing) for t in tasks]
    first = [t for t in tasks if t.task_id not in warm]
    try:
        # The base (with the weeks that cannot start from it) first, then the weeks that
        # start from its routes.
        shared = backend.share(roads)
        solved = {
            s.task_id: s
            for s in _run_tasks(backend, shared, first, progress, names, total=len(tasks))
        }
        start = solved[BASE_ID].result
        then = [replace(t, start=start) for t in tasks if t.task_id in warm]
        solved.update(
            (s.task_id, s)
            for s in _run_tasks(backend, shared, then, progress, names, done_before=len(first))
        )
        workers = backend.workers
    finally:
        if own_backend:
            backend.close()
    weeks = share_days(prepared, tasks, solved, roads.matrices, batch.costing)
    outcomes = [_outcome(p, weeks[p.scenario_id], roads, batch.costing) for p in prepared]
    return BatchResult(
        name=batch.name,
        base_name=batch.base_name,
        outcomes=tuple(outcomes),
        costing=batch.costing,
        time_limit_s=limit,
        backend=backend.name,
        workers=workers,
        num_solves=len(tasks),
        prepare_s=prepare_s,
        wall_s=time.perf_counter() - started,
        source=batch.source,
    )


def _outcome(
    scenario: PreparedScenario, week: SharedWeek, roads: SharedRoads, costing: Costing
) -> ScenarioOutcome:
    result = replace(week.result, name=scenario.name)
    costs = price_week(scenario.plan, result, roads.matrices)
    return ScenarioOutcome(
        scenario=scenario,
        result=result,
        violations=week.violations,
        costs=costs,
        figures=figures(costs, costing),
        estimated_trips=estimated_vehicle_trips(scenario.plan),
        solve_wall_s=week.wall_s,
        routes_from=week.routes_from,
        start_kept=week.start_kept,
    )


# ------------------------------------------------------------------------- sharing days


@dataclass(frozen=True)
class SharedWeek:
    """A scenario's week after :func:`share_days`: routes, checker verdict, their sources."""

    result: WeekResult
    violations: tuple[Violation, ...]
    wall_s: float
    routes_from: Mapping[Day, str] = field(default_factory=dict)
    start_kept: tuple[Day, ...] = ()


_NO_TARIFF = Tariff()


def day_routing_key(plan: WeekPlan, day: Day) -> tuple[object, ...]:
    """Everything routing ``day`` of ``plan`` (both directions) depends on, tariffs aside.

    Two weeks with equal keys for a weekday have the same routing problem that day but for
    prices: the routes found for one are valid for the other. Passengers, vehicles and
    centres are cut to that weekday (other weekdays, birth years and names do not matter).
    """
    centres = tuple(
        replace(c, name="", hours={day: c.hours[day]} if day in c.hours else {})
        for c in plan.centres
    )
    passengers = tuple(
        replace(
            p,
            days=frozenset({day}),
            home_exceptions={d: loc for d, loc in p.home_exceptions.items() if d == day},
            birth_year=None,
        )
        for p in plan.passengers
        if day in p.days
    )
    vehicles = tuple(
        replace(v, days=frozenset({day}), tariff=_NO_TARIFF) for v in plan.vehicles if day in v.days
    )
    settings = replace(plan.settings, time_limit_s=1.0)
    return (day, centres, passengers, vehicles, settings, plan.incompatible_pairs)


def priced_route(route: Route, tariff: Tariff) -> Route:
    """``route`` with its cost in ``tariff`` (per vehicle-day + per km + per hour)."""
    return replace(route, cost=round(tariff.route_cost(route.distance_m, route.duration_s), 2))


def _priced_day(plans: Sequence[DayResult], vehicles: Mapping[str, Vehicle]) -> list[DayResult]:
    out = []
    for d in plans:
        routes = tuple(priced_route(r, vehicles[r.vehicle_id].tariff) for r in d.routes)
        kpis = replace(d.kpis, cost=round(sum(r.cost for r in routes), 2))
        out.append(replace(d, routes=routes, kpis=kpis))
    return out


def share_days(
    prepared: Sequence[PreparedScenario],
    tasks: Sequence[SolveTask],
    solved: Mapping[str, SolvedTask],
    distances: TripDistances,
    costing: Costing,
) -> dict[str, SharedWeek]:
    """Each scenario's week, each weekday routed as well as any routing of the batch did.

    Every distinct week is routed on its own within a time limit, so two weeks that share a
    weekday's routing problem (:func:`day_routing_key`: e.g. Monday-Thursday when only
    Friday changes, or every day when only prices change) would otherwise get different
    routes for it from the heuristic search: noise, even a price rise showing as a saving.
    Here each scenario takes, per weekday (both directions together, as vehicle-days are
    paid per day), the routes with the lowest :func:`priced_day_cost` in its own tariffs
    (unassigned trips at ``costing.fallback_fare``), among the routings whose key for that
    day equals its own; its own routes on a tie (so a weekday kept no dearer than its start
    stays so). The routes, with their checker verdict, carry over unchanged (the
    checker does not depend on prices); costs are recomputed in the scenario's tariffs.
    Weeks held to consistency across days (``settings.consistency``) keep their own routes.
    """
    keys: dict[tuple[str, Day], tuple[object, ...]] = {
        (task.task_id, day): day_routing_key(task.plan, day) for task in tasks for day in DAYS
    }
    out: dict[str, SharedWeek] = {}
    for scenario in prepared:
        own = solved[scenario.task_id]
        plan = scenario.plan
        vehicles = {v.vehicle_id: v for v in plan.vehicles}
        if Consistency(plan.settings.consistency) is not Consistency.OFF:
            out[scenario.scenario_id] = SharedWeek(
                own.result, own.violations, own.wall_s, start_kept=own.start_kept
            )
            continue
        plans: list[DayResult] = []
        violations: list[Violation] = []
        routes_from: dict[Day, str] = {}
        for day in DAYS:
            key = keys[(scenario.task_id, day)]
            candidates = [own] + [
                solved[task.task_id]
                for task in tasks
                if task.task_id != scenario.task_id
                and Consistency(task.plan.settings.consistency) is Consistency.OFF
                and keys[(task.task_id, day)] == key
            ]
            best: tuple[float, SolvedTask, list[DayResult]] | None = None
            for candidate in candidates:
                day_plans = _priced_day(
                    [d for d in candidate.result.plans if d.day == day], vehicles
                )
                score = priced_day_cost(plan, day_plans, distances, costing)
                if best is None or score < best[0] - PRICE_TOLERANCE:
                    best = (score, candidate, day_plans)
            assert best is not None
            _, source, day_plans = best
            plans.extend(day_plans)
            violations.extend(v for v in source.violations if v.day == day)
            if source is not own:
                routes_from[day] = source.task_id
        violations.extend(v for v in own.violations if v.day not in DAYS)
        result = WeekResult(
            plans=tuple(plans),
            name=plan.name,
            totals=week_totals(plan, plans),
            not_planned=own.result.not_planned,
        )
        kept = tuple(day for day in own.start_kept if day not in routes_from)
        out[scenario.scenario_id] = SharedWeek(
            result, tuple(violations), own.wall_s, routes_from, kept
        )
    return out
