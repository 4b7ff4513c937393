"""Tests for solver.check: the independent checker, on hand-built routes (no OR-Tools).

The fixtures use a fake road network: Manhattan distance on latitude/longitude, 100 000 m per
degree, driven at 10 m/s, so 0.01 degree is 1 000 m and 100 s. The valid routes' times were
worked out by hand from it and the default service times:

    boarding:  A (walking) 60 s; B (wheelchair, one escort) 180 + 15 = 195 s
    alighting: A 45 s;            B 120 + 15 = 135 s
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from solver.check import CHECK_CODES, Violation, advise_day, check_day, check_week
from solver.domain import (
    DAYS,
    BreakRule,
    Centre,
    CentreHours,
    DayProblem,
    DayResult,
    Direction,
    DriverBreak,
    Kpis,
    LatLon,
    MaxRideRule,
    Mobility,
    Passenger,
    Reason,
    Route,
    SeatingLayout,
    Settings,
    Stop,
    StopKind,
    TimeWindow,
    Unassigned,
    Vehicle,
    WeekPlan,
    WeekResult,
)

METRES_PER_DEGREE = 100_000
SPEED_M_PER_S = 10


class ManhattanTravel:
    """Fake travel oracle: Manhattan distance in degrees, scaled to metres, at 10 m/s."""

    def distance_m(self, a: LatLon, b: LatLon) -> int:
        return round((abs(a.lat - b.lat) + abs(a.lon - b.lon)) * METRES_PER_DEGREE)

    def duration_s(self, a: LatLon, b: LatLon) -> int:
        return round(self.distance_m(a, b) / SPEED_M_PER_S)


TRAVEL = ManhattanTravel()

DEPOT = LatLon(60.00, 5.00)
HOME_A = LatLon(60.01, 5.00)  # 1 000 m from the depot
HOME_B = LatLon(60.01, 5.02)  # 2 000 m from A
CENTRE_LOCATION = LatLon(60.03, 5.02)  # 2 000 m from B, 4 000 m from A, 5 000 m from the depot

HOURS = CentreHours(
    arrival=TimeWindow(7 * 3600 + 30 * 60, 9 * 3600),  # 07:30-09:00
    departure=TimeWindow(15 * 3600, 16 * 3600),  # 15:00-16:00
)
CENTRE = Centre("C1", "Sentrum", CENTRE_LOCATION, {day: HOURS for day in DAYS})
ALL_DAYS = frozenset(DAYS)

PASSENGER_A = Passenger("A", HOME_A, "C1", ALL_DAYS)
PASSENGER_B = Passenger("B", HOME_B, "C1", ALL_DAYS, mobility=Mobility.WHEELCHAIR, num_escorts=1)
PASSENGER_C = Passenger("C", LatLon(60.02, 5.00), "C1", ALL_DAYS)

VEHICLE = Vehicle(
    "V1",
    DEPOT,
    seats=4,
    wheelchair_places=1,
    days=ALL_DAYS,
    shift=TimeWindow(7 * 3600, 17 * 3600),  # 07:00-17:00
)
VEHICLE_2 = replace(VEHICLE, vehicle_id="V2")

DEFAULT_SETTINGS = Settings()
KPIS = Kpis(0, 0, 0, 0, 0, 0.0, 0.0, 0, 0.0)


def day_problem(
    direction: Direction,
    passengers: tuple[Passenger, ...] = (PASSENGER_A, PASSENGER_B),
    vehicles: tuple[Vehicle, ...] = (VEHICLE,),
    centres: tuple[Centre, ...] = (CENTRE,),
    settings: Settings = DEFAULT_SETTINGS,
) -> DayProblem:
    return DayProblem("mon", direction, centres, passengers, vehicles, settings)


def day_result(
    direction: Direction,
    routes: tuple[Route, ...],
    unassigned: tuple[Unassigned, ...] = (),
) -> DayResult:
    return DayResult("mon", direction, routes, unassigned, KPIS)


def depot_stop(t_s: int, seats: int = 0, wheelchairs: int = 0) -> Stop:
    return Stop(StopKind.DEPOT, DEPOT, t_s, t_s, (), (), seats, wheelchairs)


# Two passengers, one in a wheelchair with an escort, one centre, one vehicle, morning:
# depot 07:30 -> home A -> home B -> centre -> depot.
MORNING_ROUTE = Route(
    "V1",
    (
        depot_stop(27000),
        Stop(StopKind.HOME, HOME_A, 27100, 27160, pickups=("A",), load_seats=1),
        Stop(
            StopKind.HOME,
            HOME_B,
            27360,
            27555,
            pickups=("B",),
            load_seats=2,
            load_wheelchair_places=1,
        ),
        Stop(StopKind.CENTRE, CENTRE_LOCATION, 27755, 27935, dropoffs=("A", "B"), centre_id="C1"),
        depot_stop(28435),
    ),
    distance_m=10_000,
    duration_s=1435,
    cost=0.0,
)
MORNING = day_result(Direction.TO_CENTRE, (MORNING_ROUTE,))

# The same two passengers in the afternoon: depot 15:00 -> centre -> home B -> home A -> depot.
AFTERNOON_ROUTE = Route(
    "V1",
    (
        depot_stop(54000),
        Stop(
            StopKind.CENTRE,
            CENTRE_LOCATION,
            54500,
            54755,
            pickups=("A", "B"),
            load_seats=2,
            load_wheelchair_places=1,
            centre_id="C1",
        ),
        Stop(StopKind.HOME, HOME_B, 54955, 55090, dropoffs=("B",), load_seats=1),
        Stop(StopKind.HOME, HOME_A, 55290, 55335, dropoffs=("A",)),
        depot_stop(55435),
    ),
    distance_m=10_000,
    duration_s=1435,
    cost=0.0,
)
AFTERNOON = day_result(Direction.FROM_CENTRE, (AFTERNOON_ROUTE,))


def replace_stop(result: DayResult, stop_index: int, **changes: object) -> DayResult:
    """A copy of a one-route result with one stop's fields changed."""
    (route,) = result.routes
    stops = list(route.stops)
    stops[stop_index] = replace(stops[stop_index], **changes)  # type: ignore[arg-type]
    return replace(result, routes=(replace(route, stops=tuple(stops)),))


def replace_route(result: DayResult, **changes: object) -> DayResult:
    """A copy of a one-route result with the route's fields changed."""
    (route,) = result.routes
    return replace(result, routes=(replace(route, **changes),))  # type: ignore[arg-type]


def only(violations: list[Violation], code: str) -> Violation:
    """The single violation in ``violations``, asserting that it has ``code``."""
    assert [v.code for v in violations] == [code], violations
    return violations[0]


def assert_all(violations: list[Violation], code: str) -> None:
    """Every violation has ``code``, and there is at least one."""
    assert violations
    assert {v.code for v in violations} == {code}, violations


# ------------------------------------------------------------------------------ valid routes


def test_hand_built_morning_route_is_valid() -> None:
    assert check_day(day_problem(Direction.TO_CENTRE), MORNING, TRAVEL) == []


