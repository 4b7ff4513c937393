"""The week planner's contract for its callers: each day-direction handed out once, when final,
and a resumed week that keeps what was planned and stays consistent with it."""

from __future__ import annotations

from dataclasses import replace

from solver.check import check_week
from solver.domain import DayResult, Direction, WeekResult
from solver.week import solve_week, week_result
from solver.week.consistency import measure
from tests.conftest import StraightNetwork
from tests.test_consistency import week_of


def test_every_planned_day_direction_is_handed_out_once_as_it_comes_back() -> None:
    plan = week_of("off")
    plan = plan.replace(settings=replace(plan.settings, time_limit_s=6))
    handed: list[DayResult] = []
    result, matrices = solve_week(
        plan,
        StraightNetwork(),
        days=["mon", "tue"],
        workers=1,
        on_solved=lambda day, _matrices: handed.append(day),
    )
    keys = [(r.day, r.direction) for r in handed]
    assert len(keys) == len(set(keys)) == 4
    assert sorted(keys) == sorted((r.day, r.direction) for r in result.plans)
    assert {(r.day, r.direction): r for r in handed} == {
        (r.day, r.direction): r for r in result.plans
    }
    assert check_week(plan, result, matrices) == []


def test_a_resumed_strict_week_keeps_the_stored_days_and_plans_the_rest_consistently() -> None:
    plan = week_of("strict")
    network = StraightNetwork()
    whole, matrices = solve_week(plan, network, workers=1)
    stored = WeekResult(
        plans=tuple(r for r in whole.plans if r.day in ("mon", "tue")), name=plan.name
    )
    planned: list[DayResult] = []
    resumed, _ = solve_week(
        plan,
        network,
        workers=1,
        kept=stored,
        on_solved=lambda day, _matrices: planned.append(day),
    )
    # Only the missing day-directions are planned; the stored ones come back unchanged.
    assert {r.day for r in planned} == {"wed", "thu", "fri"}
    by_key = {(r.day, r.direction): r for r in resumed.plans}
    for day_result in stored.plans:
        assert by_key[(day_result.day, day_result.direction)] == day_result
    assert check_week(plan, resumed, matrices) == []
    assert resumed.totals["unassigned_trips"] == 0
    # The stored days are the templates: the resumed week is as consistent as a whole one.
    report = measure(resumed, plan=plan)
    assert report.share_single_vehicle >= measure(whole, plan=plan).share_single_vehicle - 0.05
    assert resumed.totals["consistency_share_single_vehicle"] == round(
        report.share_single_vehicle, 4
    )


def test_a_week_with_every_day_direction_kept_is_not_planned_again() -> None:
    plan = week_of("off")
    network = StraightNetwork()
    whole, _ = solve_week(plan, network, days=["mon"], directions=[Direction.TO_CENTRE], workers=1)
    called: list[DayResult] = []
    again, _ = solve_week(
        plan,
        network,
        days=["mon"],
        directions=[Direction.TO_CENTRE],
        kept=whole,
        on_solved=lambda day, _matrices: called.append(day),
    )
    assert called == [] and again.plans == whole.plans
    assert again == week_result(plan, whole.plans)


def test_a_work_limit_reaches_every_search_so_the_same_week_comes_back() -> None:
    """SolveParams.max_solutions ends each search before its (generous) clock: two runs of
    the same plan, seed and work limit give the same routes."""
    from solver.params import SolveParams

    plan = week_of("strict")
    params = SolveParams(time_limit_s=60, seed=3, workers=1, max_solutions=40)
    first, matrices = solve_week(plan, StraightNetwork(), days=["mon", "tue"], params=params)
    second, _ = solve_week(plan, StraightNetwork(), days=["mon", "tue"], params=params)
    assert [r.routes for r in first.plans] == [r.routes for r in second.plans]
    assert check_week(plan, first, matrices) == []
