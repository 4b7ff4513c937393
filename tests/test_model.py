"""One rule, one pair of tests: each rule where it holds and where it binds.

Every solve goes through the independent checker (``solve_checked``).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from solver.domain import Direction, LatLon, Mobility, Reason, Tariff
from tests.conftest import (
    CENTRE_B,
    centre,
    hm,
    home,
    make_plan,
    passenger,
    route_of,
    solve_checked,
    vehicle,
)


def unassigned_reasons(result) -> dict[str, Reason]:  # type: ignore[no-untyped-def]
    return {u.passenger_id: u.reason for u in result.unassigned}


# --- seats --------------------------------------------------------------------------------


def test_seats_hold_two_passengers_with_escorts_share_one_four_seat_vehicle() -> None:
    """Two passengers with one escort each (4 seats) fit one 4-seat vehicle."""
    plan = make_plan(
        [passenger("P1", home(0.01), num_escorts=1), passenger("P2", home(0.011), num_escorts=1)],
        [vehicle("V1", seats=4), vehicle("V2", seats=4)],
    )
    _, result = solve_checked(plan)
    assert len(result.routes) == 1
    assert max(s.load_seats for s in result.routes[0].stops) == 4


def test_seats_bind_three_seat_vehicles_split_two_passengers_with_escorts() -> None:
    """With 3 seats per vehicle, two passengers needing 2 seats each ride apart."""
    plan = make_plan(
        [passenger("P1", home(0.01), num_escorts=1), passenger("P2", home(0.011), num_escorts=1)],
        [vehicle("V1", seats=3), vehicle("V2", seats=3)],
        centres=[centre(arrival=(hm(8, 30), hm(8, 40)))],
    )
    _, result = solve_checked(plan)
    for route in result.routes:
        assert max(s.load_seats for s in route.stops) <= 3
    assert result.kpis.num_passengers == 2


def test_escorts_beyond_every_vehicle_give_too_many_seats() -> None:
    """A passenger with 3 escorts needs 4 seats; the only vehicle has 3."""
    plan = make_plan([passenger("P1", home(0.01), num_escorts=3)], [vehicle(seats=3)])
    _, result = solve_checked(plan)
    assert unassigned_reasons(result) == {"P1": Reason.TOO_MANY_SEATS}
    assert "4 seats" in result.unassigned[0].hint


# --- wheelchair places ---------------------------------------------------------------------


def test_wheelchair_places_hold_wheelchair_passenger_rides_in_the_lift_vehicle() -> None:
    """The cheap car has no wheelchair place; the wheelchair passenger takes the van."""
    cheap = Tariff(per_km=1.0, per_hour=100.0, per_vehicle_day=10.0)
    plan = make_plan(
        [passenger("P1", home(0.01), mobility=Mobility.WHEELCHAIR)],
        [vehicle("CAR", seats=4, tariff=cheap), vehicle("VAN", seats=3, wheelchair_places=1)],
    )
    _, result = solve_checked(plan)
    assert route_of(result, "P1") == "VAN"
    pickup = result.routes[0].stops[1]
    assert (pickup.load_seats, pickup.load_wheelchair_places) == (0, 1)


def test_wheelchair_places_bind_no_wheelchair_vehicle_that_day() -> None:
    """Only a car on Monday: the wheelchair passenger is unassigned with a hint."""
    plan = make_plan(
        [passenger("P1", home(0.01), mobility=Mobility.WHEELCHAIR), passenger("P2", home(0.02))],
        [vehicle("CAR", seats=4), vehicle("VAN", wheelchair_places=2, days=frozenset({"tue"}))],
    )
    _, result = solve_checked(plan)
    assert unassigned_reasons(result) == {"P1": Reason.NO_WHEELCHAIR_VEHICLE}
    assert "wheelchair place" in result.unassigned[0].hint
    _, tuesday = solve_checked(plan, day="tue")
    assert tuesday.unassigned == ()


def test_wheelchair_places_bind_one_place_means_two_trips_or_two_vans() -> None:
    """Two wheelchair users, vans with one place each: never both aboard one van."""
    plan = make_plan(
        [
            passenger("P1", home(0.01), mobility=Mobility.WHEELCHAIR),
            passenger("P2", home(0.011), mobility=Mobility.WHEELCHAIR),
        ],
        [vehicle("V1", wheelchair_places=1), vehicle("V2", wheelchair_places=1)],
    )
    _, result = solve_checked(plan)
    assert result.kpis.num_passengers == 2
    for route in result.routes:
        assert max(s.load_wheelchair_places for s in route.stops) <= 1


# --- centre windows ------------------------------------------------------------------------


def test_centre_arrival_window_holds() -> None:
    plan = make_plan([passenger("P1", home(0.02))], [vehicle()])
    _, result = solve_checked(plan)
    centre_stop = next(s for s in result.routes[0].stops if s.dropoffs)
    assert hm(8, 30) <= centre_stop.arrival_s <= hm(9)


def test_centre_window_binds_unreachable_before_shift_gives_window_unreachable() -> None:
    """The centre wants arrivals by 06:05; the only shift starts 06:00 far away."""
    plan = make_plan(
        [passenger("P1", home(0.05))],
        [vehicle()],
        centres=[centre(arrival=(hm(6), hm(6, 5)))],
    )
    _, result = solve_checked(plan)
    assert unassigned_reasons(result) == {"P1": Reason.WINDOW_UNREACHABLE}
    assert "06:05" in result.unassigned[0].hint


def test_centre_departure_window_holds_in_the_afternoon() -> None:
    plan = make_plan([passenger("P1", home(0.02))], [vehicle()])
    _, result = solve_checked(plan, Direction.FROM_CENTRE)
    pickup = next(s for s in result.routes[0].stops if s.pickups)
    assert hm(15) <= pickup.arrival_s <= hm(15, 30)


# --- passenger windows ---------------------------------------------------------------------


def test_earliest_pickup_binds() -> None:
    plan = make_plan([passenger("P1", home(0.01), earliest_pickup_s=hm(8, 40))], [vehicle()])
    _, result = solve_checked(plan)
    pickup = next(s for s in result.routes[0].stops if s.pickups)
    assert pickup.arrival_s >= hm(8, 40)


def test_latest_dropoff_binds_in_the_afternoon() -> None:
    plan = make_plan(
        [
            passenger("P1", home(0.03), latest_dropoff_s=hm(15, 20)),
            passenger("P2", home(-0.03)),
        ],
        [vehicle()],
    )
    _, result = solve_checked(plan, Direction.FROM_CENTRE)
    drop = next(s for r in result.routes for s in r.stops if "P1" in s.dropoffs)
    assert drop.arrival_s <= hm(15, 20)


def test_latest_dropoff_impossible_gives_window_unreachable() -> None:
    plan = make_plan([passenger("P1", home(0.05), latest_dropoff_s=hm(15, 1))], [vehicle()])
    _, result = solve_checked(plan, Direction.FROM_CENTRE)
    assert unassigned_reasons(result) == {"P1": Reason.WINDOW_UNREACHABLE}


def test_own_windows_hold_in_both_directions_when_they_leave_room() -> None:
    """All four own times set, wide enough for the morning and the afternoon trip alike."""
    plan = make_plan(
        [
            passenger(
                "P1",
                home(0.01),
                earliest_pickup_s=hm(7),
                latest_pickup_s=hm(15, 20),
                earliest_dropoff_s=hm(8, 40),
                latest_dropoff_s=hm(16),
            )
        ],
        [vehicle()],
    )
    for direction in Direction:
        _, result = solve_checked(plan, direction)
        assert result.kpis.num_passengers == 1
        stops = result.routes[0].stops
        pickup = next(s for s in stops if s.pickups)
        dropoff = next(s for s in stops if s.dropoffs)
        assert hm(7) <= pickup.arrival_s <= hm(15, 20)
        assert hm(8, 40) <= dropoff.arrival_s <= hm(16)


def test_latest_pickup_binds_the_morning_pickup_at_home() -> None:
    """Picked up by 08:10 although the centre opens at 08:30 (a short drive away)."""
    plan = make_plan([passenger("P1", home(0.01), latest_pickup_s=hm(8, 10))], [vehicle()])
    _, result = solve_checked(plan)
    stops = result.routes[0].stops
    assert next(s for s in stops if s.pickups).arrival_s <= hm(8, 10)
    assert next(s for s in stops if s.dropoffs).arrival_s >= hm(8, 30)


def test_latest_pickup_binds_the_afternoon_pickup_at_the_centre() -> None:
    """The departure window 15:00-15:30 is cut to 15:00-15:10 by the passenger's own time."""
    plan = make_plan([passenger("P1", home(0.01), latest_pickup_s=hm(15, 10))], [vehicle()])
    _, result = solve_checked(plan, Direction.FROM_CENTRE)
    pickup = next(s for s in result.routes[0].stops if s.pickups)
    assert hm(15) <= pickup.arrival_s <= hm(15, 10)