def test_hand_built_afternoon_route_is_valid() -> None:
    assert check_day(day_problem(Direction.FROM_CENTRE), AFTERNOON, TRAVEL) == []


def test_a_route_may_end_at_the_last_drop_off_without_return_to_depot() -> None:
    problem = day_problem(Direction.TO_CENTRE, settings=Settings(return_to_depot=False))
    result = replace_route(
        MORNING, stops=MORNING_ROUTE.stops[:-1], distance_m=5_000, duration_s=755
    )
    assert check_day(problem, result, TRAVEL) == []


def test_an_unassigned_passenger_with_reason_and_hint_is_covered() -> None:
    problem = day_problem(Direction.TO_CENTRE, passengers=(PASSENGER_A, PASSENGER_B, PASSENGER_C))
    unassigned = (Unassigned("C", Reason.FLEET_EXHAUSTED, "Add a vehicle on Monday."),)
    result = replace(MORNING, unassigned=unassigned)
    assert check_day(problem, result, TRAVEL) == []


def test_waiting_before_service_and_slow_departure_are_allowed() -> None:
    # Arrive at B 60 s later than the earliest possible and leave the centre 30 s late.
    result = replace_stop(MORNING, 2, arrival_s=27420, departure_s=27615)
    result = replace_stop(result, 3, arrival_s=27815, departure_s=27995)
    result = replace_stop(result, 4, arrival_s=28495, departure_s=28495)
    result = replace_route(result, duration_s=1495)
    assert check_day(day_problem(Direction.TO_CENTRE), result, TRAVEL) == []


def test_times_within_the_tolerance_are_accepted() -> None:
    # Reaching home A one second early passes with the default tolerance, fails with none.
    result = replace_stop(MORNING, 1, arrival_s=27099)
    problem = day_problem(Direction.TO_CENTRE)
    assert check_day(problem, result, TRAVEL) == []
    only(check_day(problem, result, TRAVEL, tolerance_s=0), "CHECK_TRAVEL_TIME")


# ---------------------------------------------------------------------- one test per code


def test_result_for_another_day_is_reported() -> None:
    result = replace(MORNING, day="tue")
    only(check_day(day_problem(Direction.TO_CENTRE), result, TRAVEL), "CHECK_WRONG_DAY_DIRECTION")


def test_passenger_neither_served_nor_unassigned_is_missing() -> None:
    problem = day_problem(Direction.TO_CENTRE, passengers=(PASSENGER_A, PASSENGER_B, PASSENGER_C))
    violation = only(check_day(problem, MORNING, TRAVEL), "CHECK_PASSENGER_MISSING")
    assert violation.passenger_id == "C"
    assert "C" in violation.message


def test_passenger_served_and_unassigned_is_twice() -> None:
    unassigned = (Unassigned("A", Reason.NO_VEHICLE, "Add a vehicle."),)
    result = replace(MORNING, unassigned=unassigned)
    violation = only(
        check_day(day_problem(Direction.TO_CENTRE), result, TRAVEL), "CHECK_PASSENGER_TWICE"
    )
    assert violation.passenger_id == "A"


def test_passenger_picked_up_but_never_dropped_off_is_incomplete() -> None:
    # A stays on board: the centre stop drops off only B, and the loads say so.
    result = replace_stop(MORNING, 3, dropoffs=("B",), load_seats=1)
    result = replace_stop(result, 4, load_seats=1)
    violation = only(
        check_day(day_problem(Direction.TO_CENTRE), result, TRAVEL), "CHECK_INCOMPLETE_TRIP"
    )
    assert violation.passenger_id == "A"


def test_passenger_not_in_the_problem_is_unknown() -> None:
    unassigned = (Unassigned("GHOST", Reason.NO_VEHICLE, "Add a vehicle."),)
    result = replace(MORNING, unassigned=unassigned)
    violation = only(
        check_day(day_problem(Direction.TO_CENTRE), result, TRAVEL), "CHECK_UNKNOWN_PASSENGER"
    )
    assert violation.passenger_id == "GHOST"


def test_passenger_picked_up_but_not_in_the_problem_is_unknown() -> None:
    result = replace_stop(MORNING, 1, pickups=("A", "GHOST"))
    violation = only(
        check_day(day_problem(Direction.TO_CENTRE), result, TRAVEL), "CHECK_UNKNOWN_PASSENGER"
    )
    assert violation.passenger_id == "GHOST"


def test_vehicle_not_in_the_fleet_is_unknown() -> None:
    result = replace_route(MORNING, vehicle_id="V9")
    violation = only(
        check_day(day_problem(Direction.TO_CENTRE), result, TRAVEL), "CHECK_UNKNOWN_VEHICLE"
    )
    assert violation.vehicle_id == "V9"


def test_vehicle_that_does_not_drive_that_day_is_not_available() -> None:
    tuesday_only = replace(VEHICLE, days=frozenset({"tue"}))
    problem = day_problem(Direction.TO_CENTRE, vehicles=(tuesday_only,))
    violation = only(check_day(problem, MORNING, TRAVEL), "CHECK_VEHICLE_NOT_AVAILABLE")
    assert violation.vehicle_id == "V1"


def test_vehicle_driving_two_routes_is_reported() -> None:
    idle = Route("V1", (depot_stop(30000), depot_stop(30000)), 0, 0, 0.0)
    result = replace(MORNING, routes=(MORNING_ROUTE, idle))
    violation = only(
        check_day(day_problem(Direction.TO_CENTRE), result, TRAVEL), "CHECK_VEHICLE_TWICE"
    )
    assert violation.vehicle_id == "V1"


def test_route_starting_away_from_the_vehicle_depot_is_reported() -> None:
    moved = replace(VEHICLE, depot=LatLon(60.5, 5.5))
    problem = day_problem(Direction.TO_CENTRE, vehicles=(moved,))
    violations = check_day(problem, MORNING, TRAVEL)
    assert_all(violations, "CHECK_DEPOT")  # both depot stops
    assert all(v.vehicle_id == "V1" for v in violations)


def test_route_not_returning_to_depot_is_reported_when_it_must() -> None:
    result = replace_route(
        MORNING, stops=MORNING_ROUTE.stops[:-1], distance_m=5_000, duration_s=755
    )
    violation = only(check_day(day_problem(Direction.TO_CENTRE), result, TRAVEL), "CHECK_DEPOT")
    assert violation.vehicle_id == "V1"


def test_route_with_no_stops_is_reported() -> None:
    result = replace_route(MORNING, stops=(), distance_m=0, duration_s=0)
    problem = day_problem(Direction.TO_CENTRE, passengers=())
    only(check_day(problem, result, TRAVEL), "CHECK_DEPOT")


def test_route_starting_at_a_home_instead_of_the_depot_is_reported() -> None:
    result = replace_route(
        MORNING, stops=MORNING_ROUTE.stops[1:], distance_m=9_000, duration_s=28435 - 27160
    )
    violation = only(check_day(day_problem(Direction.TO_CENTRE), result, TRAVEL), "CHECK_DEPOT")
    assert "start" in violation.message


