"""Benchmark adapters: one instance of each format read into dagrute's own inputs (fast).

The instances live in shared/bench beside the repository; without them these tests skip.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from benchmarks.adapters import (
    BENCH_DIR,
    DARP_TIME_SCALE,
    load_cordeau_bks,
    load_solomon_bks,
    original_cost,
    read_cordeau,
    read_hdarp,
    read_solomon,
)
from solver.check import check_day
from solver.domain import Direction, Mobility
from solver.routing.search import SearchParams, solve_day

pytestmark = pytest.mark.skipif(not BENCH_DIR.is_dir(), reason="no shared/bench instances")


def test_cordeau_a2_16_maps_requests_to_passengers_with_own_centres() -> None:
    bks = load_cordeau_bks(BENCH_DIR / "cordeau-darp" / "bks.csv")
    instance = read_cordeau(BENCH_DIR / "cordeau-darp" / "a2-16.txt", bks)
    problem = instance.problem
    assert (len(problem.passengers), len(problem.centres), len(problem.vehicles)) == (16, 16, 2)
    assert problem.direction is Direction.TO_CENTRE
    vehicle = problem.vehicles[0]
    assert (vehicle.seats, vehicle.max_route_s) == (3, 480 * DARP_TIME_SCALE)
    first = problem.passengers[0]
    assert (first.num_seats, first.boarding_s, first.max_ride_s) == (1, 180, 30 * 60)
    assert instance.bks == pytest.approx(294.25)
    # Travel times are the Euclidean distances in minutes, x 60 and rounded up.
    x0, y0 = instance.coords[problem.vehicles[0].depot]
    x1, y1 = instance.coords[first.home]
    exact_s = math.hypot(x1 - x0, y1 - y0) * DARP_TIME_SCALE
    assert instance.matrices.duration_s(vehicle.depot, first.home) == math.ceil(exact_s)


def test_cordeau_a2_16_solves_feasibly_near_its_best_known_cost() -> None:
    instance = read_cordeau(
        BENCH_DIR / "cordeau-darp" / "a2-16.txt",
        load_cordeau_bks(BENCH_DIR / "cordeau-darp" / "bks.csv"),
    )
    result = solve_day(instance.problem, instance.matrices, SearchParams(time_limit_s=1, seed=1))
    assert check_day(instance.problem, result, instance.matrices) == []
    assert result.unassigned == ()
    assert instance.bks is not None
    assert original_cost(instance, result) <= instance.bks * 1.05


def test_hdarp_a9_72_leaves_out_stretcher_and_wheelchair_requests() -> None:
    instance = read_hdarp(BENCH_DIR / "hdarp-malheiros2021" / "a9-72hetIUY.txt")
    problem = instance.problem
    assert instance.num_requests == 72
    assert len(problem.passengers) + len(instance.skipped) == 72
    assert len(instance.skipped) == 18
    assert len(problem.vehicles) == 9
    layouts = {(v.seats, v.wheelchair_places, v.max_route_s) for v in problem.vehicles}
    assert layouts == {(1, 6, 480 * 60), (2, 1, 480 * 60)}
    # Resource 2 (a patient seat) rides in dagrute's wheelchair-place dimension.
    wheelchair = [p for p in problem.passengers if p.mobility is Mobility.WHEELCHAIR]
    assert wheelchair
    assert all(p.num_wheelchair_places == 1 for p in wheelchair)


def test_solomon_c101_is_an_afternoon_from_the_depot() -> None:
    bks = load_solomon_bks(BENCH_DIR / "solomon" / "BKS_vroom-scripts_VRPTW.json")
    instance = read_solomon(BENCH_DIR / "solomon" / "C101.txt", bks)
    problem = instance.problem
    assert problem.direction is Direction.FROM_CENTRE
    assert (len(problem.passengers), len(problem.vehicles)) == (100, 25)
    assert {v.seats for v in problem.vehicles} == {200}
    assert sum(p.num_seats for p in problem.passengers) == 1810
    assert (instance.bks, instance.bks_vehicles) == (828.94, 10)
    # Service (90 units at C101's customers) is added to every drive out of a customer.
    durations = instance.matrices.durations_s
    assert np.all(durations[1:, 0] >= 90 * 20)


def test_cordeau_a8_64_keeps_every_ride_limit() -> None:
    """OR-Tools' native pickup-to-delivery limits alone let rides of 40-80 min (limit 30) through
    on this instance after a few seconds of search; the model also posts them as constraints."""
    instance = read_cordeau(BENCH_DIR / "cordeau-darp" / "a8-64.txt")
    result = solve_day(instance.problem, instance.matrices, SearchParams(time_limit_s=5, seed=1))
    assert check_day(instance.problem, result, instance.matrices) == []