def test_earliest_dropoff_binds_the_afternoon_drop_off_at_home() -> None:
    """Home no earlier than 15:45, though the drive from the centre takes three minutes."""
    plan = make_plan([passenger("P1", home(0.01), earliest_dropoff_s=hm(15, 45))], [vehicle()])
    _, result = solve_checked(plan, Direction.FROM_CENTRE)
    dropoff = next(s for s in result.routes[0].stops if s.dropoffs)
    assert dropoff.arrival_s >= hm(15, 45)


def test_earliest_dropoff_binds_the_morning_arrival_at_the_centre() -> None:
    plan = make_plan([passenger("P1", home(0.01), earliest_dropoff_s=hm(8, 50))], [vehicle()])
    _, result = solve_checked(plan)
    dropoff = next(s for s in result.routes[0].stops if s.dropoffs)
    assert hm(8, 50) <= dropoff.arrival_s <= hm(9)


def test_latest_pickup_before_the_departure_window_gives_window_unreachable() -> None:
    """A morning-minded latest pickup of 08:10 also binds the afternoon: nobody can meet it."""
    plan = make_plan([passenger("P1", home(0.01), latest_pickup_s=hm(8, 10))], [vehicle()])
    _, afternoon = solve_checked(plan, Direction.FROM_CENTRE)
    assert unassigned_reasons(afternoon) == {"P1": Reason.WINDOW_UNREACHABLE}
    assert "15:00-08:10" in afternoon.unassigned[0].hint