def test_depot_stop_in_the_middle_of_a_route_is_reported() -> None:
    result = replace_route(MORNING, stops=(*MORNING_ROUTE.stops, depot_stop(28435)))
    violation = only(check_day(day_problem(Direction.TO_CENTRE), result, TRAVEL), "CHECK_DEPOT")
    assert "stop 4" in violation.message


def test_returning_to_depot_when_routes_end_at_the_last_drop_off_is_reported() -> None:
    problem = day_problem(Direction.TO_CENTRE, settings=Settings(return_to_depot=False))
    only(check_day(problem, MORNING, TRAVEL), "CHECK_DEPOT")


def test_depot_stop_picking_up_a_passenger_is_reported() -> None:
    # Z lives at the depot address; the route picks Z up at its (depot) first stop.
    at_depot = Passenger("Z", DEPOT, "C1", ALL_DAYS)
    route = Route(
        "V1",
        (
            Stop(StopKind.DEPOT, DEPOT, 27000, 27060, pickups=("Z",), load_seats=1),
            Stop(StopKind.CENTRE, CENTRE_LOCATION, 27560, 27605, dropoffs=("Z",), centre_id="C1"),
            depot_stop(28105),
        ),
        distance_m=10_000,
        duration_s=1045,
        cost=0.0,
    )
    problem = day_problem(Direction.TO_CENTRE, passengers=(at_depot,))
    result = day_result(Direction.TO_CENTRE, (route,))
    violation = only(check_day(problem, result, TRAVEL), "CHECK_DEPOT")
    assert "Depot stop 0" in violation.message


def test_pickup_away_from_the_home_of_the_day_is_a_wrong_location() -> None:
    # On Mondays A leaves from another address; the route still goes to the usual one.
    elsewhere = replace(PASSENGER_A, home_exceptions={"mon": LatLon(60.01, 5.01)})
    problem = day_problem(Direction.TO_CENTRE, passengers=(elsewhere, PASSENGER_B))
    violation = only(check_day(problem, MORNING, TRAVEL), "CHECK_WRONG_LOCATION")
    assert (violation.passenger_id, violation.vehicle_id) == ("A", "V1")


def test_drop_off_away_from_the_centre_is_a_wrong_location() -> None:
    moved = replace(CENTRE, location=LatLon(60.04, 5.02))
    problem = day_problem(Direction.TO_CENTRE, centres=(moved,))
    violations = check_day(problem, MORNING, TRAVEL)
    assert_all(violations, "CHECK_WRONG_LOCATION")
    assert {v.passenger_id for v in violations} == {"A", "B"}


def test_home_pickup_at_a_centre_kind_stop_is_reported() -> None:
    result = replace_stop(MORNING, 1, kind=StopKind.CENTRE)
    violation = only(check_day(day_problem(Direction.TO_CENTRE), result, TRAVEL), "CHECK_STOP_KIND")
    assert violation.vehicle_id == "V1"


def test_centre_stop_naming_another_centre_is_reported() -> None:
    result = replace_stop(MORNING, 3, centre_id="C9")
    violation = only(check_day(day_problem(Direction.TO_CENTRE), result, TRAVEL), "CHECK_STOP_KIND")
    assert "C9" in violation.message


def test_stop_serving_nobody_is_reported() -> None:
    # An extra stop at A's home, right after the pickup there, that does nothing.
    (route,) = MORNING.routes
    idle = Stop(StopKind.HOME, HOME_A, 27160, 27160, load_seats=1)
    stops = (*route.stops[:2], idle, *route.stops[2:])
    result = replace_route(MORNING, stops=stops)
    violation = only(
        check_day(day_problem(Direction.TO_CENTRE), result, TRAVEL), "CHECK_EMPTY_STOP"
    )
    assert violation.vehicle_id == "V1"


def test_drop_off_before_pickup_is_reported() -> None:
    # depot -> centre (drops A off) -> home A (picks A up) -> home B -> centre (B) -> depot.
    route = Route(
        "V1",
        (
            depot_stop(27000),
            Stop(
                StopKind.CENTRE,
                CENTRE_LOCATION,
                27500,
                27545,
                dropoffs=("A",),
                load_seats=-1,
                centre_id="C1",
            ),
            Stop(StopKind.HOME, HOME_A, 27945, 28005, pickups=("A",)),
            Stop(
                StopKind.HOME,
                HOME_B,
                28205,
                28400,
                pickups=("B",),
                load_seats=1,
                load_wheelchair_places=1,
            ),
            Stop(StopKind.CENTRE, CENTRE_LOCATION, 28600, 28735, dropoffs=("B",), centre_id="C1"),
            depot_stop(29235),
        ),
        distance_m=18_000,
        duration_s=2235,
        cost=0.0,
    )
    result = day_result(Direction.TO_CENTRE, (route,))
    violation = only(
        check_day(day_problem(Direction.TO_CENTRE), result, TRAVEL), "CHECK_DROPOFF_BEFORE_PICKUP"
    )
    assert (violation.passenger_id, violation.vehicle_id) == ("A", "V1")


def test_pickup_and_drop_off_by_different_vehicles_is_reported() -> None:
    # V1 picks up A and B but drops off only B; V2 drops A off at the centre.
    first = Route(
        "V1",
        (
            *MORNING_ROUTE.stops[:3],  # depot, home A, home B
            Stop(
                StopKind.CENTRE,
                CENTRE_LOCATION,
                27755,
                27890,
                dropoffs=("B",),
                load_seats=1,
                centre_id="C1",
            ),
            depot_stop(28390, seats=1),
        ),
        distance_m=10_000,
        duration_s=1390,
        cost=0.0,
    )
    second = Route(
        "V2",
        (
            depot_stop(27000),
            Stop(
                StopKind.CENTRE,
                CENTRE_LOCATION,
                27500,
                27545,
                dropoffs=("A",),
                load_seats=-1,
                centre_id="C1",
            ),
            depot_stop(28045, seats=-1),
        ),
        distance_m=10_000,
        duration_s=1045,
        cost=0.0,
    )
    problem = day_problem(Direction.TO_CENTRE, vehicles=(VEHICLE, VEHICLE_2))
    result = day_result(Direction.TO_CENTRE, (first, second))
    violation = only(check_day(problem, result, TRAVEL), "CHECK_PICKUP_DROPOFF_DIFFERENT_VEHICLE")
    assert violation.passenger_id == "A"
    assert "V1" in violation.message and "V2" in violation.message


def test_arriving_sooner_than_the_drive_allows_is_reported() -> None:
    result = replace_stop(MORNING, 1, arrival_s=27050, departure_s=27110)
    violation = only(
        check_day(day_problem(Direction.TO_CENTRE), result, TRAVEL), "CHECK_TRAVEL_TIME"
    )
    assert violation.vehicle_id == "V1"


