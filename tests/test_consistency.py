"""Weekly consistency: pins (strict and soft), template weeks, measurement and churn."""

from __future__ import annotations

from dataclasses import replace

from solver.check import check_day, check_week
from solver.consistency import (
    Consistency,
    Template,
    churn,
    measure,
    pins_for,
)
from solver.domain import (
    CentreHours,
    Direction,
    Pin,
    Settings,
    Tariff,
    TimeWindow,
    WeekResult,
)
from solver.generate import generate_week
from solver.solve import SearchParams, solve_day
from solver.week import solve_week
from tests.conftest import (
    StraightNetwork,
    centre,
    hm,
    home,
    make_plan,
    passenger,
    plan_matrices,
    route_of,
    vehicle,
)

CHEAP = Tariff(per_km=5, per_hour=300, per_vehicle_day=100)
DEAR = Tariff(per_km=15, per_hour=900, per_vehicle_day=2000)


def solve_pinned(plan, pins):  # type: ignore[no-untyped-def]
    problem = replace(plan.day_problem("mon", Direction.TO_CENTRE), pins=pins)
    matrices = plan_matrices(plan)
    result = solve_day(problem, matrices, SearchParams(time_limit_s=1))
    assert check_day(problem, result, matrices) == []
    return result


def two_vehicle_plan():  # type: ignore[no-untyped-def]
    return make_plan(
        [passenger("P1", home(0.01))],
        [vehicle("CHEAP", tariff=CHEAP), vehicle("DEAR", tariff=DEAR)],
    )


def test_unpinned_passenger_takes_the_cheap_vehicle() -> None:
    assert route_of(solve_pinned(two_vehicle_plan(), {}), "P1") == "CHEAP"


def test_strict_vehicle_pin_binds() -> None:
    pins = {"P1": Pin("DEAR", None, 600, is_strict=True)}
    assert route_of(solve_pinned(two_vehicle_plan(), pins), "P1") == "DEAR"


def test_soft_vehicle_pin_wins_when_the_difference_is_small() -> None:
    plan = make_plan(
        [passenger("P1", home(0.01))],
        [vehicle("A", tariff=CHEAP), vehicle("B", tariff=replace(CHEAP, per_vehicle_day=150))],
    )
    pins = {"P1": Pin("B", None, 600, is_strict=False)}
    assert route_of(solve_pinned(plan, pins), "P1") == "B"


def test_strict_time_pin_holds_pickup_within_tolerance() -> None:
    pins = {"P1": Pin(None, hm(8, 5), 120, is_strict=True)}
    result = solve_pinned(two_vehicle_plan(), pins)
    pickup = next(s for s in result.routes[0].stops if s.pickups)
    assert hm(8, 3) <= pickup.arrival_s <= hm(8, 7)


def test_strict_pin_to_a_vehicle_that_is_off_today_is_dropped() -> None:
    plan = make_plan(
        [passenger("P1", home(0.01))], [vehicle("A"), vehicle("B", days=frozenset({"tue"}))]
    )
    problem = plan.day_problem("mon", Direction.TO_CENTRE)
    pins = pins_for(problem, {"P1": Template("B", hm(8))}, Consistency.STRICT)
    assert pins == {}
    soft = pins_for(problem, {"P1": Template("B", hm(8))}, Consistency.SOFT)
    assert soft["P1"].vehicle_id is None and soft["P1"].pickup_s == hm(8)


def test_only_the_vehicle_is_pinned_on_a_day_with_another_address() -> None:
    plan = make_plan(
        [passenger("P1", home(0.01), home_exceptions={"mon": home(0.2)})], [vehicle("A")]
    )
    template = {"P1": Template("A", hm(8))}
    monday = plan.day_problem("mon", Direction.TO_CENTRE)
    tuesday = plan.day_problem("tue", Direction.TO_CENTRE)
    monday_pin = pins_for(monday, template, Consistency.STRICT)["P1"]
    assert (monday_pin.vehicle_id, monday_pin.pickup_s) == ("A", None)
    tuesday_pin = pins_for(tuesday, template, Consistency.STRICT)["P1"]
    assert (tuesday_pin.vehicle_id, tuesday_pin.pickup_s) == ("A", hm(8))


def week_of(consistency: str):  # type: ignore[no-untyped-def]
    """A generated week of 24 passengers at 2 centres, straight-line roads, 12 s budget."""
    import numpy as np

    class Source:
        def random_node_locations(self, n, rng):  # type: ignore[no-untyped-def]
            lat = 59.88 + 0.05 * rng.random(n)
            lon = 10.72 + 0.09 * rng.random(n)
            from solver.domain import LatLon

            return [
                LatLon(round(float(a), 6), round(float(b), 6))
                for a, b in zip(lat, lon, strict=True)
            ]

    del np
    plan = generate_week(Source(), num_passengers=24, num_centres=2, seed=5)
    settings = replace(plan.settings, time_limit_s=14, consistency=consistency)
    return plan.replace(settings=settings)