# --- vehicle shifts ------------------------------------------------------------------------


def test_shift_binds_vehicle_ending_too_early_is_not_used() -> None:
    """V1 is cheap but its shift ends at 08:00; the passenger goes with V2."""
    cheap = Tariff(per_km=1.0, per_hour=10.0, per_vehicle_day=1.0)
    plan = make_plan(
        [passenger("P1", home(0.01))],
        [vehicle("V1", shift=(hm(6), hm(8)), tariff=cheap), vehicle("V2")],
    )
    _, result = solve_checked(plan)
    assert route_of(result, "P1") == "V2"


def test_shift_holds_route_inside_shift() -> None:
    plan = make_plan([passenger("P1", home(0.01))], [vehicle(shift=(hm(7), hm(10)))])
    _, result = solve_checked(plan)
    stops = result.routes[0].stops
    assert stops[0].departure_s >= hm(7)
    assert stops[-1].arrival_s <= hm(10)


# --- longest route (max_route_s) ----------------------------------------------------------


def two_opposite_passengers(max_route_s: int | None) -> object:
    """Homes north and south of the centre: one route for both lasts about 2 300 s."""
    return make_plan(
        [passenger("P1", home(0.03)), passenger("P2", home(-0.03))],
        [vehicle("V1", max_route_s=max_route_s), vehicle("V2", max_route_s=max_route_s)],
    )