def test_leaving_before_boarding_ends_is_reported() -> None:
    # Boarding B and the escort takes 195 s; the vehicle leaves after 140 s.
    result = replace_stop(MORNING, 2, departure_s=27500)
    violation = only(
        check_day(day_problem(Direction.TO_CENTRE), result, TRAVEL), "CHECK_SERVICE_TIME"
    )
    assert violation.vehicle_id == "V1"


def test_arriving_at_the_centre_after_its_window_is_reported() -> None:
    early_close = replace(
        CENTRE,
        hours={
            day: replace(HOURS, arrival=TimeWindow(7 * 3600, 7 * 3600 + 40 * 60)) for day in DAYS
        },
    )
    problem = day_problem(Direction.TO_CENTRE, centres=(early_close,))
    violation = only(check_day(problem, MORNING, TRAVEL), "CHECK_CENTRE_WINDOW")
    assert violation.vehicle_id == "V1"
    assert "C1" in violation.message


def test_leaving_the_centre_before_its_departure_window_is_reported() -> None:
    late_start = replace(
        CENTRE,
        hours={day: replace(HOURS, departure=TimeWindow(55000, 57600)) for day in DAYS},
    )
    problem = day_problem(Direction.FROM_CENTRE, centres=(late_start,))
    violation = only(check_day(problem, AFTERNOON, TRAVEL), "CHECK_CENTRE_WINDOW")
    assert "C1" in violation.message


def test_serving_a_centre_on_a_closed_day_is_reported() -> None:
    closed_monday = replace(CENTRE, hours={day: HOURS for day in DAYS if day != "mon"})
    problem = day_problem(Direction.TO_CENTRE, centres=(closed_monday,))
    violation = only(check_day(problem, MORNING, TRAVEL), "CHECK_CENTRE_WINDOW")
    assert "closed" in violation.message


def test_pickup_before_earliest_pickup_is_reported() -> None:
    late_riser = replace(PASSENGER_A, earliest_pickup_s=27200)
    problem = day_problem(Direction.TO_CENTRE, passengers=(late_riser, PASSENGER_B))
    violation = only(check_day(problem, MORNING, TRAVEL), "CHECK_PASSENGER_WINDOW")
    assert violation.passenger_id == "A"


def test_drop_off_after_latest_drop_off_is_reported() -> None:
    early_home = replace(PASSENGER_A, latest_dropoff_s=55000)
    problem = day_problem(Direction.FROM_CENTRE, passengers=(early_home, PASSENGER_B))
    violation = only(check_day(problem, AFTERNOON, TRAVEL), "CHECK_PASSENGER_WINDOW")
    assert violation.passenger_id == "A"


def _own_window_checked(
    direction: Direction, result: DayResult, is_valid: bool, phrase: str, **window: int
) -> None:
    """Passenger A with ``window`` changed: accepted, or one ``CHECK_PASSENGER_WINDOW`` for A
    whose message names ``phrase``."""
    problem = day_problem(direction, passengers=(replace(PASSENGER_A, **window), PASSENGER_B))
    violations = check_day(problem, result, TRAVEL, tolerance_s=0)
    if is_valid:
        assert violations == []
        return
    violation = only(violations, "CHECK_PASSENGER_WINDOW")
    assert violation.passenger_id == "A"
    assert phrase in violation.message


@pytest.mark.parametrize(("latest_s", "is_valid"), [(27100, True), (27099, False)])
def test_pickup_after_latest_pickup_is_reported(latest_s: int, is_valid: bool) -> None:
    _own_window_checked(
        Direction.TO_CENTRE, MORNING, is_valid, "latest pickup", latest_pickup_s=latest_s
    )


def test_own_pickup_window_binds_at_the_centre_in_the_afternoon() -> None:
    """Own times apply in both directions: a latest pickup before the centre stop's start."""
    hurried = replace(PASSENGER_A, latest_pickup_s=54499)
    problem = day_problem(Direction.FROM_CENTRE, passengers=(hurried, PASSENGER_B))
    violation = only(check_day(problem, AFTERNOON, TRAVEL, tolerance_s=0), "CHECK_PASSENGER_WINDOW")
    assert violation.passenger_id == "A"


@pytest.mark.parametrize(("earliest_s", "is_valid"), [(55290, True), (55291, False)])
def test_drop_off_before_earliest_drop_off_is_reported(earliest_s: int, is_valid: bool) -> None:
    _own_window_checked(
        Direction.FROM_CENTRE,
        AFTERNOON,
        is_valid,
        "earliest drop-off",
        earliest_dropoff_s=earliest_s,
    )


@pytest.mark.parametrize(("earliest_s", "is_valid"), [(27890, True), (27891, False)])
def test_earliest_drop_off_at_the_centre_counts_from_the_passenger_own_alighting(
    earliest_s: int, is_valid: bool
) -> None:
    # At the centre stop (27755-27935) A may alight last, from 27935 - 45 = 27890.
    _own_window_checked(
        Direction.TO_CENTRE, MORNING, is_valid, "earliest drop-off", earliest_dropoff_s=earliest_s
    )


@pytest.mark.parametrize(("max_route_s", "is_valid"), [(1435, True), (1434, False)])
def test_route_longer_than_the_vehicle_max_route_is_reported(
    max_route_s: int, is_valid: bool
) -> None:
    limited = replace(VEHICLE, max_route_s=max_route_s)
    problem = day_problem(Direction.TO_CENTRE, vehicles=(limited,))
    violations = check_day(problem, MORNING, TRAVEL, tolerance_s=0)
    if is_valid:
        assert violations == []
    else:
        violation = only(violations, "CHECK_ROUTE_TOO_LONG")
        assert violation.vehicle_id == "V1"
        assert "1435 s" in violation.message


def test_starting_before_the_shift_is_reported() -> None:
    late_shift = replace(VEHICLE, shift=TimeWindow(27100, 61200))
    problem = day_problem(Direction.TO_CENTRE, vehicles=(late_shift,))
    violation = only(check_day(problem, MORNING, TRAVEL), "CHECK_SHIFT")
    assert violation.vehicle_id == "V1"


def test_ending_after_the_shift_is_reported() -> None:
    short_shift = replace(VEHICLE, shift=TimeWindow(25200, 28000))
    problem = day_problem(Direction.TO_CENTRE, vehicles=(short_shift,))
    violation = only(check_day(problem, MORNING, TRAVEL), "CHECK_SHIFT")
    assert violation.vehicle_id == "V1"


def test_more_seated_people_than_seats_is_reported() -> None:
    # A and B's escort need two seats; the car has one.
    one_seat = replace(VEHICLE, seats=1)
    problem = day_problem(Direction.TO_CENTRE, vehicles=(one_seat,))
    violation = only(check_day(problem, MORNING, TRAVEL), "CHECK_SEATS")
    assert violation.vehicle_id == "V1"


def test_wheelchair_passenger_in_a_vehicle_without_wheelchair_place_is_reported() -> None:
    no_lift = replace(VEHICLE, wheelchair_places=0)
    problem = day_problem(Direction.TO_CENTRE, vehicles=(no_lift,))
    violation = only(check_day(problem, MORNING, TRAVEL), "CHECK_WHEELCHAIR_PLACES")
    assert (violation.passenger_id, violation.vehicle_id) == ("B", "V1")


