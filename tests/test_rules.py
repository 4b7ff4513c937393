"""Issue 5's rules, one pair of tests each: where the rule holds and where it binds.

Every solve goes through the independent checker (``solve_checked``).
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest

from solver.check import check_day, check_week
from solver.domain import (
    BreakRule,
    DayResult,
    Direction,
    Mobility,
    Reason,
    Route,
    SeatingLayout,
    Settings,
    Tariff,
    TimeWindow,
    WeekPlan,
    WeekResult,
)
from solver.routing.model import Visit, VisitKind, visit_transits
from solver.week import planner as week_module
from solver.week import solve_week
from tests.conftest import (
    CENTRE_A,
    CENTRE_B,
    StraightNetwork,
    centre,
    hm,
    home,
    make_plan,
    passenger,
    plan_matrices,
    route_of,
    solve_checked,
    vehicle,
)

CHEAP = Tariff(per_km=5.0, per_hour=300.0, per_vehicle_day=100.0)
DEAR = Tariff(per_km=15.0, per_hour=900.0, per_vehicle_day=2000.0)


def reasons(result: DayResult) -> dict[str, Reason]:
    return {u.passenger_id: u.reason for u in result.unassigned}


def aboard_after_each_stop(result: DayResult) -> list[tuple[str, set[str]]]:
    """(vehicle, passengers aboard) after every stop of every route."""
    states = []
    for route in result.routes:
        aboard: set[str] = set()
        for stop in route.stops:
            aboard -= set(stop.dropoffs)
            aboard |= set(stop.pickups)
            states.append((route.vehicle_id, set(aboard)))
    return states


# --- allowed and excluded vehicles ---------------------------------------------------------


def test_allowed_vehicles_hold_when_they_include_the_cheapest() -> None:
    plan = make_plan(
        [passenger("P1", home(0.01), allowed_vehicles=frozenset({"CHEAP", "DEAR"}))],
        [vehicle("CHEAP", tariff=CHEAP), vehicle("DEAR", tariff=DEAR)],
    )
    _, result = solve_checked(plan)
    assert route_of(result, "P1") == "CHEAP"


def test_allowed_vehicles_bind_the_passenger_to_the_dear_vehicle() -> None:
    plan = make_plan(
        [
            passenger("P1", home(0.01), allowed_vehicles=frozenset({"DEAR"})),
            passenger("P2", home(0.011)),
        ],
        [vehicle("CHEAP", tariff=CHEAP), vehicle("DEAR", tariff=DEAR)],
    )
    _, result = solve_checked(plan)
    assert route_of(result, "P1") == "DEAR"
    assert route_of(result, "P2") in {"CHEAP", "DEAR"}


def test_excluded_vehicles_bind_in_both_directions() -> None:
    plan = make_plan(
        [passenger("P1", home(0.01), excluded_vehicles=frozenset({"CHEAP"}))],
        [vehicle("CHEAP", tariff=CHEAP), vehicle("DEAR", tariff=DEAR)],
    )
    for direction in Direction:
        _, result = solve_checked(plan, direction)
        assert route_of(result, "P1") == "DEAR"


def test_no_allowed_vehicle_that_day_gives_its_reason_and_names_the_vehicle() -> None:
    """P1 may only ride V2, which drives on Tuesdays: unassigned on Monday, served Tuesday."""
    plan = make_plan(
        [
            passenger("P1", home(0.01), allowed_vehicles=frozenset({"V2"})),
            passenger("P2", home(0.02)),
        ],
        [vehicle("V1"), vehicle("V2", days=frozenset({"tue"}))],
    )
    _, monday = solve_checked(plan)
    assert reasons(monday) == {"P1": Reason.NO_ALLOWED_VEHICLE}
    assert "V2" in monday.unassigned[0].hint
    _, tuesday = solve_checked(plan, day="tue")
    assert tuesday.unassigned == ()
    assert route_of(tuesday, "P1") == "V2"


def test_excluding_every_vehicle_of_the_day_gives_no_allowed_vehicle() -> None:
    plan = make_plan(
        [passenger("P1", home(0.01), excluded_vehicles=frozenset({"V1"}))],
        [vehicle("V1"), vehicle("V2", days=frozenset({"tue"}))],
    )
    _, result = solve_checked(plan)
    assert reasons(result) == {"P1": Reason.NO_ALLOWED_VEHICLE}
    assert "excluded_vehicles" in result.unassigned[0].hint


def test_allowed_vehicles_are_screened_before_wheelchair_places() -> None:
    """The only vehicle P1 may ride has no wheelchair place, although another one has."""
    plan = make_plan(
        [
            passenger(
                "P1",
                home(0.01),
                mobility=Mobility.WHEELCHAIR,
                allowed_vehicles=frozenset({"CAR"}),
            )
        ],
        [vehicle("CAR"), vehicle("VAN", wheelchair_places=1)],
    )
    _, result = solve_checked(plan)
    assert reasons(result) == {"P1": Reason.NO_WHEELCHAIR_VEHICLE}


# --- riding alone --------------------------------------------------------------------------


def neighbours(ride_alone: bool, escorts: int = 0) -> list:  # type: ignore[type-arg]
    return [
        passenger("P1", home(0.01), ride_alone=ride_alone, num_escorts=escorts),
        passenger("P2", home(0.0105)),
        passenger("P3", home(0.011)),
    ]


def test_ride_alone_holds_the_others_share_a_vehicle() -> None:
    """Without the rule the three neighbours share one vehicle."""
    plan = make_plan(neighbours(False), [vehicle("V1"), vehicle("V2")])
    _, result = solve_checked(plan)
    assert len(result.routes) == 1


def test_ride_alone_binds_nobody_else_is_aboard_with_the_passenger() -> None:
    plan = make_plan(
        neighbours(True, escorts=2),
        [vehicle("V1"), vehicle("V2")],
        centres=[centre(arrival=(hm(8, 30), hm(8, 35)))],
    )
    _, result = solve_checked(plan)
    assert result.unassigned == ()
    for _, aboard in aboard_after_each_stop(result):
        assert "P1" not in aboard or aboard == {"P1"}
    assert route_of(result, "P1") != route_of(result, "P2")
    p1_pickup = next(s for r in result.routes for s in r.stops if "P1" in s.pickups)
    assert p1_pickup.load_seats == 3  # the passenger and both escorts


def test_ride_alone_may_reuse_the_vehicle_after_the_drop_off() -> None:
    """One vehicle and a wide arrival window: P1 rides first (or last), alone, same vehicle."""
    plan = make_plan(
        [passenger("P1", home(0.01), ride_alone=True), passenger("P2", home(0.011))],
        [vehicle("V1")],
        centres=[centre(arrival=(hm(8), hm(9, 30)))],
    )
    _, result = solve_checked(plan)
    assert result.unassigned == ()
    assert len(result.routes) == 1
    for _, aboard in aboard_after_each_stop(result):
        assert "P1" not in aboard or aboard == {"P1"}


def test_ride_alone_without_a_vehicle_to_spare_leaves_someone_unserved() -> None:
    """One vehicle, a five-minute window: P1 and P2 cannot both arrive, P1 must ride alone."""
    plan = make_plan(
        [passenger("P1", home(0.03), ride_alone=True), passenger("P2", home(-0.03))],
        [vehicle("V1")],
        centres=[centre(arrival=(hm(8, 30), hm(8, 35)))],
    )
    _, result = solve_checked(plan)
    assert len(result.unassigned) == 1
    (left,) = result.unassigned
    assert left.reason is Reason.FLEET_EXHAUSTED
    if left.passenger_id == "P1":
        assert "ride alone" in left.hint


# --- incompatible pairs --------------------------------------------------------------------


def test_incompatible_pair_holds_others_still_share() -> None:
    """P1 and P2 must not meet; P3 may ride with either of them."""
    plan = make_plan(
        neighbours(False),
        [vehicle("V1"), vehicle("V2")],
        incompatible_pairs=(("P1", "P2"),),
    )
    _, result = solve_checked(plan)
    assert result.unassigned == ()
    together = [aboard for _, aboard in aboard_after_each_stop(result)]
    assert not any({"P1", "P2"} <= aboard for aboard in together)
    assert any(len(aboard) >= 2 for aboard in together)


def test_incompatible_pair_binds_neighbours_ride_apart() -> None:
    """Without the pair P1 and P2 share one vehicle; with it, they are never aboard together."""
    riders = [passenger("P1", home(0.01)), passenger("P2", home(0.0105))]
    fleet = [vehicle("V1"), vehicle("V2")]
    narrow = [centre(arrival=(hm(8, 30), hm(8, 35)))]
    _, shared = solve_checked(make_plan(riders, fleet, narrow))
    assert len(shared.routes) == 1
    plan = make_plan(riders, fleet, narrow, incompatible_pairs=(("P2", "P1"),))
    for direction in Direction:
        _, result = solve_checked(plan, direction)
        assert result.unassigned == ()
        assert not any({"P1", "P2"} <= aboard for _, aboard in aboard_after_each_stop(result))


def test_incompatible_pair_naming_someone_away_that_day_is_harmless() -> None:
    plan = make_plan(
        [passenger("P1", home(0.01)), passenger("P2", home(0.0105), days=frozenset({"tue"}))],
        [vehicle("V1")],
        incompatible_pairs=(("P1", "P2"),),
    )
    _, result = solve_checked(plan)
    assert result.unassigned == ()


# --- escorts in the afternoon --------------------------------------------------------------


def test_escorts_from_centre_default_to_the_morning_escorts() -> None:
    plan = make_plan([passenger("P1", home(0.01), num_escorts=1)], [vehicle(seats=2)])
    for direction in Direction:
        _, result = solve_checked(plan, direction)
        assert max(s.load_seats for s in result.routes[0].stops) == 2


def test_escorts_from_centre_bind_fewer_seats_in_the_afternoon() -> None:
    """Two escorts in the morning (3 seats), none in the afternoon: a 2-seat car does only
    the afternoon."""
    plan = make_plan(
        [passenger("P1", home(0.01), num_escorts=2, num_escorts_from_centre=0)],
        [vehicle(seats=2)],
    )
    _, morning = solve_checked(plan)
    assert reasons(morning) == {"P1": Reason.TOO_MANY_SEATS}
    _, afternoon = solve_checked(plan, Direction.FROM_CENTRE)
    assert afternoon.unassigned == ()
    assert max(s.load_seats for s in afternoon.routes[0].stops) == 1


# --- one boarding time per shared address --------------------------------------------------


def test_visits_at_one_address_share_the_longest_service() -> None:
    """Transit within an address is what is left of the longer service; never below it."""
    group = home(0.01)
    window = centre().hours["mon"].arrival
    visits = [
        Visit(VisitKind.PICKUP, group, 0, 180, window),
        Visit(VisitKind.PICKUP, group, 0, 60, window),
        Visit(VisitKind.PICKUP, home(0.02), 1, 60, window),
    ]
    durations = np.array([[0, 0, 100], [0, 0, 100], [100, 100, 0]], dtype=np.int64)
    transit = visit_transits(visits, durations)
    assert transit[0, 1] == 120  # 180 - 60: the stop lasts 120 + 60 = 180
    assert transit[1, 0] == 0  # the shorter first: the stop lasts 0 + 180
    assert transit[1, 2] == 60 + 100  # leaving the address: own service plus the drive
    assert transit[2, 0] == 60 + 100


def test_shared_boarding_holds_separate_addresses_board_one_by_one() -> None:
    plan = make_plan(
        [
            passenger("P1", home(0.01), mobility=Mobility.WHEELCHAIR),
            passenger("P2", home(0.012), mobility=Mobility.WHEELCHAIR),
        ],
        [vehicle(wheelchair_places=2)],
    )
    _, result = solve_checked(plan)
    pickups = [s for s in result.routes[0].stops if s.pickups]
    assert len(pickups) == 2
    assert all(s.departure_s - s.arrival_s >= 180 for s in pickups)


def test_shared_boarding_binds_a_group_home_takes_the_longest_boarding_once() -> None:
    """Three residents of one group home (180, 180 and 60 s to board) board in 180 s."""
    group = home(0.02)
    plan = make_plan(
        [
            passenger("P1", group, mobility=Mobility.WHEELCHAIR),
            passenger("P2", group, mobility=Mobility.WHEELCHAIR),
            passenger("P3", group),
        ],
        [vehicle(wheelchair_places=2)],
    )
    for direction in Direction:
        _, result = solve_checked(plan, direction)
        (route,) = result.routes
        (shared,) = [s for s in route.stops if s.location == group]
        assert set(shared.pickups + shared.dropoffs) == {"P1", "P2", "P3"}
        # Wheelchairs board in 180 s and alight in 120 s; walking takes less either way.
        at_home, at_the_centre = (180, 120) if direction is Direction.TO_CENTRE else (120, 180)
        assert shared.departure_s - shared.arrival_s == at_home
        (at_centre,) = [s for s in route.stops if s.location == CENTRE_A]
        assert at_centre.departure_s - at_centre.arrival_s == at_the_centre


# --- several trips in one morning ----------------------------------------------------------


def two_rounds_morning(settings: Settings | None = None) -> WeekPlan:
    """A two-seat car, two rounds: P1 and P2 to A (08:30), then P3 and P4 to B (09:15)."""
    return make_plan(
        [
            passenger("P1", home(0.01), "A"),
            passenger("P2", home(0.011), "A"),
            passenger("P3", home(0.012, 0.01), "B"),
            passenger("P4", home(0.013, 0.01), "B"),
        ],
        [vehicle("V1", seats=2)],
        centres=[
            centre("A", arrival=(hm(8, 30), hm(8, 40))),
            centre("B", CENTRE_B, arrival=(hm(9, 15), hm(9, 25))),
        ],
        settings=settings or Settings(),
    )


def test_one_vehicle_drives_two_rounds_to_centres_opening_at_different_times() -> None:
    """A two-seat car brings P1 and P2 to A (08:30) and then P3 and P4 to B (09:15)."""
    plan = two_rounds_morning()
    _, result = solve_checked(plan)
    assert result.unassigned == ()
    (route,) = result.routes
    centre_stops = [s for s in route.stops if s.centre_id is not None]
    assert [s.centre_id for s in centre_stops] == ["A", "B"]
    assert hm(8, 30) <= centre_stops[0].arrival_s <= hm(8, 40)
    assert hm(9, 15) <= centre_stops[1].arrival_s <= hm(9, 25)
    first_round_over = route.stops.index(centre_stops[0])
    assert route.stops[first_round_over].load_seats == 0
    later_pickups = {p for s in route.stops[first_round_over:] for p in s.pickups}
    assert later_pickups == {"P3", "P4"}


# --- the same vehicle both ways ------------------------------------------------------------


def escorted_home_week(same_vehicle: bool) -> WeekPlan:
    """P1 comes with three escorts (4 seats: only the dear van fits) and goes home with
    none (the cheap car would do)."""
    return make_plan(
        [passenger("P1", home(0.01), num_escorts=3, num_escorts_from_centre=0)],
        [vehicle("VAN", seats=4, tariff=DEAR), vehicle("CAR", seats=3, tariff=CHEAP)],
        settings=Settings(time_limit_s=4.0, same_vehicle_both_ways=same_vehicle),
    )


def solve_monday(plan: WeekPlan) -> WeekResult:
    result, matrices = solve_week(plan, StraightNetwork(), days=["mon"], workers=1)
    assert check_week(plan, result, matrices) == []
    return result


def vehicle_of(result: WeekResult, direction: Direction, pid: str) -> str:
    (day_result,) = [r for r in result.plans if r.direction is direction]
    return route_of(day_result, pid)


def test_same_vehicle_both_ways_off_lets_the_afternoon_take_the_cheap_car() -> None:
    result = solve_monday(escorted_home_week(False))
    assert vehicle_of(result, Direction.TO_CENTRE, "P1") == "VAN"
    assert vehicle_of(result, Direction.FROM_CENTRE, "P1") == "CAR"


def test_same_vehicle_both_ways_binds_the_afternoon_to_the_morning_van() -> None:
    result = solve_monday(escorted_home_week(True))
    assert vehicle_of(result, Direction.TO_CENTRE, "P1") == "VAN"
    assert vehicle_of(result, Direction.FROM_CENTRE, "P1") == "VAN"


def test_same_vehicle_both_ways_leaves_out_whom_the_morning_vehicle_cannot_take_home() -> None:
    """The van's driver goes home at 14:00: P1 cannot be taken home in it, and is not moved."""
    plan = escorted_home_week(True)
    van = replace(plan.vehicles[0], shift=TimeWindow(hm(6), hm(14)))
    result = solve_monday(plan.replace(vehicles=(van, plan.vehicles[1])))
    (afternoon,) = [r for r in result.plans if r.direction is Direction.FROM_CENTRE]
    assert reasons(afternoon) == {"P1": Reason.FLEET_EXHAUSTED}
    assert "VAN" in afternoon.unassigned[0].hint


