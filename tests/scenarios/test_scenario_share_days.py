"""Weekdays that route alike in several scenario weeks share their best routes (share_days).

Found on the Bergen batch: Wednesday of "5 -> 4 days, drop Friday" is Wednesday of the base
week, yet its own search left 33 trips unassigned where the base's served everyone; and a
contractor price rise showed as a saving because its search happened to find shorter routes
than the base's. Routes here are real solves on straight-line matrices: with part of the
fleet they are valid, if worse, routes for the whole fleet.
"""

from __future__ import annotations

from dataclasses import replace

from solver.check import check_week
from solver.costs import Costing, figures, price_week
from solver.domain import DAYS, Day, DayResult, WeekPlan, WeekResult
from solver.scenarios.batch import PreparedScenario, SolvedTask, SolveTask, share_days
from solver.scenarios.changes import (
    CapDays,
    ChangeTariff,
    PassengerSelector,
    VehicleSelector,
    apply_change,
)
from tests.conftest import plan_matrices
from tests.scenarios.tiny import WEEK_SECONDS, monday_week, routed, tiny_week


def scenario(scenario_id: str, plan: WeekPlan) -> PreparedScenario:
    return PreparedScenario(scenario_id, scenario_id, plan, task_id=scenario_id)


def solved(task_id: str, result: WeekResult) -> SolvedTask:
    return SolvedTask(task_id, result, (), 1.0, "here")


def day_plans(result: WeekResult, day: Day) -> list[DayResult]:
    return [d for d in result.plans if d.day == day]


def test_each_week_takes_the_routes_cheapest_in_its_own_tariffs() -> None:
    """Four walkers on Monday; the base's search used only the contractor's minibus, the
    other week's only the own minibus (cheaper, unless own vehicles cost ten times more)."""
    base = monday_week()
    base = base.replace(passengers=tuple(p for p in base.passengers if p.passenger_id != "P4"))
    dear_own = apply_change(
        base,
        ChangeTariff(
            VehicleSelector(operator="own"), scale={"per_hour": 10.0, "per_vehicle_day": 10.0}
        ),
    )
    contractor_routes, own_routes = routed(base, ("V1",)), routed(base, ("V2",))
    for result in (contractor_routes, own_routes):
        assert result.totals["unassigned_trips"] == 0
    prepared = [scenario("base", base), scenario("dear-own", dear_own)]
    tasks = [SolveTask("base", base, WEEK_SECONDS), SolveTask("dear-own", dear_own, 1.0)]
    weeks = share_days(
        prepared,
        tasks,
        {"base": solved("base", contractor_routes), "dear-own": solved("dear-own", own_routes)},
        plan_matrices(base),
        Costing(),
    )
    assert weeks["base"].routes_from == {"mon": "dear-own"}
    assert weeks["dear-own"].routes_from == {"mon": "base"}
    used = {
        sid: {r.vehicle_id for d in week.result.plans for r in d.routes}
        for sid, week in weeks.items()
    }
    assert used == {"base": {"V2"}, "dear-own": {"V1"}}
    matrices = plan_matrices(base)
    costs = {}
    for p in prepared:
        week = weeks[p.scenario_id]
        assert check_week(p.plan, week.result, matrices) == []
        # Costs are in the week's own tariffs, route by route and in the totals.
        tariffs = {v.vehicle_id: v.tariff for v in p.plan.vehicles}
        for d in week.result.plans:
            for r in d.routes:
                tariff = tariffs[r.vehicle_id]
                expected = (
                    tariff.per_vehicle_day
                    + tariff.per_km * r.distance_m / 1000
                    + tariff.per_hour * r.duration_s / 3600
                )
                assert abs(r.cost - expected) < 0.01
        costs[p.scenario_id] = figures(price_week(p.plan, week.result, matrices), Costing())
        assert abs(week.result.totals["cost"] - costs[p.scenario_id]["route_cost_week"]) < 0.05
    # Own vehicles got dearer: never a saving.
    assert costs["dear-own"]["weekly_cost"] >= costs["base"]["weekly_cost"]


def test_unchanged_weekdays_cost_the_same_and_changed_ones_keep_their_own_routes() -> None:
    """5 -> 4 days dropping Friday: Monday-Thursday are the base's; the scenario's search
    had only the small van, so it left trips unassigned or drove dearer on those days."""
    base = tiny_week()
    fridays = apply_change(base, CapDays(4, PassengerSelector(), ("fri",)))
    base_routes = routed(base, ("V1", "V2", "V3"))
    van_routes = routed(fridays, ("V3",))
    prepared = [scenario("base", base), scenario("fri", fridays)]
    tasks = [SolveTask("base", base, WEEK_SECONDS), SolveTask("fri", fridays, WEEK_SECONDS)]
    weeks = share_days(
        prepared,
        tasks,
        {"base": solved("base", base_routes), "fri": solved("fri", van_routes)},
        plan_matrices(base),
        Costing(),
    )
    assert "fri" not in weeks["fri"].routes_from  # Friday differs: its own routes
    assert day_plans(weeks["fri"].result, "fri") == day_plans(van_routes, "fri")
    vehicles = {v.vehicle_id: v for v in base.vehicles}
    for day in DAYS[:4]:
        chosen = [day_plans(weeks[sid].result, day) for sid in ("base", "fri")]
        assert chosen[0] == chosen[1], day  # the same best routes for the same problem
        scores = {
            source: _score(day_plans(result, day), vehicles)
            for source, result in (("base", base_routes), ("van", van_routes))
        }
        # Cheapest with unassigned trips at the fallback fare (no per-trip or band prices).
        assert abs(_score(chosen[0], vehicles) - min(scores.values())) < 0.05, day
    assert weeks["fri"].routes_from, "the van's routes were best every day: nothing shown"
    for p in prepared:
        assert check_week(p.plan, weeks[p.scenario_id].result, plan_matrices(base)) == []


def test_weeks_held_to_consistency_keep_their_own_routes() -> None:
    base = monday_week()
    pinned = base.replace(settings=replace(base.settings, consistency="soft"))
    dearer = apply_change(pinned, ChangeTariff(scale={"per_hour": 2.0}))
    result = routed(pinned, ("V1", "V2"))
    weeks = share_days(
        [scenario("base", pinned), scenario("dearer", dearer)],
        [SolveTask("base", pinned, 1.0), SolveTask("dearer", dearer, 1.0)],
        {"base": solved("base", result), "dearer": solved("dearer", routed(dearer, ("V1",)))},
        plan_matrices(base),
        Costing(),
    )
    assert weeks["base"].routes_from == weeks["dearer"].routes_from == {}


def _score(plans: list[DayResult], vehicles: dict) -> float:  # type: ignore[type-arg]
    """Route cost (each vehicle-day once) + the fallback fare per unassigned trip."""
    routes = [r for d in plans for r in d.routes]
    cost = sum(
        vehicles[r.vehicle_id].tariff.per_km * r.distance_m / 1000
        + vehicles[r.vehicle_id].tariff.per_hour * r.duration_s / 3600
        for r in routes
    ) + sum(vehicles[v].tariff.per_vehicle_day for v in {r.vehicle_id for r in routes})
    return round(cost + Costing().fallback_fare * sum(len(d.unassigned) for d in plans), 2)