def test_more_wheelchairs_than_wheelchair_places_is_reported() -> None:
    # A also rides in a wheelchair (same boarding time as walking, set per passenger).
    wheelchair_a = replace(PASSENGER_A, mobility=Mobility.WHEELCHAIR, boarding_s=60)
    problem = day_problem(Direction.TO_CENTRE, passengers=(wheelchair_a, PASSENGER_B))
    result = replace_stop(MORNING, 1, load_seats=0, load_wheelchair_places=1)
    result = replace_stop(result, 2, load_seats=1, load_wheelchair_places=2)
    result = replace_stop(result, 3, departure_s=27935 - 45 + 60)
    result = replace_stop(result, 4, arrival_s=28450, departure_s=28450)
    result = replace_route(result, duration_s=1450)
    violation = only(check_day(problem, result, TRAVEL), "CHECK_WHEELCHAIR_PLACES")
    assert violation.vehicle_id == "V1"
    assert violation.passenger_id is None


def test_reported_load_that_differs_from_recomputed_is_reported() -> None:
    result = replace_stop(MORNING, 2, load_seats=3)
    violation = only(
        check_day(day_problem(Direction.TO_CENTRE), result, TRAVEL), "CHECK_LOAD_MISMATCH"
    )
    assert violation.vehicle_id == "V1"


def test_ride_longer_than_passenger_maximum_is_reported() -> None:
    # A rides 595 s (27160 -> 27755).
    impatient = replace(PASSENGER_A, max_ride_s=500)
    problem = day_problem(Direction.TO_CENTRE, passengers=(impatient, PASSENGER_B))
    violation = only(check_day(problem, MORNING, TRAVEL), "CHECK_MAX_RIDE_TIME")
    assert violation.passenger_id == "A"


def test_ride_longer_than_the_plan_rule_is_reported() -> None:
    # Rule: max(300 s, 1.0 x direct). A: direct 400 s, rides 595 s. B: direct 200 s, rides 200 s.
    strict = Settings(max_ride=MaxRideRule(min_s=300, factor=1.0))
    problem = day_problem(Direction.TO_CENTRE, settings=strict)
    violation = only(check_day(problem, MORNING, TRAVEL), "CHECK_MAX_RIDE_TIME")
    assert violation.passenger_id == "A"


def test_route_distance_that_differs_from_its_legs_is_reported() -> None:
    result = replace_route(MORNING, distance_m=10_500)
    violation = only(
        check_day(day_problem(Direction.TO_CENTRE), result, TRAVEL), "CHECK_ROUTE_DISTANCE"
    )
    assert violation.vehicle_id == "V1"


def test_route_distance_within_rounding_is_accepted() -> None:
    result = replace_route(MORNING, distance_m=10_012)  # 4 legs, 5 m each allowed
    assert check_day(day_problem(Direction.TO_CENTRE), result, TRAVEL) == []


def test_route_duration_that_differs_from_its_times_is_reported() -> None:
    result = replace_route(MORNING, duration_s=1000)
    violation = only(
        check_day(day_problem(Direction.TO_CENTRE), result, TRAVEL), "CHECK_ROUTE_DURATION"
    )
    assert violation.vehicle_id == "V1"


@pytest.mark.parametrize(
    ("reason", "hint"),
    [(Reason.NO_VEHICLE, "  "), ("", "Add a vehicle."), ("NOT_A_REASON", "Add a vehicle.")],
)
def test_unassigned_without_reason_or_hint_is_reported(reason: str, hint: str) -> None:
    problem = day_problem(Direction.TO_CENTRE, passengers=(PASSENGER_A, PASSENGER_B, PASSENGER_C))
    unassigned = (Unassigned("C", reason, hint),)  # type: ignore[arg-type]
    result = replace(MORNING, unassigned=unassigned)
    violation = only(check_day(problem, result, TRAVEL), "CHECK_UNASSIGNED_REASON")
    assert violation.passenger_id == "C"


def test_travel_oracle_without_a_location_is_reported_not_raised() -> None:
    class NoDepotTravel(ManhattanTravel):
        """Knows every point but the depot, like a matrix built for other points."""

        def duration_s(self, a: LatLon, b: LatLon) -> int:
            if DEPOT in (a, b):
                raise KeyError(DEPOT)
            return super().duration_s(a, b)

        def distance_m(self, a: LatLon, b: LatLon) -> int:
            if DEPOT in (a, b):
                raise KeyError(DEPOT)
            return super().distance_m(a, b)

    violations = check_day(day_problem(Direction.TO_CENTRE), MORNING, NoDepotTravel())
    assert_all(violations, "CHECK_UNKNOWN_LOCATION")
    assert len(violations) == 2  # the first and the last leg
    assert all(v.vehicle_id == "V1" for v in violations)


def test_plain_string_direction_is_read_like_the_enum() -> None:
    # A plain string, as a caller converting JSON without the enum might pass.
    problem = replace(day_problem(Direction.TO_CENTRE), direction="to_centre")  # type: ignore[arg-type]
    result = replace(MORNING, direction="to_centre")  # type: ignore[arg-type]
    assert check_day(problem, result, TRAVEL) == []


# Two walking residents of one group home board one after the other at one stop:
# depot 07:30 -> group home (A then A2, 60 s each) -> home B -> centre -> depot.
PASSENGER_A2 = replace(PASSENGER_A, passenger_id="A2")
GROUP_HOME = day_result(
    Direction.TO_CENTRE,
    (
        Route(
            "V1",
            (
                depot_stop(27000),
                Stop(StopKind.HOME, HOME_A, 27100, 27220, pickups=("A", "A2"), load_seats=2),
                Stop(
                    StopKind.HOME,
                    HOME_B,
                    27420,
                    27615,
                    pickups=("B",),
                    load_seats=3,
                    load_wheelchair_places=1,
                ),
                Stop(
                    StopKind.CENTRE,
                    CENTRE_LOCATION,
                    27815,
                    28040,
                    dropoffs=("A", "A2", "B"),
                    centre_id="C1",
                ),
                depot_stop(28540),
            ),
            distance_m=10_000,
            duration_s=1540,
            cost=0.0,
        ),
    ),
)


@pytest.mark.parametrize(("earliest_s", "is_valid"), [(27160, True), (27162, False)])
def test_earliest_pickup_at_a_shared_stop_counts_from_the_passenger_own_boarding(
    earliest_s: int, is_valid: bool
) -> None:
    # A2 may board after A, from 27160 (departure 27220 minus A2's 60 s boarding).
    late_riser = replace(PASSENGER_A2, earliest_pickup_s=earliest_s)
    problem = day_problem(Direction.TO_CENTRE, passengers=(PASSENGER_A, late_riser, PASSENGER_B))
    violations = check_day(problem, GROUP_HOME, TRAVEL)
    if is_valid:
        assert violations == []
    else:
        assert only(violations, "CHECK_PASSENGER_WINDOW").passenger_id == "A2"