def test_strict_week_is_more_consistent_than_independent_days_and_passes_the_checker() -> None:
    network = StraightNetwork()
    off_plan = week_of("off")
    strict_plan = week_of("strict")
    off, matrices = solve_week(off_plan, network, workers=1)
    strict, _ = solve_week(strict_plan, network, workers=1)
    assert check_week(strict_plan, strict, matrices) == []
    assert check_week(off_plan, off, matrices) == []
    assert strict.totals["unassigned_trips"] == 0
    strict_report, off_report = measure(strict, plan=strict_plan), measure(off, plan=off_plan)
    assert strict_report.share_single_vehicle >= 0.85  # 14 s for 12 solves: a small budget
    assert strict_report.share_consistent >= off_report.share_consistent
    assert strict.totals["consistency_share_consistent"] == round(strict_report.share_consistent, 4)


def test_previous_week_keeps_churn_low() -> None:
    network = StraightNetwork()
    plan = week_of("off")
    first, _ = solve_week(plan, network, workers=1)
    stable_plan = plan.replace(settings=replace(plan.settings, consistency="strict"))
    second, matrices = solve_week(stable_plan, network, workers=1, previous=first)
    assert check_week(stable_plan, second, matrices) == []
    assert "stability_churn_share" in second.totals
    assert churn(first, first).num_vehicle_changed == 0


def test_measure_counts_vehicles_and_spread() -> None:
    plan = make_plan(
        [passenger("P1", home(0.01), days=frozenset({"mon", "tue"}))],
        [vehicle("A")],
        settings=Settings(),
    )
    matrices = plan_matrices(plan)
    results = []
    for day in ("mon", "tue"):
        problem = plan.day_problem(day, Direction.TO_CENTRE)  # type: ignore[arg-type]
        results.append(solve_day(problem, matrices, SearchParams(time_limit_s=1)))
    from solver.domain import WeekResult

    report = measure(WeekResult(tuple(results)))
    (row,) = report.passengers
    assert row.num_days == 2 and row.num_vehicles == 1
    assert report.share_single_vehicle == 1.0


def test_measure_compares_pickup_times_only_among_days_with_the_same_centre_window() -> None:
    """A centre closing 30 min earlier on Fridays moves Friday's afternoon pickup by design."""
    base = centre()
    friday = CentreHours(base.hours["fri"].arrival, TimeWindow(hm(14, 30), hm(14, 30)))
    early_friday = replace(base, hours={**base.hours, "fri": friday})
    late = CentreHours(base.hours["mon"].arrival, TimeWindow(hm(15), hm(15)))
    early_friday = replace(early_friday, hours={**early_friday.hours, "mon": late, "tue": late})
    plan = make_plan(
        [passenger("P1", home(0.01), days=frozenset({"mon", "tue", "fri"}))],
        [vehicle("A")],
        [early_friday],
    )
    matrices = plan_matrices(plan)
    results = [
        solve_day(plan.day_problem(day, Direction.FROM_CENTRE), matrices, SearchParams(1))
        for day in ("mon", "tue", "fri")
    ]
    week = WeekResult(tuple(results))
    (row,) = measure(week, plan=plan).passengers
    assert row.pickup_spread_all_days_s == 30 * 60
    assert row.pickup_spread_s == 0
    (unaware,) = measure(week).passengers
    assert unaware.pickup_spread_s == 30 * 60


def test_warm_start_keeps_served_passengers_and_inserts_the_new_one() -> None:
    """Start from a solution of two passengers; a third joins and is inserted."""
    two = make_plan([passenger("P1", home(0.01)), passenger("P2", home(0.012))], [vehicle()])
    matrices_two = plan_matrices(two)
    problem_two = two.day_problem("mon", Direction.TO_CENTRE)
    first = solve_day(problem_two, matrices_two, SearchParams(time_limit_s=1))
    three = make_plan(
        [passenger("P1", home(0.01)), passenger("P2", home(0.012)), passenger("P3", home(0.02))],
        [vehicle()],
    )
    problem = three.day_problem("mon", Direction.TO_CENTRE)
    matrices = plan_matrices(three)
    result = solve_day(problem, matrices, SearchParams(time_limit_s=1), warm_start=first)
    assert check_day(problem, result, matrices) == []
    assert result.kpis.num_passengers == 3


def test_warm_start_that_breaks_a_pin_falls_back_to_a_cold_start() -> None:
    plan = two_vehicle_plan()
    free = solve_pinned(plan, {})
    pins = {"P1": Pin("DEAR", None, 600, is_strict=True)}
    problem = replace(plan.day_problem("mon", Direction.TO_CENTRE), pins=pins)
    matrices = plan_matrices(plan)
    result = solve_day(problem, matrices, SearchParams(time_limit_s=1), warm_start=free)
    assert route_of(result, "P1") == "DEAR"