# --- flip-seat layouts ---------------------------------------------------------------------

MINIBUS_LAYOUTS = (SeatingLayout(8, 0), SeatingLayout(6, 1), SeatingLayout(4, 2))


def mixed_group(num_walking: int, num_wheelchairs: int) -> list:  # type: ignore[type-arg]
    walking = [passenger(f"W{i}", home(0.01, 0.001 * i)) for i in range(num_walking)]
    wheelchairs = [
        passenger(f"C{i}", home(0.012, 0.001 * i), mobility=Mobility.WHEELCHAIR)
        for i in range(num_wheelchairs)
    ]
    return walking + wheelchairs


def test_layouts_hold_unchosen_the_vehicle_keeps_its_seats() -> None:
    """Without choose_layouts an 8+0 minibus carries no wheelchair and reports no layout."""
    plan = make_plan(mixed_group(2, 1), [vehicle("BUS", layouts=MINIBUS_LAYOUTS)])
    _, result = solve_checked(plan)
    assert reasons(result) == {"C0": Reason.NO_WHEELCHAIR_VEHICLE}
    assert [r.layout for r in result.routes] == [None]


def test_layouts_bind_the_solver_folds_seats_for_two_wheelchairs() -> None:
    plan = make_plan(
        mixed_group(3, 2),
        [vehicle("BUS", layouts=MINIBUS_LAYOUTS)],
        settings=Settings(choose_layouts=True),
    )
    for direction in Direction:
        _, result = solve_checked(plan, direction)
        assert result.unassigned == ()
        (route,) = result.routes
        assert route.layout in MINIBUS_LAYOUTS
        assert route.layout is not None and route.layout.wheelchair_places >= 2
        assert max(s.load_wheelchair_places for s in route.stops) <= route.layout.wheelchair_places