# ----------------------------------------------------------------------------------- week


WEEK = WeekPlan(centres=(CENTRE,), passengers=(PASSENGER_A, PASSENGER_B), vehicles=(VEHICLE,))


def test_week_with_a_subset_of_day_directions_is_valid() -> None:
    result = WeekResult(plans=(MORNING, replace(AFTERNOON, day="tue")))
    assert check_week(WEEK, result, TRAVEL) == []


def test_week_reports_each_day_direction_with_its_day() -> None:
    result = WeekResult(plans=(MORNING, replace(replace_route(AFTERNOON, duration_s=1), day="fri")))
    violation = only(check_week(WEEK, result, TRAVEL), "CHECK_ROUTE_DURATION")
    assert (violation.day, violation.direction) == ("fri", Direction.FROM_CENTRE)


def test_week_vehicle_off_that_day_is_not_available_rather_than_unknown() -> None:
    plan = WEEK.replace(vehicles=(replace(VEHICLE, days=frozenset({"tue"})),))
    violation = only(
        check_week(plan, WeekResult(plans=(MORNING,)), TRAVEL), "CHECK_VEHICLE_NOT_AVAILABLE"
    )
    assert violation.vehicle_id == "V1"


def test_week_holding_a_day_direction_twice_is_reported() -> None:
    result = WeekResult(plans=(MORNING, MORNING))
    only(check_week(WEEK, result, TRAVEL), "CHECK_DAY_DIRECTION_TWICE")


def same_vehicle_week() -> WeekPlan:
    settings = Settings(same_vehicle_both_ways=True)
    return WEEK.replace(vehicles=(VEHICLE, VEHICLE_2), settings=settings)


def test_week_riding_home_in_the_morning_vehicle_is_valid() -> None:
    result = WeekResult(plans=(MORNING, AFTERNOON))
    assert check_week(same_vehicle_week(), result, TRAVEL) == []


def test_week_riding_home_in_another_vehicle_is_reported() -> None:
    result = WeekResult(plans=(MORNING, replace_route(AFTERNOON, vehicle_id="V2")))
    violations = check_week(same_vehicle_week(), result, TRAVEL)
    assert_all(violations, "CHECK_VEHICLE_CHANGED")
    assert {(v.passenger_id, v.vehicle_id) for v in violations} == {("A", "V2"), ("B", "V2")}
    assert check_week(WEEK.replace(vehicles=(VEHICLE, VEHICLE_2)), result, TRAVEL) == []


# ---------------------------------------------------------------------------- layouts

FLIP_SEAT_VEHICLE = replace(
    VEHICLE, layouts=(SeatingLayout(4, 1), SeatingLayout(2, 2), SeatingLayout(1, 2))
)


def layout_problem(choose_layouts: bool = True) -> DayProblem:
    settings = Settings(choose_layouts=choose_layouts)
    return day_problem(Direction.TO_CENTRE, vehicles=(FLIP_SEAT_VEHICLE,), settings=settings)


def test_a_route_driven_with_one_of_its_vehicle_layouts_is_valid() -> None:
    result = replace_route(MORNING, layout=SeatingLayout(2, 2))
    assert check_day(layout_problem(), result, TRAVEL) == []


def test_a_layout_the_vehicle_does_not_have_is_reported() -> None:
    result = replace_route(MORNING, layout=SeatingLayout(6, 0))
    violation = only(check_day(layout_problem(), result, TRAVEL), "CHECK_LAYOUT")
    assert violation.vehicle_id == "V1"


def test_a_chosen_layout_without_choose_layouts_is_reported() -> None:
    result = replace_route(MORNING, layout=SeatingLayout(2, 2))
    only(check_day(layout_problem(choose_layouts=False), result, TRAVEL), "CHECK_LAYOUT")
    current = replace_route(MORNING, layout=SeatingLayout(4, 1))
    assert check_day(layout_problem(choose_layouts=False), current, TRAVEL) == []


def test_loads_are_checked_against_the_reported_layout() -> None:
    """Two seated people (A, B's escort) do not fit the 1 + 2 layout."""
    result = replace_route(MORNING, layout=SeatingLayout(1, 2))
    only(check_day(layout_problem(), result, TRAVEL), "CHECK_SEATS")


# ---------------------------------------------------------------------- drivers' breaks

BREAK_RULE_SETTINGS = Settings(driver_break=BreakRule(duration_s=300, max_work_s=1000))


def waiting_morning(centre_arrival_s: int, breaks: tuple[DriverBreak, ...] = ()) -> DayResult:
    """A alone: depot 07:30 -> home A (boards 07:31:40-07:32:40) -> centre -> depot, with
    time to spare before the centre (the drive there takes 400 s)."""
    stops = (
        *MORNING_ROUTE.stops[:2],  # depot, home A
        Stop(
            StopKind.CENTRE,
            CENTRE_LOCATION,
            centre_arrival_s,
            centre_arrival_s + 45,
            dropoffs=("A",),
            centre_id="C1",
        ),
        depot_stop(centre_arrival_s + 545),
    )
    route = Route("V1", stops, 10_000, centre_arrival_s + 545 - 27000, 0.0, breaks=breaks)
    return day_result(Direction.TO_CENTRE, (route,))


def break_problem() -> DayProblem:
    return day_problem(Direction.TO_CENTRE, (PASSENGER_A,), settings=BREAK_RULE_SETTINGS)


def test_a_break_while_waiting_before_the_centre_is_valid() -> None:
    result = waiting_morning(27860, (DriverBreak(27160, 300),))
    assert check_day(break_problem(), result, TRAVEL) == []


def test_working_too_long_without_a_break_is_reported() -> None:
    violation = only(
        check_day(break_problem(), waiting_morning(27860), TRAVEL), "CHECK_DRIVER_BREAK"
    )
    assert violation.vehicle_id == "V1" and "1405 s" in violation.message
    assert (
        check_day(day_problem(Direction.TO_CENTRE, (PASSENGER_A,)), waiting_morning(27860), TRAVEL)
        == []
    )


def test_a_break_that_leaves_no_time_to_drive_is_reported() -> None:
    result = waiting_morning(27760, (DriverBreak(27160, 300),))
    violation = only(check_day(break_problem(), result, TRAVEL), "CHECK_DRIVER_BREAK")
    assert "400 s drive" in violation.message


def test_a_break_over_a_stop_is_reported() -> None:
    result = waiting_morning(27860, (DriverBreak(27000, 300),))
    assert_all(check_day(break_problem(), result, TRAVEL), "CHECK_DRIVER_BREAK")


def test_a_break_too_short_is_reported_and_does_not_count() -> None:
    result = waiting_morning(27860, (DriverBreak(27160, 200),))
    violations = check_day(break_problem(), result, TRAVEL)
    assert_all(violations, "CHECK_DRIVER_BREAK")
    assert len(violations) == 2


# ----------------------------------------------------------------------- shared boarding