def test_max_route_holds_one_vehicle_drives_both_when_the_limit_allows() -> None:
    _, result = solve_checked(two_opposite_passengers(max_route_s=3600))  # type: ignore[arg-type]
    assert len(result.routes) == 1
    assert result.routes[0].duration_s <= 3600


def test_max_route_binds_two_vehicles_when_one_route_would_last_too_long() -> None:
    """Alone each trip takes at most about 1 400 s; together about 2 300 s > 1 500 s."""
    _, result = solve_checked(two_opposite_passengers(max_route_s=1500))  # type: ignore[arg-type]
    assert len(result.routes) == 2
    assert result.kpis.num_passengers == 2
    assert all(route.duration_s <= 1500 for route in result.routes)


def test_max_route_shorter_than_any_solo_trip_gives_window_unreachable() -> None:
    plan = make_plan([passenger("P1", home(0.03))], [vehicle(max_route_s=600)])
    _, result = solve_checked(plan)
    assert unassigned_reasons(result) == {"P1": Reason.WINDOW_UNREACHABLE}


# --- maximum ride time ---------------------------------------------------------------------


def test_max_ride_time_holds_default_rule() -> None:
    plan = make_plan([passenger(f"P{i}", home(0.01 * i, 0.01)) for i in range(1, 5)], [vehicle()])
    _, result = solve_checked(plan)
    assert result.kpis.max_ride_s <= 30 * 60


def test_max_ride_time_binds_tight_limit_splits_a_shared_route() -> None:
    """Homes on opposite sides of the centre: riding together would exceed 8 minutes."""
    plan_loose = make_plan(
        [passenger("P1", home(0.02)), passenger("P2", home(-0.02))],
        [vehicle("V1"), vehicle("V2")],
    )
    _, loose = solve_checked(plan_loose)
    assert max(s.load_seats for r in loose.routes for s in r.stops) == 2  # they share
    plan_tight = make_plan(
        [
            passenger("P1", home(0.02), max_ride_s=8 * 60),
            passenger("P2", home(-0.02), max_ride_s=8 * 60),
        ],
        [vehicle("V1"), vehicle("V2")],
    )
    _, tight = solve_checked(plan_tight)
    assert tight.kpis.num_passengers == 2
    assert max(s.load_seats for r in tight.routes for s in r.stops) == 1  # never together
    assert tight.kpis.max_ride_s <= 8 * 60


def test_direct_trip_longer_than_max_ride_gives_ride_time_too_short() -> None:
    plan = make_plan([passenger("P1", home(0.05), max_ride_s=60)], [vehicle()])
    _, result = solve_checked(plan)
    assert unassigned_reasons(result) == {"P1": Reason.RIDE_TIME_TOO_SHORT}


# --- routes, days, costs -------------------------------------------------------------------


def test_one_route_may_serve_two_centres() -> None:
    plan = make_plan(
        [passenger("P1", home(0.01), centre_id="A"), passenger("P2", home(0.011), centre_id="B")],
        [vehicle()],
        centres=[centre("A"), centre("B", CENTRE_B)],
    )
    _, result = solve_checked(plan)
    assert len(result.routes) == 1
    assert {s.centre_id for s in result.routes[0].stops if s.dropoffs} == {"A", "B"}


def test_group_home_passengers_share_one_stop() -> None:
    """Three residents of one group home board at one stop."""
    group_home = home(0.015)
    plan = make_plan([passenger(f"P{i}", group_home) for i in range(3)], [vehicle()])
    _, result = solve_checked(plan)
    pickup_stops = [s for s in result.routes[0].stops if s.pickups]
    assert len(pickup_stops) == 1
    assert sorted(pickup_stops[0].pickups) == ["P0", "P1", "P2"]