def test_layouts_bind_one_layout_per_route_not_one_route_per_layout() -> None:
    """Six walking and two wheelchair passengers, one trip's time: 8+0 or 4+2, not both."""
    plan = make_plan(
        mixed_group(6, 2),
        [vehicle("BUS", layouts=(SeatingLayout(8, 0), SeatingLayout(4, 2)))],
        centres=[centre(arrival=(hm(8, 30), hm(8, 32)))],
        settings=Settings(choose_layouts=True),
    )
    _, result = solve_checked(plan)
    assert len(result.routes) == 1
    assert len(result.unassigned) == 2
    assert {u.reason for u in result.unassigned} == {Reason.FLEET_EXHAUSTED}


# --- drivers' breaks -----------------------------------------------------------------------

SHORT_BREAKS = BreakRule(duration_s=600, max_work_s=40 * 60)  # 10 min within every 40 min


def work_stretches(route: Route) -> list[int]:
    """Seconds worked from the route's start to each break, between them, and to its end."""
    stretches, resumed = [], route.stops[0].departure_s
    for taken in route.breaks:
        stretches.append(taken.start_s - resumed)
        resumed = taken.start_s + taken.duration_s
    return [*stretches, route.stops[-1].arrival_s - resumed]


def test_driver_breaks_hold_a_short_route_takes_none() -> None:
    plan = make_plan(
        [passenger("P1", home(0.01))], [vehicle()], settings=Settings(driver_break=SHORT_BREAKS)
    )
    _, result = solve_checked(plan)
    (route,) = result.routes
    assert route.breaks == ()
    assert route.duration_s <= SHORT_BREAKS.max_work_s


