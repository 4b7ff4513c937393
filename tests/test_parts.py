"""A day's routes improved a few neighbouring routes at a time (``solver.routing.parts``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pytest

import solver.routing.search as search
from solver.check import check_day
from solver.domain import DayProblem, DayResult, Direction, Pin, Route
from solver.routing.parts import (
    MIN_DAY_ROUTES,
    PartTask,
    SolvePart,
    can_improve_by_parts,
    improve_by_parts,
    one_at_a_time,
    route_passengers,
)
from solver.routing.search import NO_KPIS, SearchParams, solve_day, solve_day_racing
from solver.straight import StraightMatrices
from tests.conftest import hm, home, make_plan, passenger, plan_matrices, vehicle

NUM_PAIRS = MIN_DAY_ROUTES
"""Vehicles, and passengers on each side of the centre: enough routes for parts."""


def _two_clusters() -> tuple[DayProblem, StraightMatrices]:
    """``NUM_PAIRS`` passengers north of the centre and as many south, as many vehicles."""
    north = [passenger(f"N{i}", home(0.03 + 0.001 * i, 0.002 * i)) for i in range(NUM_PAIRS)]
    south = [passenger(f"S{i}", home(-0.03 - 0.001 * i, 0.002 * i)) for i in range(NUM_PAIRS)]
    plan = make_plan(north + south, [vehicle(f"V{i}") for i in range(NUM_PAIRS)])
    return plan.day_problem("mon", Direction.TO_CENTRE), plan_matrices(plan)


def _mixed_routes(problem: DayProblem, matrices: StraightMatrices) -> tuple[Route, ...]:
    """Every vehicle made to carry one northern and one southern passenger: a poor start."""
    forced = tuple(
        replace(p, allowed_vehicles=frozenset({f"V{int(p.passenger_id[1:])}"}))
        for p in problem.passengers
    )
    found = solve_day(
        replace(problem, passengers=forced),
        matrices,
        SearchParams(time_limit_s=2, seed=1, by_parts=False),
    )
    assert not found.unassigned
    return found.routes


def _part_solver(matrices: StraightMatrices, max_solutions: int | None = None) -> SolvePart:
    """Parts solved as ``solve_day`` solves them, by the clock or by a work limit."""

    def solve_part(
        part: DayProblem, start: tuple[Route, ...], seed: int, limit_s: float
    ) -> DayResult:
        warm = DayResult(part.day, part.direction, start, (), NO_KPIS)
        params = SearchParams(
            time_limit_s=limit_s if max_solutions is None else 30,
            seed=seed,
            by_parts=False,
            max_solutions=max_solutions,
        )
        return solve_day(part, matrices, params, warm_start=warm)

    return solve_part


def _served(routes: tuple[Route, ...]) -> set[str]:
    return {pid for route in routes for pid in route_passengers(route)}


def test_parts_regroup_routes_that_mix_distant_passengers_and_every_rule_still_holds() -> None:
    problem, matrices = _two_clusters()
    start = _mixed_routes(problem, matrices)
    assert len([r for r in start if route_passengers(r)]) == NUM_PAIRS
    improved, report = improve_by_parts(
        problem, start, one_at_a_time(_part_solver(matrices)), seed=1, ends_at=None, max_rounds=12
    )
    # Binds: the mixed routes give way to fewer, cheaper ones...
    assert report.num_kept >= 1
    assert sum(r.cost for r in improved) < sum(r.cost for r in start) - 100
    assert len([r for r in improved if route_passengers(r)]) < NUM_PAIRS
    # ...and holds: the same passengers, every rule kept (the checker on the whole day).
    assert _served(improved) == _served(start) == {p.passenger_id for p in problem.passengers}
    result = DayResult(problem.day, problem.direction, improved, (), NO_KPIS)
    assert check_day(problem, result, matrices) == []


def test_parts_under_a_work_limit_give_the_same_routes_every_time() -> None:
    problem, matrices = _two_clusters()
    start = _mixed_routes(problem, matrices)
    runs = [
        improve_by_parts(
            problem,
            start,
            one_at_a_time(_part_solver(matrices, max_solutions=20)),
            3,
            None,
            max_rounds=6,
        )[0]
        for _ in range(2)
    ]
    assert runs[0] == runs[1]


def test_a_part_that_serves_fewer_or_costs_more_is_not_kept() -> None:
    problem, matrices = _two_clusters()
    start = _mixed_routes(problem, matrices)

    def worse(part: DayProblem, routes: tuple[Route, ...], seed: int, limit_s: float) -> DayResult:
        # No routes and nobody said to be left out: cheaper, but it serves nobody.
        return DayResult(part.day, part.direction, (), (), NO_KPIS)

    improved, report = improve_by_parts(problem, start, one_at_a_time(worse), 1, None, max_rounds=4)
    assert report.num_kept == 0
    assert improved == start


def test_a_day_of_few_routes_is_left_to_the_whole_day_search() -> None:
    problem, matrices = _two_clusters()
    start = _mixed_routes(problem, matrices)[: MIN_DAY_ROUTES - 1]
    calls: list[DayProblem] = []

    def record(part: DayProblem, routes: tuple[Route, ...], seed: int, limit_s: float) -> DayResult:
        calls.append(part)
        return DayResult(part.day, part.direction, routes, (), NO_KPIS)

    improved, report = improve_by_parts(
        problem, start, one_at_a_time(record), 1, None, max_rounds=4
    )
    assert (calls, report.num_searched, improved) == ([], 0, start)


def test_only_days_whose_rules_hold_within_routes_are_improved_by_parts() -> None:
    problem, _ = _two_clusters()
    assert can_improve_by_parts(problem, breaks=False, entrance_limited=False)
    # A centre's entrance limit and drivers' breaks bind across a route or need OR-Tools to
    # place them again: no parts.
    assert not can_improve_by_parts(problem, breaks=False, entrance_limited=True)
    assert not can_improve_by_parts(problem, breaks=True, entrance_limited=False)
    # A soft pin cannot be handed to OR-Tools as a start.
    soft = replace(problem, pins={"N0": Pin("V0", hm(8), 600, is_strict=False)})
    assert not can_improve_by_parts(soft, breaks=False, entrance_limited=False)
    hard = replace(problem, pins={"N0": Pin("V0", hm(8), 600, is_strict=True)})
    assert can_improve_by_parts(hard, breaks=False, entrance_limited=False)


def test_a_day_solved_by_parts_passes_the_checker_and_is_repeatable_under_a_work_limit() -> None:
    problem, matrices = _two_clusters()
    params = SearchParams(time_limit_s=30, seed=2, max_solutions=30)
    first = solve_day(problem, matrices, params)
    again = solve_day(problem, matrices, params)
    assert first.routes == again.routes
    assert not first.unassigned
    assert check_day(problem, first, matrices) == []


def test_parts_chosen_two_at_a_time_share_no_route_and_keep_every_rule() -> None:
    problem, matrices = _two_clusters()
    start = _mixed_routes(problem, matrices)
    batches: list[list[DayProblem]] = []
    solve_part = _part_solver(matrices, max_solutions=20)

    def solve_parts(tasks: Sequence[PartTask]) -> list[DayResult]:
        batches.append([task[0] for task in tasks])
        return [solve_part(*task) for task in tasks]

    improved, report = improve_by_parts(
        problem, start, solve_parts, 1, None, max_rounds=12, width=2
    )
    # Binds: parts went two at a time...
    assert any(len(batch) == 2 for batch in batches)
    for batch in batches:
        vehicles = [v.vehicle_id for part in batch for v in part.vehicles]
        # ...and holds: never two parts on one route.
        assert len(vehicles) == len(set(vehicles))
    assert report.num_searched == sum(len(b) for b in batches) <= 12
    assert sum(r.cost for r in improved) < sum(r.cost for r in start) - 100
    assert _served(improved) == {p.passenger_id for p in problem.passengers}
    result = DayResult(problem.day, problem.direction, improved, (), NO_KPIS)
    assert check_day(problem, result, matrices) == []
    again = improve_by_parts(problem, start, solve_parts, 1, None, max_rounds=12, width=2)
    assert again[0] == improved


def test_a_lone_day_on_two_cores_solves_parts_two_at_a_time_and_repeats_under_a_work_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    problem, matrices = _two_clusters()
    monkeypatch.setattr(search, "PARALLEL_PARTS_PASSENGERS", len(problem.passengers))
    widths: list[int] = []
    improve = search.improve_by_parts  # type: ignore[attr-defined]

    def recording(*args: object, **kwargs: object) -> object:
        widths.append(int(kwargs["width"]))  # type: ignore[call-overload]
        return improve(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(search, "improve_by_parts", recording)
    params = SearchParams(time_limit_s=30, seed=2, max_solutions=40)
    first = solve_day_racing(problem, matrices, params, arms=2)
    again = solve_day_racing(problem, matrices, params, arms=2)
    # Binds: parts went two at a time (the other core solving one of each pair)...
    assert widths == [2, 2]
    # ...and holds: the same routes both times, everyone served, every rule kept.
    assert first.routes == again.routes
    assert not first.unassigned
    assert check_day(problem, first, matrices) == []
    # A day too small for parts is raced as before.
    monkeypatch.setattr(search, "PARALLEL_PARTS_PASSENGERS", len(problem.passengers) + 1)
    assert not search.parts_in_parallel(problem, params)