def test_home_exception_moves_the_pickup_on_that_day() -> None:
    other = LatLon(59.93, 10.80)
    plan = make_plan([passenger("P1", home(0.01), home_exceptions={"wed": other})], [vehicle()])
    _, monday = solve_checked(plan, day="mon")
    _, wednesday = solve_checked(plan, day="wed")
    assert next(s for s in monday.routes[0].stops if s.pickups).location == home(0.01)
    assert next(s for s in wednesday.routes[0].stops if s.pickups).location == other


def test_no_vehicle_on_the_day_gives_no_vehicle() -> None:
    plan = make_plan([passenger("P1", home(0.01))], [vehicle(days=frozenset({"tue"}))])
    _, result = solve_checked(plan)
    assert unassigned_reasons(result) == {"P1": Reason.NO_VEHICLE}


def test_passenger_not_attending_is_not_planned() -> None:
    plan = make_plan([passenger("P1", home(0.01), days=frozenset({"tue"}))], [vehicle()])
    problem, result = solve_checked(plan)
    assert problem.passengers == ()
    assert result.routes == ()


def test_fleet_exhausted_when_the_only_vehicle_is_full() -> None:
    """One 1-seat car, two passengers who must both arrive 08:30-08:35 from opposite sides."""
    plan = make_plan(
        [passenger("P1", home(0.03)), passenger("P2", home(-0.03))],
        [vehicle(seats=1)],
        centres=[centre(arrival=(hm(8, 30), hm(8, 35)))],
    )
    _, result = solve_checked(plan)
    assert result.kpis.num_passengers == 1
    assert list(unassigned_reasons(result).values()) == [Reason.FLEET_EXHAUSTED]


def test_cost_prefers_the_cheaper_tariff() -> None:
    plan = make_plan(
        [passenger("P1", home(0.01))],
        [
            vehicle("DEAR", tariff=Tariff(per_km=20, per_hour=900, per_vehicle_day=2000)),
            vehicle("CHEAP", tariff=Tariff(per_km=8, per_hour=400, per_vehicle_day=500)),
        ],
    )
    _, result = solve_checked(plan)
    route = result.routes[0]
    assert route.vehicle_id == "CHEAP"
    expected = 500 + 8 * route.distance_m / 1000 + 400 * route.duration_s / 3600
    assert abs(route.cost - expected) < 0.01


def test_same_seed_gives_the_same_routes() -> None:
    plan = make_plan(
        [passenger(f"P{i}", home(0.003 * i, 0.002 * (i % 3))) for i in range(12)],
        [vehicle(f"V{i}", seats=4) for i in range(4)],
    )
    _, first = solve_checked(plan, seconds=1)
    _, second = solve_checked(plan, seconds=1)
    assert first.routes == second.routes


def test_open_routes_end_at_the_last_drop_off() -> None:
    """Without return to depot, the route's last stop is the centre and passes the checker."""
    from solver.domain import Settings

    plan = make_plan(
        [passenger("P1", home(0.01)), passenger("P2", home(0.02))],
        [vehicle()],
        settings=Settings(return_to_depot=False),
    )
    _, result = solve_checked(plan)
    assert result.routes[0].stops[-1].dropoffs
    _, afternoon = solve_checked(plan, Direction.FROM_CENTRE)
    assert afternoon.routes[0].stops[-1].kind.value == "home"


# --- the built model ----------------------------------------------------------------------


def test_a_built_day_model_is_read_only_and_holds_what_its_rules_made() -> None:
    """One passenger, one vehicle with a 12 h shift and a 5.5 h break rule: the model has the
    vehicle's break and a ride limit to keep alive, and none of it can be changed afterwards."""
    import dataclasses

    import pytest

    from solver.domain import BreakRule, Settings
    from solver.routing.model import build_day_model
    from tests.conftest import plan_matrices

    plan = make_plan(
        [passenger("P1", home(0.01))], [vehicle()], settings=Settings(driver_break=BreakRule())
    )
    problem = plan.day_problem("mon", Direction.TO_CENTRE)
    model = build_day_model(problem, problem.passengers, plan_matrices(plan))
    assert list(model.breaks) == [0] and len(model.keep_alive) == 1
    assert not model.entrance_limited
    with pytest.raises(dataclasses.FrozenInstanceError):
        model.entrance_limited = True  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        model.transit_s[0, 1] = 0
    with pytest.raises(TypeError):
        model.max_ride_s["P1"] = 0  # type: ignore[index]
    with pytest.raises(TypeError):
        model.breaks[1] = ()  # type: ignore[index]