def test_driver_breaks_bind_two_rounds_take_a_break_between_them() -> None:
    """The two-round morning lasts over 40 min: the driver breaks, and no stretch is longer."""
    plan = two_rounds_morning(Settings(driver_break=SHORT_BREAKS))
    _, result = solve_checked(plan)
    assert result.unassigned == ()
    (route,) = result.routes
    assert route.duration_s > SHORT_BREAKS.max_work_s
    assert route.breaks
    assert all(b.duration_s == SHORT_BREAKS.duration_s for b in route.breaks)
    assert max(work_stretches(route)) <= SHORT_BREAKS.max_work_s


def two_centres_one_departure(same_vehicle: bool) -> WeekPlan:
    """The cheap car brings P1 to A (08:30) and then P3 to B (09:15); both centres let
    passengers go at 15:00 sharp, so no one vehicle can take both home."""
    return make_plan(
        [passenger("P1", home(0.01), "A"), passenger("P3", home(0.012, 0.01), "B")],
        [vehicle("V1", tariff=CHEAP), vehicle("V2", tariff=DEAR)],
        centres=[
            centre("A", arrival=(hm(8, 30), hm(8, 35)), departure=(hm(15), hm(15))),
            centre("B", CENTRE_B, arrival=(hm(9, 15), hm(9, 20)), departure=(hm(15), hm(15))),
        ],
        settings=Settings(time_limit_s=6.0, same_vehicle_both_ways=same_vehicle),
    )


