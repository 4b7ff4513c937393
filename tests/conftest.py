"""Shared builders for tiny, named fixtures (no road graph: straight-line matrices)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest
import structlog

from solver.check import check_day
from solver.domain import (
    DAYS,
    Centre,
    CentreHours,
    DayProblem,
    DayResult,
    Direction,
    LatLon,
    Passenger,
    Tariff,
    TimeWindow,
    Vehicle,
    WeekPlan,
)
from solver.routing.search import SearchParams, solve_day
from solver.straight import StraightMatrices, straight_matrices


@pytest.fixture(autouse=True)
def _fresh_structlog() -> Iterator[None]:
    """Each test starts from structlog's defaults: a command run by an earlier test (the CLI,
    the service) configures a level filter that would hide the logs a later test captures."""
    structlog.reset_defaults()
    yield
    structlog.reset_defaults()


def hm(hours: int, minutes: int = 0) -> int:
    """Seconds after midnight."""
    return hours * 3600 + minutes * 60


# A small grid around Furuset, Oslo: about 1.1 km per 0.01 degree latitude.
CENTRE_A = LatLon(59.900, 10.780)
CENTRE_B = LatLon(59.905, 10.790)
DEPOT = LatLon(59.895, 10.770)
NEAR = LatLon(59.902, 10.775)


def home(dlat: float, dlon: float = 0.0) -> LatLon:
    """A home offset from centre A by degrees."""
    return LatLon(round(CENTRE_A.lat + dlat, 6), round(CENTRE_A.lon + dlon, 6))


def centre(
    centre_id: str = "A",
    location: LatLon = CENTRE_A,
    arrival: tuple[int, int] = (hm(8, 30), hm(9)),
    departure: tuple[int, int] = (hm(15), hm(15, 30)),
) -> Centre:
    hours = CentreHours(TimeWindow(*arrival), TimeWindow(*departure))
    return Centre(centre_id, f"Centre {centre_id}", location, {d: hours for d in DAYS})


def passenger(pid: str, at: LatLon, centre_id: str = "A", **kwargs: object) -> Passenger:
    kwargs.setdefault("days", frozenset(DAYS))
    return Passenger(pid, at, centre_id, **kwargs)  # type: ignore[arg-type]


STANDARD_TARIFF = Tariff(per_km=10.0, per_hour=600.0, per_vehicle_day=1000.0)


def vehicle(
    vid: str = "V1",
    seats: int = 8,
    wheelchair_places: int = 0,
    depot: LatLon = DEPOT,
    shift: tuple[int, int] = (hm(6), hm(18)),
    tariff: Tariff = STANDARD_TARIFF,
    **kwargs: object,
) -> Vehicle:
    kwargs.setdefault("days", frozenset(DAYS))
    return Vehicle(
        vid, depot, seats, wheelchair_places, shift=TimeWindow(*shift), tariff=tariff, **kwargs
    )  # type: ignore[arg-type]


def make_plan(
    passengers: Sequence[Passenger],
    vehicles: Sequence[Vehicle],
    centres: Sequence[Centre] = (),
    **kwargs: object,
) -> WeekPlan:
    return WeekPlan(tuple(centres) or (centre(),), tuple(passengers), tuple(vehicles), **kwargs)  # type: ignore[arg-type]


def plan_matrices(plan: WeekPlan) -> StraightMatrices:
    points = [c.location for c in plan.centres] + [v.depot for v in plan.vehicles]
    for p in plan.passengers:
        points.append(p.home)
        points.extend(p.home_exceptions.values())
    return straight_matrices(points)


SOLVE_SECONDS = 2.0


def solve_checked(
    plan: WeekPlan,
    direction: Direction = Direction.TO_CENTRE,
    day: str = "mon",
    seconds: float = SOLVE_SECONDS,
) -> tuple[DayProblem, DayResult]:
    """Solve one day-direction on straight-line matrices and assert the checker is happy."""
    problem = plan.day_problem(day, direction)  # type: ignore[arg-type]
    matrices = plan_matrices(plan)
    result = solve_day(problem, matrices, SearchParams(time_limit_s=seconds, seed=1))
    violations = check_day(problem, result, matrices)
    assert violations == [], violations
    return problem, result


def route_of(result: DayResult, pid: str) -> str:
    for route in result.routes:
        for stop in route.stops:
            if pid in stop.pickups:
                return route.vehicle_id
    raise AssertionError(f"{pid} is not served")


@pytest.fixture
def checked() -> object:
    return solve_checked


class StraightNetwork:
    """A road-free stand-in for ``RoadNetwork`` in week-level tests: straight-line matrices."""

    class _Snap:
        def __init__(self, n: int) -> None:
            import numpy as np

            self.distances_m = np.zeros(n)

    def snap(self, points: Sequence[LatLon]) -> _Snap:
        return self._Snap(len(points))

    def matrices(self, points: Sequence[LatLon]) -> StraightMatrices:
        return straight_matrices(points)