# --- repairing a search that left someone out ----------------------------------------------


def test_insert_unserved_puts_a_left_out_passenger_where_a_route_can_take_them() -> None:
    """A solution serving P1 only (as a short search might end) gets P2 inserted, checked."""
    from solver.check import check_day
    from solver.domain import DayResult, Kpis
    from solver.routing.model import build_day_model
    from solver.routing.read import read_routes
    from solver.routing.repair import insert_unserved
    from tests.conftest import plan_matrices

    plan = make_plan([passenger("P1", home(0.01)), passenger("P2", home(0.012))], [vehicle()])
    problem = plan.day_problem("mon", Direction.TO_CENTRE)
    matrices = plan_matrices(plan)
    model = build_day_model(problem, problem.passengers, matrices)
    (first_pair, _) = model.pairs
    indices = [model.manager.NodeToIndex(v) for v in first_pair]
    partial = model.routing.ReadAssignmentFromRoutes([indices], True)
    assert partial is not None
    assert {s for r in read_routes(model, partial) for st in r.stops for s in st.pickups} == {"P1"}
    model, repaired = insert_unserved(model, partial, seconds=None)
    routes = read_routes(model, repaired)
    assert {s for r in routes for st in r.stops for s in st.pickups} == {"P1", "P2"}
    result = DayResult(
        "mon", Direction.TO_CENTRE, tuple(routes), (), Kpis(1, 2, 0, 0, 0, 0, 0, 0, 0)
    )
    assert check_day(problem, result, matrices) == []


def test_insert_unserved_tries_an_idle_vehicle_once_the_driving_routes_are_used_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """P2 fits no driving route (V1 has one seat and the centre's arrival window is a
    minute); V2 stands idle at a far depot. Past the cap on insertions into driving routes,
    the idle vehicle is still tried: serving comes first."""
    from solver.routing import repair
    from solver.routing.model import build_day_model
    from solver.routing.read import read_routes
    from tests.conftest import plan_matrices

    tight = centre(arrival=(hm(8, 30), hm(8, 31)))
    far = LatLon(59.85, 10.70)
    riders = [passenger("P1", home(0.01)), passenger("P2", home(0.012))]
    plan = make_plan(riders, [vehicle("V1", seats=1), vehicle("V2", depot=far)], [tight])
    problem = plan.day_problem("mon", Direction.TO_CENTRE)
    model = build_day_model(problem, problem.passengers, plan_matrices(plan))
    (first_pair, _) = model.pairs
    partial = model.routing.ReadAssignmentFromRoutes(
        [[model.manager.NodeToIndex(v) for v in first_pair], []], True
    )
    assert partial is not None

    def riders_of(solution: object) -> dict[str, str]:
        routes = read_routes(model, solution)  # type: ignore[arg-type]
        return {pid: r.vehicle_id for r in routes for st in r.stops for pid in st.pickups}

    monkeypatch.setattr(repair, "MAX_REPAIR_TRIES", 1)
    # Binds: without idle vehicles to try, P2 stays out (V1 cannot take them).
    monkeypatch.setattr(repair, "MAX_IDLE_REPAIR_TRIES", 0)
    _, kept = repair.insert_unserved(model, partial, seconds=None)
    assert riders_of(kept) == {"P1": "V1"}
    # Holds: the idle vehicle takes them.
    monkeypatch.setattr(repair, "MAX_IDLE_REPAIR_TRIES", 40)
    model, repaired = repair.insert_unserved(model, partial, seconds=None)
    assert riders_of(repaired) == {"P1": "V1", "P2": "V2"}