def test_a_shared_stop_needs_only_its_longest_alighting() -> None:
    """A (45 s) and B (135 s) alight at the centre together: 135 s, not 180 s, is enough."""
    assert (
        check_day(
            day_problem(Direction.TO_CENTRE), replace_stop(MORNING, 3, departure_s=27890), TRAVEL
        )
        == []
    )


def test_leaving_a_shared_stop_before_its_longest_alighting_is_reported() -> None:
    result = replace_stop(MORNING, 3, departure_s=27888)
    violation = only(
        check_day(day_problem(Direction.TO_CENTRE), result, TRAVEL), "CHECK_SERVICE_TIME"
    )
    assert violation.vehicle_id == "V1"


# ------------------------------------------------------------------------- vehicle rules

# A alone in the morning: depot 07:30 -> home A -> centre -> depot.
SOLO_A_MORNING = day_result(
    Direction.TO_CENTRE,
    (
        Route(
            "V1",
            (
                *MORNING_ROUTE.stops[:2],  # depot, home A
                Stop(
                    StopKind.CENTRE, CENTRE_LOCATION, 27560, 27605, dropoffs=("A",), centre_id="C1"
                ),
                depot_stop(28105),
            ),
            distance_m=10_000,
            duration_s=1105,
            cost=0.0,
        ),
    ),
)


def rules_problem(
    passengers: tuple[Passenger, ...] = (PASSENGER_A, PASSENGER_B),
    pairs: tuple[tuple[str, str], ...] = (),
) -> DayProblem:
    problem = day_problem(Direction.TO_CENTRE, passengers, vehicles=(VEHICLE, VEHICLE_2))
    return replace(problem, incompatible_pairs=pairs)


def test_riding_a_vehicle_outside_the_allowed_ones_is_reported() -> None:
    only_v2 = replace(PASSENGER_A, allowed_vehicles=frozenset({"V2"}))
    violation = only(
        check_day(rules_problem((only_v2, PASSENGER_B)), MORNING, TRAVEL),
        "CHECK_VEHICLE_NOT_ALLOWED",
    )
    assert (violation.vehicle_id, violation.passenger_id) == ("V1", "A")


def test_riding_an_excluded_vehicle_is_reported() -> None:
    not_v1 = replace(PASSENGER_B, excluded_vehicles=frozenset({"V1"}))
    violation = only(
        check_day(rules_problem((PASSENGER_A, not_v1)), MORNING, TRAVEL),
        "CHECK_VEHICLE_NOT_ALLOWED",
    )
    assert violation.passenger_id == "B"


def test_riding_an_allowed_vehicle_that_is_not_excluded_is_accepted() -> None:
    ruled = replace(
        PASSENGER_A, allowed_vehicles=frozenset({"V1", "V2"}), excluded_vehicles=frozenset({"V2"})
    )
    assert check_day(rules_problem((ruled, PASSENGER_B)), MORNING, TRAVEL) == []


def test_ride_alone_passenger_aboard_with_another_is_reported() -> None:
    alone = replace(PASSENGER_A, ride_alone=True)
    violation = only(
        check_day(rules_problem((alone, PASSENGER_B)), MORNING, TRAVEL), "CHECK_RIDE_ALONE"
    )
    assert (violation.vehicle_id, violation.passenger_id) == ("V1", "A")
    assert "B" in violation.message


def test_ride_alone_passenger_riding_alone_is_accepted() -> None:
    alone = replace(PASSENGER_A, ride_alone=True)
    assert check_day(rules_problem((alone,)), SOLO_A_MORNING, TRAVEL) == []


def test_ride_alone_passenger_boarding_with_another_at_the_centre_is_reported() -> None:
    """In the afternoon B (ride alone) boards at the centre together with A."""
    alone = replace(PASSENGER_B, ride_alone=True)
    problem = replace(rules_problem((PASSENGER_A, alone)), direction=Direction.FROM_CENTRE)
    violation = only(check_day(problem, AFTERNOON, TRAVEL), "CHECK_RIDE_ALONE")
    assert violation.passenger_id == "B"


def twin_morning(delay_s: int) -> tuple[DayProblem, DayResult]:
    """MORNING, and V2 driving the same route ``delay_s`` later for twins A2 and B2 (B2 in a
    wheelchair), to a centre that sets down one wheelchair user at a time."""
    twins = (replace(PASSENGER_A, passenger_id="A2"), replace(PASSENGER_B, passenger_id="B2"))
    renamed = {"A": "A2", "B": "B2"}
    twin_route = replace(
        MORNING_ROUTE,
        vehicle_id="V2",
        stops=tuple(
            replace(
                stop,
                arrival_s=stop.arrival_s + delay_s,
                departure_s=stop.departure_s + delay_s,
                pickups=tuple(renamed[p] for p in stop.pickups),
                dropoffs=tuple(renamed[p] for p in stop.dropoffs),
            )
            for stop in MORNING_ROUTE.stops
        ),
    )
    one_ramp = replace(CENTRE, max_wheelchair_dropoffs=1)
    problem = day_problem(
        Direction.TO_CENTRE,
        (PASSENGER_A, PASSENGER_B, *twins),
        vehicles=(VEHICLE, VEHICLE_2),
        centres=(one_ramp,),
    )
    return problem, day_result(Direction.TO_CENTRE, (MORNING_ROUTE, twin_route))


def test_wheelchair_set_downs_overlapping_at_a_limited_entrance_are_reported() -> None:
    problem, result = twin_morning(60)  # V1's centre stop runs 27755-27935
    violation = only(check_day(problem, result, TRAVEL), "CHECK_WHEELCHAIR_ENTRANCE")
    assert violation.vehicle_id == "V2"
    assert "centre C1" in violation.message
    unlimited = replace(problem, centres=(CENTRE,))
    assert check_day(unlimited, result, TRAVEL) == []


def test_wheelchair_set_downs_one_after_the_other_are_accepted() -> None:
    problem, result = twin_morning(180)  # V2 arrives as V1 leaves
    assert check_day(problem, result, TRAVEL) == []


def test_incompatible_pair_aboard_together_is_reported() -> None:
    violation = only(
        check_day(rules_problem(pairs=(("B", "A"),)), MORNING, TRAVEL), "CHECK_INCOMPATIBLE_PAIR"
    )
    assert violation.vehicle_id == "V1"
    assert "A and B" in violation.message


def test_incompatible_pair_never_aboard_together_is_accepted() -> None:
    assert (
        check_day(rules_problem((PASSENGER_A,), pairs=(("A", "B"),)), SOLO_A_MORNING, TRAVEL) == []
    )


# ----------------------------------------------------------------------------------- codes


def test_every_code_is_documented_and_prefixed() -> None:
    assert all(code.startswith("CHECK_") and code.isupper() for code in CHECK_CODES)
    assert all(description.endswith(".") for description in CHECK_CODES.values())


def test_every_documented_code_is_exercised_by_a_test() -> None:
    """In this file or its sibling for the result's own figures (test_check_figures.py)."""
    here = Path(__file__)
    text = "".join(
        path.read_text(encoding="utf-8") for path in (here, here.with_name("test_check_figures.py"))
    )
    untested = [code for code in CHECK_CODES if text.count(f'"{code}"') == 0]
    assert untested == []


