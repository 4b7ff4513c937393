"""A large day solved group by group (``solver.routing.clusters``), then improved by parts."""

from __future__ import annotations

from dataclasses import replace

import pytest

import solver.routing.clusters as clusters
import solver.routing.search as search
from solver.check import check_day
from solver.domain import (
    DayProblem,
    DayResult,
    Direction,
    LatLon,
    Mobility,
    Pin,
    Reason,
    Unassigned,
)
from solver.routing.clusters import (
    can_decompose,
    group_centres,
    leftover_reasons,
    share_fleet,
    solve_by_clusters,
)
from solver.routing.parts import route_passengers
from solver.routing.search import SearchParams, solve_day
from solver.straight import StraightMatrices
from tests.conftest import CENTRE_A, centre, home, make_plan, passenger, plan_matrices, vehicle

WEST, EAST = -0.06, 0.06
"""Longitude offsets of the two towns (about 3.3 km each way of centre A)."""


def _two_towns(per_centre: int = 6) -> tuple[DayProblem, StraightMatrices]:
    """Two centres in a western town and two in an eastern one, ``per_centre`` riders each.

    One wheelchair user per centre; vehicles at depots in both towns, two with wheelchair
    places in each.
    """
    centres = []
    passengers = []
    vehicles = []
    for town, dlon in (("W", WEST), ("E", EAST)):
        for k in range(2):
            cid = f"{town}{k}"
            at = LatLon(CENTRE_A.lat + 0.004 * k, round(CENTRE_A.lon + dlon, 6))
            centres.append(centre(cid, at))
            for i in range(per_centre):
                passengers.append(
                    passenger(
                        f"{cid}P{i}",
                        home(0.01 * (i - per_centre / 2), dlon + 0.003 * (k - 0.5)),
                        cid,
                        mobility=Mobility.WHEELCHAIR if i == 0 else Mobility.WALKING,
                    )
                )
        depot = LatLon(CENTRE_A.lat - 0.005, round(CENTRE_A.lon + dlon, 6))
        for i in range(4):
            vehicles.append(
                vehicle(f"{town}V{i}", seats=6, wheelchair_places=1 if i < 2 else 0, depot=depot)
            )
    plan = make_plan(passengers, vehicles, centres)
    return plan.day_problem("mon", Direction.TO_CENTRE), plan_matrices(plan)


def test_groups_keep_neighbouring_centres_together(monkeypatch: pytest.MonkeyPatch) -> None:
    problem, _ = _two_towns()
    monkeypatch.setattr(clusters, "CLUSTER_PASSENGERS", 12)
    groups = group_centres(problem, problem.passengers)
    # Binds: two groups, one per town (each town's two centres together).
    assert len(groups) == 2
    towns = [{p.centre_id[0] for p in g} for g in groups]
    assert sorted(map(sorted, towns)) == [["E"], ["W"]]
    # Holds: every passenger in exactly one group.
    ids = [p.passenger_id for g in groups for p in g]
    assert sorted(ids) == sorted(p.passenger_id for p in problem.passengers)


def test_a_small_last_group_joins_its_nearest_group(monkeypatch: pytest.MonkeyPatch) -> None:
    problem, _ = _two_towns()
    monkeypatch.setattr(clusters, "CLUSTER_PASSENGERS", 18)
    groups = group_centres(problem, problem.passengers)
    # 24 riders: a group of 18 would leave 6 (under half of 18), which is merged.
    assert len(groups) == 1
    assert len(groups[0]) == 24