def test_same_vehicle_both_ways_moves_a_stranded_passenger_to_another_vehicle_both_ways(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = solve_monday(two_centres_one_departure(True))
    assert all(day.unassigned == () for day in result.plans)
    for pid in ("P1", "P3"):
        assert vehicle_of(result, Direction.TO_CENTRE, pid) == vehicle_of(
            result, Direction.FROM_CENTRE, pid
        )
    assert vehicle_of(result, Direction.TO_CENTRE, "P1") != vehicle_of(
        result, Direction.TO_CENTRE, "P3"
    )
    # Without that second pass, the morning's one-car plan strands someone at a centre.
    monkeypatch.setattr(
        week_module,
        "_bring_stranded_home",
        lambda problems, plans, kept, *_: (list(problems), list(plans), list(kept)),
    )
    stranded = solve_monday(two_centres_one_departure(True))
    (afternoon,) = [r for r in stranded.plans if r.direction is Direction.FROM_CENTRE]
    assert len(afternoon.unassigned) == 1


# --- wheelchair set-downs at a centre entrance -----------------------------------------------


def two_wheelchairs_two_vans(limit: int | None, arrival: tuple[int, int]) -> WeekPlan:
    """Two wheelchair users from neighbouring homes, a one-place van each, one centre."""
    return make_plan(
        [
            passenger("C1", home(0.01), mobility=Mobility.WHEELCHAIR),
            passenger("C2", home(0.01, 0.002), mobility=Mobility.WHEELCHAIR),
        ],
        [vehicle("V1", seats=0, wheelchair_places=1), vehicle("V2", seats=0, wheelchair_places=1)],
        centres=[replace(centre(arrival=arrival), max_wheelchair_dropoffs=limit)],
    )


def set_downs(result: DayResult) -> list[tuple[int, int]]:
    """(arrival, departure) of every centre stop, in time order."""
    return sorted(
        (s.arrival_s, s.departure_s)
        for r in result.routes
        for s in r.stops
        if s.centre_id is not None
    )


def test_entrance_limit_holds_both_set_downs_fit_one_after_the_other() -> None:
    _, result = solve_checked(two_wheelchairs_two_vans(1, (hm(8, 30), hm(9))))
    assert result.unassigned == ()
    (first, second) = set_downs(result)
    assert second[0] >= first[1]  # the second van sets down once the first is done
    for direction in Direction:  # afternoon pickups at the centre are not limited
        solve_checked(two_wheelchairs_two_vans(1, (hm(8, 30), hm(9))), direction)


def test_entrance_limit_binds_two_set_downs_do_not_fit_a_one_minute_window() -> None:
    """Alighting in a wheelchair takes 2 min: with one ramp only one fits 08:30-08:31."""
    _, free = solve_checked(two_wheelchairs_two_vans(None, (hm(8, 30), hm(8, 31))))
    assert free.unassigned == ()
    (first, second) = set_downs(free)
    assert second[0] < first[1]  # unlimited, the two set-downs overlap
    _, two_ramps = solve_checked(two_wheelchairs_two_vans(2, (hm(8, 30), hm(8, 31))))
    assert two_ramps.unassigned == ()
    _, one_ramp = solve_checked(two_wheelchairs_two_vans(1, (hm(8, 30), hm(8, 31))))
    assert len(one_ramp.unassigned) == 1
    assert len(set_downs(one_ramp)) == 1


def test_entrance_limit_binds_within_one_vehicle_each_set_down_is_a_stop() -> None:
    plan = make_plan(
        [
            passenger("C1", home(0.01), mobility=Mobility.WHEELCHAIR),
            passenger("C2", home(0.01, 0.002), mobility=Mobility.WHEELCHAIR),
            passenger("W1", home(0.01, 0.001)),
        ],
        [vehicle("V1", seats=4, wheelchair_places=2)],
        centres=[replace(centre(), max_wheelchair_dropoffs=1)],
    )
    _, result = solve_checked(plan)
    assert result.unassigned == ()
    (route,) = result.routes
    at_centre = [s for s in route.stops if s.centre_id is not None]
    with_wheelchair = [s for s in at_centre if {"C1", "C2"} & set(s.dropoffs)]
    assert sorted(len(s.dropoffs) for s in with_wheelchair) == [1, 1]
    for before, after in itertools.pairwise(at_centre):
        assert after.arrival_s >= before.departure_s


def test_checker_reports_overlapping_set_downs_at_a_limited_entrance() -> None:
    _, free = solve_checked(two_wheelchairs_two_vans(None, (hm(8, 30), hm(8, 31))))
    limited = two_wheelchairs_two_vans(1, (hm(8, 30), hm(8, 31)))
    problem = limited.day_problem("mon", Direction.TO_CENTRE)
    violations = check_day(problem, free, plan_matrices(limited))
    assert [v.code for v in violations] == ["CHECK_WHEELCHAIR_ENTRANCE"]
    assert "centre A" in violations[0].message