def test_past_its_clock_the_repair_fills_the_vehicles_it_opened_before_opening_more(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Four neighbours of centre A, nobody served, the repair's clock already run out
    (seconds=0): the first takes an idle vehicle, the others share it, where each used to
    take an idle vehicle of their own (a Bergen afternoon came back with 40 such routes)."""
    from solver.check import check_day
    from solver.domain import DayResult, Kpis, Route
    from solver.routing import repair
    from solver.routing.model import build_day_model
    from solver.routing.read import read_routes
    from tests.conftest import plan_matrices

    unchecked_kpis = Kpis(0, 0, 0, 0, 0, 0.0, 0.0, 0, 0.0)  # check_day does not read them
    riders = [passenger(f"P{i}", home(0.01 + 0.002 * i)) for i in range(4)]
    fleet = [vehicle(f"V{i}") for i in range(4)]
    plan = make_plan(riders, fleet)
    problem = plan.day_problem("mon", Direction.FROM_CENTRE)
    model = build_day_model(problem, problem.passengers, plan_matrices(plan))
    nobody = model.routing.ReadAssignmentFromRoutes([[] for _ in fleet], True)
    assert nobody is not None

    def repaired_routes() -> list[Route]:
        used, solution = repair.insert_unserved(model, nobody, seconds=0.0)
        routes = read_routes(used, solution)
        assert sum(len(st.pickups) for r in routes for st in r.stops) == 4  # all served
        result = DayResult("mon", Direction.FROM_CENTRE, tuple(routes), (), unchecked_kpis)
        assert check_day(problem, result, plan_matrices(plan)) == []
        return routes

    # Binds: without tries into the opened routes, each passenger opens a vehicle.
    monkeypatch.setattr(repair, "MAX_OPENED_REPAIR_TRIES", 0)
    assert len(repaired_routes()) == 4
    # Holds: they share the one the first opened (8 seats, homes a few minutes apart).
    monkeypatch.setattr(repair, "MAX_OPENED_REPAIR_TRIES", 120)
    assert len(repaired_routes()) == 1


def test_a_route_past_a_passengers_centre_sets_them_down_at_its_first_stop_there() -> None:
    """P1 and P2 go to centre A. A route that sets down only P2 at A, fetches P3 and comes
    back to A with P1 still aboard is read back changed: P1 alights at the first stop at A."""
    from solver.check import advise_day, check_day
    from solver.domain import DayResult, Kpis
    from solver.routing.destinations import set_down_on_arrival, set_down_together_later
    from solver.routing.model import build_day_model
    from solver.routing.read import read_routes
    from tests.conftest import plan_matrices

    riders = [passenger("P1", home(0.01)), passenger("P2", home(0.012))]
    plan = make_plan([*riders, passenger("P3", home(-0.004))], [vehicle()])
    problem = plan.day_problem("mon", Direction.TO_CENTRE)
    matrices = plan_matrices(plan)
    model = build_day_model(problem, problem.passengers, matrices)
    pair = {model.visits[p].passenger_id: (p, d) for p, d in model.pairs}
    (p1, d1), (p2, d2), (p3, d3) = pair["P1"], pair["P2"], pair["P3"]
    past = [p1, p2, d2, p3, d1, d3]
    # Binds: P1 is aboard at A when P2 alights there; either P1 alights then, or P2 waits.
    assert set_down_on_arrival(model, past) == [p1, p2, d2, d1, p3, d3]
    assert set_down_together_later(model, past) == [p1, p2, p3, d2, d1, d3]
    # Holds: a route that sets everyone down at once stays as it is.
    together = [p1, p2, p3, d1, d2, d3]
    assert set_down_on_arrival(model, together) == together
    assert set_down_together_later(model, together) == together
    indices = [model.manager.NodeToIndex(v) for v in past]
    solution = model.routing.ReadAssignmentFromRoutes([indices], True)
    assert solution is not None
    kpis = Kpis(1, 3, 0, 0, 0, 0, 0, 0, 0)
    as_searched = read_routes(model, solution, set_down=False)
    before = DayResult("mon", Direction.TO_CENTRE, tuple(as_searched), (), kpis)
    assert [v.code for v in advise_day(problem, before, matrices)] == ["CHECK_PAST_DESTINATION"]
    after = replace(before, routes=tuple(read_routes(model, solution)))
    assert check_day(problem, after, matrices) == [] and advise_day(problem, after, matrices) == []
    (route,) = after.routes
    first_at_centre = next(stop for stop in route.stops if stop.dropoffs)
    assert set(first_at_centre.dropoffs) == {"P1", "P2"}


def test_a_passenger_left_out_while_a_vehicle_that_could_take_them_stands_idle_is_out_of_time() -> (
    None
):
    """A search that ended with P2 unplaced: with V2 idle and able to drive P2 alone the reason
    is the search's time (hint: more time, naming V2), never the fleet; with V2 gone, it is
    the fleet."""
    from solver.domain import Reason
    from solver.routing.model import build_day_model
    from solver.routing.read import read_routes
    from solver.routing.reasons import left_out
    from tests.conftest import plan_matrices

    riders = [passenger("P1", home(0.01)), passenger("P2", home(0.012))]
    for fleet, reason in (
        ([vehicle("V1", seats=1), vehicle("V2", seats=1)], Reason.SEARCH_TIME),
        ([vehicle("V1", seats=1)], Reason.FLEET_EXHAUSTED),
    ):
        plan = make_plan(riders, fleet)
        problem = plan.day_problem("mon", Direction.TO_CENTRE)
        model = build_day_model(problem, problem.passengers, plan_matrices(plan))
        pair = {model.visits[p].passenger_id: (p, d) for p, d in model.pairs}
        only_p1 = [[model.manager.NodeToIndex(v) for v in pair["P1"]]] + [[]] * (len(fleet) - 1)
        solution = model.routing.ReadAssignmentFromRoutes(only_p1, True)
        assert solution is not None
        (entry,) = left_out(model, problem, problem.passengers[1:], read_routes(model, solution))
        assert entry.passenger_id == "P2" and entry.reason is reason
        if reason is Reason.SEARCH_TIME:
            assert "V2" in entry.hint and "time_limit_s" in entry.hint


# --- racing searches on spare cores -------------------------------------------------------


def test_race_params_take_turns_between_searches_then_seeds() -> None:
    from solver.routing.search import SearchParams, race_params

    arms = race_params(SearchParams(time_limit_s=5, seed=3), 3)
    assert [a.metaheuristic for a in arms] == [
        "GUIDED_LOCAL_SEARCH",
        "TABU_SEARCH",
        "GUIDED_LOCAL_SEARCH",
    ]
    assert [a.seed for a in arms] == [3, 3, 4]
    assert all(a.time_limit_s == 5 for a in arms)


def test_racing_returns_the_best_arm_and_it_passes_the_checker() -> None:
    from solver.check import check_day
    from solver.routing.search import (
        SearchParams,
        best_result,
        race_params,
        solve_day,
        solve_day_racing,
    )
    from tests.conftest import plan_matrices

    plan = make_plan(
        [passenger(f"P{i}", home(0.01 * i, 0.004 * (i % 3))) for i in range(1, 7)],
        [vehicle("V1", seats=3), vehicle("V2", seats=3)],
    )
    problem = plan.day_problem("mon", Direction.TO_CENTRE)
    matrices = plan_matrices(plan)
    params = SearchParams(time_limit_s=1, seed=1, max_solutions=200)
    raced = solve_day_racing(problem, matrices, params, 2)
    assert check_day(problem, raced, matrices) == []
    arms = [solve_day(problem, matrices, p) for p in race_params(params, 2)]
    best = best_result(arms)
    assert (len(raced.unassigned), raced.kpis.cost) == (len(best.unassigned), best.kpis.cost)
    assert raced.kpis.cost <= min(a.kpis.cost for a in arms)