def test_each_group_gets_the_vehicles_of_its_own_town_and_wheelchair_places(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    problem, _ = _two_towns()
    monkeypatch.setattr(clusters, "CLUSTER_PASSENGERS", 12)
    shared = share_fleet(problem, group_centres(problem, problem.passengers))
    for group in shared:
        town = group.passengers[0].centre_id[0]
        assert group.vehicles
        assert {v.vehicle_id[0] for v in group.vehicles} == {town}
        wheelchairs = sum(p.num_wheelchair_places for p in group.passengers)
        assert sum(v.wheelchair_places for v in group.vehicles) >= wheelchairs
    taken = [v.vehicle_id for g in shared for v in g.vehicles]
    assert len(taken) == len(set(taken))


def test_a_group_never_gets_a_vehicle_none_of_its_passengers_may_ride(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    problem, _ = _two_towns()
    barred = frozenset({"WV0", "WV1", "WV2"})
    passengers = tuple(
        replace(p, excluded_vehicles=barred) if p.centre_id.startswith("W") else p
        for p in problem.passengers
    )
    problem = replace(problem, passengers=passengers)
    monkeypatch.setattr(clusters, "CLUSTER_PASSENGERS", 12)
    shared = share_fleet(problem, group_centres(problem, problem.passengers))
    west = next(g for g in shared if g.passengers[0].centre_id.startswith("W"))
    assert not barred & {v.vehicle_id for v in west.vehicles}


def test_pins_breaks_and_limited_entrances_keep_the_day_whole() -> None:
    problem, _ = _two_towns()
    assert can_decompose(problem)
    pinned = replace(problem, pins={"W0P1": Pin("WV0", None, 0, is_strict=True)})
    assert not can_decompose(pinned)
    limited = replace(problem, centres=(replace(problem.centres[0], max_wheelchair_dropoffs=1),))
    assert not can_decompose(limited)


@pytest.fixture
def large_day(monkeypatch: pytest.MonkeyPatch) -> tuple[DayProblem, StraightMatrices]:
    """The two towns, counted as a large day (over 20 passengers), in groups of about 12."""
    monkeypatch.setattr(clusters, "CLUSTER_PASSENGERS", 12)
    monkeypatch.setattr(search, "CLUSTER_DAY_PASSENGERS", 20)
    return _two_towns()


def test_a_large_day_is_planned_by_groups_without_the_whole_day_model_and_every_rule_holds(
    large_day: tuple[DayProblem, StraightMatrices], monkeypatch: pytest.MonkeyPatch
) -> None:
    problem, matrices = large_day
    sizes: list[int] = []
    build = search.build_day_model  # type: ignore[attr-defined]

    def recording_build(day: DayProblem, *args: object, **kwargs: object) -> object:
        sizes.append(len(day.passengers))
        return build(day, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(search, "build_day_model", recording_build)
    result = solve_day(problem, matrices, SearchParams(time_limit_s=8, seed=1))
    # Binds: no model of the whole day (24 passengers) was built.
    assert sizes and max(sizes) < len(problem.passengers)
    # Holds: everyone served, each route within one town, the checker finds nothing.
    assert not result.unassigned
    assert not check_day(problem, result, matrices)
    for route in result.routes:
        assert len({pid[0] for pid in route_passengers(route)}) <= 1


def test_passengers_a_group_left_out_are_planned_on_the_vehicles_no_group_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    problem, matrices = _two_towns()
    monkeypatch.setattr(clusters, "CLUSTER_PASSENGERS", 12)
    calls: list[DayProblem] = []
    driven: set[str] = set()

    def solve_group(group: DayProblem, limit_s: float) -> DayResult:
        calls.append(group)
        found = solve_day(group, matrices, SearchParams(time_limit_s=3, seed=1, by_parts=False))
        if len(calls) == 1:
            # The first group's search is taken to have run out of time: nobody placed.
            return replace(found, routes=())
        if len(calls) == 2:
            driven.update(r.vehicle_id for r in found.routes if route_passengers(r))
        return found

    routes, left = solve_by_clusters(
        problem, problem.passengers, solve_group, ends_at=None, work_limit_s=3
    )
    assert len(calls) == 3
    first_group, leftover = calls[0], calls[-1]
    # The leftover pass: the first group's passengers, on every vehicle no route drove.
    assert leftover.passengers == first_group.passengers
    assert {v.vehicle_id for v in leftover.vehicles} == {
        v.vehicle_id for v in problem.vehicles
    } - driven
    assert not left
    served = {pid for r in routes for pid in route_passengers(r)}
    assert served == {p.passenger_id for p in problem.passengers}


def test_a_large_day_by_groups_is_the_same_under_a_work_limit(
    large_day: tuple[DayProblem, StraightMatrices],
) -> None:
    problem, matrices = large_day
    params = SearchParams(time_limit_s=30, seed=3, max_solutions=50)
    first = solve_day(problem, matrices, params)
    again = solve_day(problem, matrices, params)
    assert first.routes == again.routes
    assert not first.unassigned


def test_the_leftover_pass_reports_a_busy_fleet_not_a_missing_vehicle() -> None:
    problem, _ = _two_towns()
    wheelchair_user = next(p for p in problem.passengers if p.needs_wheelchair_place)
    walker = next(p for p in problem.passengers if not p.needs_wheelchair_place)
    # What the leftover pass's screening says when no idle vehicle has a wheelchair place,
    # and what its search says when it saw an idle vehicle that could have taken someone.
    from_idle_fleet = (
        Unassigned(wheelchair_user.passenger_id, Reason.NO_WHEELCHAIR_VEHICLE, "none idle"),
        Unassigned(walker.passenger_id, Reason.SEARCH_TIME, "out of time; V idle"),
    )
    said = leftover_reasons(problem, from_idle_fleet)
    # Binds: the day has wheelchair vehicles, all busy: the fleet is exhausted.
    assert said[0].reason is Reason.FLEET_EXHAUSTED
    assert said[0].passenger_id == wheelchair_user.passenger_id
    assert "mon" in said[0].hint
    # Holds: a reason that is true of the whole day is kept as it was.
    assert said[1] == from_idle_fleet[1]