# ----------------------------------------------------------------------------- properties


def shift_times(result: DayResult, delta_s: int) -> DayResult:
    """A copy with every stop's arrival and departure moved by ``delta_s`` seconds."""
    routes = tuple(
        replace(
            route,
            stops=tuple(
                replace(
                    stop, arrival_s=stop.arrival_s + delta_s, departure_s=stop.departure_s + delta_s
                )
                for stop in route.stops
            ),
        )
        for route in result.routes
    )
    return replace(result, routes=routes)


# The morning centre arrival (27755) must stay in 07:30-09:00 and the route in 07:00-17:00.
MORNING_MIN_SHIFT_S = HOURS.arrival.start_s - 27755
MORNING_MAX_SHIFT_S = HOURS.arrival.end_s - 27755
# The afternoon centre arrival (54500) must stay in 15:00-16:00 and the route in 07:00-17:00.
AFTERNOON_MIN_SHIFT_S = HOURS.departure.start_s - 54500
AFTERNOON_MAX_SHIFT_S = HOURS.departure.end_s - 54500


@given(delta_s=st.integers(MORNING_MIN_SHIFT_S, MORNING_MAX_SHIFT_S))
def test_shifting_a_valid_morning_inside_its_windows_keeps_it_valid(delta_s: int) -> None:
    result = shift_times(MORNING, delta_s)
    assert check_day(day_problem(Direction.TO_CENTRE), result, TRAVEL) == []


@given(delta_s=st.integers(AFTERNOON_MIN_SHIFT_S, AFTERNOON_MAX_SHIFT_S))
def test_shifting_a_valid_afternoon_inside_its_windows_keeps_it_valid(delta_s: int) -> None:
    result = shift_times(AFTERNOON, delta_s)
    assert check_day(day_problem(Direction.FROM_CENTRE), result, TRAVEL) == []


@given(
    direction=st.sampled_from(list(Direction)),
    delta_s=st.integers(-12 * 3600, 12 * 3600),
)
def test_shifting_times_only_ever_breaks_time_of_day_rules(
    direction: Direction, delta_s: int
) -> None:
    """Travel, service, loads, ride times and totals do not depend on the time of day."""
    valid = MORNING if direction is Direction.TO_CENTRE else AFTERNOON
    violations = check_day(day_problem(direction), shift_times(valid, delta_s), TRAVEL)
    assert {v.code for v in violations} <= {"CHECK_CENTRE_WINDOW", "CHECK_SHIFT"}
    low, high = (
        (MORNING_MIN_SHIFT_S, MORNING_MAX_SHIFT_S)
        if direction is Direction.TO_CENTRE
        else (AFTERNOON_MIN_SHIFT_S, AFTERNOON_MAX_SHIFT_S)
    )
    tolerance_s = 1
    if low - tolerance_s <= delta_s <= high + tolerance_s:
        assert violations == []
    else:
        assert "CHECK_CENTRE_WINDOW" in {v.code for v in violations}


@given(
    passengers=st.permutations([PASSENGER_A, PASSENGER_B]),
    direction=st.sampled_from(list(Direction)),
)
def test_the_order_of_passengers_in_the_problem_does_not_matter(
    passengers: list[Passenger], direction: Direction
) -> None:
    valid = MORNING if direction is Direction.TO_CENTRE else AFTERNOON
    problem = day_problem(direction, passengers=tuple(passengers))
    assert check_day(problem, valid, TRAVEL) == []


def test_route_visiting_a_lower_rank_after_a_higher_one_is_reported() -> None:
    """MORNING picks up A, then B, and sets both down at the centre: A's rank must not be lower."""
    for ranks, late in (({"A": 1, "B": 0}, "B"), ({"A": 0, "B": 1}, "A")):
        ranked = replace(rules_problem(), route_ranks=ranks)
        violation = only(check_day(ranked, MORNING, TRAVEL), "CHECK_ROUTE_RANK")
        assert violation.passenger_id == late and violation.vehicle_id == "V1"


def past_destination(violations: list[Violation]) -> list[tuple[str | None, str | None]]:
    return [
        (v.vehicle_id, v.passenger_id) for v in violations if v.code == "CHECK_PAST_DESTINATION"
    ]


def test_a_passenger_kept_aboard_at_their_centre_is_reported() -> None:
    """Morning: A and B aboard, the vehicle stops at the centre and sets down only B, fetches
    C and comes back: A rode past their centre."""
    route = replace(
        MORNING_ROUTE,
        stops=(
            *MORNING_ROUTE.stops[:3],
            Stop(StopKind.CENTRE, CENTRE_LOCATION, 27755, 27900, dropoffs=("B",), centre_id="C1"),
            Stop(StopKind.HOME, PASSENGER_C.home, 28200, 28260, pickups=("C",), load_seats=2),
            Stop(
                StopKind.CENTRE, CENTRE_LOCATION, 28500, 28560, dropoffs=("A", "C"), centre_id="C1"
            ),
            depot_stop(29100),
        ),
    )
    problem = day_problem(Direction.TO_CENTRE, passengers=(PASSENGER_A, PASSENGER_B, PASSENGER_C))
    result = day_result(Direction.TO_CENTRE, (route,))
    assert past_destination(advise_day(problem, result, TRAVEL)) == [("V1", "A")]
    assert advise_day(day_problem(Direction.TO_CENTRE), MORNING, TRAVEL) == []
    # Advisory: not (yet) a violation.
    assert past_destination(check_day(problem, result, TRAVEL)) == []


def test_a_passenger_driven_past_their_home_and_brought_back_is_reported() -> None:
    """Afternoon: D lives with B; the vehicle sets down B there, drives on to A and only then
    brings D back home."""
    housemate = Passenger("D", HOME_B, "C1", ALL_DAYS)
    route = replace(
        AFTERNOON_ROUTE,
        stops=(
            depot_stop(54000),
            replace(AFTERNOON_ROUTE.stops[1], pickups=("A", "B", "D"), load_seats=3),
            Stop(StopKind.HOME, HOME_B, 54955, 55090, dropoffs=("B",), load_seats=2),
            Stop(StopKind.HOME, HOME_A, 55290, 55335, dropoffs=("A",), load_seats=1),
            Stop(StopKind.HOME, HOME_B, 55600, 55645, dropoffs=("D",)),
            depot_stop(55900),
        ),
    )
    passengers = (PASSENGER_A, PASSENGER_B, housemate)
    problem = day_problem(Direction.FROM_CENTRE, passengers=passengers)
    result = day_result(Direction.FROM_CENTRE, (route,))
    assert past_destination(advise_day(problem, result, TRAVEL)) == [("V1", "D")]
    assert advise_day(day_problem(Direction.FROM_CENTRE), AFTERNOON, TRAVEL) == []


def test_route_visiting_equal_ranks_is_accepted() -> None:
    assert check_day(replace(rules_problem(), route_ranks={"A": 1, "B": 1}), MORNING, TRAVEL) == []
