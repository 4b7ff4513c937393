"""Tests for what a result says about itself (solver.check.figures) and for unassigned
passengers a vehicle could have driven alone (solver.check.alone).

The hand-built routes and the fake roads of tests/test_check.py: Manhattan distance, 10 m/s.
Its morning route: A rides 595 s (direct 400 s), B 200 s (direct 200 s).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from solver.check import advise_day, check_day, check_figures, check_result
from solver.domain import (
    DAYS,
    DIRECTIONS,
    Direction,
    Kpis,
    NotPlanned,
    NotPlannedReason,
    Passenger,
    Reason,
    Tariff,
    Unassigned,
    WeekResult,
)
from solver.io.result import parse_result, result_to_json
from solver.week.totals import week_result
from tests.test_check import (
    CENTRE_LOCATION,
    HOME_A,
    MORNING,
    MORNING_ROUTE,
    PASSENGER_A,
    PASSENGER_B,
    PASSENGER_C,
    TRAVEL,
    VEHICLE,
    VEHICLE_2,
    WEEK,
    day_problem,
)

# The morning's true figures: 1 route of 10 000 m and 1435 s, costing nothing (default
# tariff); rides 595 s and 200 s: mean 397.5 s, ratio (595/400 + 200/200) / 2 = 1.244.
MORNING_KPIS = Kpis(1, 2, 0, 10_000, 1435, 0.0, 397.5, 595, 1.244)
MONDAY = (("mon", Direction.TO_CENTRE),)


def morning_week(**changes: object) -> WeekResult:
    """The hand-built morning as a whole result: Monday in, the other nine not asked for."""
    day = replace(MORNING, kpis=MORNING_KPIS)
    return replace(week_result(WEEK, [day], requested=MONDAY), **changes)  # type: ignore[arg-type]


def codes(week: WeekResult) -> list[str]:
    return [v.code for v in check_result(WEEK, week, TRAVEL)]


# ------------------------------------------------------------------------- holds


def test_a_result_whose_figures_are_its_routes_passes() -> None:
    week = morning_week()
    assert [(n.day, n.reason) for n in week.not_planned][:2] == [
        ("mon", NotPlannedReason.NOT_REQUESTED),
        ("tue", NotPlannedReason.NOT_REQUESTED),
    ]
    assert codes(week) == []


def test_figures_survive_the_result_file_rounding() -> None:
    week = morning_week()
    assert codes(parse_result(result_to_json(week))) == []


# ------------------------------------------------------------------ day-directions


def test_a_deleted_day_direction_is_missing() -> None:
    week = morning_week(not_planned=morning_week().not_planned[1:])  # mon from_centre gone
    violations = check_result(WEEK, week, TRAVEL)
    assert [(v.code, v.day, v.direction) for v in violations] == [
        ("CHECK_DAY_DIRECTION_MISSING", "mon", Direction.FROM_CENTRE)
    ]


def test_a_day_direction_planned_and_listed_as_not_planned_is_reported() -> None:
    listed = (NotPlanned("mon", Direction.TO_CENTRE, NotPlannedReason.UNFINISHED),)
    week = morning_week(not_planned=morning_week().not_planned + listed)
    assert codes(week) == ["CHECK_DAY_DIRECTION_TWICE"]


def test_a_job_cut_short_lists_what_it_was_asked_for_as_unfinished() -> None:
    asked = [(day, direction) for day in DAYS for direction in DIRECTIONS]
    week = week_result(WEEK, [replace(MORNING, kpis=MORNING_KPIS)], requested=asked)
    assert {n.reason for n in week.not_planned} == {NotPlannedReason.UNFINISHED}
    assert len(week.not_planned) == 9


# ----------------------------------------------------------------- costs and figures


def test_a_route_cost_that_is_not_its_tariff_is_reported() -> None:
    priced = WEEK.replace(vehicles=(replace(VEHICLE, tariff=Tariff(per_km=10.0)),))
    route = replace(MORNING_ROUTE, cost=100.0)  # 10 km at 10 NOK
    day = replace(MORNING, routes=(route,), kpis=replace(MORNING_KPIS, cost=100.0))
    week = week_result(priced, [day], requested=MONDAY)
    assert check_result(priced, week, TRAVEL) == []
    cheap = replace(day, routes=(replace(route, cost=1.0),), kpis=replace(day.kpis, cost=1.0))
    week = week_result(priced, [cheap], requested=MONDAY)
    assert [v.code for v in check_result(priced, week, TRAVEL)] == ["CHECK_ROUTE_COST"]


@pytest.mark.parametrize(
    "change",
    [
        {"num_vehicles": 2},
        {"num_passengers": 1},
        {"num_unassigned": 1},
        {"distance_m": 9_000},
        {"vehicle_s": 1400},
        {"cost": 12.5},
        {"mean_ride_s": 300.0},
        {"max_ride_s": 200},
        {"mean_ride_ratio": 1.5},
    ],
)
def test_each_key_figure_that_does_not_add_up_is_reported(change: dict[str, object]) -> None:
    day = replace(MORNING, kpis=replace(MORNING_KPIS, **change))  # type: ignore[arg-type]
    week = replace(morning_week(), plans=(day,))
    assert codes(week) == ["CHECK_KPIS"]


@pytest.mark.parametrize(
    ("total", "wrong"),
    [("trips", 1), ("km", 12.0), ("cost", 5.0), ("vehicle_days", 2), ("max_ride_min", 5.0)],
)
def test_a_week_total_that_does_not_add_up_is_reported(total: str, wrong: float) -> None:
    week = morning_week()
    violations = check_figures(WEEK, replace(week, totals={**week.totals, total: wrong}), TRAVEL)
    assert [(v.code, v.day) for v in violations] == [("CHECK_TOTALS", None)]
    assert total in violations[0].message


def test_unknown_totals_are_not_compared() -> None:
    week = morning_week()
    assert codes(replace(week, totals={**week.totals, "consistency_share": 0.5})) == []


# ---------------------------------------------------------------------- geometry


def _line(*points: object) -> tuple[tuple[float, float], ...]:
    return tuple((p.lon, p.lat) for p in points)  # type: ignore[attr-defined]


def test_a_line_through_every_stop_in_order_passes_and_one_that_skips_a_stop_does_not() -> None:
    stops = [stop.location for stop in MORNING_ROUTE.stops]
    bend = replace(HOME_A, lon=HOME_A.lon + 0.005)
    drawn = _line(stops[0], stops[1], bend, *stops[2:])
    day = replace(MORNING, routes=(replace(MORNING_ROUTE, geometry=drawn),), kpis=MORNING_KPIS)
    assert codes(replace(morning_week(), plans=(day,))) == []
    for wrong in (
        _line(bend, *stops),  # starts away from the depot
        _line(*stops, bend),  # ends away from it
        _line(stops[0], stops[1], CENTRE_LOCATION, stops[2], stops[-1]),  # B after the centre
    ):
        day = replace(day, routes=(replace(MORNING_ROUTE, geometry=wrong),))
        assert codes(replace(morning_week(), plans=(day,))) == ["CHECK_ROUTE_GEOMETRY"]


# ------------------------------------------------------------ reasons that do not hold


def _unassigned(passenger: Passenger, reason: Reason) -> tuple[Unassigned, ...]:
    return (Unassigned(passenger.passenger_id, reason, "An invented reason."),)


@pytest.mark.parametrize(("has_place", "servable"), [(True, True), (False, False)])
def test_no_wheelchair_vehicle_is_false_when_a_vehicle_has_a_wheelchair_place(
    has_place: bool, servable: bool
) -> None:
    """C, in a wheelchair, listed as unassigned for want of a wheelchair vehicle."""
    in_wheelchair = replace(PASSENGER_C, mobility=PASSENGER_B.mobility)
    vehicle = VEHICLE_2 if has_place else replace(VEHICLE_2, wheelchair_places=0)
    problem = day_problem(Direction.TO_CENTRE, passengers=(in_wheelchair,), vehicles=(vehicle,))
    result = replace(
        MORNING, routes=(), unassigned=_unassigned(in_wheelchair, Reason.NO_WHEELCHAIR_VEHICLE)
    )
    violations = check_day(problem, result, TRAVEL)
    if servable:
        assert [(v.code, v.passenger_id, v.vehicle_id) for v in violations] == [
            ("CHECK_UNASSIGNED_SERVABLE", "C", "V2")
        ]
    else:
        assert violations == []


@pytest.mark.parametrize(
    ("latest_dropoff_s", "servable"),
    [
        (7 * 3600 + 30 * 60, True),  # 07:30: leave at 07:00, arrive 07:30 at the earliest
        (7 * 3600 + 15 * 60, False),  # 07:15: before the centre opens
    ],
)
def test_window_unreachable_is_false_only_when_a_vehicle_could_make_the_window(
    latest_dropoff_s: int, servable: bool
) -> None:
    late = replace(PASSENGER_C, latest_dropoff_s=latest_dropoff_s)
    problem = day_problem(
        Direction.TO_CENTRE,
        passengers=(PASSENGER_A, PASSENGER_B, late),
        vehicles=(VEHICLE, VEHICLE_2),
    )
    result = replace(MORNING, unassigned=_unassigned(late, Reason.WINDOW_UNREACHABLE))
    found = [v.code for v in check_day(problem, result, TRAVEL)]
    assert ("CHECK_UNASSIGNED_SERVABLE" in found) is servable


def test_fleet_exhausted_with_an_idle_vehicle_that_fits_is_advice_not_a_violation() -> None:
    problem = day_problem(Direction.TO_CENTRE, passengers=(PASSENGER_A, PASSENGER_B, PASSENGER_C))
    result = replace(MORNING, unassigned=_unassigned(PASSENGER_C, Reason.FLEET_EXHAUSTED))
    assert check_day(problem, result, TRAVEL) == []  # V1 is busy, nobody idle
    two = replace(problem, vehicles=(VEHICLE, VEHICLE_2))
    assert check_day(two, result, TRAVEL) == []
    advice = advise_day(two, result, TRAVEL)
    assert [(a.code, a.vehicle_id, a.passenger_id) for a in advice] == [
        ("CHECK_IDLE_VEHICLE_COULD_SERVE", "V2", "C")
    ]
