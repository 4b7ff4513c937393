"""Vehicle lower bounds: valid (never above a checked solution) and binding where they should."""

from __future__ import annotations

from solver.domain import Direction
from solver.routing.bounds import vehicle_bound_parts, vehicle_lower_bound
from tests.conftest import (
    CENTRE_B,
    centre,
    hm,
    home,
    make_plan,
    passenger,
    plan_matrices,
    solve_checked,
    vehicle,
)


def test_nobody_to_drive_needs_no_vehicle() -> None:
    plan = make_plan([passenger("P1", home(0.01), days=frozenset({"tue"}))], [vehicle()])
    problem = plan.day_problem("mon", Direction.TO_CENTRE)
    assert vehicle_lower_bound(problem, plan_matrices(plan)) == 0


def test_one_vehicle_bringing_two_loads_is_not_counted_twice() -> None:
    """16 seats of demand, 8-seat vehicles, a two-hour arrival window: one vehicle may do it."""
    plan = make_plan(
        [passenger(f"P{i}", home(0.002 * (i % 4 + 1), 0.002 * (i // 4))) for i in range(16)],
        [vehicle("V1"), vehicle("V2"), vehicle("V3")],
        centres=[centre(arrival=(hm(8), hm(10)))],
    )
    problem, result = solve_checked(plan)
    assert vehicle_lower_bound(problem, plan_matrices(plan)) == 1
    assert len(result.routes) >= 1


def test_certainly_aboard_together_binds_on_seats() -> None:
    """Three passengers with an escort each must all be aboard 08:15-08:30: 6 seats > 4."""
    plan = make_plan(
        [
            passenger(f"P{i}", home(0.01, 0.001 * i), num_escorts=1, latest_pickup_s=hm(8, 15))
            for i in range(3)
        ],
        [vehicle(f"V{i}", seats=4) for i in range(3)],
        centres=[centre(arrival=(hm(8, 30), hm(8, 40)))],
    )
    problem = plan.day_problem("mon", Direction.TO_CENTRE)
    parts = vehicle_bound_parts(problem, plan_matrices(plan))
    assert (parts.aboard_seats, parts.vehicles) == (2, 2)
    _, result = solve_checked(plan)
    assert len(result.routes) >= 2


def test_passengers_no_route_can_combine_conflict() -> None:
    """Two centres far apart, each open for arrivals only 08:30-08:32: one vehicle per centre."""
    far_centre = centre("B", CENTRE_B, arrival=(hm(8, 30), hm(8, 32)))
    plan = make_plan(
        [
            passenger("P1", home(0.01), centre_id="A"),
            passenger("P2", home(0.01, 0.01), centre_id="B"),
        ],
        [vehicle("V1"), vehicle("V2")],
        centres=[centre("A", arrival=(hm(8, 30), hm(8, 32))), far_centre],
    )
    problem = plan.day_problem("mon", Direction.TO_CENTRE)
    parts = vehicle_bound_parts(problem, plan_matrices(plan))
    assert (parts.conflicts, parts.vehicles) == (2, 2)
    _, result = solve_checked(plan)
    assert len(result.routes) == 2


def test_the_bound_never_exceeds_a_checked_solution() -> None:
    plan = make_plan(
        [passenger(f"P{i}", home(0.004 * i - 0.02, 0.003 * (i % 5))) for i in range(12)],
        [vehicle(f"V{i}", seats=3) for i in range(6)],
        centres=[centre(arrival=(hm(8, 30), hm(8, 45)))],
    )
    for direction in Direction:
        problem, result = solve_checked(plan, direction)
        assert 1 <= vehicle_lower_bound(problem, plan_matrices(plan)) <= len(result.routes)


def test_seat_time_binds_where_nobody_is_certainly_aboard_and_nobody_conflicts() -> None:
    """Twenty passengers from one address, 2-seat vehicles, rides no longer than direct.

    Any two may share a vehicle and nobody is aboard at a fixed time, but each holds a seat
    for the whole drive inside the same hour: the seat-seconds need two vehicles or more.
    """
    from dataclasses import replace

    from solver.domain import MaxRideRule

    plan = make_plan(
        [passenger(f"P{i}", home(0.05)) for i in range(20)],
        [vehicle(f"V{i}", seats=2) for i in range(6)],
        centres=[centre(arrival=(hm(8), hm(9)))],
    )
    plan = plan.replace(settings=replace(plan.settings, max_ride=MaxRideRule(0, 1.0)))
    problem = plan.day_problem("mon", Direction.TO_CENTRE)
    parts = vehicle_bound_parts(problem, plan_matrices(plan))
    assert parts.aboard_seats == 0 and parts.conflicts == 1
    assert parts.seat_time >= 2 and parts.vehicles == parts.seat_time
    _, result = solve_checked(plan)
    assert len(result.routes) >= parts.vehicles
